/*!
Kbuild evaluation: the kernel's Makefiles in, a graph of directories, objects and modules with
conditions out.

- [`parse`]: makefile text to statements (GNU make's reading phase).
- [`eval`]: the GNU make subset evaluator over guarded values ([`value::Value`]), the same
  code for concrete mode (a `.config`; every guard is `y`) and symbolic mode (`$(CONFIG_X)`
  is `y` when `X=y`, `m` when `X=m`, guards in the shared [`kp_base::ExprPool`]).
- [`walk`]: the descent from the top-level `Kbuild` exactly as `scripts/Makefile.build`
  does, and `scripts/Makefile.lib`'s list arithmetic; produces a [`walk::Graph`].
- [`lists`]: the concrete lists (built-in objects, lib.a objects, modules with members) of a
  graph under a configuration, in the oracle's shape, and per-object conditions.

This crate never runs make or a shell. What it cannot model (a `$(shell ...)` whose output
reaches an object list, a computed include) becomes an unknown fact in the pool, with its
file:line, never a silent omission.
*/

pub mod config;
pub mod eval;
pub mod guard;
pub mod lists;
pub mod parse;
pub mod value;
pub mod walk;

pub use config::read_config;
pub use eval::ConfigMode;
pub use lists::{Conditions, KbuildLists, Module, Occurrence};
pub use walk::{Graph, Options, evaluate, normalize};
