/*!
Kernel source trees: where they come from and what they contain at the top level.

- [`fetch`] downloads a Debian `linux-source-<series>` upload (the newest the archive carries,
  or one named as `6.12=6.12.117-1~deb12u1`) with `apt-get download` and unpacks it under the
  cache ([`cache_dir`]), atomically (temporary directory, then rename), so an interrupted
  fetch never leaves a half tree behind and a second fetch is a no-op. apt runs with a
  private configuration under the cache (every suite carrying `linux-source-*`, from the
  system's Debian mirror); [`archive_uploads`] lists what it carries.
- [`distro_configs`] downloads Debian's `linux-config-<series>` of the tree's upload: the
  `.config` files of the kernels Debian builds from that source for this machine's
  architecture, the configurations people run.
- [`distro_kernel`] downloads the Debian kernel package built from the same upload and keeps
  what its build wrote about modules: the shipped config, `modules.order` and
  `modules.builtin`.
- [`find_tree_root`] finds the tree a command runs in, as git finds its repository.
- [`Tree`] is any kernel tree (a Debian one or a user's checkout): its version and its arches.
- [`Tree::arches`] derives the arch variants from the tree itself: every `arch/<dir>/Kconfig`
  is a SRCARCH, and the top `Makefile`'s `ifeq ($(ARCH),i386) SRCARCH := x86` blocks name the
  alternative ARCH spellings (i386/x86_64, sparc64, parisc64, sh64).

- [`kenv`] knows what the top `Makefile` gives `conf`: the tools as make takes them and
  the texts it computes by running them.

This crate runs `apt-get`, `apt-cache`, `dpkg-deb`, `tar` and `xz`, and ([`kenv`]) the
`$(shell ...)` commands of the top Makefile's tool texts (`$(CC) --version`); it never runs
make.
*/

pub mod kenv;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

mod apt;
mod debian;
mod locate;
pub use apt::compare_versions;
pub use debian::{
    DistroKernel, Spec, Upload, archive_uploads, distro_configs, distro_kernel, fetch, tree_path,
    tree_upload,
};
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
    /// The archive carries no such `linux-source` upload.
    #[error("unknown kernel version `{asked}`: Debian's archive carries {offered}")]
    UnknownVersion {
        /// The series or upload asked for.
        asked: String,
        /// What the archive carries instead (series, or the uploads of the series).
        offered: String,
    },
    /// Not a series (`6.12`) or an upload of one (`6.12=6.12.117-1~deb12u1`).
    #[error(
        "`{0}`: expected a linux-source series as 6.12, or one upload as 6.12=6.12.117-1~deb12u1"
    )]
    BadSpec(String),
}

/// Result with this crate's error.
pub type Result<T> = std::result::Result<T, Error>;

pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The cache root: `$KPOSSIBLE_CACHE` (made absolute: apt and make run in other
/// directories), else `~/.cache/kpossible`.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("KPOSSIBLE_CACHE").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        return match current_dir() {
            Ok(cwd) => absolute_in(&cwd, &dir),
            Err(_) => dir,
        };
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/tmp"), PathBuf::from);
    home.join(".cache").join("kpossible")
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
        Ok(Tree {
            root: root.to_path_buf(),
            version: kenv::TopMakefile::read(root)?.version().numeric(),
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
        let top = kenv::TopMakefile::read(&self.root)?;
        let mut out: Vec<ArchVariant> = srcarches
            .iter()
            .map(|s| ArchVariant {
                arch: s.clone(),
                srcarch: s.clone(),
            })
            .collect();
        for (arch, srcarch) in top.arch_aliases() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_come_from_the_makefile() {
        let mk = "SRCARCH \t:= $(ARCH)\nifeq ($(ARCH),i386)\n        SRCARCH := x86\nendif\nifeq ($(ARCH),sparc64)\n       SRCARCH := sparc\nendif\nifeq ($(ARCH),um)\nfoo := 1\nendif\n";
        assert_eq!(
            kenv::TopMakefile::from_text(Path::new("/"), mk.to_string()).arch_aliases(),
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
        let mk = "VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 117\nEXTRAVERSION =\n";
        let top = kenv::TopMakefile::from_text(Path::new("/"), mk.to_string());
        assert_eq!(top.version().numeric(), "6.12.117");
        assert_eq!(top.version().kernelversion(), "6.12.117");
    }

    #[test]
    fn a_directory_that_is_not_a_tree_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(Tree::open(dir.path()), Err(Error::NotATree(_))));
    }
}
