//! Differential test against the kernel's own parser: `tests/kernel_dump.c` is linked with
//! the tree's `scripts/kconfig` sources (bison and flex run here) and prints every menu node
//! and every property of every symbol with its file:line. Our model (run mode, same
//! environment) must have exactly the same nodes and, per definition, the same properties at
//! the same lines with the same expression trees (the kernel's folded the way kpossible's
//! pool folds constants while building; see `canon()` in the C file).
//! For ARCH=x86_64 on both trees; with KPOSSIBLE_FULL=1 for every SRCARCH (each runs the
//! arch's toolchain probes twice, so that takes minutes).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

mod tree_env;
use kconfig_parser::{MenuKind, PropertyKind, ShellMode};
use kp_base::{Expr, ExprId, ExprPool, Operand};
use tree_env::parse_tree;

/// The canonical form of `tests/kernel_dump.c: canon()`.
fn canon(pool: &ExprPool, e: ExprId) -> String {
    match pool.get(e) {
        Expr::Const(t) => t.letter().to_string(),
        Expr::Symbol(n) => format!("${}", pool.name_text(n)),
        Expr::Not(a) => format!("!({})", canon(pool, a)),
        Expr::And(a, b) => format!("&({},{})", canon(pool, a), canon(pool, b)),
        Expr::Or(a, b) => format!("|({},{})", canon(pool, a), canon(pool, b)),
        Expr::Cmp(op, a, b) => {
            format!("{}({},{})", op.as_str(), operand(pool, a), operand(pool, b))
        }
        Expr::Unknown(_) => "?".to_string(),
    }
}

fn operand(pool: &ExprPool, o: Operand) -> String {
    match o {
        Operand::Symbol(n) => format!("${}", pool.name_text(n)),
        Operand::Const(n) => format!("'{}'", pool.name_text(n)),
    }
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
    let env = tree_env::conf_env(tree.root(), arch, ShellMode::Run).vars;
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
                let (k, text) = match &p.kind {
                    PropertyKind::Default {
                        value, operand: op, ..
                    } => {
                        let c = canon(&m.exprs, *value);
                        let text = match op {
                            Some(o) => format!("{c} {}", operand(&m.exprs, *o)),
                            None => c,
                        };
                        ("default", text)
                    }
                    PropertyKind::Select(x) => ("select", format!("${}", m.exprs.name_text(*x))),
                    PropertyKind::Imply(x) => ("imply", format!("${}", m.exprs.name_text(*x))),
                    PropertyKind::Range { low, high, .. } => (
                        "range",
                        format!(
                            "range({},{})",
                            operand(&m.exprs, *low),
                            operand(&m.exprs, *high)
                        ),
                    ),
                };
                (
                    p.span.start,
                    format!("P {name} {k} {}|{text}\n", line(p.span)),
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
    let theirs = kernel_dump(version, tree, arch);
    let ours = ours(tree, arch);
    // Nodes as a multiset; each node's property lines stay attached to it, in order.
    let group = |text: &str| {
        let mut map: BTreeMap<String, usize> = BTreeMap::new();
        let mut cur = String::new();
        for l in text.lines() {
            if l.starts_with("M ") && !cur.is_empty() {
                *map.entry(std::mem::take(&mut cur)).or_default() += 1;
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
