//! A "yes" without running a single toolchain probe.
//!
//! An arch's Kconfig runs about a hundred compiler, assembler and linker probes; run one after
//! another they are most of a cold `could-be-module`. Most objects, though, are modules in
//! allmodconfig through symbols no probe can reach: their value is the same whatever the
//! probes answer. For those, allmodconfig computed with every probe left open (a record-mode
//! parse) places the object exactly where the kernel's own allmodconfig with this host's
//! tools, or any other, places it.
//!
//! Which symbols a probe can reach: a symbol is *toolchain-dependent* when one of the rules
//! `sym_calc_value()` reads for it (`scripts/kconfig/symbol.c`: direct and reverse
//! dependencies, `imply`, prompt visibility, defaults, ranges, its choice, and `modules` for
//! the meaning of `m`) holds a probe result or a toolchain-dependent symbol. That is a
//! fixpoint over the rules, an over-approximation: a symbol outside it cannot change value.

use std::collections::BTreeMap;
use std::path::Path;

use kconfig_parser::{Dialect, FsLoader, Options, ShellMode};
use kp_base::{Expr, ExprId, ExprPool, NameId, Operand, Severity, SourceMap};

use crate::dotconfig::{Target, run_target};
use crate::kconfig::{Kconfig, Reads, SymbolKind};

/// For each object of `objects` (paths as `drivers/net/dummy.o`) that allmodconfig puts in a
/// module on `arch` whatever the toolchain probes answer: the modules it is in
/// (`drivers/net/dummy.ko`). `None` when that does not hold for every one of them (then
/// nothing is claimed: ask [`crate::arch::analyze_with`]), or when the Kconfig or a Makefile
/// on the way has an error.
///
/// The Kbuild walk reads only the directories on the way to the objects
/// ([`kbuild_graph::evaluate_toward`]), so a module that lists an object from elsewhere
/// (`../`) is not among its modules here.
pub fn allmodconfig_modules(
    root: &Path,
    arch: &str,
    srcarch: &str,
    objects: &[String],
) -> Option<BTreeMap<String, Vec<String>>> {
    allmodconfig_modules_each(root, arch, srcarch, objects)?
        .into_iter()
        .map(|(o, modules)| Some((o, modules?)))
        .collect()
}

/// [`allmodconfig_modules`] per object: `None` for an object it cannot place in a module
/// without the probes (or at all), the whole result `None` on an error.
pub fn allmodconfig_modules_each(
    root: &Path,
    arch: &str,
    srcarch: &str,
    objects: &[String],
) -> Option<BTreeMap<String, Option<Vec<String>>>> {
    // The host's environment (its `CC_VERSION_TEXT` too), every `$(shell,...)` left open.
    let env = ktree::kenv::conf_environment(root, arch, true).ok()?;
    let options = Options {
        env: env.vars,
        ..Options::new(Dialect::detect(root), ShellMode::Record)
    };
    let mut model = kconfig_parser::parse("Kconfig", &FsLoader::new(root), &options);
    // A warning may be a probe result used where no rule can hold it (a symbol name, a
    // file name): its effect is not a rule below, so nothing is claimed.
    if !model.diagnostics.is_empty() {
        return None;
    }
    let k = Kconfig::take_from(&mut model);
    let (allmod, _) = run_target(&k, Target::AllModConfig, None);
    let values = kbuild_graph::read_config(&allmod);
    let dependent = allmodconfig_dependent(&k, &values);

    let toward = crate::arch::directories_of(objects);
    let mut pool = ExprPool::new();
    let mut sources = SourceMap::new();
    let graph =
        crate::arch::symbolic_kbuild_toward(root, arch, srcarch, &toward, &mut pool, &mut sources);
    if graph
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error)
    {
        return None;
    }
    let mut conditions = kbuild_graph::lists::all_conditions(&graph, &mut pool);
    kbuild_graph::lists::add_composites(&graph, &mut pool, &mut conditions, objects);
    let valuation = kbuild_graph::config::ConfigValuation::new(&pool, &values);
    let place = |o: &String| -> Option<Vec<String>> {
        let c = conditions.get(o)?;
        let exprs = std::iter::once(c.module).chain(c.occurrences.iter().map(|oc| oc.condition));
        for e in exprs {
            if reads_toolchain(&pool, e, &k, &dependent) {
                return None;
            }
        }
        if pool.eval(c.module, &valuation) == kp_base::Tristate::No {
            return None;
        }
        let mut modules: Vec<String> = c
            .occurrences
            .iter()
            .filter(|oc| {
                oc.in_module && pool.eval(oc.condition, &valuation) != kp_base::Tristate::No
            })
            .filter_map(|oc| oc.module.as_ref())
            .map(|m| format!("{}.ko", m.trim_end_matches(".o")))
            .collect();
        modules.sort();
        modules.dedup();
        Some(modules)
    };
    Some(objects.iter().map(|o| (o.clone(), place(o))).collect())
}

/// Whether Kbuild condition `e` (kbuild-graph's pool, symbols by name) holds an opaque fact
/// or names a toolchain-dependent symbol.
fn reads_toolchain(pool: &ExprPool, e: ExprId, k: &Kconfig, dependent: &[bool]) -> bool {
    let symbol = |n: NameId| {
        k.find(pool.name_text(n))
            .is_some_and(|s| dependent[s.0 as usize])
    };
    match pool.get(e) {
        Expr::Const(_) => false,
        Expr::Unknown(_) => true,
        Expr::Symbol(n) => symbol(n),
        Expr::Cmp(_, a, b) => [a, b]
            .into_iter()
            .any(|o| matches!(o, Operand::Symbol(n) if symbol(n))),
        Expr::Not(a) => reads_toolchain(pool, a, k, dependent),
        Expr::And(a, b) | Expr::Or(a, b) => {
            reads_toolchain(pool, a, k, dependent) || reads_toolchain(pool, b, k, dependent)
        }
    }
}

/// Per symbol of `k` (a record-mode parse): whether a toolchain probe can change its value
/// (see the module comment).
pub fn toolchain_dependent(k: &Kconfig) -> Vec<bool> {
    let reads = Reads::new(k);
    reads.closure(&vec![false; k.symbol_count()])
}

/// [`toolchain_dependent`], sharpened by what allmodconfig (`values`, the `.config` our
/// evaluation writes for `k`, as [`kbuild_graph::read_config`] reads it) shows: a bool or
/// tristate symbol that is `y` while its `select`s give `n` is `y` from its own rules
/// (`sym_calc_value`: the value is the user or default value, raised by `rev_dep`, `m`
/// made `y` for a bool); when those rules read nothing a probe reaches, it is `y` with every
/// toolchain, whatever a probe does to the symbols selecting it (arm's `NETDEVICES`, selected
/// by drivers that rest on a probe through `PCI`).
pub fn allmodconfig_dependent(
    k: &Kconfig,
    values: &std::collections::HashMap<String, String>,
) -> Vec<bool> {
    let reads = Reads::new(k);
    let valuation = kbuild_graph::config::ConfigValuation::new(&k.exprs, values);
    let n = k.symbol_count();
    // Candidates: y, not a choice or in one, selected by nothing that gives m or y here, and
    // no probe result in the selects themselves.
    let candidate: Vec<bool> = (0..n)
        .map(|i| {
            let r = k.symbol(NameId(i as u32));
            let name = k.name(NameId(i as u32));
            matches!(
                r.ty,
                crate::kconfig::ValueType::Bool | crate::kconfig::ValueType::Tristate
            ) && matches!(r.kind, SymbolKind::Normal)
                && r.member_of.is_none()
                && !reads.rev_opaque[i]
                && values.get(&format!("CONFIG_{name}")).map(String::as_str) == Some("y")
                && r.rev_dep
                    .is_none_or(|e| k.exprs.eval(e, &valuation) == kp_base::Tristate::No)
        })
        .collect();
    let mut own = vec![false; n];
    loop {
        let dependent = reads.closure(&own);
        let mut more = false;
        for i in 0..n {
            if dependent[i]
                && candidate[i]
                && !own[i]
                && !reads.own_opaque[i]
                && reads.own[i].iter().all(|s| !dependent[s.0 as usize])
            {
                own[i] = true;
                more = true;
            }
        }
        if !more {
            return dependent;
        }
    }
}

impl Reads {
    /// The symbols a probe reaches, the `select`s of those in `own_value` left out.
    fn closure(&self, own_value: &[bool]) -> Vec<bool> {
        let n = self.own.len();
        let mut readers: Vec<Vec<usize>> = vec![Vec::new(); n];
        for i in 0..n {
            let rev: &[NameId] = if own_value[i] { &[] } else { &self.rev[i] };
            for s in self.own[i].iter().chain(rev) {
                if let Some(v) = readers.get_mut(s.0 as usize) {
                    v.push(i);
                }
            }
        }
        let mut dependent: Vec<bool> = (0..n)
            .map(|i| self.own_opaque[i] || (!own_value[i] && self.rev_opaque[i]))
            .collect();
        let mut stack: Vec<usize> = (0..n).filter(|&i| dependent[i]).collect();
        while let Some(s) = stack.pop() {
            for &r in &readers[s] {
                if !dependent[r] {
                    dependent[r] = true;
                    stack.push(r);
                }
            }
        }
        dependent
    }
}
