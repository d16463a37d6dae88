//! The Rust side of `scripts/bench`: what needs kpossible's libraries or the oracle crate in
//! one process. Every subcommand prints one JSON object on stdout; `scripts/bench` collects
//! them into `docs/benchmarks.md`.
//!
//! - `conf VERSION ARCH INPUT OUTDIR RUNS`: Kconfig parse + olddefconfig of INPUT, ours
//!   against the tree's own `conf` (through `make olddefconfig`, as the oracle runs it), both
//!   with the toolchain probes taken out. Ours: parsing in record mode (no `$(shell,...)` run)
//!   plus the evaluation of the model parsed in run mode. conf: make runs it with every
//!   probe answered from a recording of an earlier run (the LD_PRELOAD shim of
//!   `crates/kconfig-parser/benches/conf_timer.c` replays popen()), so it does all of its own
//!   work and no probe; its wall and CPU time. RUNS rounds, each one run of ours then one of
//!   conf (so both meet the machine in the same state); medians, and the median of the
//!   per-round CPU ratios. Writes OUTDIR/ours.config and OUTDIR/conf.config.
//! - `distro-configs VERSION`: Debian's own configurations of VERSION for this machine's
//!   architecture (`linux-config-VERSION`, fetched once into the cache): `{"configs":
//!   {flavour: path}, "generic": {"flavour", "config", "arch"}}` (the generic one, with its
//!   kernel ARCH), empty and null when Debian has none for it.
//! - `ours VERSION ARCH INPUT RUNS`: only our side of `conf` (no make, no output files), for
//!   profiling (`perf record`) and quick before/after figures.
//! - `walk VERSION ARCH CONFIG OUT`: the real-make oracle walk of CONFIG in a fresh cache (so
//!   nothing is served from disk; conf is built before the clock starts), its lists to OUT.
//! - `compare-kbuild ORACLE_JSON OURS_JSON`: `kpossible kbuild --json` against the walk.
//! - `settle VERSION ARCH OBJECTS CONFIG...`: for each CONFIG (brought to a fixed point by the
//!   real olddefconfig, then walked by real make), where each object of the file OBJECTS (one
//!   per line) ends up: built-in, in a module, or not built.

/// The allocator the `kpossible` binary uses, so the in-process timings are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use kconfig_parser::ShellMode;
use kpossible_tests::parse_kconfig as parse_tree;
use serde_json::{Value, json};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// CPU time of the calling thread, in seconds (`CLOCK_THREAD_CPUTIME_ID`, which brings the
/// running thread's runtime up to date; the first field of `/proc/thread-self/schedstat` only
/// moves at a scheduler tick, so a 30 ms phase read as a multiple of 4 ms). kpossible parses
/// and evaluates on one thread, so this is its CPU time, comparable with conf's RUSAGE_SELF.
fn thread_cpu() -> f64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

fn tree(version: &str) -> ktree::Tree {
    kpossible_tests::tree(version)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// One round of our side of `conf`: a record-mode parse (no `$(shell,...)` run), then the
/// evaluation (`Kconfig::take_from` + olddefconfig) of the model parsed in run mode, as the
/// CLI's `config olddefconfig` does after its probes.
struct OursRound {
    parse_wall: f64,
    parse_cpu: f64,
    eval_wall: f64,
    eval_cpu: f64,
}

struct Ours {
    /// The run-mode parse (probes run), whose model every round evaluates.
    model: kconfig_parser::Model,
    /// Its expression pool, which each evaluation takes from the model.
    pool: kp_base::ExprPool,
    parse_run: f64,
    config: String,
}

impl Ours {
    fn new(tree: &ktree::Tree, arch: &str) -> Ours {
        // The run-mode parse also warms the page cache for both sides.
        let t = Instant::now();
        let model = parse_tree(tree.root(), arch, ShellMode::Run);
        let parse_run = t.elapsed().as_secs_f64();
        assert_eq!(model.error_count(), 0, "Kconfig errors on {arch}");
        Ours {
            pool: model.exprs.clone(),
            model,
            parse_run,
            config: String::new(),
        }
    }

    fn round(&mut self, tree: &ktree::Tree, arch: &str, input_text: &str) -> OursRound {
        let (t, c) = (Instant::now(), thread_cpu());
        let m = parse_tree(tree.root(), arch, ShellMode::Record);
        let (parse_wall, parse_cpu) = (t.elapsed().as_secs_f64(), thread_cpu() - c);
        drop(m);
        // What `kpossible config` does: the rules take the model's expression pool
        // (`Kconfig::take_from`), so each round gives the parsed pool back first, off the
        // clock.
        self.model.exprs = self.pool.clone();
        let (t, c) = (Instant::now(), thread_cpu());
        let k = solver::Kconfig::take_from(&mut self.model);
        let (text, _) = solver::run_target(&k, solver::Target::OldDefConfig, Some(input_text));
        let (eval_wall, eval_cpu) = (t.elapsed().as_secs_f64(), thread_cpu() - c);
        self.config = text;
        OursRound {
            parse_wall,
            parse_cpu,
            eval_wall,
            eval_cpu,
        }
    }
}

/// One round of conf's side: its process times from the shim's report (one make run may
/// start conf more than once; each process appends a line, and the round's time is their
/// sum).
struct ConfRound {
    make_wall: f64,
    wall: f64,
    probe: f64,
    cpu: f64,
    probes: u64,
}

fn conf(version: &str, arch: &str, input: &Path, outdir: &Path, runs: usize) -> Value {
    let tree = tree(version);
    let root = tree.root();
    let input_text = read(input);
    std::fs::create_dir_all(outdir).unwrap_or_else(|e| panic!("{}: {e}", outdir.display()));

    // conf through make, with the timing shim preloaded.
    let shim = outdir.join("conf_timer.so");
    let src =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/kconfig-parser/benches/conf_timer.c");
    let ok = Command::new("gcc")
        .args(["-shared", "-fPIC", "-O2", "-o"])
        .arg(&shim)
        .arg(&src)
        .arg("-ldl")
        .status()
        .expect("gcc");
    assert!(ok.success(), "compiling the timing shim failed");
    let build = outdir.join("build");
    std::fs::create_dir_all(&build).unwrap_or_else(|e| panic!("{}: {e}", build.display()));
    let report = outdir.join("timer.txt");
    // The probes' commands and outputs, recorded once and then replayed (see conf_timer.c).
    let recorded = outdir.join("probes.rec");
    let make = |shim_mode: Option<&str>| {
        write(&build.join(".config"), &input_text);
        let mut cmd = Command::new("make");
        cmd.arg("-s")
            .arg("-C")
            .arg(root)
            .arg(format!("O={}", build.display()))
            .arg(format!("ARCH={arch}"));
        cmd.arg("olddefconfig")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        if let Some(var) = shim_mode {
            cmd.env("LD_PRELOAD", &shim)
                .env("CONF_TIMER_OUT", &report)
                .env(var, &recorded);
        }
        let t = Instant::now();
        let st = cmd.status().expect("make");
        assert!(st.success(), "make olddefconfig failed");
        t.elapsed().as_secs_f64()
    };
    let conf_round_with = |run: &dyn Fn() -> f64| {
        let _ = std::fs::remove_file(&report);
        let mut r = ConfRound {
            make_wall: run(),
            wall: 0.0,
            probe: 0.0,
            cpu: 0.0,
            probes: 0,
        };
        for l in read(&report).lines() {
            let f: Vec<&str> = l.split_whitespace().collect();
            let num = |i: usize| {
                f.get(i)
                    .and_then(|x| x.parse::<f64>().ok())
                    .unwrap_or(f64::NAN)
            };
            r.wall += num(1);
            r.probe += num(3);
            r.probes += num(5) as u64;
            r.cpu += num(7);
        }
        r
    };

    let mut ours = Ours::new(&tree, arch);
    make(None); // builds conf the first time
    // One run with the probes, recording them: their number and time are reported as what
    // the measured rounds leave out.
    let _ = std::fs::remove_file(&recorded);
    let with_probes = conf_round_with(&|| make(Some("CONF_TIMER_RECORD")));
    // The two sides alternate, round by round: the machine is shared, and its speed drifts
    // over seconds (other tenants, caches), so each round's ratio compares the two under the
    // same conditions, and the median of those ratios is steadier than a ratio of medians
    // taken minutes apart.
    let (mut o, mut c) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        o.push(ours.round(&tree, arch, &input_text));
        c.push(conf_round_with(&|| make(Some("CONF_TIMER_REPLAY"))));
    }
    write(&outdir.join("ours.config"), &ours.config);
    let conf_text = read(&build.join(".config"));
    write(&outdir.join("conf.config"), &conf_text);
    let col = |f: &dyn Fn(&OursRound) -> f64| median(o.iter().map(f).collect());
    let ccol = |f: &dyn Fn(&ConfRound) -> f64| median(c.iter().map(f).collect());
    let ratios: Vec<f64> = o
        .iter()
        .zip(&c)
        .map(|(o, c)| c.cpu / (o.parse_cpu + o.eval_cpu))
        .collect();
    let body = |t: &str| oracle::config_body(t).to_string();
    json!({
        "tree": tree.version(), "arch": arch, "runs": runs,
        "ours_parse_run_s": ours.parse_run,
        "ours_parse_record_s": col(&|r| r.parse_wall),
        "ours_eval_s": col(&|r| r.eval_wall),
        "ours_net_s": col(&|r| r.parse_wall + r.eval_wall),
        "ours_cpu_s": col(&|r| r.parse_cpu + r.eval_cpu),
        // The measured rounds replay the probes recorded in `with_probes` (none runs).
        "conf_make_wall_s": ccol(&|r| r.make_wall),
        "conf_wall_s": ccol(&|r| r.wall),
        "conf_unreplayed_probes": c.iter().map(|r| r.probes).max().unwrap_or(0),
        "conf_net_s": ccol(&|r| r.wall - r.probe),
        "conf_cpu_s": ccol(&|r| r.cpu),
        // The recording run, probes included: what the rounds leave out.
        "conf_probe_s": with_probes.probe,
        "conf_probes": with_probes.probes,
        "conf_with_probes_wall_s": with_probes.wall,
        "conf_with_probes_cpu_s": with_probes.cpu,
        // conf's CPU over ours, round by round.
        "ratio_cpu_rounds": ratios,
        "ratio_cpu_median": median(ratios.clone()),
        "identical": body(&ours.config) == body(&conf_text),
    })
}

fn walk(version: &str, arch: &str, config: &Path, out: &Path) -> Value {
    let tree = tree(version);
    let cache = out.with_extension("cache");
    let _ = std::fs::remove_dir_all(&cache);
    let oracle = oracle::Oracle::new(&tree, arch, &cache).expect("oracle");
    // Builds conf (and fixes the build directory) before the clock starts.
    oracle.allnoconfig().expect("make allnoconfig");
    let text = read(config);
    let t = Instant::now();
    let lists = oracle.kbuild_lists(&text).expect("oracle walk").value;
    let seconds = t.elapsed().as_secs_f64();
    write(
        out,
        &serde_json::to_string(&json!({
            "builtin": lists.builtin, "lib": lists.lib, "modules": lists.modules,
        }))
        .expect("json"),
    );
    let _ = std::fs::remove_dir_all(&cache);
    json!({"tree": tree.version(), "arch": arch, "walk_s": seconds,
           "builtin": lists.builtin.len(), "modules": lists.modules.len()})
}

fn compare_kbuild(oracle_json: &Path, ours_json: &Path) -> Value {
    let load = |p: &Path| -> Value { serde_json::from_str(&read(p)).expect("json") };
    let (a, b) = (load(oracle_json), load(ours_json));
    let set = |v: &Value, key: &str| -> BTreeSet<String> {
        v[key]
            .as_array()
            .map(|x| x.iter().map(|s| s.to_string()).collect())
            .unwrap_or_default()
    };
    let modules = |v: &Value| -> BTreeSet<String> {
        v["modules"]
            .as_array()
            .map(|x| x.iter().map(|m| m.to_string()).collect())
            .unwrap_or_default()
    };
    let diff = |x: &BTreeSet<String>, y: &BTreeSet<String>| x.symmetric_difference(y).count();
    let (ab, bb) = (set(&a, "builtin"), set(&b, "builtin"));
    let (al, bl) = (set(&a, "lib"), set(&b, "lib"));
    let (am, bm) = (modules(&a), modules(&b));
    json!({
        "builtin": ab.len(), "builtin_diff": diff(&ab, &bb),
        "lib": al.len(), "lib_diff": diff(&al, &bl),
        "modules": am.len(), "modules_diff": diff(&am, &bm),
    })
}

fn settle(version: &str, arch: &str, objects: &Path, configs: &[PathBuf]) -> Value {
    let oracle = kpossible_tests::oracle(version, arch);
    let wanted: Vec<String> = read(objects)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for c in configs {
        let call = oracle.kbuild_lists(&read(c)).expect("oracle walk");
        let lists = call.value;
        let builtin: BTreeSet<&str> = lists.builtin.iter().map(String::as_str).collect();
        let mut placed = serde_json::Map::new();
        for o in &wanted {
            let state = if let Some(m) = lists.module_of(o) {
                format!("module:{}", m.name)
            } else if builtin.contains(o.as_str()) || lists.lib.iter().any(|l| l == o) {
                "builtin".to_string()
            } else {
                "absent".to_string()
            };
            placed.insert(o.clone(), json!(state));
        }
        rows.push(
            json!({"config": c, "seconds": call.seconds, "cached": call.cached,
                         "objects": placed}),
        );
    }
    json!({"tree": oracle.tree().version(), "arch": arch, "settled": rows})
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = match a.as_slice() {
        ["conf", version, arch, input, outdir, runs] => conf(
            version,
            arch,
            Path::new(input),
            Path::new(outdir),
            runs.parse().expect("RUNS is a number"),
        ),
        ["ours", version, arch, input, runs] => {
            let (tree, input) = (tree(version), read(Path::new(input)));
            let mut ours = Ours::new(&tree, arch);
            let rounds: Vec<OursRound> = (0..runs.parse().expect("RUNS is a number"))
                .map(|_| ours.round(&tree, arch, &input))
                .collect();
            let col = |f: &dyn Fn(&OursRound) -> f64| median(rounds.iter().map(f).collect());
            json!({"arch": arch, "runs": runs, "ours_parse_record_s": col(&|r| r.parse_wall),
                   "ours_eval_s": col(&|r| r.eval_wall),
                   "ours_cpu_s": col(&|r| r.parse_cpu + r.eval_cpu),
                   "ours_parse_cpu_s": col(&|r| r.parse_cpu),
                   "ours_eval_cpu_s": col(&|r| r.eval_cpu)})
        }
        ["distro-configs", version] => {
            // No configs (a foreign host arch, no network) is an answer, not a failure: the
            // bench then leaves that input out and says so.
            let configs = ktree::distro_configs(&ktree::cache_dir(), version).unwrap_or_else(|e| {
                eprintln!("peer-bench: Debian's linux-config-{version}: {e}");
                Vec::new()
            });
            // Debian's generic configuration for this host: `<arch>_none_<arch>`.
            let generic = ktree::host_debian_arch().and_then(|d| {
                let flavour = format!("{d}_none_{d}");
                let (_, path) = configs.iter().find(|(f, _)| *f == flavour)?;
                let arch = ktree::debian_kernel_arch(&d)?;
                Some(json!({"flavour": flavour, "config": path, "arch": arch}))
            });
            let map: serde_json::Map<String, Value> = configs
                .into_iter()
                .map(|(flavour, path)| (flavour, json!(path)))
                .collect();
            json!({ "configs": map, "generic": generic })
        }
        ["walk", version, arch, config, out] => {
            walk(version, arch, Path::new(config), Path::new(out))
        }
        ["compare-kbuild", o, k] => compare_kbuild(Path::new(o), Path::new(k)),
        ["settle", version, arch, objects, configs @ ..] if !configs.is_empty() => settle(
            version,
            arch,
            Path::new(objects),
            &configs.iter().map(PathBuf::from).collect::<Vec<_>>(),
        ),
        _ => {
            eprintln!(
                "usage: peer-bench conf VERSION ARCH INPUT OUTDIR RUNS | distro-configs VERSION | ours VERSION ARCH INPUT RUNS | walk VERSION ARCH CONFIG OUT \
                 | compare-kbuild ORACLE_JSON OURS_JSON | settle VERSION ARCH OBJECTS CONFIG..."
            );
            std::process::exit(3);
        }
    };
    println!("{out}");
}
