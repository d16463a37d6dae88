//! Symbolic == concrete under arbitrary (not necessarily Kconfig-valid) valuations: every
//! symbol the graph mentions gets a random n/m/y, concrete evaluation of that `.config` is
//! compared with the symbolic graph evaluated under it. `random_valuations VERSION ARCH N`.

use std::rc::Rc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cache = ktree::cache_dir();
    let tree = ktree::Tree::open(&ktree::tree_path(&cache, &args[0])).expect("tree");
    let variant = tree.arch(&args[1]).expect("arches").expect("arch");
    let n: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);
    let root = std::fs::canonicalize(tree.root()).unwrap();
    let opts = |config| kbuild_graph::Options {
        srctree: root.clone(),
        arch: args[1].clone(),
        srcarch: variant.srcarch.clone(),
        config,
        pins: Vec::new(),
    };
    let mut pool = kp_base::ExprPool::new();
    let mut sources = kp_base::SourceMap::new();
    let g = kbuild_graph::evaluate(
        opts(kbuild_graph::ConfigMode::Symbolic),
        &mut pool,
        &mut sources,
    );
    let names: Vec<String> = (0..pool.name_count() as u32)
        .map(|i| pool.name_text(kp_base::NameId(i)).to_string())
        .filter(|s| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        })
        .collect();
    let mut state: u64 = 0x9E3779B97F4A7C15;
    let mut bad = 0;
    for round in 0..n {
        // Bias towards n so that directories are not all entered.
        let mut config = String::new();
        for name in &names {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            match state % 5 {
                0 | 1 => {}
                2 => config.push_str(&format!("CONFIG_{name}=m\n")),
                _ => config.push_str(&format!("CONFIG_{name}=y\n")),
            }
        }
        let map = kbuild_graph::read_config(&config);
        let mut p2 = kp_base::ExprPool::new();
        let mut s2 = kp_base::SourceMap::new();
        let cg = kbuild_graph::evaluate(
            opts(kbuild_graph::ConfigMode::Concrete(Rc::new(map.clone()))),
            &mut p2,
            &mut s2,
        );
        let want =
            kbuild_graph::lists::concrete_lists(&cg, &p2, &kbuild_graph::config::NoValuation);
        let got = kbuild_graph::lists::concrete_lists(
            &g,
            &pool,
            &kbuild_graph::config::ConfigValuation::new(&pool, &map),
        );
        let same = want == got;
        println!(
            "round {round}: {} symbols set, {} builtin, {} modules: symbolic == concrete: {same}",
            map.len(),
            want.builtin.len(),
            want.modules.len()
        );
        if !same {
            bad += 1;
            for (what, w, s) in [
                ("dirs", &want.dirs, &got.dirs),
                ("builtin", &want.builtin, &got.builtin),
            ] {
                for x in w.iter().filter(|x| !s.contains(x)).take(5) {
                    println!("  {what} - {x}");
                }
                for x in s.iter().filter(|x| !w.contains(x)).take(5) {
                    println!("  {what} + {x}");
                }
            }
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
            for x in wm.iter().filter(|x| !gm.contains(x)).take(5) {
                println!("  modules - {}", x.chars().take(200).collect::<String>());
            }
            for x in gm.iter().filter(|x| !wm.contains(x)).take(5) {
                println!("  modules + {}", x.chars().take(200).collect::<String>());
            }
        }
    }
    std::process::exit(if bad == 0 { 0 } else { 1 });
}
