//! Reading and writing `.config` files, and the configuration targets built on them
//! (`olddefconfig`, `allnoconfig`, `allyesconfig`, `allmodconfig`, `alldefconfig`,
//! `defconfig`), as `scripts/kconfig/confdata.c` (`conf_read_simple`, `conf_read`,
//! `conf_write`) and `conf.c` (`conf_set_all_new_symbols`) do them.

use kconfig_parser::Dialect;
use kp_base::expr::ValueType;
use kp_base::{NameId, Tristate};

use crate::eval::{EvalWarning, Evaluation};
use crate::kconfig::{Kconfig, SymbolKind};

/// A configuration target of `scripts/kconfig/conf`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Read `.config`, give every new symbol its default, write.
    OldDefConfig,
    /// Every prompted bool/tristate the input leaves open becomes `n`.
    AllNoConfig,
    /// ... becomes `y`.
    AllYesConfig,
    /// ... becomes `m` (bools `y`).
    AllModConfig,
    /// Every symbol takes its default.
    AllDefConfig,
    /// Read a defconfig file, then as olddefconfig.
    DefConfig,
}

impl Target {
    /// Parses a target name as make spells it.
    pub fn from_name(s: &str) -> Option<Target> {
        Some(match s {
            "olddefconfig" => Target::OldDefConfig,
            "allnoconfig" => Target::AllNoConfig,
            "allyesconfig" => Target::AllYesConfig,
            "allmodconfig" => Target::AllModConfig,
            "alldefconfig" => Target::AllDefConfig,
            "defconfig" => Target::DefConfig,
            _ => return None,
        })
    }
}

/// Runs `target` the way `conf --<target>` does and returns the `.config` it writes.
/// `input` is the `.config` (olddefconfig), the defconfig file (defconfig) or the
/// `KCONFIG_ALLCONFIG` file (the all* targets), when there is one.
pub fn run_target(k: &Kconfig, target: Target, input: Option<&str>) -> (String, Vec<EvalWarning>) {
    let mut ev = Evaluation::new(k);
    let changed = match target {
        Target::OldDefConfig | Target::DefConfig => read(&mut ev, input.unwrap_or("")),
        _ => {
            if let Some(text) = input {
                read_simple(&mut ev, text);
            }
            set_all_new_symbols(&mut ev, target);
            true
        }
    };
    let text = write(&mut ev, changed);
    (text, ev.warnings)
}

/// `conf_read_simple(name, S_DEF_USER)`: loads user values. Returns whether a line named a
/// symbol the tree does not define (which marks the configuration changed).
pub fn read_simple(ev: &mut Evaluation<'_>, text: &str) -> bool {
    let k = ev.kconfig();
    let legacy = k.dialect == Dialect::Legacy;
    ev.reset_user_values();
    let mut unknown_seen = false;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let lineno = i + 1;
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        let line = line.strip_suffix('\r').unwrap_or(line);
        let (name, val) = if let Some(rest) = line.strip_prefix('#') {
            let Some(rest) = rest.strip_prefix(' ') else {
                continue;
            };
            let Some(rest) = rest.strip_prefix("CONFIG_") else {
                continue;
            };
            let Some((name, tail)) = rest.split_once(' ') else {
                continue;
            };
            let not_set = if legacy {
                tail.starts_with("is not set")
            } else {
                tail == "is not set"
            };
            if !not_set {
                continue;
            }
            (name, "n")
        } else {
            if line.is_empty() {
                continue;
            }
            let Some(rest) = line.strip_prefix("CONFIG_") else {
                ev.warnings.push(EvalWarning {
                    line: lineno,
                    message: format!("unexpected data: {line}"),
                });
                continue;
            };
            let Some((name, val)) = rest.split_once('=') else {
                if !legacy {
                    ev.warnings.push(EvalWarning {
                        line: lineno,
                        message: format!("unexpected data: {line}"),
                    });
                }
                continue;
            };
            (name, val)
        };
        let Some(sym) = k.find(name).filter(|&n| is_table_symbol(k, n)) else {
            unknown_seen = true;
            continue;
        };
        if ev.has_user_value(sym) {
            ev.warnings.push(EvalWarning {
                line: lineno,
                message: format!("override: reassigning to symbol {name}"),
            });
        }
        if !set_sym_val(ev, sym, val, lineno) {
            continue;
        }
        if k.symbol(sym).member_of.is_some() {
            if legacy {
                if let Some(w) = ev.legacy_note_choice_member(sym) {
                    ev.warnings.push(EvalWarning {
                        line: lineno,
                        message: w,
                    });
                }
            } else {
                // The last `=y` member read wins: it moves to the head of the priority list.
                ev.move_to_front_of_choice(sym);
            }
        }
    }
    unknown_seen
}

/// Names `sym_find()` can return: symbols defined or referenced in the Kconfig files (not the
/// constants).
fn is_table_symbol(k: &Kconfig, n: NameId) -> bool {
    let r = k.symbol(n);
    r.ty != ValueType::Unknown || !r.menus.is_empty() || matches!(r.kind, SymbolKind::Choice(_))
}

/// `conf_set_sym_val()`; returns false where the C code returns 1 (value rejected).
fn set_sym_val(ev: &mut Evaluation<'_>, sym: NameId, p: &str, lineno: usize) -> bool {
    let k = ev.kconfig();
    let name = k.name(sym);
    let ty = k.symbol(sym).ty;
    let first = p.as_bytes().first().copied();
    match ty {
        ValueType::Tristate | ValueType::Bool => {
            let t = match first {
                Some(b'm') if ty == ValueType::Tristate => Tristate::Mod,
                Some(b'y') => Tristate::Yes,
                Some(b'n') => Tristate::No,
                _ => {
                    ev.warnings.push(EvalWarning {
                        line: lineno,
                        message: format!("symbol value '{p}' invalid for {name}"),
                    });
                    return false;
                }
            };
            ev.set_user_tristate(sym, t);
            true
        }
        ValueType::String => {
            let Some(body) = p.strip_prefix('"') else {
                return true;
            };
            let mut out = String::new();
            let mut chars = body.chars();
            let mut closed = false;
            while let Some(c) = chars.next() {
                match c {
                    '"' => {
                        closed = true;
                        break;
                    }
                    '\\' => match chars.next() {
                        Some(n) => out.push(n),
                        None => break,
                    },
                    c => out.push(c),
                }
            }
            if !closed {
                ev.warnings.push(EvalWarning {
                    line: lineno,
                    message: "invalid string found".into(),
                });
                return false;
            }
            ev.set_user_string(sym, out);
            true
        }
        ValueType::Int | ValueType::Hex => {
            if string_valid(ty, p) {
                ev.set_user_string(sym, p.to_string());
                true
            } else {
                ev.warnings.push(EvalWarning {
                    line: lineno,
                    message: format!("symbol value '{p}' invalid for {name}"),
                });
                false
            }
        }
        ValueType::Unknown => true,
    }
}

/// `sym_string_valid()` for int and hex.
pub(crate) fn string_valid(ty: ValueType, s: &str) -> bool {
    let b = s.as_bytes();
    match ty {
        ValueType::Int => {
            let digits = b.strip_prefix(b"-").unwrap_or(b);
            match digits {
                [] => false,
                [b'0', _, ..] => false,
                _ => digits.iter().all(u8::is_ascii_digit),
            }
        }
        ValueType::Hex => {
            let digits = if b.len() >= 2 && b[0] == b'0' && (b[1] | 0x20) == b'x' {
                &b[2..]
            } else {
                b
            };
            !digits.is_empty() && digits.iter().all(u8::is_ascii_hexdigit)
        }
        _ => true,
    }
}

/// `conf_read(NULL)`: loads the user values and computes everything; returns the
/// "configuration changed" flag that decides whether `conf_write` recomputes.
pub fn read(ev: &mut Evaluation<'_>, text: &str) -> bool {
    let k = ev.kconfig();
    let warnings_before = ev.warnings.len();
    let mut changed = read_simple(ev, text);
    let read_warnings = ev.warnings.len() > warnings_before;
    if let Some(m) = k.modules {
        ev.calc_value(m);
    }
    let mut unsaved = 0usize;
    for &n in &k.table_order {
        if !is_table_symbol(k, n) {
            continue;
        }
        ev.calc_value(n);
        if matches!(k.symbol(n).kind, SymbolKind::Choice(_)) {
            continue;
        }
        let has = ev.has_user_value(n);
        let write = ev.is_written(n);
        if has && write {
            let same = match k.symbol(n).ty {
                ValueType::Bool | ValueType::Tristate => ev.user_tri(n) == ev.tristate(n),
                _ => ev.user_val(n) == Some(ev.curr_val(n)),
            };
            if same {
                continue;
            }
        } else if !has && !write {
            continue;
        }
        unsaved += 1;
    }
    if k.dialect == Dialect::Legacy {
        for &n in &k.table_order {
            if !is_table_symbol(k, n) || !ev.has_user_value(n) || k.symbol(n).member_of.is_some() {
                continue;
            }
            if ev.visibility_now(n) == Tristate::No && unsaved == 0 {
                ev.clear_user(n);
            }
            if matches!(
                k.symbol(n).ty,
                ValueType::String | ValueType::Int | ValueType::Hex
            ) {
                let v = ev.user_val(n).unwrap_or("").to_string();
                if !ev.string_within_range(n, &v) {
                    ev.clear_user_and_valid(n);
                    unsaved += 1;
                }
            }
        }
    }
    changed |= unsaved > 0 || read_warnings;
    changed
}

/// `conf_set_all_new_symbols()` for the all* targets.
fn set_all_new_symbols(ev: &mut Evaluation<'_>, target: Target) {
    let k = ev.kconfig();
    let value = match target {
        Target::AllNoConfig => Some(Tristate::No),
        Target::AllYesConfig => Some(Tristate::Yes),
        Target::AllModConfig => Some(Tristate::Mod),
        _ => None,
    };
    match k.dialect {
        Dialect::Modern => {
            // Every prompted bool/tristate entry in menu order, choices and their members
            // excepted.
            if let Some(v) = value {
                for menu in menu_order(k) {
                    let Some(sym) = k.menus[menu.0 as usize].symbol else {
                        continue;
                    };
                    let rules = k.symbol(sym);
                    let has_prompt = rules.prompts.iter().any(|p| p.menu == menu);
                    if !has_prompt
                        || ev.has_user_value(sym)
                        || !rules.is_bool_or_tristate()
                        || rules.member_of.is_some()
                        || matches!(rules.kind, SymbolKind::Choice(_))
                    {
                        continue;
                    }
                    ev.set_user_tristate(sym, v);
                }
            }
            ev.clear_all_valid();
        }
        Dialect::Legacy => {
            // 6.1 sets every bool/tristate symbol, prompted or not, choices included.
            if let Some(v) = value {
                for &n in &k.table_order {
                    if !is_table_symbol(k, n) || ev.has_user_value(n) || ev.valid_now(n) {
                        continue;
                    }
                    if k.symbol(n).is_bool_or_tristate() {
                        ev.set_user_tristate(n, v);
                    }
                }
            }
            ev.clear_all_valid();
            if value.is_some() {
                for &n in &k.table_order {
                    let r = k.symbol(n);
                    let is_choice = matches!(r.kind, SymbolKind::Choice(_));
                    if (is_choice && !ev.has_user_value(n)) || r.member_of.is_some() {
                        ev.mark_need_set_choice_values(n);
                    }
                }
            }
            for &cs in &k.table_order {
                let SymbolKind::Choice(c) = k.symbol(cs).kind else {
                    continue;
                };
                if ev.has_user_value(cs) {
                    continue;
                }
                ev.calc_value(cs);
                ev.set_all_choice_values_pub(c.0 as usize);
            }
        }
    }
}

/// Depth-first order of the menu tree (what `menu_for_each_entry` and `conf_write` walk).
fn menu_order(k: &Kconfig) -> Vec<kconfig_parser::MenuId> {
    let mut out = Vec::with_capacity(k.menus.len());
    let mut stack: Vec<kconfig_parser::MenuId> =
        k.menus[0].children.iter().rev().copied().collect();
    while let Some(m) = stack.pop() {
        out.push(m);
        stack.extend(k.menus[m.0 as usize].children.iter().rev().copied());
    }
    out
}

/// `conf_write()`: the `.config` text.
pub fn write(ev: &mut Evaluation<'_>, changed: bool) -> String {
    let k = ev.kconfig();
    let mut out = format!(
        "#\n# Automatically generated file; DO NOT EDIT.\n# {}\n#\n",
        k.mainmenu
    );
    if !changed {
        ev.clear_all_valid();
    }
    let mut need_newline = false;
    write_children(ev, kconfig_parser::MenuId(0), &mut out, &mut need_newline);
    ev.clear_written();
    out
}

fn write_children(
    ev: &mut Evaluation<'_>,
    parent: kconfig_parser::MenuId,
    out: &mut String,
    need_newline: &mut bool,
) {
    let k = ev.kconfig();
    for &m in &k.menus[parent.0 as usize].children {
        let node = &k.menus[m.0 as usize];
        match node.symbol {
            None => {
                if menu_is_visible(ev, m) {
                    let text = node.prompt.as_ref().map_or("", |p| p.0.as_str());
                    for part in ["\n#\n# ", text, "\n#\n"] {
                        out.push_str(part);
                    }
                    *need_newline = false;
                }
            }
            Some(sym) => {
                if !matches!(k.symbol(sym).kind, SymbolKind::Choice(_))
                    && ev.is_written(sym)
                    && !ev.written_flag(sym)
                {
                    if *need_newline {
                        out.push('\n');
                        *need_newline = false;
                    }
                    print_symbol(ev, sym, out);
                }
            }
        }
        write_children(ev, m, out, need_newline);
        if node.symbol.is_none() && node.is_menu_block && menu_is_visible(ev, m) {
            let text = node.prompt.as_ref().map_or("", |p| p.0.as_str());
            for part in ["# end of ", text, "\n"] {
                out.push_str(part);
            }
            *need_newline = true;
        }
    }
}

/// `menu_is_visible()` for nodes without a symbol (menus and comments).
fn menu_is_visible(ev: &mut Evaluation<'_>, m: kconfig_parser::MenuId) -> bool {
    let k = ev.kconfig();
    let node = &k.menus[m.0 as usize];
    let Some((_, visible)) = node.prompt else {
        return false;
    };
    if let Some(v) = node.visibility {
        if ev.calc_expr(v) == Tristate::No {
            return false;
        }
    }
    ev.calc_expr(visible) != Tristate::No
}

fn print_symbol(ev: &mut Evaluation<'_>, sym: NameId, out: &mut String) {
    let k = ev.kconfig();
    let name = k.name(sym);
    let ty = k.symbol(sym).ty;
    if matches!(ty, ValueType::Bool | ValueType::Tristate) {
        // The value's letter, as `sym_get_string_value` spells it, without building it:
        // this runs for every symbol of every candidate configuration.
        match ev.tristate(sym) {
            Tristate::No => {
                out.push_str("# CONFIG_");
                out.push_str(name);
                out.push_str(" is not set\n");
            }
            v => {
                out.push_str("CONFIG_");
                out.push_str(name);
                out.push('=');
                out.push(v.letter());
                out.push('\n');
            }
        }
        return;
    }
    ev.calc_value(sym);
    let val = ev.string_value_now(sym);
    match ty {
        ValueType::Unknown | ValueType::Bool | ValueType::Tristate => {}
        ValueType::String => {
            let mut escaped = String::with_capacity(val.len() + 2);
            escaped.push('"');
            for c in val.chars() {
                if c == '"' || c == '\\' {
                    escaped.push('\\');
                }
                escaped.push(c);
            }
            escaped.push('"');
            for part in ["CONFIG_", name, "=", &escaped, "\n"] {
                out.push_str(part);
            }
        }
        _ => {
            for part in ["CONFIG_", name, "=", val, "\n"] {
                out.push_str(part);
            }
        }
    }
}
