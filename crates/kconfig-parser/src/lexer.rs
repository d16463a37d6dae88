//! The line-oriented Kconfig lexer: one statement (one logical line) at a time, with macro
//! references expanded as `scripts/kconfig/lexer.l` does, and the `help` text rule.
//!
//! It mirrors the flex rules: keywords are whole `[A-Za-z0-9_-]+` words; a word containing
//! `$` is expanded into one word (`expand_token()`), which is dropped when empty; inside
//! quotes expansions are substituted in place; `WORD =`, `WORD :=` and `WORD +=` at the start
//! of a statement take the raw rest of the line as the value. Token texts are copied into
//! one reused buffer per statement, so lexing allocates nothing per token.

use kp_base::{Diagnostic, FileId, Span};

use crate::model::Dialect;
use crate::preprocess::{Preprocessor, Site};

/// A keyword of `lexer.l`.
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kw {
    Bool,
    Choice,
    Comment,
    Config,
    DefBool,
    DefTristate,
    Default,
    Depends,
    EndChoice,
    EndIf,
    EndMenu,
    Help,
    Hex,
    If,
    Imply,
    Int,
    MainMenu,
    Menu,
    MenuConfig,
    Modules,
    On,
    /// 5.10's `option` (followed by `modules`, `defconfig_list` or `allnoconfig_y`).
    Option,
    Optional,
    Prompt,
    Range,
    Select,
    Source,
    String,
    /// 7.2's `transitional`.
    Transitional,
    Tristate,
    Visible,
    /// Kconfiglib's `osource` (only with [`crate::Options::kconfiglib_sources`]).
    OSource,
    /// Kconfiglib's `rsource`.
    RSource,
    /// Kconfiglib's `orsource`.
    ORSource,
}

impl Kw {
    fn lookup(word: &str, dialect: Dialect, kconfiglib: bool) -> Option<Kw> {
        Some(match word {
            "bool" => Kw::Bool,
            "choice" => Kw::Choice,
            "comment" => Kw::Comment,
            "config" => Kw::Config,
            "def_bool" => Kw::DefBool,
            "def_tristate" => Kw::DefTristate,
            "default" => Kw::Default,
            "depends" => Kw::Depends,
            "endchoice" => Kw::EndChoice,
            "endif" => Kw::EndIf,
            "endmenu" => Kw::EndMenu,
            "help" => Kw::Help,
            "hex" => Kw::Hex,
            "if" => Kw::If,
            "imply" => Kw::Imply,
            "int" => Kw::Int,
            "mainmenu" => Kw::MainMenu,
            "menu" => Kw::Menu,
            "menuconfig" => Kw::MenuConfig,
            "modules" => Kw::Modules,
            "on" => Kw::On,
            "option" if dialect.option => Kw::Option,
            // 6.10 removed the token: there `optional` is an ordinary word.
            "optional" if dialect.legacy_choices() => Kw::Optional,
            "prompt" => Kw::Prompt,
            "range" => Kw::Range,
            "select" => Kw::Select,
            "source" => Kw::Source,
            "string" => Kw::String,
            "transitional" if dialect.transitional => Kw::Transitional,
            "tristate" => Kw::Tristate,
            "visible" => Kw::Visible,
            "osource" if kconfiglib => Kw::OSource,
            "rsource" if kconfiglib => Kw::RSource,
            "orsource" if kconfiglib => Kw::ORSource,
            _ => return None,
        })
    }

    /// The keyword as written.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kw::Bool => "bool",
            Kw::Choice => "choice",
            Kw::Comment => "comment",
            Kw::Config => "config",
            Kw::DefBool => "def_bool",
            Kw::DefTristate => "def_tristate",
            Kw::Default => "default",
            Kw::Depends => "depends",
            Kw::EndChoice => "endchoice",
            Kw::EndIf => "endif",
            Kw::EndMenu => "endmenu",
            Kw::Help => "help",
            Kw::Hex => "hex",
            Kw::If => "if",
            Kw::Imply => "imply",
            Kw::Int => "int",
            Kw::MainMenu => "mainmenu",
            Kw::Menu => "menu",
            Kw::MenuConfig => "menuconfig",
            Kw::Modules => "modules",
            Kw::On => "on",
            Kw::Option => "option",
            Kw::Optional => "optional",
            Kw::Prompt => "prompt",
            Kw::Range => "range",
            Kw::Select => "select",
            Kw::Source => "source",
            Kw::String => "string",
            Kw::Transitional => "transitional",
            Kw::Tristate => "tristate",
            Kw::Visible => "visible",
            Kw::OSource => "osource",
            Kw::RSource => "rsource",
            Kw::ORSource => "orsource",
        }
    }
    /// The keyword in backquotes, for messages.
    pub(crate) fn quoted(self) -> &'static str {
        match self {
            Kw::Bool => "`bool`",
            Kw::Choice => "`choice`",
            Kw::Comment => "`comment`",
            Kw::Config => "`config`",
            Kw::DefBool => "`def_bool`",
            Kw::DefTristate => "`def_tristate`",
            Kw::Default => "`default`",
            Kw::Depends => "`depends`",
            Kw::EndChoice => "`endchoice`",
            Kw::EndIf => "`endif`",
            Kw::EndMenu => "`endmenu`",
            Kw::Help => "`help`",
            Kw::Hex => "`hex`",
            Kw::If => "`if`",
            Kw::Imply => "`imply`",
            Kw::Int => "`int`",
            Kw::MainMenu => "`mainmenu`",
            Kw::Menu => "`menu`",
            Kw::MenuConfig => "`menuconfig`",
            Kw::Modules => "`modules`",
            Kw::On => "`on`",
            Kw::Option => "`option`",
            Kw::Optional => "`optional`",
            Kw::Prompt => "`prompt`",
            Kw::Range => "`range`",
            Kw::Select => "`select`",
            Kw::Source => "`source`",
            Kw::String => "`string`",
            Kw::Transitional => "`transitional`",
            Kw::Tristate => "`tristate`",
            Kw::Visible => "`visible`",
            Kw::OSource => "`osource`",
            Kw::RSource => "`rsource`",
            Kw::ORSource => "`orsource`",
        }
    }
}

/// A token kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokKind {
    Kw(Kw),
    /// An unquoted word (possibly the result of an expansion).
    Word,
    /// A quoted string, quotes removed, escapes and expansions applied.
    Quoted,
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Not,
    LParen,
    RParen,
    ColonEq,
    PlusEq,
    /// The raw value of an assignment.
    AssignVal,
}

/// One token: its kind, its place in the file and where its text is (see [`Stmt::text`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tok {
    pub kind: TokKind,
    /// The text is the source itself at `text_start..text_end` (no expansion or escape
    /// changed it), rather than in the statement's buffer.
    raw: bool,
    pub start: u32,
    pub end: u32,
    text_start: u32,
    text_end: u32,
}

/// One statement's tokens (the newline is implied).
pub(crate) struct Stmt<'s> {
    pub toks: Vec<Tok>,
    /// The file being lexed: most tokens' texts are slices of it.
    src: &'s str,
    /// Texts that differ from the source (expanded words, strings with escapes).
    text: String,
    /// The 1-based line of the first token, counted by the lexer as it passes newlines
    /// (node lines cost no second scan of the text).
    pub line: u32,
}

impl<'s> Stmt<'s> {
    /// An empty statement over the file `src`, in the buffers of an earlier one (see
    /// [`Stmt::into_buffers`]).
    pub(crate) fn with_buffers(src: &'s str, mut toks: Vec<Tok>, mut text: String) -> Stmt<'s> {
        toks.clear();
        text.clear();
        Stmt {
            toks,
            src,
            text,
            line: 0,
        }
    }

    /// The token and text buffers, for the next file's statements.
    pub(crate) fn into_buffers(self) -> (Vec<Tok>, String) {
        (self.toks, self.text)
    }

    /// Whether the text of `t` may hold a recorded `$(shell,...)` marker: a word spelled as
    /// written is `[A-Za-z0-9_-]+`, so only expanded words and strings need the search.
    pub(crate) fn may_hold_marker(&self, t: &Tok) -> bool {
        !(t.raw && matches!(t.kind, TokKind::Word | TokKind::Kw(_)))
    }

    /// The text of a token.
    pub(crate) fn text(&self, t: &Tok) -> &str {
        let range = t.text_start as usize..t.text_end as usize;
        if t.raw {
            self.src.get(range).unwrap_or("")
        } else {
            self.text.get(range).unwrap_or("")
        }
    }

    /// Byte range from the first to the last token.
    pub(crate) fn range(&self) -> (u32, u32) {
        match (self.toks.first(), self.toks.last()) {
            (Some(a), Some(b)) => (a.start, b.end),
            _ => (0, 0),
        }
    }
}

/// The lexer over one file.
pub(crate) struct Lexer<'s> {
    src: &'s str,
    pos: usize,
    /// The 1-based line of `pos`: every newline the lexer steps over is counted.
    line: u32,
    file: FileId,
    filename: &'s str,
    dialect: Dialect,
    /// Whether Kconfiglib's `osource`/`rsource`/`orsource` are keywords.
    pub(crate) kconfiglib: bool,
}

/// `[A-Za-z0-9_-]` (`n` in lexer.l), plus `$` in the second column: a table because the
/// word scan is the lexer's hottest loop.
const WORD_BYTES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
            t[i] = 1;
        } else if b == b'$' {
            t[i] = 2;
        }
        i += 1;
    }
    t
};

fn is_word_byte(b: u8) -> bool {
    WORD_BYTES[b as usize] == 1
}

impl<'s> Lexer<'s> {
    pub(crate) fn new(
        src: &'s str,
        file: FileId,
        filename: &'s str,
        dialect: Dialect,
    ) -> Lexer<'s> {
        Lexer {
            src,
            pos: 0,
            line: 1,
            file,
            filename,
            dialect,
            kconfiglib: false,
        }
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    fn eol(&self, from: usize) -> usize {
        find_newline(self.src.as_bytes(), from)
    }

    pub(crate) fn site(&self, start: usize, end: usize) -> Site<'s> {
        Site {
            span: self.span(start, end),
            filename: self.filename,
            src: self.src,
        }
    }

    /// Reads the next statement into `st`; false at the end of the file.
    pub(crate) fn next_statement(
        &mut self,
        pp: &mut Preprocessor,
        diags: &mut Vec<Diagnostic>,
        st: &mut Stmt<'s>,
    ) -> bool {
        st.toks.clear();
        st.text.clear();
        let bytes = self.src.as_bytes();
        loop {
            let Some(&c) = bytes.get(self.pos) else {
                if !st.toks.is_empty() {
                    diags.push(Diagnostic::warning(
                        "KP0105",
                        self.span(self.pos, self.pos),
                        "no newline at end of file",
                    ));
                }
                return !st.toks.is_empty();
            };
            let start = self.pos;
            match c {
                b'\n' => {
                    self.pos += 1;
                    self.line += 1;
                    if !st.toks.is_empty() {
                        return true;
                    }
                }
                b'#' => self.pos = self.eol(start),
                b' ' | b'\t' => self.pos += 1,
                b'\\' if bytes.get(start + 1) == Some(&b'\n') => {
                    self.pos += 2;
                    self.line += 1;
                }
                b'"' | b'\'' => self.string(c, pp, diags, st),
                b'$' => self.word(pp, st),
                _ if is_word_byte(c) => self.word(pp, st),
                _ => {
                    let two = bytes.get(start + 1).copied();
                    let (kind, len) = match (c, two) {
                        (b'|', Some(b'|')) => (Some(TokKind::Or), 2),
                        (b'&', Some(b'&')) => (Some(TokKind::And), 2),
                        (b'!', Some(b'=')) => (Some(TokKind::Ne), 2),
                        (b'<', Some(b'=')) => (Some(TokKind::Le), 2),
                        (b'>', Some(b'=')) => (Some(TokKind::Ge), 2),
                        (b':', Some(b'=')) => (Some(TokKind::ColonEq), 2),
                        (b'+', Some(b'=')) => (Some(TokKind::PlusEq), 2),
                        (b'=', _) => (Some(TokKind::Eq), 1),
                        (b'!', _) => (Some(TokKind::Not), 1),
                        (b'<', _) => (Some(TokKind::Lt), 1),
                        (b'>', _) => (Some(TokKind::Gt), 1),
                        (b'(', _) => (Some(TokKind::LParen), 1),
                        (b')', _) => (Some(TokKind::RParen), 1),
                        _ => {
                            let ch = self.src[start..].chars().next().unwrap_or('?');
                            (None, ch.len_utf8())
                        }
                    };
                    self.pos += len;
                    match kind {
                        Some(kind) => self.push(st, kind, start, self.pos, None),
                        None => {
                            let ch = &self.src[start..self.pos];
                            diags.push(Diagnostic::warning(
                                "KP0104",
                                self.span(start, self.pos),
                                format!("ignoring unsupported character `{}`", ch.escape_debug()),
                            ));
                        }
                    }
                }
            }
            // `WORD =`, `WORD :=`, `WORD +=` opening a statement: the rest of the line is the
            // raw value (lexer.l's ASSIGN_VAL state), unexpanded and with `#` kept.
            if st.toks.len() == 2
                && st.toks[0].kind == TokKind::Word
                && matches!(
                    st.toks[1].kind,
                    TokKind::Eq | TokKind::ColonEq | TokKind::PlusEq
                )
            {
                let eol = self.eol(self.pos);
                let line = &self.src[self.pos..eol];
                let skip = line.len() - line.trim_start_matches([' ', '\t']).len();
                if skip < line.len() {
                    let vstart = self.pos + skip;
                    self.push(st, TokKind::AssignVal, vstart, eol, None);
                }
                self.pos = eol;
            }
        }
    }

    fn push(&self, st: &mut Stmt<'s>, kind: TokKind, start: usize, end: usize, text: Option<&str>) {
        if st.toks.is_empty() {
            st.line = self.line;
        }
        // A token spelled as written keeps pointing into the source (no copy per token).
        let (raw, text_start, text_end) = match text {
            None => (true, start as u32, end as u32),
            Some(t) => {
                let text_start = st.text.len() as u32;
                st.text.push_str(t);
                (false, text_start, st.text.len() as u32)
            }
        };
        st.toks.push(Tok {
            kind,
            raw,
            start: start as u32,
            end: end as u32,
            text_start,
            text_end,
        });
    }

    /// `{n}+` (a keyword or word) or `({n}|$)+` (expanded to one word, dropped when empty).
    /// Inlined into [`Lexer::next_statement`]: a word is most of a statement's tokens, and
    /// the call cost more than the scan. A `$` sends the word to [`Lexer::expanded_word`].
    #[inline(always)]
    fn word(&mut self, pp: &mut Preprocessor, st: &mut Stmt<'s>) {
        let bytes = self.src.as_bytes();
        let start = self.pos;
        let mut end = start;
        while let Some(&b) = bytes.get(end) {
            match WORD_BYTES[b as usize] {
                1 => end += 1,
                2 => return self.expanded_word(pp, st),
                _ => break,
            }
        }
        self.pos = end;
        let w = &self.src[start..end];
        // Keywords are lower case and 2 to 12 bytes long; symbol names mostly upper case.
        let maybe_kw = (2..=12).contains(&w.len()) && w.as_bytes()[0].is_ascii_lowercase();
        let kind = if maybe_kw {
            Kw::lookup(w, self.dialect, self.kconfiglib).map_or(TokKind::Word, TokKind::Kw)
        } else {
            TokKind::Word
        };
        self.push(st, kind, start, end, None);
    }

    /// A word holding `$`: expanded into one word, which is dropped when empty
    /// (`expand_token()`).
    #[cold]
    #[inline(never)]
    fn expanded_word(&mut self, pp: &mut Preprocessor, st: &mut Stmt<'s>) {
        let start = self.pos;
        let eol = self.eol(start);
        let extent = token_extent(&self.src[start..eol]);
        let site = self.site(start, start + extent);
        let (text, used) = pp.expand_token(&self.src[start..eol], &site);
        self.pos = start + used.max(1);
        if !text.is_empty() {
            self.push(st, TokKind::Word, start, self.pos, Some(&text));
        }
    }

    /// A quoted string (lexer.l's STRING state).
    fn string(
        &mut self,
        quote: u8,
        pp: &mut Preprocessor,
        diags: &mut Vec<Diagnostic>,
        st: &mut Stmt<'s>,
    ) {
        let bytes = self.src.as_bytes();
        let start = self.pos;
        self.pos += 1;
        let text_start = st.text.len() as u32;
        // Whether the text so far is the source between the quotes, unchanged.
        let mut plain = true;
        let mut content_end = self.pos;
        while let Some(&b) = bytes.get(self.pos) {
            match b {
                b'$' => {
                    plain = false;
                    let eol = self.eol(self.pos);
                    let extent = token_extent(&self.src[self.pos..eol]);
                    let site = self.site(self.pos, self.pos + extent);
                    let (text, used) = pp.expand_dollar_top(&self.src[self.pos + 1..eol], &site);
                    st.text.push_str(&text);
                    self.pos += 1 + used;
                }
                b'\\' => {
                    plain = false;
                    self.pos += 1;
                    if let Some(ch) = self.src[self.pos..].chars().next().filter(|&c| c != '\n') {
                        st.text.push(ch);
                        self.pos += ch.len_utf8();
                    }
                }
                b'\n' => {
                    diags.push(Diagnostic::warning(
                        "KP0103",
                        self.span(start, self.pos),
                        "multi-line strings are not supported: the string ends at the end of the line",
                    ));
                    break;
                }
                _ if b == quote => {
                    self.pos += 1;
                    break;
                }
                _ => {
                    let run = bytes[self.pos..]
                        .iter()
                        .position(|&c| matches!(c, b'$' | b'\'' | b'"' | b'\\' | b'\n'))
                        .unwrap_or(bytes.len() - self.pos);
                    let run = if run == 0 { 1 } else { run };
                    st.text.push_str(&self.src[self.pos..self.pos + run]);
                    self.pos += run;
                    content_end = self.pos;
                }
            }
        }
        if st.toks.is_empty() {
            st.line = self.line;
        }
        // A string without escapes or expansions is its source text (most prompts).
        let (raw, text_start, text_end) = if plain {
            st.text.truncate(text_start as usize);
            (true, (start + 1) as u32, content_end as u32)
        } else {
            (false, text_start, st.text.len() as u32)
        };
        st.toks.push(Tok {
            kind: TokKind::Quoted,
            raw,
            start: start as u32,
            end: self.pos as u32,
            text_start,
            text_end,
        });
    }

    /// After a `help` line: reads the help text with lexer.l's indentation rule. The text
    /// ends at the first non-blank line indented less than its first line, or at a line that
    /// starts in column 1 after a newline. Returns the span of its text lines (empty when
    /// there is none) and appends the text to `out` if given: the text is only built when
    /// asked for ([`crate::Model::help_text`]), which keeps parsing lean.
    pub(crate) fn help(&mut self, mut out: Option<&mut String>) -> Span {
        let bytes = self.src.as_bytes();
        let begin = self.pos;
        let mut text_end = self.pos;
        let mut first_ts = 0usize;
        let mut last_ts = 0usize;
        fn push(out: &mut Option<&mut String>, s: &str) {
            if let Some(o) = out {
                o.push_str(s);
            }
        }
        // A line that starts in column 1 right after a newline ends the help text; so does
        // the end of the file.
        let starts_statement =
            |i: usize| matches!(bytes.get(i), Some(&b) if b != b' ' && b != b'\t' && b != b'\n');
        // Each line ends at the next newline of one search over the rest of the file (a
        // search per line cost more than the line's scan: help texts are half of all
        // Kconfig bytes, in short lines). Every line below takes exactly one newline.
        let mut newlines = memchr::memchr_iter(b'\n', &bytes[begin..]).map(|i| begin + i);
        while self.pos < bytes.len() {
            // The line's indentation (tabs to the next multiple of 8), then its end.
            let start = self.pos;
            let mut k = start;
            let mut ts = 0usize;
            while k < bytes.len() && (bytes[k] == b' ' || bytes[k] == b'\t') {
                ts = if bytes[k] == b'\t' {
                    (ts & !7) + 8
                } else {
                    ts + 1
                };
                k += 1;
            }
            let text_start = k;
            let eol = newlines.next().unwrap_or(bytes.len());
            debug_assert_eq!(eol, find_newline(bytes, k));
            let ws = text_start - start;
            // The indentation ends at the first byte that is not a blank, so the line is
            // blank exactly when that byte ends it.
            if text_start == eol {
                if eol == bytes.len() {
                    self.pos = eol;
                    break;
                }
                self.pos = eol + 1;
                self.line += 1;
                if starts_statement(self.pos) {
                    break;
                }
                push(&mut out, "\n");
                continue;
            }
            if ws > 0 {
                last_ts = ts;
                if first_ts > 0 {
                    if ts < first_ts {
                        self.pos += ws;
                        break;
                    }
                    for _ in first_ts..ts {
                        push(&mut out, " ");
                    }
                }
            }
            if out.is_some() {
                // Trailing blanks are dropped; only the text needs them found.
                let rest = self.src[text_start..eol].trim_end_matches([' ', '\t']);
                push(&mut out, rest);
            }
            if first_ts == 0 {
                first_ts = last_ts;
            }
            text_end = eol;
            if eol == bytes.len() {
                self.pos = eol;
                break;
            }
            self.pos = eol + 1;
            self.line += 1;
            if starts_statement(self.pos) {
                break;
            }
            push(&mut out, "\n");
        }
        self.span(begin, text_end)
    }

    /// Positions the lexer at byte `pos` (used to re-read a help text).
    pub(crate) fn seek(&mut self, pos: usize) {
        self.pos = pos.min(self.src.len());
    }
}

/// The index of the first `\n` at or after `from`, or the length. memchr tests 16 or 32
/// bytes at a time, which matters in help texts, about half of all Kconfig bytes.
fn find_newline(b: &[u8], from: usize) -> usize {
    let from = from.min(b.len());
    memchr::memchr(b'\n', &b[from..]).map_or(b.len(), |i| from + i)
}

/// The length of the token starting at `s` as `expand_one_token()` will consume it: word
/// characters and `$(...)` groups. Used only to give diagnostics a good span.
fn token_extent(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' && b.get(i + 1) == Some(&b'(') {
            let mut nest = 0;
            let mut j = i + 2;
            while j < b.len() {
                match b[j] {
                    b'(' => nest += 1,
                    b')' if nest == 0 => break,
                    b')' => nest -= 1,
                    _ => {}
                }
                j += 1;
            }
            i = (j + 1).min(b.len());
        } else if is_word_byte(b[i]) || b[i] == b'$' {
            i += 1;
        } else {
            break;
        }
    }
    i.max(1).min(b.len())
}

#[cfg(test)]
mod tests {
    use super::find_newline;

    #[test]
    fn find_newline_matches_a_plain_scan() {
        let text = b"0123456789\nabc\n\n\xff\x0a\x8a\x0b0123456789abcdef\n";
        for from in 0..=text.len() {
            let plain = text[from..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(text.len(), |i| from + i);
            assert_eq!(find_newline(text, from), plain, "from {from}");
        }
    }
}
