//! Conformance on the real trees (the CI subset; wide sweeps are `scripts/kbuild-sweep.sh`):
//! for 6.1 and 6.12, x86_64 and arm64, allnoconfig and defconfig,
//! - concrete evaluation gives exactly the real-make oracle's lists;
//! - the symbolic graph, evaluated under the same configuration, gives exactly the concrete
//!   lists (the property "symbolic agrees with concrete");
//! - no unknown fact reaches an object list or condition.
//!
//! These tests fail, rather than skip, when a tree is missing: run `kpossible fetch 6.1` and
//! `kpossible fetch 6.12` first.

use std::rc::Rc;

use kbuild_graph::config::{ConfigValuation, NoValuation};
use kbuild_graph::{ConfigMode, KbuildLists, Options};

fn tree(version: &str) -> ktree::Tree {
    let cache = ktree::cache_dir();
    let path = ktree::tree_path(&cache, version);
    ktree::Tree::open(&path)
        .unwrap_or_else(|e| panic!("kernel tree {version} missing at {}: {e}", path.display()))
}

fn options(tree: &ktree::Tree, arch: &str, config: ConfigMode) -> Options {
    let variant = tree.arch(arch).expect("arches").expect("arch");
    Options {
        srctree: std::fs::canonicalize(tree.root()).expect("root"),
        arch: arch.to_string(),
        srcarch: variant.srcarch,
        config,
        pins: Vec::new(),
    }
}

fn from_oracle(o: &oracle::KbuildLists) -> KbuildLists {
    KbuildLists {
        dirs: o.dirs.clone(),
        builtin: o.builtin.clone(),
        lib: o.lib.clone(),
        modules: o
            .modules
            .iter()
            .map(|m| kbuild_graph::Module {
                name: m.name.clone(),
                objects: m.objects.clone(),
            })
            .collect(),
    }
}

/// A readable first difference instead of two 3000-line vectors.
fn first_difference(what: &str, want: &KbuildLists, got: &KbuildLists) -> Option<String> {
    let fields: [(&str, Vec<String>, Vec<String>); 4] = [
        ("dirs", want.dirs.clone(), got.dirs.clone()),
        ("builtin", want.builtin.clone(), got.builtin.clone()),
        ("lib", want.lib.clone(), got.lib.clone()),
        (
            "modules",
            want.modules
                .iter()
                .map(|m| format!("{} {:?}", m.name, m.objects))
                .collect(),
            got.modules
                .iter()
                .map(|m| format!("{} {:?}", m.name, m.objects))
                .collect(),
        ),
    ];
    for (name, w, g) in fields {
        if w != g {
            let missing: Vec<&String> = w.iter().filter(|x| !g.contains(x)).take(5).collect();
            let extra: Vec<&String> = g.iter().filter(|x| !w.contains(x)).take(5).collect();
            return Some(format!(
                "{what}: {name} differ ({} vs {} entries); missing {missing:?}; extra {extra:?}",
                w.len(),
                g.len()
            ));
        }
    }
    None
}

/// The conditions of objects behind the idioms of kbuild-semantics.md section 1.3, on 6.12
/// x86_64: a plain tristate, `$(CONFIG_X:m=y)`, `obj-$(subst m,y,...)` directories, a
/// composite member, `ifeq ($(CONFIG_USB),m)` forcing obj-m, `subst y,$(CONFIG_L2TP),...`, a member of a composite in an `obj-$(subst m,y,...)` directory.
fn idioms(
    pool: &mut kp_base::ExprPool,
    sources: &kp_base::SourceMap,
    graph: &kbuild_graph::Graph,
) -> String {
    let all = kbuild_graph::lists::all_conditions(graph, pool);
    let root = format!(
        "{}/",
        std::fs::canonicalize(tree("6.12").root())
            .expect("root")
            .display()
    );
    let mut out = String::new();
    for o in [
        "drivers/net/dummy.o",
        "drivers/net/ethernet/intel/ixgbe/ixgbe_fcoe.o",
        "drivers/net/phy/sfp-bus.o",
        "drivers/usb/cdns3/cdns3-gadget.o",
        "net/l2tp/l2tp_ppp.o",
        "drivers/hv/hv_util.o",
    ] {
        let Some(c) = all.get(o) else {
            out.push_str(&format!("{o}: not listed\n"));
            continue;
        };
        out.push_str(&format!(
            "{o}\n  built-in: {}\n  module:   {}\n",
            pool.display(c.builtin),
            pool.display(c.module)
        ));
        for occ in &c.occurrences {
            let at = occ.span.map_or_else(
                || "?".to_string(),
                |s| sources.location(s).replace(&root, ""),
            );
            out.push_str(&format!(
                "  {} at {at}\n",
                if occ.in_module { "module" } else { "built-in" }
            ));
        }
    }
    out
}

fn check(version: &str, arch: &str) {
    let tree = tree(version);
    let o = oracle::Oracle::new(&tree, arch, &ktree::cache_dir()).expect("oracle");
    let mut spool = kp_base::ExprPool::new();
    let mut ssources = kp_base::SourceMap::new();
    let symbolic = kbuild_graph::evaluate(
        options(&tree, arch, ConfigMode::Symbolic),
        &mut spool,
        &mut ssources,
    );
    if version == "6.12" && arch == "x86_64" {
        insta::assert_snapshot!(
            "idioms_6_12_x86_64",
            idioms(&mut spool, &ssources, &symbolic)
        );
    }
    let unknowns = kbuild_graph::lists::graph_unknowns(&symbolic, &spool);
    assert!(
        unknowns.is_empty(),
        "{version} {arch}: {} unknown facts reach the lists",
        unknowns.len()
    );
    let mut problems = Vec::new();
    for (name, cfg) in [
        ("allnoconfig", o.allnoconfig()),
        ("defconfig", o.defconfig()),
    ] {
        let cfg = cfg.expect("config").value;
        let want = from_oracle(&o.kbuild_lists(&cfg).expect("oracle walk").value);
        let map = kbuild_graph::config::read_config_for(&cfg, tree.root());
        let mut pool = kp_base::ExprPool::new();
        let mut sources = kp_base::SourceMap::new();
        let g = kbuild_graph::evaluate(
            options(&tree, arch, ConfigMode::Concrete(Rc::new(map.clone()))),
            &mut pool,
            &mut sources,
        );
        let concrete = kbuild_graph::lists::concrete_lists(&g, &pool, &NoValuation);
        problems.extend(first_difference(
            &format!("{version} {arch} {name} concrete vs oracle"),
            &want,
            &concrete,
        ));
        let sym = kbuild_graph::lists::concrete_lists(
            &symbolic,
            &spool,
            &ConfigValuation::new(&spool, &map),
        );
        problems.extend(first_difference(
            &format!("{version} {arch} {name} symbolic vs concrete"),
            &concrete,
            &sym,
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn v6_12_x86_64() {
    check("6.12", "x86_64");
}

#[test]
fn v6_12_arm64() {
    check("6.12", "arm64");
}

#[test]
fn v6_1_x86_64() {
    check("6.1", "x86_64");
}

#[test]
fn v6_1_arm64() {
    check("6.1", "arm64");
}
