//! Support for the integration tests: the real trees, fetched once per machine and cached.
//!
//! Tests that need a real tree call [`tree`]; it fetches Debian's `linux-source-<version>`
//! into `${KPOSSIBLE_CACHE:-~/.cache/kpossible}` on first use (the README's test command
//! fetches both up front).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Mutex, OnceLock};

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

/// The oracle for `arch` on the Debian tree `version`, with the `CROSS_COMPILE`, `LLVM` and
/// `LLVM_IAS` of the environment when set (kpossible's own Kconfig parse reads them too).
pub fn oracle(version: &str, arch: &str) -> oracle::Oracle {
    let toolchain: Vec<(&str, String)> = ["CROSS_COMPILE", "LLVM", "LLVM_IAS"]
        .into_iter()
        .filter_map(|k| Some((k, std::env::var(k).ok().filter(|v| !v.is_empty())?)))
        .collect();
    let mut pins = oracle::DEFAULT_PINS.to_vec();
    pins.extend(toolchain.iter().map(|(k, v)| (*k, v.as_str())));
    oracle::Oracle::with_pins(&tree(version), arch, &ktree::cache_dir(), &pins)
        .unwrap_or_else(|e| panic!("oracle {version} {arch}: {e}"))
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

/// Asks, as `report::modules_of` does, "can OBJECT be in MODULE?" for every pair real make
/// produced, all in one analysis of ARCH (`modules_of` runs one per object). `pairs` hold
/// the object and the module's object path (`drivers/net/dummy.o`).
pub fn placements(
    root: &Path,
    arch: &str,
    srcarch: &str,
    pairs: &BTreeSet<(String, String)>,
) -> Placements {
    use kbuild_graph::Conditions;
    use solver::possibility::Verdict;
    let model = kconfig_parser::parse_tree(root, arch, kconfig_parser::ShellMode::Run);
    let k = solver::Kconfig::new(&model);
    let mut pool = kp_base::ExprPool::new();
    let mut sources = kp_base::SourceMap::new();
    let graph = solver::arch::symbolic_kbuild(root, arch, srcarch, &mut pool, &mut sources);
    let all = kbuild_graph::lists::all_conditions(&graph, &mut pool);
    let no = pool.no();
    let mut out = Placements::default();
    let mut goals: BTreeMap<String, Conditions> = BTreeMap::new();
    for (object, module) in pairs {
        out.checked += 1;
        let occurrences: Vec<_> = all
            .get(object)
            .into_iter()
            .flat_map(|c| &c.occurrences)
            .filter(|o| o.in_module && o.module.as_deref() == Some(module))
            .cloned()
            .collect();
        if occurrences.is_empty() {
            out.missing.push((object.clone(), module.clone()));
            continue;
        }
        let mut module_cond = no;
        for o in &occurrences {
            module_cond = pool.or(module_cond, o.condition);
        }
        goals.insert(
            format!("{object}\t{module}"),
            Conditions {
                builtin: no,
                module: module_cond,
                occurrences,
            },
        );
    }
    let goals = solver::possibility::from_kbuild(&goals, &sources, root);
    let verdicts = solver::possibility::Analysis::new(&k).run(&pool, &goals);
    for (key, v) in &verdicts {
        match v {
            Verdict::Yes { .. } => {}
            Verdict::Unknown { .. } => out.unknown += 1,
            Verdict::No { .. } => {
                let (o, m) = key.split_once('\t').unwrap_or((key, ""));
                out.no.push((o.to_string(), m.to_string()));
            }
        }
    }
    out
}

/// The (object, module object) pairs of a real walk: `modules.order` names the `.ko`, the
/// Makefiles name the module's object (`drivers/net/dummy.o`).
pub fn module_pairs<'a>(
    lists: impl IntoIterator<Item = &'a oracle::KbuildLists>,
) -> BTreeSet<(String, String)> {
    lists
        .into_iter()
        .flat_map(|l| &l.modules)
        .flat_map(|m| {
            let module = format!("{}.o", m.name.strip_suffix(".ko").unwrap_or(&m.name));
            m.objects.iter().map(move |o| (o.clone(), module.clone()))
        })
        .collect()
}

pub mod configs;
