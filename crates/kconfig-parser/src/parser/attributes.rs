//! The attribute lines of an entry (`bool`, `prompt`, `default`, `select`, `range`,
//! `depends on`, `help`, ...) and the checks `parser.y` and `menu.c` make while adding them.

use kp_base::{Operand, Span};

use super::{EntryKind, Line, Parser};
use crate::lexer::{Kw, Lexer, TokKind};
use crate::model::*;
use crate::preprocess::{has_marker, markers, render_markers};

impl Parser<'_> {
    // ---- attributes ----------------------------------------------------------------------

    pub(super) fn attribute(&mut self, kw: Kw, line: &Line<'_>, lexer: &mut Lexer<'_>) {
        let first = line.tokens()[0];
        let allowed = match self.entry.map(|e| e.kind) {
            None => false,
            Some(EntryKind::Broken) => true,
            Some(EntryKind::Config | EntryKind::MenuConfig) => match kw {
                Kw::Visible | Kw::Optional => false,
                // 5.10 knows only `option modules`.
                Kw::Modules => !self.opts.dialect.option,
                _ => true,
            },
            Some(EntryKind::Choice) => match kw {
                Kw::Prompt | Kw::Default | Kw::Depends | Kw::Help => true,
                Kw::Bool => {
                    self.opts.dialect.legacy_choices() || self.opts.dialect.choice_bool_prompt
                }
                Kw::Tristate | Kw::Optional => self.opts.dialect.legacy_choices(),
                _ => false,
            },
            Some(EntryKind::Menu) => matches!(kw, Kw::Visible | Kw::Depends),
            Some(EntryKind::Comment) => kw == Kw::Depends,
        };
        if !allowed {
            let what = match kw {
                Kw::Depends => "`depends on`".to_string(),
                Kw::Visible => "`visible if`".to_string(),
                k => format!("`{}`", k.as_str()),
            };
            let expected = match self.entry.map(|e| e.kind) {
                None => "it must follow a `config`, `menuconfig`, `choice`, `comment` or `menu` line".to_string(),
                Some(EntryKind::Choice) if self.opts.dialect.choice_bool_prompt => {
                    "a choice takes `bool \"prompt\"`, `prompt`, `default`, `depends on` and `help`".to_string()
                }
                Some(EntryKind::Choice) if self.opts.dialect.modern_choices() => {
                    "a choice takes `prompt`, `default`, `depends on` and `help`".to_string()
                }
                Some(EntryKind::Choice) => {
                    "a choice takes `bool`, `tristate`, `prompt`, `default`, `optional`, `depends on` and `help`".to_string()
                }
                Some(EntryKind::Menu) => "a menu takes `visible if` and `depends on`".to_string(),
                Some(EntryKind::Comment) => "a comment takes only `depends on`".to_string(),
                Some(_) if kw == Kw::Modules => {
                    "this tree's Kconfig writes it `option modules`".to_string()
                }
                Some(_) => "a config entry takes no `visible` or `optional`".to_string(),
            };
            self.error(
                "KP0120",
                line.span_of(&first),
                format!("{what} is not allowed here: {expected}"),
            );
            if kw == Kw::Help {
                lexer.help(None);
            }
            return;
        }
        let Some(entry) = self.entry else { return };
        let broken = entry.kind == EntryKind::Broken;
        let span = line.span();
        match kw {
            Kw::Bool | Kw::Tristate | Kw::Int | Kw::Hex | Kw::String => {
                let ty = match kw {
                    Kw::Bool => SymbolType::Bool,
                    Kw::Tristate => SymbolType::Tristate,
                    Kw::Int => SymbolType::Int,
                    Kw::Hex => SymbolType::Hex,
                    _ => SymbolType::String,
                };
                let mut prompt = None;
                let mut i = 1;
                if let Some(t) = line.tokens().get(1)
                    && t.kind == TokKind::Quoted
                {
                    let text = render_markers(line.st.text(t), &self.pp.shell_calls);
                    prompt = Some(text);
                    i = 2;
                }
                let choice_modern =
                    entry.kind == EntryKind::Choice && self.opts.dialect.modern_choices();
                if prompt.is_none() && choice_modern {
                    self.error(
                        "KP0102",
                        line.span_at(1),
                        format!(
                            "expected a quoted prompt after `bool` in a choice, found {}",
                            line.shown(1)
                        ),
                    );
                    return;
                }
                if prompt.is_none()
                    && let Some(t) = line.tokens().get(1)
                    && t.kind == TokKind::Word
                {
                    self.error(
                        "KP0111",
                        line.span_of(t),
                        format!(
                            "unexpected {} after {}: expected a quoted prompt or end of line",
                            line.shown(1),
                            kw.quoted()
                        ),
                    );
                    return;
                }
                let cond = if prompt.is_some() {
                    let Ok(c) = self.if_expr_end(line, i, "the prompt") else {
                        return;
                    };
                    c
                } else {
                    if !self.expect_end(line, i, kw.quoted()) {
                        return;
                    }
                    None
                };
                if broken {
                    return;
                }
                if !choice_modern {
                    self.set_type(entry.menu, ty, line.span_of(&first), line.st.line);
                }
                if let Some(text) = prompt {
                    self.set_prompt(entry.menu, Prompt { text, cond, span });
                }
            }
            Kw::Prompt => {
                let Some(text) = self.quoted_at(line, 1, "`prompt`") else {
                    return;
                };
                let Ok(cond) = self.if_expr_end(line, 2, "the prompt") else {
                    return;
                };
                if !broken {
                    self.set_prompt(entry.menu, Prompt { text, cond, span });
                }
            }
            Kw::Default | Kw::DefBool | Kw::DefTristate if entry.kind == EntryKind::Choice => {
                // `choice_option: T_DEFAULT nonconst_symbol if_expr T_EOL`
                let Some(name) = self.name_at(line, 1, "`default` in a choice") else {
                    return;
                };
                let created_at = self.created.len();
                let Ok(cond) = self.if_expr_end(line, 2, "the symbol name") else {
                    return;
                };
                let n = self.exprs.name(&name);
                self.note_created_at(created_at, n);
                let value = self.exprs.symbol(n);
                self.node(entry.menu).properties.push(Property {
                    kind: PropertyKind::Default {
                        value,
                        operand: Some(Operand::Symbol(n)),
                        opaque: Vec::new(),
                    },
                    cond,
                    span,
                });
            }
            Kw::Default | Kw::DefBool | Kw::DefTristate => {
                let Some((value, next)) = self.expr_at(line, 1) else {
                    return;
                };
                let Ok(cond) = self.if_expr_end(line, next, "the value") else {
                    return;
                };
                if broken {
                    return;
                }
                let (operand, opaque) = if next == 2 {
                    let t = line.tokens()[1];
                    let text = line.st.text(&t);
                    if line.st.may_hold_marker(&t) && has_marker(text) {
                        let shown = render_markers(text, &self.pp.shell_calls);
                        (
                            Some(Operand::Const(self.exprs.name(&shown))),
                            markers(text).collect(),
                        )
                    } else {
                        (Some(self.operand(&t, text)), Vec::new())
                    }
                } else {
                    (None, Vec::new())
                };
                match kw {
                    Kw::DefBool => self.set_type(
                        entry.menu,
                        SymbolType::Bool,
                        line.span_of(&first),
                        line.st.line,
                    ),
                    Kw::DefTristate => self.set_type(
                        entry.menu,
                        SymbolType::Tristate,
                        line.span_of(&first),
                        line.st.line,
                    ),
                    _ => {}
                }
                self.node(entry.menu).properties.push(Property {
                    kind: PropertyKind::Default {
                        value: value.expr,
                        operand,
                        opaque,
                    },
                    cond,
                    span,
                });
            }
            Kw::Select | Kw::Imply => {
                let Some(name) = self.name_at(line, 1, kw.quoted()) else {
                    return;
                };
                let created_at = self.created.len();
                let Ok(cond) = self.if_expr_end(line, 2, "the symbol name") else {
                    return;
                };
                if broken {
                    return;
                }
                let n = self.exprs.name(&name);
                self.note_created_at(created_at, n);
                let kind = if kw == Kw::Select {
                    PropertyKind::Select(n)
                } else {
                    PropertyKind::Imply(n)
                };
                self.node(entry.menu)
                    .properties
                    .push(Property { kind, cond, span });
            }
            Kw::Range => {
                let mut bounds = Vec::with_capacity(2);
                let mut opaque = Vec::new();
                for i in 1..3 {
                    match line.tokens().get(i) {
                        Some(t) if matches!(t.kind, TokKind::Word | TokKind::Quoted) => {
                            let text = line.st.text(t);
                            if line.st.may_hold_marker(t) && has_marker(text) {
                                opaque.extend(markers(text));
                                let shown = render_markers(text, &self.pp.shell_calls);
                                bounds.push(Operand::Const(self.exprs.name(&shown)));
                            } else {
                                let t = *t;
                                bounds.push(self.operand(&t, text));
                            }
                        }
                        _ => {
                            let which = if i == 1 {
                                "a lower bound"
                            } else {
                                "an upper bound"
                            };
                            self.error(
                                "KP0102",
                                line.span_at(i),
                                format!(
                                    "expected {which} (a symbol or constant) in `range`, found {}",
                                    line.shown(i)
                                ),
                            );
                            return;
                        }
                    }
                }
                let Ok(cond) = self.if_expr_end(line, 3, "the bounds") else {
                    return;
                };
                if broken {
                    return;
                }
                self.node(entry.menu).properties.push(Property {
                    kind: PropertyKind::Range {
                        low: bounds[0],
                        high: bounds[1],
                        opaque,
                    },
                    cond,
                    span,
                });
            }
            Kw::Modules => {
                if !self.expect_end(line, 1, "`modules`") || broken {
                    return;
                }
                self.set_modules(entry.menu, span);
            }
            Kw::Option => {
                // 5.10 parser.y `config_option: T_OPTION T_MODULES | T_DEFCONFIG_LIST |
                // T_ALLNOCONFIG_Y`.
                let what = line.tokens().get(1).map(|t| line.st.text(t).to_string());
                let known = matches!(
                    what.as_deref(),
                    Some("modules" | "defconfig_list" | "allnoconfig_y")
                );
                if !known {
                    self.error(
                        "KP0102",
                        line.span_at(1),
                        format!(
                            "expected `modules`, `defconfig_list` or `allnoconfig_y` after `option`, found {}",
                            line.shown(1)
                        ),
                    );
                    return;
                }
                if !self.expect_end(line, 2, "the option") || broken {
                    return;
                }
                match what.as_deref() {
                    Some("modules") => self.set_modules(entry.menu, span),
                    Some("defconfig_list") => {
                        // `menu_add_option_defconfig_list()`: one symbol only.
                        if let Some(sym) = self.menus[entry.menu.0 as usize].symbol() {
                            if let Some(prev) = self.defconfig_list
                                && prev != sym
                            {
                                self.error("KP0143", span, "trying to redefine defconfig symbol");
                                return;
                            }
                            self.defconfig_list = Some(sym);
                        }
                        self.node(entry.menu).defconfig_list = Some(span);
                    }
                    _ => self.node(entry.menu).allnoconfig_y = Some(span),
                }
            }
            Kw::Transitional => {
                if !self.expect_end(line, 1, "`transitional`") || broken {
                    return;
                }
                self.node(entry.menu).transitional = Some(span);
            }
            Kw::Depends => {
                match line.tokens().get(1) {
                    Some(t) if t.kind == TokKind::Kw(Kw::On) => {}
                    _ => {
                        self.error(
                            "KP0102",
                            line.span_at(1),
                            format!("expected `on` after `depends`, found {}", line.shown(1)),
                        );
                        return;
                    }
                }
                let Some((mut cond, next)) = self.expr_at(line, 2) else {
                    return;
                };
                let is_if = |t: &crate::lexer::Tok| t.kind == TokKind::Kw(Kw::If);
                if self.opts.dialect.depends_if && line.tokens().get(next).is_some_and(is_if) {
                    // 7.2 `depends on X if Y`: `menu_add_dep()` makes it `X || (Y = n)`.
                    let Ok(Some(c)) = self.if_expr_end(line, next, "the dependency") else {
                        return;
                    };
                    let unless = super::lower::equals_no(&mut self.exprs, c.expr);
                    cond.expr = self.exprs.or(cond.expr, unless);
                    cond.span = Span::new(
                        cond.span.file,
                        cond.span.start as usize,
                        c.span.end as usize,
                    );
                } else if next < line.tokens().len() {
                    self.error(
                        "KP0111",
                        line.span_at(next),
                        format!(
                            "unexpected {} in `depends on`: expected `&&`, `||` or end of line",
                            line.shown(next)
                        ),
                    );
                    return;
                }
                if !broken {
                    self.node(entry.menu).depends.push(cond);
                }
            }
            Kw::Visible => {
                let Ok(cond) = self.if_expr_end(line, 1, "`visible`") else {
                    return;
                };
                if let Some(c) = cond
                    && !broken
                {
                    self.node(entry.menu).visible_if.push(c);
                }
            }
            Kw::Optional => {
                let alone = self.expect_end(line, 1, "`optional`");
                if alone && !broken {
                    let node = self.node(entry.menu);
                    node.choice.get_or_insert_with(Default::default).optional = Some(span);
                }
            }
            Kw::Help => {
                self.expect_end(line, 1, "`help`");
                let help_span = lexer.help(None);
                if broken {
                    return;
                }
                // 7.2 makes both of these errors (`zconf_error`).
                let errors = self.opts.dialect.help_errors;
                if self.menus[entry.menu.0 as usize].help.is_some() {
                    let name = self.entry_name(entry.menu);
                    let msg = format!(
                        "`{name}` defined with more than one help text: only the last one is used"
                    );
                    if errors {
                        self.error("KP0142", span, msg);
                    } else {
                        self.warn("KP0142", span, msg);
                    }
                }
                // Text lines are never blank, so the help is blank exactly when it has none.
                if help_span.start == help_span.end {
                    let name = self.entry_name(entry.menu);
                    let msg = format!("`{name}` defined with blank help text");
                    if errors {
                        self.error("KP0142", span, msg);
                    } else {
                        self.warn("KP0142", span, msg);
                    }
                }
                self.node(entry.menu).help = Some(help_span);
            }
            _ => {}
        }
    }

    /// `modules` (5.10: `option modules`): the symbol becomes `modules_sym`; a second one is
    /// an error.
    fn set_modules(&mut self, menu: MenuId, span: Span) {
        let Some(sym) = self.menus[menu.0 as usize].symbol() else {
            return;
        };
        if let Some(prev) = self.modules
            && prev != sym
        {
            let (a, b) = (self.symbol_name(sym), self.symbol_name(prev));
            self.error(
                "KP0143",
                span,
                format!("symbol `{a}` redefines option `modules` already defined by symbol `{b}`"),
            );
            return;
        }
        self.modules = Some(sym);
        self.node(menu).modules = Some(span);
    }

    fn symbol_name(&self, s: SymbolId) -> String {
        self.exprs
            .name_text(self.symbols[s.0 as usize].name)
            .to_string()
    }

    fn entry_name(&self, m: MenuId) -> String {
        match self.menus[m.0 as usize].symbol() {
            Some(s) => self.symbol_name(s),
            None => "<choice>".to_string(),
        }
    }

    /// `menu_set_type()`: the first type of a symbol wins; a different later one is ignored
    /// with a warning.
    /// `line` is the 1-based line of `span`.
    fn set_type(&mut self, menu: MenuId, ty: SymbolType, span: Span, line: u32) {
        let node = &mut self.menus[menu.0 as usize];
        let node_prev = node.ty.map(|(t, _)| t);
        if node.ty.is_none() {
            node.ty = Some((ty, span));
            node.ty_line = line;
        }
        let current = match node.symbol() {
            Some(s) => {
                let sym = &mut self.symbols[s.0 as usize];
                let cur = sym.ty;
                if cur.is_none() {
                    sym.ty = Some(ty);
                }
                cur
            }
            // A legacy choice has its own type.
            None => node_prev,
        };
        if let Some(cur) = current
            && cur != ty
        {
            let name = self.entry_name(menu);
            self.warn(
                "KP0140",
                span,
                format!(
                    "ignoring type redefinition of `{name}` from `{}` to `{}`",
                    cur.as_str(),
                    ty.as_str()
                ),
            );
        }
    }

    fn set_prompt(&mut self, menu: MenuId, mut prompt: Prompt) {
        let span = prompt.span;
        if prompt.text.starts_with(|c: char| c.is_ascii_whitespace()) {
            // `menu_add_prompt()` skips it (isspace) and warns.
            self.warn(
                "KP0147",
                span,
                "leading whitespace in the prompt is ignored",
            );
            prompt.text = prompt
                .text
                .trim_start_matches(|c: char| c.is_ascii_whitespace())
                .to_string();
        }
        if self.menus[menu.0 as usize].prompt.is_some() {
            self.warn("KP0141", span, "prompt redefined");
        }
        let node = self.node(menu);
        if let Some(earlier) = node.prompt.replace(prompt) {
            node.earlier_prompts.push(earlier);
        }
    }
}
