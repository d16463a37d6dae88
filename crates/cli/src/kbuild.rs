//! `kpossible kbuild --config FILE`: the built-in objects and modules of one configuration,
//! from kpossible's own Kbuild evaluation (the lists the real-make oracle produces).

use std::process::ExitCode;
use std::rc::Rc;

use anyhow::Context;

use crate::args::{Global, KbuildArgs};

/// The kbuild-graph options for `arch` on `tree`, with the oracle's pinned variables.
pub fn options(
    tree: &ktree::Tree,
    arch: &str,
    config: kbuild_graph::ConfigMode,
) -> anyhow::Result<kbuild_graph::Options> {
    let variant = tree
        .arch(arch)?
        .with_context(|| format!("unknown ARCH `{arch}`"))?;
    let srctree =
        std::fs::canonicalize(tree.root()).with_context(|| tree.root().display().to_string())?;
    Ok(kbuild_graph::Options {
        srctree,
        arch: arch.to_string(),
        srcarch: variant.srcarch,
        config,
        pins: solver::arch::pins(arch),
    })
}

pub fn run(global: &Global, args: &KbuildArgs) -> anyhow::Result<ExitCode> {
    let tree = crate::tree::resolve(global)?;
    let arch = crate::tree::single_arch(global, &tree)?;
    let text =
        std::fs::read_to_string(&args.config).with_context(|| args.config.display().to_string())?;
    let config = kbuild_graph::ConfigMode::Concrete(Rc::new(
        kbuild_graph::config::read_config_for(&text, tree.root()),
    ));
    let opts = options(&tree, &arch, config)?;
    let mut pool = kp_base::ExprPool::new();
    let mut sources = kp_base::SourceMap::new();
    let graph = kbuild_graph::evaluate(opts, &mut pool, &mut sources);
    let lists =
        kbuild_graph::lists::concrete_lists(&graph, &pool, &kbuild_graph::config::NoValuation);
    let errors: Vec<String> = graph
        .diagnostics
        .iter()
        .filter(|d| d.severity == kp_base::Severity::Error)
        .map(|d| d.render(&sources))
        .collect();
    // Errors are shown even with --quiet: they make the exit code non-zero.
    for e in &errors {
        eprint!("{e}");
    }
    let format = if global.json {
        "json"
    } else {
        args.format.as_str()
    };
    let mut out = String::new();
    match format {
        "builtin" => {
            for o in &lists.builtin {
                out.push_str(o);
                out.push('\n');
            }
        }
        "modules" => {
            for m in &lists.modules {
                out.push_str(&format!("{}: {}\n", m.name, m.objects.join(" ")));
            }
        }
        "json" => {
            let doc = serde_json::json!({
                "arch": arch,
                "dirs": lists.dirs,
                "builtin": lists.builtin,
                "lib": lists.lib,
                "modules": lists.modules,
                "errors": errors,
                "tree": crate::tree::tree_json(&tree),
            });
            out = serde_json::to_string_pretty(&doc)?;
            out.push('\n');
        }
        other => anyhow::bail!("unknown --format `{other}`: expected builtin, modules or json"),
    }
    use std::io::Write as _;
    std::io::stdout().lock().write_all(out.as_bytes())?;
    // The lists are printed as far as they could be evaluated; the exit code says they may
    // be incomplete.
    Ok(if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
