//! What Debian built from the upload of a tree, for the oldest and the newest series the
//! archive carries (the layouts differ: `linux-image-*-unsigned` ships the config and module
//! lists in 5.10, `linux-base-*` in 7.x): the configurations of `linux-config-*`, and the
//! host's generic kernel's config, `modules.order` and `modules.builtin`, all of the tree's
//! own version. `scripts/test` fetches both trees; the packages are downloaded once.

fn check(series: &str) -> Vec<String> {
    let cache = ktree::cache_dir();
    let mut failures = Vec::new();
    let tree = ktree::fetch(&cache, series).unwrap_or_else(|e| panic!("the {series} tree: {e}"));
    let (package, upload) = ktree::tree_upload(tree.root())
        .unwrap_or_else(|| panic!("{}: no recorded upload", tree.root().display()));
    assert_eq!(package, format!("linux-source-{series}"));
    // `# Linux/x86 7.3.0-rc7 Kernel Configuration`: the version of the tree's Makefile.
    let built_from_tree = |config: &str| {
        config.lines().take(5).any(|l| {
            l.strip_prefix("# Linux/")
                .and_then(|r| r.split_once(' '))
                .and_then(|(_, r)| r.strip_prefix(tree.version()))
                .is_some_and(|r| r.starts_with([' ', '-']))
        })
    };
    let configs = ktree::distro_configs(&cache, series)
        .unwrap_or_else(|e| panic!("linux-config-{series}={upload}: {e}"));
    if configs.is_empty() {
        failures.push(format!("linux-config-{series}={upload}: no configurations"));
    }
    for (flavour, path) in &configs {
        let text = std::fs::read_to_string(path).unwrap();
        if !built_from_tree(&text) {
            failures.push(format!(
                "{series} {flavour}: not a config of {}",
                tree.version()
            ));
        }
    }
    let flavour = ktree::host_debian_arch().expect("dpkg --print-architecture");
    let kernel = ktree::distro_kernel(&cache, series, &flavour)
        .unwrap_or_else(|e| panic!("the {flavour} kernel of {series}={upload}: {e}"));
    assert!(
        kernel.package.ends_with(&format!("={upload}")),
        "{}",
        kernel.package
    );
    let read = |p: &std::path::Path| std::fs::read_to_string(p).unwrap();
    if !built_from_tree(&read(&kernel.config)) {
        failures.push(format!(
            "{}: config not of {}",
            kernel.package,
            tree.version()
        ));
    }
    let order = read(&kernel.modules_order);
    let modules = order.lines().count();
    // A distribution kernel has thousands of modules, each `kernel/<path>.ko`.
    if modules < 1000
        || !order
            .lines()
            .all(|l| l.starts_with("kernel/") && l.ends_with(".ko"))
    {
        failures.push(format!(
            "{}: modules.order has {modules} lines",
            kernel.package
        ));
    }
    let builtin = read(&kernel.modules_builtin);
    if builtin.lines().count() < 50 || !builtin.lines().all(|l| l.starts_with("kernel/")) {
        failures.push(format!(
            "{}: modules.builtin: {builtin:.200}",
            kernel.package
        ));
    }
    eprintln!(
        "{}: {} configurations, {} modules, {} built-in, of {}",
        kernel.package,
        configs.len(),
        modules,
        builtin.lines().count(),
        tree.version()
    );
    failures
}

#[test]
fn the_oldest_and_newest_series_have_debians_configs_and_module_lists() {
    let uploads = ktree::archive_uploads(&ktree::cache_dir()).expect("the archive's uploads");
    let oldest = &uploads.first().expect("some upload").series;
    let newest = &uploads.last().expect("some upload").series;
    let mut failures = check(oldest);
    failures.extend(check(newest));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
