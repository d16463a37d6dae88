//! A tree's Kconfig parsed as `make ARCH=...` started from this process would give it to
//! `conf`: the environment from `ktree::kenv`.

use std::path::Path;

use kconfig_parser::{Model, ShellMode};

/// [`kconfig_parser::parse_tree`] of `root` for `arch` in this process's make environment.
pub fn parse_tree(root: &Path, arch: &str, shell: ShellMode) -> Model {
    let env = conf_env(root, arch, shell);
    kconfig_parser::parse_tree(root, shell, &env.vars, &env.identity)
}

/// The environment make gives `conf` for `arch` on `root`.
pub fn conf_env(root: &Path, arch: &str, shell: ShellMode) -> ktree::kenv::Environment {
    ktree::kenv::conf_environment(root, arch, shell == ShellMode::Run)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
}
