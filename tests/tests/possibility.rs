//! The possibility answers on the real trees, checked against the kernel's own tools: a "yes"
//! must come with a witness that the tree's conf keeps unchanged and with which real make
//! puts the object in the named module; a "no" must name the rule that forbids it.

use kpossible_tests::{oracle, tree};
use oracle::config_body;
use solver::arch::analyze;
use solver::possibility::Verdict;

fn answer(
    version: &str,
    arch: &str,
    objects: &[&str],
) -> std::collections::BTreeMap<String, Verdict> {
    let t = tree(version);
    let variant = t.arch(arch).unwrap().unwrap();
    let only: Vec<String> = objects.iter().map(|s| s.to_string()).collect();
    let report = analyze(t.root(), arch, &variant.srcarch, Some(&only));
    report.verdicts
}

fn reasons_text(v: &Verdict) -> String {
    match v {
        Verdict::No { reasons } => reasons
            .iter()
            .map(|r| format!("{}:{}: {}", r.file, r.line, r.text))
            .collect::<Vec<_>>()
            .join("\n"),
        other => panic!("expected no, got {}", other.word()),
    }
}

/// 6.1: zswap.o and zpool.o carry MODULE_LICENSE but can never be modules: both are listed
/// only through `obj-$(CONFIG_X)` with a bool X.
#[test]
fn zswap_and_zpool_in_6_1_are_no_with_their_bool_symbols() {
    let v = answer("6.1", "x86", &["mm/zswap.o", "mm/zpool.o"]);
    let zswap = reasons_text(&v["mm/zswap.o"]);
    assert!(zswap.contains("ZSWAP is bool: never m"), "{zswap}");
    assert!(
        zswap.contains("mm/Makefile:"),
        "names the Makefile line: {zswap}"
    );
    let zpool = reasons_text(&v["mm/zpool.o"]);
    assert!(zpool.contains("ZPOOL is bool: never m"), "{zpool}");
}

/// ps3disk is a PS3 (powerpc) driver: on x86 its symbol does not exist.
#[test]
fn ps3disk_is_no_on_x86_because_its_symbol_is_powerpc_only() {
    let v = answer("6.12", "x86", &["drivers/block/ps3disk.o"]);
    let text = reasons_text(&v["drivers/block/ps3disk.o"]);
    assert!(text.contains("PS3_DISK is not defined"), "{text}");
}

/// dummy.o is yes, and the real tools confirm the witness.
#[test]
fn dummy_is_yes_with_a_witness_the_real_tools_confirm() {
    for version in ["6.1", "6.12"] {
        let v = answer(version, "x86", &["drivers/net/dummy.o"]);
        let Verdict::Yes { modules, witness } = &v["drivers/net/dummy.o"] else {
            panic!("dummy.o: {}", v["drivers/net/dummy.o"].word())
        };
        assert_eq!(modules, &["drivers/net/dummy.ko"]);
        let o = oracle(version, "x86");
        let kept = o.olddefconfig(&witness.config).unwrap().value;
        assert_eq!(
            config_body(&kept),
            config_body(&witness.config),
            "{version}: conf keeps the witness unchanged"
        );
        let lists = o.kbuild_lists(&witness.config).unwrap().value;
        assert_eq!(
            lists
                .module_of("drivers/net/dummy.o")
                .map(|m| m.name.as_str()),
            Some("drivers/net/dummy.ko")
        );
    }
}

/// `net/wireless/extra-certs.o` is listed when `ifneq ($(CONFIG_CFG80211_EXTRA_REGDB_KEYDIR),)`:
/// a string symbol's value, which the CNF leaves free. Its witness types a value for it, and
/// the real tools confirm it (before, the object was unknown on every arch).
#[test]
fn a_makefile_test_of_a_string_value_gets_a_witness_that_types_it() {
    let object = "net/wireless/extra-certs.o";
    let v = answer("6.12", "x86_64", &[object]);
    let Verdict::Yes { modules, witness } = &v[object] else {
        panic!("{object}: {:?}", v[object])
    };
    assert_eq!(modules, &["net/wireless/cfg80211.ko"]);
    assert!(
        witness
            .config
            .lines()
            .any(|l| l.starts_with("CONFIG_CFG80211_EXTRA_REGDB_KEYDIR=\"")
                && l != "CONFIG_CFG80211_EXTRA_REGDB_KEYDIR=\"\""),
        "the witness gives the key directory a value"
    );
    let o = oracle("6.12", "x86_64");
    let kept = o.olddefconfig(&witness.config).unwrap().value;
    assert_eq!(config_body(&kept), config_body(&witness.config));
    let lists = o.kbuild_lists(&witness.config).unwrap().value;
    assert_eq!(
        lists.module_of(object).map(|m| m.name.as_str()),
        Some("net/wireless/cfg80211.ko")
    );
}

/// Objects only a SAT witness makes modular (allmodconfig does not): the witness is checked
/// by the real conf and real make. CI checks a few; KPOSSIBLE_FULL=1 checks every one found
/// for x86 6.12.
#[test]
fn sat_witnesses_are_confirmed_by_the_real_tools() {
    let t = tree("6.12");
    let report = analyze(t.root(), "x86", "x86", None);
    let limit = if std::env::var_os("KPOSSIBLE_FULL").is_some() {
        usize::MAX
    } else {
        3
    };
    let mut by_config: std::collections::BTreeMap<String, Vec<(String, Vec<String>)>> =
        Default::default();
    for (obj, v) in &report.verdicts {
        if let Verdict::Yes { modules, witness } = v
            && witness.origin == "sat"
        {
            by_config
                .entry(witness.config.to_string())
                .or_default()
                .push((obj.clone(), modules.clone()));
        }
    }
    assert!(
        !by_config.is_empty(),
        "some objects need a SAT witness on x86 6.12"
    );
    let o = oracle("6.12", "x86");
    let mut confirmed = 0;
    for (config, objects) in by_config.iter().take(limit) {
        let kept = o.olddefconfig(config).unwrap().value;
        assert_eq!(
            config_body(&kept),
            config_body(config),
            "conf keeps the SAT witness unchanged"
        );
        let lists = o.kbuild_lists(config).unwrap().value;
        for (obj, modules) in objects {
            let m = lists
                .module_of(obj)
                .unwrap_or_else(|| panic!("{obj}: real make does not put it in a module"));
            assert!(
                modules.contains(&m.name),
                "{obj}: {} not in {modules:?}",
                m.name
            );
            confirmed += 1;
        }
    }
    eprintln!("confirmed {confirmed} SAT-witnessed yes answers with the real tools");
}

/// With this host's gcc, arm64 always has a 128-bit integer type, so lib/crypto's 32-bit
/// curve25519 fallback is never built; a compiler whose `$(cc-option,... -D__SIZEOF_INT128__=0)`
/// probe answers otherwise (CC_HAS_INT128 n) builds it as a module. `--toolchain host` says no,
/// `--toolchain any` must not: it says unknown and names the probed symbol.
#[test]
fn a_no_that_rests_on_a_host_probe_is_unknown_for_any_toolchain() {
    use solver::arch::{Toolchain, analyze_with};
    let obj = "lib/crypto/curve25519-fiat32.o";
    let t = tree("6.12");
    let only = vec![obj.to_string()];
    let host = analyze_with(t.root(), "arm64", "arm64", Some(&only), Toolchain::Host);
    assert_eq!(host.verdicts[obj].word(), "no");
    let any = analyze_with(t.root(), "arm64", "arm64", Some(&only), Toolchain::Any);
    match &any.verdicts[obj] {
        Verdict::Unknown { why } => assert!(why.contains("CC_HAS_INT128"), "{why}"),
        other => panic!("expected unknown, got {}", other.word()),
    }
    // A "no" that holds for every toolchain stays "no".
    let only = vec!["drivers/block/ps3disk.o".to_string()];
    let any = analyze_with(t.root(), "x86", "x86", Some(&only), Toolchain::Any);
    assert_eq!(any.verdicts["drivers/block/ps3disk.o"].word(), "no");
}

/// `GCC_VERSION` is an int without a prompt: with this host's probes its value is one of its
/// constant defaults, so `GCC_VERSION<90100` is decided (RiscPC needs gcc < 9.1), where it used
/// to be a free fact that left the answer "unknown".
#[test]
fn a_gcc_version_bound_is_a_reason_with_the_host_toolchain_and_unknown_for_any() {
    use solver::arch::{Toolchain, analyze_with};
    let obj = "drivers/ata/pata_icside.o";
    let t = tree("6.12");
    let only = vec![obj.to_string()];
    let host = analyze_with(t.root(), "arm", "arm", Some(&only), Toolchain::Host);
    let v = &host.verdicts[obj];
    assert_eq!(v.word(), "no", "{}", reasons_text(v));
    assert!(
        reasons_text(v).contains("GCC_VERSION"),
        "{}",
        reasons_text(v)
    );
    let any = analyze_with(t.root(), "arm", "arm", Some(&only), Toolchain::Any);
    match &any.verdicts[obj] {
        Verdict::Unknown { why } => assert!(why.contains("GCC_VERSION"), "{why}"),
        other => panic!("expected unknown, got {}", other.word()),
    }
}
