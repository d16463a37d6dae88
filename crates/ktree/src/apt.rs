//! A private apt configuration under the cache (`<cache>/apt`): its own sources list naming
//! every Debian suite that carries `linux-source-*` uploads, its own lists, cache and lock,
//! signed by the system's Debian archive keyring. The mirror is the one this system's own
//! apt sources use for Debian; the system's apt configuration is only read, never changed.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use crate::{Error, Result, io_err};

/// The suites of the Debian archive searched for `linux-source-*`, and those of its security
/// archive (each release's updates).
const SUITES: &[&str] = &["bullseye", "bookworm", "trixie", "sid", "experimental"];
const SECURITY_SUITES: &[&str] = &["bullseye-security", "bookworm-security", "trixie-security"];

/// The keyring that signs both archives (Debian's `debian-archive-keyring` package).
const KEYRING: &str = "/usr/share/keyrings/debian-archive-keyring.gpg";

/// How long fetched indexes are used before `apt-get update` runs again.
const LISTS_MAX_AGE: Duration = Duration::from_secs(24 * 3600);

/// The private apt configuration.
pub struct Apt {
    dir: PathBuf,
    sources: String,
}

impl Apt {
    /// The configuration under `cache/apt`, its sources list written from the system's
    /// Debian mirrors.
    pub fn new(cache: &Path) -> Result<Apt> {
        let dir = cache.join("apt");
        let sources = sources_list(&system_sources()?)?;
        for sub in ["lists/partial", "cache/archives/partial"] {
            let d = dir.join(sub);
            fs::create_dir_all(&d).map_err(io_err(&d))?;
        }
        let list = dir.join("sources.list");
        if fs::read_to_string(&list).ok().as_deref() != Some(sources.as_str()) {
            fs::write(&list, &sources).map_err(io_err(&list))?;
        }
        Ok(Apt { dir, sources })
    }

    /// `apt-get` or `apt-cache` reading only this configuration's sources and lists.
    pub fn command(&self, tool: &str) -> Command {
        let mut cmd = Command::new(tool);
        let opt = |k: &str, v: &Path| format!("{k}={}", v.display());
        for o in [
            opt("Dir::Etc::SourceList", &self.dir.join("sources.list")),
            "Dir::Etc::SourceParts=/dev/null".to_string(),
            opt("Dir::State::Lists", &self.dir.join("lists")),
            opt("Dir::Cache", &self.dir.join("cache")),
            // Kept between runs (some systems turn the binary caches off for their own apt,
            // docker's `docker-clean`); every query otherwise parses all the indexes again.
            opt("Dir::Cache::pkgcache", &self.dir.join("cache/pkgcache.bin")),
            opt(
                "Dir::Cache::srcpkgcache",
                &self.dir.join("cache/srcpkgcache.bin"),
            ),
            // Package names and versions are all that is read: no translated descriptions.
            "Acquire::Languages=none".to_string(),
        ] {
            cmd.arg("-o").arg(o);
        }
        cmd
    }

    /// Runs `apt-get update` unless the indexes are from the same sources and less than a
    /// day old (`force`: always).
    pub fn update(&self, force: bool) -> Result<()> {
        let stamp = self.dir.join("updated");
        let fresh = fs::read_to_string(&stamp).ok().as_deref() == Some(self.sources.as_str())
            && fs::metadata(&stamp)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| SystemTime::now().duration_since(t).ok())
                .is_some_and(|age| age < LISTS_MAX_AGE);
        if fresh && !force {
            return Ok(());
        }
        crate::debian::run(self.command("apt-get").arg("update"))?;
        fs::write(&stamp, &self.sources).map_err(io_err(&stamp))
    }

    /// Whether the last update is older than this run (so updating again may help).
    pub fn updated_before(&self, t: SystemTime) -> bool {
        fs::metadata(self.dir.join("updated"))
            .and_then(|m| m.modified())
            .map_or(true, |m| m < t)
    }
}

/// One entry of the system's apt sources: its URI and suites.
#[derive(Debug, PartialEq)]
struct Source {
    uri: String,
    suites: Vec<String>,
}

/// The `deb` entries of `/etc/apt/sources.list` and `/etc/apt/sources.list.d/*.{list,sources}`.
fn system_sources() -> Result<Vec<Source>> {
    let mut out = Vec::new();
    let main = Path::new("/etc/apt/sources.list");
    if let Ok(text) = fs::read_to_string(main) {
        out.extend(one_line_sources(&text));
    }
    let dir = Path::new("/etc/apt/sources.list.d");
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    for f in files {
        let Ok(text) = fs::read_to_string(&f) else {
            continue;
        };
        match f.extension().and_then(|e| e.to_str()) {
            Some("list") => out.extend(one_line_sources(&text)),
            Some("sources") => out.extend(deb822_sources(&text)),
            _ => {}
        }
    }
    Ok(out)
}

/// `deb [options] URI SUITE COMPONENT...` lines (sources.list(5), one-line style).
fn one_line_sources(text: &str) -> Vec<Source> {
    text.lines()
        .filter_map(|l| {
            let l = l.split('#').next()?.trim();
            let rest = l.strip_prefix("deb ")?.trim_start();
            let rest = match rest.strip_prefix('[') {
                Some(r) => r.split_once(']')?.1,
                None => rest,
            };
            let mut f = rest.split_whitespace();
            Some(Source {
                uri: f.next()?.to_string(),
                suites: vec![f.next()?.to_string()],
            })
        })
        .collect()
}

/// deb822 stanzas (sources.list(5), `Types: deb`, `URIs:`, `Suites:`, `Enabled:`).
fn deb822_sources(text: &str) -> Vec<Source> {
    let mut out = Vec::new();
    for stanza in text.split("\n\n") {
        let field = |name: &str| -> Vec<String> {
            stanza
                .lines()
                .filter(|l| !l.starts_with('#'))
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.trim()
                        .eq_ignore_ascii_case(name)
                        .then(|| v.split_whitespace().map(String::from).collect())
                })
                .unwrap_or_default()
        };
        if !field("Types").iter().any(|t| t == "deb")
            || field("Enabled").first().is_some_and(|e| e == "no")
        {
            continue;
        }
        for uri in field("URIs") {
            out.push(Source {
                uri,
                suites: field("Suites"),
            });
        }
    }
    out
}

/// The sources list of the private configuration: every suite of [`SUITES`] from the
/// system's Debian mirror (the URI serving one of them, or this system's release), every
/// suite of [`SECURITY_SUITES`] from the one serving a `-security` suite; only the Packages
/// indexes.
fn sources_list(system: &[Source]) -> Result<String> {
    let serves = |pred: &dyn Fn(&str) -> bool| {
        system
            .iter()
            .find(|s| s.suites.iter().any(|x| pred(x)))
            .map(|s| s.uri.trim_end_matches('/').to_string())
    };
    let release = |s: &str| {
        let base = s.split('-').next().unwrap_or(s);
        SUITES.contains(&base) || ["stable", "testing", "unstable", "oldstable"].contains(&base)
    };
    let mirror =
        serves(&|s| release(s) && !s.ends_with("-security")).ok_or_else(|| Error::Command {
            command: "reading /etc/apt/sources.list and /etc/apt/sources.list.d".into(),
            detail: "no Debian mirror is configured (no `deb` entry for a Debian release)".into(),
        })?;
    let security = serves(&|s| s.ends_with("-security") && release(s));
    let mut out = String::new();
    let line = |uri: &str, suite: &str| {
        format!("deb [signed-by={KEYRING} target=Packages] {uri} {suite} main\n")
    };
    for s in SUITES {
        out.push_str(&line(&mirror, s));
    }
    if let Some(security) = security {
        for s in SECURITY_SUITES {
            out.push_str(&line(&security, s));
        }
    }
    Ok(out)
}

/// Debian version order (`dpkg --compare-versions`; deb-version(7)): epoch, then upstream
/// version, then revision, each compared by `verrevcmp`.
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    fn split(v: &str) -> (u64, &str, &str) {
        let (epoch, rest) = match v.split_once(':') {
            Some((e, r)) if e.chars().all(|c| c.is_ascii_digit()) => (e.parse().unwrap_or(0), r),
            _ => (0, v),
        };
        let (upstream, revision) = rest.rsplit_once('-').unwrap_or((rest, ""));
        (epoch, upstream, revision)
    }
    let (ea, ua, ra) = split(a);
    let (eb, ub, rb) = split(b);
    ea.cmp(&eb)
        .then_with(|| verrevcmp(ua, ub))
        .then_with(|| verrevcmp(ra, rb))
}

/// dpkg's `lib/dpkg/version.c: verrevcmp`: alternating non-digit parts (`~` before
/// everything, letters before other characters) and numeric parts.
fn verrevcmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn order(c: Option<u8>) -> i32 {
        match c {
            None => 0,
            Some(c) if c.is_ascii_digit() => 0,
            Some(c) if c.is_ascii_alphabetic() => i32::from(c),
            Some(b'~') => -1,
            Some(c) => i32::from(c) + 256,
        }
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let digit = |s: &[u8], k: usize| s.get(k).is_some_and(u8::is_ascii_digit);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !digit(a, i)) || (j < b.len() && !digit(b, j)) {
            let (ac, bc) = (order(a.get(i).copied()), order(b.get(j).copied()));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let mut first_diff = std::cmp::Ordering::Equal;
        while digit(a, i) && digit(b, j) {
            if first_diff.is_eq() {
                first_diff = a[i].cmp(&b[j]);
            }
            i += 1;
            j += 1;
        }
        if digit(a, i) {
            return std::cmp::Ordering::Greater;
        }
        if digit(b, j) {
            return std::cmp::Ordering::Less;
        }
        if !first_diff.is_eq() {
            return first_diff;
        }
    }
    std::cmp::Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering::*;

    #[test]
    fn versions_order_as_dpkg_orders_them() {
        for (a, b, o) in [
            ("6.12.118-1~deb12u1", "6.12.117-1", Greater),
            ("6.12.117-1~deb12u1", "6.12.117-1", Less),
            ("7.3~rc7-1~exp1", "7.3-1", Less),
            ("7.3~rc7-1~exp1", "7.2.13-1", Greater),
            ("6.1.192-3", "6.1.192-10", Less),
            ("1:1.0-1", "2.0-1", Greater),
            ("5.10.223-1", "5.10.223-1", Equal),
            ("1.0a", "1.0+", Less),
        ] {
            assert_eq!(compare_versions(a, b), o, "{a} vs {b}");
        }
    }

    #[test]
    fn the_mirror_comes_from_the_system_sources() {
        let deb822 = "Types: deb\n# a comment\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\nTypes: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\nComponents: main\n\nTypes: deb\nURIs: https://other.example/apt\nSuites: nodistro\nComponents: main\n";
        let mut system =
            one_line_sources("deb [arch=amd64] https://x.example/apt cloud-sdk main\n");
        system.extend(deb822_sources(deb822));
        let list = sources_list(&system).unwrap();
        assert!(list.contains(&format!(
            "deb [signed-by={KEYRING} target=Packages] http://mirror.example/debian sid main\n"
        )));
        assert!(list.contains("http://mirror.example/debian-security trixie-security main\n"));
        assert!(!list.contains("other.example") && !list.contains("x.example"));
        assert_eq!(list.lines().count(), SUITES.len() + SECURITY_SUITES.len());
        assert!(sources_list(&one_line_sources("deb http://x/ubuntu noble main\n")).is_err());
    }
}
