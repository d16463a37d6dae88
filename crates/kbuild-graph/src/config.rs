//! Reading a `.config` with `include/config/auto.conf` semantics: `n` values and empty
//! strings are absent (make must not see `CONFIG_X=""` as non-empty), other values keep their
//! text, quotes included, as make sees them.

use std::collections::HashMap;
use std::path::Path;

use kp_base::expr::{Valuation, ValueType};
use kp_base::{ExprPool, NameId, Tristate};

/// `CONFIG_NAME` -> value, as make sees it after including auto.conf.
pub fn read_config(text: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for line in text.lines() {
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let k = k.trim();
        if !k.starts_with("CONFIG_") || k.contains(char::is_whitespace) {
            continue;
        }
        let v = v.trim();
        if v.is_empty() || v == "n" || v == "\"\"" {
            continue;
        }
        out.insert(k.to_string(), v.to_string());
    }
    out
}

/// Whether the tree's conf writes string values into `include/config/auto.conf` raw, as
/// make then sees them (6.1 on: `scripts/kconfig/confdata.c: print_symbol_for_autoconf`
/// prints without escaping, so `CONFIG_X=` for an empty string), rather than quoted as in
/// `.config` (5.10: `kconfig_printer_cb`, so make sees `CONFIG_X=""`, a non-empty value).
pub fn auto_conf_strings_raw(srctree: &Path) -> bool {
    std::fs::read_to_string(srctree.join("scripts/kconfig/confdata.c"))
        .is_ok_and(|c| c.contains("print_symbol_for_autoconf"))
}

/// `CONFIG_NAME` -> value of a `.config`, as make sees it after including the auto.conf
/// that the tree at `srctree` writes for it: `n` values absent; strings quoted (and `""`
/// kept) or raw (and empty ones absent), as [`auto_conf_strings_raw`] says.
pub fn read_config_for(text: &str, srctree: &Path) -> HashMap<String, String> {
    let raw = auto_conf_strings_raw(srctree);
    let mut out = HashMap::new();
    for line in text.lines() {
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let k = k.trim();
        if !k.starts_with("CONFIG_") || k.contains(char::is_whitespace) {
            continue;
        }
        let v = v.trim();
        let v = match v.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
            Some(inner) if raw => unescape(inner),
            _ => v.to_string(),
        };
        if v.is_empty() || v == "n" {
            out.remove(k);
            continue;
        }
        out.insert(k.to_string(), v);
    }
    out
}

/// A `.config` string's text without its escapes (`\"` and `\\`).
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A configuration as a [`Valuation`] of the pool's names, for evaluating symbolic
/// conditions (names without the `CONFIG_` prefix).
pub struct ConfigValuation {
    values: HashMap<NameId, String>,
}

impl ConfigValuation {
    /// Builds the valuation of `config` (from [`read_config`]) for names in `pool`.
    pub fn new(pool: &ExprPool, config: &HashMap<String, String>) -> ConfigValuation {
        let mut values = HashMap::new();
        for (k, v) in config {
            if let Some(n) = k.strip_prefix("CONFIG_").and_then(|s| pool.find_name(s)) {
                values.insert(n, v.clone());
            }
        }
        ConfigValuation { values }
    }
}

impl Valuation for ConfigValuation {
    fn tristate(&self, name: NameId) -> Tristate {
        self.values
            .get(&name)
            .and_then(|v| Tristate::from_letter(v))
            .unwrap_or(Tristate::No)
    }

    fn string_value(&self, name: NameId) -> (ValueType, std::borrow::Cow<'_, str>) {
        match self.values.get(&name) {
            None => (ValueType::Tristate, "n".into()),
            Some(v) if Tristate::from_letter(v).is_some() => {
                (ValueType::Tristate, v.as_str().into())
            }
            Some(v) => (ValueType::String, v.trim_matches('"').into()),
        }
    }

    fn unknown(&self, _: u32) -> Tristate {
        // What make's $(shell ...) would print is not known; concrete mode reads it as empty.
        Tristate::No
    }
}

/// The valuation where every guard is already constant (concrete-mode graphs).
pub struct NoValuation;

impl Valuation for NoValuation {
    fn tristate(&self, _: NameId) -> Tristate {
        Tristate::No
    }
    fn string_value(&self, _: NameId) -> (ValueType, std::borrow::Cow<'_, str>) {
        (ValueType::Tristate, "n".into())
    }
    fn unknown(&self, _: u32) -> Tristate {
        Tristate::No
    }
}
