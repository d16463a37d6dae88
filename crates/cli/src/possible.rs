//! `kpossible could-be-module OBJ` and `kpossible manifest`: the possibility answers, per arch
//! and overall, as text or JSON (the contract is in the README).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context;
use report::sweep::overall;
use serde_json::{Value, json};
use solver::arch::ArchReport;
use solver::possibility::Verdict;

use crate::args::{CouldBeModuleArgs, Global, ManifestArgs};

/// The first line of each error of a failed arch (`path:line:col: error[KPxxxx]: message`).
fn failure_lines(r: &ArchReport) -> Vec<&str> {
    r.errors.iter().filter_map(|e| e.lines().next()).collect()
}

/// Why a failed arch answers nothing: its first error (the others are on stderr and in the
/// JSON).
fn failure_why(r: &ArchReport) -> String {
    let lines = failure_lines(r);
    let more = match lines.len() {
        0 | 1 => String::new(),
        n => format!(" (and {} more errors)", n - 1),
    };
    format!(
        "ARCH={} failed: {}{more}",
        r.arch,
        lines.first().copied().unwrap_or("no reason given")
    )
}

/// On a failed arch every object is unknown.
fn failed_verdict(r: &ArchReport) -> Verdict {
    Verdict::Unknown {
        why: failure_why(r),
    }
}

fn failed_json(r: &ArchReport) -> Value {
    json!({"verdict": "unknown", "failed": true, "why": failure_why(r), "errors": failure_lines(r)})
}

fn arch_json(v: &Verdict, witness_file: Option<&str>) -> Value {
    match v {
        Verdict::Yes { modules, witness } => json!({
            "verdict": "yes",
            "modules": modules,
            "witness": witness_file.unwrap_or(witness.origin),
        }),
        Verdict::No { reasons } => json!({"verdict": "no", "reason": reasons}),
        Verdict::Unknown { why } => json!({"verdict": "unknown", "why": why}),
    }
}

/// Analyses every arch of `--arch` (see [`crate::tree::sweep`]) and reports each one's
/// errors, and each failed arch, on stderr.
fn run_arches(
    global: &Global,
    tree: &ktree::Tree,
    only: Option<&[String]>,
) -> anyhow::Result<Vec<ArchReport>> {
    let reports = crate::tree::sweep(global, tree, only)?;
    report_failures(&reports);
    Ok(reports)
}

fn report_failures(reports: &[ArchReport]) {
    for r in reports {
        for e in &r.errors {
            eprint!("{e}");
        }
        if r.failed() {
            eprintln!(
                "kpossible: ARCH={} failed ({} errors); its answers are unknown, the other arches' are kept",
                r.arch,
                r.errors.len()
            );
        }
    }
}

/// The reports for `only` on every arch of `--arch`: a probe-free allmodconfig "yes" where
/// there is one (`solver::quick`), the whole analysis elsewhere. Only for answers that write
/// no witness: the shortcut knows where allmodconfig puts the object, not its every line.
fn quick_then_full(
    global: &Global,
    tree: &ktree::Tree,
    only: &[String],
) -> anyhow::Result<Vec<ArchReport>> {
    let list = crate::tree::arch_list(global, tree)?;
    let jobs = crate::tree::jobs(global);
    let quick = report::sweep::allmodconfig_modules(tree.root(), &list, only, jobs);
    let rest: Vec<(String, String)> = list
        .iter()
        .zip(&quick)
        .filter(|(_, q)| q.is_none())
        .map(|(a, _)| a.clone())
        .collect();
    let full = if rest.is_empty() {
        Vec::new()
    } else {
        let reports = report::sweep::sweep(
            tree.root(),
            &rest,
            Some(only),
            crate::tree::toolchain(global),
            jobs,
            report::sweep::WitnessTexts::Drop,
            &crate::tree::progress(global),
        );
        report_failures(&reports);
        reports
    };
    let mut full = full.into_iter();
    let mut reports = Vec::new();
    for ((arch, srcarch), q) in list.into_iter().zip(quick) {
        match q {
            Some(modules) => {
                let verdicts = modules
                    .into_iter()
                    .map(|(o, modules)| {
                        // Never written: this path runs only without `--witness`.
                        let witness = solver::possibility::Witness {
                            config: std::sync::Arc::new(String::new()),
                            origin: "allmodconfig",
                        };
                        (o, Verdict::Yes { modules, witness })
                    })
                    .collect();
                reports.push(ArchReport {
                    arch,
                    srcarch,
                    verdicts,
                    module_members: BTreeMap::new(),
                    stats: Default::default(),
                    errors: Vec::new(),
                    seconds: [0.0; 3],
                });
            }
            None => reports.extend(full.next()),
        }
    }
    Ok(reports)
}

pub fn could_be_module(global: &Global, args: &CouldBeModuleArgs) -> anyhow::Result<ExitCode> {
    let tree = crate::tree::resolve(global)?;
    let name = match resolve_names(global, &tree, std::slice::from_ref(&args.object))? {
        Ok(mut names) => names.remove(0),
        Err(code) => return Ok(code),
    };
    let object = name.object.clone();
    let only = std::slice::from_ref(&object);
    let reports = if args.witness.is_none() {
        quick_then_full(global, &tree, only)?
    } else {
        run_arches(global, &tree, Some(only))?
    };
    let mut per_arch = serde_json::Map::new();
    let mut words = Vec::new();
    let mut text = String::new();
    let mut any_failed = false;
    for r in &reports {
        if r.failed() {
            any_failed = true;
            words.push("unknown");
            per_arch.insert(r.arch.clone(), failed_json(r));
            text.push_str(&format!("  {}: unknown: {}\n", r.arch, failure_why(r)));
            continue;
        }
        let Some(v) = r.verdicts.get(&object) else {
            continue;
        };
        words.push(v.word());
        let mut witness_file = None;
        if let (Verdict::Yes { witness, .. }, Some(base)) = (v, &args.witness) {
            let path = if reports.len() == 1 {
                base.clone()
            } else {
                format!("{base}.{}", r.arch)
            };
            std::fs::write(&path, witness.config.as_bytes()).with_context(|| path.clone())?;
            witness_file = Some(path);
        }
        per_arch.insert(r.arch.clone(), arch_json(v, witness_file.as_deref()));
        match v {
            Verdict::Yes { modules, witness } => text.push_str(&format!(
                "  {}: yes, in {} (witness: {})\n",
                r.arch,
                modules.join(", "),
                witness_file.as_deref().unwrap_or(witness.origin)
            )),
            Verdict::No { reasons } => {
                text.push_str(&format!("  {}: no\n", r.arch));
                for reason in reasons {
                    if reason.line > 0 {
                        text.push_str(&format!(
                            "    {}:{}: {}\n",
                            reason.file, reason.line, reason.text
                        ));
                    } else {
                        text.push_str(&format!("    {}\n", reason.text));
                    }
                }
            }
            Verdict::Unknown { why } => text.push_str(&format!("  {}: unknown: {why}\n", r.arch)),
        }
    }
    let verdict = overall(words);
    let mut out = std::io::stdout().lock();
    if global.json {
        let doc = json!({"object": object, "name": name, "verdict": verdict, "arches": per_arch, "tree": crate::tree::tree_json(&tree)});
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        writeln!(out, "{object}: {verdict}")?;
        out.write_all(name.to_text().as_bytes())?;
        out.write_all(text.as_bytes())?;
    }
    // A yes stands whatever other arches did; anything else is not an answer when an arch
    // failed on its input (exit 3: input error, as the contract says).
    Ok(ExitCode::from(match verdict {
        "yes" => 0,
        _ if any_failed => 3,
        "no" => 1,
        _ => 2,
    }))
}

pub fn manifest(global: &Global, args: &ManifestArgs) -> anyhow::Result<ExitCode> {
    let tree = crate::tree::resolve(global)?;
    let reports = run_arches(global, &tree, None)?;
    // object -> arch -> verdict; a failed arch says unknown for every object.
    let failed: Vec<Verdict> = reports.iter().map(failed_verdict).collect();
    let mut objects: BTreeMap<&str, Vec<(&str, &Verdict)>> = BTreeMap::new();
    let dirs: Vec<String> = args
        .scope
        .iter()
        .map(|d| {
            Ok(format!(
                "{}/",
                crate::tree::in_tree(&tree, d)?.trim_end_matches('/')
            ))
        })
        .collect::<anyhow::Result<_>>()?;
    for r in &reports {
        for o in r.verdicts.keys() {
            if !dirs.is_empty() && !dirs.iter().any(|d| o.starts_with(d.as_str())) {
                continue;
            }
            objects.entry(o.as_str()).or_default();
        }
    }
    for (r, fail) in reports.iter().zip(&failed) {
        for (o, per) in objects.iter_mut() {
            let v = if r.failed() {
                Some(fail)
            } else {
                r.verdicts.get(*o)
            };
            if let Some(v) = v {
                per.push((r.arch.as_str(), v));
            }
        }
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let json = global.json || args.format.as_deref() == Some("json");
    if json {
        let docs: Vec<Value> = objects
            .iter()
            .map(|(o, per)| {
                let arches: serde_json::Map<String, Value> =
                    per.iter().map(|(a, v)| (a.to_string(), arch_json(v, None))).collect();
                json!({"object": o, "verdict": overall(per.iter().map(|(_, v)| v.word())), "arches": arches})
            })
            .collect();
        let stats: serde_json::Map<String, Value> = reports
            .iter()
            .map(|r| {
                // Timings stay on stderr: stdout is the same bytes for the same inputs.
                let mut stats = json!(r.stats);
                if let Some(map) = stats.as_object_mut() {
                    map.retain(|k, _| !k.starts_with("seconds"));
                }
                let mut doc = json!({"stats": stats, "errors": r.errors.len()});
                if r.failed() {
                    doc["failed"] = true.into();
                    doc["why"] = failure_lines(r).into();
                }
                (r.arch.clone(), doc)
            })
            .collect();
        serde_json::to_writer_pretty(
            &mut out,
            &json!({"tree": crate::tree::tree_json(&tree), "arches": stats, "objects": docs}),
        )?;
        writeln!(out)?;
    } else {
        for (o, per) in &objects {
            let verdict = overall(per.iter().map(|(_, v)| v.word()));
            let mut line = format!("{o}\t{verdict}");
            for (a, v) in per {
                line.push_str(&format!("\t{a}={}", v.word()));
                if let Verdict::Yes { modules, .. } = v {
                    line.push(':');
                    line.push_str(&modules.join(","));
                }
            }
            writeln!(out, "{line}")?;
        }
    }
    out.flush()?;
    if !global.quiet {
        for r in reports.iter().filter(|r| !r.failed()) {
            let s = &r.stats;
            eprintln!(
                "kpossible: {}: {} objects: yes {} (allmodconfig {}, sat {}), no {} (makefile {}, sat {}), unknown {} ({} toolchain-dependent, {} under a Makefile construct not followed); {:.1}s kconfig, {:.1}s kbuild, {:.1}s analysis ({:.1}s deciding {} goals, {} by a local model, {} whole-arch SAT searches; {:.1}s local, {:.1}s building witnesses; {:.1}s explaining)",
                r.arch,
                s.objects,
                s.yes_by_seed + s.yes_by_sat,
                s.yes_by_seed,
                s.yes_by_sat,
                s.no_by_makefile + s.no_by_sat,
                s.no_by_makefile,
                s.no_by_sat,
                s.unknown,
                s.toolchain_dependent,
                s.walk_lost,
                r.seconds[0],
                r.seconds[1],
                r.seconds[2],
                s.seconds_sat,
                s.sat_calls,
                s.yes_local,
                s.whole_arch_solves,
                s.seconds_local,
                s.seconds_validate,
                s.seconds_explain,
            );
        }
    }
    for r in reports.iter().filter(|r| r.failed()) {
        eprintln!(
            "kpossible: {}: FAILED: {}",
            r.arch,
            failure_lines(r)
                .first()
                .copied()
                .unwrap_or("no reason given")
        );
    }
    // The other arches' answers are all printed; the exit code says the manifest is partial.
    Ok(if reports.iter().any(ArchReport::failed) {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}

/// The objects `names` stand for ([`report::names::resolve`] over the arches of `--arch`,
/// then every arch of the tree), or, when one stands for none, the exit code after printing
/// why: with `--json` one `{"error": ...}` document on stdout, else on stderr; exit 3.
pub fn resolve_names(
    global: &Global,
    tree: &ktree::Tree,
    names: &[String],
) -> anyhow::Result<Result<Vec<report::names::Resolved>, ExitCode>> {
    let asked = crate::tree::arch_list(global, tree)?;
    let all = report::sweep::arch_list(tree, None)?;
    let results = report::names::resolve(
        tree,
        &ktree::current_dir()?,
        names,
        &asked,
        &all,
        crate::tree::jobs(global),
        Some(&ktree::cache_dir().join("names")),
    );
    let errors: Vec<&report::names::NameError> =
        results.iter().filter_map(|r| r.as_ref().err()).collect();
    if errors.is_empty() {
        return Ok(Ok(results.into_iter().flatten().collect()));
    }
    if global.json {
        let error = |e: &report::names::NameError| json!({"code": e.code, "name": e.name, "message": e.message, "suggestions": e.suggestions});
        let doc = match errors.as_slice() {
            [one] => json!({"error": error(one)}),
            many => json!({"error": {
                "code": "names",
                "message": format!("{} of the {} names stand for no object", many.len(), names.len()),
                "suggestions": [],
                "errors": many.iter().map(|e| error(e)).collect::<Vec<_>>(),
            }}),
        };
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        for e in &errors {
            eprintln!("kpossible: error: {}", e.to_text());
        }
    }
    Ok(Err(ExitCode::from(3)))
}
