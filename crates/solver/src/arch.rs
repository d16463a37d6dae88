//! One arch end to end: parse its Kconfig, evaluate its Kbuild symbolically, and answer for
//! every object. This is the library face the CLI's `could-be-module` and `manifest` call.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use kconfig_parser::{ShellMode, parse_tree};
use kp_base::{ExprPool, SourceMap};

use crate::kconfig::Kconfig;
use crate::possibility::{Analysis, Stats, Verdict, from_kbuild};

/// The make variables the Kbuild walk of `arch` takes as given on make's command line:
/// UML's Makefile derives `SUBARCH` and `OS` from `uname`; they are this host's answers.
pub fn pins(arch: &str) -> Vec<(String, String)> {
    let mut v = Vec::new();
    if arch == "um" {
        v.push(("SUBARCH".into(), ktree::host_arch()));
        v.push(("OS".into(), "Linux".into()));
    }
    v
}

/// The Kconfig of `arch` on the tree at `root`, parsed in the environment a plain
/// `make ARCH=arch` started from this process gives `conf` ([`ktree::kenv`]).
pub fn parse_kconfig(
    root: &Path,
    arch: &str,
    shell: ShellMode,
) -> ktree::Result<kconfig_parser::Model> {
    let env = ktree::kenv::conf_environment(root, arch, shell == ShellMode::Run)?;
    Ok(parse_tree(root, shell, &env.vars, &env.identity))
}

/// Everything answered for one arch.
pub struct ArchReport {
    /// The `ARCH=` spelling analysed.
    pub arch: String,
    /// Its SRCARCH.
    pub srcarch: String,
    /// Verdict per object path.
    pub verdicts: BTreeMap<String, Verdict>,
    /// Every module (`dir/foo.ko`) some Makefile of this arch can list, with every object
    /// listed in it under any condition (sorted). When only some objects were asked about and
    /// all are "yes", the modules of the directories on the way to them.
    pub module_members: BTreeMap<String, Vec<String>>,
    /// Counters.
    pub stats: Stats,
    /// Why this arch failed, rendered (`path:line:col: error[KPxxxx]: ...` with the line):
    /// error diagnostics of its Kconfig or Makefiles, or an internal error. When not empty,
    /// `verdicts` is empty: an answer computed from a model with errors could be a wrong
    /// "no", so none is given.
    pub errors: Vec<String>,
    /// Seconds spent: Kconfig parse, Kbuild graph, analysis.
    pub seconds: [f64; 3],
}

impl ArchReport {
    /// Whether this arch failed (see [`ArchReport::errors`]).
    pub fn failed(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Drops the text of every witness (`Witness::config` becomes empty), keeping its
    /// origin: for callers that print only how a yes was found, an arch's ~200 witness
    /// `.config`s of ~250 KB each need not stay in memory while the other arches run.
    pub fn forget_witness_texts(&mut self) {
        let empty = std::sync::Arc::new(String::new());
        for v in self.verdicts.values_mut() {
            if let Verdict::Yes { witness, .. } = v {
                witness.config = empty.clone();
            }
        }
    }

    /// A report of an arch that failed for `errors` (rendered diagnostics or messages).
    pub fn failure(
        arch: &str,
        srcarch: &str,
        errors: Vec<String>,
        seconds: [f64; 3],
    ) -> ArchReport {
        ArchReport {
            arch: arch.to_string(),
            srcarch: srcarch.to_string(),
            verdicts: BTreeMap::new(),
            module_members: BTreeMap::new(),
            stats: Stats::default(),
            errors,
            seconds,
        }
    }
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
///
/// Never panics: a Kconfig or Makefile error, or a bug of ours caught as a panic, gives a
/// report marked failed ([`ArchReport::failed`]) with the reason, so that callers analysing
/// several arches keep the others' answers.
pub fn analyze_with(
    root: &Path,
    arch: &str,
    srcarch: &str,
    only: Option<&[String]>,
    toolchain: Toolchain,
) -> ArchReport {
    isolated(arch, srcarch, || {
        analyze_arch(root, arch, srcarch, only, toolchain)
    })
}

/// Runs one arch's analysis, turning a panic into a failed report naming the arch.
fn isolated(arch: &str, srcarch: &str, run: impl FnOnce() -> ArchReport) -> ArchReport {
    let t0 = Instant::now();
    // Everything the analysis touches is created inside `run`, so no shared state is left
    // half-updated by an unwind.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
        Ok(report) => report,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            let error = format!(
                "kpossible: internal error analysing ARCH={arch}: {what} (a bug: please report it)\n"
            );
            let seconds = [t0.elapsed().as_secs_f64(), 0.0, 0.0];
            ArchReport::failure(arch, srcarch, vec![error], seconds)
        }
    }
}

/// The arch's Kbuild evaluated symbolically, as the analysis reads it (pinned variables as
/// the oracle pins them); its conditions live in `pool`, its spans in `sources`.
pub fn symbolic_kbuild(
    root: &Path,
    arch: &str,
    srcarch: &str,
    pool: &mut ExprPool,
    sources: &mut SourceMap,
) -> kbuild_graph::Graph {
    symbolic_kbuild_toward(root, arch, srcarch, &[], pool, sources)
}

/// [`symbolic_kbuild`] entering only the directories on the way to `toward` (see
/// [`kbuild_graph::evaluate_toward`]).
pub fn symbolic_kbuild_toward(
    root: &Path,
    arch: &str,
    srcarch: &str,
    toward: &[String],
    pool: &mut ExprPool,
    sources: &mut SourceMap,
) -> kbuild_graph::Graph {
    let opts = kbuild_graph::Options {
        srctree: root.to_path_buf(),
        arch: arch.to_string(),
        srcarch: srcarch.to_string(),
        config: kbuild_graph::ConfigMode::Symbolic,
        pins: pins(arch),
    };
    kbuild_graph::evaluate_toward(opts, toward, pool, sources)
}

/// The error diagnostics among `diagnostics`, rendered: they make an arch's answers
/// incomplete.
pub fn error_lines(diagnostics: &[kp_base::Diagnostic], sources: &SourceMap) -> Vec<String> {
    diagnostics
        .iter()
        .filter(|d| d.severity == kp_base::Severity::Error)
        .map(|d| d.render(sources))
        .collect()
}

fn analyze_arch(
    root: &Path,
    arch: &str,
    srcarch: &str,
    only: Option<&[String]>,
    toolchain: Toolchain,
) -> ArchReport {
    let t0 = Instant::now();
    let mut model = match parse_kconfig(root, arch, ShellMode::Run) {
        Ok(model) => model,
        Err(e) => return ArchReport::failure(arch, srcarch, vec![e.to_string()], [0.0; 3]),
    };
    let errors = error_lines(&model.diagnostics, &model.sources);
    let k = Kconfig::take_from(&mut model);
    let t1 = Instant::now();
    if let Some(only) = only {
        // Most questions about a few objects are answered by the directories on the way to
        // them, a small part of the walk. Only a "yes" of that walk stands (see
        // `kbuild_graph::evaluate_toward`); anything else is asked again of the whole walk.
        let focused = answer(
            root,
            arch,
            srcarch,
            &k,
            &directories_of(only),
            Some(only),
            toolchain,
            errors.clone(),
            [t0, t1],
        );
        if !focused.failed()
            && only
                .iter()
                .all(|o| matches!(focused.verdicts.get(o), Some(Verdict::Yes { .. })))
        {
            return focused;
        }
    }
    answer(
        root,
        arch,
        srcarch,
        &k,
        &[],
        only,
        toolchain,
        errors,
        [t0, t1],
    )
}

/// The directories `objects` (paths as `drivers/net/dummy.o`) are in, `.` for the root.
pub fn directories_of(objects: &[String]) -> Vec<String> {
    objects
        .iter()
        .map(|o| o.rsplit_once('/').map_or(".", |(dir, _)| dir).to_string())
        .collect()
}

/// The answers for `only` (or every object) with the Kbuild walk entering the directories
/// on the way to `toward` (every directory when empty), `errors` holding the Kconfig errors
/// so far.
#[allow(clippy::too_many_arguments)]
fn answer(
    root: &Path,
    arch: &str,
    srcarch: &str,
    k: &Kconfig,
    toward: &[String],
    only: Option<&[String]>,
    toolchain: Toolchain,
    mut errors: Vec<String>,
    [t0, t1]: [Instant; 2],
) -> ArchReport {
    let mut pool = ExprPool::new();
    let mut sources = SourceMap::new();
    let graph = symbolic_kbuild_toward(root, arch, srcarch, toward, &mut pool, &mut sources);
    errors.extend(error_lines(&graph.diagnostics, &sources));
    if !errors.is_empty() {
        let t2 = Instant::now();
        return ArchReport::failure(
            arch,
            srcarch,
            errors,
            [(t1 - t0).as_secs_f64(), (t2 - t1).as_secs_f64(), 0.0],
        );
    }
    let mut conditions = kbuild_graph::lists::all_conditions(&graph, &mut pool);
    let mut module_members: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (o, c) in &conditions {
        for m in c.occurrences.iter().filter_map(|oc| oc.module.as_ref()) {
            let ko = format!("{}.ko", m.strip_suffix(".o").unwrap_or(m));
            module_members.entry(ko).or_default().push(o.clone());
        }
    }
    for v in module_members.values_mut() {
        v.sort();
        v.dedup();
    }
    // A composite asked by its own name answers for itself; a whole-arch run answers so for
    // every composite name the Makefiles list as an object too, as `could-be-module` would.
    let asked: Vec<String> = match only {
        Some(only) => {
            conditions.retain(|o, _| only.contains(o));
            only.to_vec()
        }
        None => conditions.keys().cloned().collect(),
    };
    kbuild_graph::lists::add_composites(&graph, &mut pool, &mut conditions, &asked);
    let objects = from_kbuild(&conditions, &sources, root);
    let t2 = Instant::now();
    let mut analysis = Analysis::new(k);
    let mut verdicts = analysis.run(&pool, &objects);
    let mut stats = analysis.stats.clone();
    let any_no = verdicts.values().any(|v| matches!(v, Verdict::No { .. }));
    if toolchain == Toolchain::Any && any_no {
        // The same rules with every `$(shell,...)` left open: a "no" that needs this host's
        // probe results is not a "no" for every compiler.
        let mut open = match parse_kconfig(root, arch, ShellMode::Record) {
            Ok(model) => model,
            Err(e) => {
                let t2 = Instant::now();
                return ArchReport::failure(
                    arch,
                    srcarch,
                    vec![e.to_string()],
                    [(t1 - t0).as_secs_f64(), (t2 - t1).as_secs_f64(), 0.0],
                );
            }
        };
        let k_open = Kconfig::take_from(&mut open);
        let mut any = Analysis::new(&k_open);
        if let Some(seed) = analysis.seed_config() {
            any.search_from(seed);
        }
        for (obj, verdict) in verdicts.iter_mut() {
            let (Verdict::No { .. }, Some(c)) = (&*verdict, objects.get(obj)) else {
                continue;
            };
            // A refutation whose rules read no probe result is one with every compiler.
            if analysis
                .core_rules(c.module)
                .is_some_and(|rules| any.holds_refutation(k, rules))
            {
                continue;
            }
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
        // An object listed only in lib-y (`lib.a`, linked into vmlinux alone), or by no
        // Makefile of this arch at all.
        for o in only {
            if verdicts.contains_key(o) {
                continue;
            }
            let lib: Vec<crate::possibility::Reason> = graph
                .dirs
                .iter()
                .flat_map(|d| &d.lib)
                .filter(|e| e.object == *o)
                .map(|e| {
                    let (file, line) = e.span.map_or((String::new(), 0), |span| {
                        let path = sources.path(span.file);
                        let path = path.strip_prefix(root).unwrap_or(path);
                        (path.display().to_string(), sources.line_col(span).line)
                    });
                    crate::possibility::Reason {
                        file,
                        line,
                        text: "listed in lib-y only: archived into lib.a, which only vmlinux links (scripts/Makefile.build)".into(),
                    }
                })
                .collect();
            let reasons = if lib.is_empty() {
                vec![crate::possibility::Reason {
                    file: String::new(),
                    line: 0,
                    text: format!("no Makefile reachable on ARCH={arch} lists {o}"),
                }]
            } else {
                lib
            };
            verdicts.insert(o.clone(), Verdict::No { reasons });
        }
    }
    // A "no" under a directory whose make the walk could not follow entirely is not proven:
    // the lost words may list the object (a "yes" keeps its witness, which real tools check).
    let losses = kbuild_graph::lists::losses(&graph, &pool);
    if !losses.is_empty() {
        for (obj, verdict) in verdicts.iter_mut() {
            if !matches!(verdict, Verdict::No { .. }) {
                continue;
            }
            let Some(why) = lost_walk(&losses, obj, &sources, root) else {
                continue;
            };
            let by_makefile = objects
                .get(obj)
                .is_none_or(|c| pool.get(c.module) == kp_base::Expr::Const(kp_base::Tristate::No));
            if objects.contains_key(obj) {
                if by_makefile {
                    stats.no_by_makefile -= stats.no_by_makefile.min(1);
                } else {
                    stats.no_by_sat -= stats.no_by_sat.min(1);
                }
                stats.unknown += 1;
                stats.walk_lost += 1;
            }
            *verdict = Verdict::Unknown { why };
        }
    }
    ArchReport {
        arch: arch.to_string(),
        srcarch: srcarch.to_string(),
        verdicts,
        module_members,
        stats,
        errors,
        seconds: [
            (t1 - t0).as_secs_f64(),
            (t2 - t1).as_secs_f64(),
            t2.elapsed().as_secs_f64(),
        ],
    }
}

/// Why a "no" for `object` is not proven when the walk lost information in a directory
/// that may list it: the nearest such construct (deepest directory), with its Makefile line.
fn lost_walk(
    losses: &[kbuild_graph::lists::Loss],
    object: &str,
    sources: &SourceMap,
    root: &Path,
) -> Option<String> {
    let mut hits: Vec<&kbuild_graph::lists::Loss> =
        losses.iter().filter(|l| l.may_list(object)).collect();
    // The deepest directory first: the closest construct is the one a reader checks.
    hits.sort_by_key(|l| std::cmp::Reverse(l.dir.len()));
    let first = hits.first()?;
    let at = first.span.map_or_else(
        || format!("the make of `{}`", first.dir),
        |span| {
            let path = sources.path(span.file);
            let path = path.strip_prefix(root).unwrap_or(path);
            format!("{}:{}", path.display(), sources.line_col(span).line)
        },
    );
    let more = match hits.len() - 1 {
        0 => String::new(),
        1 => " (and 1 more such construct)".to_string(),
        n => format!(" (and {n} more such constructs)"),
    };
    Some(format!(
        "{at}: the Kbuild walk could not follow `{}`, so it may list this object{more}",
        first.construct
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_arch_is_reported_failed_with_the_message() {
        let report = isolated("sparc", "sparc", || panic!("boom at {}", 42));
        assert!(report.failed());
        assert!(report.verdicts.is_empty());
        assert_eq!(
            report.errors,
            [
                "kpossible: internal error analysing ARCH=sparc: boom at 42 (a bug: please report it)\n"
            ]
        );
        let ok = isolated("x86", "x86", || {
            ArchReport::failure("x86", "x86", Vec::new(), [0.0; 3])
        });
        assert!(!ok.failed());
    }
}
