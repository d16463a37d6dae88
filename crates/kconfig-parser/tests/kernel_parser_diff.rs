//! Differential test against the kernel's own parser: `tests/kernel_dump.c` is linked with
//! the tree's `scripts/kconfig` sources (bison and flex run here) and prints every menu node
//! and every property of every symbol with its file:line. Our model (run mode, same
//! environment) must have exactly the same nodes and, per definition, the same properties at
//! the same lines, each referring to the same names (the kernel's expressions folded the way
//! kpossible's pool folds constants; see `fold()` in the C file).
//! For ARCH=x86_64 on both trees; with KPOSSIBLE_FULL=1 for every SRCARCH (each runs the
//! arch's toolchain probes twice, so that takes minutes).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use kconfig_parser::{MenuKind, PropertyKind, ShellMode, parse_tree};
use kp_base::{Expr, ExprId, ExprPool, Operand};

/// The names an expression refers to (symbols and constants, `y`/`m`/`n` left out).
fn names(pool: &ExprPool, e: ExprId, out: &mut Vec<String>) {
    match pool.get(e) {
        Expr::Symbol(n) => out.push(pool.name_text(n).to_string()),
        Expr::Not(a) => names(pool, a, out),
        Expr::And(a, b) | Expr::Or(a, b) => {
            names(pool, a, out);
            names(pool, b, out);
        }
        Expr::Cmp(_, a, b) => {
            for o in [a, b] {
                let (Operand::Symbol(n) | Operand::Const(n)) = o;
                out.push(pool.name_text(n).to_string());
            }
        }
        Expr::Const(_) | Expr::Unknown(_) => {}
    }
}

/// Sorted, deduplicated, without the tristate constants, tab separated (string constants
/// contain spaces).
fn name_set(mut v: Vec<String>) -> String {
    v.retain(|n| !matches!(n.as_str(), "y" | "m" | "n"));
    v.sort();
    v.dedup();
    v.join("\t")
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn kernel_dump(version: &str, tree: &ktree::Tree, arch: &str) -> String {
    let kc = tree.root().join("scripts/kconfig");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("kernel-dump-{version}"));
    std::fs::create_dir_all(&dir).unwrap();
    let bin = dir.join("kdump");
    if !bin.exists() {
        // The kernel's own flags (scripts/Makefile.host): -t for yydebug, -l.
        run(Command::new("bison")
            .args(["-t", "-l"])
            .arg("-o")
            .arg(dir.join("parser.tab.c"))
            .arg(format!("--defines={}", dir.join("parser.tab.h").display()))
            .arg(kc.join("parser.y")));
        run(Command::new("flex")
            .arg("-L")
            .arg("-o")
            .arg(dir.join("lexer.lex.c"))
            .arg(kc.join("lexer.l")));
        let mut cc = Command::new("gcc");
        cc.arg("-O1")
            .arg("-w")
            .arg("-I")
            .arg(&kc)
            .arg("-I")
            .arg(tree.root().join("scripts/include"))
            .arg("-I")
            .arg(&dir);
        if std::fs::read_to_string(kc.join("expr.h"))
            .unwrap()
            .contains("const char *filename;")
        {
            cc.arg("-DKV_FILENAME");
        }
        for f in [
            "confdata.c",
            "expr.c",
            "menu.c",
            "preprocess.c",
            "symbol.c",
            "util.c",
        ] {
            cc.arg(kc.join(f));
        }
        cc.arg(dir.join("parser.tab.c"))
            .arg(dir.join("lexer.lex.c"));
        cc.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kernel_dump.c"))
            .arg("-o")
            .arg(&bin);
        run(&mut cc);
    }
    let env = kconfig_parser::kernel_env(tree.root(), arch, ShellMode::Run);
    let out = Command::new(&bin)
        .arg("Kconfig")
        .current_dir(tree.root())
        .envs(env)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kernel parser failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn ours(tree: &ktree::Tree, arch: &str) -> String {
    let m = parse_tree(tree.root(), arch, ShellMode::Run);
    assert_eq!(m.error_count(), 0);
    let mut out = String::new();
    let line = |s: kp_base::Span| {
        m.sources
            .location(s)
            .rsplit_once(':')
            .map(|(a, _)| a.to_string())
            .unwrap()
    };
    // Pre-order, as the kernel's menu lists are before `_menu_finalize` moves nodes: compared
    // as multisets below, so the order of nodes does not matter.
    for (i, n) in m.menus.iter().enumerate().skip(1) {
        let (kind, name) = match n.kind {
            MenuKind::Config(s) | MenuKind::MenuConfig(s) => {
                ("config", m.symbol_name(s).to_string())
            }
            MenuKind::Choice => ("choice", "-".to_string()),
            MenuKind::Menu => ("menu", "-".to_string()),
            MenuKind::Comment => ("comment", "-".to_string()),
            MenuKind::If => ("if", "-".to_string()),
            MenuKind::Root => unreachable!(),
        };
        out.push_str(&format!("M {} {kind} {name}\n", line(n.span)));
        if kind != "config" {
            continue;
        }
        // Properties of this definition in statement order (the prompt is a property too).
        let mut props: Vec<(u32, String)> = n
            .properties
            .iter()
            .map(|p| {
                let mut refs = Vec::new();
                let op_name = |o: &Operand| match o {
                    Operand::Symbol(x) | Operand::Const(x) => m.exprs.name_text(*x).to_string(),
                };
                let k = match &p.kind {
                    PropertyKind::Default { value, operand, .. } => {
                        match operand {
                            Some(o) => refs.push(op_name(o)),
                            None => names(&m.exprs, *value, &mut refs),
                        }
                        "default"
                    }
                    PropertyKind::Select(x) => {
                        refs.push(m.exprs.name_text(*x).to_string());
                        "select"
                    }
                    PropertyKind::Imply(x) => {
                        refs.push(m.exprs.name_text(*x).to_string());
                        "imply"
                    }
                    PropertyKind::Range { low, high, .. } => {
                        refs.push(op_name(low));
                        refs.push(op_name(high));
                        "range"
                    }
                };
                (
                    p.span.start,
                    format!("P {name} {k} {}|{}\n", line(p.span), name_set(refs)),
                )
            })
            .collect();
        for p in n.earlier_prompts.iter().chain(n.prompt.as_ref()) {
            props.push((p.span.start, format!("P {name} prompt {}|\n", line(p.span))));
        }
        props.sort();
        let _ = i;
        out.extend(props.into_iter().map(|(_, s)| s));
    }
    out
}

fn compare(version: &str) {
    let path = ktree::tree_path(&ktree::cache_dir(), version);
    let tree =
        ktree::Tree::open(&path).unwrap_or_else(|e| panic!("kernel tree {version} missing ({e})"));
    let arches = if std::env::var_os("KPOSSIBLE_FULL").is_some_and(|v| v == "1") {
        tree.srcarches().unwrap()
    } else {
        vec!["x86_64".to_string()]
    };
    for arch in arches {
        compare_arch(version, &tree, &arch);
    }
}

fn compare_arch(version: &str, tree: &ktree::Tree, arch: &str) {
    let theirs: String = kernel_dump(version, tree, arch)
        .lines()
        .map(|l| match l.split_once('|') {
            Some((head, refs)) => format!(
                "{head}|{}\n",
                name_set(
                    // Every name follows a tab; the empty string is a name too (`!= ""`).
                    refs.split('\t').skip(1).map(str::to_string).collect()
                )
            ),
            None => format!("{l}\n"),
        })
        .collect();
    let ours = ours(tree, arch);
    // Nodes as a multiset; each node's property lines stay attached to it, in order.
    let group = |text: &str| {
        let mut map: BTreeMap<String, usize> = BTreeMap::new();
        let mut cur = String::new();
        for l in text.lines() {
            if l.starts_with("M ") {
                if !cur.is_empty() {
                    *map.entry(std::mem::take(&mut cur)).or_default() += 1;
                }
            }
            cur.push_str(l);
            cur.push('\n');
        }
        if !cur.is_empty() {
            *map.entry(cur).or_default() += 1;
        }
        map
    };
    let (a, b) = (group(&theirs), group(&ours));
    let only_theirs: Vec<_> = a
        .iter()
        .filter(|(k, n)| b.get(*k) != Some(n))
        .map(|(k, _)| k.clone())
        .take(10)
        .collect();
    let only_ours: Vec<_> = b
        .iter()
        .filter(|(k, n)| a.get(*k) != Some(n))
        .map(|(k, _)| k.clone())
        .take(10)
        .collect();
    println!(
        "{version} {arch}: kernel {} nodes, ours {} nodes",
        a.values().sum::<usize>(),
        b.values().sum::<usize>()
    );
    assert!(
        only_theirs.is_empty() && only_ours.is_empty(),
        "{version} {arch}\nkernel only:\n{}\nours only:\n{}",
        only_theirs.join(""),
        only_ours.join("")
    );
}

#[test]
fn same_nodes_and_properties_as_the_kernel_parser_6_12() {
    compare("6.12");
}

#[test]
fn same_nodes_and_properties_as_the_kernel_parser_6_1() {
    compare("6.1");
}
