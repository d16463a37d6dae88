//! The expression grammar of `parser.y` (`expr:`), written with nom over the statement's
//! tokens. Precedence, loosest first: `||`, `&&`, `!`, then comparisons, which only join two
//! symbols (`symbol OP symbol`), so `!A = B` is `!(A = B)` and `A = B = C` is an error.
//!
//! The result is a small tree of token indices ([`Raw`]); the caller lowers it into the
//! model's [`kp_base::ExprPool`], where it also knows what each token's text means (a
//! constant, a symbol, a recorded toolchain probe).

use nom::error::{ErrorKind, ParseError};
use nom::{IResult, Input, Needed, Parser};

use crate::lexer::{Tok, TokKind};
use kp_base::CmpOp;

/// Deepest nesting of parentheses and `!` accepted (bison's own stack holds 10000 states;
/// this bound keeps our recursion far from the thread's stack limit).
pub(crate) const MAX_NESTING: u32 = 200;

/// A parsed expression; numbers are indices into the statement's tokens.
#[derive(Debug)]
pub(crate) enum Raw {
    Sym(usize),
    Cmp(CmpOp, usize, usize),
    Not(Box<Raw>),
    /// Operands of a chain of `&&` (flat, so a long chain does not nest).
    And(Vec<Raw>),
    /// Operands of a chain of `||`.
    Or(Vec<Raw>),
}

/// Tokens as nom input: a slice plus the index of its first token in the statement and the
/// current nesting depth.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Toks<'a> {
    toks: &'a [Tok],
    off: usize,
    depth: u32,
}

impl<'a> Input for Toks<'a> {
    type Item = &'a Tok;
    type Iter = std::slice::Iter<'a, Tok>;
    type IterIndices = std::iter::Enumerate<std::slice::Iter<'a, Tok>>;

    fn input_len(&self) -> usize {
        self.toks.len()
    }

    fn take(&self, index: usize) -> Self {
        Toks {
            toks: &self.toks[..index],
            ..*self
        }
    }

    fn take_from(&self, index: usize) -> Self {
        Toks {
            toks: &self.toks[index..],
            off: self.off + index,
            depth: self.depth,
        }
    }

    fn take_split(&self, index: usize) -> (Self, Self) {
        (self.take_from(index), self.take(index))
    }

    fn position<P>(&self, predicate: P) -> Option<usize>
    where
        P: Fn(Self::Item) -> bool,
    {
        self.toks.iter().position(predicate)
    }

    fn iter_elements(&self) -> Self::Iter {
        self.toks.iter()
    }

    fn iter_indices(&self) -> Self::IterIndices {
        self.toks.iter().enumerate()
    }

    fn slice_index(&self, count: usize) -> Result<usize, Needed> {
        if self.toks.len() >= count {
            Ok(count)
        } else {
            Err(Needed::new(count - self.toks.len()))
        }
    }
}

/// Where parsing stopped and what would have been accepted there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ExprError {
    /// Index of the offending token in the statement (the token count for end of line).
    pub at: usize,
    /// What was expected.
    pub expected: &'static str,
}

impl<'a> ParseError<Toks<'a>> for ExprError {
    fn from_error_kind(input: Toks<'a>, _kind: ErrorKind) -> Self {
        ExprError {
            at: input.off,
            expected: "an expression",
        }
    }

    fn append(_input: Toks<'a>, _kind: ErrorKind, other: Self) -> Self {
        other
    }

    fn or(self, other: Self) -> Self {
        // The alternative that got further explains the problem best.
        if other.at >= self.at { other } else { self }
    }
}

type PResult<'a, T> = IResult<Toks<'a>, T, ExprError>;

fn fail<'a, T>(i: Toks<'a>, expected: &'static str) -> PResult<'a, T> {
    Err(nom::Err::Error(ExprError {
        at: i.off,
        expected,
    }))
}

fn token<'a>(
    kind: TokKind,
    expected: &'static str,
) -> impl Parser<Toks<'a>, Output = usize, Error = ExprError> {
    move |i: Toks<'a>| match i.toks.first() {
        Some(t) if t.kind == kind => Ok((i.take_from(1), i.off)),
        _ => fail(i, expected),
    }
}

const OPERAND: &str = "a symbol, a quoted constant, `!` or `(`";

/// `symbol: T_WORD | T_WORD_QUOTE`.
fn symbol(i: Toks<'_>) -> PResult<'_, usize> {
    match i.toks.first() {
        Some(t) if matches!(t.kind, TokKind::Word | TokKind::Quoted) => Ok((i.take_from(1), i.off)),
        _ => fail(i, OPERAND),
    }
}

fn cmp_op(i: Toks<'_>) -> PResult<'_, CmpOp> {
    let op = match i.toks.first().map(|t| t.kind) {
        Some(TokKind::Eq) => CmpOp::Eq,
        Some(TokKind::Ne) => CmpOp::Ne,
        Some(TokKind::Lt) => CmpOp::Lt,
        Some(TokKind::Le) => CmpOp::Le,
        Some(TokKind::Gt) => CmpOp::Gt,
        Some(TokKind::Ge) => CmpOp::Ge,
        _ => return fail(i, "a comparison operator"),
    };
    Ok((i.take_from(1), op))
}

/// `symbol [OP symbol]`
fn comparison(i: Toks<'_>) -> PResult<'_, Raw> {
    let (i, a) = symbol(i)?;
    match cmp_op(i) {
        Ok((j, op)) => {
            let (j, b) = nom::combinator::cut(symbol).parse(j)?;
            Ok((j, Raw::Cmp(op, a, b)))
        }
        Err(_) => Ok((i, Raw::Sym(a))),
    }
}

fn deeper(i: Toks<'_>) -> Result<Toks<'_>, nom::Err<ExprError>> {
    if i.depth >= MAX_NESTING {
        return Err(nom::Err::Failure(ExprError {
            at: i.off,
            expected: "an expression nested less deeply",
        }));
    }
    Ok(Toks {
        depth: i.depth + 1,
        ..i
    })
}

/// `( expr )`
fn parenthesized(i: Toks<'_>) -> PResult<'_, Raw> {
    let depth = i.depth;
    let (j, _) = token(TokKind::LParen, OPERAND).parse(i)?;
    let (j, e) = or_expr(deeper(j)?)?;
    let (j, _) = nom::combinator::cut(token(TokKind::RParen, "`)`, `&&` or `||`")).parse(j)?;
    Ok((Toks { depth, ..j }, e))
}

/// `! expr` (binding tighter than `&&` and `||`)
fn not(i: Toks<'_>) -> PResult<'_, Raw> {
    let depth = i.depth;
    let (j, _) = token(TokKind::Not, OPERAND).parse(i)?;
    let (j, e) = nom::combinator::cut(unary).parse(deeper(j)?)?;
    Ok((Toks { depth, ..j }, Raw::Not(Box::new(e))))
}

fn unary(i: Toks<'_>) -> PResult<'_, Raw> {
    nom::branch::alt((not, parenthesized, comparison)).parse(i)
}

fn and_expr(i: Toks<'_>) -> PResult<'_, Raw> {
    let (mut i, first) = unary(i)?;
    // Most conditions have one operand: no vector is allocated for them.
    let mut first = Some(first);
    let mut all = Vec::new();
    while let Ok((j, _)) = token(TokKind::And, "").parse(i) {
        let (k, rhs) = nom::combinator::cut(unary).parse(j)?;
        all.extend(first.take());
        all.push(rhs);
        i = k;
    }
    Ok((
        i,
        match first {
            Some(only) => only,
            None => Raw::And(all),
        },
    ))
}

fn or_expr(i: Toks<'_>) -> PResult<'_, Raw> {
    let (mut i, first) = and_expr(i)?;
    // Most conditions have one operand: no vector is allocated for them.
    let mut first = Some(first);
    let mut all = Vec::new();
    while let Ok((j, _)) = token(TokKind::Or, "").parse(i) {
        let (k, rhs) = nom::combinator::cut(and_expr).parse(j)?;
        all.extend(first.take());
        all.push(rhs);
        i = k;
    }
    Ok((
        i,
        match first {
            Some(only) => only,
            None => Raw::Or(all),
        },
    ))
}

/// Parses the longest expression starting at token `start`; returns it and the index of the
/// first token after it.
pub(crate) fn parse_expr(toks: &[Tok], start: usize) -> Result<(Raw, usize), ExprError> {
    // The common case, one symbol not followed by an operator (`depends on FOO`,
    // `default y if BAR`), is what the grammar below gives, without running it.
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
        return Ok((Raw::Sym(start), start + 1));
    }
    let input = Toks {
        toks: toks.get(start..).unwrap_or(&[]),
        off: start,
        depth: 0,
    };
    match or_expr(input) {
        Ok((rest, e)) => Ok((e, rest.off)),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(e),
        Err(nom::Err::Incomplete(_)) => Err(ExprError {
            at: toks.len(),
            expected: OPERAND,
        }),
    }
}
