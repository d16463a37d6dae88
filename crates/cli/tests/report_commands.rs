//! The issue-8 commands as a user runs them: exit codes, JSON on stdout, completions and man
//! page generated from the clap definitions.

use std::process::Command;

fn kpossible(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kpossible"))
        .args(args)
        .output()
        .expect("run kpossible");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn completions_and_man_page_know_every_subcommand() {
    let (code, bash, _) = kpossible(&["completions", "bash"]);
    assert_eq!(code, 0);
    let (code, man, _) = kpossible(&["man"]);
    assert_eq!(code, 0);
    assert!(
        man.starts_with(".ie") || man.contains(".TH kpossible"),
        "{man}"
    );
    for sub in [
        "modules-of",
        "license-audit",
        "modules-builtin",
        "kbuild-flags",
        "diff",
        "could-be-module",
    ] {
        assert!(bash.contains(sub), "bash completion lacks {sub}");
        // roff escapes the hyphen.
        assert!(
            man.contains(&sub.replace('-', "\\-")),
            "man page lacks {sub}"
        );
    }
    assert!(man.contains("Exit codes"), "man page documents exit codes");
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = kpossible(&["man", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(dir.path().join("kpossible-modules-of.1").is_file());
}

#[test]
fn modules_of_dummy_json_and_exit_code() {
    let (code, out, err) = kpossible(&[
        "modules-of",
        "drivers/net/dummy.c",
        "--kernel",
        "6.1",
        "--arch",
        "x86",
        "--json",
        "--quiet",
    ]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["object"], "drivers/net/dummy.o");
    assert_eq!(doc["verdict"], "yes");
    assert_eq!(doc["arches"][0]["arch"], "x86");
    assert_eq!(doc["arches"][0]["modules"][0]["ko"], "drivers/net/dummy.ko");
    assert_eq!(doc["arches"][0]["modules"][0]["name"], "dummy");
    assert_eq!(doc["arches"][0]["modules"][0]["witness"], "allmodconfig");
}

/// Several objects in one run: a JSON array in the order asked, each element the document
/// `modules-of` gives for that object alone; mm/zswap.o can be in no module (6.1), so the run
/// exits 1.
#[test]
fn modules_of_several_objects_answers_each_as_alone() {
    let common = ["--kernel", "6.1", "--arch", "x86", "--json", "--quiet"];
    let objects = [
        "drivers/net/dummy.c",
        "mm/zswap.o",
        "drivers/net/phy/mdio_bus.o",
    ];
    let mut args = vec!["modules-of"];
    args.extend(objects);
    args.extend(common);
    let (code, out, err) = kpossible(&args);
    assert_eq!(code, 1, "{err}");
    let all: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(all.len(), 3);
    for (object, doc) in objects.iter().zip(&all) {
        let mut one = vec!["modules-of", object];
        one.extend(common);
        let (_, alone, err) = kpossible(&one);
        let alone: serde_json::Value = serde_json::from_str(&alone).expect(&err);
        assert_eq!(doc, &alone, "{object}");
    }
    assert_eq!(all[0]["verdict"], "yes");
    assert_eq!(all[1]["object"], "mm/zswap.o");
    assert_eq!(all[1]["verdict"], "no");
    // mdio_bus.o is linked into libphy.ko (and mdio-bus.ko where that composite exists).
    assert!(
        all[2]["arches"][0]["modules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["ko"] == "drivers/net/phy/libphy.ko" && m["verdict"] == "yes"),
        "{}",
        all[2]
    );
}

#[test]
fn an_unknown_arch_is_an_error_with_exit_code_3() {
    let (code, _, err) = kpossible(&[
        "modules-of",
        "drivers/net/dummy.o",
        "--kernel",
        "6.1",
        "--arch",
        "vax",
    ]);
    assert_eq!(code, 3);
    assert!(err.contains("unknown ARCH `vax`"), "{err}");
}

#[test]
fn a_usage_error_is_exit_code_3_not_unknown() {
    let (code, _, err) = kpossible(&["modules-of"]);
    assert_eq!(code, 3, "{err}");
    let (code, out, _) = kpossible(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("Exit codes"));
}

/// No compiler, assembler or linker on PATH, no probe cache: allmodconfig places dummy.o in
/// dummy.ko through symbols no toolchain probe reaches, so the answer needs none of them.
/// With `--witness` the whole `.config` is wanted, probes and all, and plain `make
/// olddefconfig` on this machine leaves it unchanged.
#[test]
fn dummy_is_yes_without_any_toolchain_and_its_witness_is_the_hosts() {
    let empty = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let trees = ktree::fetch(&ktree::cache_dir(), "6.12").expect("the 6.12 tree");
    let run = |extra: &[&str], path: &std::ffi::OsStr| {
        let out = Command::new(env!("CARGO_BIN_EXE_kpossible"))
            .args([
                "could-be-module",
                "drivers/net/dummy.o",
                "--arch",
                "x86_64",
                "--quiet",
            ])
            .args(["--tree", trees.root().to_str().unwrap()])
            .args(extra)
            .env("PATH", path)
            .env("KPOSSIBLE_CACHE", cache.path())
            .output()
            .expect("run kpossible");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, out) = run(&[], empty.path().as_os_str());
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out,
        "drivers/net/dummy.o: yes\n  x86_64: yes, in drivers/net/dummy.ko (witness: allmodconfig)\n"
    );
    assert!(
        !cache.path().join("probes").exists(),
        "no probe ran, none was cached"
    );
    let witness = cache.path().join("dummy.config");
    let host_path = std::env::var_os("PATH").unwrap_or_default();
    let (code, _) = run(&["--witness", witness.to_str().unwrap()], &host_path);
    assert_eq!(code, 0);
    let text = std::fs::read_to_string(&witness).unwrap();
    assert!(text.contains("CONFIG_DUMMY=m"), "{text}");
    assert!(
        text.contains("CONFIG_CC_IS_GCC=y"),
        "the host's probes answered"
    );
    // The same machine's plain `make olddefconfig` (its rustc, its pahole or none) keeps the
    // witness as it is.
    let real = oracle::Oracle::new(&trees, "x86_64", &ktree::cache_dir())
        .and_then(|o| o.olddefconfig(&text))
        .expect("make olddefconfig");
    assert_eq!(
        oracle::config_body(&real.value),
        oracle::config_body(&text),
        "plain make olddefconfig keeps the witness"
    );
}
