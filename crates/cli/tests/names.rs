//! The names users type, and what they see: a composite object answers for itself, a module
//! is asked by its `.ko` path or its name (`-` and `_` alike), and a name no Makefile of any
//! arch lists (a typo, a header, a directory, a path outside the tree) is an error with the
//! nearest real names and exit code 3, never a "no".

use std::path::Path;
use std::process::Command;

/// Two arches (`good`, `other`); composites built as modules and built-in only, a module only
/// `other` lists, and two modules of the same name.
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
        ("arch/other/Kconfig", "config OTHER_ARCH\n\tdef_bool y\n"),
        ("arch/other/Makefile", ""),
        (
            "drivers/Kconfig",
            "config FOO\n\ttristate \"Foo\"\n\nconfig BAR\n\tbool \"Bar\"\n",
        ),
        (
            "drivers/Makefile",
            "obj-$(CONFIG_FOO) += dummy.o foo-bar.o\n\
             foo-bar-y := part1.o part2.o\n\
             obj-$(CONFIG_BAR) += core.o\n\
             core-y := c1.o c2.o\n\
             ifeq ($(SRCARCH),other)\n\
             obj-$(CONFIG_FOO) += otheronly.o\n\
             endif\n\
             obj-y += a/ b/\n\
             lib-y += helper.o\n",
        ),
        ("drivers/a/Makefile", "obj-$(CONFIG_FOO) += twin.o\n"),
        ("drivers/b/Makefile", "obj-$(CONFIG_FOO) += twin.o\n"),
        ("drivers/foo.h", ""),
    ];
    for (p, t) in files {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, t).expect("write");
    }
    dir
}

/// stdout, stderr (tree path removed), exit code; the cache (names of whole walks, probe
/// results) in the tree's `.cache`.
fn run(tree: &Path, args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_kpossible"))
        .env("KPOSSIBLE_CACHE", tree.join(".cache"))
        .arg("--tree")
        .arg(tree)
        .args(args)
        .output()
        .expect("run kpossible");
    let prefix = format!("{}/", tree.display());
    // The line naming the tree is not what these tests are about.
    let stderr: String = String::from_utf8_lossy(&out.stderr)
        .replace(&prefix, "")
        .lines()
        .filter(|l| !l.starts_with("kpossible: tree "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
        out.status.code().expect("exit code"),
    )
}

#[test]
fn a_composite_module_answers_for_itself_with_its_members() {
    let t = tree();
    let (out, err, code) = run(
        t.path(),
        &["could-be-module", "drivers/foo-bar.o", "--arch", "good"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        out,
        "drivers/foo-bar.o: yes\n  composite of drivers/part1.o drivers/part2.o\n  good: yes, in drivers/foo-bar.ko (witness: allmodconfig)\n"
    );
    let (out, _, code) = run(
        t.path(),
        &[
            "could-be-module",
            "drivers/foo-bar.o",
            "--arch",
            "good",
            "--json",
        ],
    );
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(doc["verdict"], "yes");
    assert_eq!(
        doc["name"]["members"],
        serde_json::json!(["drivers/part1.o", "drivers/part2.o"])
    );
    assert_eq!(
        doc["arches"]["good"]["modules"],
        serde_json::json!(["drivers/foo-bar.ko"])
    );
}

#[test]
fn a_built_in_only_composite_is_no_with_its_makefile_line() {
    let t = tree();
    let (out, err, code) = run(
        t.path(),
        &["could-be-module", "drivers/core.o", "--arch", "good"],
    );
    assert_eq!(code, 1, "{out}{err}");
    // `obj-$(CONFIG_BAR)`, BAR a bool: the Makefile line and the Kconfig line.
    assert_eq!(
        out,
        "drivers/core.o: no\n  composite of drivers/c1.o drivers/c2.o\n  good: no\n    drivers/Makefile:3: listed in a module when BAR=m\n    drivers/Kconfig:5: BAR is bool: never m\n"
    );
}

#[test]
fn a_module_is_asked_by_its_ko_path_or_its_name() {
    let t = tree();
    for name in [
        "drivers/foo-bar.ko",
        "drivers/foo_bar.ko",
        "foo-bar",
        "foo_bar",
    ] {
        let (out, err, code) = run(t.path(), &["could-be-module", name, "--arch", "good"]);
        assert_eq!(code, 0, "{name}: {out}{err}");
        assert_eq!(
            out,
            format!(
                "drivers/foo-bar.o: yes\n  module foo_bar (drivers/foo-bar.ko), asked as {name}\n  composite of drivers/part1.o drivers/part2.o\n  good: yes, in drivers/foo-bar.ko (witness: allmodconfig)\n"
            ),
            "{name}"
        );
    }
    let (out, err, code) = run(
        t.path(),
        &["modules-of", "foo_bar", "dummy", "--arch", "good"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.starts_with("drivers/foo-bar.o: yes (composite)\n  module foo_bar (drivers/foo-bar.ko), asked as foo_bar\n  composite of drivers/part1.o drivers/part2.o\n  module foo_bar drivers/foo-bar.ko: good\n"),
        "{out}"
    );
    assert!(
        out.contains("drivers/dummy.o: yes (no source file in the tree)\n  module dummy (drivers/dummy.ko), asked as dummy\n  module dummy drivers/dummy.ko: good\n"),
        "{out}"
    );
    // A .ko whose object is only a member of another module is not a module.
    let (out, err, code) = run(t.path(), &["could-be-module", "drivers/part1.ko"]);
    assert_eq!((code, out.as_str()), (3, ""), "{err}");
    assert_eq!(
        err,
        "kpossible: error: drivers/part1.ko is not a module: drivers/part1.o is linked into drivers/foo-bar.ko; did you mean drivers/foo-bar.ko?\n"
    );
}

#[test]
fn a_module_name_of_several_modules_lists_them() {
    let t = tree();
    let (out, err, code) = run(t.path(), &["could-be-module", "twin"]);
    assert_eq!((code, out.as_str()), (3, ""), "{err}");
    assert_eq!(
        err,
        "kpossible: error: twin names 2 modules; give the .ko path of one: drivers/a/twin.ko, drivers/b/twin.ko\n"
    );
    let (out, _, code) = run(t.path(), &["could-be-module", "twin", "--json"]);
    assert_eq!(code, 3);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(doc["error"]["code"], "ambiguous");
    assert_eq!(
        doc["error"]["suggestions"],
        serde_json::json!(["drivers/a/twin.ko", "drivers/b/twin.ko"])
    );
}

#[test]
fn a_typo_is_an_error_suggesting_the_real_name() {
    let t = tree();
    for cmd in ["could-be-module", "modules-of"] {
        let (out, err, code) = run(t.path(), &[cmd, "drivers/dumy.o", "--arch", "good"]);
        assert_eq!((code, out.as_str()), (3, ""), "{cmd}: {err}");
        assert_eq!(
            err,
            "kpossible: error: no Makefile of any arch lists drivers/dumy.o; did you mean drivers/dummy.o?\n",
            "{cmd}"
        );
        let (out, err, code) = run(
            t.path(),
            &[cmd, "drivers/dumy.o", "--arch", "good", "--json"],
        );
        assert_eq!(code, 3, "{cmd}: {err}");
        let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
        assert_eq!(
            doc,
            serde_json::json!({"error": {
                "code": "not-listed",
                "name": "drivers/dumy.o",
                "message": "no Makefile of any arch lists drivers/dumy.o",
                "suggestions": ["drivers/dummy.o"],
            }}),
            "{cmd}"
        );
    }
    // A misspelt module name, and a typo among good names: nothing is answered.
    let (out, err, code) = run(t.path(), &["could-be-module", "dumy"]);
    assert_eq!((code, out.as_str()), (3, ""), "{err}");
    assert_eq!(
        err,
        "kpossible: error: no Makefile of any arch lists a module named dumy; did you mean dummy?\n"
    );
    let (out, err, code) = run(
        t.path(),
        &[
            "modules-of",
            "drivers/dummy.o",
            "drivers/foo-bar.ko",
            "drivers/foo-bra.ko",
        ],
    );
    assert_eq!((code, out.as_str()), (3, ""), "{err}");
    assert_eq!(
        err,
        "kpossible: error: no Makefile of any arch lists the module drivers/foo-bra.ko; did you mean drivers/foo-bar.ko?\n"
    );
}

#[test]
fn headers_directories_and_paths_outside_the_tree_are_errors() {
    let t = tree();
    for (name, code_word, message) in [
        (
            "drivers/foo.h",
            "header",
            "kpossible: error: drivers/foo.h is a header: it is compiled only as part of the objects that include it; name one of them",
        ),
        (
            "drivers",
            "directory",
            "kpossible: error: drivers is a directory, not an object: name one of its objects or modules; did you mean one of drivers/c1.o, drivers/c2.o, drivers/core.o, drivers/dummy.o, drivers/foo-bar.o?",
        ),
        (
            "/etc/passwd",
            "outside-tree",
            "kpossible: error: /etc/passwd is outside the tree",
        ),
        (
            "drivers/notes.txt",
            "not-an-object",
            "kpossible: error: drivers/notes.txt is not an object (.o), a source (.c, .S, .rs), a module (.ko) or a module name",
        ),
    ] {
        let (out, err, code) = run(t.path(), &["could-be-module", name]);
        assert_eq!((code, out.as_str()), (3, ""), "{name}: {err}");
        assert!(err.starts_with(message), "{name}: {err}");
        let (out, _, code) = run(t.path(), &["modules-of", name, "--json"]);
        assert_eq!(code, 3, "{name}");
        let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
        assert_eq!(doc["error"]["code"], code_word, "{name}");
    }
}

#[test]
fn a_name_only_another_arch_lists_is_no_naming_why() {
    let t = tree();
    let (out, err, code) = run(
        t.path(),
        &["could-be-module", "drivers/otheronly.o", "--arch", "good"],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(
        out,
        "drivers/otheronly.o: no\n  listed only by the Makefiles of ARCH=other\n  good: no\n    no Makefile reachable on ARCH=good lists drivers/otheronly.o\n"
    );
    let (out, err, code) = run(t.path(), &["could-be-module", "drivers/otheronly.o"]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn names_typed_below_the_root_are_paths_from_there() {
    let t = tree();
    let run_in = |dir: &str, args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_kpossible"))
            .args(args)
            .current_dir(t.path().join(dir))
            .env_remove("srctree")
            .output()
            .expect("run kpossible");
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            out.status.code().expect("exit code"),
        )
    };
    // The composite's source-less name beside you, a `.ko` beside you, a module by name.
    for (dir, name) in [
        ("drivers", "foo-bar.o"),
        ("drivers", "foo-bar.ko"),
        ("drivers/a", "../foo-bar.o"),
        ("drivers/a", "foo-bar"),
    ] {
        let (out, code) = run_in(dir, &["could-be-module", name, "--arch", "good", "--json"]);
        assert_eq!(code, 0, "{dir} {name}: {out}");
        let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
        assert_eq!(doc["object"], "drivers/foo-bar.o", "{dir} {name}");
    }
    // `twin.ko` in drivers/a is that directory's module, not the ambiguous name.
    let (out, code) = run_in(
        "drivers/a",
        &["could-be-module", "twin.ko", "--arch", "good"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with(
            "drivers/a/twin.o: yes\n  module twin (drivers/a/twin.ko), asked as drivers/a/twin.ko\n"
        ),
        "{out}"
    );
    let (out, code) = run_in("drivers/a", &["could-be-module", "../../../x.o"]);
    assert_eq!((out.as_str(), code), ("", 3));
}

#[test]
fn a_lib_y_object_is_no_naming_its_line() {
    let t = tree();
    let (out, err, code) = run(
        t.path(),
        &["could-be-module", "drivers/helper.o", "--arch", "good"],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(
        out,
        "drivers/helper.o: no\n  good: no\n    drivers/Makefile:9: listed in lib-y only: archived into lib.a, which only vmlinux links (scripts/Makefile.build)\n"
    );
}

#[test]
fn a_name_a_changed_makefile_now_lists_is_answered() {
    let t = tree();
    let (out, err, code) = run(t.path(), &["could-be-module", "drivers/new.o"]);
    assert_eq!((code, out.as_str()), (3, ""), "{err}");
    assert!(
        err.contains("no Makefile of any arch lists drivers/new.o"),
        "{err}"
    );
    let makefile = t.path().join("drivers/Makefile");
    let mut text = std::fs::read_to_string(&makefile).expect("read");
    text.push_str("obj-m += new.o\n");
    std::fs::write(&makefile, text).expect("write");
    let (out, err, code) = run(t.path(), &["could-be-module", "drivers/new.o"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("drivers/new.o: yes\n"), "{out}");
    // Listed from the subdirectory's own Makefile only after a change there too.
    let (_, err, code) = run(t.path(), &["could-be-module", "newmod"]);
    assert_eq!(code, 3, "{err}");
    std::fs::write(
        t.path().join("drivers/a/Makefile"),
        "obj-$(CONFIG_FOO) += twin.o newmod.o\n",
    )
    .expect("write");
    let (out, err, code) = run(t.path(), &["could-be-module", "newmod"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("drivers/a/newmod.o: yes\n"), "{out}");
}
