//! Data-driven snapshots: every `test_data/{ok,err}/*.Kconfig` fixture (files separated by
//! `#- path` lines; `*.legacy.Kconfig` uses the 6.1 grammar, `*.v5_10` 5.10's, `*.v7_2` 7.2's, `*.kconfiglib.Kconfig` accepts
//! Kconfiglib's source extensions) is parsed in record mode and its
//! menu tree plus rendered diagnostics compared with `tests/snapshots/`. `ok` fixtures must
//! give no error, `err` fixtures at least one. Every span must lie inside its file.
//! `INSTA_UPDATE=always cargo test -p kconfig-parser --test snapshots` rewrites them; read
//! the diff before committing.

use kconfig_parser::{Dialect, MemLoader, Options, ShellMode, dump, parse};

fn run(dir: &str, want_errors: bool) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("test_data")
        .join(dir);
    let mut names: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    assert!(!names.is_empty());
    for path in names {
        let name = path
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .trim_end_matches(".Kconfig")
            .to_string();
        let fixture = std::fs::read_to_string(&path).unwrap();
        let dialect = if name.ends_with(".legacy") {
            Dialect::LINUX_6_1
        } else if name.ends_with(".v5_10") {
            Dialect::LINUX_5_10
        } else if name.ends_with(".v7_2") {
            Dialect::LINUX_7_2
        } else {
            Dialect::LINUX_6_12
        };
        let mut options = Options::new(dialect, ShellMode::Record);
        options.kconfiglib_sources = name.ends_with(".kconfiglib");
        options.env = vec![("ARCH".into(), "x86".into()), ("CC".into(), "gcc".into())];
        let model = parse("Kconfig", &MemLoader::from_fixture(&fixture), &options);
        for d in &model.diagnostics {
            for span in std::iter::once(d.primary).chain(d.notes.iter().map(|n| n.0)) {
                let len = model.sources.file(span.file).text.len() as u32;
                assert!(
                    span.start <= span.end && span.end <= len,
                    "{name}: span {span:?} outside its file"
                );
            }
        }
        let errors = model.error_count();
        let rendered: String = model
            .diagnostics
            .iter()
            .map(|d| d.render(&model.sources))
            .collect();
        assert_eq!(
            errors > 0,
            want_errors,
            "{name}: {errors} errors\n{rendered}"
        );
        let mut text = dump::to_text(&model);
        text.push_str("---\n");
        for d in &model.diagnostics {
            text.push_str(&d.render(&model.sources));
        }
        insta::assert_snapshot!(format!("{dir}__{name}"), text);
    }
}

#[test]
fn fixtures_that_parse() {
    run("ok", false);
}

#[test]
fn malformed_fixtures_report_every_error() {
    run("err", true);
}
