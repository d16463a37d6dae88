//! `kpossible conditions PATH.o`: when an object is built in and when it is part of a module,
//! as conditions over config symbols, with the Makefile lines they come from (symbolic
//! Kbuild evaluation for one arch, or for every ARCH spelling with `--arch all`).

use std::process::ExitCode;

use crate::args::{ConditionsArgs, Global};

pub fn run(global: &Global, args: &ConditionsArgs) -> anyhow::Result<ExitCode> {
    let tree = crate::tree::resolve(global)?;
    let arches: Vec<String> = if global.arch.as_deref() == Some("all") {
        tree.arches()?.into_iter().map(|v| v.arch).collect()
    } else {
        vec![crate::tree::single_arch(global, &tree)?]
    };
    let object = kbuild_graph::normalize(&crate::tree::in_tree(&tree, &args.object)?);
    let mut docs = Vec::new();
    let mut listed_anywhere = false;
    for arch in &arches {
        let (doc, text, listed) = one_arch(&tree, arch, &object)?;
        listed_anywhere |= listed;
        if global.json {
            docs.push(doc);
        } else {
            print!("{text}");
        }
    }
    if global.json {
        let out = if docs.len() == 1 {
            docs.remove(0)
        } else {
            serde_json::Value::Array(docs)
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
    }
    Ok(if listed_anywhere {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The conditions on one arch: a JSON document, the text form, and whether it is listed.
fn one_arch(
    tree: &ktree::Tree,
    arch: &str,
    object: &str,
) -> anyhow::Result<(serde_json::Value, String, bool)> {
    let opts = crate::kbuild::options(tree, arch, kbuild_graph::ConfigMode::Symbolic)?;
    let prefix = format!("{}/", opts.srctree.display());
    let mut pool = kp_base::ExprPool::new();
    let mut sources = kp_base::SourceMap::new();
    let graph = kbuild_graph::evaluate(opts, &mut pool, &mut sources);
    let all = kbuild_graph::lists::all_conditions(&graph, &mut pool);
    let location = |span: Option<kp_base::Span>| {
        span.map_or_else(
            || "?".to_string(),
            |s| {
                let loc = sources.location(s);
                loc.strip_prefix(&prefix)
                    .map_or(loc.clone(), str::to_string)
            },
        )
    };
    let Some(c) = all.get(object) else {
        let doc = serde_json::json!({"object": object, "arch": arch, "listed": false, "tree": crate::tree::tree_json(tree)});
        let text =
            format!("{object}: not listed in any obj-y, obj-m or composite for ARCH={arch}\n");
        return Ok((doc, text, false));
    };
    let module_name = |m: &str| format!("{}.ko", m.trim_end_matches(".o"));
    let occ: Vec<serde_json::Value> = c
        .occurrences
        .iter()
        .map(|o| {
            serde_json::json!({
                "kind": if o.in_module { "module" } else { "builtin" },
                "module": o.module.as_deref().map(module_name),
                "dir": o.dir,
                "line": location(o.span),
                "condition": pool.display(o.condition),
            })
        })
        .collect();
    let doc = serde_json::json!({
        "object": object,
        "arch": arch,
        "listed": true,
        "builtin": pool.display(c.builtin),
        "module": pool.display(c.module),
        "occurrences": occ,
        "tree": crate::tree::tree_json(tree),
    });
    let mut text = format!(
        "{object} (ARCH={arch})\nbuilt-in: {}\nmodule:   {}\n",
        pool.display(c.builtin),
        pool.display(c.module)
    );
    for o in &c.occurrences {
        let kind = match &o.module {
            Some(m) if o.in_module => format!("in module {}", module_name(m)),
            _ => "built-in".to_string(),
        };
        text.push_str(&format!(
            "  {kind} at {}: {}\n",
            location(o.span),
            pool.display(o.condition)
        ));
    }
    Ok((doc, text, true))
}
