//! `kpossible config TARGET`: the `.config` the tree's own `conf --TARGET` would write,
//! computed by kpossible's Kconfig evaluation (same bytes, header aside).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use kconfig_parser::ShellMode;
use solver::{Kconfig, Target};

use crate::args::{ConfigArgs, Global};

pub fn run(global: &Global, args: &ConfigArgs) -> anyhow::Result<ExitCode> {
    let Some(target) = Target::from_name(&args.target) else {
        bail!(
            "unknown target `{}`: expected olddefconfig, allnoconfig, allyesconfig, allmodconfig, alldefconfig or defconfig",
            args.target
        );
    };
    let tree = crate::tree::resolve(global)?;
    let arch = crate::tree::single_arch(global, &tree)?;
    let input_path: Option<PathBuf> = match target {
        Target::OldDefConfig => Some(args.config.clone().unwrap_or_else(|| {
            // `KCONFIG_CONFIG` names the .config, as for the kernel's own tools.
            std::env::var_os("KCONFIG_CONFIG")
                .map_or_else(|| PathBuf::from(".config"), PathBuf::from)
        })),
        Target::DefConfig => match &args.defconfig {
            Some(p) => Some(p.clone()),
            None => Some(tree.defconfig_file(&arch)?.with_context(|| {
                format!("no defconfig file found for ARCH={arch}; pass --defconfig FILE")
            })?),
        },
        // KCONFIG_ALLCONFIG: a file of values the all* targets keep.
        _ => args.config.clone().or_else(|| {
            std::env::var_os("KCONFIG_ALLCONFIG")
                .filter(|v| !v.is_empty() && v != "1")
                .map(PathBuf::from)
        }),
    };
    let input = match &input_path {
        Some(p) => {
            let bytes = std::fs::read(p).with_context(|| format!("{}", p.display()))?;
            Some(String::from_utf8_lossy(&bytes).into_owned())
        }
        None => None,
    };
    let mut model = solver::arch::parse_kconfig(tree.root(), &arch, ShellMode::Run)?;
    let errors: Vec<_> = model
        .diagnostics
        .iter()
        .filter(|d| d.severity == kp_base::Severity::Error)
        .collect();
    if !errors.is_empty() {
        for d in &errors {
            eprint!("{}", d.render(&model.sources));
        }
        bail!(
            "{} error(s) in the Kconfig files of ARCH={arch}",
            errors.len()
        );
    }
    // The model is not needed past this point: its expression pool moves, not copied.
    let kconfig = Kconfig::take_from(&mut model);
    let (text, warnings) = solver::run_target(&kconfig, target, input.as_deref());
    if !global.quiet {
        let source = input_path
            .as_ref()
            .map_or_else(|| "<none>".to_string(), |p| p.display().to_string());
        for w in &warnings {
            if w.line > 0 {
                eprintln!("{source}:{}:warning: {}", w.line, w.message);
            } else {
                eprintln!("warning: {}", w.message);
            }
        }
    }
    match &args.out {
        Some(out) => std::fs::write(out, text).with_context(|| format!("{}", out.display()))?,
        None => {
            use std::io::Write as _;
            std::io::stdout().write_all(text.as_bytes())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
