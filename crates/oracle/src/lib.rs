/*!
The kernel's own tools as the oracle every kpossible answer is checked against.

An [`Oracle`] is one (tree, ARCH) pair. It keeps one `O=` build directory, so the tree's
`scripts/kconfig/conf` is built once, and drives it only through the top-level Makefile (as
`make O=dir ARCH=x olddefconfig`): calling `conf` directly, without the variables the top
Makefile exports, changes results. It offers:

- Kconfig: [`Oracle::olddefconfig`], [`Oracle::randconfig`], [`Oracle::allnoconfig`],
  [`Oracle::allyesconfig`], [`Oracle::allmodconfig`], [`Oracle::defconfig`];
- Kbuild: [`Oracle::kbuild_lists`], the true built-in objects, `lib.a` objects, modules and
  each module's member objects, from real GNU make evaluating the tree's own
  `scripts/Makefile.build` in every directory (see `make/walk.mk`) without compiling C.

Every result is cached on disk by (tree, arch, the tools make finds and the variables on its
command line, operation, config hash), and
each call reports how long it took and whether it came from the cache ([`Call`]). Calls on the
same build directory are serialised with a file lock, so tests may call in parallel.
*/

mod records;

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use sha2::{Digest, Sha256};

pub use records::{KbuildLists, Module};

const TOP_MK: &str = include_str!("../make/top.mk");
const WALK_MK: &str = include_str!("../make/walk.mk");

/// What can go wrong while driving the real tools.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// make (or conf behind it) failed.
    #[error("`{command}` failed ({status}):\n{stderr}")]
    Make {
        /// The command line.
        command: String,
        /// Exit status.
        status: String,
        /// The last lines of its stderr.
        stderr: String,
    },
    /// The walk's records could not be read.
    #[error("oracle walk record {path}: {message}")]
    Record {
        /// The record file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// The tree could not be opened.
    #[error(transparent)]
    Tree(#[from] ktree::Error),
}

/// Result with this crate's error.
pub type Result<T> = std::result::Result<T, Error>;

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// One oracle answer with how it was obtained.
#[derive(Clone, Debug)]
pub struct Call<T> {
    /// The answer.
    pub value: T,
    /// Wall time of this call, in seconds (small when served from the cache).
    pub seconds: f64,
    /// Whether the answer came from the on-disk cache.
    pub cached: bool,
}

/// The real tools for one (tree, ARCH).
#[derive(Debug)]
pub struct Oracle {
    tree: ktree::Tree,
    arch: String,
    pins: Vec<(String, String)>,
    build_dir: PathBuf,
    results_dir: PathBuf,
    timings: PathBuf,
}

impl Oracle {
    /// The oracle for `arch` (an `ARCH=` spelling) on `tree`, keeping its build directory and
    /// results under `cache/oracle/`. make runs in this process's environment, as a user
    /// runs it: the tools are what `PATH` finds.
    pub fn new(tree: &ktree::Tree, arch: &str, cache: &Path) -> Result<Oracle> {
        Oracle::with_pins(tree, arch, cache, &[])
    }

    /// As [`Oracle::new`], with variables given on make's command line (`CROSS_COMPILE=...`,
    /// or `RUSTC=kp-not-installed` for a toolchain without rustc).
    pub fn with_pins(
        tree: &ktree::Tree,
        arch: &str,
        cache: &Path,
        pins: &[(&str, &str)],
    ) -> Result<Oracle> {
        let root = fs::canonicalize(tree.root()).map_err(io_err(tree.root()))?;
        let tree_key = format!(
            "{}-{}",
            tree.version(),
            &hex(&Sha256::digest(root.as_os_str().as_encoded_bytes()))[..10]
        );
        let pins: Vec<(String, String)> = pins
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        // Results hold for the tools that made them: the key is what the tools are (where
        // `PATH` finds them, their `--version`s), the command line and the `KCONFIG_*`
        // variables conf reads, so installing pahole or taking rustc off `PATH` is a new key.
        let invocation = ktree::kenv::Invocation::from_process()
            .with_command_line(pins.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let mut toolchain = ktree::kenv::TopMakefile::read(&root)?
            .environment(arch, &invocation, true)
            .identity;
        toolchain.extend(
            invocation
                .env
                .iter()
                .filter(|(k, _)| k.starts_with("KCONFIG_"))
                .map(|(k, v)| (format!("env {k}"), v.clone())),
        );
        let pin_key = &hex(&Sha256::digest(format!("{pins:?}{toolchain:?}").as_bytes()))[..8];
        let base = cache
            .join("oracle")
            .join(tree_key)
            .join(format!("{arch}-{pin_key}"));
        let build_dir = base.join("build");
        let results_dir = base.join("results");
        for d in [&build_dir, &results_dir] {
            fs::create_dir_all(d).map_err(io_err(d))?;
        }
        // The pins, readable: the directory name only has their hash, and a reader of the
        // cached results (the soundness sweep) must know which toolchain made them.
        for (name, value) in [("pins.json", &pins), ("toolchain.json", &toolchain)] {
            let file = base.join(name);
            if !file.exists() {
                let text = serde_json::to_string(value).unwrap_or_default();
                fs::write(&file, text).map_err(io_err(&file))?;
            }
        }
        Ok(Oracle {
            tree: ktree::Tree::open(&root)?,
            arch: arch.to_string(),
            pins,
            build_dir,
            results_dir,
            timings: cache.join("oracle").join("timings.tsv"),
        })
    }

    /// The tree.
    pub fn tree(&self) -> &ktree::Tree {
        &self.tree
    }

    /// The `ARCH=` value.
    pub fn arch(&self) -> &str {
        &self.arch
    }

    /// The make variables passed on every command line.
    pub fn pins(&self) -> &[(String, String)] {
        &self.pins
    }

    /// `make olddefconfig` applied to `config`; returns the resulting `.config`.
    pub fn olddefconfig(&self, config: &str) -> Result<Call<String>> {
        self.config_call("olddefconfig", config, &[])
    }

    /// `KCONFIG_SEED=seed make randconfig`.
    pub fn randconfig(&self, seed: u64) -> Result<Call<String>> {
        self.config_call(
            &format!("randconfig-{seed}"),
            "",
            &[("KCONFIG_SEED", seed.to_string())],
        )
    }

    /// `make allnoconfig`.
    pub fn allnoconfig(&self) -> Result<Call<String>> {
        self.config_call("allnoconfig", "", &[])
    }

    /// `make allyesconfig`.
    pub fn allyesconfig(&self) -> Result<Call<String>> {
        self.config_call("allyesconfig", "", &[])
    }

    /// `make allmodconfig`.
    pub fn allmodconfig(&self) -> Result<Call<String>> {
        self.config_call("allmodconfig", "", &[])
    }

    /// `make defconfig`.
    pub fn defconfig(&self) -> Result<Call<String>> {
        self.config_call("defconfig", "", &[])
    }

    /// `make alldefconfig`.
    pub fn alldefconfig(&self) -> Result<Call<String>> {
        self.config_call("alldefconfig", "", &[])
    }

    /// `make NAME`, for a file `NAME` of `arch/$(SRCARCH)/configs` (e.g.
    /// `shx3_defconfig`).
    pub fn named_defconfig(&self, name: &str) -> Result<Call<String>> {
        self.config_target(&format!("named-{name}"), name, "", &[])
    }

    /// The true Kbuild lists for `config`: it is first brought to a fixed point with
    /// `olddefconfig` (as `make` itself would, through syncconfig), then real make walks the
    /// tree from `obj=.`.
    pub fn kbuild_lists(&self, config: &str) -> Result<Call<KbuildLists>> {
        self.walk(config, None)
    }

    /// As [`Oracle::kbuild_lists`], but real make descends only along the paths to `dirs`
    /// (directories relative to the tree, e.g. `drivers/net`): their lists are exactly the
    /// whole walk's, in a fraction of its time. Lists of other directories are absent.
    pub fn kbuild_lists_within(&self, config: &str, dirs: &[&str]) -> Result<Call<KbuildLists>> {
        let mut only: Vec<String> = Vec::new();
        for d in dirs {
            let mut prefix = String::new();
            for part in d.trim_matches('/').split('/').filter(|p| !p.is_empty()) {
                if !prefix.is_empty() {
                    prefix.push('/');
                }
                prefix.push_str(part);
                only.push(prefix.clone());
            }
        }
        only.sort();
        only.dedup();
        self.walk(config, Some(&only))
    }

    fn walk(&self, config: &str, only: Option<&[String]>) -> Result<Call<KbuildLists>> {
        let start = Instant::now();
        let mut hasher = Sha256::new();
        hasher.update(config.as_bytes());
        let key = match only {
            None => format!("kbuild-{}", &hex(&hasher.finalize())[..16]),
            Some(only) => {
                hasher.update(only.join(" ").as_bytes());
                format!("kbuild-within-{}", &hex(&hasher.finalize())[..16])
            }
        };
        let cached = self.results_dir.join(format!("{key}.json"));
        if let Some(lists) = fs::read(&cached)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
        {
            return Ok(self.done("kbuild_lists", start, lists, true));
        }
        let _lock = self.lock()?;
        // Another process may have computed it while we waited for the lock.
        if let Some(lists) = fs::read(&cached)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
        {
            return Ok(self.done("kbuild_lists", start, lists, true));
        }
        self.write_config(config)?;
        self.make(&["olddefconfig"], &[])?;
        self.make(&["syncconfig"], &[])?;
        let dir = self.build_dir.join("kpossible-oracle");
        fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        for (name, text) in [("top.mk", TOP_MK), ("walk.mk", WALK_MK)] {
            let p = dir.join(name);
            fs::write(&p, text).map_err(io_err(&p))?;
        }
        let out = dir.join("records");
        let jobs = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .to_string();
        let mut cmd = Command::new("make");
        cmd.arg("--no-print-directory")
            .arg("-s")
            .arg("-C")
            .arg(&self.build_dir)
            .arg("-f")
            .arg(self.build_dir.join("Makefile"))
            .arg("-f")
            .arg(dir.join("top.mk"))
            .arg(format!("ARCH={}", self.arch))
            .arg(format!("KP_ORACLE_OUT={}", out.display()))
            .arg(format!("-j{jobs}"));
        for (k, v) in &self.pins {
            cmd.arg(format!("{k}={v}"));
        }
        if let Some(only) = only {
            // An empty list would mean "everything" to walk.mk; "." keeps it a filter.
            let list = if only.is_empty() {
                ".".to_string()
            } else {
                only.join(" ")
            };
            cmd.arg(format!("KP_ONLY={list}"));
        }
        cmd.arg("kp-oracle");
        run(&mut cmd)?;
        let mut lists = records::read_dir(&out)?;
        let effective =
            fs::read_to_string(self.build_dir.join(".config")).map_err(io_err(&self.build_dir))?;
        lists.config_changed = config_body(&effective) != config_body(config);
        self.store(&cached, &lists)?;
        Ok(self.done("kbuild_lists", start, lists, false))
    }

    fn config_call(&self, op: &str, input: &str, env: &[(&str, String)]) -> Result<Call<String>> {
        let target = op.split('-').next().unwrap_or(op);
        self.config_target(op, target, input, env)
    }

    /// `make target` on `input` (none: no `.config`), cached under `op`.
    fn config_target(
        &self,
        op: &str,
        target: &str,
        input: &str,
        env: &[(&str, String)],
    ) -> Result<Call<String>> {
        let start = Instant::now();
        let key = if input.is_empty() {
            op.to_string()
        } else {
            format!("{op}-{}", &hex(&Sha256::digest(input.as_bytes()))[..16])
        };
        let cached = self.results_dir.join(format!("{key}.config"));
        if let Ok(text) = fs::read_to_string(&cached) {
            return Ok(self.done(op, start, text, true));
        }
        let _lock = self.lock()?;
        if let Ok(text) = fs::read_to_string(&cached) {
            return Ok(self.done(op, start, text, true));
        }
        if input.is_empty() {
            let p = self.build_dir.join(".config");
            let _ = fs::remove_file(&p);
        } else {
            self.write_config(input)?;
        }
        self.make(&[target], env)?;
        let p = self.build_dir.join(".config");
        let text = fs::read_to_string(&p).map_err(io_err(&p))?;
        let tmp = cached.with_extension("tmp");
        fs::write(&tmp, &text).map_err(io_err(&tmp))?;
        fs::rename(&tmp, &cached).map_err(io_err(&cached))?;
        Ok(self.done(op, start, text, false))
    }

    fn write_config(&self, config: &str) -> Result<()> {
        let p = self.build_dir.join(".config");
        fs::write(&p, config).map_err(io_err(&p))
    }

    fn make(&self, targets: &[&str], env: &[(&str, String)]) -> Result<()> {
        let mut cmd = Command::new("make");
        cmd.arg("-s")
            .arg("-C")
            .arg(self.tree.root())
            .arg(format!("O={}", self.build_dir.display()))
            .arg(format!("ARCH={}", self.arch));
        for (k, v) in &self.pins {
            cmd.arg(format!("{k}={v}"));
        }
        cmd.args(targets);
        for (k, v) in env {
            cmd.env(k, v);
        }
        run(&mut cmd)
    }

    fn lock(&self) -> Result<fs::File> {
        let p = self.build_dir.join(".kpossible-lock");
        let f = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&p)
            .map_err(io_err(&p))?;
        f.lock().map_err(io_err(&p))?;
        Ok(f)
    }

    fn store<T: serde::Serialize>(&self, path: &Path, value: &T) -> Result<()> {
        let tmp = path.with_extension("tmp");
        let bytes = serde_json::to_vec(value).map_err(|e| Error::Io {
            path: tmp.clone(),
            source: e.into(),
        })?;
        fs::write(&tmp, bytes).map_err(io_err(&tmp))?;
        fs::rename(&tmp, path).map_err(io_err(path))
    }

    fn done<T>(&self, op: &str, start: Instant, value: T, cached: bool) -> Call<T> {
        let seconds = start.elapsed().as_secs_f64();
        // The timing log is a convenience for planning CI budgets; failing to write it is not
        // worth failing the call.
        if let Ok(mut f) = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.timings)
        {
            let _ = writeln!(
                f,
                "{}\t{}\t{}\t{op}\t{seconds:.2}\t{}",
                unix_time(),
                self.tree.version(),
                self.arch,
                if cached { "cached" } else { "run" }
            );
        }
        Call {
            value,
            seconds,
            cached,
        }
    }
}

/// The part of a `.config` that carries values: from the first `CONFIG_` or `# CONFIG_` line
/// on. The header before it holds version banners that differ between tools.
pub fn config_body(config: &str) -> &str {
    let mut offset = 0;
    for line in config.split_inclusive('\n') {
        if line.starts_with("CONFIG_") || line.starts_with("# CONFIG_") {
            return &config[offset..];
        }
        offset += line.len();
    }
    ""
}

fn run(cmd: &mut Command) -> Result<()> {
    let out = cmd.stdin(Stdio::null()).output().map_err(|e| Error::Make {
        command: format!("{cmd:?}"),
        status: "not started".into(),
        stderr: e.to_string(),
    })?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    Err(Error::Make {
        command: format!("{cmd:?}"),
        status: out.status.to_string(),
        stderr: lines[lines.len().saturating_sub(20)..].join("\n"),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unix_time() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_body_skips_the_banner() {
        let c = "#\n# Automatically generated file; DO NOT EDIT.\n# Linux/x86 6.12.117 Kernel Configuration\n#\nCONFIG_CC_VERSION_TEXT=\"gcc\"\n# CONFIG_X is not set\n";
        assert_eq!(
            config_body(c),
            "CONFIG_CC_VERSION_TEXT=\"gcc\"\n# CONFIG_X is not set\n"
        );
    }
}
