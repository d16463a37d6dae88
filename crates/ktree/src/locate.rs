//! Finding the tree a command is run in, as git finds its repository: the nearest directory
//! at or above the current one that is a kernel tree's root, and the paths given on the
//! command line taken relative to the current directory.

use std::path::{Component, Path, PathBuf};

use crate::{Result, Tree, io_err};

/// Whether `dir` is the root of a kernel tree, not one of its subdirectories: besides what
/// [`Tree::open`] asks for (`Documentation/` has a Kconfig, a Makefile and an `arch/` too),
/// the Kbuild the top Makefile runs, `scripts/Makefile.build`.
pub fn is_tree_root(dir: &Path) -> bool {
    dir.join("Kconfig").is_file()
        && dir.join("Makefile").is_file()
        && dir.join("arch").is_dir()
        && dir.join("scripts").join("Makefile.build").is_file()
}

/// The nearest directory at or above `start` that [`is_tree_root`], if any.
pub fn find_tree_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|d| is_tree_root(d))
        .map(Path::to_path_buf)
}

/// The current directory.
pub fn current_dir() -> Result<PathBuf> {
    std::env::current_dir().map_err(io_err(Path::new(".")))
}

/// `path` made absolute against `base` with `.` and `..` resolved by name (`a/../b` is
/// `b`, as a shell's `cd` takes it), without touching the file system.
pub fn absolute_in(base: &Path, path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in base.join(path).components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Opens the tree at `dir` (relative to the current directory), by its absolute path.
pub fn open_relative(dir: &Path) -> Result<Tree> {
    Tree::open(&absolute_in(&current_dir()?, dir))
}

/// A path given on the command line, as a path from `tree`'s root: relative to `cwd` when
/// `cwd` is inside the tree (as git takes a path in a work tree), else already a path from
/// the root. An absolute path must lie inside the tree. `None` when the path leaves the tree.
pub fn path_in_tree(tree: &Tree, cwd: &Path, arg: &str) -> Option<String> {
    let root = tree.root();
    let arg_path = Path::new(arg);
    let base = if arg_path.is_absolute() || cwd.starts_with(root) {
        cwd
    } else {
        root
    };
    let abs = absolute_in(base, arg_path);
    let rel = abs.strip_prefix(root).ok()?;
    // The root itself is the empty path.
    Some(rel.to_str()?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_tree(dir: &Path) {
        std::fs::create_dir_all(dir.join("arch/x86")).unwrap();
        std::fs::create_dir_all(dir.join("scripts")).unwrap();
        std::fs::create_dir_all(dir.join("mm")).unwrap();
        std::fs::create_dir_all(dir.join("Documentation/arch")).unwrap();
        for f in [
            "Kconfig",
            "Makefile",
            "scripts/Makefile.build",
            "Documentation/Kconfig",
            "Documentation/Makefile",
        ] {
            std::fs::write(dir.join(f), "VERSION = 6\n").unwrap();
        }
    }

    #[test]
    fn the_root_is_found_from_below_and_documentation_is_not_a_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("linux");
        fake_tree(&root);
        assert_eq!(find_tree_root(&root.join("mm")), Some(root.clone()));
        assert_eq!(
            find_tree_root(&root.join("Documentation/arch")),
            Some(root.clone())
        );
        assert_eq!(find_tree_root(&root), Some(root.clone()));
        assert_eq!(find_tree_root(dir.path()), None);
    }

    #[test]
    fn paths_are_taken_from_the_current_directory_inside_the_tree() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("linux");
        fake_tree(&root);
        let tree = Tree::open(&root).unwrap();
        let root = tree.root().to_path_buf();
        let at = |cwd: &Path, a: &str| path_in_tree(&tree, cwd, a);
        assert_eq!(
            at(&root.join("mm"), "zswap.o").as_deref(),
            Some("mm/zswap.o")
        );
        assert_eq!(
            at(&root.join("mm"), "../drivers/net/dummy.c").as_deref(),
            Some("drivers/net/dummy.c")
        );
        assert_eq!(at(&root, "./mm/zswap.o").as_deref(), Some("mm/zswap.o"));
        // Outside the tree a path is one from its root.
        assert_eq!(at(dir.path(), "mm/zswap.o").as_deref(), Some("mm/zswap.o"));
        let abs = root.join("mm/zswap.o");
        assert_eq!(
            at(dir.path(), abs.to_str().unwrap()).as_deref(),
            Some("mm/zswap.o")
        );
        assert_eq!(at(&root.join("mm"), "../../x.o"), None);
        assert_eq!(
            absolute_in(Path::new("/a/b"), Path::new("../c/./d")),
            Path::new("/a/c/d")
        );
    }
}
