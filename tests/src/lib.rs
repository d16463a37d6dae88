//! Support for the integration tests: the real trees, fetched once per machine and cached.
//!
//! Tests that need a real tree call [`tree`]; it fetches Debian's `linux-source-<version>`
//! into `${KPOSSIBLE_CACHE:-~/.cache/kpossible}` on first use (the README's test command
//! fetches both up front).

use std::sync::{Mutex, OnceLock};

/// The Debian tree of `version` (`6.1` or `6.12`), fetched when absent. Panics with the reason
/// when it cannot be had: a conformance test without its tree must fail, not pass.
pub fn tree(version: &str) -> ktree::Tree {
    static FETCH: OnceLock<Mutex<()>> = OnceLock::new();
    let _guard = FETCH
        .get_or_init(|| Mutex::new(()))
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    ktree::fetch(&ktree::cache_dir(), version)
        .unwrap_or_else(|e| panic!("kernel tree {version}: {e}"))
}

/// The oracle for `arch` on the Debian tree `version`, with the `CROSS_COMPILE`, `LLVM` and
/// `LLVM_IAS` of the environment when set (kpossible's own Kconfig parse reads them too).
pub fn oracle(version: &str, arch: &str) -> oracle::Oracle {
    let toolchain: Vec<(&str, String)> = ["CROSS_COMPILE", "LLVM", "LLVM_IAS"]
        .into_iter()
        .filter_map(|k| Some((k, std::env::var(k).ok().filter(|v| !v.is_empty())?)))
        .collect();
    let mut pins = oracle::DEFAULT_PINS.to_vec();
    pins.extend(toolchain.iter().map(|(k, v)| (*k, v.as_str())));
    oracle::Oracle::with_pins(&tree(version), arch, &ktree::cache_dir(), &pins)
        .unwrap_or_else(|e| panic!("oracle {version} {arch}: {e}"))
}

pub mod configs;
