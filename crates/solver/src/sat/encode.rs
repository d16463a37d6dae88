//! Kconfig as CNF: every configuration `olddefconfig` leaves unchanged satisfies it.
//!
//! A bool/tristate symbol is two literals in the order encoding (`m`: value >= m, `y`: value
//! is y; `y -> m`). Expressions are encoded once per node of the shared DAG (Tseitin), with
//! the kernel's tristate meaning (`&&` min, `||` max, `!x` = 2 - x). Each symbol gets the
//! local fixed-point condition of `sym_calc_value()` (see `docs` in possibility-encoding):
//!
//! - visible (some prompt's condition is not n): `v = promote(max(min(v, vis), rev))`, i.e.
//!   the value it was written with survives being read back;
//! - invisible: `v = promote(max(default', rev))`, where `default'` is the first default whose
//!   condition is not n, raised by `imply` and capped by the direct dependencies;
//! - `promote` and the lifting of `vis`, `dir_dep`, `rev_dep`, `implied` turn m into y for
//!   bool symbols and for every tristate while MODULES is n (`sym_get_type()`).
//!
//! Choices: in 6.12 exactly one visible member is y when any member is visible, and any visible
//! member may be the one. 6.1 choices (tristate, optional) are over-approximated: members stay
//! within their visibility, at most one is y, and a `y` choice with a visible member has one.
//!
//! What the encoding cannot decide exactly is left free, never forced: a comparison involving
//! an int, hex or string symbol, and any opaque fact (a recorded `$(shell,...)`), is a free
//! atom. The encoding therefore over-approximates the valid configurations: UNSAT is a proof
//! of impossibility, while SAT is only a candidate that the concrete evaluator must confirm.

use std::collections::HashMap;

use kconfig_parser::Choices;
use kp_base::expr::{ValueType, compare_values};
use kp_base::{CmpOp, Expr, ExprId, ExprPool, NameId, Operand, Tristate};

use super::backend::{Lit, SatBackend};
use crate::kconfig::{Kconfig, SymbolKind};

/// A tristate as two literals: `m` (value >= m) and `y` (value == y).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tri {
    /// value >= m
    pub m: Lit,
    /// value == y
    pub y: Lit,
}

/// Which expression pool an encoded node comes from (the Kconfig's own, or another one whose
/// names are resolved by text, such as the Kbuild graph's).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PoolKey {
    /// The Kconfig's pool.
    Kconfig,
    /// Another pool, by a caller-chosen number.
    Other(u32),
}

/// The rule a selector literal switches on, for explaining an UNSAT answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    /// A symbol's type: bool never holds m; a tristate holds m only with MODULES.
    Type(NameId),
    /// A symbol's value rule (visibility, defaults, selects, implies, dependencies).
    Value(NameId),
    /// A choice's rule (one visible member is chosen).
    Choice(usize),
}

/// The CNF of one Kconfig tree, growing as expressions are encoded.
pub struct Encoding<'k, B: SatBackend> {
    /// In explaining mode, the selector of the rule whose clauses are being added.
    group: Option<Lit>,
    /// Every selector with its rule (explaining mode only).
    selectors: Vec<(Lit, Rule)>,
    explaining: bool,
    k: &'k Kconfig,
    /// The solver holding the clauses.
    pub sat: B,
    t: Lit,
    syms: HashMap<NameId, Tri>,
    cache: HashMap<(PoolKey, ExprId), Tri>,
    gates: HashMap<(Lit, Lit), Lit>,
    atoms: Vec<(String, Lit)>,
    /// Of those, the ones saying that a symbol equals a constant: (symbol, constant, atom).
    equalities: Vec<(NameId, String, Lit)>,
    modules_on: Lit,
    /// The value domains of promptless int/hex symbols (see [`Encoding::fixed_domain`]).
    fixed: HashMap<NameId, Option<Vec<(ValueType, String, Lit)>>>,
}

impl<'k, B: SatBackend> Encoding<'k, B> {
    /// Encodes every symbol's fixed-point condition.
    pub fn new(k: &'k Kconfig, sat: B) -> Encoding<'k, B> {
        Self::build(k, sat, false, None)
    }

    /// As [`Encoding::new`], with every rule behind a selector literal: queries must assume
    /// [`Encoding::selectors`], and a failed core names the rules that forbid an answer.
    pub fn explaining(k: &'k Kconfig, sat: B) -> Encoding<'k, B> {
        Self::build(k, sat, true, None)
    }

    /// As [`Encoding::explaining`], with only the rules of the symbols in `only` (and of the
    /// choices whose symbol is in it): every other symbol is free. Variables are made on first
    /// use, so the CNF is as small as the neighbourhood it describes.
    pub fn explaining_within(
        k: &'k Kconfig,
        sat: B,
        only: &std::collections::HashSet<NameId>,
    ) -> Encoding<'k, B> {
        Self::build(k, sat, true, Some(only))
    }

    fn build(
        k: &'k Kconfig,
        mut sat: B,
        explaining: bool,
        only: Option<&std::collections::HashSet<NameId>>,
    ) -> Encoding<'k, B> {
        let t = sat.new_lit();
        sat.add_clause(&[t]);
        let mut enc = Encoding {
            group: None,
            selectors: Vec::new(),
            explaining,
            k,
            sat,
            t,
            syms: HashMap::new(),
            cache: HashMap::new(),
            gates: HashMap::new(),
            atoms: Vec::new(),
            equalities: Vec::new(),
            modules_on: !t,
            fixed: HashMap::new(),
        };
        // Variables first, so MODULES is known to every lift.
        if only.is_none() {
            for i in 0..k.symbol_count() {
                enc.sym(NameId(i as u32));
            }
        }
        if let Some(modules) = k.modules.and_then(|n| enc.sym(n)) {
            enc.modules_on = modules.y;
        }
        for (n, rules) in k.symbols() {
            if only.is_some_and(|o| !o.contains(&n)) || !rules.is_bool_or_tristate() {
                continue;
            }
            let Some(v) = enc.sym(n) else {
                continue;
            };
            enc.begin(Rule::Type(n));
            match rules.ty {
                ValueType::Bool => enc.clause(&[!v.m, v.y]),
                // A tristate is m only while MODULES is y.
                _ => enc.clause(&[!v.m, v.y, enc.modules_on]),
            }
            let member = rules.member_of.is_some();
            if member && k.dialect.modern_choices() {
                continue; // choices below
            }
            enc.begin(Rule::Value(n));
            if member {
                enc.legacy_member(n, v);
                continue;
            }
            enc.fixed_point(n, v);
        }
        for c in 0..k.choices.len() {
            if only.is_some_and(|o| !o.contains(&k.choices[c].symbol)) {
                continue;
            }
            enc.begin(Rule::Choice(c));
            enc.choice(c);
        }
        enc.group = None;
        enc
    }

    /// The literals of bool/tristate symbol `n`, made on first use. `y` implies `m` is the
    /// order encoding itself, not a rule, so it is never behind a selector.
    fn sym(&mut self, n: NameId) -> Option<Tri> {
        if let Some(&t) = self.syms.get(&n) {
            return Some(t);
        }
        if !self.k.get_symbol(n)?.is_bool_or_tristate() {
            return None;
        }
        let m = self.sat.new_lit();
        let y = self.sat.new_lit();
        self.sat.add_clause(&[!y, m]);
        let t = Tri { m, y };
        self.syms.insert(n, t);
        Some(t)
    }

    /// Starts the clauses of `rule` (a new selector in explaining mode).
    fn begin(&mut self, rule: Rule) {
        if self.explaining {
            let sel = self.sat.new_lit();
            self.selectors.push((sel, rule));
            self.group = Some(sel);
        }
    }

    /// Adds a rule clause (guarded by the current selector in explaining mode).
    fn clause(&mut self, lits: &[Lit]) {
        match self.group {
            Some(sel) => {
                let mut v = Vec::with_capacity(lits.len() + 1);
                v.push(!sel);
                v.extend_from_slice(lits);
                self.sat.add_clause(&v);
            }
            None => self.sat.add_clause(lits),
        }
    }

    /// The selectors and their rules (explaining mode).
    pub fn selectors(&self) -> &[(Lit, Rule)] {
        &self.selectors
    }

    /// The Kconfig rules.
    pub fn kconfig(&self) -> &'k Kconfig {
        self.k
    }

    /// The literals of a bool/tristate symbol.
    pub fn symbol(&self, n: NameId) -> Option<Tri> {
        self.syms.get(&n).copied()
    }

    /// The always-true literal.
    pub fn truth(&self) -> Lit {
        self.t
    }

    /// The free atoms made so far, with what each stands for.
    pub fn atoms(&self) -> &[(String, Lit)] {
        &self.atoms
    }

    /// The free atoms that say a symbol of these rules equals a constant (`X=value`, as a
    /// Makefile's `ifneq ($(CONFIG_X),)` reads a string value): symbol, constant, atom.
    pub fn equalities(&self) -> &[(NameId, String, Lit)] {
        &self.equalities
    }

    fn constant(&self, t: Tristate) -> Tri {
        let (f, t_) = (!self.t, self.t);
        match t {
            Tristate::No => Tri { m: f, y: f },
            Tristate::Mod => Tri { m: t_, y: f },
            Tristate::Yes => Tri { m: t_, y: t_ },
        }
    }

    fn and2(&mut self, a: Lit, b: Lit) -> Lit {
        let (t, f) = (self.t, !self.t);
        if a == f || b == f || a == !b {
            return f;
        }
        if a == t {
            return b;
        }
        if b == t || a == b {
            return a;
        }
        let key = (a.min(b), a.max(b));
        if let Some(&g) = self.gates.get(&key) {
            return g;
        }
        let g = self.sat.new_lit();
        self.sat.add_clause(&[!g, a]);
        self.sat.add_clause(&[!g, b]);
        self.sat.add_clause(&[g, !a, !b]);
        self.gates.insert(key, g);
        g
    }

    fn or2(&mut self, a: Lit, b: Lit) -> Lit {
        !self.and2(!a, !b)
    }

    fn or_all(&mut self, lits: &[Lit]) -> Lit {
        let mut acc = !self.t;
        for &l in lits {
            acc = self.or2(acc, l);
        }
        acc
    }

    fn min(&mut self, a: Tri, b: Tri) -> Tri {
        Tri {
            m: self.and2(a.m, b.m),
            y: self.and2(a.y, b.y),
        }
    }

    fn max(&mut self, a: Tri, b: Tri) -> Tri {
        Tri {
            m: self.or2(a.m, b.m),
            y: self.or2(a.y, b.y),
        }
    }

    fn ite(&mut self, c: Lit, a: Tri, b: Tri) -> Tri {
        let am = self.and2(c, a.m);
        let bm = self.and2(!c, b.m);
        let ay = self.and2(c, a.y);
        let by = self.and2(!c, b.y);
        Tri {
            m: self.or2(am, bm),
            y: self.or2(ay, by),
        }
    }

    fn equal(&mut self, a: Tri, b: Tri) {
        for (x, y) in [(a.m, b.m), (a.y, b.y)] {
            self.clause(&[!x, y]);
            self.clause(&[x, !y]);
        }
    }

    /// m becomes y for a bool symbol, and for a tristate while MODULES is n.
    fn lift(&mut self, n: NameId, x: Tri) -> Tri {
        if self.k.symbol(n).ty == ValueType::Bool {
            return Tri { m: x.m, y: x.m };
        }
        let m_only = self.and2(x.m, !self.modules_on);
        Tri {
            m: x.m,
            y: self.or2(x.y, m_only),
        }
    }

    fn fresh_atom(&mut self, what: String) -> Tri {
        let l = self.sat.new_lit();
        self.atoms.push((what, l));
        Tri { m: l, y: l }
    }

    /// Encodes an expression of the Kconfig's own pool.
    pub fn expr(&mut self, e: ExprId) -> Tri {
        let k = self.k;
        self.expr_in(PoolKey::Kconfig, &k.exprs, e)
    }

    /// Encodes an expression of another pool whose symbol names are resolved by text.
    pub fn expr_in(&mut self, key: PoolKey, pool: &ExprPool, e: ExprId) -> Tri {
        if let Some(&t) = self.cache.get(&(key, e)) {
            return t;
        }
        let r = match pool.get(e) {
            Expr::Const(t) => self.constant(t),
            Expr::Symbol(n) => match self.resolve(key, pool, n) {
                Some(s) => self.sym(s).unwrap_or(self.constant(Tristate::No)),
                None => self.constant(Tristate::No),
            },
            Expr::Not(a) => {
                let a = self.expr_in(key, pool, a);
                Tri { m: !a.y, y: !a.m }
            }
            Expr::And(a, b) => {
                let (a, b) = (self.expr_in(key, pool, a), self.expr_in(key, pool, b));
                self.min(a, b)
            }
            Expr::Or(a, b) => {
                let (a, b) = (self.expr_in(key, pool, a), self.expr_in(key, pool, b));
                self.max(a, b)
            }
            Expr::Unknown(id) => {
                let text = pool
                    .unknown(id)
                    .map_or_else(|| "?".to_string(), |u| u.text.clone());
                self.fresh_atom(text)
            }
            Expr::Cmp(op, a, b) => self.compare(key, pool, e, op, a, b),
        };
        self.cache.insert((key, e), r);
        r
    }

    fn resolve(&self, key: PoolKey, pool: &ExprPool, n: NameId) -> Option<NameId> {
        match key {
            PoolKey::Kconfig => Some(n),
            PoolKey::Other(_) => self.k.find(pool.name_text(n)),
        }
    }

    /// The possible (type, text, condition) values of an operand, or `None` when the domain is
    /// not finite (int, hex and string symbols).
    fn domain(
        &mut self,
        key: PoolKey,
        pool: &ExprPool,
        o: Operand,
    ) -> Option<Vec<(ValueType, String, Lit)>> {
        match o {
            Operand::Const(c) => {
                let text = pool.name_text(c);
                let ty = if Tristate::from_letter(text).is_some() {
                    ValueType::Tristate
                } else {
                    ValueType::Unknown
                };
                Some(vec![(ty, text.to_string(), self.t)])
            }
            Operand::Symbol(n) => {
                let resolved = self.resolve(key, pool, n);
                let ty = resolved.map_or(ValueType::Unknown, |s| self.k.symbol(s).ty);
                match ty {
                    ValueType::Bool | ValueType::Tristate => {
                        let v = resolved.and_then(|s| self.sym(s))?;
                        Some(vec![
                            (ty, "n".into(), !v.m),
                            (ty, "m".into(), v.m),
                            (ty, "y".into(), v.y),
                        ])
                    }
                    ValueType::Int | ValueType::Hex => resolved.and_then(|s| self.fixed_domain(s)),
                    // An undefined symbol's value is its own name.
                    ValueType::Unknown => Some(vec![(
                        ValueType::Unknown,
                        pool.name_text(n).to_string(),
                        self.t,
                    )]),
                    _ => None,
                }
            }
        }
    }

    /// The values an int or hex symbol without a prompt or range can take, each with the
    /// condition under which it does: no user value applies, so it is the first default whose
    /// condition holds, else the type's empty value (`scripts/kconfig/symbol.c:
    /// sym_calc_value`). With this host's probe results such symbols (`GCC_VERSION`,
    /// `AS_VERSION`, ...) have constant defaults; `None` when a default is not a constant
    /// (in Record mode a probe's default is an opaque fact, so the comparison stays free).
    /// The clauses are the symbol's own `Rule::Value`, so a core that needs them names it.
    fn fixed_domain(&mut self, s: NameId) -> Option<Vec<(ValueType, String, Lit)>> {
        if let Some(d) = self.fixed.get(&s) {
            return d.clone();
        }
        let k = self.k;
        let r = k.symbol(s);
        let mut texts = Vec::new();
        let constant = r.prompts.is_empty()
            && r.ranges.is_empty()
            && r.defaults.iter().all(|d| match d.operand {
                _ if d.opaque => false,
                Some(Operand::Const(c)) => {
                    texts.push(k.name(c).to_string());
                    true
                }
                // `default 120200` names an undefined symbol, whose value is its name.
                Some(Operand::Symbol(n)) if k.symbol(n).ty == ValueType::Unknown => {
                    texts.push(k.name(n).to_string());
                    true
                }
                _ => false,
            });
        if !constant {
            self.fixed.insert(s, None);
            return None;
        }
        let empty = match (r.ty, k.dialect.choices) {
            (_, Choices::Legacy) => "",
            (ValueType::Hex, _) => "0x0",
            _ => "0",
        };
        // Conditions first (their gates are hard definitions), then the value literals, each
        // tied to its condition only under the symbol's own rule.
        let mut conds = Vec::new();
        let mut none_before = self.t;
        for d in r.defaults {
            let c = self.expr(d.visible).m;
            conds.push(self.and2(none_before, c));
            none_before = self.and2(none_before, !c);
        }
        conds.push(none_before);
        texts.push(empty.to_string());
        let outer = self.group;
        self.begin(Rule::Value(s));
        let mut dom = Vec::new();
        for (cond, text) in conds.into_iter().zip(texts) {
            let v = self.sat.new_lit();
            self.clause(&[!v, cond]);
            self.clause(&[v, !cond]);
            dom.push((r.ty, text, v));
        }
        self.group = outer;
        self.fixed.insert(s, Some(dom.clone()));
        Some(dom)
    }

    fn compare(
        &mut self,
        key: PoolKey,
        pool: &ExprPool,
        e: ExprId,
        op: CmpOp,
        a: Operand,
        b: Operand,
    ) -> Tri {
        let (Some(da), Some(db)) = (self.domain(key, pool, a), self.domain(key, pool, b)) else {
            let atom = self.fresh_atom(pool.display(e));
            if let (CmpOp::Eq, Operand::Symbol(n), Operand::Const(c))
            | (CmpOp::Eq, Operand::Const(c), Operand::Symbol(n)) = (op, a, b)
                && let Some(s) = self.resolve(key, pool, n)
            {
                let value = pool.name_text(c).to_string();
                self.equalities.push((s, value, atom.y));
            }
            return atom;
        };
        let mut terms = Vec::new();
        for (ta, sa, la) in &da {
            for (tb, sb, lb) in &db {
                let ord = compare_values(*ta, sa, *tb, sb);
                let holds = op.holds(ord);
                if holds {
                    // The tristate domain literals are "exactly" conditions only once combined:
                    // "m" means m && !y.
                    let la = self.exact(*la, sa, &da);
                    let lb = self.exact(*lb, sb, &db);
                    let t = self.and2(la, lb);
                    terms.push(t);
                }
            }
        }
        let r = self.or_all(&terms);
        Tri { m: r, y: r }
    }

    /// Turns the domain's "value >= m" literal for `m` into "value is exactly m".
    fn exact(&mut self, l: Lit, text: &str, dom: &[(ValueType, String, Lit)]) -> Lit {
        if text == "m" && dom.len() == 3 {
            let y = dom[2].2;
            return self.and2(l, !y);
        }
        l
    }

    fn visibility(&mut self, n: NameId) -> Tri {
        let k = self.k;
        let mut vis = self.constant(Tristate::No);
        for p in k.symbol(n).prompts {
            let e = self.expr(p.visible);
            vis = self.max(vis, e);
        }
        self.lift(n, vis)
    }

    fn fixed_point(&mut self, n: NameId, v: Tri) {
        let k = self.k;
        let rules = k.symbol(n);
        let vis = self.visibility(n);
        let no = self.constant(Tristate::No);
        let yes = self.constant(Tristate::Yes);
        let rev = match rules.rev_dep {
            Some(e) => self.expr(e),
            None => no,
        };
        let rev = self.lift(n, rev);
        let is_choice = matches!(rules.kind, SymbolKind::Choice(_));
        let invisible = if is_choice {
            rev
        } else {
            let mut d = no;
            for def in rules.defaults.iter().rev() {
                let cond = self.expr(def.visible);
                let val = self.expr(def.value);
                let val = self.min(val, cond);
                d = self.ite(cond.m, val, d);
            }
            let imp = match rules.implied {
                Some(e) => self.expr(e),
                None => no,
            };
            let imp = self.lift(n, imp);
            let dep = match rules.dir_dep {
                Some(e) => self.expr(e),
                None => yes,
            };
            let dep = self.lift(n, dep);
            let raised = self.max(d, imp);
            let raised = self.min(raised, dep);
            let d = self.ite(imp.m, raised, d);
            self.max(d, rev)
        };
        let kept = self.min(v, vis);
        let visible = self.max(kept, rev);
        let target = self.ite(vis.m, visible, invisible);
        let target = self.lift(n, target);
        self.equal(v, target);
    }

    /// 6.1 choice members: within their visibility (exact choice rules in `choice`).
    fn legacy_member(&mut self, n: NameId, v: Tri) {
        let vis = self.visibility(n);
        self.clause(&[!v.m, vis.m]);
        self.clause(&[!v.y, vis.y]);
    }

    fn choice(&mut self, c: usize) {
        let k = self.k;
        let choice = &k.choices[c];
        let members: Vec<(Tri, Tri)> = choice
            .members
            .iter()
            .filter(|&&m| k.symbol(m).member_of.is_some_and(|id| id.0 as usize == c))
            .filter_map(|&m| self.sym(m).map(|v| (m, v)))
            .collect::<Vec<_>>()
            .into_iter()
            .map(|(m, v)| (v, self.visibility(m)))
            .collect();
        // At most one member is y.
        for i in 0..members.len() {
            for j in i + 1..members.len() {
                self.clause(&[!members[i].0.y, !members[j].0.y]);
            }
        }
        let any_visible_y: Vec<Lit> = members.iter().map(|(_, vis)| vis.y).collect();
        let any_y: Vec<Lit> = members.iter().map(|(v, _)| v.y).collect();
        let any_visible_y = self.or_all(&any_visible_y);
        let some_member_y = self.or_all(&any_y);
        match k.dialect.choices {
            Choices::Modern => {
                for &(v, vis) in &members {
                    self.clause(&[!v.m, vis.m]);
                }
                // A member visible at all is visible as y (bool lift), so one is chosen.
                self.clause(&[!any_visible_y, some_member_y]);
            }
            Choices::Legacy => {
                let cs = self.sym(choice.symbol);
                if let Some(cs) = cs {
                    let chosen_needed = self.and2(cs.y, any_visible_y);
                    self.clause(&[!chosen_needed, some_member_y]);
                    // A member is y only while the choice is y.
                    for &(v, _) in &members {
                        self.clause(&[!v.y, cs.y]);
                    }
                }
            }
        }
    }

    /// Solves under `assumptions`.
    pub fn sat_solve(&mut self, assumptions: &[Lit]) -> Option<bool> {
        self.sat.solve_under(assumptions)
    }

    /// The symbols whose assumed values are in the last failed core.
    pub fn core_symbols(&self) -> Vec<String> {
        let core = self.sat.failed_core();
        let mut out: Vec<String> = self
            .syms
            .iter()
            .filter(|(_, t)| {
                core.iter()
                    .any(|l| l.var() == t.m.var() || l.var() == t.y.var())
            })
            .map(|(n, _)| self.k.name(*n).to_string())
            .collect();
        out.sort();
        out
    }

    /// Whether the model satisfies `lit`.
    pub fn value(&self, lit: Lit) -> bool {
        self.sat.value(lit)
    }

    /// The model's value of a symbol.
    pub fn model_value(&self, t: Tri) -> Tristate {
        match (self.sat.value(t.m), self.sat.value(t.y)) {
            (_, true) => Tristate::Yes,
            (true, false) => Tristate::Mod,
            _ => Tristate::No,
        }
    }

    /// Assumption literals fixing every bool/tristate symbol (choices aside) to `value(name)`;
    /// names for which `value` returns `None` stay free.
    pub fn assume_values(&self, mut value: impl FnMut(&str) -> Option<Tristate>) -> Vec<Lit> {
        let mut out = Vec::new();
        let mut names: Vec<(&NameId, &Tri)> = self.syms.iter().collect();
        names.sort_by_key(|(n, _)| **n);
        for (n, t) in names {
            // Choice symbols are never written to .config.
            if matches!(self.k.symbol(*n).kind, SymbolKind::Choice(_)) {
                continue;
            }
            if let Some(v) = value(self.k.name(*n)) {
                out.push(if v >= Tristate::Mod { t.m } else { !t.m });
                out.push(if v == Tristate::Yes { t.y } else { !t.y });
            }
        }
        out
    }
}
