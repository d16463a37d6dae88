/*!
Kbuild evaluation: the kernel's Makefiles in, a graph of directories, objects and modules with
conditions out.

# Brief overview

[`evaluate`] runs one (tree, ARCH) the way `make ARCH=...` run in the tree would: the tree's
own top-level Makefile (and through it the arch Makefile) gives the exported variables and
where the descent starts (the targets of its `$(MAKE) $(build)=$@` rule: `.` and the
top-level `Kbuild` from 6.1 on, each of `$(build-dirs)` in 5.10), then every directory as
`scripts/Makefile.build` and `scripts/Makefile.lib` process it. The result is a [`Graph`]: per
directory, when it is visited / entered with need-builtin / entered with need-modorder, its
built-in objects, `lib.a` objects and modules (with composite members), each under a guard.

The same evaluator runs in two modes ([`ConfigMode`]):
- concrete: a `.config` (auto.conf semantics); every guard is the constant `y` or `n`, and
  [`lists::concrete_lists`] gives the lists the real-make oracle produces;
- symbolic: `$(CONFIG_X)` is `y` under `X=y` and `m` under `X=m`; guards are conditions in the
  shared [`kp_base::ExprPool`], and [`lists::all_conditions`] gives, for every object, when it
  is built in and when it is part of a module, with the Makefile lines.

Evaluating a symbolic graph's guards under a configuration gives exactly the concrete lists
(tested on random Makefiles and on the real trees).

Modules: [`parse`] (makefile text to statements), [`value`] (guarded values), [`guard`]
(guard algebra), [`eval`] (the GNU make subset), [`walk`] (the descent and `Makefile.lib`'s
list arithmetic), [`lists`] (answers), [`config`] (`.config` reading and valuations).

This crate never runs make or a shell. What it cannot model (a `$(shell ...)` whose output
reaches an object list or a condition, a computed include) becomes an unknown fact in the pool
with its file:line ([`lists::graph_unknowns`]), never a silent omission. Where a directory's
lists may miss words (such a fact in them, an assignment or `$(eval)` of unknown text, a word
with too many spellings, the expansion budget), [`lists::losses`] names the directory and the
construct, so that no object under it is called absent; `$(error ...)` calls are kept with
their guards ([`lists::build_errors`]).

Diagnostics (all values next to a best-effort result, never panics):
- reading: KP0601 stray `else`/`endif`, KP0602 conditionals nested too deeply, KP0603
  missing `endif`, KP0604 unexpected directive, KP0605 malformed `ifeq`, KP0606 stray
  `endef`, KP0607 missing `endef`, KP0608 invalid UTF-8 (warning);
- evaluating: KP0611 include nesting too deep or a makefile including itself, KP0612 computed include, KP0613 included file
  missing, KP0614 line that is not a statement, KP0615 condition on `$(shell ...)` output
  (concrete mode reads it as empty), KP0616 too many alternatives for a word (the rest
  dropped: a loss of the directory, at the line that wrote the word), KP0617
  expansion too deep, KP0618 unterminated reference, KP0619 configuration-dependent
  substitution pattern, KP0620 `$(error ...)` reached, KP0621 `$(eval)` of host-dependent
  text, KP0622 `$(eval)` nested too deeply, KP0623 wrong argument count, KP0624 function with
  configuration-dependent arguments not modelled, KP0625 recursive variable references
  itself, KP0626 expansion budget exhausted (unbounded `$(call)` recursion; also a loss), KP0627 guard
  budget exhausted (configuration-dependent names and conditions from there on are unknown
  facts, warning);
- walking: KP0630 arch Makefile missing, KP0631 directory without a kbuild file, KP0632
  subdirectory that is the directory itself or a parent (`sub//`, `../`): endless descent,
  KP0633 no top-level Makefile or no rule of it that starts the descent (nothing is listed).

```
use kbuild_graph::{ConfigMode, Options};
let tree = tempfile::tempdir().unwrap();
for (path, text) in [
    ("Makefile", "build-dir := .\n$(build-dir): prepare\n\t$(MAKE) $(build)=$@ need-builtin=1 need-modorder=1\n"),
    ("Kbuild", "obj-y += drivers/\n"),
    ("scripts/Makefile.build", "src := $(obj)\n"),
    ("arch/x86/Makefile", ""),
    ("drivers/Makefile", "obj-$(CONFIG_FOO) += foo.o\nfoo-y := a.o b.o\n"),
] {
    let p = tree.path().join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}
let mut pool = kp_base::ExprPool::new();
let mut sources = kp_base::SourceMap::new();
let opts = Options {
    srctree: tree.path().to_path_buf(),
    arch: "x86".into(),
    srcarch: "x86".into(),
    config: ConfigMode::Symbolic,
    pins: Vec::new(),
};
let graph = kbuild_graph::evaluate(opts, &mut pool, &mut sources);
let conditions = kbuild_graph::lists::all_conditions(&graph, &mut pool);
assert_eq!(pool.display(conditions["drivers/a.o"].module), "FOO=m");
assert_eq!(pool.display(conditions["drivers/a.o"].builtin), "FOO=y");
```
*/

pub mod config;
pub mod eval;
pub mod guard;
pub mod lists;
pub mod parse;
pub mod value;
pub mod walk;

pub use config::read_config;
pub use eval::ConfigMode;
pub use lists::{Conditions, KbuildLists, Module, Occurrence};
pub use walk::{Graph, Options, evaluate, evaluate_toward, normalize};
