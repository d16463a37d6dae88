//! The `kpossible` binary: parses arguments, calls the libraries, prints, and picks the exit
//! code. No semantics live here (see ARCHITECTURE.md).

mod args;
mod completions;
mod conditions;
mod config;
mod diff;
mod fetch;
mod kbuild;
mod kbuild_flags;
mod license_audit;
mod modules_builtin;
mod modules_of;
mod parse;
mod possible;
mod tree;

use std::process::ExitCode;

/// Parsing and evaluation allocate many small strings and vectors; mimalloc's per-thread free
/// lists take ~10% off a Kconfig parse + olddefconfig compared with glibc malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser as _;

fn main() -> ExitCode {
    // clap exits with 2 on a usage error, which scripts would read as "unknown": usage
    // errors are 3 here, as the README's contract says.
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(3)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    // `$(shell,...)` probe results are facts about this host's tools, kept across runs as
    // the kernel's own Kbuild once kept cc-option results; KPOSSIBLE_PROBE_CACHE=off runs
    // every probe again.
    if std::env::var("KPOSSIBLE_PROBE_CACHE").as_deref() != Ok("off") {
        kconfig_parser::probes::use_cache_dir(ktree::cache_dir().join("probes"));
    }
    let result = match &cli.command {
        args::Command::Fetch(a) => fetch::run(&cli.global, a),
        args::Command::Config(a) => config::run(&cli.global, a),
        args::Command::CouldBeModule(a) => possible::could_be_module(&cli.global, a),
        args::Command::Manifest(a) => possible::manifest(&cli.global, a),
        args::Command::Parse(a) => parse::run(&cli.global, a),
        args::Command::Kbuild(a) => kbuild::run(&cli.global, a),
        args::Command::Conditions(a) => conditions::run(&cli.global, a),
        args::Command::KbuildFlags(a) => kbuild_flags::run(&cli.global, a),
        args::Command::ModulesOf(a) => modules_of::run(&cli.global, a),
        args::Command::LicenseAudit(a) => license_audit::run(&cli.global, a),
        args::Command::ModulesBuiltin(a) => modules_builtin::run(&cli.global, a),
        args::Command::Diff(a) => diff::run(&cli.global, a),
        args::Command::Completions(a) => completions::completions(a),
        args::Command::Man(a) => completions::man(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // A closed pipe (`kpossible manifest | head`) is not an error worth reporting.
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("kpossible: error: {e:#}");
            ExitCode::from(3)
        }
    }
}
