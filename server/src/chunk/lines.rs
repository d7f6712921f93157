//! Byte offsets ↔ 0-based line numbers, for one source text.
//!
//! Lines are counted by `\n` only (as tree-sitter counts rows), so a `\r\n`
//! file has the same line numbers as its `\n` twin and a `\r` stays part of
//! its line. This module only answers questions about positions; it does not
//! decide where chunks begin or end.

use std::ops::Range;

/// Where every line of a source text starts.
pub(crate) struct LineIndex<'a> {
    source: &'a str,
    /// `starts[i]` is the byte offset of line `i`. Always holds line 0; a text
    /// ending in `\n` has a last, empty line starting at `source.len()`.
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(source: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', source.as_bytes()).map(|i| i + 1));
        LineIndex { source, starts }
    }

    pub(crate) fn source(&self) -> &'a str {
        self.source
    }

    /// How many lines the index holds, counting an empty last line after a
    /// final `\n`.
    pub(crate) fn len(&self) -> usize {
        self.starts.len()
    }

    /// The line holding byte `byte` (a `\n` belongs to the line it ends).
    pub(crate) fn line_of(&self, byte: usize) -> usize {
        self.starts.partition_point(|&start| start <= byte).saturating_sub(1)
    }

    /// Byte offset where `line` starts; the end of the source past the last line.
    pub(crate) fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.source.len())
    }

    /// Byte offset just past `line`, its `\n` included.
    pub(crate) fn line_end_with_newline(&self, line: usize) -> usize {
        self.line_start(line + 1)
    }

    /// The text of `line` without its `\n` (a `\r` before it is kept).
    pub(crate) fn line_text(&self, line: usize) -> &'a str {
        let start = self.line_start(line);
        let end = self.line_end_with_newline(line);
        let text = self.source.get(start..end).unwrap_or("");
        text.strip_suffix('\n').unwrap_or(text)
    }

    /// Whether `line` holds nothing but whitespace.
    pub(crate) fn is_blank(&self, line: usize) -> bool {
        self.line_text(line).trim().is_empty()
    }

    /// First and last line (inclusive) of a byte range. A range ending in `\n`
    /// ends on the line of that `\n`; an empty range sits on its start line.
    pub(crate) fn line_span(&self, bytes: &Range<usize>) -> (u32, u32) {
        let first = self.line_of(bytes.start);
        let last = if bytes.end > bytes.start { self.line_of(bytes.end - 1) } else { first };
        (to_u32(first), to_u32(last))
    }

    /// Whether only whitespace precedes `byte` on its line.
    pub(crate) fn starts_its_line(&self, byte: usize) -> bool {
        let line_start = self.line_start(self.line_of(byte));
        self.source.get(line_start..byte).is_some_and(|before| before.trim().is_empty())
    }

    /// The byte just past the last non-whitespace character before `byte`
    /// (`range_start` if there is none at or after it).
    pub(crate) fn trim_end_before(&self, range_start: usize, byte: usize) -> usize {
        let text = self.source.get(range_start..byte).unwrap_or("");
        range_start + text.trim_end().len()
    }
}

/// Line numbers fit in `u32` for any file semnav will read; saturate rather
/// than wrap for the rest.
pub(crate) fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// The largest char boundary of `text` at or below `byte`.
pub(crate) fn floor_char_boundary(text: &str, byte: usize) -> usize {
    let mut byte = byte.min(text.len());
    while !text.is_char_boundary(byte) {
        byte -= 1;
    }
    byte
}

/// Number of lines in `source` as an editor shows them: `""` has 0, `"a"` and
/// `"a\n"` have 1, `"a\nb"` has 2.
pub fn line_count(source: &str) -> u32 {
    if source.is_empty() {
        return 0;
    }
    let newlines = source.bytes().filter(|&b| b == b'\n').count();
    to_u32(newlines + usize::from(!source.ends_with('\n')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_counted_by_newlines() {
        assert_eq!(line_count(""), 0);
        assert_eq!(line_count("a"), 1);
        assert_eq!(line_count("a\n"), 1);
        assert_eq!(line_count("a\r\nb"), 2);

        let index = LineIndex::new("ab\ncd\n");
        assert_eq!(index.len(), 3);
        assert_eq!(index.line_of(0), 0);
        assert_eq!(index.line_of(2), 0, "the newline belongs to its line");
        assert_eq!(index.line_of(3), 1);
        assert_eq!(index.line_span(&(0..6)), (0, 1), "a trailing newline adds no line");
        assert_eq!(index.line_span(&(3..5)), (1, 1));
        assert_eq!(index.line_text(1), "cd");
        assert!(index.is_blank(2));
    }

    #[test]
    fn char_boundaries_are_respected() {
        let text = "añb";
        assert_eq!(floor_char_boundary(text, 2), 1);
        assert_eq!(floor_char_boundary(text, 99), text.len());
    }
}
