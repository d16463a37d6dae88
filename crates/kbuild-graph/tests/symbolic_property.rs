//! Property: evaluating the symbolic graph under a configuration gives exactly the lists of
//! concrete evaluation of that configuration, on random small Makefile trees built from the
//! idioms the kernel uses (tristate guards, composites, `subst m,y`, `:m=y`, `ifeq (…,m)`,
//! `ifdef`, obj-y/obj-m overlap, subdirectories).

use std::rc::Rc;

use kbuild_graph::config::{ConfigValuation, NoValuation};
use kbuild_graph::{ConfigMode, Options};
use proptest::prelude::*;

/// 64 cases in CI; `PROPTEST_CASES=N` for a longer hunt.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

const SYMS: [&str; 4] = ["A", "B", "C", "D"];

fn line(kind: u8, s: usize, t: usize, o: usize) -> String {
    let (s, t) = (SYMS[s % 4], SYMS[t % 4]);
    match kind % 10 {
        0 => format!("obj-$(CONFIG_{s}) += o{o}.o\n"),
        1 => format!("o{o}-$(CONFIG_{s}) += m{t}.o\n"),
        2 => format!("o{o}-y += m{o}.o\n"),
        3 => format!("obj-$(subst m,y,$(CONFIG_{s})) += d{o}/\n"),
        4 => format!("obj-$(CONFIG_{s}:m=y) += o{o}.o\n"),
        5 => format!("ifeq ($(CONFIG_{s}),m)\nobj-m += o{o}.o\nendif\n"),
        6 => {
            format!("ifdef CONFIG_{s}\nobj-$(CONFIG_{t}) += o{o}.o\nelse\nlib-y += l{o}.o\nendif\n")
        }
        7 => format!("obj-$(CONFIG_{s}) += d{o}/\n"),
        8 => format!("X{o} := $(if $(CONFIG_{s}),p{o}.o)\nobj-$(CONFIG_{t}) += $(X{o})\n"),
        _ => format!("obj-y += $(addprefix $(if $(filter y,$(CONFIG_{s})),a,b)/,o{o}.o)\n"),
    }
}

/// A top Makefile shaped like the kernel's (6.1 on): the arch Makefile's lists exported to
/// ./Kbuild, one descent into `.`.
const TOP_MAKEFILE: &str = "srctree := .\nSRCARCH := $(ARCH)\nexport srctree SRCARCH\ninclude $(srctree)/scripts/Kbuild.include\ninclude $(srctree)/scripts/Makefile.compiler\ncore-y :=\ndrivers-y :=\nlibs-y := lib/\ninclude $(srctree)/arch/$(SRCARCH)/Makefile\nexport ARCH_CORE := $(core-y)\nexport ARCH_LIB := $(filter %/, $(libs-y))\nexport ARCH_DRIVERS := $(drivers-y) $(drivers-m)\nbuild-dir := .\n$(build-dir): prepare\n\t$(MAKE) $(build)=$@ need-builtin=1 need-modorder=1\n";

fn tree(root_mk: &str, sub_mk: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut files = vec![
        ("Makefile".to_string(), TOP_MAKEFILE.to_string()),
        ("Kbuild".to_string(), "obj-y += drivers/\n".to_string()),
        ("scripts/Kbuild.include".to_string(), String::new()),
        ("scripts/Makefile.compiler".to_string(), String::new()),
        (
            "scripts/Makefile.build".to_string(),
            "src := $(obj)\n".to_string(),
        ),
        ("arch/x86/Makefile".to_string(), String::new()),
        ("arch/x86/Kbuild".to_string(), String::new()),
        ("lib/Makefile".to_string(), String::new()),
        ("drivers/Makefile".to_string(), root_mk.to_string()),
    ];
    for o in 0..6 {
        files.push((format!("drivers/d{o}/Makefile"), sub_mk.to_string()));
    }
    for (p, t) in files {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, t).expect("write");
    }
    dir
}

fn opts(root: &std::path::Path, config: ConfigMode) -> Options {
    Options {
        srctree: root.to_path_buf(),
        arch: "x86".into(),
        srcarch: "x86".into(),
        config,
        pins: Vec::new(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]
    #[test]
    fn symbolic_equals_concrete(
        top in proptest::collection::vec((0u8..10, 0usize..4, 0usize..4, 0usize..6), 1..12),
        sub in proptest::collection::vec((0u8..10, 0usize..4, 0usize..4, 0usize..6), 0..6),
        values in proptest::collection::vec(0u8..3, 4..5),
    ) {
        let top_mk: String = top.iter().map(|&(k, s, t, o)| line(k, s, t, o)).collect();
        // Subdirectories do not nest further (kind 3/7 would name d*/ inside d*/).
        let sub_mk: String = sub.iter().filter(|l| l.0 % 10 != 3 && l.0 % 10 != 7).map(|&(k, s, t, o)| line(k, s, t, o)).collect();
        let t = tree(&top_mk, &sub_mk);
        let config: String = SYMS
            .iter()
            .zip(&values)
            .filter(|(_, v)| **v > 0)
            .map(|(s, v)| format!("CONFIG_{s}={}\n", if *v == 1 { "m" } else { "y" }))
            .collect();
        let map = kbuild_graph::read_config(&config);

        let mut pool = kp_base::ExprPool::new();
        let mut sources = kp_base::SourceMap::new();
        let cg = kbuild_graph::evaluate(opts(t.path(), ConfigMode::Concrete(Rc::new(map.clone()))), &mut pool, &mut sources);
        let concrete = kbuild_graph::lists::concrete_lists(&cg, &pool, &NoValuation);

        let mut spool = kp_base::ExprPool::new();
        let mut ssources = kp_base::SourceMap::new();
        let sg = kbuild_graph::evaluate(opts(t.path(), ConfigMode::Symbolic), &mut spool, &mut ssources);
        let symbolic = kbuild_graph::lists::concrete_lists(&sg, &spool, &ConfigValuation::new(&spool, &map));
        prop_assert_eq!(concrete, symbolic, "drivers/Makefile:\n{}\nsub:\n{}\nconfig:\n{}", top_mk, sub_mk, config);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]
    /// Any text as a kbuild file: diagnostics, never a panic, in both modes.
    #[test]
    fn never_panics(text in "(obj-|\\$\\(|\\)|,|:|=|\\+=|ifeq|ifdef|else|endif|define|endef|include|\\\\\n|\n|#|%|[a-zé ]|\\$\\{|\\}|\\t|CONFIG_A|subst|call|foreach|eval|if |y|m){0,60}") {
        let t = tree(&text, "");
        for config in [ConfigMode::Symbolic, ConfigMode::Concrete(Rc::new(kbuild_graph::read_config("CONFIG_A=m\n")))] {
            let mut pool = kp_base::ExprPool::new();
            let mut sources = kp_base::SourceMap::new();
            let g = kbuild_graph::evaluate(opts(t.path(), config), &mut pool, &mut sources);
            let _ = kbuild_graph::lists::concrete_lists(&g, &pool, &NoValuation);
            let _ = kbuild_graph::lists::all_conditions(&g, &mut pool);
            for d in &g.diagnostics {
                let _ = d.render(&sources);
            }
        }
    }
}
