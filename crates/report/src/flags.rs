//! The `-DPOSSIBLE_MODULE` make fragment.
//!
//! The fragment sets `possible-module-objs` to the objects that can be part of a module on
//! the arch being built (one `ifeq ($(SRCARCH),...)` block per analysed arch). The
//! `scripts/Makefile.lib` change kept in `contrib/possible-module/` includes it and adds
//! `-DPOSSIBLE_MODULE` to `c_flags` and `a_flags` when `$(basename $@).o` is in the list —
//! the same test `part-of-module` makes against `real-obj-m`, so `foo.o`, `foo.i`, `foo.s`
//! and `foo.lst` targets all get it.
//!
//! Objects whose answer is unknown are listed too, under their own comment: a guard
//! `#ifdef POSSIBLE_MODULE` around module-only code keeps that code when in doubt, which is
//! the safe side; `--unknown no` leaves them out.

use std::collections::{BTreeMap, BTreeSet};

use solver::arch::ArchReport;

/// How to treat objects whose answer is unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unknown {
    /// Give them the flag (the default: module-only code is kept when in doubt).
    AsPossible,
    /// Leave them out.
    AsNever,
}

/// Per SRCARCH: the objects that can be modules and those whose answer is unknown.
pub fn possible_objects(
    reports: &[ArchReport],
) -> BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> {
    let mut out: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    for r in reports {
        let e = out.entry(r.srcarch.clone()).or_default();
        for (o, v) in &r.verdicts {
            match v.word() {
                "yes" => {
                    e.1.remove(o);
                    e.0.insert(o.clone());
                }
                "unknown" if !e.0.contains(o) => {
                    e.1.insert(o.clone());
                }
                _ => {}
            }
        }
    }
    out
}

/// The fragment text. `header` names the tree it was computed for.
pub fn fragment(reports: &[ArchReport], header: &str, unknown: Unknown) -> String {
    let mut t = String::new();
    t.push_str(
        "# Objects that can be part of a loadable module, per SRCARCH: the scripts/Makefile.lib\n",
    );
    t.push_str("# change in kpossible's contrib/possible-module/ gives them -DPOSSIBLE_MODULE.\n");
    t.push_str(&format!(
        "# Written by `kpossible kbuild-flags` for {header}.\n"
    ));
    for (srcarch, (yes, unknowns)) in possible_objects(reports) {
        let total = reports
            .iter()
            .filter(|r| r.srcarch == srcarch)
            .map(|r| r.verdicts.len())
            .max()
            .unwrap_or(0);
        t.push_str(&format!("\nifeq ($(SRCARCH),{srcarch})\n"));
        t.push_str(&format!(
            "# {} of {total} objects can be modules; {} unknown{}.\n",
            yes.len(),
            unknowns.len(),
            match unknown {
                Unknown::AsPossible => " (flagged below, to keep module code when in doubt)",
                Unknown::AsNever => " (not flagged)",
            }
        ));
        t.push_str("possible-module-objs :=");
        for o in &yes {
            t.push_str(" \\\n\t");
            t.push_str(o);
        }
        t.push('\n');
        if unknown == Unknown::AsPossible && !unknowns.is_empty() {
            t.push_str(
                "# Unknown: see `kpossible could-be-module OBJ` for what stopped the answer.\n",
            );
            t.push_str("possible-module-objs +=");
            for o in &unknowns {
                t.push_str(" \\\n\t");
                t.push_str(o);
            }
            t.push('\n');
        }
        t.push_str("endif\n");
    }
    t
}
