//! The full Kconfig conformance sweep (issue 5): for each tree and arch, our `.config` against
//! the tree's own `conf` for allnoconfig, allyesconfig, allmodconfig, defconfig, and
//! olddefconfig of randconfigs 1..=SEEDS, each also with 20 values flipped. Prints a markdown
//! table; mismatches go to stderr with their first differing lines.
//!
//! usage: kconfig-sweep [SEEDS] [VERSION,...] [ARCH,...]
//! (defaults: 100; 6.1,6.12; x86_64,i386,arm64,arm,riscv,powerpc,s390,mips,loongarch)
//!
//! With `KP_PROBE_MEMO=/path/to/probe-memo`, conf runs with `CC="probe-memo gcc"`, which
//! replays each distinct gcc probe after its first run (see `probe-memo`); its results live
//! in their own oracle directory, so they can be compared with plain runs.

use std::time::Instant;

use kconfig_parser::ShellMode;
use kpossible_tests::configs::{first_differences, flip_values};
use kpossible_tests::parse_kconfig as parse_tree;
use kpossible_tests::{oracle, tree};
use oracle::config_body;
use solver::{Kconfig, Target, run_target};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seeds: u64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(100);
    let versions: Vec<String> = args.get(1).map_or_else(
        || vec!["6.1".into(), "6.12".into()],
        |s| s.split(',').map(String::from).collect(),
    );
    let arches: Vec<String> = args.get(2).map_or_else(
        || {
            "x86_64,i386,arm64,arm,riscv,powerpc,s390,mips,loongarch"
                .split(',')
                .map(String::from)
                .collect()
        },
        |s| s.split(',').map(String::from).collect(),
    );
    println!(
        "| tree | ARCH | allno | allyes | allmod | defconfig | olddefconfig(randconfig) | olddefconfig(randconfig + 20 flips) | seconds |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let mut total_fail = 0;
    for version in &versions {
        for arch in &arches {
            let start = Instant::now();
            let t = tree(version);
            let o = match std::env::var("KP_PROBE_MEMO") {
                Ok(memo) => {
                    let cc = format!("{memo} gcc");
                    oracle::Oracle::with_pins(&t, arch, &ktree::cache_dir(), &[("CC", &cc)])
                        .unwrap_or_else(|e| panic!("oracle {version} {arch}: {e}"))
                }
                Err(_) => oracle(version, arch),
            };
            let model = parse_tree(t.root(), arch, ShellMode::Run);
            if model.error_count() > 0 {
                println!(
                    "| {version} | {arch} | parse errors: {} | | | | | | |",
                    model.error_count()
                );
                total_fail += 1;
                continue;
            }
            let k = Kconfig::new(&model);
            let cell = |name: &str, ours: &str, theirs: &str| -> bool {
                let ok = config_body(ours) == config_body(theirs);
                if !ok {
                    eprintln!(
                        "MISMATCH {version} {arch} {name}:\n{}",
                        first_differences(config_body(ours), config_body(theirs), 6)
                    );
                }
                ok
            };
            let mut row = Vec::new();
            for target in [
                Target::AllNoConfig,
                Target::AllYesConfig,
                Target::AllModConfig,
            ] {
                let theirs = match target {
                    Target::AllNoConfig => o.allnoconfig(),
                    Target::AllYesConfig => o.allyesconfig(),
                    _ => o.allmodconfig(),
                };
                let text = match theirs {
                    Ok(c) => {
                        let (ours, _) = run_target(&k, target, None);
                        if cell(&format!("{target:?}"), &ours, &c.value) {
                            "ok"
                        } else {
                            "DIFF"
                        }
                    }
                    Err(_) => "conf failed",
                };
                row.push(text.to_string());
            }
            row.push(match o.defconfig() {
                Ok(c) => {
                    let (ours, _) = run_target(&k, Target::OldDefConfig, Some(&c.value));
                    (if cell("defconfig", &ours, &c.value) {
                        "ok"
                    } else {
                        "DIFF"
                    })
                    .to_string()
                }
                Err(_) => "conf failed".to_string(),
            });
            let (mut plain, mut flipped, mut n) = (0, 0, 0);
            for seed in 1..=seeds {
                let Ok(rand) = o.randconfig(seed) else {
                    continue;
                };
                n += 1;
                // conf's own olddefconfig of its randconfig, not the randconfig itself: the
                // two differ where randconfig leaves a value olddefconfig would recompute.
                if let Ok(theirs) = o.olddefconfig(&rand.value) {
                    let (ours, _) = run_target(&k, Target::OldDefConfig, Some(&rand.value));
                    plain += usize::from(cell(&format!("randconfig {seed}"), &ours, &theirs.value));
                }
                let input = flip_values(&rand.value, 20, seed);
                if let Ok(theirs) = o.olddefconfig(&input) {
                    let (ours, _) = run_target(&k, Target::OldDefConfig, Some(&input));
                    flipped += usize::from(cell(
                        &format!("randconfig {seed} + flips"),
                        &ours,
                        &theirs.value,
                    ));
                }
            }
            total_fail += row.iter().filter(|c| *c != "ok").count() + (n - plain) + (n - flipped);
            println!(
                "| {version} | {arch} | {} | {} | {} | {} | {plain}/{n} | {flipped}/{n} | {:.0} |",
                row[0],
                row[1],
                row[2],
                row[3],
                start.elapsed().as_secs_f64()
            );
        }
    }
    eprintln!("mismatches: {total_fail}");
    std::process::exit(i32::from(total_fail > 0));
}
