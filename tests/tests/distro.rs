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

/// The kernel's ARCH for a Debian architecture (the flavour's first part, `amd64_none_amd64`).
fn kernel_arch(flavour: &str) -> Option<&'static str> {
    Some(match flavour.split('_').next()? {
        "amd64" => "x86_64",
        "i386" => "i386",
        "arm64" => "arm64",
        "armhf" | "armel" => "arm",
        "ppc64el" => "powerpc",
        "s390x" => "s390",
        "mips64el" | "mipsel" => "mips",
        "riscv64" => "riscv",
        _ => return None,
    })
}

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
        let arch = kernel_arch(flavour)
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
