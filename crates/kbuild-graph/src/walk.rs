//! The descent: the top-level Makefile's directory lists for one ARCH, then every directory
//! as `scripts/Makefile.build` + `scripts/Makefile.lib` process it.
//!
//! The per-directory make invocation is emulated faithfully (command-line `obj`,
//! `need-builtin`, `need-modorder`; exported variables of the top make as environment; the
//! resets at the top of Makefile.build; `scripts/Kbuild.include` and
//! `scripts/Makefile.compiler` read by the evaluator; then the kbuild file). The list
//! arithmetic of `Makefile.lib` (steps 1-7 in kbuild-semantics.md) is done natively over
//! guarded words, because it is the same for every directory and is where guards must be
//! combined with care (`filter-out $(obj-y)` becomes "and not listed in obj-y").

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::PathBuf;
use std::rc::Rc;

use kp_base::{Diagnostic, ExprId, ExprPool, FileId, SourceMap, Span};

use crate::eval::{ConfigMode, Eval, FileCache, MakeError, Origin, Vars};
use crate::guard::Guards;
use crate::value::{GWord, Value};

/// What to evaluate.
#[derive(Clone, Debug)]
pub struct Options {
    /// The tree root.
    pub srctree: PathBuf,
    /// `ARCH=` as given.
    pub arch: String,
    /// The directory under `arch/`.
    pub srcarch: String,
    /// Concrete config values or symbolic.
    pub config: ConfigMode,
    /// Variables pinned on the make command line (the oracle pins `RUSTC`, `PAHOLE`).
    pub pins: Vec<(String, String)>,
}

/// An object (or a `lib.a` member) listed under a condition, relative to its directory being
/// entered with the right flag.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Its path from the tree root, `dir/../` resolved.
    pub object: String,
    /// When it is listed, given that the directory is entered with need-builtin (for
    /// built-in and lib entries) or need-modorder (for module members).
    pub guard: ExprId,
    /// The Makefile line that lists it.
    pub span: Option<Span>,
    /// The composite object (`dir/foo.o` of `foo-y += ...`) it is a member of, when it is
    /// listed as one; `Makefile.lib` names the object's `KBUILD_MODNAME`/`KBUILD_MODFILE`
    /// after it (`modname-multi`).
    pub composite: Option<String>,
}

/// A module listed in a directory's obj-m.
#[derive(Clone, Debug)]
pub struct ModuleEntry {
    /// `dir/name.o`, normalized.
    pub object: String,
    /// When it is in obj-m (after `filter-out $(obj-y)`).
    pub guard: ExprId,
    /// The line listing it.
    pub span: Option<Span>,
    /// Its member objects with their guards: the composite's `-objs`/`-y`/`-m` members when
    /// it is composite, else the object itself.
    pub members: Vec<Entry>,
}

/// One item of a directory's `modules.order`.
#[derive(Clone, Debug)]
pub enum OrderItem {
    /// A subdirectory's `modules.order`, under a local guard.
    Sub(usize, ExprId),
    /// A module of this directory (index into [`Dir::modules`]).
    Module(usize),
}

/// A subdirectory reference with local guards.
#[derive(Clone, Debug)]
pub struct Child {
    /// Index of the child directory.
    pub dir: usize,
    /// Listed in subdir-ym at all.
    pub visit: ExprId,
    /// Listed as `d/` in obj-y: entered with need-builtin when this directory has it.
    pub builtin: ExprId,
    /// Listed as `d/` in obj-y or obj-m: entered with need-modorder when this one has it.
    pub modorder: ExprId,
}

/// One directory of the graph.
#[derive(Clone, Debug)]
pub struct Dir {
    /// `obj` as make spells it (`.`, `drivers/net`).
    pub path: String,
    /// The kbuild file read, if any.
    pub file: Option<FileId>,
    /// When the directory is visited at all.
    pub visit: ExprId,
    /// When it is entered with need-builtin.
    pub need_builtin: ExprId,
    /// When it is entered with need-modorder.
    pub need_modorder: ExprId,
    /// real-obj-y `.o` entries (archived into built-in.a when need-builtin).
    pub builtin: Vec<Entry>,
    /// lib-y entries.
    pub lib: Vec<Entry>,
    /// obj-m `.o` entries.
    pub modules: Vec<ModuleEntry>,
    /// modules.order in order.
    pub order: Vec<OrderItem>,
    /// Subdirectories.
    pub children: Vec<Child>,
    /// Unknown facts that influenced this directory's lists.
    pub unknowns: Vec<ExprId>,
    /// `$(error ...)` reached in this directory's make: local guard, line, message.
    pub errors: Vec<MakeError>,
}

/// The evaluated Kbuild graph for one tree and ARCH.
#[derive(Debug)]
pub struct Graph {
    /// Directories; index 0 is `.`.
    pub dirs: Vec<Dir>,
    /// Evaluation problems.
    pub diagnostics: Vec<Diagnostic>,
    /// Top-level unknowns (arch Makefile lists that depend on the host).
    pub unknowns: Vec<ExprId>,
    /// `$(error ...)` reached in the top-level make (arch Makefile): guard, line, message.
    pub errors: Vec<MakeError>,
}

struct Walker<'a> {
    pool: &'a mut ExprPool,
    sources: &'a mut SourceMap,
    cache: FileCache,
    guards: Guards,
    diags: Vec<Diagnostic>,
    opts: Options,
    base: Vars,
    src_line: String,
    /// Makefile.build's `src :=` line, parsed once.
    src_stmts: Rc<Vec<crate::parse::Stmt>>,
    /// Per directory: the variables its parent make exported beyond the top-level ones (a
    /// sub-make inherits its parent's environment).
    env_overlay: HashMap<usize, Vars>,
    /// When not empty, only these directories and their ancestors are entered.
    toward: Vec<String>,
    /// Where the top-level make starts the descent; None when it could not be found.
    start: Option<Start>,
    /// See `Eval::auto_conf_quoted`.
    auto_conf_quoted: bool,
}

fn parent_prefix(dir: &str) -> String {
    if dir == "." {
        String::new()
    } else {
        format!("{dir}/")
    }
}

/// Resolves `.` and `..` textually (`amdgpu/../amdkfd/x.o` is `amdkfd/x.o`).
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            _ => parts.push(c),
        }
    }
    parts.join("/")
}

/// Evaluates the whole Kbuild graph.
pub fn evaluate(opts: Options, pool: &mut ExprPool, sources: &mut SourceMap) -> Graph {
    evaluate_toward(opts, &[], pool, sources)
}

/// [`evaluate`], entering only the directories on the way to each of `toward` (paths
/// relative to the tree root, as `drivers/net`), or every directory when it is empty.
///
/// The result lists fewer directories, each exactly as the whole walk lists it: a directory's
/// make reads only what its parents pass down. What it misses are the ways into a directory
/// from elsewhere (`obj-y += ../x/`), so an object it places in a module is placed there by
/// the whole walk too, but one it does not list may still be listed by the whole walk.
pub fn evaluate_toward(
    opts: Options,
    toward: &[String],
    pool: &mut ExprPool,
    sources: &mut SourceMap,
) -> Graph {
    let mut w = Walker {
        pool,
        sources,
        cache: FileCache::default(),
        guards: Guards::default(),
        diags: Vec::new(),
        opts,
        base: Vars::new(),
        src_line: String::new(),
        src_stmts: Rc::new(Vec::new()),
        env_overlay: HashMap::new(),
        toward: toward.iter().map(|d| normalize(d)).collect(),
        start: None,
        auto_conf_quoted: false,
    };
    w.auto_conf_quoted = !crate::config::auto_conf_strings_raw(&w.opts.srctree);
    let (env, mut top_unknowns, top_errors, start) = w.top();
    w.start = start;
    let (base, base_unknowns) = w.base_vars(env);
    w.base = base;
    // What Kbuild.include / Makefile.compiler lost, every directory's make loses.
    top_unknowns.extend(base_unknowns);
    let mb =
        std::fs::read_to_string(w.opts.srctree.join("scripts/Makefile.build")).unwrap_or_default();
    w.src_line = mb
        .lines()
        .find(|l| l.starts_with("src :=") || l.starts_with("src:="))
        .unwrap_or("src := $(obj)")
        .to_string();
    let id = w.sources.add(
        PathBuf::from("<scripts/Makefile.build: src>"),
        w.src_line.clone(),
    );
    w.src_stmts = Rc::new(crate::parse::parse(id, &w.src_line).0);
    let dirs = w.descend();
    // A `$(eval)` re-run by a recursion reads its text as a new file each time: a
    // diagnostic the user would see twice, same text at the same line and column of the same
    // (virtual) file, is said once.
    let mut said = std::collections::HashSet::new();
    let sources = &*w.sources;
    w.diags.retain(|d| {
        let at = sources.line_col(d.primary);
        said.insert((
            d.code,
            d.message.clone(),
            sources.path(d.primary.file).to_path_buf(),
            at.line,
            at.col,
        ))
    });
    Graph {
        dirs,
        diagnostics: w.diags,
        unknowns: top_unknowns,
        errors: top_errors,
    }
}

impl Walker<'_> {
    /// Whether `dir` is one of [`evaluate_toward`]'s directories or an ancestor of one.
    fn on_the_way(&self, dir: &str) -> bool {
        if self.toward.is_empty() {
            return true;
        }
        let dir = normalize(dir);
        self.toward.iter().any(|t| {
            *t == dir || (t.starts_with(&dir) && t.as_bytes().get(dir.len()) == Some(&b'/'))
        })
    }

    fn eval(&mut self, vars: Vars) -> Eval<'_> {
        let quoted = self.auto_conf_quoted;
        let mut e = Eval::new(
            self.pool,
            self.sources,
            &mut self.cache,
            &mut self.guards,
            &mut self.diags,
            vars,
            self.opts.config.clone(),
            self.opts.srctree.clone(),
        );
        e.auto_conf_quoted = quoted;
        e
    }

    /// The top-level make, as `make ARCH=...` run in the tree evaluates the tree's own
    /// Makefile (and through it the arch Makefile): the first invocation, then the sub-make
    /// it hands the build to when it sets `need-sub-make`, with what the first one exported.
    /// Returns the final make's exported variables (every directory's environment), its
    /// unknowns and `$(error)`s, and where the build starts ([`Start`]).
    fn top(&mut self) -> (Vars, Vec<ExprId>, Vec<MakeError>, Option<Start>) {
        let root = self.opts.srctree.clone();
        let curdir = root.display().to_string();
        let makefile = root.join("Makefile");
        let arch_mk = root.join("arch").join(&self.opts.srcarch).join("Makefile");
        if !arch_mk.is_file() {
            let id = self.sources.add(arch_mk.clone(), String::new());
            self.diags.push(Diagnostic::error(
                "KP0630",
                Span::new(id, 0, 0),
                "arch Makefile not found",
            ));
        }
        let mut cmdline = vec![("ARCH".to_string(), self.opts.arch.clone())];
        cmdline.extend(self.opts.pins.iter().cloned());
        let cmdline_text: Vec<String> = cmdline.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let cmdline_text = cmdline_text.join(" ");
        let mut env = Vars::new();
        let mut makeflags = format!("-- {cmdline_text}");
        let mut first = true;
        loop {
            let mut e = self.eval(env.clone());
            e.events_as_taint = true;
            let yes = e.yes();
            // make's own variables for a makefile named on no command line, read in the tree.
            for (k, v) in [
                ("CURDIR", curdir.as_str()),
                ("MAKEFILE_LIST", "Makefile"),
                ("MAKECMDGOALS", ""),
                ("MAKEFLAGS", makeflags.as_str()),
                ("MAKE", "make"),
            ] {
                e.set_str(k, v, Origin::File);
            }
            for (k, v) in &cmdline {
                e.set_str(k, v, Origin::CommandLine);
            }
            if !e.include_file(&makefile, yes) {
                let id = e.sources.add(makefile.clone(), String::new());
                e.diags.push(Diagnostic::error(
                    "KP0633",
                    Span::new(id, 0, 0),
                    "no top-level Makefile: cannot find where the build starts",
                ));
                return (Vars::new(), Vec::new(), Vec::new(), None);
            }
            // The first make only re-invokes itself (`__sub-make`) when it sets need-sub-make.
            if first && e.expand("$(need-sub-make)").flat().trim() == "1" {
                let nopd = e.expand("$(no-print-directory)").flat();
                makeflags = format!("rR {} -- {cmdline_text}", nopd.trim());
                env = e.exported_vars();
                first = false;
                continue;
            }
            let text = std::fs::read_to_string(&makefile).unwrap_or_default();
            let file = e.file_id(&makefile);
            let mut unknowns = Vec::new();
            let start = match descent_rule(&text) {
                None => {
                    if let Some(id) = file {
                        e.diags.push(Diagnostic::error(
                            "KP0633",
                            Span::new(id, 0, 0),
                            "no rule of the top Makefile descends with `$(MAKE) $(build)=$@`: cannot find where the build starts",
                        ));
                    }
                    None
                }
                Some(rule) => {
                    let v = e.expand(&rule.targets);
                    unknowns.extend(list_taint(&e, &v));
                    let dirs: Vec<GWord> = e
                        .words(&v)
                        .into_iter()
                        .filter(|w| !is_no(&e, w.guard))
                        .collect();
                    let span = file.map(|id| Span::new(id, rule.start, rule.end));
                    if dirs.is_empty()
                        && let Some(span) = span
                    {
                        e.diags.push(Diagnostic::error(
                            "KP0633",
                            span,
                            format!(
                                "`{}` names no directory: cannot find where the build starts",
                                rule.targets
                            ),
                        ));
                    }
                    Some(Start {
                        dirs,
                        need_builtin: rule.need_builtin,
                        need_modorder: rule.need_modorder,
                        file,
                    })
                }
            };
            unknowns.extend(e.unknown_events.iter().copied());
            let env = e.exported_vars();
            return (env, unknowns, std::mem::take(&mut e.errors), start);
        }
    }

    /// The variables every directory starts with: environment, command line, the resets of
    /// Makefile.build, and what Kbuild.include / Makefile.compiler define; with the unknown
    /// events of reading them.
    fn base_vars(&mut self, env: Vars) -> (Vars, Vec<ExprId>) {
        let root = self.opts.srctree.clone();
        let mut vars = Vars::new();
        for (k, v) in env {
            vars.insert(k, Rc::new(v.as_env()));
        }
        let mut e = self.eval(vars);
        let yes = e.yes();
        for k in [
            "obj-y",
            "obj-m",
            "lib-y",
            "lib-m",
            "always-y",
            "always-m",
            "targets",
            "subdir-y",
            "subdir-m",
            "EXTRA_AFLAGS",
            "EXTRA_CFLAGS",
            "EXTRA_CPPFLAGS",
            "EXTRA_LDFLAGS",
            "asflags-y",
            "ccflags-y",
            "rustflags-y",
            "cppflags-y",
            "ldflags-y",
            "subdir-asflags-y",
            "subdir-ccflags-y",
        ] {
            e.set_str(k, "", Origin::File);
        }
        for f in ["scripts/Kbuild.include", "scripts/Makefile.compiler"] {
            e.include_file(&root.join(f), yes);
        }
        let unknowns = std::mem::take(&mut e.unknown_events);
        (std::mem::take(&mut e.vars), unknowns)
    }

    fn descend(&mut self) -> Vec<Dir> {
        let mut dirs: Vec<Dir> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut queue = VecDeque::new();
        let yes = self.pool.yes();
        let no = self.pool.no();
        // `.` is the top-level make. From 6.1 on it descends into `.` itself (./Kbuild lists
        // the top-level directories); before, into each of `$(build-dirs)`.
        let start = self.start.clone();
        let from_dot = start
            .as_ref()
            .is_some_and(|s| s.dirs.len() == 1 && s.dirs[0].text == "." && s.dirs[0].guard == yes);
        let flag = |f: bool| if f { yes } else { no };
        match &start {
            Some(s) if from_dot => dirs.push(new_dir(
                ".",
                yes,
                flag(s.need_builtin),
                flag(s.need_modorder),
            )),
            _ => dirs.push(new_dir(".", yes, yes, yes)),
        }
        // The directory each was first reached from (None for the root).
        let mut first_parent: Vec<Option<usize>> = vec![None];
        index.insert(".".into(), 0);
        queue.push_back(0);
        while let Some(i) = queue.pop_front() {
            let path = dirs[i].path.clone();
            let concrete = matches!(self.opts.config, ConfigMode::Concrete(_));
            let (nb, nm) = if concrete {
                (dirs[i].need_builtin == yes, dirs[i].need_modorder == yes)
            } else {
                (true, true)
            };
            let overlay = self.env_overlay.get(&i).cloned().unwrap_or_default();
            let local = match &start {
                _ if i != 0 || from_dot => self.directory(&path, nb, nm, &overlay),
                Some(s) => top_local(s, no),
                None => top_local(
                    &Start {
                        dirs: Vec::new(),
                        need_builtin: false,
                        need_modorder: false,
                        file: None,
                    },
                    no,
                ),
            };
            let mut children = Vec::new();
            let mut child_env = overlay;
            for (k, v) in &local.exports {
                child_env.insert(k.clone(), v.clone());
            }
            for (sub, visit, b, m) in local.children {
                let child_path = format!("{}{}", parent_prefix(&path), sub);
                let ci = match index.get(&child_path) {
                    Some(&c) => c,
                    None if !self.on_the_way(&child_path) => continue,
                    None => {
                        if let Some(why) = endless_descent(&dirs, &first_parent, i, &child_path) {
                            let file = local.file.unwrap_or_else(|| {
                                self.sources
                                    .add(self.opts.srctree.join(&path), String::new())
                            });
                            self.diags.push(Diagnostic::error(
                                "KP0632",
                                Span::new(file, 0, 0),
                                format!("subdirectory `{sub}` of `{path}` {why}: make would descend forever"),
                            ));
                            continue;
                        }
                        dirs.push(new_dir(&child_path, no, no, no));
                        first_parent.push(Some(i));
                        index.insert(child_path, dirs.len() - 1);
                        queue.push_back(dirs.len() - 1);
                        dirs.len() - 1
                    }
                };
                // Concrete mode: flags are known now, and children are evaluated after the
                // parent (BFS), so propagate immediately.
                if concrete {
                    let (pnb, pnm) = (dirs[i].need_builtin, dirs[i].need_modorder);
                    let cnb = self.pool.and(pnb, b);
                    let cnm = self.pool.and(pnm, m);
                    let c = &mut dirs[ci];
                    c.visit = self.pool.or(c.visit, visit);
                    c.need_builtin = self.pool.or(c.need_builtin, cnb);
                    c.need_modorder = self.pool.or(c.need_modorder, cnm);
                }
                if !child_env.is_empty() {
                    self.env_overlay
                        .entry(ci)
                        .or_insert_with(|| child_env.clone());
                }
                children.push(Child {
                    dir: ci,
                    visit,
                    builtin: b,
                    modorder: m,
                });
            }
            let d = &mut dirs[i];
            d.file = local.file;
            d.builtin = local.builtin;
            d.lib = local.lib;
            d.modules = local.modules;
            d.order = local
                .order
                .into_iter()
                .filter_map(|o| match o {
                    LocalOrder::Sub(sub, g) => {
                        let cp = format!("{}{}", parent_prefix(&path), sub);
                        index.get(&cp).map(|&c| OrderItem::Sub(c, g))
                    }
                    LocalOrder::Module(k) => Some(OrderItem::Module(k)),
                })
                .collect();
            d.children = children;
            d.unknowns = local.unknowns;
            d.errors = local.errors;
        }
        // Also in concrete mode: a directory first reached without need-builtin (through
        // subdir-y, say) and later through obj-y is entered twice by make; its children's
        // flags must come from both.
        propagate(self.pool, &mut dirs);
        dirs
    }

    /// One make invocation: `make -f scripts/Makefile.build obj=DIR`.
    fn directory(&mut self, path: &str, nb: bool, nm: bool, overlay: &Vars) -> Local {
        let root = self.opts.srctree.clone();
        let mut base = self.base.clone();
        for (k, v) in overlay {
            // Environment loses against makefile assignments (Kbuild.include, the resets).
            if base.get(k).is_none_or(|b| b.is_env()) {
                base.insert(k.clone(), Rc::new(v.as_env()));
            }
        }
        let src_stmts = self.src_stmts.clone();
        let start = base.clone();
        let mut e = self.eval(base);
        let yes = e.yes();
        e.set_str("obj", path, Origin::CommandLine);
        e.set_str(
            "need-builtin",
            if nb { "1" } else { "" },
            Origin::CommandLine,
        );
        e.set_str(
            "need-modorder",
            if nm { "1" } else { "" },
            Origin::CommandLine,
        );
        e.exec(&src_stmts, yes);
        let dir = root.join(path);
        let kbuild = if dir.join("Kbuild").is_file() {
            dir.join("Kbuild")
        } else {
            dir.join("Makefile")
        };
        let mut file = None;
        if e.include_file(&kbuild, yes) {
            file = e.file_id(&kbuild);
        } else {
            let id = e.sources.add(kbuild.clone(), String::new());
            e.diags.push(Diagnostic::error(
                "KP0631",
                Span::new(id, 0, 0),
                format!("no kbuild file in `{path}`"),
            ));
        }
        let mut local = lib_steps(&mut e, path, file);
        local.errors = std::mem::take(&mut e.errors);
        local.unknowns.extend(e.unknown_events.iter().copied());
        local.unknowns.sort();
        local.unknowns.dedup();
        // What this make exports beyond what it started with is its children's environment.
        for (k, v) in &e.vars {
            let exported = v.export || e.exports.contains(&**k);
            if exported && !start.get(k).is_some_and(|s| Rc::ptr_eq(s, v)) {
                local.exports.insert(k.clone(), v.clone());
            }
        }
        local
    }
}

/// The top-level make as a directory when it descends into several (`$(build-dirs)`): each
/// is a child entered with the recipe's flags, and the top-level `modules.order` is theirs
/// in that order (`modules.order: $(subdir-modorder)`).
fn top_local(s: &Start, no: ExprId) -> Local {
    let mut children = Vec::new();
    let mut order = Vec::new();
    for w in &s.dirs {
        let d = w.text.trim_end_matches('/').to_string();
        if d.is_empty() || d == "." {
            continue;
        }
        let b = if s.need_builtin { w.guard } else { no };
        let m = if s.need_modorder { w.guard } else { no };
        if s.need_modorder {
            order.push(LocalOrder::Sub(d.clone(), w.guard));
        }
        children.push((d, w.guard, b, m));
    }
    Local {
        file: s.file,
        builtin: Vec::new(),
        lib: Vec::new(),
        modules: Vec::new(),
        order,
        children,
        unknowns: Vec::new(),
        errors: Vec::new(),
        exports: Vars::new(),
    }
}

/// Where the top-level make starts the descent: the targets of its rule whose recipe runs
/// `$(MAKE) $(build)=$@` (`.` from 6.1 on, `$(build-dirs)` before), each entered with the
/// recipe's need-builtin / need-modorder.
#[derive(Clone, Debug)]
struct Start {
    dirs: Vec<GWord>,
    need_builtin: bool,
    need_modorder: bool,
    file: Option<FileId>,
}

/// The rule of a top Makefile that descends into the build directories.
struct DescentRule {
    targets: String,
    start: usize,
    end: usize,
    need_builtin: bool,
    need_modorder: bool,
}

/// Finds the rule whose recipe is `$(Q)$(MAKE) $(build)=$@ ...` (top Makefile:
/// `$(build-dir): prepare` / `$(build-dirs): prepare`), with its recipe's flags.
fn descent_rule(text: &str) -> Option<DescentRule> {
    let mut lines = Vec::new();
    let mut off = 0;
    for l in text.split_inclusive('\n') {
        lines.push((off, l.trim_end_matches('\n')));
        off += l.len();
    }
    let i = lines
        .iter()
        .position(|(_, l)| l.starts_with('\t') && l.contains("$(build)=$@"))?;
    let mut recipe = String::new();
    for (_, l) in &lines[i..] {
        recipe.push_str(l.trim_end_matches('\\'));
        recipe.push(' ');
        if !l.ends_with('\\') {
            break;
        }
    }
    let (start, rule) = lines[..i]
        .iter()
        .rev()
        .find(|(_, l)| !l.starts_with('\t') && !l.trim_start().starts_with('#'))?;
    let (targets, _) = rule.split_once(':')?;
    let has = |flag: &str| recipe.split_whitespace().any(|w| w == flag);
    Some(DescentRule {
        targets: targets.trim().to_string(),
        start: *start,
        end: start + rule.len(),
        need_builtin: has("need-builtin=1"),
        need_modorder: has("need-modorder=1"),
    })
}

enum LocalOrder {
    Sub(String, ExprId),
    Module(usize),
}

struct Local {
    file: Option<FileId>,
    builtin: Vec<Entry>,
    lib: Vec<Entry>,
    modules: Vec<ModuleEntry>,
    order: Vec<LocalOrder>,
    children: Vec<(String, ExprId, ExprId, ExprId)>,
    unknowns: Vec<ExprId>,
    errors: Vec<MakeError>,
    exports: Vars,
}

/// Why entering `child` from directory `parent` would never end, if it would: it names
/// `parent` or one of the directories `parent` was reached through (`sub//`, `../`), or it is
/// nested absurdly deep. Each such `obj=` is a new make invocation of the same Makefile.
fn endless_descent(
    dirs: &[Dir],
    first_parent: &[Option<usize>],
    parent: usize,
    child: &str,
) -> Option<String> {
    const MAX_COMPONENTS: usize = 64;
    if child.split('/').count() > MAX_COMPONENTS {
        return Some(format!(
            "is nested more than {MAX_COMPONENTS} directories deep"
        ));
    }
    let target = normalize(child);
    let mut at = Some(parent);
    while let Some(k) = at {
        if normalize(&dirs[k].path) == target {
            return Some(format!("is `{}` again", dirs[k].path));
        }
        at = first_parent[k];
    }
    None
}

fn new_dir(path: &str, visit: ExprId, nb: ExprId, nm: ExprId) -> Dir {
    Dir {
        path: path.to_string(),
        file: None,
        visit,
        need_builtin: nb,
        need_modorder: nm,
        builtin: Vec::new(),
        lib: Vec::new(),
        modules: Vec::new(),
        order: Vec::new(),
        children: Vec::new(),
        unknowns: Vec::new(),
        errors: Vec::new(),
    }
}

/// Per word text, the guards of the words with that text, in list order: `listed` ORs them
/// exactly as a scan of the list would, so `$(filter-out $(obj-y),...)` takes linear time
/// however long the lists, with the same conditions.
fn listed_index(words: &[GWord]) -> HashMap<&str, Vec<ExprId>> {
    let mut index: HashMap<&str, Vec<ExprId>> = HashMap::new();
    for w in words {
        index.entry(w.text.as_str()).or_default().push(w.guard);
    }
    index
}

/// OR of the guards of the words equal to `text` (see [`listed_index`]).
fn listed(e: &mut Eval<'_>, index: &HashMap<&str, Vec<ExprId>>, text: &str) -> ExprId {
    let mut acc = e.pool.no();
    for &g in index.get(text).map_or(&[][..], Vec::as_slice) {
        acc = e.pool.or(acc, g);
    }
    acc
}

fn and(e: &mut Eval<'_>, a: ExprId, b: ExprId) -> ExprId {
    e.guards.and(e.pool, a, b)
}

fn is_no(e: &Eval<'_>, g: ExprId) -> bool {
    matches!(e.pool.get(g), kp_base::Expr::Const(kp_base::Tristate::No))
}

/// `$(call suffix-search, w, .o, suffixes)` as guarded words, and whether it is non-empty.
fn suffix_search(
    e: &mut Eval<'_>,
    word: &str,
    suffixes: &[&str],
) -> (Vec<GWord>, ExprId, Vec<ExprId>) {
    let mut words = Vec::new();
    let mut taint = Vec::new();
    let Some(stem) = word.strip_suffix(".o") else {
        return (words, e.pool.no(), taint);
    };
    for s in suffixes {
        let v = e.var_value(&format!("{stem}{s}"));
        taint.extend(v.taint.iter().copied());
        words.extend(e.words(&v));
    }
    // `foo-` marks a composite too, but its words are not members.
    let v = e.var_value(&format!("{stem}-"));
    taint.extend(v.taint.iter().copied());
    let marker = e.words(&v);
    let mut ne = e.pool.no();
    for w in words.iter().chain(marker.iter()) {
        ne = e.pool.or(ne, w.guard);
    }
    (words, ne, taint)
}

/// The unknown facts in `v` that may add words to a directory or object list. A compiler's
/// file-name answer (`libs-y += $(LIBGCC)`, passed on in `ARCH_LIB`) is a file to link,
/// never a directory of the tree nor an object of it: it changes no list.
fn list_taint(e: &Eval<'_>, v: &Value) -> Vec<ExprId> {
    v.taint
        .iter()
        .copied()
        .filter(|u| !e.guards.file_name_queries.contains(u))
        .collect()
}

/// Makefile.lib's list arithmetic, over guarded words.
fn lib_steps(e: &mut Eval<'_>, path: &str, file: Option<FileId>) -> Local {
    let prefix = parent_prefix(path);
    let mut unknowns = Vec::new();
    let list = |e: &mut Eval<'_>, name: &str, unknowns: &mut Vec<ExprId>| {
        let v: Value = e.var_value(name);
        unknowns.extend(list_taint(e, &v));
        e.words(&v)
    };
    let obj_y = list(e, "obj-y", &mut unknowns);
    let obj_m0 = list(e, "obj-m", &mut unknowns);
    let lib_y = list(e, "lib-y", &mut unknowns);
    let lib_m = list(e, "lib-m", &mut unknowns);
    let subdir_y = list(e, "subdir-y", &mut unknowns);
    let subdir_m = list(e, "subdir-m", &mut unknowns);

    // 1. obj-m := $(filter-out $(obj-y),$(obj-m))
    let in_obj_y = listed_index(&obj_y);
    let mut obj_m = Vec::new();
    // A directory listed in obj-m is visited with need-modorder whether or not step 1 moved
    // it out (it is then in obj-y): `y || (m && !y)` is `y || m`, so the unfiltered guards
    // give the same, shorter conditions for subdirectories.
    let obj_m_dirs: Vec<GWord> = obj_m0
        .iter()
        .filter(|w| w.text.ends_with('/'))
        .cloned()
        .collect();
    for w in obj_m0 {
        let in_y = listed(e, &in_obj_y, &w.text);
        let n = e.pool.not(in_y);
        let g = and(e, w.guard, n);
        if !is_no(e, g) {
            obj_m.push(GWord { guard: g, ..w });
        }
    }
    // 2. lib-y := $(filter-out $(obj-y), $(sort $(lib-y) $(lib-m)))
    let mut libs: BTreeMap<String, (ExprId, Option<Span>)> = BTreeMap::new();
    for w in lib_y.iter().chain(lib_m.iter()) {
        let ent = libs.entry(w.text.clone()).or_insert((e.pool.no(), w.span));
        ent.0 = e.pool.or(ent.0, w.guard);
    }
    let mut lib = Vec::new();
    for (text, (g, span)) in libs {
        let in_y = listed(e, &in_obj_y, &text);
        let n = e.pool.not(in_y);
        let g = and(e, g, n);
        if !is_no(e, g) {
            lib.push(Entry {
                object: normalize(&format!("{prefix}{text}")),
                guard: g,
                span,
                composite: None,
            });
        }
    }
    // 3. subdir-ym and the flags each child is entered with.
    let mut children: Vec<(String, ExprId, ExprId, ExprId)> = Vec::new();
    let mut touch = |e: &mut Eval<'_>, name: &str, g: ExprId, kind: u8| {
        let i = match children.iter().position(|c| c.0 == name) {
            Some(i) => i,
            None => {
                let no = e.pool.no();
                children.push((name.to_string(), no, no, no));
                children.len() - 1
            }
        };
        let c = &mut children[i];
        c.1 = e.pool.or(c.1, g);
        if kind & 1 != 0 {
            c.2 = e.pool.or(c.2, g);
        }
        if kind & 2 != 0 {
            c.3 = e.pool.or(c.3, g);
        }
    };
    for w in subdir_y.iter().chain(subdir_m.iter()) {
        let name = w.text.trim_end_matches('/').to_string();
        touch(e, &name, w.guard, 0);
    }
    for w in &obj_y {
        if let Some(d) = w.text.strip_suffix('/') {
            touch(e, d, w.guard, 1 | 2);
        }
    }
    for w in &obj_m_dirs {
        if let Some(d) = w.text.strip_suffix('/') {
            touch(e, d, w.guard, 2);
        }
    }
    children.retain(|c| !c.0.is_empty());
    // 4. modules.order: obj-y subdirs first, then obj-m in order.
    let mut order = Vec::new();
    for w in &obj_y {
        if let Some(d) = w.text.strip_suffix('/') {
            order.push(LocalOrder::Sub(d.to_string(), w.guard));
        }
    }
    // 6-7. Composites and real-obj-m.
    let mut modules = Vec::new();
    for w in &obj_m {
        if let Some(d) = w.text.strip_suffix('/') {
            order.push(LocalOrder::Sub(d.to_string(), w.guard));
            continue;
        }
        let (members, composite, taint) = suffix_search(e, &w.text, &["-objs", "-y", "-m"]);
        unknowns.extend(taint);
        let object = normalize(&format!("{prefix}{}", w.text));
        let mut ms = Vec::new();
        for m in members {
            let g = and(e, m.guard, composite);
            if !is_no(e, g) {
                ms.push(Entry {
                    object: normalize(&format!("{prefix}{}", m.text)),
                    guard: g,
                    span: m.span,
                    composite: Some(object.clone()),
                });
            }
        }
        let not_c = e.pool.not(composite);
        if !is_no(e, not_c) {
            ms.push(Entry {
                object: object.clone(),
                guard: not_c,
                span: w.span,
                composite: None,
            });
        }
        if w.text.ends_with(".o") {
            modules.push(ModuleEntry {
                object,
                guard: w.guard,
                span: w.span,
                members: ms,
            });
            order.push(LocalOrder::Module(modules.len() - 1));
        }
    }
    // 5-7. real-obj-y.
    let mut builtin = Vec::new();
    for w in &obj_y {
        if w.text.ends_with('/') {
            continue;
        }
        let (members, composite, taint) = suffix_search(e, &w.text, &["-objs", "-y"]);
        unknowns.extend(taint);
        for m in members {
            let g0 = and(e, m.guard, composite);
            let g = and(e, g0, w.guard);
            if !is_no(e, g) && m.text.ends_with(".o") {
                builtin.push(Entry {
                    object: normalize(&format!("{prefix}{}", m.text)),
                    guard: g,
                    span: m.span,
                    composite: Some(normalize(&format!("{prefix}{}", w.text))),
                });
            }
        }
        let not_c = e.pool.not(composite);
        let g = and(e, w.guard, not_c);
        if !is_no(e, g) && w.text.ends_with(".o") {
            builtin.push(Entry {
                object: normalize(&format!("{prefix}{}", w.text)),
                guard: g,
                span: w.span,
                composite: None,
            });
        }
    }
    unknowns.sort();
    unknowns.dedup();
    Local {
        file,
        builtin,
        lib,
        modules,
        order,
        children,
        unknowns,
        errors: Vec::new(),
        exports: Vars::new(),
    }
}

/// Symbolic mode: each directory's visit / need-builtin / need-modorder condition is the
/// disjunction over its parents of (parent's condition and the local guard). Recomputed from
/// the incoming edges until nothing changes; directories are discovered breadth-first, so
/// one pass usually suffices.
fn propagate(pool: &mut ExprPool, dirs: &mut [Dir]) {
    let mut incoming: Vec<Vec<(usize, Child)>> = vec![Vec::new(); dirs.len()];
    for (i, d) in dirs.iter().enumerate() {
        for c in &d.children {
            incoming[c.dir].push((i, c.clone()));
        }
    }
    for _round in 0..8 {
        let mut changed = false;
        for i in 1..dirs.len() {
            let (mut v, mut b, mut m) = (pool.no(), pool.no(), pool.no());
            for (p, c) in &incoming[i] {
                let (pv, pb, pm) = (
                    dirs[*p].visit,
                    dirs[*p].need_builtin,
                    dirs[*p].need_modorder,
                );
                let x = pool.and(pv, c.visit);
                v = pool.or(v, x);
                let x = pool.and(pb, c.builtin);
                b = pool.or(b, x);
                let x = pool.and(pm, c.modorder);
                m = pool.or(m, x);
            }
            let d = &mut dirs[i];
            if (v, b, m) != (d.visit, d.need_builtin, d.need_modorder) {
                changed = true;
                d.visit = v;
                d.need_builtin = b;
                d.need_modorder = m;
            }
        }
        if !changed {
            break;
        }
    }
}
