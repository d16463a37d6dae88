//! `kpossible conditions PATH.o`: when an object is built in and when it is part of a module,
//! as conditions over config symbols, with the Makefile lines they come from (symbolic
//! Kbuild evaluation for one arch).

use std::process::ExitCode;

use crate::args::{ConditionsArgs, Global};

pub fn run(global: &Global, args: &ConditionsArgs) -> anyhow::Result<ExitCode> {
    let tree = crate::tree::resolve(global)?;
    let arch = crate::tree::single_arch(global, &tree)?;
    let opts = crate::kbuild::options(&tree, &arch, kbuild_graph::ConfigMode::Symbolic)?;
    let root = opts.srctree.clone();
    let mut pool = kp_base::ExprPool::new();
    let mut sources = kp_base::SourceMap::new();
    let graph = kbuild_graph::evaluate(opts, &mut pool, &mut sources);
    let all = kbuild_graph::lists::all_conditions(&graph, &mut pool);
    let object = kbuild_graph::normalize(args.object.trim_start_matches("./"));
    let location = |span: Option<kp_base::Span>| {
        span.map_or_else(
            || "?".to_string(),
            |s| {
                let loc = sources.location(s);
                let prefix = format!("{}/", root.display());
                loc.strip_prefix(&prefix)
                    .map_or(loc.clone(), str::to_string)
            },
        )
    };
    let Some(c) = all.get(&object) else {
        if global.json {
            println!(
                "{}",
                serde_json::json!({"object": object, "arch": arch, "listed": false})
            );
        } else {
            println!("{object}: not listed in any obj-y, obj-m or composite for ARCH={arch}");
        }
        return Ok(ExitCode::from(1));
    };
    if global.json {
        let occ: Vec<serde_json::Value> = c
            .occurrences
            .iter()
            .map(|o| {
                serde_json::json!({
                    "kind": if o.in_module { "module" } else { "builtin" },
                    "module": o.module.as_ref().map(|m| format!("{}.ko", m.trim_end_matches(".o"))),
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
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("{object} (ARCH={arch})");
    println!("built-in: {}", pool.display(c.builtin));
    println!("module:   {}", pool.display(c.module));
    for o in &c.occurrences {
        let kind = match &o.module {
            Some(m) if o.in_module => format!("in module {}.ko", m.trim_end_matches(".o")),
            _ => "built-in".to_string(),
        };
        println!(
            "  {kind} at {}: {}",
            location(o.span),
            pool.display(o.condition)
        );
    }
    Ok(ExitCode::SUCCESS)
}
