//! The SAT backend behind one small trait, so varisat (last released in 2020) can be swapped
//! without touching the encoding.

use std::ops::Not;

/// A literal: variable index times two, plus one when negated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Lit(pub u32);

impl Lit {
    /// The variable's index.
    pub fn var(self) -> u32 {
        self.0 >> 1
    }

    /// Whether this is the positive literal of its variable.
    pub fn is_positive(self) -> bool {
        self.0 & 1 == 0
    }
}

impl Not for Lit {
    type Output = Lit;
    fn not(self) -> Lit {
        Lit(self.0 ^ 1)
    }
}

/// What the encoding needs from a SAT solver: fresh variables, clauses, solving under
/// assumptions, the model and the failed assumptions.
pub trait SatBackend {
    /// A fresh variable's positive literal.
    fn new_lit(&mut self) -> Lit;
    /// Adds a clause (a disjunction).
    fn add_clause(&mut self, lits: &[Lit]);
    /// Solves with `assumptions` held true; `None` if the solver failed.
    fn solve_under(&mut self, assumptions: &[Lit]) -> Option<bool>;
    /// After a satisfiable solve: the value of `lit` in the model.
    fn value(&self, lit: Lit) -> bool;
    /// After an unsatisfiable solve: a subset of the assumptions that is already unsatisfiable.
    fn failed_core(&self) -> Vec<Lit>;
}

/// varisat as the backend.
pub struct Varisat {
    solver: varisat::Solver<'static>,
    model: Vec<bool>,
    core: Vec<Lit>,
}

impl Default for Varisat {
    fn default() -> Self {
        Varisat {
            solver: varisat::Solver::new(),
            model: Vec::new(),
            core: Vec::new(),
        }
    }
}

fn to_varisat(l: Lit) -> varisat::Lit {
    varisat::Lit::from_index(l.var() as usize, l.is_positive())
}

fn from_varisat(l: varisat::Lit) -> Lit {
    Lit((l.index() as u32) << 1 | u32::from(l.is_negative()))
}

impl SatBackend for Varisat {
    fn new_lit(&mut self) -> Lit {
        use varisat::ExtendFormula as _;
        from_varisat(self.solver.new_lit())
    }

    fn add_clause(&mut self, lits: &[Lit]) {
        use varisat::ExtendFormula as _;
        let v: Vec<varisat::Lit> = lits.iter().map(|&l| to_varisat(l)).collect();
        self.solver.add_clause(&v);
    }

    fn solve_under(&mut self, assumptions: &[Lit]) -> Option<bool> {
        let v: Vec<varisat::Lit> = assumptions.iter().map(|&l| to_varisat(l)).collect();
        self.solver.assume(&v);
        let r = self.solver.solve().ok()?;
        if r {
            let model = self.solver.model().unwrap_or_default();
            self.model.clear();
            for l in model {
                let i = l.index();
                if self.model.len() <= i {
                    self.model.resize(i + 1, false);
                }
                self.model[i] = l.is_positive();
            }
        } else {
            self.core = self
                .solver
                .failed_core()
                .unwrap_or(&[])
                .iter()
                .map(|&l| from_varisat(l))
                .collect();
        }
        Some(r)
    }

    fn value(&self, lit: Lit) -> bool {
        let v = self.model.get(lit.var() as usize).copied().unwrap_or(false);
        v == lit.is_positive()
    }

    fn failed_core(&self) -> Vec<Lit> {
        self.core.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assumptions_and_cores() {
        let mut s = Varisat::default();
        let a = s.new_lit();
        let b = s.new_lit();
        s.add_clause(&[!a, b]);
        assert_eq!(s.solve_under(&[a]), Some(true));
        assert!(s.value(b));
        assert_eq!(s.solve_under(&[a, !b]), Some(false));
        let core = s.failed_core();
        assert!(core.contains(&a) || core.contains(&!b));
    }
}
