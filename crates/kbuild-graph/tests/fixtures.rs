//! Tiny Makefile trees -> snapshot of the graph dump (symbolic) and of concrete lists.

use std::path::Path;
use std::rc::Rc;

use kbuild_graph::{ConfigMode, Options};

/// A top Makefile shaped like the kernel's (6.1 on): the arch Makefile's lists exported to
/// ./Kbuild, one descent into `.`.
const TOP_MAKEFILE: &str = "srctree := .\nSRCARCH := $(ARCH)\nexport srctree SRCARCH\ninclude $(srctree)/scripts/Kbuild.include\ninclude $(srctree)/scripts/Makefile.compiler\ncore-y :=\ndrivers-y :=\nlibs-y := lib/\ninclude $(srctree)/arch/$(SRCARCH)/Makefile\nexport ARCH_CORE := $(core-y)\nexport ARCH_LIB := $(filter %/, $(libs-y))\nexport ARCH_DRIVERS := $(drivers-y) $(drivers-m)\nbuild-dir := .\n$(build-dir): prepare\n\t$(MAKE) $(build)=$@ need-builtin=1 need-modorder=1\n";

/// Writes `files` (`path`, `text`) under a fresh temporary directory that looks like a
/// kernel tree to the evaluator.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let base: &[(&str, &str)] = &[
        ("Makefile", TOP_MAKEFILE),
        (
            "scripts/Kbuild.include",
            "comma := ,\nempty :=\nspace := $(empty) $(empty)\n",
        ),
        (
            "scripts/Makefile.compiler",
            "cc-option = $(call try-run,$(CC) $(KBUILD_CFLAGS) $(1),$(1),$(2))\ntry-run = $(shell true)\n",
        ),
        ("scripts/Makefile.build", "src := $(obj)\n"),
        ("arch/x86/Makefile", "libs-y += arch/x86/lib/\n"),
        ("arch/x86/Kbuild", ""),
        ("arch/x86/lib/Makefile", ""),
        ("lib/Makefile", ""),
    ];
    for (p, t) in base.iter().chain(files) {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, t).expect("write");
    }
    dir
}

fn opts(root: &Path, config: ConfigMode) -> Options {
    Options {
        srctree: root.to_path_buf(),
        arch: "x86".into(),
        srcarch: "x86".into(),
        config,
        pins: Vec::new(),
    }
}

fn dump(files: &[(&str, &str)]) -> String {
    let t = tree(files);
    let mut pool = kp_base::ExprPool::new();
    let mut sources = kp_base::SourceMap::new();
    let g = kbuild_graph::evaluate(
        opts(t.path(), ConfigMode::Symbolic),
        &mut pool,
        &mut sources,
    );
    let conds = kbuild_graph::lists::all_conditions(&g, &mut pool);
    let mut out = String::new();
    for (obj, c) in &conds {
        out.push_str(&format!(
            "{obj}\n  built-in: {}\n  module:   {}\n",
            pool.display(c.builtin),
            pool.display(c.module)
        ));
    }
    for d in &g.diagnostics {
        let r = d.render(&sources);
        let r = r.replace(&format!("{}/", t.path().display()), "");
        out.push_str(&format!("diag: {r}\n"));
    }
    out
}

fn concrete(files: &[(&str, &str)], config: &str) -> kbuild_graph::KbuildLists {
    let t = tree(files);
    let mut pool = kp_base::ExprPool::new();
    let mut sources = kp_base::SourceMap::new();
    let map = kbuild_graph::read_config(config);
    let g = kbuild_graph::evaluate(
        opts(t.path(), ConfigMode::Concrete(Rc::new(map))),
        &mut pool,
        &mut sources,
    );
    kbuild_graph::lists::concrete_lists(&g, &pool, &kbuild_graph::config::NoValuation)
}

const TOP_KBUILD: (&str, &str) = ("Kbuild", "obj-y += drivers/\nobj-y += $(ARCH_LIB)\n");

#[test]
fn single_object_tristate() {
    let files = [
        TOP_KBUILD,
        ("drivers/Makefile", "obj-$(CONFIG_DUMMY) += dummy.o\n"),
    ];
    insta::assert_snapshot!(dump(&files));
}

#[test]
fn composite_and_filter_out() {
    let files = [
        TOP_KBUILD,
        (
            "drivers/Makefile",
            "obj-$(CONFIG_FOO) += foo.o\nfoo-y := a.o\nfoo-$(CONFIG_BAR) += b.o\nobj-$(CONFIG_BAZ) += foo.o\n",
        ),
    ];
    insta::assert_snapshot!(dump(&files));
    let l = concrete(&files, "CONFIG_FOO=m\nCONFIG_BAR=y\n");
    assert_eq!(l.modules.len(), 1);
    assert_eq!(l.modules[0].objects, ["drivers/a.o", "drivers/b.o"]);
    let l = concrete(&files, "CONFIG_FOO=m\nCONFIG_BAZ=y\n");
    assert!(
        l.modules.is_empty(),
        "listed in obj-y and obj-m: built-in only"
    );
    assert_eq!(l.builtin, ["drivers/a.o"]);
}

#[test]
fn subst_m_to_y_and_conditionals() {
    let files = [
        TOP_KBUILD,
        (
            "drivers/Makefile",
            "obj-$(subst m,y,$(CONFIG_HV)) += hv/\nifeq ($(CONFIG_USB),m)\nobj-m += cdns.o\nendif\n",
        ),
        (
            "drivers/hv/Makefile",
            "obj-$(CONFIG_HV) += hv.o\nobj-$(CONFIG_X:m=y) += x.o\n",
        ),
    ];
    insta::assert_snapshot!(dump(&files));
}

#[test]
fn unknown_shell_in_list_is_explicit() {
    let files = [
        TOP_KBUILD,
        (
            "drivers/Makefile",
            "obj-y += $(shell ls)\nobj-$(CONFIG_A) += a.o\n",
        ),
    ];
    let t = tree(&files);
    let mut pool = kp_base::ExprPool::new();
    let mut sources = kp_base::SourceMap::new();
    let g = kbuild_graph::evaluate(
        opts(t.path(), ConfigMode::Symbolic),
        &mut pool,
        &mut sources,
    );
    let d = g
        .dirs
        .iter()
        .find(|d| d.path == "drivers")
        .expect("drivers");
    assert_eq!(d.unknowns.len(), 1);
    let u = pool.display(d.unknowns[0]);
    assert!(u.contains("shell ls"), "{u}");
}

#[test]
fn malformed_input_gives_diagnostics_not_panics() {
    let files = [
        TOP_KBUILD,
        (
            "drivers/Makefile",
            "ifeq ($(CONFIG_A),y\nobj-y += a.o\nendef\n$(foo\nelse\n",
        ),
    ];
    insta::assert_snapshot!(dump(&files));
}

#[test]
fn addprefix_with_conditional_prefix() {
    let files = [
        TOP_KBUILD,
        (
            "drivers/Makefile",
            "obj-$(CONFIG_FOO) += foo.o\nP = $(Q)\nifneq (,$(CONFIG_DC))\nQ = ../display\nendif\nfoo-y += $(addprefix $(P)/dc/,a.o b.o)\n",
        ),
    ];
    insta::assert_snapshot!(dump(&files));
    let l = concrete(&files, "CONFIG_FOO=y\nCONFIG_DC=y\n");
    assert_eq!(l.builtin, ["display/dc/a.o", "display/dc/b.o"]);
}

#[test]
fn dotdot_directories_keep_their_own_flags() {
    // `b/` is reached as `a/../b` through subdir-y (no flags, contributes nothing) and as
    // `z/../b` through obj-y (built-in); make runs both, with their own `obj`.
    let files = [
        ("Kbuild", "obj-y += a/ z/\n"),
        ("a/Makefile", "subdir-y += ../b/\n"),
        ("z/Makefile", "obj-y += ../b/\n"),
        ("b/Makefile", "obj-y += c/\n"),
        ("b/c/Makefile", "obj-y += x.o\n"),
    ];
    let l = concrete(&files, "");
    assert!(
        l.builtin.contains(&"b/c/x.o".to_string()),
        "{:?}",
        l.builtin
    );
}

/// The conditions of every object the walk toward `toward` lists.
fn dump_toward(files: &[(&str, &str)], toward: &[&str]) -> Vec<(String, String)> {
    let t = tree(files);
    let mut pool = kp_base::ExprPool::new();
    let mut sources = kp_base::SourceMap::new();
    let toward: Vec<String> = toward.iter().map(|d| d.to_string()).collect();
    let g = kbuild_graph::evaluate_toward(
        opts(t.path(), ConfigMode::Symbolic),
        &toward,
        &mut pool,
        &mut sources,
    );
    let conds = kbuild_graph::lists::all_conditions(&g, &mut pool);
    conds
        .iter()
        .map(|(o, c)| (o.clone(), pool.display(c.module).to_string()))
        .collect()
}

#[test]
fn the_walk_toward_a_directory_enters_only_its_ancestors_and_lists_them_as_the_whole_walk() {
    let files: &[(&str, &str)] = &[
        ("Kbuild", "obj-y += drivers/ fs/\n"),
        (
            "drivers/Makefile",
            "obj-$(CONFIG_NET) += net/\nobj-y += block/\n",
        ),
        (
            "drivers/net/Makefile",
            "obj-$(CONFIG_DUMMY) += dummy.o\nobj-$(CONFIG_VETH) += phy/veth.o\n",
        ),
        ("drivers/block/Makefile", "obj-$(CONFIG_LOOP) += loop.o\n"),
        // Reached only from a directory off the way: the focused walk misses it.
        (
            "fs/Makefile",
            "obj-$(CONFIG_EXT4) += ../drivers/net/ext4.o\n",
        ),
    ];
    let whole = dump_toward(files, &[]);
    let focused = dump_toward(files, &["drivers/net"]);
    let names: Vec<&str> = focused.iter().map(|(o, _)| o.as_str()).collect();
    assert_eq!(names, ["drivers/net/dummy.o", "drivers/net/phy/veth.o"]);
    for (o, c) in &focused {
        let same = whole.iter().find(|(w, _)| w == o).map(|(_, c)| c);
        assert_eq!(same, Some(c), "{o} differs from the whole walk");
    }
    assert!(whole.iter().any(|(o, _)| o == "drivers/net/ext4.o"));
    assert!(whole.iter().any(|(o, _)| o == "drivers/block/loop.o"));
}
