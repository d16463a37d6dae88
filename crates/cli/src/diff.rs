//! `kpossible diff --from A --to B`: objects whose answer changed between two trees.

use std::io::Write as _;
use std::process::ExitCode;

use crate::args::{DiffArgs, Global};

/// A tree named by a directory or a Debian version.
fn open(global: &Global, spec: &str) -> anyhow::Result<ktree::Tree> {
    let p = std::path::Path::new(spec);
    let tree = if p.is_dir() {
        ktree::open_relative(p)?
    } else {
        if !global.quiet {
            eprintln!("kpossible: using linux-source-{spec} (fetched when absent)");
        }
        ktree::fetch(&ktree::cache_dir(), spec)?
    };
    if !global.quiet {
        eprintln!("kpossible: tree {}", crate::tree::describe(&tree));
    }
    Ok(tree)
}

pub fn run(global: &Global, args: &DiffArgs) -> anyhow::Result<ExitCode> {
    let mut reports = Vec::new();
    let mut trees = Vec::new();
    for spec in [&args.from, &args.to] {
        let tree = open(global, spec)?;
        trees.push(crate::tree::tree_json(&tree));
        let r = crate::tree::sweep(global, &tree, None)?;
        crate::tree::print_errors(r.iter().flat_map(|r| r.errors.iter()));
        reports.push(r);
    }
    let d = report::diff::diff(&reports[0], &reports[1], args.all);
    if !global.quiet {
        eprintln!(
            "kpossible: {} arches compared: {} objects changed{}",
            d.arches.len(),
            d.changes.len(),
            if args.all {
                String::new()
            } else {
                format!(
                    "; {} only in {}, {} only in {} (--all lists them)",
                    d.removed, args.from, d.added, args.to
                )
            }
        );
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if global.json {
        // Which trees were compared, as the other commands name theirs.
        let mut doc = serde_json::to_value(&d)?;
        if let Some(map) = doc.as_object_mut() {
            map.insert("from_tree".into(), trees[0].clone());
            map.insert("to_tree".into(), trees[1].clone());
        }
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
    } else {
        out.write_all(d.to_text().as_bytes())?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
