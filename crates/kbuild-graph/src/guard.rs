//! Guard algebra over the shared pool: conjunction with cheap contradiction checks, and a
//! bounded satisfiability test used to prune impossible alternatives (`X=y && X=m`).
//!
//! Guards made by the evaluator are built from atoms `X=v` (a [`Cmp`](kp_base::Expr::Cmp) of a
//! symbol with a constant) and unknown facts. A symbol takes exactly one value, so two atoms
//! on one symbol with different constants exclude each other; the satisfiability test
//! enumerates the values each symbol is compared with plus "something else".

use std::collections::HashMap;

use kp_base::{CmpOp, Expr, ExprId, ExprPool, NameId, Operand, Tristate};

/// The guard helpers; holds a cache of satisfiability answers.
#[derive(Default)]
pub struct Guards {
    sat: HashMap<ExprId, bool>,
    /// Unknown facts already made, by (construct, line).
    pub unknowns: HashMap<(String, Option<kp_base::Span>), ExprId>,
    /// The unknown facts that are the output of a compiler's file-name query
    /// (see `Eval`'s `$(shell ...)`).
    pub file_name_queries: std::collections::HashSet<ExprId>,
}

/// The largest number of symbols the satisfiability test enumerates; above it a guard is
/// assumed satisfiable (which only keeps a redundant alternative, never loses one).
const MAX_SAT_SYMBOLS: usize = 7;
/// The largest guard the test looks at (counted as a tree, shared subterms once per use, as
/// `eval2` walks them), and the most node evaluations (assignments times that size) it does;
/// above either the guard is assumed satisfiable, for the same reason. Guards of the real
/// trees stay below both; they bound what one conjunction costs on adversarial makefiles.
const MAX_SAT_NODES: usize = 4096;
const MAX_SAT_WORK: usize = 1 << 21;
/// `simplify_and` only rewrites conjunctions of at most this many literals.
const MAX_SIMPLIFY_LITERALS: usize = 24;

impl Guards {
    /// `a && b`, `n` when it is contradictory.
    pub fn and(&mut self, pool: &mut ExprPool, a: ExprId, b: ExprId) -> ExprId {
        if let Some(e) = simplify_and(pool, a, b) {
            return e;
        }
        let e = pool.and(a, b);
        if matches!(pool.get(e), Expr::And(..)) && !self.satisfiable(pool, e) {
            return pool.no();
        }
        e
    }

    /// `a && b` with only the cheap checks of literals (`X=y && X=m` is `n`): exact, but an
    /// unsatisfiable conjunction of anything else is kept. Costs a bounded number of steps.
    pub fn and_unchecked(&mut self, pool: &mut ExprPool, a: ExprId, b: ExprId) -> ExprId {
        simplify_and(pool, a, b).unwrap_or_else(|| pool.and(a, b))
    }

    /// `a || b`.
    pub fn or(&mut self, pool: &mut ExprPool, a: ExprId, b: ExprId) -> ExprId {
        pool.or(a, b)
    }

    /// `!a` as a two-valued guard: guards are always `y` or `n`, so `!` is exact.
    pub fn not(&mut self, pool: &mut ExprPool, a: ExprId) -> ExprId {
        pool.not(a)
    }

    /// Whether some assignment of values to the symbols (and truth values to unknown facts)
    /// makes `e` true.
    pub fn satisfiable(&mut self, pool: &ExprPool, e: ExprId) -> bool {
        match pool.get(e) {
            Expr::Const(t) => return t != Tristate::No,
            Expr::Cmp(..) | Expr::Symbol(_) | Expr::Unknown(_) => return true,
            _ => {}
        }
        if let Some(&s) = self.sat.get(&e) {
            return s;
        }
        // Before the bounded enumeration: a literal that holds and fails at once, whatever the
        // number of symbols. An override chain (`clock-$(CONFIG_A) := a.o`, then `B`, ...)
        // makes guards such as `A=y && !(B=y || C=y || ...)` against `B=y`, with more symbols
        // than the enumeration takes.
        if literals_clash(pool, e) {
            self.sat.insert(e, false);
            return false;
        }
        let size = tree_size(pool, e, MAX_SAT_NODES, &mut HashMap::new());
        if size > MAX_SAT_NODES {
            self.sat.insert(e, true);
            return true;
        }
        let mut syms: Vec<(NameId, Vec<NameId>)> = Vec::new();
        let mut unknowns: Vec<u32> = Vec::new();
        let mut stack = vec![e];
        let mut seen = std::collections::HashSet::new();
        while let Some(x) = stack.pop() {
            if !seen.insert(x) {
                continue;
            }
            match pool.get(x) {
                Expr::Not(a) => stack.push(a),
                Expr::And(a, b) | Expr::Or(a, b) => {
                    stack.push(a);
                    stack.push(b);
                }
                Expr::Cmp(_, Operand::Symbol(s), Operand::Const(c)) => {
                    add_sym(&mut syms, s, Some(c))
                }
                Expr::Cmp(_, Operand::Symbol(s), Operand::Symbol(t)) => {
                    add_sym(&mut syms, s, None);
                    add_sym(&mut syms, t, None);
                }
                Expr::Symbol(s) => add_sym(&mut syms, s, None),
                Expr::Unknown(u) if !unknowns.contains(&u) => unknowns.push(u),
                _ => {}
            }
        }
        if syms.len() + unknowns.len() > MAX_SAT_SYMBOLS {
            self.sat.insert(e, true);
            return true;
        }
        let y = pool.find_name("y");
        let m = pool.find_name("m");
        // Each symbol ranges over the constants it is compared with, y, m, and "other".
        let domains: Vec<Vec<Option<NameId>>> = syms
            .iter()
            .map(|(_, cs)| {
                let mut d: Vec<Option<NameId>> = cs.iter().map(|c| Some(*c)).collect();
                for t in [y, m].into_iter().flatten() {
                    if !cs.contains(&t) {
                        d.push(Some(t));
                    }
                }
                d.push(None);
                d
            })
            .collect();
        let work = domains
            .iter()
            .try_fold(size << unknowns.len(), |n, d| n.checked_mul(d.len()));
        if work.is_none_or(|n| n > MAX_SAT_WORK) {
            self.sat.insert(e, true);
            return true;
        }
        let mut idx = vec![0usize; syms.len()];
        let mut result = false;
        'outer: loop {
            for ubits in 0..(1u32 << unknowns.len()) {
                let val: HashMap<NameId, Option<NameId>> = syms
                    .iter()
                    .zip(&idx)
                    .zip(&domains)
                    .map(|(((s, _), &i), d)| (*s, d[i]))
                    .collect();
                let uval: HashMap<u32, bool> = unknowns
                    .iter()
                    .enumerate()
                    .map(|(k, u)| (*u, ubits & (1 << k) != 0))
                    .collect();
                if eval2(pool, e, &val, &uval, y, m) {
                    result = true;
                    break 'outer;
                }
            }
            // Next combination.
            let mut k = 0;
            loop {
                if k == idx.len() {
                    break 'outer;
                }
                idx[k] += 1;
                if idx[k] < domains[k].len() {
                    break;
                }
                idx[k] = 0;
                k += 1;
            }
        }
        self.sat.insert(e, result);
        result
    }
}

/// `X=c` as (symbol, constant).
/// Whether the literals `e` asserts at top level (through `&&`, `!(.. || ..)` and `!!`) contain
/// one and its negation, or `X=a` and `X=b` with `a != b`: then `e` is unsatisfiable. Looks at
/// no more than `MAX_SAT_NODES` nodes.
fn literals_clash(pool: &ExprPool, e: ExprId) -> bool {
    let mut stack = vec![(e, true)];
    let mut held: HashMap<ExprId, bool> = HashMap::new();
    let mut equal: HashMap<NameId, NameId> = HashMap::new();
    let mut steps = 0;
    while let Some((x, positive)) = stack.pop() {
        steps += 1;
        if steps > MAX_SAT_NODES {
            return false;
        }
        match (pool.get(x), positive) {
            (Expr::And(a, b), true) | (Expr::Or(a, b), false) => {
                stack.push((a, positive));
                stack.push((b, positive));
            }
            (Expr::Not(a), _) => stack.push((a, !positive)),
            (Expr::Const(t), _) if (t == Tristate::No) == positive => return true,
            (Expr::Symbol(_) | Expr::Cmp(..) | Expr::Unknown(_), _) => {
                if held.insert(x, positive).is_some_and(|p| p != positive) {
                    return true;
                }
                if let (Some((s, c)), true) = (atom(pool, x), positive)
                    && equal.insert(s, c).is_some_and(|d| d != c)
                {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

fn atom(pool: &ExprPool, e: ExprId) -> Option<(NameId, NameId)> {
    match pool.get(e) {
        Expr::Cmp(CmpOp::Eq, Operand::Symbol(s), Operand::Const(c)) => Some((s, c)),
        _ => None,
    }
}

/// The conjuncts of `e` into `out`, left to right; false (with `out` partly filled) as soon
/// as there are more than `limit`, so a long conjunction costs `limit` steps, not its length.
fn conjuncts(pool: &ExprPool, e: ExprId, out: &mut Vec<ExprId>, limit: usize) -> bool {
    let mut stack = vec![e];
    while let Some(x) = stack.pop() {
        match pool.get(x) {
            Expr::And(a, b) => {
                stack.push(b);
                stack.push(a);
            }
            _ => out.push(x),
        }
        // Each pending operand holds at least one more conjunct.
        if out.len() + stack.len() > limit {
            return false;
        }
    }
    true
}

/// The number of nodes of `e` as a tree (what a recursive walk such as `eval2` visits), or
/// `limit + 1` when it is larger. Recursion is at most `limit` deep; `memo` holds the exact
/// sizes of shared subterms.
fn tree_size(pool: &ExprPool, e: ExprId, limit: usize, memo: &mut HashMap<ExprId, usize>) -> usize {
    if let Some(&n) = memo.get(&e) {
        return n.min(limit + 1);
    }
    if limit == 0 {
        return 1;
    }
    let n = match pool.get(e) {
        Expr::Not(a) => 1 + tree_size(pool, a, limit - 1, memo),
        Expr::And(a, b) | Expr::Or(a, b) => {
            let l = tree_size(pool, a, limit - 1, memo);
            if 1 + l > limit {
                return limit + 1;
            }
            1 + l + tree_size(pool, b, limit - 1 - l, memo)
        }
        _ => 1,
    };
    if n > limit {
        return limit + 1;
    }
    memo.insert(e, n);
    n
}

/// Readable conjunctions of literals: `X=y && !X=m` is `X=y` (a symbol has one value),
/// repeated literals appear once, and `X=y && X=m` / `L && !L` are `n`. `None` when the
/// operands are not small conjunctions of literals.
fn simplify_and(pool: &mut ExprPool, a: ExprId, b: ExprId) -> Option<ExprId> {
    let mut lits = Vec::new();
    if !(conjuncts(pool, a, &mut lits, MAX_SIMPLIFY_LITERALS)
        && conjuncts(pool, b, &mut lits, MAX_SIMPLIFY_LITERALS))
        || lits.len() < 2
    {
        return None;
    }
    let positive: Vec<(NameId, NameId)> = lits.iter().filter_map(|&l| atom(pool, l)).collect();
    let mut kept: Vec<ExprId> = Vec::new();
    let mut changed = false;
    for &l in &lits {
        if kept.contains(&l) {
            changed = true;
            continue;
        }
        if let Expr::Not(inner) = pool.get(l) {
            if kept.contains(&inner) || lits.contains(&inner) {
                return Some(pool.no());
            }
            if let Some((s, c)) = atom(pool, inner)
                && positive.iter().any(|&(ps, pc)| ps == s && pc != c)
            {
                changed = true;
                continue;
            }
        }
        if let Some((s, c)) = atom(pool, l)
            && positive.iter().any(|&(ps, pc)| ps == s && pc != c)
        {
            return Some(pool.no());
        }
        kept.push(l);
    }
    if !changed {
        return None;
    }
    Some(pool.and_all(kept))
}

fn add_sym(syms: &mut Vec<(NameId, Vec<NameId>)>, s: NameId, c: Option<NameId>) {
    let i = match syms.iter().position(|(n, _)| *n == s) {
        Some(i) => i,
        None => {
            syms.push((s, Vec::new()));
            syms.len() - 1
        }
    };
    let entry = &mut syms[i].1;
    if let Some(c) = c
        && !entry.contains(&c)
    {
        entry.push(c);
    }
}

/// Two-valued evaluation for the satisfiability test: a comparison holds when both sides
/// name the same constant; a bare symbol holds when it is y or m.
fn eval2(
    pool: &ExprPool,
    e: ExprId,
    val: &HashMap<NameId, Option<NameId>>,
    uval: &HashMap<u32, bool>,
    y: Option<NameId>,
    m: Option<NameId>,
) -> bool {
    match pool.get(e) {
        Expr::Const(t) => t != Tristate::No,
        Expr::Symbol(s) => val
            .get(&s)
            .copied()
            .flatten()
            .is_some_and(|v| Some(v) == y || Some(v) == m),
        Expr::Not(a) => !eval2(pool, a, val, uval, y, m),
        Expr::And(a, b) => eval2(pool, a, val, uval, y, m) && eval2(pool, b, val, uval, y, m),
        Expr::Or(a, b) => eval2(pool, a, val, uval, y, m) || eval2(pool, b, val, uval, y, m),
        Expr::Unknown(u) => uval.get(&u).copied().unwrap_or(true),
        Expr::Cmp(op, a, b) => {
            let side = |o: Operand| match o {
                Operand::Symbol(s) => val.get(&s).copied().flatten(),
                Operand::Const(c) => Some(c),
            };
            let (x, z) = (side(a), side(b));
            let eq = x.is_some() && x == z;
            match op {
                CmpOp::Eq => eq,
                CmpOp::Ne => !eq,
                // Ordered comparisons are not made by the evaluator; assume they can hold.
                _ => true,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_value_per_symbol() {
        let mut pool = ExprPool::new();
        let mut g = Guards::default();
        let x = pool.name("X");
        let y = pool.sym_is(x, Tristate::Yes);
        let m = pool.sym_is(x, Tristate::Mod);
        let nm = pool.not(m);
        assert_eq!(g.and(&mut pool, y, nm), y);
        let no = pool.no();
        assert_eq!(g.and(&mut pool, y, m), no);
        let ny = pool.not(y);
        assert_eq!(g.and(&mut pool, y, ny), no);
        assert!(g.satisfiable(&pool, nm));
    }

    #[test]
    fn long_conjunctions_cost_a_bounded_walk() {
        // 100,000 conjuncts nested to the left, as `acc = acc && x` builds them: neither the
        // literal simplification nor the satisfiability test walks (or recurses) through all
        // of them; the conjunction is kept as it is.
        let mut pool = ExprPool::new();
        let mut g = Guards::default();
        let mut acc = pool.yes();
        for i in 0..100_000 {
            let n = pool.name(&format!("S{i}"));
            let a = pool.sym_is(n, Tristate::Yes);
            acc = pool.and(acc, a);
        }
        let x = pool.name("X");
        let xy = pool.sym_is(x, Tristate::Yes);
        let both = g.and(&mut pool, acc, xy);
        assert_eq!(both, pool.and(acc, xy));
    }

    #[test]
    fn many_compared_constants_are_assumed_satisfiable() {
        // `S in {v0..v19}` for seven symbols, and not for the first: unsatisfiable, but
        // proving it would try 23^7 assignments. Past the work bound it is assumed
        // satisfiable (sound: the alternative is only not pruned); one symbol alone is
        // still refuted.
        let mut pool = ExprPool::new();
        let mut g = Guards::default();
        let mut ins = Vec::new();
        for s in 0..7 {
            let n = pool.name(&format!("S{s}"));
            let mut any = pool.no();
            for c in 0..20 {
                let k = pool.name(&format!("v{c}"));
                let eq = pool.cmp(CmpOp::Eq, Operand::Symbol(n), Operand::Const(k));
                any = pool.or(any, eq);
            }
            ins.push(any);
        }
        let not_first = pool.not(ins[0]);
        let alone = pool.and(ins[0], not_first);
        assert!(!g.satisfiable(&pool, alone));
        let all = pool.and_all(ins.iter().copied());
        let e = pool.and(all, not_first);
        assert!(g.satisfiable(&pool, e));
    }
}
