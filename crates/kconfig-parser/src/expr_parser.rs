//! The expression grammar of `parser.y` (`expr:`), by recursive descent over the statement's
//! tokens. Precedence, loosest first: `||`, `&&`, `!`, then comparisons, which only join two
//! symbols (`symbol OP symbol`), so `!A = B` is `!(A = B)` and `A = B = C` is an error.
//!
//! The result is a list of [`Step`]s in the order the caller lowers them into the model's
//! [`kp_base::ExprPool`], where it also knows what each token's text means (a constant, a
//! symbol, a recorded toolchain probe). The list lives in a buffer reused for every
//! expression, so parsing one allocates nothing (a tree of boxes and vectors per
//! expression was a tenth of the parser's allocations).

use crate::lexer::{Tok, TokKind};
use kp_base::CmpOp;

/// Deepest nesting of parentheses and `!` accepted (bison's own stack holds 10000 states;
/// this bound keeps our recursion far from the thread's stack limit).
pub(crate) const MAX_NESTING: u32 = 200;

/// One step of lowering a parsed expression; numbers are indices into the statement's
/// tokens. Replayed in order with a stack of values, the steps make the pool's nodes in
/// the order a walk of the expression tree would: `A && B && C` is `AndStart, A, And, B,
/// And, C, And` (`y && A`, then `&& B`, then `&& C`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// One symbol or constant.
    Sym(usize),
    /// `a OP b`.
    Cmp(CmpOp, usize, usize),
    /// Negates the value on top.
    Not,
    /// Starts a chain of `&&` with `y`.
    AndStart,
    /// The top value joined to the one below with `&&`.
    And,
    /// Starts a chain of `||` with `n`.
    OrStart,
    /// The top value joined to the one below with `||`.
    Or,
}

/// Where parsing stopped and what would have been accepted there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ExprError {
    /// Index of the offending token in the statement (the token count for end of line).
    pub at: usize,
    /// What was expected.
    pub expected: &'static str,
}

/// A failure, and whether it is final: after an operator or an opening `(` was accepted
/// a missing operand is an error of the whole expression (no other reading is tried),
/// while a failure at an operand's first token lets the alternatives be tried.
#[derive(Clone, Copy, Debug)]
enum Fail {
    /// Another alternative may still match.
    Retry(ExprError),
    /// The expression is wrong here.
    Final(ExprError),
}

impl Fail {
    fn error(self) -> ExprError {
        match self {
            Fail::Retry(e) | Fail::Final(e) => e,
        }
    }
}

const OPERAND: &str = "a symbol, a quoted constant, `!` or `(`";

struct Descent<'a> {
    toks: &'a [Tok],
    out: &'a mut Vec<Step>,
}

impl Descent<'_> {
    fn kind(&self, i: usize) -> Option<TokKind> {
        self.toks.get(i).map(|t| t.kind)
    }

    fn is_symbol(&self, i: usize) -> bool {
        matches!(self.kind(i), Some(TokKind::Word | TokKind::Quoted))
    }

    /// Refuses to nest deeper than [`MAX_NESTING`]; `at` is the token after the `!` or `(`.
    fn deeper(depth: u32, at: usize) -> Result<u32, Fail> {
        if depth >= MAX_NESTING {
            return Err(Fail::Final(ExprError {
                at,
                expected: "an expression nested less deeply",
            }));
        }
        Ok(depth + 1)
    }

    /// `! unary`, `( expr )` or `symbol [OP symbol]`, from token `i`; the index after it.
    fn unary(&mut self, i: usize, depth: u32) -> Result<usize, Fail> {
        match self.kind(i) {
            Some(TokKind::Not) => {
                let d = Self::deeper(depth, i + 1)?;
                // The operand of `!` is required once `!` was read.
                let next = self.unary(i + 1, d).map_err(|f| Fail::Final(f.error()))?;
                self.out.push(Step::Not);
                Ok(next)
            }
            Some(TokKind::LParen) => {
                let d = Self::deeper(depth, i + 1)?;
                // A failure at the first token inside is retried as the other operand
                // forms, which fail at `(` itself: the error further on is the one kept.
                let next = self.or_expr(i + 1, d)?;
                if self.kind(next) != Some(TokKind::RParen) {
                    return Err(Fail::Final(ExprError {
                        at: next,
                        expected: "`)`, `&&` or `||`",
                    }));
                }
                Ok(next + 1)
            }
            Some(TokKind::Word | TokKind::Quoted) => {
                let op = match self.kind(i + 1) {
                    Some(TokKind::Eq) => CmpOp::Eq,
                    Some(TokKind::Ne) => CmpOp::Ne,
                    Some(TokKind::Lt) => CmpOp::Lt,
                    Some(TokKind::Le) => CmpOp::Le,
                    Some(TokKind::Gt) => CmpOp::Gt,
                    Some(TokKind::Ge) => CmpOp::Ge,
                    _ => {
                        self.out.push(Step::Sym(i));
                        return Ok(i + 1);
                    }
                };
                if !self.is_symbol(i + 2) {
                    return Err(Fail::Final(ExprError {
                        at: i + 2,
                        expected: OPERAND,
                    }));
                }
                self.out.push(Step::Cmp(op, i, i + 2));
                Ok(i + 3)
            }
            _ => Err(Fail::Retry(ExprError {
                at: i,
                expected: OPERAND,
            })),
        }
    }

    /// `unary (&& unary)*`
    fn and_expr(&mut self, i: usize, depth: u32) -> Result<usize, Fail> {
        let first = self.out.len();
        let mut next = self.unary(i, depth)?;
        let mut chain = false;
        while self.kind(next) == Some(TokKind::And) {
            if !chain {
                // Lowered before the first operand: `y && first`.
                self.out.insert(first, Step::AndStart);
                self.out.push(Step::And);
                chain = true;
            }
            next = self
                .unary(next + 1, depth)
                .map_err(|f| Fail::Final(f.error()))?;
            self.out.push(Step::And);
        }
        Ok(next)
    }

    /// `and_expr (|| and_expr)*`
    fn or_expr(&mut self, i: usize, depth: u32) -> Result<usize, Fail> {
        let first = self.out.len();
        let mut next = self.and_expr(i, depth)?;
        let mut chain = false;
        while self.kind(next) == Some(TokKind::Or) {
            if !chain {
                self.out.insert(first, Step::OrStart);
                self.out.push(Step::Or);
                chain = true;
            }
            next = self
                .and_expr(next + 1, depth)
                .map_err(|f| Fail::Final(f.error()))?;
            self.out.push(Step::Or);
        }
        Ok(next)
    }
}

/// Parses the longest expression starting at token `start` into `steps` (cleared first);
/// returns the index of the first token after it.
pub(crate) fn parse_expr(
    toks: &[Tok],
    start: usize,
    steps: &mut Vec<Step>,
) -> Result<usize, ExprError> {
    steps.clear();
    // The common case, one symbol not followed by an operator (`depends on FOO`,
    // `default y if BAR`), is what the grammar gives, without the descent.
    if let Some(t) = toks.get(start)
        && matches!(t.kind, TokKind::Word | TokKind::Quoted)
        && !toks.get(start + 1).is_some_and(|n| {
            matches!(
                n.kind,
                TokKind::And
                    | TokKind::Or
                    | TokKind::Eq
                    | TokKind::Ne
                    | TokKind::Lt
                    | TokKind::Le
                    | TokKind::Gt
                    | TokKind::Ge
            )
        })
    {
        steps.push(Step::Sym(start));
        return Ok(start + 1);
    }
    let mut d = Descent { toks, out: steps };
    d.or_expr(start, 0).map_err(Fail::error)
}
