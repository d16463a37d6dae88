//! `cargo run -p ktree --example distro -- SPEC [FLAVOUR]`: fetches what Debian built from the
//! upload of the tree SPEC names (its configurations, and the config and module lists of the
//! FLAVOUR kernel, default this machine's generic one) and prints where they are.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(spec) = args.first() else {
        eprintln!("usage: distro SPEC [FLAVOUR]");
        std::process::exit(3);
    };
    let cache = ktree::cache_dir();
    let lines = |p: &std::path::Path| std::fs::read_to_string(p).map_or(0, |t| t.lines().count());
    match ktree::distro_configs(&cache, spec) {
        Ok(configs) => {
            for (flavour, path) in configs {
                println!(
                    "config {flavour}: {} ({} lines)",
                    path.display(),
                    lines(&path)
                );
            }
        }
        Err(e) => println!("configs: error: {e}"),
    }
    let flavour = args
        .get(1)
        .cloned()
        .or_else(ktree::host_debian_arch)
        .unwrap_or_default();
    match ktree::distro_kernel(&cache, spec, &flavour) {
        Ok(k) => println!(
            "kernel {}: release {}, config {} lines, modules.order {} lines, modules.builtin {} lines",
            k.package,
            k.release,
            lines(&k.config),
            lines(&k.modules_order),
            lines(&k.modules_builtin)
        ),
        Err(e) => println!("kernel: error: {e}"),
    }
}
