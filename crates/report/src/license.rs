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

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;
use solver::arch::ArchReport;
use solver::possibility::{Reason, Verdict};

use crate::sources::{ObjectSource, TreeSources, object_source};

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

/// Runs the audit over the analysed arches' reports.
pub fn audit(root: &Path, reports: &[ArchReport], sources: &TreeSources) -> Audit {
    let listed: BTreeSet<&str> = reports
        .iter()
        .flat_map(|r| r.verdicts.keys().map(String::as_str))
        .collect();
    let mut counts = Counts::default();
    let mut never_modular = Vec::new();
    let mut undecided = Vec::new();
    let mut not_built = Vec::new();
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
        let mut per_arch: Vec<(String, Vec<Reason>)> = Vec::new();
        for r in reports {
            let mut reasons = Vec::new();
            for o in &objects {
                match r.verdicts.get(o) {
                    Some(Verdict::Yes { .. }) => any_yes = true,
                    Some(Verdict::Unknown { why }) => {
                        why_unknown.insert(r.arch.clone(), why.clone());
                    }
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
                    None => reasons.push(Reason {
                        file: String::new(),
                        line: 0,
                        text: format!("no Makefile reachable on this arch lists {o}"),
                    }),
                }
            }
            per_arch.push((r.arch.clone(), reasons));
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
            tags: facts.tags.clone(),
            spdx: facts.spdx,
            reasons: groups,
        });
    }
    counts.never_modular = never_modular.len();
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
        undecided,
        not_built,
        unlicensed_modules,
        unmapped_modules,
    }
}

/// Modules some arch can build (a member's witness puts it there) none of whose member
/// sources reaches `MODULE_LICENSE` (Rust members: a `license:` in their `module!`).
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
            Some(p) => sources.license_reaches(p),
            None => match s {
                ObjectSource::Generated { from } => {
                    sources.shipped(from).is_some_and(|f| f.has_license())
                }
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
            "# arches: {}\n# tagged sources {} (MODULE_LICENSE {}): possible {}, never-modular {} (with MODULE_LICENSE {}, without SPDX {}), undecided {}, not-built {}\n# possible modules {}, without MODULE_LICENSE {}, not judged (member made by a custom rule) {}\n",
            self.arches.join(" "),
            c.tagged_sources,
            c.licensed_sources,
            c.possible,
            c.never_modular,
            c.never_modular_with_license,
            c.never_modular_without_spdx,
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
