//! Command-line definitions (clap derive). The contract scripts rely on is in the README.

use std::path::PathBuf;

/// Can this kernel object ever be part of a loadable module, in any configuration, on any
/// architecture? kpossible answers with a witness .config or a reason.
#[derive(Debug, clap::Parser)]
#[command(name = "kpossible", version, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes, before or after its name.
#[derive(Debug, clap::Args)]
pub struct Global {
    /// A kernel source tree (any checkout). Default: $srctree, else the current directory if
    /// it is a kernel tree, else the Debian tree of --kernel.
    #[arg(long, global = true, value_name = "DIR")]
    pub tree: Option<PathBuf>,
    /// A Debian linux-source version, fetched and cached when absent.
    #[arg(long, global = true, value_name = "VERSION", default_value = "6.12")]
    pub kernel: String,
    /// An arch as the kernel spells it (x86, x86_64, i386, arm64, ...) or `all`.
    #[arg(long, global = true, value_name = "ARCH")]
    pub arch: Option<String>,
    /// Worker threads (default: available cores).
    #[arg(long, global = true, value_name = "N")]
    pub jobs: Option<usize>,
    /// Print one JSON document on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// Print only results and errors.
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Download and unpack Debian's linux-source-VERSION into the cache; prints its path.
    Fetch(FetchArgs),
}

#[derive(Debug, clap::Args)]
pub struct FetchArgs {
    /// 6.1 or 6.12.
    #[arg(value_name = "VERSION")]
    pub kernel_version: String,
}
