//! Both `$(shell,...)` modes on the real trees (ARCH=x86_64):
//! - record mode runs nothing and turns each probe into an unknown fact;
//! - run mode runs them as conf does, and every promptless, unconditional
//!   `def_bool $(probe)` symbol gets exactly the value the tree's own conf wrote to
//!   allnoconfig (with the same RUSTC/PAHOLE pins).

use std::collections::HashMap;

mod tree_env;
use kconfig_parser::{MenuKind, Model, PropertyKind, ShellMode, SymbolType};
use kp_base::{Expr, Tristate};
use tree_env::parse_tree;

/// Symbols defined once, with no prompt, no `depends on` (theirs or an enclosing block's),
/// no select onto them, and a single unconditional bool default: their value is the default.
fn plain_probe_symbols(record: &Model) -> Vec<String> {
    let selected: std::collections::HashSet<_> = record
        .menus
        .iter()
        .flat_map(|m| m.properties.iter())
        .filter_map(|p| match p.kind {
            PropertyKind::Select(n) | PropertyKind::Imply(n) => Some(n),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for (i, s) in record.symbols.iter().enumerate() {
        let id = kconfig_parser::SymbolId(i as u32);
        if s.definitions.len() != 1 || s.ty != Some(SymbolType::Bool) || selected.contains(&s.name)
        {
            continue;
        }
        let node = record.menu(s.definitions[0]);
        let inherited = record
            .ancestors(s.definitions[0])
            .any(|a| !record.menu(a).depends.is_empty());
        if node.prompt.is_some()
            || !node.depends.is_empty()
            || inherited
            || node.properties.len() != 1
        {
            continue;
        }
        if let PropertyKind::Default { value, .. } = node.properties[0].kind
            && node.properties[0].cond.is_none()
            && matches!(record.exprs.get(value), Expr::Unknown(_))
        {
            out.push(record.symbol_name(id).to_string());
        }
    }
    out
}

fn run_mode_matches_conf(version: &str) {
    let path = ktree::tree_path(&ktree::cache_dir(), version);
    let tree =
        ktree::Tree::open(&path).unwrap_or_else(|e| panic!("kernel tree {version} missing ({e})"));
    let record = parse_tree(tree.root(), "x86_64", ShellMode::Record);
    let run = parse_tree(tree.root(), "x86_64", ShellMode::Run);
    assert_eq!(record.error_count() + run.error_count(), 0);
    assert!(record.shell_calls.iter().all(|c| c.output.is_none()));
    assert!(run.shell_calls.iter().all(|c| c.output.is_some()));
    assert_eq!(
        record.shell_calls.len(),
        run.shell_calls.len(),
        "the same calls are made in both modes"
    );
    assert!(
        run.exprs.unknowns().is_empty(),
        "run mode leaves no unknown fact"
    );
    let oracle = oracle::Oracle::new(&tree, "x86_64", &ktree::cache_dir()).unwrap();
    let conf: HashMap<String, bool> = oracle
        .allnoconfig()
        .unwrap()
        .value
        .lines()
        .filter_map(|l| {
            l.strip_prefix("CONFIG_")
                .and_then(|r| r.split_once('='))
                .map(|(k, v)| (k.to_string(), v == "y"))
        })
        .collect();
    let probes = plain_probe_symbols(&record);
    assert!(
        probes.len() >= 20,
        "{version}: only {} probe symbols",
        probes.len()
    );
    let mut mismatches = Vec::new();
    for name in &probes {
        let sym = run.symbol_named(name).unwrap();
        let node = run.menu(run.symbol(sym).definitions[0]);
        assert!(matches!(node.kind, MenuKind::Config(_)));
        let PropertyKind::Default { value, .. } = node.properties[0].kind else {
            unreachable!()
        };
        let ours = match run.exprs.get(value) {
            Expr::Const(Tristate::Yes) => true,
            Expr::Const(Tristate::No) => false,
            other => panic!("{name}: run-mode default is {other:?}"),
        };
        let theirs = conf.get(name).copied().unwrap_or(false);
        if ours != theirs {
            mismatches.push(format!("{name}: ours {ours}, conf {theirs}"));
        }
    }
    println!(
        "{version}: {} probe symbols compared, {} shell calls",
        probes.len(),
        run.shell_calls.len()
    );
    assert!(mismatches.is_empty(), "{version}: {mismatches:?}");
}

#[test]
fn run_mode_matches_conf_6_12() {
    run_mode_matches_conf("6.12");
}

#[test]
fn run_mode_matches_conf_6_1() {
    run_mode_matches_conf("6.1");
}
