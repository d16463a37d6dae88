/*!
Kernel source trees: where they come from and what they contain at the top level.

- [`fetch`] downloads Debian's `linux-source-<version>` with `apt-get download` and unpacks it
  under the cache ([`cache_dir`]), atomically (temporary directory, then rename), so an
  interrupted fetch never leaves a half tree behind and a second fetch is a no-op.
- [`distro_configs`] downloads Debian's `linux-config-<version>`: the `.config` files of the
  kernels Debian builds from that source for this machine's architecture, the configurations
  people run.
- [`distro_kernel`] downloads the Debian kernel image package built from the same
  `linux-source-<version>` upload and keeps what its build wrote about modules: the shipped
  `/boot/config-*`, `modules.order` and `modules.builtin`.
- [`Tree`] is any kernel tree (a Debian one or a user's checkout): its version and its arches.
- [`Tree::arches`] derives the arch variants from the tree itself: every `arch/<dir>/Kconfig`
  is a SRCARCH, and the top `Makefile`'s `ifeq ($(ARCH),i386) SRCARCH := x86` blocks name the
  alternative ARCH spellings (i386/x86_64, sparc64, parisc64, sh64).

This crate runs `apt-get`, `apt-cache`, `dpkg-deb`, `tar` and `xz` and nothing else; it never
runs make.
*/

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

mod locate;
pub use locate::{
    absolute_in, current_dir, find_tree_root, is_tree_root, open_relative, path_in_tree,
};

/// What can go wrong while locating or fetching a tree.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An external command failed.
    #[error("`{command}` failed: {detail}")]
    Command {
        /// The command line.
        command: String,
        /// Its exit status and the end of its stderr.
        detail: String,
    },
    /// The directory is not a kernel tree.
    #[error("{0}: not a kernel source tree (no top-level Kconfig, Makefile and arch/)")]
    NotATree(PathBuf),
    /// The version is not one of the Debian packages we know how to fetch.
    #[error("unknown kernel version `{0}`: expected one of {KNOWN_VERSIONS:?}")]
    UnknownVersion(String),
}

/// Result with this crate's error.
pub type Result<T> = std::result::Result<T, Error>;

/// The Debian `linux-source-*` packages kpossible fetches by version.
pub const KNOWN_VERSIONS: &[&str] = &["6.1", "6.12"];

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The cache root: `$KPOSSIBLE_CACHE`, else `~/.cache/kpossible`.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("KPOSSIBLE_CACHE").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/tmp"), PathBuf::from);
    home.join(".cache").join("kpossible")
}

/// Where [`fetch`] puts the tree of `version` under `cache`.
pub fn tree_path(cache: &Path, version: &str) -> PathBuf {
    cache.join("trees").join(version)
}

/// Downloads and unpacks Debian's `linux-source-<version>` into `cache/trees/<version>` unless
/// it is already there, and returns the tree. Safe against interruption: the tree is
/// unpacked into a temporary directory beside its final place and renamed when complete.
pub fn fetch(cache: &Path, version: &str) -> Result<Tree> {
    if !KNOWN_VERSIONS.contains(&version) {
        return Err(Error::UnknownVersion(version.to_string()));
    }
    let dest = tree_path(cache, version);
    if dest.join("Makefile").is_file() {
        return Tree::open(&dest);
    }
    let trees = cache.join("trees");
    let downloads = cache.join("downloads");
    fs::create_dir_all(&trees).map_err(io_err(&trees))?;
    fs::create_dir_all(&downloads).map_err(io_err(&downloads))?;
    let package = format!("linux-source-{version}");
    let deb = download(&downloads, &package)?;
    let tmp = trees.join(format!(".unpack-{version}-{}", std::process::id()));
    fresh_dir(&tmp)?;
    let tarball = format!("./usr/src/{package}.tar.xz");
    // dpkg-deb --fsys-tarfile streams the data archive; only the source tarball is extracted.
    run(Command::new("sh")
        .arg("-c")
        .arg("dpkg-deb --fsys-tarfile \"$1\" | tar -x -C \"$2\" \"$3\"")
        .arg("sh")
        .arg(&deb)
        .arg(&tmp)
        .arg(&tarball))?;
    run(Command::new("tar")
        .arg("-xJf")
        .arg(tmp.join(&tarball))
        .arg("-C")
        .arg(&tmp))?;
    let unpacked = tmp.join(&package);
    if !unpacked.join("Makefile").is_file() {
        return Err(Error::NotATree(unpacked));
    }
    // A concurrent fetch may have won the race; its tree is as good as ours.
    if let Err(e) = fs::rename(&unpacked, &dest)
        && !dest.join("Makefile").is_file()
    {
        return Err(Error::Io {
            path: dest,
            source: e,
        });
    }
    fs::remove_dir_all(&tmp).map_err(io_err(&tmp))?;
    Tree::open(&dest)
}

/// Debian's own kernel configurations built from `linux-source-<version>` for this machine's
/// Debian architecture (`linux-config-<version>`: `config.amd64_none_amd64`,
/// `config.amd64_rt_amd64`, ...), downloaded once and unpacked under the cache; sorted by
/// name (the flavour, as `amd64_none_amd64`).
pub fn distro_configs(cache: &Path, version: &str) -> Result<Vec<(String, PathBuf)>> {
    if !KNOWN_VERSIONS.contains(&version) {
        return Err(Error::UnknownVersion(version.to_string()));
    }
    let dest = cache.join("distro-configs").join(version);
    if !dest.join(".complete").is_file() {
        let downloads = cache.join("downloads");
        fs::create_dir_all(&downloads).map_err(io_err(&downloads))?;
        let package = format!("linux-config-{version}");
        let deb = download(&downloads, &package)?;
        let tmp = cache
            .join("distro-configs")
            .join(format!(".unpack-{version}-{}", std::process::id()));
        fresh_dir(&tmp)?;
        run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&tmp))?;
        let packed = tmp.join("usr/src").join(&package);
        fs::create_dir_all(&dest).map_err(io_err(&dest))?;
        for entry in fs::read_dir(&packed).map_err(io_err(&packed))? {
            let path = entry.map_err(io_err(&packed))?.path();
            let Some(name) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".xz"))
            else {
                continue;
            };
            let out = dest.join(name);
            run(Command::new("sh")
                .arg("-c")
                .arg("xz -dc \"$1\" > \"$2\"")
                .arg("sh")
                .arg(&path)
                .arg(&out))?;
        }
        fs::remove_dir_all(&tmp).map_err(io_err(&tmp))?;
        let done = dest.join(".complete");
        fs::write(&done, b"").map_err(io_err(&done))?;
    }
    let mut out: Vec<(String, PathBuf)> = fs::read_dir(&dest)
        .map_err(io_err(&dest))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|p| {
            let flavour = p
                .file_name()?
                .to_str()?
                .strip_prefix("config.")?
                .to_string();
            Some((flavour, p))
        })
        .collect();
    out.sort();
    Ok(out)
}

/// What a Debian kernel image package says about the build that made it (see
/// [`distro_kernel`]).
#[derive(Clone, Debug)]
pub struct DistroKernel {
    /// The image package, as `name=version`.
    pub package: String,
    /// The kernel release (`6.12.117+deb12-amd64`): its `/lib/modules` directory.
    pub release: String,
    /// The `.config` the image was built from (`/boot/config-<release>`).
    pub config: PathBuf,
    /// `modules.order`: every module built, as `kernel/<path>.ko`, in build order.
    pub modules_order: PathBuf,
    /// `modules.builtin`: the `kernel/<path>.ko` names of modules built into the image.
    pub modules_builtin: PathBuf,
}

/// The Debian kernel image of `flavour` (`amd64`, `cloud-amd64`, `rt-amd64`, ... for this
/// machine's architecture) built from the very `linux-source-<version>` [`fetch`] unpacked:
/// the image package (`linux-image-<abi>-<flavour>-unsigned`) whose version is that source
/// package's. Downloaded once (about 100 MB, not kept); its config, `modules.order` and
/// `modules.builtin` are kept under the cache. An error when apt knows no such image (the
/// archive moved on, or another architecture).
pub fn distro_kernel(cache: &Path, version: &str, flavour: &str) -> Result<DistroKernel> {
    if !KNOWN_VERSIONS.contains(&version) {
        return Err(Error::UnknownVersion(version.to_string()));
    }
    let downloads = cache.join("downloads");
    let source = format!("linux-source-{version}");
    let source_deb = find_deb(&downloads, &source)?.ok_or_else(|| Error::Command {
        command: format!("apt-get download {source}"),
        detail: "the tree's source package is not in the cache: fetch the tree first".into(),
    })?;
    // `linux-source-6.12_6.12.117-1~deb12u1_all.deb`: apt writes an epoch's `:` as `%3a`.
    let deb_version = source_deb
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.split('_').nth(1))
        .map(|v| v.replace("%3a", ":"))
        .ok_or_else(|| Error::Command {
            command: format!("apt-get download {source}"),
            detail: format!("cannot read a version in {}", source_deb.display()),
        })?;
    let dest = cache
        .join("distro-kernels")
        .join(version)
        .join(format!("{flavour}-{deb_version}"));
    let done = dest.join(".complete");
    if !done.is_file() {
        let unsigned = format!("-{flavour}-unsigned");
        let names: Vec<String> = capture(
            Command::new("apt-cache")
                .arg("search")
                .arg("--names-only")
                .arg(format!("^linux-image-.*{unsigned}$")),
        )?
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        // The ABI part alone between `linux-image-` and the flavour (`6.1.0-56`,
        // `6.12.117+deb12`): `.*-amd64` also matches `-cloud-amd64`.
        .filter(|n| {
            n.strip_prefix("linux-image-")
                .and_then(|r| r.strip_suffix(unsigned.as_str()))
                .is_some_and(|abi| {
                    abi.replace("deb", "")
                        .chars()
                        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+'))
                })
        })
        .map(String::from)
        .collect();
        if names.is_empty() {
            return Err(Error::Command {
                command: format!("apt-cache search linux-image-*{unsigned}"),
                detail: format!("no image package of flavour {flavour} is known to apt"),
            });
        }
        // `apt-cache madison`: `name | version | archive` per available version.
        let madison = capture(Command::new("apt-cache").arg("madison").args(&names))?;
        let package = madison
            .lines()
            .filter_map(|l| {
                let mut f = l.split('|').map(str::trim);
                Some((f.next()?.to_string(), f.next()?.to_string()))
            })
            .find(|(_, v)| *v == deb_version)
            .map(|(n, v)| format!("{n}={v}"))
            .ok_or_else(|| Error::Command {
                command: "apt-cache madison linux-image-*".into(),
                detail: format!(
                    "no {flavour} image of version {deb_version} (the tree's source version)"
                ),
            })?;
        let tmp = cache.join("distro-kernels").join(format!(
            ".unpack-{version}-{flavour}-{}",
            std::process::id()
        ));
        fresh_dir(&tmp)?;
        run(Command::new("apt-get")
            .arg("download")
            .arg(&package)
            .current_dir(&tmp))?;
        let name = package.split('=').next().unwrap_or(&package);
        let deb = find_deb(&tmp, name)?.ok_or_else(|| Error::Command {
            command: format!("apt-get download {package}"),
            detail: "no .deb appeared".into(),
        })?;
        // Only the three files are extracted from the data archive.
        run(Command::new("sh")
            .arg("-c")
            .arg(
                "dpkg-deb --fsys-tarfile \"$1\" | tar -x -C \"$2\" --wildcards \
                 './boot/config-*' './lib/modules/*/modules.order' './lib/modules/*/modules.builtin'",
            )
            .arg("sh")
            .arg(&deb)
            .arg(&tmp))?;
        let modules = tmp.join("lib/modules");
        let release = fs::read_dir(&modules)
            .map_err(io_err(&modules))?
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .next()
            .ok_or_else(|| Error::Command {
                command: format!("dpkg-deb --fsys-tarfile {}", deb.display()),
                detail: "no /lib/modules/<release> in the package".into(),
            })?;
        fs::create_dir_all(&dest).map_err(io_err(&dest))?;
        for (from, to) in [
            (tmp.join("boot").join(format!("config-{release}")), "config"),
            (
                modules.join(&release).join("modules.order"),
                "modules.order",
            ),
            (
                modules.join(&release).join("modules.builtin"),
                "modules.builtin",
            ),
        ] {
            let to = dest.join(to);
            fs::rename(&from, &to).map_err(io_err(&from))?;
        }
        let meta = dest.join("package");
        fs::write(&meta, format!("{package}\n{release}\n")).map_err(io_err(&meta))?;
        fs::remove_dir_all(&tmp).map_err(io_err(&tmp))?;
        fs::write(&done, b"").map_err(io_err(&done))?;
    }
    let meta = dest.join("package");
    let text = fs::read_to_string(&meta).map_err(io_err(&meta))?;
    let mut lines = text.lines();
    Ok(DistroKernel {
        package: lines.next().unwrap_or_default().to_string(),
        release: lines.next().unwrap_or_default().to_string(),
        config: dest.join("config"),
        modules_order: dest.join("modules.order"),
        modules_builtin: dest.join("modules.builtin"),
    })
}

/// The `.deb` of `package` in `downloads`, fetched with `apt-get download` when absent.
fn download(downloads: &Path, package: &str) -> Result<PathBuf> {
    if let Some(deb) = find_deb(downloads, package)? {
        return Ok(deb);
    }
    run(Command::new("apt-get")
        .arg("download")
        .arg(package)
        .current_dir(downloads))?;
    find_deb(downloads, package)?.ok_or_else(|| Error::Command {
        command: format!("apt-get download {package}"),
        detail: "no .deb appeared (run `apt-get update` first?)".into(),
    })
}

fn find_deb(dir: &Path, package: &str) -> Result<Option<PathBuf>> {
    let prefix = format!("{package}_");
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(io_err(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".deb"))
        })
        .collect();
    found.sort();
    Ok(found.pop())
}

/// Runs `cmd` and returns its stdout; a failure carries the end of its stderr.
fn capture(cmd: &mut Command) -> Result<String> {
    let out = cmd.output().map_err(|e| Error::Command {
        command: format!("{cmd:?}"),
        detail: e.to_string(),
    })?;
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
    Err(Error::Command {
        command: format!("{cmd:?}"),
        detail: format!(
            "{}: {}",
            out.status,
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        ),
    })
}

fn run(cmd: &mut Command) -> Result<()> {
    capture(cmd).map(drop)
}

/// Makes `dir` an empty directory (a leftover of an interrupted unpack is removed).
fn fresh_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(io_err(dir))?;
    }
    fs::create_dir_all(dir).map_err(io_err(dir))
}

/// This machine's Debian architecture (`dpkg --print-architecture`: `amd64`, `arm64`, ...),
/// which names its generic kernel flavour; `None` where dpkg is missing.
pub fn host_debian_arch() -> Option<String> {
    let out = Command::new("dpkg")
        .arg("--print-architecture")
        .output()
        .ok()?;
    let arch = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !arch.is_empty()).then_some(arch)
}

/// The kernel's ARCH for a Debian architecture (`amd64` → `x86_64`), or for a flavour of
/// `linux-config` named after it (`amd64_none_amd64`, `arm64_rt_arm64`).
pub fn debian_kernel_arch(debian: &str) -> Option<&'static str> {
    Some(match debian.split('_').next()? {
        "amd64" => "x86_64",
        "i386" => "i386",
        "arm64" => "arm64",
        "armhf" | "armel" => "arm",
        "ppc64el" => "powerpc",
        "s390x" => "s390",
        "mips64el" | "mipsel" => "mips",
        "riscv64" => "riscv",
        "loong64" => "loongarch",
        _ => return None,
    })
}

/// The ARCH make uses when none is given: the top Makefile's `SUBARCH`, from `uname -m`
/// (`x86_64` → `x86`, `aarch64` → `arm64`, ...).
pub fn host_arch() -> String {
    let machine = Command::new("uname")
        .arg("-m")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    subarch_of(&machine).to_string()
}

fn subarch_of(machine: &str) -> &str {
    let m = machine;
    let is_i86 = m.len() == 4 && m.starts_with('i') && m.ends_with("86");
    if is_i86 || m == "x86_64" {
        "x86"
    } else if m == "sun4u" {
        "sparc64"
    } else if m.starts_with("arm") || m == "sa110" {
        "arm"
    } else if m == "s390x" {
        "s390"
    } else if m.starts_with("ppc") {
        "powerpc"
    } else if m.starts_with("mips") {
        "mips"
    } else if m.starts_with("sh2") || m.starts_with("sh3") || m.starts_with("sh4") {
        "sh"
    } else if m.starts_with("aarch64") {
        "arm64"
    } else if m.starts_with("riscv") {
        "riscv"
    } else if m.starts_with("loongarch") {
        "loongarch"
    } else {
        m
    }
}

/// One arch spelling the tree accepts as `ARCH=`, and the SRCARCH it maps to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct ArchVariant {
    /// The value given as `ARCH=` (`x86`, `i386`, `x86_64`, `arm64`, ...).
    pub arch: String,
    /// The directory under `arch/` (`x86` for all three spellings above).
    pub srcarch: String,
}

/// A kernel source tree.
#[derive(Clone, Debug)]
pub struct Tree {
    root: PathBuf,
    version: String,
}

impl Tree {
    /// Opens `root` if it looks like a kernel tree. The tree is known by its canonical path
    /// from here on: make, conf and the probes run in other directories, and a relative
    /// `srctree` would name another place there.
    pub fn open(root: &Path) -> Result<Tree> {
        if !(root.join("Kconfig").is_file()
            && root.join("Makefile").is_file()
            && root.join("arch").is_dir())
        {
            return Err(Error::NotATree(root.to_path_buf()));
        }
        let root = &fs::canonicalize(root).map_err(io_err(root))?;
        let makefile = root.join("Makefile");
        let text = fs::read_to_string(&makefile).map_err(io_err(&makefile))?;
        Ok(Tree {
            root: root.to_path_buf(),
            version: kernel_version(&text),
        })
    }

    /// The tree's root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `VERSION.PATCHLEVEL.SUBLEVEL` from the top Makefile (empty parts left out).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Every SRCARCH: each directory under `arch/` with a `Kconfig`, sorted.
    pub fn srcarches(&self) -> Result<Vec<String>> {
        let dir = self.root.join("arch");
        let mut out: Vec<String> = fs::read_dir(&dir)
            .map_err(io_err(&dir))?
            .filter_map(|e| e.ok())
            .filter(|e| e.path().join("Kconfig").is_file())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .collect();
        out.sort();
        Ok(out)
    }

    /// Every ARCH spelling: each SRCARCH as itself, plus the aliases the top Makefile maps
    /// onto it (`ifeq ($(ARCH),i386)` / `SRCARCH := x86`), sorted by SRCARCH then ARCH.
    pub fn arches(&self) -> Result<Vec<ArchVariant>> {
        let srcarches = self.srcarches()?;
        let makefile = self.root.join("Makefile");
        let text = fs::read_to_string(&makefile).map_err(io_err(&makefile))?;
        let mut out: Vec<ArchVariant> = srcarches
            .iter()
            .map(|s| ArchVariant {
                arch: s.clone(),
                srcarch: s.clone(),
            })
            .collect();
        for (arch, srcarch) in arch_aliases(&text) {
            if srcarches.contains(&srcarch) && !out.iter().any(|v| v.arch == arch) {
                out.push(ArchVariant { arch, srcarch });
            }
        }
        out.sort_by(|a, b| (&a.srcarch, &a.arch).cmp(&(&b.srcarch, &b.arch)));
        Ok(out)
    }

    /// The file `make ARCH=arch defconfig` reads: `arch/<SRCARCH>/configs/$(KBUILD_DEFCONFIG)`,
    /// with `KBUILD_DEFCONFIG` taken from the arch Makefile (its `ifeq ($(ARCH),...)` blocks
    /// are followed; any other condition, such as x86's `uname -m` test, counts as false, as
    /// on a 64-bit host), falling back to `scripts/kconfig/Makefile`'s `defconfig`.
    pub fn defconfig_file(&self, arch: &str) -> Result<Option<PathBuf>> {
        let Some(variant) = self.arch(arch)? else {
            return Ok(None);
        };
        let makefile = self
            .root
            .join("arch")
            .join(&variant.srcarch)
            .join("Makefile");
        let text = fs::read_to_string(&makefile).unwrap_or_default();
        let name = kbuild_defconfig(&text, arch).unwrap_or_else(|| "defconfig".to_string());
        let path = self
            .root
            .join("arch")
            .join(&variant.srcarch)
            .join("configs")
            .join(name);
        Ok(path.is_file().then_some(path))
    }

    /// Maps an `ARCH=` spelling to its variant, if the tree knows it.
    pub fn arch(&self, arch: &str) -> Result<Option<ArchVariant>> {
        Ok(self.arches()?.into_iter().find(|v| v.arch == arch))
    }
}

fn kernel_version(makefile: &str) -> String {
    let get = |key: &str| {
        makefile.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == key).then(|| v.trim().to_string())
        })
    };
    [get("VERSION"), get("PATCHLEVEL"), get("SUBLEVEL")]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(".")
}

/// The last `KBUILD_DEFCONFIG` assignment that is active for `arch`, following only
/// `ifeq`/`ifneq ($(ARCH),X)` conditions (others are taken as false).
fn kbuild_defconfig(makefile: &str, arch: &str) -> Option<String> {
    // Each open conditional: (this branch is taken, some branch was taken).
    let mut stack: Vec<(bool, bool)> = Vec::new();
    let mut found = None;
    for line in makefile.lines() {
        let t = line.trim();
        let active = stack.iter().all(|&(on, _)| on);
        if let Some(rest) = t.strip_prefix("ifeq ").or_else(|| t.strip_prefix("ifneq ")) {
            let negate = t.starts_with("ifneq");
            let cond = rest
                .strip_prefix("($(ARCH),")
                .and_then(|r| r.strip_suffix(')'))
                .map(|x| (x.trim() == arch) != negate)
                .unwrap_or(false);
            stack.push((cond, cond));
        } else if t.starts_with("ifdef") || t.starts_with("ifndef") {
            stack.push((false, false));
        } else if t == "else" {
            if let Some(top) = stack.last_mut() {
                *top = (!top.1, true);
            }
        } else if t == "endif" {
            stack.pop();
        } else if active && let Some(rest) = t.strip_prefix("KBUILD_DEFCONFIG") {
            let rest = rest.trim_start();
            if let Some(v) = rest.strip_prefix(":=").or_else(|| rest.strip_prefix('=')) {
                let v = v.trim().replace("$(ARCH)", arch);
                if !v.contains("$(") {
                    found = Some(v);
                }
            }
        }
    }
    found
}

/// The `ifeq ($(ARCH),X)` blocks of the top Makefile whose body sets `SRCARCH := Y`.
fn arch_aliases(makefile: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in makefile.lines() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_come_from_the_makefile() {
        let mk = "SRCARCH \t:= $(ARCH)\nifeq ($(ARCH),i386)\n        SRCARCH := x86\nendif\nifeq ($(ARCH),sparc64)\n       SRCARCH := sparc\nendif\nifeq ($(ARCH),um)\nfoo := 1\nendif\n";
        assert_eq!(
            arch_aliases(mk),
            vec![
                ("i386".to_string(), "x86".to_string()),
                ("sparc64".to_string(), "sparc".to_string())
            ]
        );
    }

    #[test]
    fn defconfig_name_follows_arch_conditions() {
        let x86 = "ifeq ($(ARCH),x86)\n  ifeq ($(shell uname -m),i386)\n KBUILD_DEFCONFIG := i386_defconfig\n  else\n KBUILD_DEFCONFIG := x86_64_defconfig\n  endif\nelse\n KBUILD_DEFCONFIG := $(ARCH)_defconfig\nendif\n";
        assert_eq!(
            kbuild_defconfig(x86, "x86").as_deref(),
            Some("x86_64_defconfig")
        );
        assert_eq!(
            kbuild_defconfig(x86, "i386").as_deref(),
            Some("i386_defconfig")
        );
        assert_eq!(
            kbuild_defconfig("KBUILD_DEFCONFIG := multi_v7_defconfig\n", "arm").as_deref(),
            Some("multi_v7_defconfig")
        );
        assert_eq!(kbuild_defconfig("", "arm64"), None);
    }

    #[test]
    fn version_from_makefile() {
        assert_eq!(
            kernel_version("VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 117\nEXTRAVERSION =\n"),
            "6.12.117"
        );
    }

    #[test]
    fn a_directory_that_is_not_a_tree_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(Tree::open(dir.path()), Err(Error::NotATree(_))));
    }

    #[test]
    fn unknown_versions_are_refused_before_any_download() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            fetch(dir.path(), "2.6"),
            Err(Error::UnknownVersion(_))
        ));
    }
}
