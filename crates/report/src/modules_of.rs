//! Every module an object can end up in, and whether it can be built in.
//!
//! An object listed in several modules (a helper linked into two drivers' composites) has
//! one module condition per module; each is its own question ("can this object be in
//! `foo.ko`?") asked of the possibility analysis, as is "can it be built in?". A tool that
//! resolves a `static` symbol of the object then knows every `.ko` to look in, and that the
//! answers are proofs (a witness configuration or the lines that forbid it), not guesses.

use std::collections::BTreeMap;
use std::path::Path;

use kconfig_parser::ShellMode;
use kp_base::{ExprPool, SourceMap};
use serde::Serialize;
use solver::Kconfig;
use solver::possibility::{Analysis, Reason, Verdict, from_kbuild};

use crate::sources::{ObjectSource, object_source};

/// One place the object can end up: a module, or vmlinux.
#[derive(Clone, Debug, Serialize)]
pub struct Placement {
    /// The module's name (`KBUILD_MODNAME`: the `.ko` base name with `-` as `_`); `None` for
    /// built-in.
    pub name: Option<String>,
    /// The module file (`drivers/net/dummy.ko`); `None` for built-in.
    pub ko: Option<String>,
    /// `yes`, `no` or `unknown`.
    pub verdict: &'static str,
    /// The condition over config symbols, as kbuild-graph derives it.
    pub condition: String,
    /// The Makefile lines listing the object there (`file:line`).
    pub lines: Vec<String>,
    /// For yes: how the witness configuration was found (`allmodconfig` or `sat`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witness: Option<&'static str>,
    /// For no: why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reason: Vec<Reason>,
    /// For unknown: what stopped the decision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// The answers on one arch.
#[derive(Clone, Debug, Serialize)]
pub struct ArchPlacements {
    /// The `ARCH=` spelling.
    pub arch: String,
    /// Whether any Makefile reachable on this arch lists the object.
    pub listed: bool,
    /// One entry per module that some Makefile line can put it in, sorted by `.ko` path.
    pub modules: Vec<Placement>,
    /// Built into vmlinux.
    pub builtin: Option<Placement>,
}

/// The answer of `modules-of`.
#[derive(Clone, Debug, Serialize)]
pub struct ModulesOf {
    /// The object asked about.
    pub object: String,
    /// What the name asked stood for, when the caller resolved one
    /// ([`crate::names::resolve`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<crate::names::Resolved>,
    /// Its source.
    pub source: ObjectSource,
    /// `yes` if some module placement is yes on some arch, `unknown` if none is yes and one is
    /// unknown, else `no`.
    pub verdict: &'static str,
    /// Per arch, in the order asked.
    pub arches: Vec<ArchPlacements>,
    /// Kconfig or Makefile errors that make some answers incomplete, rendered.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

/// `dir/foo-bar.o` → (`foo_bar`, `dir/foo-bar.ko`).
pub fn module_names(module_object: &str) -> (String, String) {
    let stem = module_object.strip_suffix(".o").unwrap_or(module_object);
    let base = stem.rsplit('/').next().unwrap_or(stem);
    (base.replace('-', "_"), format!("{stem}.ko"))
}

/// The placements of `object` on one arch of the tree at `root`; returns them and the
/// errors met (rendered diagnostics).
pub fn one_arch(
    root: &Path,
    arch: &str,
    srcarch: &str,
    object: &str,
) -> (ArchPlacements, Vec<String>) {
    let (mut placements, errors) = objects_on_arch(root, arch, srcarch, &[object.to_string()]);
    (placements.remove(0), errors)
}

/// The placements of each of `objects` on one arch, in the order given, from one parse and
/// one analysis of the arch (every (object, module) question asked together); returns them
/// and the errors met (rendered diagnostics).
pub fn objects_on_arch(
    root: &Path,
    arch: &str,
    srcarch: &str,
    objects: &[String],
) -> (Vec<ArchPlacements>, Vec<String>) {
    let mut model = match solver::arch::parse_kconfig(root, arch, ShellMode::Run) {
        Ok(model) => model,
        Err(e) => return (Vec::new(), vec![e.to_string()]),
    };
    let mut errors = solver::arch::error_lines(&model.diagnostics, &model.sources);
    let k = Kconfig::take_from(&mut model);
    let mut pool = ExprPool::new();
    let mut sources = SourceMap::new();
    let graph = solver::arch::symbolic_kbuild(root, arch, srcarch, &mut pool, &mut sources);
    errors.extend(solver::arch::error_lines(&graph.diagnostics, &sources));
    let mut all = kbuild_graph::lists::all_conditions(&graph, &mut pool);
    // A composite asked by its own name answers for itself.
    kbuild_graph::lists::add_composites(&graph, &mut pool, &mut all, objects);
    // One goal per module each object is listed in, and one for built-in, keyed
    // `object NUL module-object`; within an object, keys sort the modules by their object
    // path and "~builtin" last.
    let no = pool.no();
    let empty = kbuild_graph::Conditions {
        builtin: no,
        module: no,
        occurrences: Vec::new(),
    };
    let mut goals: BTreeMap<String, kbuild_graph::Conditions> = BTreeMap::new();
    for object in objects {
        let Some(c) = all.get(object) else {
            continue;
        };
        for o in &c.occurrences {
            let module = match (&o.module, o.in_module) {
                (Some(m), true) => m.as_str(),
                _ => BUILTIN,
            };
            let g = goals
                .entry(format!("{object}\0{module}"))
                .or_insert_with(|| empty.clone());
            g.module = pool.or(g.module, o.condition);
            g.occurrences.push(o.clone());
        }
        goals
            .entry(format!("{object}\0{BUILTIN}"))
            .or_insert_with(|| empty.clone());
    }
    let goals = from_kbuild(&goals, &sources, root);
    let mut analysis = Analysis::new(&k);
    let verdicts = analysis.run(&pool, &goals);
    let mut placements: BTreeMap<&str, ArchPlacements> = BTreeMap::new();
    for (key, g) in &goals {
        let (object, module) = key.split_once('\0').unwrap_or((key.as_str(), BUILTIN));
        let lines: Vec<String> = g
            .listings
            .iter()
            .filter_map(|l| l.location.as_ref())
            .map(|l| format!("{}:{}", l.file, l.line))
            .collect();
        let v = &verdicts[key.as_str()];
        let is_builtin = module == BUILTIN;
        let mut p = Placement {
            name: None,
            ko: None,
            verdict: v.word(),
            condition: pool.display(g.module),
            lines,
            witness: None,
            reason: Vec::new(),
            why: None,
        };
        match v {
            Verdict::Yes { witness, .. } => p.witness = Some(witness.origin),
            Verdict::No { reasons } => {
                p.reason = if is_builtin {
                    builtin_reasons(g, reasons)
                } else {
                    reasons.clone()
                }
            }
            Verdict::Unknown { why } => p.why = Some(why.clone()),
        }
        let a = placements.entry(object).or_insert_with(|| ArchPlacements {
            arch: arch.to_string(),
            listed: true,
            modules: Vec::new(),
            builtin: None,
        });
        if is_builtin {
            a.builtin = Some(p);
        } else {
            let (name, ko) = module_names(module);
            p.name = Some(name);
            p.ko = Some(ko);
            a.modules.push(p);
        }
    }
    let out = objects
        .iter()
        .map(|o| {
            placements
                .remove(o.as_str())
                .unwrap_or_else(|| ArchPlacements {
                    arch: arch.to_string(),
                    listed: false,
                    modules: Vec::new(),
                    builtin: None,
                })
        })
        .collect();
    (out, errors)
}

/// The goal key of the built-in placement: sorts after every module object path.
const BUILTIN: &str = "~builtin";

/// The analysis words "no" for goals that are modules; for the built-in goal, say it in
/// built-in words: the obj-y lines and their conditions, then the Kconfig reasons.
fn builtin_reasons(g: &solver::possibility::ObjectConditions, reasons: &[Reason]) -> Vec<Reason> {
    if g.listings.is_empty() {
        return vec![Reason {
            file: String::new(),
            line: 0,
            text: "never listed in obj-y or a built-in composite: only in modules".into(),
        }];
    }
    let mut out: Vec<Reason> = g
        .listings
        .iter()
        .filter_map(|l| l.location.as_ref())
        .map(|l| Reason {
            file: l.file.clone(),
            line: l.line,
            text: "listed built-in under a condition no valid configuration meets".into(),
        })
        .collect();
    out.extend(
        reasons
            .iter()
            .filter(|r| !r.text.starts_with("listed built-in only"))
            .cloned(),
    );
    out
}

/// Every placement of `object` on every arch of `list` (`(ARCH, SRCARCH)` pairs), `jobs`
/// arches at a time; `progress` is called as each arch finishes.
pub fn modules_of(
    root: &Path,
    object: &str,
    list: &[(String, String)],
    jobs: usize,
    progress: &(dyn Fn(usize, usize, &str) + Sync),
) -> ModulesOf {
    let mut all = modules_of_objects(root, &[object.to_string()], list, jobs, progress);
    // One answer per object asked.
    all.remove(0)
}

/// [`modules_of`] for several objects at once, one answer per object in the order given:
/// each arch is parsed and analysed once for all of them (a tool mapping many symbols'
/// objects to modules asks in one run instead of one run per object).
pub fn modules_of_objects(
    root: &Path,
    objects: &[String],
    list: &[(String, String)],
    jobs: usize,
    progress: &(dyn Fn(usize, usize, &str) + Sync),
) -> Vec<ModulesOf> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    // One slot per arch of `list`: the placement of each object there and the errors, once
    // a worker is done with it.
    type Slot = Mutex<Option<(Vec<ArchPlacements>, Vec<String>)>>;
    let slots: Vec<Slot> = list.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1).min(list.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some((arch, srcarch)) = list.get(i) else {
                        break;
                    };
                    let r = objects_on_arch(root, arch, srcarch, objects);
                    progress(done.fetch_add(1, Ordering::SeqCst) + 1, list.len(), arch);
                    if let Ok(mut s) = slots[i].lock() {
                        *s = Some(r);
                    }
                }
            });
        }
    });
    let mut per_object: Vec<Vec<ArchPlacements>> = objects.iter().map(|_| Vec::new()).collect();
    let mut errors = Vec::new();
    for s in slots {
        if let Some((placements, e)) = s.into_inner().ok().flatten() {
            for (slot, p) in per_object.iter_mut().zip(placements) {
                slot.push(p);
            }
            errors.extend(e);
        }
    }
    objects
        .iter()
        .zip(per_object)
        .map(|(object, arches)| {
            let verdict = crate::sweep::overall(
                arches
                    .iter()
                    .flat_map(|a| a.modules.iter().map(|m| m.verdict)),
            );
            ModulesOf {
                object: object.clone(),
                name: None,
                source: object_source(root, object),
                verdict,
                arches,
                // The arches' errors concern every object's answers.
                errors: errors.clone(),
            }
        })
        .collect()
}

impl ModulesOf {
    /// Every module that is "yes" on some arch: `.ko` path → (name, arches where yes).
    pub fn possible_modules(&self) -> BTreeMap<&str, (&str, Vec<&str>)> {
        let mut out: BTreeMap<&str, (&str, Vec<&str>)> = BTreeMap::new();
        for a in &self.arches {
            for m in a.modules.iter().filter(|m| m.verdict == "yes") {
                if let (Some(ko), Some(name)) = (&m.ko, &m.name) {
                    out.entry(ko).or_insert((name, Vec::new())).1.push(&a.arch);
                }
            }
        }
        out
    }

    /// The text form: a summary of the possible modules, then every placement per arch.
    pub fn to_text(&self) -> String {
        let mut t = format!("{}: {}", self.object, self.verdict);
        match &self.source {
            ObjectSource::File { path } => t.push_str(&format!(" (source {path})\n")),
            ObjectSource::Generated { from } => {
                t.push_str(&format!(" (source generated from {from})\n"))
            }
            // A composite is linked from its members (listed below), not compiled.
            ObjectSource::Unmapped if self.name.as_ref().is_some_and(|n| !n.members.is_empty()) => {
                t.push_str(" (composite)\n")
            }
            ObjectSource::Unmapped => t.push_str(" (no source file in the tree)\n"),
        }
        if let Some(n) = &self.name {
            t.push_str(&n.to_text());
        }
        for (ko, (name, arches)) in self.possible_modules() {
            t.push_str(&format!("  module {name} {ko}: {}\n", arches.join(" ")));
        }
        let builtin: Vec<&str> = self
            .arches
            .iter()
            .filter(|a| a.builtin.as_ref().is_some_and(|b| b.verdict == "yes"))
            .map(|a| a.arch.as_str())
            .collect();
        if !builtin.is_empty() {
            t.push_str(&format!("  built-in: {}\n", builtin.join(" ")));
        }
        for a in &self.arches {
            if !a.listed {
                t.push_str(&format!(
                    "  {}: not listed in any Makefile reachable on this arch\n",
                    a.arch
                ));
                continue;
            }
            t.push_str(&format!("  {}:\n", a.arch));
            for p in a.modules.iter().chain(a.builtin.iter()) {
                let what = match (&p.name, &p.ko) {
                    (Some(n), Some(ko)) => format!("module {n} ({ko})"),
                    _ => "built-in".to_string(),
                };
                let how = match (p.verdict, p.witness, &p.why) {
                    ("yes", Some(w), _) => format!("yes (witness: {w})"),
                    ("unknown", _, Some(why)) => format!("unknown: {why}"),
                    (v, _, _) => v.to_string(),
                };
                t.push_str(&format!("    {what}: {how}\n      when {}\n", p.condition));
                for l in &p.lines {
                    t.push_str(&format!("      listed at {l}\n"));
                }
                for r in &p.reason {
                    if r.line > 0 {
                        t.push_str(&format!("      {}:{}: {}\n", r.file, r.line, r.text));
                    } else {
                        t.push_str(&format!("      {}\n", r.text));
                    }
                }
            }
        }
        t
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn module_names_follow_kbuild_name_fix() {
        assert_eq!(
            super::module_names("drivers/net/foo-bar.o"),
            ("foo_bar".to_string(), "drivers/net/foo-bar.ko".to_string())
        );
    }
}
