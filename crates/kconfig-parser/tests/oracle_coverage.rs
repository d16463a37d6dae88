//! Every symbol the kernel's own `conf` writes to `.config` for allyesconfig and allnoconfig
//! (set or `is not set`) is defined by our model, with a type that fits the value conf wrote,
//! on four arches of both trees (x86 as both x86_64 and the 32-bit-capable ARCH=x86). The
//! oracle caches its results on disk, so after the first run this costs one parse per arch.

use std::collections::{BTreeMap, BTreeSet};

mod tree_env;
use kconfig_parser::{ShellMode, SymbolType};
use tree_env::parse_tree;

/// `NAME=value` lines (`# NAME is not set` gives `n`).
fn values(config: &str) -> impl Iterator<Item = (&str, &str)> {
    config.lines().filter_map(|l| {
        if let Some(r) = l.strip_prefix("# CONFIG_") {
            return r.strip_suffix(" is not set").map(|k| (k, "n"));
        }
        l.strip_prefix("CONFIG_")?.split_once('=')
    })
}

fn named(config: &str) -> BTreeSet<String> {
    config
        .lines()
        .filter_map(|l| {
            let l = l.strip_prefix("# ").unwrap_or(l);
            let rest = l.strip_prefix("CONFIG_")?;
            let end = rest.find(['=', ' ']).unwrap_or(rest.len());
            Some(rest[..end].to_string())
        })
        .collect()
}

fn coverage(version: &str) {
    let path = ktree::tree_path(&ktree::cache_dir(), version);
    let tree =
        ktree::Tree::open(&path).unwrap_or_else(|e| panic!("kernel tree {version} missing ({e})"));
    let mut problems = Vec::new();
    for arch in ["x86_64", "x86", "arm64", "riscv", "powerpc"] {
        let oracle = oracle::Oracle::new(&tree, arch, &ktree::cache_dir()).unwrap();
        let yes_text = oracle.allyesconfig().unwrap().value;
        let no_text = oracle.allnoconfig().unwrap().value;
        let (yes, no) = (named(&yes_text), named(&no_text));
        let model = parse_tree(tree.root(), arch, ShellMode::Record);
        assert_eq!(model.error_count(), 0);
        let defined: BTreeSet<String> = (0..model.symbols.len())
            .map(|i| {
                model
                    .symbol_name(kconfig_parser::SymbolId(i as u32))
                    .to_string()
            })
            .collect();
        let missing: Vec<&String> = yes.union(&no).filter(|s| !defined.contains(*s)).collect();
        for config in [&yes_text, &no_text] {
            for (name, value) in values(config) {
                let Some(id) = model.symbol_named(name) else {
                    continue;
                };
                let ty = model.symbol(id).ty;
                let fits = match value {
                    "y" | "n" => matches!(ty, Some(SymbolType::Bool | SymbolType::Tristate)),
                    "m" => ty == Some(SymbolType::Tristate),
                    v if v.starts_with('"') => ty == Some(SymbolType::String),
                    _ => matches!(ty, Some(SymbolType::Int | SymbolType::Hex)),
                };
                if !fits {
                    problems.push(format!(
                        "{version} {arch}: {name}={value} but our type is {ty:?}"
                    ));
                }
            }
        }
        let unnamed: Vec<&String> = defined
            .iter()
            .filter(|s| !yes.contains(*s) && !no.contains(*s))
            .collect();
        // Where the symbols neither file names are defined, by directory.
        let mut by_dir: BTreeMap<String, usize> = BTreeMap::new();
        for name in &unnamed {
            let sym = model.symbol(model.symbol_named(name).unwrap());
            let path = model
                .sources
                .path(model.menu(sym.definitions[0]).span.file)
                .display()
                .to_string();
            let dir = path
                .split('/')
                .take(if path.starts_with("arch/") { 2 } else { 1 })
                .collect::<Vec<_>>()
                .join("/");
            *by_dir.entry(dir).or_default() += 1;
        }
        let mut top: Vec<_> = by_dir.into_iter().collect();
        top.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
        println!(
            "{version} {arch:<8} defined {:>6} allyes {:>6} allno {:>5} missing {} named-in-neither {:>5} {:?}",
            defined.len(),
            yes.len(),
            no.len(),
            missing.len(),
            unnamed.len(),
            &top[..top.len().min(8)]
        );
        if !missing.is_empty() {
            problems.push(format!("{version} {arch}: {missing:?}"));
        }
    }
    assert!(
        problems.is_empty(),
        "symbols conf writes that we do not define:\n{}",
        problems.join("\n")
    );
}

#[test]
fn allyes_and_allno_symbols_are_all_defined_6_12() {
    coverage("6.12");
}

#[test]
fn allyes_and_allno_symbols_are_all_defined_6_1() {
    coverage("6.1");
}
