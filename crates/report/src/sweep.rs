//! The possibility analysis of several arches, on worker threads.

use std::collections::BTreeMap;
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
    witness_texts: WitnessTexts,
    progress: &(dyn Fn(usize, usize, &str) + Sync),
) -> Vec<ArchReport> {
    per_arch(list, jobs, progress, |arch, srcarch| {
        let mut report = analyze_with(root, arch, srcarch, only, toolchain);
        if witness_texts == WitnessTexts::Drop {
            report.forget_witness_texts();
        }
        report
    })
    .into_iter()
    .zip(list)
    .map(|(report, (arch, srcarch))| {
        report.unwrap_or_else(|| {
            let why = format!("kpossible: ARCH={arch}: the analysis thread gave no report\n");
            ArchReport::failure(arch, srcarch, vec![why], [0.0; 3])
        })
    })
    .collect()
}

/// Whether [`sweep`]'s reports keep each witness's `.config` text (to write it) or only its
/// origin (all a manifest prints; an all-arch sweep holds some thousands of them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WitnessTexts {
    /// Keep them.
    Keep,
    /// Drop them as each arch finishes.
    Drop,
}

/// For every arch of `list`, on `jobs` threads: the modules allmodconfig puts each of
/// `objects` in whatever the toolchain probes answer, when it puts every one in some module
/// ([`solver::quick::allmodconfig_modules`]); `None` where that is not so (ask [`sweep`]).
/// Runs no probe.
pub fn allmodconfig_modules(
    root: &Path,
    list: &[(String, String)],
    objects: &[String],
    jobs: usize,
) -> Vec<Option<BTreeMap<String, Vec<String>>>> {
    per_arch(list, jobs, &|_, _, _| {}, |arch, srcarch| {
        // A panic here costs only the shortcut: the full analysis answers instead.
        std::panic::catch_unwind(|| {
            solver::quick::allmodconfig_modules(root, arch, srcarch, objects)
        })
        .ok()
        .flatten()
    })
    .into_iter()
    .map(Option::flatten)
    .collect()
}

/// `run(arch, srcarch)` for every arch of `list` on `jobs` threads, calling `progress(done,
/// total, arch)` as each finishes; the results in the order of `list` (`None` only where a
/// worker could not be started or died), so output does not depend on `jobs`.
pub(crate) fn per_arch<T: Send>(
    list: &[(String, String)],
    jobs: usize,
    progress: &(dyn Fn(usize, usize, &str) + Sync),
    run: impl Fn(&str, &str) -> T + Sync,
) -> Vec<Option<T>> {
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<T>>> = list.iter().map(|_| Mutex::new(None)).collect();
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
                    let result = run(arch, srcarch);
                    let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                    progress(n, list.len(), arch);
                    // `run` does not panic while holding the lock, so it is never
                    // poisoned; were one, the arch is reported missing rather than lost.
                    if let Ok(mut slot) = slots[i].lock() {
                        *slot = Some(result);
                    }
                }
            });
            if let Err(e) = spawned {
                // The other workers take its share; if none started, every arch is
                // reported missing.
                eprintln!("kpossible: could not start a worker thread: {e}");
            }
        }
    });
    slots
        .into_iter()
        .map(|slot| slot.into_inner().ok().flatten())
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
