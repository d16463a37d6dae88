//! The tree found as git finds its repository: from the tree's root without `--tree`, with a
//! relative `--tree`, and from a subdirectory (the object named relative to it),
//! `could-be-module` answers exactly as with an absolute `--tree` (the same JSON, which names
//! the tree, and the same exit code). Uses the 6.1 and 6.12 trees (`scripts/test` fetches
//! them).

use std::path::Path;
use std::process::Command;

fn kpossible(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kpossible"))
        .args(args)
        .current_dir(cwd)
        .env_remove("srctree")
        .output()
        .expect("run kpossible");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn check(version: &str, objects: &[&str]) {
    let tree = ktree::fetch(&ktree::cache_dir(), version)
        .unwrap_or_else(|e| panic!("the {version} tree: {e}"));
    let root = tree.root();
    let parent = root.parent().unwrap();
    let name = root.file_name().unwrap().to_str().unwrap();
    let common = ["--arch", "x86", "--json"];
    for object in objects {
        let run = |cwd: &Path, obj: &str, tree_arg: Option<&str>| {
            let mut args = vec!["could-be-module", obj];
            args.extend(common);
            if let Some(t) = tree_arg {
                args.extend(["--tree", t]);
            }
            kpossible(cwd, &args)
        };
        let (code, expected, err) = run(Path::new("/"), object, root.to_str());
        assert!(
            code == 0 || code == 1,
            "{version} {object}: exit {code}: {err}"
        );
        let doc: serde_json::Value = serde_json::from_str(&expected).unwrap();
        assert_eq!(doc["object"], *object);
        assert_eq!(doc["tree"]["path"], root.to_str().unwrap());
        assert!(
            err.contains(&format!("kpossible: tree {}", root.display())),
            "{err}"
        );
        let (dir, base) = object.rsplit_once('/').unwrap();
        // From the object's directory, back up to the root and down again.
        let up = format!("{}{object}", "../".repeat(dir.split('/').count()));
        let up_to_root = "../".repeat(dir.split('/').count());
        let cases = [
            (
                "from the root",
                root.to_path_buf(),
                object.to_string(),
                None,
            ),
            (
                "--tree .",
                root.to_path_buf(),
                object.to_string(),
                Some("."),
            ),
            (
                "a relative --tree",
                parent.to_path_buf(),
                object.to_string(),
                Some(name),
            ),
            (
                "--tree ../.. from a subdirectory",
                root.join(dir),
                base.to_string(),
                Some(up_to_root.as_str()),
            ),
            (
                "from a subdirectory",
                root.join(dir),
                base.to_string(),
                None,
            ),
            ("from a subdirectory, going up", root.join(dir), up, None),
        ];
        for (what, cwd, obj, tree_arg) in cases {
            let (c, out, e) = run(&cwd, &obj, tree_arg);
            assert_eq!(
                (c, out.as_str()),
                (code, expected.as_str()),
                "{version} {object} {what} (in {}, {obj}): {e}",
                cwd.display()
            );
        }
    }
}

#[test]
fn the_tree_is_found_from_its_root_a_subdirectory_and_a_relative_path_on_6_1() {
    check("6.1", &["mm/zswap.o", "drivers/net/dummy.o"]);
}

#[test]
fn the_tree_is_found_from_its_root_a_subdirectory_and_a_relative_path_on_6_12() {
    check(
        "6.12",
        &["mm/zswap.o", "drivers/net/dummy.o", "fs/ext4/inode.o"],
    );
}

/// A path that leaves the tree is an error (exit 3), not an answer about another object.
#[test]
fn an_object_outside_the_tree_is_an_error() {
    let tree = ktree::fetch(&ktree::cache_dir(), "6.1").expect("the 6.1 tree");
    let (code, out, err) = kpossible(
        &tree.root().join("mm"),
        &["could-be-module", "../../zswap.o", "--arch", "x86"],
    );
    assert_eq!(code, 3, "{out}{err}");
    assert!(err.contains("outside the tree"), "{err}");
}

/// `conditions` takes its object from the current directory too, and names the same tree.
#[test]
fn conditions_from_a_subdirectory_match_the_absolute_tree() {
    let tree = ktree::fetch(&ktree::cache_dir(), "6.12").expect("the 6.12 tree");
    let root = tree.root();
    fn args(obj: &str) -> Vec<&str> {
        vec!["conditions", obj, "--arch", "x86", "--json"]
    }
    let mut abs = args("drivers/net/dummy.o");
    abs.extend(["--tree", root.to_str().unwrap()]);
    let (code, expected, err) = kpossible(Path::new("/"), &abs);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&expected).unwrap();
    assert_eq!(doc["listed"], true);
    assert_eq!(doc["tree"]["path"], root.to_str().unwrap());
    let (c, out, e) = kpossible(&root.join("drivers/net"), &args("dummy.o"));
    assert_eq!((c, out), (code, expected), "{e}");
}
