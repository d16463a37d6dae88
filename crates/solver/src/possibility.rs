//! Can an object be part of a module on one arch? Yes with a witness, no with a reason,
//! unknown with the construct that stopped us.
//!
//! The inputs are the arch's [`Kconfig`] and, from kbuild-graph, each object's condition for
//! being linked into a module (over `CONFIG_` symbols, in the graph's own expression pool).
//! The method, per arch:
//!
//! 1. Objects whose module condition is `n` in the graph itself are "no": no Makefile line
//!    can put them in a module (the reason lists the lines that list them as built-in).
//! 2. Seed witnesses: `allmodconfig`, computed by our own Kconfig evaluation, answers most
//!    objects at once.
//! 3. Every other object is one SAT query on the arch's CNF plus its module condition.
//!    UNSAT is a proof that no valid configuration puts it in a module; the reason comes from
//!    a second, explaining encoding whose failed core names the Kconfig rules involved,
//!    shrunk by dropping one rule at a time. SAT gives a candidate: its prompted values are
//!    fed to our `olddefconfig` (byte-identical to the kernel's) and the object's module
//!    condition is checked on the result. Only a configuration that survives that is a
//!    witness, and it answers every other pending object it happens to cover too.
//! 4. A candidate that does not survive (the CNF over-approximates: int/hex/string
//!    comparisons and toolchain facts are free) leaves the object "unknown", naming why.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use kp_base::expr::ValueType;
use kp_base::{ExprId, ExprPool, NameId, Tristate};

use crate::dotconfig::{OldDefConfig, Target, run_target};
use crate::kconfig::{Kconfig, Location, SymbolKind};
use crate::sat::encode::Rule;
use crate::sat::{Encoding, Lit, PoolKey, SatBackend, Varisat};

/// One place an object is listed, as kbuild-graph reports it.
#[derive(Clone, Debug)]
pub struct Listing {
    /// In a module (`Some(module object)`) or in a built-in.a (`None`).
    pub module: Option<String>,
    /// The full condition of this listing (directory entry and local guard), in the graph's
    /// pool.
    pub condition: ExprId,
    /// The Makefile line, when known.
    pub location: Option<Location>,
}

/// An object's conditions, as kbuild-graph computes them.
#[derive(Clone, Debug)]
pub struct ObjectConditions {
    /// When the object is linked into some module.
    pub module: ExprId,
    /// Every listing.
    pub listings: Vec<Listing>,
}

/// A configuration proving a "yes".
#[derive(Clone, Debug)]
pub struct Witness {
    /// The full `.config`, as our olddefconfig (= the kernel's) writes it.
    pub config: Arc<String>,
    /// How it was found: `allmodconfig` or `sat`.
    pub origin: &'static str,
}

/// One line of a "no" explanation.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Reason {
    /// File of the rule (Kconfig or Makefile), relative to the tree.
    pub file: String,
    /// Its line.
    pub line: u32,
    /// What the rule says, in Kconfig/Kbuild words.
    pub text: String,
}

/// The answer for one object on one arch.
#[derive(Clone, Debug)]
pub enum Verdict {
    /// It can be in a module: these modules (`.ko` paths) under the witness.
    Yes {
        /// Modules containing the object under the witness.
        modules: Vec<String>,
        /// The configuration.
        witness: Witness,
    },
    /// It can never be in a module on this arch.
    No {
        /// Why.
        reasons: Vec<Reason>,
    },
    /// Not decided.
    Unknown {
        /// The construct or step that stopped the decision.
        why: String,
    },
}

impl Verdict {
    /// `"yes"`, `"no"` or `"unknown"`.
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Yes { .. } => "yes",
            Verdict::No { .. } => "no",
            Verdict::Unknown { .. } => "unknown",
        }
    }
}

/// Counts of one arch's analysis.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Stats {
    /// Objects analysed.
    pub objects: usize,
    /// Answered by the allmodconfig seed.
    pub yes_by_seed: usize,
    /// Answered by a SAT candidate that survived olddefconfig.
    pub yes_by_sat: usize,
    /// Never listed in a module.
    pub no_by_makefile: usize,
    /// UNSAT.
    pub no_by_sat: usize,
    /// Undecided.
    pub unknown: usize,
    /// Goals decided past the cheap type bounds.
    pub sat_calls: usize,
    /// Goals a local model answered (pinned, the rest filled as allmodconfig fills it; no
    /// whole-arch SAT search).
    pub yes_local: usize,
    /// Whole-arch SAT searches.
    pub whole_arch_solves: usize,
    /// "No" with this host's toolchain, undecided for others (`Toolchain::Any`).
    pub toolchain_dependent: usize,
    /// "No" from the model, undecided because the Kbuild walk could not follow a construct of
    /// a directory that may list the object (`kbuild_graph::lists::Loss`).
    pub walk_lost: usize,
    /// Seconds in SAT queries, in explaining "no" answers, and in validating candidates.
    pub seconds_sat: f64,
    /// See `seconds_sat`.
    pub seconds_explain: f64,
    /// Seconds building witnesses: our olddefconfig on candidates, and checking which pending
    /// objects each one puts in a module.
    pub seconds_validate: f64,
    /// Seconds in local refutations (part of `seconds_sat`).
    pub seconds_local: f64,
}

/// The possibility analysis of one arch.
pub struct Analysis<'k> {
    k: &'k Kconfig,
    /// The whole arch's CNF, built on the first goal allmodconfig does not answer.
    enc: Option<Encoding<'k, Varisat>>,
    explain: Option<Encoding<'k, Varisat>>,
    /// Per symbol (by `NameId`), an upper bound of its value in every valid configuration
    /// (0 n, 1 m, 2 y); see [`upper_bounds`].
    ub: Vec<u8>,
    /// Goals already proven impossible.
    refuted: std::collections::HashSet<Lit>,
    /// Module conditions [`Analysis::refutable`] refuted locally.
    refuted_modules: std::collections::HashSet<ExprId>,
    /// A valid configuration the whole arch's solver first searches from (see
    /// [`Analysis::search_from`]); taken on the first whole-arch search.
    search_hint: Option<Arc<String>>,
    /// The allmodconfig of [`Analysis::run`].
    seed: Option<Arc<String>>,
    /// Kconfig explanations by module condition.
    core_memo: HashMap<ExprId, Vec<Reason>>,
    /// The rules of each refutation's shrunk core, by module condition (empty: the Makefile
    /// conditions contradict each other).
    core_rules: HashMap<ExprId, Vec<Rule>>,
    /// Symbol -> the symbols its rules mention, built on the first explanation.
    adjacency: Option<Vec<Vec<NameId>>>,
    /// Counters.
    pub stats: Stats,
}

impl<'k> Analysis<'k> {
    /// Builds the arch's CNF.
    pub fn new(k: &'k Kconfig) -> Analysis<'k> {
        Analysis {
            k,
            enc: None,
            explain: None,
            ub: upper_bounds(k),
            refuted: Default::default(),
            refuted_modules: Default::default(),
            search_hint: None,
            seed: None,
            core_memo: HashMap::new(),
            core_rules: HashMap::new(),
            adjacency: None,
            stats: Stats::default(),
        }
    }

    fn enc(&mut self) -> &mut Encoding<'k, Varisat> {
        let k = self.k;
        self.enc
            .get_or_insert_with(|| Encoding::new(k, Varisat::default()))
    }

    /// Answers every object in `objects` (conditions in `pool`).
    pub fn run(
        &mut self,
        pool: &ExprPool,
        objects: &BTreeMap<String, ObjectConditions>,
    ) -> BTreeMap<String, Verdict> {
        let mut out: BTreeMap<String, Verdict> = BTreeMap::new();
        let mut pending: Vec<&String> = Vec::new();
        for (obj, c) in objects {
            self.stats.objects += 1;
            if matches!(pool.get(c.module), kp_base::Expr::Const(Tristate::No)) {
                self.stats.no_by_makefile += 1;
                out.insert(
                    obj.clone(),
                    Verdict::No {
                        reasons: makefile_reasons(pool, c),
                    },
                );
            } else {
                pending.push(obj);
            }
        }
        // Seed: allmodconfig.
        let (allmod, _) = run_target(self.k, Target::AllModConfig, None);
        // Candidates differ from allmodconfig in a few symbols: their olddefconfig computes
        // again only what those change.
        let olddef = OldDefConfig::new(self.k, &allmod);
        let allmod = Witness {
            config: Arc::new(allmod),
            origin: "allmodconfig",
        };
        self.seed = Some(allmod.config.clone());
        // The first whole-arch search starts from allmodconfig (unless the caller gave a
        // configuration to start from).
        self.search_hint
            .get_or_insert_with(|| allmod.config.clone());
        let covered = self.cover(pool, objects, &mut pending, &allmod, &mut out);
        self.stats.yes_by_seed += covered;
        // SAT for the rest.
        while let Some(obj) = pending.pop() {
            let c = &objects[obj.as_str()];
            let goal = self.enc().expr_in(PoolKey::Other(0), pool, c.module);
            self.stats.sat_calls += 1;
            let t = std::time::Instant::now();
            // A goal that is false by construction (a symbol this arch never defines) or
            // already refuted needs no solver call.
            let trivially_false = goal.y == !self.enc().truth() || !self.may_hold(pool, c.module);
            let mut local_model = Vec::new();
            let result = if trivially_false || self.refuted.contains(&goal.y) {
                Some(false)
            } else {
                let tl = std::time::Instant::now();
                let local = self.refute_locally(pool, c.module);
                self.stats.seconds_local += tl.elapsed().as_secs_f64();
                match local {
                    // Most refutations need only a few symbols' rules; their core is the
                    // explanation too.
                    Ok(reasons) => {
                        self.core_memo.insert(c.module, reasons);
                        Some(false)
                    }
                    Err(model) => {
                        local_model = model;
                        None
                    }
                }
            };
            // A local model pinned, the rest filled as allmodconfig fills it, often survives
            // olddefconfig: two of our runs instead of a whole-arch SAT search. Filled so, the
            // witness also puts in modules the goal's neighbours the pins made visible
            // (laid over allmodconfig's .config, they stayed at their default n): several
            // times fewer goals are left for a model of their own.
            if result.is_none() && !local_model.is_empty() {
                let tv = std::time::Instant::now();
                let pins = local_pins(self.k, &local_model);
                let (seed, _) = run_target(self.k, Target::AllModConfig, Some(&pins));
                let config = olddef.run(&seed);
                let witness = Witness {
                    config: Arc::new(config),
                    origin: "local",
                };
                pending.push(obj);
                let covered = self.cover(pool, objects, &mut pending, &witness, &mut out);
                self.stats.seconds_validate += tv.elapsed().as_secs_f64();
                self.stats.yes_by_sat += covered;
                if out.contains_key(obj.as_str()) {
                    self.stats.yes_local += 1;
                    self.stats.seconds_sat += t.elapsed().as_secs_f64();
                    continue;
                }
                pending.retain(|p| *p != obj);
            }
            let result = match result {
                Some(r) => Some(r),
                None => {
                    self.stats.whole_arch_solves += 1;
                    self.start_from_hint();
                    self.enc().sat_solve(&[goal.y])
                }
            };
            if result == Some(false) {
                self.refuted.insert(goal.y);
            }
            self.stats.seconds_sat += t.elapsed().as_secs_f64();
            if std::env::var_os("KPOSSIBLE_TRACE").is_some() {
                eprintln!(
                    "trace: {obj} {result:?} trivial={trivially_false} pending={} {:?}",
                    pending.len(),
                    self.stats
                );
            }
            match result {
                None => {
                    self.stats.unknown += 1;
                    out.insert(
                        obj.clone(),
                        Verdict::Unknown {
                            why: "the SAT solver failed".into(),
                        },
                    );
                }
                Some(false) => {
                    self.stats.no_by_sat += 1;
                    let t = std::time::Instant::now();
                    let reasons = self.explain_no(pool, c, trivially_false);
                    self.stats.seconds_explain += t.elapsed().as_secs_f64();
                    out.insert(obj.clone(), Verdict::No { reasons });
                }
                Some(true) => {
                    let tv = std::time::Instant::now();
                    // First the model's choices and the goal's neighbourhood pinned, the rest
                    // filled as allmodconfig fills it (KCONFIG_ALLCONFIG): a witness that
                    // also answers many other pending objects, where the bare model (mostly
                    // n) answers few. Needed where allmodconfig's first choice members rule
                    // out most drivers (sh picks a no-MMU CPU).
                    let pins = self.model_pins(pool, c.module);
                    let (seed, _) = run_target(self.k, Target::AllModConfig, Some(&pins));
                    let config = olddef.run(&seed);
                    let witness = Witness {
                        config: Arc::new(config),
                        origin: "sat",
                    };
                    pending.push(obj);
                    let covered = self.cover(pool, objects, &mut pending, &witness, &mut out);
                    self.stats.yes_by_sat += covered;
                    if out.contains_key(obj.as_str()) {
                        self.stats.seconds_validate += tv.elapsed().as_secs_f64();
                        continue;
                    }
                    pending.retain(|p| *p != obj);
                    let candidate = self.candidate_config();
                    let config = olddef.run(&candidate);
                    let witness = Witness {
                        config: Arc::new(config),
                        origin: "sat",
                    };
                    pending.push(obj);
                    let covered = self.cover(pool, objects, &mut pending, &witness, &mut out);
                    self.stats.seconds_validate += tv.elapsed().as_secs_f64();
                    self.stats.yes_by_sat += covered;
                    if !out.contains_key(obj.as_str()) {
                        // The candidate relied on something the CNF leaves free.
                        pending.retain(|p| *p != obj);
                        self.stats.unknown += 1;
                        let enc = &*self.enc();
                        let assumed: Vec<String> = enc
                            .atoms()
                            .iter()
                            .filter(|(_, l)| enc.value(*l))
                            .map(|(what, _)| what.clone())
                            .collect();
                        let near = self.near_names(pool, c.module);
                        let mut named: Vec<&String> = assumed
                            .iter()
                            .filter(|what| {
                                what.split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                                    .any(|w| near.contains(w))
                            })
                            .collect();
                        named.truncate(4);
                        let named = if named.is_empty() {
                            String::new()
                        } else {
                            format!(
                                "; near it: {}",
                                named
                                    .iter()
                                    .map(|s| s.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        };
                        let atoms = assumed.len();
                        out.insert(
                            obj.clone(),
                            Verdict::Unknown {
                                why: format!(
                                    "a configuration satisfying the Kconfig CNF exists, but it did not survive olddefconfig \
                                     (it assumed {atoms} free facts: int/hex/string comparisons or toolchain probes{named})"
                                ),
                            },
                        );
                    }
                }
            }
        }
        out
    }

    /// A cheap over-approximation: can `e` be y at all, given only each symbol's type (bool
    /// never m, undefined symbols never y or m)? `false` is a proof that it cannot.
    fn may_hold(&self, pool: &ExprPool, e: ExprId) -> bool {
        self.possible(pool, e) & Y != 0
    }

    /// The set of values `e` may take (bits `N`, `M`, `Y`), by types alone.
    fn possible(&self, pool: &ExprPool, e: ExprId) -> u8 {
        use kp_base::Expr;
        match pool.get(e) {
            Expr::Const(t) => bit(t),
            Expr::Symbol(n) => match self.k.find(pool.name_text(n)) {
                Some(s) if self.k.symbol(s).is_bool_or_tristate() => self.value_set(s),
                _ => N,
            },
            Expr::Not(a) => {
                let a = self.possible(pool, a);
                (if a & N != 0 { Y } else { 0 }) | (a & M) | (if a & Y != 0 { N } else { 0 })
            }
            Expr::And(a, b) | Expr::Or(a, b) => {
                let is_and = matches!(pool.get(e), Expr::And(..));
                let (a, b) = (self.possible(pool, a), self.possible(pool, b));
                let mut out = 0;
                for x in [Tristate::No, Tristate::Mod, Tristate::Yes] {
                    for y in [Tristate::No, Tristate::Mod, Tristate::Yes] {
                        if a & bit(x) != 0 && b & bit(y) != 0 {
                            out |= bit(if is_and { x.min(y) } else { x.max(y) });
                        }
                    }
                }
                out
            }
            Expr::Unknown(_) => N | Y,
            Expr::Cmp(op, a, b) => {
                let (Some(da), Some(db)) =
                    (self.operand_domain(pool, a), self.operand_domain(pool, b))
                else {
                    return N | Y;
                };
                let mut out = 0;
                for (ta, sa) in &da {
                    for (tb, sb) in &db {
                        let ord = kp_base::expr::compare_values(*ta, sa, *tb, sb);
                        let holds = op.holds(ord);
                        out |= if holds { Y } else { N };
                    }
                }
                out
            }
        }
    }

    /// The values a bool/tristate symbol may take: up to its bound, never m for bool.
    fn value_set(&self, s: NameId) -> u8 {
        let set = below(self.ub[s.0 as usize]);
        if self.k.symbol(s).ty == ValueType::Bool {
            set & !M
        } else {
            set
        }
    }

    fn operand_domain(
        &self,
        pool: &ExprPool,
        o: kp_base::Operand,
    ) -> Option<Vec<(ValueType, String)>> {
        match o {
            kp_base::Operand::Const(c) => {
                let t = pool.name_text(c);
                let ty = if Tristate::from_letter(t).is_some() {
                    ValueType::Tristate
                } else {
                    ValueType::Unknown
                };
                Some(vec![(ty, t.to_string())])
            }
            kp_base::Operand::Symbol(n) => {
                let name = pool.name_text(n);
                let sym = self.k.find(name);
                match sym.map(|s| self.k.symbol(s).ty) {
                    Some(ty @ (ValueType::Bool | ValueType::Tristate)) => {
                        let set = sym.map_or(N | M | Y, |s| self.value_set(s));
                        Some(
                            [(N, "n"), (M, "m"), (Y, "y")]
                                .iter()
                                .filter(|(b, _)| set & b != 0)
                                .map(|(_, v)| (ty, v.to_string()))
                                .collect(),
                        )
                    }
                    Some(ValueType::Unknown) | None => {
                        Some(vec![(ValueType::Unknown, name.to_string())])
                    }
                    _ => None,
                }
            }
        }
    }

    /// Whether no configuration of this Kconfig puts the object in a module: `Some(true)`
    /// refuted, `Some(false)` a configuration satisfying the CNF exists, `None` the solver
    /// failed. No witness is built: this is for asking the toolchain-free CNF whether a "no"
    /// found with this host's tools holds for every toolchain.
    pub fn refutable(&mut self, pool: &ExprPool, c: &ObjectConditions) -> Option<bool> {
        if matches!(pool.get(c.module), kp_base::Expr::Const(Tristate::No)) {
            return Some(true);
        }
        if !self.may_hold(pool, c.module) || self.refuted_modules.contains(&c.module) {
            return Some(true);
        }
        // The whole arch's CNF only once a goal needs it: most arches refute every goal
        // here locally. (Each check is a refutation, so the answer does not depend on which
        // one gives it.)
        if let Shrunk::Contradiction | Shrunk::Core(_) =
            self.local_refutation(pool, c.module, &[0, 1, 2, 4], false)
        {
            self.refuted_modules.insert(c.module);
            return Some(true);
        }
        let goal = self.enc().expr_in(PoolKey::Other(0), pool, c.module);
        if goal.y == !self.enc().truth() || self.refuted.contains(&goal.y) {
            return Some(true);
        }
        self.stats.whole_arch_solves += 1;
        self.start_from_hint();
        let sat = self.enc().sat_solve(&[goal.y])?;
        if !sat {
            self.refuted.insert(goal.y);
        }
        Some(!sat)
    }

    /// Before the first whole-arch search: one solve with every symbol assumed at the
    /// hint's value (see [`Analysis::search_from`]). The solver keeps those values as its
    /// preferred phases, and what it learns follows from the CNF, so a refutation is still
    /// one and a model still satisfies the CNF, found without the first search's conflicts
    /// (one to two seconds per arch).
    fn start_from_hint(&mut self) {
        if let Some(hint) = self.search_hint.take() {
            let values = tristate_values(&hint);
            let enc = self.enc();
            let assumed = enc.assume_values(|name| values.get(name).copied());
            let _ = enc.sat_solve(&assumed);
        }
    }

    /// Has the first whole-arch search ([`Analysis::run`]'s or [`Analysis::refutable`]'s)
    /// start from `config` (a `.config` valid for these rules, such as the host's
    /// allmodconfig): the time to an answer changes, and which model a satisfiable search
    /// finds, never whether a goal is refuted.
    pub fn search_from(&mut self, config: Arc<String>) {
        self.search_hint = Some(config);
    }

    /// The allmodconfig [`Analysis::run`] seeded its answers with.
    pub fn seed_config(&self) -> Option<Arc<String>> {
        self.seed.clone()
    }

    /// The Kconfig symbols that `module` (a condition of kbuild-graph's pool) names.
    fn goal_symbols(&self, pool: &ExprPool, module: ExprId) -> Vec<NameId> {
        let mut names = Vec::new();
        collect_names(pool, module, &mut names);
        names.iter().filter_map(|n| self.k.find(n)).collect()
    }

    /// For every symbol, the symbols its rules mention; built on first use.
    fn adjacency(&mut self) -> &[Vec<NameId>] {
        let k = self.k;
        self.adjacency.get_or_insert_with(|| symbol_adjacency(k))
    }

    /// The names of the symbols within four links of `module`'s.
    fn near_names(&mut self, pool: &ExprPool, module: ExprId) -> std::collections::HashSet<String> {
        let k = self.k;
        let start = self.goal_symbols(pool, module);
        let adjacency = self.adjacency();
        cone(adjacency, &start, 4)
            .into_iter()
            .map(|n| k.name(n).to_string())
            .collect()
    }

    /// The symbols nearest to `module`'s whose rules rest on an opaque fact (a toolchain
    /// probe: `$(cc-option,...)`, `$(success,...)`, ...), nearest first, at most `limit`.
    pub fn facts_near(&mut self, pool: &ExprPool, module: ExprId, limit: usize) -> Vec<String> {
        let k = self.k;
        let start = self.goal_symbols(pool, module);
        let adjacency = self.adjacency();
        let mut out: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for depth in 0..=4 {
            let mut ring: Vec<NameId> = cone(adjacency, &start, depth)
                .into_iter()
                .filter(|n| seen.insert(*n))
                .collect();
            ring.sort_by_key(|&n| k.name(n));
            for n in ring {
                let r = k.symbol(n);
                let mut facts = Vec::new();
                let exprs = r
                    .dir_dep
                    .iter()
                    .chain(&r.rev_dep)
                    .copied()
                    .chain(r.prompts.iter().map(|p| p.visible))
                    .chain(r.defaults.iter().flat_map(|d| [d.value, d.visible]));
                for e in exprs {
                    collect_unknowns(&k.exprs, e, &mut facts);
                }
                if !facts.is_empty() {
                    out.push(match k.definition_location(n) {
                        Some(l) => format!("{} ({}:{})", k.name(n), l.file, l.line),
                        None => k.name(n).to_string(),
                    });
                }
                if out.len() == limit {
                    return out;
                }
            }
        }
        out
    }

    /// Answers "yes" for every pending object that `witness` puts in a module; returns how many.
    fn cover(
        &self,
        pool: &ExprPool,
        objects: &BTreeMap<String, ObjectConditions>,
        pending: &mut Vec<&String>,
        witness: &Witness,
        out: &mut BTreeMap<String, Verdict>,
    ) -> usize {
        // The conditions live in kbuild-graph's pool: read the witness as it reads a config.
        let v = WitnessValues::new(pool, &witness.config);
        let mut n = 0;
        pending.retain(|obj| {
            let c = &objects[obj.as_str()];
            if pool.eval(c.module, &v) == Tristate::No {
                return true;
            }
            let mut modules: Vec<String> = c
                .listings
                .iter()
                .filter(|l| l.module.is_some() && pool.eval(l.condition, &v) != Tristate::No)
                .filter_map(|l| {
                    l.module
                        .as_ref()
                        .map(|m| format!("{}.ko", m.trim_end_matches(".o")))
                })
                .collect();
            modules.sort();
            modules.dedup();
            out.insert(
                (*obj).clone(),
                Verdict::Yes {
                    modules,
                    witness: witness.clone(),
                },
            );
            n += 1;
            false
        });
        n
    }

    /// After a whole-arch SAT answer: the model's choice members and the values of the
    /// prompted symbols within two links of the goal's, as `KCONFIG_ALLCONFIG` lines.
    fn model_pins(&mut self, pool: &ExprPool, module: ExprId) -> String {
        let k = self.k;
        let start = self.goal_symbols(pool, module);
        let adjacency = self.adjacency();
        let mut pinned: Vec<NameId> = cone(adjacency, &start, 2).into_iter().collect();
        for ch in &k.choices {
            pinned.extend(ch.members.iter().copied());
        }
        pinned.sort();
        pinned.dedup();
        let mut lines = self.model_lines(pinned.into_iter(), true);
        lines.push_str(&self.atom_lines());
        lines
    }

    /// The model's values of every prompted bool/tristate symbol, as `.config` lines.
    fn candidate_config(&self) -> String {
        let mut lines = self.model_lines(self.k.defined.iter().copied(), false);
        lines.push_str(&self.atom_lines());
        lines
    }

    /// For each free fact the model takes as true that says a prompted string, int or hex
    /// symbol has a given value ([`Encoding::equalities`]), that value as a `.config` line: a
    /// user can type it, so the candidate does. (The CNF leaves such comparisons free;
    /// without the line the candidate keeps the symbol's default, and the object stays
    /// unknown.)
    fn atom_lines(&self) -> String {
        let Some(enc) = self.enc.as_ref() else {
            return String::new();
        };
        let mut out = String::new();
        for (n, value, lit) in enc.equalities() {
            let rules = self.k.symbol(*n);
            if !enc.value(*lit)
                || rules.prompts.is_empty()
                || value.is_empty()
                || value.contains(['"', '\\', '\n'])
            {
                continue;
            }
            let name = self.k.name(*n);
            match rules.ty {
                ValueType::String => out.push_str(&format!("CONFIG_{name}=\"{value}\"\n")),
                ValueType::Int | ValueType::Hex => {
                    out.push_str(&format!("CONFIG_{name}={value}\n"))
                }
                _ => {}
            }
        }
        out
    }

    /// The model's values of the prompted bool/tristate `symbols` (choices aside), as
    /// `.config` lines; with `leave_unchosen`, a choice member that is n is left out (to its
    /// choice) rather than written as not set.
    fn model_lines(&self, symbols: impl Iterator<Item = NameId>, leave_unchosen: bool) -> String {
        let k = self.k;
        let mut out = String::new();
        for n in symbols {
            let rules = k.symbol(n);
            if !rules.is_bool_or_tristate()
                || rules.prompts.is_empty()
                || matches!(rules.kind, SymbolKind::Choice(_))
            {
                continue;
            }
            let Some((enc, t)) = self.enc.as_ref().and_then(|e| Some((e, e.symbol(n)?))) else {
                continue;
            };
            push_pin(&mut out, k, n, enc.model_value(t), leave_unchosen);
        }
        out
    }

    /// Why no configuration puts the object in a module: its Makefile listings, then the
    /// Kconfig rules of a shrunk failed core.
    fn explain_no(
        &mut self,
        pool: &ExprPool,
        c: &ObjectConditions,
        trivially_false: bool,
    ) -> Vec<Reason> {
        let mut reasons: Vec<Reason> = c
            .listings
            .iter()
            .filter(|l| l.module.is_some())
            .filter_map(|l| {
                l.location.as_ref().map(|loc| Reason {
                    file: loc.file.clone(),
                    line: loc.line,
                    text: format!("listed in a module when {}", pool.display(l.condition)),
                })
            })
            .collect();
        // Symbols a module listing needs that this arch's Kconfig never defines.
        let mut undefined = Vec::new();
        for l in c.listings.iter().filter(|l| l.module.is_some()) {
            collect_names(pool, l.condition, &mut undefined);
        }
        undefined.sort();
        undefined.dedup();
        for name in undefined {
            let defined = self
                .k
                .find(&name)
                .is_some_and(|n| self.k.symbol(n).ty != ValueType::Unknown);
            if !defined {
                reasons.push(Reason {
                    file: String::new(),
                    line: 0,
                    text: format!("{name} is not defined by any Kconfig file of this arch, so it is never y or m"),
                });
            }
        }
        // Bool symbols a module listing needs at m.
        let mut bools = Vec::new();
        for l in c.listings.iter().filter(|l| l.module.is_some()) {
            collect_m_tests(pool, l.condition, &mut bools);
        }
        bools.sort();
        bools.dedup();
        for name in bools {
            if let Some(n) = self
                .k
                .find(&name)
                .filter(|&n| self.k.symbol(n).ty == ValueType::Bool)
            {
                let at = self
                    .k
                    .type_location(n)
                    .or_else(|| self.k.definition_location(n));
                let (file, line) = at.map_or((String::new(), 0), |l| (l.file, l.line));
                reasons.push(Reason {
                    file,
                    line,
                    text: format!("{name} is bool: never m"),
                });
            }
        }
        // Symbols a module listing needs that can never be enabled here, with the chain of
        // dependencies that rules them out.
        let mut names = Vec::new();
        for l in c.listings.iter().filter(|l| l.module.is_some()) {
            collect_names(pool, l.condition, &mut names);
        }
        names.sort();
        names.dedup();
        let mut seen = std::collections::HashSet::new();
        for name in names {
            if let Some(n) = self.k.find(&name) {
                self.never_enabled_chain(n, &mut reasons, &mut seen, 4);
            }
        }
        if trivially_false {
            return reasons;
        }
        if let Some(memo) = self.core_memo.get(&c.module) {
            reasons.extend(memo.iter().cloned());
            return reasons;
        }
        let core = self.core_reasons(pool, c.module);
        self.core_memo.insert(c.module, core.clone());
        for r in core {
            if !reasons.contains(&r) {
                reasons.push(r);
            }
        }
        reasons
    }

    /// "X is never enabled on this arch" for a symbol whose upper bound is n, followed by the
    /// first such symbol its dependencies need, up to `depth` links.
    fn never_enabled_chain(
        &self,
        n: NameId,
        out: &mut Vec<Reason>,
        seen: &mut std::collections::HashSet<NameId>,
        depth: u32,
    ) {
        let r = self.k.symbol(n);
        if depth == 0 || !r.is_bool_or_tristate() || self.ub[n.0 as usize] != 0 || !seen.insert(n) {
            return;
        }
        let at = self.k.definition_location(n).unwrap_or(Location {
            file: String::new(),
            line: 0,
        });
        let dep = r
            .dir_dep
            .map_or_else(|| "nothing".to_string(), |d| self.k.exprs.display(d));
        let text = if r.prompts.is_empty() {
            let selectors = r
                .rev_dep
                .map_or_else(|| "nothing".to_string(), |e| self.k.exprs.display(e));
            format!(
                "{} is never enabled on this arch: it has no prompt, no default that can fire, and is selected by {selectors}, none of which can be enabled",
                self.k.name(n)
            )
        } else {
            format!(
                "{} is never enabled on this arch: it depends on {dep}",
                self.k.name(n)
            )
        };
        out.push(Reason {
            file: at.file,
            line: at.line,
            text,
        });
        if let Some(d) = r.dir_dep {
            let mut inner = Vec::new();
            collect_names(&self.k.exprs, d, &mut inner);
            for name in inner {
                match self.k.find(&name) {
                    Some(m) if self.k.symbol(m).ty == ValueType::Unknown => {
                        out.push(Reason {
                            file: String::new(),
                            line: 0,
                            text: format!("{name} is not defined on this arch"),
                        });
                        return;
                    }
                    Some(m)
                        if self.ub[m.0 as usize] == 0 && self.k.symbol(m).is_bool_or_tristate() =>
                    {
                        self.never_enabled_chain(m, out, seen, depth - 1);
                        return;
                    }
                    _ => {}
                }
            }
        }
    }

    /// The Kconfig rules of a shrunk failed core for "`module` holds".
    ///
    /// Only the rules of symbols near the goal's are encoded, widening until the goal is
    /// refuted: a small CNF answers each shrinking step in microseconds where the whole
    /// arch's takes milliseconds, and a local core is the explanation a maintainer wants.
    fn core_reasons(&mut self, pool: &ExprPool, module: ExprId) -> Vec<Reason> {
        let k = self.k;
        let mut outcome = self.local_refutation(pool, module, &[0, 1, 2, 4, 8], true);
        if matches!(outcome, Shrunk::NotRefuted(_)) {
            let explain = self
                .explain
                .get_or_insert_with(|| Encoding::explaining(k, Varisat::default()));
            outcome = shrunk_core(explain, pool, module, true);
        }
        self.remember_core(module, &outcome);
        self.shrunk_reasons(outcome)
    }

    /// A local refutation (see [`Analysis::local_refutation`]) over small neighbourhoods,
    /// as reasons; `None` when they do not refute the goal and the whole arch must be asked.
    fn refute_locally(
        &mut self,
        pool: &ExprPool,
        module: ExprId,
    ) -> Result<Vec<Reason>, Vec<(NameId, Tristate)>> {
        match self.local_refutation(pool, module, &[0, 1, 2, 4], true) {
            Shrunk::NotRefuted(model) => Err(model),
            outcome => {
                self.remember_core(module, &outcome);
                Ok(self.shrunk_reasons(outcome))
            }
        }
    }

    fn remember_core(&mut self, module: ExprId, outcome: &Shrunk) {
        match outcome {
            Shrunk::Core(rules) => {
                self.core_rules.insert(module, rules.clone());
            }
            Shrunk::Contradiction => {
                self.core_rules.insert(module, Vec::new());
            }
            Shrunk::NotRefuted(_) => {}
        }
    }

    /// The rules that refuted `module` here, when a shrunk core did (see
    /// [`Analysis::holds_refutation`]).
    pub fn core_rules(&self, module: ExprId) -> Option<&[Rule]> {
        self.core_rules.get(&module).map(Vec::as_slice)
    }

    /// The Kconfig rules this analysis reasons over.
    pub fn kconfig(&self) -> &'k Kconfig {
        self.k
    }

    /// Whether `rules` of `other` (another parse of the same tree, such as the host-toolchain
    /// one) say exactly what the same-named rules say here. Then every clause of a refutation
    /// by those rules is a clause of this arch's CNF too, and the refutation holds here
    /// without a solver call.
    pub fn holds_refutation(&self, other: &Kconfig, rules: &[Rule]) -> bool {
        rules.iter().all(|&rule| {
            let here = match rule {
                Rule::Type(n) => self.k.find(other.name(n)).map(Rule::Type),
                Rule::Value(n) => self.k.find(other.name(n)).map(Rule::Value),
                Rule::Choice(c) => Some(Rule::Choice(c)),
            };
            here.is_some_and(|h| {
                rule_signature(other, rule).is_some_and(|s| Some(s) == rule_signature(self.k, h))
            })
        })
    }

    /// Tries to refute "`module` holds" with only the rules of the symbols within each of
    /// `depths` links of the goal's symbols. Each such CNF is a relaxation of the arch's, so
    /// a refutation there is one here. The answer is that of the narrowest ball that refutes
    /// the goal (its core is the explanation), else the widest ball's model.
    /// Without `shrink`, a refutation's core is left as the solver gave it (`Core(vec![])`):
    /// for callers that only need to know.
    fn local_refutation(
        &mut self,
        pool: &ExprPool,
        module: ExprId,
        depths: &[u32],
        shrink: bool,
    ) -> Shrunk {
        let k = self.k;
        let mut start = self.goal_symbols(pool, module);
        start.extend(k.modules);
        let adjacency = self.adjacency();
        let ask = |ball: &std::collections::HashSet<NameId>| {
            let mut enc = Encoding::explaining_within(k, Varisat::default(), ball);
            let probe = refute_in(&mut enc, pool, module);
            (enc, probe)
        };
        let finish = |(mut enc, probe): (Encoding<'k, Varisat>, Probe)| match probe {
            Probe::Contradiction => Shrunk::Contradiction,
            Probe::NotRefuted(model) => Shrunk::NotRefuted(model),
            Probe::Refuted(_) if !shrink => Shrunk::Core(Vec::new()),
            Probe::Refuted(goal) => Shrunk::Core(shrink_core(&mut enc, goal)),
        };
        let Some((&first, rest)) = depths.split_first() else {
            return Shrunk::NotRefuted(Vec::new());
        };
        // The narrowest ball first: most refutations need only the goal's own symbols.
        let narrow = cone(adjacency, &start, first);
        let asked = ask(&narrow);
        let Some((&widest, middle)) = rest.split_last() else {
            return finish(asked);
        };
        if !matches!(asked.1, Probe::NotRefuted(_)) {
            return finish(asked);
        }
        // Then the widest: each ball lies within the next, so its CNF is a relaxation of the
        // next one's. When the widest does not refute the goal, no ball does, and its model
        // is the answer; only a refuted goal asks the balls in between for the narrowest
        // refutation. (Nested balls are equal when their sizes are.)
        let wide = cone(adjacency, &start, widest);
        if wide.len() == narrow.len() {
            return finish(asked);
        }
        let wide_asked = ask(&wide);
        if matches!(wide_asked.1, Probe::NotRefuted(_)) || !shrink {
            return finish(wide_asked);
        }
        let mut last = narrow.len();
        for &depth in middle {
            let ball = cone(adjacency, &start, depth);
            if ball.len() == last {
                continue; // the same rules as the last try
            }
            if ball.len() == wide.len() {
                break; // the widest ball's, asked already
            }
            last = ball.len();
            let asked = ask(&ball);
            if !matches!(asked.1, Probe::NotRefuted(_)) {
                return finish(asked);
            }
        }
        finish(wide_asked)
    }

    fn shrunk_reasons(&self, outcome: Shrunk) -> Vec<Reason> {
        let text = match outcome {
            Shrunk::Core(rules) => return rules.into_iter().map(|r| self.rule_reason(r)).collect(),
            Shrunk::Contradiction => {
                "the conditions under which the Makefiles put it in a module contradict each other"
            }
            Shrunk::NotRefuted(_) => "no explanation found",
        };
        vec![Reason {
            file: String::new(),
            line: 0,
            text: text.into(),
        }]
    }

    fn rule_reason(&self, rule: Rule) -> Reason {
        let k = self.k;
        let loc = |n: NameId| {
            k.definition_location(n).unwrap_or(Location {
                file: String::new(),
                line: 0,
            })
        };
        match rule {
            Rule::Type(n) => {
                let r = k.symbol(n);
                let at = k.type_location(n).unwrap_or_else(|| loc(n));
                let text = if r.ty == ValueType::Bool {
                    format!("{} is bool: never m", k.name(n))
                } else {
                    format!("{} is tristate: m only when MODULES=y", k.name(n))
                };
                Reason {
                    file: at.file,
                    line: at.line,
                    text,
                }
            }
            Rule::Value(n) => {
                let r = k.symbol(n);
                let at = loc(n);
                let mut parts = Vec::new();
                if let Some(d) = r.dir_dep {
                    parts.push(format!("depends on {}", k.exprs.display(d)));
                }
                if r.prompts.is_empty() {
                    parts.push("has no prompt (value from defaults and selects only)".to_string());
                }
                if let Some(s) = r.rev_dep {
                    parts.push(format!("selected by {}", k.exprs.display(s)));
                }
                let text = if parts.is_empty() {
                    format!("{}: value rule", k.name(n))
                } else {
                    format!("{} {}", k.name(n), parts.join("; "))
                };
                Reason {
                    file: at.file,
                    line: at.line,
                    text,
                }
            }
            Rule::Choice(c) => {
                let ch = &k.choices[c];
                let at = loc(ch.symbol);
                Reason {
                    file: at.file,
                    line: at.line,
                    text: "choice: exactly one visible member is y".into(),
                }
            }
        }
    }
}

/// A witness `.config` as a valuation of the names of kbuild-graph's pool: what
/// `kbuild_graph::read_config` and `ConfigValuation` give (the last line naming a symbol with
/// a value other than empty, `n` or `""` wins), without copying the text into a map of
/// strings: covering is done once per candidate over every pending object.
struct WitnessValues<'a> {
    /// By pool name index.
    values: Vec<Option<&'a str>>,
}

impl<'a> WitnessValues<'a> {
    fn new(pool: &ExprPool, config: &'a str) -> WitnessValues<'a> {
        let mut values = vec![None; pool.name_count()];
        for line in config.lines() {
            let Some((k, v)) = line.split_once('=') else {
                continue;
            };
            let k = k.trim();
            let Some(name) = k.strip_prefix("CONFIG_") else {
                continue;
            };
            if k.contains(char::is_whitespace) {
                continue;
            }
            let v = v.trim();
            if v.is_empty() || v == "n" || v == "\"\"" {
                continue;
            }
            if let Some(n) = pool.find_name(name) {
                values[n.0 as usize] = Some(v);
            }
        }
        WitnessValues { values }
    }

    fn get(&self, name: NameId) -> Option<&'a str> {
        self.values.get(name.0 as usize).copied().flatten()
    }
}

impl kp_base::expr::Valuation for WitnessValues<'_> {
    fn tristate(&self, name: NameId) -> Tristate {
        self.get(name)
            .and_then(Tristate::from_letter)
            .unwrap_or(Tristate::No)
    }

    fn string_value(&self, name: NameId) -> (ValueType, std::borrow::Cow<'_, str>) {
        match self.get(name) {
            None => (ValueType::Tristate, "n".into()),
            Some(v) if Tristate::from_letter(v).is_some() => (ValueType::Tristate, v.into()),
            Some(v) => (ValueType::String, v.trim_matches('"').into()),
        }
    }

    fn unknown(&self, _: u32) -> Tristate {
        // As kbuild-graph's concrete reading: a make-time `$(shell ...)` reads as empty.
        Tristate::No
    }
}

/// The bool/tristate values a `.config` sets (`CONFIG_X=y|m|n`, `# CONFIG_X is not set`),
/// by name without the prefix.
fn tristate_values(config: &str) -> HashMap<&str, Tristate> {
    let mut out = HashMap::new();
    for line in config.lines() {
        if let Some((name, v)) = line.strip_prefix("CONFIG_").and_then(|l| l.split_once('=')) {
            if let Some(t) = Tristate::from_letter(v) {
                out.insert(name, t);
            }
        } else if let Some(name) = line
            .strip_prefix("# CONFIG_")
            .and_then(|l| l.strip_suffix(" is not set"))
        {
            out.insert(name, Tristate::No);
        }
    }
    out
}

/// A local model as `KCONFIG_ALLCONFIG` lines (as [`Analysis::model_pins`]: a choice member
/// that is n is left out, to its choice).
fn local_pins(k: &Kconfig, model: &[(NameId, Tristate)]) -> String {
    let mut out = String::new();
    for &(n, v) in model {
        push_pin(&mut out, k, n, v, true);
    }
    out
}

/// `n` at `v` as a `.config` line; with `leave_unchosen`, nothing for a choice member that is
/// n (its choice picks).
fn push_pin(out: &mut String, k: &Kconfig, n: NameId, v: Tristate, leave_unchosen: bool) {
    match v {
        Tristate::No if leave_unchosen && k.symbol(n).member_of.is_some() => {}
        Tristate::No => out.push_str(&format!("# CONFIG_{} is not set\n", k.name(n))),
        v => out.push_str(&format!("CONFIG_{}={}\n", k.name(n), v.letter())),
    }
}

/// What shrinking a failed core found.
enum Shrunk {
    /// The goal holds in no configuration even with every rule off.
    Contradiction,
    /// These rules together refute the goal; none can be dropped (within the step budget).
    Core(Vec<Rule>),
    /// The encoded rules do not refute the goal; the model's values of the user-settable
    /// symbols it encodes (a starting point for a witness).
    NotRefuted(Vec<(NameId, Tristate)>),
}

/// What asking an explaining encoding about a goal found, before any shrinking.
enum Probe {
    /// The goal holds in no configuration even with every rule off.
    Contradiction,
    /// With every rule on, no configuration satisfies this goal literal; the solver's failed
    /// core is the last answer's (see [`shrink_core`]).
    Refuted(Lit),
    /// As [`Shrunk::NotRefuted`].
    NotRefuted(Vec<(NameId, Tristate)>),
}

/// Refutes `module` in `enc` (an explaining encoding) and shrinks the failed core by deletion.
fn shrunk_core<B: SatBackend>(
    enc: &mut Encoding<'_, B>,
    pool: &ExprPool,
    module: ExprId,
    shrink: bool,
) -> Shrunk {
    match refute_in(enc, pool, module) {
        Probe::Contradiction => Shrunk::Contradiction,
        Probe::NotRefuted(model) => Shrunk::NotRefuted(model),
        Probe::Refuted(_) if !shrink => Shrunk::Core(Vec::new()),
        Probe::Refuted(goal) => Shrunk::Core(shrink_core(enc, goal)),
    }
}

/// Asks `enc` (an explaining encoding) whether `module` can hold: first with no rule on,
/// then with every rule on.
fn refute_in<B: SatBackend>(enc: &mut Encoding<'_, B>, pool: &ExprPool, module: ExprId) -> Probe {
    let goal = enc.expr_in(PoolKey::Other(0), pool, module);
    if enc.sat_solve(&[goal.y]) == Some(false) {
        return Probe::Contradiction;
    }
    let mut all = vec![goal.y];
    all.extend(enc.selectors().iter().map(|(l, _)| *l));
    match enc.sat_solve(&all) {
        Some(false) => Probe::Refuted(goal.y),
        Some(true) => {
            let k = enc.kconfig();
            let mut model: Vec<(NameId, Tristate)> = enc
                .selectors()
                .iter()
                .flat_map(|(_, r)| match *r {
                    Rule::Value(n) => vec![n],
                    // A 6.12 choice member has no value rule of its own: its choice's rule
                    // decides it, and a witness needs the member the model chose (sh's
                    // allmodconfig picks a CPU without an MMU).
                    Rule::Choice(c) => k.choices[c].members.clone(),
                    _ => Vec::new(),
                })
                .filter(|&n| {
                    let r = k.symbol(n);
                    !r.prompts.is_empty() && !matches!(r.kind, SymbolKind::Choice(_))
                })
                .filter_map(|n| enc.symbol(n).map(|t| (n, enc.model_value(t))))
                .collect();
            model.sort();
            model.dedup();
            Probe::NotRefuted(model)
        }
        None => Probe::NotRefuted(Vec::new()),
    }
}

/// After [`refute_in`] answered `Refuted(goal)` (and nothing else was asked of `enc`): the
/// rules of its failed core, shrunk by deletion.
fn shrink_core<B: SatBackend>(enc: &mut Encoding<'_, B>, goal: Lit) -> Vec<Rule> {
    let selectors: Vec<(Lit, Rule)> = enc.selectors().to_vec();
    let solve = |enc: &mut Encoding<'_, B>, active: &[Lit]| {
        let mut a = vec![goal];
        a.extend_from_slice(active);
        enc.sat_solve(&a)
    };
    let mut active: Vec<Lit> = selectors.iter().map(|(l, _)| *l).collect();
    let core = enc.sat.failed_core();
    active.retain(|l| core.contains(l));
    // Deletion-based shrinking, bounded so one object cannot stall a whole manifest.
    let mut i = 0;
    let mut budget = 64;
    while i < active.len() && budget > 0 {
        budget -= 1;
        let mut trial = active.clone();
        trial.remove(i);
        if solve(enc, &trial) == Some(false) {
            let core = enc.sat.failed_core();
            trial.retain(|l| core.contains(l));
            active = trial;
        } else {
            i += 1;
        }
    }
    let by_lit: HashMap<Lit, Rule> = selectors.into_iter().collect();
    active
        .iter()
        .filter_map(|l| by_lit.get(l).copied())
        .collect()
}

/// Everything `rule`'s clauses are built from (see `sat::encode`: `fixed_point`,
/// `legacy_member`, `choice`), as text with symbols by name; `None` for a rule `k` lacks.
fn rule_signature(k: &Kconfig, rule: Rule) -> Option<String> {
    use std::fmt::Write as _;
    let mut s = String::new();
    let symbol = |s: &mut String, n: NameId| {
        let r = k.symbol(n);
        let _ = write!(
            s,
            "{} {:?} {:?} {:?};",
            k.name(n),
            r.ty,
            r.kind,
            r.member_of
        );
        for p in r.prompts {
            let _ = write!(s, "prompt if {};", k.exprs.display(p.visible));
        }
    };
    match rule {
        Rule::Type(n) => {
            let r = k.get_symbol(n)?;
            let _ = write!(s, "type {} {:?}", k.name(n), r.ty);
        }
        Rule::Value(n) => {
            let r = k.get_symbol(n)?;
            symbol(&mut s, n);
            for d in r.defaults {
                let _ = write!(
                    s,
                    "default {} if {};",
                    k.exprs.display(d.value),
                    k.exprs.display(d.visible)
                );
            }
            for (what, e) in [("rev", r.rev_dep), ("imp", r.implied), ("dep", r.dir_dep)] {
                if let Some(e) = e {
                    let _ = write!(s, "{what} {};", k.exprs.display(e));
                }
            }
        }
        Rule::Choice(c) => {
            let ch = k.choices.get(c)?;
            let _ = write!(s, "choice {:?} {};", k.dialect, ch.optional);
            symbol(&mut s, ch.symbol);
            for &m in &ch.members {
                symbol(&mut s, m);
            }
        }
    }
    Some(s)
}

/// For every symbol, the symbols its rules mention (dependencies, selectors, impliers, prompt
/// and default conditions, default values, ranges) and its choice's symbol and members.
fn symbol_adjacency(k: &Kconfig) -> Vec<Vec<NameId>> {
    let mut adj: Vec<Vec<NameId>> = vec![Vec::new(); k.symbol_count()];
    for (n, r) in k.symbols() {
        let out = &mut adj[n.0 as usize];
        for e in r.own_exprs().chain(r.rev_dep) {
            kconfig_symbols(&k.exprs, e, out);
        }
        for g in r.ranges {
            for o in [g.low, g.high] {
                if let kp_base::Operand::Symbol(n) = o {
                    out.push(n);
                }
            }
        }
        out.extend(k.choice_group(&r));
        out.sort();
        out.dedup();
    }
    adj
}

/// The symbols within `depth` links of `start`.
fn cone(adj: &[Vec<NameId>], start: &[NameId], depth: u32) -> std::collections::HashSet<NameId> {
    let mut seen: std::collections::HashSet<NameId> = start.iter().copied().collect();
    let mut frontier: Vec<NameId> = start.to_vec();
    for _ in 0..depth {
        let mut next = Vec::new();
        for n in frontier {
            for &m in adj.get(n.0 as usize).map_or(&[][..], |v| v.as_slice()) {
                if seen.insert(m) {
                    next.push(m);
                }
            }
        }
        frontier = next;
    }
    seen
}

/// The texts of the opaque facts in `e`.
fn collect_unknowns(pool: &ExprPool, e: ExprId, out: &mut Vec<String>) {
    for_each_leaf(pool, e, &mut |leaf| {
        if let kp_base::Expr::Unknown(id) = leaf {
            out.extend(pool.unknown(id).map(|u| u.text.clone()));
        }
    });
}

/// Calls `f` on every leaf of `e` (constant, symbol, comparison, opaque fact): the operands of
/// `!`, `&&` and `||` are walked, not reported.
fn for_each_leaf(pool: &ExprPool, e: ExprId, f: &mut impl FnMut(kp_base::Expr)) {
    use kp_base::Expr;
    match pool.get(e) {
        Expr::Not(a) => for_each_leaf(pool, a, f),
        Expr::And(a, b) | Expr::Or(a, b) => {
            for_each_leaf(pool, a, f);
            for_each_leaf(pool, b, f);
        }
        leaf => f(leaf),
    }
}

/// The symbols of Kconfig expression `e` (in the Kconfig's own pool, where a `NameId` is a
/// symbol index).
fn kconfig_symbols(pool: &ExprPool, e: ExprId, out: &mut Vec<NameId>) {
    use kp_base::{Expr, Operand};
    for_each_leaf(pool, e, &mut |leaf| match leaf {
        Expr::Symbol(n) => out.push(n),
        Expr::Cmp(_, a, b) => out.extend([a, b].into_iter().filter_map(|o| match o {
            Operand::Symbol(n) => Some(n),
            Operand::Const(_) => None,
        })),
        _ => {}
    });
}

/// The values at or below bound `ub` (0 n, 1 m, 2 y) as a set.
fn below(ub: u8) -> u8 {
    match ub {
        0 => N,
        1 => N | M,
        _ => N | M | Y,
    }
}

/// Upper bounds of every bool/tristate symbol's value over all valid configurations.
///
/// In every configuration `olddefconfig` accepts, a symbol's value is at most
/// `max(dir_dep, rev_dep)` (a visible value is capped by its prompt's condition, a default by
/// its own condition, an `imply` by the dependencies; only `select` reaches past them), with
/// m lifted to y for bool. Starting from each type's maximum and shrinking until nothing
/// changes keeps every bound sound; it catches what needs no solver: symbols that depend,
/// directly or through others, on something this arch never defines.
pub fn upper_bounds(k: &Kconfig) -> Vec<u8> {
    let mut ub: Vec<u8> = k
        .symbols()
        .map(|(_, r)| if r.is_bool_or_tristate() { 2 } else { 0 })
        .collect();
    for _ in 0..64 {
        let mut changed = false;
        for (n, r) in k.symbols() {
            let i = n.0 as usize;
            if ub[i] == 0 || !r.is_bool_or_tristate() {
                continue;
            }
            // A value comes from a prompt (capped by its condition), a default (capped by
            // its condition), an imply (capped by the dependencies) or a select.
            let prompts = r
                .prompts
                .iter()
                .map(|p| maxval(k, &ub, p.visible))
                .max()
                .unwrap_or(0);
            let defaults = r
                .defaults
                .iter()
                .map(|d| maxval(k, &ub, d.value).min(maxval(k, &ub, d.visible)))
                .max()
                .unwrap_or(0);
            let dep = r.dir_dep.map_or(2, |d| maxval(k, &ub, d));
            let implied = r.implied.map_or(0, |e| maxval(k, &ub, e).min(dep));
            let rev = r.rev_dep.map_or(0, |e| maxval(k, &ub, e));
            let mut bound = if matches!(r.kind, SymbolKind::Choice(_)) {
                2
            } else {
                prompts.max(defaults).max(implied).max(rev)
            };
            if bound == 1 && r.ty == ValueType::Bool {
                bound = 2;
            }
            if bound < ub[i] {
                ub[i] = bound;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    ub
}

fn maxval(k: &Kconfig, ub: &[u8], e: ExprId) -> u8 {
    use kp_base::Expr;
    match k.exprs.get(e) {
        Expr::Const(t) => t as u8,
        Expr::Symbol(n) => ub.get(n.0 as usize).copied().unwrap_or(0),
        Expr::Not(a) => 2 - minval(k, ub, a),
        Expr::And(a, b) => maxval(k, ub, a).min(maxval(k, ub, b)),
        Expr::Or(a, b) => maxval(k, ub, a).max(maxval(k, ub, b)),
        // Comparisons and opaque facts may hold.
        Expr::Cmp(..) | Expr::Unknown(_) => 2,
    }
}

fn minval(k: &Kconfig, ub: &[u8], e: ExprId) -> u8 {
    use kp_base::Expr;
    match k.exprs.get(e) {
        Expr::Const(t) => t as u8,
        Expr::Not(a) => 2 - maxval(k, ub, a),
        Expr::And(a, b) => minval(k, ub, a).min(minval(k, ub, b)),
        Expr::Or(a, b) => minval(k, ub, a).max(minval(k, ub, b)),
        Expr::Symbol(_) | Expr::Cmp(..) | Expr::Unknown(_) => 0,
    }
}

const N: u8 = 1;
const M: u8 = 2;
const Y: u8 = 4;

fn bit(t: Tristate) -> u8 {
    match t {
        Tristate::No => N,
        Tristate::Mod => M,
        Tristate::Yes => Y,
    }
}

/// Symbols compared with `m` in a conjunct of `e` (`X = m`, the guard of an
/// `obj-$(CONFIG_X)` module listing): each is needed for `e` to hold, so a bool `X` alone
/// rules it out. Tests under `||` or `!` are not needed and would only be noise.
fn collect_m_tests(pool: &ExprPool, e: ExprId, out: &mut Vec<String>) {
    use kp_base::{Expr, Operand};
    match pool.get(e) {
        Expr::And(a, b) => {
            collect_m_tests(pool, a, out);
            collect_m_tests(pool, b, out);
        }
        Expr::Cmp(kp_base::CmpOp::Eq, Operand::Symbol(n), Operand::Const(c))
            if pool.name_text(c) == "m" =>
        {
            out.push(pool.name_text(n).to_string());
        }
        _ => {}
    }
}

fn collect_names(pool: &ExprPool, e: ExprId, out: &mut Vec<String>) {
    use kp_base::{Expr, Operand};
    for_each_leaf(pool, e, &mut |leaf| match leaf {
        Expr::Symbol(n) | Expr::Cmp(_, Operand::Symbol(n), Operand::Const(_)) => {
            out.push(pool.name_text(n).to_string())
        }
        Expr::Cmp(_, Operand::Symbol(a), Operand::Symbol(b)) => {
            out.push(pool.name_text(a).to_string());
            out.push(pool.name_text(b).to_string());
        }
        _ => {}
    });
}

/// Converts kbuild-graph's per-object conditions (spans resolved through its source map).
pub fn from_kbuild(
    conditions: &BTreeMap<String, kbuild_graph::Conditions>,
    sources: &kp_base::SourceMap,
    root: &std::path::Path,
) -> BTreeMap<String, ObjectConditions> {
    // Makefile paths are shown relative to the tree, like Kconfig paths.
    let relative = |p: &std::path::Path| p.strip_prefix(root).unwrap_or(p).display().to_string();
    conditions
        .iter()
        .map(|(obj, c)| {
            let listings = c
                .occurrences
                .iter()
                .map(|o| Listing {
                    module: if o.in_module { o.module.clone() } else { None },
                    condition: o.condition,
                    location: o.span.map(|s| Location {
                        file: relative(sources.path(s.file)),
                        line: sources.line_col(s).line,
                    }),
                })
                .collect();
            (
                obj.clone(),
                ObjectConditions {
                    module: c.module,
                    listings,
                },
            )
        })
        .collect()
}

fn makefile_reasons(pool: &ExprPool, c: &ObjectConditions) -> Vec<Reason> {
    let mut out: Vec<Reason> = c
        .listings
        .iter()
        .map(|l| {
            let (file, line) = l
                .location
                .as_ref()
                .map_or((String::new(), 0), |loc| (loc.file.clone(), loc.line));
            let text = match &l.module {
                None => format!("listed built-in only (when {})", pool.display(l.condition)),
                Some(m) => format!(
                    "listed in {m} only when {} (never true)",
                    pool.display(l.condition)
                ),
            };
            Reason { file, line, text }
        })
        .collect();
    if out.is_empty() {
        out.push(Reason {
            file: String::new(),
            line: 0,
            text: "not listed in any Makefile reachable on this arch".into(),
        });
    }
    out
}
