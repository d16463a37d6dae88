//! `kpossible config TARGET`: the `.config` the tree's own `conf --TARGET` would write,
//! computed by kpossible's Kconfig evaluation (same bytes, header aside).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use kconfig_parser::{ConfStream, ConfStyle, Dialect, FsLoader, Model, Options, ShellMode};
use solver::{Kconfig, Target};
use std::io::Write as _;

use crate::args::{ConfigArgs, Global};

pub fn run(global: &Global, args: &ConfigArgs) -> anyhow::Result<ExitCode> {
    let Some(target) = Target::from_name(&args.target) else {
        bail!(
            "unknown target `{}`: expected olddefconfig, allnoconfig, allyesconfig, allmodconfig, alldefconfig or defconfig",
            args.target
        );
    };
    let tree = crate::tree::resolve(global)?;
    // The arch matters only for the tree's own Kconfig.
    let arch = match &args.kconfig {
        Some(_) => None,
        None => Some(crate::tree::single_arch(global, &tree)?),
    };
    let input_path: Option<PathBuf> = match target {
        Target::OldDefConfig => Some(args.config.clone().unwrap_or_else(|| {
            // `KCONFIG_CONFIG` names the .config, as for the kernel's own tools.
            std::env::var_os("KCONFIG_CONFIG")
                .map_or_else(|| PathBuf::from(".config"), PathBuf::from)
        })),
        Target::DefConfig => match (&args.defconfig, &arch) {
            (Some(p), _) => Some(p.clone()),
            (None, Some(arch)) => Some(tree.defconfig_file(arch)?.with_context(|| {
                format!("no defconfig file found for ARCH={arch}; pass --defconfig FILE")
            })?),
            (None, None) => bail!("defconfig of a --kconfig file needs --defconfig FILE"),
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
    let mut model = match &arch {
        Some(arch) => solver::arch::parse_kconfig(tree.root(), arch, ShellMode::Run)?,
        None => parse_kconfig_file(
            tree.root(),
            args.kconfig.as_deref().unwrap_or(Path::new("Kconfig")),
        )?,
    };
    let style = kconfig_parser::ConfStyle::detect(tree.root());
    if !print_parse_output(&model, style) {
        // conf's parser exits 1 on any error (`parser.y: conf_parse`).
        return Ok(ExitCode::from(1));
    }
    // The model is not needed past this point: its expression pool moves, not copied.
    let kconfig = Kconfig::take_from(&mut model);
    // conf rejects a Kconfig with a dependency cycle once its rules are final.
    let cycles = solver::recursive::recursive_dependencies(&model, &kconfig, style);
    if !cycles.is_empty() {
        for c in &cycles {
            eprint!("{}", c.conf_text(style));
        }
        return Ok(ExitCode::from(1));
    }
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
        None => std::io::stdout().write_all(text.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Parses `file` as `conf FILE` run by hand does: `$srctree` is its directory, `$(NAME)` reads
/// the process environment, and the grammar is that of the tree's `conf`.
fn parse_kconfig_file(root: &Path, file: &Path) -> anyhow::Result<Model> {
    let name = file
        .file_name()
        .with_context(|| format!("{}: not a file name", file.display()))?
        .to_string_lossy()
        .into_owned();
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.join(&name).is_file() {
        bail!("{}: no such file", file.display());
    }
    let mut env: Vec<(String, String)> = std::env::vars().filter(|(k, _)| k != "srctree").collect();
    env.push(("srctree".into(), dir.display().to_string()));
    let options = Options {
        dialect: Dialect::detect(root),
        shell: ShellMode::Run,
        env,
        toolchain: Vec::new(),
        kconfiglib_sources: false,
    };
    Ok(kconfig_parser::parse(&name, &FsLoader::new(&dir), &options))
}

/// Prints what parsing printed: the preprocessor's `$(info)`/`$(warning-if)`/`$(error-if)`
/// lines as conf prints them, and the errors. False when conf would have stopped.
fn print_parse_output(model: &Model, style: ConfStyle) -> bool {
    let mut ok = true;
    for d in &model.diagnostics {
        if let Some((stream, text, fatal)) = kconfig_parser::conf_output(d, &model.sources, style) {
            if fatal {
                eprint!("{text}");
                return false;
            }
            // Printed with `--quiet` too, as by `conf -s`.
            match stream {
                ConfStream::Stdout => print!("{text}"),
                ConfStream::Stderr => eprint!("{text}"),
            }
        } else if d.severity == kp_base::Severity::Error {
            eprint!("{}", d.render(&model.sources));
            ok = false;
        }
    }
    ok
}
