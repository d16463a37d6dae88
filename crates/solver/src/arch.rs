//! One arch end to end: parse its Kconfig, evaluate its Kbuild symbolically, and answer for
//! every object. This is the library face the CLI's `could-be-module` and `manifest` call.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use kconfig_parser::{ShellMode, parse_tree};
use kp_base::{ExprPool, SourceMap};

use crate::kconfig::Kconfig;
use crate::possibility::{Analysis, Stats, Verdict, from_kbuild};

/// Make variables pinned for reproducible results, as the oracle pins them.
pub const PINS: &[(&str, &str)] = &[("RUSTC", "/bin/false"), ("PAHOLE", "/bin/false")];

/// The pinned variables for `arch`. UML's Makefile derives `SUBARCH` and `OS` from
/// `uname`; they are given as this host's answers (x86, Linux), as real make would compute them.
fn pins(arch: &str) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = PINS
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    if arch == "um" {
        v.push(("SUBARCH".into(), "x86".into()));
        v.push(("OS".into(), "Linux".into()));
    }
    v
}

/// Everything answered for one arch.
pub struct ArchReport {
    /// The `ARCH=` spelling analysed.
    pub arch: String,
    /// Its SRCARCH.
    pub srcarch: String,
    /// Verdict per object path.
    pub verdicts: BTreeMap<String, Verdict>,
    /// Counters.
    pub stats: Stats,
    /// Errors that make the verdicts incomplete (Kconfig or Makefile problems), rendered.
    pub errors: Vec<String>,
    /// Seconds spent: Kconfig parse, Kbuild graph, analysis.
    pub seconds: [f64; 3],
}

/// Which toolchain the answers hold for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Toolchain {
    /// This host's tools, as the kernel's own conf would probe them here (`$(shell,...)`
    /// run): every "yes" is confirmed by the real tools on this machine.
    Host,
    /// Some toolchain: a "no" must also hold with every probe result left open; one that
    /// does not becomes "unknown", naming the probes it depends on.
    Any,
}

/// Analyses `arch` (an `ARCH=` spelling mapping to `srcarch`) of the tree at `root` for this
/// host's toolchain. When `only` is given, just those objects are answered.
pub fn analyze(root: &Path, arch: &str, srcarch: &str, only: Option<&[String]>) -> ArchReport {
    analyze_with(root, arch, srcarch, only, Toolchain::Host)
}

/// As [`analyze`], for `toolchain`.
pub fn analyze_with(
    root: &Path,
    arch: &str,
    srcarch: &str,
    only: Option<&[String]>,
    toolchain: Toolchain,
) -> ArchReport {
    let t0 = Instant::now();
    let model = parse_tree(root, arch, ShellMode::Run);
    let mut errors: Vec<String> = model
        .diagnostics
        .iter()
        .filter(|d| d.severity == kp_base::Severity::Error)
        .map(|d| d.render(&model.sources))
        .collect();
    let k = Kconfig::new(&model);
    let t1 = Instant::now();
    let mut pool = ExprPool::new();
    let mut sources = SourceMap::new();
    let opts = kbuild_graph::Options {
        srctree: root.to_path_buf(),
        arch: arch.to_string(),
        srcarch: srcarch.to_string(),
        config: kbuild_graph::ConfigMode::Symbolic,
        pins: pins(arch),
    };
    let graph = kbuild_graph::evaluate(opts, &mut pool, &mut sources);
    errors.extend(
        graph
            .diagnostics
            .iter()
            .filter(|d| d.severity == kp_base::Severity::Error)
            .map(|d| d.render(&sources)),
    );
    let mut conditions = kbuild_graph::lists::all_conditions(&graph, &mut pool);
    if let Some(only) = only {
        conditions.retain(|o, _| only.contains(o));
    }
    let objects = from_kbuild(&conditions, &sources, root);
    let t2 = Instant::now();
    let mut analysis = Analysis::new(&k);
    let mut verdicts = analysis.run(&pool, &objects);
    let mut stats = analysis.stats;
    if toolchain == Toolchain::Any {
        // The same rules with every `$(shell,...)` left open: a "no" that needs this host's
        // probe results is not a "no" for every compiler.
        let open = parse_tree(root, arch, ShellMode::Record);
        let k_open = Kconfig::new(&open);
        let mut any = Analysis::new(&k_open);
        for (obj, verdict) in verdicts.iter_mut() {
            let (Verdict::No { .. }, Some(c)) = (&*verdict, objects.get(obj)) else {
                continue;
            };
            match any.refutable(&pool, c) {
                Some(true) => {}
                Some(false) => {
                    stats.toolchain_dependent += 1;
                    let facts = any.facts_near(&pool, c.module, 4);
                    let facts = if facts.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "; toolchain-probed symbols nearest to it: {}",
                            facts.join(", ")
                        )
                    };
                    *verdict = Verdict::Unknown {
                        why: format!(
                            "no with this host's toolchain, but the Kconfig rules allow it when the compiler, assembler or linker probes answer otherwise{facts}"
                        ),
                    };
                }
                None => {
                    *verdict = Verdict::Unknown {
                        why: "the SAT solver failed on the toolchain-free rules".into(),
                    };
                }
            }
        }
        stats.no_by_sat -= stats.toolchain_dependent.min(stats.no_by_sat);
        stats.unknown += stats.toolchain_dependent;
    }
    if let Some(only) = only {
        // An object no Makefile of this arch lists at all.
        for o in only {
            verdicts.entry(o.clone()).or_insert_with(|| Verdict::No {
                reasons: vec![crate::possibility::Reason {
                    file: String::new(),
                    line: 0,
                    text: format!("no Makefile reachable on ARCH={arch} lists {o}"),
                }],
            });
        }
    }
    ArchReport {
        arch: arch.to_string(),
        srcarch: srcarch.to_string(),
        verdicts,
        stats,
        errors,
        seconds: [
            (t1 - t0).as_secs_f64(),
            (t2 - t1).as_secs_f64(),
            t2.elapsed().as_secs_f64(),
        ],
    }
}
