//! Concrete evaluation of one configuration, a faithful port of the kernel's C tool:
//! `scripts/kconfig/symbol.c` (`sym_calc_value`, `sym_calc_visibility`, `sym_calc_choice`,
//! `sym_validate_range`) with the flags it keeps (`SYMBOL_VALID`, `SYMBOL_WRITE`,
//! `SYMBOL_DEF_USER`), for both the 6.12 rules and the 6.1 rules (tristate and optional
//! choices). Values are computed lazily and memoised exactly like the C code, so the rare
//! orders that matter (a symbol asked for again while it is being computed gets its type's
//! default) come out the same.

use kconfig_parser::Choices;
use kp_base::expr::{ValueType, compare_values};
use kp_base::{Expr, ExprId, NameId, Operand, Tristate};

use crate::kconfig::{ChoiceId, Kconfig, SymbolKind};

const VALID: u8 = 1;
const WRITE: u8 = 2;
const DEF_USER: u8 = 4;
const WRITTEN: u8 = 8;
/// 6.1 `SYMBOL_NEED_SET_CHOICE_VALUES`.
const NEED_SET_CHOICE_VALUES: u8 = 16;
/// [`Kconfig::name_valued`], kept with the flags so forgetting every value reads no rules.
const NAME_VALUED: u8 = 32;

/// The state of one symbol without its value strings: 8 bytes (was 24 with the members a
/// choice names, which only choice symbols have and [`ChoiceSel`] now keeps), so the states
/// of a whole tree stay in the caches while values are computed in the symbol table's
/// order. Aligned to 8 so that indexing is a shift (7 bytes took 1.2M more instructions
/// per olddefconfig for 2% fewer misses).
#[derive(Clone, Debug, PartialEq)]
#[repr(align(8))]
struct SymState {
    flags: u8,
    user_tri: Tristate,
    curr_tri: Tristate,
    visible: Tristate,
    dir_dep: Tristate,
    rev_dep: Tristate,
    implied: Tristate,
}

/// 6.1: the members a choice symbol's values name.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct ChoiceSel {
    /// `def[S_DEF_USER].val`, the member the user chose.
    user: Option<NameId>,
    /// `curr.val`, the selected member.
    curr: Option<NameId>,
}

/// The value strings of an int, hex or string symbol (`def[S_DEF_USER].val`, `curr.val`).
/// A bool or tristate symbol's `curr.val` is always "n" (the C code never sets it from the
/// tristate value) and its user value is a tristate, so those have none.
#[derive(Clone, Debug, Default, PartialEq)]
struct StrState {
    user_val: Option<String>,
    curr_val: String,
}

/// Sets `curr.val` reusing the string's buffer (a recomputation mostly writes the same value).
fn set_curr_val(s: &mut StrState, v: &str) {
    if s.curr_val != v {
        s.curr_val.clear();
        s.curr_val.push_str(v);
    }
}

impl SymState {
    const NEW: SymState = SymState {
        flags: 0,
        user_tri: Tristate::No,
        curr_tri: Tristate::No,
        visible: Tristate::No,
        dir_dep: Tristate::No,
        rev_dep: Tristate::No,
        implied: Tristate::No,
    };
}

/// A warning the C tool would print while reading or evaluating (`conf_warning`,
/// `sym_warn_unmet_dep`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalWarning {
    /// 1-based line in the `.config` read, or 0 for evaluation warnings.
    pub line: usize,
    /// The message, as the kernel words it.
    pub message: String,
}

/// One configuration being evaluated over a [`Kconfig`].
#[derive(Clone, Debug)]
pub struct Evaluation<'k> {
    k: &'k Kconfig,
    syms: Vec<SymState>,
    /// By [`Kconfig::string_slot`].
    strs: Vec<StrState>,
    /// 6.12 `choice->choice_members`, in priority order (reading a `.config` moves members).
    choice_priority: Vec<Vec<NameId>>,
    /// By the [`ChoiceId`] of a choice symbol's kind (a 6.1 choice written twice is one
    /// symbol, so one of these).
    choice_sel: Vec<ChoiceSel>,
    modules_val: Tristate,
    /// Warnings so far.
    pub warnings: Vec<EvalWarning>,
}

impl<'k> Evaluation<'k> {
    /// A configuration with no user values.
    pub fn new(k: &'k Kconfig) -> Evaluation<'k> {
        let mut syms: Vec<SymState> = k
            .name_valued
            .iter()
            .map(|&fixed| SymState {
                flags: if fixed { NAME_VALUED } else { 0 },
                ..SymState::NEW
            })
            .collect();
        // The tristate constants are valid from the start (`symbol_yes` etc.); their string
        // value is their name (type unknown).
        for (letter, t) in [
            ("y", Tristate::Yes),
            ("m", Tristate::Mod),
            ("n", Tristate::No),
        ] {
            if let Some(n) = k.exprs.find_name(letter)
                && let Some(s) = syms.get_mut(n.0 as usize)
            {
                s.flags |= VALID;
                s.curr_tri = t;
            }
        }
        let mut strs = Vec::new();
        strs.resize_with(k.string_symbols, StrState::default);
        Evaluation {
            k,
            syms,
            strs,
            choice_priority: k.choices.iter().map(|c| c.members.clone()).collect(),
            choice_sel: vec![ChoiceSel::default(); k.choices.len()],
            modules_val: Tristate::No,
            warnings: Vec::new(),
        }
    }

    /// The rules this evaluation runs on.
    pub fn kconfig(&self) -> &'k Kconfig {
        self.k
    }

    fn st(&self, n: NameId) -> &SymState {
        &self.syms[n.0 as usize]
    }

    fn st_mut(&mut self, n: NameId) -> &mut SymState {
        &mut self.syms[n.0 as usize]
    }

    /// The value strings of an int, hex or string symbol.
    fn strs(&self, n: NameId) -> Option<&StrState> {
        self.k.string_slot(n).map(|i| &self.strs[i])
    }

    fn strs_mut(&mut self, n: NameId) -> Option<&mut StrState> {
        self.k.string_slot(n).map(|i| &mut self.strs[i])
    }

    /// The members choice symbol `cs` names (`None` for any other symbol).
    fn sel(&self, cs: NameId) -> Option<&ChoiceSel> {
        match self.k.symbol_kind(cs) {
            SymbolKind::Choice(c) => self.choice_sel.get(c.0 as usize),
            SymbolKind::Normal => None,
        }
    }

    fn sel_mut(&mut self, cs: NameId) -> Option<&mut ChoiceSel> {
        match self.k.symbol_kind(cs) {
            SymbolKind::Choice(c) => self.choice_sel.get_mut(c.0 as usize),
            SymbolKind::Normal => None,
        }
    }

    fn has_value(&self, n: NameId) -> bool {
        self.st(n).flags & DEF_USER != 0
    }

    /// `sym_get_type()`: tristate reads as bool without modules (and, in 6.1, for a choice
    /// member visible as `y`).
    fn effective_type(&self, n: NameId) -> ValueType {
        let ty = self.k.symbol_type(n);
        if ty == ValueType::Tristate {
            if self.k.dialect.legacy_choices()
                && self.k.member_of(n).is_some()
                && self.st(n).visible == Tristate::Yes
            {
                return ValueType::Bool;
            }
            if self.modules_val == Tristate::No {
                return ValueType::Bool;
            }
        }
        ty
    }

    /// Sets a user value (`def[S_DEF_USER]` and `SYMBOL_DEF_USER`), as reading a `.config` or
    /// an all*config mode does. No evaluation happens until a value is asked for.
    pub fn set_user_tristate(&mut self, n: NameId, t: Tristate) {
        let s = self.st_mut(n);
        s.user_tri = t;
        s.flags |= DEF_USER;
    }

    /// Sets a user string value (int, hex or string symbols; other symbols have no string
    /// value to set, and the C code only ever sets one on those types).
    pub fn set_user_string(&mut self, n: NameId, v: String) {
        if let Some(s) = self.strs_mut(n) {
            s.user_val = Some(v);
        }
        self.st_mut(n).flags |= DEF_USER;
    }

    /// Whether `n` has a user value.
    pub fn has_user_value(&self, n: NameId) -> bool {
        self.has_value(n)
    }

    /// Forgets every computed value (undefined names keep theirs: their value is their name).
    fn invalidate_all(&mut self) {
        for s in &mut self.syms {
            if s.flags & NAME_VALUED == 0 {
                s.flags &= !VALID;
            }
        }
    }

    /// `sym_clear_all_valid()`: forget every computed value, then compute MODULES first.
    pub fn clear_all_valid(&mut self) {
        self.invalidate_all();
        if let Some(m) = self.k.modules {
            self.calc_value(m);
        }
    }

    /// The tristate value (`sym_get_tristate_value`), computing it if needed.
    pub fn tristate(&mut self, n: NameId) -> Tristate {
        self.calc_value(n);
        self.st(n).curr_tri
    }

    /// The value as `.config` spells it (`sym_get_string_value`), computing it if needed.
    pub fn string_value(&mut self, n: NameId) -> String {
        self.calc_value(n);
        self.string_value_now(n).to_string()
    }

    /// The value as `sym_get_string_value()` gives it, without computing it first.
    pub(crate) fn string_value_now(&self, n: NameId) -> &str {
        match self.k.symbol_type(n) {
            ValueType::Bool | ValueType::Tristate => match self.st(n).curr_tri {
                Tristate::No => "n",
                Tristate::Mod => "m",
                Tristate::Yes => "y",
            },
            ValueType::Unknown => self.k.name(n),
            _ => self.strs(n).map_or("", |s| s.curr_val.as_str()),
        }
    }

    /// Whether the symbol is written to `.config` (`SYMBOL_WRITE` after computing it).
    pub fn is_written(&mut self, n: NameId) -> bool {
        self.calc_value(n);
        self.st(n).flags & WRITE != 0
    }

    /// The visibility computed with the value.
    pub fn visibility(&mut self, n: NameId) -> Tristate {
        self.calc_value(n);
        self.st(n).visible
    }

    /// `expr_calc_value()`.
    pub fn calc_expr(&mut self, e: ExprId) -> Tristate {
        match self.k.exprs.get(e) {
            Expr::Const(t) => t,
            Expr::Symbol(n) => {
                self.calc_value(n);
                self.st(n).curr_tri
            }
            Expr::Not(a) => !self.calc_expr(a),
            Expr::And(a, b) => {
                let x = self.calc_expr(a);
                x.min(self.calc_expr(b))
            }
            Expr::Or(a, b) => {
                let x = self.calc_expr(a);
                x.max(self.calc_expr(b))
            }
            // Opaque facts only exist when the parser recorded `$(shell,...)` calls instead
            // of running them; concrete evaluation then reads them as `n`.
            Expr::Unknown(_) => Tristate::No,
            Expr::Cmp(op, a, b) => self.calc_cmp(op, a, b),
        }
    }

    /// A comparison's value; out of line, so the common cases of [`Evaluation::calc_expr`]
    /// stay a small function.
    #[inline(never)]
    fn calc_cmp(&mut self, op: kp_base::CmpOp, a: Operand, b: Operand) -> Tristate {
        self.calc_operand(a);
        self.calc_operand(b);
        let (ta, sa) = self.operand_string(a);
        let (tb, sb) = self.operand_string(b);
        let ord = compare_values(ta, sa, tb, sb);
        if op.holds(ord) {
            Tristate::Yes
        } else {
            Tristate::No
        }
    }

    fn calc_operand(&mut self, o: Operand) {
        if let Operand::Symbol(n) = o {
            self.calc_value(n);
        }
    }

    fn operand_string(&self, o: Operand) -> (ValueType, &str) {
        match o {
            Operand::Symbol(n) => (self.k.symbol_type(n), self.string_value_now(n)),
            Operand::Const(n) => {
                let text = self.k.name(n);
                let ty = if Tristate::from_letter(text).is_some() {
                    ValueType::Tristate
                } else {
                    ValueType::Unknown
                };
                (ty, text)
            }
        }
    }

    /// The value of an operand used as a symbol (`prop_get_symbol()` then `curr.val`).
    fn operand_curr_val(&mut self, o: Operand) -> String {
        match o {
            Operand::Const(n) => self.k.name(n).to_string(),
            Operand::Symbol(n) => {
                self.calc_value(n);
                match self.k.symbol_type(n) {
                    ValueType::Unknown => self.k.name(n).to_string(),
                    // `curr.val` of a bool/tristate symbol stays "n" (the C code never sets
                    // it from the tristate value).
                    ValueType::Bool | ValueType::Tristate => "n".to_string(),
                    _ => self
                        .strs(n)
                        .map_or_else(String::new, |s| s.curr_val.clone()),
                }
            }
        }
    }

    fn calc_visibility(&mut self, n: NameId) {
        let k = self.k;
        // 7.2 `sym_calc_visibility`: a transitional symbol is visible, so its user value is
        // read, and nothing else is computed.
        if !k.transitional.is_empty() && k.transitional.contains(&n) {
            self.st_mut(n).visible = Tristate::Yes;
            return;
        }
        let rules = k.rec(n);
        let legacy_choice = match (k.dialect.choices, rules.member_of()) {
            (Choices::Legacy, Some(c)) => Some(k.choices[c.0 as usize].symbol),
            _ => None,
        };
        let mut tri = Tristate::No;
        for p in k.prompts_of(n) {
            let mut v = self.calc_expr(p.visible);
            // 6.1: a tristate member visible as `m` is hidden while its choice is `y`.
            if let Some(cs) = legacy_choice
                && rules.ty == ValueType::Tristate
                && v == Tristate::Mod
                && self.st(cs).curr_tri == Tristate::Yes
            {
                v = Tristate::No;
            }
            tri = tri.max(v);
        }
        if tri == Tristate::Mod
            && (rules.ty != ValueType::Tristate || self.modules_val == Tristate::No)
        {
            tri = Tristate::Yes;
        }
        self.st_mut(n).visible = tri;
        if rules.member_of().is_some() {
            return;
        }
        let bool_lift = |ev: &Self, t: Tristate| {
            if t == Tristate::Mod && ev.effective_type(n) == ValueType::Bool {
                Tristate::Yes
            } else {
                t
            }
        };
        let d = rules.dir_dep().map_or(Tristate::Yes, |e| self.calc_expr(e));
        let d = bool_lift(self, d);
        let r = rules.rev_dep().map_or(Tristate::No, |e| self.calc_expr(e));
        let r = bool_lift(self, r);
        let i = rules.implied().map_or(Tristate::No, |e| self.calc_expr(e));
        let i = bool_lift(self, i);
        let s = self.st_mut(n);
        s.dir_dep = d;
        s.rev_dep = r;
        s.implied = i;
    }

    /// The first default whose condition is not `n` (`sym_get_default_prop`).
    fn default_prop(&mut self, n: NameId) -> Option<(usize, Tristate)> {
        let k = self.k;
        for (i, d) in k.defaults_of(n).iter().enumerate() {
            let v = self.calc_expr(d.visible);
            if v != Tristate::No {
                return Some((i, v));
            }
        }
        None
    }

    /// `sym_calc_value()`.
    #[inline]
    pub fn calc_value(&mut self, n: NameId) {
        // Most calls find the value computed: that test is inlined into the callers.
        if self.st(n).flags & VALID == 0 {
            self.calc_value_now(n);
        }
    }

    /// `sym_calc_value()` of a symbol not yet valid.
    /// `sym->curr = newval` of `sym_calc_value()` (done twice there: first so that a
    /// recursive call sees a value, then with the result); a choice's selected member is
    /// forgotten.
    fn set_curr(&mut self, n: NameId, tri: Tristate, val: &str) {
        self.st_mut(n).curr_tri = tri;
        if let SymbolKind::Choice(c) = self.k.symbol_kind(n) {
            self.choice_sel[c.0 as usize].curr = None;
        }
        if let Some(s) = self.strs_mut(n) {
            set_curr_val(s, val);
        }
    }

    fn calc_value_now(&mut self, n: NameId) {
        let k = self.k;
        let rules = k.rec(n);
        if k.dialect.legacy_choices()
            && rules.member_of().is_some()
            && self.st(n).flags & NEED_SET_CHOICE_VALUES != 0
        {
            self.st_mut(n).flags &= !NEED_SET_CHOICE_VALUES;
            let cs = k.choices[rules.member_of().map_or(0, |c| c.0 as usize)].symbol;
            self.calc_value(cs);
        }
        self.st_mut(n).flags |= VALID;
        let (mut new_tri, new_val) = match rules.ty {
            ValueType::Int => (
                Tristate::No,
                if k.dialect.legacy_choices() { "" } else { "0" },
            ),
            ValueType::Hex => (
                Tristate::No,
                if k.dialect.legacy_choices() {
                    ""
                } else {
                    "0x0"
                },
            ),
            ValueType::String => (Tristate::No, ""),
            ValueType::Bool | ValueType::Tristate => (Tristate::No, "n"),
            ValueType::Unknown => {
                let s = self.st_mut(n);
                s.curr_tri = Tristate::No;
                return;
            }
        };
        // Borrowed unless a user or default value replaces it: most symbols are bool or
        // tristate, whose `curr.val` stays "n", and need no string of their own.
        let mut new_val: std::borrow::Cow<'static, str> = std::borrow::Cow::Borrowed(new_val);
        self.st_mut(n).flags &= !WRITE;
        self.calc_visibility(n);
        if self.st(n).visible != Tristate::No {
            self.st_mut(n).flags |= WRITE;
        }
        // "set default if recursively called"
        self.set_curr(n, new_tri, &new_val);
        let is_choice = matches!(rules.kind(), SymbolKind::Choice(_));
        // `prop` of `sym_calc_value`: the default the value came from.
        let mut chosen_default = None;
        match self.effective_type(n) {
            ValueType::Bool | ValueType::Tristate => {
                let modern_member = k.dialect.modern_choices() && rules.member_of().is_some();
                let legacy_member_y = k.dialect.legacy_choices()
                    && rules.member_of().is_some()
                    && self.st(n).visible == Tristate::Yes;
                if modern_member {
                    let c = rules.member_of().unwrap_or(ChoiceId(0));
                    self.calc_choice_modern(c);
                    new_tri = self.st(n).curr_tri;
                } else if legacy_member_y {
                    let c = rules.member_of().unwrap_or(ChoiceId(0));
                    let cs = k.choices[c.0 as usize].symbol;
                    new_tri = if self.sel(cs).is_some_and(|s| s.curr == Some(n)) {
                        Tristate::Yes
                    } else {
                        Tristate::No
                    };
                } else {
                    let visible = self.st(n).visible;
                    let mut use_user = false;
                    if visible != Tristate::No && self.has_value(n) {
                        new_tri = self.st(n).user_tri.min(visible);
                        use_user = true;
                    }
                    if !use_user {
                        if self.st(n).rev_dep != Tristate::No {
                            self.st_mut(n).flags |= WRITE;
                        }
                        if !is_choice {
                            if let Some((i, vis)) = self.default_prop(n) {
                                chosen_default = Some(i);
                                let value = k.defaults_of(n)[i].value;
                                new_tri = self.calc_expr(value).min(vis);
                                if new_tri != Tristate::No {
                                    self.st_mut(n).flags |= WRITE;
                                }
                            }
                            let implied = self.st(n).implied;
                            if implied != Tristate::No {
                                self.st_mut(n).flags |= WRITE;
                                new_tri = new_tri.max(implied).min(self.st(n).dir_dep);
                            }
                        }
                    }
                    let (d, r) = (self.st(n).dir_dep, self.st(n).rev_dep);
                    if d < r {
                        self.warnings.push(EvalWarning {
                            line: 0,
                            message: format!(
                                "unmet direct dependencies detected for {}",
                                k.name(n)
                            ),
                        });
                    }
                    new_tri = new_tri.max(r);
                }
                if new_tri == Tristate::Mod && self.effective_type(n) == ValueType::Bool {
                    new_tri = Tristate::Yes;
                }
            }
            ValueType::String | ValueType::Hex | ValueType::Int => {
                if self.st(n).visible != Tristate::No && self.has_value(n) {
                    new_val = self
                        .strs(n)
                        .and_then(|s| s.user_val.clone())
                        .unwrap_or_default()
                        .into();
                } else if let Some((i, _)) = self.default_prop(n) {
                    chosen_default = Some(i);
                    if let Some(op) = k.defaults_of(n)[i].operand {
                        self.st_mut(n).flags |= WRITE;
                        new_val = self.operand_curr_val(op).into();
                    }
                }
            }
            ValueType::Unknown => {}
        }
        // 7.2: a value taken from a default that is one transitional symbol with a user
        // value becomes the user value.
        if !k.transitional.is_empty()
            && let Some(i) = chosen_default
            && !self.has_value(n)
            && let Some(Operand::Symbol(ds)) = k.defaults_of(n)[i].operand
            && k.transitional.contains(&ds)
            && self.has_value(ds)
        {
            match rules.ty {
                ValueType::Bool | ValueType::Tristate => self.set_user_tristate(n, new_tri),
                _ => self.set_user_string(n, new_val.to_string()),
            }
        }
        self.set_curr(n, new_tri, &new_val);
        if k.dialect.legacy_choices() && is_choice && new_tri == Tristate::Yes {
            let c = match rules.kind() {
                SymbolKind::Choice(c) => c,
                SymbolKind::Normal => ChoiceId(0),
            };
            let chosen = self.calc_choice_legacy(c);
            self.choice_sel[c.0 as usize].curr = chosen;
        }
        self.validate_range(n);
        if Some(n) == k.modules {
            self.modules_val = self.st(n).curr_tri;
        }
        if is_choice {
            if k.dialect.legacy_choices()
                && let SymbolKind::Choice(c) = rules.kind()
                && self.st(n).flags & WRITE != 0
            {
                for &m in &k.choices[c.0 as usize].members {
                    if self.st(m).visible != Tristate::No {
                        self.st_mut(m).flags |= WRITE;
                    }
                }
            }
            // Choices are never written (6.12 clears WRITE; 6.1 has SYMBOL_NO_WRITE).
            self.st_mut(n).flags &= !WRITE;
        }
        // Neither are 7.2's transitional symbols, nor 5.10's `defconfig_list` symbol.
        if k.defconfig_list == Some(n)
            || (!k.transitional.is_empty() && k.transitional.contains(&n))
        {
            self.st_mut(n).flags &= !WRITE;
        }
        if k.dialect.legacy_choices()
            && self.st(n).flags & NEED_SET_CHOICE_VALUES != 0
            && let SymbolKind::Choice(c) = rules.kind()
        {
            self.set_all_choice_values(c);
        }
    }

    /// `sym_validate_range()`: an int/hex value outside the first active range is clamped to
    /// the nearer bound.
    fn validate_range(&mut self, n: NameId) {
        let k = self.k;
        let base = match k.symbol_type(n) {
            ValueType::Int => 10,
            ValueType::Hex => 16,
            _ => return,
        };
        let mut range = None;
        for r in k.ranges_of(n) {
            if self.calc_expr(r.visible) != Tristate::No {
                range = Some((r.low, r.high));
                break;
            }
        }
        let Some((low, high)) = range else { return };
        let val = c_strtoll(self.strs(n).map_or("", |s| s.curr_val.as_str()), base);
        let (lv, lval) = self.range_bound(low, base);
        let clamped = if val >= lv {
            let (hv, hval) = self.range_bound(high, base);
            if val <= hv {
                return;
            }
            hval
        } else {
            lval
        };
        if let Some(s) = self.strs_mut(n) {
            s.curr_val = clamped;
        }
    }

    fn range_bound(&mut self, o: Operand, base: u32) -> (i64, String) {
        let val = self.operand_curr_val(o);
        let b = match o {
            Operand::Symbol(s) => match self.k.symbol_type(s) {
                ValueType::Int => 10,
                ValueType::Hex => 16,
                _ => base,
            },
            Operand::Const(_) => base,
        };
        (c_strtoll(&val, b), val)
    }

    /// 6.12 `sym_calc_choice()`.
    fn calc_choice_modern(&mut self, c: ChoiceId) {
        let k = self.k;
        let priority = self.choice_priority[c.0 as usize].clone();
        let mut res = None;
        for &m in &priority {
            self.calc_visibility(m);
            if self.st(m).visible == Tristate::No {
                continue;
            }
            if self.has_value(m) && self.st(m).user_tri == Tristate::Yes {
                res = Some(m);
                break;
            }
        }
        if res.is_none() {
            res = self.choice_default(c);
            if let Some(r) = res
                && self.has_value(r)
                && self.st(r).user_tri == Tristate::No
            {
                res = None;
            }
        }
        let members = &k.choices[c.0 as usize].members;
        if res.is_none() {
            res = members
                .iter()
                .copied()
                .find(|&m| self.st(m).visible != Tristate::No && !self.has_value(m));
        }
        if res.is_none() {
            res = priority
                .iter()
                .rev()
                .copied()
                .find(|&m| self.st(m).visible != Tristate::No);
        }
        for &m in members {
            if self.st(m).visible == Tristate::No {
                continue;
            }
            let s = self.st_mut(m);
            s.curr_tri = if Some(m) == res {
                Tristate::Yes
            } else {
                Tristate::No
            };
            s.flags |= VALID | WRITE;
        }
    }

    /// `sym_choice_default()` (both versions): the first default whose condition holds and
    /// whose member is visible, else the first visible member.
    fn choice_default(&mut self, c: ChoiceId) -> Option<NameId> {
        let k = self.k;
        let cs = k.choices[c.0 as usize].symbol;
        for d in k.defaults_of(cs) {
            if self.calc_expr(d.visible) == Tristate::No {
                continue;
            }
            let Some(Operand::Symbol(def)) = d.operand else {
                continue;
            };
            // `def_sym->visible` as last computed (the member list was just walked).
            if self.st(def).visible != Tristate::No {
                return Some(def);
            }
        }
        k.choices[c.0 as usize]
            .members
            .iter()
            .copied()
            .find(|&m| self.st(m).visible != Tristate::No)
    }

    /// 6.1 `sym_calc_choice()`: returns the selected member.
    fn calc_choice_legacy(&mut self, c: ChoiceId) -> Option<NameId> {
        let k = self.k;
        let cs = k.choices[c.0 as usize].symbol;
        let mut flags = self.st(cs).flags;
        for &m in &k.choices[c.0 as usize].members {
            self.calc_visibility(m);
            if self.st(m).visible != Tristate::No {
                flags &= self.st(m).flags;
            }
        }
        self.st_mut(cs).flags &= flags | !DEF_USER;
        if let Some(u) = self.sel(cs).and_then(|s| s.user)
            && self.st(u).visible != Tristate::No
        {
            return Some(u);
        }
        let d = self.choice_default(c);
        if d.is_none() {
            self.st_mut(cs).curr_tri = Tristate::No;
        }
        d
    }

    /// 6.1 `set_all_choice_values()`: members without a user value get `n` as their (unflagged)
    /// user value; the choice counts as set by the user and is computed again.
    fn set_all_choice_values(&mut self, c: ChoiceId) {
        let k = self.k;
        let cs = k.choices[c.0 as usize].symbol;
        for &m in &k.choices[c.0 as usize].members {
            if !self.has_value(m) {
                self.st_mut(m).user_tri = Tristate::No;
            }
        }
        let s = self.st_mut(cs);
        s.flags |= DEF_USER;
        s.flags &= !(VALID | NEED_SET_CHOICE_VALUES);
    }

    pub(crate) fn set_all_choice_values_pub(&mut self, c: usize) {
        self.set_all_choice_values(ChoiceId(c as u32));
    }

    pub(crate) fn visibility_now(&self, n: NameId) -> Tristate {
        self.st(n).visible
    }

    pub(crate) fn valid_now(&self, n: NameId) -> bool {
        self.st(n).flags & VALID != 0
    }

    /// 6.1 `sym_string_within_range()` for int, hex and string symbols.
    pub(crate) fn string_within_range(&mut self, n: NameId, v: &str) -> bool {
        let k = self.k;
        let base = match k.symbol_type(n) {
            ValueType::String => return true,
            ValueType::Int => 10,
            ValueType::Hex => 16,
            _ => return false,
        };
        if !crate::dotconfig::string_valid(k.symbol_type(n), v) {
            return false;
        }
        let mut range = None;
        for r in k.ranges_of(n) {
            if self.calc_expr(r.visible) != Tristate::No {
                range = Some((r.low, r.high));
                break;
            }
        }
        let Some((low, high)) = range else {
            return true;
        };
        let val = c_strtoll(v, base);
        val >= self.range_bound(low, base).0 && val <= self.range_bound(high, base).0
    }

    // --- hooks for reading and modes (dotconfig.rs) ---

    pub(crate) fn reset_user_values(&mut self) {
        for s in &mut self.syms {
            s.flags &= !DEF_USER;
            s.user_tri = Tristate::No;
        }
        for s in &mut self.choice_sel {
            s.user = None;
        }
        for s in &mut self.strs {
            s.user_val = None;
        }
        self.invalidate_all();
    }

    pub(crate) fn move_to_front_of_choice(&mut self, member: NameId) {
        if let Some(c) = self.k.member_of(member) {
            let list = &mut self.choice_priority[c.0 as usize];
            if let Some(pos) = list.iter().position(|&m| m == member) {
                list.remove(pos);
                list.insert(0, member);
            }
        }
    }

    /// 6.1 `conf_read_simple`: reading a member keeps the choice's user state.
    pub(crate) fn legacy_note_choice_member(&mut self, member: NameId) -> Option<String> {
        let c = self.k.member_of(member)?;
        let cs = self.k.choices[c.0 as usize].symbol;
        let t = self.st(member).user_tri;
        let mut warning = None;
        match t {
            Tristate::No => {}
            Tristate::Mod => {
                if self.st(cs).user_tri == Tristate::Yes {
                    warning = Some(format!(
                        "{} creates inconsistent choice state",
                        self.k.name(member)
                    ));
                    self.st_mut(cs).flags &= !DEF_USER;
                }
            }
            Tristate::Yes => {
                if self.st(cs).user_tri != Tristate::No {
                    warning = Some(format!(
                        "override: {} changes choice state",
                        self.k.name(member)
                    ));
                }
                if let Some(s) = self.sel_mut(cs) {
                    s.user = Some(member);
                }
            }
        }
        let s = self.st_mut(cs);
        s.user_tri = s.user_tri.max(t);
        warning
    }

    /// Gives every choice symbol `SYMBOL_DEF_USER` with the value `n` (6.1
    /// `conf_read_simple` before it reads a line).
    pub(crate) fn mark_choices_user_set(&mut self) {
        for c in &self.k.choices {
            let s = &mut self.syms[c.symbol.0 as usize];
            s.flags |= DEF_USER;
            s.user_tri = Tristate::No;
        }
    }

    pub(crate) fn mark_need_set_choice_values(&mut self, n: NameId) {
        self.st_mut(n).flags |= NEED_SET_CHOICE_VALUES;
    }

    pub(crate) fn user_tri(&self, n: NameId) -> Tristate {
        self.st(n).user_tri
    }

    pub(crate) fn user_val(&self, n: NameId) -> Option<&str> {
        self.strs(n).and_then(|s| s.user_val.as_deref())
    }

    /// `curr.val` ("n" for bool and tristate symbols, whose string it never holds).
    pub(crate) fn curr_val(&self, n: NameId) -> &str {
        match self.strs(n) {
            Some(s) => &s.curr_val,
            None if matches!(self.k.symbol_type(n), ValueType::Bool | ValueType::Tristate) => "n",
            None => "",
        }
    }

    pub(crate) fn clear_user_and_valid(&mut self, n: NameId) {
        self.st_mut(n).flags &= !(VALID | DEF_USER);
    }

    pub(crate) fn clear_user(&mut self, n: NameId) {
        self.st_mut(n).flags &= !DEF_USER;
    }

    pub(crate) fn written_flag(&mut self, n: NameId) -> bool {
        let was = self.st(n).flags & WRITTEN != 0;
        self.st_mut(n).flags |= WRITTEN;
        was
    }

    pub(crate) fn clear_written(&mut self) {
        for s in &mut self.syms {
            s.flags &= !WRITTEN;
        }
    }

    // --- hooks for evaluating from a base configuration (dotconfig::OldDefConfig) ---

    /// Whether `n`'s whole state is the same here and in `other`, an evaluation of the same
    /// Kconfig.
    pub(crate) fn same_state(&self, other: &Evaluation<'_>, n: NameId) -> bool {
        self.syms[n.0 as usize] == other.syms[n.0 as usize]
            && self.strs(n) == other.strs(n)
            && self.sel(n) == other.sel(n)
    }

    /// Takes `n`'s whole state (user value, flags, computed value) from `other`.
    pub(crate) fn take_state(&mut self, other: &Evaluation<'_>, n: NameId) {
        self.syms[n.0 as usize].clone_from(&other.syms[n.0 as usize]);
        if let Some(i) = self.k.string_slot(n) {
            self.strs[i].clone_from(&other.strs[i]);
        }
        if let (Some(&theirs), Some(mine)) = (other.sel(n), self.sel_mut(n)) {
            *mine = theirs;
        }
    }

    /// Whether choice `c`'s member priority (6.12, moved by reading a `.config`) is the same
    /// here and in `other`.
    pub(crate) fn same_choice_priority(&self, other: &Evaluation<'_>, c: usize) -> bool {
        self.choice_priority[c] == other.choice_priority[c]
    }

    /// Takes the value of `modules` computed in `other` (read by every tristate through
    /// `sym_get_type()`).
    pub(crate) fn take_modules_value(&mut self, other: &Evaluation<'_>) {
        self.modules_val = other.modules_val;
    }
}

/// C `strtoll(s, NULL, base)`: leading blanks, a sign, the longest run of digits (a `0x`
/// prefix for base 16), saturating on overflow; 0 when nothing parses.
pub fn c_strtoll(s: &str, base: u32) -> i64 {
    let b = s
        .trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c'])
        .as_bytes();
    let mut i = 0;
    let neg = match b.first() {
        Some(b'-') => {
            i = 1;
            true
        }
        Some(b'+') => {
            i = 1;
            false
        }
        _ => false,
    };
    if base == 16
        && b.len() > i + 2
        && b[i] == b'0'
        && (b[i + 1] | 0x20) == b'x'
        && (b[i + 2] as char).is_ascii_hexdigit()
    {
        i += 2;
    }
    let mut acc: i128 = 0;
    let mut any = false;
    while let Some(d) = b.get(i).and_then(|&c| (c as char).to_digit(base)) {
        acc = (acc * base as i128 + d as i128).min(i64::MAX as i128 + 1);
        any = true;
        i += 1;
    }
    if !any {
        return 0;
    }
    let v = if neg { -acc } else { acc };
    v.clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

#[cfg(test)]
mod tests {
    use super::c_strtoll;

    #[test]
    fn strtoll_like_c() {
        assert_eq!(c_strtoll("42", 10), 42);
        assert_eq!(c_strtoll("-3x", 10), -3);
        assert_eq!(c_strtoll("0x1F", 16), 31);
        assert_eq!(c_strtoll("1F", 16), 31);
        assert_eq!(c_strtoll("", 10), 0);
        assert_eq!(c_strtoll("99999999999999999999", 10), i64::MAX);
    }
}
