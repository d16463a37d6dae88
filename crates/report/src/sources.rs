//! From objects to sources, and what a source carries.
//!
//! Kbuild compiles `dir/foo.o` from `dir/foo.c`, `dir/foo.S` or `dir/foo.rs`
//! (`scripts/Makefile.build`'s `$(obj)/%.o: $(src)/%.c` and friends). When none exists the
//! source is generated at build time (from `foo.y`, `foo.l`, `foo.asn1`, `*_shipped`, or by a
//! custom rule); those are reported as such, never guessed. A `.c` file can also reach an
//! object by being `#include`d from another `.c` file; [`TreeSources`] follows those.
//!
//! Modinfo tags are found in the text with comments and string literals blanked out and
//! `#define` lines skipped (wrappers that define the macros are not uses of them). The
//! preprocessor is not run: a tag inside `#ifdef MODULE` counts as present.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

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
}

impl SourceFacts {
    /// Whether it uses `MODULE_LICENSE`.
    pub fn has_license(&self) -> bool {
        self.tags.contains(&"MODULE_LICENSE")
    }
}

/// Reads what `text` (the contents of `path`, relative to the tree root) carries.
pub fn facts(path: &str, text: &str, exists: &dyn Fn(&str) -> bool) -> SourceFacts {
    let code = blank_comments_and_strings(text);
    let mut tags: Vec<&'static str> = Vec::new();
    let mut includes = Vec::new();
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    for (raw, line) in text.lines().zip(code.lines()) {
        let trimmed = line.trim_start();
        if let Some(directive) = trimmed.strip_prefix('#') {
            let directive = directive.trim_start();
            if directive.starts_with("define") {
                continue;
            }
            // The path of `#include "x.c"` is a string literal, so read it from the raw line.
            if directive.starts_with("include") {
                if let Some(name) = raw.split('"').nth(1).filter(|n| n.ends_with(".c")) {
                    let p = join(dir, name);
                    if exists(&p) {
                        includes.push(p);
                    }
                }
                continue;
            }
        }
        for tag in MODINFO_TAGS {
            if !tags.contains(tag) && uses(line, tag) {
                tags.push(tag);
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
    }
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

    /// Whether `path` or a `.c` file it includes (transitively) uses `MODULE_LICENSE`.
    pub fn license_reaches(&self, path: &str) -> bool {
        let mut stack = vec![path.to_string()];
        let mut seen = std::collections::HashSet::new();
        while let Some(p) = stack.pop() {
            if !seen.insert(p.clone()) {
                continue;
            }
            if let Some(f) = self.files.get(&p) {
                if f.has_license() {
                    return true;
                }
                stack.extend(f.includes.iter().cloned());
            }
        }
        false
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
