//! Lists the objects of the symbolic graph whose path contains a pattern, with conditions:
//! `objects VERSION ARCH PATTERN`.

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
    let mut pool = kp_base::ExprPool::new();
    let mut sources = kp_base::SourceMap::new();
    let g = kbuild_graph::evaluate(opts, &mut pool, &mut sources);
    let conds = kbuild_graph::lists::all_conditions(&g, &mut pool);
    for (o, c) in conds.iter().filter(|(o, _)| o.contains(&args[2])).take(20) {
        let b: String = pool.display(c.builtin).chars().take(400).collect();
        let m: String = pool.display(c.module).chars().take(400).collect();
        println!("{o}\n  y: {b}\n  m: {m}");
    }
}
