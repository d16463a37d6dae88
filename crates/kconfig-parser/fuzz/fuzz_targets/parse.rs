//! Any bytes, split at the first NUL into a top Kconfig and a sourced `sub/Kconfig`, parsed in
//! both dialects: the parser must not panic, hang or overflow its stack, and every span it
//! reports must lie inside its file.
#![no_main]

use kconfig_parser::{Dialect, MemLoader, Options, ShellMode, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (main, sub) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let mut files = MemLoader::new();
    files.add("Kconfig", main.to_vec()).add("sub/Kconfig", sub.to_vec());
    for dialect in [Dialect::LINUX_5_10, Dialect::LINUX_6_1, Dialect::LINUX_6_12, Dialect::LINUX_7_2] {
        let model = parse("Kconfig", &files, &Options::new(dialect, ShellMode::Record));
        for d in &model.diagnostics {
            let len = model.sources.get(d.primary.file).map_or(0, |f| f.text.len()) as u32;
            assert!(d.primary.start <= d.primary.end && d.primary.end <= len);
            let _ = d.render(&model.sources);
        }
        let _ = kconfig_parser::dump::to_text(&model);
    }
});
