//! Reading and writing `.config` files, and the configuration targets built on them
//! (`olddefconfig`, `allnoconfig`, `allyesconfig`, `allmodconfig`, `alldefconfig`,
//! `defconfig`), as `scripts/kconfig/confdata.c` (`conf_read_simple`, `conf_read`,
//! `conf_write`) and `conf.c` (`conf_set_all_new_symbols`) do them.

use kconfig_parser::Choices;
use kp_base::expr::ValueType;
use kp_base::{NameId, Tristate};

use crate::eval::{EvalWarning, Evaluation};
use crate::kconfig::{Kconfig, Reads, SymbolKind, WriteStep};

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

/// `olddefconfig` of many configurations that each differ from one base configuration in a
/// few symbols (the possibility analysis's candidates: allmodconfig with some values pinned),
/// computing again only what the differences change.
///
/// The kernel computes every symbol from the values read (`conf_read()`), and a symbol's
/// computation reads only the symbols its own rules name (`sym_calc_value()`: dependencies,
/// selects, implies, prompt conditions, defaults, ranges) and, for a choice and its members,
/// each other. So, going through those reads in dependency order, a symbol read as in the base
/// none of whose reads came out differently has the base's computed state, and is taken from
/// there; the others are computed, and the result counted and written by the same code as
/// [`run_target`]. The output is the same text, byte for byte (tests/olddefconfig_from_base
/// compares the two on real trees); only the evaluation warnings of symbols taken from the
/// base are not repeated.
pub struct OldDefConfig<'k> {
    k: &'k Kconfig,
    /// The base after `conf_read_simple()`.
    base_read: Evaluation<'k>,
    /// The base after every symbol is computed.
    base_computed: Evaluation<'k>,
    /// Per symbol: the groups whose computation reads it.
    readers: Vec<Vec<u32>>,
    /// Groups of symbols computed together (a choice and its members, and any symbols whose
    /// rules read each other), in an order where every group comes after those it reads.
    groups: Vec<Vec<NameId>>,
    /// Per symbol: its group.
    group_of: Vec<u32>,
}

impl<'k> OldDefConfig<'k> {
    /// Prepares runs from `base`, a `.config` text.
    pub fn new(k: &'k Kconfig, base: &str) -> OldDefConfig<'k> {
        let mut base_read = Evaluation::new(k);
        read_simple(&mut base_read, base);
        let mut base_computed = base_read.clone();
        calc_read(&mut base_computed);
        // reads[s]: the symbols s's computation reads, `select`s included.
        let count = k.symbol_count();
        let Reads { own, rev, .. } = Reads::new(k);
        let mut reads = own;
        for (names, selects) in reads.iter_mut().zip(rev) {
            names.extend(selects);
            names.retain(|n| (n.0 as usize) < count);
            names.sort_unstable();
            names.dedup();
        }
        let groups = components_in_order(&reads);
        let mut group_of = vec![0u32; count];
        for (g, members) in groups.iter().enumerate() {
            for &n in members {
                group_of[n.0 as usize] = g as u32;
            }
        }
        let mut readers: Vec<Vec<u32>> = vec![Vec::new(); count];
        for (i, names) in reads.iter().enumerate() {
            for &n in names {
                if group_of[n.0 as usize] != group_of[i] {
                    readers[n.0 as usize].push(group_of[i]);
                }
            }
        }
        for list in &mut readers {
            list.sort_unstable();
            list.dedup();
        }
        OldDefConfig {
            k,
            base_read,
            base_computed,
            readers,
            groups,
            group_of,
        }
    }

    /// `olddefconfig` of `text`: what `run_target(k, Target::OldDefConfig, Some(text))`
    /// writes.
    pub fn run(&self, text: &str) -> String {
        let k = self.k;
        let mut ev = Evaluation::new(k);
        let unknown_seen = read_simple(&mut ev, text);
        let read_warnings = !ev.warnings.is_empty();
        // Groups with a symbol read differently from the base.
        let mut pending = vec![false; self.groups.len()];
        for i in 0..k.symbol_count() {
            if !ev.same_state(&self.base_read, NameId(i as u32)) {
                pending[self.group_of[i] as usize] = true;
            }
        }
        for (c, ch) in k.choices.iter().enumerate() {
            if !ev.same_choice_priority(&self.base_read, c) {
                pending[self.group_of[ch.symbol.0 as usize] as usize] = true;
            }
        }
        // `modules` decides every tristate's type: when it is read differently, everything is
        // computed.
        let everything = k
            .modules
            .is_some_and(|m| pending[self.group_of[m.0 as usize] as usize]);
        if !everything {
            // Every symbol starts from the base's computed state; the fresh read states of
            // the pending groups are kept aside.
            let read = ev.clone();
            for i in 0..k.symbol_count() {
                ev.take_state(&self.base_computed, NameId(i as u32));
            }
            ev.take_modules_value(&self.base_computed);
            for (g, members) in self.groups.iter().enumerate() {
                if !pending[g] {
                    continue;
                }
                for &n in members {
                    ev.take_state(&read, n);
                }
                for &n in members {
                    ev.calc_value(n);
                }
                // Only a group that came out differently makes its readers compute again.
                if members
                    .iter()
                    .any(|&n| !ev.same_state(&self.base_computed, n))
                {
                    for &n in members {
                        for &r in &self.readers[n.0 as usize] {
                            pending[r as usize] = true;
                        }
                    }
                }
            }
        }
        let unsaved = calc_read(&mut ev);
        let changed = finish_read(&mut ev, unsaved, unknown_seen || read_warnings);
        write(&mut ev, changed)
    }
}

/// The strongly connected components of the graph `reads` (node -> the nodes it reads), each
/// after every component it reads (Tarjan's algorithm, without recursion).
fn components_in_order(reads: &[Vec<NameId>]) -> Vec<Vec<NameId>> {
    let count = reads.len();
    const NONE: u32 = u32::MAX;
    let mut index = vec![NONE; count];
    let mut low = vec![0u32; count];
    let mut on_stack = vec![false; count];
    let mut stack: Vec<u32> = Vec::new();
    let mut out: Vec<Vec<NameId>> = Vec::new();
    let mut next = 0u32;
    // (node, position in its reads list)
    let mut call: Vec<(u32, usize)> = Vec::new();
    for root in 0..count as u32 {
        if index[root as usize] != NONE {
            continue;
        }
        call.push((root, 0));
        while let Some(&mut (v, ref mut pos)) = call.last_mut() {
            let vi = v as usize;
            if *pos == 0 && index[vi] == NONE {
                index[vi] = next;
                low[vi] = next;
                next += 1;
                stack.push(v);
                on_stack[vi] = true;
            }
            if let Some(&w) = reads[vi].get(*pos) {
                *pos += 1;
                let wi = w.0 as usize;
                if index[wi] == NONE {
                    call.push((w.0, 0));
                } else if on_stack[wi] {
                    low[vi] = low[vi].min(index[wi]);
                }
                continue;
            }
            call.pop();
            if let Some(&(parent, _)) = call.last() {
                let pi = parent as usize;
                low[pi] = low[pi].min(low[vi]);
            }
            if low[vi] == index[vi] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w as usize] = false;
                    component.push(NameId(w));
                    if w == v {
                        break;
                    }
                }
                component.sort_unstable();
                out.push(component);
            }
        }
    }
    out
}

/// `conf_read_simple(name, S_DEF_USER)`: loads user values. Returns whether a line named a
/// symbol the tree does not define (which marks the configuration changed).
pub fn read_simple(ev: &mut Evaluation<'_>, text: &str) -> bool {
    let k = ev.kconfig();
    let legacy = k.dialect.legacy_choices();
    ev.reset_user_values();
    if legacy {
        // 6.1 `conf_read_simple`: every choice starts as set by the user (with `n`); its
        // members' lines raise it, and `sym_calc_choice` drops the flag again when a visible
        // member was not read.
        ev.mark_choices_user_set();
    }
    let mut unknown_seen = false;
    for (i, raw) in lines(text).enumerate() {
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
            let Some((name, tail)) = split_once_byte(rest, b' ') else {
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
            let Some((name, val)) = split_once_byte(rest, b'=') else {
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
        if k.member_of(sym).is_some() {
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

/// `text.split_inclusive('\n')`, by a plain byte scan: `.config` lines are short (~27
/// bytes), where the `char` searcher's `memchr` call costs more than the scan.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    std::iter::from_fn(move || {
        let rest = text.as_bytes().get(start..).filter(|r| !r.is_empty())?;
        let end = rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |i| start + i + 1);
        // `\n` is one byte in UTF-8, so both ends are character boundaries.
        let line = text.get(start..end)?;
        start = end;
        Some(line)
    })
}

/// `s.split_once(b)` for an ASCII `b`, by a plain byte scan (see [`lines`]).
fn split_once_byte(s: &str, b: u8) -> Option<(&str, &str)> {
    let i = s.bytes().position(|c| c == b)?;
    // An ASCII byte is a whole character, so `i` and `i + 1` are character boundaries.
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// Names `sym_find()` can return: symbols defined or referenced in the Kconfig files (not the
/// constants).
fn is_table_symbol(k: &Kconfig, n: NameId) -> bool {
    k.symbol_type(n) != ValueType::Unknown
        || k.is_defined(n)
        || matches!(k.symbol_kind(n), SymbolKind::Choice(_))
}

/// `conf_set_sym_val()`; returns false where the C code returns 1 (value rejected).
fn set_sym_val(ev: &mut Evaluation<'_>, sym: NameId, p: &str, lineno: usize) -> bool {
    let k = ev.kconfig();
    let name = k.name(sym);
    let ty = k.symbol_type(sym);
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
    let warnings_before = ev.warnings.len();
    let changed = read_simple(ev, text);
    let read_warnings = ev.warnings.len() > warnings_before;
    let unsaved = calc_read(ev);
    finish_read(ev, unsaved, changed || read_warnings)
}

/// The part of `conf_read()` after `conf_read_simple()` that computes every symbol, counting
/// those whose computed value differs from what was read (`conf_read`'s unsaved count).
fn calc_read(ev: &mut Evaluation<'_>) -> usize {
    let k = ev.kconfig();
    if let Some(m) = k.modules {
        ev.calc_value(m);
    }
    let mut unsaved = 0usize;
    for &n in &k.table_order {
        if !is_table_symbol(k, n) {
            continue;
        }
        ev.calc_value(n);
        // Choices, and 5.10's `SYMBOL_NO_WRITE` defconfig_list symbol, are not compared.
        if matches!(k.symbol_kind(n), SymbolKind::Choice(_)) || k.defconfig_list == Some(n) {
            continue;
        }
        let has = ev.has_user_value(n);
        let write = ev.is_written(n);
        if has && write {
            let same = match k.symbol_type(n) {
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
    unsaved
}

/// The rest of `conf_read()`: 6.1's pass over user values that are invisible or out of range,
/// and the "configuration changed" flag (`changed`: what reading itself found).
fn finish_read(ev: &mut Evaluation<'_>, mut unsaved: usize, changed: bool) -> bool {
    let k = ev.kconfig();
    if k.dialect.legacy_choices() {
        for &n in &k.table_order {
            if !is_table_symbol(k, n) || !ev.has_user_value(n) || k.member_of(n).is_some() {
                continue;
            }
            if ev.visibility_now(n) == Tristate::No && unsaved == 0 {
                ev.clear_user(n);
            }
            if matches!(
                k.symbol_type(n),
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
    changed || unsaved > 0
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
    match k.dialect.choices {
        Choices::Modern => {
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
        Choices::Legacy => {
            // 6.1 sets every bool/tristate symbol, prompted or not, choices included.
            if let Some(v) = value {
                for &n in &k.table_order {
                    if !is_table_symbol(k, n) || ev.has_user_value(n) || ev.valid_now(n) {
                        continue;
                    }
                    if matches!(k.symbol_type(n), ValueType::Bool | ValueType::Tristate) {
                        // 5.10: allnoconfig gives `option allnoconfig_y` symbols `y`.
                        let v = if v == Tristate::No && k.allnoconfig_y.contains(&n) {
                            Tristate::Yes
                        } else {
                            v
                        };
                        ev.set_user_tristate(n, v);
                    }
                }
            }
            ev.clear_all_valid();
            if value.is_some() {
                for &n in &k.table_order {
                    let is_choice = matches!(k.symbol_kind(n), SymbolKind::Choice(_));
                    if (is_choice && !ev.has_user_value(n)) || k.member_of(n).is_some() {
                        ev.mark_need_set_choice_values(n);
                    }
                }
            }
            for &cs in &k.table_order {
                let SymbolKind::Choice(c) = k.symbol_kind(cs) else {
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
    let mut stack: Vec<kconfig_parser::MenuId> = k
        .children(kconfig_parser::Model::ROOT)
        .iter()
        .rev()
        .copied()
        .collect();
    while let Some(m) = stack.pop() {
        out.push(m);
        stack.extend(k.children(m).iter().rev().copied());
    }
    out
}

/// `conf_write()`: the `.config` text.
pub fn write(ev: &mut Evaluation<'_>, changed: bool) -> String {
    let k = ev.kconfig();
    // Room for a line per step up front (a `.config` line is about 35 bytes): growing by
    // doubling copies the text several times over.
    let mut out = String::with_capacity(64 + 40 * k.write_steps.len());
    for part in [
        "#\n# Automatically generated file; DO NOT EDIT.\n# ",
        &k.mainmenu,
        "\n#\n",
    ] {
        out.push_str(part);
    }
    if !changed {
        ev.clear_all_valid();
    }
    let mut need_newline = false;
    write_children(ev, &mut out, &mut need_newline);
    ev.clear_written();
    out
}

/// `conf_write()`'s walk of the menu tree, over [`Kconfig::write_steps`].
fn write_children(ev: &mut Evaluation<'_>, out: &mut String, need_newline: &mut bool) {
    let k = ev.kconfig();
    for &step in &k.write_steps {
        match step {
            WriteStep::Symbol(sym) => {
                if ev.is_written(sym) && !ev.written_flag(sym) {
                    if *need_newline {
                        out.push('\n');
                        *need_newline = false;
                    }
                    print_symbol(ev, sym, out);
                }
            }
            WriteStep::Heading(m) => {
                if menu_is_visible(ev, m) {
                    for part in ["\n#\n# ", prompt_text(k, m), "\n#\n"] {
                        out.push_str(part);
                    }
                    *need_newline = false;
                }
            }
            WriteStep::End(m) => {
                if menu_is_visible(ev, m) {
                    for part in ["# end of ", prompt_text(k, m), "\n"] {
                        out.push_str(part);
                    }
                    *need_newline = true;
                }
            }
        }
    }
}

/// The prompt of menu node `m` (empty without one), as `conf_write` prints it.
fn prompt_text(k: &Kconfig, m: kconfig_parser::MenuId) -> &str {
    k.menus[m.0 as usize]
        .prompt
        .as_ref()
        .map_or("", |p| p.0.as_str())
}

/// `menu_is_visible()` for nodes without a symbol (menus and comments).
fn menu_is_visible(ev: &mut Evaluation<'_>, m: kconfig_parser::MenuId) -> bool {
    let k = ev.kconfig();
    let node = &k.menus[m.0 as usize];
    let Some((_, visible)) = node.prompt else {
        return false;
    };
    if let Some(v) = node.visibility
        && ev.calc_expr(v) == Tristate::No
    {
        return false;
    }
    ev.calc_expr(visible) != Tristate::No
}

fn print_symbol(ev: &mut Evaluation<'_>, sym: NameId, out: &mut String) {
    let k = ev.kconfig();
    let name = k.name(sym);
    let ty = k.symbol_type(sym);
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

#[cfg(test)]
mod tests {
    use super::{lines, split_once_byte};

    #[test]
    fn byte_scans_split_like_str() {
        for text in [
            "",
            "a",
            "a\n",
            "\n\n",
            "a\r\nb",
            "CONFIG_É=y\n# x\nlast",
            "=\n",
        ] {
            let ours: Vec<&str> = lines(text).collect();
            let std: Vec<&str> = text.split_inclusive('\n').collect();
            assert_eq!(ours, std, "{text:?}");
            for b in [b'=', b' ', b'\n'] {
                assert_eq!(
                    split_once_byte(text, b),
                    text.split_once(b as char),
                    "{text:?}"
                );
            }
        }
    }
}
