//! Support for the integration tests: the real trees, fetched once per machine and cached.
//!
//! Tests that need a real tree call [`tree`]; it fetches Debian's `linux-source-<version>`
//! into `${KPOSSIBLE_CACHE:-~/.cache/kpossible}` on first use (the README's test command
//! fetches both up front).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Mutex, OnceLock};

pub mod selftests;

/// The Debian tree of `version` (`6.1` or `6.12`), fetched when absent. Panics with the reason
/// when it cannot be had: a conformance test without its tree must fail, not pass.
pub fn tree(version: &str) -> ktree::Tree {
    static FETCH: OnceLock<Mutex<()>> = OnceLock::new();
    let _guard = FETCH
        .get_or_init(|| Mutex::new(()))
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    ktree::fetch(&ktree::cache_dir(), version)
        .unwrap_or_else(|e| panic!("kernel tree {version}: {e}"))
}

/// The oracle for `arch` on the Debian tree `version`: real make in this process's
/// environment (its `PATH`, `CROSS_COMPILE`, `LLVM`, ...), as kpossible's own parse sees it.
pub fn oracle(version: &str, arch: &str) -> oracle::Oracle {
    oracle::Oracle::new(&tree(version), arch, &ktree::cache_dir())
        .unwrap_or_else(|e| panic!("oracle {version} {arch}: {e}"))
}

/// The Kconfig of `arch` on `root`, parsed in the environment plain make gives `conf`.
pub fn parse_kconfig(
    root: &std::path::Path,
    arch: &str,
    shell: kconfig_parser::ShellMode,
) -> kconfig_parser::Model {
    solver::arch::parse_kconfig(root, arch, shell)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
}

/// How the real (object, module) pairs fared as `modules-of` placements.
#[derive(Default)]
pub struct Placements {
    /// Pairs asked about.
    pub checked: usize,
    /// Pairs no Makefile line of ours lists (the object is never a member of that module).
    pub missing: Vec<(String, String)>,
    /// Pairs listed but answered no.
    pub no: Vec<(String, String)>,
    /// Pairs the analysis left undecided.
    pub unknown: usize,
}

/// `modules-of`'s answer for every pair real make produced ("can OBJECT be in MODULE?"), from
/// one run of `report::modules_of::objects_on_arch` over the pairs' objects on ARCH. `pairs`
/// hold the object and the module's `.ko` path as `modules.order` spells it.
pub fn placements(
    root: &Path,
    arch: &str,
    srcarch: &str,
    pairs: &BTreeSet<(String, String)>,
) -> Placements {
    let objects: Vec<String> = pairs
        .iter()
        .map(|(o, _)| o.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let (answers, _) = report::modules_of::objects_on_arch(root, arch, srcarch, &objects);
    let by_object: BTreeMap<&str, &report::modules_of::ArchPlacements> =
        objects.iter().map(String::as_str).zip(&answers).collect();
    let mut out = Placements::default();
    for (object, ko) in pairs {
        out.checked += 1;
        let placement = by_object
            .get(object.as_str())
            .and_then(|a| a.modules.iter().find(|m| m.ko.as_deref() == Some(ko)));
        match placement.map(|p| p.verdict) {
            None => out.missing.push((object.clone(), ko.clone())),
            Some("no") => out.no.push((object.clone(), ko.clone())),
            Some("unknown") => out.unknown += 1,
            Some(_) => {}
        }
    }
    out
}

/// The (object, module) pairs of real walks, the module as `modules.order` names it
/// (`drivers/net/dummy.ko`).
pub fn module_pairs<'a>(
    lists: impl IntoIterator<Item = &'a oracle::KbuildLists>,
) -> BTreeSet<(String, String)> {
    lists
        .into_iter()
        .flat_map(|l| &l.modules)
        .flat_map(|m| m.objects.iter().map(|o| (o.clone(), m.name.clone())))
        .collect()
}

pub mod configs;
