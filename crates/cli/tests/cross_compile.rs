//! `CROSS_COMPILE` from the environment, as make takes it: the toolchain probes run the cross
//! tools, and the `.config` is the one the tree's own conf writes with the same variable.

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
    let mut pins = oracle::DEFAULT_PINS.to_vec();
    pins.push(("CROSS_COMPILE", cross));
    let real = oracle::Oracle::with_pins(&tree, "arm64", &ktree::cache_dir(), &pins)
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
