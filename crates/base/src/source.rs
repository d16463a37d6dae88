//! Source files, byte spans and the line index that maps offsets to `line:col`.
//!
//! Spans are `u32` byte ranges into a file's text; line and column are computed only when a
//! diagnostic is printed (as ruff's `LineIndex` does), so hot paths carry 12 bytes per span.

use std::path::{Path, PathBuf};

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct FileId(pub u32);

/// A byte range `start..end` in one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Span {
    /// The file the range is in.
    pub file: FileId,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end` in `file`.
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: clamp_u32(start),
            end: clamp_u32(end.max(start)),
        }
    }
}

fn clamp_u32(x: usize) -> u32 {
    u32::try_from(x).unwrap_or(u32::MAX)
}

/// One-based line and column (column counted in bytes, as gcc and rustc do).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LineCol {
    /// 1-based line number.
    pub line: u32,
    /// 1-based byte column.
    pub col: u32,
}

/// One file's text, its display path and the offsets where its lines start.
#[derive(Debug)]
pub struct SourceFile {
    /// Path as shown to users (relative to the tree when the file is in it).
    pub path: PathBuf,
    /// The text. Non-UTF-8 bytes were replaced with U+FFFD by the caller that loaded it.
    /// Shared, so a parser can read a file while adding the files it includes (a clone
    /// used to copy each file: 7 MB per Kconfig tree).
    pub text: std::sync::Arc<String>,
    /// Built on first use: a parse needs no line numbers, only what it reports does.
    line_starts: std::sync::OnceLock<Vec<u32>>,
}

impl SourceFile {
    /// Line and column of byte offset `offset` (clamped to the text).
    pub fn line_col(&self, offset: u32) -> LineCol {
        let starts = self.line_starts();
        let line = match starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = starts.get(line).copied().unwrap_or(0);
        LineCol {
            line: clamp_u32(line + 1),
            col: offset.saturating_sub(start) + 1,
        }
    }

    /// The offsets where the lines start (0 first).
    pub fn line_starts(&self) -> &[u32] {
        self.line_starts
            .get_or_init(|| line_starts(self.text.as_bytes()))
    }

    /// The text of 1-based line `line`, without its newline.
    pub fn line_text(&self, line: u32) -> &str {
        let i = line.saturating_sub(1) as usize;
        let starts = self.line_starts();
        let Some(&start) = starts.get(i) else {
            return "";
        };
        let end = starts.get(i + 1).map_or(self.text.len(), |&e| e as usize);
        self.text
            .get(start as usize..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }
}

/// Offsets where lines start: 0 and one past every `\n`. Eight bytes are tested at a time:
/// an exact mask of the newline bytes in each word, whose set bits are then walked, which
/// matters on the 7 MB of Kconfig text of a kernel tree.
fn line_starts(b: &[u8]) -> Vec<u32> {
    let mut out = Vec::with_capacity(b.len() / 24 + 1);
    out.push(0u32);
    let mut chunks = b.chunks_exact(8);
    let mut base = 0usize;
    for c in &mut chunks {
        let mut found = newline_mask(c);
        while found != 0 {
            out.push(clamp_u32(base + (found.trailing_zeros() / 8) as usize + 1));
            found &= found - 1;
        }
        base += 8;
    }
    for (j, &byte) in chunks.remainder().iter().enumerate() {
        if byte == b'\n' {
            out.push(clamp_u32(base + j + 1));
        }
    }
    out
}

/// The high bit of each byte of the 8-byte `chunk` that is `\n`, little-endian (no carries
/// cross bytes, so no false hits).
fn newline_mask(chunk: &[u8]) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const NL: u64 = 0x0101_0101_0101_0101 * b'\n' as u64;
    let mut w = [0u8; 8];
    w.copy_from_slice(chunk);
    let x = u64::from_le_bytes(w) ^ NL;
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// All files read in one run, addressed by [`FileId`].
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Adds a file and returns its id. The text is kept as given.
    pub fn add(&mut self, path: impl Into<PathBuf>, text: String) -> FileId {
        let id = FileId(clamp_u32(self.files.len()));
        self.files.push(SourceFile {
            path: path.into(),
            text: std::sync::Arc::new(text),
            line_starts: std::sync::OnceLock::new(),
        });
        id
    }

    /// Adds a file from raw bytes, replacing invalid UTF-8 with U+FFFD so that later offsets
    /// stay meaningful; returns whether any byte was replaced.
    pub fn add_bytes(&mut self, path: impl Into<PathBuf>, bytes: Vec<u8>) -> (FileId, bool) {
        match String::from_utf8(bytes) {
            Ok(text) => (self.add(path, text), false),
            Err(e) => {
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                (self.add(path, text), true)
            }
        }
    }

    /// The file behind `id`. Panics only on an id that did not come from this map.
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// The file behind `id`, if it came from this map.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// The display path of `id`.
    pub fn path(&self, id: FileId) -> &Path {
        self.get(id)
            .map_or(Path::new("<unknown>"), |f| f.path.as_path())
    }

    /// Line and column of the start of `span`.
    pub fn line_col(&self, span: Span) -> LineCol {
        self.get(span.file)
            .map_or(LineCol { line: 0, col: 0 }, |f| f.line_col(span.start))
    }

    /// `path:line:col` of the start of `span`.
    pub fn location(&self, span: Span) -> String {
        let lc = self.line_col(span);
        format!("{}:{}:{}", self.path(span.file).display(), lc.line, lc.col)
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether no file was added.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Every file with its id, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(clamp_u32(i)), f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let mut map = SourceMap::new();
        let f = map.add("Kconfig", "config A\n\tbool\n".to_string());
        assert_eq!(
            map.line_col(Span::new(f, 0, 1)),
            LineCol { line: 1, col: 1 }
        );
        assert_eq!(
            map.line_col(Span::new(f, 10, 11)),
            LineCol { line: 2, col: 2 }
        );
        assert_eq!(map.location(Span::new(f, 10, 14)), "Kconfig:2:2");
        assert_eq!(map.file(f).line_text(2), "\tbool");
    }

    #[test]
    fn line_starts_match_a_plain_scan() {
        for text in [
            "",
            "\n",
            "a",
            "abc\ndef\n\n",
            "0123456\n89abcdef\n\n\n\nxyz",
            "\n\n\n\n\n\n\n\n\n",
            "\x0b\x0a\x09\x0a\x0a\u{8a}\x0a\x0b\x7f\x0a\u{10a}\n\x0a\u{20a}",
        ] {
            let plain: Vec<u32> = std::iter::once(0)
                .chain(
                    text.bytes()
                        .enumerate()
                        .filter(|&(_, b)| b == b'\n')
                        .map(|(i, _)| i as u32 + 1),
                )
                .collect();
            assert_eq!(line_starts(text.as_bytes()), plain, "{text:?}");
        }
    }

    #[test]
    fn invalid_utf8_is_replaced_not_rejected() {
        let mut map = SourceMap::new();
        let (f, lossy) = map.add_bytes("x", b"a\xffb\n".to_vec());
        assert!(lossy);
        assert_eq!(map.file(f).text.as_str(), "a\u{fffd}b\n");
    }
}
