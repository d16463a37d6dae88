//! Builds the symbolic graph and checks it against concrete evaluation:
//! `symbolic VERSION ARCH CONFIG...` (configs from the oracle's cache).

use std::collections::HashSet;
use std::rc::Rc;

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
    let mut pool = kp_base::ExprPool::new();
    let mut sources = kp_base::SourceMap::new();
    let g = kbuild_graph::evaluate(
        opts(kbuild_graph::ConfigMode::Symbolic),
        &mut pool,
        &mut sources,
    );
    let build = t.elapsed().as_secs_f64();
    let conds = kbuild_graph::lists::all_conditions(&g, &mut pool);
    let unknown_dirs: Vec<&kbuild_graph::walk::Dir> =
        g.dirs.iter().filter(|d| !d.unknowns.is_empty()).collect();
    println!(
        "{} {} symbolic: {:.2}s ({:.2}s with conditions), dirs {}, objects {}, pool nodes {}, unknown facts {}, dirs with unknowns {}, top unknowns {}",
        args[0],
        args[1],
        build,
        t.elapsed().as_secs_f64(),
        g.dirs.len(),
        conds.len(),
        pool.len(),
        pool.unknowns().len(),
        unknown_dirs.len(),
        g.unknowns.len()
    );
    let reaching = kbuild_graph::lists::graph_unknowns(&g, &pool);
    println!(
        "  unknown facts reaching lists or conditions: {}",
        reaching.len()
    );
    for u in reaching {
        let kp_base::Expr::Unknown(id) = pool.get(u) else {
            continue;
        };
        let fact = pool.unknown(id).expect("fact");
        let at = fact
            .span
            .map_or_else(|| "?".to_string(), |s| sources.location(s));
        println!("    {at}: {}", fact.text);
    }
    let _ = unknown_dirs;
    if std::env::var_os("UNKNOWNS").is_some() {
        for f in pool.unknowns() {
            let at = f
                .span
                .map_or_else(|| "?".to_string(), |s| sources.location(s));
            println!(
                "    fact {at}: {}",
                f.text.chars().take(80).collect::<String>()
            );
        }
    }
    let mut codes: std::collections::BTreeMap<&str, usize> = Default::default();
    for d in &g.diagnostics {
        *codes.entry(d.code).or_default() += 1;
    }
    println!("  diagnostics by code: {codes:?}");
    for e in kbuild_graph::lists::build_errors(&g, &mut pool) {
        let at = e
            .span
            .map_or_else(|| "?".to_string(), |s| sources.location(s));
        println!(
            "  $(error) at {at} when {}: {}",
            pool.display(e.condition),
            e.message
        );
    }
    if std::env::var_os("DIAG").is_some() {
        for d in &g.diagnostics {
            println!("{}", d.render(&sources).lines().next().unwrap_or(""));
        }
    }
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
        let map = kbuild_graph::read_config(&cfg);
        let mut p2 = kp_base::ExprPool::new();
        let mut s2 = kp_base::SourceMap::new();
        let cg = kbuild_graph::evaluate(
            opts(kbuild_graph::ConfigMode::Concrete(Rc::new(map.clone()))),
            &mut p2,
            &mut s2,
        );
        let want =
            kbuild_graph::lists::concrete_lists(&cg, &p2, &kbuild_graph::config::NoValuation);
        let val = kbuild_graph::config::ConfigValuation::new(&pool, &map);
        let got = kbuild_graph::lists::concrete_lists(&g, &pool, &val);
        let same = want == got;
        println!("  {kind}: symbolic == concrete: {same}");
        if !same {
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
        }
    }
}

fn diff(what: &str, want: &[String], got: &[String]) {
    let ws: HashSet<&String> = want.iter().collect();
    let gs: HashSet<&String> = got.iter().collect();
    let missing: Vec<&String> = want.iter().filter(|x| !gs.contains(x)).collect();
    let extra: Vec<&String> = got.iter().filter(|x| !ws.contains(x)).collect();
    if missing.is_empty() && extra.is_empty() && want != got {
        println!("    {what}: same set, different order/duplicates");
    }
    if !missing.is_empty() || !extra.is_empty() {
        println!(
            "    {what}: missing {} extra {}",
            missing.len(),
            extra.len()
        );
        for m in missing.iter().take(10) {
            println!("      - {}", m.chars().take(300).collect::<String>());
        }
        for m in extra.iter().take(10) {
            println!("      + {}", m.chars().take(300).collect::<String>());
        }
    }
}
