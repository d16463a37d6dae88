//! `kpossible fetch VERSION`.

use std::process::ExitCode;

use crate::args::{FetchArgs, Global};

pub fn run(global: &Global, args: &FetchArgs) -> anyhow::Result<ExitCode> {
    let cache = ktree::cache_dir();
    if !global.quiet
        && ktree::KNOWN_VERSIONS.contains(&args.kernel_version.as_str())
        && !ktree::tree_path(&cache, &args.kernel_version)
            .join("Makefile")
            .is_file()
    {
        eprintln!(
            "kpossible: fetching linux-source-{} into {}",
            args.kernel_version,
            cache.display()
        );
    }
    let tree = ktree::fetch(&cache, &args.kernel_version)?;
    if global.json {
        println!(
            "{}",
            serde_json::json!({"version": tree.version(), "path": tree.root()})
        );
    } else {
        println!("{}", tree.root().display());
    }
    Ok(ExitCode::SUCCESS)
}
