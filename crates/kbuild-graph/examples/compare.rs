//! Compares concrete evaluation with the oracle: `compare VERSION ARCH CONFIG...`.

use std::collections::HashSet;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cache = ktree::cache_dir();
    let tree = ktree::Tree::open(&ktree::tree_path(&cache, &args[0])).expect("tree");
    let variant = tree.arch(&args[1]).expect("arches").expect("arch");
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
        let want = o.kbuild_lists(&cfg).expect("walk").value;
        let t = std::time::Instant::now();
        let mut pool = kp_base::ExprPool::new();
        let mut sources = kp_base::SourceMap::new();
        let opts = kbuild_graph::Options {
            srctree: std::fs::canonicalize(tree.root()).unwrap(),
            arch: args[1].clone(),
            srcarch: variant.srcarch.clone(),
            config: kbuild_graph::ConfigMode::Concrete(std::rc::Rc::new(
                kbuild_graph::read_config(&cfg),
            )),
            pins: oracle::DEFAULT_PINS
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        };
        let g = kbuild_graph::evaluate(opts, &mut pool, &mut sources);
        let got =
            kbuild_graph::lists::concrete_lists(&g, &pool, &kbuild_graph::config::NoValuation);
        let secs = t.elapsed().as_secs_f64();
        let members: usize = want.modules.iter().map(|m| m.objects.len()).sum();
        println!(
            "{} {} {kind}: oracle dirs {} builtin {} lib {} modules {} members {}; ours {:.2}s",
            args[0],
            args[1],
            want.dirs.len(),
            want.builtin.len(),
            want.lib.len(),
            want.modules.len(),
            members,
            secs
        );
        diff("dirs", &want.dirs, &got.dirs);
        diff("builtin", &want.builtin, &got.builtin);
        diff("lib", &want.lib, &got.lib);
        let wm: Vec<String> = want
            .modules
            .iter()
            .map(|m| format!("{} {}", m.name, m.objects.join(",")))
            .collect();
        let gm: Vec<String> = got
            .modules
            .iter()
            .map(|m| format!("{} {}", m.name, m.objects.join(",")))
            .collect();
        diff("modules", &wm, &gm);
        if std::env::var_os("DIAG").is_some() {
            for d in &g.diagnostics {
                println!("  diag {}", d.render(&sources));
            }
        }
    }
}

fn diff(what: &str, want: &[String], got: &[String]) {
    let ws: HashSet<&String> = want.iter().collect();
    let gs: HashSet<&String> = got.iter().collect();
    let missing: Vec<&String> = want.iter().filter(|x| !gs.contains(x)).collect();
    let extra: Vec<&String> = got.iter().filter(|x| !ws.contains(x)).collect();
    let order_ok = missing.is_empty() && extra.is_empty() && want == got;
    if missing.is_empty() && extra.is_empty() && !order_ok {
        println!("  {what}: same set, different order/duplicates");
    }
    if !missing.is_empty() || !extra.is_empty() {
        println!("  {what}: missing {} extra {}", missing.len(), extra.len());
        for m in missing.iter().take(15) {
            println!("    - {m}");
        }
        for m in extra.iter().take(15) {
            println!("    + {m}");
        }
    }
}
