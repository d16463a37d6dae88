/*!
Kconfig semantics and the possibility solver.

- [`Kconfig`] derives, from the parser's model, the expressions the kernel's C tool evaluates
  (`menu_finalize`): prompt visibility, defaults, `dir_dep`, `rev_dep`, `implied`, choices.
- [`Evaluation`] computes one configuration exactly as `scripts/kconfig/symbol.c` does, for
  6.12 and for 6.1 (whose choices may be tristate and optional).
- [`dotconfig`] reads and writes `.config` files and runs the `conf` targets
  (`olddefconfig`, `allnoconfig`, `allyesconfig`, `allmodconfig`, `alldefconfig`,
  `defconfig`), byte-identical to the tree's own `conf` apart from the header banner.
- [`sat`] encodes the same rules as CNF (an over-approximation of the configurations
  `olddefconfig` leaves unchanged), behind the small [`sat::SatBackend`] trait.
*/

pub mod arch;
pub mod dotconfig;
pub mod eval;
pub mod kconfig;
pub mod possibility;
pub mod quick;
pub mod recursive;
pub mod sat;

pub use dotconfig::{Target, run_target};
pub use eval::Evaluation;
pub use kconfig::Kconfig;
