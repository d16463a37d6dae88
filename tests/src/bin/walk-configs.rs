//! Walks configurations of one's own choosing with the real tools, for the soundness sweep:
//! each `.config` goes through the tree's own `olddefconfig` and the real-make Kbuild walk
//! (crates/oracle), whose results land in the oracle's cache, where `soundness` reads every
//! walk. For instance a distribution's own configurations (Debian's `linux-config-<version>`
//! package), to check kpossible against the module lists of kernels people run.
//!
//! usage: walk-configs VERSION ARCH FILE...   (`CROSS_COMPILE`, `LLVM`: as for the oracle)
//! Prints one line per file; exits non-zero if a walk fails.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [version, arch, files @ ..] = args.as_slice() else {
        eprintln!("usage: walk-configs VERSION ARCH FILE...");
        std::process::exit(2);
    };
    let o = kpossible_tests::oracle(version, arch);
    let mut failed = false;
    for file in files {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{file}: {e}");
                failed = true;
                continue;
            }
        };
        match o.kbuild_lists(&text) {
            Ok(call) => {
                let lists = call.value;
                let objects: usize = lists.modules.iter().map(|m| m.objects.len()).sum();
                println!(
                    "{version} {arch} {file}: {} modules of {objects} objects, {} built-in objects, olddefconfig {} it ({:.0} s{})",
                    lists.modules.len(),
                    lists.builtin.len(),
                    if lists.config_changed {
                        "changed"
                    } else {
                        "kept"
                    },
                    call.seconds,
                    if call.cached { ", cached" } else { "" }
                );
            }
            Err(e) => {
                eprintln!("{version} {arch} {file}: {e}");
                failed = true;
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
}
