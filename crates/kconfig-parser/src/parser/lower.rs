//! Lowering parsed expressions into the model's pool: which token text is a constant, a
//! symbol, or a recorded toolchain probe (an unknown fact).

use kp_base::{CmpOp, Expr, ExprId, ExprPool, Operand, Span, Tristate};

use super::{Line, Parser, cmp_str};
use crate::expr_parser::Raw;
use crate::lexer::{Tok, TokKind};
use crate::model::ShellCallId;
use crate::preprocess::{has_marker, markers, render_markers};

impl Parser<'_> {
    // ---- expressions ---------------------------------------------------------------------

    pub(super) fn lower(&mut self, raw: &Raw, line: &Line<'_>) -> ExprId {
        match raw {
            Raw::Sym(i) => self.lower_token(line, *i),
            Raw::Cmp(op, a, b) => {
                let (ta, tb) = (line.tokens()[*a], line.tokens()[*b]);
                let (xa, xb) = (line.st.text(&ta), line.st.text(&tb));
                let marked = |t: &Tok, x: &str| line.st.may_hold_marker(t) && has_marker(x);
                if marked(&ta, xa) || marked(&tb, xb) {
                    let text = format!(
                        "{}{}{}",
                        render_markers(xa, &self.pp.shell_calls),
                        cmp_str(*op),
                        render_markers(xb, &self.pp.shell_calls)
                    );
                    let span = Span::new(line.file, ta.start as usize, tb.end as usize);
                    return self.exprs.unknown_fact(text, Some(span));
                }
                let oa = self.operand(&ta, xa);
                let ob = self.operand(&tb, xb);
                self.exprs.cmp(*op, oa, ob)
            }
            Raw::Not(x) => {
                let e = self.lower(x, line);
                self.exprs.not(e)
            }
            Raw::And(xs) => {
                let mut acc = self.exprs.yes();
                for x in xs {
                    let e = self.lower(x, line);
                    acc = self.exprs.and(acc, e);
                }
                acc
            }
            Raw::Or(xs) => {
                let mut acc = self.exprs.no();
                for x in xs {
                    let e = self.lower(x, line);
                    acc = self.exprs.or(acc, e);
                }
                acc
            }
        }
    }

    /// A comparison operand: `y`/`m`/`n` and quoted words are constants (`sym_lookup()` with
    /// `SYMBOL_CONST`), other unquoted words are symbols (an undefined one has its own name as
    /// its value, which is how numbers such as `0x10` compare).
    pub(super) fn operand(&mut self, t: &Tok, text: &str) -> Operand {
        let n = self.exprs.name(text);
        if t.kind == TokKind::Quoted || Tristate::from_letter(text).is_some() {
            Operand::Const(n)
        } else {
            self.note_created(n);
            Operand::Symbol(n)
        }
    }

    /// One symbol in a boolean context.
    fn lower_token(&mut self, line: &Line<'_>, i: usize) -> ExprId {
        let t = line.tokens()[i];
        let text = line.st.text(&t);
        if line.st.may_hold_marker(&t) && has_marker(text) {
            return self.fact_for(text, line.span_of(&t));
        }
        if let Some(v) = Tristate::from_letter(text) {
            return self.exprs.constant(v);
        }
        if t.kind == TokKind::Quoted {
            // A constant symbol's tristate value is n (`sym_calc_value()`, default branch).
            return self.exprs.no();
        }
        let n = self.exprs.name(text);
        self.note_created(n);
        self.exprs.symbol(n)
    }

    /// The unknown fact for text holding recorded `$(shell,...)` output: one fact per call
    /// when the text is exactly one call's output, else one fact for this occurrence.
    fn fact_for(&mut self, text: &str, span: Span) -> ExprId {
        let calls: Vec<ShellCallId> = markers(text).collect();
        let rendered = render_markers(text, &self.pp.shell_calls);
        if let [single] = calls[..]
            && text.starts_with(crate::preprocess::MARK_OPEN)
            && text.ends_with(crate::preprocess::MARK_CLOSE)
        {
            let idx = single.0 as usize;
            if self.shell_facts.len() <= idx {
                self.shell_facts.resize(idx + 1, None);
            }
            if let Some(e) = self.shell_facts[idx] {
                return e;
            }
            let call_span = self.pp.shell_calls.get(idx).map_or(span, |c| c.span);
            let e = self.exprs.unknown_fact(rendered, Some(call_span));
            self.shell_facts[idx] = Some(e);
            return e;
        }
        self.exprs.unknown_fact(rendered, Some(span))
    }
}

/// `expr_trans_compare(e, E_EQUAL, &symbol_no)` (expr.c): the condition "`e` is `n`", as 7.2's
/// `menu_add_dep()` builds it for `depends on X if Y` (`X || (Y = n)`).
pub(super) fn equals_no(exprs: &mut ExprPool, e: ExprId) -> ExprId {
    trans_compare_no(exprs, e, true)
}

/// `expr_trans_compare(e, equal ? E_EQUAL : E_UNEQUAL, &symbol_no)`.
fn trans_compare_no(exprs: &mut ExprPool, e: ExprId, equal: bool) -> ExprId {
    match exprs.get(e) {
        // (a && b) = n  is  a = n || b = n; (a || b) = n  is  a = n && b = n.
        Expr::And(a, b) | Expr::Or(a, b) => {
            let (x, y) = (
                trans_compare_no(exprs, a, true),
                trans_compare_no(exprs, b, true),
            );
            let r = if matches!(exprs.get(e), Expr::And(..)) {
                exprs.or(x, y)
            } else {
                exprs.and(x, y)
            };
            if equal { r } else { exprs.not(r) }
        }
        Expr::Not(a) => trans_compare_no(exprs, a, !equal),
        Expr::Symbol(n) => {
            let no = exprs.name("n");
            let op = if equal { CmpOp::Eq } else { CmpOp::Ne };
            exprs.cmp(op, Operand::Symbol(n), Operand::Const(no))
        }
        // A constant compared with `n`.
        Expr::Const(t) => {
            let holds = (t == Tristate::No) == equal;
            exprs.constant(if holds { Tristate::Yes } else { Tristate::No })
        }
        // Comparisons are `y` or `n`: `c = n` is `!c`. A recorded probe is taken as such a
        // truth value too.
        Expr::Cmp(..) | Expr::Unknown(_) => {
            if equal {
                exprs.not(e)
            } else {
                e
            }
        }
    }
}
