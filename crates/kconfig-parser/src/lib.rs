/*!
Kconfig parser: Kconfig text in, a [`Model`] of the menu tree, the symbols and their
properties plus [`Diagnostic`]s out. It never panics and never stops at the first error.

# Brief overview

- [`parse`] reads a top-level Kconfig through a [`Loader`] ([`FsLoader`] for a tree,
  [`MemLoader`] for tests) and follows every `source`. [`parse_tree`] does the same for one
  `ARCH` of a kernel tree with the environment the top Makefile gives `conf`
  ([`kernel_env`]) and the grammar of that tree's own `scripts/kconfig` ([`Dialect::detect`]).
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

The kernel's grammar changed in v6.10: [`Dialect::Legacy`] (6.1) has named and tristate
choices and `optional`; [`Dialect::Modern`] (6.12) has none of them and checks choice
members. Neither has `option`, `osource`, `rsource`, `orsource`, globbing in `source`, or
`transitional`: those are Kconfiglib extensions or later kernels, and are reported as the
kernel would (unknown statement, or a file that cannot be opened). For Kconfig trees written
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
KP0148 default on a choice member (6.12), KP0201 file cannot be read, KP0202 recursive
`source`, KP0203 `source` nested too deep, KP0204 `source` path from a recorded probe,
KP0301 unterminated `$(`, KP0302 too many arguments, KP0303 self-referencing variable,
KP0304 wrong built-in arity, KP0305 expansion too deep or too long, KP0306 expansion too
large, KP0310 `$(error-if)` fired.
Warnings: KP0103 multi-line string, KP0104 unsupported character, KP0105 no newline at end
of file, KP0106 invalid UTF-8, KP0140 type redefinition, KP0141 prompt redefined, KP0142
second or blank help, KP0146 menuconfig without prompt, KP0147 leading whitespace in a
prompt, KP0149 symbol without type, KP0150 symbol name from a recorded probe, KP0311 `$(warning-if)` fired. Note:
KP0312 `$(info)`.

```
use kconfig_parser::{parse, MemLoader, Options, Dialect, ShellMode};
let files = MemLoader::from_fixture("#- Kconfig\nconfig A\n\ttristate \"A\"\n\tdepends on B && !C\n");
let model = parse("Kconfig", &files, &Options::new(Dialect::Modern, ShellMode::Record));
assert!(model.diagnostics.is_empty());
let a = model.symbol_named("A").unwrap();
let def = model.menu(model.symbol(a).definitions[0]);
assert_eq!(model.exprs.display(def.depends[0].expr), "B && !C");
```
*/
#![deny(missing_docs)]

mod expr_parser;
mod lexer;
mod model;
mod parser;
mod preprocess;
pub mod probes;

pub mod dump;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

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
    probes::prefetch(top, &env, || {
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
    probes::remember(top, &env, ran);
    model
}

impl Dialect {
    /// The dialect of the tree at `root`, from its own lexer: `"optional"` is a token up to
    /// v6.9. A tree without `scripts/kconfig/lexer.l` is taken as modern.
    pub fn detect(root: &Path) -> Dialect {
        match std::fs::read_to_string(root.join("scripts/kconfig/lexer.l")) {
            Ok(text) if text.contains("\"optional\"") => Dialect::Legacy,
            _ => Dialect::Modern,
        }
    }
}

/// The SRCARCH the top Makefile derives from `arch` (`i386`/`x86_64` → `x86`, `sparc64` →
/// `sparc`, `parisc64` → `parisc`, `sh64` → `sh`, else `arch` itself).
pub fn srcarch_of(arch: &str) -> &str {
    match arch {
        "i386" | "x86_64" => "x86",
        "sparc32" | "sparc64" => "sparc",
        "parisc64" => "parisc",
        "sh64" => "sh",
        a => a,
    }
}

/// The environment the top Makefile exports to `conf` for `arch` on the tree at `root`, as
/// far as Kconfig files read it: `ARCH`, `SRCARCH`, `srctree`, `KERNELVERSION`, the tools
/// (`CC=$(CROSS_COMPILE)gcc`, `LD=$(CROSS_COMPILE)ld`, ...), `CC_VERSION_TEXT` (from running
/// `$(CC) --version` in run mode, `gcc` in record mode), UML's `SUBARCH`/`HEADER_ARCH`, and
/// the pins `RUSTC=/bin/false`, `PAHOLE=/bin/false` that kpossible's oracle uses.
///
/// `CROSS_COMPILE`, `LLVM` and `LLVM_IAS` come from the process environment, as make imports
/// them (`CROSS_COMPILE=aarch64-linux-gnu- make ARCH=arm64`, `LLVM=1 make`); by default
/// there are none. With clang, `CLANG_FLAGS` is set as `scripts/Makefile.clang` exports it.
pub fn kernel_env(root: &Path, arch: &str, shell: ShellMode) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = Vec::new();
    let mut set = |k: &str, v: &str| env.push((k.to_string(), v.to_string()));
    set("ARCH", arch);
    set("SRCARCH", srcarch_of(arch));
    set("srctree", &root.display().to_string());
    set("objtree", ".");
    set("KERNELVERSION", &kernel_version(root));
    let cross = std::env::var("CROSS_COMPILE").unwrap_or_default();
    let llvm = std::env::var("LLVM").unwrap_or_default();
    // The top Makefile: `CC = $(CROSS_COMPILE)gcc`, and so on; with `LLVM=1` (or a
    // `LLVM=/prefix/`, `LLVM=-suffix`) `CC = $(LLVM_PREFIX)clang$(LLVM_SUFFIX)` and the LLVM
    // binutils, host compilers too.
    let tools: [(&str, &str, &str); 10] = [
        ("CC", "gcc", "clang"),
        ("LD", "ld", "ld.lld"),
        ("AR", "ar", "llvm-ar"),
        ("NM", "nm", "llvm-nm"),
        ("OBJCOPY", "objcopy", "llvm-objcopy"),
        ("OBJDUMP", "objdump", "llvm-objdump"),
        ("READELF", "readelf", "llvm-readelf"),
        ("STRIP", "strip", "llvm-strip"),
        ("HOSTCC", "gcc", "clang"),
        ("HOSTCXX", "g++", "clang++"),
    ];
    let (prefix, suffix) = if llvm.ends_with('/') {
        (llvm.as_str(), "")
    } else if llvm.starts_with('-') {
        ("", llvm.as_str())
    } else {
        ("", "")
    };
    for (var, gnu, llvm_tool) in tools {
        let value = match (llvm.is_empty(), var.starts_with("HOST")) {
            (true, true) => gnu.to_string(),
            (true, false) => format!("{cross}{gnu}"),
            (false, _) => format!("{prefix}{llvm_tool}{suffix}"),
        };
        set(var, &value);
    }
    set("CROSS_COMPILE", &cross);
    if !llvm.is_empty() {
        set("LLVM", &llvm);
    }
    for (k, v) in [
        ("RUSTC", "/bin/false"),
        ("PAHOLE", "/bin/false"),
        ("BINDGEN", "bindgen"),
        ("CONFIG_SHELL", "sh"),
        ("PERL", "perl"),
        ("PYTHON3", "python3"),
    ] {
        set(k, v);
    }
    if arch == "um" {
        set("SUBARCH", "x86");
        set("HEADER_ARCH", "x86");
    }
    let cc = if llvm.is_empty() {
        format!("{cross}gcc")
    } else {
        format!("{prefix}clang{suffix}")
    };
    // The top Makefile: `$(subst $(pound),,$(shell LC_ALL=C $(CC) --version 2>/dev/null |
    // head -n 1))`.
    let cc_text = match shell {
        ShellMode::Run => std::process::Command::new("/bin/sh")
            .arg("-c")
            .arg(format!("LC_ALL=C {cc} --version 2>/dev/null | head -n 1"))
            .output()
            .map(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .trim_end()
                    .replace('#', "")
            })
            .unwrap_or_default(),
        ShellMode::Record => cc.clone(),
    };
    // The top Makefile includes scripts/Makefile.clang when `CC_VERSION_TEXT` names clang.
    if cc_text.contains("clang") {
        let subarch = if arch == "um" {
            "x86"
        } else {
            srcarch_of(arch)
        };
        set("CLANG_FLAGS", &clang_flags(root, subarch, &cross));
    }
    set("CC_VERSION_TEXT", &cc_text);
    env
}

/// `CLANG_FLAGS` as the tree's `scripts/Makefile.clang` exports it for SRCARCH `srcarch`
/// (UML: its SUBARCH): `--target=` from its `CLANG_TARGET_FLAGS_<arch>` table (6.1: from
/// `CROSS_COMPILE` when one is given), the integrated assembler unless `LLVM_IAS=0` (then
/// `--prefix=` the directory of `$(CROSS_COMPILE)elfedit`), then its `-Werror=` flags in order.
fn clang_flags(root: &Path, srcarch: &str, cross: &str) -> String {
    let text = std::fs::read_to_string(root.join("scripts/Makefile.clang")).unwrap_or_default();
    let table = text.lines().find_map(|l| {
        let (name, value) = l.split_once(":=")?;
        (name.trim() == format!("CLANG_TARGET_FLAGS_{srcarch}")).then(|| value.trim().to_string())
    });
    let target = if text.contains("ifeq ($(CROSS_COMPILE),)") && !cross.is_empty() {
        Some(
            cross
                .trim_end_matches('-')
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_string(),
        )
    } else {
        table
    };
    let mut flags: Vec<String> = target
        .into_iter()
        .map(|t| format!("--target={t}"))
        .collect();
    if std::env::var("LLVM_IAS").as_deref() == Ok("0") {
        flags.push("-fno-integrated-as".into());
        let elfedit = std::process::Command::new("/bin/sh")
            .arg("-c")
            .arg(format!("which {cross}elfedit"))
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        let dir = elfedit
            .rsplit_once('/')
            .map_or(String::new(), |(d, _)| format!("{d}/"));
        let name = cross.rsplit('/').next().unwrap_or_default();
        flags.push(format!("--prefix={dir}{name}"));
    } else {
        flags.push("-fintegrated-as".into());
    }
    for l in text.lines() {
        if let Some(rest) = l.strip_prefix("CLANG_FLAGS")
            && let Some(flag) = rest.trim_start().strip_prefix("+=")
            && flag.trim().starts_with("-Werror=")
        {
            flags.push(flag.trim().to_string());
        }
    }
    flags.join(" ")
}

/// `make kernelversion`: `VERSION.PATCHLEVEL.SUBLEVEL` plus `EXTRAVERSION`.
fn kernel_version(root: &Path) -> String {
    let text = std::fs::read_to_string(root.join("Makefile")).unwrap_or_default();
    let get = |key: &str| {
        text.lines()
            .find_map(|l| {
                let (k, v) = l.split_once('=')?;
                (k.trim() == key).then(|| v.trim().to_string())
            })
            .unwrap_or_default()
    };
    format!(
        "{}.{}.{}{}",
        get("VERSION"),
        get("PATCHLEVEL"),
        get("SUBLEVEL"),
        get("EXTRAVERSION")
    )
}

/// Parses the top `Kconfig` of the tree at `root` for `arch` (an `ARCH=` spelling), with
/// the tree's dialect and [`kernel_env`].
pub fn parse_tree(root: &Path, arch: &str, shell: ShellMode) -> Model {
    let options = Options {
        dialect: Dialect::detect(root),
        shell,
        env: kernel_env(root, arch, shell),
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
