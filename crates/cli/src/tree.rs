//! Choosing the kernel tree a command works on, as git finds its repository: `--tree`, the
//! Debian tree of an explicit `--kernel`, `$srctree`, the nearest tree root at or above the
//! current directory, or the Debian tree of the default `--kernel`, in that order. Every
//! path is made absolute before anything runs.

use crate::args::Global;

/// The `--kernel` used when nothing else names a tree.
pub const DEFAULT_KERNEL: &str = "6.12";

pub fn resolve(global: &Global) -> anyhow::Result<ktree::Tree> {
    let tree = locate(global)?;
    if !global.quiet {
        eprintln!("kpossible: tree {}", describe(&tree));
    }
    Ok(tree)
}

fn locate(global: &Global) -> anyhow::Result<ktree::Tree> {
    if let Some(dir) = &global.tree {
        return Ok(ktree::open_relative(dir)?);
    }
    if let Some(kernel) = &global.kernel {
        return debian(global, kernel);
    }
    if let Some(dir) = std::env::var_os("srctree").filter(|d| !d.is_empty()) {
        return Ok(ktree::open_relative(std::path::Path::new(&dir))?);
    }
    if let Some(root) = ktree::find_tree_root(&ktree::current_dir()?) {
        return Ok(ktree::Tree::open(&root)?);
    }
    debian(global, DEFAULT_KERNEL)
}

/// The Debian tree of `kernel`, fetched when absent.
fn debian(global: &Global, kernel: &str) -> anyhow::Result<ktree::Tree> {
    let cache = ktree::cache_dir();
    ktree::Spec::parse(kernel)?;
    if !global.quiet && !ktree::tree_path(&cache, kernel).join("Makefile").is_file() {
        eprintln!(
            "kpossible: fetching linux-source-{kernel} into {}",
            cache.display()
        );
    }
    Ok(ktree::fetch(&cache, kernel)?)
}

/// Which tree an answer is about: its path, the version its Makefile gives,
/// and the Debian upload it was unpacked from, if it is one.
pub fn describe(tree: &ktree::Tree) -> String {
    match ktree::tree_upload(tree.root()) {
        Some((package, upload)) => format!(
            "{} (version {}, Debian {package} {upload})",
            tree.root().display(),
            tree.version()
        ),
        None => format!("{} (version {})", tree.root().display(), tree.version()),
    }
}

/// The tree as JSON output names it (`debian`: `linux-source-6.12=6.12.118-1~deb12u1`, or
/// null).
pub fn tree_json(tree: &ktree::Tree) -> serde_json::Value {
    let debian = ktree::tree_upload(tree.root()).map(|(p, v)| format!("{p}={v}"));
    serde_json::json!({"path": tree.root(), "version": tree.version(), "debian": debian})
}

/// An object or directory named on the command line, as a path from the tree's root: taken
/// from the current directory when that is inside the tree (`cd mm; kpossible
/// could-be-module zswap.o`), else from the root.
pub fn in_tree(tree: &ktree::Tree, arg: &str) -> anyhow::Result<String> {
    let cwd = ktree::current_dir()?;
    ktree::path_in_tree(tree, &cwd, arg).ok_or_else(|| {
        anyhow::anyhow!(
            "{arg}: outside the tree {} (from {})",
            tree.root().display(),
            cwd.display()
        )
    })
}

/// The one ARCH a command that needs a single arch works on: `--arch`, else make's default
/// (the host's SUBARCH). `all` is refused here.
pub fn single_arch(global: &Global, tree: &ktree::Tree) -> anyhow::Result<String> {
    let arch = global.arch.clone().unwrap_or_else(ktree::host_arch);
    if arch == "all" {
        anyhow::bail!("this command works on one arch; `--arch all` is not accepted here");
    }
    if tree.arch(&arch)?.is_none() {
        let known: Vec<String> = tree.arches()?.into_iter().map(|v| v.arch).collect();
        anyhow::bail!(
            "unknown ARCH `{arch}` for {}: expected one of {}",
            tree.root().display(),
            known.join(", ")
        );
    }
    Ok(arch)
}

/// `--jobs`, else the available cores.
pub fn jobs(global: &Global) -> usize {
    global
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1)
}

/// Reports arches as they finish: a progress bar when stderr is a terminal, else one line
/// per arch; nothing with `--quiet`.
pub fn progress(global: &Global) -> impl Fn(usize, usize, &str) + Sync + use<> {
    use std::io::IsTerminal as _;
    let quiet = global.quiet;
    let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] {pos}/{len} arches  {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        // The elapsed time moves while the first arch is still being analysed.
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        bar
    });
    move |done: usize, total: usize, arch: &str| match &bar {
        Some(bar) => {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            bar.set_message(format!("{arch} done"));
            if done == total {
                bar.finish_and_clear();
            }
        }
        None if !quiet => eprintln!("kpossible: [{done}/{total}] {arch} done"),
        None => {}
    }
}

/// The possibility analysis of the arches of `--arch` (answering only `only` when given),
/// `--jobs` at a time, with progress on stderr; reports in arch order.
pub fn sweep(
    global: &Global,
    tree: &ktree::Tree,
    only: Option<&[String]>,
) -> anyhow::Result<Vec<solver::arch::ArchReport>> {
    let list = arch_list(global, tree)?;
    // Only could-be-module (asked about some objects) writes a witness.
    let texts = match only {
        Some(_) => report::sweep::WitnessTexts::Keep,
        None => report::sweep::WitnessTexts::Drop,
    };
    Ok(report::sweep::sweep(
        tree.root(),
        &list,
        only,
        toolchain(global),
        jobs(global),
        texts,
        &progress(global),
    ))
}

/// The arches of `--arch` (default and `all`: every SRCARCH; a comma-separated list is
/// accepted).
pub fn arch_list(global: &Global, tree: &ktree::Tree) -> anyhow::Result<Vec<(String, String)>> {
    Ok(report::sweep::arch_list(tree, global.arch.as_deref())?)
}

/// Prints the Kconfig/Makefile errors of the reports (they make answers incomplete), with
/// `--quiet` too: it prints "only results and errors".
pub fn print_errors<'a>(errors: impl IntoIterator<Item = &'a String>) {
    for e in errors {
        eprint!("{e}");
        if !e.ends_with('\n') {
            eprintln!();
        }
    }
}

/// `--toolchain` as the solver's.
pub fn toolchain(global: &Global) -> solver::arch::Toolchain {
    match global.toolchain {
        crate::args::ToolchainArg::Any => solver::arch::Toolchain::Any,
        crate::args::ToolchainArg::Host => solver::arch::Toolchain::Host,
    }
}
