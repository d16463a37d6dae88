//! The `MODULE_LICENSE` audit.
//!
//! `MODULE_LICENSE()` in code that is never a module still emits a `.modinfo` entry with
//! the file's name, so `modules.builtin` lists a "module" that cannot exist (`mm/zswap` in
//! 6.1). Maintainers removing those tags need the list of such sources, proof for each, and
//! which of them lack an `SPDX-License-Identifier` line (the license must then move there).
//! The reverse list is of modules that can be built but none of whose member sources carries
//! `MODULE_LICENSE` (modpost complains about those).
//!
//! The answers are those of the analysed arches only: with `--arch x86`, "never modular"
//! means "never on x86". Sources are mapped to objects by [`crate::sources`]; a `.c` file
//! that is `#include`d by another counts through the includer's object. What cannot be
//! mapped is listed, not guessed.
//!
//! A tag counts where its `#if` guards ([`crate::guards`]) can hold: in never-modular code
//! the object is compiled without `MODULE`, so a tag under `#ifdef MODULE` is never compiled,
//! and a guard over options is asked of the arch's possibility analysis together with the
//! object's built-in condition (is there a valid configuration building the object in with
//! the guard true?). A source none of whose tags can be compiled is `guarded-out`; one whose
//! guards we cannot evaluate is `undecided`, naming the guard.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;
use solver::arch::ArchReport;
use solver::possibility::{Reason, Verdict};

use kconfig_parser::ShellMode;
use kp_base::expr::ValueType;
use kp_base::{ExprPool, SourceMap, Tristate};
use solver::Kconfig;
use solver::arch::Toolchain;
use solver::possibility::{Analysis, from_kbuild};

use crate::guards::{ModeOnly, holds, to_expr};
use crate::sources::{ObjectSource, Reached, TreeSources, license_of, object_source};

/// A set of arches sharing the same reasons.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReasonGroup {
    /// The arches.
    pub arches: Vec<String>,
    /// Their reasons.
    pub reasons: Vec<Reason>,
}

/// A tagged source whose objects are never part of a module on any analysed arch.
#[derive(Clone, Debug, Serialize)]
pub struct NeverModular {
    /// The source file.
    pub source: String,
    /// The objects it is compiled into (its own, or those of the files including it).
    pub objects: Vec<String>,
    /// The modinfo macros it uses.
    pub tags: Vec<&'static str>,
    /// Whether it has an `SPDX-License-Identifier:` line.
    pub spdx: bool,
    /// Why, grouped by arches with identical reasons.
    pub reasons: Vec<ReasonGroup>,
}

/// A tagged source that no analysed arch answered "yes" for, but some answered "unknown".
#[derive(Clone, Debug, Serialize)]
pub struct Undecided {
    /// The source file.
    pub source: String,
    /// Its objects.
    pub objects: Vec<String>,
    /// Per arch, what stopped the answer.
    pub why: BTreeMap<String, String>,
}

/// A tagged source whose objects are never part of a module, none of whose tags is ever
/// compiled into them: each is under a guard that never holds where they are built in.
#[derive(Clone, Debug, Serialize)]
pub struct GuardedOut {
    /// The source file.
    pub source: String,
    /// Its objects.
    pub objects: Vec<String>,
    /// Each tag use: `file:line: TAG`, and why its guard never holds built in.
    pub uses: Vec<(String, Vec<String>)>,
}

/// A tagged source whose object no Makefile of the analysed arches lists.
#[derive(Clone, Debug, Serialize)]
pub struct NotBuilt {
    /// The source file.
    pub source: String,
    /// The modinfo macros it uses.
    pub tags: Vec<&'static str>,
    /// The files `#include`ing it (none listed either), if any.
    pub included_by: Vec<String>,
}

/// A module that can be built but none of whose member sources carries `MODULE_LICENSE`.
#[derive(Clone, Debug, Serialize)]
pub struct UnlicensedModule {
    /// `dir/foo.ko`.
    pub module: String,
    /// The arches where it can be built.
    pub arches: Vec<String>,
    /// Its member objects (every Makefile listing) with their sources.
    pub members: Vec<(String, ObjectSource)>,
}

/// Counts.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Counts {
    /// `.c` files carrying some modinfo tag.
    pub tagged_sources: usize,
    /// Of those, carrying `MODULE_LICENSE`.
    pub licensed_sources: usize,
    /// Tagged sources whose objects can be part of a module.
    pub possible: usize,
    /// See [`Audit::never_modular`].
    pub never_modular: usize,
    /// Never-modular sources carrying `MODULE_LICENSE`.
    pub never_modular_with_license: usize,
    /// Never-modular sources without an SPDX line.
    pub never_modular_without_spdx: usize,
    /// See [`Audit::guarded_out`].
    pub guarded_out: usize,
    /// See [`Audit::undecided`].
    pub undecided: usize,
    /// See [`Audit::not_built`].
    pub not_built: usize,
    /// Modules that can be built on some analysed arch.
    pub possible_modules: usize,
    /// See [`Audit::unlicensed_modules`].
    pub unlicensed_modules: usize,
    /// See [`Audit::unmapped_modules`].
    pub unmapped_modules: usize,
}

/// The audit.
#[derive(Clone, Debug, Serialize)]
pub struct Audit {
    /// The arches analysed.
    pub arches: Vec<String>,
    /// Counts.
    pub counts: Counts,
    /// Sorted by source path.
    pub never_modular: Vec<NeverModular>,
    /// Sorted by source path.
    pub guarded_out: Vec<GuardedOut>,
    /// Sorted by source path.
    pub undecided: Vec<Undecided>,
    /// Sorted by source path.
    pub not_built: Vec<NotBuilt>,
    /// Sorted by module path.
    pub unlicensed_modules: Vec<UnlicensedModule>,
    /// Modules without a licensed member source where some member's source is made by a
    /// custom Makefile rule (e.g. `aes-glue-ce.o` from `aes-glue.c`): not judged.
    pub unmapped_modules: Vec<UnlicensedModule>,
}

/// Every object whose code `source` ends up in: its own object when some arch lists it, and
/// those of the (transitive) includers.
fn objects_of(
    source: &str,
    sources: &TreeSources,
    listed: &BTreeSet<&str>,
    root: &Path,
) -> Vec<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![source.to_string()];
    let mut seen = BTreeSet::new();
    while let Some(s) = stack.pop() {
        if !seen.insert(s.clone()) {
            continue;
        }
        if let Some(stem) = s.strip_suffix(".c") {
            let o = format!("{stem}.o");
            if listed.contains(o.as_str()) && object_source(root, &o).path() == Some(s.as_str()) {
                out.insert(o);
            }
        }
        if let Some(by) = sources.included_by.get(&s) {
            stack.extend(by.iter().cloned());
        }
    }
    out.into_iter().collect()
}

/// The uses of tags written in `source`, as compiled into `object` (whose source file may
/// include `source`): their guards carry those of the `#include` lines on the way.
fn uses_in(source: &str, object: &str, sources: &TreeSources, root: &Path) -> Vec<Reached> {
    match object_source(root, object).path() {
        Some(p) => sources
            .reached(p)
            .into_iter()
            .filter(|r| r.file == source)
            .collect(),
        None => Vec::new(),
    }
}

/// Whether some tag use of a never-modular source is compiled into its objects.
enum BuiltIn {
    /// These tags' uses are compiled in some configuration of some analysed arch.
    Yes(Vec<&'static str>),
    /// No use ever is: per use, why.
    No(Vec<(String, Vec<String>)>),
    /// Not known: per arch, why.
    Unknown(BTreeMap<String, String>),
}

/// Decides, for the never-modular `source` compiled into `objects`, whether one of its tag
/// uses is compiled where those objects are built in. `guard_answers` holds, per arch, the
/// answers of the possibility analysis for the built-in condition of an object and a guard
/// over options (keyed by [`guard_key`]).
fn compiled_built_in(
    source: &str,
    objects: &[String],
    sources: &TreeSources,
    root: &Path,
    reports: &[ArchReport],
    guard_answers: &BTreeMap<String, BTreeMap<String, Verdict>>,
) -> BuiltIn {
    let mut unknown = BTreeMap::new();
    let mut never: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut present = BTreeSet::new();
    for o in objects {
        for u in uses_in(source, o, sources, root) {
            let at = format!("{}:{}: {}", u.file, u.line, u.tag);
            let why = match holds(&u.guard, &ModeOnly(false)) {
                Ok(true) => {
                    present.insert(u.tag);
                    continue;
                }
                Ok(false) if holds(&u.guard, &ModeOnly(true)) == Ok(false) => {
                    format!("{o}: `{}` never holds", u.guard.describe())
                }
                Ok(false) => format!(
                    "{o}: `{}` never holds without MODULE (built-in code)",
                    u.guard.describe()
                ),
                Err(_) => {
                    // A guard over options: asked of each arch listing the object.
                    let key = guard_key(o, &u);
                    let mut whys = Vec::new();
                    for r in reports.iter().filter(|r| r.verdicts.contains_key(o)) {
                        match guard_answers.get(&r.arch).and_then(|a| a.get(&key)) {
                            Some(Verdict::Yes { .. }) => {
                                present.insert(u.tag);
                            }
                            Some(Verdict::Unknown { why }) => {
                                unknown.insert(r.arch.clone(), format!("{at}: {why}"));
                            }
                            Some(Verdict::No { reasons }) => {
                                let rs: Vec<String> = reasons.iter().map(reason_line).collect();
                                whys.push(format!(
                                    "{}: {o} is never built in with `{}`: {}",
                                    r.arch,
                                    u.guard.describe(),
                                    rs.join("; ")
                                ));
                            }
                            None => {
                                unknown.insert(
                                    r.arch.clone(),
                                    format!("{at}: the guard was not analysed"),
                                );
                            }
                        }
                    }
                    if present.contains(u.tag) {
                        continue;
                    }
                    whys.join("; ")
                }
            };
            never.entry(at).or_default().push(why);
        }
    }
    if !present.is_empty() {
        return BuiltIn::Yes(present.into_iter().collect());
    }
    if !unknown.is_empty() {
        return BuiltIn::Unknown(unknown);
    }
    BuiltIn::No(never.into_iter().collect())
}

fn guard_key(object: &str, u: &Reached) -> String {
    format!("{object}\0{}:{}:{}", u.file, u.line, u.tag)
}

/// Per arch, the possibility answers for "the object built in with the guard true" of every
/// never-modular object's tag use whose guard reads options; `toolchain` as the sweep's (for
/// any toolchain, a "no" depending on this host's probes is not one).
fn guard_answers(
    root: &Path,
    reports: &[ArchReport],
    questions: &BTreeMap<String, Vec<(String, Reached)>>,
    toolchain: Toolchain,
) -> BTreeMap<String, BTreeMap<String, Verdict>> {
    let mut out = BTreeMap::new();
    for r in reports {
        let Some(qs) = questions.get(&r.arch) else {
            continue;
        };
        // An arch whose Kconfig cannot be read answers unknown for each of its questions.
        let failed = |why: String| -> BTreeMap<String, Verdict> {
            qs.iter()
                .map(|(o, u)| (guard_key(o, u), Verdict::Unknown { why: why.clone() }))
                .collect()
        };
        let mut model = match solver::arch::parse_kconfig(root, &r.arch, ShellMode::Run) {
            Ok(m) => m,
            Err(e) => {
                out.insert(r.arch.clone(), failed(e.to_string()));
                continue;
            }
        };
        let errors = solver::arch::error_lines(&model.diagnostics, &model.sources);
        if !errors.is_empty() {
            out.insert(r.arch.clone(), failed(errors.join("")));
            continue;
        }
        let k = Kconfig::take_from(&mut model);
        let mut pool = ExprPool::new();
        let mut smap = SourceMap::new();
        let graph = solver::arch::symbolic_kbuild(root, &r.arch, &r.srcarch, &mut pool, &mut smap);
        let all = kbuild_graph::lists::all_conditions(&graph, &mut pool);
        let types = |s: &str| {
            k.find(s)
                .filter(|n| k.is_defined(*n))
                .map(|n| k.symbol_type(n))
                .filter(|t| *t != ValueType::Unknown)
        };
        let mut goals = BTreeMap::new();
        let mut answers = BTreeMap::new();
        for (object, u) in qs {
            let key = guard_key(object, u);
            let Some(c) = all.get(object) else {
                continue;
            };
            match to_expr(&u.guard, false, &mut pool, &types) {
                Ok(g) => {
                    let goal = kbuild_graph::Conditions {
                        builtin: c.builtin,
                        module: pool.and(c.builtin, g),
                        occurrences: c.occurrences.clone(),
                    };
                    goals.insert(key, goal);
                }
                Err(why) => {
                    answers.insert(key, Verdict::Unknown { why });
                }
            }
        }
        let goals = from_kbuild(&goals, &smap, root);
        let mut analysis = Analysis::new(&k);
        let mut verdicts = analysis.run(&pool, &goals);
        // Goals false by the Makefiles and guards alone read no probe.
        let probed_no = |key: &String, v: &Verdict| {
            matches!(v, Verdict::No { .. })
                && goals
                    .get(key)
                    .is_some_and(|c| pool.get(c.module) != kp_base::Expr::Const(Tristate::No))
        };
        let any_no = verdicts.iter().any(|(key, v)| probed_no(key, v));
        if toolchain == Toolchain::Any && any_no {
            // As `solver::arch` does for its own goals: a "no" needing this host's probe
            // results is not one for every compiler.
            let mut open = match solver::arch::parse_kconfig(root, &r.arch, ShellMode::Record) {
                Ok(m) => m,
                Err(e) => {
                    out.insert(r.arch.clone(), failed(e.to_string()));
                    continue;
                }
            };
            let k_open = Kconfig::take_from(&mut open);
            let mut any = Analysis::new(&k_open);
            for (key, v) in verdicts.iter_mut() {
                let (true, Some(c)) = (probed_no(key, v), goals.get(key)) else {
                    continue;
                };
                if analysis
                    .core_rules(c.module)
                    .is_some_and(|rules| any.holds_refutation(&k, rules))
                {
                    continue;
                }
                if any.refutable(&pool, c) != Some(true) {
                    *v = Verdict::Unknown {
                        why: "never built in with the guard true with this host's toolchain, but the Kconfig rules allow it when the toolchain probes answer otherwise".into(),
                    };
                }
            }
        }
        // A "no" under a directory whose make the walk could not follow is not proven.
        let losses = kbuild_graph::lists::losses(&graph, &pool);
        for (key, v) in verdicts {
            let object = key.split('\0').next().unwrap_or_default();
            let v = match v {
                Verdict::No { .. } if losses.iter().any(|l| l.may_list(object)) => {
                    Verdict::Unknown {
                        why: format!(
                            "the Kbuild walk lost words of a directory that may list {object}"
                        ),
                    }
                }
                v => v,
            };
            answers.insert(key, v);
        }
        out.insert(r.arch.clone(), answers);
    }
    out
}

/// Runs the audit over the analysed arches' reports (analysed for `toolchain`).
pub fn audit(
    root: &Path,
    reports: &[ArchReport],
    sources: &TreeSources,
    toolchain: Toolchain,
) -> Audit {
    let listed: BTreeSet<&str> = reports
        .iter()
        .flat_map(|r| r.verdicts.keys().map(String::as_str))
        .collect();
    let mut counts = Counts::default();
    let mut never_modular = Vec::new();
    let mut guarded_out = Vec::new();
    let mut undecided = Vec::new();
    let mut not_built = Vec::new();
    // The never-modular candidates: every analysed arch answered no for every object.
    let mut candidates: Vec<(&String, Vec<String>)> = Vec::new();
    for (source, facts) in &sources.files {
        if facts.tags.is_empty() {
            continue;
        }
        counts.tagged_sources += 1;
        counts.licensed_sources += usize::from(facts.has_license());
        let objects = objects_of(source, sources, &listed, root);
        if objects.is_empty() {
            not_built.push(NotBuilt {
                source: source.clone(),
                tags: facts.tags.clone(),
                included_by: sources.included_by.get(source).cloned().unwrap_or_default(),
            });
            continue;
        }
        // Per arch: yes if any object is yes there; unknown if none yes and one unknown.
        let mut any_yes = false;
        let mut why_unknown = BTreeMap::new();
        for r in reports {
            for o in &objects {
                match r.verdicts.get(o) {
                    Some(Verdict::Yes { .. }) => any_yes = true,
                    Some(Verdict::Unknown { why }) => {
                        why_unknown.insert(r.arch.clone(), why.clone());
                    }
                    _ => {}
                }
            }
        }
        if any_yes {
            counts.possible += 1;
            continue;
        }
        if !why_unknown.is_empty() {
            undecided.push(Undecided {
                source: source.clone(),
                objects,
                why: why_unknown,
            });
            continue;
        }
        candidates.push((source, objects));
    }
    // Guards over options of the candidates' tag uses, asked per arch listing the object.
    let mut questions: BTreeMap<String, Vec<(String, Reached)>> = BTreeMap::new();
    for (source, objects) in &candidates {
        for o in objects {
            for u in uses_in(source, o, sources, root) {
                if holds(&u.guard, &ModeOnly(false)).is_ok() {
                    continue;
                }
                for r in reports.iter().filter(|r| r.verdicts.contains_key(o)) {
                    questions
                        .entry(r.arch.clone())
                        .or_default()
                        .push((o.clone(), u.clone()));
                }
            }
        }
    }
    let answers = guard_answers(root, reports, &questions, toolchain);
    for (source, objects) in candidates {
        let facts = &sources.files[source];
        let tags = match compiled_built_in(source, &objects, sources, root, reports, &answers) {
            BuiltIn::Yes(tags) => tags,
            BuiltIn::No(uses) => {
                guarded_out.push(GuardedOut {
                    source: source.clone(),
                    objects,
                    uses,
                });
                continue;
            }
            BuiltIn::Unknown(why) => {
                undecided.push(Undecided {
                    source: source.clone(),
                    objects,
                    why,
                });
                continue;
            }
        };
        let per_arch = never_reasons(reports, &objects);
        let mut groups: Vec<ReasonGroup> = Vec::new();
        for (arch, reasons) in per_arch {
            match groups.iter_mut().find(|g| g.reasons == reasons) {
                Some(g) => g.arches.push(arch),
                None => groups.push(ReasonGroup {
                    arches: vec![arch],
                    reasons,
                }),
            }
        }
        never_modular.push(NeverModular {
            source: source.clone(),
            objects,
            tags,
            spdx: facts.spdx,
            reasons: groups,
        });
    }
    counts.never_modular = never_modular.len();
    counts.guarded_out = guarded_out.len();
    counts.never_modular_with_license = never_modular
        .iter()
        .filter(|n| n.tags.contains(&"MODULE_LICENSE"))
        .count();
    counts.never_modular_without_spdx = never_modular.iter().filter(|n| !n.spdx).count();
    counts.undecided = undecided.len();
    counts.not_built = not_built.len();
    let (unlicensed_modules, unmapped_modules) =
        unlicensed_modules(root, reports, sources, &mut counts);
    Audit {
        arches: reports.iter().map(|r| r.arch.clone()).collect(),
        counts,
        never_modular,
        guarded_out,
        undecided,
        not_built,
        unlicensed_modules,
        unmapped_modules,
    }
}

/// Per arch, why none of `objects` (answered no everywhere) is ever part of a module.
fn never_reasons(reports: &[ArchReport], objects: &[String]) -> Vec<(String, Vec<Reason>)> {
    let mut per_arch = Vec::new();
    for r in reports {
        let mut reasons = Vec::new();
        for o in objects {
            match r.verdicts.get(o) {
                Some(Verdict::No { reasons: rs }) => {
                    if objects.len() > 1 {
                        reasons.push(Reason {
                            file: String::new(),
                            line: 0,
                            text: format!("{o}:"),
                        });
                    }
                    reasons.extend(rs.iter().cloned());
                }
                Some(_) => {}
                None => reasons.push(Reason {
                    file: String::new(),
                    line: 0,
                    text: format!("no Makefile reachable on this arch lists {o}"),
                }),
            }
        }
        per_arch.push((r.arch.clone(), reasons));
    }
    per_arch
}

/// Modules some arch can build (a member's witness puts it there) none of whose member
/// sources reaches a `MODULE_LICENSE` whose guard can hold with `MODULE` defined (Rust
/// members: a `license:` in their `module!`).
fn unlicensed_modules(
    root: &Path,
    reports: &[ArchReport],
    sources: &TreeSources,
    counts: &mut Counts,
) -> (Vec<UnlicensedModule>, Vec<UnlicensedModule>) {
    let mut possible: BTreeMap<&str, (Vec<String>, BTreeSet<&str>)> = BTreeMap::new();
    for r in reports {
        let mut here: BTreeSet<&str> = BTreeSet::new();
        for v in r.verdicts.values() {
            if let Verdict::Yes { modules, .. } = v {
                here.extend(modules.iter().map(String::as_str));
            }
        }
        for ko in here {
            let e = possible.entry(ko).or_default();
            e.0.push(r.arch.clone());
            if let Some(ms) = r.module_members.get(ko) {
                e.1.extend(ms.iter().map(String::as_str));
            }
        }
    }
    counts.possible_modules = possible.len();
    let mut out = Vec::new();
    let mut unmapped = Vec::new();
    for (ko, (arches, members)) in possible {
        let members: Vec<(String, ObjectSource)> = members
            .into_iter()
            .map(|m| (m.to_string(), object_source(root, m)))
            .collect();
        let licensed = members.iter().any(|(_, s)| match s.path() {
            Some(p) if p.ends_with(".rs") => {
                std::fs::read_to_string(root.join(p)).is_ok_and(|t| t.contains("license:"))
            }
            // A license under a guard over options is there in some configuration.
            Some(p) => license_of(&sources.reached(p), &ModeOnly(true)) != Ok(false),
            None => match s {
                ObjectSource::Generated { from } => sources
                    .shipped(from)
                    .is_some_and(|f| license_of(&f.reached(from), &ModeOnly(true)) != Ok(false)),
                _ => false,
            },
        });
        if licensed {
            continue;
        }
        let unreadable = members.iter().any(|(_, s)| match s {
            ObjectSource::Unmapped => true,
            ObjectSource::Generated { from } => !from.ends_with("_shipped"),
            ObjectSource::File { .. } => false,
        });
        let m = UnlicensedModule {
            module: ko.to_string(),
            arches,
            members,
        };
        if unreadable {
            unmapped.push(m);
        } else {
            out.push(m);
        }
    }
    counts.unlicensed_modules = out.len();
    counts.unmapped_modules = unmapped.len();
    (out, unmapped)
}

fn reason_line(r: &Reason) -> String {
    if r.line > 0 {
        format!("{}:{}: {}", r.file, r.line, r.text)
    } else {
        r.text.clone()
    }
}

impl Audit {
    /// The text form: a summary, then one tab-separated line per finding (category, path,
    /// details) with its reasons on indented lines below; sorted, so two runs diff cleanly.
    pub fn to_text(&self) -> String {
        let c = &self.counts;
        let mut t = format!(
            "# arches: {}\n# tagged sources {} (MODULE_LICENSE {}): possible {}, never-modular {} (with MODULE_LICENSE {}, without SPDX {}), guarded-out {}, undecided {}, not-built {}\n# possible modules {}, without MODULE_LICENSE {}, not judged (member made by a custom rule) {}\n",
            self.arches.join(" "),
            c.tagged_sources,
            c.licensed_sources,
            c.possible,
            c.never_modular,
            c.never_modular_with_license,
            c.never_modular_without_spdx,
            c.guarded_out,
            c.undecided,
            c.not_built,
            c.possible_modules,
            c.unlicensed_modules,
            c.unmapped_modules,
        );
        for n in &self.never_modular {
            t.push_str(&format!(
                "never-modular\t{}\t{}\t{}\t{}\n",
                n.source,
                n.objects.join(","),
                n.tags.join(","),
                if n.spdx { "spdx" } else { "no-spdx" }
            ));
            for g in &n.reasons {
                let arches = if g.arches.len() == self.arches.len() && self.arches.len() > 1 {
                    "all arches".to_string()
                } else {
                    g.arches.join(" ")
                };
                t.push_str(&format!("\t{arches}:\n"));
                for r in &g.reasons {
                    t.push_str(&format!("\t\t{}\n", reason_line(r)));
                }
            }
        }
        for g in &self.guarded_out {
            t.push_str(&format!(
                "guarded-out\t{}\t{}\n",
                g.source,
                g.objects.join(",")
            ));
            for (at, whys) in &g.uses {
                t.push_str(&format!("\t{at}\n"));
                for w in whys {
                    t.push_str(&format!("\t\t{w}\n"));
                }
            }
        }
        for u in &self.undecided {
            t.push_str(&format!(
                "undecided\t{}\t{}\n",
                u.source,
                u.objects.join(",")
            ));
            for (a, why) in &u.why {
                t.push_str(&format!("\t{a}: {why}\n"));
            }
        }
        for n in &self.not_built {
            t.push_str(&format!("not-built\t{}\t{}", n.source, n.tags.join(",")));
            if !n.included_by.is_empty() {
                t.push_str(&format!("\tincluded by {}", n.included_by.join(",")));
            }
            t.push('\n');
        }
        let judged = self
            .unlicensed_modules
            .iter()
            .map(|m| ("no-module-license", m));
        let unjudged = self.unmapped_modules.iter().map(|m| ("unmapped-module", m));
        for (category, m) in judged.chain(unjudged) {
            t.push_str(&format!(
                "{category}\t{}\t{}\n",
                m.module,
                m.arches.join(" ")
            ));
            for (o, s) in &m.members {
                let src = match s {
                    ObjectSource::File { path } => path.clone(),
                    ObjectSource::Generated { from } => format!("generated from {from}"),
                    ObjectSource::Unmapped => "no source file in the tree".to_string(),
                };
                t.push_str(&format!("\t{o}\t{src}\n"));
            }
        }
        t
    }
}
