//! Kconfig as SAT: the encoding ([`Encoding`]) and the backend trait ([`SatBackend`]).

pub mod backend;
pub mod encode;

pub use backend::{Lit, SatBackend, Varisat};
pub use encode::{Encoding, PoolKey, Rule, Tri};
