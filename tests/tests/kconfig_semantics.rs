//! Our Kconfig evaluation against the tree's own `conf`: the `.config` we write must be
//! byte-identical (header aside) for the all* targets, defconfig, and olddefconfig of
//! randconfigs with and without values flipped. CI runs a sample; `KPOSSIBLE_FULL=1` widens
//! it to 100 seeds (the full sweep over more arches is `scripts/kconfig-sweep`).

use kconfig_parser::ShellMode;
use kpossible_tests::configs::{first_differences, flip_values};
use kpossible_tests::parse_kconfig as parse_tree;
use kpossible_tests::{oracle, tree};
use oracle::config_body;
use solver::{Kconfig, Target, run_target};

fn seeds() -> u64 {
    if std::env::var_os("KPOSSIBLE_FULL").is_some() {
        100
    } else {
        3
    }
}

fn check(version: &str, arch: &str) -> Vec<String> {
    let t = tree(version);
    let o = oracle(version, arch);
    let model = parse_tree(t.root(), arch, ShellMode::Run);
    assert_eq!(
        model.error_count(),
        0,
        "{version} {arch}: parse errors: {:?}",
        model.diagnostics.first()
    );
    let k = Kconfig::new(&model);
    let mut failures = Vec::new();
    let mut compare = |what: &str, ours: &str, theirs: &str| {
        if config_body(ours) != config_body(theirs) {
            failures.push(format!(
                "{version} {arch} {what}:\n{}",
                first_differences(config_body(ours), config_body(theirs), 8)
            ));
        }
    };
    for (name, target) in [
        ("allnoconfig", Target::AllNoConfig),
        ("allyesconfig", Target::AllYesConfig),
        ("allmodconfig", Target::AllModConfig),
    ] {
        let theirs = match target {
            Target::AllNoConfig => o.allnoconfig(),
            Target::AllYesConfig => o.allyesconfig(),
            _ => o.allmodconfig(),
        }
        .unwrap()
        .value;
        let (ours, _) = run_target(&k, target, None);
        // A comparison of two empty bodies would prove nothing.
        assert!(
            config_body(&theirs).lines().count() > 500,
            "{version} {arch} {name}: conf wrote a real config"
        );
        eprintln!(
            "{version} {arch} {name}: {} lines, {} set",
            ours.lines().count(),
            ours.lines().filter(|l| l.starts_with("CONFIG_")).count()
        );
        compare(name, &ours, &theirs);
    }
    for seed in 1..=seeds() {
        let rand = o.randconfig(seed).unwrap().value;
        let (ours, _) = run_target(&k, Target::OldDefConfig, Some(&rand));
        compare(&format!("olddefconfig(randconfig {seed})"), &ours, &rand);
        let flipped = flip_values(&rand, 20, seed);
        let theirs = o.olddefconfig(&flipped).unwrap().value;
        let (ours, _) = run_target(&k, Target::OldDefConfig, Some(&flipped));
        compare(
            &format!("olddefconfig(randconfig {seed} with 20 flips)"),
            &ours,
            &theirs,
        );
    }
    let def = o.defconfig().unwrap().value;
    let (ours, _) = run_target(&k, Target::OldDefConfig, Some(&def));
    compare("olddefconfig(defconfig)", &ours, &def);
    let alldef = o.alldefconfig().unwrap().value;
    let (ours, _) = run_target(&k, Target::AllDefConfig, None);
    compare("alldefconfig", &ours, &alldef);
    // conf's own allyesconfig read back: every choice member it set must stay as set.
    let allyes = o.allyesconfig().unwrap().value;
    let theirs = o.olddefconfig(&allyes).unwrap().value;
    let (ours, _) = run_target(&k, Target::OldDefConfig, Some(&allyes));
    compare("olddefconfig(allyesconfig)", &ours, &theirs);
    failures
}

/// The oldest and the newest tree: 5.10 (`option modules|defconfig_list|allnoconfig_y`,
/// 9973 hash buckets, legacy choices) and 7.3 (`transitional`, `depends on X if Y`).
#[test]
fn oldest_and_newest_trees_match_conf() {
    let mut failures = check("5.10", "x86_64");
    failures.extend(check("7.3", "x86_64"));
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Linux 6.1 sh: `make kfr2r09-romimage_defconfig` and `make shx3_defconfig` set
/// `CMDLINE_OVERWRITE=y`, a member of the optional choice "Kernel command line"; reading it
/// back must keep it (and `CMDLINE`), as conf does.
#[test]
fn sh_6_1_defconfigs_keep_optional_choice_members() {
    let t = tree("6.1");
    let o = oracle("6.1", "sh");
    let model = parse_tree(t.root(), "sh", ShellMode::Run);
    assert_eq!(model.error_count(), 0, "{:?}", model.diagnostics.first());
    let k = Kconfig::new(&model);
    for name in ["kfr2r09-romimage_defconfig", "shx3_defconfig"] {
        let file = t.root().join("arch/sh/configs").join(name);
        let text = std::fs::read_to_string(&file).unwrap();
        let theirs = o.named_defconfig(name).unwrap().value;
        assert!(
            theirs.lines().any(|l| l == "CONFIG_CMDLINE_OVERWRITE=y"),
            "conf keeps CMDLINE_OVERWRITE in {name}"
        );
        let (ours, _) = run_target(&k, Target::DefConfig, Some(&text));
        assert!(
            config_body(&ours) == config_body(&theirs),
            "6.1 sh {name}:\n{}",
            first_differences(config_body(&ours), config_body(&theirs), 8)
        );
    }
}

#[test]
fn x86_64_matches_conf() {
    let mut failures = check("6.12", "x86_64");
    failures.extend(check("6.1", "x86_64"));
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn arm64_matches_conf() {
    let mut failures = check("6.12", "arm64");
    failures.extend(check("6.1", "arm64"));
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Linux 6.1 mips, randconfig seed 15: the "CPU type" choice holds `CPU_LOONGSON64` and, right
/// after it, `LOONGSON3_ENHANCEMENT` (`depends on CPU_LOONGSON64`). 6.1's `menu_finalize` moves
/// such a dependent entry into the member's automatic submenu, so it is not a choice value; the
/// randconfig sets both to `y`, and treating `LOONGSON3_ENHANCEMENT=y` as the user's choice
/// wrote `# CONFIG_CPU_LOONGSON64 is not set` and dropped `64BIT` where conf keeps them.
#[test]
fn mips_6_1_dependent_entry_in_choice_is_not_a_choice_value() {
    let t = tree("6.1");
    let o = oracle("6.1", "mips");
    let model = parse_tree(t.root(), "mips", ShellMode::Run);
    assert_eq!(model.error_count(), 0, "{:?}", model.diagnostics.first());
    let k = Kconfig::new(&model);
    let member = |name: &str| {
        let n = k.find(name).unwrap_or_else(|| panic!("{name} is defined"));
        k.symbol(n).member_of.is_some()
    };
    assert!(member("CPU_LOONGSON64"));
    assert!(member("CPU_R4X00"));
    assert!(!member("LOONGSON3_ENHANCEMENT"));
    assert!(!member("CPU_LOONGSON3_WORKAROUNDS"));

    let rand = o.randconfig(15).unwrap().value;
    for line in [
        "CONFIG_MACH_LOONGSON64=y",
        "CONFIG_CPU_LOONGSON64=y",
        "CONFIG_LOONGSON3_ENHANCEMENT=y",
    ] {
        assert!(rand.lines().any(|l| l == line), "randconfig 15 sets {line}");
    }
    let theirs = o.olddefconfig(&rand).unwrap().value;
    let (ours, _) = run_target(&k, Target::OldDefConfig, Some(&rand));
    for line in ["CONFIG_CPU_LOONGSON64=y", "CONFIG_64BIT=y"] {
        assert!(theirs.lines().any(|l| l == line), "conf keeps {line}");
        assert!(ours.lines().any(|l| l == line), "we keep {line}");
    }
    assert!(
        config_body(&ours) == config_body(&theirs),
        "6.1 mips olddefconfig(randconfig 15):\n{}",
        first_differences(config_body(&ours), config_body(&theirs), 8)
    );
}
