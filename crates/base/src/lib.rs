/*!
The lowest crate of kpossible: the vocabulary every other crate shares.

- [`source`]: [`FileId`], [`Span`] and the [`SourceMap`] that owns file texts and turns byte
  offsets into `line:col` only when printing.
- [`diag`]: one [`Diagnostic`] type (code, severity, message, primary span, notes), rendered
  in the compiler's `path:line:col: error[KPxxx]: message` form so editors can jump to it.
- [`expr`]: the one representation of a condition over Kconfig symbols, a hash-consed DAG
  ([`ExprPool`], [`ExprId`]) with the kernel's tristate meaning. The Kconfig parser builds
  its `depends on` / `default` / `select` expressions in it, kbuild-graph builds its
  `obj-$(CONFIG_X)` guards in it, and the solver evaluates and encodes it.

This crate does no I/O beyond what its callers hand it and never panics on input.
*/

pub mod diag;
pub mod expr;
pub mod source;

pub use diag::{Diagnostic, Severity};
pub use expr::{CmpOp, Expr, ExprId, ExprPool, NameId, Operand, Tristate};
pub use source::{FileId, LineCol, SourceMap, Span};
