//! Choosing the kernel tree a command works on: `--tree`, `$srctree`, the current directory,
//! or the Debian tree of `--kernel` (fetched when absent), in that order.

use crate::args::Global;

#[allow(dead_code)] // Used by the commands that need a tree; fetch does not.
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
    if !global.quiet && !ktree::tree_path(&cache, &global.kernel).join("Makefile").is_file() {
        eprintln!("kpossible: fetching linux-source-{} into {}", global.kernel, cache.display());
    }
    Ok(ktree::fetch(&cache, &global.kernel)?)
}
