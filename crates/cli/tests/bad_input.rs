//! What a user sees from `kpossible` on a small kernel-like tree with mistakes in it: the
//! diagnostic with `path:line:col` on stderr and a non-zero exit code, never a panic; an arch
//! that fails leaves the other arches' answers printed; `--jobs` never changes the bytes.

use std::path::Path;
use std::process::{Command, Output};

/// A two-arch tree: `good` and `other` share `drivers/`; tests break one file or another.
fn tree(extra: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let base: &[(&str, &[u8])] = &[
        (
            "Makefile",
            b"VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\nsrctree := .\nSRCARCH := $(ARCH)\nexport srctree SRCARCH\ninclude $(srctree)/arch/$(SRCARCH)/Makefile\nbuild-dir := .\n$(build-dir): prepare\n\t$(MAKE) $(build)=$@ need-builtin=1 need-modorder=1\n",
        ),
        (
            "Kconfig",
            b"mainmenu \"Fixture\"\n\nconfig MODULES\n\tbool \"Modules\"\n\tmodules\n\nsource \"arch/$(SRCARCH)/Kconfig\"\nsource \"drivers/Kconfig\"\n",
        ),
        ("Kbuild", b"obj-y += drivers/\n"),
        ("scripts/Kbuild.include", b"comma := ,\n"),
        ("scripts/Makefile.compiler", b""),
        ("scripts/Makefile.build", b"src := $(obj)\n"),
        ("lib/Makefile", b""),
        ("arch/good/Kconfig", b"config GOOD_ARCH\n\tdef_bool y\n"),
        ("arch/good/Makefile", b""),
        ("arch/other/Kconfig", b"config OTHER_ARCH\n\tdef_bool y\n"),
        ("arch/other/Makefile", b""),
        (
            "drivers/Kconfig",
            b"config FOO\n\ttristate \"Foo\"\n\nconfig BAR\n\tbool \"Bar\"\n",
        ),
        (
            "drivers/Makefile",
            b"obj-$(CONFIG_FOO) += foo.o\nobj-$(CONFIG_BAR) += bar.o\n",
        ),
    ];
    for (p, t) in base.iter().chain(extra) {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, t).expect("write");
    }
    dir
}

fn kpossible(tree: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kpossible"))
        .arg("--tree")
        .arg(tree)
        .args(args)
        .output()
        .expect("run kpossible")
}

/// stdout, stderr (tree path removed), exit code.
fn run(tree: &Path, args: &[&str]) -> (String, String, i32) {
    let out = kpossible(tree, args);
    let prefix = format!("{}/", tree.display());
    let stderr = String::from_utf8_lossy(&out.stderr).replace(&prefix, "");
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
        out.status.code().expect("exit code"),
    )
}

#[test]
fn a_good_tree_answers() {
    let t = tree(&[]);
    let (out, err, code) = run(
        t.path(),
        &["could-be-module", "drivers/foo.o", "--arch", "all"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("drivers/foo.o: yes\n"), "{out}");
    let (out, err, code) = run(t.path(), &["could-be-module", "drivers/bar.o"]);
    assert_eq!(code, 1, "{out}{err}");
}

#[test]
fn parse_reports_unknown_keyword_with_location() {
    let t = tree(&[(
        "drivers/Kconfig",
        b"config FOO\n\ttristate \"Foo\"\n\nconfg BAR\n",
    )]);
    let (_, err, code) = run(t.path(), &["parse", "--arch", "good", "--shell", "record"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("drivers/Kconfig:4:1: error[KP0101]: unknown statement `confg`"),
        "{err}"
    );
}

#[test]
fn parse_reports_source_loop_missing_file_and_recursive_macro() {
    let t = tree(&[(
        "drivers/Kconfig",
        b"X = $(X)\nconfig FOO\n\ttristate \"$(X)\"\nsource \"drivers/Kconfig\"\nsource \"drivers/gone/Kconfig\"\nif FOO\n",
    )]);
    let (_, err, code) = run(t.path(), &["parse", "--arch", "good", "--shell", "record"]);
    assert_eq!(code, 1, "{err}");
    for want in [
        "drivers/Kconfig:3:12: error[KP0303]: Recursive variable 'X' references itself (eventually)",
        "drivers/Kconfig:4:1: error[KP0202]: recursive inclusion of `drivers/Kconfig`",
        "drivers/Kconfig:5:1: error[KP0201]: can't open file `drivers/gone/Kconfig`",
        "drivers/Kconfig:6:1: error[KP0131]: missing `endif` for this `if` before the end of the file",
    ] {
        assert!(err.contains(want), "missing `{want}` in\n{err}");
    }
}

/// `kpossible kbuild --arch good --config C` on the fixture tree with `drivers/Makefile` as
/// given and `C` holding `config`.
fn kbuild_on(makefile: &[u8], config: &str) -> (String, String, i32) {
    let t = tree(&[("drivers/Makefile", makefile)]);
    let path = t.path().join("my.config");
    std::fs::write(&path, config).expect("write");
    run(
        t.path(),
        &[
            "kbuild",
            "--arch",
            "good",
            "--config",
            &path.display().to_string(),
        ],
    )
}

#[test]
fn kbuild_reports_unbalanced_ifeq_with_location() {
    let (out, err, code) = kbuild_on(
        b"obj-$(CONFIG_FOO) += foo.o\nifeq ($(CONFIG_BAR),y)\nobj-y += bar.o\n",
        "CONFIG_FOO=m\n",
    );
    assert_ne!(code, 0, "{out}{err}");
    assert!(
        err.contains("drivers/Makefile:2:1: error[KP0603]: `ifeq` without `endif`"),
        "{err}"
    );
}

#[test]
fn kbuild_reports_recursive_make_variable() {
    let (_, err, code) = kbuild_on(
        b"L = $(L) foo.o\nobj-$(CONFIG_FOO) += $(L)\n",
        "CONFIG_FOO=y\n",
    );
    assert_ne!(code, 0, "{err}");
    assert!(
        err.contains("drivers/Makefile:2:1: error[KP0625]: recursive variable `L` references itself (eventually)"),
        "{err}"
    );
}

#[test]
fn a_broken_arch_is_reported_failed_and_the_others_kept() {
    let t = tree(&[(
        "arch/other/Kconfig",
        b"config OTHER_ARCH\n\tdef_bool y\nendmenu\n",
    )]);
    // A yes on the good arch stands.
    let (out, err, code) = run(
        t.path(),
        &["could-be-module", "drivers/foo.o", "--jobs", "2"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        out,
        "drivers/foo.o: yes\n  good: yes, in drivers/foo.ko (witness: allmodconfig)\n  other: unknown: ARCH=other failed: arch/other/Kconfig:3:1: error[KP0132]: `endmenu` without a matching `menu`\n"
    );
    assert!(
        err.contains("arch/other/Kconfig:3:1: error[KP0132]: `endmenu` without a matching `menu`"),
        "{err}"
    );
    assert!(
        err.contains("kpossible: ARCH=other failed (1 errors)"),
        "{err}"
    );
    // `--quiet` prints only results and errors: the error still shows.
    let (out, err, _) = run(t.path(), &["license-audit", "--quiet"]);
    assert!(
        err.contains("arch/other/Kconfig:3:1: error[KP0132]: `endmenu` without a matching `menu`"),
        "{out}{err}"
    );
    // A no is not an answer while an arch failed: input error.
    let (out, err, code) = run(t.path(), &["could-be-module", "drivers/bar.o"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        out.starts_with("drivers/bar.o: unknown\n  good: no\n"),
        "{out}"
    );
    // JSON: the failed arch says unknown, failed, and why.
    let (out, _, code) = run(t.path(), &["could-be-module", "drivers/bar.o", "--json"]);
    assert_eq!(code, 3);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(doc["verdict"], "unknown");
    assert_eq!(doc["arches"]["good"]["verdict"], "no");
    let other = &doc["arches"]["other"];
    assert_eq!(other["verdict"], "unknown");
    assert_eq!(other["failed"], true);
    let first_error = other["errors"][0].as_str().expect("error text");
    assert!(
        first_error.ends_with(
            "arch/other/Kconfig:3:1: error[KP0132]: `endmenu` without a matching `menu`"
        ),
        "{first_error}"
    );
    // The manifest keeps the good arch's answers, marks the other unknown, and exits 3.
    let (out, err, code) = run(t.path(), &["manifest"]);
    assert_eq!(code, 3, "{err}");
    assert_eq!(
        out,
        "drivers/bar.o\tunknown\tgood=no\tother=unknown\ndrivers/foo.o\tyes\tgood=yes:drivers/foo.ko\tother=unknown\n"
    );
    assert!(
        err.contains("kpossible: other: FAILED: arch/other/Kconfig:3:1: error[KP0132]"),
        "{err}"
    );
}

#[test]
fn a_broken_arch_makefile_fails_that_arch_only() {
    let t = tree(&[(
        "arch/other/Makefile",
        b"ifdef CONFIG_OTHER_ARCH\ncore-y += x/\n",
    )]);
    let (out, err, code) = run(t.path(), &["manifest", "--json"]);
    assert_eq!(code, 3, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(doc["arches"]["other"]["failed"], true);
    assert!(doc["arches"]["good"].get("failed").is_none());
    let why = doc["arches"]["other"]["why"][0].as_str().expect("why");
    assert!(
        why.ends_with("arch/other/Makefile:1:1: error[KP0603]: `ifdef` without `endif`"),
        "{why}"
    );
    let foo = doc["objects"]
        .as_array()
        .expect("objects")
        .iter()
        .find(|o| o["object"] == "drivers/foo.o")
        .expect("foo");
    assert_eq!(foo["verdict"], "yes");
    assert_eq!(foo["arches"]["good"]["verdict"], "yes");
    assert_eq!(foo["arches"]["other"]["verdict"], "unknown");
}

#[test]
fn manifest_bytes_do_not_depend_on_jobs() {
    let t = tree(&[]);
    let one = kpossible(t.path(), &["manifest", "--jobs", "1", "--quiet"]);
    let two = kpossible(t.path(), &["manifest", "--jobs", "2", "--quiet"]);
    assert!(one.status.success() && two.status.success());
    assert!(!one.stdout.is_empty());
    assert_eq!(one.stdout, two.stdout);
    let one = kpossible(t.path(), &["manifest", "--jobs", "1", "--json", "--quiet"]);
    let two = kpossible(t.path(), &["manifest", "--jobs", "2", "--json", "--quiet"]);
    assert!(one.status.success() && two.status.success());
    assert_eq!(one.stdout, two.stdout);
}

/// On a real tree (six arches of 6.1, fetched by scripts/test; a manifest would analyse
/// whole arches, minutes each): the answer's bytes do not depend on how many arches are
/// analysed at once.
#[test]
fn real_tree_answer_bytes_do_not_depend_on_jobs() {
    let arches = "x86,arm64,s390,powerpc,mips,um";
    let run = |jobs: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_kpossible"))
            .args([
                "could-be-module",
                "mm/zswap.o",
                "--kernel",
                "6.1",
                "--arch",
                arches,
            ])
            .args(["--json", "--quiet", "--jobs", jobs])
            .output()
            .expect("run kpossible");
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let one = run("1");
    let doc: serde_json::Value = serde_json::from_slice(&one).expect("json");
    assert_eq!(doc["verdict"], "no");
    let names: Vec<&str> = doc["arches"]
        .as_object()
        .expect("arches")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(names.join(","), "arm64,mips,powerpc,s390,um,x86");
    assert_eq!(one, run("3"));
}

#[test]
fn a_makefile_construct_the_walk_cannot_follow_gives_unknown_naming_its_line() {
    // `$(shell ...)` output in obj-m: only the real build knows what it lists, so nothing in
    // drivers/sub/ (or below it) is known to be absent; the sibling drivers/bar.o still is.
    let t = tree(&[
        (
            "drivers/Makefile",
            b"obj-$(CONFIG_FOO) += foo.o\nobj-$(CONFIG_BAR) += bar.o sub/\n",
        ),
        (
            "drivers/sub/Makefile",
            b"obj-$(CONFIG_BAR) += baz.o\nobj-m += $(shell cat objects.txt)\n",
        ),
    ]);
    let unknown = "drivers/sub/Makefile:2: the Kbuild walk could not follow `$(shell cat objects.txt)`, so it may list this object";
    // Listed, but only built in: a "no" from the Makefile alone, which the lost words undo.
    let (out, err, code) = run(t.path(), &["could-be-module", "drivers/sub/baz.o"]);
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(
        out,
        format!(
            "drivers/sub/baz.o: unknown\n  good: unknown: {unknown}\n  other: unknown: {unknown}\n"
        )
    );
    // Listed nowhere: "no Makefile lists it" is not proven either.
    let (out, err, code) = run(t.path(), &["could-be-module", "drivers/sub/deeper/x.o"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.contains(unknown), "{out}");
    let (out, err, code) = run(t.path(), &["could-be-module", "drivers/bar.o"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(!out.contains("could not follow"), "{out}");
}
