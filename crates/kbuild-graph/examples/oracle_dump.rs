//! Warms the oracle cache and prints its counts: `oracle_dump VERSION ARCH CONFIG...` where
//! CONFIG is allnoconfig, defconfig, allmodconfig, allyesconfig or rand:SEED.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cache = ktree::cache_dir();
    let tree = ktree::Tree::open(&ktree::tree_path(&cache, &args[0])).expect("tree");
    let o = oracle::Oracle::new(&tree, &args[1], &cache).expect("oracle");
    for kind in &args[2..] {
        let cfg = match kind.as_str() {
            "allnoconfig" => o.allnoconfig(),
            "defconfig" => o.defconfig(),
            "allmodconfig" => o.allmodconfig(),
            "allyesconfig" => o.allyesconfig(),
            k => o.randconfig(k.trim_start_matches("rand:").parse().expect("seed")),
        }
        .expect("config")
        .value;
        let l = o.kbuild_lists(&cfg).expect("walk");
        let members: usize = l.value.modules.iter().map(|m| m.objects.len()).sum();
        println!(
            "{} {} {kind}: dirs {} builtin {} lib {} modules {} members {} ({:.1}s{})",
            args[0],
            args[1],
            l.value.dirs.len(),
            l.value.builtin.len(),
            l.value.lib.len(),
            l.value.modules.len(),
            members,
            l.seconds,
            if l.cached { ", cached" } else { "" }
        );
    }
}
