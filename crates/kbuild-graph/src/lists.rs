//! From a [`Graph`] to answers: the concrete lists of one configuration (the oracle's shape)
//! and, per object, its built-in and module conditions with the lines they come from.

use std::collections::{BTreeMap, HashSet};

use kp_base::expr::Valuation;
use kp_base::{ExprId, ExprPool, Span, Tristate};

use crate::walk::{Entry, Graph, OrderItem};

/// A loadable module and the objects linked into it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Module {
    /// `drivers/net/dummy.ko`.
    pub name: String,
    /// Member objects, duplicates removed.
    pub objects: Vec<String>,
}

/// The lists a real build of one configuration produces (same shape as the oracle's).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KbuildLists {
    /// Every directory visited, sorted.
    pub dirs: Vec<String>,
    /// Objects archived into a built-in.a reachable from vmlinux, first occurrence kept, in
    /// (sorted) directory order.
    pub builtin: Vec<String>,
    /// lib.a objects of directories entered as built-in.
    pub lib: Vec<String>,
    /// Modules in modules.order order.
    pub modules: Vec<Module>,
}

fn holds(pool: &ExprPool, g: ExprId, v: &impl Valuation) -> bool {
    pool.eval(g, v) != Tristate::No
}

/// Under `v`: whether each directory is visited, whether it needs a `built-in.a`, and the
/// visited directories' indices in path order.
fn visited(
    graph: &Graph,
    pool: &ExprPool,
    v: &impl Valuation,
) -> (Vec<bool>, Vec<bool>, Vec<usize>) {
    let visit: Vec<bool> = graph.dirs.iter().map(|d| holds(pool, d.visit, v)).collect();
    let nb: Vec<bool> = graph
        .dirs
        .iter()
        .map(|d| holds(pool, d.need_builtin, v))
        .collect();
    let mut sorted: Vec<usize> = (0..graph.dirs.len()).filter(|&i| visit[i]).collect();
    sorted.sort_by(|&a, &b| graph.dirs[a].path.cmp(&graph.dirs[b].path));
    (visit, nb, sorted)
}

/// The concrete lists of `graph` under valuation `v`.
pub fn concrete_lists(graph: &Graph, pool: &ExprPool, v: &impl Valuation) -> KbuildLists {
    let (visit, nb, sorted) = visited(graph, pool, v);
    let nm: Vec<bool> = graph
        .dirs
        .iter()
        .map(|d| holds(pool, d.need_modorder, v))
        .collect();
    let mut lists = KbuildLists {
        dirs: sorted.iter().map(|&i| graph.dirs[i].path.clone()).collect(),
        ..Default::default()
    };
    lists.builtin = selected_builtin(graph, pool, v, &sorted, &nb)
        .into_iter()
        .map(|(_, e)| e.object.clone())
        .collect();
    for &i in &sorted {
        if !nb[i] {
            continue;
        }
        for e in &graph.dirs[i].lib {
            if holds(pool, e.guard, v) {
                lists.lib.push(e.object.clone());
            }
        }
    }
    if nm[0] {
        let mut seen = HashSet::new();
        let mut stack_guard = 0;
        order(
            graph,
            pool,
            v,
            0,
            &visit,
            &mut seen,
            &mut lists.modules,
            &mut stack_guard,
        );
    }
    lists
}

/// The built-in entries kept under `v`, in (sorted) directory order, first occurrence of
/// each object kept: `sorted` are the visited directories in path order, `nb` the
/// need-builtin flag of every directory.
fn selected_builtin<'g>(
    graph: &'g Graph,
    pool: &ExprPool,
    v: &impl Valuation,
    sorted: &[usize],
    nb: &[bool],
) -> Vec<(&'g str, &'g Entry)> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for &i in sorted {
        if !nb[i] {
            continue;
        }
        for e in &graph.dirs[i].builtin {
            if holds(pool, e.guard, v) && seen.insert(e.object.as_str()) {
                out.push((graph.dirs[i].path.as_str(), e));
            }
        }
    }
    out
}

/// A built-in object of one configuration and the name `Makefile.lib` gives its modinfo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuiltinObject {
    /// The object.
    pub object: String,
    /// The directory whose Makefile lists it (`$(obj)` when it is compiled).
    pub dir: String,
    /// Its `KBUILD_MODFILE` words: `dir/name` for each composite of the directory that
    /// lists it (`modname-multi`), else `dir/` and the object's base name.
    pub modfiles: Vec<String>,
}

/// The built-in objects of `graph` under `v` (the order and selection of
/// [`concrete_lists`]'s `builtin`), each with its `KBUILD_MODFILE` as `scripts/Makefile.lib`
/// computes it: `modfile = $(addprefix $(obj)/,$(__modname))`, where `__modname` is the
/// sorted names of the directory's composites (`multi-obj-ym`) containing the object, else
/// its base name.
pub fn builtin_objects(graph: &Graph, pool: &ExprPool, v: &impl Valuation) -> Vec<BuiltinObject> {
    let (_, nb, sorted) = visited(graph, pool, v);
    let dir_index: std::collections::HashMap<&str, usize> = graph
        .dirs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.path.as_str(), i))
        .collect();
    let base = |o: &str| -> String {
        let stem = o.strip_suffix(".o").unwrap_or(o);
        stem.rsplit('/').next().unwrap_or(stem).to_string()
    };
    selected_builtin(graph, pool, v, &sorted, &nb)
        .into_iter()
        .map(|(dir, e)| {
            let d = &graph.dirs[dir_index[dir]];
            let mut names: Vec<String> = d
                .builtin
                .iter()
                .filter(|b| b.object == e.object && holds(pool, b.guard, v))
                .filter_map(|b| b.composite.as_deref())
                .chain(
                    d.modules
                        .iter()
                        .filter(|m| holds(pool, m.guard, v))
                        .filter(|m| {
                            m.members.iter().any(|x| {
                                x.object == e.object
                                    && x.composite.is_some()
                                    && holds(pool, x.guard, v)
                            })
                        })
                        .map(|m| m.object.as_str()),
                )
                .map(base)
                .collect();
            names.sort();
            names.dedup();
            if names.is_empty() {
                names.push(base(&e.object));
            }
            let prefix = if dir == "." {
                String::new()
            } else {
                format!("{dir}/")
            };
            BuiltinObject {
                object: e.object.clone(),
                dir: dir.to_string(),
                modfiles: names.into_iter().map(|n| format!("{prefix}{n}")).collect(),
            }
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn order(
    graph: &Graph,
    pool: &ExprPool,
    v: &impl Valuation,
    dir: usize,
    visit: &[bool],
    seen: &mut HashSet<String>,
    out: &mut Vec<Module>,
    depth: &mut usize,
) {
    if *depth > 256 {
        return;
    }
    *depth += 1;
    let d = &graph.dirs[dir];
    for item in &d.order {
        match item {
            OrderItem::Sub(c, g) => {
                if visit[*c] && holds(pool, *g, v) {
                    order(graph, pool, v, *c, visit, seen, out, depth);
                }
            }
            OrderItem::Module(k) => {
                let m = &d.modules[*k];
                if holds(pool, m.guard, v) && seen.insert(m.object.clone()) {
                    let mut objs_seen = HashSet::new();
                    let objects = m
                        .members
                        .iter()
                        .filter(|e| holds(pool, e.guard, v))
                        .filter(|e| objs_seen.insert(e.object.clone()))
                        .map(|e| e.object.clone())
                        .collect();
                    let name = format!("{}.ko", m.object.strip_suffix(".o").unwrap_or(&m.object));
                    out.push(Module { name, objects });
                }
            }
        }
    }
    *depth -= 1;
}

/// How an object is listed in one place.
#[derive(Clone, Debug)]
pub struct Occurrence {
    /// `true`: in a module (`module` names it); `false`: in a built-in.a.
    pub in_module: bool,
    /// The module's object (`drivers/net/foo.o`) when `in_module`.
    pub module: Option<String>,
    /// The directory whose Makefile lists it.
    pub dir: String,
    /// The full condition for this occurrence (directory entry and the local guard).
    pub condition: ExprId,
    /// The Makefile line listing the object (or the composite member).
    pub span: Option<Span>,
}

/// An object's conditions.
#[derive(Clone, Debug)]
pub struct Conditions {
    /// When it is linked into vmlinux (through some built-in.a).
    pub builtin: ExprId,
    /// When it is linked into some module.
    pub module: ExprId,
    /// Each place it is listed.
    pub occurrences: Vec<Occurrence>,
}

/// Every object's built-in and module conditions, keyed by object path.
pub fn all_conditions(graph: &Graph, pool: &mut ExprPool) -> BTreeMap<String, Conditions> {
    let mut out: BTreeMap<String, Conditions> = BTreeMap::new();
    let no = pool.no();
    for d in &graph.dirs {
        for e in &d.builtin {
            let c = pool.and(d.need_builtin, e.guard);
            let ent = out.entry(e.object.clone()).or_insert(Conditions {
                builtin: no,
                module: no,
                occurrences: Vec::new(),
            });
            ent.builtin = pool.or(ent.builtin, c);
            ent.occurrences.push(Occurrence {
                in_module: false,
                module: None,
                dir: d.path.clone(),
                condition: c,
                span: e.span,
            });
        }
        for m in &d.modules {
            let mg = pool.and(d.need_modorder, m.guard);
            for e in &m.members {
                let c = pool.and(mg, e.guard);
                let ent = out.entry(e.object.clone()).or_insert(Conditions {
                    builtin: no,
                    module: no,
                    occurrences: Vec::new(),
                });
                ent.module = pool.or(ent.module, c);
                ent.occurrences.push(Occurrence {
                    in_module: true,
                    module: Some(m.object.clone()),
                    dir: d.path.clone(),
                    condition: c,
                    span: e.span.or(m.span),
                });
            }
        }
    }
    out
}

/// The conditions of each composite object itself (`dir/foo.o` of `foo-y += a.o b.o`), the
/// `.o` `Makefile.lib` links from its members (`multi-obj-m`, `multi-obj-y`): in a module
/// when `foo.o` is in obj-m with some member listed (the module `foo.ko`), in a built-in.a
/// when it is in obj-y with some member listed. One occurrence per Makefile line: the obj-m
/// line for a module, each member line for built-in (the obj-y line is not kept).
pub fn composite_conditions(graph: &Graph, pool: &mut ExprPool) -> BTreeMap<String, Conditions> {
    let mut out: BTreeMap<String, Conditions> = BTreeMap::new();
    let no = pool.no();
    let empty = Conditions {
        builtin: no,
        module: no,
        occurrences: Vec::new(),
    };
    for d in &graph.dirs {
        // Built-in: the member lines of each composite, in the order listed.
        let mut lines: Vec<(String, Option<Span>, ExprId)> = Vec::new();
        for e in &d.builtin {
            let Some(c) = &e.composite else { continue };
            match lines.iter_mut().find(|l| &l.0 == c && l.1 == e.span) {
                Some(l) => l.2 = pool.or(l.2, e.guard),
                None => lines.push((c.clone(), e.span, e.guard)),
            }
        }
        for (object, span, guard) in lines {
            let condition = pool.and(d.need_builtin, guard);
            let ent = out.entry(object).or_insert_with(|| empty.clone());
            ent.builtin = pool.or(ent.builtin, condition);
            ent.occurrences.push(Occurrence {
                in_module: false,
                module: None,
                dir: d.path.clone(),
                condition,
                span,
            });
        }
        for m in &d.modules {
            let mut linked = no;
            for e in m
                .members
                .iter()
                .filter(|e| e.composite.as_ref() == Some(&m.object))
            {
                linked = pool.or(linked, e.guard);
            }
            if linked == no {
                continue;
            }
            let mg = pool.and(d.need_modorder, m.guard);
            let condition = pool.and(mg, linked);
            let ent = out.entry(m.object.clone()).or_insert_with(|| empty.clone());
            ent.module = pool.or(ent.module, condition);
            ent.occurrences.push(Occurrence {
                in_module: true,
                module: Some(m.object.clone()),
                dir: d.path.clone(),
                condition,
                span: m.span,
            });
        }
    }
    out
}

/// Joins the composite conditions ([`composite_conditions`]) of those of `objects` that are
/// composites into `into` (keyed by object, as [`all_conditions`] gives them): for questions
/// about named objects, where a composite asked by its own name answers for itself.
pub fn add_composites(
    graph: &Graph,
    pool: &mut ExprPool,
    into: &mut BTreeMap<String, Conditions>,
    objects: &[String],
) {
    let wanted: HashSet<&str> = objects.iter().map(String::as_str).collect();
    for (object, c) in composite_conditions(graph, pool) {
        if !wanted.contains(object.as_str()) {
            continue;
        }
        match into.get_mut(&object) {
            Some(have) => {
                have.builtin = pool.or(have.builtin, c.builtin);
                have.module = pool.or(have.module, c.module);
                have.occurrences.extend(c.occurrences);
            }
            None => {
                into.insert(object, c);
            }
        }
    }
}

/// The unknown facts (`Expr::Unknown` ids) a condition depends on.
pub fn unknowns_in(pool: &ExprPool, e: ExprId) -> Vec<u32> {
    let mut out = Vec::new();
    let mut stack = vec![e];
    let mut seen = HashSet::new();
    while let Some(x) = stack.pop() {
        if !seen.insert(x) {
            continue;
        }
        match pool.get(x) {
            kp_base::Expr::Not(a) => stack.push(a),
            kp_base::Expr::And(a, b) | kp_base::Expr::Or(a, b) => {
                stack.push(a);
                stack.push(b);
            }
            kp_base::Expr::Unknown(u) => out.push(u),
            _ => {}
        }
    }
    out.sort_unstable();
    out
}

/// Every unknown fact that reaches the graph's lists: taint of object lists (a
/// `$(shell ...)` in obj-y), and unknowns inside object or directory conditions. Each
/// comes with the file:line where the construct was written (in the pool's fact).
pub fn graph_unknowns(graph: &Graph, pool: &ExprPool) -> Vec<ExprId> {
    let mut out: Vec<ExprId> = graph.unknowns.clone();
    let add_cond = |pool: &ExprPool, e: ExprId, out: &mut Vec<ExprId>| {
        for u in unknowns_in(pool, e) {
            // Unknown ids are hash-consed; find the node for fact `u`.
            if let Some(id) = (0..pool.len() as u32)
                .map(ExprId)
                .find(|&i| matches!(pool.get(i), kp_base::Expr::Unknown(v) if v == u))
            {
                out.push(id);
            }
        }
    };
    for d in &graph.dirs {
        out.extend(d.unknowns.iter().copied());
        add_cond(pool, d.visit, &mut out);
        add_cond(pool, d.need_builtin, &mut out);
        add_cond(pool, d.need_modorder, &mut out);
        for e in d.builtin.iter().chain(d.lib.iter()) {
            add_cond(pool, e.guard, &mut out);
        }
        for m in &d.modules {
            add_cond(pool, m.guard, &mut out);
            for e in &m.members {
                add_cond(pool, e.guard, &mut out);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Something the walk could not follow in one directory's make (a computed include,
/// `$(shell ...)` output in an object list, an assignment or `$(eval)` of unknown text, a
/// word with too many spellings, the expansion budget): that make's lists may miss words,
/// objects as well as subdirectories, so nothing under the directory is known to be absent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loss {
    /// The directory (`obj`) whose make lost it; `.` for the top-level make and what every
    /// directory's make reads first (`scripts/Kbuild.include`), which affect the whole tree.
    pub dir: String,
    /// The construct, as written (shortened).
    pub construct: String,
    /// Where it was written, when known.
    pub span: Option<Span>,
}

impl Loss {
    /// Whether the lists that lost it could have listed `object` (`dir/...`): it is under the
    /// directory (a lost word may name a subdirectory, entered or not).
    pub fn may_list(&self, object: &str) -> bool {
        self.dir == "."
            || object
                .strip_prefix(self.dir.as_str())
                .is_some_and(|r| r.starts_with('/'))
    }
}

/// Every place the walk lost information ([`Loss`]), top-level first, then by directory.
/// A directory never visited under any configuration loses nothing that matters.
pub fn losses(graph: &Graph, pool: &ExprPool) -> Vec<Loss> {
    let loss = |dir: &str, u: ExprId| {
        let fact = match pool.get(u) {
            kp_base::Expr::Unknown(id) => pool.unknown(id),
            _ => None,
        };
        Loss {
            dir: dir.to_string(),
            construct: fact.map_or_else(|| "an unknown construct".to_string(), |f| f.text.clone()),
            span: fact.and_then(|f| f.span),
        }
    };
    let mut out: Vec<Loss> = graph.unknowns.iter().map(|&u| loss(".", u)).collect();
    for d in &graph.dirs {
        if pool.get(d.visit) == kp_base::Expr::Const(Tristate::No) {
            continue;
        }
        out.extend(d.unknowns.iter().map(|&u| loss(&d.path, u)));
    }
    out.dedup();
    out
}

/// Every `$(error ...)` the evaluation reached, with the full condition under which real make
/// stops there (the directory is visited and the local guard holds). A configuration
/// satisfying one of these does not build, so a witness must avoid them.
pub fn build_errors(graph: &Graph, pool: &mut ExprPool) -> Vec<crate::eval::MakeError> {
    let mut out = graph.errors.clone();
    for d in &graph.dirs {
        for e in &d.errors {
            let condition = pool.and(d.visit, e.condition);
            if pool.get(condition) != kp_base::Expr::Const(Tristate::No) {
                out.push(crate::eval::MakeError {
                    condition,
                    ..e.clone()
                });
            }
        }
    }
    out
}
