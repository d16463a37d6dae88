//! The kernel's own Kconfig unit tests (`scripts/kconfig/tests`) of every tree run against
//! `kpossible config` (see `kpossible_tests::selftests`); writes the table of every case,
//! `docs/kconfig-tests.md`. Needs the release `kpossible` binary beside it.
//!
//! usage: kconfig-selftests [VERSION,...] [-o FILE]   (default 5.10,6.1,6.12,7.2,7.3, stdout)

use kpossible_tests::selftests::{self, Outcome};

fn main() {
    let mut versions: Vec<String> = ["5.10", "6.1", "6.12", "7.2", "7.3"]
        .map(String::from)
        .to_vec();
    let mut out_file = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "-o" {
            out_file = args.next();
        } else {
            versions = a.split(',').map(String::from).collect();
        }
    }
    let bin = selftests::kpossible_bin();
    let cache = ktree::cache_dir();
    let mut results = Vec::new();
    let mut failures = 0;
    for v in &versions {
        let root = ktree::tree_path(&cache, v);
        if !root.join("scripts/kconfig/tests").is_dir() {
            eprintln!("kconfig-selftests: no tree {v} at {}", root.display());
            std::process::exit(2);
        }
        let mut rs = Vec::new();
        for case in selftests::cases(&root) {
            let o = selftests::run(&bin, &root, &case);
            eprintln!("{v} {}::{}: {o:?}", case.dir, case.function);
            failures += usize::from(matches!(o, Outcome::Fail(_)));
            rs.push((case, o));
        }
        results.push((v.clone(), rs));
    }
    let doc = format!(
        "# The kernel's Kconfig unit tests against `kpossible config`\n\n\
         Each tree's `scripts/kconfig/tests` (the pytest cases `make testconfig` runs against\n\
         `scripts/kconfig/conf`) run against `kpossible --tree TREE config MODE --kconfig\n\
         CASE/Kconfig` (with `--quiet`, which leaves out the line naming the tree), compared as the tree's `conftest.py` compares: exit status, and the\n\
         `.config`, stdout and stderr matched or searched for the expected files. conf's\n\
         `oldaskconfig`/`oldconfig` answer each question with Enter, i.e. its default: they run\n\
         as `olddefconfig`, unless the case feeds other keys or reads the questions printed\n\
         (those are interactive, and kpossible asks nothing). Written by\n\
         `cargo run --release -p kpossible-tests --bin kconfig-selftests -- -o docs/kconfig-tests.md`;\n\
         `tests/tests/kconfig_selftests.rs` runs the same cases in the test suite.\n\n{}",
        selftests::table(&results)
    );
    match out_file {
        Some(f) => std::fs::write(&f, doc).unwrap_or_else(|e| panic!("{f}: {e}")),
        None => print!("{doc}"),
    }
    if failures > 0 {
        std::process::exit(1);
    }
}
