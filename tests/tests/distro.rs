//! The kernels people run: Debian's own configurations of each tree (`linux-config-<version>`,
//! for this machine's architecture), walked by the real tools, put thousands of objects in
//! modules; kpossible must answer "yes" for every one of them (a "no" there would be a wrong
//! answer about a module on real machines, an "unknown" a question left open), and `modules-of`
//! must answer "yes" for the very module each is in (the `.ko` a livepatch or tracing tool
//! looks in). CI checks the
//! generic flavour of 6.12; `KPOSSIBLE_FULL=1` every flavour of both trees.

use kpossible_tests::{module_pairs, oracle, placements, tree};
use solver::arch::analyze;
use solver::possibility::Verdict;

fn check(version: &str) -> Vec<String> {
    let t = tree(version);
    let configs = ktree::distro_configs(&ktree::cache_dir(), version)
        .unwrap_or_else(|e| panic!("Debian's linux-config-{version}: {e}"));
    assert!(
        !configs.is_empty(),
        "linux-config-{version} has no configurations"
    );
    let full = std::env::var_os("KPOSSIBLE_FULL").is_some();
    let mut failures = Vec::new();
    let mut reports = std::collections::BTreeMap::new();
    for (flavour, path) in &configs {
        if !full && !flavour.contains("_none_") {
            continue;
        }
        let arch = ktree::debian_kernel_arch(flavour)
            .unwrap_or_else(|| panic!("{flavour}: a Debian architecture this test does not map"));
        let variant = t
            .arch(arch)
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("{version} has no ARCH={arch}"));
        let text = std::fs::read_to_string(path).unwrap();
        let lists = oracle(version, arch).kbuild_lists(&text).unwrap().value;
        // A distribution kernel has thousands of modules: anything less is a broken walk.
        assert!(
            lists.modules.len() > 1000,
            "{version} {flavour}: the real walk gave {} modules",
            lists.modules.len()
        );
        let report = reports
            .entry(arch)
            .or_insert_with(|| analyze(t.root(), arch, &variant.srcarch, None));
        assert!(!report.failed(), "{version} {arch}: {:?}", report.errors);
        let mut checked = 0usize;
        for m in &lists.modules {
            for o in &m.objects {
                checked += 1;
                match report.verdicts.get(o) {
                    Some(Verdict::Yes { .. }) => {}
                    Some(v) => failures.push(format!(
                        "{version} {flavour}: {o} is in {} but kpossible says {}: {v:?}",
                        m.name,
                        v.word()
                    )),
                    None => failures.push(format!(
                        "{version} {flavour}: {o} is in {} but kpossible does not list it",
                        m.name
                    )),
                }
            }
        }
        let p = placements(t.root(), arch, &variant.srcarch, &module_pairs([&lists]));
        for (o, m) in &p.missing {
            failures.push(format!(
                "{version} {flavour}: {o} is in {m} but no Makefile line of ours lists it there"
            ));
        }
        for (o, m) in &p.no {
            failures.push(format!(
                "{version} {flavour}: {o} is in {m} but modules-of says no for that module"
            ));
        }
        if p.unknown > 0 {
            failures.push(format!(
                "{version} {flavour}: {} (object, module) placements unknown",
                p.unknown
            ));
        }
        eprintln!(
            "{version} {flavour} (ARCH={arch}): {} modules, {checked} module objects, {} (object, module) placements, all yes unless listed",
            lists.modules.len(),
            p.checked
        );
    }
    failures
}

#[test]
fn every_module_object_of_debians_own_kernels_is_yes() {
    let mut failures = check("6.12");
    if std::env::var_os("KPOSSIBLE_FULL").is_some() {
        failures.extend(check("6.1"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What Debian's own build of the tree wrote: the image package built from the same source
/// upload ships its `.config`, `modules.order` and `modules.builtin`. Real make's walk of that
/// config must give exactly its `modules.order` (so the oracle is the build), and kpossible's
/// `modules-builtin` exactly its `modules.builtin` (the list the issue's `mm/zswap` example is
/// about), line for line.
fn shipped_lists(version: &str, flavour: &str, arch: &str) -> Vec<String> {
    let t = tree(version);
    let kernel = ktree::distro_kernel(&ktree::cache_dir(), version, flavour)
        .unwrap_or_else(|e| panic!("Debian's {flavour} image of {version}: {e}"));
    let read = |p: &std::path::Path| {
        std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    };
    let config = read(&kernel.config);
    let mut failures = Vec::new();
    let lists = oracle(version, arch).kbuild_lists(&config).unwrap().value;
    let walked: Vec<String> = lists
        .modules
        .iter()
        .map(|m| format!("kernel/{}", m.name))
        .collect();
    let shipped: Vec<String> = read(&kernel.modules_order)
        .lines()
        .map(String::from)
        .collect();
    if walked != shipped {
        let only_walk: Vec<&String> = walked.iter().filter(|m| !shipped.contains(m)).collect();
        let only_shipped: Vec<&String> = shipped.iter().filter(|m| !walked.contains(m)).collect();
        failures.push(format!(
            "{}: real make's walk gives {} modules, modules.order {}; only in the walk: {:?}; only shipped: {:?}",
            kernel.package,
            walked.len(),
            shipped.len(),
            &only_walk[..only_walk.len().min(5)],
            &only_shipped[..only_shipped.len().min(5)]
        ));
    }
    let variant = t.arch(arch).ok().flatten().unwrap();
    let sources = report::sources::TreeSources::scan(t.root());
    let ours = report::builtin::modules_builtin(
        t.root(),
        arch,
        &variant.srcarch,
        &config,
        &sources,
        false,
    );
    let ours: Vec<&str> = ours.lines.iter().map(|l| l.line.as_str()).collect();
    let mut real: Vec<String> = read(&kernel.modules_builtin)
        .lines()
        .map(String::from)
        .collect();
    real.sort();
    if ours != real {
        failures.push(format!(
            "{}: kpossible's modules.builtin differs from the shipped one: only ours {:?}; only shipped {:?}",
            kernel.package,
            ours.iter().filter(|l| !real.iter().any(|r| r == *l)).collect::<Vec<_>>(),
            real.iter().filter(|r| !ours.contains(&r.as_str())).collect::<Vec<_>>()
        ));
    }
    eprintln!(
        "{}: {} modules as shipped, {} modules.builtin lines as shipped, unless listed",
        kernel.package,
        shipped.len(),
        real.len()
    );
    failures
}

#[test]
fn debians_shipped_module_lists_are_reproduced() {
    // Debian's generic flavour for this host (apt offers images of its own architecture):
    // named after the Debian architecture itself (`amd64`, `arm64`).
    let flavour = ktree::host_debian_arch().expect("dpkg --print-architecture");
    let arch = ktree::debian_kernel_arch(&flavour)
        .unwrap_or_else(|| panic!("no kernel ARCH mapped for Debian's {flavour}"));
    let flavour = flavour.as_str();
    let mut failures = shipped_lists("6.12", flavour, arch);
    if std::env::var_os("KPOSSIBLE_FULL").is_some() {
        failures.extend(shipped_lists("6.1", flavour, arch));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every module of Debian's own build of 6.12 for this host (its shipped `modules.order`),
/// asked as users name it, by its `.ko` path from the tree's root: the name resolves to that
/// very module (`report::names`, as `could-be-module` and `modules-of` resolve it), and
/// `modules-of`, answering all of them in one run, says "yes" for that module.
#[test]
fn every_shipped_module_asked_by_its_ko_path_is_yes() {
    let version = "6.12";
    let t = tree(version);
    let flavour = ktree::host_debian_arch().expect("dpkg --print-architecture");
    let arch = ktree::debian_kernel_arch(&flavour)
        .unwrap_or_else(|| panic!("no kernel ARCH mapped for Debian's {flavour}"));
    let variant = t.arch(arch).ok().flatten().unwrap();
    let kernel = ktree::distro_kernel(&ktree::cache_dir(), version, &flavour)
        .unwrap_or_else(|e| panic!("Debian's {flavour} image of {version}: {e}"));
    let order = std::fs::read_to_string(&kernel.modules_order).unwrap();
    // `kernel/fs/fat/vfat.ko`: the path under /lib/modules/<release>/.
    let kos: Vec<String> = order
        .lines()
        .map(|l| l.strip_prefix("kernel/").unwrap_or(l).to_string())
        .collect();
    assert!(
        kos.len() > 1000,
        "{}: {} modules",
        kernel.package,
        kos.len()
    );
    let list = vec![(arch.to_string(), variant.srcarch.clone())];
    let all = report::sweep::arch_list(&t, None).unwrap();
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let resolved = report::names::resolve(&t, t.root(), &kos, &list, &all, jobs, None);
    let mut failures = Vec::new();
    let mut objects = Vec::new();
    for (ko, r) in kos.iter().zip(&resolved) {
        match r {
            Ok(r) if r.module.as_ref().is_some_and(|m| m.ko == *ko) => {
                objects.push(r.object.clone())
            }
            Ok(r) => failures.push(format!("{ko} resolves to {r:?}")),
            Err(e) => failures.push(format!("{ko}: {}", e.to_text())),
        }
    }
    let answers =
        report::modules_of::modules_of_objects(t.root(), &objects, &list, jobs, &|_, _, _| {});
    let mut yes = 0usize;
    for a in &answers {
        let ko = a.name.as_ref().map_or_else(
            || report::modules_of::module_names(&a.object).1,
            |n| n.asked.clone(),
        );
        if a.possible_modules().contains_key(ko.as_str()) {
            yes += 1;
        } else {
            failures.push(format!(
                "{ko}: modules-of says {}:\n{}",
                a.verdict,
                a.to_text()
            ));
        }
    }
    eprintln!(
        "{}: {} modules asked by their .ko path, {} resolved to themselves, {yes} yes for that module on ARCH={arch}",
        kernel.package,
        kos.len(),
        objects.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
