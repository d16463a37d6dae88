//! The CNF must admit every configuration the real tools produce: if a real `.config` (a
//! fixed point of the tree's own olddefconfig) violated it, a "no" from the solver could be
//! wrong. And it must not be vacuous: a value the real tools never allow must be refused.

use kconfig_parser::ShellMode;
use kp_base::Tristate;
use kpossible_tests::parse_kconfig as parse_tree;
use kpossible_tests::{oracle, tree};
use solver::Kconfig;
use solver::sat::{Encoding, Varisat};

fn values(config: &str) -> std::collections::HashMap<String, Tristate> {
    config
        .lines()
        .filter_map(|l| l.strip_prefix("CONFIG_"))
        .filter_map(|l| l.split_once('='))
        .filter_map(|(k, v)| Tristate::from_letter(v).map(|t| (k.to_string(), t)))
        .collect()
}

fn check(version: &str, arch: &str) {
    let t = tree(version);
    let o = oracle(version, arch);
    let model = parse_tree(t.root(), arch, ShellMode::Run);
    let k = Kconfig::new(&model);
    let mut enc = Encoding::new(&k, Varisat::default());
    let mut configs = vec![
        ("allnoconfig", o.allnoconfig().unwrap().value),
        ("allyesconfig", o.allyesconfig().unwrap().value),
        ("allmodconfig", o.allmodconfig().unwrap().value),
        ("defconfig", o.defconfig().unwrap().value),
    ];
    for seed in 1..=3 {
        configs.push(("randconfig", o.randconfig(seed).unwrap().value));
    }
    for (name, config) in &configs {
        let vals = values(config);
        // A symbol absent from .config, or `is not set`, is n.
        let assumptions = enc.assume_values(|n| Some(vals.get(n).copied().unwrap_or(Tristate::No)));
        let sat = enc.sat_solve(&assumptions);
        assert_eq!(
            sat,
            Some(true),
            "{version} {arch} {name}: the real config violates the CNF; core: {:?}",
            enc.core_symbols()
        );
    }
    // Not vacuous: allnoconfig with MODULES=n, yet a tristate driver at m, is refused.
    let mut vals = values(&configs[0].1);
    vals.insert("DUMMY".into(), Tristate::Mod);
    let assumptions = enc.assume_values(|n| Some(vals.get(n).copied().unwrap_or(Tristate::No)));
    assert_eq!(
        enc.sat_solve(&assumptions),
        Some(false),
        "{version} {arch}: m without MODULES is refused"
    );
}

#[test]
fn real_configs_satisfy_the_cnf_x86_64() {
    check("6.12", "x86_64");
    check("6.1", "x86_64");
}

#[test]
fn real_configs_satisfy_the_cnf_arm64() {
    check("6.12", "arm64");
    check("6.1", "arm64");
}
