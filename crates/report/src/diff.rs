//! Objects whose answer changed between two trees (or two versions of one).
//!
//! Compared per arch, on the arches both trees analysed: an object whose verdict differs on
//! some arch is a change, with each side's evidence (modules and witness origin for yes,
//! reasons for no, what stopped the answer for unknown). "absent" means no Makefile
//! reachable on that arch lists the object in that tree; objects absent from a whole tree
//! (added or removed files) are left out unless asked for.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use solver::arch::ArchReport;
use solver::possibility::{Reason, Verdict};

/// One side of a per-arch comparison.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Side {
    /// `yes`, `no`, `unknown` or `absent`.
    pub verdict: &'static str,
    /// For yes: the modules under the witness.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub modules: Vec<String>,
    /// For yes: how the witness was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witness: Option<&'static str>,
    /// For no: why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reason: Vec<Reason>,
    /// For unknown: what stopped the answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

impl Side {
    fn of(v: Option<&Verdict>) -> Side {
        let mut s = Side {
            verdict: v.map_or("absent", Verdict::word),
            modules: Vec::new(),
            witness: None,
            reason: Vec::new(),
            why: None,
        };
        match v {
            Some(Verdict::Yes { modules, witness }) => {
                s.modules = modules.clone();
                s.witness = Some(witness.origin);
            }
            Some(Verdict::No { reasons }) => s.reason = reasons.clone(),
            Some(Verdict::Unknown { why }) => s.why = Some(why.clone()),
            None => {}
        }
        s
    }

    fn describe(&self) -> Vec<String> {
        match self.verdict {
            "yes" => vec![format!(
                "yes, in {} (witness: {})",
                self.modules.join(", "),
                self.witness.unwrap_or("?")
            )],
            "unknown" => vec![format!("unknown: {}", self.why.as_deref().unwrap_or(""))],
            "absent" => vec!["absent: no Makefile reachable on this arch lists it".into()],
            _ => {
                let mut v = vec!["no".to_string()];
                v.extend(self.reason.iter().map(|r| {
                    if r.line > 0 {
                        format!("  {}:{}: {}", r.file, r.line, r.text)
                    } else {
                        format!("  {}", r.text)
                    }
                }));
                v
            }
        }
    }
}

/// The change on one arch.
#[derive(Clone, Debug, Serialize)]
pub struct ArchChange {
    /// The arch.
    pub arch: String,
    /// In the old tree.
    pub from: Side,
    /// In the new tree.
    pub to: Side,
}

/// One object whose answer changed.
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    /// The object.
    pub object: String,
    /// Overall word in the old tree (`absent` when no arch lists it).
    pub from: &'static str,
    /// Overall word in the new tree.
    pub to: &'static str,
    /// Per arch where the verdict differs.
    pub arches: Vec<ArchChange>,
}

/// The comparison.
#[derive(Clone, Debug, Serialize)]
pub struct Diff {
    /// Arches compared (analysed in both trees).
    pub arches: Vec<String>,
    /// Arches analysed in one tree only (not compared).
    pub unmatched_arches: Vec<String>,
    /// Objects listed on the compared arches of only the old tree (when not asked for).
    pub removed: usize,
    /// Objects listed on the compared arches of only the new tree (when not asked for).
    pub added: usize,
    /// Changes, sorted by object.
    pub changes: Vec<Change>,
}

/// Compares the reports of two trees.
pub fn diff(from: &[ArchReport], to: &[ArchReport], include_absent: bool) -> Diff {
    let from_by: BTreeMap<&str, &ArchReport> = from.iter().map(|r| (r.arch.as_str(), r)).collect();
    let to_by: BTreeMap<&str, &ArchReport> = to.iter().map(|r| (r.arch.as_str(), r)).collect();
    let arches: Vec<&str> = from_by
        .keys()
        .copied()
        .filter(|a| to_by.contains_key(a))
        .collect();
    let unmatched_arches: Vec<String> = from_by
        .keys()
        .chain(to_by.keys())
        .filter(|a| !arches.contains(a))
        .map(|a| a.to_string())
        .collect();
    let mut objects: BTreeSet<&str> = BTreeSet::new();
    let mut in_from: BTreeSet<&str> = BTreeSet::new();
    let mut in_to: BTreeSet<&str> = BTreeSet::new();
    for a in &arches {
        in_from.extend(from_by[a].verdicts.keys().map(String::as_str));
        in_to.extend(to_by[a].verdicts.keys().map(String::as_str));
    }
    objects.extend(in_from.iter());
    objects.extend(in_to.iter());
    let (mut added, mut removed) = (0, 0);
    let mut changes = Vec::new();
    for o in objects {
        let (f, t) = (in_from.contains(o), in_to.contains(o));
        if !(f && t) {
            if f {
                removed += 1;
            } else {
                added += 1;
            }
            if !include_absent {
                continue;
            }
        }
        let mut per = Vec::new();
        let (mut wf, mut wt) = (Vec::new(), Vec::new());
        for a in &arches {
            let vf = from_by[a].verdicts.get(o);
            let vt = to_by[a].verdicts.get(o);
            wf.extend(vf.map(Verdict::word));
            wt.extend(vt.map(Verdict::word));
            let (sf, st) = (Side::of(vf), Side::of(vt));
            if sf.verdict != st.verdict {
                per.push(ArchChange {
                    arch: a.to_string(),
                    from: sf,
                    to: st,
                });
            }
        }
        if per.is_empty() {
            continue;
        }
        let word = |w: Vec<&'static str>| {
            if w.is_empty() {
                "absent"
            } else {
                crate::sweep::overall(w)
            }
        };
        changes.push(Change {
            object: o.to_string(),
            from: word(wf),
            to: word(wt),
            arches: per,
        });
    }
    Diff {
        arches: arches.iter().map(|a| a.to_string()).collect(),
        unmatched_arches,
        removed: if include_absent { 0 } else { removed },
        added: if include_absent { 0 } else { added },
        changes,
    }
}

impl Diff {
    /// The text form: `object<TAB>old -> new` per change, then per arch the two sides.
    pub fn to_text(&self) -> String {
        let mut t = String::new();
        for c in &self.changes {
            t.push_str(&format!("{}\t{} -> {}\n", c.object, c.from, c.to));
            for a in &c.arches {
                t.push_str(&format!(
                    "\t{}: {} -> {}\n",
                    a.arch, a.from.verdict, a.to.verdict
                ));
                for (label, side) in [("was", &a.from), ("now", &a.to)] {
                    let lines = side.describe();
                    t.push_str(&format!("\t\t{label}: {}\n", lines[0]));
                    for l in &lines[1..] {
                        t.push_str(&format!("\t\t     {l}\n"));
                    }
                }
            }
        }
        t
    }
}
