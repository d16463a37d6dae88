//! Any bytes, split at NULs into `drivers/Makefile`, `drivers/sub/Makefile` and an included
//! `drivers/inc.mk`, evaluated as a kernel tree in a temporary directory, symbolically and
//! under a fixed `.config`: the evaluator must not panic, hang or overflow its stack; every
//! diagnostic's span must lie inside its file; the answers (`all_conditions`,
//! `concrete_lists`, `build_errors`) must be computable.
#![no_main]

use std::path::Path;
use std::rc::Rc;
use std::sync::OnceLock;

use kbuild_graph::config::NoValuation;
use kbuild_graph::{ConfigMode, Options};
use libfuzzer_sys::fuzz_target;

/// One tree for the whole run; only the three fuzzed files change between inputs.
fn tree() -> &'static Path {
    static TREE: OnceLock<tempfile::TempDir> = OnceLock::new();
    TREE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        for (p, t) in [
            ("Makefile", "core-y :=\n"),
            ("Kbuild", "obj-y += drivers/\nobj-y += $(ARCH_LIB)\n"),
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
            ("arch/x86/lib/Makefile", ""),
            ("lib/Makefile", ""),
        ] {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, t).expect("write");
        }
        std::fs::create_dir_all(dir.path().join("drivers/sub")).expect("mkdir");
        dir
    })
    .path()
}

fn check(root: &Path, config: ConfigMode) {
    let mut pool = kp_base::ExprPool::new();
    let mut sources = kp_base::SourceMap::new();
    let opts = Options {
        srctree: root.to_path_buf(),
        arch: "x86".into(),
        srcarch: "x86".into(),
        config: config.clone(),
        pins: Vec::new(),
    };
    let graph = kbuild_graph::evaluate(opts, &mut pool, &mut sources);
    for d in &graph.diagnostics {
        for span in std::iter::once(d.primary).chain(d.notes.iter().map(|n| n.0)) {
            let len = sources.get(span.file).map_or(0, |f| f.text.len()) as u32;
            assert!(span.start <= span.end && span.end <= len, "{d:?}");
        }
        let _ = d.render(&sources);
    }
    match config {
        ConfigMode::Symbolic => {
            let _ = kbuild_graph::lists::all_conditions(&graph, &mut pool);
        }
        ConfigMode::Concrete(_) => {
            let _ = kbuild_graph::lists::concrete_lists(&graph, &pool, &NoValuation);
        }
    }
    let _ = kbuild_graph::lists::build_errors(&graph, &mut pool);
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |&b| b == 0);
    let root = tree();
    for name in ["drivers/Makefile", "drivers/sub/Makefile", "drivers/inc.mk"] {
        let text = parts.next().unwrap_or(&[]);
        std::fs::write(root.join(name), text).expect("write");
    }
    let config = kbuild_graph::read_config("CONFIG_A=y\nCONFIG_B=m\nCONFIG_S=\"x y\"\n");
    check(root, ConfigMode::Symbolic);
    check(root, ConfigMode::Concrete(Rc::new(config)));
});
