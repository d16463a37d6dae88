//! `kpossible fetch VERSION` and `kpossible fetch --list`.

use std::io::Write as _;
use std::process::ExitCode;

use crate::args::{FetchArgs, Global};

pub fn run(global: &Global, args: &FetchArgs) -> anyhow::Result<ExitCode> {
    let cache = ktree::cache_dir();
    let Some(spec) = &args.kernel_version else {
        return list(global, &cache);
    };
    ktree::Spec::parse(spec)?;
    if !global.quiet && !ktree::tree_path(&cache, spec).join("Makefile").is_file() {
        eprintln!(
            "kpossible: fetching linux-source-{spec} into {}",
            cache.display()
        );
    }
    let tree = ktree::fetch(&cache, spec)?;
    if !global.quiet {
        eprintln!("kpossible: tree {}", crate::tree::describe(&tree));
    }
    if global.json {
        println!("{}", crate::tree::tree_json(&tree));
    } else {
        println!("{}", tree.root().display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Every upload the archive carries: `series<TAB>upload<TAB>suites<TAB>cached tree or -`.
fn list(global: &Global, cache: &std::path::Path) -> anyhow::Result<ExitCode> {
    let uploads = ktree::archive_uploads(cache)?;
    let cached = |u: &ktree::Upload| {
        let path = ktree::tree_path(cache, &format!("{}={}", u.series, u.version));
        let same = ktree::tree_upload(&path).is_some_and(|(_, v)| v == u.version);
        // The tree's own path, as every other output names it.
        (same && path.join("Makefile").is_file()).then(|| path.canonicalize().unwrap_or(path))
    };
    let mut out = std::io::stdout().lock();
    if global.json {
        let docs: Vec<serde_json::Value> = uploads
            .iter()
            .map(|u| {
                serde_json::json!({
                    "series": u.series, "upload": u.version, "suites": u.suites,
                    "spec": format!("{}={}", u.series, u.version), "tree": cached(u),
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&docs)?)?;
    } else {
        for u in &uploads {
            let tree = cached(u).map_or_else(|| "-".to_string(), |p| p.display().to_string());
            writeln!(
                out,
                "{}\t{}\t{}\t{tree}",
                u.series,
                u.version,
                u.suites.join(",")
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
