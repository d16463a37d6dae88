//! The full Kconfig conformance sweep (issue 5): for each tree and arch, our `.config` against
//! the tree's own `conf` for allnoconfig, allyesconfig, allmodconfig, alldefconfig, defconfig
//! (from the arch's defconfig file), olddefconfig of conf's allyesconfig, the defconfig files
//! named in `KP_SWEEP_DEFCONFIGS`, and olddefconfig of randconfigs 1..=SEEDS, each also with
//! 20 values flipped. `KP_SWEEP_IGNORE=A,B` leaves the lines of symbols A and B out of
//! the comparison. Prints a markdown
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
        "| tree | ARCH | allno | allyes | allmod | alldef | defconfig | olddefconfig(allyes) | named defconfigs | olddefconfig(randconfig) | olddefconfig(randconfig + 20 flips) | seconds |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    // `KP_SWEEP_IGNORE=PAHOLE_VERSION,...`: symbols whose lines are left out on both sides
    // (values the environment gives conf and us differently, e.g. while `make` and
    // kpossible disagree on what the top Makefile exports); a difference they cause
    // elsewhere still shows.
    let ignored: Vec<String> = std::env::var("KP_SWEEP_IGNORE")
        .map(|v| {
            v.split(',')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
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
                    "| {version} | {arch} | parse errors: {} | | | | | | | | | |",
                    model.error_count()
                );
                total_fail += 1;
                continue;
            }
            let k = Kconfig::new(&model);
            let cell = |name: &str, ours: &str, theirs: &str| -> bool {
                let (ours, theirs) = (
                    without_ignored(config_body(ours), &ignored),
                    without_ignored(config_body(theirs), &ignored),
                );
                let ok = ours == theirs;
                if !ok {
                    eprintln!(
                        "MISMATCH {version} {arch} {name}:\n{}",
                        first_differences(&ours, &theirs, 6)
                    );
                }
                ok
            };
            let mut row = Vec::new();
            let cell_of = |name: &str,
                           theirs: oracle::Result<oracle::Call<String>>,
                           target: Target,
                           input: Option<&str>|
             -> String {
                match theirs {
                    Ok(c) => {
                        let (ours, _) = run_target(&k, target, input);
                        if cell(name, &ours, &c.value) {
                            "ok"
                        } else {
                            "DIFF"
                        }
                        .to_string()
                    }
                    Err(_) => "conf failed".to_string(),
                }
            };
            row.push(cell_of(
                "allnoconfig",
                o.allnoconfig(),
                Target::AllNoConfig,
                None,
            ));
            row.push(cell_of(
                "allyesconfig",
                o.allyesconfig(),
                Target::AllYesConfig,
                None,
            ));
            row.push(cell_of(
                "allmodconfig",
                o.allmodconfig(),
                Target::AllModConfig,
                None,
            ));
            row.push(cell_of(
                "alldefconfig",
                o.alldefconfig(),
                Target::AllDefConfig,
                None,
            ));
            // `make defconfig`: conf reads the arch's defconfig file.
            let file = t.defconfig_file(arch).ok().flatten();
            let text = file.and_then(|f| std::fs::read_to_string(f).ok());
            row.push(match text {
                Some(text) => cell_of("defconfig", o.defconfig(), Target::DefConfig, Some(&text)),
                None => "no file".to_string(),
            });
            // olddefconfig of conf's own allyesconfig.
            row.push(match o.allyesconfig() {
                Ok(all) => cell_of(
                    "olddefconfig(allyesconfig)",
                    o.olddefconfig(&all.value),
                    Target::OldDefConfig,
                    Some(&all.value),
                ),
                Err(_) => "conf failed".to_string(),
            });
            // Named defconfig files: `KP_SWEEP_DEFCONFIGS=a_defconfig,b_defconfig`.
            let named: Vec<String> = std::env::var("KP_SWEEP_DEFCONFIGS")
                .map(|v| {
                    v.split(',')
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default();
            let srcarch = t
                .arch(arch)
                .ok()
                .flatten()
                .map_or_else(|| arch.to_string(), |v| v.srcarch);
            let (mut named_ok, mut named_n) = (0, 0);
            for name in &named {
                let path = t
                    .root()
                    .join("arch")
                    .join(&srcarch)
                    .join("configs")
                    .join(name);
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                named_n += 1;
                named_ok += usize::from(
                    cell_of(
                        name,
                        o.named_defconfig(name),
                        Target::DefConfig,
                        Some(&text),
                    ) == "ok",
                );
            }
            total_fail += named_n - named_ok;
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
                "| {version} | {arch} | {} | {named_ok}/{named_n} | {plain}/{n} | {flipped}/{n} | {:.0} |",
                row.join(" | "),
                start.elapsed().as_secs_f64()
            );
        }
    }
    eprintln!("mismatches: {total_fail}");
    std::process::exit(i32::from(total_fail > 0));
}

/// `body` without the lines of the symbols in `ignored` (`CONFIG_X=...`, `# CONFIG_X is not
/// set`).
fn without_ignored(body: &str, ignored: &[String]) -> String {
    body.split_inclusive('\n')
        .filter(|l| {
            let l = l.strip_prefix("# ").unwrap_or(l);
            let name = l
                .strip_prefix("CONFIG_")
                .and_then(|r| r.split(['=', ' ']).next())
                .unwrap_or("");
            !ignored.iter().any(|i| i == name)
        })
        .collect()
}
