//! Compares kpossible's Kbuild evaluation with the real-make oracle:
//! `compare VERSION ARCH CONFIG...` (CONFIG: allnoconfig, defconfig, allmodconfig,
//! allyesconfig or rand:SEED). For each config: oracle counts, the differences of concrete
//! evaluation from the oracle, and of the symbolic graph (built once) from concrete.

use std::collections::HashSet;
use std::rc::Rc;

use kbuild_graph::KbuildLists;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cache = ktree::cache_dir();
    let tree = ktree::Tree::open(&ktree::tree_path(&cache, &args[0])).expect("tree");
    let variant = tree.arch(&args[1]).expect("arches").expect("arch");
    let root = std::fs::canonicalize(tree.root()).unwrap();
    let pins: Vec<(String, String)> = Vec::new();
    let opts = |config| kbuild_graph::Options {
        srctree: root.clone(),
        arch: args[1].clone(),
        srcarch: variant.srcarch.clone(),
        config,
        pins: pins.clone(),
    };
    let t = std::time::Instant::now();
    let mut spool = kp_base::ExprPool::new();
    let mut ssources = kp_base::SourceMap::new();
    let sym = kbuild_graph::evaluate(
        opts(kbuild_graph::ConfigMode::Symbolic),
        &mut spool,
        &mut ssources,
    );
    let unknowns = kbuild_graph::lists::graph_unknowns(&sym, &spool);
    println!(
        "{} {} symbolic graph: {:.2}s, {} dirs, {} pool nodes, {} unknown facts reaching lists",
        args[0],
        args[1],
        t.elapsed().as_secs_f64(),
        sym.dirs.len(),
        spool.len(),
        unknowns.len()
    );
    let o = oracle::Oracle::new(&tree, &args[1], &cache).expect("oracle");
    let mut bad = 0;
    for kind in &args[2..] {
        let cfg = match kind.as_str() {
            "allnoconfig" => o.allnoconfig(),
            "defconfig" => o.defconfig(),
            "allmodconfig" => o.allmodconfig(),
            "allyesconfig" => o.allyesconfig(),
            k => o.randconfig(k.trim_start_matches("rand:").parse().expect("seed")),
        };
        let cfg = match cfg {
            Ok(c) => c.value,
            Err(e) => {
                println!("{} {} {kind}: oracle config failed: {e}", args[0], args[1]);
                bad += 1;
                continue;
            }
        };
        let want = match o.kbuild_lists(&cfg) {
            Ok(l) => l.value,
            Err(e) => {
                println!("{} {} {kind}: oracle walk failed: {e}", args[0], args[1]);
                bad += 1;
                continue;
            }
        };
        let want = KbuildLists {
            dirs: want.dirs,
            builtin: want.builtin,
            lib: want.lib,
            modules: want
                .modules
                .into_iter()
                .map(|m| kbuild_graph::Module {
                    name: m.name,
                    objects: m.objects,
                })
                .collect(),
        };
        let t = std::time::Instant::now();
        let map = kbuild_graph::config::read_config_for(&cfg, &root);
        let mut pool = kp_base::ExprPool::new();
        let mut sources = kp_base::SourceMap::new();
        let g = kbuild_graph::evaluate(
            opts(kbuild_graph::ConfigMode::Concrete(Rc::new(map.clone()))),
            &mut pool,
            &mut sources,
        );
        let got =
            kbuild_graph::lists::concrete_lists(&g, &pool, &kbuild_graph::config::NoValuation);
        let secs = t.elapsed().as_secs_f64();
        let s = kbuild_graph::lists::concrete_lists(
            &sym,
            &spool,
            &kbuild_graph::config::ConfigValuation::new(&spool, &map),
        );
        let members: usize = want.modules.iter().map(|m| m.objects.len()).sum();
        let d1 = diff(&want, &got);
        let d2 = diff(&got, &s);
        println!(
            "{} {} {kind}: oracle dirs {} builtin {} lib {} modules {} members {}; concrete {:.2}s diffs {}; symbolic diffs {}",
            args[0],
            args[1],
            want.dirs.len(),
            want.builtin.len(),
            want.lib.len(),
            want.modules.len(),
            members,
            secs,
            d1.len(),
            d2.len()
        );
        for l in d1.iter().take(12) {
            println!("  concrete-vs-oracle {l}");
        }
        for l in d2.iter().take(12) {
            println!("  symbolic-vs-concrete {l}");
        }
        if !d1.is_empty() || !d2.is_empty() {
            bad += 1;
        }
    }
    std::process::exit(if bad == 0 { 0 } else { 1 });
}

/// Differences as lines: `field - missing`, `field + extra`, or an order note.
fn diff(want: &KbuildLists, got: &KbuildLists) -> Vec<String> {
    let mods = |l: &KbuildLists| {
        l.modules
            .iter()
            .map(|m| format!("{} {}", m.name, m.objects.join(",")))
            .collect::<Vec<_>>()
    };
    let mut out = Vec::new();
    for (what, w, g) in [
        ("dirs", want.dirs.clone(), got.dirs.clone()),
        ("builtin", want.builtin.clone(), got.builtin.clone()),
        ("lib", want.lib.clone(), got.lib.clone()),
        ("modules", mods(want), mods(got)),
    ] {
        let ws: HashSet<&String> = w.iter().collect();
        let gs: HashSet<&String> = g.iter().collect();
        let missing: Vec<&String> = w.iter().filter(|x| !gs.contains(x)).collect();
        let extra: Vec<&String> = g.iter().filter(|x| !ws.contains(x)).collect();
        for m in &missing {
            out.push(format!(
                "{what} - {}",
                m.chars().take(200).collect::<String>()
            ));
        }
        for m in &extra {
            out.push(format!(
                "{what} + {}",
                m.chars().take(200).collect::<String>()
            ));
        }
        if missing.is_empty() && extra.is_empty() && w != g {
            out.push(format!(
                "{what}: same entries, different order or duplicates"
            ));
        }
    }
    out
}
