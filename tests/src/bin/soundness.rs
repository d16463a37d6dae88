//! Soundness sweep (issue 7): every object real make puts in a module, in every configuration
//! the oracle has walked (the cached `kbuild_lists` results of the tests and sweeps), must be
//! "yes" in kpossible's manifest for that tree and SRCARCH; and that very module must be a
//! "yes" placement of the object in `modules-of` (the answer livepatch and tracing tools read
//! to know which `.ko` to look in). Prints one row per tree/SRCARCH and every violation; exits
//! non-zero on any.
//!
//! usage: soundness [VERSION,...]   (default 6.1,6.12)

use std::collections::BTreeMap;

use kpossible_tests::placements;
use solver::arch::analyze;
use solver::possibility::Verdict;

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
            let pairs = kpossible_tests::module_pairs(lists);
            let p = placements(t.root(), srcarch, srcarch, &pairs);
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
