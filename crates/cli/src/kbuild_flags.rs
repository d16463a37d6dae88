//! `kpossible kbuild-flags`: the `-DPOSSIBLE_MODULE` make fragment.

use std::process::ExitCode;

use anyhow::Context as _;

use crate::args::{Global, KbuildFlagsArgs};

pub fn run(global: &Global, args: &KbuildFlagsArgs) -> anyhow::Result<ExitCode> {
    let unknown = match args.unknown.as_str() {
        "possible" => report::flags::Unknown::AsPossible,
        "never" => report::flags::Unknown::AsNever,
        other => anyhow::bail!("unknown --unknown `{other}`: expected possible or never"),
    };
    let tree = crate::tree::resolve(global)?;
    let reports = crate::tree::sweep(global, &tree, None)?;
    crate::tree::print_errors(reports.iter().flat_map(|r| r.errors.iter()));
    let header = format!("linux {} ({})", tree.version(), tree.root().display());
    let text = report::flags::fragment(&reports, &header, unknown);
    if global.json {
        let per: serde_json::Map<String, serde_json::Value> =
            report::flags::possible_objects(&reports)
                .into_iter()
                .map(|(a, (yes, unk))| (a, serde_json::json!({"possible": yes, "unknown": unk})))
                .collect();
        let doc = serde_json::json!({"tree": crate::tree::tree_json(&tree), "srcarches": per});
        let s = serde_json::to_string_pretty(&doc)? + "\n";
        match &args.out {
            Some(p) => std::fs::write(p, s).with_context(|| p.display().to_string())?,
            None => print!("{s}"),
        }
        return Ok(ExitCode::SUCCESS);
    }
    match &args.out {
        Some(p) => std::fs::write(p, text).with_context(|| p.display().to_string())?,
        None => {
            use std::io::Write as _;
            std::io::stdout().lock().write_all(text.as_bytes())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
