//! Choosing the kernel tree a command works on: `--tree`, `$srctree`, the current directory,
//! or the Debian tree of `--kernel` (fetched when absent), in that order.

use crate::args::Global;

pub fn resolve(global: &Global) -> anyhow::Result<ktree::Tree> {
    if let Some(dir) = &global.tree {
        return Ok(ktree::Tree::open(dir)?);
    }
    if let Some(dir) = std::env::var_os("srctree").filter(|d| !d.is_empty()) {
        return Ok(ktree::Tree::open(std::path::Path::new(&dir))?);
    }
    if let Ok(tree) = ktree::Tree::open(std::path::Path::new(".")) {
        return Ok(tree);
    }
    let cache = ktree::cache_dir();
    if !global.quiet
        && !ktree::tree_path(&cache, &global.kernel)
            .join("Makefile")
            .is_file()
    {
        eprintln!(
            "kpossible: fetching linux-source-{} into {}",
            global.kernel,
            cache.display()
        );
    }
    Ok(ktree::fetch(&cache, &global.kernel)?)
}

/// The one ARCH a command that needs a single arch works on: `--arch`, else make's default
/// (the host's SUBARCH). `all` is refused here.
pub fn single_arch(global: &Global, tree: &ktree::Tree) -> anyhow::Result<String> {
    let arch = global.arch.clone().unwrap_or_else(ktree::host_arch);
    if arch == "all" {
        anyhow::bail!("this command works on one arch; `--arch all` is not accepted here");
    }
    if tree.arch(&arch)?.is_none() {
        let known: Vec<String> = tree.arches()?.into_iter().map(|v| v.arch).collect();
        anyhow::bail!(
            "unknown ARCH `{arch}` for {}: expected one of {}",
            tree.root().display(),
            known.join(", ")
        );
    }
    Ok(arch)
}
