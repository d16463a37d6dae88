//! Command-line definitions (clap derive). The contract scripts rely on is in the README.

use std::path::PathBuf;

/// The exit codes, shown by `--help` and in the man page (the README has the same table).
pub const EXIT_CODES: &str = "Exit codes:
  could-be-module, modules-of: 0 yes, 1 no, 2 unknown
  every other command: 0 success
  any command: 3 usage or input error (message on stderr)";

/// Can this kernel object ever be part of a loadable module, in any configuration, on any
/// architecture? kpossible answers with a witness .config or a reason.
#[derive(Debug, clap::Parser)]
#[command(
    name = "kpossible",
    version,
    propagate_version = true,
    after_long_help = EXIT_CODES
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes, before or after its name.
#[derive(Debug, clap::Args)]
pub struct Global {
    /// A kernel source tree (any checkout). Default: the Debian tree of --kernel when given,
    /// else $srctree, else the tree the current directory is in (as git finds its
    /// repository), else the Debian tree of --kernel 6.12.
    #[arg(long, global = true, value_name = "DIR")]
    pub tree: Option<PathBuf>,
    /// A Debian linux-source series (`6.12`) or one upload of it (`6.12=6.12.117-1~deb12u1`),
    /// fetched and cached when absent (default 6.12 when no tree is found otherwise).
    #[arg(long, global = true, value_name = "VERSION")]
    pub kernel: Option<String>,
    /// An arch as the kernel spells it (x86, x86_64, i386, arm64, ...), several separated by
    /// commas, or `all`.
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
    /// Which toolchain answers hold for: `any` (a "no" must hold whatever the compiler,
    /// assembler and linker probes answer; otherwise it is "unknown") or `host` (this
    /// machine's tools, as the kernel's own conf probes them here).
    #[arg(long, global = true, value_enum, default_value = "any")]
    pub toolchain: ToolchainArg,
}

/// `--toolchain`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ToolchainArg {
    /// Some toolchain.
    Any,
    /// This host's.
    Host,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Download and unpack Debian's linux-source-VERSION into the cache; prints its path.
    Fetch(FetchArgs),
    /// Write the .config the tree's own `conf --TARGET` would write (same bytes, header aside).
    Config(ConfigArgs),
    /// Can OBJECT ever be part of a loadable module? yes (with a witness), no (with the
    /// reason) or unknown, per arch and overall. Exit code 0 yes, 1 no, 2 unknown, 3 error.
    CouldBeModule(CouldBeModuleArgs),
    /// Every object of the tree, per arch and overall: yes / no / unknown, modules for yes.
    Manifest(ManifestArgs),
    /// Parse the Kconfig files of each arch: files, entries, symbols by type, diagnostics.
    Parse(ParseArgs),
    /// The built-in objects and modules (with member objects) of one .config, from
    /// kpossible's Kbuild evaluation.
    Kbuild(KbuildArgs),
    /// An object's built-in and module conditions, with the Makefile lines they come from.
    Conditions(ConditionsArgs),
    /// A Kbuild make fragment listing, per SRCARCH, the objects that can be part of a
    /// module; with the scripts/Makefile.lib change in contrib/possible-module/ they are
    /// compiled with -DPOSSIBLE_MODULE.
    KbuildFlags(KbuildFlagsArgs),
    /// Every module (name, .ko path) an object can end up in per arch, and whether it can
    /// be built in, each with its condition and a witness or a reason (for this host's
    /// toolchain). Exit code 0 when some module is possible, 1 when none, 2 unknown, 3 error.
    ModulesOf(ModulesOfArgs),
    /// Sources carrying MODULE_LICENSE (or other modinfo tags) whose objects can never be
    /// modules, with reasons and missing SPDX lines flagged; and modules whose sources carry
    /// no MODULE_LICENSE.
    LicenseAudit(LicenseAuditArgs),
    /// The modules.builtin list of a .config (one arch), marking the lines that come from
    /// code that can never be a module.
    ModulesBuiltin(ModulesBuiltinArgs),
    /// Objects whose answer differs between two trees, with the reasons on each side.
    Diff(DiffArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Print the man page (roff) generated from these definitions, or write one page per
    /// command into a directory.
    Man(ManArgs),
}

#[derive(Debug, clap::Args)]
pub struct KbuildFlagsArgs {
    /// Write the fragment here instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Objects whose answer is unknown: `possible` (flagged, keeping module code when in
    /// doubt) or `never`.
    #[arg(long, value_name = "AS", default_value = "possible")]
    pub unknown: String,
}

#[derive(Debug, clap::Args)]
pub struct ModulesOfArgs {
    /// The object or its source (`drivers/net/dummy.o`, `drivers/net/dummy.c`); several are
    /// answered from one parse and analysis per arch (with `--json`, an array in the order
    /// given; exit code 0 when every one can be in some module, 1 when one cannot, else 2).
    #[arg(value_name = "FILE", required = true)]
    pub objects: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct LicenseAuditArgs {}

#[derive(Debug, clap::Args)]
pub struct ModulesBuiltinArgs {
    /// The .config.
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The old tree: a Debian series or upload (6.1, 6.12=6.12.117-1~deb12u1) or a directory.
    #[arg(long, value_name = "TREE")]
    pub from: String,
    /// The new tree: a Debian version or a directory.
    #[arg(long, value_name = "TREE")]
    pub to: String,
    /// Also list objects present in only one of the trees.
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell.
    #[arg(value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write kpossible.1 and kpossible-COMMAND.1 into this directory instead of printing
    /// kpossible.1.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct KbuildArgs {
    /// The .config to evaluate.
    #[arg(long, value_name = "FILE")]
    pub config: std::path::PathBuf,
    /// builtin (one object per line), modules (`name.ko: members`) or json.
    #[arg(long, value_name = "FORMAT", default_value = "builtin")]
    pub format: String,
}

#[derive(Debug, clap::Args)]
pub struct ConditionsArgs {
    /// The object, as a path from the tree root (`drivers/net/dummy.o`).
    #[arg(value_name = "PATH.o")]
    pub object: String,
}

#[derive(Debug, clap::Args)]
pub struct ParseArgs {
    /// `record`: run no `$(shell,...)`, record each call as an unknown toolchain fact;
    /// `run`: run them as the kernel's conf does.
    #[arg(long, value_name = "MODE", default_value = "record")]
    pub shell: String,
    /// Write the whole model instead of the counts (`json`; one document, keyed by arch
    /// when there are several).
    #[arg(long, value_name = "FORMAT")]
    pub dump: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct FetchArgs {
    /// A linux-source series (`6.12`: the newest upload Debian carries, unless one is in the
    /// cache already) or one upload (`6.12=6.12.117-1~deb12u1`).
    #[arg(value_name = "VERSION", required_unless_present = "list")]
    pub kernel_version: Option<String>,
    /// List the uploads Debian's archive carries (series, upload, suites, and the cached
    /// tree of each) instead of fetching.
    #[arg(long, conflicts_with = "kernel_version")]
    pub list: bool,
}

#[derive(Debug, clap::Args)]
pub struct ConfigArgs {
    /// olddefconfig, allnoconfig, allyesconfig, allmodconfig, alldefconfig or defconfig.
    #[arg(value_name = "TARGET")]
    pub target: String,
    /// Input: the .config for olddefconfig (default $KCONFIG_CONFIG, else ./.config), or the
    /// KCONFIG_ALLCONFIG file for the all* targets.
    #[arg(long, value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,
    /// The defconfig file for `defconfig` (default: the arch's KBUILD_DEFCONFIG).
    #[arg(long, value_name = "FILE")]
    pub defconfig: Option<std::path::PathBuf>,
    /// Write here instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
    /// The top Kconfig file, as `conf`'s own argument (default: the tree's `Kconfig`): its
    /// directory is `$srctree`, and the process environment is what `$(NAME)` reads, as for
    /// `conf` run by hand; the tree (`--tree`/`--kernel`) still decides which `conf` is
    /// mirrored.
    #[arg(long, value_name = "FILE")]
    pub kconfig: Option<std::path::PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct CouldBeModuleArgs {
    /// The object (`drivers/net/dummy.o`; a `.c` path is taken as its object).
    #[arg(value_name = "OBJECT")]
    pub object: String,
    /// Write the witness .config here (FILE.ARCH for several arches).
    #[arg(long, value_name = "FILE")]
    pub witness: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ManifestArgs {
    /// text (one line per object) or json.
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Only list objects under this directory (`drivers/net`; repeatable). The whole arch is
    /// still analysed: the filter only selects what is printed.
    #[arg(long, value_name = "DIR")]
    pub scope: Vec<String>,
}
