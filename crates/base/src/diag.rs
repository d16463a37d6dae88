//! Diagnostics as values: every problem found in a Kconfig file, a Makefile or a `.config`
//! is a [`Diagnostic`] with a span, returned beside a best-effort result and rendered only at
//! the edge (the CLI) in the compiler's `path:line:col: error[code]: message` form.

use crate::source::{SourceMap, Span};

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Information worth showing (e.g. `$(info,...)` output).
    Note,
    /// The input is accepted but suspicious (the kernel's tools warn too).
    Warning,
    /// The input is rejected at this point; results around it may be incomplete.
    Error,
}

/// One problem with its location.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// Stable code, e.g. `KP0101`, listed in the README.
    pub code: &'static str,
    /// Severity.
    pub severity: Severity,
    /// What is wrong, and where possible what was expected.
    pub message: String,
    /// Where.
    pub primary: Span,
    /// Further places with a note each (e.g. where a `source` loop started).
    pub notes: Vec<(Span, String)>,
}

impl Diagnostic {
    /// An error at `primary`.
    pub fn error(code: &'static str, primary: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            primary,
            notes: Vec::new(),
        }
    }

    /// A warning at `primary`.
    pub fn warning(code: &'static str, primary: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Warning,
            message: message.into(),
            primary,
            notes: Vec::new(),
        }
    }

    /// Adds a note at another span.
    pub fn with_note(mut self, span: Span, note: impl Into<String>) -> Diagnostic {
        self.notes.push((span, note.into()));
        self
    }

    /// Renders in the short compiler form, with the offending source line and a caret:
    ///
    /// ```text
    /// arch/x86/Kconfig:12:5: error[KP0102]: unknown keyword `bol`, expected a type or attribute
    ///    12 |     bol
    ///       |     ^^^
    /// ```
    pub fn render(&self, map: &SourceMap) -> String {
        let severity = match self.severity {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        let mut out = format!(
            "{}: {}[{}]: {}\n",
            map.location(self.primary),
            severity,
            self.code,
            self.message
        );
        render_snippet(&mut out, map, self.primary);
        for (span, note) in &self.notes {
            out.push_str(&format!("{}: note: {}\n", map.location(*span), note));
        }
        out
    }
}

fn render_snippet(out: &mut String, map: &SourceMap, span: Span) {
    let Some(file) = map.get(span.file) else {
        return;
    };
    let lc = file.line_col(span.start);
    let text = file.line_text(lc.line);
    if text.is_empty() && span.start == span.end {
        return;
    }
    // Long lines (a 10 MB line is valid input) are cut around the caret.
    let col = lc.col as usize - 1;
    let (shown, caret_col) = if text.len() > 200 {
        let from = floor_char_boundary(text, col.saturating_sub(40));
        let to = floor_char_boundary(text, (col + 80).min(text.len()));
        (format!("...{}...", &text[from..to]), col - from + 3)
    } else {
        (text.to_string(), col)
    };
    let width =
        ((span.end - span.start) as usize).clamp(1, shown.len().saturating_sub(caret_col).max(1));
    let gutter = lc.line.to_string().len();
    out.push_str(&format!(
        "{:>gutter$} | {}\n",
        lc.line,
        shown.replace('\t', " ")
    ));
    out.push_str(&format!(
        "{:>gutter$} | {}{}\n",
        "",
        " ".repeat(caret_col),
        "^".repeat(width)
    ));
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_location_code_and_caret() {
        let mut map = SourceMap::new();
        let f = map.add("Kconfig", "config A\n\tbol\n".to_string());
        let d = Diagnostic::error("KP0102", Span::new(f, 10, 13), "unknown keyword `bol`");
        assert_eq!(
            d.render(&map),
            "Kconfig:2:2: error[KP0102]: unknown keyword `bol`\n2 |  bol\n  |  ^^^\n"
        );
    }

    #[test]
    fn huge_lines_are_cut() {
        let mut map = SourceMap::new();
        let f = map.add("big", "x".repeat(1_000_000));
        let d = Diagnostic::error("KP0001", Span::new(f, 500_000, 500_001), "bad");
        assert!(d.render(&map).len() < 500);
    }
}
