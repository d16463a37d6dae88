//! `CROSS_COMPILE` and `LLVM` from the environment, as make takes them: the toolchain probes
//! run those tools, and the `.config` is the one the tree's own conf writes with the same
//! variables.

use std::process::Command;

#[test]
fn arm64_allyesconfig_with_the_debian_cross_compiler_is_confs() {
    let cross = "aarch64-linux-gnu-";
    let tree = ktree::fetch(&ktree::cache_dir(), "6.12").expect("the 6.12 tree");
    let ours = |cross: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kpossible"));
        cmd.args(["config", "allyesconfig", "--arch", "arm64", "--quiet"])
            .args(["--tree", tree.root().to_str().unwrap()])
            .env_remove("CROSS_COMPILE");
        if let Some(c) = cross {
            cmd.env("CROSS_COMPILE", c);
        }
        let out = cmd.output().expect("run kpossible");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 .config")
    };
    let real = oracle::Oracle::with_pins(
        &tree,
        "arm64",
        &ktree::cache_dir(),
        &[("CROSS_COMPILE", cross)],
    )
    .and_then(|o| o.allyesconfig())
    .expect("the real conf with CROSS_COMPILE");
    let with_cross = ours(Some(cross));
    assert_eq!(
        oracle::config_body(&with_cross),
        oracle::config_body(&real.value)
    );
    assert!(with_cross.contains("CONFIG_CC_VERSION_TEXT=\"aarch64-linux-gnu-gcc"));
    // The host's gcc answers some arm64 probes otherwise: the variable made a difference.
    assert_ne!(
        oracle::config_body(&ours(None)),
        oracle::config_body(&with_cross)
    );
}

/// KMSAN needs clang: with gcc the answer is unknown, naming the probed symbol; with Debian's
/// clang (`LLVM=1`) it is yes, and the witness holds for the real conf and make with `LLVM=1`.
#[test]
fn kmsan_test_is_a_module_only_with_clang_and_the_real_tools_agree() {
    let obj = "mm/kmsan/kmsan_test.o";
    let tree = ktree::fetch(&ktree::cache_dir(), "6.12").expect("the 6.12 tree");
    let dir = tempfile::tempdir().unwrap();
    let witness = dir.path().join("kmsan.config");
    let run = |llvm: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kpossible"));
        cmd.args(["could-be-module", obj, "--arch", "x86_64", "--quiet"])
            .args(["--tree", tree.root().to_str().unwrap()])
            .env_remove("CROSS_COMPILE")
            .env_remove("LLVM");
        if llvm {
            cmd.env("LLVM", "1")
                .args(["--witness", witness.to_str().unwrap()]);
        }
        let out = cmd.output().expect("run kpossible");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, out) = run(false);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("HAVE_KMSAN_COMPILER"), "{out}");
    let (code, out) = run(true);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("yes, in mm/kmsan/kmsan_test.ko"), "{out}");
    let config = std::fs::read_to_string(&witness).unwrap();
    assert!(config.contains("CONFIG_CC_IS_CLANG=y"));
    let real = oracle::Oracle::with_pins(&tree, "x86_64", &ktree::cache_dir(), &[("LLVM", "1")])
        .expect("oracle with LLVM=1");
    let kept = real.olddefconfig(&config).expect("real olddefconfig");
    assert_eq!(
        oracle::config_body(&kept.value),
        oracle::config_body(&config),
        "the real conf with LLVM=1 keeps the witness"
    );
    let lists = real
        .kbuild_lists_within(&config, &["mm/kmsan"])
        .expect("real make walk");
    assert!(
        lists
            .value
            .modules
            .iter()
            .any(|m| m.name == "mm/kmsan/kmsan_test.ko" && m.objects.iter().any(|o| o == obj)),
        "{:?}",
        lists.value.modules
    );
}
