//! The results of `$(shell,...)` in [`ShellMode::Run`](crate::ShellMode::Run), memoized.
//!
//! An arch's Kconfig runs ~100 compiler, assembler and linker probes (`cc-option`, `as-instr`,
//! `ld-version.sh`...), about 97% of a parse, and most are the same on every arch. A probe's
//! answer is a function of its command, the environment it reads and the tools and files it
//! runs, so those make its key: the command; what the tools are (`Options::toolchain`: where
//! `PATH` finds them and their `--version`s, so a rustc switched behind the same rustup proxy
//! or a pahole installed is a new key); every variable of the parse's environment (the
//! arch's own `ARCH`, `SRCARCH`, `SUBARCH` and `HEADER_ARCH` only when the command names no
//! file and does not mention `ARCH`: a script may run others that read them, as
//! `cc-version.sh` runs `min-tool-version.sh`); the process's `PATH` and the variables gcc
//! reads; the contents of every file the command names; and path, size and modification time
//! of every program it names and of the `as` and `ld` that gcc runs. Results live in memory for the process and, once [`use_cache_dir`] is
//! called, on disk for later runs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use sha2::{Digest, Sha256};

/// The variables that only name the arch: most probes do not read them, so leaving them out
/// of the key lets arches share answers.
const ARCH_VARS: &[&str] = &["ARCH", "SRCARCH", "SUBARCH", "HEADER_ARCH"];

struct Cache {
    dir: Option<PathBuf>,
    mem: Mutex<HashMap<String, String>>,
    /// Per parse (top file and environment): the probes its last run-mode parse ran.
    lists: Mutex<HashMap<String, Vec<String>>>,
}

static CACHE: OnceLock<Cache> = OnceLock::new();

/// Keeps probe results under `dir` across runs too. Takes effect only before the first parse
/// that runs a probe; returns whether it did.
pub fn use_cache_dir(dir: PathBuf) -> bool {
    CACHE
        .set(Cache {
            dir: Some(dir),
            mem: Mutex::new(HashMap::new()),
            lists: Mutex::new(HashMap::new()),
        })
        .is_ok()
}

fn cache() -> &'static Cache {
    CACHE.get_or_init(|| Cache {
        dir: None,
        mem: Mutex::new(HashMap::new()),
        lists: Mutex::new(HashMap::new()),
    })
}

/// Runs the probes a run-mode parse of `top` with `env` is about to run, several at once
/// (each is a compiler process that mostly waits), so that the parse, which needs their
/// answers one after another, finds them answered.
///
/// Which probes: those its last parse ran ([`remember`]), else those of `record`, a parse
/// in [`ShellMode::Record`](crate::ShellMode::Record) whose commands contain no other
/// probe's output. A list that is out of date only costs time: the parse runs what is
/// missing itself.
pub(crate) fn prefetch(
    top: &str,
    env: &HashMap<String, String>,
    toolchain: &str,
    record: impl FnOnce() -> Vec<String>,
) {
    let commands = remembered(top, env, toolchain).unwrap_or_else(record);
    let mut commands: Vec<&String> = commands.iter().filter(|c| !c.is_empty()).collect();
    commands.sort();
    commands.dedup();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let jobs = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(commands.len()) {
            scope.spawn(|| {
                while let Some(c) =
                    commands.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                {
                    run(c, env, toolchain);
                }
            });
        }
    });
}

/// Keeps the probes a run-mode parse of `top` with `env` ran, for [`prefetch`].
pub(crate) fn remember(
    top: &str,
    env: &HashMap<String, String>,
    toolchain: &str,
    commands: Vec<String>,
) {
    let cache = cache();
    let key = list_key(top, env, toolchain);
    if remembered(top, env, toolchain).as_ref() == Some(&commands) {
        return;
    }
    if let Some(dir) = &cache.dir {
        store(&list_file(dir, &key), &key, &commands.join("\0"));
    }
    if let Ok(mut m) = cache.lists.lock() {
        m.insert(key, commands);
    }
}

fn remembered(top: &str, env: &HashMap<String, String>, toolchain: &str) -> Option<Vec<String>> {
    let cache = cache();
    let key = list_key(top, env, toolchain);
    if let Some(hit) = cache.lists.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return Some(hit);
    }
    let bytes = load(&list_file(cache.dir.as_ref()?, &key), &key)?;
    let text = String::from_utf8(bytes).ok()?;
    let list: Vec<String> = text.split('\0').map(str::to_string).collect();
    if let Ok(mut m) = cache.lists.lock() {
        m.insert(key, list.clone());
    }
    Some(list)
}

fn list_file(dir: &Path, key: &str) -> PathBuf {
    dir.join("lists").join(hex(&Sha256::digest(key.as_bytes())))
}

/// A parse is its top file, its environment (which names the tree and the arch) and its
/// tools.
fn list_key(top: &str, env: &HashMap<String, String>, toolchain: &str) -> String {
    let mut vars: Vec<_> = env.iter().collect();
    vars.sort();
    let mut key = format!("parse {top}\n{toolchain}");
    for (k, v) in vars {
        key.push_str(&format!("env {k}={v}\n"));
    }
    key
}

/// `$(shell,command)` as conf runs it, answered from the cache when the same probe already ran.
pub(crate) fn run(command: &str, env: &HashMap<String, String>, toolchain: &str) -> String {
    let cache = cache();
    let key = key(command, env, toolchain);
    if let Some(hit) = cache.mem.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return hit;
    }
    let file = cache.dir.as_ref().map(|d| {
        let digest = hex(&Sha256::digest(key.as_bytes()));
        d.join(&digest[..2]).join(&digest[2..])
    });
    let stored = file
        .as_ref()
        .and_then(|f| load(f, &key))
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
    let output = match stored {
        Some(output) => output,
        None => {
            let output = crate::preprocess::run_shell(command, env);
            if let Some(f) = &file {
                store(f, &key, &output);
            }
            output
        }
    };
    if let Ok(mut m) = cache.mem.lock() {
        m.insert(key, output.clone());
    }
    output
}

/// What [`store`] wrote for `key` in `file`. The file holds the key, a NUL, then the value:
/// a hash collision cannot answer a different key.
fn load(file: &Path, key: &str) -> Option<Vec<u8>> {
    let mut bytes = std::fs::read(file).ok()?;
    let nul = bytes.iter().position(|&b| b == 0)?;
    (bytes[..nul] == *key.as_bytes()).then(|| bytes.split_off(nul + 1))
}

/// Best effort: a cache that cannot be written only costs time.
fn store(file: &Path, key: &str, output: &str) {
    let Some(dir) = file.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let mut bytes = Vec::with_capacity(key.len() + 1 + output.len());
    bytes.extend_from_slice(key.as_bytes());
    bytes.push(0);
    bytes.extend_from_slice(output.as_bytes());
    let tmp = file.with_extension(format!("tmp{}", std::process::id()));
    if std::fs::write(&tmp, &bytes).is_ok() {
        let _ = std::fs::rename(&tmp, file);
    }
}

/// `Options::toolchain` as it goes into keys.
pub(crate) fn render_toolchain(toolchain: &[(String, String)]) -> String {
    toolchain
        .iter()
        .map(|(k, v)| format!("toolchain {k}={v}\n"))
        .collect()
}

fn key(command: &str, env: &HashMap<String, String>, toolchain: &str) -> String {
    let mut key = format!("command={command}\n{toolchain}");
    let words = words(command);
    let mut mentions_arch = command.contains("ARCH");
    let mut files = Vec::new();
    let mut programs = vec!["as".to_string(), "ld".to_string()];
    for w in &words {
        let p = Path::new(w);
        if w.contains('/') {
            if p.is_file() {
                let text = std::fs::read(p).unwrap_or_default();
                mentions_arch = true;
                files.push((w.clone(), Sha256::digest(&text)));
            }
        } else if !programs.contains(w) {
            programs.push(w.clone());
        }
    }
    let mut vars: Vec<_> = env
        .iter()
        .filter(|(k, _)| mentions_arch || !ARCH_VARS.contains(&k.as_str()))
        .collect();
    vars.sort();
    for (k, v) in vars {
        key.push_str(&format!("env {k}={v}\n"));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    key.push_str(&format!("PATH={}\n", path.to_string_lossy()));
    // What gcc and the shell read from the process environment beside the parse's own.
    for (k, v) in std::env::vars_os() {
        let k = k.to_string_lossy();
        let read = matches!(
            &*k,
            "GCC_EXEC_PREFIX"
                | "COMPILER_PATH"
                | "LIBRARY_PATH"
                | "CPATH"
                | "C_INCLUDE_PATH"
                | "SOURCE_DATE_EPOCH"
                | "LANG"
                | "LC_ALL"
                | "LC_MESSAGES"
                | "TMPDIR"
        );
        if read && !env.contains_key(&*k) {
            key.push_str(&format!("process {k}={}\n", v.to_string_lossy()));
        }
    }
    for (name, digest) in files {
        key.push_str(&format!("file {name} {}\n", hex(&digest)));
    }
    for name in programs {
        if let Some((p, len, mtime)) = program(&name, &path) {
            key.push_str(&format!("program {name} {} {len} {mtime}\n", p.display()));
        }
    }
    key
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The words of a shell command, split at blanks, quotes and operators: enough to find the
/// programs and files it names.
fn words(command: &str) -> Vec<String> {
    command
        .split(|c: char| c.is_whitespace() || "'\";|&(){}<>=`".contains(c))
        .filter(|w| !w.is_empty() && !w.starts_with('-') && !w.starts_with('$'))
        .map(String::from)
        .collect()
}

/// Where `name` resolves on `path`, with its size and modification time (nanoseconds).
fn program(name: &str, path: &std::ffi::OsStr) -> Option<(PathBuf, u64, u128)> {
    let found = std::env::split_paths(path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())?;
    let real = std::fs::canonicalize(&found).ok()?;
    let meta = std::fs::metadata(&real).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some((real, meta.len(), mtime))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(arch: &str) -> HashMap<String, String> {
        [("ARCH", arch), ("SRCARCH", arch), ("CC", "gcc")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn arches_share_probes_that_do_not_read_the_arch() {
        let c = "gcc -Werror -m64 -E -x c /dev/null -o /dev/null";
        assert_eq!(key(c, &env("x86"), ""), key(c, &env("arm64"), ""));
    }

    #[test]
    fn a_probe_naming_the_arch_is_per_arch() {
        let c = "echo $ARCH";
        assert_ne!(key(c, &env("x86"), ""), key(c, &env("arm64"), ""));
    }

    #[test]
    fn a_probe_running_a_script_is_per_arch() {
        let c = "/bin/sh -c true";
        assert_ne!(key(c, &env("x86"), ""), key(c, &env("arm64"), ""));
    }

    #[test]
    fn a_file_the_probe_names_is_part_of_its_key() {
        let dir = std::env::temp_dir().join(format!("kp-probes-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let script = dir.join("probe.sh");
        std::fs::write(&script, "echo one\n").unwrap();
        let c = format!("sh {}", script.display());
        let before = key(&c, &env("x86"), "");
        std::fs::write(&script, "echo two\n").unwrap();
        let after = key(&c, &env("x86"), "");
        std::fs::remove_dir_all(&dir).unwrap();
        assert_ne!(before, after);
    }

    #[test]
    fn what_the_tools_are_is_part_of_the_key() {
        let c = "$(RUSTC) --version";
        let before = render_toolchain(&[("RUSTC --version".into(), "rustc 1.95.0".into())]);
        let after = render_toolchain(&[("RUSTC --version".into(), "rustc 1.96.0".into())]);
        assert_ne!(key(c, &env("x86"), &before), key(c, &env("x86"), &after));
        assert_ne!(
            list_key("Kconfig", &env("x86"), &before),
            list_key("Kconfig", &env("x86"), &after)
        );
    }

    #[test]
    fn an_environment_value_is_part_of_the_key() {
        let c = "gcc --version";
        let mut clang = env("x86");
        clang.insert("CC".into(), "clang".into());
        assert_ne!(key(c, &env("x86"), ""), key(c, &clang, ""));
    }
}
