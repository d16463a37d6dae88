//! The parsed Kconfig model: the menu tree exactly as written, every symbol with its
//! definitions, and every property with its span.
//!
//! Deliberately absent: any semantics. No dependency is propagated from parents to children,
//! `visible if` is not pushed into prompts, `m` is not rewritten to `m && MODULES`, and no
//! symbol's type is inferred. The solver does all of that (`_menu_finalize` in
//! `scripts/kconfig/menu.c`) from the parent links kept here.

use kp_base::{Diagnostic, ExprId, ExprPool, NameId, Operand, SourceMap, Span};

/// Index of a node in [`Model::menus`]. `MenuId(0)` is the root (the `mainmenu`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct MenuId(pub u32);

/// Index of a symbol in [`Model::symbols`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct SymbolId(pub u32);

/// Index of a call in [`Model::shell_calls`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct ShellCallId(pub u32);

/// The choice model of a tree's `scripts/kconfig` (the v6.10 rewrite of choices in
/// parser.y, menu.c, symbol.c and confdata.c).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Choices {
    /// Up to v6.9 (5.10, 6.1): `choice [NAME]`, `optional`, tristate choices with a value of
    /// their own, `bool`/`tristate` with an optional prompt in a choice, `P_CHOICE`.
    Legacy,
    /// v6.10 onwards (6.12, 7.x): nameless bool choices, members chosen by
    /// `sym_calc_choice()`'s priority list; members must be bool with a prompt.
    Modern,
}

/// What a tree's own `scripts/kconfig` accepts and does, where kernels differ. Detected from
/// the tree's sources ([`Dialect::detect`]: its `lexer.l` keywords, `parser.y` rules and
/// `confdata.c`/`expr.h` behaviour), never from its version number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Dialect {
    /// The choice model.
    pub choices: Choices,
    /// `option modules|defconfig_list|allnoconfig_y` (lexer.l `"option"`, up to v5.12);
    /// without it `modules` is a bare attribute.
    pub option: bool,
    /// `bool "prompt"` gives a (modern) choice its prompt (6.12 parser.y
    /// `choice_option: T_BOOL T_WORD_QUOTE if_expr`); gone in 7.2, where only `prompt`
    /// does.
    pub choice_bool_prompt: bool,
    /// `transitional` (7.2 lexer.l `"transitional"`).
    pub transitional: bool,
    /// `depends on X if Y` (7.2 parser.y `depends: T_DEPENDS T_ON expr if_expr T_EOL`).
    pub depends_if: bool,
    /// `menuconfig` without a prompt is an error, not a warning (7.2 parser.y
    /// `zconf_error("menuconfig statement without prompt")`).
    pub menuconfig_needs_prompt: bool,
    /// A second or blank help text is an error, not a warning (7.2 parser.y `help:`).
    pub help_errors: bool,
    /// `conf_write()` ends every visible menu with `# end of`, also an empty one (its
    /// `end_check:` label, 6.1 on); 5.10 prints it only when leaving a menu's last child.
    pub end_of_empty_menu: bool,
    /// `SYMBOL_HASHSIZE`: the buckets of the symbol table, whose walk orders
    /// `conf_read()`'s computations and `auto.conf` (9973 up to 6.9, 16384 from 6.10).
    pub symbol_hash_size: u32,
}

impl Dialect {
    /// The grammar and behaviour of Linux 5.10's `scripts/kconfig`.
    pub const LINUX_5_10: Dialect = Dialect {
        choices: Choices::Legacy,
        option: true,
        choice_bool_prompt: false,
        transitional: false,
        depends_if: false,
        menuconfig_needs_prompt: false,
        help_errors: false,
        end_of_empty_menu: false,
        symbol_hash_size: 9973,
    };
    /// Linux 6.1's.
    pub const LINUX_6_1: Dialect = Dialect {
        option: false,
        end_of_empty_menu: true,
        ..Dialect::LINUX_5_10
    };
    /// Linux 6.12's.
    pub const LINUX_6_12: Dialect = Dialect {
        choices: Choices::Modern,
        choice_bool_prompt: true,
        symbol_hash_size: 1 << 14,
        ..Dialect::LINUX_6_1
    };
    /// Linux 7.2's (and 7.3's).
    pub const LINUX_7_2: Dialect = Dialect {
        choice_bool_prompt: false,
        transitional: true,
        depends_if: true,
        menuconfig_needs_prompt: true,
        help_errors: true,
        ..Dialect::LINUX_6_12
    };

    /// Whether choices follow the v6.10 model.
    pub fn modern_choices(&self) -> bool {
        self.choices == Choices::Modern
    }

    /// Whether choices follow the model before v6.10.
    pub fn legacy_choices(&self) -> bool {
        self.choices == Choices::Legacy
    }
}

/// A symbol type as written (`bool`, `tristate`, `int`, `hex`, `string`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SymbolType {
    /// `bool` / `def_bool`
    Bool,
    /// `tristate` / `def_tristate`
    Tristate,
    /// `int`
    Int,
    /// `hex`
    Hex,
    /// `string`
    String,
}

impl SymbolType {
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            SymbolType::Bool => "bool",
            SymbolType::Tristate => "tristate",
            SymbolType::Int => "int",
            SymbolType::Hex => "hex",
            SymbolType::String => "string",
        }
    }
}

/// A condition as written, with where it was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cond {
    /// The expression (in [`Model::exprs`]).
    pub expr: ExprId,
    /// The text of the expression.
    pub span: Span,
}

/// A prompt: `prompt "text" [if cond]`, or the prompt given with a type (`bool "text"`), or
/// the title of a `menu`, `comment` or `mainmenu`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prompt {
    /// The text, macros expanded, leading whitespace kept (the kernel strips it and warns).
    pub text: String,
    /// Its own `if` condition, not including any inherited dependency or `visible if`.
    pub cond: Option<Cond>,
    /// The statement.
    pub span: Span,
}

/// What a property of a config or choice entry says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PropertyKind {
    /// `default E`, `def_bool E` or `def_tristate E` (the latter two also set [`MenuNode::ty`]).
    /// In a choice, `default SYMBOL`.
    Default {
        /// `E` in a boolean context. A quoted constant other than `y`/`m`/`n` is `n` here (a
        /// constant symbol's tristate value, `sym_calc_value()`); its text is in `operand`.
        value: ExprId,
        /// When `E` is a single symbol or constant, that operand: the value an int, hex or
        /// string symbol takes (`prop_get_symbol()`), e.g. `Const("0x1000")`.
        operand: Option<Operand>,
        /// `$(shell,...)` calls (record mode only) whose output the value depends on. When not
        /// empty the value is a toolchain fact: `value` is an [`kp_base::Expr::Unknown`] and
        /// `operand` holds the text with each call shown unexpanded.
        opaque: Vec<ShellCallId>,
    },
    /// `select SYMBOL`
    Select(NameId),
    /// `imply SYMBOL`
    Imply(NameId),
    /// `range LOW HIGH`
    Range {
        /// Lower bound.
        low: Operand,
        /// Upper bound.
        high: Operand,
        /// As for `Default::opaque`.
        opaque: Vec<ShellCallId>,
    },
}

/// One `default`/`select`/`imply`/`range` line of one definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Property {
    /// What it says.
    pub kind: PropertyKind,
    /// Its own `if` condition only.
    pub cond: Option<Cond>,
    /// The whole statement.
    pub span: Span,
}

/// The kind of a menu-tree node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MenuKind {
    /// The implicit top node; its prompt is the `mainmenu` text if there was one.
    Root,
    /// `config NAME`
    Config(SymbolId),
    /// `menuconfig NAME`: evaluated exactly like `config`; its prompt opens a menu.
    MenuConfig(SymbolId),
    /// `choice` (`choice NAME` with legacy choices) ... `endchoice`.
    Choice,
    /// `menu "title"` ... `endmenu`.
    Menu,
    /// `if EXPR` ... `endif`: a promptless node whose `depends` is `EXPR`.
    If,
    /// `comment "text"`
    Comment,
}

/// What is particular to a `choice` node.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ChoiceInfo {
    /// `choice NAME` (legacy dialect only).
    pub name: Option<NameId>,
    /// `optional` (legacy dialect only).
    pub optional: Option<Span>,
    /// The config entries written inside the choice, directly or inside an `if` in it, in
    /// order and without repetition: the `choice_members` list of 6.12.
    pub members: Vec<SymbolId>,
}

/// One node of the menu tree: one `config`, `menuconfig`, `choice`, `menu`, `if` or
/// `comment` entry, with the attributes written on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MenuNode {
    /// The kind.
    pub kind: MenuKind,
    /// The enclosing `menu`, `if` or `choice` block (the root for top-level entries);
    /// `None` only for the root itself.
    pub parent: Option<MenuId>,
    /// Nodes written inside this block, in order.
    pub children: Vec<MenuId>,
    /// The opening statement (`config FOO`, `menu "x"`, `if A && B`, ...).
    pub span: Span,
    /// The 1-based line `span` starts on (0 for the root), counted while parsing, when the
    /// file's text is at hand.
    pub line: u32,
    /// The `endmenu`/`endif`/`endchoice`, when the block was closed.
    pub end_span: Option<Span>,
    /// The prompt (the last one written; `menu_add_prompt()` makes it the entry's prompt).
    pub prompt: Option<Prompt>,
    /// Prompts written earlier in the same entry ("prompt redefined"): the kernel keeps them
    /// as properties of the symbol, so they still count for its visibility.
    pub earlier_prompts: Vec<Prompt>,
    /// Every `depends on` of this entry, in order; for `if` the `if` condition. Four
    /// entries in five have at most one, which is kept in the node (no allocation, and
    /// no pointer to chase when the solver reads the tree); it derefs to a slice.
    pub depends: smallvec::SmallVec<[Cond; 1]>,
    /// `visible if` of a `menu`, in order.
    pub visible_if: Vec<Cond>,
    /// The type written at this definition and where (`bool`, `def_tristate`, ...). The
    /// first type written for a symbol wins (`menu_set_type()`); see [`Symbol::ty`].
    pub ty: Option<(SymbolType, Span)>,
    /// The 1-based line of the type in `ty`, 0 when untyped.
    pub ty_line: u32,
    /// `default`, `select`, `imply` and `range` lines in the order written.
    pub properties: Vec<Property>,
    /// The `modules` attribute (`option modules` in 5.10).
    pub modules: Option<Span>,
    /// `transitional` (7.2): read from `.config`, never written, passed on to the symbols
    /// whose chosen default is this one symbol.
    pub transitional: Option<Span>,
    /// 5.10's `option allnoconfig_y`: allnoconfig sets the symbol to `y`.
    pub allnoconfig_y: Option<Span>,
    /// 5.10's `option defconfig_list`: the symbol is never written (`SYMBOL_NO_WRITE`).
    pub defconfig_list: Option<Span>,
    /// The span of the help text's lines; [`Model::help_text`] gives the text.
    pub help: Option<Span>,
    /// For `choice` nodes.
    pub choice: Option<Box<ChoiceInfo>>,
}

impl MenuNode {
    pub(crate) fn new(kind: MenuKind, parent: Option<MenuId>, span: Span) -> MenuNode {
        MenuNode {
            kind,
            parent,
            children: Vec::new(),
            span,
            line: 0,
            end_span: None,
            prompt: None,
            earlier_prompts: Vec::new(),
            depends: smallvec::SmallVec::new(),
            visible_if: Vec::new(),
            ty: None,
            ty_line: 0,
            properties: Vec::new(),
            modules: None,
            transitional: None,
            allnoconfig_y: None,
            defconfig_list: None,
            help: None,
            choice: None,
        }
    }

    /// The symbol of a `config`/`menuconfig` node.
    pub fn symbol(&self) -> Option<SymbolId> {
        match self.kind {
            MenuKind::Config(s) | MenuKind::MenuConfig(s) => Some(s),
            _ => None,
        }
    }
}

/// A symbol with at least one `config`/`menuconfig` definition. Names that are only
/// referenced (in `depends on`, `select`, ...) are not symbols here: they live in the
/// expression pool's names and evaluate as undefined symbols.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    /// The name.
    pub name: NameId,
    /// The first type written in any definition, in parse order (`menu_set_type()`).
    pub ty: Option<SymbolType>,
    /// Every definition (menu node), in parse order. Concatenating their `properties` gives
    /// the kernel's `sym->prop` order, which decides which `default` is "first". Nearly
    /// every symbol has one to four, kept inline (a slice when dereferenced).
    pub definitions: smallvec::SmallVec<[MenuId; 4]>,
    /// The choice nodes this symbol is a member of.
    pub choices: Vec<MenuId>,
}

/// A non-constant symbol as the kernel's parser creates it (`sym_lookup()` making a new one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Created {
    /// A name, at its first unquoted mention (a `config` line, an expression, a `select`).
    Name(NameId),
    /// The symbol of a `choice` block (nameless, or named in 6.1).
    Choice(MenuId),
}

/// One `$(shell,...)` call made while preprocessing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellCall {
    /// The command after expansion; output of earlier recorded calls appears as
    /// `$(shell,...)` text.
    pub command: String,
    /// Where the reference that led to the call was written (the outermost `$(...)`, e.g. a
    /// `$(cc-option,-mfoo)` in `arch/x86/Kconfig`).
    pub span: Span,
    /// Output in run mode (trailing newlines removed, other newlines made spaces, at most 4095
    /// bytes, as `do_shell()`); `None` in record mode.
    pub output: Option<String>,
    /// Earlier recorded calls whose output is part of this command (record mode).
    pub inputs: Vec<ShellCallId>,
}

/// One environment variable read by `$(NAME)` (written by the kernel to `auto.conf.cmd`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvRead {
    /// The variable.
    pub name: String,
    /// Its value, if it was set.
    pub value: Option<String>,
    /// The first reference.
    pub span: Span,
}

/// One Kconfig file that was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileInfo {
    /// The file.
    pub file: kp_base::FileId,
    /// The `source` statement that read it (`None` for the top file).
    pub sourced_from: Option<Span>,
}

/// Everything parsed from one top-level Kconfig: the menu tree, the symbols, the conditions
/// (in one [`ExprPool`]), the files read and every diagnostic.
#[derive(Debug)]
pub struct Model {
    /// The grammar used.
    pub dialect: Dialect,
    /// Every file read, addressed by the spans below.
    pub sources: SourceMap,
    /// Every condition and name.
    pub exprs: ExprPool,
    /// The menu tree; `menus[0]` is the root.
    pub menus: Vec<MenuNode>,
    /// Every defined symbol, in order of first definition.
    pub symbols: Vec<Symbol>,
    /// Files in the order they were read, with the `source` that read each.
    pub files: Vec<FileInfo>,
    /// The symbol carrying `modules` (`MODULES` in the kernel), if any.
    pub modules: Option<SymbolId>,
    /// Every `$(shell,...)` call, in the order made.
    pub shell_calls: Vec<ShellCall>,
    /// Environment variables read.
    pub env_reads: Vec<EnvRead>,
    /// Errors, warnings and `$(info,...)` notes, in the order found.
    pub diagnostics: Vec<Diagnostic>,
    /// Every non-constant symbol in the order the kernel's parser creates it. The kernel's
    /// symbol table keeps each hash bucket newest first and `for_all_symbols` walks it so,
    /// which decides the order `conf_read()` computes values in.
    pub created: Vec<Created>,
    /// The symbol of each name, by `NameId`.
    pub(crate) symbol_index: Vec<Option<SymbolId>>,
}

impl Model {
    /// The root menu node.
    pub const ROOT: MenuId = MenuId(0);

    /// A menu node.
    pub fn menu(&self, id: MenuId) -> &MenuNode {
        &self.menus[id.0 as usize]
    }

    /// A symbol.
    pub fn symbol(&self, id: SymbolId) -> &Symbol {
        &self.symbols[id.0 as usize]
    }

    /// The symbol defined under `name`, if any.
    pub fn symbol_named(&self, name: &str) -> Option<SymbolId> {
        let n = self.exprs.find_name(name)?;
        self.symbol_by_name_id(n)
    }

    /// The symbol for an interned name, if defined.
    pub fn symbol_by_name_id(&self, name: NameId) -> Option<SymbolId> {
        self.symbol_index.get(name.0 as usize).copied().flatten()
    }

    /// A symbol's name.
    pub fn symbol_name(&self, id: SymbolId) -> &str {
        self.exprs.name_text(self.symbol(id).name)
    }

    /// The chain of enclosing nodes of `id`, innermost first, ending at the root.
    pub fn ancestors(&self, id: MenuId) -> impl Iterator<Item = MenuId> + '_ {
        std::iter::successors(self.menu(id).parent, move |&p| self.menu(p).parent)
    }

    /// All properties of a symbol in the kernel's `sym->prop` order, with their definition.
    pub fn properties_of(&self, id: SymbolId) -> impl Iterator<Item = (MenuId, &Property)> + '_ {
        self.symbol(id)
            .definitions
            .iter()
            .flat_map(move |&m| self.menu(m).properties.iter().map(move |p| (m, p)))
    }

    /// The help text of a node with `lexer.l`'s indentation rule applied (the first line's
    /// indentation removed, deeper indentation kept as spaces, trailing blanks dropped).
    pub fn help_text(&self, id: MenuId) -> Option<String> {
        let span = self.menu(id).help?;
        let file = self.sources.get(span.file)?;
        let mut lexer = crate::lexer::Lexer::new(&file.text, span.file, "", self.dialect);
        // The text starts at the line after `help`; re-reading from the span's first line
        // gives the same result because that line begins the help state.
        let line_start = file.text[..span.start as usize]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        lexer.seek(line_start);
        let mut out = String::new();
        lexer.help(Some(&mut out));
        Some(out)
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }

    /// Number of error diagnostics.
    pub fn error_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == kp_base::Severity::Error)
            .count()
    }

    /// Counts for `kpossible parse`.
    pub fn stats(&self) -> Stats {
        let mut s = Stats {
            files: self.files.len(),
            ..Stats::default()
        };
        for m in &self.menus {
            match m.kind {
                MenuKind::Root => continue,
                MenuKind::Config(_) => s.configs += 1,
                MenuKind::MenuConfig(_) => s.menuconfigs += 1,
                MenuKind::Choice => s.choices += 1,
                MenuKind::Menu => s.menus += 1,
                MenuKind::If => s.ifs += 1,
                MenuKind::Comment => s.comments += 1,
            }
            s.entries += 1;
        }
        s.symbols = self.symbols.len();
        for sym in &self.symbols {
            match sym.ty {
                Some(SymbolType::Bool) => s.bool += 1,
                Some(SymbolType::Tristate) => s.tristate += 1,
                Some(SymbolType::Int) => s.int += 1,
                Some(SymbolType::Hex) => s.hex += 1,
                Some(SymbolType::String) => s.string += 1,
                None => s.untyped += 1,
            }
        }
        for d in &self.diagnostics {
            match d.severity {
                kp_base::Severity::Error => s.errors += 1,
                kp_base::Severity::Warning => s.warnings += 1,
                kp_base::Severity::Note => {}
            }
        }
        s.shell_calls = self.shell_calls.len();
        s
    }
}

/// Counts of one model.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[allow(missing_docs)]
pub struct Stats {
    pub files: usize,
    /// All menu nodes except the root.
    pub entries: usize,
    pub configs: usize,
    pub menuconfigs: usize,
    pub choices: usize,
    pub menus: usize,
    pub ifs: usize,
    pub comments: usize,
    pub symbols: usize,
    pub bool: usize,
    pub tristate: usize,
    pub int: usize,
    pub hex: usize,
    pub string: usize,
    pub untyped: usize,
    pub errors: usize,
    pub warnings: usize,
    pub shell_calls: usize,
}
