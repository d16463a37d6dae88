//! conf's check for recursive dependencies, run once the rules are final
//! (`parser.y: conf_parse` after `menu_finalize`, `symbol.c: sym_check_deps`): a symbol whose
//! dependencies, selects, implies, prompt or default conditions or default values lead back
//! to itself is an error, and conf exits 1 after reporting every cycle it meets.
//!
//! The walk is the kernel's: symbols in the order conf checks them (the symbol table up to
//! 6.1, the menu tree from 6.12), each symbol's `dir_dep`, `rev_dep`, `implied`, then its
//! properties in the order written; a choice and its members are checked together. The first
//! symbol met again closes a cycle, reported from where it was first entered.

use kconfig_parser::{ConfStyle, MenuId, Model, PropertyKind};
use kp_base::{Expr, ExprId, NameId, Operand};

use crate::kconfig::{Kconfig, SymbolKind};

/// One step of a reported cycle: `symbol` reaches the next step's symbol (the last step
/// reaches the first) through `how`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CycleStep {
    /// The symbol's name (`<choice>` for a nameless choice).
    pub symbol: String,
    /// The next symbol's name.
    pub next: String,
    /// How the symbol reaches it.
    pub how: Link,
    /// A choice, or a member of one, is reported as such up to 6.1.
    pub role: Option<ChoiceRole>,
    /// The file and line conf names with this step (the property's, or the symbol's first
    /// definition).
    pub file: String,
    /// Its line.
    pub line: u32,
    /// Where the choice block is written, when `next` is a choice (6.12 names it).
    pub choice_at: Option<(String, u32)>,
}

/// How one symbol reaches the next in a cycle (`sym_check_print_recursive`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Link {
    /// `depends on`.
    DependsOn,
    /// The next selects it.
    SelectedBy,
    /// The next implies it.
    ImpliedBy,
    /// A `default` value names the next.
    DefaultValue,
    /// A property's condition names the next: the property's kind (`prompt`, `default`),
    /// none for the symbol itself (conf up to 6.1 names its first property, `symbol`; later
    /// ones `unknown`).
    VisibleOn(Option<&'static str>),
}

/// What a choice's step of a cycle is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChoiceRole {
    /// The choice, reaching one of its members ("choice X contains symbol Y").
    Choice,
    /// A member, reaching its choice ("symbol X is part of choice Y").
    Member,
}

/// One recursive dependency conf reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cycle {
    /// The steps, from the symbol met again.
    pub steps: Vec<CycleStep>,
}

impl Cycle {
    /// The text conf prints for it, in the wording of the tree's conf (`style`).
    pub fn conf_text(&self, style: ConfStyle) -> String {
        let mut out = String::new();
        for (i, s) in self.steps.iter().enumerate() {
            let at = if style.dep_cycle_locations {
                format!("{}:{}:", s.file, s.line)
            } else {
                String::new()
            };
            if i == 0 {
                out.push_str(&format!("{at}error: recursive dependency detected!\n"));
            }
            let (symbol, next) = (&s.symbol, &s.next);
            let old = style.dep_cycle_locations;
            let what = match (&s.how, s.role, &s.choice_at) {
                (_, _, Some((file, line))) if !old => {
                    format!("symbol {symbol} is part of choice block at {file}:{line}")
                }
                (_, Some(ChoiceRole::Choice), _) if old => {
                    format!("choice {symbol} contains symbol {next}")
                }
                (_, Some(ChoiceRole::Member), _) if old => {
                    format!("symbol {symbol} is part of choice {next}")
                }
                (Link::DependsOn, _, _) => format!("symbol {symbol} depends on {next}"),
                (Link::SelectedBy, _, _) => format!("symbol {symbol} is selected by {next}"),
                (Link::ImpliedBy, _, _) => format!("symbol {symbol} is implied by {next}"),
                (Link::DefaultValue, _, _) => {
                    format!("symbol {symbol} default value contains {next}")
                }
                (Link::VisibleOn(p), _, _) => {
                    let p = p.unwrap_or(if old { "symbol" } else { "unknown" });
                    format!("symbol {symbol} {p} is visible depending on {next}")
                }
            };
            out.push_str(&format!("{at}\t{what}\n"));
        }
        out.push_str(
            "For a resolution refer to Documentation/kbuild/kconfig-language.rst\n\
             subsection \"Kconfig recursive dependency limitations\"\n\n",
        );
        out
    }
}

/// Which expression of a symbol the walk is in (`dep_stack.expr`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    None,
    DirDep,
    RevDep,
    Implied,
    /// A default's value.
    Value,
}

/// A property of a symbol as the kernel lists them (`sym->prop`): its kind name, where it is
/// written, its condition and (defaults) its value.
#[derive(Clone, Copy)]
struct Prop {
    kind: &'static str,
    file: u32,
    line: u32,
    visible: Option<ExprId>,
    value: Option<(ExprId, Option<Operand>)>,
}

#[derive(Clone, Copy)]
struct Frame {
    sym: NameId,
    prop: Option<Prop>,
    slot: Slot,
}

struct Checker<'a> {
    model: &'a Model,
    k: &'a Kconfig,
    check: Vec<bool>,
    checked: Vec<bool>,
    stack: Vec<Frame>,
    cycles: Vec<Cycle>,
}

/// Every recursive dependency conf reports for these rules, in its order; `model` is the
/// parse they come from (for lines), `style` the tree's conf.
pub fn recursive_dependencies(model: &Model, k: &Kconfig, style: ConfStyle) -> Vec<Cycle> {
    let n = k.symbol_count();
    let mut c = Checker {
        model,
        k,
        check: vec![false; n],
        checked: vec![false; n],
        stack: Vec::new(),
        cycles: Vec::new(),
    };
    let order: Vec<NameId> = if style.dep_check_in_menu_order {
        // `menu_for_each_entry`: the menu tree in preorder.
        let mut out = Vec::new();
        let mut todo = vec![MenuId(0)];
        while let Some(m) = todo.pop() {
            if let Some(s) = k.menus.get(m.0 as usize).and_then(|r| r.symbol) {
                out.push(s);
            }
            todo.extend(k.children(m).iter().rev());
        }
        out
    } else {
        k.table_order.clone()
    };
    for s in order {
        if (s.0 as usize) < n && k.is_defined(s) {
            c.sym_check_deps(s);
        }
    }
    c.cycles
}

impl Checker<'_> {
    fn name(&self, s: NameId) -> String {
        match self.k.symbol_kind(s) {
            SymbolKind::Choice(c) => {
                let m = self.k.choices[c.0 as usize].menu;
                match self.model.menu(m).choice.as_deref().and_then(|c| c.name) {
                    Some(_) => self.k.name(s).to_string(),
                    None => "<choice>".to_string(),
                }
            }
            SymbolKind::Normal => self.k.name(s).to_string(),
        }
    }

    fn line_of(&self, span: kp_base::Span) -> (u32, u32) {
        (span.file.0, self.model.sources.line_col(span).line)
    }

    fn path(&self, file: u32) -> String {
        self.model
            .sources
            .path(kp_base::FileId(file))
            .display()
            .to_string()
    }

    /// `sym->prop`: per definition, its `config` line, then its prompt and defaults in the
    /// order written (selects and implies are skipped by the walk).
    fn props(&self, s: NameId) -> Vec<Prop> {
        let rules = self.k.symbol(s);
        let mut out = Vec::new();
        // Ranges are kept in property order over all definitions.
        let mut ranges = rules.ranges.iter();
        for d in rules.definitions {
            let node = self.model.menu(d.menu);
            let (file, line) = self.line_of(node.span);
            out.push(Prop {
                kind: "symbol",
                file,
                line,
                visible: None,
                value: None,
            });
            let mut own: Vec<Prop> = Vec::new();
            for (p, rule) in node
                .earlier_prompts
                .iter()
                .chain(node.prompt.as_ref())
                .zip(rules.prompts.iter().filter(|p| p.menu == d.menu))
            {
                let (file, line) = self.line_of(p.span);
                own.push(Prop {
                    kind: "prompt",
                    file,
                    line,
                    visible: Some(rule.visible),
                    value: None,
                });
            }
            let written = node
                .properties
                .iter()
                .filter(|p| matches!(p.kind, PropertyKind::Default { .. }));
            for (p, rule) in written.zip(rules.defaults.iter().filter(|r| r.menu == d.menu)) {
                let (file, line) = self.line_of(p.span);
                own.push(Prop {
                    kind: "default",
                    file,
                    line,
                    visible: Some(rule.visible),
                    value: Some((rule.value, rule.operand)),
                });
            }
            for p in node
                .properties
                .iter()
                .filter(|p| matches!(p.kind, PropertyKind::Range { .. }))
            {
                let Some(rule) = ranges.next() else { break };
                let (file, line) = self.line_of(p.span);
                own.push(Prop {
                    kind: "range",
                    file,
                    line,
                    visible: Some(rule.visible),
                    value: None,
                });
            }
            own.sort_by_key(|p| p.line);
            out.extend(own);
        }
        out
    }

    fn sym_check_deps(&mut self, s: NameId) -> Option<NameId> {
        let i = s.0 as usize;
        if i >= self.check.len() {
            return None;
        }
        if self.check[i] {
            self.print_recursive(s);
            return Some(s);
        }
        if self.checked[i] {
            return None;
        }
        let rules = self.k.symbol(s);
        if let Some(c) = rules.member_of {
            // A choice's members are checked with the choice.
            self.stack.push(Frame {
                sym: s,
                prop: None,
                slot: Slot::None,
            });
            let choice = self.k.choices[c.0 as usize].symbol;
            let r = self.sym_check_deps(choice);
            self.stack.pop();
            r
        } else if let SymbolKind::Choice(c) = rules.kind {
            self.sym_check_choice_deps(s, c.0 as usize)
        } else {
            self.check[i] = true;
            self.checked[i] = true;
            let r = self.sym_check_sym_deps(s);
            self.check[i] = false;
            r
        }
    }

    fn sym_check_choice_deps(&mut self, choice: NameId, c: usize) -> Option<NameId> {
        self.stack.push(Frame {
            sym: choice,
            prop: None,
            slot: Slot::None,
        });
        let members = self.k.choices[c].members.clone();
        for &m in &members {
            self.check[m.0 as usize] = true;
            self.checked[m.0 as usize] = true;
        }
        self.check[choice.0 as usize] = true;
        self.checked[choice.0 as usize] = true;
        let mut r = self.sym_check_sym_deps(choice);
        self.check[choice.0 as usize] = false;
        if r.is_none() {
            for &m in &members {
                r = self.sym_check_sym_deps(m);
                if r.is_some() {
                    break;
                }
            }
        }
        for &m in &members {
            self.check[m.0 as usize] = false;
        }
        if let Some(r2) = r
            && members.contains(&r2)
        {
            r = Some(choice);
        }
        self.stack.pop();
        r
    }

    fn sym_check_sym_deps(&mut self, s: NameId) -> Option<NameId> {
        self.stack.push(Frame {
            sym: s,
            prop: None,
            slot: Slot::None,
        });
        let r = self.sym_deps_inner(s);
        self.stack.pop();
        r
    }

    fn set_top(&mut self, prop: Option<Option<Prop>>, slot: Slot) {
        if let Some(top) = self.stack.last_mut() {
            if let Some(p) = prop {
                top.prop = p;
            }
            top.slot = slot;
        }
    }

    fn sym_deps_inner(&mut self, s: NameId) -> Option<NameId> {
        let rules = self.k.symbol(s);
        for (slot, e) in [
            (Slot::DirDep, rules.dir_dep),
            (Slot::RevDep, rules.rev_dep),
            (Slot::Implied, rules.implied),
        ] {
            self.set_top(None, slot);
            if let Some(e) = e
                && let Some(r) = self.expr_deps(e)
            {
                return Some(r);
            }
        }
        self.set_top(None, Slot::None);
        let is_choice = matches!(rules.kind, SymbolKind::Choice(_));
        for p in self.props(s) {
            self.set_top(Some(Some(p)), Slot::None);
            if let Some(v) = p.visible
                && let Some(r) = self.expr_deps(v)
            {
                return Some(r);
            }
            let Some((value, operand)) = p.value else {
                continue;
            };
            if is_choice {
                continue;
            }
            self.set_top(None, Slot::Value);
            if let Some(r) = self.expr_deps(value) {
                return Some(r);
            }
            if let Some(Operand::Symbol(o)) = operand
                && !self.mentions(value, o)
                && let Some(r) = self.sym_check_deps(o)
            {
                return Some(r);
            }
            self.set_top(None, Slot::None);
        }
        None
    }

    fn mentions(&self, e: ExprId, s: NameId) -> bool {
        match self.k.exprs.get(e) {
            Expr::Symbol(x) => x == s,
            Expr::Cmp(_, a, b) => [a, b].contains(&Operand::Symbol(s)),
            Expr::Not(a) => self.mentions(a, s),
            Expr::And(a, b) | Expr::Or(a, b) => self.mentions(a, s) || self.mentions(b, s),
            _ => false,
        }
    }

    fn expr_deps(&mut self, e: ExprId) -> Option<NameId> {
        match self.k.exprs.get(e) {
            Expr::And(a, b) | Expr::Or(a, b) => self.expr_deps(a).or_else(|| self.expr_deps(b)),
            Expr::Not(a) => self.expr_deps(a),
            Expr::Symbol(s) => self.sym_check_deps(s),
            Expr::Cmp(_, a, b) => {
                for o in [a, b] {
                    if let Operand::Symbol(s) = o
                        && let Some(r) = self.sym_check_deps(s)
                    {
                        return Some(r);
                    }
                }
                None
            }
            Expr::Const(_) | Expr::Unknown(_) => None,
        }
    }

    /// `sym_check_print_recursive`.
    fn print_recursive(&mut self, last: NameId) {
        let mut last = last;
        let mut pushed = false;
        if let Some(c) = self.k.member_of(last) {
            self.stack.push(Frame {
                sym: last,
                prop: None,
                slot: Slot::None,
            });
            pushed = true;
            last = self.k.choices[c.0 as usize].symbol;
        }
        let Some(start) = self.stack.iter().rposition(|f| f.sym == last) else {
            if pushed {
                self.stack.pop();
            }
            return;
        };
        let mut steps = Vec::new();
        for i in start..self.stack.len() {
            let f = self.stack[i];
            let next = self.stack.get(i + 1).map_or(last, |n| n.sym);
            let first_def = self.props(f.sym).first().copied();
            let rules = self.k.symbol(f.sym);
            let is_choice = matches!(rules.kind, SymbolKind::Choice(_));
            let is_member = rules.member_of.is_some();
            let place = if is_choice || is_member {
                first_def
            } else {
                f.prop.or(first_def)
            };
            let (file, line) = place.map_or((String::new(), 0), |p| (self.path(p.file), p.line));
            let how = match f.slot {
                Slot::DirDep => Link::DependsOn,
                Slot::RevDep => Link::SelectedBy,
                Slot::Implied => Link::ImpliedBy,
                Slot::Value => Link::DefaultValue,
                Slot::None => Link::VisibleOn(f.prop.map(|p| p.kind)),
            };
            let role = if is_choice {
                Some(ChoiceRole::Choice)
            } else if is_member {
                Some(ChoiceRole::Member)
            } else {
                None
            };
            let choice_at = match self.k.symbol_kind(next) {
                SymbolKind::Choice(c) => {
                    let m = self.k.choices[c.0 as usize].menu;
                    let (file, line) = self.line_of(self.model.menu(m).span);
                    Some((self.path(file), line))
                }
                SymbolKind::Normal => None,
            };
            steps.push(CycleStep {
                symbol: self.name(f.sym),
                next: self.name(next),
                how,
                role,
                file,
                line,
                choice_at,
            });
        }
        self.cycles.push(Cycle { steps });
        if pushed {
            self.stack.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use kconfig_parser::{ConfStyle, Dialect, MemLoader, Options, ShellMode, parse};

    use super::recursive_dependencies;
    use crate::Kconfig;

    /// A choice depending on its member, a prompt condition and a default value reading each
    /// other, a range conditional on its own symbol.
    const CYCLES: &str = "#- Kconfig\nconfig MODULES\n\tdef_bool y\n\tmodules\n\nchoice\n\tprompt \"pick\"\n\tdepends on P2\n\nconfig P1\n\tbool \"p1\"\n\nconfig P2\n\tbool \"p2\"\n\nendchoice\n\nconfig X\n\tbool \"x\" if Y\n\tdefault y\n\nconfig Y\n\tbool\n\tdefault X\n\nconfig R\n\tint \"r\"\n\trange 1 10 if R\n\tdefault 3\n";

    fn conf_text(fixture: &str, dialect: Dialect, style: ConfStyle) -> String {
        let model = parse(
            "Kconfig",
            &MemLoader::from_fixture(fixture),
            &Options::new(dialect, ShellMode::Record),
        );
        assert!(model.diagnostics.is_empty(), "{:?}", model.diagnostics);
        let k = Kconfig::new(&model);
        recursive_dependencies(&model, &k, style)
            .iter()
            .map(|c| c.conf_text(style))
            .collect()
    }

    const HELP: &str = "For a resolution refer to Documentation/kbuild/kconfig-language.rst\nsubsection \"Kconfig recursive dependency limitations\"\n\n";

    /// What 6.1's conf prints for `CYCLES` (symbol-table order, `FILE:LINE:` on each line).
    #[test]
    fn as_conf_6_1_reports_them() {
        let style = ConfStyle {
            include_path_to_top: false,
            dep_check_in_menu_order: false,
            dep_cycle_locations: true,
        };
        let want = format!(
            "Kconfig:5:error: recursive dependency detected!\nKconfig:5:\tchoice <choice> contains symbol P2\nKconfig:12:\tsymbol P2 is part of choice <choice>\n{HELP}\
             Kconfig:27:error: recursive dependency detected!\nKconfig:27:\tsymbol R range is visible depending on R\n{HELP}\
             Kconfig:23:error: recursive dependency detected!\nKconfig:23:\tsymbol Y default value contains X\nKconfig:18:\tsymbol X prompt is visible depending on Y\n{HELP}"
        );
        assert_eq!(conf_text(CYCLES, Dialect::LINUX_6_1, style), want);
    }

    /// What 6.12's conf prints for `CYCLES` (menu order, no locations but the choice's).
    #[test]
    fn as_conf_6_12_reports_them() {
        let style = ConfStyle {
            include_path_to_top: true,
            dep_check_in_menu_order: true,
            dep_cycle_locations: false,
        };
        let want = format!(
            "error: recursive dependency detected!\n\tsymbol <choice> prompt is visible depending on P2\n\tsymbol P2 is part of choice block at Kconfig:5\n{HELP}\
             error: recursive dependency detected!\n\tsymbol X prompt is visible depending on Y\n\tsymbol Y default value contains X\n{HELP}\
             error: recursive dependency detected!\n\tsymbol R range is visible depending on R\n{HELP}"
        );
        assert_eq!(conf_text(CYCLES, Dialect::LINUX_6_12, style), want);
    }

    #[test]
    fn acyclic_rules_pass() {
        let style = ConfStyle {
            include_path_to_top: true,
            dep_check_in_menu_order: true,
            dep_cycle_locations: false,
        };
        let fixture = "#- Kconfig\nconfig A\n\tbool \"a\"\n\tselect B\n\nconfig B\n\tbool\n\tdepends on C\n\nconfig C\n\tbool \"c\"\n\tdefault y if !D\n\nconfig D\n\tbool\n";
        assert_eq!(conf_text(fixture, Dialect::LINUX_6_12, style), "");
    }
}
