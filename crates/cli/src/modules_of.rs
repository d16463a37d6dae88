//! `kpossible modules-of FILE`: every module an object can end up in, per arch.

use std::io::Write as _;
use std::process::ExitCode;

use crate::args::{Global, ModulesOfArgs};

pub fn run(global: &Global, args: &ModulesOfArgs) -> anyhow::Result<ExitCode> {
    let tree = crate::tree::resolve(global)?;
    let list = crate::tree::arch_list(global, &tree)?;
    let object = crate::possible::normalize_object(&args.object);
    let answer = report::modules_of::modules_of(
        tree.root(),
        &object,
        &list,
        crate::tree::jobs(global),
        &crate::tree::progress(global),
    );
    crate::tree::print_errors(&answer.errors);
    let mut out = std::io::stdout().lock();
    if global.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&answer)?)?;
    } else {
        out.write_all(answer.to_text().as_bytes())?;
    }
    Ok(ExitCode::from(match answer.verdict {
        "yes" => 0,
        "no" => 1,
        _ => 2,
    }))
}
