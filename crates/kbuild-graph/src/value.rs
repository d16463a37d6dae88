//! Guarded make values: the one representation shared by concrete and symbolic evaluation.
//!
//! A [`Value`] is a concatenation of [`Part`]s, each present only when its guard (an
//! [`ExprId`] in the shared pool) holds. In concrete mode every guard is the constant `y`,
//! and a value is exactly make's string. In symbolic mode `$(CONFIG_X)` expands to the parts
//! `y` (guard `X=y`) and `m` (guard `X=m`), so `obj-$(CONFIG_X)` names `obj-y`, `obj-m` or
//! `obj-` depending on X. Word lists keep one guard per word, which is what lets a long
//! `foo-$(CONFIG_A) += ... foo-$(CONFIG_Z) += ...` list stay linear instead of multiplying
//! out into alternatives.

use kp_base::{ExprId, Span};

/// One piece of text and the condition under which it is present.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// The text (may contain whitespace).
    pub text: String,
    /// When the text is present.
    pub guard: ExprId,
    /// The assignment line the text was written on, when known.
    pub span: Option<Span>,
}

/// A guarded make value. `taint` lists the unknown facts (e.g. a `$(shell ...)`) the value
/// was computed from: the text stands in for them and may be wrong.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Value {
    /// The pieces, in order.
    pub parts: Vec<Part>,
    /// Ids of unknown facts (`ExprPool::unknown_fact`) that influenced this value.
    pub taint: Vec<ExprId>,
}

/// One word of a value with its guard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GWord {
    /// The word.
    pub text: String,
    /// When it is present.
    pub guard: ExprId,
    /// Where it was written.
    pub span: Option<Span>,
}

impl Value {
    /// The empty value.
    pub fn new() -> Value {
        Value::default()
    }

    /// A constant text.
    pub fn text(s: impl Into<String>, yes: ExprId) -> Value {
        let mut v = Value::new();
        v.push(s.into(), yes, None);
        v
    }

    /// Appends a piece, merging it into the previous one when guard and origin agree.
    pub fn push(&mut self, text: String, guard: ExprId, span: Option<Span>) {
        if text.is_empty() {
            return;
        }
        if let Some(last) = self.parts.last_mut()
            && last.guard == guard
            && last.span == span
        {
            last.text.push_str(&text);
            return;
        }
        self.parts.push(Part { text, guard, span });
    }

    /// Appends a literal string with guard `yes`.
    pub fn push_str(&mut self, s: &str, yes: ExprId) {
        if s.is_empty() {
            return;
        }
        if let Some(last) = self.parts.last_mut()
            && last.guard == yes
            && last.span.is_none()
        {
            last.text.push_str(s);
            return;
        }
        self.parts.push(Part {
            text: s.to_string(),
            guard: yes,
            span: None,
        });
    }

    /// Appends all of `other`.
    pub fn extend(&mut self, other: Value) {
        for p in other.parts {
            self.push(p.text, p.guard, p.span);
        }
        self.add_taint(&other.taint);
    }

    /// Records unknown facts this value depends on.
    pub fn add_taint(&mut self, t: &[ExprId]) {
        for &x in t {
            if !self.taint.contains(&x) {
                self.taint.push(x);
            }
        }
    }

    /// Whether every part is unconditional (always true in concrete mode).
    pub fn is_plain(&self, yes: ExprId) -> bool {
        self.parts.iter().all(|p| p.guard == yes)
    }

    /// The text of all parts, ignoring guards: make's string in concrete mode.
    pub fn flat(&self) -> String {
        let mut s = String::new();
        for p in &self.parts {
            s.push_str(&p.text);
        }
        s
    }

    /// Whether no part has any non-whitespace text.
    pub fn is_blank(&self) -> bool {
        self.parts.iter().all(|p| p.text.trim().is_empty())
    }

    /// Builds a value from words, separated by single spaces (make's word-list output).
    pub fn from_words(words: Vec<GWord>, yes: ExprId) -> Value {
        let mut v = Value::new();
        let mut first = true;
        for w in words {
            if w.guard == yes && !first {
                v.push_str(" ", yes);
                v.push(w.text, w.guard, w.span);
            } else if first {
                v.push(w.text, w.guard, w.span);
            } else {
                v.push(format!(" {}", w.text), w.guard, w.span);
            }
            first = false;
        }
        v
    }
}
