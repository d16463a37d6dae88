//! `#if` guards around modinfo tags as a user sees them in `modules-builtin` and
//! `license-audit`, on a small kernel-like tree.

use std::path::Path;
use std::process::Command;

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let files: &[(&str, &str)] = &[
        (
            "Makefile",
            "VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\nsrctree := .\nSRCARCH := $(ARCH)\nexport srctree SRCARCH\ninclude $(srctree)/arch/$(SRCARCH)/Makefile\nbuild-dir := .\n$(build-dir): prepare\n\t$(MAKE) $(build)=$@ need-builtin=1 need-modorder=1\n",
        ),
        (
            "Kconfig",
            "mainmenu \"Fixture\"\n\nconfig MODULES\n\tbool \"Modules\"\n\tmodules\n\nsource \"arch/$(SRCARCH)/Kconfig\"\nsource \"drivers/Kconfig\"\n",
        ),
        ("Kbuild", "obj-y += drivers/\n"),
        ("scripts/Kbuild.include", "comma := ,\n"),
        ("scripts/Makefile.compiler", ""),
        ("scripts/Makefile.build", "src := $(obj)\n"),
        ("lib/Makefile", ""),
        ("arch/good/Kconfig", "config GOOD_ARCH\n\tdef_bool y\n"),
        ("arch/good/Makefile", ""),
        (
            "drivers/Kconfig",
            "config FOO\n\ttristate \"Foo\"\n\nconfig BAR\n\tbool \"Bar\"\n\nconfig HAVE_FAST\n\tbool \"Fast\"\n",
        ),
        (
            "drivers/Makefile",
            "obj-$(CONFIG_FOO) += foo.o\nobj-$(CONFIG_BAR) += bar.o baz.o wide.o\n",
        ),
        ("drivers/foo.c", "MODULE_LICENSE(\"GPL\");\n"),
        // lib/bitrev.c's shape: the tag only without the arch's own implementation.
        (
            "drivers/bar.c",
            "#ifndef CONFIG_HAVE_FAST\nMODULE_LICENSE(\"GPL\");\n#endif\n",
        ),
        (
            "drivers/baz.c",
            "#ifdef MODULE\nMODULE_LICENSE(\"GPL\");\n#endif\n",
        ),
        (
            "drivers/wide.c",
            "#if BITS_PER_LONG == 64\nMODULE_LICENSE(\"GPL\");\n#endif\n",
        ),
    ];
    for (p, t) in files {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, t).expect("write");
    }
    dir
}

fn run(tree: &Path, args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_kpossible"))
        .arg("--tree")
        .arg(tree)
        .args(args)
        .output()
        .expect("run kpossible");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn modules_builtin_evaluates_guards_for_the_config() {
    let t = tree();
    let config = t.path().join("fast.config");
    std::fs::write(
        &config,
        "CONFIG_GOOD_ARCH=y\nCONFIG_MODULES=y\nCONFIG_FOO=y\nCONFIG_BAR=y\nCONFIG_HAVE_FAST=y\n",
    )
    .unwrap();
    let args = ["modules-builtin", "--arch", "good", "--quiet", "--config"];
    let (out, err, code) = run(t.path(), &[&args[..], &[config.to_str().unwrap()]].concat());
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "kernel/drivers/foo.ko\n\
         kernel/drivers/wide.ko\tnever-module: drivers/Makefile:2: listed in a module when BAR=m; drivers/Kconfig:5: BAR is bool: never m\tguard-unknown: drivers/wide.c:2: MODULE_LICENSE under drivers/wide.c:1: `#if BITS_PER_LONG == 64`: `BITS_PER_LONG` is not a macro we know\n"
    );
    std::fs::write(
        &config,
        "CONFIG_GOOD_ARCH=y\nCONFIG_MODULES=y\nCONFIG_FOO=y\nCONFIG_BAR=y\n# CONFIG_HAVE_FAST is not set\n",
    )
    .unwrap();
    let (out, err, code) = run(t.path(), &[&args[..], &[config.to_str().unwrap()]].concat());
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("kernel/drivers/bar.ko\tnever-module: drivers/Makefile:2: listed in a module when BAR=m; drivers/Kconfig:5: BAR is bool: never m\nkernel/drivers/foo.ko\n"),
        "{out}"
    );
}

#[test]
fn license_audit_counts_a_tag_only_where_its_guard_can_hold() {
    let t = tree();
    let (out, err, code) = run(t.path(), &["license-audit", "--arch", "good", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    // bar.c: HAVE_FAST=n builds bar.o in with the tag; baz.c: never a module, so never
    // compiled with MODULE; wide.c: BITS_PER_LONG is no macro we know.
    assert!(
        out.contains(
            "never-modular 1 (with MODULE_LICENSE 1, without SPDX 1), guarded-out 1, undecided 1"
        ),
        "{out}"
    );
    assert!(
        out.contains("never-modular\tdrivers/bar.c\tdrivers/bar.o\tMODULE_LICENSE\tno-spdx\n"),
        "{out}"
    );
    assert!(
        out.contains("guarded-out\tdrivers/baz.c\tdrivers/baz.o\n\tdrivers/baz.c:2: MODULE_LICENSE\n\t\tdrivers/baz.o: `drivers/baz.c:1: #ifdef MODULE` never holds without MODULE (built-in code)\n"),
        "{out}"
    );
    assert!(
        out.contains("undecided\tdrivers/wide.c\tdrivers/wide.o\n\tgood: drivers/wide.c:2: MODULE_LICENSE: drivers/wide.c:1: `#if BITS_PER_LONG == 64`: `BITS_PER_LONG` is not a macro we know\n"),
        "{out}"
    );
}
