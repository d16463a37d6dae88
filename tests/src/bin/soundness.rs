//! Soundness sweep (issue 7): every object real make puts in a module, in every configuration
//! the oracle has walked (the cached `kbuild_lists` results of the tests and sweeps), must be
//! "yes" in kpossible's manifest for that tree and SRCARCH; and that very module must be a
//! "yes" placement of the object in `modules-of` (the answer livepatch and tracing tools read
//! to know which `.ko` to look in). Prints one row per tree/SRCARCH and every violation; exits
//! non-zero on any.
//!
//! usage: soundness [VERSION,...]   (default 6.1,6.12)

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use solver::arch::analyze;
use solver::possibility::Verdict;

/// How the real (object, module) pairs fared as `modules-of` placements.
#[derive(Default)]
struct Placements {
    checked: usize,
    /// Pairs no Makefile line of ours lists (the object is never a member of that module).
    missing: Vec<(String, String)>,
    /// Pairs listed but answered no.
    no: Vec<(String, String)>,
    unknown: usize,
}

/// Asks, as `report::modules_of` does, "can OBJECT be in MODULE?" for every pair real make
/// produced, all in one analysis of the arch (`modules_of` runs one per object). `pairs` hold
/// the object and the module's object path (`drivers/net/dummy.o`).
fn placements(root: &Path, srcarch: &str, pairs: &BTreeSet<(String, String)>) -> Placements {
    use kbuild_graph::Conditions;
    let model = kconfig_parser::parse_tree(root, srcarch, kconfig_parser::ShellMode::Run);
    let k = solver::Kconfig::new(&model);
    let mut pool = kp_base::ExprPool::new();
    let mut sources = kp_base::SourceMap::new();
    let graph = solver::arch::symbolic_kbuild(root, srcarch, srcarch, &mut pool, &mut sources);
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

fn main() {
    let versions: Vec<String> = std::env::args().nth(1).map_or_else(
        || vec!["6.1".into(), "6.12".into()],
        |s| s.split(',').map(String::from).collect(),
    );
    let cache = ktree::cache_dir();
    let mut violations = 0usize;
    let mut configs_total = 0usize;
    println!(
        "| tree | SRCARCH | configs walked by real make | module objects checked | violations | unknown | (object, module) pairs checked as placements | violations | unknown | seconds |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for version in &versions {
        let t = kpossible_tests::tree(version);
        // Group the oracle's cached walks by SRCARCH.
        let mut walks: BTreeMap<String, Vec<oracle::KbuildLists>> = BTreeMap::new();
        let oracle_dir = cache.join("oracle");
        let Ok(entries) = std::fs::read_dir(&oracle_dir) else {
            continue;
        };
        for tree_dir in entries.filter_map(|e| e.ok()) {
            let name = tree_dir.file_name().to_string_lossy().to_string();
            if !name.starts_with(&format!("{}-", t.version())) {
                continue;
            }
            for arch_dir in std::fs::read_dir(tree_dir.path())
                .into_iter()
                .flatten()
                .filter_map(|e| e.ok())
            {
                let arch_name = arch_dir.file_name().to_string_lossy().to_string();
                let arch = arch_name
                    .rsplit_once('-')
                    .map_or(arch_name.as_str(), |(a, _)| a)
                    .to_string();
                let Ok(Some(variant)) = t.arch(&arch) else {
                    continue;
                };
                // Walks made with another toolchain (CROSS_COMPILE, LLVM) answer for that
                // toolchain; this sweep analyses with the host's gcc. A directory without
                // `pins.json` predates toolchain pins.
                let pins: Vec<(String, String)> = std::fs::read(arch_dir.path().join("pins.json"))
                    .ok()
                    .and_then(|b| serde_json::from_slice(&b).ok())
                    .unwrap_or_default();
                if pins
                    .iter()
                    .any(|(k, _)| matches!(k.as_str(), "CROSS_COMPILE" | "LLVM" | "LLVM_IAS"))
                {
                    continue;
                }
                for f in std::fs::read_dir(arch_dir.path().join("results"))
                    .into_iter()
                    .flatten()
                    .filter_map(|e| e.ok())
                {
                    let p = f.path();
                    let is_walk = p.file_name().is_some_and(|n| {
                        let n = n.to_string_lossy();
                        // Partial walks (witness checks) would count a configuration twice.
                        n.starts_with("kbuild-") && !n.starts_with("kbuild-within-")
                    });
                    if !is_walk {
                        continue;
                    }
                    if let Some(lists) = std::fs::read(&p)
                        .ok()
                        .and_then(|b| serde_json::from_slice::<oracle::KbuildLists>(&b).ok())
                    {
                        walks
                            .entry(variant.srcarch.clone())
                            .or_default()
                            .push(lists);
                    }
                }
            }
        }
        for (srcarch, lists) in &walks {
            let start = std::time::Instant::now();
            let report = analyze(t.root(), srcarch, srcarch, None);
            let (mut checked, mut bad, mut unknown) = (0, 0, 0);
            for l in lists {
                for m in &l.modules {
                    for o in &m.objects {
                        checked += 1;
                        match report.verdicts.get(o) {
                            Some(Verdict::Yes { .. }) => {}
                            Some(Verdict::Unknown { .. }) => unknown += 1,
                            other => {
                                bad += 1;
                                if bad <= 20 {
                                    eprintln!(
                                        "VIOLATION {version} {srcarch}: {o} is in {} per real make, ours: {}",
                                        m.name,
                                        other.map_or("absent", |v| v.word())
                                    );
                                }
                            }
                        }
                    }
                }
            }
            // `modules.order` names the `.ko`; the Makefiles name the module's object.
            let pairs: BTreeSet<(String, String)> = lists
                .iter()
                .flat_map(|l| &l.modules)
                .flat_map(|m| {
                    let module = format!("{}.o", m.name.strip_suffix(".ko").unwrap_or(&m.name));
                    m.objects.iter().map(move |o| (o.clone(), module.clone()))
                })
                .collect();
            let p = placements(t.root(), srcarch, &pairs);
            for (o, m) in p.missing.iter().take(20) {
                eprintln!(
                    "VIOLATION {version} {srcarch}: {o} is in {m} per real make, but no Makefile line of ours lists it there"
                );
            }
            for (o, m) in p.no.iter().take(20) {
                eprintln!(
                    "VIOLATION {version} {srcarch}: {o} is in {m} per real make, ours: no for that module"
                );
            }
            let bad_placements = p.missing.len() + p.no.len();
            bad += bad_placements;
            violations += bad;
            configs_total += lists.len();
            println!(
                "| {version} | {srcarch} | {} | {checked} | {} | {unknown} | {} | {bad_placements} | {} | {:.0} |",
                lists.len(),
                bad - bad_placements,
                p.checked,
                p.unknown,
                start.elapsed().as_secs_f64()
            );
        }
    }
    eprintln!("configs: {configs_total}, violations: {violations}");
    std::process::exit(i32::from(violations > 0));
}
