//! Parses one arch of a tree N times and prints the time of each run (for profiling):
//! `cargo run --release -p kconfig-parser --example parse_loop -- TREE ARCH N`.

#[path = "../tests/tree_env/mod.rs"]
mod tree_env;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let root = std::path::PathBuf::from(
        args.get(1)
            .map_or("/root/.cache/kpossible/trees/6.12", |s| s),
    );
    let arch = args.get(2).map_or("x86_64", |s| s);
    let n: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(10);
    for _ in 0..n {
        let t = std::time::Instant::now();
        let m = tree_env::parse_tree(&root, arch, kconfig_parser::ShellMode::Record);
        let parsed = t.elapsed().as_secs_f64() * 1e3;
        let (symbols, errors) = (m.symbols.len(), m.error_count());
        let t = std::time::Instant::now();
        drop(m);
        println!(
            "parse {parsed:.1} ms (drop {:.1} ms), {symbols} symbols, {errors} errors",
            t.elapsed().as_secs_f64() * 1e3
        );
    }
}
