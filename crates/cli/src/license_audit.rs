//! `kpossible license-audit`: tagged sources that can never be modules, and modules whose
//! sources carry no MODULE_LICENSE.

use std::io::Write as _;
use std::process::ExitCode;

use crate::args::{Global, LicenseAuditArgs};

pub fn run(global: &Global, _args: &LicenseAuditArgs) -> anyhow::Result<ExitCode> {
    let tree = crate::tree::resolve(global)?;
    let reports = crate::tree::sweep(global, &tree, None)?;
    crate::tree::print_errors(reports.iter().flat_map(|r| r.errors.iter()));
    let sources = report::sources::TreeSources::scan(tree.root());
    let audit = report::license::audit(
        tree.root(),
        &reports,
        &sources,
        crate::tree::toolchain(global),
    );
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if global.json {
        let doc = serde_json::json!({"tree": crate::tree::tree_json(&tree), "audit": audit});
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
    } else {
        out.write_all(audit.to_text().as_bytes())?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
