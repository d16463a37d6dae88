//! From the name a user types to the object kpossible answers about.
//!
//! Users name what they see: an object (`drivers/net/dummy.o`), its source (`dummy.c`, `.S`,
//! `.rs`), a composite object (`fs/fat/fat.o`, linked from `fat-y` members), a module file
//! (`fs/fat/vfat.ko`) or a module's name (`vfat`, `snd-hda-intel` or `snd_hda_intel`, as
//! `KBUILD_MODNAME` spells it). Each resolves to one object path of the Kbuild graph; a module
//! to its own object (`fs/fat/vfat.o`), which is linked into the module whenever the module is
//! built. A name no Makefile of any arch lists (a typo, a header, a directory, a path outside
//! the tree) is a [`NameError`] with the nearest real names, never an object answered "no".

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use kp_base::{ExprPool, SourceMap};
use serde::Serialize;

use crate::modules_of::module_names;

/// A module as users name it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Module {
    /// `KBUILD_MODNAME`: the `.ko` base name with `-` as `_` (`vfat`).
    pub name: String,
    /// The module file (`fs/fat/vfat.ko`).
    pub ko: String,
}

/// What a name stands for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Resolved {
    /// The name as typed; a path as a path from the tree's root (`mm/zswap.c` for `zswap.c`
    /// typed in `mm/`).
    pub asked: String,
    /// The object answered about (`fs/fat/vfat.o` for the module `vfat`).
    pub object: String,
    /// The module, when the name was a module's (`.ko` path or module name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module: Option<Module>,
    /// When the object is a composite: its members on the arches looked at, sorted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// When none of the arches asked lists it: the arches whose Makefiles do (its answer on
    /// the asked arches is then "no", naming why).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub listed_elsewhere: Vec<String>,
}

impl Resolved {
    /// The lines under an answer's first line saying what the name stood for: the module
    /// asked for, a composite's members, the arches that list it when the asked ones do not.
    pub fn to_text(&self) -> String {
        let mut t = String::new();
        if let Some(m) = &self.module {
            t.push_str(&format!(
                "  module {} ({}), asked as {}\n",
                m.name, m.ko, self.asked
            ));
        }
        if !self.members.is_empty() {
            t.push_str(&format!("  composite of {}\n", self.members.join(" ")));
        }
        if !self.listed_elsewhere.is_empty() {
            t.push_str(&format!(
                "  listed only by the Makefiles of ARCH={}\n",
                self.listed_elsewhere.join(",")
            ));
        }
        t
    }
}

/// Why a name stands for nothing kpossible can answer about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    /// No Makefile of any arch lists this object or module.
    NotListed,
    /// A header: compiled only as part of the objects that include it.
    Header,
    /// A directory, not an object.
    Directory,
    /// A path outside the tree.
    OutsideTree,
    /// Neither an object, a source, a module file nor a module name (`foo.txt`).
    NotAnObject,
    /// A `.ko` whose object is listed, but never as a module of its own.
    NotAModule,
    /// A module name several modules have.
    Ambiguous,
}

impl ErrorCode {
    /// The code as JSON spells it (`not-listed`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NotListed => "not-listed",
            ErrorCode::Header => "header",
            ErrorCode::Directory => "directory",
            ErrorCode::OutsideTree => "outside-tree",
            ErrorCode::NotAnObject => "not-an-object",
            ErrorCode::NotAModule => "not-a-module",
            ErrorCode::Ambiguous => "ambiguous",
        }
    }
}

/// A name that resolves to nothing (or to several things).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct NameError {
    /// What kind of mistake.
    pub code: ErrorCode,
    /// The name as typed.
    pub name: String,
    /// A sentence for the user, naming the name.
    pub message: String,
    /// The nearest real names (objects, `.ko` paths or module names, as the name was
    /// spelled), best first; for [`ErrorCode::Ambiguous`], every module it matches.
    pub suggestions: Vec<String>,
}

impl NameError {
    /// The text form: the message, then "did you mean" with the suggestions.
    pub fn to_text(&self) -> String {
        let mut t = self.message.clone();
        match (self.code, self.suggestions.as_slice()) {
            (_, []) => {}
            (ErrorCode::Ambiguous, s) => t.push_str(&format!(": {}", s.join(", "))),
            (_, [one]) => t.push_str(&format!("; did you mean {one}?")),
            (_, s) => t.push_str(&format!("; did you mean one of {}?", s.join(", "))),
        }
        t
    }
}

/// The names one arch's Kbuild graph lists.
#[derive(Clone, Debug, Default, Serialize, serde::Deserialize)]
pub struct ArchNames {
    /// The `ARCH=` spelling.
    pub arch: String,
    /// Every object some Makefile lists: compiled objects, composites, modules' objects,
    /// `lib-y` objects.
    pub objects: BTreeSet<String>,
    /// Each composite object's members under any condition.
    pub composites: BTreeMap<String, BTreeSet<String>>,
    /// Each module's object (`fs/fat/vfat.o`).
    pub modules: BTreeSet<String>,
    /// Each object listed in a module: the modules' objects.
    pub member_of: BTreeMap<String, BTreeSet<String>>,
    /// The directories whose make lost words ([`kbuild_graph::lists::losses`]): an object
    /// under one of these may be listed unseen.
    pub losses: Vec<String>,
}

impl ArchNames {
    /// The names of `graph` (one arch's symbolic or concrete evaluation).
    pub fn of_graph(arch: &str, graph: &kbuild_graph::Graph, pool: &ExprPool) -> ArchNames {
        let mut n = ArchNames {
            arch: arch.to_string(),
            losses: kbuild_graph::lists::losses(graph, pool)
                .into_iter()
                .map(|l| l.dir)
                .collect(),
            ..ArchNames::default()
        };
        for d in &graph.dirs {
            for e in d.builtin.iter().chain(&d.lib) {
                n.objects.insert(e.object.clone());
                if let Some(c) = &e.composite {
                    n.objects.insert(c.clone());
                    n.composites
                        .entry(c.clone())
                        .or_default()
                        .insert(e.object.clone());
                }
            }
            for m in &d.modules {
                n.objects.insert(m.object.clone());
                n.modules.insert(m.object.clone());
                for e in &m.members {
                    n.objects.insert(e.object.clone());
                    n.member_of
                        .entry(e.object.clone())
                        .or_default()
                        .insert(m.object.clone());
                    if let Some(c) = &e.composite {
                        n.composites
                            .entry(c.clone())
                            .or_default()
                            .insert(e.object.clone());
                    }
                }
            }
        }
        n
    }

    /// The names the symbolic Kbuild walk of `arch` lists, entering only the directories on
    /// the way to `toward` (every directory when empty; see
    /// [`kbuild_graph::evaluate_toward`]: a focused walk misses `../` listings from elsewhere).
    pub fn walk(root: &Path, arch: &str, srcarch: &str, toward: &[String]) -> ArchNames {
        let mut pool = ExprPool::new();
        let mut sources = SourceMap::new();
        let graph = solver::arch::symbolic_kbuild_toward(
            root,
            arch,
            srcarch,
            toward,
            &mut pool,
            &mut sources,
        );
        ArchNames::of_graph(arch, &graph, &pool)
    }

    /// The names of the whole walk of `arch` ([`ArchNames::walk`] entering every directory),
    /// kept in `cache` (a directory) and taken from there while every file that walk read and
    /// every directory it visited has the size and modification time it had, and this
    /// program is the one that wrote it.
    pub fn whole_walk(root: &Path, arch: &str, srcarch: &str, cache: Option<&Path>) -> ArchNames {
        let Some(cache) = cache else {
            return ArchNames::walk(root, arch, srcarch, &[]);
        };
        let file = cache.join(format!("{}.json", cache_key(root, arch, srcarch)));
        if let Some(names) = std::fs::read(&file)
            .ok()
            .and_then(|b| serde_json::from_slice::<Cached>(&b).ok())
            .filter(|c| {
                c.program.is_some()
                    && c.program == program()
                    && c.stamps.iter().all(|(p, s)| stamp(Path::new(p)) == *s)
            })
        {
            return names.names;
        }
        let mut pool = ExprPool::new();
        let mut sources = SourceMap::new();
        let graph = solver::arch::symbolic_kbuild(root, arch, srcarch, &mut pool, &mut sources);
        let names = ArchNames::of_graph(arch, &graph, &pool);
        let mut paths: BTreeSet<std::path::PathBuf> =
            sources.iter().map(|(_, f)| f.path.clone()).collect();
        paths.extend(graph.dirs.iter().map(|d| root.join(&d.path)));
        let cached = Cached {
            program: program(),
            stamps: paths
                .into_iter()
                .map(|p| {
                    let s = stamp(&p);
                    (p.display().to_string(), s)
                })
                .collect(),
            names,
        };
        // A cache that cannot be written costs the next run a walk, nothing more.
        if std::fs::create_dir_all(cache).is_ok()
            && let Ok(text) = serde_json::to_vec(&cached)
        {
            let tmp = file.with_extension(format!("tmp{}", std::process::id()));
            if std::fs::write(&tmp, text).is_ok() {
                let _ = std::fs::rename(&tmp, &file);
            }
        }
        cached.names
    }

    fn may_list(&self, object: &str) -> bool {
        self.losses.iter().any(|dir| {
            kbuild_graph::lists::Loss {
                dir: dir.clone(),
                construct: String::new(),
                span: None,
            }
            .may_list(object)
        })
    }
}

/// One arch's names on disk with what they were computed from.
#[derive(Serialize, serde::Deserialize)]
struct Cached {
    /// The [`stamp`] of the program that wrote it.
    program: Option<(u64, u128)>,
    /// Every file read and directory visited, with its [`stamp`].
    stamps: Vec<(String, Option<(u64, u128)>)>,
    names: ArchNames,
}

/// This program's [`stamp`]: names computed by another build of it are computed again.
fn program() -> Option<(u64, u128)> {
    std::env::current_exe().ok().and_then(|e| stamp(&e))
}

/// A path's size and modification time (nanoseconds), `None` when absent.
fn stamp(p: &Path) -> Option<(u64, u128)> {
    let m = std::fs::metadata(p).ok()?;
    let t = m
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some((m.len(), t.as_nanos()))
}

/// The cache file name for one arch of a tree: the tree's canonical path, the arch and the
/// make variables pinned, hashed.
fn cache_key(root: &Path, arch: &str, srcarch: &str) -> String {
    use sha2::Digest as _;
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let text = format!(
        "{}\0{arch}\0{srcarch}\0{:?}",
        root.display(),
        solver::arch::pins(arch)
    );
    let hash = sha2::Sha256::digest(text.as_bytes());
    let hex: String = hash.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("{arch}-{hex}")
}

/// A name as typed, before any Makefile is read.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Shape {
    /// An object path (`.o`, or a source taken as its object).
    Object(String),
    /// A module file: the object path of the same stem (`fs/fat/vfat.o`).
    Ko(String),
    /// A bare module name, `-` and `_` alike (`snd_hda_intel`).
    ModName(String),
}

/// What the name looks like, or why it cannot name an object. `in_tree` turns a path as typed
/// into one from the tree's root (`None`: outside the tree).
fn shape(
    root: &Path,
    in_tree: &dyn Fn(&str) -> Option<String>,
    name: &str,
) -> Result<Shape, NameError> {
    let error = |code, message: String| NameError {
        code,
        name: name.to_string(),
        message,
        suggestions: Vec::new(),
    };
    let s = name.trim();
    if s.is_empty() {
        return Err(error(
            ErrorCode::NotAnObject,
            "an empty name names no object: give an object (drivers/net/dummy.o), its source, a .ko or a module name".into(),
        ));
    }
    let directory = || {
        error(
            ErrorCode::Directory,
            format!("{name} is a directory, not an object: name one of its objects or modules"),
        )
    };
    // A bare word is a module's name (unless it is a directory here), and so is a bare `.ko`
    // name typed at the tree's root or outside it (below the root, the file beside you).
    let bare = !s.contains('/') && s != "." && s != "..";
    if bare {
        let (stem, ext) = s.rsplit_once('.').map_or((s, None), |(a, b)| (a, Some(b)));
        let here = in_tree(s).is_some_and(|p| p.contains('/'));
        if ext.is_none() || (ext == Some("ko") && !here) {
            if in_tree(s).is_some_and(|p| !p.is_empty() && root.join(p).is_dir()) {
                return Err(directory());
            }
            return Ok(Shape::ModName(stem.replace('-', "_")));
        }
    }
    let Some(path) = in_tree(s) else {
        return Err(error(
            ErrorCode::OutsideTree,
            format!(
                "{name} is outside the tree {}: give a path from its root (drivers/net/dummy.o) or from a directory inside it",
                root.display()
            ),
        ));
    };
    let path = kbuild_graph::normalize(&path);
    if path.is_empty() || s.ends_with('/') || root.join(&path).is_dir() {
        return Err(directory());
    }
    let (stem, ext) = match path.rsplit_once('.') {
        Some((stem, ext)) if !ext.contains('/') => (stem, Some(ext)),
        _ => (path.as_str(), None),
    };
    match ext {
        Some("o" | "c" | "S" | "rs") => Ok(Shape::Object(format!("{stem}.o"))),
        Some("ko") => Ok(Shape::Ko(format!("{stem}.o"))),
        Some("h") => Err(error(
            ErrorCode::Header,
            format!(
                "{name} is a header: it is compiled only as part of the objects that include it; name one of them"
            ),
        )),
        _ => Err(error(
            ErrorCode::NotAnObject,
            format!(
                "{name} is not an object (.o), a source (.c, .S, .rs), a module (.ko) or a module name"
            ),
        )),
    }
}

/// The module name (`KBUILD_MODNAME`) of a module object.
fn modname(module_object: &str) -> String {
    module_names(module_object).0
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// The answer for one shaped name from the arches' names, `None` when none of them knows it.
fn lookup(asked: &str, shape: &Shape, arches: &[ArchNames]) -> Option<Result<Resolved, NameError>> {
    let members = |object: &str| -> Vec<String> {
        let mut all = BTreeSet::new();
        for a in arches {
            if let Some(m) = a.composites.get(object) {
                all.extend(m.iter().cloned());
            }
        }
        all.into_iter().collect()
    };
    let resolved = |object: String, module: Option<Module>| Resolved {
        asked: asked.to_string(),
        members: members(&object),
        object,
        module,
        listed_elsewhere: Vec::new(),
    };
    match shape {
        Shape::Object(o) => {
            if arches
                .iter()
                .any(|a| a.objects.contains(o) || a.may_list(o))
            {
                return Some(Ok(resolved(o.clone(), None)));
            }
        }
        Shape::Ko(o) => {
            // `fs/fat/vfat.ko`, or the module of that directory whose name it spells with
            // `-` and `_` swapped.
            let name = modname(o);
            let dir = dir_of(o);
            let found: BTreeSet<&String> = arches
                .iter()
                .flat_map(|a| &a.modules)
                .filter(|m| *m == o || (dir_of(m) == dir && modname(m) == name))
                .collect();
            if let Some(m) = found.iter().find(|m| **m == o).or(found.first()) {
                let (name, ko) = module_names(m);
                return Some(Ok(resolved((*m).clone(), Some(Module { name, ko }))));
            }
            let containing: BTreeSet<String> = arches
                .iter()
                .filter_map(|a| a.member_of.get(o))
                .flatten()
                .map(|m| module_names(m).1)
                .collect();
            if arches.iter().any(|a| a.objects.contains(o)) {
                let message = if containing.is_empty() {
                    format!("{asked} is not a module: {o} is listed, only built-in")
                } else {
                    let list: Vec<&str> = containing.iter().map(String::as_str).collect();
                    format!(
                        "{asked} is not a module: {o} is linked into {}",
                        list.join(", ")
                    )
                };
                return Some(Err(NameError {
                    code: ErrorCode::NotAModule,
                    name: asked.to_string(),
                    message,
                    suggestions: containing.into_iter().collect(),
                }));
            }
            if arches.iter().any(|a| a.may_list(o)) {
                let (name, ko) = module_names(o);
                return Some(Ok(resolved(o.clone(), Some(Module { name, ko }))));
            }
        }
        Shape::ModName(n) => {
            let found: BTreeSet<&String> = arches
                .iter()
                .flat_map(|a| &a.modules)
                .filter(|m| modname(m) == *n)
                .collect();
            match found.len() {
                0 => {}
                1 => {
                    let m = found.first().copied().cloned().unwrap_or_default();
                    let (name, ko) = module_names(&m);
                    return Some(Ok(resolved(m, Some(Module { name, ko }))));
                }
                _ => {
                    return Some(Err(NameError {
                        code: ErrorCode::Ambiguous,
                        name: asked.to_string(),
                        message: format!(
                            "{asked} names {} modules; give the .ko path of one",
                            found.len()
                        ),
                        suggestions: found.into_iter().map(|m| module_names(m).1).collect(),
                    }));
                }
            }
        }
    }
    None
}

/// Levenshtein distance over bytes.
fn distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let up = row[j + 1];
            row[j + 1] = if ca == cb {
                diag
            } else {
                1 + diag.min(up).min(row[j])
            };
            diag = up;
        }
    }
    row[b.len()]
}

/// At most this many suggestions.
const SUGGESTIONS: usize = 5;

/// The real names nearest to `query` among `candidates`: those of the two smallest edit
/// distances within a quarter of its length (at least 2), and those with the same file name
/// in another directory; nearest first.
fn nearest<'a>(query: &str, candidates: impl Iterator<Item = &'a String>) -> Vec<String> {
    let limit = (query.len() / 4).max(2);
    let base = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
    let query_base = base(query);
    let mut scored: Vec<(usize, &String)> = candidates
        .filter_map(|c| {
            // The length difference bounds the distance from below: skip the far ones.
            if c.len().abs_diff(query.len()) > limit && base(c) != query_base {
                return None;
            }
            let d = distance(query, c);
            (d <= limit || base(c) == query_base).then_some((d, c))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    // The nearest tier (and the one after it), not every name a few edits away.
    let best = scored.first().map_or(0, |s| s.0);
    scored
        .into_iter()
        .filter(|(d, c)| *d <= best + 1 || base(c) == query_base)
        .take(SUGGESTIONS)
        .map(|(_, c)| c.clone())
        .collect()
}

/// The error for a name none of `arches` lists, with the nearest real names.
fn not_listed(asked: &str, shape: &Shape, arches: &[ArchNames]) -> NameError {
    let (message, suggestions) = match shape {
        Shape::Object(o) => {
            let all: BTreeSet<&String> = arches.iter().flat_map(|a| &a.objects).collect();
            (
                format!("no Makefile of any arch lists {o}"),
                nearest(o, all.into_iter()),
            )
        }
        Shape::Ko(o) => {
            let all: BTreeSet<String> = arches
                .iter()
                .flat_map(|a| &a.modules)
                .map(|m| module_names(m).1)
                .collect();
            let (_, ko) = module_names(o);
            (
                format!("no Makefile of any arch lists the module {ko}"),
                nearest(&ko, all.iter()),
            )
        }
        Shape::ModName(n) => {
            let all: BTreeSet<String> = arches
                .iter()
                .flat_map(|a| &a.modules)
                .map(|m| modname(m))
                .collect();
            (
                format!("no Makefile of any arch lists a module named {n}"),
                nearest(n, all.iter()),
            )
        }
    };
    NameError {
        code: ErrorCode::NotListed,
        name: asked.to_string(),
        message,
        suggestions,
    }
}

/// Suggestions for a name that is not an object at all (a header, a directory): the objects
/// of the same stem, else those nearest to it, else the directory's own objects.
fn suggest_for(mut e: NameError, path: Option<String>, arches: &[ArchNames]) -> NameError {
    let path = kbuild_graph::normalize(&path.unwrap_or_default());
    let query = match path.rsplit_once('.') {
        Some((stem, ext)) if !ext.contains('/') => format!("{stem}.o"),
        _ => format!("{path}.o"),
    };
    let all: BTreeSet<&String> = arches.iter().flat_map(|a| &a.objects).collect();
    e.suggestions = match e.code {
        ErrorCode::Directory => {
            let dir = format!("{}/", path.trim_end_matches('/'));
            let under: Vec<String> = all
                .iter()
                .filter(|o| o.starts_with(&dir) && !o[dir.len()..].contains('/'))
                .take(SUGGESTIONS)
                .map(|o| o.to_string())
                .collect();
            under
        }
        ErrorCode::OutsideTree => Vec::new(),
        // The object of the same name beside a header (`foo.h` beside `foo.c`), if any.
        ErrorCode::Header => all.into_iter().filter(|o| **o == query).cloned().collect(),
        _ => nearest(&query, all.into_iter()),
    };
    e
}

/// Resolves each of `names` (paths taken from `cwd` when it is inside the tree, as
/// [`ktree::path_in_tree`] does) against the Kbuild graphs: first those of `asked` (the
/// `(ARCH, SRCARCH)` pairs the question is about), each walk entering only the directories on
/// the way to the names; then the whole walks of `asked`; then those of every other arch of
/// `all` (a name only another arch lists stays a question, answered "no" on `asked` with
/// why). One result per name, in order. `jobs` arches are walked at a time; the names of whole
/// names are kept in `cache` ([`ArchNames::whole_walk`]).
pub fn resolve(
    tree: &ktree::Tree,
    cwd: &Path,
    names: &[String],
    asked: &[(String, String)],
    all: &[(String, String)],
    jobs: usize,
    cache: Option<&Path>,
) -> Vec<Result<Resolved, NameError>> {
    let root = tree.root();
    let in_tree = |n: &str| ktree::path_in_tree(tree, cwd, n);
    let shapes: Vec<Result<Shape, NameError>> =
        names.iter().map(|n| shape(root, &in_tree, n)).collect();
    let mut out: Vec<Option<Result<Resolved, NameError>>> = names.iter().map(|_| None).collect();
    let walk = |list: &[(String, String)], toward: &[String]| -> Vec<ArchNames> {
        crate::sweep::per_arch(list, jobs, &|_, _, _| {}, |arch, srcarch| {
            if toward.is_empty() {
                ArchNames::whole_walk(root, arch, srcarch, cache)
            } else {
                ArchNames::walk(root, arch, srcarch, toward)
            }
        })
        .into_iter()
        .flatten()
        .collect()
    };
    let pending = |out: &[Option<Result<Resolved, NameError>>]| -> Vec<usize> {
        (0..names.len())
            .filter(|&i| out[i].is_none() && shapes[i].is_ok())
            .collect()
    };
    let settle = |out: &mut Vec<Option<Result<Resolved, NameError>>>, arches: &[ArchNames]| {
        for i in pending(out) {
            if let Ok(s) = &shapes[i] {
                out[i] = lookup(&names[i], s, arches);
            }
        }
    };
    // 1. Focused walks, when every pending name is a path.
    let paths: Vec<String> = pending(&out)
        .into_iter()
        .filter_map(|i| match &shapes[i] {
            Ok(Shape::Object(o) | Shape::Ko(o)) => Some(o.clone()),
            _ => None,
        })
        .collect();
    if !paths.is_empty() && paths.len() == pending(&out).len() {
        let toward = solver::arch::directories_of(&paths);
        let focused = walk(asked, &toward);
        settle(&mut out, &focused);
    }
    // 2. The asked arches whole, 3. every other arch.
    let mut seen: Vec<ArchNames> = Vec::new();
    let needs_names = shapes.iter().any(|s| {
        s.as_ref()
            .err()
            .is_some_and(|e| e.code != ErrorCode::OutsideTree)
    });
    if !pending(&out).is_empty() || needs_names {
        seen = walk(asked, &[]);
        settle(&mut out, &seen);
    }
    if !pending(&out).is_empty() {
        let others: Vec<(String, String)> = all
            .iter()
            .filter(|(_, s)| !asked.iter().any(|(_, a)| a == s))
            .cloned()
            .collect();
        let elsewhere = walk(&others, &[]);
        for i in pending(&out) {
            if let Ok(s) = &shapes[i] {
                out[i] = lookup(&names[i], s, &elsewhere).map(|r| {
                    r.map(|mut r| {
                        r.listed_elsewhere = elsewhere
                            .iter()
                            .filter(|a| a.objects.contains(&r.object))
                            .map(|a| a.arch.clone())
                            .collect();
                        r
                    })
                });
            }
        }
        seen.extend(elsewhere);
    }
    shapes
        .into_iter()
        .zip(out)
        .zip(names)
        .map(|((shape, answer), name)| match (shape, answer) {
            (Err(e), _) => {
                let path = in_tree(&e.name);
                Err(suggest_for(e, path, &seen))
            }
            // A path is shown from the tree's root, whichever directory it was typed in.
            (Ok(Shape::Object(_) | Shape::Ko(_)), Some(Ok(mut r))) => {
                if let Some(path) = in_tree(name) {
                    r.asked = kbuild_graph::normalize(&path);
                }
                Ok(r)
            }
            (Ok(_), Some(answer)) => answer,
            (Ok(s), None) => Err(not_listed(name, &s, &seen)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_of_names() {
        let root = Path::new("/nonexistent-tree");
        // As from the tree's root: `../` leaves it, an absolute path inside it is kept.
        let in_tree = |n: &str| {
            let p = n.strip_prefix("/nonexistent-tree/").unwrap_or(n);
            let p = kbuild_graph::normalize(p);
            (!n.starts_with('/') || n.starts_with("/nonexistent-tree/"))
                .then_some(p)
                .filter(|p| !p.starts_with(".."))
        };
        let shape = |n: &str| shape(root, &in_tree, n);
        assert_eq!(
            shape("./drivers/net/dummy.c"),
            Ok(Shape::Object("drivers/net/dummy.o".into()))
        );
        assert_eq!(
            shape("fs/fat/vfat.ko"),
            Ok(Shape::Ko("fs/fat/vfat.o".into()))
        );
        for bare in ["snd-hda-intel", "snd_hda_intel.ko"] {
            assert_eq!(shape(bare), Ok(Shape::ModName("snd_hda_intel".into())));
        }
        assert_eq!(
            shape("/nonexistent-tree/fs/fat/fat.o"),
            Ok(Shape::Object("fs/fat/fat.o".into()))
        );
        for (name, code) in [
            ("/etc/passwd", ErrorCode::OutsideTree),
            ("../x.o", ErrorCode::OutsideTree),
            ("include/linux/module.h", ErrorCode::Header),
            ("drivers/net/", ErrorCode::Directory),
            (".", ErrorCode::Directory),
            ("README.txt", ErrorCode::NotAnObject),
            ("drivers/net/dummy", ErrorCode::NotAnObject),
        ] {
            assert_eq!(shape(name).map_err(|e| e.code), Err(code), "{name}");
        }
    }

    #[test]
    fn nearest_names_by_edit_distance_and_file_name() {
        let objects: Vec<String> = ["drivers/net/dummy.o", "drivers/net/ifb.o", "fs/fat/fat.o"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            nearest("drivers/net/dumy.o", objects.iter()),
            ["drivers/net/dummy.o"]
        );
        assert_eq!(nearest("dummy.o", objects.iter()), ["drivers/net/dummy.o"]);
        assert!(nearest("kernel/sched/core.o", objects.iter()).is_empty());
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
