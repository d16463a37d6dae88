//! Statements of `parser.y` turned into the menu tree, one logical line at a time.
//!
//! Error recovery is per statement: a bad line is reported and skipped, so every error of a
//! file is found in one run. Blocks (`menu`, `if`, `choice`) must close in the file that
//! opened them, as the kernel requires; at the end of a file the ones still open are reported
//! and closed, so one missing `endif` does not poison the rest of the tree.

use kp_base::{CmpOp, Diagnostic, ExprId, ExprPool, FileId, NameId, SourceMap, Span};

use crate::expr_parser::{ExprError, parse_expr};
use crate::lexer::{Kw, Lexer, Stmt, Tok, TokKind};
use crate::model::*;
use crate::preprocess::{AssignOp, Preprocessor, has_marker, render_markers};
use crate::{Loader, Options};

mod attributes;
mod lower;

/// `source` nesting accepted before giving up (the kernel's tree nests about 8 deep).
const MAX_INCLUDE_DEPTH: usize = 64;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum BlockKind {
    Menu,
    If,
    Choice,
}

impl BlockKind {
    fn opener(self) -> &'static str {
        match self {
            BlockKind::Menu => "menu",
            BlockKind::If => "if",
            BlockKind::Choice => "choice",
        }
    }
    fn closer(self) -> &'static str {
        match self {
            BlockKind::Menu => "endmenu",
            BlockKind::If => "endif",
            BlockKind::Choice => "endchoice",
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Block {
    menu: MenuId,
    kind: BlockKind,
    file: FileId,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum EntryKind {
    Config,
    MenuConfig,
    Choice,
    Menu,
    Comment,
    /// An entry whose opening line was wrong: its attributes are checked but dropped.
    Broken,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    menu: MenuId,
    kind: EntryKind,
}

pub(crate) struct Parser<'a> {
    opts: &'a Options,
    loader: &'a dyn Loader,
    pp: Preprocessor,
    sources: SourceMap,
    /// The token and text buffers of the last file's statements, reused by the next file.
    stmt_buffers: (Vec<Tok>, String),
    exprs: ExprPool,
    menus: Vec<MenuNode>,
    symbols: Vec<Symbol>,
    /// The symbol of each name, by `NameId` (names are dense: a vector, not a hash map).
    symbol_index: Vec<Option<SymbolId>>,
    files: Vec<FileInfo>,
    modules: Option<SymbolId>,
    /// 5.10's `option defconfig_list` symbol.
    defconfig_list: Option<SymbolId>,
    diags: Vec<Diagnostic>,
    blocks: Vec<Block>,
    entry: Option<Entry>,
    includes: Vec<(String, Option<Span>)>,
    statements: usize,
    shell_facts: Vec<Option<ExprId>>,
    created: Vec<Created>,
    /// Whether each name (by `NameId`) is already in `created`.
    created_names: Vec<bool>,
    /// The parent of each node by `MenuId` (`u32::MAX` for the root), for `link_children`.
    parent_of: Vec<u32>,
}

/// The place of one statement: its file, its text and its tokens.
struct Line<'s> {
    st: &'s Stmt<'s>,
    file: FileId,
    src: &'s str,
}

impl Line<'_> {
    fn span_of(&self, t: &Tok) -> Span {
        Span::new(self.file, t.start as usize, t.end as usize)
    }
    fn span(&self) -> Span {
        let (a, b) = self.st.range();
        Span::new(self.file, a as usize, b as usize)
    }
    fn tokens(&self) -> &[Tok] {
        &self.st.toks
    }
    /// The span of token `i`, or the end of the line when there is none.
    fn span_at(&self, i: usize) -> Span {
        match self.st.toks.get(i) {
            Some(t) => self.span_of(t),
            None => {
                let end = self.st.range().1 as usize;
                Span::new(self.file, end, end)
            }
        }
    }
    /// How token `i` is shown in a message: the source text, or "end of line".
    fn shown(&self, i: usize) -> String {
        match self.st.toks.get(i) {
            Some(t) => {
                let raw = self.src.get(t.start as usize..t.end as usize).unwrap_or("");
                let mut s: String = raw.chars().take(60).collect();
                if s.len() < raw.len() {
                    s.push_str("...");
                }
                format!("`{s}`")
            }
            None => "end of line".to_string(),
        }
    }
}

const STATEMENTS: &[&str] = &[
    "bool",
    "choice",
    "comment",
    "config",
    "def_bool",
    "def_tristate",
    "default",
    "depends",
    "endchoice",
    "endif",
    "endmenu",
    "help",
    "hex",
    "if",
    "imply",
    "int",
    "mainmenu",
    "menu",
    "menuconfig",
    "modules",
    "prompt",
    "range",
    "select",
    "source",
    "string",
    "tristate",
    "visible",
];

impl<'a> Parser<'a> {
    pub(crate) fn new(opts: &'a Options, loader: &'a dyn Loader) -> Parser<'a> {
        // x86 has about 19,000 nodes: one reallocation of this vector was 2% of parsing.
        let mut menus = Vec::with_capacity(32_768);
        menus.push(MenuNode::new(
            MenuKind::Root,
            None,
            Span::new(FileId(0), 0, 0),
        ));
        Parser {
            opts,
            loader,
            pp: Preprocessor::new(opts.shell, &opts.env, &opts.toolchain),
            sources: SourceMap::new(),
            stmt_buffers: (Vec::with_capacity(64), String::with_capacity(256)),
            // x86 has about 18,500 names and 11,000 nodes.
            exprs: ExprPool::with_capacity(24_576, 16_384),
            menus,
            symbols: Vec::with_capacity(16_384),
            symbol_index: Vec::with_capacity(32_768),
            files: Vec::new(),
            modules: None,
            defconfig_list: None,
            diags: Vec::new(),
            blocks: Vec::new(),
            entry: None,
            includes: Vec::new(),
            statements: 0,
            shell_facts: Vec::new(),
            created: Vec::with_capacity(16_384),
            created_names: Vec::with_capacity(32_768),
            parent_of: {
                let mut p = Vec::with_capacity(32_768);
                p.push(u32::MAX);
                p
            },
        }
    }

    /// Records the first unquoted mention of a name (`sym_lookup(name, 0)` creating it).
    pub(super) fn note_created(&mut self, n: NameId) {
        let at = self.created.len();
        self.note_created_at(at, n);
    }

    /// As [`Parser::note_created`], for a name the kernel's grammar reduces before the
    /// `if` condition already lowered from position `at` on (`select NAME if COND`).
    pub(super) fn note_created_at(&mut self, at: usize, n: NameId) {
        let i = n.0 as usize;
        if self.created_names.len() <= i {
            self.created_names.resize(i + 1, false);
        }
        if !self.created_names[i] {
            self.created_names[i] = true;
            self.created.insert(at, Created::Name(n));
        }
    }

    pub(crate) fn finish(mut self) -> Model {
        self.link_children();
        self.check_choice_members();
        self.check_transitional();
        // `_menu_finalize()`: "config symbol defined without type".
        for s in &self.symbols {
            if s.ty.is_none()
                && let Some(&d) = s.definitions.first()
            {
                let span = self.menus[d.0 as usize].span;
                let name = self.exprs.name_text(s.name).to_string();
                self.diags.push(Diagnostic::warning(
                    "KP0149",
                    span,
                    format!("config symbol `{name}` defined without type"),
                ));
            }
        }
        self.diags.append(&mut self.pp.diags);
        Model {
            dialect: self.opts.dialect,
            sources: self.sources,
            exprs: self.exprs,
            menus: self.menus,
            symbols: self.symbols,
            files: self.files,
            modules: self.modules,
            shell_calls: std::mem::take(&mut self.pp.shell_calls),
            env_reads: std::mem::take(&mut self.pp.env_reads),
            diagnostics: self.diags,
            created: self.created,
            symbol_index: self.symbol_index,
        }
    }

    /// Fills in every node's `children` from the parent links: nodes are made in the order
    /// written, so a block's children are the nodes naming it as parent, in id order. Each
    /// list is allocated once at its size, instead of growing (and copying) as a block's
    /// entries are read: a menu can hold hundreds.
    /// The parents are read from `parent_of`, not from the nodes: a pass over 19,000 nodes
    /// of 200 bytes misses the caches at every node.
    fn link_children(&mut self) {
        let mut counts = vec![0u32; self.menus.len()];
        for &p in &self.parent_of {
            if let Some(c) = counts.get_mut(p as usize) {
                *c += 1;
            }
        }
        for (i, &n) in counts.iter().enumerate() {
            if n > 0 {
                self.menus[i].children = Vec::with_capacity(n as usize);
            }
        }
        for (i, &p) in self.parent_of.iter().enumerate() {
            if let Some(m) = self.menus.get_mut(p as usize) {
                m.children.push(MenuId(i as u32));
            }
        }
    }

    fn error(&mut self, code: &'static str, span: Span, msg: impl Into<String>) {
        self.diags.push(Diagnostic::error(code, span, msg));
    }

    fn warn(&mut self, code: &'static str, span: Span, msg: impl Into<String>) {
        self.diags.push(Diagnostic::warning(code, span, msg));
    }

    /// Reads and parses one file (the top file, or the target of a `source`).
    pub(crate) fn parse_file(&mut self, path: &str, from: Option<Span>) {
        if let Some(pos) = self.includes.iter().position(|(p, _)| p == path) {
            let span = from.unwrap_or(Span::new(FileId(0), 0, 0));
            let mut d =
                Diagnostic::error("KP0202", span, format!("recursive inclusion of `{path}`"));
            for (p, at) in self.includes[pos + 1..].iter().rev() {
                if let Some(at) = at {
                    d = d.with_note(*at, format!("`{p}` is sourced here"));
                }
            }
            if let Some((_, Some(at))) = self.includes.get(pos) {
                d = d.with_note(*at, format!("`{path}` was first sourced here"));
            }
            self.diags.push(d);
            return;
        }
        if self.includes.len() >= MAX_INCLUDE_DEPTH {
            let span = from.unwrap_or(Span::new(FileId(0), 0, 0));
            self.error(
                "KP0203",
                span,
                format!("`source` nested more than {MAX_INCLUDE_DEPTH} deep"),
            );
            return;
        }
        let bytes = match self.loader.load(path) {
            Ok(b) => b,
            Err(e) => {
                let span = match from {
                    Some(s) => s,
                    None => {
                        let f = self.sources.add(path, String::new());
                        Span::new(f, 0, 0)
                    }
                };
                self.error("KP0201", span, format!("can't open file `{path}`: {e}"));
                return;
            }
        };
        let (file, lossy) = self.sources.add_bytes(path, bytes);
        if lossy {
            // Point at the first replaced byte (conf itself reads bytes and says nothing).
            let text = &self.sources.file(file).text;
            let at = text.find('\u{FFFD}').unwrap_or(0);
            let end = (at + '\u{FFFD}'.len_utf8()).min(text.len());
            self.warn(
                "KP0106",
                Span::new(file, at, end),
                "invalid UTF-8 replaced by U+FFFD",
            );
        }
        self.files.push(FileInfo {
            file,
            sourced_from: from,
        });
        // The text is copied so the source map can grow while this file is being lexed
        // (a `source` adds files); about 7 MB for a whole tree.
        let text = self.sources.file(file).text.clone();
        self.includes.push((path.to_string(), from));
        let outer_blocks = self.blocks.len();
        let mut lexer = Lexer::new(&text, file, path, self.opts.dialect);
        lexer.kconfiglib = self.opts.kconfiglib_sources;
        // A file sourced from this one finds the buffers taken and makes its own; they are
        // handed on when it ends.
        let (toks, text_buf) = std::mem::take(&mut self.stmt_buffers);
        let mut st = Stmt::with_buffers(&text, toks, text_buf);
        while lexer.next_statement(&mut self.pp, &mut self.diags, &mut st) {
            // A macro error leaves the line's tokens unreliable (a reference expanded to
            // nothing): report it and skip the line rather than add a confusing syntax error.
            let macro_error = self
                .pp
                .diags
                .iter()
                .any(|d| d.severity == kp_base::Severity::Error);
            self.diags.append(&mut self.pp.diags);
            if macro_error {
                continue;
            }
            let line = Line {
                st: &st,
                file,
                src: &text,
            };
            self.statement(&line, &mut lexer);
            self.diags.append(&mut self.pp.diags);
        }
        self.diags.append(&mut self.pp.diags);
        self.stmt_buffers = st.into_buffers();
        self.finish_entry();
        while self.blocks.len() > outer_blocks {
            let Some(b) = self.blocks.pop() else { break };
            let span = self.menus[b.menu.0 as usize].span;
            self.error(
                "KP0131",
                span,
                format!(
                    "missing `{}` for this `{}` before the end of the file",
                    b.kind.closer(),
                    b.kind.opener()
                ),
            );
        }
        self.includes.pop();
    }

    fn statement(&mut self, line: &Line<'_>, lexer: &mut Lexer<'_>) {
        self.statements += 1;
        let toks = line.tokens();
        let first = toks[0];
        if first.kind == TokKind::Word
            && let Some(op) = toks.get(1).and_then(|t| match t.kind {
                TokKind::Eq => Some(AssignOp::Recursive),
                TokKind::ColonEq => Some(AssignOp::Simple),
                TokKind::PlusEq => Some(AssignOp::Append),
                _ => None,
            })
        {
            self.finish_entry();
            if let Some(choice) = self.in_choice() {
                self.not_in_choice(line, choice, "a variable assignment");
            }
            let name = line.st.text(&first).to_string();
            let value = toks.get(2).map_or("", |t| line.st.text(t)).to_string();
            let site = lexer.site(line.span().start as usize, line.span().end as usize);
            self.pp.assign(&name, &value, op, &site);
            return;
        }
        let TokKind::Kw(kw) = first.kind else {
            self.finish_entry();
            if first.kind == TokKind::Word {
                let word = line.st.text(&first);
                let hint =
                    suggestion(word).map_or(String::new(), |k| format!(" (did you mean `{k}`?)"));
                self.error(
                    "KP0101",
                    line.span_of(&first),
                    format!("unknown statement `{word}`{hint}: expected a keyword such as `config`, `menu`, `if` or `source`"),
                );
                // Most likely a misspelt entry keyword: swallow its attribute lines instead of
                // reporting each of them as misplaced.
                self.entry = Some(Entry {
                    menu: Model::ROOT,
                    kind: EntryKind::Broken,
                });
            } else {
                self.error(
                    "KP0102",
                    line.span_of(&first),
                    format!(
                        "invalid statement: unexpected {}, expected a keyword such as `config`, `menu`, `if` or `source`",
                        line.shown(0)
                    ),
                );
            }
            return;
        };
        match kw {
            Kw::Bool
            | Kw::Tristate
            | Kw::Int
            | Kw::Hex
            | Kw::String
            | Kw::Prompt
            | Kw::Default
            | Kw::DefBool
            | Kw::DefTristate
            | Kw::Select
            | Kw::Imply
            | Kw::Range
            | Kw::Modules
            | Kw::Option
            | Kw::Transitional
            | Kw::Depends
            | Kw::Help
            | Kw::Visible
            | Kw::Optional => self.attribute(kw, line, lexer),
            Kw::Config | Kw::MenuConfig => {
                self.finish_entry();
                self.config(kw, line);
            }
            Kw::Choice => {
                self.finish_entry();
                self.choice(line);
            }
            Kw::Menu | Kw::Comment => {
                self.finish_entry();
                self.menu_or_comment(kw, line);
            }
            Kw::If => {
                self.finish_entry();
                self.if_block(line);
            }
            Kw::EndMenu | Kw::EndIf | Kw::EndChoice => {
                self.finish_entry();
                self.end(kw, line);
            }
            Kw::Source | Kw::OSource | Kw::RSource | Kw::ORSource => {
                self.finish_entry();
                self.source(kw, line);
            }
            Kw::MainMenu => {
                self.finish_entry();
                self.mainmenu(line);
            }
            Kw::On => {
                self.finish_entry();
                self.error(
                    "KP0102",
                    line.span_of(&first),
                    "invalid statement: `on` must follow `depends`".to_string(),
                );
            }
        }
    }

    // ---- helpers -------------------------------------------------------------------------

    /// The node new entries go under.
    fn parent(&self) -> MenuId {
        self.blocks.last().map_or(Model::ROOT, |b| b.menu)
    }

    /// The choice the current statement is in (through `if` blocks), if any.
    fn in_choice(&self) -> Option<MenuId> {
        for b in self.blocks.iter().rev() {
            match b.kind {
                BlockKind::Choice => return Some(b.menu),
                BlockKind::If => continue,
                BlockKind::Menu => return None,
            }
        }
        None
    }

    fn not_in_choice(&mut self, line: &Line<'_>, choice: MenuId, what: &str) {
        let at = self.menus[choice.0 as usize].span;
        let d = Diagnostic::error(
            "KP0121",
            line.span_of(&line.tokens()[0]),
            format!("{what} is not allowed inside a choice: expected `config`, `comment`, `if` or `endchoice`"),
        )
        .with_note(at, "the choice starts here");
        self.diags.push(d);
    }

    /// A node for the statement `line`, whose span is `span`.
    fn add_node(&mut self, kind: MenuKind, span: Span, line: &Line<'_>) -> MenuId {
        let parent = self.parent();
        let id = MenuId(self.menus.len() as u32);
        let mut node = MenuNode::new(kind, Some(parent), span);
        node.line = line.st.line;
        // The parent's `children` are filled in by `finish`.
        self.menus.push(node);
        self.parent_of.push(parent.0);
        id
    }

    fn node(&mut self, id: MenuId) -> &mut MenuNode {
        &mut self.menus[id.0 as usize]
    }

    fn symbol_for(&mut self, name: &str) -> SymbolId {
        let n = self.exprs.name(name);
        self.note_created(n);
        let i = n.0 as usize;
        if self.symbol_index.len() <= i {
            self.symbol_index.resize(i + 1, None);
        }
        if let Some(id) = self.symbol_index[i] {
            return id;
        }
        let id = SymbolId(self.symbols.len() as u32);
        self.symbol_index[i] = Some(id);
        self.symbols.push(Symbol {
            name: n,
            ty: None,
            definitions: smallvec::SmallVec::new(),
            choices: Vec::new(),
        });
        id
    }

    /// Requires the line to end at token `i`.
    fn expect_end(&mut self, line: &Line<'_>, i: usize, after: &str) -> bool {
        if i >= line.tokens().len() {
            return true;
        }
        self.error(
            "KP0111",
            line.span_at(i),
            format!(
                "unexpected {} after {after}: expected end of line",
                line.shown(i)
            ),
        );
        false
    }

    /// A name where the kernel wants a symbol (`config NAME`, `select NAME`): an unquoted word.
    fn name_at<'l>(
        &mut self,
        line: &Line<'l>,
        i: usize,
        after: &str,
    ) -> Option<std::borrow::Cow<'l, str>> {
        match line.tokens().get(i) {
            Some(t) if t.kind == TokKind::Word => {
                let text = line.st.text(t);
                if line.st.may_hold_marker(t) && has_marker(text) {
                    let shown = render_markers(text, &self.pp.shell_calls);
                    self.warn(
                        "KP0150",
                        line.span_of(t),
                        format!("symbol name `{shown}` depends on a recorded $(shell,...) call; it is kept unexpanded"),
                    );
                    return Some(shown.into());
                }
                Some(text.into())
            }
            _ => {
                self.error(
                    "KP0102",
                    line.span_at(i),
                    format!(
                        "expected a symbol name after {after}, found {}",
                        line.shown(i)
                    ),
                );
                None
            }
        }
    }

    /// A quoted string at token `i`.
    fn quoted_at(&mut self, line: &Line<'_>, i: usize, after: &str) -> Option<String> {
        match line.tokens().get(i) {
            Some(t) if t.kind == TokKind::Quoted => {
                Some(render_markers(line.st.text(t), &self.pp.shell_calls))
            }
            _ => {
                self.error(
                    "KP0102",
                    line.span_at(i),
                    format!(
                        "expected a quoted string after {after}, found {}",
                        line.shown(i)
                    ),
                );
                None
            }
        }
    }

    fn report_expr_error(&mut self, line: &Line<'_>, e: ExprError) {
        self.error(
            "KP0110",
            line.span_at(e.at),
            format!(
                "invalid expression: expected {}, found {}",
                e.expected,
                line.shown(e.at)
            ),
        );
    }

    /// An expression starting at token `i`; returns it and the next token index.
    fn expr_at(&mut self, line: &Line<'_>, i: usize) -> Option<(Cond, usize)> {
        match parse_expr(line.tokens(), i) {
            Ok((raw, next)) => {
                let expr = self.lower(&raw, line);
                let toks = line.tokens();
                let span = Span::new(
                    line.file,
                    toks[i].start as usize,
                    toks[next - 1].end as usize,
                );
                Some((Cond { expr, span }, next))
            }
            Err(e) => {
                self.report_expr_error(line, e);
                None
            }
        }
    }

    /// `[if EXPR]` then end of line, from token `i`. `Err` when something was reported.
    fn if_expr_end(&mut self, line: &Line<'_>, i: usize, after: &str) -> Result<Option<Cond>, ()> {
        match line.tokens().get(i) {
            None => Ok(None),
            Some(t) if t.kind == TokKind::Kw(Kw::If) => {
                let (cond, next) = self.expr_at(line, i + 1).ok_or(())?;
                if next < line.tokens().len() {
                    self.error(
                        "KP0111",
                        line.span_at(next),
                        format!(
                            "unexpected {} in the condition: expected `&&`, `||` or end of line",
                            line.shown(next)
                        ),
                    );
                    return Err(());
                }
                Ok(Some(cond))
            }
            Some(_) => {
                self.error(
                    "KP0111",
                    line.span_at(i),
                    format!(
                        "unexpected {} after {after}: expected `if` or end of line",
                        line.shown(i)
                    ),
                );
                Err(())
            }
        }
    }

    // ---- entries -------------------------------------------------------------------------

    fn config(&mut self, kw: Kw, line: &Line<'_>) {
        let span = line.span();
        let Some(name) = self.name_at(line, 1, kw.quoted()) else {
            self.entry = Some(Entry {
                menu: Model::ROOT,
                kind: EntryKind::Broken,
            });
            return;
        };
        self.expect_end(line, 2, "the symbol name");
        let choice = self.in_choice();
        if kw == Kw::MenuConfig
            && let Some(c) = choice
        {
            self.not_in_choice(line, c, "`menuconfig`");
        }
        let sym = self.symbol_for(&name);
        let kind = if kw == Kw::Config {
            MenuKind::Config(sym)
        } else {
            MenuKind::MenuConfig(sym)
        };
        let menu = self.add_node(kind, span, line);
        self.symbols[sym.0 as usize].definitions.push(menu);
        if let Some(c) = choice {
            let info = self.menus[c.0 as usize]
                .choice
                .get_or_insert_with(Default::default);
            if !info.members.contains(&sym) {
                info.members.push(sym);
            }
            let s = &mut self.symbols[sym.0 as usize];
            if !s.choices.contains(&c) {
                s.choices.push(c);
            }
        }
        let kind = if kw == Kw::Config {
            EntryKind::Config
        } else {
            EntryKind::MenuConfig
        };
        self.entry = Some(Entry { menu, kind });
    }

    fn choice(&mut self, line: &Line<'_>) {
        let span = line.span();
        if let Some(c) = self.in_choice() {
            self.not_in_choice(line, c, "`choice`");
        }
        let mut info = ChoiceInfo::default();
        let legacy = self.opts.dialect.legacy_choices();
        match (legacy, line.tokens().get(1)) {
            (_, None) => {}
            (true, Some(t)) if t.kind == TokKind::Word => {
                let name = line.st.text(t).to_string();
                info.name = Some(self.exprs.name(&name));
                self.expect_end(line, 2, "the choice name");
            }
            (false, Some(t)) if t.kind == TokKind::Word => {
                self.error(
                    "KP0123",
                    line.span_of(t),
                    format!(
                        "unexpected {} after `choice`: expected end of line (named choices were removed in Linux 6.10)",
                        line.shown(1)
                    ),
                );
            }
            (_, Some(_)) => {
                self.expect_end(line, 1, "`choice`");
            }
        }
        let menu = self.add_node(MenuKind::Choice, span, line);
        // `sym_lookup(NULL, 0)` (6.1: `sym_lookup(name, SYMBOL_CHOICE)`).
        self.created.push(Created::Choice(menu));
        let kw_span = line.span_of(&line.tokens()[0]);
        let modern = self.opts.dialect.modern_choices();
        let kw_line = if modern { line.st.line } else { 0 };
        let node = self.node(menu);
        node.choice = Some(Box::new(info));
        if modern {
            // `choice: T_CHOICE T_EOL { ... menu_set_type(S_BOOLEAN); }`
            node.ty = Some((SymbolType::Bool, kw_span));
            node.ty_line = kw_line;
        }
        let file = line.file;
        self.blocks.push(Block {
            menu,
            kind: BlockKind::Choice,
            file,
        });
        self.entry = Some(Entry {
            menu,
            kind: EntryKind::Choice,
        });
    }

    fn menu_or_comment(&mut self, kw: Kw, line: &Line<'_>) {
        let span = line.span();
        let choice = self.in_choice();
        if kw == Kw::Menu
            && let Some(c) = choice
        {
            self.not_in_choice(line, c, "`menu`");
        }
        let title = self.quoted_at(line, 1, kw.quoted());
        if title.is_some() {
            self.expect_end(line, 2, "the title");
        }
        let (kind, ekind) = if kw == Kw::Menu {
            (MenuKind::Menu, EntryKind::Menu)
        } else {
            (MenuKind::Comment, EntryKind::Comment)
        };
        let menu = self.add_node(kind, span, line);
        if let Some(text) = title {
            self.node(menu).prompt = Some(Prompt {
                text,
                cond: None,
                span,
            });
        }
        if kw == Kw::Menu {
            let file = line.file;
            self.blocks.push(Block {
                menu,
                kind: BlockKind::Menu,
                file,
            });
        }
        self.entry = Some(Entry { menu, kind: ekind });
    }

    fn if_block(&mut self, line: &Line<'_>) {
        let span = line.span();
        let cond = match self.expr_at(line, 1) {
            Some((cond, next)) => {
                self.expect_end(line, next, "the condition");
                Some(cond)
            }
            None => None,
        };
        let menu = self.add_node(MenuKind::If, span, line);
        if let Some(c) = cond {
            self.node(menu).depends.push(c);
        }
        let file = line.file;
        self.blocks.push(Block {
            menu,
            kind: BlockKind::If,
            file,
        });
    }

    fn end(&mut self, kw: Kw, line: &Line<'_>) {
        let span = line.span();
        let kind = match kw {
            Kw::EndMenu => BlockKind::Menu,
            Kw::EndIf => BlockKind::If,
            _ => BlockKind::Choice,
        };
        self.expect_end(line, 1, &format!("`{}`", kind.closer()));
        // Only blocks opened in this file can be closed here (`zconf_endtoken()`).
        let open_here = self
            .blocks
            .iter()
            .rev()
            .take_while(|b| b.file == line.file)
            .count();
        let Some(top) = self.blocks.last().copied().filter(|_| open_here > 0) else {
            let msg = match self.blocks.last() {
                Some(b) => format!(
                    "`{}` without a matching `{}` in this file (the enclosing `{}` is in another file)",
                    kind.closer(),
                    kind.opener(),
                    b.kind.opener()
                ),
                None => format!("`{}` without a matching `{}`", kind.closer(), kind.opener()),
            };
            self.error("KP0132", span, msg);
            return;
        };
        if top.kind == kind {
            self.blocks.pop();
            self.node(top.menu).end_span = Some(span);
            return;
        }
        let top_span = self.menus[top.menu.0 as usize].span;
        let depth = self
            .blocks
            .iter()
            .rev()
            .take(open_here)
            .position(|b| b.kind == kind);
        let d = Diagnostic::error(
            "KP0130",
            span,
            format!(
                "unexpected `{}` within `{}` block: expected `{}`",
                kind.closer(),
                top.kind.opener(),
                top.kind.closer()
            ),
        )
        .with_note(
            top_span,
            format!("the `{}` block starts here", top.kind.opener()),
        );
        self.diags.push(d);
        // Recover as a reader would: close the inner blocks the author forgot to close.
        if let Some(depth) = depth {
            for _ in 0..depth {
                self.blocks.pop();
            }
            if let Some(b) = self.blocks.pop() {
                self.node(b.menu).end_span = Some(span);
            }
        }
    }

    /// `source "path"`; with [`Options::kconfiglib_sources`] also Kconfiglib's `rsource`
    /// (relative to the current file's directory), `osource`/`orsource` (a missing file or an
    /// empty glob is not an error) and glob patterns (`*`, `?`, `[...]`, matches sorted).
    fn source(&mut self, kw: Kw, line: &Line<'_>) {
        let span = line.span();
        if let Some(c) = self.in_choice() {
            self.not_in_choice(line, c, kw.quoted());
        }
        let Some(path) = line
            .tokens()
            .get(1)
            .filter(|t| t.kind == TokKind::Quoted)
            .map(|t| line.st.text(t))
        else {
            self.error(
                "KP0102",
                line.span_at(1),
                format!(
                    "expected a quoted file name after {}, found {}",
                    kw.quoted(),
                    line.shown(1)
                ),
            );
            return;
        };
        if !self.expect_end(line, 2, "the file name") {
            return;
        }
        if has_marker(path) {
            let shown = render_markers(path, &self.pp.shell_calls);
            self.error(
                "KP0204",
                span,
                format!("the file name `{shown}` depends on a recorded $(shell,...) call, so it cannot be read"),
            );
            return;
        }
        let mut path = path.to_string();
        if matches!(kw, Kw::RSource | Kw::ORSource)
            && let Some((current, _)) = self.includes.last()
            && let Some((dir, _)) = current.rsplit_once('/')
        {
            path = format!("{dir}/{path}");
        }
        let optional = matches!(kw, Kw::OSource | Kw::ORSource);
        if self.opts.kconfiglib_sources && path.contains(['*', '?', '[']) {
            let matches = self.loader.glob(&path);
            if matches.is_empty() && !optional {
                self.error("KP0201", span, format!("no file matches `{path}`"));
            }
            for p in matches {
                self.parse_file(&p, Some(span));
            }
            return;
        }
        if optional && self.loader.load(&path).is_err() {
            return;
        }
        self.parse_file(&path, Some(span));
    }

    fn mainmenu(&mut self, line: &Line<'_>) {
        let span = line.span();
        if self.statements != 1 || self.includes.len() != 1 {
            self.error(
                "KP0122",
                span,
                "`mainmenu` is only allowed as the first statement of the top-level Kconfig",
            );
            return;
        }
        if let Some(text) = self.quoted_at(line, 1, "`mainmenu`") {
            self.expect_end(line, 2, "the title");
            self.menus[0].prompt = Some(Prompt {
                text,
                cond: None,
                span,
            });
            self.menus[0].span = span;
        }
    }

    /// The end of an entry's attribute list: the checks `parser.y` makes there.
    fn finish_entry(&mut self) {
        let Some(entry) = self.entry.take() else {
            return;
        };
        let modern = self.opts.dialect.modern_choices();
        let node = &self.menus[entry.menu.0 as usize];
        let span = node.span;
        match entry.kind {
            EntryKind::Config | EntryKind::MenuConfig => {
                let has_prompt = node.prompt.is_some();
                let sym = node.symbol();
                let in_choice = self.blocks.last().is_some() && self.in_choice().is_some();
                if entry.kind == EntryKind::MenuConfig && !has_prompt {
                    if self.opts.dialect.menuconfig_needs_prompt {
                        self.error("KP0146", span, "menuconfig statement without prompt");
                    } else {
                        self.warn("KP0146", span, "menuconfig statement without prompt");
                    }
                }
                if modern && in_choice {
                    if !has_prompt {
                        self.error("KP0144", span, "choice member must have a prompt");
                    }
                    if let Some(s) = sym
                        && self.symbols[s.0 as usize].ty != Some(SymbolType::Bool)
                    {
                        self.error("KP0144", span, "choice member must be bool");
                    }
                }
            }
            EntryKind::Choice if modern && node.prompt.is_none() => {
                self.error("KP0145", span, "choice must have a prompt");
            }
            _ => {}
        }
    }

    /// 7.2's `transitional_check_sanity()`, for each definition of a transitional symbol:
    /// no dependency (its own or an enclosing block's, as `menu->dep` is after
    /// `menu_finalize()`) and no property but help (a prompt, default, select, imply or
    /// range is one); the first offence of each definition is reported.
    fn check_transitional(&mut self) {
        let mut found = Vec::new();
        for sym in &self.symbols {
            let defs = &sym.definitions;
            if !defs
                .iter()
                .any(|&d| self.menus[d.0 as usize].transitional.is_some())
            {
                continue;
            }
            // `sym->prop` order: prompts are added where written, so every definition's
            // prompt counts, and properties in definition order.
            let first_prop = defs.iter().find_map(|&d| {
                let node = &self.menus[d.0 as usize];
                let prompt = node.prompt.as_ref().map(|p| p.span);
                let earlier = node.earlier_prompts.first().map(|p| p.span);
                let prop = node.properties.first().map(|p| p.span);
                [earlier, prompt, prop]
                    .into_iter()
                    .flatten()
                    .min_by_key(|s| s.start)
            });
            for &d in defs {
                let mut dependent = false;
                let mut m = Some(d);
                while let Some(id) = m {
                    let node = &self.menus[id.0 as usize];
                    let yes = self.exprs.yes();
                    if node.depends.iter().any(|c| c.expr != yes) {
                        dependent = true;
                    }
                    m = node.parent;
                }
                if dependent {
                    found.push(self.menus[d.0 as usize].span);
                } else if let Some(span) = first_prop {
                    found.push(span);
                }
            }
        }
        for span in found {
            self.error(
                "KP0151",
                span,
                "transitional symbols can only have help sections",
            );
        }
    }

    /// 6.12's `choice_check_sanity()`: no `default` on a choice member.
    fn check_choice_members(&mut self) {
        if !self.opts.dialect.modern_choices() {
            return;
        }
        let mut found = Vec::new();
        for m in &self.menus {
            let Some(info) = &m.choice else { continue };
            for &s in &info.members {
                for &d in &self.symbols[s.0 as usize].definitions {
                    for p in &self.menus[d.0 as usize].properties {
                        if matches!(p.kind, PropertyKind::Default { .. }) {
                            found.push(p.span);
                        }
                    }
                }
            }
        }
        found.sort_by_key(|s| (s.file, s.start));
        found.dedup();
        for span in found {
            self.error(
                "KP0148",
                span,
                "defaults for choice values are not supported",
            );
        }
    }
}

fn cmp_str(op: CmpOp) -> &'static str {
    op.as_str()
}

/// A statement keyword within edit distance 2 of `word`, for "did you mean".
fn suggestion(word: &str) -> Option<&'static str> {
    if word.len() > 20 {
        return None;
    }
    STATEMENTS
        .iter()
        .map(|k| (edit_distance(word, k), *k))
        .filter(|&(d, k)| (d <= 1 || (d == 2 && word.len() >= 6)) && d < k.len())
        .min()
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}
