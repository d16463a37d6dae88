//! What users do with the answers (issue 8), on the real trees: the `-DPOSSIBLE_MODULE`
//! fragment with real make, module maps confirmed by the real make walk, the
//! `MODULE_LICENSE` audit and `modules.builtin`. One arch (x86) each; `KPOSSIBLE_FULL=1`
//! adds the all-arch audit of 6.1.

use std::path::{Path, PathBuf};
use std::process::Command;

use kpossible_tests::{oracle, tree};
use report::sweep::{WitnessTexts, arch_list, sweep};
use solver::arch::{ArchReport, Toolchain};

fn quiet(_: usize, _: usize, _: &str) {}

fn x86(version: &str, only: &[&str]) -> Vec<ArchReport> {
    let t = tree(version);
    let only: Vec<String> = only.iter().map(|s| s.to_string()).collect();
    sweep(
        t.root(),
        &arch_list(&t, Some("x86")).unwrap(),
        Some(&only),
        Toolchain::Host,
        1,
        WitnessTexts::Keep,
        &quiet,
    )
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A tree whose every entry links to `real` except `scripts/Makefile.lib`, which is a copy
/// with kpossible's documented change applied by `patch`, as a user would.
fn patched_tree(real: &Path, version: &str, dir: &Path) -> PathBuf {
    let shadow = dir.join("src");
    std::fs::create_dir_all(shadow.join("scripts")).unwrap();
    for e in std::fs::read_dir(real).unwrap() {
        let e = e.unwrap();
        if e.file_name() != "scripts" {
            std::os::unix::fs::symlink(e.path(), shadow.join(e.file_name())).unwrap();
        }
    }
    for e in std::fs::read_dir(real.join("scripts")).unwrap() {
        let e = e.unwrap();
        let to = shadow.join("scripts").join(e.file_name());
        if e.file_name() == "Makefile.lib" {
            std::fs::copy(e.path(), to).unwrap();
        } else {
            std::os::unix::fs::symlink(e.path(), to).unwrap();
        }
    }
    let patch = repo_root().join(format!("contrib/possible-module/linux-{version}.patch"));
    let out = Command::new("patch")
        .arg("-p1")
        .arg("-d")
        .arg(&shadow)
        .arg("-i")
        .arg(&patch)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "patch: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    shadow
}

fn make(src: &Path, build: &Path, targets: &[&str]) {
    let out = Command::new("make")
        .arg("-s")
        .arg("-C")
        .arg(src)
        .arg(format!("O={}", build.display()))
        .args(["ARCH=x86", "V=1"])
        .args(targets)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "make {targets:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The fragment for x86, with the Makefile.lib change applied to a copy of each tree: real
/// make compiles `drivers/net/dummy.i` (yes) with -DPOSSIBLE_MODULE and `mm/zswap.i` (no)
/// without it. The command lines are read from Kbuild's own `.cmd` files.
#[test]
fn possible_module_flag_reaches_exactly_the_yes_object_in_real_make() {
    for version in ["6.1", "6.12"] {
        let t = tree(version);
        let reports = x86(version, &["drivers/net/dummy.o", "mm/zswap.o"]);
        assert_eq!(reports[0].verdicts["drivers/net/dummy.o"].word(), "yes");
        assert_eq!(reports[0].verdicts["mm/zswap.o"].word(), "no");
        let fragment =
            report::flags::fragment(&reports, "test", report::flags::Unknown::AsPossible);
        let dir = tempfile::tempdir().unwrap();
        let src = patched_tree(t.root(), version, dir.path());
        let build = dir.path().join("build");
        std::fs::create_dir_all(&build).unwrap();
        make(&src, &build, &["allnoconfig"]);
        std::fs::write(build.join("possible-modules.mk"), &fragment).unwrap();
        make(&src, &build, &["drivers/net/dummy.i", "mm/zswap.i"]);
        let cmd = |p: &str| std::fs::read_to_string(build.join(p)).unwrap();
        let dummy = cmd("drivers/net/.dummy.i.cmd");
        let zswap = cmd("mm/.zswap.i.cmd");
        assert!(dummy.contains("-DPOSSIBLE_MODULE"), "{version}: {dummy}");
        assert!(!zswap.contains("-DPOSSIBLE_MODULE"), "{version}: {zswap}");
        // The same compiler flags otherwise: the change adds one define and nothing else.
        assert!(zswap.contains("-DKBUILD_BASENAME"), "{version}: {zswap}");
    }
}

/// dummy.o: in dummy.ko, and it can be built in, on both trees.
#[test]
fn modules_of_dummy_is_dummy_ko() {
    for version in ["6.1", "6.12"] {
        let t = tree(version);
        let a = report::modules_of::modules_of(
            t.root(),
            "drivers/net/dummy.o",
            &arch_list(&t, Some("x86")).unwrap(),
            1,
            &quiet,
        );
        assert_eq!(a.verdict, "yes");
        let x86 = &a.arches[0];
        assert_eq!(x86.modules.len(), 1, "{version}: {:?}", x86.modules);
        assert_eq!(x86.modules[0].ko.as_deref(), Some("drivers/net/dummy.ko"));
        assert_eq!(x86.modules[0].name.as_deref(), Some("dummy"));
        assert_eq!(x86.modules[0].verdict, "yes");
        assert_eq!(x86.builtin.as_ref().map(|b| b.verdict), Some("yes"));
        assert_eq!(a.source.path(), Some("drivers/net/dummy.c"));
    }
}

/// cpsw_ale.o is linked into several TI Ethernet modules. On x86 (COMPILE_TEST) it can be in
/// ti_cpsw.ko and ti_cpsw_new.ko, never in the Keystone or AM65 ones; the real make walk of
/// allmodconfig puts it in exactly the modules answered yes.
#[test]
fn modules_of_an_object_shared_by_two_modules_finds_both_as_real_make_does() {
    let object = "drivers/net/ethernet/ti/cpsw_ale.o";
    for version in ["6.1", "6.12"] {
        let t = tree(version);
        let a = report::modules_of::modules_of(
            t.root(),
            object,
            &arch_list(&t, Some("x86")).unwrap(),
            1,
            &quiet,
        );
        let yes: Vec<&str> = a.arches[0]
            .modules
            .iter()
            .filter(|m| m.verdict == "yes")
            .filter_map(|m| m.ko.as_deref())
            .collect();
        assert_eq!(
            yes,
            [
                "drivers/net/ethernet/ti/ti_cpsw.ko",
                "drivers/net/ethernet/ti/ti_cpsw_new.ko"
            ],
            "{version}"
        );
        let no: Vec<&str> = a.arches[0]
            .modules
            .iter()
            .filter(|m| m.verdict == "no")
            .filter_map(|m| m.ko.as_deref())
            .collect();
        assert!(
            no.contains(&"drivers/net/ethernet/ti/keystone_netcp.ko"),
            "{no:?}"
        );
        let o = oracle(version, "x86");
        let config = o.allmodconfig().unwrap().value;
        let lists = o.kbuild_lists(&config).unwrap().value;
        let mut real: Vec<&str> = lists
            .modules
            .iter()
            .filter(|m| m.objects.iter().any(|x| x == object))
            .map(|m| m.name.as_str())
            .collect();
        real.sort();
        assert_eq!(real, yes, "{version}: real make's allmodconfig modules");
    }
}

fn audit_6_1(arches: Option<&str>, only: Option<&[&str]>) -> report::license::Audit {
    let t = tree("6.1");
    let only: Option<Vec<String>> = only.map(|o| o.iter().map(|s| s.to_string()).collect());
    let reports = sweep(
        t.root(),
        &arch_list(&t, arches).unwrap(),
        only.as_deref(),
        Toolchain::Host,
        2,
        WitnessTexts::Drop,
        &quiet,
    );
    let sources = report::sources::TreeSources::scan(t.root());
    report::license::audit(t.root(), &reports, &sources, solver::arch::Toolchain::Host)
}

fn assert_zswap_zpool_never_modular(a: &report::license::Audit) {
    for (src, symbol) in [("mm/zswap.c", "ZSWAP"), ("mm/zpool.c", "ZPOOL")] {
        let n = a
            .never_modular
            .iter()
            .find(|n| n.source == src)
            .unwrap_or_else(|| panic!("{src} not in the never-modular list"));
        assert!(n.tags.contains(&"MODULE_LICENSE"), "{:?}", n.tags);
        assert!(n.spdx);
        let text: Vec<String> = n
            .reasons
            .iter()
            .flat_map(|g| g.reasons.iter().map(|r| r.text.clone()))
            .collect();
        assert!(
            text.iter()
                .any(|t| t == &format!("{symbol} is bool: never m")),
            "{src}: {text:?}"
        );
    }
    assert!(
        !a.never_modular
            .iter()
            .any(|n| n.source == "drivers/net/dummy.c")
    );
}

/// mm/zswap.c and mm/zpool.c carry MODULE_LICENSE in 6.1 but can never be modules.
#[test]
fn license_audit_6_1_lists_zswap_and_zpool_as_never_modular() {
    let a = audit_6_1(
        Some("x86"),
        Some(&["mm/zswap.o", "mm/zpool.o", "drivers/net/dummy.o"]),
    );
    assert_zswap_zpool_never_modular(&a);
    // The text form is one tab-separated line per finding.
    let text = a.to_text();
    assert!(
        text.contains("never-modular\tmm/zswap.c\tmm/zswap.o\t"),
        "{text}"
    );
}

/// The whole audit of 6.1 on every arch (slow: every object of every arch).
#[test]
fn license_audit_6_1_all_arches() {
    if std::env::var_os("KPOSSIBLE_FULL").is_none() {
        return;
    }
    let a = audit_6_1(None, None);
    assert_zswap_zpool_never_modular(&a);
    assert!(a.counts.never_modular > 0 && a.counts.possible > a.counts.never_modular);
}

/// modules.builtin of a real x86 6.1 configuration with zswap and dummy built in: both are
/// listed (their sources carry MODULE_LICENSE); zswap's line is marked as code that can never
/// be a module, dummy's is not.
#[test]
fn modules_builtin_marks_zswap_as_never_a_module() {
    let t = tree("6.1");
    let o = oracle("6.1", "x86");
    let base = o.allnoconfig().unwrap().value;
    let wanted = "CONFIG_64BIT=y\nCONFIG_MMU=y\nCONFIG_SWAP=y\nCONFIG_ZSWAP=y\nCONFIG_NET=y\n\
                  CONFIG_NETDEVICES=y\nCONFIG_NET_CORE=y\nCONFIG_DUMMY=y\n";
    let config = o.olddefconfig(&format!("{base}{wanted}")).unwrap().value;
    for line in ["CONFIG_ZSWAP=y", "CONFIG_DUMMY=y"] {
        assert!(config.lines().any(|l| l == line), "conf kept {line}");
    }
    let sources = report::sources::TreeSources::scan(t.root());
    let list = report::builtin::modules_builtin(t.root(), "x86", "x86", &config, &sources, true);
    let line = |l: &str| list.lines.iter().find(|x| x.line == l);
    let zswap = line("kernel/mm/zswap.ko").expect("zswap line");
    assert_eq!(zswap.possible, Some("no"));
    assert!(
        zswap
            .reason
            .iter()
            .any(|r| r.text == "ZSWAP is bool: never m")
    );
    let dummy = line("kernel/drivers/net/dummy.ko").expect("dummy line");
    assert_eq!(dummy.possible, Some("yes"));
    assert!(
        list.to_text()
            .contains("kernel/mm/zswap.ko\tnever-module: ")
    );
}

/// ARM's defconfig (multi_v7) selects HAVE_ARCH_BITREVERSE and builds lib/bitrev.o in; its
/// MODULE_LICENSE sits under `#ifndef CONFIG_HAVE_ARCH_BITREVERSE`, so the kernel's
/// modules.builtin has no `kernel/lib/bitrev.ko`, and neither has ours.
#[test]
fn modules_builtin_evaluates_the_guard_of_bitrevs_license_on_arm() {
    let t = tree("6.12");
    let config = oracle("6.12", "arm").defconfig().unwrap().value;
    for line in ["CONFIG_HAVE_ARCH_BITREVERSE=y", "CONFIG_BITREVERSE=y"] {
        assert!(config.lines().any(|l| l == line), "defconfig has {line}");
    }
    let sources = report::sources::TreeSources::scan(t.root());
    let list = report::builtin::modules_builtin(t.root(), "arm", "arm", &config, &sources, false);
    let lines: Vec<&str> = list.lines.iter().map(|l| l.line.as_str()).collect();
    assert!(!lines.contains(&"kernel/lib/bitrev.ko"), "{lines:?}");
    // lzo1x_compress_safe.c defines LZO_SAFE before including lzo1x_compress.c, whose tag
    // is under `#ifndef LZO_UNSAFE`: known, listed.
    let lzo = list
        .lines
        .iter()
        .find(|l| l.line == "kernel/lib/lzo/lzo_compress.ko");
    assert!(lzo.is_some_and(|l| l.guard_unknown.is_empty()), "{lzo:?}");
}

/// Between 6.1 and 6.12 on x86: t10-pi.o became never-modular (BLK_DEV_INTEGRITY is bool
/// and lists it directly in 6.12), the property-entry KUnit test became modular, dummy.o is
/// unchanged.
#[test]
fn diff_6_1_to_6_12_names_changed_objects_with_both_sides() {
    let objects = [
        "block/t10-pi.o",
        "drivers/base/test/property-entry-test.o",
        "drivers/net/dummy.o",
    ];
    let d = report::diff::diff(&x86("6.1", &objects), &x86("6.12", &objects), false);
    let changed: Vec<(&str, &str, &str)> = d
        .changes
        .iter()
        .map(|c| (c.object.as_str(), c.from, c.to))
        .collect();
    assert_eq!(
        changed,
        [
            ("block/t10-pi.o", "yes", "no"),
            ("drivers/base/test/property-entry-test.o", "no", "yes")
        ]
    );
    let t10 = &d.changes[0].arches[0];
    assert_eq!(t10.from.modules, ["block/t10-pi.ko"]);
    assert!(
        t10.to
            .reason
            .iter()
            .any(|r| r.text == "BLK_DEV_INTEGRITY is bool: never m"),
        "{:?}",
        t10.to.reason
    );
}
