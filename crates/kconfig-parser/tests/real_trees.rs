//! Every SRCARCH of both real trees parses with zero errors (record mode: no shell runs).
//! These tests fail, not skip, when a tree is missing: fetch it with `kpossible fetch 6.12`.

mod tree_env;
use kconfig_parser::ShellMode;
use tree_env::parse_tree;

fn tree(version: &str) -> ktree::Tree {
    let path = ktree::tree_path(&ktree::cache_dir(), version);
    ktree::Tree::open(&path).unwrap_or_else(|e| {
        panic!("kernel tree {version} missing ({e}); run `kpossible fetch {version}`")
    })
}

fn every_srcarch_parses(version: &str) {
    let tree = tree(version);
    let mut failures = Vec::new();
    for srcarch in tree.srcarches().unwrap() {
        let t = std::time::Instant::now();
        let model = parse_tree(tree.root(), &srcarch, ShellMode::Record);
        let s = model.stats();
        println!(
            "{version} {srcarch:<10} files {:>5} entries {:>6} symbols {:>6} (bool {} tristate {} int {} hex {} string {} untyped {}) shell {:>3} errors {} warnings {} [{:.0} ms]",
            s.files,
            s.entries,
            s.symbols,
            s.bool,
            s.tristate,
            s.int,
            s.hex,
            s.string,
            s.untyped,
            s.shell_calls,
            s.errors,
            s.warnings,
            t.elapsed().as_secs_f64() * 1e3
        );
        // Node lines are counted by the lexer; they must be the lines of the spans.
        for m in model.menus.iter().skip(1) {
            assert_eq!(m.line, model.sources.line_col(m.span).line, "{m:?}");
            if let Some((_, span)) = m.ty {
                assert_eq!(m.ty_line, model.sources.line_col(span).line, "{m:?}");
            }
        }
        for d in model
            .diagnostics
            .iter()
            .filter(|d| d.severity == kp_base::Severity::Error)
        {
            failures.push(d.render(&model.sources));
        }
        assert!(
            s.symbols > 1000,
            "{version} {srcarch}: only {} symbols",
            s.symbols
        );
    }
    assert!(
        failures.is_empty(),
        "{} errors:\n{}",
        failures.len(),
        failures.iter().take(30).cloned().collect::<String>()
    );
}

#[test]
fn every_srcarch_of_6_12_parses_without_errors() {
    every_srcarch_parses("6.12");
}

#[test]
fn every_srcarch_of_6_1_parses_without_errors() {
    every_srcarch_parses("6.1");
}

#[test]
fn fs_globs_follow_the_tree() {
    let tree = tree("6.12");
    let loader = kconfig_parser::FsLoader::new(tree.root());
    let found = kconfig_parser::Loader::glob(&loader, "arch/*/Kconfig");
    let want: Vec<String> = tree
        .srcarches()
        .unwrap()
        .iter()
        .map(|a| format!("arch/{a}/Kconfig"))
        .collect();
    assert_eq!(found, want);
    assert!(
        kconfig_parser::Loader::glob(&loader, "arch/x86/Kconfig.[a-c]*")
            .contains(&"arch/x86/Kconfig.assembler".to_string())
    );
}
