//! Objects that Makefiles can link into two or more different modules, for one arch:
//! `cargo run --release -p report --example shared_objects -- TREE ARCH`.
//! (How the module-sharing test case of `modules-of` was found.)

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(root), Some(arch)) = (args.next(), args.next()) else {
        eprintln!("usage: shared_objects TREE ARCH");
        std::process::exit(2);
    };
    let root = std::path::PathBuf::from(root);
    let tree = match ktree::Tree::open(&root) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let Ok(Some(v)) = tree.arch(&arch) else {
        eprintln!("unknown ARCH {arch}");
        std::process::exit(2);
    };
    let mut pool = kp_base::ExprPool::new();
    let mut sources = kp_base::SourceMap::new();
    let opts = kbuild_graph::Options {
        srctree: root,
        arch: arch.clone(),
        srcarch: v.srcarch,
        config: kbuild_graph::ConfigMode::Symbolic,
        pins: solver::arch::pins(&arch),
    };
    let graph = kbuild_graph::evaluate(opts, &mut pool, &mut sources);
    for (o, c) in kbuild_graph::lists::all_conditions(&graph, &mut pool) {
        let mut ms: Vec<&String> = c
            .occurrences
            .iter()
            .filter_map(|x| x.module.as_ref())
            .collect();
        ms.sort();
        ms.dedup();
        if ms.len() >= 2 {
            let ms: Vec<&str> = ms.iter().map(|s| s.as_str()).collect();
            println!("{o}\t{}", ms.join(" "));
        }
    }
}
