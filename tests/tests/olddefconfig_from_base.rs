//! `solver::dotconfig::OldDefConfig` computes again only what a configuration's differences
//! from a base can reach; what it writes must be what a full `olddefconfig` writes (which the
//! conformance tests hold equal to the kernel's own conf), byte for byte, whatever the
//! differences: a few flipped values, hundreds, values of int/hex/string symbols, lines
//! removed, choice members moved, or a different configuration altogether. CI checks a sample;
//! `KPOSSIBLE_FULL=1` widens it.

use kconfig_parser::ShellMode;
use kpossible_tests::configs::{first_differences, flip_values};
use kpossible_tests::parse_kconfig as parse_tree;
use kpossible_tests::tree;
use solver::dotconfig::OldDefConfig;
use solver::{Kconfig, Target, run_target};

fn full() -> bool {
    std::env::var_os("KPOSSIBLE_FULL").is_some()
}

/// `config` with every `step`-th line that sets an int or hex symbol given `value`, and every
/// `step`-th string symbol given `"kpossible"`.
fn change_numbers_and_strings(config: &str, step: usize, value: &str) -> String {
    let mut out = String::new();
    let (mut numbers, mut strings) = (0, 0);
    for line in config.lines() {
        let Some((name, v)) = line
            .strip_prefix("CONFIG_")
            .and_then(|rest| rest.split_once('='))
        else {
            out.push_str(line);
            out.push('\n');
            continue;
        };
        if v.starts_with('"') {
            strings += 1;
            if strings % step == 0 {
                out.push_str(&format!("CONFIG_{name}=\"kpossible\"\n"));
                continue;
            }
        } else if !matches!(v, "y" | "m") {
            numbers += 1;
            if numbers % step == 0 {
                out.push_str(&format!("CONFIG_{name}={value}\n"));
                continue;
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// `config` without every `step`-th `CONFIG_` or `is not set` line (those symbols then have no
/// user value).
fn drop_lines(config: &str, step: usize) -> String {
    let mut n = 0;
    let mut out = String::new();
    for line in config.lines() {
        if line.starts_with("CONFIG_") || line.starts_with("# CONFIG_") {
            n += 1;
            if n % step == 0 {
                continue;
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// `config` with the lines of the symbols `names` moved to the end, in their order: 6.12's
/// choice priority follows the order members are read in.
fn move_to_end(config: &str, names: &[&str]) -> String {
    let mut kept = String::new();
    let mut moved = String::new();
    for line in config.lines() {
        let is_named = names.iter().any(|n| {
            line.strip_prefix("CONFIG_")
                .and_then(|r| r.split_once('='))
                .is_some_and(|(name, _)| name == *n)
                || line == format!("# CONFIG_{n} is not set")
        });
        let target = if is_named { &mut moved } else { &mut kept };
        target.push_str(line);
        target.push('\n');
    }
    kept + &moved
}

fn check(version: &str, arch: &str) -> usize {
    let t = tree(version);
    let model = parse_tree(t.root(), arch, ShellMode::Run);
    assert_eq!(model.error_count(), 0, "{version} {arch}: parse errors");
    let k = Kconfig::new(&model);
    let (allmod, _) = run_target(&k, Target::AllModConfig, None);
    let (allyes, _) = run_target(&k, Target::AllYesConfig, None);
    let (alldef, _) = run_target(&k, Target::AllDefConfig, None);
    let base = OldDefConfig::new(&k, &allmod);
    let mut inputs: Vec<(String, String)> = vec![
        ("the base itself".into(), allmod.clone()),
        ("allyesconfig".into(), allyes.clone()),
        ("alldefconfig".into(), alldef),
        ("an empty file".into(), String::new()),
        (
            "ints and hexes at 1, strings changed".into(),
            change_numbers_and_strings(&allmod, 3, "1"),
        ),
        (
            "ints and hexes at 0x10".into(),
            change_numbers_and_strings(&allmod, 2, "0x10"),
        ),
        ("every 7th line dropped".into(), drop_lines(&allmod, 7)),
        ("every 500th line dropped".into(), drop_lines(&allmod, 500)),
    ];
    // Choice members moved: the members allyesconfig picks, read last.
    let picked: Vec<&str> = k
        .choices
        .iter()
        .flat_map(|c| c.members.iter())
        .map(|&m| k.name(m))
        .filter(|name| allyes.contains(&format!("CONFIG_{name}=y\n")))
        .collect();
    let moved = move_to_end(&allmod, &picked);
    let mut moved_yes = moved.clone();
    for name in &picked {
        moved_yes = moved_yes.replace(
            &format!("# CONFIG_{name} is not set\n"),
            &format!("CONFIG_{name}=y\n"),
        );
    }
    inputs.push(("choice members moved last".into(), moved));
    inputs.push(("choice members moved last, set".into(), moved_yes));
    let seeds = if full() { 1..=40 } else { 1..=6 };
    for seed in seeds {
        for count in [1, 3, 10, 40, 200] {
            inputs.push((
                format!("{count} values flipped (seed {seed})"),
                flip_values(&allmod, count, seed),
            ));
        }
        inputs.push((
            format!("allyesconfig with 5 values flipped (seed {seed})"),
            flip_values(&allyes, 5, seed),
        ));
    }
    let mut failures = Vec::new();
    for (what, input) in &inputs {
        let (full, _) = run_target(&k, Target::OldDefConfig, Some(input));
        let ours = base.run(input);
        if ours != full {
            failures.push(format!(
                "{version} {arch}, from allmodconfig, {what}:\n{}",
                first_differences(&ours, &full, 8)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    inputs.len()
}

#[test]
fn same_output_as_a_full_olddefconfig_6_12() {
    let arches: &[&str] = if full() {
        &[
            "x86_64", "i386", "arm64", "arm", "sh", "mips", "powerpc", "s390",
        ]
    } else {
        &["x86_64", "arm", "sh"]
    };
    for arch in arches {
        let n = check("6.12", arch);
        eprintln!("6.12 {arch}: {n} configurations, outputs identical");
    }
}

#[test]
fn same_output_as_a_full_olddefconfig_6_1() {
    // 6.1's choices (tristate, optional; `set_all_choice_values`) behave differently.
    let arches: &[&str] = if full() {
        &["x86_64", "arm64", "arm", "sh", "mips", "powerpc"]
    } else {
        &["x86_64", "arm"]
    };
    for arch in arches {
        let n = check("6.1", arch);
        eprintln!("6.1 {arch}: {n} configurations, outputs identical");
    }
}
