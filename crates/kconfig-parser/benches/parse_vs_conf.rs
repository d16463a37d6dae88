//! One-run benchmark: parsing and preprocessing every Kconfig file of x86 (ARCH=x86_64) of
//! Linux 6.12 with `$(shell,...)` recorded, not run, against the tree's own `conf` doing
//! `olddefconfig` through make, with its toolchain probes taken out of its time.
//!
//! How the probes are taken out: `benches/conf_timer.c` is compiled and LD_PRELOADed into
//! the make run; in the `conf` process only, it interposes `popen()`/`pclose()` and sums the
//! wall time from each popen() to its pclose(), i.e. everything one `$(shell,...)` costs
//! (fork, `/bin/sh`, the compiler, reading the output). conf's parse + evaluate time is its
//! wall time minus that sum; its own CPU time (`RUSAGE_SELF`, which excludes children) is
//! printed as a cross-check. Machines are shared and noisy, so both sides run in the same
//! process, several times, and medians are compared.
//!
//! `cargo bench -p kconfig-parser --bench parse_vs_conf` (KP_BENCH_TREE=6.1 for the other
//! tree). The first run builds conf (about 15 s). This is the parser alone: the comparison of
//! the same work on both sides, our parse and evaluation against conf with its probes
//! replayed, is `cargo bench -p kpossible-tests --bench kconfig_vs_conf` (and
//! `scripts/bench`).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

#[path = "../tests/tree_env/mod.rs"]
mod tree_env;
use kconfig_parser::ShellMode;
use tree_env::parse_tree;

/// This process's user + system CPU seconds, from `/proc/self/stat` (clock ticks of 1/100 s).
fn self_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    // After the command name: state is field 3 (index 0 here), utime 14 and stime 15.
    (tick(11) + tick(12)) / 100.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let version = std::env::var("KP_BENCH_TREE").unwrap_or_else(|_| "6.12".to_string());
    let arch = "x86_64";
    let tree = ktree::Tree::open(&ktree::tree_path(&ktree::cache_dir(), &version))
        .expect("kernel tree (kpossible fetch)");
    let root = tree.root();

    // Ours: one warm-up, then 15 runs.
    let _ = parse_tree(root, arch, ShellMode::Record);
    let mut ours = Vec::new();
    let mut stats = None;
    let cpu_before = self_cpu();
    for _ in 0..15 {
        let t = Instant::now();
        let model = parse_tree(root, arch, ShellMode::Record);
        ours.push(t.elapsed().as_secs_f64());
        assert_eq!(model.error_count(), 0);
        stats = Some(model.stats());
    }
    let stats = stats.unwrap();
    let ours_cpu_ms = (self_cpu() - cpu_before) / ours.len() as f64 * 1e3;

    // conf, through make, as the oracle runs it.
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("conf-bench-{version}-{arch}"));
    std::fs::create_dir_all(&tmp).unwrap();
    let shim = tmp.join("conf_timer.so");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/conf_timer.c");
    let ok = Command::new("gcc")
        .args(["-shared", "-fPIC", "-O2", "-o"])
        .arg(&shim)
        .arg(&src)
        .arg("-ldl")
        .status()
        .unwrap();
    assert!(ok.success(), "compiling the timing shim failed");
    let build = tmp.join("build");
    std::fs::create_dir_all(&build).unwrap();
    let oracle = oracle::Oracle::new(&tree, arch, &ktree::cache_dir()).unwrap();
    let input = oracle.allyesconfig().unwrap().value;
    let make = |preload: bool, out: &Path| {
        std::fs::write(build.join(".config"), &input).unwrap();
        let mut cmd = Command::new("make");
        cmd.arg("-s")
            .arg("-C")
            .arg(root)
            .arg(format!("O={}", build.display()))
            .arg(format!("ARCH={arch}"));
        cmd.arg("olddefconfig").stdout(std::process::Stdio::null());
        if preload {
            cmd.env("LD_PRELOAD", &shim).env("CONF_TIMER_OUT", out);
        }
        let t = Instant::now();
        let st = cmd.status().unwrap();
        assert!(st.success(), "make olddefconfig failed");
        t.elapsed().as_secs_f64()
    };
    let report = tmp.join("timer.txt");
    let _ = std::fs::remove_file(&report);
    make(false, &report); // builds conf the first time
    let mut make_wall = Vec::new();
    for _ in 0..3 {
        make_wall.push(make(true, &report));
    }
    let lines = std::fs::read_to_string(&report).unwrap();
    let mut conf_wall = Vec::new();
    let mut probe_wall = Vec::new();
    let mut conf_cpu = Vec::new();
    let mut probes = 0;
    for l in lines.lines() {
        let f: Vec<&str> = l.split_whitespace().collect();
        conf_wall.push(f[1].parse::<f64>().unwrap());
        probe_wall.push(f[3].parse::<f64>().unwrap());
        probes = f[5].parse::<u32>().unwrap();
        conf_cpu.push(f[7].parse::<f64>().unwrap());
    }
    let net: Vec<f64> = conf_wall
        .iter()
        .zip(&probe_wall)
        .map(|(w, p)| w - p)
        .collect();
    let (ours_ms, net_ms) = (median(ours.clone()) * 1e3, median(net) * 1e3);
    println!(
        "tree {version} ARCH={arch}: {} files, {} entries, {} symbols, {} shell calls recorded",
        stats.files, stats.entries, stats.symbols, stats.shell_calls
    );
    println!(
        "ours  parse+preprocess (record mode): median {ours_ms:.1} ms, min {:.1} ms over {} runs (own CPU time {ours_cpu_ms:.0} ms per run)",
        ours.iter().cloned().fold(f64::MAX, f64::min) * 1e3,
        ours.len()
    );
    println!(
        "conf  make olddefconfig wall:          median {:.0} ms",
        median(make_wall) * 1e3
    );
    println!(
        "conf  process wall:                    median {:.0} ms",
        median(conf_wall) * 1e3
    );
    println!(
        "conf  {probes} probes (popen..pclose):       median {:.0} ms",
        median(probe_wall) * 1e3
    );
    println!(
        "conf  parse+evaluate = wall - probes:  median {net_ms:.0} ms (own CPU time {:.0} ms)",
        median(conf_cpu.clone()) * 1e3
    );
    println!(
        "ratio conf parse+evaluate / ours parse only: {:.1}x wall (medians), {:.1}x CPU time \
         (ours with evaluation: cargo bench -p kpossible-tests --bench kconfig_vs_conf)",
        net_ms / ours_ms,
        median(conf_cpu) * 1e3 / ours_cpu_ms
    );
}
