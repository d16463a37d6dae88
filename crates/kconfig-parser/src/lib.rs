/*!
Kconfig parser: Kconfig text in, a [`Model`] of the menu tree, the symbols and their
properties plus [`Diagnostic`]s out. It never panics and never stops at the first error.

# Brief overview

- [`parse`] reads a top-level Kconfig through a [`Loader`] ([`FsLoader`] for a tree,
  [`MemLoader`] for tests) and follows every `source`. [`parse_tree`] does the same for one
  `ARCH` of a kernel tree with the environment the top Makefile gives `conf`
  (`ktree::kenv` computes it) and the grammar of that tree's own `scripts/kconfig` ([`Dialect::detect`]).
- The macro preprocessor of `scripts/kconfig/preprocess.c` runs while lexing, as in the
  kernel. `$(shell,...)` has two modes ([`ShellMode`]): run the command as the kernel does,
  for equality with the kernel's tools, or run nothing and record the call, for questions
  about any toolchain.
- The [`Model`] keeps every entry's span and the menu tree with parent links. It applies no
  semantics (no dependency propagation, no `m` rewriting, no type inference): the solver does
  that, so it can also explain it. All conditions live in the model's one
  [`kp_base::ExprPool`].

# Recorded `$(shell,...)` calls

In [`ShellMode::Record`] each call is appended to [`Model::shell_calls`] and expands to an
opaque marker. Where the marker ends up decides how it shows in the model:

- as a symbol in an expression (`def_bool $(success,...)`, `depends on $(cc-option,-mfoo)`):
  an [`kp_base::Expr::Unknown`] fact whose text is the call (`$(shell,...)` with its command)
  and whose span is the reference that made it; one fact per call, so a `:=` variable used
  twice is the same fact;
- inside a comparison (`$(shell,...) = "x"`) or glued to other text: one unknown fact for the
  whole comparison or word;
- as the value of a `default` or a `range` bound: the `opaque` field of
  [`PropertyKind::Default`] / [`PropertyKind::Range`] lists the calls, and the operand shows
  the text with the calls unexpanded, so an int such as `GCC_VERSION` is visibly "a toolchain
  fact";
- in a prompt or help text: the call's text, unexpanded;
- in a `source` path: error KP0204 (the file cannot be known).

`$(error-if,c,...)` and `$(warning-if,c,...)` fire only when `c` is literally `y`, so a
recorded condition never fires.

# Dialects

[`Dialect`] says what the tree's own `scripts/kconfig` accepts, detected from its sources
([`Dialect::detect`]): 5.10's `option modules|defconfig_list|allnoconfig_y`; up to v6.9
([`Choices::Legacy`]) named and tristate choices and `optional`; from v6.10
([`Choices::Modern`]) none of them, with checks on choice members; 6.12's `bool "prompt"` in a
choice; 7.2's `transitional`, `depends on X if Y` and stricter errors. What a tree does not
know is reported as its kernel would (unknown statement, unexpected token). No kernel has
`osource`, `rsource`, `orsource` or globbing in `source`: those are Kconfiglib extensions. For Kconfig trees written
for Kconfiglib (Zephyr and others), [`Options::kconfiglib_sources`] accepts `osource`,
`rsource`, `orsource` and globs in `source` paths.

# For the solver

[`Model::menus`] is the tree (`menus[0]` the root; [`MenuNode::parent`], `children`); each
[`MenuNode`] carries only what was written on it: `depends`, `visible_if`, `prompt` (with its
own `if`), `ty`, `properties` (`default`/`select`/`imply`/`range`, each with its own `if`),
`modules`, `help`, and for choices [`ChoiceInfo`] (members in `choice_members` order,
`optional`, legacy name). [`Model::symbols`] lists each defined symbol's definitions in parse
order; [`Model::properties_of`] walks them in the kernel's `sym->prop` order, which is what
"the first default that applies" means. [`Model::ancestors`] gives the enclosing blocks
whose `depends` (and, for prompts, `visible if`) `_menu_finalize` would propagate.

# Diagnostics

Errors (the kernel's tools reject the input too): KP0101 unknown statement, KP0102 invalid
statement or missing operand, KP0110 invalid expression, KP0111 unexpected trailing tokens,
KP0120 attribute not allowed here, KP0121 statement not allowed in a choice, KP0122 late
`mainmenu`, KP0123 construct of the other dialect, KP0130 mismatched `end*`, KP0131 block
not closed in its file, KP0132 `end*` without a block, KP0143 second `modules`, KP0144
choice member without prompt or not bool (6.12), KP0145 choice without prompt (6.12),
KP0148 default on a choice member (6.12), KP0151 transitional symbol with
more than help (7.2), KP0201 file cannot be read, KP0202 recursive
`source`, KP0203 `source` nested too deep, KP0204 `source` path from a recorded probe,
KP0301 unterminated `$(`, KP0302 too many arguments, KP0303 self-referencing variable,
KP0304 wrong built-in arity, KP0305 expansion too deep or too long, KP0306 expansion too
large, KP0310 `$(error-if)` fired.
Warnings: KP0103 multi-line string, KP0104 unsupported character, KP0105 no newline at end
of file, KP0106 invalid UTF-8, KP0140 type redefinition, KP0141 prompt redefined, KP0142
second or blank help (an error in 7.2), KP0146 menuconfig without prompt (an error in 7.2), KP0147 leading whitespace in a
prompt, KP0149 symbol without type, KP0150 symbol name from a recorded probe, KP0311 `$(warning-if)` fired. Note:
KP0312 `$(info)`.

```
use kconfig_parser::{parse, MemLoader, Options, Dialect, ShellMode};
let files = MemLoader::from_fixture("#- Kconfig\nconfig A\n\ttristate \"A\"\n\tdepends on B && !C\n");
let model = parse("Kconfig", &files, &Options::new(Dialect::LINUX_6_12, ShellMode::Record));
assert!(model.diagnostics.is_empty());
let a = model.symbol_named("A").unwrap();
let def = model.menu(model.symbol(a).definitions[0]);
assert_eq!(model.exprs.display(def.depends[0].expr), "B && !C");
```
*/
#![deny(missing_docs)]

mod conf_text;
mod expr_parser;
mod lexer;
mod model;
mod parser;
mod preprocess;
pub mod probes;

pub mod dump;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use conf_text::{ConfStream, ConfStyle, conf_output};
pub use kp_base::Diagnostic;
pub use model::*;
pub use preprocess::ShellMode;

/// How to parse.
#[derive(Clone, Debug)]
pub struct Options {
    /// The grammar.
    pub dialect: Dialect,
    /// What `$(shell,...)` does.
    pub shell: ShellMode,
    /// The environment `$(NAME)` falls back to (nothing else is read from the process
    /// environment, so results do not depend on the caller's shell). Commands run in
    /// [`ShellMode::Run`] inherit the process environment overlaid with this one.
    pub env: Vec<(String, String)>,
    /// What the tools named in `env` are (where `PATH` finds them, their `--version`s), as
    /// `ktree::kenv` says: never read by Kconfig, part of every [`ShellMode::Run`] probe's
    /// cache key, so an answer recorded with other tools is not reused.
    pub toolchain: Vec<(String, String)>,
    /// Also accept Kconfiglib's extensions, which the kernel's own tools (6.1, 6.12) reject:
    /// `osource`, `rsource`, `orsource` and glob patterns in `source` paths. Off for kernel
    /// trees, so the kernel's language is what is checked.
    pub kconfiglib_sources: bool,
}

impl Options {
    /// Options with an empty environment.
    pub fn new(dialect: Dialect, shell: ShellMode) -> Options {
        Options {
            dialect,
            shell,
            env: Vec::new(),
            toolchain: Vec::new(),
            kconfiglib_sources: false,
        }
    }
}

/// Where `source` reads files from.
pub trait Loader {
    /// The bytes of `path` as written in the `source` statement (or the top file name).
    fn load(&self, path: &str) -> std::io::Result<Vec<u8>>;

    /// The files matching a glob pattern (`*` and `?` within one path component, `[...]`
    /// classes), sorted; only used with [`Options::kconfiglib_sources`].
    fn glob(&self, pattern: &str) -> Vec<String> {
        let _ = pattern;
        Vec::new()
    }
}

/// Whether `name` matches the glob `pattern` (`*`, `?`, `[abc]`, `[a-z]`, `[!x]`; `*` and `?`
/// do not match `/`).
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    // Iterative matcher with one backtrack point for the last `*` (linear in practice).
    let (mut pi, mut ni, mut star): (usize, usize, Option<(usize, usize)>) = (0, 0, None);
    while ni < n.len() {
        let step = match p.get(pi) {
            Some('*') => {
                star = Some((pi, ni));
                pi += 1;
                continue;
            }
            Some('?') if n[ni] != '/' => Some(pi + 1),
            Some('[') => match_class(&p, pi, n[ni]),
            Some(&c) if c == n[ni] => Some(pi + 1),
            _ => None,
        };
        match step {
            Some(next) => {
                pi = next;
                ni += 1;
            }
            None => match star {
                Some((sp, sn)) if n[sn] != '/' => {
                    star = Some((sp, sn + 1));
                    pi = sp + 1;
                    ni = sn + 1;
                }
                _ => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Matches `c` against the class starting at `p[i] == '['`; the index after it on success.
fn match_class(p: &[char], i: usize, c: char) -> Option<usize> {
    let mut j = i + 1;
    let negate = matches!(p.get(j), Some('!' | '^'));
    if negate {
        j += 1;
    }
    let mut hit = false;
    let mut first = true;
    while let Some(&x) = p.get(j) {
        if x == ']' && !first {
            return (hit != negate && c != '/').then_some(j + 1);
        }
        if p.get(j + 1) == Some(&'-') && p.get(j + 2).is_some_and(|&y| y != ']') {
            hit |= x <= c && c <= p[j + 2];
            j += 3;
        } else {
            hit |= x == c;
            j += 1;
        }
        first = false;
    }
    // No closing bracket: `[` is an ordinary character.
    (c == '[').then_some(i + 1)
}

/// Reads files relative to a kernel tree, as `zconf_fopen()` does with `$srctree`.
#[derive(Clone, Debug)]
pub struct FsLoader {
    root: PathBuf,
    /// The tree's directory, opened on first use: files are opened relative to it
    /// (`openat`), so the kernel does not walk the root's own path again for each of the
    /// ~1,700 files of a tree (path lookup was a tenth of parsing). `None` if it cannot be
    /// opened; then paths are joined as usual, which reports the error.
    dir: std::sync::OnceLock<Option<std::sync::Arc<rustix::fd::OwnedFd>>>,
}

impl FsLoader {
    /// A loader for the tree at `root`.
    pub fn new(root: impl Into<PathBuf>) -> FsLoader {
        FsLoader {
            root: root.into(),
            dir: std::sync::OnceLock::new(),
        }
    }

    fn dir(&self) -> Option<&rustix::fd::OwnedFd> {
        self.dir
            .get_or_init(|| {
                use rustix::fs::{Mode, OFlags};
                let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
                rustix::fs::open(&self.root, flags, Mode::empty())
                    .ok()
                    .map(std::sync::Arc::new)
            })
            .as_deref()
    }
}

impl Loader for FsLoader {
    fn load(&self, path: &str) -> std::io::Result<Vec<u8>> {
        let p = Path::new(path);
        if p.is_absolute() {
            return std::fs::read(p);
        }
        let Some(dir) = self.dir() else {
            return std::fs::read(self.root.join(p));
        };
        use rustix::fs::{Mode, OFlags};
        let fd = rustix::fs::openat(dir, p, OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty())?;
        // Nine Kconfig files in ten are under 8 KiB: starting there, and reading until
        // `read` says end of file, saves the size probe (`statx`, `lseek`) that
        // `std::fs::read` and `read_to_end` make; syscalls are a fifth of parsing.
        let mut bytes = Vec::with_capacity(8192);
        let mut sized = false;
        loop {
            if bytes.len() == bytes.capacity() {
                // A larger file (the other tenth, but 60% of the bytes): its size, asked once,
                // lets the rest arrive in one read into one buffer, instead of a read and a
                // copy of everything so far per doubling. A byte more is asked for so that
                // the read after the rest sees the end of the file.
                let size = match sized {
                    false => rustix::fs::fstat(&fd).map_or(0, |st| st.st_size),
                    true => 0,
                };
                sized = true;
                match usize::try_from(size).unwrap_or(0).checked_sub(bytes.len()) {
                    Some(rest) if rest > 0 => bytes.reserve_exact(rest.saturating_add(1)),
                    // Grown since, or no size known: doubling as before.
                    _ => bytes.reserve(bytes.capacity()),
                }
            }
            match rustix::io::read(&fd, rustix::buffer::spare_capacity(&mut bytes)) {
                Ok(0) => {
                    // The text is kept until the model is dropped: a small file moves to a
                    // block of its size (the allocator keeps a block it would only halve),
                    // and the 8 KiB one serves the next file. Half of all files are under
                    // 2 KiB; this was 9 MB of the parse's 58 MB on arm64.
                    bytes.shrink_to_fit();
                    return Ok(bytes);
                }
                Ok(_) | Err(rustix::io::Errno::INTR) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn glob(&self, pattern: &str) -> Vec<String> {
        // Expand one path component at a time, reading only the directories on the way.
        let absolute = pattern.starts_with('/');
        let mut found: Vec<String> = vec![if absolute {
            "/".to_string()
        } else {
            String::new()
        }];
        for part in pattern.split('/').filter(|c| !c.is_empty()) {
            let mut next = Vec::new();
            for prefix in &found {
                let join = |name: &str| {
                    if prefix.is_empty() || prefix.ends_with('/') {
                        format!("{prefix}{name}")
                    } else {
                        format!("{prefix}/{name}")
                    }
                };
                if !part.contains(['*', '?', '[']) {
                    next.push(join(part));
                    continue;
                }
                let Ok(entries) = std::fs::read_dir(self.path_of(prefix)) else {
                    continue;
                };
                for e in entries.flatten() {
                    let name = e.file_name().to_string_lossy().into_owned();
                    if !name.starts_with('.') && glob_match(part, &name) {
                        next.push(join(&name));
                    }
                }
            }
            found = next;
        }
        found.retain(|f| self.path_of(f).is_file());
        found.sort();
        found
    }
}

impl FsLoader {
    fn path_of(&self, path: &str) -> PathBuf {
        let p = Path::new(path);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.root.join(p)
        }
    }
}

/// Files held in memory, for tests and fuzzing.
#[derive(Clone, Debug, Default)]
pub struct MemLoader {
    files: HashMap<String, Vec<u8>>,
}

impl MemLoader {
    /// An empty set of files.
    pub fn new() -> MemLoader {
        MemLoader::default()
    }

    /// Adds a file.
    pub fn add(&mut self, path: &str, text: impl Into<Vec<u8>>) -> &mut MemLoader {
        self.files.insert(path.to_string(), text.into());
        self
    }

    /// Files from one string where each file starts with a `#- path` line; text before the
    /// first header belongs to `Kconfig`.
    pub fn from_fixture(fixture: &str) -> MemLoader {
        let mut loader = MemLoader::new();
        let mut name = "Kconfig".to_string();
        let mut text = String::new();
        for line in fixture.split_inclusive('\n') {
            if let Some(path) = line.strip_prefix("#- ") {
                if !text.is_empty() || name != "Kconfig" {
                    loader.add(&name, std::mem::take(&mut text));
                }
                name = path.trim().to_string();
            } else {
                text.push_str(line);
            }
        }
        loader.add(&name, text);
        loader
    }
}

impl Loader for MemLoader {
    fn load(&self, path: &str) -> std::io::Result<Vec<u8>> {
        self.files.get(path).cloned().ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory")
        })
    }

    fn glob(&self, pattern: &str) -> Vec<String> {
        let mut found: Vec<String> = self
            .files
            .keys()
            .filter(|k| glob_match(pattern, k))
            .cloned()
            .collect();
        found.sort();
        found
    }
}

/// Parses `top` and every file it sources. Never fails: problems are in
/// [`Model::diagnostics`].
pub fn parse(top: &str, loader: &dyn Loader, options: &Options) -> Model {
    let parse_with = |options: &Options| {
        let mut p = parser::Parser::new(options, loader);
        p.parse_file(top, None);
        p.finish()
    };
    if options.shell != ShellMode::Run {
        return parse_with(options);
    }
    let env: std::collections::HashMap<String, String> = options.env.iter().cloned().collect();
    let toolchain = probes::render_toolchain(&options.toolchain);
    probes::prefetch(top, &env, &toolchain, || {
        let record = Options {
            shell: ShellMode::Record,
            ..options.clone()
        };
        parse_with(&record)
            .shell_calls
            .into_iter()
            .filter(|c| c.inputs.is_empty())
            .map(|c| c.command)
            .collect()
    });
    let model = parse_with(options);
    let ran = model
        .shell_calls
        .iter()
        .map(|c| c.command.clone())
        .collect();
    probes::remember(top, &env, &toolchain, ran);
    model
}

impl Dialect {
    /// What the `scripts/kconfig` of the tree at `root` accepts and does, read from its
    /// sources: the keywords of `lexer.l`, the rules of `parser.y`, `conf_write()` in
    /// `confdata.c` and `SYMBOL_HASHSIZE` (`expr.h`, later `internal.h`). A tree without
    /// `scripts/kconfig` is taken as the newest known ([`Dialect::LINUX_7_2`]).
    pub fn detect(root: &Path) -> Dialect {
        let dir = root.join("scripts/kconfig");
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
        let (Some(lexer), Some(parser)) = (read("lexer.l"), read("parser.y")) else {
            return Dialect::LINUX_7_2;
        };
        let confdata = read("confdata.c").unwrap_or_default();
        let headers = format!(
            "{}{}",
            read("expr.h").unwrap_or_default(),
            read("internal.h").unwrap_or_default()
        );
        let keyword = |k: &str| lexer.contains(&format!("\"{k}\""));
        let hash = headers.lines().find_map(|l| {
            let rest = l.trim_start().strip_prefix("#define")?.trim_start();
            let value = rest.strip_prefix("SYMBOL_HASHSIZE")?.trim();
            match value {
                "(1U << 14)" => Some(1 << 14),
                v => v.parse().ok(),
            }
        });
        let legacy = keyword("optional");
        Dialect {
            choices: if legacy {
                Choices::Legacy
            } else {
                Choices::Modern
            },
            option: keyword("option"),
            choice_bool_prompt: parser.contains("choice_option: T_BOOL T_WORD_QUOTE"),
            transitional: keyword("transitional"),
            depends_if: parser.contains("T_DEPENDS T_ON expr if_expr"),
            menuconfig_needs_prompt: parser
                .contains("zconf_error(\"menuconfig statement without prompt\")"),
            help_errors: parser
                .contains("zconf_error(\"'%s' defined with more than one help text\""),
            end_of_empty_menu: confdata.contains("end_check:"),
            symbol_hash_size: hash.unwrap_or(if legacy { 9973 } else { 1 << 14 }),
        }
    }
}

/// Parses the top `Kconfig` of the tree at `root` with the tree's dialect, in the
/// environment `env` the top Makefile gives `conf` for one arch (`ktree::kenv`), `toolchain`
/// saying what its tools are (see [`Options::toolchain`]).
pub fn parse_tree(
    root: &Path,
    shell: ShellMode,
    env: &[(String, String)],
    toolchain: &[(String, String)],
) -> Model {
    let options = Options {
        dialect: Dialect::detect(root),
        shell,
        env: env.to_vec(),
        toolchain: toolchain.to_vec(),
        kconfiglib_sources: false,
    };
    parse("Kconfig", &FsLoader::new(root), &options)
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("arch/*/Kconfig", "arch/x86/Kconfig"));
        assert!(!glob_match("arch/*/Kconfig", "arch/x86/um/Kconfig"));
        assert!(glob_match("Kconfig.?", "Kconfig.a"));
        assert!(glob_match("Kconfig.[a-c]x", "Kconfig.bx"));
        assert!(!glob_match("Kconfig.[!a-c]x", "Kconfig.bx"));
        assert!(glob_match("*.*", "a.b.c"));
        assert!(glob_match("[", "["));
        assert!(!glob_match("a*b", "a/b"));
        assert!(glob_match("**", ""));
    }
}
