//! The parser never panics and always returns spans inside their files: random token soups,
//! random bytes, and random edits of every fixture, in both dialects, with `source` loops
//! and macros in the mix. (The cargo-fuzz target in `fuzz/` runs the same entry point.)

use kconfig_parser::{Dialect, MemLoader, Model, Options, ShellMode, parse};
use proptest::prelude::*;

const PIECES: &[&str] = &[
    "config",
    "menuconfig",
    "choice",
    "endchoice",
    "menu",
    "endmenu",
    "if",
    "endif",
    "comment",
    "source",
    "mainmenu",
    "bool",
    "tristate",
    "int",
    "hex",
    "string",
    "def_bool",
    "def_tristate",
    "default",
    "depends",
    "on",
    "select",
    "imply",
    "range",
    "visible",
    "prompt",
    "help",
    "modules",
    "optional",
    "A",
    "B_2",
    "y",
    "m",
    "n",
    "0x10",
    "\"q\"",
    "'s'",
    "\"",
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "!",
    "&&",
    "||",
    "(",
    ")",
    ":=",
    "+=",
    "$(",
    "$(A)",
    "$(shell,echo y)",
    "$(info,x)",
    "$(1)",
    "$(f,a,b)",
    ",",
    "\\\n",
    "\n",
    "\n\t",
    "\n  ",
    " ",
    "\t",
    "#",
    "\"sub/Kconfig\"",
    "\r",
    "é",
    "\u{E000}0\u{E001}",
];

fn check(model: &Model) {
    for d in &model.diagnostics {
        for span in std::iter::once(d.primary).chain(d.notes.iter().map(|n| n.0)) {
            let len = model.sources.get(span.file).map_or(0, |f| f.text.len()) as u32;
            assert!(span.start <= span.end && span.end <= len);
        }
        let _ = d.render(&model.sources);
    }
    for (i, m) in model.menus.iter().enumerate() {
        let len = model.sources.get(m.span.file).map_or(0, |f| f.text.len()) as u32;
        assert!(m.span.end <= len);
        let _ = model.help_text(kconfig_parser::MenuId(i as u32));
        check_lines(model, m);
    }
    let _ = kconfig_parser::dump::to_text(model);
}

/// The lines the lexer counts for a node and its type are those of their spans (the lines
/// `Kconfig::new` reports and names nameless choices by).
fn check_lines(model: &Model, m: &kconfig_parser::MenuNode) {
    if m.kind != kconfig_parser::MenuKind::Root {
        assert_eq!(m.line, model.sources.line_col(m.span).line, "{m:?}");
    }
    if let Some((_, span)) = m.ty {
        assert_eq!(m.ty_line, model.sources.line_col(span).line, "{m:?}");
    }
}

fn parse_both(main: &[u8], sub: &[u8]) {
    let mut files = MemLoader::new();
    files
        .add("Kconfig", main.to_vec())
        .add("sub/Kconfig", sub.to_vec());
    for dialect in [
        Dialect::LINUX_5_10,
        Dialect::LINUX_6_1,
        Dialect::LINUX_6_12,
        Dialect::LINUX_7_2,
    ] {
        let mut o = Options::new(dialect, ShellMode::Record);
        o.env = vec![("A".into(), "y".into())];
        check(&parse("Kconfig", &files, &o));
    }
}

fn fixtures() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for dir in ["ok", "err"] {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("test_data")
            .join(dir);
        for e in std::fs::read_dir(root).unwrap() {
            out.push(std::fs::read(e.unwrap().path()).unwrap());
        }
    }
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn token_soup(main in prop::collection::vec(0..PIECES.len(), 0..120), sub in prop::collection::vec(0..PIECES.len(), 0..60)) {
        let join = |v: &[usize]| v.iter().map(|&i| PIECES[i]).collect::<Vec<_>>().join(" ");
        parse_both(join(&main).as_bytes(), format!("source \"Kconfig\"\n{}", join(&sub)).as_bytes());
    }

    #[test]
    fn random_bytes(main in prop::collection::vec(any::<u8>(), 0..600)) {
        parse_both(&main, b"");
    }

    #[test]
    fn mutated_fixtures(which in any::<prop::sample::Index>(), edits in prop::collection::vec((any::<prop::sample::Index>(), 0..PIECES.len(), 0u8..3), 1..12)) {
        let all = fixtures();
        let mut text = all[which.index(all.len())].clone();
        for (at, piece, op) in edits {
            let i = at.index(text.len() + 1);
            match op {
                0 => { text.splice(i..i, PIECES[piece].bytes()); }
                1 => { if i < text.len() { text.remove(i); } }
                _ => { text.truncate(i); }
            }
        }
        parse_both(&text, b"config S\n\tbool\n");
    }
}

#[test]
fn pathological_inputs_are_bounded() {
    let deep = format!(
        "config A\n\tbool\n\tdepends on {}B{}\n",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let nots = format!("config A\n\tbool\n\tdepends on {}B\n", "!".repeat(100_000));
    let long_chain = format!(
        "config A\n\tbool\n\tdepends on B{}\n",
        " && B".repeat(200_000)
    );
    let macro_bomb = "a := x\nb := $(a)$(a)$(a)$(a)$(a)$(a)$(a)$(a)$(a)$(a)$(a)$(a)$(a)$(a)$(a)$(a)\nc := $(b)$(b)$(b)$(b)$(b)$(b)$(b)$(b)$(b)$(b)$(b)$(b)$(b)$(b)$(b)$(b)\nd := $(c)$(c)$(c)$(c)$(c)$(c)$(c)$(c)$(c)$(c)$(c)$(c)$(c)$(c)$(c)$(c)\ne := $(d)$(d)$(d)$(d)$(d)$(d)$(d)$(d)$(d)$(d)$(d)$(d)$(d)$(d)$(d)$(d)\nf := $(e)$(e)$(e)$(e)$(e)$(e)$(e)$(e)$(e)$(e)$(e)$(e)$(e)$(e)$(e)$(e)\ng := $(f)$(f)$(f)$(f)$(f)$(f)$(f)$(f)$(f)$(f)$(f)$(f)$(f)$(f)$(f)$(f)\n".to_string();
    let recursion = "f = $(f,$(1)x)\nA := $(f,a)\ng = $(g)\nB := $(g)\n".to_string();
    let self_source = "source \"Kconfig\"\n".to_string();
    for text in [deep, nots, long_chain, macro_bomb, recursion, self_source] {
        parse_both(text.as_bytes(), b"");
    }
}
