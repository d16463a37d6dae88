//! Bad Kconfig input beyond the `test_data/err` fixtures (which cover unknown keywords,
//! `source` loops, missing sourced files, recursive macros, unbalanced `if`/`endif`):
//! truncation anywhere, bytes that are not UTF-8, 10 MB lines, a help block cut off by the
//! end of the file. Each gives `path:line:col` diagnostics where the kernel's tools
//! complain, and nothing panics or hangs.

use std::time::{Duration, Instant};

use kconfig_parser::{Dialect, MemLoader, Model, Options, ShellMode, parse};

fn parse_bytes(text: &[u8]) -> Model {
    let mut files = MemLoader::new();
    files.add("Kconfig", text.to_vec());
    parse(
        "Kconfig",
        &files,
        &Options::new(Dialect::LINUX_6_12, ShellMode::Record),
    )
}

/// The first line of each rendered diagnostic.
fn diags(model: &Model) -> Vec<String> {
    model
        .diagnostics
        .iter()
        .map(|d| {
            d.render(&model.sources)
                .lines()
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

#[test]
fn truncated_at_every_byte() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/ok");
    let text = std::fs::read(root.join("every_construct.Kconfig")).expect("fixture");
    for cut in 0..text.len() {
        let model = parse_bytes(&text[..cut]);
        for d in &model.diagnostics {
            let len = model.sources.file(d.primary.file).text.len() as u32;
            assert!(d.primary.end <= len, "cut at {cut}: {d:?}");
        }
    }
}

#[test]
fn truncated_inside_a_block() {
    let model = parse_bytes(b"menu \"Drivers\"\nconfig A\n\tbool \"A\"\n\tdepends on B &&");
    assert_eq!(
        diags(&model),
        [
            "Kconfig:4:17: warning[KP0105]: no newline at end of file",
            "Kconfig:4:17: error[KP0110]: invalid expression: expected a symbol, a quoted constant, `!` or `(`, found end of line",
            "Kconfig:1:1: error[KP0131]: missing `endmenu` for this `menu` before the end of the file",
        ]
    );
}

#[test]
fn truncated_inside_a_string() {
    // The kernel's lexer ends a string at the end of the file silently, and one cut by a
    // newline with a warning.
    let model = parse_bytes(b"config A\n\tbool \"unfinished");
    assert_eq!(
        diags(&model),
        ["Kconfig:2:18: warning[KP0105]: no newline at end of file"]
    );
    let model = parse_bytes(b"config A\n\tbool \"unfinished\n\tdefault y\n");
    let d = diags(&model);
    assert!(
        d.iter()
            .any(|l| l.starts_with("Kconfig:2:7: warning[KP0103]")),
        "{d:#?}"
    );
    assert_eq!(model.error_count(), 0, "{d:#?}");
}

#[test]
fn non_utf8_bytes() {
    // In a prompt: conf takes bytes as they are; we replace and say where.
    let model = parse_bytes(b"config A\n\tbool \"caf\xe9\"\n");
    assert_eq!(
        diags(&model),
        ["Kconfig:2:11: warning[KP0106]: invalid UTF-8 replaced by U+FFFD"]
    );
    assert!(model.symbol_named("A").is_some());
    // After a symbol name: the kernel's lexer ignores the character with a warning.
    let model = parse_bytes(b"config A\xff\n\tbool\n");
    assert_eq!(
        diags(&model),
        [
            "Kconfig:1:9: warning[KP0106]: invalid UTF-8 replaced by U+FFFD",
            "Kconfig:1:9: warning[KP0104]: ignoring unsupported character `\u{FFFD}`",
        ]
    );
}

#[test]
fn ten_megabyte_lines() {
    let started = Instant::now();
    let ten_mb = 10 << 20;
    let mut prompt = b"config A\n\tbool \"".to_vec();
    prompt.extend(std::iter::repeat_n(b'p', ten_mb));
    prompt.extend(b"\"\n");
    let model = parse_bytes(&prompt);
    assert!(model.diagnostics.is_empty(), "{:#?}", diags(&model));

    let mut comment = b"# ".to_vec();
    comment.extend(std::iter::repeat_n(b'#', ten_mb));
    comment.extend(b"\nconfig B\n\tbool\n");
    let model = parse_bytes(&comment);
    assert!(model.diagnostics.is_empty());
    assert!(model.symbol_named("B").is_some());

    let mut deps = b"config C\n\tbool\n\tdepends on D".to_vec();
    while deps.len() < ten_mb {
        deps.extend(b" || D");
    }
    deps.push(b'\n');
    let model = parse_bytes(&deps);
    assert!(model.diagnostics.is_empty(), "{:#?}", diags(&model));

    let mut macro_line = b"X := ".to_vec();
    macro_line.extend(std::iter::repeat_n(b'x', ten_mb));
    macro_line.extend(b"\nconfig E\n\tstring\n\tdefault \"$(X)\"\n");
    let model = parse_bytes(&macro_line);
    assert!(model.symbol_named("E").is_some());
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn help_block_cut_off_by_end_of_file() {
    // Help text ends at the end of the file, without a final newline, silently (as in the
    // kernel's lexer).
    let model = parse_bytes(b"config A\n\tbool \"A\"\n\thelp\n\t  First line.\n\t  Second");
    assert_eq!(diags(&model), Vec::<String>::new());
    let a = model.symbol_named("A").expect("A");
    let menu = model.symbol(a).definitions[0];
    assert_eq!(
        model.help_text(menu).as_deref(),
        Some("First line.\nSecond")
    );
    // `help` as the last word of the file.
    let model = parse_bytes(b"config A\n\tbool \"A\"\n\thelp");
    assert_eq!(model.error_count(), 0, "{:#?}", diags(&model));
}
