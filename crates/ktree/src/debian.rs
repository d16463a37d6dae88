//! Debian's kernel trees: every `linux-source-<series>` upload the archive carries (through
//! the private apt configuration of [`crate::apt`]), unpacked under the cache, and what
//! Debian's own build of each upload says about its kernels.
//!
//! A tree is named by its series (`6.12`: the tree already in the cache, else the newest
//! upload) or by one upload (`6.12=6.12.117-1~deb12u1`). The default upload of a series lives
//! in `trees/<series>`, any other in `trees/<series>_<upload>`; beside each tree,
//! `<dir>.upload` records the upload it was unpacked from.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use crate::apt::{Apt, compare_versions};
use crate::{Error, Result, Tree, io_err};

/// A tree as the command line names it: `6.12` or `6.12=6.12.117-1~deb12u1`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    /// `6.12`: the `X` of `linux-source-X`.
    pub series: String,
    /// One upload of it (a Debian version), when pinned.
    pub upload: Option<String>,
}

impl Spec {
    /// Reads `SERIES` or `SERIES=UPLOAD`; a series is `MAJOR.MINOR`.
    pub fn parse(s: &str) -> Result<Spec> {
        let (series, upload) = match s.split_once('=') {
            Some((a, b)) => (a, Some(b)),
            None => (s, None),
        };
        let numeric = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
        let ok_series = series
            .split_once('.')
            .is_some_and(|(a, b)| numeric(a) && numeric(b));
        // deb-version(7): alphanumerics and . + - ~ :, starting with a digit.
        let ok_upload = upload.is_none_or(|u| {
            u.starts_with(|c: char| c.is_ascii_digit())
                && u.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".+-~:".contains(c))
        });
        if !ok_series || !ok_upload {
            return Err(Error::BadSpec(s.to_string()));
        }
        Ok(Spec {
            series: series.to_string(),
            upload: upload.map(String::from),
        })
    }

    /// `linux-source-6.12`.
    pub fn package(&self) -> String {
        format!("linux-source-{}", self.series)
    }
}

/// One upload of a `linux-source-<series>` package in the archive.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Upload {
    /// `6.12`.
    pub series: String,
    /// The Debian version, `6.12.118-1~deb12u1`.
    pub version: String,
    /// The suites carrying it (`bookworm-security`, `sid`, ...).
    pub suites: Vec<String>,
}

/// Every `linux-source-*` upload the archive carries, by series (oldest first), newest
/// upload first within a series. Updates the indexes when they are a day old.
pub fn archive_uploads(cache: &Path) -> Result<Vec<Upload>> {
    let apt = Apt::new(cache)?;
    apt.update(false)?;
    uploads(&apt)
}

fn uploads(apt: &Apt) -> Result<Vec<Upload>> {
    let names: Vec<String> = capture(apt.command("apt-cache").args([
        "search",
        "--names-only",
        r"^linux-source-[0-9]+\.[0-9]+$",
    ]))?
    .lines()
    .filter_map(|l| l.split_whitespace().next().map(String::from))
    .collect();
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let mut out: Vec<Upload> = Vec::new();
    for (name, version, suite) in madison(apt, &names)? {
        let Some(series) = name.strip_prefix("linux-source-") else {
            continue;
        };
        match out
            .iter_mut()
            .find(|u| u.series == series && u.version == version)
        {
            Some(u) => u.suites.push(suite),
            None => out.push(Upload {
                series: series.to_string(),
                version,
                suites: vec![suite],
            }),
        }
    }
    let key = |s: &str| -> Vec<u64> { s.split('.').map(|p| p.parse().unwrap_or(0)).collect() };
    out.sort_by(|a, b| {
        key(&a.series)
            .cmp(&key(&b.series))
            .then_with(|| compare_versions(&b.version, &a.version))
    });
    Ok(out)
}

/// `apt-cache madison`: `(package, version, suite)` for each version apt knows.
fn madison(apt: &Apt, names: &[String]) -> Result<Vec<(String, String, String)>> {
    let text = capture(apt.command("apt-cache").arg("madison").args(names))?;
    // `name | version | URI suite/component arch Packages`
    Ok(text
        .lines()
        .filter_map(|l| {
            let mut f = l.split('|').map(str::trim);
            let name = f.next()?.to_string();
            let version = f.next()?.to_string();
            let suite = f.next()?.split_whitespace().nth(1)?.split('/').next()?;
            Some((name, version, suite.to_string()))
        })
        .collect())
}

/// The upload `spec` names: its own, or the newest the archive carries.
fn choose_upload(apt: &Apt, spec: &Spec) -> Result<String> {
    let started = SystemTime::now();
    apt.update(false)?;
    let mut all = uploads(apt)?;
    let wanted = |all: &[Upload]| {
        all.iter()
            .find(|u| {
                u.series == spec.series && spec.upload.as_ref().is_none_or(|v| *v == u.version)
            })
            .map(|u| u.version.clone())
    };
    // Indexes from an earlier run may predate the upload asked for.
    if wanted(&all).is_none() && apt.updated_before(started) {
        apt.update(true)?;
        all = uploads(apt)?;
    }
    wanted(&all).ok_or_else(|| {
        let mut series: Vec<&str> = all.iter().map(|u| u.series.as_str()).collect();
        series.dedup();
        let offered = match &spec.upload {
            Some(_) => all
                .iter()
                .filter(|u| u.series == spec.series)
                .map(|u| u.version.as_str())
                .collect::<Vec<_>>(),
            None => series,
        };
        Error::UnknownVersion {
            asked: match &spec.upload {
                Some(u) => format!("{}={u}", spec.series),
                None => spec.series.clone(),
            },
            offered: offered.join(", "),
        }
    })
}

/// The directory the default upload of `series` is unpacked in.
fn default_dir(cache: &Path, series: &str) -> PathBuf {
    cache.join("trees").join(series)
}

/// The directory `upload` of `series` is unpacked in when it is not the default one (`:` of
/// an epoch written `%3a`, as apt writes it in file names).
fn upload_dir(cache: &Path, series: &str, upload: &str) -> PathBuf {
    cache
        .join("trees")
        .join(format!("{series}_{}", upload.replace(':', "%3a")))
}

fn sidecar(tree_dir: &Path) -> PathBuf {
    let mut name = tree_dir.file_name().unwrap_or_default().to_os_string();
    name.push(".upload");
    tree_dir.with_file_name(name)
}

/// The Debian upload a tree of the cache was unpacked from (`linux-source-6.12`,
/// `6.12.118-1~deb12u1`), if it is one.
pub fn tree_upload(root: &Path) -> Option<(String, String)> {
    let text = fs::read_to_string(sidecar(root)).ok()?;
    let (package, version) = text.trim().split_once('=')?;
    Some((package.to_string(), version.to_string()))
}

/// The upload in the default directory of `series`: recorded beside it, or (a tree fetched
/// before uploads were recorded) the one `.deb` of the series in `downloads/`.
fn default_upload(cache: &Path, series: &str) -> Option<String> {
    let dir = default_dir(cache, series);
    if let Some((_, v)) = tree_upload(&dir) {
        return Some(v);
    }
    let prefix = format!("linux-source-{series}_");
    let debs: Vec<String> = fs::read_dir(cache.join("downloads"))
        .ok()?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(&prefix) && n.ends_with(".deb"))
        .collect();
    let [deb] = debs.as_slice() else {
        return None;
    };
    let version = deb
        .strip_prefix(&prefix)?
        .split('_')
        .next()?
        .replace("%3a", ":");
    let _ = fs::write(sidecar(&dir), format!("linux-source-{series}={version}\n"));
    Some(version)
}

/// Where [`fetch`] puts (or has put) the tree `spec` names (`6.12` or
/// `6.12=6.12.117-1~deb12u1`) under `cache`; a bad spec maps to `trees/<spec>`, which
/// does not exist.
pub fn tree_path(cache: &Path, spec: &str) -> PathBuf {
    let Ok(s) = Spec::parse(spec) else {
        return cache.join("trees").join(spec);
    };
    match &s.upload {
        None => default_dir(cache, &s.series),
        Some(u) if default_upload(cache, &s.series).as_ref() == Some(u) => {
            default_dir(cache, &s.series)
        }
        Some(u) => upload_dir(cache, &s.series, u),
    }
}

/// The tree `spec` names, downloaded (`apt-get download linux-source-X=UPLOAD`) and
/// unpacked under the cache unless it is already there. Safe against interruption: the tree
/// is unpacked into a temporary directory beside its final place and renamed when complete.
pub fn fetch(cache: &Path, spec: &str) -> Result<Tree> {
    let s = Spec::parse(spec)?;
    let dest = tree_path(cache, spec);
    if dest.join("Makefile").is_file() {
        return Tree::open(&dest);
    }
    let apt = Apt::new(cache)?;
    let upload = choose_upload(&apt, &s)?;
    // The series alone takes the default directory; an upload asked for by name its own.
    let dest = match s.upload {
        None => default_dir(cache, &s.series),
        Some(_) => upload_dir(cache, &s.series, &upload),
    };
    if dest.join("Makefile").is_file() {
        return Tree::open(&dest);
    }
    let trees = cache.join("trees");
    fs::create_dir_all(&trees).map_err(io_err(&trees))?;
    let tmp = trees.join(format!(".unpack-{}-{}", s.series, std::process::id()));
    fresh_dir(&tmp)?;
    let package = s.package();
    let deb = download(&apt, &tmp, &package, &upload)?;
    let tarball = format!("./usr/src/{package}.tar.xz");
    // dpkg-deb --fsys-tarfile streams the data archive; only the source tarball is extracted.
    run(Command::new("sh")
        .arg("-c")
        .arg("dpkg-deb --fsys-tarfile \"$1\" | tar -x -C \"$2\" \"$3\"")
        .arg("sh")
        .arg(&deb)
        .arg(&tmp)
        .arg(&tarball))?;
    fs::remove_file(&deb).map_err(io_err(&deb))?;
    run(Command::new("tar")
        .arg("-xJf")
        .arg(tmp.join(&tarball))
        .arg("-C")
        .arg(&tmp))?;
    let unpacked = tmp.join(&package);
    if !unpacked.join("Makefile").is_file() {
        return Err(Error::NotATree(unpacked));
    }
    let record = sidecar(&dest);
    fs::write(&record, format!("{package}={upload}\n")).map_err(io_err(&record))?;
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

/// The upload of the tree `spec` names, fetching the tree when absent.
fn upload_of(cache: &Path, spec: &str) -> Result<(Spec, String)> {
    let s = Spec::parse(spec)?;
    let tree = fetch(cache, spec)?;
    let upload = tree_upload(tree.root())
        .map(|(_, v)| v)
        .or_else(|| default_upload(cache, &s.series))
        .ok_or_else(|| Error::Command {
            command: format!("fetch {spec}"),
            detail: format!(
                "{}: which upload this tree was unpacked from is not recorded; fetch one by its upload ({}=VERSION)",
                tree.root().display(),
                s.series
            ),
        })?;
    Ok((s, upload))
}

/// Debian's own kernel configurations built from the very upload of the tree `spec` names
/// (fetched when absent), for this machine's Debian architecture (`linux-config-<series>`:
/// `config.amd64_none_amd64`, `config.amd64_rt_amd64`, ...), downloaded once and unpacked
/// under the cache; sorted by name (the flavour, as `amd64_none_amd64`).
pub fn distro_configs(cache: &Path, spec: &str) -> Result<Vec<(String, PathBuf)>> {
    let (s, upload) = upload_of(cache, spec)?;
    let dest =
        cache
            .join("distro-configs")
            .join(format!("{}_{}", s.series, upload.replace(':', "%3a")));
    if !dest.join(".complete").is_file() {
        let apt = Apt::new(cache)?;
        let package = format!("linux-config-{}", s.series);
        let tmp = cache.join("distro-configs").join(format!(
            ".unpack-{}-{}",
            s.series,
            std::process::id()
        ));
        fresh_dir(&tmp)?;
        let deb = download(&apt, &tmp, &package, &upload)?;
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

/// What a Debian kernel package says about the build that made it (see [`distro_kernel`]).
#[derive(Clone, Debug)]
pub struct DistroKernel {
    /// The package the files come from, as `name=version`.
    pub package: String,
    /// The kernel release (`6.12.117+deb12-amd64`): its `/lib/modules` directory.
    pub release: String,
    /// The `.config` the kernel was built from.
    pub config: PathBuf,
    /// `modules.order`: every module built, as `kernel/<path>.ko`, in build order.
    pub modules_order: PathBuf,
    /// `modules.builtin`: the `kernel/<path>.ko` names of modules built into the image.
    pub modules_builtin: PathBuf,
}

/// The Debian kernel of `flavour` (`amd64`, `cloud-amd64`, `rt-amd64`, ... for this
/// machine's architecture) built from the very upload of the tree `spec` names: its config,
/// `modules.order` and `modules.builtin`, kept under the cache. They ship in
/// `linux-base-<abi>-<flavour>` (`/usr/lib/modules/<release>/config`) where Debian splits
/// the image so, else in `linux-image-<abi>-<flavour>-unsigned` (`/boot/config-<release>`,
/// downloaded once, about 100 MB, not kept). An error when the archive has no such package
/// of that upload (another architecture).
pub fn distro_kernel(cache: &Path, spec: &str, flavour: &str) -> Result<DistroKernel> {
    let (s, upload) = upload_of(cache, spec)?;
    let dest = cache
        .join("distro-kernels")
        .join(&s.series)
        .join(format!("{flavour}-{upload}"));
    let done = dest.join(".complete");
    if !done.is_file() {
        let apt = Apt::new(cache)?;
        apt.update(false)?;
        let package = kernel_package(&apt, flavour, &upload)?;
        let tmp = cache.join("distro-kernels").join(format!(
            ".unpack-{}-{flavour}-{}",
            s.series,
            std::process::id()
        ));
        fresh_dir(&tmp)?;
        let (name, version) = package.split_once('=').unwrap_or((&package, &upload));
        let deb = download(&apt, &tmp, name, version)?;
        let members = capture(
            Command::new("sh")
                .arg("-c")
                .arg("dpkg-deb --fsys-tarfile \"$1\" | tar -t")
                .arg("sh")
                .arg(&deb),
        )?;
        let (release, wanted) = kernel_members(&members).ok_or_else(|| Error::Command {
            command: format!("dpkg-deb --fsys-tarfile {} | tar -t", deb.display()),
            detail: "no config, modules.order and modules.builtin of one release in the package"
                .into(),
        })?;
        // Only the three files are extracted from the data archive.
        run(Command::new("sh")
            .arg("-c")
            .arg("deb=$1; dir=$2; shift 2; dpkg-deb --fsys-tarfile \"$deb\" | tar -x -C \"$dir\" \"$@\"")
            .arg("sh")
            .arg(&deb)
            .arg(&tmp)
            .args(&wanted))?;
        fs::create_dir_all(&dest).map_err(io_err(&dest))?;
        for (member, to) in wanted
            .iter()
            .zip(["config", "modules.order", "modules.builtin"])
        {
            let from = tmp.join(member);
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

/// The package of `flavour` and `upload` carrying the kernel's config and module lists, as
/// `name=version`: `linux-base-<abi>-<flavour>` where it exists, else
/// `linux-image-<abi>-<flavour>-unsigned`.
fn kernel_package(apt: &Apt, flavour: &str, upload: &str) -> Result<String> {
    for (prefix, suffix) in [("linux-base-", ""), ("linux-image-", "-unsigned")] {
        let tail = format!("-{flavour}{suffix}");
        let names: Vec<String> = capture(apt.command("apt-cache").args([
            "search",
            "--names-only",
            &format!("^{prefix}.*{tail}$"),
        ]))?
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        // The ABI part alone between the prefix and the flavour (`6.1.0-56`, `7.3`,
        // `6.12.117+deb12`): `.*-amd64` also matches `-cloud-amd64`.
        .filter(|n| {
            n.strip_prefix(prefix)
                .and_then(|r| r.strip_suffix(tail.as_str()))
                .is_some_and(|abi| {
                    abi.starts_with(|c: char| c.is_ascii_digit())
                        && abi
                            .replace("deb", "")
                            .chars()
                            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+'))
                })
        })
        .map(String::from)
        .collect();
        if names.is_empty() {
            continue;
        }
        if let Some((n, v, _)) = madison(apt, &names)?
            .into_iter()
            .find(|(_, v, _)| v == upload)
        {
            return Ok(format!("{n}={v}"));
        }
    }
    Err(Error::Command {
        command: format!(
            "apt-cache madison linux-base-*-{flavour} linux-image-*-{flavour}-unsigned"
        ),
        detail: format!("no {flavour} kernel of upload {upload} (the tree's) in the archive"),
    })
}

/// In a package's file list, the kernel release and its config, `modules.order` and
/// `modules.builtin`: `./boot/config-<release>` or `./usr/lib/modules/<release>/config`
/// (also under `./lib`).
fn kernel_members(list: &str) -> Option<(String, Vec<String>)> {
    let files: Vec<&str> = list.lines().map(str::trim).collect();
    let modules_dir = |f: &str| -> Option<(String, String)> {
        let (dir, name) = f.rsplit_once('/')?;
        let (_, release) = dir.rsplit_once("/modules/")?;
        Some((release.to_string(), name.to_string()))
    };
    for order in files
        .iter()
        .filter(|f| modules_dir(f).is_some_and(|(_, n)| n == "modules.order"))
    {
        let (release, _) = modules_dir(order)?;
        let dir = order.strip_suffix("modules.order")?;
        let builtin = format!("{dir}modules.builtin");
        let config = [format!("{dir}config"), format!("./boot/config-{release}")]
            .into_iter()
            .find(|c| files.contains(&c.as_str()))?;
        if files.contains(&builtin.as_str()) {
            return Some((release, vec![config, order.to_string(), builtin]));
        }
    }
    None
}

/// `apt-get download name=version` into `dir`; the `.deb` it wrote.
fn download(apt: &Apt, dir: &Path, package: &str, version: &str) -> Result<PathBuf> {
    run(apt
        .command("apt-get")
        .arg("download")
        .arg(format!("{package}={version}"))
        .current_dir(dir))?;
    let prefix = format!("{package}_{}_", version.replace(':', "%3a"));
    fs::read_dir(dir)
        .map_err(io_err(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".deb"))
        })
        .ok_or_else(|| Error::Command {
            command: format!("apt-get download {package}={version}"),
            detail: "no .deb appeared".into(),
        })
}

/// Runs `cmd` and returns its stdout; a failure carries the end of its stderr.
pub(crate) fn capture(cmd: &mut Command) -> Result<String> {
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

pub(crate) fn run(cmd: &mut Command) -> Result<()> {
    capture(cmd).map(drop)
}

/// Makes `dir` an empty directory (a leftover of an interrupted unpack is removed).
fn fresh_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(io_err(dir))?;
    }
    fs::create_dir_all(dir).map_err(io_err(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_name_a_series_or_one_upload() {
        assert_eq!(
            Spec::parse("6.12=6.12.117-1~deb12u1").unwrap(),
            Spec {
                series: "6.12".into(),
                upload: Some("6.12.117-1~deb12u1".into())
            }
        );
        assert_eq!(Spec::parse("5.10").unwrap().upload, None);
        for bad in ["six", "6", "6.12=", "6.12=x y", "../6.1", "6.1/x"] {
            assert!(matches!(Spec::parse(bad), Err(Error::BadSpec(_))), "{bad}");
        }
    }

    #[test]
    fn uploads_have_their_own_directories() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path();
        let trees = cache.join("trees");
        fs::create_dir_all(trees.join("6.12")).unwrap();
        fs::write(
            trees.join("6.12.upload"),
            "linux-source-6.12=6.12.118-1~deb12u1\n",
        )
        .unwrap();
        assert_eq!(tree_path(cache, "6.12"), trees.join("6.12"));
        assert_eq!(
            tree_path(cache, "6.12=6.12.118-1~deb12u1"),
            trees.join("6.12")
        );
        assert_eq!(
            tree_path(cache, "6.12=6.12.117-1"),
            trees.join("6.12_6.12.117-1")
        );
        assert_eq!(
            tree_upload(&trees.join("6.12")),
            Some(("linux-source-6.12".into(), "6.12.118-1~deb12u1".into()))
        );
    }

    #[test]
    fn a_tree_fetched_before_uploads_were_recorded_is_known_by_its_deb() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path();
        fs::create_dir_all(cache.join("trees/6.1")).unwrap();
        fs::create_dir_all(cache.join("downloads")).unwrap();
        fs::write(
            cache.join("downloads/linux-source-6.1_6.1.192-3_all.deb"),
            "",
        )
        .unwrap();
        assert_eq!(tree_path(cache, "6.1=6.1.192-3"), cache.join("trees/6.1"));
        assert_eq!(default_upload(cache, "6.1").as_deref(), Some("6.1.192-3"));
    }

    #[test]
    fn the_kernel_files_are_found_in_either_layout() {
        let base = "./usr/\n./usr/lib/modules/7.2.13+deb14-amd64/System.map\n./usr/lib/modules/7.2.13+deb14-amd64/config\n./usr/lib/modules/7.2.13+deb14-amd64/modules.builtin\n./usr/lib/modules/7.2.13+deb14-amd64/modules.builtin.modinfo\n./usr/lib/modules/7.2.13+deb14-amd64/modules.order\n";
        let (release, files) = kernel_members(base).unwrap();
        assert_eq!(release, "7.2.13+deb14-amd64");
        assert_eq!(files[0], "./usr/lib/modules/7.2.13+deb14-amd64/config");
        let image = "./boot/config-6.1.0-40-amd64\n./boot/vmlinuz-6.1.0-40-amd64\n./lib/modules/6.1.0-40-amd64/modules.order\n./lib/modules/6.1.0-40-amd64/modules.builtin\n./lib/modules/6.1.0-40-amd64/kernel/fs/ext4/ext4.ko\n";
        let (release, files) = kernel_members(image).unwrap();
        assert_eq!(release, "6.1.0-40-amd64");
        assert_eq!(
            files,
            vec![
                "./boot/config-6.1.0-40-amd64",
                "./lib/modules/6.1.0-40-amd64/modules.order",
                "./lib/modules/6.1.0-40-amd64/modules.builtin"
            ]
        );
        assert!(kernel_members("./boot/config-x\n").is_none());
    }
}
