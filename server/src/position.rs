//! Every conversion between editor positions, char offsets, byte offsets and
//! tree-sitter points, in one place.
//!
//! Editors address text as (line, character) where a character counts UTF-16
//! code units (the LSP default) or bytes (when the client offers `utf-8`).
//! Lines break at `\n`, `\r\n` and `\r` only (ropey is built with `cr_lines`,
//! not its default Unicode line breaks). tree-sitter counts bytes, and rows
//! by `\n` alone, so its points are computed here and never sent to a client.
//! Out-of-range positions are clamped as the LSP specification says: a
//! character past the end of its line means the line's end, a line past the
//! end of the document means its end; an offset inside a surrogate pair or a
//! UTF-8 sequence rounds down to the start of that character.
//! This module knows ropes and numbers; it knows nothing of LSP types.

use ropey::Rope;

/// How a position's `character` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    #[default]
    Utf16,
    Utf8,
}

/// A (line, character) position, 0-based, in some [`Encoding`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct LinePos {
    pub line: u32,
    pub character: u32,
}

impl LinePos {
    pub fn new(line: u32, character: u32) -> Self {
        LinePos { line, character }
    }
}

/// Char index of the end of `line`'s content (before its line break).
fn line_content_end_char(rope: &Rope, line: usize) -> usize {
    let start = rope.line_to_char(line);
    let slice = rope.line(line);
    let mut len = slice.len_chars();
    if len > 0 && slice.char(len - 1) == '\n' {
        len -= 1;
        if len > 0 && slice.char(len - 1) == '\r' {
            len -= 1;
        }
    } else if len > 0 && slice.char(len - 1) == '\r' {
        len -= 1;
    }
    start + len
}

/// The char index of `pos`, clamped into the document.
pub fn char_of(rope: &Rope, pos: LinePos, enc: Encoding) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_chars();
    }
    let start = rope.line_to_char(line);
    let end = line_content_end_char(rope, line);
    match enc {
        Encoding::Utf16 => {
            let start_cu = rope.char_to_utf16_cu(start);
            let end_cu = rope.char_to_utf16_cu(end);
            let target = (start_cu + pos.character as usize).min(end_cu);
            // Rounds down inside a surrogate pair.
            rope.utf16_cu_to_char(target)
        }
        Encoding::Utf8 => {
            let start_b = rope.char_to_byte(start);
            let end_b = rope.char_to_byte(end);
            let target = (start_b + pos.character as usize).min(end_b);
            rope.byte_to_char(target)
        }
    }
}

/// The byte offset of `pos`, clamped into the document.
pub fn byte_of(rope: &Rope, pos: LinePos, enc: Encoding) -> usize {
    rope.char_to_byte(char_of(rope, pos, enc))
}

/// The position of a char index (clamped to the document's end).
pub fn pos_of_char(rope: &Rope, char_idx: usize, enc: Encoding) -> LinePos {
    let c = char_idx.min(rope.len_chars());
    let line = rope.char_to_line(c);
    let start = rope.line_to_char(line);
    let character = match enc {
        Encoding::Utf16 => rope.char_to_utf16_cu(c) - rope.char_to_utf16_cu(start),
        Encoding::Utf8 => rope.char_to_byte(c) - rope.char_to_byte(start),
    };
    LinePos { line: line as u32, character: character as u32 }
}

/// The position of a byte offset (rounded down to a char boundary, clamped).
pub fn pos_of_byte(rope: &Rope, byte: usize, enc: Encoding) -> LinePos {
    pos_of_char(rope, rope.byte_to_char(byte.min(rope.len_bytes())), enc)
}

/// The position at the start of a 0-based line, and at the end of a line's
/// content: what a chunk's line range becomes in the editor.
pub fn line_range(rope: &Rope, start_line: u32, end_line: u32, enc: Encoding) -> (LinePos, LinePos) {
    let last = rope.len_lines().saturating_sub(1);
    let s = (start_line as usize).min(last);
    let e = (end_line as usize).min(last).max(s);
    let end_char = line_content_end_char(rope, e);
    (LinePos::new(s as u32, 0), pos_of_char(rope, end_char, enc))
}

/// A tree-sitter point (row counts `\n` only, column counts bytes) for a byte
/// offset that is on a char boundary.
pub fn point_of_byte(rope: &Rope, byte: usize) -> tree_sitter::Point {
    let byte = byte.min(rope.len_bytes());
    point_after(tree_sitter::Point { row: 0, column: 0 }, rope.byte_slice(..byte).chunks())
}

/// The point reached from `point` by the text `pieces` (in order).
fn point_after<'a>(mut point: tree_sitter::Point, pieces: impl Iterator<Item = &'a str>) -> tree_sitter::Point {
    for piece in pieces {
        let bytes = piece.as_bytes();
        match memchr::memrchr(b'\n', bytes) {
            Some(last) => {
                point.row += memchr::memchr_iter(b'\n', bytes).count();
                point.column = bytes.len() - last - 1;
            }
            None => point.column += bytes.len(),
        }
    }
    point
}

/// One replacement in byte terms, with what tree-sitter needs to follow it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedEdit {
    pub start_byte: usize,
    pub old_end_byte: usize,
    pub new_end_byte: usize,
    pub input_edit: tree_sitter::InputEdit,
}

/// Replaces the text between `start` and `end` (clamped; swapped if reversed)
/// with `text`, or the whole document when `range` is `None`.
pub fn apply_change(rope: &mut Rope, range: Option<(LinePos, LinePos)>, text: &str, enc: Encoding) -> AppliedEdit {
    let (start_char, end_char) = match range {
        Some((a, b)) => {
            let (x, y) = (char_of(rope, a, enc), char_of(rope, b, enc));
            (x.min(y), x.max(y))
        }
        None => (0, rope.len_chars()),
    };
    let start_byte = rope.char_to_byte(start_char);
    let old_end_byte = rope.char_to_byte(end_char);
    // One scan from the start of the text; the ends are counted from the
    // start over the removed and the inserted text only.
    let start_position = point_of_byte(rope, start_byte);
    let old_end_position = point_after(start_position, rope.byte_slice(start_byte..old_end_byte).chunks());
    rope.remove(start_char..end_char);
    rope.insert(start_char, text);
    let new_end_byte = start_byte + text.len();
    let new_end_position = point_after(start_position, std::iter::once(text));
    AppliedEdit {
        start_byte,
        old_end_byte,
        new_end_byte,
        input_edit: tree_sitter::InputEdit { start_byte, old_end_byte, new_end_byte, start_position, old_end_position, new_end_position },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Encoding::{Utf16, Utf8};

    fn p(line: u32, character: u32) -> LinePos {
        LinePos::new(line, character)
    }

    #[test]
    fn only_lsp_line_breaks_split_lines() {
        // U+2028, U+0085, VT and FF are not line breaks in LSP; ropey's default
        // features would treat them as such. This fails if they sneak back in.
        let rope = Rope::from_str("a\u{2028}b\u{85}c\u{0B}d\u{0C}e\nf\r\ng\rh");
        assert_eq!(rope.len_lines(), 4);
        assert_eq!(pos_of_char(&rope, rope.len_chars(), Utf16), p(3, 1));
    }

    #[test]
    fn ascii_round_trip() {
        let rope = Rope::from_str("fn a() {}\nlet x = 1;\n");
        assert_eq!(byte_of(&rope, p(1, 4), Utf16), 14);
        assert_eq!(pos_of_byte(&rope, 14, Utf16), p(1, 4));
        assert_eq!(byte_of(&rope, p(2, 0), Utf16), rope.len_bytes());
    }

    #[test]
    fn multibyte_and_surrogate_pairs() {
        // "é" is 2 bytes / 1 unit; "😀" is 4 bytes / 2 UTF-16 units.
        let rope = Rope::from_str("é😀x\n");
        assert_eq!(byte_of(&rope, p(0, 1), Utf16), 2);
        assert_eq!(byte_of(&rope, p(0, 3), Utf16), 6);
        assert_eq!(pos_of_byte(&rope, 6, Utf16), p(0, 3));
        assert_eq!(pos_of_byte(&rope, 6, Utf8), p(0, 6));
        assert_eq!(byte_of(&rope, p(0, 6), Utf8), 6);
        // Inside the surrogate pair: rounds down to the emoji's start.
        assert_eq!(byte_of(&rope, p(0, 2), Utf16), 2);
        // Inside a UTF-8 sequence: rounds down.
        assert_eq!(byte_of(&rope, p(0, 1), Utf8), 0);
        assert_eq!(byte_of(&rope, p(0, 4), Utf8), 2);
    }

    #[test]
    fn crlf_lines() {
        let rope = Rope::from_str("ab\r\ncd\r\n");
        assert_eq!(rope.len_lines(), 3);
        assert_eq!(byte_of(&rope, p(1, 1), Utf16), 5);
        // Past the line's end: the end of its content, never inside "\r\n".
        assert_eq!(byte_of(&rope, p(0, 99), Utf16), 2);
        assert_eq!(pos_of_byte(&rope, 4, Utf16), p(1, 0));
    }

    #[test]
    fn clamps_past_the_end() {
        let rope = Rope::from_str("one\ntwo");
        assert_eq!(byte_of(&rope, p(9, 0), Utf16), 7);
        assert_eq!(byte_of(&rope, p(1, 99), Utf16), 7);
        assert_eq!(pos_of_byte(&rope, 999, Utf16), p(1, 3));
        let empty = Rope::from_str("");
        assert_eq!(byte_of(&empty, p(3, 3), Utf16), 0);
        assert_eq!(pos_of_char(&empty, 0, Utf16), p(0, 0));
    }

    #[test]
    fn points_count_newlines_only() {
        let rope = Rope::from_str("a\rb\r\nc\né");
        // After "a\rb\r\n": one '\n' so far.
        assert_eq!(point_of_byte(&rope, 5), tree_sitter::Point { row: 1, column: 0 });
        assert_eq!(point_of_byte(&rope, 3), tree_sitter::Point { row: 0, column: 3 });
        assert_eq!(point_of_byte(&rope, rope.len_bytes()), tree_sitter::Point { row: 2, column: 2 });
    }

    #[test]
    fn edit_points_equal_points_counted_from_the_start() {
        // Removed and inserted text with \n, \r\n, a lone \r and multi-byte
        // chars, at the start, the middle and the end; ropes of many chunks.
        let base = "fn a() {\r\n    é\r}\n😀 x\n".repeat(300);
        let cases: &[(usize, usize, &str)] = &[(0, 0, "\n"), (3, 40, "y\r\nz"), (1000, 1300, ""), (4000, 4000, "é\n\n😀"), (0, 7000, "only")];
        for &(from, to, text) in cases {
            let mut rope = Rope::from_str(&base);
            let (start, end) = (pos_of_char(&rope, from, Utf16), pos_of_char(&rope, to.min(rope.len_chars()), Utf16));
            let before = rope.clone();
            let e = apply_change(&mut rope, Some((start, end)), text, Utf16);
            assert_eq!(e.input_edit.start_position, point_of_byte(&before, e.start_byte));
            assert_eq!(e.input_edit.old_end_position, point_of_byte(&before, e.old_end_byte));
            assert_eq!(e.input_edit.new_end_position, point_of_byte(&rope, e.new_end_byte));
            // And point_of_byte itself agrees with counting by hand.
            let text = rope.to_string();
            let upto = &text[..e.new_end_byte];
            let row = upto.matches('\n').count();
            let column = upto.len() - upto.rfind('\n').map_or(0, |i| i + 1);
            assert_eq!(e.input_edit.new_end_position, tree_sitter::Point { row, column });
        }
    }

    #[test]
    fn edits_apply_like_strings() {
        let mut rope = Rope::from_str("hello\nworld\n");
        let e = apply_change(&mut rope, Some((p(1, 0), p(1, 5))), "there", Utf16);
        assert_eq!(rope.to_string(), "hello\nthere\n");
        assert_eq!((e.start_byte, e.old_end_byte, e.new_end_byte), (6, 11, 11));
        // Insert at the very end of the file.
        let e = apply_change(&mut rope, Some((p(2, 0), p(2, 0))), "fn x() {}", Utf16);
        assert_eq!(rope.to_string(), "hello\nthere\nfn x() {}");
        assert_eq!(e.input_edit.new_end_position, tree_sitter::Point { row: 2, column: 9 });
        // Delete across lines, reversed range.
        apply_change(&mut rope, Some((p(1, 2), p(0, 2))), "", Utf16);
        assert_eq!(rope.to_string(), "heere\nfn x() {}");
        // Whole-document replacement.
        apply_change(&mut rope, None, "new", Utf16);
        assert_eq!(rope.to_string(), "new");
    }

    #[test]
    fn edits_with_emoji_and_crlf() {
        let mut rope = Rope::from_str("a😀b\r\nc");
        apply_change(&mut rope, Some((p(0, 1), p(0, 3))), "", Utf16);
        assert_eq!(rope.to_string(), "ab\r\nc");
        apply_change(&mut rope, Some((p(0, 2), p(1, 0))), "", Utf16);
        assert_eq!(rope.to_string(), "abc");
        // An edit starting inside a surrogate pair rounds down, never splits it.
        let mut rope = Rope::from_str("😀z");
        apply_change(&mut rope, Some((p(0, 1), p(0, 2))), "", Utf16);
        assert_eq!(rope.to_string(), "z");
    }

    #[test]
    fn line_ranges_end_at_line_content() {
        let rope = Rope::from_str("fn a() {\r\n  x\r\n}\r\n");
        assert_eq!(line_range(&rope, 0, 2, Utf16), (p(0, 0), p(2, 1)));
        assert_eq!(line_range(&rope, 0, 99, Utf16).1, p(3, 0));
    }
}
