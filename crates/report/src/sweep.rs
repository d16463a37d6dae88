//! The possibility analysis of several arches, on worker threads.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use solver::arch::{ArchReport, Toolchain, analyze_with};

use crate::{Error, Result};

/// The (ARCH, SRCARCH) pairs to analyse for `--arch`: one per SRCARCH (its own name as ARCH,
/// which on x86, sparc and parisc leaves the bit width to Kconfig) for `None` or `all`, a
/// comma-separated list, or the one asked for.
pub fn arch_list(tree: &ktree::Tree, arch: Option<&str>) -> Result<Vec<(String, String)>> {
    match arch {
        None | Some("all") => Ok(tree
            .srcarches()?
            .into_iter()
            .map(|s| (s.clone(), s))
            .collect()),
        Some(list) => {
            let mut out = Vec::new();
            for a in list.split(',').filter(|a| !a.is_empty()) {
                let Some(v) = tree.arch(a)? else {
                    let known: Vec<String> = tree.arches()?.into_iter().map(|v| v.arch).collect();
                    return Err(Error::UnknownArch {
                        arch: a.to_string(),
                        tree: tree.root().display().to_string(),
                        known: known.join(", "),
                    });
                };
                out.push((v.arch, v.srcarch));
            }
            Ok(out)
        }
    }
}

/// Analyses every arch of `list` for `toolchain` on `jobs` threads (answering only `only`
/// when given) and calls `progress(done, total, arch)` as each finishes. The reports come back in the order
/// of `list`, so output does not depend on `jobs`.
pub fn sweep(
    root: &Path,
    list: &[(String, String)],
    only: Option<&[String]>,
    toolchain: Toolchain,
    jobs: usize,
    progress: &(dyn Fn(usize, usize, &str) + Sync),
) -> Vec<ArchReport> {
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<ArchReport>>> = list.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1).min(list.len()) {
            // The parsers and the make evaluator bound their recursion depth, not their
            // frame sizes: give workers the stack a main thread would have, and more.
            let worker = std::thread::Builder::new().stack_size(64 << 20);
            let spawned = worker.spawn_scoped(scope, || {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some((arch, srcarch)) = list.get(i) else {
                        break;
                    };
                    let report = analyze_with(root, arch, srcarch, only, toolchain);
                    let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                    progress(n, list.len(), arch);
                    // `analyze_with` catches panics, so no lock is ever poisoned; were one,
                    // the arch is reported failed below rather than lost.
                    if let Ok(mut slot) = slots[i].lock() {
                        *slot = Some(report);
                    }
                }
            });
            if let Err(e) = spawned {
                // The other workers take its share; if none started, every arch is
                // reported failed below.
                eprintln!("kpossible: could not start a worker thread: {e}");
            }
        }
    });
    slots
        .into_iter()
        .zip(list)
        .map(|(slot, (arch, srcarch))| {
            slot.into_inner().ok().flatten().unwrap_or_else(|| {
                let why = format!("kpossible: ARCH={arch}: the analysis thread gave no report\n");
                ArchReport::failure(arch, srcarch, vec![why], [0.0; 3])
            })
        })
        .collect()
}

/// The overall word for per-arch words: yes if any arch says yes, unknown if none says yes
/// and one is unknown, else no (the README's contract).
pub fn overall<'a>(words: impl IntoIterator<Item = &'a str>) -> &'static str {
    let mut any_unknown = false;
    for w in words {
        if w == "yes" {
            return "yes";
        }
        any_unknown |= w == "unknown";
    }
    if any_unknown { "unknown" } else { "no" }
}
