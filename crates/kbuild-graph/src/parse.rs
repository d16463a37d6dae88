//! Makefile text to statements: logical lines, comments, directives, assignments and rules.
//!
//! This is GNU make's reading phase only (`read.c`); nothing is expanded here except what
//! make itself must expand to classify a line, which the evaluator does later. Recipes are
//! skipped (Kbuild's lists never come from recipes), and rules are kept only as a marker so
//! that target-specific assignments (`foo.o: CFLAGS += -x`) are recognised and ignored.

use kp_base::{Diagnostic, FileId, Span};

/// An assignment operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignOp {
    /// `=`: recursively expanded.
    Recursive,
    /// `:=` or `::=`: simply expanded.
    Simple,
    /// `+=`: appends, keeping the variable's flavor.
    Append,
    /// `?=`: assigns only when undefined.
    Conditional,
    /// `!=`: the output of a shell command.
    Shell,
}

/// The test of a conditional directive.
#[derive(Clone, Debug)]
pub enum Cond {
    /// `ifeq (a,b)` (`negate` for `ifneq`).
    Eq {
        /// First argument, unexpanded.
        a: String,
        /// Second argument, unexpanded.
        b: String,
        /// `ifneq`.
        negate: bool,
    },
    /// `ifdef NAME` (`negate` for `ifndef`); the name is expanded.
    Def {
        /// The variable name, unexpanded.
        name: String,
        /// `ifndef`.
        negate: bool,
    },
}

/// One statement of a makefile.
#[derive(Clone, Debug)]
pub enum Stmt {
    /// `NAME op VALUE` (also `define NAME op ... endef`).
    Assign {
        /// The variable name, unexpanded.
        name: String,
        /// The operator.
        op: AssignOp,
        /// The value, unexpanded.
        value: String,
        /// Written with `override`.
        overriding: bool,
        /// Written with `export`.
        export: bool,
        /// The whole line.
        span: Span,
    },
    /// `ifeq`/`ifneq`/`ifdef`/`ifndef` ... `else` ... `endif`.
    If {
        /// The test.
        cond: Cond,
        /// Statements when it holds.
        then: Vec<Stmt>,
        /// Statements otherwise (an `else ifeq` chain nests here).
        els: Vec<Stmt>,
        /// The directive line.
        span: Span,
    },
    /// `include` / `-include` / `sinclude`.
    Include {
        /// The file names, unexpanded.
        files: String,
        /// `-include` or `sinclude`: missing files are not an error.
        optional: bool,
        /// The line.
        span: Span,
    },
    /// `export NAMES` / `unexport NAMES` without an assignment.
    Export {
        /// The names, unexpanded.
        names: String,
        /// `unexport`.
        unexport: bool,
        /// The line.
        span: Span,
    },
    /// `undefine NAME`.
    Undefine {
        /// The name, unexpanded.
        name: String,
        /// The line.
        span: Span,
    },
    /// A line that is none of the above and has no `:`: expanded for its side effects
    /// (`$(eval ...)`, `$(error ...)`, `$(info ...)`).
    Expand {
        /// The text.
        text: String,
        /// The line.
        span: Span,
    },
    /// A rule or target-specific assignment; evaluated only for `$(eval)` side effects in its
    /// target list, never for its recipe.
    Rule {
        /// The text before the first `:`.
        targets: String,
        /// The line.
        span: Span,
    },
}

/// A logical line: continuation lines joined, comment removed.
struct Line {
    text: String,
    start: usize,
    end: usize,
    /// Starts with a tab (a recipe line when a rule precedes it).
    tab: bool,
}

/// Splits `src` into logical lines. Backslash-newline and the whitespace around it become one
/// space, as GNU make does outside recipes. A `#` not escaped by a backslash starts a comment.
fn logical_lines(src: &str) -> Vec<Line> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let start = pos;
        let tab = bytes[pos] == b'\t';
        let mut text = String::new();
        let mut in_comment = false;
        loop {
            let line_end = src[pos..].find('\n').map_or(bytes.len(), |i| pos + i);
            let mut line = &src[pos..line_end];
            // Count trailing backslashes: an odd count means continuation.
            let bs = line.bytes().rev().take_while(|&b| b == b'\\').count();
            let cont = bs % 2 == 1;
            if cont {
                line = &line[..line.len() - 1];
            }
            if !in_comment {
                let (body, has_comment) = strip_comment(line);
                in_comment = has_comment;
                if cont {
                    text.push_str(body.trim_end());
                    text.push(' ');
                } else {
                    text.push_str(body);
                }
            }
            pos = if line_end < bytes.len() {
                line_end + 1
            } else {
                bytes.len()
            };
            if !cont || pos >= bytes.len() {
                out.push(Line {
                    text,
                    start,
                    end: line_end,
                    tab,
                });
                break;
            }
            // The next physical line's leading whitespace is part of the one space.
            while pos < bytes.len() && (bytes[pos] == b' ' || bytes[pos] == b'\t') {
                pos += 1;
            }
        }
    }
    out
}

fn strip_comment(line: &str) -> (&str, bool) {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'#' => return (&line[..i], true),
            _ => i += 1,
        }
    }
    (line, false)
}

/// Raw physical lines for `define` bodies, which keep comments and newlines.
fn raw_lines(src: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut pos = 0;
    for l in src.split_inclusive('\n') {
        out.push((pos, l.trim_end_matches('\n')));
        pos += l.len();
    }
    out
}

/// Parses one makefile. Problems (an unterminated `ifeq`, a stray `endif`) are diagnostics;
/// the statements read so far are still returned.
pub fn parse(file: FileId, src: &str) -> (Vec<Stmt>, Vec<Diagnostic>) {
    let lines = logical_lines(src);
    let raw = raw_lines(src);
    let mut p = Parser {
        file,
        lines,
        raw,
        i: 0,
        diags: Vec::new(),
        in_rule: false,
    };
    let (stmts, end) = p.block(0);
    if let Some((kw, span)) = end {
        p.diags.push(Diagnostic::error(
            "KP0601",
            span,
            format!("`{kw}` without a matching `if`"),
        ));
    }
    (stmts, p.diags)
}

struct Parser<'a> {
    file: FileId,
    lines: Vec<Line>,
    raw: Vec<(usize, &'a str)>,
    i: usize,
    diags: Vec<Diagnostic>,
    in_rule: bool,
}

fn split_word(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.find([' ', '\t']) {
        Some(i) => (&s[..i], s[i..].trim_start()),
        None => (s, ""),
    }
}

impl Parser<'_> {
    /// Reads statements until `else`/`endif` (returned) or the end of the file.
    fn block(&mut self, depth: usize) -> (Vec<Stmt>, Option<(String, Span)>) {
        let mut out = Vec::new();
        while self.i < self.lines.len() {
            let idx = self.i;
            self.i += 1;
            let (text, start, end, tab) = {
                let l = &self.lines[idx];
                (l.text.clone(), l.start, l.end, l.tab)
            };
            let span = Span::new(self.file, start, end);
            if tab && self.in_rule {
                continue; // recipe line
            }
            let trimmed = text.trim();
            if trimmed.is_empty() {
                continue;
            }
            let (kw, rest) = split_word(trimmed);
            match kw {
                "ifeq" | "ifneq" | "ifdef" | "ifndef" => {
                    if let Some(s) = self.conditional(kw, rest, span, depth) {
                        out.push(s);
                    }
                    continue;
                }
                "else" | "endif" => return (out, Some((trimmed.to_string(), span))),
                _ => {}
            }
            // Trailing whitespace is part of a value in make (`x = a # c` is "a ").
            if let Some(s) = self.statement(text.trim_start(), span) {
                out.push(s);
            }
        }
        (out, None)
    }

    fn conditional(&mut self, kw: &str, rest: &str, span: Span, depth: usize) -> Option<Stmt> {
        if depth > 64 {
            self.diags.push(Diagnostic::error(
                "KP0602",
                span,
                "conditionals nested too deeply",
            ));
            return None;
        }
        let cond = self.cond(kw, rest, span)?;
        let (then, end) = self.block(depth + 1);
        let mut els = Vec::new();
        match end {
            None => self.diags.push(Diagnostic::error(
                "KP0603",
                span,
                format!("`{kw}` without `endif`"),
            )),
            Some((e, espan)) if e.starts_with("else") => {
                let after = e["else".len()..].trim();
                if after.is_empty() {
                    let (b, end2) = self.block(depth + 1);
                    els = b;
                    match end2 {
                        Some((e2, _)) if e2 == "endif" => {}
                        Some((e2, s2)) => self.diags.push(Diagnostic::error(
                            "KP0604",
                            s2,
                            format!("unexpected `{e2}`"),
                        )),
                        None => self.diags.push(Diagnostic::error(
                            "KP0603",
                            span,
                            format!("`{kw}` without `endif`"),
                        )),
                    }
                } else {
                    // `else ifeq ...`: the rest of the chain shares this `endif`.
                    let (kw2, rest2) = split_word(after);
                    if matches!(kw2, "ifeq" | "ifneq" | "ifdef" | "ifndef") {
                        if let Some(s) = self.conditional(kw2, rest2, espan, depth + 1) {
                            els.push(s);
                        }
                    } else {
                        self.diags.push(Diagnostic::error(
                            "KP0604",
                            espan,
                            format!("unexpected `{e}`"),
                        ));
                    }
                }
            }
            Some(_) => {} // endif
        }
        Some(Stmt::If {
            cond,
            then,
            els,
            span,
        })
    }

    fn cond(&mut self, kw: &str, rest: &str, span: Span) -> Option<Cond> {
        match kw {
            "ifdef" | "ifndef" => Some(Cond::Def {
                name: rest.trim().to_string(),
                negate: kw == "ifndef",
            }),
            _ => {
                let negate = kw == "ifneq";
                let parsed = if rest.starts_with('(') {
                    // `(a,b)`: split at the top-level comma.
                    let inner = rest
                        .strip_prefix('(')
                        .and_then(|r| r.trim_end().strip_suffix(')'));
                    inner.and_then(|inner| {
                        let comma = top_level_comma(inner)?;
                        Some((inner[..comma].to_string(), inner[comma + 1..].to_string()))
                    })
                } else {
                    quoted_pair(rest)
                };
                match parsed {
                    Some((a, b)) => Some(Cond::Eq {
                        a: a.trim().to_string(),
                        b: b.trim().to_string(),
                        negate,
                    }),
                    None => {
                        self.diags.push(Diagnostic::error(
                            "KP0605",
                            span,
                            format!("malformed `{kw}` arguments"),
                        ));
                        // Keep the block structure: a false condition skips the body.
                        Some(Cond::Eq {
                            a: "x".into(),
                            b: String::new(),
                            negate: false,
                        })
                    }
                }
            }
        }
    }

    fn statement(&mut self, line: &str, span: Span) -> Option<Stmt> {
        let (kw, rest) = split_word(line);
        match kw {
            "include" | "-include" | "sinclude" => {
                self.in_rule = false;
                return Some(Stmt::Include {
                    files: rest.to_string(),
                    optional: kw != "include",
                    span,
                });
            }
            "define" => {
                self.in_rule = false;
                return self.define(rest, span, false, false);
            }
            "endef" => {
                self.diags.push(Diagnostic::error(
                    "KP0606",
                    span,
                    "`endef` without `define`",
                ));
                return None;
            }
            "undefine" => {
                return Some(Stmt::Undefine {
                    name: rest.trim().to_string(),
                    span,
                });
            }
            "vpath" | ".PHONY" => return None,
            "override" | "export" | "unexport" | "private" => {
                let overriding = kw == "override";
                let export = kw == "export";
                let (kw2, rest2) = split_word(rest);
                if kw2 == "define" {
                    return self.define(rest2, span, overriding, export);
                }
                if let Some(mut s) = self.assignment(rest, span) {
                    self.in_rule = false;
                    if let Stmt::Assign {
                        overriding: o,
                        export: e,
                        ..
                    } = &mut s
                    {
                        *o = overriding;
                        *e = export;
                    }
                    return Some(s);
                }
                if kw == "export" || kw == "unexport" {
                    return Some(Stmt::Export {
                        names: rest.to_string(),
                        unexport: kw == "unexport",
                        span,
                    });
                }
                return None;
            }
            _ => {}
        }
        if let Some(s) = self.assignment(line, span) {
            self.in_rule = false;
            return Some(s);
        }
        if let Some(colon) = top_level_char(line, b':') {
            self.in_rule = true;
            return Some(Stmt::Rule {
                targets: line[..colon].to_string(),
                span,
            });
        }
        Some(Stmt::Expand {
            text: line.to_string(),
            span,
        })
    }

    /// `NAME op VALUE` when the first top-level `=` comes before any other top-level `:`
    /// (otherwise it is a rule, possibly with a target-specific assignment).
    fn assignment(&self, line: &str, span: Span) -> Option<Stmt> {
        let b = line.as_bytes();
        let mut depth = 0i32;
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'$' if i + 1 < b.len() && (b[i + 1] == b'(' || b[i + 1] == b'{') => {
                    depth += 1;
                    i += 2;
                    continue;
                }
                b'$' => {
                    i += 2;
                    continue;
                }
                b'(' | b'{' if depth > 0 => depth += 1,
                b')' | b'}' if depth > 0 => depth -= 1,
                b'=' if depth == 0 => {
                    let (op, name_end) = match i.checked_sub(1).map(|j| b[j]) {
                        Some(b':') => {
                            if i >= 2 && b[i - 2] == b':' {
                                (AssignOp::Simple, i - 2)
                            } else {
                                (AssignOp::Simple, i - 1)
                            }
                        }
                        Some(b'+') => (AssignOp::Append, i - 1),
                        Some(b'?') => (AssignOp::Conditional, i - 1),
                        Some(b'!') => (AssignOp::Shell, i - 1),
                        _ => (AssignOp::Recursive, i),
                    };
                    let name = line[..name_end].trim();
                    if name.is_empty() {
                        return None;
                    }
                    let value = line[i + 1..].trim_start();
                    return Some(Stmt::Assign {
                        name: name.to_string(),
                        op,
                        value: value.to_string(),
                        overriding: false,
                        export: false,
                        span,
                    });
                }
                b':' if depth == 0 => {
                    // `:=` / `::=` are assignments; any other colon makes a rule.
                    let next = b.get(i + 1).copied();
                    let next2 = b.get(i + 2).copied();
                    if next == Some(b'=') || (next == Some(b':') && next2 == Some(b'=')) {
                        i += 1;
                        continue;
                    }
                    return None;
                }
                _ => {}
            }
            i += 1;
        }
        None
    }

    fn define(&mut self, rest: &str, span: Span, overriding: bool, export: bool) -> Option<Stmt> {
        let rest = rest.trim();
        let (name, op) = if let Some(n) = rest.strip_suffix("::=") {
            (n, AssignOp::Simple)
        } else if let Some(n) = rest.strip_suffix(":=") {
            (n, AssignOp::Simple)
        } else if let Some(n) = rest.strip_suffix("+=") {
            (n, AssignOp::Append)
        } else if let Some(n) = rest.strip_suffix("?=") {
            (n, AssignOp::Conditional)
        } else if let Some(n) = rest.strip_suffix('=') {
            (n, AssignOp::Recursive)
        } else {
            (rest, AssignOp::Recursive)
        };
        // The body is raw text up to the matching `endef`, taken from physical lines.
        let body_start = self.lines.get(self.i).map_or(usize::MAX, |l| l.start);
        let first = self
            .raw
            .iter()
            .position(|(off, _)| *off >= body_start)
            .unwrap_or(self.raw.len());
        let mut depth = 0;
        let mut body = Vec::new();
        let mut end_off = None;
        for (off, l) in &self.raw[first..] {
            let t = l.trim_start();
            if t.starts_with("endef") && depth == 0 {
                end_off = Some(*off);
                break;
            }
            if t.starts_with("endef") {
                depth -= 1;
            } else if t.starts_with("define ") || t.starts_with("define\t") {
                depth += 1;
            }
            body.push(*l);
        }
        let Some(end_off) = end_off else {
            self.diags.push(Diagnostic::error(
                "KP0607",
                span,
                "`define` without `endef`",
            ));
            self.i = self.lines.len();
            return None;
        };
        while self.i < self.lines.len() && self.lines[self.i].start <= end_off {
            self.i += 1;
        }
        Some(Stmt::Assign {
            name: name.trim().to_string(),
            op,
            value: body.join("\n"),
            overriding,
            export,
            span,
        })
    }
}

/// The index of the first `,` outside `$(...)`/`(...)`.
pub(crate) fn top_level_comma(s: &str) -> Option<usize> {
    top_level_char(s, b',')
}

/// The index of the first `c` not inside parentheses or braces.
pub(crate) fn top_level_char(s: &str, c: u8) -> Option<usize> {
    let mut depth = 0i32;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        match b {
            b'(' | b'{' => depth += 1,
            b')' | b'}' => depth -= 1,
            _ if b == c && depth <= 0 => return Some(i),
            _ => {}
        }
    }
    None
}

/// `"a" "b"` or `'a' 'b'`.
fn quoted_pair(s: &str) -> Option<(String, String)> {
    let s = s.trim();
    let q = s.chars().next()?;
    if q != '"' && q != '\'' {
        return None;
    }
    let end = s[1..].find(q)? + 1;
    let a = &s[1..end];
    let rest = s[end + 1..].trim();
    let q2 = rest.chars().next()?;
    if q2 != '"' && q2 != '\'' {
        return None;
    }
    let end2 = rest[1..].find(q2)? + 1;
    Some((a.to_string(), rest[1..end2].to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(src: &str) -> Vec<Stmt> {
        let (s, d) = parse(FileId(0), src);
        assert!(d.is_empty(), "{d:?}");
        s
    }

    #[test]
    fn continuation_and_comment() {
        let s = p("obj-y += a.o \\\n\tb.o # c.o\n");
        let Stmt::Assign {
            name, value, op, ..
        } = &s[0]
        else {
            panic!()
        };
        assert_eq!(
            (name.as_str(), value.as_str(), *op),
            ("obj-y", "a.o b.o ", AssignOp::Append)
        );
    }

    #[test]
    fn rule_and_recipe_skipped() {
        let s = p("foo: bar\n\tobj-y += x.o\nobj-y += y.o\n");
        assert!(matches!(s[0], Stmt::Rule { .. }));
        assert!(matches!(&s[1], Stmt::Assign { value, .. } if value == "y.o"));
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn else_if_chain() {
        let s = p("ifeq ($(A),y)\nx := 1\nelse ifdef B\nx := 2\nelse\nx := 3\nendif\n");
        let Stmt::If { els, .. } = &s[0] else {
            panic!()
        };
        assert!(matches!(&els[0], Stmt::If { els, .. } if els.len() == 1));
    }
}
