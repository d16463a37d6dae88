//! Prints the environment the top Makefile of a tree gives `conf`: `kenv TREE ARCH [VAR=value...]`.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [tree, arch, vars @ ..] = args.as_slice() else {
        eprintln!("usage: kenv TREE ARCH [VAR=value...]");
        std::process::exit(2);
    };
    let top = ktree::kenv::TopMakefile::read(std::path::Path::new(tree)).expect("a tree");
    let inv = ktree::kenv::Invocation::from_process()
        .with_command_line(vars.iter().filter_map(|v| v.split_once('=')));
    let env = top.environment(arch, &inv, true);
    for (k, v) in &env.vars {
        println!("{k}={v}");
    }
    for (k, v) in &env.identity {
        println!("# {k}: {v}");
    }
}
