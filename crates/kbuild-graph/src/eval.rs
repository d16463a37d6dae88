//! The GNU make subset evaluator: variables with flavors and guards, conditionals,
//! `include`, and the built-in functions the kernel's makefiles use.
//!
//! It emulates GNU make 4.3 (the host's make, which the oracle runs): names that are not 4.3
//! functions (`intcmp`, `let`) are variable references, as in make 4.3. It never runs a
//! shell: `$(shell ...)` and `!=` expand to nothing and taint the value with an unknown
//! fact carrying the file:line, so a list that depends on one becomes an explicit unknown.
//! Recursion (variable expansion, `include`, `$(eval)`) is bounded.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use kp_base::{CmpOp, Diagnostic, ExprId, ExprPool, Operand, SourceMap, Span, Tristate};

use crate::guard::Guards;
use crate::parse::{self, AssignOp, Cond, Stmt};
use crate::value::{GWord, Value};

const MAX_DEPTH: usize = 200;
const MAX_ALTS: usize = 64;
/// Expansions one make invocation may do. Recursion through `$(call)` is legal make and
/// only bounded by [`MAX_DEPTH`] in depth, so `f = $(call f)$(call f)` would take 2^200
/// steps. The real trees use at most about 6,600 (6.12, the top-level make of every arch).
const EXPANSION_BUDGET: u64 = 500_000;
/// Guard conjunctions one make invocation may do with contradiction checks. The expansion
/// budget does not bound them: one expansion can split a value of hundreds of conditional
/// parts into alternatives, each part costing a conjunction per alternative. The real trees
/// use at most about 14,300 (6.1 and 6.12, x86_64, arm64, sh). Past it (KP0627),
/// conjunctions stay exact but are only checked for contradictions between literals, and only
/// values with few conditional parts are still split into alternatives: a longer name,
/// condition or `$(eval)` text becomes an unknown fact.
const GUARD_BUDGET: u64 = 200_000;
/// Past [`GUARD_BUDGET`], the most conditional parts a value split into alternatives may have.
const MAX_UNCHECKED_PARTS: usize = 8;

/// Where `CONFIG_*` values come from.
#[derive(Clone, Debug)]
pub enum ConfigMode {
    /// Concrete values, as in `include/config/auto.conf` (n and `""` absent).
    Concrete(Rc<HashMap<String, String>>),
    /// Symbolic: `$(CONFIG_X)` is `y` when `X=y` and `m` when `X=m`.
    Symbolic,
}

/// A `$(error ...)` call that evaluation reached.
#[derive(Clone, Debug)]
pub struct MakeError {
    /// When it is reached: the guard of the statement (in a directory, local to the
    /// directory being visited; see `lists::build_errors` for the full condition).
    pub condition: ExprId,
    /// The line.
    pub span: Option<Span>,
    /// The message.
    pub message: String,
}

/// Who set a variable, as far as overriding goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A makefile.
    File,
    /// The environment (an exported variable of a parent make).
    Env,
    /// The command line: makefile assignments without `override` are ignored.
    CommandLine,
}

#[derive(Clone, Debug)]
enum SegBody {
    Raw(Rc<str>),
    Val(Value),
}

#[derive(Clone, Debug)]
struct Seg {
    guard: ExprId,
    body: SegBody,
    sep: bool,
    span: Option<Span>,
}

/// One variable: its definitions, each under a guard.
#[derive(Clone, Debug)]
pub struct Var {
    segs: Vec<Seg>,
    origin: Origin,
    /// Marked with `export`.
    pub export: bool,
}

impl Var {
    fn recursive(&self) -> bool {
        self.segs
            .first()
            .is_some_and(|s| matches!(s.body, SegBody::Raw(_)))
    }
    /// Whether it came from the environment.
    pub fn is_env(&self) -> bool {
        self.origin == Origin::Env
    }

    /// Whether it was set on the command line (passed down to every sub-make).
    pub fn origin_is_cmdline(&self) -> bool {
        self.origin == Origin::CommandLine
    }

    /// The variable as a sub-make sees it: exported variables arrive through the
    /// environment (command-line ones stay command-line).
    pub fn as_env(&self) -> Var {
        let mut v = self.clone();
        if v.origin != Origin::CommandLine {
            v.origin = Origin::Env;
        }
        v
    }

    fn nonempty_text(&self) -> bool {
        self.segs.iter().any(|s| match &s.body {
            SegBody::Raw(r) => !r.is_empty(),
            SegBody::Val(v) => !v.parts.is_empty(),
        })
    }
}

/// The variable table of one make invocation.
pub type Vars = HashMap<Rc<str>, Rc<Var>>;

/// Parsed makefiles, shared across directories.
#[derive(Default)]
pub struct FileCache {
    files: HashMap<PathBuf, Option<Parsed>>,
}

/// A makefile read once: its id in the source map and its statements.
type Parsed = (kp_base::FileId, Rc<Vec<Stmt>>);

/// The evaluator for one make invocation (one directory).
pub struct Eval<'a> {
    /// `$(error ...)` calls reached: the guard of the statement that reached it, where, and
    /// the message. Under that guard real make stops, so no configuration satisfying it
    /// builds.
    pub errors: Vec<MakeError>,
    cur_guard: ExprId,
    /// Unknown facts that change what is read at all (a computed include, an `$(eval)` of
    /// host-dependent text): they may affect any list of this make.
    pub unknown_events: Vec<ExprId>,
    /// The pool all guards live in.
    pub pool: &'a mut ExprPool,
    /// Source texts for spans.
    pub sources: &'a mut SourceMap,
    /// Parsed-file cache.
    pub cache: &'a mut FileCache,
    /// Guard helpers.
    pub guards: &'a mut Guards,
    /// Diagnostics found so far.
    pub diags: &'a mut Vec<Diagnostic>,
    /// The variables.
    pub vars: Vars,
    /// Config values.
    pub config: ConfigMode,
    /// The tree root: relative include paths are looked up here (make's `--include-dir`).
    pub srctree: PathBuf,
    /// Whether auto.conf keeps string values quoted, so `$(CONFIG_X)` of an empty string is
    /// `""` (5.10; see `config::auto_conf_strings_raw`).
    pub auto_conf_quoted: bool,
    /// Whether unknown events while computing a simply expanded value taint that value
    /// instead of the whole make (the top-level make, whose lists are few).
    pub events_as_taint: bool,
    /// Names marked by `export NAME` (make exports them even when defined later).
    pub exports: std::collections::HashSet<String>,
    /// `$(foreach)` and `$(call)` bindings, innermost last.
    locals: Vec<(Rc<str>, Value)>,
    depth: usize,
    span: Option<Span>,
    yes: ExprId,
    /// Symbolic values of `CONFIG_*` already built.
    sym_cache: HashMap<String, Value>,
    /// Recursive variables being expanded by a plain reference (make's `expanding` flag).
    expanding: Vec<Rc<str>>,
    /// Expansions left ([`EXPANSION_BUDGET`]); at zero everything expands to nothing.
    budget: u64,
    /// Checked guard conjunctions left ([`GUARD_BUDGET`]).
    guard_budget: u64,
    /// The makefiles being included, outermost first.
    including: Vec<PathBuf>,
}

/// A pattern with at most one `%`, as patsubst/filter read it.
struct Pattern<'p> {
    pre: &'p str,
    post: Option<&'p str>,
}

impl<'p> Pattern<'p> {
    fn new(p: &'p str) -> Pattern<'p> {
        match p.find('%') {
            Some(i) => Pattern {
                pre: &p[..i],
                post: Some(&p[i + 1..]),
            },
            None => Pattern { pre: p, post: None },
        }
    }
    fn stem<'w>(&self, w: &'w str) -> Option<&'w str> {
        match self.post {
            None => (w == self.pre).then_some(""),
            Some(post) => (w.len() >= self.pre.len() + post.len()
                && w.starts_with(self.pre)
                && w.ends_with(post))
            .then(|| &w[self.pre.len()..w.len() - post.len()]),
        }
    }
    fn matches(&self, w: &str) -> bool {
        self.stem(w).is_some()
    }
}

fn patsubst_word(w: &str, pat: &Pattern, rep: &str) -> String {
    match pat.stem(w) {
        None => w.to_string(),
        Some(stem) => {
            if pat.post.is_some() {
                match rep.find('%') {
                    Some(i) => format!("{}{}{}", &rep[..i], stem, &rep[i + 1..]),
                    None => rep.to_string(),
                }
            } else {
                rep.to_string()
            }
        }
    }
}

/// Splits function arguments at top-level commas; the last of `max` takes the rest.
fn split_args(s: &str, max: usize) -> Vec<&str> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'(' | b'{' => depth += 1,
            b')' | b'}' => depth -= 1,
            b',' if depth == 0 && out.len() + 1 < max => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// The index just after the closing bracket matching the one at `open`, counting only that
/// bracket kind (GNU make's rule).
fn matching_close(b: &[u8], open: usize) -> Option<usize> {
    let (o, c) = if b[open] == b'(' {
        (b'(', b')')
    } else {
        (b'{', b'}')
    };
    let mut depth = 0;
    for (i, &x) in b.iter().enumerate().skip(open) {
        if x == o {
            depth += 1;
        } else if x == c {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

const FUNCTIONS: &[&str] = &[
    "subst",
    "patsubst",
    "strip",
    "findstring",
    "filter",
    "filter-out",
    "sort",
    "word",
    "wordlist",
    "words",
    "firstword",
    "lastword",
    "dir",
    "notdir",
    "suffix",
    "basename",
    "addsuffix",
    "addprefix",
    "join",
    "wildcard",
    "realpath",
    "abspath",
    "error",
    "warning",
    "info",
    "shell",
    "origin",
    "flavor",
    "foreach",
    "if",
    "or",
    "and",
    "call",
    "eval",
    "file",
    "value",
    "guile",
];

impl<'a> Eval<'a> {
    /// A new evaluator with the given variables.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        pool: &'a mut ExprPool,
        sources: &'a mut SourceMap,
        cache: &'a mut FileCache,
        guards: &'a mut Guards,
        diags: &'a mut Vec<Diagnostic>,
        vars: Vars,
        config: ConfigMode,
        srctree: PathBuf,
    ) -> Eval<'a> {
        let yes = pool.yes();
        Eval {
            errors: Vec::new(),
            cur_guard: yes,
            unknown_events: Vec::new(),
            pool,
            sources,
            cache,
            guards,
            diags,
            vars,
            config,
            srctree,
            auto_conf_quoted: false,
            events_as_taint: false,
            exports: Default::default(),
            locals: Vec::new(),
            depth: 0,
            span: None,
            yes,
            sym_cache: HashMap::new(),
            expanding: Vec::new(),
            budget: EXPANSION_BUDGET,
            guard_budget: GUARD_BUDGET,
            including: Vec::new(),
        }
    }

    /// The variables this make passes to its sub-makes: exported ones through the
    /// environment, command-line ones as command-line variables. A name exported while
    /// undefined reaches the sub-make's environment empty (and so stays exported there when
    /// the sub-make assigns it: 7.x top Makefile's `export objtree srcroot`).
    pub fn exported_vars(&self) -> Vars {
        let mut env = Vars::new();
        for (k, v) in &self.vars {
            if v.export || v.origin_is_cmdline() || self.exports.contains(&**k) {
                env.insert(k.clone(), Rc::new(v.as_env()));
            }
        }
        for k in &self.exports {
            if !self.vars.contains_key(k.as_str()) {
                env.insert(
                    k.as_str().into(),
                    Rc::new(Var {
                        segs: Vec::new(),
                        origin: Origin::Env,
                        export: true,
                    }),
                );
            }
        }
        env
    }

    /// The `y` guard.
    pub fn yes(&self) -> ExprId {
        self.yes
    }

    fn and(&mut self, a: ExprId, b: ExprId) -> ExprId {
        if a == self.yes {
            return b;
        }
        if b == self.yes {
            return a;
        }
        // Concrete guards are constants: only symbolic conjunctions spend the budget.
        if self.is_no(a) || self.is_no(b) {
            return self.pool.no();
        }
        match self.guard_budget {
            0 => return self.guards.and_unchecked(self.pool, a, b),
            1 => {
                if let Some(span) = self.span {
                    self.diags.push(Diagnostic::warning(
                        "KP0627",
                        span,
                        format!(
                            "more than {GUARD_BUDGET} guard conjunctions in one make invocation: from here on a name, condition or `$(eval)` text with more than {MAX_UNCHECKED_PARTS} configuration-dependent parts is unknown"
                        ),
                    ));
                }
            }
            _ => {}
        }
        self.guard_budget -= 1;
        self.guards.and(self.pool, a, b)
    }

    fn not(&mut self, a: ExprId) -> ExprId {
        self.guards.not(self.pool, a)
    }

    fn or(&mut self, a: ExprId, b: ExprId) -> ExprId {
        self.guards.or(self.pool, a, b)
    }

    fn is_no(&self, g: ExprId) -> bool {
        matches!(self.pool.get(g), kp_base::Expr::Const(Tristate::No))
    }

    /// Sets a variable (simple flavor) unconditionally.
    pub fn set(&mut self, name: &str, value: Value, origin: Origin, export: bool) {
        let seg = Seg {
            guard: self.yes,
            body: SegBody::Val(value),
            sep: false,
            span: None,
        };
        self.vars.insert(
            name.into(),
            Rc::new(Var {
                segs: vec![seg],
                origin,
                export,
            }),
        );
    }

    /// Sets a variable to a literal string.
    pub fn set_str(&mut self, name: &str, text: &str, origin: Origin) {
        let v = Value::text(text, self.yes);
        self.set(name, v, origin, false);
    }

    fn warn(&mut self, code: &'static str, msg: String) {
        if let Some(span) = self.span {
            self.diags.push(Diagnostic::warning(code, span, msg));
        }
    }

    fn unknown(&mut self, text: &str) -> ExprId {
        self.unknown_at(text, self.span)
    }

    /// As [`Eval::unknown`], written at `span`.
    fn unknown_at(&mut self, text: &str, span: Option<Span>) -> ExprId {
        let short: String = text.chars().take(120).collect();
        // One fact per construct and line, however often a recursive variable re-expands it.
        let key = (short, span);
        if let Some(&u) = self.guards.unknowns.get(&key) {
            return u;
        }
        let u = self.pool.unknown_fact(key.0.clone(), span);
        self.guards.unknowns.insert(key, u);
        u
    }

    /// Records that evaluation dropped something at `span` (`what` names the construct): any
    /// list of this make may miss words, so it is an unknown event, never a silent omission.
    fn lost(&mut self, what: &str, span: Option<Span>) {
        let u = self.unknown_at(what, span);
        if !self.unknown_events.contains(&u) {
            self.unknown_events.push(u);
        }
    }

    // ----------------------------------------------------------------------------------
    // Statements

    /// Reads and evaluates a makefile under guard `g`. Returns false when it does not exist.
    pub fn include_file(&mut self, path: &Path, g: ExprId) -> bool {
        let Some((_, stmts)) = self.load(path) else {
            return false;
        };
        if self.including.iter().any(|p| p == path) {
            // make has no guard against this and never stops (each level may include the
            // file several times, so a depth bound alone is exponential).
            if let Some(span) = self.span {
                self.diags.push(Diagnostic::error(
                    "KP0611",
                    span,
                    format!("`{}` includes itself", path.display()),
                ));
            }
            return true;
        }
        if self.depth > 32 {
            self.warn(
                "KP0611",
                format!("include nesting too deep at {}", path.display()),
            );
            return true;
        }
        self.depth += 1;
        self.including.push(path.to_path_buf());
        let saved = self.span;
        self.exec(&stmts, g);
        self.span = saved;
        self.including.pop();
        self.depth -= 1;
        true
    }

    /// The id of a makefile read earlier.
    pub fn file_id(&self, path: &Path) -> Option<kp_base::FileId> {
        self.cache
            .files
            .get(path)
            .and_then(|e| e.as_ref().map(|(id, _)| *id))
    }

    fn load(&mut self, path: &Path) -> Option<Parsed> {
        if let Some(c) = self.cache.files.get(path) {
            return c.clone();
        }
        let entry = std::fs::read(path).ok().map(|bytes| {
            let (id, lossy) = self.sources.add_bytes(path.to_path_buf(), bytes);
            let text = self.sources.file(id).text.clone();
            if lossy {
                // make reads bytes; only names and object paths matter here, so the
                // replacement is harmless unless it lands in one, which is worth a warning.
                let at = text.find('\u{FFFD}').unwrap_or(0);
                let end = (at + '\u{FFFD}'.len_utf8()).min(text.len());
                self.diags.push(Diagnostic::warning(
                    "KP0608",
                    Span::new(id, at, end),
                    "invalid UTF-8 replaced by U+FFFD",
                ));
            }
            let (stmts, d) = parse::parse(id, &text);
            self.diags.extend(d);
            (id, Rc::new(stmts))
        });
        self.cache.files.insert(path.to_path_buf(), entry.clone());
        entry
    }

    /// Evaluates statements under guard `g`.
    pub fn exec(&mut self, stmts: &[Stmt], g: ExprId) {
        for s in stmts {
            self.stmt(s, g);
        }
    }

    fn stmt(&mut self, s: &Stmt, g: ExprId) {
        self.cur_guard = g;
        match s {
            Stmt::Assign {
                name,
                op,
                value,
                overriding,
                export,
                span,
            } => {
                self.span = Some(*span);
                let names = self.expand(name);
                let alts = match self.alternatives(&names) {
                    Ok(alts) => alts,
                    Err(u) => {
                        // Which variable is set is unknown: any list of this make may change.
                        self.unknown_events.push(u);
                        Vec::new()
                    }
                };
                for (n, ng) in alts {
                    let n = n.trim();
                    if n.is_empty() {
                        continue;
                    }
                    let h = self.and(g, ng);
                    if self.is_no(h) {
                        continue;
                    }
                    self.assign(n, *op, value, *overriding, *export, h, *span);
                }
            }
            Stmt::If {
                cond,
                then,
                els,
                span,
            } => {
                self.span = Some(*span);
                let c = self.cond(cond);
                let t = self.and(g, c);
                if !self.is_no(t) {
                    self.exec(then, t);
                }
                let nc = self.not(c);
                let e = self.and(g, nc);
                if !self.is_no(e) {
                    self.exec(els, e);
                }
            }
            Stmt::Include {
                files,
                optional,
                span,
            } => {
                self.span = Some(*span);
                let v = self.expand(files);
                if !v.taint.is_empty() {
                    let u = self.unknown(&format!("include {files}"));
                    self.unknown_events.push(u);
                    self.diags.push(Diagnostic::warning(
                        "KP0612",
                        *span,
                        format!("computed include `{files}` depends on the host ($(shell ...))"),
                    ));
                }
                // Each file is included under its own guard (`DC_LIBS += x` under an ifdef).
                for w in self.words(&v) {
                    let h = self.and(g, w.guard);
                    if self.is_no(h) {
                        continue;
                    }
                    let f = w.text.as_str();
                    if f.ends_with("include/config/auto.conf") || f.ends_with("auto.conf.cmd") {
                        continue; // config values are supplied by ConfigMode
                    }
                    let p = self.resolve(f);
                    if !self.include_file(&p, h) && !optional {
                        self.diags.push(Diagnostic::error(
                            "KP0613",
                            *span,
                            format!("included file `{f}` not found"),
                        ));
                    }
                }
            }
            Stmt::Export {
                names,
                unexport,
                span,
            } => {
                self.span = Some(*span);
                let v = self.expand(names);
                for n in v.flat().split_whitespace() {
                    if let Some(var) = self.vars.get_mut(n) {
                        Rc::make_mut(var).export = !unexport;
                    }
                    if *unexport {
                        self.exports.remove(n);
                    } else {
                        self.exports.insert(n.to_string());
                    }
                }
            }
            Stmt::Undefine { name, span } => {
                self.span = Some(*span);
                let v = self.expand(name);
                if g == self.yes {
                    self.vars.remove(v.flat().trim());
                }
            }
            Stmt::Expand { text, span } => {
                self.span = Some(*span);
                let v = self.expand(text);
                if !v.is_blank() {
                    self.diags.push(Diagnostic::warning(
                        "KP0614",
                        *span,
                        "line is not a statement (make: missing separator)",
                    ));
                }
            }
            Stmt::Rule { targets, span } => {
                self.span = Some(*span);
                // Target lists may contain `$(eval ...)`; expand them for side effects only
                // when they do.
                if targets.contains("$(eval") {
                    let _ = self.expand(targets);
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn assign(
        &mut self,
        name: &str,
        op: AssignOp,
        raw: &str,
        overriding: bool,
        export: bool,
        g: ExprId,
        span: Span,
    ) {
        if let Some(v) = self.vars.get(name)
            && v.origin == Origin::CommandLine
            && !overriding
        {
            return;
        }
        let existing = self.vars.get(name).cloned();
        let defined = existing.as_ref().is_some_and(|v| !v.segs.is_empty());
        let (op, g) = match op {
            AssignOp::Conditional => {
                let Some(v) = &existing else {
                    return self.assign(
                        name,
                        AssignOp::Recursive,
                        raw,
                        overriding,
                        export,
                        g,
                        span,
                    );
                };
                let mut d = self.pool.no();
                for s in &v.segs {
                    d = self.or(d, s.guard);
                }
                let nd = self.not(d);
                let h = self.and(g, nd);
                if self.is_no(h) {
                    return;
                }
                (AssignOp::Recursive, h)
            }
            AssignOp::Append if !defined => (AssignOp::Recursive, g),
            o => (o, g),
        };
        let events = self.unknown_events.len();
        let (body, sep) = match op {
            AssignOp::Recursive => (SegBody::Raw(raw.into()), false),
            AssignOp::Simple => (SegBody::Val(self.expand(raw)), false),
            AssignOp::Shell => {
                let u = self.unknown(&format!("!= {raw}"));
                let mut v = Value::new();
                v.taint.push(u);
                (SegBody::Val(v), false)
            }
            AssignOp::Append => {
                let sep = existing.as_ref().is_some_and(|o| o.nonempty_text());
                if existing.as_ref().is_some_and(|o| o.recursive()) {
                    (SegBody::Raw(raw.into()), sep)
                } else {
                    (SegBody::Val(self.expand(raw)), sep)
                }
            }
            // Rewritten to Recursive above; kept total rather than panicking.
            AssignOp::Conditional => (SegBody::Raw(raw.into()), false),
        };
        // Words lost while computing this value are lost from this variable only: where
        // it reaches a list, the taint says so; where it only reaches flags, nothing is.
        let body = match body {
            SegBody::Val(mut v) if self.events_as_taint && self.unknown_events.len() > events => {
                let lost: Vec<ExprId> = self.unknown_events.drain(events..).collect();
                v.add_taint(&lost);
                SegBody::Val(v)
            }
            b => b,
        };
        let seg = Seg {
            guard: g,
            body,
            sep,
            span: Some(span),
        };
        let mut var = existing.map(|v| (*v).clone()).unwrap_or(Var {
            segs: Vec::new(),
            origin: Origin::File,
            export: false,
        });
        if var.origin == Origin::CommandLine && overriding {
            var.origin = Origin::File;
        }
        var.export |= export;
        if var.origin == Origin::Env {
            var.origin = Origin::File;
        }
        if op == AssignOp::Append {
            var.segs.push(seg);
        } else if g == self.yes {
            var.segs = vec![seg];
        } else {
            let ng = self.not(g);
            let mut kept = Vec::new();
            for mut s in std::mem::take(&mut var.segs) {
                s.guard = self.and(s.guard, ng);
                if !self.is_no(s.guard) {
                    kept.push(s);
                }
            }
            kept.push(seg);
            var.segs = kept;
        }
        self.vars.insert(name.into(), Rc::new(var));
    }

    fn cond(&mut self, c: &Cond) -> ExprId {
        match c {
            Cond::Def { name, negate } => {
                let n = self.expand(name);
                let mut acc = self.pool.no();
                match self.alternatives(&n) {
                    Ok(alts) => {
                        for (n, ng) in alts {
                            let d = self.defined_nonempty(n.trim());
                            let t = self.and(ng, d);
                            acc = self.or(acc, t);
                        }
                    }
                    Err(u) => acc = u,
                }
                if *negate { self.not(acc) } else { acc }
            }
            Cond::Eq { a, b, negate } => {
                let va = self.expand(a);
                let vb = self.expand(b);
                let g = self.equal(a, &va, &vb);
                if *negate { self.not(g) } else { g }
            }
        }
    }

    /// `ifeq` between two values: the disjunction over equal alternatives.
    fn equal(&mut self, raw_a: &str, va: &Value, vb: &Value) -> ExprId {
        if !va.taint.is_empty() || !vb.taint.is_empty() {
            if let ConfigMode::Symbolic = self.config {
                return self.unknown(&format!("ifeq ({raw_a},...)"));
            }
            self.warn(
                "KP0615",
                "condition depends on a $(shell ...) result; taken as empty".into(),
            );
        }
        if va.is_plain(self.yes) && vb.is_plain(self.yes) {
            return if va.flat() == vb.flat() {
                self.yes
            } else {
                self.pool.no()
            };
        }
        // `ifeq ($(CONFIG_X),literal)` with a literal that is not y/m/empty: a comparison of
        // the symbol's value (strings, ints).
        if let ConfigMode::Symbolic = self.config
            && let Some(sym) = raw_a
                .trim()
                .strip_prefix("$(CONFIG_")
                .and_then(|r| r.strip_suffix(')'))
            && vb.is_plain(self.yes)
            && !sym.contains(['$', '(', ':'])
        {
            let lit = vb.flat();
            if lit == "\"\"" {
                if self.auto_conf_quoted {
                    let n = self.pool.name(sym);
                    let c = self.pool.name("");
                    return self
                        .pool
                        .cmp(CmpOp::Eq, Operand::Symbol(n), Operand::Const(c));
                }
                // auto.conf leaves empty strings out, so `$(CONFIG_X)` is never `""`.
                return self.pool.no();
            }
            if !matches!(lit.as_str(), "y" | "m" | "") {
                let n = self.pool.name(sym);
                let c = self.pool.name(lit.trim_matches('"'));
                return self
                    .pool
                    .cmp(CmpOp::Eq, Operand::Symbol(n), Operand::Const(c));
            }
        }
        let aa = match self.alternatives(va) {
            Ok(aa) => aa,
            Err(u) => return u,
        };
        let bb = match self.alternatives(vb) {
            Ok(bb) => bb,
            Err(u) => return u,
        };
        let mut acc = self.pool.no();
        for (x, gx) in &aa {
            for (y, gy) in &bb {
                if x == y {
                    let t = self.and(*gx, *gy);
                    acc = self.or(acc, t);
                }
            }
        }
        acc
    }

    fn defined_nonempty(&mut self, name: &str) -> ExprId {
        if let Some(v) = self.vars.get(name).cloned() {
            let mut acc = self.pool.no();
            for s in &v.segs {
                let ne = match &s.body {
                    SegBody::Raw(r) => !r.trim().is_empty(),
                    SegBody::Val(v) => !v.parts.is_empty(),
                };
                if ne {
                    acc = self.or(acc, s.guard);
                }
            }
            return acc;
        }
        if name.starts_with("CONFIG_")
            && let ConfigMode::Concrete(map) = &self.config
        {
            return if map.get(name).is_some_and(|v| !v.is_empty()) {
                self.yes
            } else {
                self.pool.no()
            };
        }
        if let Some(sym) = name.strip_prefix("CONFIG_")
            && let ConfigMode::Symbolic = self.config
        {
            let n = self.pool.name(sym);
            let y = self.pool.sym_is(n, Tristate::Yes);
            let m = self.pool.sym_is(n, Tristate::Mod);
            return self.or(y, m);
        }
        self.pool.no()
    }

    // ----------------------------------------------------------------------------------
    // Alternatives and words

    /// The distinct full strings a value can be, each with its guard. In concrete mode there
    /// is exactly one. `Err` holds an unknown fact (with this line) that stands for which
    /// string it is, when they are more than [`MAX_ALTS`] or [`GUARD_BUDGET`] is spent: the
    /// caller must make what depends on the string unknown, never drop it.
    pub fn alternatives(&mut self, v: &Value) -> Result<Vec<(String, ExprId)>, ExprId> {
        if v.is_plain(self.yes) {
            return Ok(vec![(v.flat(), self.yes)]);
        }
        // Past the guard budget conjunctions are cheap but unchecked; only values with few
        // conditional parts (`obj-$(CONFIG_X)`) are still split, at a bounded cost each.
        if self.guard_budget == 0
            && v.parts.iter().filter(|p| p.guard != self.yes).count() > MAX_UNCHECKED_PARTS
        {
            return Err(self.unknown(&format!(
                "configuration-dependent value after {GUARD_BUDGET} guard conjunctions (KP0627)"
            )));
        }
        let mut alts: Vec<(String, ExprId)> = vec![(String::new(), self.yes)];
        for p in &v.parts {
            if p.guard == self.yes {
                for a in &mut alts {
                    a.0.push_str(&p.text);
                }
                continue;
            }
            let np = self.not(p.guard);
            let mut next = Vec::with_capacity(alts.len() * 2);
            for (s, h) in alts {
                let with = self.and(h, p.guard);
                if !self.is_no(with) {
                    next.push((format!("{s}{}", p.text), with));
                }
                let without = self.and(h, np);
                if !self.is_no(without) {
                    next.push((s, without));
                }
            }
            alts = next;
            if alts.len() > MAX_ALTS {
                return Err(self.unknown("too many alternatives for a computed name"));
            }
        }
        // Merge equal strings.
        let mut merged: Vec<(String, ExprId)> = Vec::new();
        for (s, g) in alts {
            match merged.iter().position(|(t, _)| *t == s) {
                Some(i) => {
                    let o = merged[i].1;
                    merged[i].1 = self.or(o, g);
                }
                None => merged.push((s, g)),
            }
        }
        Ok(merged)
    }

    /// The words of a value with their guards.
    pub fn words(&mut self, v: &Value) -> Vec<GWord> {
        let mut out = Vec::new();
        if v.is_plain(self.yes) {
            // Exact make word splitting.
            if v.parts.len() <= 1 {
                let span = v.parts.first().and_then(|p| p.span);
                for w in v.flat().split_whitespace() {
                    out.push(GWord {
                        text: w.to_string(),
                        guard: self.yes,
                        span,
                    });
                }
                return out;
            }
        }
        // Word-in-progress alternatives: (text, guard, span).
        let mut cur: Vec<(String, ExprId, Option<Span>)> = vec![(String::new(), self.yes, None)];
        let mut truncated = false;
        let flush =
            |cur: &mut Vec<(String, ExprId, Option<Span>)>, out: &mut Vec<GWord>, yes: ExprId| {
                for (s, g, sp) in cur.drain(..) {
                    if !s.is_empty() {
                        out.push(GWord {
                            text: s,
                            guard: g,
                            span: sp,
                        });
                    }
                }
                cur.push((String::new(), yes, None));
            };
        for p in &v.parts {
            let t = p.text.as_str();
            if t.starts_with(char::is_whitespace) {
                flush(&mut cur, &mut out, self.yes);
            }
            for (i, tok) in t.split_whitespace().enumerate() {
                if i > 0 {
                    flush(&mut cur, &mut out, self.yes);
                }
                if p.guard == self.yes {
                    for c in &mut cur {
                        c.0.push_str(tok);
                        if c.2.is_none() {
                            c.2 = p.span;
                        }
                    }
                } else {
                    let np = self.not(p.guard);
                    let mut next = Vec::new();
                    for (s, h, sp) in std::mem::take(&mut cur) {
                        let with = self.and(h, p.guard);
                        if !self.is_no(with) {
                            next.push((format!("{s}{tok}"), with, sp.or(p.span)));
                        }
                        let without = self.and(h, np);
                        if !self.is_no(without) {
                            next.push((s, without, sp));
                        }
                    }
                    if next.len() > MAX_ALTS {
                        next.truncate(MAX_ALTS);
                        // The part that split the word is where it was written: the
                        // statement being run may be far away (Makefile.lib's list steps
                        // read obj-y after the kbuild file is done).
                        let span = p.span.or(self.span);
                        if !truncated {
                            truncated = true;
                            if let Some(span) = span {
                                self.diags.push(Diagnostic::warning(
                                    "KP0616",
                                    span,
                                    format!("more than {MAX_ALTS} alternatives for one word: the rest are dropped"),
                                ));
                            }
                            self.lost(
                                &format!("a word with more than {MAX_ALTS} configuration-dependent spellings"),
                                span,
                            );
                        }
                    }
                    cur = next;
                }
            }
            if t.ends_with(char::is_whitespace) {
                flush(&mut cur, &mut out, self.yes);
            }
        }
        flush(&mut cur, &mut out, self.yes);
        out
    }

    /// Words joined by single spaces. A separator is left out between two adjacent words
    /// that exclude each other (alternatives such as `$(CONFIG_X:m=y)`), so that the value
    /// still reads as one word wherever it is used as a name.
    pub fn join_words(&mut self, words: Vec<GWord>) -> Value {
        let mut v = Value::new();
        let mut prev: Option<ExprId> = None;
        for w in words {
            if let Some(p) = prev {
                let both = if p == self.yes || w.guard == self.yes {
                    self.yes
                } else {
                    self.and(p, w.guard)
                };
                if !self.is_no(both) {
                    v.push(" ".into(), w.guard, None);
                }
            }
            prev = Some(w.guard);
            v.push(w.text, w.guard, w.span);
        }
        v
    }

    fn nonempty(&mut self, v: &Value) -> ExprId {
        let mut acc = self.pool.no();
        for p in &v.parts {
            if !p.text.trim().is_empty() {
                acc = self.or(acc, p.guard);
            }
        }
        acc
    }

    /// A constant string for function arguments that must be constant (patterns, counts);
    /// `None` when it depends on the configuration.
    fn constant(&mut self, v: &Value) -> Option<String> {
        if v.is_plain(self.yes) {
            Some(v.flat())
        } else {
            None
        }
    }

    // ----------------------------------------------------------------------------------
    // Expansion

    /// Expands `text`.
    pub fn expand(&mut self, text: &str) -> Value {
        let mut out = Value::new();
        if self.budget == 0 {
            return out;
        }
        self.budget -= 1;
        if self.budget == 0 {
            if let Some(span) = self.span {
                self.diags.push(Diagnostic::error(
                    "KP0626",
                    span,
                    format!(
                        "more than {EXPANSION_BUDGET} expansions in one make invocation (unbounded `$(call)` recursion?): the rest of this directory is not evaluated"
                    ),
                ));
            }
            let span = self.span;
            self.lost(
                &format!("more than {EXPANSION_BUDGET} expansions (the rest of this make expands to nothing)"),
                span,
            );
            return out;
        }
        if self.depth > MAX_DEPTH {
            self.warn(
                "KP0617",
                "variable expansion nested too deeply (recursive variable?)".into(),
            );
            return out;
        }
        self.depth += 1;
        let b = text.as_bytes();
        let mut lit_start = 0;
        let mut i = 0;
        while i < b.len() {
            if b[i] != b'$' {
                i += 1;
                continue;
            }
            out.push_str(&text[lit_start..i], self.yes);
            if i + 1 >= b.len() {
                lit_start = b.len();
                break;
            }
            match b[i + 1] {
                b'$' => {
                    out.push_str("$", self.yes);
                    i += 2;
                }
                b'(' | b'{' => match matching_close(b, i + 1) {
                    Some(close) => {
                        let inner = &text[i + 2..close];
                        let v = self.reference(inner);
                        out.extend(v);
                        i = close + 1;
                    }
                    None => {
                        self.warn("KP0618", "unterminated variable reference".into());
                        i = b.len();
                    }
                },
                _ => {
                    // `$X`: one character, which may be more than one byte.
                    let len = text[i + 1..].chars().next().map_or(1, char::len_utf8);
                    let name = &text[i + 1..i + 1 + len];
                    let v = self.var_value(name);
                    out.extend(v);
                    i += 1 + len;
                }
            }
            lit_start = i;
        }
        if lit_start < b.len() {
            out.push_str(&text[lit_start..], self.yes);
        }
        self.depth -= 1;
        out
    }

    /// The inside of `$(...)`: a function call, a substitution reference, or a variable.
    fn reference(&mut self, inner: &str) -> Value {
        let fname_end = inner.find([' ', '\t']).unwrap_or(inner.len());
        let fname = &inner[..fname_end];
        if fname_end < inner.len() && FUNCTIONS.contains(&fname) {
            let args = inner[fname_end..].trim_start_matches([' ', '\t']);
            return self.function(fname, args);
        }
        // Substitution reference `$(VAR:a=b)`: a top-level `:` followed later by `=`.
        if let Some(colon) = crate::parse::top_level_char(inner, b':') {
            let rest = &inner[colon + 1..];
            if let Some(eq) = crate::parse::top_level_char(rest, b'=') {
                let name = self.expand(&inner[..colon]);
                let from = self.expand(&rest[..eq]);
                let to = self.expand(&rest[eq + 1..]);
                let val = self.var_named(&name);
                let (Some(from), Some(to)) = (self.constant(&from), self.constant(&to)) else {
                    self.warn(
                        "KP0619",
                        "substitution reference with a configuration-dependent pattern".into(),
                    );
                    return val;
                };
                let (pf, pt) = if from.contains('%') {
                    (from.clone(), to.clone())
                } else {
                    (format!("%{from}"), format!("%{to}"))
                };
                let pat = Pattern::new(&pf);
                let words = self.words(&val);
                let mapped = words
                    .into_iter()
                    .map(|w| GWord {
                        text: patsubst_word(&w.text, &pat, &pt),
                        ..w
                    })
                    .collect();
                let mut v = self.join_words(mapped);
                v.add_taint(&val.taint);
                return v;
            }
        }
        let name = self.expand(inner);
        self.var_named(&name)
    }

    fn var_named(&mut self, name: &Value) -> Value {
        if name.is_plain(self.yes) {
            let n = name.flat();
            let mut v = self.var_value(&n);
            v.add_taint(&name.taint);
            return v;
        }
        let mut out = Value::new();
        let alts = match self.alternatives(name) {
            Ok(alts) => alts,
            Err(u) => {
                out.taint.push(u);
                Vec::new()
            }
        };
        for (n, g) in alts {
            let v = self.var_value(&n);
            for p in v.parts {
                let h = self.and(p.guard, g);
                if !self.is_no(h) {
                    out.push(p.text, h, p.span);
                }
            }
            out.add_taint(&v.taint);
        }
        out.add_taint(&name.taint);
        out
    }

    /// The value of a variable by name (locals first, then the table, then config).
    pub fn var_value(&mut self, name: &str) -> Value {
        self.var_value_as(name, false)
    }

    /// `var_value`, for a plain reference or (`by_call`) as the body of `$(call name,...)`.
    /// As in make (`variable.h: expanding`), a recursive variable that references itself
    /// while being expanded is an error, except through `$(call)`, where recursion is how
    /// make loops.
    fn var_value_as(&mut self, name: &str, by_call: bool) -> Value {
        if let Some((_, v)) = self.locals.iter().rev().find(|(n, _)| &**n == name) {
            return v.clone();
        }
        if let Some(var) = self.vars.get(name).cloned() {
            let marks = !by_call && var.recursive();
            if marks {
                if self.expanding.iter().any(|n| &**n == name) {
                    if let Some(span) = self.span {
                        let mut d = Diagnostic::error(
                            "KP0625",
                            span,
                            format!("recursive variable `{name}` references itself (eventually)"),
                        );
                        if let Some(def) = var.segs.iter().find_map(|s| s.span) {
                            d.notes.push((def, format!("`{name}` is defined here")));
                        }
                        self.diags.push(d);
                    }
                    // make stops here; evaluate the rest as if the reference were empty.
                    return Value::new();
                }
                self.expanding.push(name.into());
            }
            let out = self.var_segments(&var);
            if marks {
                self.expanding.pop();
            }
            return out;
        }
        if let Some(sym) = name.strip_prefix("CONFIG_") {
            return self.config_value(name, sym);
        }
        match name {
            "MAKE_VERSION" => Value::text("4.3", self.yes),
            _ => Value::new(),
        }
    }

    /// The value of a variable's definitions, each under its guard.
    fn var_segments(&mut self, var: &Var) -> Value {
        let mut out = Value::new();
        for s in &var.segs {
            let v = match &s.body {
                SegBody::Raw(r) => {
                    let saved = self.span;
                    let r = r.clone();
                    let v = self.expand(&r);
                    self.span = saved;
                    v
                }
                SegBody::Val(v) => v.clone(),
            };
            if s.sep {
                out.push(" ".into(), s.guard, None);
            }
            for p in v.parts {
                let h = self.and(p.guard, s.guard);
                if !self.is_no(h) {
                    out.push(p.text, h, p.span.or(s.span));
                }
            }
            out.add_taint(&v.taint);
        }
        out
    }

    fn config_value(&mut self, name: &str, sym: &str) -> Value {
        match &self.config {
            ConfigMode::Concrete(map) => map
                .get(name)
                .map_or_else(Value::new, |v| Value::text(v.clone(), self.yes)),
            ConfigMode::Symbolic => {
                if let Some(v) = self.sym_cache.get(sym) {
                    return v.clone();
                }
                let n = self.pool.name(sym);
                let y = self.pool.sym_is(n, Tristate::Yes);
                let m = self.pool.sym_is(n, Tristate::Mod);
                let mut v = Value::new();
                v.push("y".into(), y, None);
                v.push("m".into(), m, None);
                self.sym_cache.insert(sym.to_string(), v.clone());
                v
            }
        }
    }

    fn with_local<T>(&mut self, name: &str, v: Value, f: impl FnOnce(&mut Self) -> T) -> T {
        self.locals.push((name.into(), v));
        let r = f(self);
        self.locals.pop();
        r
    }

    fn map_words(&mut self, v: &Value, f: impl Fn(&str) -> String) -> Value {
        let words = self.words(v);
        let mapped = words
            .into_iter()
            .map(|w| GWord {
                text: f(&w.text),
                ..w
            })
            .collect();
        let mut out = self.join_words(mapped);
        out.add_taint(&v.taint);
        out
    }

    fn function(&mut self, fname: &str, args: &str) -> Value {
        let yes = self.yes;
        match fname {
            "subst" => {
                let a = split_args(args, 3);
                if a.len() < 3 {
                    return self.bad_args(fname);
                }
                let from = self.expand(a[0]);
                let to = self.expand(a[1]);
                let text = self.expand(a[2]);
                let subst = |text: &Value, from: &str, to: &str| {
                    let mut out = Value::new();
                    for p in &text.parts {
                        let t = if from.is_empty() {
                            p.text.clone()
                        } else {
                            p.text.replace(from, to)
                        };
                        out.push(t, p.guard, p.span);
                    }
                    out.add_taint(&text.taint);
                    out
                };
                match (self.constant(&from), self.constant(&to)) {
                    (Some(f), Some(t)) => subst(&text, &f, &t),
                    (Some(f), None) => self.per_alternative(&to, fname, |_, t| subst(&text, &f, t)),
                    (None, Some(t)) => {
                        self.per_alternative(&from, fname, |_, f| subst(&text, f, &t))
                    }
                    (None, None) => self.unknown_value(fname, args),
                }
            }
            "patsubst" => {
                let a = split_args(args, 3);
                if a.len() < 3 {
                    return self.bad_args(fname);
                }
                let pat = self.expand(a[0]);
                let rep = self.expand(a[1]);
                let text = self.expand(a[2]);
                let (Some(pat), Some(rep)) = (self.constant(&pat), self.constant(&rep)) else {
                    return self.unknown_value(fname, args);
                };
                let pat = pat.trim().to_string();
                let rep = rep.trim().to_string();
                let p = Pattern::new(&pat);
                self.map_words(&text, |w| patsubst_word(w, &p, &rep))
            }
            "strip" => {
                let v = self.expand(args);
                self.map_words(&v, |w| w.to_string())
            }
            "findstring" => {
                let a = split_args(args, 2);
                if a.len() < 2 {
                    return self.bad_args(fname);
                }
                let find = self.expand(a[0]);
                let text = self.expand(a[1]);
                let Some(find) = self.constant(&find) else {
                    return self.unknown_value(fname, args);
                };
                if text.is_plain(yes) {
                    return if text.flat().contains(&find) {
                        Value::text(find, yes)
                    } else {
                        Value::new()
                    };
                }
                let mut g = self.pool.no();
                for p in &text.parts {
                    if p.text.contains(&find) {
                        g = self.or(g, p.guard);
                    }
                }
                let mut out = Value::new();
                out.push(find, g, None);
                out
            }
            "filter" | "filter-out" => {
                let a = split_args(args, 2);
                if a.len() < 2 {
                    return self.bad_args(fname);
                }
                let pats = self.expand(a[0]);
                let text = self.expand(a[1]);
                let pw = self.words(&pats);
                let tw = self.words(&text);
                let keep = fname == "filter";
                let mut out = Vec::new();
                for w in tw {
                    let mut m = self.pool.no();
                    for p in &pw {
                        if Pattern::new(&p.text).matches(&w.text) {
                            m = self.or(m, p.guard);
                        }
                    }
                    let cond = if keep { m } else { self.not(m) };
                    let g = self.and(w.guard, cond);
                    if !self.is_no(g) {
                        out.push(GWord { guard: g, ..w });
                    }
                }
                let mut v = self.join_words(out);
                v.add_taint(&pats.taint);
                v.add_taint(&text.taint);
                v
            }
            "sort" => {
                let v = self.expand(args);
                let words = self.words(&v);
                let mut merged: Vec<GWord> = Vec::new();
                for w in words {
                    match merged.iter().position(|m| m.text == w.text) {
                        Some(i) => {
                            let g = merged[i].guard;
                            merged[i].guard = self.or(g, w.guard);
                        }
                        None => merged.push(w),
                    }
                }
                merged.sort_by(|a, b| a.text.cmp(&b.text));
                let mut out = self.join_words(merged);
                out.add_taint(&v.taint);
                out
            }
            "word" | "wordlist" | "words" | "lastword" => {
                let a = split_args(
                    args,
                    if fname == "wordlist" {
                        3
                    } else if fname == "word" {
                        2
                    } else {
                        1
                    },
                );
                let vals: Vec<Value> = a.iter().map(|x| self.expand(x)).collect();
                if vals.iter().any(|v| !v.is_plain(yes)) {
                    return self.unknown_value(fname, args);
                }
                let s: Vec<String> = vals.iter().map(|v| v.flat()).collect();
                let text = match fname {
                    "words" => s[0].split_whitespace().count().to_string(),
                    "lastword" => s[0].split_whitespace().last().unwrap_or("").to_string(),
                    "word" if s.len() == 2 => {
                        let n: usize = s[0].trim().parse().unwrap_or(0);
                        if n == 0 {
                            return self.bad_args(fname);
                        }
                        s[1].split_whitespace().nth(n - 1).unwrap_or("").to_string()
                    }
                    "wordlist" if s.len() == 3 => {
                        let from: usize = s[0].trim().parse().unwrap_or(1).max(1);
                        let to: usize = s[1].trim().parse().unwrap_or(0);
                        s[2].split_whitespace()
                            .skip(from - 1)
                            .take((to + 1).saturating_sub(from))
                            .collect::<Vec<_>>()
                            .join(" ")
                    }
                    _ => return self.bad_args(fname),
                };
                let mut out = Value::text(text, yes);
                for v in &vals {
                    out.add_taint(&v.taint);
                }
                out
            }
            "firstword" => {
                let v = self.expand(args);
                let words = self.words(&v);
                let mut before = self.pool.no();
                let mut out = Vec::new();
                for w in words {
                    let nb = self.not(before);
                    let g = self.and(w.guard, nb);
                    before = self.or(before, w.guard);
                    if !self.is_no(g) {
                        out.push(GWord { guard: g, ..w });
                    }
                    if before == yes {
                        break;
                    }
                }
                // Alternatives are exclusive: concatenating them without spaces is exact.
                let mut r = Value::new();
                for w in out {
                    r.push(w.text, w.guard, w.span);
                }
                r.add_taint(&v.taint);
                r
            }
            "dir" => {
                let v = self.expand(args);
                self.map_words(&v, |w| match w.rfind('/') {
                    Some(i) => w[..=i].to_string(),
                    None => "./".to_string(),
                })
            }
            "notdir" => {
                let v = self.expand(args);
                self.map_words(&v, |w| match w.rfind('/') {
                    Some(i) => w[i + 1..].to_string(),
                    None => w.to_string(),
                })
            }
            "suffix" | "basename" => {
                let v = self.expand(args);
                let words = self.words(&v);
                let mut out = Vec::new();
                for w in words {
                    let slash = w.text.rfind('/').map_or(0, |i| i + 1);
                    let dot = w.text[slash..].rfind('.').map(|i| i + slash);
                    let t = match (fname, dot) {
                        ("suffix", Some(d)) => w.text[d..].to_string(),
                        ("suffix", None) => continue,
                        (_, Some(d)) => w.text[..d].to_string(),
                        (_, None) => w.text.clone(),
                    };
                    out.push(GWord { text: t, ..w });
                }
                let mut r = self.join_words(out);
                r.add_taint(&v.taint);
                r
            }
            "addsuffix" | "addprefix" => {
                let a = split_args(args, 2);
                if a.len() < 2 {
                    return self.bad_args(fname);
                }
                let fix = self.expand(a[0]);
                let text = self.expand(a[1]);
                if let Some(fix) = self.constant(&fix) {
                    return if fname == "addsuffix" {
                        self.map_words(&text, |w| format!("{w}{fix}"))
                    } else {
                        self.map_words(&text, |w| format!("{fix}{w}"))
                    };
                }
                let suffix = fname == "addsuffix";
                self.per_alternative(&fix, fname, |e, fix| {
                    if suffix {
                        e.map_words(&text, |w| format!("{w}{fix}"))
                    } else {
                        e.map_words(&text, |w| format!("{fix}{w}"))
                    }
                })
            }
            "join" => {
                let a = split_args(args, 2);
                if a.len() < 2 {
                    return self.bad_args(fname);
                }
                let x = self.expand(a[0]);
                let y = self.expand(a[1]);
                let (Some(x), Some(y)) = (self.constant(&x), self.constant(&y)) else {
                    return self.unknown_value(fname, args);
                };
                let xs: Vec<&str> = x.split_whitespace().collect();
                let ys: Vec<&str> = y.split_whitespace().collect();
                let n = xs.len().max(ys.len());
                let joined: Vec<String> = (0..n)
                    .map(|i| format!("{}{}", xs.get(i).unwrap_or(&""), ys.get(i).unwrap_or(&"")))
                    .collect();
                Value::text(joined.join(" "), yes)
            }
            "wildcard" => {
                let v = self.expand(args);
                let words = self.words(&v);
                let mut out = Vec::new();
                for w in words {
                    for m in self.glob(&w.text) {
                        out.push(GWord {
                            text: m,
                            ..w.clone()
                        });
                    }
                }
                self.join_words(out)
            }
            "realpath" | "abspath" => {
                let v = self.expand(args);
                // Relative names are relative to make's working directory, the tree.
                let cwd = self.srctree.display().to_string();
                self.map_words(&v, |w| {
                    if w.starts_with('/') {
                        normalize_abs(w)
                    } else {
                        normalize_abs(&format!("{cwd}/{w}"))
                    }
                })
            }
            "error" => {
                let v = self.expand(args);
                let msg = v.flat();
                self.errors.push(MakeError {
                    condition: self.cur_guard,
                    span: self.span,
                    message: msg.trim().to_string(),
                });
                if let Some(span) = self.span {
                    self.diags.push(Diagnostic::warning(
                        "KP0620",
                        span,
                        format!("$(error {}) reached", msg.trim()),
                    ));
                }
                Value::new()
            }
            "warning" | "info" => {
                let _ = self.expand(args);
                Value::new()
            }
            "shell" | "guile" => {
                let u = self.unknown(&format!("$({fname} {args})"));
                if fname == "shell" && is_file_name_query(args) {
                    self.guards.file_name_queries.insert(u);
                }
                let mut v = Value::new();
                v.taint.push(u);
                v
            }
            "origin" | "flavor" => {
                let v = self.expand(args);
                let n = v.flat();
                let n = n.trim();
                let t = match self.vars.get(n) {
                    None if self.locals.iter().any(|(l, _)| &**l == n) => "automatic",
                    None => "undefined",
                    Some(var) if fname == "flavor" => {
                        if var.recursive() {
                            "recursive"
                        } else {
                            "simple"
                        }
                    }
                    Some(var) => match var.origin {
                        Origin::File => "file",
                        Origin::Env => "environment",
                        Origin::CommandLine => "command line",
                    },
                };
                Value::text(t, yes)
            }
            "value" => {
                let v = self.expand(args);
                let n = v.flat();
                match self.vars.get(n.trim()) {
                    Some(var) => {
                        let mut out = Value::new();
                        for s in &var.segs {
                            match &s.body {
                                SegBody::Raw(r) => out.push(r.to_string(), s.guard, None),
                                SegBody::Val(v) => out.extend(v.clone()),
                            }
                        }
                        out
                    }
                    None => Value::new(),
                }
            }
            "foreach" => {
                let a = split_args(args, 3);
                if a.len() < 3 {
                    return self.bad_args(fname);
                }
                let var = self.expand(a[0]);
                let list = self.expand(a[1]);
                let Some(var) = self.constant(&var) else {
                    return self.unknown_value(fname, args);
                };
                let var = var.trim().to_string();
                let words = self.words(&list);
                let body = a[2];
                let mut out = Value::new();
                let mut first = true;
                for w in words {
                    let wv = Value {
                        parts: vec![crate::value::Part {
                            text: w.text.clone(),
                            guard: yes,
                            span: w.span,
                        }],
                        taint: Vec::new(),
                    };
                    let ctx = self.cur_guard;
                    self.cur_guard = self.and(ctx, w.guard);
                    let r = self.with_local(&var, wv, |e| e.expand(body));
                    self.cur_guard = ctx;
                    if !first {
                        out.push(" ".into(), w.guard, None);
                    }
                    first = false;
                    for p in r.parts {
                        let h = self.and(p.guard, w.guard);
                        if !self.is_no(h) {
                            out.push(p.text, h, p.span);
                        }
                    }
                    out.add_taint(&r.taint);
                }
                out.add_taint(&list.taint);
                out
            }
            "if" => {
                let a = split_args(args, 3);
                if a.len() < 2 {
                    return self.bad_args(fname);
                }
                let c = self.expand(a[0].trim());
                let g = self.nonempty(&c);
                let mut out = Value::new();
                let ctx = self.cur_guard;
                if !self.is_no(g) {
                    self.cur_guard = self.and(ctx, g);
                    let t = self.expand(a[1]);
                    self.cur_guard = ctx;
                    for p in t.parts {
                        let h = self.and(p.guard, g);
                        out.push(p.text, h, p.span);
                    }
                    out.add_taint(&t.taint);
                }
                let ng = self.not(g);
                if a.len() > 2 && !self.is_no(ng) {
                    self.cur_guard = self.and(ctx, ng);
                    let e = self.expand(a[2]);
                    self.cur_guard = ctx;
                    for p in e.parts {
                        let h = self.and(p.guard, ng);
                        if !self.is_no(h) {
                            out.push(p.text, h, p.span);
                        }
                    }
                    out.add_taint(&e.taint);
                }
                out.add_taint(&c.taint);
                out
            }
            "or" => {
                let a = split_args(args, usize::MAX);
                let mut out = Value::new();
                let mut taken = self.pool.no();
                for x in a {
                    let nt = self.not(taken);
                    if self.is_no(nt) {
                        break;
                    }
                    let v = self.expand(x.trim());
                    let g = self.nonempty(&v);
                    for p in v.parts {
                        let h = self.and(p.guard, nt);
                        if !self.is_no(h) {
                            out.push(p.text, h, p.span);
                        }
                    }
                    out.add_taint(&v.taint);
                    taken = self.or(taken, g);
                }
                out
            }
            "and" => {
                let a = split_args(args, usize::MAX);
                let mut all = yes;
                let mut last = Value::new();
                for x in a {
                    if self.is_no(all) {
                        break;
                    }
                    let v = self.expand(x.trim());
                    let g = self.nonempty(&v);
                    all = self.and(all, g);
                    last = v;
                }
                let mut out = Value::new();
                for p in last.parts {
                    let h = self.and(p.guard, all);
                    if !self.is_no(h) {
                        out.push(p.text, h, p.span);
                    }
                }
                out.taint = last.taint;
                out
            }
            "call" => {
                let a = split_args(args, usize::MAX);
                let name = self.expand(a[0]);
                let Some(name) = self.constant(&name) else {
                    return self.unknown_value(fname, args);
                };
                let name = name.trim().to_string();
                let mut bound: Vec<(Rc<str>, Value)> =
                    vec![("0".into(), Value::text(name.clone(), yes))];
                for (k, x) in a.iter().enumerate().skip(1) {
                    let v = self.expand(x);
                    bound.push((k.to_string().into(), v));
                }
                // Unset higher-numbered arguments of an enclosing call, as make does.
                for k in a.len()..10 {
                    bound.push((k.to_string().into(), Value::new()));
                }
                if FUNCTIONS.contains(&name.as_str()) {
                    let joined: Vec<String> =
                        bound[1..a.len()].iter().map(|(_, v)| v.flat()).collect();
                    return self.function(&name, &joined.join(","));
                }
                let n = bound.len();
                self.locals.extend(bound);
                let v = match self.vars.get(name.as_str()).cloned() {
                    Some(_) => self.var_value_as(&name, true),
                    None => Value::new(),
                };
                self.locals.truncate(self.locals.len() - n);
                v
            }
            "eval" => {
                let v = self.expand(args);
                if !v.taint.is_empty() {
                    self.warn(
                        "KP0621",
                        "$(eval) of text that depends on $(shell ...)".into(),
                    );
                    let taint = v.taint.clone();
                    self.unknown_events.extend(taint);
                }
                let alts = match self.alternatives(&v) {
                    Ok(alts) => alts,
                    Err(u) => {
                        // Text that is not known changes what is read at all.
                        self.unknown_events.push(u);
                        Vec::new()
                    }
                };
                let span = self.span;
                // The text is read where it is expanded: under the statement's guard and
                // the guards of the `$(foreach)` words / `$(if)` branches around it.
                let ctx = self.cur_guard;
                for (text, g) in alts {
                    let g = self.and(ctx, g);
                    if self.is_no(g) {
                        continue;
                    }
                    let label = span.map_or_else(
                        || "<eval>".to_string(),
                        |s| format!("<eval at {}>", self.sources.location(s)),
                    );
                    let id = self.sources.add(label, text.clone());
                    let (stmts, d) = parse::parse(id, &text);
                    self.diags.extend(d);
                    if self.depth > 32 {
                        self.warn("KP0622", "$(eval) nested too deeply".into());
                        break;
                    }
                    self.depth += 1;
                    self.exec(&stmts, g);
                    self.depth -= 1;
                    self.span = span;
                    self.cur_guard = ctx;
                }
                Value::new()
            }
            "file" => {
                let v = self.expand(args);
                let t = v.flat();
                if let Some(path) = t.trim().strip_prefix('<') {
                    let p = self.resolve(path.trim());
                    let text = std::fs::read_to_string(p).unwrap_or_default();
                    return Value::text(text.trim_end_matches('\n').to_string(), yes);
                }
                Value::new()
            }
            _ => self.unknown_value(fname, args),
        }
    }

    /// Applies `f` to each alternative of a function argument that must be a constant
    /// string (a prefix, a pattern), guarding each result with its alternative's guard.
    fn per_alternative(
        &mut self,
        arg: &Value,
        fname: &str,
        mut f: impl FnMut(&mut Self, &str) -> Value,
    ) -> Value {
        let alts = match self.alternatives(arg) {
            Ok(alts) if alts.len() <= 8 => alts,
            _ => return self.unknown_value(fname, ""),
        };
        let mut out = Value::new();
        for (text, g) in alts {
            let r = f(self, &text);
            for p in r.parts {
                let h = self.and(p.guard, g);
                if !self.is_no(h) {
                    out.push(p.text, h, p.span);
                }
            }
            out.add_taint(&r.taint);
            // Alternatives are exclusive; a separating space keeps their words apart.
            out.push(" ".into(), g, None);
        }
        out.add_taint(&arg.taint);
        out
    }

    fn bad_args(&mut self, fname: &str) -> Value {
        self.warn("KP0623", format!("wrong number of arguments to `{fname}`"));
        Value::new()
    }

    fn unknown_value(&mut self, fname: &str, args: &str) -> Value {
        let u = self.unknown(&format!("$({fname} {args})"));
        self.warn(
            "KP0624",
            format!("`{fname}` with configuration-dependent arguments is not modelled"),
        );
        let mut v = Value::new();
        v.taint.push(u);
        v
    }

    /// A file name as make opens it: relative to its working directory, the tree (7.x's
    /// `$(srcroot)/...` names start with `./`, which is dropped).
    fn resolve(&self, p: &str) -> PathBuf {
        if p.starts_with('/') {
            PathBuf::from(p)
        } else {
            let mut out = self.srctree.clone();
            for c in Path::new(p).components() {
                if c != std::path::Component::CurDir {
                    out.push(c);
                }
            }
            out
        }
    }

    /// `$(wildcard)`: relative patterns are relative to make's working directory, the tree
    /// (the top Makefile is evaluated as `make` run in the tree), and match relative names.
    fn glob(&mut self, pat: &str) -> Vec<String> {
        if !pat.starts_with('/') {
            let cwd = self.srctree.display().to_string();
            let cwd = cwd.trim_end_matches('/');
            let abs = format!("{cwd}/{pat}");
            return self
                .glob(&abs)
                .into_iter()
                .filter_map(|m| m.strip_prefix(&format!("{cwd}/")).map(str::to_string))
                .collect();
        }
        if !pat.contains(['*', '?', '[']) {
            return if Path::new(pat).exists() {
                vec![pat.to_string()]
            } else {
                Vec::new()
            };
        }
        let mut results = vec![String::new()];
        for comp in pat.split('/').skip(1) {
            let mut next = Vec::new();
            for base in &results {
                if comp.contains(['*', '?', '[']) {
                    let dir = if base.is_empty() {
                        "/".to_string()
                    } else {
                        base.clone()
                    };
                    let Ok(rd) = std::fs::read_dir(&dir) else {
                        continue;
                    };
                    let mut names: Vec<String> = rd
                        .filter_map(|e| e.ok()?.file_name().into_string().ok())
                        .collect();
                    names.sort();
                    for n in names {
                        if (!n.starts_with('.') || comp.starts_with('.'))
                            && glob_match(comp.as_bytes(), n.as_bytes())
                        {
                            next.push(format!("{base}/{n}"));
                        }
                    }
                } else {
                    let p = format!("{base}/{comp}");
                    if Path::new(&p).exists() || comp.is_empty() {
                        next.push(p);
                    }
                }
            }
            results = next;
        }
        results
    }
}

fn glob_match(p: &[u8], s: &[u8]) -> bool {
    match (p.first(), s.first()) {
        (None, None) => true,
        (Some(b'*'), _) => glob_match(&p[1..], s) || (!s.is_empty() && glob_match(p, &s[1..])),
        (Some(b'?'), Some(_)) => glob_match(&p[1..], &s[1..]),
        (Some(b'['), Some(&c)) => match p.iter().position(|&x| x == b']') {
            Some(end) => {
                let set = &p[1..end];
                let (neg, set) = if set.first() == Some(&b'!') || set.first() == Some(&b'^') {
                    (true, &set[1..])
                } else {
                    (false, set)
                };
                let mut hit = false;
                let mut i = 0;
                while i < set.len() {
                    if i + 2 < set.len() && set[i + 1] == b'-' {
                        hit |= set[i] <= c && c <= set[i + 2];
                        i += 3;
                    } else {
                        hit |= set[i] == c;
                        i += 1;
                    }
                }
                hit != neg && glob_match(&p[end + 1..], &s[1..])
            }
            None => false,
        },
        (Some(a), Some(b)) if a == b => glob_match(&p[1..], &s[1..]),
        _ => false,
    }
}

fn normalize_abs(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(c),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Whether `$(shell COMMAND)` only asks the compiler where a file is
/// (`$(CC) ... -print-libgcc-file-name`, `-print-file-name=LIB`): gcc and clang print the
/// absolute path of the file, or its bare name when not found (gcc manual,
/// `-print-file-name`). Arch Makefiles add it to `libs-y` (`LIBGCC`) to be linked, never a
/// directory of the source tree to descend into.
pub fn is_file_name_query(command: &str) -> bool {
    let command = command.trim();
    command.starts_with("$(CC)")
        && !command.contains([';', '|', '&', '<', '>', '`'])
        && !command.contains("$(shell")
        && command.split_whitespace().any(|w| {
            w == "-print-libgcc-file-name"
                || w == "--print-libgcc-file-name"
                || w.starts_with("-print-file-name=")
        })
}
