//! `kpossible modules-of FILE...`: every module an object can end up in, per arch.

use std::io::Write as _;
use std::process::ExitCode;

use crate::args::{Global, ModulesOfArgs};

pub fn run(global: &Global, args: &ModulesOfArgs) -> anyhow::Result<ExitCode> {
    let tree = crate::tree::resolve(global)?;
    let list = crate::tree::arch_list(global, &tree)?;
    let objects: Vec<String> = args
        .objects
        .iter()
        .map(|o| crate::possible::normalize_object(o))
        .collect();
    let answers = report::modules_of::modules_of_objects(
        tree.root(),
        &objects,
        &list,
        crate::tree::jobs(global),
        &crate::tree::progress(global),
    );
    // Every answer carries the arches' errors: print them once.
    if let Some(first) = answers.first() {
        crate::tree::print_errors(&first.errors);
    }
    let mut out = std::io::stdout().lock();
    match (global.json, answers.as_slice()) {
        (true, [one]) => writeln!(out, "{}", serde_json::to_string_pretty(one)?)?,
        (true, _) => writeln!(out, "{}", serde_json::to_string_pretty(&answers)?)?,
        (false, _) => {
            for a in &answers {
                out.write_all(a.to_text().as_bytes())?;
            }
        }
    }
    // One object: its verdict. Several: 1 if one of them can be in no module, else 2 if one
    // is unknown, else 0.
    let verdicts: Vec<&str> = answers.iter().map(|a| a.verdict).collect();
    Ok(ExitCode::from(if verdicts.contains(&"no") {
        1
    } else if verdicts.iter().all(|v| *v == "yes") {
        0
    } else {
        2
    }))
}
