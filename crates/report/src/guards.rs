//! The C preprocessor conditions (`#if`, `#ifdef`, `#ifndef`, `#elif`, `#else`, `#endif`)
//! around a line of a source file, and their value for a configuration.
//!
//! The macros a guard can read are those the kernel build defines for every object:
//! `include/generated/autoconf.h` (`scripts/kconfig/confdata.c: conf_write_autoconf`:
//! `CONFIG_X 1` for `y`, `CONFIG_X_MODULE 1` for `m`, the value of an int, hex or string
//! symbol), the `<linux/kconfig.h>` helpers (`IS_ENABLED`, `IS_BUILTIN`, `IS_MODULE`,
//! `IS_REACHABLE`), `__KERNEL__`, and `MODULE`, which `scripts/Makefile.lib` defines
//! (`-DMODULE` in `modkern_cflags`) when the object is compiled as part of a module. Any
//! other name (an arch header's macro, a function-like macro, a `-D` of a Makefile) makes
//! the guard unknown, naming it: never silently true or false.

use kp_base::expr::ValueType;
use kp_base::{CmpOp, ExprId, ExprPool, Operand, Tristate};

/// A `#if` expression, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PExpr {
    /// An integer constant.
    Num(i64),
    /// An identifier: a macro's value, or 0 when it is not defined.
    Ident(String),
    /// `defined NAME` / `defined(NAME)`.
    Defined(String),
    /// A function-like macro applied to identifiers (`IS_ENABLED(CONFIG_X)`).
    Call(String, Vec<String>),
    /// `!e`, `-e`, `~e`, `+e`.
    Unary(char, Box<PExpr>),
    /// `a op b` (`||`, `&&`, `==`, `<`, `+`...).
    Binary(&'static str, Box<PExpr>, Box<PExpr>),
    /// `c ? a : b`.
    Ternary(Box<PExpr>, Box<PExpr>, Box<PExpr>),
    /// A value we could not read (the text says why).
    Opaque(String),
}

/// What the file's own `#define`s and `#undef`s made of a macro by some point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Local {
    /// When it is defined (reading the names as they were where the file began).
    pub defined: PExpr,
    /// Its value, when an unconditional `#define` gave one.
    pub value: Option<PExpr>,
}

/// The local macros at some point of a file, by name.
pub type Locals = std::collections::BTreeMap<String, Local>;

impl PExpr {
    /// `self` with the macros of `locals` replaced by what they stand for.
    pub fn substitute(&self, locals: &Locals) -> PExpr {
        let b = |e: &PExpr| Box::new(e.substitute(locals));
        match self {
            PExpr::Defined(n) => locals
                .get(n)
                .map_or_else(|| self.clone(), |l| l.defined.clone()),
            PExpr::Ident(n) => match locals.get(n) {
                Some(Local { value: Some(v), .. }) => v.clone(),
                Some(Local {
                    defined: PExpr::Num(0),
                    ..
                }) => PExpr::Num(0),
                Some(_) => PExpr::Opaque(format!(
                    "`{n}` is defined in the file to a value we do not read"
                )),
                None => self.clone(),
            },
            PExpr::Unary(op, a) => PExpr::Unary(*op, b(a)),
            PExpr::Binary(op, x, y) => PExpr::Binary(op, b(x), b(y)),
            PExpr::Ternary(c, x, y) => PExpr::Ternary(b(c), b(x), b(y)),
            PExpr::Num(_) | PExpr::Call(..) | PExpr::Opaque(_) => self.clone(),
        }
    }
}

/// `locals` (of an included file's start... read in the includer's terms): each entry with
/// the names of `outer` substituted.
pub fn compose(locals: &Locals, outer: &Locals) -> Locals {
    let mut out = outer.clone();
    for (n, l) in locals {
        out.insert(
            n.clone(),
            Local {
                defined: l.defined.substitute(outer),
                value: l.value.as_ref().map(|v| v.substitute(outer)),
            },
        );
    }
    out
}

/// The condition under which a line of a file is compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Guard {
    /// Always (no enclosing conditional).
    Always,
    /// Every one of these holds.
    All(Vec<Branch>),
}

/// One conditional branch enclosing a line: its own expression and those of the earlier
/// branches of the same `#if` chain, which must all be false.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Branch {
    /// The file holding the directive.
    pub file: std::sync::Arc<str>,
    /// 1-based line of the directive opening this branch.
    pub line: u32,
    /// Its text (`#ifdef CONFIG_X`), for messages.
    pub text: String,
    /// Its expression (`None` for `#else`); `Err` when it could not be parsed.
    pub cond: Option<Result<PExpr, String>>,
    /// The earlier branches of the chain, which were not taken.
    pub not_taken: Vec<(u32, String, Result<PExpr, String>)>,
}

impl Guard {
    /// This guard and `outer` (the guard of the `#include` that brought the file in).
    pub fn within(&self, outer: &Guard) -> Guard {
        match (outer, self) {
            (Guard::Always, g) | (g, Guard::Always) => g.clone(),
            (Guard::All(a), Guard::All(b)) => {
                Guard::All(a.iter().chain(b.iter()).cloned().collect())
            }
        }
    }

    /// This guard with the names of `locals` substituted (a file included after the
    /// includer's `#define`s).
    pub fn substitute(&self, locals: &Locals) -> Guard {
        if locals.is_empty() {
            return self.clone();
        }
        let sub = |e: &Result<PExpr, String>| {
            e.as_ref()
                .map(|e| e.substitute(locals))
                .map_err(Clone::clone)
        };
        match self {
            Guard::Always => Guard::Always,
            Guard::All(bs) => Guard::All(
                bs.iter()
                    .map(|b| Branch {
                        cond: b.cond.as_ref().map(sub),
                        not_taken: b
                            .not_taken
                            .iter()
                            .map(|(l, t, e)| (*l, t.clone(), sub(e)))
                            .collect(),
                        ..b.clone()
                    })
                    .collect(),
            ),
        }
    }

    /// The guard as one expression.
    fn as_expr(&self) -> PExpr {
        let mut parts = Vec::new();
        if let Guard::All(bs) = self {
            for b in bs {
                for (_, _, e) in &b.not_taken {
                    parts.push(PExpr::Unary('!', Box::new(opaque_err(e))));
                }
                if let Some(c) = &b.cond {
                    parts.push(opaque_err(c));
                }
            }
        }
        parts
            .into_iter()
            .reduce(|a, b| PExpr::Binary("&&", Box::new(a), Box::new(b)))
            .unwrap_or(PExpr::Num(1))
    }

    /// Whether there is no condition.
    pub fn is_always(&self) -> bool {
        matches!(self, Guard::Always)
    }

    /// The directives, `file:line: text` joined by ` && `, for messages.
    pub fn describe(&self) -> String {
        match self {
            Guard::Always => "always".into(),
            Guard::All(bs) => bs
                .iter()
                .map(|b| format!("{}:{}: {}", b.file, b.line, b.text))
                .collect::<Vec<_>>()
                .join(" && "),
        }
    }
}

fn opaque_err(e: &Result<PExpr, String>) -> PExpr {
    match e {
        Ok(e) => e.clone(),
        Err(why) => PExpr::Opaque(why.clone()),
    }
}

/// What a macro name stands for in one compilation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Macro {
    /// Not defined.
    Undefined,
    /// Defined to this text.
    Value(String),
    /// We do not know.
    Unknown,
}

/// The macros of one compilation.
pub trait Macros {
    /// The definition of the object-like macro `name`.
    fn lookup(&self, name: &str) -> Macro;
}

/// The macros of a `.config`: its `autoconf.h`, `__KERNEL__`, and `MODULE` when `module`.
pub struct Autoconf {
    values: std::collections::HashMap<String, String>,
    /// Whether the object is compiled as part of a module.
    pub module: bool,
}

impl Autoconf {
    /// The macros `conf_write_autoconf` writes for `config` (a `.config` text).
    pub fn from_config(config: &str) -> Autoconf {
        let mut values = std::collections::HashMap::new();
        for line in config.lines() {
            let Some((name, value)) = line.split_once('=') else {
                continue;
            };
            if !name.starts_with("CONFIG_") {
                continue;
            }
            match value {
                "y" => values.insert(name.to_string(), "1".to_string()),
                "m" => values.insert(format!("{name}_MODULE"), "1".to_string()),
                v => values.insert(name.to_string(), v.to_string()),
            };
        }
        Autoconf {
            values,
            module: false,
        }
    }
}

impl Macros for Autoconf {
    fn lookup(&self, name: &str) -> Macro {
        match name {
            "MODULE" if self.module => Macro::Value("1".into()),
            "MODULE" => Macro::Undefined,
            "__KERNEL__" => Macro::Value("1".into()),
            n if n.starts_with("CONFIG_") => self
                .values
                .get(n)
                .map_or(Macro::Undefined, |v| Macro::Value(v.clone())),
            _ => Macro::Unknown,
        }
    }
}

/// The value of `guard` under `macros`: `Err` names what stopped us.
pub fn holds(guard: &Guard, macros: &dyn Macros) -> Result<bool, String> {
    let Guard::All(branches) = guard else {
        return Ok(true);
    };
    let mut unknown = None;
    for b in branches {
        let mut parts: Vec<(bool, u32, &str, &Result<PExpr, String>)> = b
            .not_taken
            .iter()
            .map(|(l, t, e)| (false, *l, t.as_str(), e))
            .collect();
        if let Some(c) = &b.cond {
            parts.push((true, b.line, b.text.as_str(), c));
        }
        for (want, line, text, e) in parts {
            let v = e
                .as_ref()
                .map_err(|m| m.clone())
                .and_then(|e| eval(e, macros).map(|v| v != 0));
            match v {
                Ok(v) if v != want => return Ok(false),
                Ok(_) => {}
                Err(why) => {
                    unknown.get_or_insert_with(|| format!("{}:{line}: `{text}`: {why}", b.file));
                }
            }
        }
    }
    // A false branch decides even when another is unknown.
    unknown.map_or(Ok(true), Err)
}

fn int_value(name: &str, v: &str) -> Result<i64, String> {
    let t = v.trim();
    let (digits, radix) = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) => (h, 16),
        None => (t, 10),
    };
    i64::from_str_radix(digits, radix)
        .or_else(|_| u64::from_str_radix(digits, radix).map(|u| u as i64))
        .map_err(|_| format!("`{name}` is `{v}`, not an integer"))
}

/// The value of `e` (C preprocessor arithmetic, in `i64`).
pub fn eval(e: &PExpr, m: &dyn Macros) -> Result<i64, String> {
    Ok(match e {
        PExpr::Num(n) => *n,
        PExpr::Ident(name) => match m.lookup(name) {
            Macro::Undefined => 0,
            Macro::Value(v) => int_value(name, &v)?,
            Macro::Unknown => return Err(format!("`{name}` is not a macro we know")),
        },
        PExpr::Defined(name) => match m.lookup(name) {
            Macro::Undefined => 0,
            Macro::Value(_) => 1,
            Macro::Unknown => return Err(format!("whether `{name}` is defined is not known")),
        },
        PExpr::Call(f, args) => {
            let is_one = |n: &str| -> Result<bool, String> {
                match m.lookup(n) {
                    Macro::Value(v) => Ok(v == "1"),
                    Macro::Undefined => Ok(false),
                    Macro::Unknown => Err(format!("`{n}` is not a macro we know")),
                }
            };
            let known = ["IS_BUILTIN", "IS_MODULE", "IS_ENABLED", "IS_REACHABLE"];
            let ([arg], true) = (args.as_slice(), known.contains(&f.as_str())) else {
                return Err(format!("function-like macro `{f}` we do not know"));
            };
            if !arg.starts_with("CONFIG_") {
                return Err(format!("`{f}({arg})`: not a CONFIG_ option"));
            }
            let builtin = is_one(arg)?;
            let module = is_one(&format!("{arg}_MODULE"))?;
            // <linux/kconfig.h>
            i64::from(match f.as_str() {
                "IS_BUILTIN" => builtin,
                "IS_MODULE" => module,
                "IS_ENABLED" => builtin || module,
                "IS_REACHABLE" => builtin || (module && is_one("MODULE")?),
                _ => return Err(format!("function-like macro `{f}` we do not know")),
            })
        }
        PExpr::Unary(op, a) => {
            let a = eval(a, m)?;
            match op {
                '!' => i64::from(a == 0),
                '-' => a.wrapping_neg(),
                '~' => !a,
                _ => a,
            }
        }
        PExpr::Binary(op, a, b) => {
            // `&&` and `||` short-circuit: a known false (true) side decides.
            if *op == "&&" || *op == "||" {
                let want = *op == "||";
                let l = eval(a, m).map(|v| v != 0);
                if l == Ok(want) {
                    return Ok(i64::from(want));
                }
                let r = eval(b, m).map(|v| v != 0);
                if r == Ok(want) {
                    return Ok(i64::from(want));
                }
                l?;
                r?;
                return Ok(i64::from(!want));
            }
            let (a, b) = (eval(a, m)?, eval(b, m)?);
            match *op {
                "==" => i64::from(a == b),
                "!=" => i64::from(a != b),
                "<" => i64::from(a < b),
                "<=" => i64::from(a <= b),
                ">" => i64::from(a > b),
                ">=" => i64::from(a >= b),
                "+" => a.wrapping_add(b),
                "-" => a.wrapping_sub(b),
                "*" => a.wrapping_mul(b),
                "/" | "%" if b == 0 => return Err("division by zero".into()),
                "/" => a.wrapping_div(b),
                "%" => a.wrapping_rem(b),
                "<<" => a.wrapping_shl(b as u32),
                ">>" => a.wrapping_shr(b as u32),
                "&" => a & b,
                "|" => a | b,
                "^" => a ^ b,
                _ => return Err(format!("operator `{op}`")),
            }
        }
        PExpr::Opaque(why) => return Err(why.clone()),
        PExpr::Ternary(c, a, b) => {
            if eval(c, m)? != 0 {
                eval(a, m)?
            } else {
                eval(b, m)?
            }
        }
    })
}

/// `guard` as a condition over Kconfig symbols in `pool`, for a compilation in a module
/// (`module`) or built in; `types` gives a symbol's type (`None`: the arch does not define
/// it, so autoconf.h never names it). `Err` names what stopped us.
pub fn to_expr(
    guard: &Guard,
    module: bool,
    pool: &mut ExprPool,
    types: &dyn Fn(&str) -> Option<ValueType>,
) -> Result<ExprId, String> {
    let Guard::All(branches) = guard else {
        return Ok(pool.yes());
    };
    let mut out = pool.yes();
    for b in branches {
        let mut parts: Vec<(bool, u32, &str, &Result<PExpr, String>)> = b
            .not_taken
            .iter()
            .map(|(l, t, e)| (false, *l, t.as_str(), e))
            .collect();
        if let Some(c) = &b.cond {
            parts.push((true, b.line, b.text.as_str(), c));
        }
        for (want, line, text, e) in parts {
            let c = e
                .as_ref()
                .map_err(|m| m.clone())
                .and_then(|e| {
                    Symbolic {
                        module,
                        pool: &mut *pool,
                        types,
                    }
                    .truth(e)
                })
                .map_err(|why| format!("{}:{line}: `{text}`: {why}", b.file))?;
            let c = if want { c } else { pool.not(c) };
            out = pool.and(out, c);
        }
    }
    Ok(out)
}

struct Symbolic<'a> {
    module: bool,
    pool: &'a mut ExprPool,
    types: &'a dyn Fn(&str) -> Option<ValueType>,
}

/// A `#if` operand over symbols: a constant, or an int/hex symbol's value.
enum Term {
    Int(i64),
    Symbol(String),
}

impl Symbolic<'_> {
    fn bool_const(&mut self, b: bool) -> ExprId {
        if b { self.pool.yes() } else { self.pool.no() }
    }

    /// `CONFIG_X` (or `CONFIG_X_MODULE`) as autoconf.h defines it: `Ok(None)` when it is
    /// not a name of this arch's Kconfig.
    fn option(&mut self, name: &str) -> Result<Option<(String, Tristate, ValueType)>, String> {
        let Some(sym) = name.strip_prefix("CONFIG_") else {
            return Err(format!("`{name}` is not a macro we know"));
        };
        if let Some(t) = (self.types)(sym) {
            return Ok(Some((sym.to_string(), Tristate::Yes, t)));
        }
        if let Some(base) = sym.strip_suffix("_MODULE")
            && (self.types)(base) == Some(ValueType::Tristate)
        {
            return Ok(Some((base.to_string(), Tristate::Mod, ValueType::Tristate)));
        }
        Ok(None)
    }

    /// `defined(name)` / `#ifdef name`.
    fn defined(&mut self, name: &str) -> Result<ExprId, String> {
        match name {
            "MODULE" => return Ok(self.bool_const(self.module)),
            "__KERNEL__" => return Ok(self.pool.yes()),
            _ => {}
        }
        match self.option(name)? {
            None => Ok(self.pool.no()),
            Some((sym, value, ValueType::Bool | ValueType::Tristate)) => {
                let n = self.pool.name(&sym);
                Ok(self.pool.sym_is(n, value))
            }
            Some(_) => Err(format!(
                "`defined({name})` of an int, hex or string option (defined when it has a value)"
            )),
        }
    }

    fn truth(&mut self, e: &PExpr) -> Result<ExprId, String> {
        match e {
            PExpr::Defined(n) => self.defined(n),
            PExpr::Ident(n) if n == "MODULE" || n == "__KERNEL__" => self.defined(n),
            PExpr::Ident(n) => match self.option(n)? {
                None => Ok(self.pool.no()),
                Some((_, _, ValueType::Bool | ValueType::Tristate)) => self.defined(n),
                Some(_) => self.compare("!=", e, &PExpr::Num(0)),
            },
            PExpr::Call(f, args) => {
                let known = ["IS_BUILTIN", "IS_MODULE", "IS_ENABLED", "IS_REACHABLE"];
                let ([arg], true) = (args.as_slice(), known.contains(&f.as_str())) else {
                    return Err(format!("function-like macro `{f}` we do not know"));
                };
                if !arg.starts_with("CONFIG_") {
                    return Err(format!("`{f}({arg})`: not a CONFIG_ option"));
                }
                let y = self.defined(arg)?;
                let m = self.defined(&format!("{arg}_MODULE"))?;
                Ok(match f.as_str() {
                    "IS_BUILTIN" => y,
                    "IS_MODULE" => m,
                    "IS_ENABLED" => self.pool.or(y, m),
                    "IS_REACHABLE" if self.module => self.pool.or(y, m),
                    "IS_REACHABLE" => y,
                    _ => return Err(format!("function-like macro `{f}` we do not know")),
                })
            }
            PExpr::Unary('!', a) => {
                let a = self.truth(a)?;
                Ok(self.pool.not(a))
            }
            PExpr::Binary("&&", a, b) => {
                let (a, b) = (self.truth(a)?, self.truth(b)?);
                Ok(self.pool.and(a, b))
            }
            PExpr::Binary("||", a, b) => {
                let (a, b) = (self.truth(a)?, self.truth(b)?);
                Ok(self.pool.or(a, b))
            }
            PExpr::Binary(op @ ("==" | "!=" | "<" | "<=" | ">" | ">="), a, b) => {
                self.compare(op, a, b)
            }
            PExpr::Ternary(c, a, b) => {
                let (c, a, b) = (self.truth(c)?, self.truth(a)?, self.truth(b)?);
                let nc = self.pool.not(c);
                let (x, y) = (self.pool.and(c, a), self.pool.and(nc, b));
                Ok(self.pool.or(x, y))
            }
            e => {
                let v = self.constant(e)?;
                Ok(self.bool_const(v != 0))
            }
        }
    }

    /// `e` when it reads no option.
    fn constant(&mut self, e: &PExpr) -> Result<i64, String> {
        eval(e, &ModeOnly(self.module)).map_err(|why| {
            if why.contains("`CONFIG_") {
                format!("{why} (arithmetic over options is not followed)")
            } else {
                why
            }
        })
    }

    fn term(&mut self, e: &PExpr) -> Result<Term, String> {
        if let PExpr::Ident(n) = e
            && n.starts_with("CONFIG_")
        {
            return match self.option(n)? {
                None => Ok(Term::Int(0)),
                Some((sym, _, ValueType::Int | ValueType::Hex)) => Ok(Term::Symbol(sym)),
                Some((_, _, ValueType::Bool | ValueType::Tristate)) => Err(format!(
                    "`{n}` compared as a number (1 when y, else undefined)"
                )),
                Some(_) => Err(format!("`{n}` is a string option")),
            };
        }
        self.constant(e).map(Term::Int)
    }

    fn compare(&mut self, op: &str, a: &PExpr, b: &PExpr) -> Result<ExprId, String> {
        let cmp = match op {
            "==" => CmpOp::Eq,
            "!=" => CmpOp::Ne,
            "<" => CmpOp::Lt,
            "<=" => CmpOp::Le,
            ">" => CmpOp::Gt,
            _ => CmpOp::Ge,
        };
        let (a, b) = (self.term(a)?, self.term(b)?);
        let operand = |t: Term, pool: &mut ExprPool| match t {
            Term::Int(n) => Operand::Const(pool.name(&n.to_string())),
            Term::Symbol(s) => Operand::Symbol(pool.name(&s)),
        };
        if let (Term::Int(x), Term::Int(y)) = (&a, &b) {
            return Ok(self.bool_const(cmp.holds(x.cmp(y))));
        }
        let (a, b) = (operand(a, self.pool), operand(b, self.pool));
        Ok(self.pool.cmp(cmp, a, b))
    }
}

/// The directives of `code` (comments and strings blanked, line for line): for each line,
/// the guard it is compiled under. `raw` is the file's text (for directive messages).
pub struct Conditionals {
    file: std::sync::Arc<str>,
    frames: Vec<Branch>,
    /// The file's own `#define`s and `#undef`s so far.
    locals: Locals,
    /// `#ifndef X` seen last, waiting for `#define X` (an include guard).
    pending_include_guard: Option<String>,
}

impl Conditionals {
    /// The start of `file`: no enclosing conditional yet.
    pub fn new(file: &str) -> Conditionals {
        Conditionals {
            file: file.into(),
            frames: Vec::new(),
            locals: Locals::new(),
            pending_include_guard: None,
        }
    }

    /// The guard of the current line.
    pub fn guard(&self) -> Guard {
        if self.frames.is_empty() {
            Guard::Always
        } else {
            Guard::All(self.frames.clone())
        }
    }

    /// The file's own macros so far (for a `.c` file it includes here).
    pub fn locals(&self) -> &Locals {
        &self.locals
    }

    /// Reads one directive (`directive` is the text after `#`, continuation lines joined) at
    /// 1-based `line`. Returns whether it was a conditional directive.
    pub fn directive(&mut self, line: u32, directive: &str) -> bool {
        let d = directive.trim();
        let (word, rest) = d
            .split_once(|c: char| c.is_whitespace() || c == '(' || c == '!')
            .map_or((d, ""), |(w, _)| (w, &d[w.len()..]));
        let rest = rest.trim();
        let text = format!("#{word} {rest}").trim_end().to_string();
        let pending = self.pending_include_guard.take();
        let locals = &self.locals;
        let parse = |t: &str| parse(t).map(|e| e.substitute(locals));
        match word {
            "if" => self.frames.push(Branch {
                file: self.file.clone(),
                line,
                text,
                cond: Some(parse(rest)),
                not_taken: Vec::new(),
            }),
            "ifdef" | "ifndef" => {
                let name = rest.split_whitespace().next().unwrap_or("").to_string();
                let e = if name.is_empty() || !name.bytes().all(is_ident) {
                    Err(format!("`#{word}` without a macro name"))
                } else if word == "ifdef" {
                    Ok(PExpr::Defined(name.clone()).substitute(locals))
                } else {
                    Ok(PExpr::Unary(
                        '!',
                        Box::new(PExpr::Defined(name.clone()).substitute(locals)),
                    ))
                };
                if word == "ifndef" && !name.starts_with("CONFIG_") && name != "MODULE" {
                    self.pending_include_guard = Some(name);
                }
                self.frames.push(Branch {
                    file: self.file.clone(),
                    line,
                    text,
                    cond: Some(e),
                    not_taken: Vec::new(),
                });
            }
            "elif" | "elifdef" | "elifndef" | "else" => {
                let Some(top) = self.frames.last_mut() else {
                    return true;
                };
                let prev_cond = top
                    .cond
                    .take()
                    .unwrap_or_else(|| Err("a branch after `#else`".into()));
                let prev_text = std::mem::take(&mut top.text);
                top.not_taken.push((top.line, prev_text, prev_cond));
                top.line = line;
                top.cond = match word {
                    "else" => None,
                    "elif" => Some(parse(rest)),
                    w => {
                        let name = rest.split_whitespace().next().unwrap_or("").to_string();
                        let d = PExpr::Defined(name).substitute(locals);
                        Some(Ok(if w == "elifdef" {
                            d
                        } else {
                            PExpr::Unary('!', Box::new(d))
                        }))
                    }
                };
                top.text = text;
            }
            "endif" => {
                self.frames.pop();
            }
            "define" | "undef" => {
                let name = rest
                    .split(|c: char| !is_ident(c as u8))
                    .next()
                    .unwrap_or("")
                    .to_string();
                if name.is_empty() {
                    return word == "undef";
                }
                // `#ifndef X` / `#define X`: an include guard, true on the first inclusion.
                if pending.as_deref() == Some(name.as_str())
                    && word == "define"
                    && let Some(top) = self.frames.last_mut()
                {
                    top.cond = Some(Ok(PExpr::Num(1)));
                }
                let here = self.guard().as_expr();
                let before = PExpr::Defined(name.clone()).substitute(&self.locals);
                let always = here == PExpr::Num(1);
                let local = if word == "undef" {
                    Local {
                        defined: if always {
                            PExpr::Num(0)
                        } else {
                            PExpr::Binary(
                                "&&",
                                Box::new(PExpr::Unary('!', Box::new(here))),
                                Box::new(before),
                            )
                        },
                        value: None,
                    }
                } else {
                    // An object-like macro's value, when it is a constant expression.
                    let body = &rest[name.len()..];
                    let value = (always && !body.starts_with('('))
                        .then(|| parse(body).ok())
                        .flatten();
                    Local {
                        defined: if always {
                            PExpr::Num(1)
                        } else {
                            PExpr::Binary("||", Box::new(here), Box::new(before))
                        },
                        value,
                    }
                };
                self.locals.insert(name, local);
                return word == "undef";
            }
            _ => return false,
        }
        true
    }
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Parses a `#if` expression.
pub fn parse(text: &str) -> Result<PExpr, String> {
    let tokens = tokenize(text)?;
    let mut p = Parser { t: &tokens, i: 0 };
    let e = p.ternary()?;
    if p.i != tokens.len() {
        return Err(format!("cannot read `{}`", text.trim()));
    }
    Ok(e)
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(i64),
    Ident(String),
    Op(&'static str),
}

const OPS: &[&str] = &[
    "||", "&&", "==", "!=", "<=", ">=", "<<", ">>", "<", ">", "+", "-", "*", "/", "%", "&", "|",
    "^", "!", "~", "(", ")", "?", ":", ",",
];

fn tokenize(text: &str) -> Result<Vec<Tok>, String> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    'next: while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() || c == b'\\' {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric()) {
                i += 1;
            }
            let lit = &text[start..i];
            let digits = lit.trim_end_matches(['u', 'U', 'l', 'L']);
            let v = if let Some(h) = digits
                .strip_prefix("0x")
                .or_else(|| digits.strip_prefix("0X"))
            {
                u64::from_str_radix(h, 16).ok()
            } else if digits.len() > 1 && digits.starts_with('0') {
                u64::from_str_radix(&digits[1..], 8).ok()
            } else {
                digits.parse::<u64>().ok()
            };
            match v {
                Some(v) => out.push(Tok::Num(v as i64)),
                None => return Err(format!("cannot read the number `{lit}`")),
            }
            continue;
        }
        if is_ident(c) {
            let start = i;
            while i < b.len() && is_ident(b[i]) {
                i += 1;
            }
            out.push(Tok::Ident(text[start..i].to_string()));
            continue;
        }
        for op in OPS {
            if text[i..].starts_with(op) {
                out.push(Tok::Op(op));
                i += op.len();
                continue 'next;
            }
        }
        return Err(format!(
            "cannot read `{}`",
            text[i..].chars().next().unwrap_or(' ')
        ));
    }
    Ok(out)
}

struct Parser<'t> {
    t: &'t [Tok],
    i: usize,
}

/// Binary operators by precedence, loosest first.
const LEVELS: &[&[&str]] = &[
    &["||"],
    &["&&"],
    &["|"],
    &["^"],
    &["&"],
    &["==", "!="],
    &["<", "<=", ">", ">="],
    &["<<", ">>"],
    &["+", "-"],
    &["*", "/", "%"],
];

impl Parser<'_> {
    fn peek_op(&self) -> Option<&'static str> {
        match self.t.get(self.i) {
            Some(Tok::Op(o)) => Some(o),
            _ => None,
        }
    }

    fn expect(&mut self, op: &str) -> Result<(), String> {
        if self.peek_op() == Some(op) {
            self.i += 1;
            Ok(())
        } else {
            Err(format!("expected `{op}`"))
        }
    }

    fn ternary(&mut self) -> Result<PExpr, String> {
        let c = self.binary(0)?;
        if self.peek_op() == Some("?") {
            self.i += 1;
            let a = self.ternary()?;
            self.expect(":")?;
            let b = self.ternary()?;
            return Ok(PExpr::Ternary(Box::new(c), Box::new(a), Box::new(b)));
        }
        Ok(c)
    }

    fn binary(&mut self, level: usize) -> Result<PExpr, String> {
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut l = self.binary(level + 1)?;
        while let Some(op) = self.peek_op().filter(|o| LEVELS[level].contains(o)) {
            self.i += 1;
            let r = self.binary(level + 1)?;
            l = PExpr::Binary(op, Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn unary(&mut self) -> Result<PExpr, String> {
        let tok = self.t.get(self.i).cloned();
        self.i += 1;
        match tok {
            Some(Tok::Num(n)) => Ok(PExpr::Num(n)),
            Some(Tok::Op(op @ ("!" | "-" | "~" | "+"))) => Ok(PExpr::Unary(
                op.chars().next().unwrap_or('+'),
                Box::new(self.unary()?),
            )),
            Some(Tok::Op("(")) => {
                let e = self.ternary()?;
                self.expect(")")?;
                Ok(e)
            }
            Some(Tok::Ident(n)) if n == "defined" => {
                let paren = self.peek_op() == Some("(");
                if paren {
                    self.i += 1;
                }
                let Some(Tok::Ident(name)) = self.t.get(self.i).cloned() else {
                    return Err("`defined` without a name".into());
                };
                self.i += 1;
                if paren {
                    self.expect(")")?;
                }
                Ok(PExpr::Defined(name))
            }
            Some(Tok::Ident(n)) => {
                if self.peek_op() != Some("(") {
                    return Ok(PExpr::Ident(n));
                }
                self.i += 1;
                let mut args = Vec::new();
                loop {
                    match self.t.get(self.i).cloned() {
                        Some(Tok::Ident(a)) => {
                            args.push(a);
                            self.i += 1;
                        }
                        _ => return Err(format!("function-like macro `{n}` we do not know")),
                    }
                    match self.peek_op() {
                        Some(",") => self.i += 1,
                        Some(")") => {
                            self.i += 1;
                            break;
                        }
                        _ => return Err(format!("function-like macro `{n}` we do not know")),
                    }
                }
                Ok(PExpr::Call(n, args))
            }
            _ => Err("expression expected".into()),
        }
    }
}

/// The macros of every compilation, in a module or built in: only `MODULE` and
/// `__KERNEL__` are known, so a guard over options is not decided here.
pub(crate) struct ModeOnly(pub(crate) bool);

impl Macros for ModeOnly {
    fn lookup(&self, name: &str) -> Macro {
        match name {
            "MODULE" if self.0 => Macro::Value("1".into()),
            "MODULE" => Macro::Undefined,
            "__KERNEL__" => Macro::Value("1".into()),
            _ => Macro::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The guard of the line holding `MODULE_LICENSE` in `code`.
    fn guard_of(code: &str) -> Guard {
        let mut c = Conditionals::new("f.c");
        for (i, line) in code.lines().enumerate() {
            if let Some(d) = line.trim_start().strip_prefix('#') {
                c.directive(i as u32 + 1, d);
            } else if line.contains("MODULE_LICENSE") {
                return c.guard();
            }
        }
        panic!("no tag in {code}")
    }

    fn with(config: &str, module: bool, code: &str) -> Result<bool, String> {
        let mut a = Autoconf::from_config(config);
        a.module = module;
        holds(&guard_of(code), &a)
    }

    #[test]
    fn ifdef_ifndef_else_elif_over_a_config() {
        let code = "#ifndef CONFIG_HAVE_ARCH_BITREVERSE\nMODULE_LICENSE(\"GPL\");\n#endif\n";
        assert_eq!(
            with("CONFIG_HAVE_ARCH_BITREVERSE=y\n", false, code),
            Ok(false)
        );
        assert_eq!(
            with("# CONFIG_HAVE_ARCH_BITREVERSE is not set\n", false, code),
            Ok(true)
        );
        let chain = "#if defined(CONFIG_A)\nx\n#elif IS_ENABLED(CONFIG_B) && !CONFIG_C\ny\n#else\nMODULE_LICENSE(\"GPL\");\n#endif\n";
        assert_eq!(with("CONFIG_A=y\n", false, chain), Ok(false));
        assert_eq!(with("CONFIG_B=m\n", false, chain), Ok(false));
        assert_eq!(with("CONFIG_B=m\nCONFIG_C=y\n", false, chain), Ok(true));
        assert_eq!(with("", false, chain), Ok(true));
        let elif = "#ifdef CONFIG_A\n#elif CONFIG_N >= 0x10\nMODULE_LICENSE(\"GPL\");\n#endif\n";
        assert_eq!(with("CONFIG_N=16\n", false, elif), Ok(true));
        assert_eq!(with("CONFIG_N=15\n", false, elif), Ok(false));
    }

    #[test]
    fn module_and_kconfig_h_helpers() {
        let code = "#ifdef MODULE\nMODULE_LICENSE(\"GPL\");\n#endif\n";
        assert_eq!(with("", true, code), Ok(true));
        assert_eq!(with("", false, code), Ok(false));
        let r = "#if IS_REACHABLE(CONFIG_X) || IS_BUILTIN(CONFIG_Y)\nMODULE_LICENSE(\"GPL\");\n#endif\n";
        assert_eq!(with("CONFIG_X=m\n", true, r), Ok(true));
        assert_eq!(with("CONFIG_X=m\n", false, r), Ok(false));
        assert_eq!(with("CONFIG_Y=m\n", true, r), Ok(false));
        assert_eq!(with("CONFIG_Y=y\n", false, r), Ok(true));
        let nested =
            "#if IS_MODULE(CONFIG_X)\n#if 0\n#else\nMODULE_LICENSE(\"GPL\");\n#endif\n#endif\n";
        assert_eq!(with("CONFIG_X=m\n", false, nested), Ok(true));
        assert_eq!(with("CONFIG_X=y\n", false, nested), Ok(false));
    }

    #[test]
    fn unknown_macros_make_the_answer_unknown_unless_another_branch_decides() {
        let arch = "#if BITS_PER_LONG == 64\nMODULE_LICENSE(\"GPL\");\n#endif\n";
        let e = with("", false, arch).unwrap_err();
        assert!(
            e.contains("f.c:1: `#if BITS_PER_LONG == 64`") && e.contains("BITS_PER_LONG"),
            "{e}"
        );
        let f = "#if __has_attribute(x)\nMODULE_LICENSE(\"GPL\");\n#endif\n";
        assert!(
            with("", false, f)
                .unwrap_err()
                .contains("`__has_attribute`")
        );
        let decided =
            "#ifdef CONFIG_A\n#ifdef ARCH_THING\nMODULE_LICENSE(\"GPL\");\n#endif\n#endif\n";
        assert_eq!(with("", false, decided), Ok(false));
        assert!(with("CONFIG_A=y\n", false, decided).is_err());
        // && short-circuits on a known false side, || on a known true side.
        let sc = "#if defined(CONFIG_A) && defined(__x86_64__)\nMODULE_LICENSE(\"GPL\");\n#endif\n";
        assert_eq!(with("", false, sc), Ok(false));
        assert!(parse("A +").is_err());
    }

    #[test]
    fn the_files_own_defines_and_undefs_count() {
        // lib/lzo/lzo1x_compress.c: the tag only in the `_safe` build, which defines LZO_SAFE
        // before including it.
        let code = "#undef LZO_UNSAFE\n#ifndef LZO_SAFE\n#define LZO_UNSAFE 1\n#endif\n#ifndef LZO_UNSAFE\nMODULE_LICENSE(\"GPL\");\n#endif\n";
        let g = guard_of(code);
        assert!(holds(&g, &Autoconf::from_config("")).is_err());
        let mut includer = Conditionals::new("safe.c");
        includer.directive(1, "define LZO_SAFE(name) name##_safe");
        let g = g.substitute(includer.locals());
        assert_eq!(holds(&g, &Autoconf::from_config("")), Ok(true));
        let value = "#define LIMIT 4\n#if LIMIT > 3 && !defined(CONFIG_GONE)\nMODULE_LICENSE(\"GPL\");\n#endif\n";
        assert_eq!(with("", false, value), Ok(true));
        let gone = "#define GONE\n#undef GONE\n#ifdef GONE\nMODULE_LICENSE(\"GPL\");\n#endif\n";
        assert_eq!(with("", false, gone), Ok(false));
    }

    #[test]
    fn include_guards_are_true() {
        let code = "#ifndef _FOO_C\n#define _FOO_C\nMODULE_LICENSE(\"GPL\");\n#endif\n";
        assert_eq!(with("", false, code), Ok(true));
    }

    #[test]
    fn symbolic_guards_over_kconfig_symbols() {
        let mut pool = ExprPool::new();
        let types = |s: &str| match s {
            "HAVE_ARCH_BITREVERSE" => Some(ValueType::Bool),
            "T" => Some(ValueType::Tristate),
            "N" => Some(ValueType::Int),
            _ => None,
        };
        let g = guard_of("#ifndef CONFIG_HAVE_ARCH_BITREVERSE\nMODULE_LICENSE(\"GPL\");\n#endif\n");
        let e = to_expr(&g, false, &mut pool, &types).unwrap();
        assert_eq!(pool.display(e), "!HAVE_ARCH_BITREVERSE=y");
        let g = guard_of(
            "#if defined(MODULE) || IS_MODULE(CONFIG_T) && CONFIG_N > 3\nMODULE_LICENSE(\"GPL\");\n#endif\n",
        );
        let built_in = to_expr(&g, false, &mut pool, &types).unwrap();
        assert_eq!(pool.display(built_in), "T=m && N>3");
        let in_module = to_expr(&g, true, &mut pool, &types).unwrap();
        assert_eq!(in_module, pool.yes());
        let g = guard_of("#ifdef CONFIG_ABSENT\nMODULE_LICENSE(\"GPL\");\n#endif\n");
        let e = to_expr(&g, false, &mut pool, &types).unwrap();
        assert_eq!(e, pool.no());
        let g = guard_of("#if CONFIG_N * 2 > 3\nMODULE_LICENSE(\"GPL\");\n#endif\n");
        assert!(to_expr(&g, false, &mut pool, &types).is_err());
    }
}
