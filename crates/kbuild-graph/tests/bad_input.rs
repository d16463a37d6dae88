//! Bad Makefiles: each gives a diagnostic a user can act on (`path:line:col: error[KP06xx]`),
//! the rest of the tree is still evaluated, and nothing panics or hangs (recursion and
//! expansion are bounded). Both symbolic and concrete evaluation are run on each.

use std::path::Path;
use std::rc::Rc;
use std::time::{Duration, Instant};

use kbuild_graph::{ConfigMode, Options};

/// A top Makefile shaped like the kernel's (6.1 on): the arch Makefile's lists exported to
/// ./Kbuild, one descent into `.`.
const TOP_MAKEFILE: &str = "srctree := .\nSRCARCH := $(ARCH)\nexport srctree SRCARCH\ninclude $(srctree)/scripts/Kbuild.include\ninclude $(srctree)/scripts/Makefile.compiler\ncore-y :=\ndrivers-y :=\nlibs-y := lib/\ninclude $(srctree)/arch/$(SRCARCH)/Makefile\nexport ARCH_CORE := $(core-y)\nexport ARCH_LIB := $(filter %/, $(libs-y))\nexport ARCH_DRIVERS := $(drivers-y) $(drivers-m)\nbuild-dir := .\n$(build-dir): prepare\n\t$(MAKE) $(build)=$@ need-builtin=1 need-modorder=1\n";

/// A tree whose `drivers/Makefile` (and any extra files) are given; `drivers/ok/` is a sibling
/// directory with a good Makefile, to show the rest of the tree survives.
fn tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let base: &[(&str, &[u8])] = &[
        ("Makefile", TOP_MAKEFILE.as_bytes()),
        ("Kbuild", b"obj-y += drivers/ good/\n"),
        ("scripts/Kbuild.include", b"comma := ,\n"),
        ("scripts/Makefile.compiler", b""),
        ("scripts/Makefile.build", b"src := $(obj)\n"),
        ("arch/x86/Makefile", b""),
        ("lib/Makefile", b""),
        ("good/Makefile", b"obj-$(CONFIG_GOOD) += good.o\n"),
    ];
    for (p, t) in base.iter().chain(files) {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, t).expect("write");
    }
    dir
}

struct Outcome {
    /// Rendered diagnostics, tree path stripped, first line of each.
    diags: Vec<String>,
    /// Objects with a module condition (symbolic).
    objects: Vec<String>,
    /// Each object's module condition as printed (symbolic).
    module: std::collections::BTreeMap<String, String>,
    /// Built-in objects under `CONFIG_GOOD=y`, `CONFIG_A=y` (concrete).
    builtin: Vec<String>,
    /// What the walk lost (symbolic): `dir: path:line: construct`.
    losses: Vec<String>,
}

/// [`evaluate_here`] on a thread with a main thread's stack and more: the evaluator bounds
/// its recursion depth, not its frame sizes, which a debug build makes large (the cli's
/// workers get the same).
fn evaluate(files: &[(&str, &[u8])]) -> Outcome {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn_scoped(scope, || evaluate_here(files))
            .expect("spawn")
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))
    })
}

fn evaluate_here(files: &[(&str, &[u8])]) -> Outcome {
    let t = tree(files);
    let opts = |config| Options {
        srctree: t.path().to_path_buf(),
        arch: "x86".into(),
        srcarch: "x86".into(),
        config,
        pins: Vec::new(),
    };
    let started = Instant::now();
    let mut pool = kp_base::ExprPool::new();
    let mut sources = kp_base::SourceMap::new();
    let g = kbuild_graph::evaluate(opts(ConfigMode::Symbolic), &mut pool, &mut sources);
    let conds = kbuild_graph::lists::all_conditions(&g, &mut pool);
    let module = conds
        .iter()
        .map(|(o, c)| (o.clone(), pool.display(c.module)))
        .collect();
    let prefix = format!("{}/", t.path().display());
    let diags = g
        .diagnostics
        .iter()
        .map(|d| {
            d.render(&sources)
                .lines()
                .next()
                .unwrap_or_default()
                .replace(&prefix, "")
        })
        .collect();
    let losses = kbuild_graph::lists::losses(&g, &pool)
        .iter()
        .map(|l| {
            let at = l.span.map_or_else(String::new, |s| {
                let lc = sources.line_col(s);
                format!("{}:{}", sources.path(s.file).display(), lc.line)
            });
            format!("{}: {}: {}", l.dir, at.replace(&prefix, ""), l.construct)
        })
        .collect();
    let config = kbuild_graph::read_config("CONFIG_GOOD=y\nCONFIG_A=y\n");
    let mut pool = kp_base::ExprPool::new();
    let mut sources = kp_base::SourceMap::new();
    let c = kbuild_graph::evaluate(
        opts(ConfigMode::Concrete(Rc::new(config))),
        &mut pool,
        &mut sources,
    );
    let lists = kbuild_graph::lists::concrete_lists(&c, &pool, &kbuild_graph::config::NoValuation);
    // Generous: a bound that fails is minutes or forever, not seconds (a debug build is
    // some ten times slower).
    let bound = Duration::from_secs(if cfg!(debug_assertions) { 600 } else { 60 });
    assert!(started.elapsed() < bound, "took {:?}", started.elapsed());
    Outcome {
        diags,
        objects: conds.keys().cloned().collect(),
        module,
        builtin: lists.builtin,
        losses,
    }
}

fn assert_has(o: &Outcome, want: &str) {
    assert!(
        o.diags.iter().any(|d| d == want),
        "missing `{want}` in {:#?}",
        o.diags
    );
    // The sibling directory is still there.
    assert!(
        o.objects.iter().any(|x| x == "good/good.o"),
        "{:?}",
        o.objects
    );
    assert!(
        o.builtin.iter().any(|x| x == "good/good.o"),
        "{:?}",
        o.builtin
    );
}

#[test]
fn truncated_conditional_is_a_missing_endif() {
    let o = evaluate(&[(
        "drivers/Makefile",
        b"obj-y += a.o\nifeq ($(CONFIG_A),y)\nobj-y += b.o\n",
    )]);
    assert_has(
        &o,
        "drivers/Makefile:2:1: error[KP0603]: `ifeq` without `endif`",
    );
}

#[test]
fn unbalanced_endif_and_else() {
    let o = evaluate(&[("drivers/Makefile", b"obj-y += a.o\nendif\nelse\n")]);
    assert_has(
        &o,
        "drivers/Makefile:2:1: error[KP0601]: `endif` without a matching `if`",
    );
    assert!(o.builtin.contains(&"drivers/a.o".to_string()));
}

#[test]
fn malformed_ifeq() {
    let o = evaluate(&[(
        "drivers/Makefile",
        b"ifeq ($(CONFIG_A),y\nobj-y += a.o\nendif\n",
    )]);
    assert_has(
        &o,
        "drivers/Makefile:1:1: error[KP0605]: malformed `ifeq` arguments",
    );
}

#[test]
fn truncated_define_is_a_missing_endef() {
    let o = evaluate(&[("drivers/Makefile", b"define f\nobj-y += a.o\n")]);
    assert_has(
        &o,
        "drivers/Makefile:1:1: error[KP0607]: `define` without `endef`",
    );
}

#[test]
fn recursive_variable_is_an_error_not_a_hang() {
    let o = evaluate(&[(
        "drivers/Makefile",
        b"X = a.o $(X)\nobj-y += $(X)\nY = $(Y)$(Y)$(Y)\nobj-y += $(Y) c.o\n",
    )]);
    assert_has(
        &o,
        "drivers/Makefile:2:1: error[KP0625]: recursive variable `X` references itself (eventually)",
    );
    assert_has(
        &o,
        "drivers/Makefile:4:1: error[KP0625]: recursive variable `Y` references itself (eventually)",
    );
}

#[test]
fn unbounded_call_recursion_is_cut_off() {
    // Legal make that never ends (make itself would run out of stack): both the depth and
    // the exponential width are bounded.
    let o = evaluate(&[(
        "drivers/Makefile",
        b"f = $(call f,$(1)x)$(call f,$(1)y)\nobj-y += $(call f,a) a.o\n",
    )]);
    assert!(
        o.diags
            .iter()
            .any(|d| d.starts_with("drivers/Makefile:2:1: error[KP0626]: more than")),
        "{:#?}",
        o.diags
    );
    assert!(o.objects.iter().any(|x| x == "good/good.o"));
    // What the directory's lists lost is recorded, so no object under it is called absent.
    assert_eq!(
        o.losses,
        [
            "drivers: drivers/Makefile:2: more than 500000 expansions (the rest of this make expands to nothing)"
        ]
    );
}

#[test]
fn a_word_with_too_many_spellings_is_a_loss_at_its_line() {
    // Each `$(CONFIG_Ax)` is `y`, `m` or empty: 3^5 spellings of one word, more than are
    // kept. The warning and the loss name the line that wrote the word, not Makefile.build.
    let o = evaluate(&[(
        "drivers/Makefile",
        b"obj-y += a.o\nobj-m += w$(CONFIG_A1)$(CONFIG_A2)$(CONFIG_A3)$(CONFIG_A4)$(CONFIG_A5).o\n",
    )]);
    assert!(
        o.diags.iter().any(|d| d.starts_with("drivers/Makefile:2:")
            && d.contains("warning[KP0616]: more than 64 alternatives for one word")),
        "{:#?}",
        o.diags
    );
    assert_eq!(
        o.losses,
        ["drivers: drivers/Makefile:2: a word with more than 64 configuration-dependent spellings"]
    );
    assert!(o.objects.iter().any(|x| x == "good/good.o"));
}

#[test]
fn shell_output_in_an_object_list_is_a_loss_of_that_directory() {
    let o = evaluate(&[(
        "drivers/Makefile",
        b"obj-y += a.o\nobj-m += $(shell ls *.o)\n",
    )]);
    assert_eq!(o.losses, ["drivers: drivers/Makefile:2: $(shell ls *.o)"]);
    assert!(o.objects.iter().any(|x| x == "drivers/a.o"));
}

#[test]
fn missing_included_file() {
    let o = evaluate(&[(
        "drivers/Makefile",
        b"obj-y += a.o\ninclude $(srctree)/drivers/missing.mk\n",
    )]);
    assert_has(
        &o,
        "drivers/Makefile:2:1: error[KP0613]: included file `./drivers/missing.mk` not found",
    );
}

#[test]
fn include_loop_is_bounded() {
    let o = evaluate(&[
        (
            "drivers/Makefile",
            b"obj-y += a.o\ninclude $(srctree)/drivers/loop.mk\n",
        ),
        ("drivers/loop.mk", b"include $(srctree)/drivers/loop.mk\n"),
    ]);
    assert!(
        o.diags
            .iter()
            .any(|d| d == "drivers/loop.mk:1:1: error[KP0611]: `drivers/loop.mk` includes itself"),
        "{:#?}",
        o.diags
    );
    assert!(o.builtin.contains(&"drivers/a.o".to_string()));
}

#[test]
fn guard_budget_turns_conditions_unknown_not_false() {
    // 3,000 lookups of a variable whose name depends on four symbols: each splits the name
    // into alternatives (about 240 guard conjunctions), far more than any real directory.
    let mut text = String::from("words :=");
    for i in 0..3000 {
        text.push_str(&format!(" w{i}"));
    }
    text.push_str(
        "\nx := $(foreach w,$(words),$(V_$(CONFIG_A)$(CONFIG_B)$(CONFIG_C)$(CONFIG_D)))\n\
         obj-$(CONFIG_C) += late.o\n\
         ifeq ($(CONFIG_A)$(CONFIG_A)$(CONFIG_A)$(CONFIG_A)$(CONFIG_A),mmmmm)\n\
         obj-m += computed.o\n\
         endif\n",
    );
    let o = evaluate(&[("drivers/Makefile", text.as_bytes())]);
    assert_has(
        &o,
        "drivers/Makefile:2:1: warning[KP0627]: more than 200000 guard conjunctions in one make invocation: from here on a name, condition or `$(eval)` text with more than 8 configuration-dependent parts is unknown",
    );
    // A short name is still exact past the budget.
    assert_eq!(o.module["drivers/late.o"], "C=m");
    // A condition on ten configuration-dependent parts (`A=m` within the budget) is an
    // unknown fact naming the line, not `n`: the object stays listed.
    assert_eq!(
        o.module["drivers/computed.o"],
        "<unknown: configuration-dependent value after 200000 guard conjunctions (KP0627)>"
    );
}

/// Found by the fuzz target (`tests/fuzz_regressions/guard-blowup-timeout`, more than 20 s
/// before the guard budget): a `define` whose body calls itself through `$(call f,c)` and is
/// `$(eval)`ed, each level splitting values of up to 216 conditional parts into alternatives.
#[test]
fn fuzz_guard_blowup_is_cut_off_by_the_guard_budget() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions/guard-blowup-timeout");
    let data = std::fs::read(&path).expect("read");
    let mut parts = data.splitn(3, |&b| b == 0);
    let files: Vec<(&str, &[u8])> = ["drivers/Makefile", "drivers/sub/Makefile", "drivers/inc.mk"]
        .into_iter()
        .map(|name| (name, parts.next().unwrap_or(&[])))
        .collect();
    let o = evaluate(&files);
    assert_has(
        &o,
        "drivers/inc.mk:73:1: warning[KP0627]: more than 200000 guard conjunctions in one make invocation: from here on a name, condition or `$(eval)` text with more than 8 configuration-dependent parts is unknown",
    );
    // The recursion re-expands the same references thousands of times (it printed some
    // 140,000 identical KP0617 lines): each warning is said once per place.
    let mut seen = std::collections::HashSet::new();
    let repeated: Vec<&String> = o.diags.iter().filter(|d| !seen.insert(*d)).collect();
    assert!(
        repeated.is_empty(),
        "{} repeated, e.g. {:?}",
        repeated.len(),
        repeated.first()
    );
    assert!(
        o.diags.iter().any(|d| d.contains("KP0617")),
        "{:#?}",
        o.diags
    );
}

/// Inputs the cargo-fuzz target (`fuzz/`) found hanging or crashing, kept in
/// `tests/fuzz_regressions/`: split at NULs into the same three files and evaluated the same
/// way (symbolic and concrete, within the time bound of `evaluate`).
#[test]
fn fuzz_regressions() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("fuzz_regressions")
        .map(|e| e.expect("entry").path())
        .collect();
    names.sort();
    assert!(!names.is_empty());
    for path in names {
        let data = std::fs::read(&path).expect("read");
        let mut parts = data.splitn(3, |&b| b == 0);
        let files: Vec<(&str, &[u8])> =
            ["drivers/Makefile", "drivers/sub/Makefile", "drivers/inc.mk"]
                .into_iter()
                .map(|name| (name, parts.next().unwrap_or(&[])))
                .collect();
        let o = evaluate(&files);
        assert!(
            o.objects.iter().any(|x| x == "good/good.o"),
            "{}",
            path.display()
        );
    }
}

#[test]
fn a_line_that_is_not_a_statement() {
    let o = evaluate(&[("drivers/Makefile", b"obj-y += a.o\nthis is not make\n")]);
    assert_has(
        &o,
        "drivers/Makefile:2:1: warning[KP0614]: line is not a statement (make: missing separator)",
    );
}

#[test]
fn non_utf8_bytes_are_replaced_and_reported() {
    let o = evaluate(&[("drivers/Makefile", b"# caf\xe9\nobj-y += a.o\n")]);
    assert_has(
        &o,
        "drivers/Makefile:1:6: warning[KP0608]: invalid UTF-8 replaced by U+FFFD",
    );
    assert!(o.builtin.contains(&"drivers/a.o".to_string()));
}

#[test]
fn ten_megabyte_lines() {
    // One 10 MB word, and a 10 MB list of short words (half of them duplicates).
    let mut long = b"X := ".to_vec();
    long.extend(std::iter::repeat_n(b'a', 10 << 20));
    long.extend(b"\nobj-y += a.o\nobj-$(CONFIG_A) += ");
    for i in 0..(10 << 20) / 12 {
        long.extend(format!("w{}.o ", i % 400_000).as_bytes());
    }
    long.push(b'\n');
    let o = evaluate(&[("drivers/Makefile", &long)]);
    assert!(o.diags.is_empty(), "{:#?}", o.diags);
    assert!(o.builtin.contains(&"drivers/a.o".to_string()));
    assert!(o.builtin.contains(&"drivers/w399999.o".to_string()));
}

#[test]
fn missing_subdirectory_makefile() {
    let o = evaluate(&[("drivers/Makefile", b"obj-y += gone/\n")]);
    assert_has(
        &o,
        "drivers/gone/Makefile:1:1: error[KP0631]: no kbuild file in `drivers/gone`",
    );
}

#[test]
fn a_subdirectory_that_is_its_own_parent_is_not_entered_forever() {
    let o = evaluate(&[("drivers/Makefile", b"obj-y += a.o ./ sub// ../drivers/\n")]);
    for want in [
        "drivers/Makefile:1:1: error[KP0632]: subdirectory `.` of `drivers` is `drivers` again: make would descend forever",
        "drivers/Makefile:1:1: error[KP0632]: subdirectory `../drivers` of `drivers` is `drivers` again: make would descend forever",
    ] {
        assert_has(&o, want);
    }
    assert!(o.builtin.contains(&"drivers/a.o".to_string()));
}

#[test]
fn missing_arch_makefile() {
    let t = tree(&[("drivers/Makefile", b"obj-y += a.o\n")]);
    std::fs::remove_file(t.path().join("arch/x86/Makefile")).expect("rm");
    let mut pool = kp_base::ExprPool::new();
    let mut sources = kp_base::SourceMap::new();
    let opts = Options {
        srctree: t.path().to_path_buf(),
        arch: "x86".into(),
        srcarch: "x86".into(),
        config: ConfigMode::Symbolic,
        pins: Vec::new(),
    };
    let g = kbuild_graph::evaluate(opts, &mut pool, &mut sources);
    let r: Vec<String> = g.diagnostics.iter().map(|d| d.render(&sources)).collect();
    let want = format!(
        "{}: error[KP0630]: arch Makefile not found",
        Path::new(t.path()).join("arch/x86/Makefile:1:1").display()
    );
    assert!(r.iter().any(|d| d.starts_with(&want)), "{r:#?}");
}

#[test]
fn host_output_in_the_arch_directory_lists_is_a_loss_of_the_whole_tree() {
    // `$(shell ...)` in libs-y may name any directory: nothing is known to be unlisted.
    let kbuild: (&str, &[u8]) = ("Kbuild", b"obj-y += drivers/ good/ $(ARCH_LIB)\n");
    let o = evaluate(&[
        kbuild,
        ("arch/x86/Makefile", b"libs-y += $(shell cat dirs.txt)\n"),
    ]);
    assert_eq!(o.losses, [".: arch/x86/Makefile:1: $(shell cat dirs.txt)"]);
    // The compiler's answer to where libgcc is, is a file to link, not a directory to walk.
    let o = evaluate(&[
        kbuild,
        (
            "arch/x86/Makefile",
            b"LIBGCC := $(shell $(CC) $(KBUILD_CFLAGS) -print-libgcc-file-name)\nlibs-y += $(LIBGCC)\n",
        ),
    ]);
    assert_eq!(o.losses, Vec::<String>::new());
}

#[test]
fn an_override_chain_longer_than_the_enumeration_lists_only_its_own_names() {
    // arch/sh/kernel/cpu/sh4a/Makefile's `clock-$(CONFIG_CPU_SUBTYPE_*) := clock-*.o`, 13
    // deep: the alternatives of `clock-y` exclude each other, which the literal check proves
    // past the symbols the enumeration takes; before, pieces were joined into names such as
    // `clock-0.oclock-1.o` and the word was cut at 64 spellings (KP0616).
    let mut mk = String::new();
    for i in 0..13 {
        mk.push_str(&format!("clock-$(CONFIG_C{i}) := clock-{i}.o\n"));
    }
    mk.push_str("obj-y += $(clock-y)\n");
    let o = evaluate(&[("drivers/Makefile", mk.as_bytes())]);
    let mut want: Vec<String> = (0..13).map(|i| format!("drivers/clock-{i}.o")).collect();
    want.push("good/good.o".into());
    want.sort();
    assert_eq!(o.objects, want);
    assert!(
        o.diags.iter().all(|d| !d.contains("KP0616")),
        "{:#?}",
        o.diags
    );
    assert_eq!(o.losses, Vec::<String>::new());
}
