//! `kpossible parse [--arch A|all] [--shell record|run] [--dump json]`: parses the Kconfig
//! files of each arch and prints, per arch, the files read, the entries, the symbols by type
//! and the diagnostics; `--dump json` writes the whole model instead.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::bail;
use kconfig_parser::ShellMode;

use crate::args::{Global, ParseArgs};

pub fn run(global: &Global, args: &ParseArgs) -> anyhow::Result<ExitCode> {
    let tree = crate::tree::resolve(global)?;
    let shell = match args.shell.as_str() {
        "record" => ShellMode::Record,
        "run" => ShellMode::Run,
        other => bail!("unknown --shell mode `{other}`: expected `record` or `run`"),
    };
    if let Some(format) = &args.dump
        && format != "json"
    {
        bail!("unknown --dump format `{format}`: expected `json`");
    }
    let arches: Vec<String> = match global.arch.as_deref() {
        None | Some("all") => tree.arches()?.into_iter().map(|v| v.arch).collect(),
        Some(a) => match tree.arch(a)? {
            Some(v) => vec![v.arch],
            None => bail!(
                "unknown arch `{a}` for the tree at {}",
                tree.root().display()
            ),
        },
    };
    let mut total_errors = 0;
    let mut dumps = serde_json::Map::new();
    let mut summary = Vec::new();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for arch in &arches {
        let started = std::time::Instant::now();
        let model = solver::arch::parse_kconfig(tree.root(), arch, shell)?;
        let ms = started.elapsed().as_secs_f64() * 1e3;
        let s = model.stats();
        total_errors += s.errors;
        for d in &model.diagnostics {
            if d.severity == kp_base::Severity::Error || !global.quiet {
                eprint!("{}", d.render(&model.sources));
            }
        }
        if args.dump.is_some() {
            dumps.insert(arch.clone(), kconfig_parser::dump::to_json(&model));
            continue;
        }
        if global.json {
            let mut v = serde_json::to_value(s)?;
            v["arch"] = arch.clone().into();
            v["milliseconds"] = ms.into();
            v["tree"] = crate::tree::tree_json(&tree);
            summary.push(v);
        } else {
            writeln!(
                out,
                "{arch:<10} files {:>5}  entries {:>6}  symbols {:>6} (bool {}, tristate {}, int {}, hex {}, string {}, untyped {})  shell calls {:>3}  errors {}  warnings {}  [{ms:.0} ms]",
                s.files,
                s.entries,
                s.symbols,
                s.bool,
                s.tristate,
                s.int,
                s.hex,
                s.string,
                s.untyped,
                s.shell_calls,
                s.errors,
                s.warnings
            )?;
        }
    }
    if args.dump.is_some() {
        let doc = if dumps.len() == 1 {
            dumps.into_iter().next().map(|(_, v)| v).unwrap_or_default()
        } else {
            serde_json::Value::Object(dumps)
        };
        serde_json::to_writer(&mut out, &doc)?;
        writeln!(out)?;
    } else if global.json {
        serde_json::to_writer(&mut out, &summary)?;
        writeln!(out)?;
    }
    Ok(if total_errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
