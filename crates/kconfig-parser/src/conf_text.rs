//! What the tree's own `conf` prints for the problems and messages of parsing that it prints
//! itself and stops on: the preprocessor's output built-ins and `pperror()`, and `source`
//! failures (`lexer.l: zconf_nextfile`). `kpossible config` prints these instead of the
//! diagnostics, so its stdout and stderr read as conf's.

use std::path::Path;

use kp_base::{Diagnostic, SourceMap};

use crate::preprocess::{ERROR_IF, INFO, WARNING_IF};

/// Where `conf` prints a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfStream {
    /// `$(info,...)`: `printf()`.
    Stdout,
    /// Everything else: `fprintf(stderr, ...)`.
    Stderr,
}

/// The wording of the tree's `conf` where versions differ, read from its sources.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfStyle {
    /// The inclusion path of a recursive `source` goes up to the top file (the lexer keeps
    /// a `source_lineno` per buffer, 6.9 and later) rather than stopping at the first
    /// inclusion of the file sourced again.
    pub include_path_to_top: bool,
    /// Recursive dependencies are checked in menu order (`menu_for_each_entry`, 6.12 and
    /// later) rather than symbol-table order (`for_all_symbols`).
    pub dep_check_in_menu_order: bool,
    /// A recursive dependency's lines start with `FILE:LINE:` (up to 6.11); later ones
    /// name only a choice block's place.
    pub dep_cycle_locations: bool,
}

impl ConfStyle {
    /// The style of the `conf` of the tree at `root` (its `scripts/kconfig/lexer.l`); a
    /// tree without one is taken as recent.
    pub fn detect(root: &Path) -> ConfStyle {
        let read = |f: &str| std::fs::read_to_string(root.join("scripts/kconfig").join(f));
        ConfStyle {
            include_path_to_top: read("lexer.l").map_or(true, |t| t.contains("source_lineno")),
            dep_check_in_menu_order: read("parser.y").map_or(true, |t| {
                t.contains("menu->sym && sym_check_deps(menu->sym)")
            }),
            dep_cycle_locations: read("symbol.c")
                .is_ok_and(|t| t.contains("\"%s:%d:error: recursive dependency detected!")),
        }
    }
}

/// What `conf` prints for `d`, on which stream, and whether it exits there (exit status 1);
/// `None` for a diagnostic conf has no message of its own for (the caller renders it).
///
/// `$(info,text)` prints `text` (`preprocess.c: do_info`); `$(warning-if,y,text)` prints
/// `FILE:LINE: text` (`do_warning_if`); `$(error-if,y,text)` and the other `pperror()`s
/// (self-referencing variable, wrong number of arguments) print the same and exit. A
/// recursive `source` prints the inclusion path and exits (`zconf_nextfile`).
pub fn conf_output(
    d: &Diagnostic,
    sources: &SourceMap,
    style: ConfStyle,
) -> Option<(ConfStream, String, bool)> {
    let at = |span: kp_base::Span| {
        format!(
            "{}:{}",
            sources.path(span.file).display(),
            sources.line_col(span).line
        )
    };
    let quoted = || {
        d.message
            .split('`')
            .nth(1)
            .unwrap_or(d.message.as_str())
            .to_string()
    };
    let text = |prefix: &str| {
        d.message
            .strip_prefix(prefix)
            .unwrap_or(&d.message)
            .to_string()
    };
    Some(match d.code {
        "KP0312" => (ConfStream::Stdout, format!("{}\n", text(INFO)), false),
        "KP0311" => (
            ConfStream::Stderr,
            format!("{}: {}\n", at(d.primary), text(WARNING_IF)),
            false,
        ),
        "KP0310" => (
            ConfStream::Stderr,
            format!("{}: {}\n", at(d.primary), text(ERROR_IF)),
            true,
        ),
        "KP0303" | "KP0304" => (
            ConfStream::Stderr,
            format!("{}: {}\n", at(d.primary), d.message),
            true,
        ),
        "KP0201" => (
            ConfStream::Stderr,
            format!("{}: can't open file \"{}\"\n", at(d.primary), quoted()),
            true,
        ),
        "KP0202" => {
            let mut out = format!(
                "Recursive inclusion detected.\nInclusion path:\n  current file : {}\n  included from: {}\n",
                quoted(),
                at(d.primary)
            );
            // The notes: each `source` up the chain, the last one the first inclusion of
            // the file sourced again, where conf up to 6.8 stops.
            let shown = if style.include_path_to_top {
                d.notes.len()
            } else {
                d.notes.len().saturating_sub(1)
            };
            for (span, _) in &d.notes[..shown] {
                out.push_str(&format!("  included from: {}\n", at(*span)));
            }
            (ConfStream::Stderr, out, true)
        }
        _ => return None,
    })
}
