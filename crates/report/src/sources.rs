//! From objects to sources, and what a source carries.
//!
//! Kbuild compiles `dir/foo.o` from `dir/foo.c`, `dir/foo.S` or `dir/foo.rs`
//! (`scripts/Makefile.build`'s `$(obj)/%.o: $(src)/%.c` and friends). When none exists the
//! source is generated at build time (from `foo.y`, `foo.l`, `foo.asn1`, `*_shipped`, or by a
//! custom rule); those are reported as such, never guessed. A `.c` file can also reach an
//! object by being `#include`d from another `.c` file; [`TreeSources`] follows those.
//!
//! Modinfo tags are found in the text with comments and string literals blanked out and
//! `#define` lines skipped (wrappers that define the macros are not uses of them). Each use
//! and each `#include "x.c"` keeps the `#if` guards around it ([`crate::guards`]), so that a
//! configuration (or a condition over symbols) decides whether the tag is compiled.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::guards::{Conditionals, Guard, Locals, Macros, compose};

/// The `<linux/module.h>` macros that put a `.modinfo` entry in the object.
pub const MODINFO_TAGS: &[&str] = &[
    "MODULE_LICENSE",
    "MODULE_AUTHOR",
    "MODULE_DESCRIPTION",
    "MODULE_ALIAS",
    "MODULE_VERSION",
    "MODULE_FIRMWARE",
    "MODULE_SOFTDEP",
    "MODULE_IMPORT_NS",
    "MODULE_INFO",
];

/// Where an object's code comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ObjectSource {
    /// A source file of the tree (`dir/foo.c`, `.S` or `.rs`).
    File {
        /// Its path from the tree root.
        path: String,
    },
    /// Generated at build time from this file of the tree.
    Generated {
        /// `dir/foo.y`, `dir/foo.l`, `dir/foo.asn1`, `dir/foo.c_shipped`...
        from: String,
    },
    /// No source file and no known generator input: a custom Makefile rule makes it.
    Unmapped,
}

impl ObjectSource {
    /// The source path, when the object has one in the tree.
    pub fn path(&self) -> Option<&str> {
        match self {
            ObjectSource::File { path } => Some(path),
            _ => None,
        }
    }
}

/// The source of `object` (`dir/foo.o`) in the tree at `root`.
pub fn object_source(root: &Path, object: &str) -> ObjectSource {
    let Some(stem) = object.strip_suffix(".o") else {
        return ObjectSource::Unmapped;
    };
    for ext in ["c", "S", "rs"] {
        let p = format!("{stem}.{ext}");
        if root.join(&p).is_file() {
            return ObjectSource::File { path: p };
        }
    }
    // Generator inputs Makefile.lib / Makefile.build know: bison, flex, asn1_compiler
    // (`foo.asn1.o` from `foo.asn1`), shipped files.
    for suffix in [".y", ".l", "", ".c_shipped", ".S_shipped"] {
        let p = format!("{stem}{suffix}");
        if (!suffix.is_empty() || stem.ends_with(".asn1")) && root.join(&p).is_file() {
            return ObjectSource::Generated { from: p };
        }
    }
    ObjectSource::Unmapped
}

/// What one source file carries.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SourceFacts {
    /// The modinfo macros used (sorted, from [`MODINFO_TAGS`]).
    pub tags: Vec<&'static str>,
    /// Whether some line carries `SPDX-License-Identifier:`.
    pub spdx: bool,
    /// `.c` files it `#include "..."`s, resolved against its directory, that exist.
    pub includes: Vec<String>,
    /// Each use of a tag, with its line and guard.
    #[serde(skip)]
    pub uses: Vec<TagUse>,
    /// Each `#include` of a `.c` file of [`SourceFacts::includes`], with its guard and the
    /// file's own macros at that line.
    #[serde(skip)]
    pub include_guards: Vec<(String, Guard, Locals)>,
}

/// One use of a modinfo tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagUse {
    /// The macro.
    pub tag: &'static str,
    /// 1-based line.
    pub line: u32,
    /// The `#if` guards around it.
    pub guard: Guard,
}

/// A tag use reached from a source, following `#include`d `.c` files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reached {
    /// The file holding the use.
    pub file: String,
    /// The use; its guard includes those of the `#include` lines on the way.
    pub tag: &'static str,
    /// 1-based line in `file`.
    pub line: u32,
    /// Its guard.
    pub guard: Guard,
}

impl SourceFacts {
    /// Its own tag uses (`path` is its path), without following includes.
    pub fn reached(&self, path: &str) -> Vec<Reached> {
        self.uses
            .iter()
            .map(|u| Reached {
                file: path.to_string(),
                tag: u.tag,
                line: u.line,
                guard: u.guard.clone(),
            })
            .collect()
    }

    /// Whether it uses `MODULE_LICENSE`.
    pub fn has_license(&self) -> bool {
        self.tags.contains(&"MODULE_LICENSE")
    }
}

/// Reads what `text` (the contents of `path`, relative to the tree root) carries.
pub fn facts(path: &str, text: &str, exists: &dyn Fn(&str) -> bool) -> SourceFacts {
    let code = blank_comments_and_strings(text);
    let mut tags: Vec<&'static str> = Vec::new();
    let mut uses_ = Vec::new();
    let mut includes = Vec::new();
    let mut include_guards = Vec::new();
    let mut conds = Conditionals::new(path);
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    let mut lines = text.lines().zip(code.lines()).enumerate();
    while let Some((i, (raw, line))) = lines.next() {
        let trimmed = line.trim_start();
        if let Some(directive) = trimmed.strip_prefix('#') {
            // A directive goes on over lines ending in a backslash.
            let mut directive = directive.trim_start().to_string();
            let is_define = directive.starts_with("define");
            while directive.trim_end().ends_with('\\') {
                let Some((j, (_, next))) = lines.next() else {
                    break;
                };
                // A macro whose body uses a tag (i915's firmware list) emits it where the
                // file expands it: counted under the guard of the `#define`.
                if is_define {
                    for tag in MODINFO_TAGS {
                        if uses(next, tag) {
                            if !tags.contains(tag) {
                                tags.push(tag);
                            }
                            uses_.push(TagUse {
                                tag,
                                line: j as u32 + 1,
                                guard: conds.guard(),
                            });
                        }
                    }
                }
                directive = format!("{} {next}", directive.trim_end().trim_end_matches('\\'));
            }
            if conds.directive(i as u32 + 1, &directive) || directive.starts_with("define") {
                continue;
            }
            // The path of `#include "x.c"` is a string literal, so read it from the raw line.
            if directive.starts_with("include") {
                if let Some(name) = raw.split('"').nth(1).filter(|n| n.ends_with(".c")) {
                    let p = join(dir, name);
                    if exists(&p) {
                        include_guards.push((p.clone(), conds.guard(), conds.locals().clone()));
                        includes.push(p);
                    }
                }
                continue;
            }
        }
        for tag in MODINFO_TAGS {
            if uses(line, tag) {
                if !tags.contains(tag) {
                    tags.push(tag);
                }
                uses_.push(TagUse {
                    tag,
                    line: i as u32 + 1,
                    guard: conds.guard(),
                });
            }
        }
    }
    tags.sort_unstable();
    includes.sort();
    includes.dedup();
    SourceFacts {
        tags,
        spdx: text.contains("SPDX-License-Identifier:"),
        includes,
        uses: uses_,
        include_guards,
    }
}

/// Whether one of the `MODULE_LICENSE` uses of `reached` is compiled under `macros`; `Err`
/// names the guard that stopped us when none is known to be and one might be.
pub fn license_of(reached: &[Reached], macros: &dyn Macros) -> Result<bool, String> {
    let mut unknown = None;
    for r in reached.iter().filter(|r| r.tag == "MODULE_LICENSE") {
        match crate::guards::holds(&r.guard, macros) {
            Ok(true) => return Ok(true),
            Ok(false) => {}
            Err(why) => {
                unknown.get_or_insert(format!("{}:{}: MODULE_LICENSE under {why}", r.file, r.line));
            }
        }
    }
    unknown.map_or(Ok(false), Err)
}

/// Whether `line` calls macro `name` (`name` as a whole identifier followed by `(`).
fn uses(line: &str, name: &str) -> bool {
    let bytes = line.as_bytes();
    let mut from = 0;
    while let Some(i) = line[from..].find(name) {
        let start = from + i;
        let end = start + name.len();
        let before_ok = start == 0 || !is_ident(bytes[start - 1]);
        let after = line[end..].trim_start();
        if before_ok && after.starts_with('(') {
            return true;
        }
        from = end;
    }
    false
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `dir` joined with a relative `name`, `..` and `.` resolved.
fn join(dir: &str, name: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in name.split('/') {
        match p {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// `text` with every comment and string or character literal replaced by spaces (newlines
/// kept, so lines still match).
pub fn blank_comments_and_strings(text: &str) -> String {
    #[derive(PartialEq)]
    enum S {
        Code,
        Line,
        Block,
        Str(u8),
    }
    let mut out = String::with_capacity(text.len());
    let mut s = S::Code;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match s {
            S::Code => match c {
                '/' if chars.peek() == Some(&'/') => {
                    chars.next();
                    out.push_str("  ");
                    s = S::Line;
                }
                '/' if chars.peek() == Some(&'*') => {
                    chars.next();
                    out.push_str("  ");
                    s = S::Block;
                }
                '"' | '\'' => {
                    out.push(c);
                    s = S::Str(c as u8);
                }
                c => out.push(c),
            },
            S::Line => {
                if c == '\n' {
                    out.push('\n');
                    s = S::Code;
                } else {
                    out.push(' ');
                }
            }
            S::Block => {
                if c == '*' && chars.peek() == Some(&'/') {
                    chars.next();
                    out.push_str("  ");
                    s = S::Code;
                } else {
                    out.push(if c == '\n' { '\n' } else { ' ' });
                }
            }
            S::Str(q) => {
                if c == '\\' {
                    out.push(' ');
                    if let Some(n) = chars.next() {
                        out.push(if n == '\n' { '\n' } else { ' ' });
                    }
                } else if c as u32 == q as u32 {
                    out.push(c);
                    s = S::Code;
                } else if c == '\n' {
                    // An unterminated literal ends at the line, as the compiler would complain.
                    out.push('\n');
                    s = S::Code;
                } else {
                    out.push(' ');
                }
            }
        }
    }
    out
}

/// Directories of the tree that hold no kernel code. (`tools/` and `scripts/` stay: Kbuild
/// reaches `tools/testing/nvdimm` and friends.)
const NOT_KERNEL: &[&str] = &["Documentation"];

/// The facts of every `.c` file of the tree that carries a modinfo tag, an include of
/// another `.c` file, or is included by one.
#[derive(Clone, Debug, Default)]
pub struct TreeSources {
    /// Facts per `.c` path (only files with tags or `.c` includes).
    pub files: BTreeMap<String, SourceFacts>,
    /// `.c` file → the `.c` files that `#include` it.
    pub included_by: BTreeMap<String, Vec<String>>,
    /// Whether a path without facts has an SPDX line (read lazily on demand).
    root: std::path::PathBuf,
}

impl TreeSources {
    /// Scans every `.c` file under `root` (outside [`NOT_KERNEL`]).
    pub fn scan(root: &Path) -> TreeSources {
        let mut files = BTreeMap::new();
        let mut stack = vec![String::new()];
        while let Some(dir) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(root.join(&dir)) else {
                continue;
            };
            let mut entries: Vec<(String, bool)> = rd
                .filter_map(|e| e.ok())
                .filter_map(|e| {
                    let name = e.file_name().into_string().ok()?;
                    let is_dir = e.file_type().ok()?.is_dir();
                    Some((name, is_dir))
                })
                .collect();
            entries.sort();
            for (name, is_dir) in entries {
                let rel = if dir.is_empty() {
                    name.clone()
                } else {
                    format!("{dir}/{name}")
                };
                if is_dir {
                    if !name.starts_with('.') && !NOT_KERNEL.contains(&rel.as_str()) {
                        stack.push(rel);
                    }
                } else if name.ends_with(".c") {
                    let Ok(bytes) = std::fs::read(root.join(&rel)) else {
                        continue;
                    };
                    let text = String::from_utf8_lossy(&bytes);
                    let f = facts(&rel, &text, &|p| root.join(p).is_file());
                    if !f.tags.is_empty() || !f.includes.is_empty() {
                        files.insert(rel, f);
                    }
                }
            }
        }
        let mut included_by: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (p, f) in &files {
            for i in &f.includes {
                included_by.entry(i.clone()).or_default().push(p.clone());
            }
        }
        TreeSources {
            files,
            included_by,
            root: root.to_path_buf(),
        }
    }

    /// The facts of `path` (empty when it carries nothing this scan keeps).
    pub fn get(&self, path: &str) -> SourceFacts {
        self.files.get(path).cloned().unwrap_or_default()
    }

    /// The facts of a generated object's `*_shipped` input (copied to the `.c` at build
    /// time), read from disk.
    pub fn shipped(&self, from: &str) -> Option<SourceFacts> {
        if !from.ends_with("_shipped") {
            return None;
        }
        let bytes = std::fs::read(self.root.join(from)).ok()?;
        Some(facts(from, &String::from_utf8_lossy(&bytes), &|p| {
            self.root.join(p).is_file()
        }))
    }

    /// The tag uses of `path` and of the `.c` files it includes (transitively), each under
    /// its own guard and those of the `#include` lines on the way.
    pub fn reached(&self, path: &str) -> Vec<Reached> {
        let mut out = Vec::new();
        // (file, guard of the way there, the includers' macros at its start, files on the way)
        let mut stack = vec![(
            path.to_string(),
            Guard::Always,
            Locals::new(),
            Vec::<String>::new(),
        )];
        while let Some((p, outer, macros, chain)) = stack.pop() {
            let Some(f) = self.files.get(&p) else {
                continue;
            };
            for u in &f.uses {
                out.push(Reached {
                    file: p.clone(),
                    tag: u.tag,
                    line: u.line,
                    guard: u.guard.substitute(&macros).within(&outer),
                });
            }
            for (inc, g, locals) in &f.include_guards {
                if inc == &p || chain.contains(inc) {
                    continue;
                }
                let mut chain = chain.clone();
                chain.push(p.clone());
                let g = g.substitute(&macros).within(&outer);
                stack.push((inc.clone(), g, compose(locals, &macros), chain));
            }
        }
        out.sort_by(|a, b| (&a.file, a.line, a.tag).cmp(&(&b.file, b.line, b.tag)));
        out
    }

    /// Whether `MODULE_LICENSE` is compiled into the object of `path` under `macros`:
    /// `Err` says which guard stopped us when no use is known to be compiled and one might be.
    pub fn license_in(&self, path: &str, macros: &dyn Macros) -> Result<bool, String> {
        license_of(&self.reached(path), macros)
    }

    /// Whether `path` has an `SPDX-License-Identifier:` line (read from disk).
    pub fn spdx(&self, path: &str) -> bool {
        if let Some(f) = self.files.get(path) {
            return f.spdx;
        }
        std::fs::read(self.root.join(path))
            .map(|b| String::from_utf8_lossy(&b).contains("SPDX-License-Identifier:"))
            .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_in_code_count_comments_strings_and_defines_do_not() {
        let text = "// SPDX-License-Identifier: GPL-2.0\n\
                    /* MODULE_AUTHOR(\"x\") in a comment */\n\
                    #define MODULE_LICENSE(x) nothing\n\
                    static const char *s = \"MODULE_ALIAS(y)\";\n\
                    #include \"helper.c\"\n\
                    #include \"missing.c\"\n\
                    MODULE_LICENSE(\"GPL\");\n\
                    MODULE_DESCRIPTION (\"d\");\n\
                    MY_MODULE_VERSION(\"1\");\n";
        let f = facts("drivers/x/a.c", text, &|p| p == "drivers/x/helper.c");
        assert_eq!(f.tags, vec!["MODULE_DESCRIPTION", "MODULE_LICENSE"]);
        assert!(f.spdx);
        assert_eq!(f.includes, vec!["drivers/x/helper.c"]);
        assert!(!facts("a.c", "MODULE_AUTHOR(\"me\");\n", &|_| false).has_license());
    }

    #[test]
    fn include_paths_resolve_parent_directories() {
        assert_eq!(join("a/b", "../c.c"), "a/c.c");
        assert_eq!(join("a", "./b/c.c"), "a/b/c.c");
    }

    #[test]
    fn object_sources_and_generated_inputs() {
        let t = tempfile::tempdir().unwrap();
        for p in ["d/a.c", "d/b.S", "d/p.y", "d/k.asn1"] {
            std::fs::create_dir_all(t.path().join("d")).unwrap();
            std::fs::write(t.path().join(p), "").unwrap();
        }
        let src = |o| object_source(t.path(), o);
        assert_eq!(src("d/a.o").path(), Some("d/a.c"));
        assert_eq!(src("d/b.o").path(), Some("d/b.S"));
        assert_eq!(
            src("d/p.o"),
            ObjectSource::Generated {
                from: "d/p.y".into()
            }
        );
        assert_eq!(
            src("d/k.asn1.o"),
            ObjectSource::Generated {
                from: "d/k.asn1".into()
            }
        );
        assert_eq!(src("d/z.o"), ObjectSource::Unmapped);
    }
}
