//! The oracle harness on the real trees: known facts about real configurations that any
//! correct walk of the kernel's own Makefiles must reproduce, for both trees and two arches.

use kpossible_tests::oracle;

/// The kernel spellings this suite covers; x86_64 rather than x86 so allmodconfig is 64-bit
/// without relying on the 64BIT prompt's default.
const ARCHES: &[&str] = &["x86_64", "arm64"];
const VERSIONS: &[&str] = &["6.1", "6.12"];

#[test]
fn allmodconfig_modules_and_composites() {
    for version in VERSIONS {
        for arch in ARCHES {
            let o = oracle(version, arch);
            let config = o.allmodconfig().unwrap();
            eprintln!(
                "{version} {arch}: allmodconfig {:.1}s (cached: {})",
                config.seconds, config.cached
            );
            let walk = o.kbuild_lists(&config.value).unwrap();
            let lists = &walk.value;
            eprintln!(
                "{version} {arch}: walk {:.1}s (cached: {}): {} dirs, {} built-in objects, {} modules",
                walk.seconds,
                walk.cached,
                lists.dirs.len(),
                lists.builtin.len(),
                lists.modules.len()
            );
            assert!(
                !lists.config_changed,
                "allmodconfig output is a fixed point of olddefconfig"
            );

            let dummy = lists
                .module_of("drivers/net/dummy.o")
                .expect("dummy.o is in a module");
            assert_eq!(dummy.name, "drivers/net/dummy.ko");
            assert_eq!(
                dummy.objects,
                ["drivers/net/dummy.o"],
                "single-object module"
            );
            assert!(!lists.is_builtin("drivers/net/dummy.o"));

            let netdev = "drivers/net/ethernet/intel/e1000e/netdev.o";
            let e1000e = lists
                .module_of(netdev)
                .expect("netdev.o is a module member");
            assert_eq!(e1000e.name, "drivers/net/ethernet/intel/e1000e/e1000e.ko");
            assert!(
                e1000e.objects.len() > 5,
                "e1000e is a composite: {:?}",
                e1000e.objects
            );
            assert!(
                e1000e
                    .objects
                    .iter()
                    .any(|o| o.ends_with("e1000e/ich8lan.o"))
            );

            // Sanity of scale: allmodconfig builds thousands of modules on both arches.
            assert!(
                lists.modules.len() > 3000,
                "{} modules",
                lists.modules.len()
            );
        }
    }
}

/// 6.1's `mm/zswap.c` carries MODULE_LICENSE, yet ZSWAP is `bool` and mm/Makefile lists it
/// only as `obj-$(CONFIG_ZSWAP) += zswap.o`: it is built in whenever ZSWAP is set and is never
/// in a module (the reason `modules.builtin` lists something that is not a module).
#[test]
fn zswap_in_6_1_is_builtin_whenever_set_and_never_a_module() {
    for arch in ARCHES {
        let o = oracle("6.1", arch);
        let mut configs = vec![
            ("allmodconfig", o.allmodconfig().unwrap().value),
            ("allyesconfig", o.allyesconfig().unwrap().value),
        ];
        configs.push(("defconfig", o.defconfig().unwrap().value));
        configs.push(("allnoconfig", o.allnoconfig().unwrap().value));
        let mut set_seen = 0;
        for (name, config) in &configs {
            let lists = o.kbuild_lists(config).unwrap().value;
            let set = config.lines().any(|l| l == "CONFIG_ZSWAP=y");
            assert!(
                !config.lines().any(|l| l == "CONFIG_ZSWAP=m"),
                "{arch} {name}: ZSWAP is bool"
            );
            assert_eq!(
                lists.is_builtin("mm/zswap.o"),
                set,
                "{arch} {name}: zswap.o built in iff CONFIG_ZSWAP=y"
            );
            assert!(
                lists.module_of("mm/zswap.o").is_none(),
                "{arch} {name}: zswap.o is never in a module"
            );
            set_seen += usize::from(set);
        }
        assert!(set_seen > 0, "{arch}: some sampled config sets ZSWAP");
    }
}

#[test]
fn a_second_call_is_served_from_the_cache() {
    let o = oracle("6.12", "x86_64");
    let config = o.allnoconfig().unwrap();
    let again = o.allnoconfig().unwrap();
    assert!(again.cached, "allnoconfig again comes from the cache");
    assert_eq!(again.value, config.value);
    let walk = o.kbuild_lists(&config.value).unwrap();
    let again = o.kbuild_lists(&config.value).unwrap();
    eprintln!(
        "6.12 x86_64 allnoconfig walk: {:.1}s then {:.3}s",
        walk.seconds, again.seconds
    );
    assert!(again.cached);
    assert_eq!(again.value, walk.value);
    assert!(walk.value.modules.is_empty(), "allnoconfig has MODULES=n");
    assert!(
        walk.value.builtin.len() > 300,
        "{} built-in objects",
        walk.value.builtin.len()
    );
}

#[test]
fn olddefconfig_is_idempotent_on_randconfig() {
    let o = oracle("6.12", "x86_64");
    let rand = o.randconfig(1).unwrap().value;
    let once = o.olddefconfig(&rand).unwrap().value;
    let twice = o.olddefconfig(&once).unwrap().value;
    assert_eq!(
        oracle::config_body(&once),
        oracle::config_body(&rand),
        "randconfig output is already a fixed point"
    );
    assert_eq!(oracle::config_body(&twice), oracle::config_body(&once));
}

/// A walk limited to the paths to some directories (how witnesses are confirmed quickly) gives
/// exactly the whole walk's lists for those directories.
#[test]
fn a_walk_within_some_directories_agrees_with_the_whole_walk() {
    let dirs = ["drivers/net/ethernet/intel/e1000e", "mm", "fs/ext4"];
    for version in VERSIONS {
        let o = oracle(version, "x86_64");
        let config = o.allmodconfig().unwrap().value;
        let whole = o.kbuild_lists(&config).unwrap().value;
        let within = o.kbuild_lists_within(&config, &dirs).unwrap();
        eprintln!(
            "{version}: walk within {dirs:?}: {:.1}s (cached: {})",
            within.seconds, within.cached
        );
        let within = within.value;
        let inside = |path: &str| {
            dirs.iter()
                .any(|d| path.rsplit_once('/').is_some_and(|(dir, _)| dir == *d))
        };
        let mut expected: Vec<&str> = whole
            .builtin
            .iter()
            .map(String::as_str)
            .filter(|o| inside(o))
            .collect();
        let mut got: Vec<&str> = within
            .builtin
            .iter()
            .map(String::as_str)
            .filter(|o| inside(o))
            .collect();
        expected.sort();
        got.sort();
        assert!(!expected.is_empty());
        assert_eq!(got, expected, "{version}: built-in objects");
        let modules = |l: &oracle::KbuildLists| {
            let mut v: Vec<(String, Vec<String>)> = l
                .modules
                .iter()
                .filter(|m| inside(&m.name))
                .map(|m| (m.name.clone(), m.objects.clone()))
                .collect();
            v.sort();
            v
        };
        assert!(modules(&whole).len() >= 2, "{:?}", modules(&whole));
        assert_eq!(modules(&within), modules(&whole), "{version}: modules");
        // Only the paths to those directories were walked.
        assert!(within.dirs.len() < 20, "{:?}", within.dirs);
    }
}
