//! The benchmark of issue 6, in one run: the whole symbolic graph of one tree and arch
//! against one real-make oracle walk of one config (forced past the oracle's cache by a
//! comment line, so it really runs `olddefconfig`, `syncconfig` and the walk).
//! `bench VERSION ARCH CONFIG` (CONFIG: defconfig, allmodconfig, ...).

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cache = ktree::cache_dir();
    let tree = ktree::Tree::open(&ktree::tree_path(&cache, &args[0])).expect("tree");
    let variant = tree.arch(&args[1]).expect("arches").expect("arch");
    let opts = kbuild_graph::Options {
        srctree: std::fs::canonicalize(tree.root()).unwrap(),
        arch: args[1].clone(),
        srcarch: variant.srcarch,
        config: kbuild_graph::ConfigMode::Symbolic,
        pins: Vec::new(),
    };
    let o = oracle::Oracle::new(&tree, &args[1], &cache).expect("oracle");
    let cfg = match args[2].as_str() {
        "allnoconfig" => o.allnoconfig(),
        "allmodconfig" => o.allmodconfig(),
        "allyesconfig" => o.allyesconfig(),
        _ => o.defconfig(),
    }
    .expect("config")
    .value;

    let cpu0 = cpu_seconds();
    let t = std::time::Instant::now();
    let mut pool = kp_base::ExprPool::new();
    let mut sources = kp_base::SourceMap::new();
    let g = kbuild_graph::evaluate(opts, &mut pool, &mut sources);
    let conds = kbuild_graph::lists::all_conditions(&g, &mut pool);
    let ours = t.elapsed().as_secs_f64();
    let ours_cpu = cpu_seconds() - cpu0;

    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let forced = format!("{cfg}# kpossible bench {nonce}\n");
    let t = std::time::Instant::now();
    let lists = o.kbuild_lists(&forced).expect("walk");
    let walk = t.elapsed().as_secs_f64();
    println!(
        "{} {}: symbolic graph (all {} dirs, {} objects with conditions): {ours:.2}s wall, {ours_cpu:.2}s CPU",
        args[0],
        args[1],
        g.dirs.len(),
        conds.len()
    );
    println!(
        "{} {}: one oracle walk of {} (olddefconfig + syncconfig + make walk, {} dirs, cached: {}): {walk:.2}s wall",
        args[0],
        args[1],
        args[2],
        lists.value.dirs.len(),
        lists.cached
    );
    println!("ratio oracle/symbolic: {:.1}x", walk / ours);
}

/// CPU time of this process (user + system), from /proc/self/stat.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|x| x.parse().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|x| x.parse().ok()).unwrap_or(0.0);
    ticks / 100.0
}
