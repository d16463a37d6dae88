/*!
What users do with the possibility answers (issue 8). Every command of the CLI that turns
answers into something a build, a tool or a maintainer consumes has its logic here:

- [`sweep`]: the per-arch analysis ([`solver::arch::analyze`]) of a set of arches on
  worker threads, reports in arch order whatever the thread count;
- [`sources`]: from an object to the source file it is compiled from, and what a source
  carries (`MODULE_LICENSE` and the other modinfo tags, an `SPDX-License-Identifier` line);
- [`flags`]: the Kbuild make fragment giving `-DPOSSIBLE_MODULE` to the objects that can be
  part of a module (with the `scripts/Makefile.lib` change in `contrib/possible-module/`);
- [`modules_of`]: every module an object can end up in, and whether it can be built in,
  each with its condition and a witness or a reason;
- [`names`]: from the name a user types (object, source, composite, `.ko`, module name) to
  the object answered about, or an error with the nearest real names;
- [`license`]: the `MODULE_LICENSE` audit;
- [`builtin`]: the `modules.builtin` list of one configuration;
- [`diff`]: objects whose answer changed between two trees.

Output formats (text and JSON) live here too, so that the CLI only parses arguments and
prints: each report has a `to_text` and serialises with serde.
*/

pub mod builtin;
pub mod diff;
pub mod flags;
pub mod guards;
pub mod license;
pub mod modules_of;
pub mod names;
pub mod sources;
pub mod sweep;

/// What can go wrong before any answer is computed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The tree cannot be read or has no such arch.
    #[error(transparent)]
    Tree(#[from] ktree::Error),
    /// An arch name the tree does not define.
    #[error("unknown ARCH `{arch}` for {tree}: expected one of {known}")]
    UnknownArch {
        /// The name asked for.
        arch: String,
        /// The tree.
        tree: String,
        /// The names it defines.
        known: String,
    },
    /// A file that cannot be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// Results of this crate.
pub type Result<T> = std::result::Result<T, Error>;
