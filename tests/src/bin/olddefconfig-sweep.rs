//! `kpossible config olddefconfig` against plain `make olddefconfig`, same machine, same
//! environment (no pins: the tools are what `PATH` finds), on Debian's own configurations of
//! a tree (`ktree::distro_configs`) and every Nth `arch/*/configs/*` file (sorted by path).
//!
//! usage: olddefconfig-sweep VERSION [N]   (N defaults to 10; 0: Debian's configs only)
//! Prints one line per input (`same` or `DIFF` with the first differing lines) and a total;
//! exits non-zero when any output differs or a run fails.

use std::collections::BTreeMap;
use std::path::PathBuf;

use kconfig_parser::ShellMode;
use solver::{Kconfig, Target};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(version) = args.first() else {
        eprintln!("usage: olddefconfig-sweep VERSION [N]");
        std::process::exit(2);
    };
    let every: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(10);
    let tree = kpossible_tests::tree(version);
    let cache = ktree::cache_dir();
    // (ARCH, label, file) grouped by ARCH so that each arch is parsed once.
    let mut inputs: BTreeMap<String, Vec<(String, PathBuf)>> = BTreeMap::new();
    for (flavour, path) in ktree::distro_configs(&cache, version).unwrap_or_default() {
        if let Some(arch) = ktree::debian_kernel_arch(&flavour) {
            inputs
                .entry(arch.to_string())
                .or_default()
                .push((format!("debian {flavour}"), path));
        }
    }
    if every > 0 {
        let mut files: Vec<PathBuf> = Vec::new();
        for srcarch in tree.srcarches().expect("arch/") {
            let dir = tree.root().join("arch").join(&srcarch).join("configs");
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut here: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            here.sort();
            files.extend(here);
        }
        for path in files.into_iter().step_by(every) {
            let rel = path
                .strip_prefix(tree.root())
                .unwrap_or(&path)
                .display()
                .to_string();
            let srcarch = rel.split('/').nth(1).unwrap_or_default().to_string();
            inputs.entry(srcarch).or_default().push((rel, path));
        }
    }
    let (mut same, mut differ, mut failed) = (0, 0, 0);
    for (arch, files) in &inputs {
        let oracle = kpossible_tests::oracle(version, arch);
        let mut model = kpossible_tests::parse_kconfig(tree.root(), arch, ShellMode::Run);
        if model.error_count() > 0 {
            println!("{version} {arch}: Kconfig errors: {}", model.error_count());
            failed += files.len();
            continue;
        }
        let kconfig = Kconfig::take_from(&mut model);
        for (label, path) in files {
            let input = String::from_utf8_lossy(&std::fs::read(path).expect("input")).into_owned();
            let (ours, _) = solver::run_target(&kconfig, Target::OldDefConfig, Some(&input));
            let real = match oracle.olddefconfig(&input) {
                Ok(call) => call.value,
                Err(e) => {
                    println!("{version} {arch} {label}: make failed: {e}");
                    failed += 1;
                    continue;
                }
            };
            let (a, b) = (oracle::config_body(&ours), oracle::config_body(&real));
            if a == b {
                same += 1;
                println!("{version} {arch} {label}: same");
            } else {
                differ += 1;
                let mut lines: Vec<String> = Vec::new();
                let ours_set: std::collections::BTreeSet<&str> = a.lines().collect();
                let real_set: std::collections::BTreeSet<&str> = b.lines().collect();
                for l in real_set.difference(&ours_set).take(4) {
                    lines.push(format!("make: {l}"));
                }
                for l in ours_set.difference(&real_set).take(4) {
                    lines.push(format!("ours: {l}"));
                }
                println!("{version} {arch} {label}: DIFF {}", lines.join(" | "));
            }
        }
    }
    println!("{version}: {same} same, {differ} different, {failed} failed");
    if differ + failed > 0 {
        std::process::exit(1);
    }
}
