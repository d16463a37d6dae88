//! Kconfig parse + olddefconfig against the tree's own `conf`, probes excluded: the
//! measurement of `scripts/bench`'s Kconfig tables (`peer-bench conf`), on each arch's
//! defconfig as `kpossible config defconfig` writes it, without the rest of the bench (no
//! peers to install, no kmax).
//!
//! `cargo bench -p kpossible-tests --bench kconfig_vs_conf`; `KP_BENCH_TREE=6.1` for the
//! other tree, `KP_BENCH_ROUNDS=N` for more rounds (default 5). The first run builds conf.

use std::path::Path;
use std::process::Command;

use kconfig_parser::ShellMode;
use kpossible_tests::parse_kconfig as parse_tree;
use serde_json::Value;
use solver::{Kconfig, Target};

fn main() {
    let version = std::env::var("KP_BENCH_TREE").unwrap_or_else(|_| "6.12".to_string());
    let rounds = std::env::var("KP_BENCH_ROUNDS").unwrap_or_else(|_| "5".to_string());
    let tree = kpossible_tests::tree(&version);
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("kconfig-vs-conf-{version}"));
    println!(
        "Kconfig parse + olddefconfig of each arch's defconfig, probes excluded, {rounds} rounds (tree {})",
        tree.version()
    );
    println!("ARCH     kpossible CPU  conf CPU  faster by (CPU)  range over the rounds  output");
    for arch in ["x86_64", "arm64"] {
        let dir = out.join(arch);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        // The input: the arch's defconfig file brought to a full .config (`kpossible config
        // defconfig`, which equals `make defconfig`).
        let defconfig = tree
            .defconfig_file(arch)
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("no defconfig file for ARCH={arch}"));
        let defconfig = std::fs::read_to_string(&defconfig)
            .unwrap_or_else(|e| panic!("{}: {e}", defconfig.display()));
        let model = parse_tree(tree.root(), arch, ShellMode::Run);
        let (input, _) =
            solver::run_target(&Kconfig::new(&model), Target::DefConfig, Some(&defconfig));
        let input_path = dir.join("in.config");
        std::fs::write(&input_path, input)
            .unwrap_or_else(|e| panic!("{}: {e}", input_path.display()));
        let run = Command::new(env!("CARGO_BIN_EXE_peer-bench"))
            .arg("conf")
            .arg(&version)
            .arg(arch)
            .arg(&input_path)
            .arg(dir.join("split"))
            .arg(&rounds)
            .output()
            .expect("peer-bench");
        assert!(
            run.status.success(),
            "peer-bench conf {arch}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let r: Value = serde_json::from_slice(&run.stdout).expect("peer-bench's JSON");
        let f = |k: &str| r[k].as_f64().unwrap_or(f64::NAN);
        let per_round: Vec<f64> = r["ratio_cpu_rounds"]
            .as_array()
            .map(|v| v.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default();
        let (lo, hi) = per_round
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)));
        println!(
            "{arch:<8} {:>10.1} ms {:>6.0} ms {:>15.1}x {:>13.1}x-{:.1}x  {}",
            f("ours_cpu_s") * 1e3,
            f("conf_cpu_s") * 1e3,
            f("ratio_cpu_median"),
            lo,
            hi,
            if r["identical"].as_bool() == Some(true) {
                "identical"
            } else {
                "DIFFERS"
            }
        );
    }
}
