//! Why does the model define symbols that neither allyesconfig nor allnoconfig names?
//! `cargo run --release -p kconfig-parser --example unnamed -- 6.12 x86_64`: classifies each
//! such symbol by what its direct dependencies (own `depends on` and those of every enclosing
//! `if`/`menu`/`choice`) refer to.

use std::collections::{BTreeMap, BTreeSet, HashMap};

#[path = "../tests/tree_env/mod.rs"]
mod tree_env;
use kconfig_parser::ShellMode;
use kp_base::{Expr, ExprId, ExprPool, Operand};
use tree_env::parse_tree;

fn names(pool: &ExprPool, e: ExprId, out: &mut BTreeSet<String>) {
    match pool.get(e) {
        Expr::Symbol(n) => {
            out.insert(pool.name_text(n).to_string());
        }
        Expr::Not(a) => names(pool, a, out),
        Expr::And(a, b) | Expr::Or(a, b) => {
            names(pool, a, out);
            names(pool, b, out);
        }
        Expr::Cmp(_, a, b) => {
            for o in [a, b] {
                if let Operand::Symbol(n) = o {
                    out.insert(pool.name_text(n).to_string());
                }
            }
        }
        _ => {}
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let version = args.get(1).map_or("6.12", |s| s);
    let arch = args.get(2).map_or("x86_64", |s| s);
    let tree = ktree::Tree::open(&ktree::tree_path(&ktree::cache_dir(), version)).unwrap();
    let oracle = oracle::Oracle::new(&tree, arch, &ktree::cache_dir()).unwrap();
    let parse_cfg = |text: String| -> HashMap<String, String> {
        text.lines()
            .filter_map(|l| {
                if let Some(r) = l.strip_prefix("# CONFIG_") {
                    return r
                        .strip_suffix(" is not set")
                        .map(|k| (k.to_string(), "n".to_string()));
                }
                let (k, v) = l.strip_prefix("CONFIG_")?.split_once('=')?;
                Some((k.to_string(), v.to_string()))
            })
            .collect()
    };
    let yes = parse_cfg(oracle.allyesconfig().unwrap().value);
    let no = parse_cfg(oracle.allnoconfig().unwrap().value);
    let model = parse_tree(tree.root(), arch, ShellMode::Record);
    let mut categories: BTreeMap<&str, usize> = BTreeMap::new();
    let mut undefined_refs: BTreeMap<String, usize> = BTreeMap::new();
    let mut n_refs: BTreeMap<String, usize> = BTreeMap::new();
    let mut unexplained = Vec::new();
    for (i, s) in model.symbols.iter().enumerate() {
        let name = model.symbol_name(kconfig_parser::SymbolId(i as u32));
        if yes.contains_key(name) || no.contains_key(name) {
            continue;
        }
        // Per definition: the names its direct dependencies refer to.
        let mut any_undefined = false;
        let mut gating_n = BTreeSet::new();
        for &d in &s.definitions {
            let mut refs = BTreeSet::new();
            for m in std::iter::once(d).chain(model.ancestors(d)) {
                for c in &model.menu(m).depends {
                    names(&model.exprs, c.expr, &mut refs);
                }
            }
            for r in refs {
                if model.symbol_named(&r).is_none() {
                    any_undefined = true;
                    *undefined_refs.entry(r).or_default() += 1;
                } else if yes.get(&r).is_none_or(|v| v == "n") {
                    gating_n.insert(r);
                }
            }
        }
        let cat = if any_undefined {
            "depends on a symbol this arch never defines"
        } else if !gating_n.is_empty() {
            for g in gating_n {
                *n_refs.entry(g).or_default() += 1;
            }
            "depends on a symbol allyesconfig leaves n"
        } else {
            unexplained.push(name.to_string());
            "other"
        };
        *categories.entry(cat).or_default() += 1;
    }
    let top = |m: BTreeMap<String, usize>| {
        let mut v: Vec<_> = m.into_iter().collect();
        v.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
        v.truncate(15);
        v
    };
    println!("{version} {arch}: {categories:?}");
    println!(
        "  undefined symbols most depended on: {:?}",
        top(undefined_refs)
    );
    println!("  n-in-allyes symbols most depended on: {:?}", top(n_refs));
    println!(
        "  other ({}): {:?}",
        unexplained.len(),
        &unexplained[..unexplained.len().min(40)]
    );
}
