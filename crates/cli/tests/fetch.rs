//! `kpossible fetch --list` and trees named by upload, against Debian's archive through the
//! private apt configuration (network on the first run of the day; `scripts/test` has
//! already listed and fetched the trees).

use std::process::Command;

fn kpossible(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kpossible"))
        .args(args)
        .env_remove("srctree")
        .current_dir("/")
        .output()
        .expect("run kpossible");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The list names every series the tests use, each upload once with its suites, newest
/// first; the cached 6.1 tree shows as the upload it was unpacked from, and naming that
/// upload gives the same tree.
#[test]
fn the_list_shows_the_archive_and_a_listed_upload_names_its_tree() {
    let tree = ktree::fetch(&ktree::cache_dir(), "6.1").expect("the 6.1 tree");
    let (code, out, err) = kpossible(&["fetch", "--list", "--json"]);
    assert_eq!(code, 0, "{err}");
    let list: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let series: Vec<&str> = list.iter().filter_map(|u| u["series"].as_str()).collect();
    for s in ["6.1", "6.12"] {
        assert!(series.contains(&s), "no {s} in {series:?}");
    }
    for pair in list.windows(2) {
        if pair[0]["series"] == pair[1]["series"] {
            let (a, b) = (pair[0]["upload"].as_str(), pair[1]["upload"].as_str());
            assert_eq!(
                ktree::compare_versions(a.unwrap(), b.unwrap()),
                std::cmp::Ordering::Greater,
                "{a:?} before {b:?}"
            );
        }
    }
    assert!(
        list.iter()
            .all(|u| u["suites"].as_array().is_some_and(|s| !s.is_empty()))
    );
    let (package, upload) = ktree::tree_upload(tree.root()).expect("the 6.1 tree's upload");
    assert_eq!(package, "linux-source-6.1");
    let listed = list
        .iter()
        .find(|u| u["series"] == "6.1" && u["upload"] == upload.as_str())
        .unwrap_or_else(|| panic!("6.1={upload} is not listed"));
    assert_eq!(listed["tree"], tree.root().to_str().unwrap());
    let spec = format!("6.1={upload}");
    let (code, out, err) = kpossible(&["fetch", &spec, "--json"]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["path"], tree.root().to_str().unwrap());
    assert_eq!(doc["debian"], format!("linux-source-6.1={upload}"));
    assert!(
        err.contains(&format!("Debian linux-source-6.1 {upload}")),
        "{err}"
    );
}

/// An upload or series the archive does not carry is an error naming what it carries.
#[test]
fn an_upload_the_archive_does_not_carry_is_an_error() {
    let (code, out, err) = kpossible(&["fetch", "6.1=6.1.0-0"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        err.contains("unknown kernel version `6.1=6.1.0-0`: Debian's archive carries 6.1."),
        "{err}"
    );
    let (code, _, err) = kpossible(&["could-be-module", "mm/zswap.o", "--kernel", "2.6"]);
    assert_eq!(code, 3);
    assert!(err.contains("unknown kernel version `2.6`"), "{err}");
    let (code, _, err) = kpossible(&["fetch", "six"]);
    assert_eq!(code, 3);
    assert!(err.contains("expected a linux-source series"), "{err}");
}
