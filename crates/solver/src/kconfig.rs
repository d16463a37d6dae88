//! The Kconfig semantics of one parsed tree: what `menu_finalize()` derives from the menu tree
//! before any value is computed.
//!
//! From the parser's raw model (each definition with its own `depends on` and `if` conditions,
//! plus parent links) this builds, per symbol, exactly the expressions the kernel's C tool
//! evaluates (`scripts/kconfig/menu.c: _menu_finalize` in 6.12, `menu_finalize` in 6.1):
//! - a node's dependency is its parent's dependency `&&` its own `depends on`, with literal `m`
//!   rewritten to `m && MODULES` (`rewrite_m`); in 6.1 a choice's children depend on the choice
//!   symbol itself instead of the choice's dependencies;
//! - a property's condition is its node's dependency `&&` its own `if` (prompts also `&&` every
//!   enclosing `visible if`, as `menu_add_prompt` does at parse time);
//! - `dir_dep` is the OR of the dependencies of every definition; `rev_dep` and `implied`
//!   collect `selector && condition` of every `select` / `imply` naming the symbol.
//!
//! The simplifications the kernel applies on the way (`expr_transform`,
//! `expr_eliminate_dups`) preserve values, so they are not reproduced.

use kconfig_parser::{
    Choices, Created, Dialect, MenuId, MenuKind, Model, PropertyKind, SymbolId, SymbolType,
};
use kp_base::{CmpOp, Expr, ExprId, ExprPool, NameId, Operand, Tristate};

/// A symbol's type as the value rules see it; `Unknown` for names that are only referenced.
pub type ValueType = kp_base::expr::ValueType;

/// One prompt of a symbol with its final visibility condition.
#[derive(Clone, Copy, Debug)]
pub struct PromptRule {
    /// `prompt-if && visible-ifs && dependencies`.
    pub visible: ExprId,
    /// The node it was written on.
    pub menu: MenuId,
}

/// One `default` of a symbol (in the kernel's property order).
#[derive(Clone, Copy, Debug)]
pub struct DefaultRule {
    /// The value in a boolean context.
    pub value: ExprId,
    /// The single symbol or constant, when the value is one (`prop_get_symbol()`).
    pub operand: Option<Operand>,
    /// `default-if && dependencies`.
    pub visible: ExprId,
    /// The node it was written on.
    pub menu: MenuId,
    /// The value is a recorded `$(shell,...)` result (Record mode): unknown, whatever
    /// `operand` spells.
    pub opaque: bool,
}

/// One `range` of an int or hex symbol.
#[derive(Clone, Copy, Debug)]
pub struct RangeRule {
    /// Lower bound.
    pub low: Operand,
    /// Upper bound.
    pub high: Operand,
    /// `range-if && dependencies`.
    pub visible: ExprId,
}

/// What a name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    /// Defined by `config`/`menuconfig`, or only referenced (type `Unknown`).
    Normal,
    /// The symbol of a `choice` block (nameless in 6.12; named or not in 6.1).
    Choice(ChoiceId),
}

/// Index into [`Kconfig::choices`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ChoiceId(pub u32);

/// Everything the value rules need about one name: a view into [`Kconfig`]'s flat rule
/// arrays (see [`Kconfig::symbol`]).
#[derive(Clone, Copy, Debug)]
pub struct SymbolRules<'k> {
    /// Declared type (first one written wins).
    pub ty: ValueType,
    /// Normal symbol or choice.
    pub kind: SymbolKind,
    /// Prompts, in property order.
    pub prompts: &'k [PromptRule],
    /// Defaults, in property order.
    pub defaults: &'k [DefaultRule],
    /// Ranges, in property order.
    pub ranges: &'k [RangeRule],
    /// OR of the dependencies of every definition; `None` means `y`.
    pub dir_dep: Option<ExprId>,
    /// OR of `selector && cond` over every `select` of this symbol; `None` means `n`.
    pub rev_dep: Option<ExprId>,
    /// OR of `implier && cond` over every `imply` of this symbol; `None` means `n`.
    pub implied: Option<ExprId>,
    /// The choice this symbol is a member of.
    pub member_of: Option<ChoiceId>,
    /// Definitions (menu nodes), in parse order.
    pub definitions: &'k [Definition],
}

/// One definition of a symbol: a `config`/`menuconfig` node, or a `choice` node for a
/// choice's symbol.
#[derive(Clone, Copy, Debug)]
pub struct Definition {
    /// The node.
    pub menu: MenuId,
    /// Its `config` (or `choice`) line.
    place: Place,
    /// Where its type is written, if it has one.
    type_place: Option<Place>,
}

/// What [`SymbolRules`] holds for one name that evaluation reads, its prompts and defaults
/// as starts into [`Kconfig`]'s flat arrays (each ends where the next name's starts; the
/// ranges' and definitions' starts, read for few symbols, are in [`ColdStarts`]). 32 bytes,
/// half a cache line (ids as `u32` with [`NONE`] for absent: an `Option` of one takes 8):
/// evaluation reads one of these per symbol computed, and building the rules writes one per
/// name.
#[derive(Clone, Debug)]
pub(crate) struct SymbolRec {
    pub(crate) ty: ValueType,
    /// The [`ChoiceId`] of a choice's symbol.
    choice: u32,
    member_of: u32,
    dir_dep: u32,
    rev_dep: u32,
    implied: u32,
    prompts: u32,
    defaults: u32,
}

// Two records to a cache line (the point of the layout).
const _: () = assert!(std::mem::size_of::<SymbolRec>() == 32);

/// An absent id in a [`SymbolRec`]: no pool holds 2^32 nodes (`ExprPool` stops at 2^29)
/// and no tree 2^32 choices.
const NONE: u32 = u32::MAX;

fn opt(id: u32) -> Option<u32> {
    (id != NONE).then_some(id)
}

impl SymbolRec {
    const NEW: SymbolRec = SymbolRec {
        ty: ValueType::Unknown,
        choice: NONE,
        member_of: NONE,
        dir_dep: NONE,
        rev_dep: NONE,
        implied: NONE,
        prompts: 0,
        defaults: 0,
    };

    #[inline]
    pub(crate) fn kind(&self) -> SymbolKind {
        opt(self.choice).map_or(SymbolKind::Normal, |c| SymbolKind::Choice(ChoiceId(c)))
    }

    #[inline]
    pub(crate) fn member_of(&self) -> Option<ChoiceId> {
        opt(self.member_of).map(ChoiceId)
    }

    #[inline]
    pub(crate) fn dir_dep(&self) -> Option<ExprId> {
        opt(self.dir_dep).map(ExprId)
    }

    #[inline]
    pub(crate) fn rev_dep(&self) -> Option<ExprId> {
        opt(self.rev_dep).map(ExprId)
    }

    #[inline]
    pub(crate) fn implied(&self) -> Option<ExprId> {
        opt(self.implied).map(ExprId)
    }

    fn set_member_of(&mut self, c: Option<ChoiceId>) {
        self.member_of = c.map_or(NONE, |c| c.0);
    }
}

/// Where a name's ranges and definitions start in [`Kconfig`]'s flat arrays (see
/// [`SymbolRec`]).
#[derive(Clone, Copy, Debug)]
struct ColdStarts {
    ranges: u32,
    definitions: u32,
}

/// A line of a Kconfig file, by index into [`Kconfig`]'s file paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Place {
    file: u32,
    line: u32,
}

/// A menu node after 6.1's automatic submenu creation.
struct FinalNode {
    menu: MenuId,
    children: Vec<FinalNode>,
}

/// 6.1 `menu_finalize`, the loop over a choice's children: every entry with a symbol is a
/// choice value (`SYMBOL_CHOICEVAL`, appended to the `P_CHOICE` list), and the children of
/// nodes without a prompt (`if` blocks, promptless symbols) are lifted into the list first.
/// Entries in the submenu of a prompted member are not choice values.
fn legacy_choice_values(model: &Model, nodes: &[FinalNode], out: &mut Vec<NameId>) {
    for n in nodes {
        let node = model.menu(n.menu);
        if let Some(s) = node.symbol() {
            let name = model.symbol(s).name;
            if !out.contains(&name) {
                out.push(name);
            }
        }
        if !n.children.is_empty() && node.prompt.is_none() {
            legacy_choice_values(model, &n.children, out);
        }
    }
}

fn conjuncts(exprs: &ExprPool, e: ExprId, out: &mut Vec<ExprId>) {
    match exprs.get(e) {
        Expr::And(a, b) => {
            conjuncts(exprs, a, out);
            conjuncts(exprs, b, out);
        }
        Expr::Const(Tristate::Yes) => {}
        _ => out.push(e),
    }
}

/// The names of the symbols with a definition `flag` holds for (a symbol flag, such as
/// `SYMBOL_TRANS`, set by any of its definitions), in definition order.
fn flagged(model: &Model, flag: impl Fn(&kconfig_parser::MenuNode) -> bool) -> Vec<NameId> {
    model
        .symbols
        .iter()
        .filter(|s| s.definitions.iter().any(|&d| flag(model.menu(d))))
        .map(|s| s.name)
        .collect()
}

/// `expr_contains_symbol()`.
fn contains_symbol(exprs: &ExprPool, e: ExprId, sym: NameId) -> bool {
    match exprs.get(e) {
        Expr::Symbol(s) => s == sym,
        Expr::Not(a) => contains_symbol(exprs, a, sym),
        Expr::And(a, b) | Expr::Or(a, b) => {
            contains_symbol(exprs, a, sym) || contains_symbol(exprs, b, sym)
        }
        Expr::Cmp(_, a, b) => a == Operand::Symbol(sym) || b == Operand::Symbol(sym),
        Expr::Const(_) | Expr::Unknown(_) => false,
    }
}

/// `expr_depends_symbol()` for one conjunct: `sym`, `sym = y`, `sym = m` or `sym != n`.
fn depends_symbol(exprs: &ExprPool, e: ExprId, sym: NameId) -> bool {
    match exprs.get(e) {
        Expr::Symbol(s) => s == sym,
        Expr::Cmp(op, Operand::Symbol(s), Operand::Const(c)) if s == sym => {
            let c = exprs.name_text(c);
            match op {
                CmpOp::Eq => c == "y" || c == "m",
                CmpOp::Ne => c == "n",
                _ => false,
            }
        }
        _ => false,
    }
}

/// The kernel's symbol name hash (`strhash()` in 6.1, `hash_str()` in 6.12): FNV-1 over the
/// bytes as C `char` (signed here).
fn fnv32(name: &str) -> u32 {
    name.bytes().fold(2_166_136_261u32, |h, b| {
        (h ^ (b as i8 as i32 as u32)).wrapping_mul(0x0100_0193)
    })
}

/// A place in a Kconfig file, for explanations.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    /// Path relative to the tree.
    pub file: String,
    /// 1-based line.
    pub line: u32,
}

impl<'k> SymbolRules<'k> {
    /// The expressions of the rules `sym_calc_value` reads for the symbol's own value, all but
    /// `rev_dep` (which can only raise it): dependencies, `imply`, prompt visibility, default
    /// values and conditions, range conditions.
    pub fn own_exprs(&self) -> impl Iterator<Item = ExprId> + 'k {
        self.dir_dep
            .into_iter()
            .chain(self.implied)
            .chain(self.prompts.iter().map(|p| p.visible))
            .chain(self.defaults.iter().flat_map(|d| [d.value, d.visible]))
            .chain(self.ranges.iter().map(|g| g.visible))
    }

    /// The operands of the rules `sym_calc_value` reads that are not expressions: default
    /// values of int/hex/string symbols and range bounds.
    pub fn operands(&self) -> impl Iterator<Item = Operand> + 'k {
        self.defaults
            .iter()
            .filter_map(|d| d.operand)
            .chain(self.ranges.iter().flat_map(|g| [g.low, g.high]))
    }

    /// Whether the symbol is bool or tristate.
    pub fn is_bool_or_tristate(&self) -> bool {
        matches!(self.ty, ValueType::Bool | ValueType::Tristate)
    }
}

/// A `choice` block.
#[derive(Clone, Debug)]
pub struct ChoiceRules {
    /// Its symbol.
    pub symbol: NameId,
    /// Its node.
    pub menu: MenuId,
    /// Members in menu order (`menu_for_each_sub_entry`, and 6.1's `P_CHOICE` list).
    pub members: Vec<NameId>,
    /// `optional` (6.1).
    pub optional: bool,
}

/// A node of the menu tree as `conf_write` walks it.
#[derive(Clone, Debug)]
pub struct MenuRules {
    /// The symbol of a config/menuconfig/choice node.
    pub symbol: Option<NameId>,
    /// For `menu` and `comment` nodes: the prompt text and its visibility.
    pub prompt: Option<(String, ExprId)>,
    /// `visible if` of a menu (not rewritten, as `menu->visibility`).
    pub visibility: Option<ExprId>,
    /// A `menu` block (prints `# end of` when visible).
    pub is_menu_block: bool,
    /// Where its children are in [`Kconfig`]'s flat child array (see
    /// [`Kconfig::children`]): one array instead of a vector per node.
    children: (u32, u32),
}

/// The finalized rules of one Kconfig tree (one arch).
#[derive(Clone, Debug)]
pub struct Kconfig {
    /// The grammar (6.1-style choices or 6.12-style).
    pub dialect: Dialect,
    /// Every expression: the parser's, plus those built here.
    pub exprs: ExprPool,
    /// Rules per name, indexed by `NameId`, plus one past the last name where its lists end
    /// (see [`Kconfig::symbol`]).
    symbols: Vec<SymbolRec>,
    /// The rest of the starts of `symbols`, indexed the same way.
    cold: Vec<ColdStarts>,
    /// Every symbol's prompts, defaults, ranges and definitions, grouped by name in name
    /// order (each group in property or parse order).
    prompts: Vec<PromptRule>,
    defaults: Vec<DefaultRule>,
    ranges: Vec<RangeRule>,
    definitions: Vec<Definition>,
    /// Every choice.
    pub choices: Vec<ChoiceRules>,
    /// The menu tree, indexed like the parser's.
    pub menus: Vec<MenuRules>,
    /// Every node's children, node after node (each node's in order).
    menu_children: Vec<MenuId>,
    /// The `modules` symbol (`MODULES`), if any.
    pub modules: Option<NameId>,
    /// 7.2's `transitional` symbols (`SYMBOL_TRANS`): visible for reading their user value,
    /// never written, their user value passed on (`sym_calc_value`).
    pub transitional: Vec<NameId>,
    /// 5.10's `option allnoconfig_y` symbols (`SYMBOL_ALLNOCONFIG_Y`).
    pub allnoconfig_y: Vec<NameId>,
    /// 5.10's `option defconfig_list` symbol, never written (`SYMBOL_NO_WRITE`).
    pub defconfig_list: Option<NameId>,
    /// The `mainmenu` text (the `.config` heading).
    pub mainmenu: String,
    /// Defined symbols in definition order.
    pub defined: Vec<NameId>,
    /// Every symbol in the kernel's `for_all_symbols` order, which decides the order
    /// `conf_read()` and `conf_set_all_new_symbols()` compute values in (and so which
    /// recursive computation meets a half-computed symbol).
    pub table_order: Vec<NameId>,
    /// Per name, its index among the int, hex and string symbols, or `u32::MAX`: an
    /// evaluation keeps value strings for those alone (bool and tristate symbols, most of
    /// them, have none worth a `String`).
    pub(crate) string_slots: Vec<u32>,
    /// The number of int, hex and string symbols.
    pub(crate) string_symbols: usize,
    /// Per name, whether its value is its own text: constants and symbols only referenced
    /// (type unknown, not a choice), which forgetting every computed value leaves alone.
    pub(crate) name_valued: Vec<bool>,
    /// Paths of the Kconfig files, relative to the tree, by `FileId` (for [`Place`]s).
    files: Vec<String>,
    /// What `conf_write()` visits, in its order: the menu tree flattened once, so writing a
    /// configuration scans one array instead of chasing every node's child list.
    pub(crate) write_steps: Vec<WriteStep>,
}

/// One step of `conf_write()`'s walk (see [`Kconfig::write_steps`]). Nodes whose steps would
/// do nothing (choices, `if` blocks, the end of a comment) have none: the kernel's tests
/// for them decide without computing anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WriteStep {
    /// A config or menuconfig entry.
    Symbol(NameId),
    /// A `menu` or `comment` heading, printed when visible.
    Heading(MenuId),
    /// The end of a `menu` block (`# end of`), printed when visible.
    End(MenuId),
}

impl Kconfig {
    /// Derives the rules from a parsed model.
    pub fn new(model: &Model) -> Kconfig {
        Finalizer::new(model, model.exprs.clone()).run()
    }

    /// [`Kconfig::new`] without copying the model's expression pool: it is moved into
    /// [`Kconfig::exprs`], leaving `model` an empty pool (its names no longer render), for
    /// callers done with the model.
    pub fn take_from(model: &mut Model) -> Kconfig {
        let exprs = std::mem::take(&mut model.exprs);
        Finalizer::new(model, exprs).run()
    }

    /// The record of `name` (panics for a name outside the tree's, like indexing): what
    /// evaluation reads instead of [`Kconfig::symbol`], whose four lists cost four bounds
    /// checks per call.
    #[inline]
    pub(crate) fn rec(&self, name: NameId) -> &SymbolRec {
        // The record past the last name only says where the lists end.
        &self.symbols[..self.symbol_count()][name.0 as usize]
    }

    /// `symbol(name).ty` without slicing the lists (evaluation asks for a type, kind or
    /// choice far more often than for the rules themselves).
    #[inline]
    pub fn symbol_type(&self, name: NameId) -> ValueType {
        self.rec(name).ty
    }

    /// `symbol(name).kind`, as cheaply as [`Kconfig::symbol_type`].
    #[inline]
    pub fn symbol_kind(&self, name: NameId) -> SymbolKind {
        self.rec(name).kind()
    }

    /// `symbol(name).member_of`, as cheaply as [`Kconfig::symbol_type`].
    #[inline]
    pub fn member_of(&self, name: NameId) -> Option<ChoiceId> {
        self.rec(name).member_of()
    }

    /// `symbol(name).prompts` alone.
    #[inline]
    pub(crate) fn prompts_of(&self, name: NameId) -> &[PromptRule] {
        let next = &self.symbols[name.0 as usize + 1];
        &self.prompts[self.rec(name).prompts as usize..next.prompts as usize]
    }

    /// `symbol(name).defaults` alone.
    #[inline]
    pub(crate) fn defaults_of(&self, name: NameId) -> &[DefaultRule] {
        let next = &self.symbols[name.0 as usize + 1];
        &self.defaults[self.rec(name).defaults as usize..next.defaults as usize]
    }

    /// `symbol(name).ranges` alone.
    #[inline]
    pub(crate) fn ranges_of(&self, name: NameId) -> &[RangeRule] {
        let i = name.0 as usize;
        // The end record makes `cold` one longer than the names, like `symbols`.
        let (start, next) = (&self.cold[..self.symbol_count()][i], &self.cold[i + 1]);
        &self.ranges[start.ranges as usize..next.ranges as usize]
    }

    /// `symbol(name).definitions` alone.
    #[inline]
    pub(crate) fn definitions_of(&self, name: NameId) -> &[Definition] {
        let i = name.0 as usize;
        // As in `ranges_of`: the end record is not a name.
        let (start, next) = (&self.cold[..self.symbol_count()][i], &self.cold[i + 1]);
        &self.definitions[start.definitions as usize..next.definitions as usize]
    }

    /// Whether `name` has a definition (`symbol(name).definitions` is not empty).
    #[inline]
    pub fn is_defined(&self, name: NameId) -> bool {
        !self.definitions_of(name).is_empty()
    }

    /// The children of menu node `m`, in order.
    pub fn children(&self, m: MenuId) -> &[MenuId] {
        let (start, end) = self.menus[m.0 as usize].children;
        &self.menu_children[start as usize..end as usize]
    }

    /// The rules of `name` (panics for a name outside the tree's, like indexing).
    #[inline]
    pub fn symbol(&self, name: NameId) -> SymbolRules<'_> {
        let r = self.rec(name);
        SymbolRules {
            ty: r.ty,
            kind: r.kind(),
            prompts: self.prompts_of(name),
            defaults: self.defaults_of(name),
            ranges: self.ranges_of(name),
            dir_dep: r.dir_dep(),
            rev_dep: r.rev_dep(),
            implied: r.implied(),
            member_of: r.member_of(),
            definitions: self.definitions_of(name),
        }
    }

    /// The rules of `name`, if it is one of the tree's names.
    pub fn get_symbol(&self, name: NameId) -> Option<SymbolRules<'_>> {
        ((name.0 as usize) < self.symbol_count()).then(|| self.symbol(name))
    }

    /// How many names have rules (every name of the tree: `NameId`s `0..symbol_count()`).
    pub fn symbol_count(&self) -> usize {
        self.symbols.len().saturating_sub(1)
    }

    /// Every name with its rules, in `NameId` order.
    pub fn symbols(&self) -> impl Iterator<Item = (NameId, SymbolRules<'_>)> + '_ {
        (0..self.symbol_count()).map(|i| {
            let n = NameId(i as u32);
            (n, self.symbol(n))
        })
    }

    /// The symbols of `rules`' choice group whose values its own reads: for a member, the
    /// choice and every member; for a choice, its members (`sym_calc_value` on a choice
    /// value reads the choice's selection).
    pub fn choice_group(&self, rules: &SymbolRules<'_>) -> Vec<NameId> {
        let mut out = Vec::new();
        if let Some(c) = rules.member_of {
            let ch = &self.choices[c.0 as usize];
            out.push(ch.symbol);
            out.extend(ch.members.iter().copied());
        }
        if let SymbolKind::Choice(c) = rules.kind {
            out.extend(self.choices[c.0 as usize].members.iter().copied());
        }
        out
    }

    /// Where `name`'s first definition is (its `config` line; a choice's `choice` line).
    pub fn definition_location(&self, name: NameId) -> Option<Location> {
        let d = self.get_symbol(name)?.definitions.first()?;
        Some(self.location(d.place))
    }

    /// Where `name`'s type was written (the first type written wins).
    pub fn type_location(&self, name: NameId) -> Option<Location> {
        let rules = self.get_symbol(name)?;
        let p = rules.definitions.iter().find_map(|d| d.type_place)?;
        Some(self.location(p))
    }

    fn location(&self, p: Place) -> Location {
        match self.files.get(p.file as usize) {
            Some(f) => Location {
                file: f.clone(),
                line: p.line,
            },
            // A span outside the source map (`SourceMap::path`, `line_col` of such a span).
            None => Location {
                file: "<unknown>".to_string(),
                line: 0,
            },
        }
    }

    /// Looks a symbol up by name.
    pub fn find(&self, name: &str) -> Option<NameId> {
        self.exprs
            .find_name(name)
            .filter(|n| (n.0 as usize) < self.symbol_count())
    }

    /// A name's text.
    pub fn name(&self, name: NameId) -> &str {
        self.exprs.name_text(name)
    }

    /// The index of an int, hex or string symbol among those (see `string_slots`).
    pub(crate) fn string_slot(&self, name: NameId) -> Option<usize> {
        match self.string_slots.get(name.0 as usize) {
            Some(&i) if i != u32::MAX => Some(i as usize),
            _ => None,
        }
    }
}

struct Finalizer<'m> {
    model: &'m Model,
    k: Kconfig,
    /// Final dependency of each menu node (`menu->dep` after finalize).
    deps: Vec<ExprId>,
    /// The choice of each `choice` node, by `MenuId` (a linear search per lookup was a
    /// tenth of `Kconfig::new`).
    choice_at: Vec<Option<ChoiceId>>,
    /// `rewrite_m` of each node already rewritten, by `ExprId`.
    rewritten: Vec<Option<ExprId>>,
    /// The constant `y`, interned once (looking it up per property was a tenth of
    /// `finalize`).
    yes: ExprId,
    /// Each symbol's prompts, defaults, ranges and definitions as they are found, grouped
    /// by name into [`Kconfig`]'s flat arrays at the end (`group_by_name`).
    prompts: Vec<(NameId, PromptRule)>,
    defaults: Vec<(NameId, DefaultRule)>,
    ranges: Vec<(NameId, RangeRule)>,
    definitions: Vec<(NameId, Definition)>,
    /// The first prompt's visibility of each choice symbol (6.1's floor of a non-optional
    /// choice reads it before the prompts are grouped).
    choice_prompt: std::collections::HashMap<NameId, ExprId>,
}

impl<'m> Finalizer<'m> {
    /// `exprs` is the model's pool (or a copy): the rules add their expressions to it.
    fn new(model: &'m Model, mut exprs: ExprPool) -> Finalizer<'m> {
        // Finalizing adds about two nodes per menu node (x86: 11,000 parsed, 47,000 after).
        exprs.reserve_nodes(2 * model.menus.len());
        let yes = exprs.yes();
        let names = exprs.name_count();
        let mainmenu = model
            .menu(Model::ROOT)
            .prompt
            .as_ref()
            .map(|p| p.text.clone())
            // `parser.y: conf_parse`: a tree without `mainmenu` gets this prompt.
            .unwrap_or_else(|| "Main menu".to_string());
        let modules = model.modules.map(|s| model.symbol(s).name);
        Finalizer {
            model,
            k: Kconfig {
                dialect: model.dialect,
                exprs,
                // Every name gets rules in the end, nameless choices' names included (and the
                // end record): sized once, as growing copies every rule.
                // Counted from the creation list, not the menu nodes: a node is 200 bytes.
                symbols: Vec::with_capacity(
                    names
                        + model
                            .created
                            .iter()
                            .filter(|c| matches!(c, Created::Choice(_)))
                            .count()
                        + 64,
                ),
                cold: Vec::new(),
                prompts: Vec::new(),
                defaults: Vec::new(),
                ranges: Vec::new(),
                definitions: Vec::new(),
                choices: Vec::new(),
                menus: Vec::new(),
                menu_children: Vec::new(),
                modules,
                transitional: flagged(model, |n| n.transitional.is_some()),
                allnoconfig_y: flagged(model, |n| n.allnoconfig_y.is_some()),
                defconfig_list: flagged(model, |n| n.defconfig_list.is_some())
                    .first()
                    .copied(),
                mainmenu,
                defined: model.symbols.iter().map(|s| s.name).collect(),
                table_order: Vec::new(),
                string_slots: Vec::new(),
                string_symbols: 0,
                name_valued: Vec::new(),
                files: model
                    .sources
                    .iter()
                    // What `display()` prints, without the formatting machinery (a
                    // thousand instructions a path).
                    .map(|(_, f)| f.path.to_string_lossy().into_owned())
                    .collect(),
                write_steps: Vec::new(),
            },
            deps: vec![yes; model.menus.len()],
            choice_at: vec![None; model.menus.len()],
            rewritten: Vec::new(),
            yes,
            // A node has at most one prompt and one definition, and the trees have fewer
            // defaults than nodes (x86_64 6.12: 19,000 nodes, 4,400 defaults): sized so that
            // growing does not copy them (unused capacity is never touched).
            prompts: Vec::with_capacity(model.menus.len()),
            defaults: Vec::with_capacity(model.menus.len()),
            ranges: Vec::new(),
            definitions: Vec::with_capacity(model.menus.len()),
            choice_prompt: std::collections::HashMap::new(),
        }
    }

    /// `file:line` of a span whose line is known.
    fn location_at(&self, span: kp_base::Span, line: u32) -> Location {
        self.k.location(place(span, line))
    }

    /// The choice whose node is `menu`.
    fn choice_of(&self, menu: MenuId) -> Option<ChoiceId> {
        self.choice_at.get(menu.0 as usize).copied().flatten()
    }

    fn sym(&mut self, name: NameId) -> &mut SymbolRec {
        let i = name.0 as usize;
        if i >= self.k.symbols.len() {
            self.k.symbols.resize(i + 1, SymbolRec::NEW);
        }
        &mut self.k.symbols[i]
    }

    /// The rules of `name` found so far.
    fn rec(&self, name: NameId) -> &SymbolRec {
        self.k
            .symbols
            .get(name.0 as usize)
            .unwrap_or(&SymbolRec::NEW)
    }

    fn run(mut self) -> Kconfig {
        let model = self.model;
        // Types: the first type written for a symbol wins (`menu_set_type`).
        for s in &model.symbols {
            let ty = s.ty.map_or(ValueType::Unknown, value_type);
            for &d in &s.definitions {
                let node = model.menu(d);
                let (line, ty_line) = (node.line, node.ty_line);
                self.definitions.push((
                    s.name,
                    Definition {
                        menu: d,
                        place: place(node.span, line),
                        type_place: node.ty.map(|(_, span)| place(span, ty_line)),
                    },
                ));
            }
            self.sym(s.name).ty = ty;
        }
        self.make_choices();
        // Filled in as `finalize` visits each node (every node but the root is one node's
        // child), not by a pass of their own over the 200-byte nodes.
        let empty = MenuRules {
            symbol: None,
            prompt: None,
            visibility: None,
            is_menu_block: false,
            children: (0, 0),
        };
        self.k.menus = vec![empty; model.menus.len()];
        self.k.menu_children = Vec::with_capacity(model.menus.len());
        self.node_shape(Model::ROOT);
        self.finalize(Model::ROOT);
        // Make sure every interned name has rules (undefined symbols are `Unknown`).
        let n = self.k.exprs.name_count();
        if self.k.symbols.len() < n {
            self.k.symbols.resize(n, SymbolRec::NEW);
        }
        self.k.table_order = self.table_order();
        let n = self.k.symbols.len();
        let (prompts, prompt_at) = group_by_name(n, &self.prompts);
        let (defaults, default_at) = group_by_name(n, &self.defaults);
        let (ranges, range_at) = group_by_name(n, &self.ranges);
        let (definitions, definition_at) = group_by_name(n, &self.definitions);
        // One pass over the rules for the lists' starts and both per-name tables.
        let mut count = 0u32;
        let (mut slots, mut name_valued) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for (i, r) in self.k.symbols.iter_mut().enumerate() {
            r.prompts = prompt_at[i];
            r.defaults = default_at[i];
            slots.push(match r.ty {
                ValueType::Int | ValueType::Hex | ValueType::String => {
                    count += 1;
                    count - 1
                }
                _ => u32::MAX,
            });
            name_valued.push(r.ty == ValueType::Unknown && r.choice == NONE);
        }
        // Where the last name's lists end.
        self.k.symbols.push(SymbolRec {
            prompts: prompt_at[n],
            defaults: default_at[n],
            ..SymbolRec::NEW
        });
        self.k.cold = (range_at.iter().zip(&definition_at))
            .map(|(&ranges, &definitions)| ColdStarts {
                ranges,
                definitions,
            })
            .collect();
        (self.k.prompts, self.k.defaults) = (prompts, defaults);
        (self.k.ranges, self.k.definitions) = (ranges, definitions);
        self.k.string_slots = slots;
        self.k.string_symbols = count as usize;
        self.k.name_valued = name_valued;
        self.k.write_steps = self.write_steps();
        self.k
    }

    /// [`Kconfig::write_steps`]: the menu tree in depth-first order, a node's step before its
    /// children's and a menu's end after them.
    fn write_steps(&self) -> Vec<WriteStep> {
        let menus = &self.k.menus;
        let mut steps = Vec::with_capacity(menus.len() + menus.len() / 8);
        // The names whose kind is `Choice` (make_choices gives it to each choice's symbol and
        // to no other name): a small table instead of a read of every symbol's record.
        let mut is_choice = vec![false; self.k.symbols.len()];
        for c in &self.k.choices {
            if let Some(x) = is_choice.get_mut(c.symbol.0 as usize) {
                *x = true;
            }
        }
        // (node, whether its children were visited)
        let mut stack: Vec<(MenuId, bool)> = if menus.is_empty() {
            Vec::new()
        } else {
            let root = self.k.children(Model::ROOT);
            root.iter().rev().map(|&c| (c, false)).collect()
        };
        while let Some((m, done)) = stack.pop() {
            let node = &menus[m.0 as usize];
            if done {
                // 5.10 prints `# end of` only on the way up from a menu's last child.
                let ends = self.model.dialect.end_of_empty_menu || !self.k.children(m).is_empty();
                if node.symbol.is_none() && node.is_menu_block && node.prompt.is_some() && ends {
                    steps.push(WriteStep::End(m));
                }
                continue;
            }
            match node.symbol {
                Some(s) => {
                    if !is_choice.get(s.0 as usize).copied().unwrap_or(false) {
                        steps.push(WriteStep::Symbol(s));
                    }
                }
                None if node.prompt.is_some() => steps.push(WriteStep::Heading(m)),
                None => {}
            }
            stack.push((m, true));
            stack.extend(self.k.children(m).iter().rev().map(|&c| (c, false)));
        }
        steps
    }

    /// The kernel's symbol table walk (`for_all_symbols`): buckets in index order, each
    /// newest first (6.1 `sym_lookup()` prepends to `symbol_hash[strhash(name) % 9973]`;
    /// 6.12 `hash_add()` prepends to `sym_hashtable[hash_str(name) % 16384]`). A nameless
    /// choice symbol hashes to bucket 0.
    fn table_order(&self) -> Vec<NameId> {
        let model = self.model;
        let buckets = model.dialect.symbol_hash_size.max(1);
        let mut seen = vec![false; self.k.symbols.len()];
        // Entries in creation order (ascending rank).
        let mut entries: Vec<(u32, NameId)> = Vec::with_capacity(model.created.len());
        for c in &model.created {
            let (name, bucket) = match *c {
                Created::Name(n) => (n, fnv32(self.k.name(n)) % buckets),
                Created::Choice(menu) => {
                    let Some(choice) = self.choice_of(menu).map(|c| &self.k.choices[c.0 as usize])
                    else {
                        continue;
                    };
                    let named = model.menu(menu).choice.as_deref().and_then(|c| c.name);
                    let bucket = named.map_or(0, |n| fnv32(self.k.name(n)) % buckets);
                    (choice.symbol, bucket)
                }
            };
            // A named 6.1 choice written twice is one symbol, created the first time.
            if let Some(s) = seen.get_mut(name.0 as usize)
                && !*s
            {
                *s = true;
                entries.push((bucket, name));
            }
        }
        // A counting sort by bucket: each bucket's slots are filled from its end in creation
        // order, so within a bucket the newest comes first.
        let mut end = vec![0usize; buckets as usize];
        for &(bucket, _) in &entries {
            end[bucket as usize] += 1;
        }
        let mut total = 0;
        for e in &mut end {
            total += *e;
            *e = total;
        }
        let mut order = vec![NameId(0); entries.len()];
        for &(bucket, name) in &entries {
            let e = &mut end[bucket as usize];
            *e -= 1;
            order[*e] = name;
        }
        order
    }

    /// Choice symbols, their types and members.
    fn make_choices(&mut self) {
        let model = self.model;
        // 6.12: the symbols of every choice's members, for the membership rule below.
        let mut member_syms = Vec::new();
        for (i, m) in model.menus.iter().enumerate() {
            if m.kind != MenuKind::Choice {
                continue;
            }
            let info = m.choice.as_deref();
            let id = ChoiceId(self.k.choices.len() as u32);
            let name = match info.and_then(|c| c.name) {
                Some(n) => n,
                None => {
                    let loc = self.location_at(m.span, m.line);
                    let text = format!("<choice {}:{}>", loc.file, loc.line);
                    self.k.exprs.name(&text)
                }
            };
            let menu = MenuId(i as u32);
            // Members in menu order: configs written directly in the choice or in an `if` in it.
            let mut members = Vec::new();
            match model.dialect.choices {
                Choices::Legacy => {
                    let tree = self.legacy_submenus(&m.children);
                    legacy_choice_values(model, &tree, &mut members);
                }
                Choices::Modern => self.collect_members(menu, &mut members, &mut member_syms),
            }
            let mut ty = m.ty.map_or(ValueType::Unknown, |(t, _)| value_type(t));
            if ty == ValueType::Unknown && model.dialect.legacy_choices() {
                // 6.1 `menu_finalize`: an untyped choice takes the type of its first typed
                // direct child.
                ty = m
                    .children
                    .iter()
                    .filter_map(|&c| model.menu(c).symbol())
                    .map(|s| model.symbol(s).ty.map_or(ValueType::Unknown, value_type))
                    .find(|t| *t != ValueType::Unknown)
                    .unwrap_or(ValueType::Unknown);
            }
            self.choice_at[i] = Some(id);
            let rules = self.sym(name);
            rules.ty = ty;
            rules.choice = id.0;
            // After the name's `config` definitions (grouping keeps this order); the type
            // of a choice is no symbol's type location.
            self.definitions.push((
                name,
                Definition {
                    menu,
                    place: place(m.span, m.line),
                    type_place: None,
                },
            ));
            if model.dialect.legacy_choices() {
                // ...and untyped members take the choice's type.
                for &member in &members {
                    if self
                        .k
                        .symbols
                        .get(member.0 as usize)
                        .is_some_and(|r| r.ty == ValueType::Unknown)
                    {
                        self.sym(member).ty = ty;
                    }
                }
            }
            for &member in &members {
                let r = self.sym(member);
                if r.member_of == NONE {
                    r.member_of = id.0;
                }
            }
            self.k.choices.push(ChoiceRules {
                symbol: name,
                menu,
                members,
                optional: info.is_some_and(|c| c.optional.is_some()),
            });
        }
        // 6.12 `sym_get_choice_menu`: a symbol is a member of the choice enclosing its first
        // prompted definition; a symbol whose first prompt is elsewhere is not a member. Only
        // the symbols just made members are looked at (no other has a choice to lose); in
        // 6.1 membership stays as collected.
        if !model.dialect.modern_choices() {
            return;
        }
        let owners = self.owners();
        for &sid in &member_syms {
            let s = model.symbol(sid);
            let first_prompted = s
                .definitions
                .iter()
                .copied()
                .find(|&d| model.menu(d).prompt.is_some());
            let enclosing = first_prompted
                .and_then(|d| owners.get(d.0 as usize).copied().flatten())
                .and_then(|p| self.choice_of(p));
            // A symbol in several member lists is seen again: by then it is a member of
            // `enclosing` or of none, which this leaves as it is.
            let rules = self.sym(s.name);
            if let Some(r) = rules.member_of()
                && enclosing.is_none_or(|c| c != r)
            {
                rules.set_member_of(enclosing);
            }
        }
    }

    /// 6.12 members of choice `menu`, into `out`, and their symbols, into `syms`.
    fn collect_members(&self, menu: MenuId, out: &mut Vec<NameId>, syms: &mut Vec<SymbolId>) {
        for &c in &self.model.menu(menu).children {
            let node = self.model.menu(c);
            match node.kind {
                MenuKind::Config(s) | MenuKind::MenuConfig(s) => {
                    let name = self.model.symbol(s).name;
                    if !out.contains(&name) {
                        out.push(name);
                        syms.push(s);
                    }
                }
                MenuKind::If => self.collect_members(c, out, syms),
                _ => {}
            }
        }
    }

    /// 6.1 `menu_finalize`, automatic submenu creation: after a childless entry with a
    /// symbol, the consecutive siblings that depend on that symbol become its children (each
    /// of them taking its own dependent followers first). `if` blocks keep their children.
    fn legacy_submenus(&self, list: &[MenuId]) -> Vec<FinalNode> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < list.len() {
            let (node, next) = self.legacy_submenu_at(list, i);
            out.push(node);
            i = next;
        }
        out
    }

    fn legacy_submenu_at(&self, list: &[MenuId], i: usize) -> (FinalNode, usize) {
        let model = self.model;
        let menu = list[i];
        let node = model.menu(menu);
        if !node.children.is_empty() {
            let children = self.legacy_submenus(&node.children);
            return (FinalNode { menu, children }, i + 1);
        }
        let Some(sym) = node.symbol().map(|s| model.symbol(s).name) else {
            return (
                FinalNode {
                    menu,
                    children: Vec::new(),
                },
                i + 1,
            );
        };
        let base = self.submenu_dep(menu);
        let mut children = Vec::new();
        let mut j = i + 1;
        while j < list.len() && self.legacy_depends_on(list[j], sym, base.as_deref()) {
            let (child, next) = self.legacy_submenu_at(list, j);
            children.push(child);
            j = next;
        }
        (FinalNode { menu, children }, j)
    }

    /// The conjuncts of what the submenu rule examines for a node: its prompt's condition
    /// when it has a prompt, else its dependency (`menu->prompt ? ...visible.expr :
    /// menu->dep`); the enclosing part every sibling shares is left out. `None` for a
    /// promptless node (whose `basedep` is `y`).
    fn submenu_dep(&self, menu: MenuId) -> Option<Vec<ExprId>> {
        let node = self.model.menu(menu);
        let prompt = node.prompt.as_ref()?;
        let mut out = Vec::new();
        for c in node.depends.iter().chain(prompt.cond.as_ref()) {
            conjuncts(&self.k.exprs, c.expr, &mut out);
        }
        Some(out)
    }

    /// Whether the sibling `menu` goes into the submenu of `sym` (`expr_contains_symbol`,
    /// then `expr_depends_symbol` or the superset test against `base`, the conjuncts of
    /// `sym`'s own prompt condition).
    fn legacy_depends_on(&self, menu: MenuId, sym: NameId, base: Option<&[ExprId]>) -> bool {
        let node = self.model.menu(menu);
        let mut dep = Vec::new();
        let prompt_cond = node.prompt.as_ref().and_then(|p| p.cond.as_ref());
        for c in node.depends.iter().chain(prompt_cond) {
            conjuncts(&self.k.exprs, c.expr, &mut dep);
        }
        let exprs = &self.k.exprs;
        if !dep.iter().any(|&e| contains_symbol(exprs, e, sym)) {
            return false;
        }
        if dep.iter().any(|&e| depends_symbol(exprs, e, sym)) {
            return true;
        }
        // Superset: every condition of `sym`'s prompt is also one of ours.
        base.is_none_or(|b| b.iter().all(|c| dep.contains(c)))
    }

    /// For every node, the nearest enclosing node that is not an `if`, `menu` or `comment`
    /// (a choice, a config or the root): a node whose owner is a choice is that choice's
    /// member. Parents are numbered before their children, so one pass in order finds them
    /// all (a walk up the tree per symbol was a twentieth of `Kconfig::new`).
    fn owners(&self) -> Vec<Option<MenuId>> {
        let model = self.model;
        let mut owners: Vec<Option<MenuId>> = Vec::with_capacity(model.menus.len());
        for m in &model.menus {
            let owner = m.parent.and_then(|p| {
                if matches!(
                    model.menu(p).kind,
                    MenuKind::If | MenuKind::Menu | MenuKind::Comment
                ) {
                    match owners.get(p.0 as usize) {
                        Some(&o) => o,
                        // Not numbered before its child after all: walk up.
                        None => model.ancestors(p).find(|&a| {
                            !matches!(
                                model.menu(a).kind,
                                MenuKind::If | MenuKind::Menu | MenuKind::Comment
                            )
                        }),
                    }
                } else {
                    Some(p)
                }
            });
            owners.push(owner);
        }
        owners
    }

    /// `rewrite_m`: every literal `m` outside comparisons becomes `m && MODULES`. Results
    /// are remembered per node: the same conditions recur on many entries.
    fn rewrite_m(&mut self, e: ExprId) -> ExprId {
        if let Some(&Some(r)) = self.rewritten.get(e.0 as usize) {
            return r;
        }
        let r = self.rewrite_m_uncached(e);
        let i = e.0 as usize;
        if self.rewritten.len() <= i {
            self.rewritten.resize(i + 1, None);
        }
        self.rewritten[i] = Some(r);
        r
    }

    fn rewrite_m_uncached(&mut self, e: ExprId) -> ExprId {
        match self.k.exprs.get(e) {
            Expr::Const(Tristate::Mod) => {
                let modules = match self.k.modules {
                    Some(m) => self.k.exprs.symbol(m),
                    None => self.k.exprs.no(),
                };
                // Built without the pool's constant folding so `m` survives as written.
                self.k.exprs.and(e, modules)
            }
            Expr::Not(a) => {
                let a = self.rewrite_m(a);
                self.k.exprs.not(a)
            }
            Expr::And(a, b) => {
                let (a, b) = (self.rewrite_m(a), self.rewrite_m(b));
                self.k.exprs.and(a, b)
            }
            Expr::Or(a, b) => {
                let (a, b) = (self.rewrite_m(a), self.rewrite_m(b));
                self.k.exprs.or(a, b)
            }
            _ => e,
        }
    }

    fn own_conds(&mut self, conds: &[kconfig_parser::Cond]) -> ExprId {
        let mut acc = self.yes;
        for c in conds {
            acc = self.k.exprs.and(acc, c.expr);
        }
        acc
    }

    /// Node `m`'s kind of block and its children, into `k.menus`.
    fn node_shape(&mut self, m: MenuId) {
        let node = self.model.menu(m);
        let start = self.k.menu_children.len() as u32;
        self.k.menu_children.extend_from_slice(&node.children);
        let rules = &mut self.k.menus[m.0 as usize];
        rules.is_menu_block = node.kind == MenuKind::Menu;
        rules.children = (start, self.k.menu_children.len() as u32);
    }

    /// Propagates dependencies top-down, as `_menu_finalize` does for each child of `parent`.
    fn finalize(&mut self, parent: MenuId) {
        let model = self.model;
        let pnode = model.menu(parent);
        let parent_choice = (pnode.kind == MenuKind::Choice)
            .then(|| self.choice_of(parent))
            .flatten();
        // 6.1: the children of a choice depend on the choice symbol itself.
        let parentdep = match (model.dialect.choices, parent_choice) {
            (Choices::Legacy, Some(c)) => {
                let s = self.k.choices[c.0 as usize].symbol;
                self.k.exprs.symbol(s)
            }
            _ => self.deps[parent.0 as usize],
        };
        for &child in &pnode.children {
            let node = model.menu(child);
            let own = self.own_conds(&node.depends);
            let own = self.rewrite_m(own);
            let dep = self.k.exprs.and(parentdep, own);
            self.deps[child.0 as usize] = dep;
            let symbol = match node.kind {
                MenuKind::Config(s) | MenuKind::MenuConfig(s) => Some(model.symbol(s).name),
                MenuKind::Choice => self
                    .choice_of(child)
                    .map(|c| self.k.choices[c.0 as usize].symbol),
                _ => None,
            };
            self.node_shape(child);
            self.k.menus[child.0 as usize].symbol = symbol;
            // 6.1: a bool member of a tristate choice also needs `choice = y` (on the
            // definitions marked as choice values, directly in the choice or in an `if`).
            let member_choice = symbol.and_then(|s| self.rec(s).member_of()).filter(|&c| {
                let cm = self.k.choices[c.0 as usize].menu;
                model
                    .ancestors(child)
                    .find(|&p| model.menu(p).kind != MenuKind::If)
                    == Some(cm)
            });
            let legacy_bool_member_guard = match (model.dialect.choices, member_choice, symbol) {
                (Choices::Legacy, Some(c), Some(s)) => {
                    let cs = self.k.choices[c.0 as usize].symbol;
                    (self.rec(cs).ty == ValueType::Tristate
                        && self.rec(s).ty != ValueType::Tristate)
                        .then(|| {
                            let y = self.k.exprs.name("y");
                            self.k
                                .exprs
                                .cmp(CmpOp::Eq, Operand::Symbol(cs), Operand::Const(y))
                        })
                }
                _ => None,
            };
            // Prompt: own `if`, and the `visible if` of every enclosing menu (parse-time).
            if let Some(prompt) = &node.prompt {
                let mut cond = match prompt.cond {
                    Some(c) => c.expr,
                    None => self.yes,
                };
                let is_symbol_prompt = matches!(
                    node.kind,
                    MenuKind::Config(_) | MenuKind::MenuConfig(_) | MenuKind::Choice
                );
                if is_symbol_prompt {
                    for anc in model.ancestors(child) {
                        for v in &model.menu(anc).visible_if {
                            cond = self.k.exprs.and(cond, v.expr);
                        }
                    }
                }
                let cond = self.rewrite_m(cond);
                let mut visible = self.k.exprs.and(dep, cond);
                if let Some(g) = legacy_bool_member_guard {
                    visible = self.k.exprs.and(g, visible);
                }
                match symbol {
                    Some(s) => {
                        if self.rec(s).choice != NONE {
                            self.choice_prompt.entry(s).or_insert(visible);
                        }
                        self.prompts.push((
                            s,
                            PromptRule {
                                visible,
                                menu: child,
                            },
                        ))
                    }
                    None => {
                        self.k.menus[child.0 as usize].prompt = Some((prompt.text.clone(), visible))
                    }
                }
            }
            if !node.visible_if.is_empty() {
                let v = self.own_conds(&node.visible_if);
                self.k.menus[child.0 as usize].visibility = Some(v);
            }
            if let Some(s) = symbol {
                self.properties(child, s, dep, legacy_bool_member_guard);
            }
        }
        for &child in &pnode.children {
            let node = model.menu(child);
            // `dir_dep |= menu->dep` for config definitions (6.12 skips choice members,
            // whose dir_dep is never evaluated).
            if let MenuKind::Config(s) | MenuKind::MenuConfig(s) = node.kind {
                let inside_choice = parent_choice.is_some();
                if !(inside_choice && model.dialect.modern_choices()) {
                    let name = model.symbol(s).name;
                    let dep = self.deps[child.0 as usize];
                    let old = self.sym(name).dir_dep();
                    let new = match old {
                        Some(o) => self.k.exprs.or(o, dep),
                        None => dep,
                    };
                    self.sym(name).dir_dep = new.0;
                }
            }
            self.finalize(child);
        }
        // 6.1: a non-optional choice with a prompt is at least `m` while visible.
        if model.dialect.legacy_choices()
            && let Some(c) = parent_choice
        {
            let choice = &self.k.choices[c.0 as usize];
            let (sym, optional) = (choice.symbol, choice.optional);
            if !optional && let Some(&p) = self.choice_prompt.get(&sym) {
                let m = self.k.exprs.constant(Tristate::Mod);
                let floor = self.k.exprs.and(p, m);
                let old = self.sym(sym).rev_dep();
                let new = match old {
                    Some(o) => self.k.exprs.or(o, floor),
                    None => floor,
                };
                self.sym(sym).rev_dep = new.0;
            }
        }
    }

    fn properties(&mut self, menu: MenuId, sym: NameId, dep: ExprId, guard: Option<ExprId>) {
        let model = self.model;
        for prop in &model.menu(menu).properties {
            let cond = match prop.cond {
                Some(c) => self.rewrite_m(c.expr),
                None => self.yes,
            };
            // 6.1 adds the `choice = y` guard of a bool member in a tristate choice after the
            // selects were collected, so only defaults and ranges see it.
            let base = self.k.exprs.and(dep, cond);
            let visible = match guard {
                Some(g) => self.k.exprs.and(g, base),
                None => base,
            };
            match &prop.kind {
                PropertyKind::Default {
                    value,
                    operand,
                    opaque,
                    ..
                } => self.defaults.push((
                    sym,
                    DefaultRule {
                        value: *value,
                        operand: *operand,
                        visible,
                        menu,
                        opaque: !opaque.is_empty(),
                    },
                )),
                PropertyKind::Range { low, high, .. } => self.ranges.push((
                    sym,
                    RangeRule {
                        low: *low,
                        high: *high,
                        visible,
                    },
                )),
                PropertyKind::Select(target) | PropertyKind::Imply(target) => {
                    let selector = self.k.exprs.symbol(sym);
                    let term = self.k.exprs.and(selector, base);
                    let is_select = matches!(prop.kind, PropertyKind::Select(_));
                    let rules = self.sym(*target);
                    let old = if is_select {
                        rules.rev_dep()
                    } else {
                        rules.implied()
                    };
                    let new = match old {
                        Some(o) => self.k.exprs.or(o, term),
                        None => term,
                    };
                    let rules = self.sym(*target);
                    if is_select {
                        rules.rev_dep = new.0;
                    } else {
                        rules.implied = new.0;
                    }
                }
            }
        }
    }
}

/// `items` grouped by name, each group in the order found (a counting sort by name), and
/// where each name's group starts; entry `names` is where the last one ends.
fn group_by_name<T: Copy>(names: usize, items: &[(NameId, T)]) -> (Vec<T>, Vec<u32>) {
    let mut start = vec![0u32; names + 1];
    for (name, _) in items {
        start[name.0 as usize + 1] += 1;
    }
    for i in 0..names {
        start[i + 1] += start[i];
    }
    let Some(&(_, first)) = items.first() else {
        return (Vec::new(), start);
    };
    // Every slot is written below (the counts sum to `items.len()`); `first` only fills.
    let mut out = vec![first; items.len()];
    let mut next = start.clone();
    for &(name, item) in items {
        let at = &mut next[name.0 as usize];
        out[*at as usize] = item;
        *at += 1;
    }
    (out, start)
}

/// The place of a span whose line the parser counted.
fn place(span: kp_base::Span, line: u32) -> Place {
    Place {
        file: span.file.0,
        line,
    }
}

fn value_type(t: SymbolType) -> ValueType {
    match t {
        SymbolType::Bool => ValueType::Bool,
        SymbolType::Tristate => ValueType::Tristate,
        SymbolType::Int => ValueType::Int,
        SymbolType::Hex => ValueType::Hex,
        SymbolType::String => ValueType::String,
    }
}

/// What each symbol's value is computed from (`sym_calc_value`), split into its own rules
/// and the `select`s that can only raise it.
pub(crate) struct Reads {
    /// Symbols read by the own rules: dependencies, `imply`, prompts, defaults, ranges, the
    /// choice, `modules`.
    pub(crate) own: Vec<Vec<NameId>>,
    /// Symbols read by `rev_dep`.
    pub(crate) rev: Vec<Vec<NameId>>,
    /// The own rules hold a probe result.
    pub(crate) own_opaque: Vec<bool>,
    /// `rev_dep` holds a probe result.
    pub(crate) rev_opaque: Vec<bool>,
}

impl Reads {
    /// The reads of every symbol of `k`.
    pub(crate) fn new(k: &Kconfig) -> Reads {
        let n = k.symbol_count();
        let mut reads = Reads {
            own: vec![Vec::new(); n],
            rev: vec![Vec::new(); n],
            own_opaque: vec![false; n],
            rev_opaque: vec![false; n],
        };
        for (n, r) in k.symbols() {
            let i = n.0 as usize;
            let mut opaque = r.defaults.iter().any(|d| d.opaque);
            let out = &mut reads.own[i];
            for e in r.own_exprs() {
                opaque |= leaves(&k.exprs, e, out);
            }
            for o in r.operands() {
                match o {
                    Operand::Symbol(s) => out.push(s),
                    // A range bound or default written with a probe result is rendered as its
                    // `$(shell,...)` text; nothing else leaves `$(` after preprocessing.
                    Operand::Const(c) => opaque |= k.exprs.name_text(c).contains("$("),
                }
            }
            out.extend(k.choice_group(&r));
            // `m` means `y` without modules (`sym_calc_value`: `EXPR_AND(..., modules_val)`).
            out.extend(k.modules);
            reads.own_opaque[i] = opaque;
            if let Some(e) = r.rev_dep {
                reads.rev_opaque[i] = leaves(&k.exprs, e, &mut reads.rev[i]);
            }
        }
        reads
    }
}

/// Adds the symbols of Kconfig expression `e` to `out`; whether it holds an opaque fact.
fn leaves(pool: &ExprPool, e: ExprId, out: &mut Vec<NameId>) -> bool {
    match pool.get(e) {
        Expr::Const(_) => false,
        Expr::Unknown(_) => true,
        Expr::Symbol(n) => {
            out.push(n);
            false
        }
        Expr::Cmp(_, a, b) => {
            let mut opaque = false;
            for o in [a, b] {
                match o {
                    Operand::Symbol(n) => out.push(n),
                    Operand::Const(c) => opaque |= pool.name_text(c).contains("$("),
                }
            }
            opaque
        }
        Expr::Not(a) => leaves(pool, a, out),
        Expr::And(a, b) | Expr::Or(a, b) => {
            let l = leaves(pool, a, out);
            leaves(pool, b, out) || l
        }
    }
}
