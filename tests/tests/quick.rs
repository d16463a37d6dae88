//! The probe-free "yes" (`solver::quick`) on the real trees: a symbol no toolchain probe can
//! reach must have the value it has with this host's probes, and every object the shortcut
//! places in a module must be a "yes" of the whole analysis, in the same modules.

use std::collections::BTreeMap;

use kconfig_parser::{Dialect, FsLoader, Options, ShellMode};
use kpossible_tests::tree;
use solver::possibility::Verdict;
use solver::quick::{allmodconfig_dependent, allmodconfig_modules_each, toolchain_dependent};
use solver::{Kconfig, Target, run_target};

/// `CONFIG_X` -> its `.config` line, for every symbol line of `config`.
fn lines(config: &str) -> BTreeMap<String, String> {
    config
        .lines()
        .filter_map(|l| {
            let name = l
                .strip_prefix("# ")
                .and_then(|r| r.strip_suffix(" is not set"))
                .or_else(|| l.split_once('=').map(|(n, _)| n))?;
            name.starts_with("CONFIG_")
                .then(|| (name.to_string(), l.to_string()))
        })
        .collect()
}

#[test]
fn symbols_no_probe_reaches_have_the_hosts_values() {
    for (version, arches) in [
        (
            "6.12",
            &[
                "x86_64",
                "i386",
                "arm64",
                "arm",
                "s390",
                "powerpc",
                "mips",
                "riscv",
                "loongarch",
            ][..],
        ),
        ("6.1", &["x86_64", "arm64", "s390", "powerpc", "mips"][..]),
    ] {
        let t = tree(version);
        let root = t.root();
        for &arch in arches {
            let host = kpossible_tests::parse_kconfig(root, arch, ShellMode::Run);
            let open = kconfig_parser::parse(
                "Kconfig",
                &FsLoader::new(root),
                &Options {
                    env: ktree::kenv::conf_environment(root, arch, true)
                        .unwrap()
                        .vars,
                    ..Options::new(Dialect::detect(root), ShellMode::Record)
                },
            );
            let (kh, ko) = (Kconfig::new(&host), Kconfig::new(&open));
            let dependent = toolchain_dependent(&ko);
            let is_dependent = |name: &str| {
                ko.find(name.trim_start_matches("CONFIG_"))
                    .is_some_and(|s| dependent[s.0 as usize])
            };
            // The probes' own symbols are reached, or the check below proves nothing.
            for probed in ["CC_IS_GCC", "GCC_VERSION", "AS_VERSION"] {
                assert!(is_dependent(probed), "{version} {arch}: {probed}");
            }
            let free = dependent.iter().filter(|d| !**d).count();
            // From about a quarter (arm) to most of an arch's symbols are out of reach.
            assert!(
                free > 2000,
                "{version} {arch}: only {free} of {} symbols are out of the probes' reach",
                dependent.len()
            );
            for target in [
                Target::AllModConfig,
                Target::AllYesConfig,
                Target::AllDefConfig,
            ] {
                let (h, _) = run_target(&kh, target, None);
                let (o, _) = run_target(&ko, target, None);
                // allmodconfig's own values sharpen the set (`allmodconfig_dependent`).
                let sharpened = (target == Target::AllModConfig)
                    .then(|| allmodconfig_dependent(&ko, &kbuild_graph::read_config(&o)));
                if let Some(d) = &sharpened {
                    let free = d.iter().filter(|d| !**d).count();
                    let before = dependent.iter().filter(|d| !**d).count();
                    assert!(free >= before, "{version} {arch}: sharpening lost symbols");
                    eprintln!(
                        "{version} {arch}: {before} -> {free} of {} symbols out of reach in allmodconfig",
                        d.len()
                    );
                }
                let is_dependent = |name: &str| match &sharpened {
                    Some(d) => ko
                        .find(name.trim_start_matches("CONFIG_"))
                        .is_some_and(|s| d[s.0 as usize]),
                    None => is_dependent(name),
                };
                let (h, o) = (lines(&h), lines(&o));
                let names: std::collections::BTreeSet<&String> = h.keys().chain(o.keys()).collect();
                for name in names {
                    if is_dependent(name) {
                        continue;
                    }
                    assert_eq!(
                        h.get(name),
                        o.get(name),
                        "{version} {arch} {target:?}: {name} differs though no probe reaches it"
                    );
                }
            }
        }
    }
}

#[test]
fn every_probe_free_yes_is_a_yes_of_the_whole_analysis_in_the_same_modules() {
    let t = tree("6.12");
    for (arch, srcarch) in [("x86_64", "x86"), ("s390", "s390")] {
        let full =
            solver::arch::analyze_with(t.root(), arch, srcarch, None, solver::arch::Toolchain::Any);
        assert!(!full.failed(), "{arch}: {:?}", full.errors);
        let objects: Vec<String> = full.verdicts.keys().cloned().collect();
        let quick = allmodconfig_modules_each(t.root(), arch, srcarch, &objects)
            .unwrap_or_else(|| panic!("{arch}: the shortcut failed on the tree"));
        let mut placed = 0;
        let mut allmod = 0;
        for (o, v) in &full.verdicts {
            let by_allmod =
                matches!(v, Verdict::Yes { witness, .. } if witness.origin == "allmodconfig");
            allmod += usize::from(by_allmod);
            let Some(Some(modules)) = quick.get(o) else {
                continue;
            };
            placed += 1;
            match v {
                Verdict::Yes {
                    modules: full_modules,
                    witness,
                } => {
                    if witness.origin == "allmodconfig" {
                        assert_eq!(modules, full_modules, "{arch} {o}");
                    }
                }
                other => panic!(
                    "{arch} {o}: probe-free yes in {modules:?}, whole analysis {}",
                    other.word()
                ),
            }
        }
        // Most allmodconfig answers need no probe: the shortcut is worth having.
        assert!(placed * 10 > allmod * 8, "{arch}: {placed} of {allmod}");
        eprintln!("{arch}: {placed} probe-free of {allmod} allmodconfig yes");
    }
}
