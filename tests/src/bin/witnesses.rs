//! Witness sweep (issue 7): "yes" answers sampled from kpossible's analysis of each tree/arch,
//! each confirmed by the kernel's own tools: the real conf's `olddefconfig` leaves the witness
//! `.config` unchanged, and real make (walking only the paths to the sampled objects' directories)
//! puts the object into the module we named. Every witness that is not allmodconfig is checked
//! (up to the per-arch budget), then allmodconfig answers fill the sample. Prints one markdown
//! row per tree/arch and every failure; exits non-zero on any.
//!
//! usage: witnesses [PER_ARCH] [WITNESSES] [VERSION,...] [ARCH,...]
//!   PER_ARCH answers per tree/arch (default 45), of which those of the first WITNESSES distinct
//!   non-allmodconfig witnesses (default 8); defaults 6.1,6.12 and x86_64,arm64,arm,riscv,powerpc,s390.

use std::collections::BTreeMap;
use std::sync::Arc;

use solver::arch::analyze;
use solver::possibility::Verdict;

fn main() {
    let arg = |i: usize| std::env::args().nth(i);
    let per_arch: usize = arg(1).and_then(|s| s.parse().ok()).unwrap_or(45);
    let distinct: usize = arg(2).and_then(|s| s.parse().ok()).unwrap_or(8);
    let split = |s: String| -> Vec<String> { s.split(',').map(String::from).collect() };
    let versions = arg(3).map_or_else(|| split("6.1,6.12".into()), split);
    let arches = arg(4).map_or_else(
        || split("x86_64,arm64,arm,riscv,powerpc,s390".into()),
        split,
    );
    let mut failures = 0usize;
    let mut total = 0usize;
    println!(
        "| tree | ARCH | yes answers | sampled | distinct witnesses | confirmed by conf + make | failures | seconds |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for version in &versions {
        let t = kpossible_tests::tree(version);
        for arch in &arches {
            let start = std::time::Instant::now();
            let Ok(Some(variant)) = t.arch(arch) else {
                eprintln!("{version}: no arch {arch}");
                continue;
            };
            let report = analyze(t.root(), arch, &variant.srcarch, None);
            // Witness config -> the sampled objects it answers, with our module names.
            // (origin, [(object, modules)]) per witness config.
            type Answered = (&'static str, Vec<(String, Vec<String>)>);
            let mut by_witness: BTreeMap<Arc<String>, Answered> = BTreeMap::new();
            let mut yes = 0;
            let mut allmod: Vec<(&String, &Vec<String>, &Arc<String>)> = Vec::new();
            for (obj, v) in &report.verdicts {
                let Verdict::Yes { modules, witness } = v else {
                    continue;
                };
                yes += 1;
                if witness.origin == "allmodconfig" {
                    allmod.push((obj, modules, &witness.config));
                } else if by_witness.len() < distinct || by_witness.contains_key(&witness.config) {
                    by_witness
                        .entry(witness.config.clone())
                        .or_insert((witness.origin, Vec::new()))
                        .1
                        .push((obj.clone(), modules.clone()));
                }
            }
            let sampled_sat: usize = by_witness.values().map(|(_, v)| v.len()).sum();
            // Fill the rest of the sample evenly from the allmodconfig answers.
            let room = per_arch.saturating_sub(sampled_sat).max(1);
            let step = (allmod.len() / room).max(1);
            for (obj, modules, config) in allmod.iter().step_by(step).take(room) {
                by_witness
                    .entry((*config).clone())
                    .or_insert(("allmodconfig", Vec::new()))
                    .1
                    .push(((*obj).clone(), (*modules).clone()));
            }
            let o = kpossible_tests::oracle(version, arch);
            let (mut sampled, mut confirmed, mut bad) = (0, 0, 0);
            for (config, (origin, objects)) in &by_witness {
                sampled += objects.len();
                let mut fail = |why: String| {
                    bad += 1;
                    eprintln!("FAILURE {version} {arch} ({origin} witness): {why}");
                };
                match o.olddefconfig(config) {
                    Ok(real) if oracle::config_body(&real.value) == oracle::config_body(config) => {
                    }
                    Ok(real) => {
                        let ours = oracle::config_body(config);
                        let diff: Vec<&str> = oracle::config_body(&real.value)
                            .lines()
                            .filter(|l| !ours.lines().any(|m| m == *l))
                            .take(5)
                            .collect();
                        for (obj, _) in objects {
                            fail(format!(
                                "{obj}: the real olddefconfig changes the witness: {diff:?}"
                            ));
                        }
                        continue;
                    }
                    Err(e) => {
                        for (obj, _) in objects {
                            fail(format!("{obj}: real conf failed: {e}"));
                        }
                        continue;
                    }
                }
                // The object's directory and each named module's: a composite's Makefile may
                // list members elsewhere (amdgpu's `../pm/` objects).
                let dirs: Vec<&str> = objects
                    .iter()
                    .flat_map(|(obj, modules)| std::iter::once(obj).chain(modules))
                    .map(|p| p.rsplit_once('/').map_or("", |(d, _)| d))
                    .collect();
                let walk = o.kbuild_lists_within(config, &dirs);
                let lists = match walk {
                    Ok(w) => w.value,
                    Err(e) => {
                        for (obj, _) in objects {
                            fail(format!("{obj}: real make failed: {e}"));
                        }
                        continue;
                    }
                };
                for (obj, ours) in objects {
                    // Every module real make links it into, against the ones we named.
                    let mut real: Vec<&str> = lists
                        .modules
                        .iter()
                        .filter(|m| m.objects.iter().any(|o| o == obj))
                        .map(|m| m.name.as_str())
                        .collect();
                    real.sort();
                    let mut named: Vec<&str> = ours.iter().map(String::as_str).collect();
                    named.sort();
                    if real.is_empty() {
                        fail(format!(
                            "{obj}: real make puts it in no module (we named {named:?})"
                        ));
                    } else if real != named {
                        fail(format!(
                            "{obj}: real make puts it in {real:?}, we named {named:?}"
                        ));
                    } else {
                        confirmed += 1;
                    }
                }
            }
            failures += bad;
            total += sampled;
            println!(
                "| {version} | {arch} | {yes} | {sampled} | {} | {confirmed} | {bad} | {:.0} |",
                by_witness.len(),
                start.elapsed().as_secs_f64()
            );
        }
    }
    eprintln!("witnesses checked: {total}, failures: {failures}");
    std::process::exit(i32::from(failures > 0));
}
