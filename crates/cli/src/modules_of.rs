//! `kpossible modules-of FILE...`: every module an object can end up in, per arch.

use std::io::Write as _;
use std::process::ExitCode;

use crate::args::{Global, ModulesOfArgs};

pub fn run(global: &Global, args: &ModulesOfArgs) -> anyhow::Result<ExitCode> {
    let tree = crate::tree::resolve(global)?;
    let list = crate::tree::arch_list(global, &tree)?;
    let names = match crate::possible::resolve_names(global, &tree, &args.objects)? {
        Ok(names) => names,
        Err(code) => return Ok(code),
    };
    let objects: Vec<String> = names.iter().map(|n| n.object.clone()).collect();
    let mut answers = report::modules_of::modules_of_objects(
        tree.root(),
        &objects,
        &list,
        crate::tree::jobs(global),
        &crate::tree::progress(global),
    );
    for (a, n) in answers.iter_mut().zip(names) {
        a.name = Some(n);
    }
    // Every answer carries the arches' errors: print them once.
    if let Some(first) = answers.first() {
        crate::tree::print_errors(&first.errors);
    }
    let mut out = std::io::stdout().lock();
    // Each document names the tree it answers about.
    let with_tree = |a: &report::modules_of::ModulesOf| -> anyhow::Result<serde_json::Value> {
        let mut doc = serde_json::to_value(a)?;
        if let Some(map) = doc.as_object_mut() {
            map.insert("tree".into(), crate::tree::tree_json(&tree));
        }
        Ok(doc)
    };
    match (global.json, answers.as_slice()) {
        (true, [one]) => writeln!(out, "{}", serde_json::to_string_pretty(&with_tree(one)?)?)?,
        (true, _) => {
            let docs = answers
                .iter()
                .map(with_tree)
                .collect::<anyhow::Result<Vec<_>>>()?;
            writeln!(out, "{}", serde_json::to_string_pretty(&docs)?)?
        }
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
