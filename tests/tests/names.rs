//! Every composite object of a real tree, asked by its own `.o` name (as users name
//! `fs/fat/fat.o`), answers for itself: its name resolves to it with its members, and the
//! analysis says "yes" (it is linked into its module under a witness) or "no" with the
//! Makefile and Kconfig lines that forbid it, never "not listed". 6.12, ARCH=x86.

use kpossible_tests::tree;
use solver::possibility::Verdict;

#[test]
fn every_composite_of_x86_answers_for_itself() {
    let t = tree("6.12");
    let (arch, srcarch) = ("x86", "x86");
    let mut pool = kp_base::ExprPool::new();
    let mut sources = kp_base::SourceMap::new();
    let graph = solver::arch::symbolic_kbuild(t.root(), arch, srcarch, &mut pool, &mut sources);
    let composites: Vec<String> = kbuild_graph::lists::composite_conditions(&graph, &mut pool)
        .into_keys()
        .collect();
    assert!(composites.len() > 1000, "{} composites", composites.len());
    let list = vec![(arch.to_string(), srcarch.to_string())];
    let all = report::sweep::arch_list(&t, None).unwrap();
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut failures = Vec::new();
    for (name, r) in composites.iter().zip(report::names::resolve(
        &t,
        t.root(),
        &composites,
        &list,
        &all,
        jobs,
        None,
    )) {
        match r {
            Ok(r) if r.object == *name && !r.members.is_empty() => {}
            other => failures.push(format!("{name} resolves to {other:?}")),
        }
    }
    let report = solver::arch::analyze(t.root(), arch, srcarch, Some(&composites));
    assert!(!report.failed(), "{:?}", report.errors);
    let (mut yes, mut no, mut unknown) = (0, 0, 0);
    for c in &composites {
        match report.verdicts.get(c) {
            Some(Verdict::Yes { modules, .. }) => {
                yes += 1;
                let ko = format!("{}.ko", c.trim_end_matches(".o"));
                if !modules.contains(&ko) {
                    failures.push(format!("{c}: yes, but in {modules:?}, not {ko}"));
                }
            }
            // Justified: the Makefile line first, then the Kconfig lines (a symbol no Kconfig
            // file of the arch defines has none).
            Some(Verdict::No { reasons })
                if reasons
                    .first()
                    .is_some_and(|r| !r.file.is_empty() && r.line > 0)
                    && reasons
                        .iter()
                        .all(|r| r.line > 0 || r.text.contains(" is not defined ")) =>
            {
                no += 1
            }
            Some(Verdict::Unknown { why }) => {
                unknown += 1;
                failures.push(format!("{c}: unknown: {why}"));
            }
            other => failures.push(format!("{c}: {other:?}")),
        }
    }
    eprintln!(
        "6.12 ARCH={arch}: {} composites asked by their .o name: {yes} yes, {no} no with Makefile and Kconfig lines, {unknown} unknown",
        composites.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
