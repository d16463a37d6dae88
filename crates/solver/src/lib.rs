//! Kconfig semantics and the possibility solver. (Being written; see issues 5 and 7.)
