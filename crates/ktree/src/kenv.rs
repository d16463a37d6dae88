//! The environment a tree's top `Makefile` gives `conf` (and Kbuild), as GNU make computes it
//! on this machine: the one place that knows it.
//!
//! Make takes `ARCH`, `CROSS_COMPILE`, `LLVM`, `LLVM_IAS` from the environment or its command
//! line; the tools (`CC = $(CROSS_COMPILE)gcc`, `RUSTC = rustc`, `PAHOLE = pahole`, ...) are
//! the top Makefile's own assignments, which only a command-line variable overrides (a `CC`
//! in the environment does not). The tools are whatever those names find on `PATH`. For the
//! `*config` targets the Makefile also exports the texts it computes by running the tools
//! (`export KBUILD_DEFCONFIG KBUILD_KCONFIG CC_VERSION_TEXT ...` under `ifdef config-build`);
//! which ones, and how, is read from the tree's Makefile ([`TopMakefile::config_exports`]).
//!
//! [`TopMakefile::environment`] gives that environment; [`Environment::identity`] says what
//! the tools are (their versions and where `PATH` finds them), for keying cached results.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use crate::{Result, io_err};

/// How make is invoked: its environment and the `NAME=value` words of its command line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Invocation {
    /// The environment make starts with.
    pub env: BTreeMap<String, String>,
    /// Variables given on make's command line; they override the Makefile's assignments.
    pub command_line: Vec<(String, String)>,
}

impl Invocation {
    /// This process's environment, no command-line variables: what a plain
    /// `make ARCH=... olddefconfig` started from here sees.
    pub fn from_process() -> Invocation {
        Invocation {
            env: std::env::vars().collect(),
            command_line: Vec::new(),
        }
    }

    /// With `vars` added to the command line (`make RUSTC=... olddefconfig`).
    pub fn with_command_line<K: AsRef<str>, V: AsRef<str>>(
        mut self,
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Invocation {
        for (k, v) in vars {
            let k = k.as_ref().to_string();
            self.command_line.retain(|(n, _)| *n != k);
            self.command_line.push((k, v.as_ref().to_string()));
        }
        self
    }

    /// `name` as make first sees it: command line, else environment.
    fn given(&self, name: &str) -> Option<&str> {
        self.command_line
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .or_else(|| self.env.get(name).map(String::as_str))
    }

    fn path(&self) -> &str {
        self.env.get("PATH").map_or("", String::as_str)
    }
}

/// `VERSION`, `PATCHLEVEL`, `SUBLEVEL`, `EXTRAVERSION` of a top Makefile.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Version {
    /// `VERSION`.
    pub version: String,
    /// `PATCHLEVEL`.
    pub patchlevel: String,
    /// `SUBLEVEL`.
    pub sublevel: String,
    /// `EXTRAVERSION` (`-rc7`, or empty).
    pub extraversion: String,
}

impl Version {
    /// `VERSION.PATCHLEVEL.SUBLEVEL`, empty parts left out.
    pub fn numeric(&self) -> String {
        [&self.version, &self.patchlevel, &self.sublevel]
            .into_iter()
            .filter(|s| !s.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(".")
    }

    /// `make kernelversion`: `$(VERSION)$(if $(PATCHLEVEL),.$(PATCHLEVEL)$(if
    /// $(SUBLEVEL),.$(SUBLEVEL)))$(EXTRAVERSION)`.
    pub fn kernelversion(&self) -> String {
        let mut v = self.version.clone();
        if !self.patchlevel.is_empty() {
            v.push('.');
            v.push_str(&self.patchlevel);
            if !self.sublevel.is_empty() {
                v.push('.');
                v.push_str(&self.sublevel);
            }
        }
        v.push_str(&self.extraversion);
        v
    }
}

/// A tree's top `Makefile`, read once.
#[derive(Clone, Debug)]
pub struct TopMakefile {
    root: PathBuf,
    text: String,
}

/// The environment `conf` gets, and what the tools in it are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Environment {
    /// `NAME=value` as `conf` sees them (the variables Kconfig's `$(NAME)` reads).
    pub vars: Vec<(String, String)>,
    /// What the tools are: `PATH`, where it finds each tool, and each tool's `--version`
    /// line; two runs with the same identity run the same programs.
    pub identity: Vec<(String, String)>,
}

impl Environment {
    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl TopMakefile {
    /// Reads the top `Makefile` of the tree at `root`.
    pub fn read(root: &Path) -> Result<TopMakefile> {
        let path = root.join("Makefile");
        let text = std::fs::read_to_string(&path).map_err(io_err(&path))?;
        Ok(TopMakefile::from_text(root, text))
    }

    /// The Makefile `text` of a tree at `root` (for tests).
    pub fn from_text(root: &Path, text: String) -> TopMakefile {
        TopMakefile {
            root: root.to_path_buf(),
            text,
        }
    }

    /// Its version variables.
    pub fn version(&self) -> Version {
        let get = |key: &str| {
            self.text
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once('=')?;
                    (k.trim() == key).then(|| v.trim().to_string())
                })
                .unwrap_or_default()
        };
        Version {
            version: get("VERSION"),
            patchlevel: get("PATCHLEVEL"),
            sublevel: get("SUBLEVEL"),
            extraversion: get("EXTRAVERSION"),
        }
    }

    /// The `ifeq ($(ARCH),X)` blocks whose body sets `SRCARCH := Y`, as (X, Y).
    pub fn arch_aliases(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut current: Option<String> = None;
        for line in self.text.lines() {
            let t = line.trim();
            if let Some(rest) = t.strip_prefix("ifeq ($(ARCH),") {
                current = rest.strip_suffix(')').map(|a| a.trim().to_string());
            } else if t.starts_with("endif") || t.starts_with("else") {
                current = None;
            } else if let (Some(arch), Some(rest)) = (&current, t.strip_prefix("SRCARCH"))
                && let Some(src) = rest.trim_start().strip_prefix(":=")
            {
                out.push((arch.clone(), src.trim().to_string()));
            }
        }
        out
    }

    /// The SRCARCH make derives from `ARCH=arch` (`SRCARCH := $(ARCH)` unless an alias
    /// block maps it).
    pub fn srcarch(&self, arch: &str) -> String {
        self.arch_aliases()
            .into_iter()
            .find(|(a, _)| a == arch)
            .map_or_else(|| arch.to_string(), |(_, s)| s)
    }

    /// The variables the Makefile exports for the `*config` targets: the names on its
    /// `export KBUILD_DEFCONFIG ...` line (`KBUILD_DEFCONFIG KBUILD_KCONFIG CC_VERSION_TEXT`,
    /// plus `RUSTC_VERSION_TEXT` from 6.12 and `PAHOLE_VERSION` from 7.2).
    pub fn config_exports(&self) -> Vec<String> {
        logical_lines(&self.text)
            .iter()
            .find_map(|l| {
                let rest = l.trim().strip_prefix("export ")?;
                let names: Vec<String> = rest.split_whitespace().map(str::to_string).collect();
                names
                    .iter()
                    .any(|n| n == "KBUILD_DEFCONFIG")
                    .then_some(names)
                    .filter(|n| !n.iter().any(|w| w.contains('=')))
            })
            .unwrap_or_default()
    }

    /// The environment `make ARCH=arch <target>config` run as `invocation` gives `conf`.
    ///
    /// `run` says whether the texts make computes by running tools (`CC_VERSION_TEXT`,
    /// `RUSTC_VERSION_TEXT`, `PAHOLE_VERSION`) are computed; without it they are left out
    /// (except `CC_VERSION_TEXT`, then the compiler's name), and so are the identities.
    pub fn environment(&self, arch: &str, invocation: &Invocation, run: bool) -> Environment {
        let srcarch = self.srcarch(arch);
        let mut make = Make::new(invocation, &self.root, arch, &srcarch, run);
        make.read(&self.text);
        let mut vars: Vec<(String, String)> = Vec::new();
        put(&mut vars, "ARCH", arch.to_string());
        put(&mut vars, "SRCARCH", srcarch.clone());
        put(&mut vars, "srctree", self.root.display().to_string());
        put(&mut vars, "objtree", ".".to_string());
        put(&mut vars, "KERNELVERSION", self.version().kernelversion());
        let llvm = make.value("LLVM");
        if !llvm.is_empty() {
            put(&mut vars, "LLVM", llvm);
        }
        // The tools: every variable the Makefile exports whose value names programs
        // (`CC = $(CROSS_COMPILE)gcc`), not flags computed by running something.
        for name in make.exported_tools() {
            if name != "KERNELVERSION" {
                let value = make.value(&name);
                put(&mut vars, &name, value);
            }
        }
        // Not assigned by the top Makefile: as given (the arch Makefile may set it).
        let cross = make.value("CROSS_COMPILE");
        put(&mut vars, "CROSS_COMPILE", cross);
        if arch == "um" {
            // arch/um/Makefile: `HEADER_ARCH := $(SUBARCH)`, x86 for any x86 SUBARCH;
            // SUBARCH from `uname -m` (scripts/subarch.include).
            let subarch = invocation
                .given("SUBARCH")
                .map_or_else(crate::host_arch, str::to_string);
            let header = if matches!(subarch.as_str(), "x86" | "x86_64" | "i386") {
                "x86".to_string()
            } else {
                subarch.clone()
            };
            put(&mut vars, "SUBARCH", subarch);
            put(&mut vars, "HEADER_ARCH", header);
        }
        let exports = self.config_exports();
        for name in &exports {
            match name.as_str() {
                "KBUILD_DEFCONFIG" | "KBUILD_KCONFIG" => {
                    // Set by the arch Makefile, read by scripts/kconfig/Makefile only.
                }
                "CC_VERSION_TEXT" if !run => {
                    let cc = make.value("CC");
                    put(&mut vars, name, cc);
                }
                _ if run => {
                    if let Some(v) = make.computed(name) {
                        put(&mut vars, name, v);
                    }
                }
                _ => {}
            }
        }
        // The top Makefile includes scripts/Makefile.clang when `CC_VERSION_TEXT` names clang.
        let cc_text = vars
            .iter()
            .find(|(k, _)| k == "CC_VERSION_TEXT")
            .map_or(String::new(), |(_, v)| v.clone());
        if cc_text.contains("clang") {
            let subarch = if arch == "um" {
                vars.iter()
                    .find(|(k, _)| k == "SUBARCH")
                    .map_or("x86".to_string(), |(_, v)| v.clone())
            } else {
                srcarch.clone()
            };
            let cross = make.value("CROSS_COMPILE");
            let ias = make.value("LLVM_IAS");
            put(
                &mut vars,
                "CLANG_FLAGS",
                clang_flags(&self.root, &subarch, &cross, &ias, invocation),
            );
        }
        let identity = if run {
            make.identity(&vars, &exports)
        } else {
            Vec::new()
        };
        Environment { vars, identity }
    }
}

fn put(vars: &mut Vec<(String, String)>, k: &str, v: String) {
    vars.retain(|(n, _)| n != k);
    vars.push((k.to_string(), v));
}

/// `CLANG_FLAGS` as the tree's `scripts/Makefile.clang` exports it for SRCARCH `srcarch`
/// (UML: its SUBARCH): `--target=` from its `CLANG_TARGET_FLAGS_<arch>` table (6.1: from
/// `CROSS_COMPILE` when one is given), the integrated assembler unless `LLVM_IAS=0` (then
/// `--prefix=` the directory of `$(CROSS_COMPILE)elfedit`), then its `-Werror=` flags in order.
fn clang_flags(root: &Path, srcarch: &str, cross: &str, ias: &str, inv: &Invocation) -> String {
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
    if ias == "0" {
        flags.push("-fno-integrated-as".into());
        let elfedit = which(&format!("{cross}elfedit"), inv.path())
            .map(|p| p.display().to_string())
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

/// The environment `make ARCH=arch` started from this process gives `conf` in the tree at
/// `root` (see [`TopMakefile::environment`]).
pub fn conf_environment(root: &Path, arch: &str, run: bool) -> Result<Environment> {
    Ok(TopMakefile::read(root)?.environment(arch, &Invocation::from_process(), run))
}

/// Where `name` is found on `path` (`command -v`), or `name` itself when it has a `/`.
pub fn which(name: &str, path: &str) -> Option<PathBuf> {
    if name.is_empty() {
        return None;
    }
    let executable = |p: &Path| {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if name.contains('/') {
        let p = PathBuf::from(name);
        return executable(&p).then_some(p);
    }
    std::env::split_paths(path)
        .map(|d| d.join(name))
        .find(|p| executable(p))
}

/// The Makefile's lines with `\`-newline continuations joined.
fn logical_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in text.lines() {
        if let Some(head) = line.strip_suffix('\\') {
            cur.push_str(head);
            cur.push(' ');
        } else {
            cur.push_str(line);
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The line without its comment (`#` not escaped as `\#`), `\#` made `#`.
fn strip_comment(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'#') => {
                out.push('#');
                chars.next();
            }
            '#' => break,
            c => out.push(c),
        }
    }
    out
}

/// Shell commands run for the top Makefile's texts, by command and `PATH`: one
/// `rustc --version` per process, whatever the number of trees and arches.
fn shell_memo() -> &'static Mutex<HashMap<String, String>> {
    static MEMO: OnceLock<Mutex<HashMap<String, String>>> = OnceLock::new();
    MEMO.get_or_init(|| Mutex::new(HashMap::new()))
}

/// make's `$(shell ...)`: `/bin/sh -c`, trailing newlines dropped, others made spaces.
fn shell(command: &str, inv: &Invocation) -> String {
    let key = format!("{}\0{command}", inv.path());
    if let Some(hit) = shell_memo().lock().ok().and_then(|m| m.get(&key).cloned()) {
        return hit;
    }
    let out = Command::new("/bin/sh")
        .arg("-c")
        .arg(command)
        .env_clear()
        .envs(&inv.env)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .trim_end_matches('\n')
                .replace('\n', " ")
        })
        .unwrap_or_default();
    if let Ok(mut m) = shell_memo().lock() {
        m.insert(key, out.clone());
    }
    out
}

/// The little of GNU make the top Makefile's tool assignments need: recursive (`=`) and
/// simple (`:=`) variables, `?=`, `+=`, `export`, conditionals, and the functions those
/// lines call. A conditional that reads anything but `LLVM`, `LLVM_IAS` and `CROSS_COMPILE`
/// (`ifdef config-build`, `ifeq ($(need-sub-make),)`) is not decided: both of its branches
/// are read, which is right for the tool assignments, each made once.
struct Make<'a> {
    inv: &'a Invocation,
    run: bool,
    /// name → (value, recursive)
    vars: HashMap<String, (String, bool)>,
    /// What make knows while running a `*config` target in the object tree, whatever the
    /// Makefile assigns: `ARCH`, `SRCARCH`, `srctree`, `objtree`, the goal, the sub-make's
    /// state. Conditionals on these (and on `CONFIG_*`, which no `*config` target reads
    /// from `auto.conf`) are decided.
    fixed: HashMap<String, String>,
    /// The names on `export` lines, in order.
    exported: Vec<String>,
    depth: u32,
}

/// The variables a decided conditional may read.
const TOOL_INPUTS: &[&str] = &["LLVM", "LLVM_IAS", "CROSS_COMPILE"];

impl<'a> Make<'a> {
    fn new(inv: &'a Invocation, root: &'a Path, arch: &str, srcarch: &str, run: bool) -> Make<'a> {
        let fixed: HashMap<String, String> = [
            ("ARCH", arch),
            ("SRCARCH", srcarch),
            ("srctree", &root.display().to_string()),
            ("objtree", "."),
            ("MAKECMDGOALS", "olddefconfig"),
            ("need-sub-make", ""),
            ("mixed-build", ""),
            ("config-build", "1"),
            ("need-config", ""),
            ("may-sync-config", ""),
            ("single-build", ""),
            ("KBUILD_EXTMOD", ""),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let mut vars = HashMap::new();
        // scripts/Kbuild.include: `pound := \#`, `comma := ,`, `empty :=`, `space`.
        vars.insert("pound".to_string(), ("#".to_string(), false));
        vars.insert("comma".to_string(), (",".to_string(), false));
        vars.insert("empty".to_string(), (String::new(), false));
        vars.insert("space".to_string(), (" ".to_string(), false));
        Make {
            inv,
            run,
            vars,
            fixed,
            exported: Vec::new(),
            depth: 0,
        }
    }

    fn read(&mut self, text: &str) {
        // Each open conditional: Some(branch taken) when decided, None when not.
        let mut stack: Vec<(Option<bool>, bool)> = Vec::new();
        let mut in_define = 0u32;
        // After a rule, tab-indented lines are its recipe.
        let mut in_rule = false;
        for raw in logical_lines(text) {
            if raw.starts_with('\t') && in_rule {
                continue;
            }
            let line = strip_comment(&raw);
            let t = line.trim();
            if t.is_empty() {
                continue;
            }
            let first = t.split_whitespace().next().unwrap_or("");
            if first == "define" || t.starts_with("define ") {
                in_define += 1;
                continue;
            }
            if in_define > 0 {
                if first == "endef" {
                    in_define -= 1;
                }
                continue;
            }
            match first {
                "ifeq" | "ifneq" | "ifdef" | "ifndef" => {
                    let cond = self.condition(t);
                    stack.push((cond, cond == Some(true)));
                    continue;
                }
                "else" => {
                    let rest = t["else".len()..].trim();
                    if let Some(top) = stack.last_mut() {
                        if rest.is_empty() {
                            top.0 = top.0.map(|_| !top.1);
                        } else if top.0.is_some() {
                            let cond = if top.1 {
                                Some(false)
                            } else {
                                self.condition(rest)
                            };
                            top.0 = cond;
                            top.1 |= cond == Some(true);
                        }
                    }
                    continue;
                }
                "endif" => {
                    stack.pop();
                    continue;
                }
                _ => {}
            }
            if stack.iter().any(|(c, _)| *c == Some(false)) {
                continue;
            }
            in_rule = self.statement(t);
        }
    }

    /// A decided condition's truth, or None.
    fn condition(&mut self, t: &str) -> Option<bool> {
        let (kw, rest) = t.split_once(char::is_whitespace)?;
        let rest = rest.trim();
        let known = |name: &str| {
            TOOL_INPUTS.contains(&name)
                || self.fixed.contains_key(name)
                || name.starts_with("CONFIG_")
        };
        let reads_only_inputs = |s: &str| {
            let mut refs = s.split("$(").skip(1);
            refs.all(|r| {
                let name: String = r
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                    .collect();
                known(&name)
                    || (matches!(
                        name.as_str(),
                        "filter" | "filter-out" | "findstring" | "strip"
                    ) && r[name.len()..].starts_with(' '))
            })
        };
        match kw {
            "ifdef" | "ifndef" => {
                if !known(rest) {
                    return None;
                }
                let set = !self.value(rest).is_empty();
                Some(set == (kw == "ifdef"))
            }
            "ifeq" | "ifneq" => {
                if !reads_only_inputs(rest) {
                    return None;
                }
                let inner = rest.strip_prefix('(')?.strip_suffix(')')?;
                let parts = split_args(inner, 2);
                let [a, b] = parts.as_slice() else {
                    return None;
                };
                let equal = self.expand(a.trim()) == self.expand(b.trim());
                Some(equal == (kw == "ifeq"))
            }
            _ => None,
        }
    }

    /// Reads one statement; returns whether it was a rule.
    fn statement(&mut self, t: &str) -> bool {
        let (t, export) = match t.strip_prefix("export ") {
            Some(rest) => (rest.trim(), true),
            None => (t, false),
        };
        let t = t.strip_prefix("override ").map_or(t, str::trim);
        let Some(eq) = t.find('=') else {
            if export {
                for n in t.split_whitespace() {
                    self.export(n);
                }
            }
            return !export && t.contains(':');
        };
        // A rule (`target: prerequisites`, or a target-specific assignment) is not ours.
        if let Some(colon) = t.find(':')
            && colon < eq
            && !(colon + 1 == eq || t[colon..].starts_with("::="))
        {
            return true;
        }
        let (head, value) = (&t[..eq], t[eq + 1..].trim_start());
        let (name, op) = match head.trim_end().chars().last() {
            Some(c @ (':' | '?' | '+' | '!')) => {
                let h = head.trim_end();
                (h[..h.len() - 1].trim_end(), c)
            }
            _ => (head.trim_end(), '='),
        };
        let name = name.trim_end_matches(':').trim();
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return false;
        }
        if export {
            self.export(name);
        }
        match op {
            '?' if self.vars.contains_key(name) || self.inv.env.contains_key(name) => {}
            '+' => {
                let (old, rec) = self
                    .vars
                    .get(name)
                    .cloned()
                    .or_else(|| self.inv.env.get(name).map(|v| (v.clone(), true)))
                    .unwrap_or((String::new(), true));
                let add = if rec {
                    value.to_string()
                } else {
                    self.expand_lazy(value).0
                };
                let joined = if old.is_empty() {
                    add
                } else {
                    format!("{old} {add}")
                };
                self.vars.insert(name.to_string(), (joined, rec));
            }
            ':' => {
                let v = self.expand_lazy(value);
                self.vars.insert(name.to_string(), (v.0, v.1));
            }
            _ => {
                self.vars
                    .insert(name.to_string(), (value.to_string(), true));
            }
        }
        false
    }

    fn export(&mut self, name: &str) {
        if !self.exported.iter().any(|n| n == name) {
            self.exported.push(name.to_string());
        }
    }

    /// A `:=` value: expanded now unless it runs a command (`$(shell ...)`, `$(call ...)`),
    /// which is kept for later (it is expanded only if asked for).
    fn expand_lazy(&mut self, value: &str) -> (String, bool) {
        if plain(value) {
            (self.expand(value), false)
        } else {
            (value.to_string(), true)
        }
    }

    /// A variable's value: command line, else the Makefile's, else the environment.
    fn value(&mut self, name: &str) -> String {
        if let Some(v) = self.inv.command_line.iter().rev().find(|(k, _)| k == name) {
            return v.1.clone();
        }
        if let Some(v) = self.fixed.get(name) {
            return v.clone();
        }
        match self.vars.get(name).cloned() {
            Some((v, true)) => self.expand(&v),
            Some((v, false)) => v,
            // A `*config` target reads no auto.conf.
            None if name.starts_with("CONFIG_") => String::new(),
            None => self.inv.env.get(name).cloned().unwrap_or_default(),
        }
    }

    /// The exported variables whose value only names programs: every assignment made to
    /// them reads variables and no function (`CC = $(CROSS_COMPILE)gcc`, `RUSTC = rustc`).
    fn exported_tools(&self) -> Vec<String> {
        let mut out = Vec::new();
        for name in &self.exported {
            let tool = match self.vars.get(name) {
                Some((v, true)) => plain(v) && !v.trim().is_empty(),
                Some((v, false)) => !v.trim().is_empty() && v.split_whitespace().count() == 1,
                None => false,
            };
            if tool
                && !name.starts_with("KBUILD_")
                && name.to_uppercase() == *name
                && !self.fixed.contains_key(name)
            {
                out.push(name.clone());
            }
        }
        out.sort();
        out
    }

    /// A variable the Makefile computes by running something (`CC_VERSION_TEXT = $(subst
    /// $(pound),,$(shell LC_ALL=C $(CC) --version 2>/dev/null | head -n 1))`), evaluated.
    fn computed(&mut self, name: &str) -> Option<String> {
        if !self.vars.contains_key(name) && !self.inv.command_line.iter().any(|(k, _)| k == name) {
            return None;
        }
        Some(self.value(name))
    }

    /// What the tools are: `PATH`, the make variables given from outside, where each tool
    /// is found, and the `--version` of the compiler, rustc, bindgen and pahole.
    fn identity(&mut self, vars: &[(String, String)], exports: &[String]) -> Vec<(String, String)> {
        let mut id: Vec<(String, String)> = vec![("PATH".into(), self.inv.path().to_string())];
        for (k, v) in &self.inv.command_line {
            id.push((format!("make {k}"), v.clone()));
        }
        for k in TOOL_INPUTS {
            if let Some(v) = self.inv.env.get(*k) {
                id.push((format!("env {k}"), v.clone()));
            }
        }
        for k in self.exported_tools() {
            let v = self.value(&k);
            if let Some(first) = v.split_whitespace().next()
                && let Some(p) = which(first, self.inv.path())
            {
                id.push((format!("which {k}"), p.display().to_string()));
            }
        }
        for (k, tool, args) in [
            ("CC", "CC", "--version 2>/dev/null | head -n 1"),
            ("RUSTC", "RUSTC", "--version 2>/dev/null"),
            ("BINDGEN", "BINDGEN", "--version 2>/dev/null"),
            ("PAHOLE", "PAHOLE", "--version 2>/dev/null"),
        ] {
            let text = vars
                .iter()
                .find(|(n, _)| n == &format!("{k}_VERSION_TEXT") && exports.contains(n))
                .map(|(_, v)| v.clone());
            let text = match text {
                Some(t) => t,
                None => {
                    let program = self.value(tool);
                    if program.is_empty() {
                        continue;
                    }
                    shell(&format!("LC_ALL=C {program} {args}"), self.inv)
                }
            };
            id.push((format!("{k} --version"), text));
        }
        id
    }

    fn expand(&mut self, s: &str) -> String {
        if self.depth > 64 {
            return String::new();
        }
        self.depth += 1;
        let mut out = String::new();
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] != b'$' {
                let next = s[i..].find('$').map_or(s.len(), |n| i + n);
                out.push_str(&s[i..next]);
                i = next;
                continue;
            }
            match b.get(i + 1) {
                Some(b'$') => {
                    out.push('$');
                    i += 2;
                }
                Some(&open @ (b'(' | b'{')) => {
                    let close = if open == b'(' { b')' } else { b'}' };
                    let mut level = 0;
                    let mut j = i + 1;
                    while j < b.len() {
                        if b[j] == open {
                            level += 1;
                        } else if b[j] == close {
                            level -= 1;
                            if level == 0 {
                                break;
                            }
                        }
                        j += 1;
                    }
                    let inner = &s[i + 2..j.min(s.len())];
                    let v = self.reference(inner);
                    out.push_str(&v);
                    i = j + 1;
                }
                Some(_) => {
                    let name = &s[i + 1..i + 2];
                    let v = self.value(name);
                    out.push_str(&v);
                    i += 2;
                }
                None => i += 1,
            }
        }
        self.depth -= 1;
        out
    }

    fn reference(&mut self, inner: &str) -> String {
        let Some((func, args)) = inner.split_once([' ', '\t']) else {
            let name = self.expand(inner);
            return self.value(&name);
        };
        let args = args.trim_start();
        let arg = |this: &mut Make<'_>, n: usize| -> Vec<String> {
            split_args(args, n)
                .into_iter()
                .map(|a| this.expand(&a))
                .collect()
        };
        match func {
            "subst" => {
                let a = arg(self, 3);
                match a.as_slice() {
                    [from, to, text] if !from.is_empty() => text.replace(from.as_str(), to),
                    [_, _, text] => text.clone(),
                    _ => String::new(),
                }
            }
            "filter" | "filter-out" => {
                let a = arg(self, 2);
                let (pats, text) = (a[0].clone(), a.get(1).cloned().unwrap_or_default());
                let keep = func == "filter";
                text.split_whitespace()
                    .filter(|w| pats.split_whitespace().any(|p| pattern(p, w)) == keep)
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            "findstring" => {
                let a = arg(self, 2);
                let text = a.get(1).cloned().unwrap_or_default();
                if text.contains(a[0].as_str()) {
                    a[0].clone()
                } else {
                    String::new()
                }
            }
            "strip" => arg(self, 1)[0]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            "firstword" => arg(self, 1)[0]
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string(),
            "notdir" => arg(self, 1)[0]
                .split_whitespace()
                .map(|w| w.rsplit('/').next().unwrap_or(w))
                .collect::<Vec<_>>()
                .join(" "),
            "if" => {
                let parts = split_args(args, 3);
                let cond = self.expand(parts[0].trim());
                let pick = if cond.is_empty() { 2 } else { 1 };
                parts.get(pick).map_or(String::new(), |p| self.expand(p))
            }
            "shell" if self.run => {
                let command = arg(self, 1)[0].clone();
                shell(&command, self.inv)
            }
            _ => String::new(),
        }
    }
}

/// Whether `value` reads only variables (no function: `$(shell ...)`, `$(call ...)`).
fn plain(value: &str) -> bool {
    let mut rest = value;
    while let Some(at) = rest.find("$(") {
        let after = &rest[at + 2..];
        let Some(end) = after.find(')') else {
            return false;
        };
        if after[..end].contains([' ', ',', '$', '(']) {
            return false;
        }
        rest = &after[end + 1..];
    }
    !value.contains("${")
}

/// make's `%` pattern (one `%`, or none for an exact word).
fn pattern(p: &str, w: &str) -> bool {
    match p.split_once('%') {
        Some((pre, suf)) => {
            w.len() >= pre.len() + suf.len() && w.starts_with(pre) && w.ends_with(suf)
        }
        None => p == w,
    }
}

/// Splits at top-level commas into at most `n` arguments (the last keeps its commas).
fn split_args(s: &str, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut level = 0i32;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '(' | '{' => level += 1,
            ')' | '}' => level -= 1,
            ',' if level == 0 && out.len() + 1 < n => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MK: &str = "VERSION = 7\nPATCHLEVEL = 3\nSUBLEVEL = 0\nEXTRAVERSION = -rc7\n\
ifeq ($(need-sub-make),)\n\
ifneq ($(LLVM),)\nifneq ($(filter %/,$(LLVM)),)\nLLVM_PREFIX := $(LLVM)\n\
else ifneq ($(filter -%,$(LLVM)),)\nLLVM_SUFFIX := $(LLVM)\nendif\n\
CC\t= $(LLVM_PREFIX)clang$(LLVM_SUFFIX)\nelse\nCC\t= $(CROSS_COMPILE)gcc\nendif\n\
HOST_LFS_CFLAGS := $(shell getconf LFS_CFLAGS 2>/dev/null)\n\
RUSTC\t\t= rustc\nPAHOLE\t\t= pahole\n\
export ARCH SRCARCH CROSS_COMPILE CC RUSTC PAHOLE\nexport HOST_LFS_CFLAGS\n\
CC_VERSION_TEXT = $(subst $(pound),,$(shell printf '\\043%s' $(CC)))\n\
RUSTC_VERSION_TEXT = $(subst $(pound),,$(shell echo $(RUSTC)))\n\
ifdef config-build\nexport KBUILD_DEFCONFIG KBUILD_KCONFIG CC_VERSION_TEXT RUSTC_VERSION_TEXT\nendif\n\
endif\n";

    fn env(vars: &[(&str, &str)]) -> Invocation {
        Invocation {
            env: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            command_line: Vec::new(),
        }
    }

    fn get(e: &Environment, k: &str) -> Option<String> {
        e.get(k).map(str::to_string)
    }

    #[test]
    fn tools_default_as_the_makefile_says() {
        let mk = TopMakefile::from_text(Path::new("/src"), MK.to_string());
        let e = mk.environment("x86_64", &env(&[("PATH", "/nowhere")]), true);
        assert_eq!(get(&e, "CC").as_deref(), Some("gcc"));
        assert_eq!(get(&e, "RUSTC").as_deref(), Some("rustc"));
        assert_eq!(get(&e, "PAHOLE").as_deref(), Some("pahole"));
        assert_eq!(get(&e, "HOST_LFS_CFLAGS"), None);
        assert_eq!(get(&e, "CC_VERSION_TEXT").as_deref(), Some("gcc"));
        assert_eq!(get(&e, "RUSTC_VERSION_TEXT").as_deref(), Some("rustc"));
        assert_eq!(get(&e, "KERNELVERSION").as_deref(), Some("7.3.0-rc7"));
        assert_eq!(mk.version().numeric(), "7.3.0");
    }

    #[test]
    fn environment_cc_loses_to_the_makefile_but_the_command_line_wins() {
        let mk = TopMakefile::from_text(Path::new("/src"), MK.to_string());
        let inv = env(&[("CC", "clang"), ("CROSS_COMPILE", "aarch64-linux-gnu-")]);
        let e = mk.environment("arm64", &inv, false);
        assert_eq!(get(&e, "CC").as_deref(), Some("aarch64-linux-gnu-gcc"));
        let e = mk.environment(
            "arm64",
            &inv.with_command_line([("RUSTC", "kp-none")]),
            false,
        );
        assert_eq!(get(&e, "RUSTC").as_deref(), Some("kp-none"));
    }

    #[test]
    fn llvm_prefix_and_suffix() {
        let mk = TopMakefile::from_text(Path::new("/src"), MK.to_string());
        let cc =
            |llvm: &str| get(&mk.environment("x86", &env(&[("LLVM", llvm)]), false), "CC").unwrap();
        assert_eq!(cc("1"), "clang");
        assert_eq!(cc("/usr/lib/llvm-19/bin/"), "/usr/lib/llvm-19/bin/clang");
        assert_eq!(cc("-19"), "clang-19");
    }

    #[test]
    fn config_exports_come_from_the_makefile() {
        let mk = TopMakefile::from_text(Path::new("/src"), MK.to_string());
        assert_eq!(
            mk.config_exports(),
            [
                "KBUILD_DEFCONFIG",
                "KBUILD_KCONFIG",
                "CC_VERSION_TEXT",
                "RUSTC_VERSION_TEXT"
            ]
        );
    }
}
