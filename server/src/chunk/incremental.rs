//! Re-chunking after an edit without re-extracting the whole file: only the
//! top-level nodes around the edited bytes are chunked again; every other
//! chunk is kept, those after the edit shifted by its size.
//!
//! The result must equal chunking the new text from scratch (a property test
//! in `document.rs` checks it on random edit sequences). That holds when the
//! re-extracted region is cut out of the file at two *seams*, places where no
//! chunk of either the old or the new text crosses and where nothing outside
//! the region can change what is chunked inside it. A seam lies before a
//! top-level node `c` (preceded by `p`) when:
//! - `c` starts its line and `p` ends on an earlier line (chunks and blocks
//!   cover whole lines, so nothing shares a line across the seam);
//! - `p` is not a comment or attribute (it would attach to what `c` defines);
//! - a definition chunk starts exactly at `c`, in the old text and in the new
//!   one (so its line is covered and no run of top-level statements, which
//!   becomes blocks cut by size, flows across the seam);
//! - no old chunk crosses it.
//!
//! The region starts as the top-level nodes touching the edited bytes (the
//! edits themselves and tree-sitter's `changed_ranges`: a renamed identifier
//! changes no syntax, so the edited bytes must count too) and grows node by
//! node until both edges are seams. When that takes more than a few rounds,
//! or there is no tree to go by, the whole file is chunked again.
//!
//! Seams are only sought between top-level nodes: in a file that is a single
//! container (a Java class, a C++ namespace, a Rust `mod tests`), an edit
//! re-extracts that whole container.

use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::attach::is_attachable;
use super::lines::LineIndex;
use super::syntax::{chunk_syntax_region, statement_lines_of, Region};
use super::{chunk_tree, finish, Chunk};
use crate::lang::Language;

/// What an edit did to a text, in the coordinates of the new text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditSummary {
    /// Every byte that differs from the old text lies in here (changes and
    /// deletions included: a deletion is an empty range where text was);
    /// `None` before any change.
    pub dirty: Option<Range<usize>>,
    /// New length minus old length, in bytes.
    pub byte_delta: isize,
    /// New minus old count of `\n`.
    pub line_delta: isize,
}

impl EditSummary {
    /// No change yet.
    pub fn empty() -> EditSummary {
        EditSummary { dirty: None, byte_delta: 0, line_delta: 0 }
    }

    /// Adds one replacement of `old_text` at `start` by `new_text` (in the
    /// coordinates of the text as it was just before this replacement).
    pub fn add_replacement(&mut self, start: usize, old_text: &str, new_text: &str) {
        let old_end = start + old_text.len();
        let new_end = start + new_text.len();
        // Where a byte of the text before this replacement is after it.
        let map = |byte: usize| {
            if byte <= start {
                byte
            } else if byte >= old_end {
                byte - old_end + new_end
            } else {
                new_end
            }
        };
        self.dirty = Some(match &self.dirty {
            None => start..new_end,
            Some(dirty) => map(dirty.start).min(start)..map(dirty.end).max(new_end),
        });
        self.byte_delta += new_text.len() as isize - old_text.len() as isize;
        self.line_delta += count_newlines(new_text) as isize - count_newlines(old_text) as isize;
    }

    /// Widens the dirty range to hold `range` too.
    pub fn add_dirty(&mut self, range: Range<usize>) {
        self.dirty = Some(match &self.dirty {
            None => range,
            Some(dirty) => dirty.start.min(range.start)..dirty.end.max(range.end),
        });
    }
}

fn count_newlines(text: &str) -> usize {
    memchr::memchr_iter(b'\n', text.as_bytes()).count()
}

/// How a re-chunk was done, for tests and measurements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rechunked {
    /// Only this byte range of the new text was chunked again.
    Region(Range<usize>),
    /// The whole file was chunked again.
    Whole,
}

/// Rounds of growing the region before giving up and chunking everything.
const MAX_ROUNDS: usize = 8;

/// The chunks of `source` (parsed as `tree`), given `old`: the chunks of the
/// text before the edit summarised by `edit`. Equal to
/// `chunk_tree(language, tree, source)`, which it falls back to.
pub fn rechunk_tree(language: Language, old: &[Chunk], tree: &Tree, source: &str, edit: &EditSummary) -> (Vec<Chunk>, Rechunked) {
    match rechunk_region(language, old, tree, source, edit) {
        Some((chunks, region)) => (chunks, Rechunked::Region(region)),
        None => (chunk_tree(language, tree, source), Rechunked::Whole),
    }
}

fn rechunk_region(language: Language, old: &[Chunk], tree: &Tree, source: &str, edit: &EditSummary) -> Option<(Vec<Chunk>, Range<usize>)> {
    let grammar = language.grammar()?;
    let dirty = edit.dirty.clone()?;
    if *tree.language() != grammar || old.is_empty() {
        return None;
    }
    let root = tree.root_node();
    let mut cursor = root.walk();
    let children: Vec<Node> = root.children(&mut cursor).collect();
    if children.is_empty() {
        return None;
    }
    let lines = LineIndex::new(source);
    let dirty = dirty.start.min(source.len())..dirty.end.min(source.len());
    let seams = Seams { language, old, children: &children, lines: &lines, dirty: dirty.clone(), byte_delta: edit.byte_delta, line_delta: edit.line_delta };

    // The top-level nodes touching the dirty bytes, at least one.
    let first = children.partition_point(|c| c.end_byte() < dirty.start).min(children.len() - 1);
    let end = children.partition_point(|c| c.start_byte() <= dirty.end).max(first + 1);
    let (mut start, mut end) = (first, end);

    for _ in 0..MAX_ROUNDS {
        while !seams.left_edge_ok(start) {
            start -= 1;
        }
        while !seams.right_edge_ok(end) {
            end += 1;
        }
        let bytes = seams.byte_at(start)..seams.byte_at(end);
        let region = Region {
            children: start..end,
            lines: lines.line_of(bytes.start)..line_of_edge(&lines, bytes.end),
            statement_lines: statement_lines_of(&children[start..end], &lines),
        };
        let chunks = finish(chunk_syntax_region(language, tree, &lines, Some(&region)), source);
        if start > 0 && !starts_definition(&chunks, children[start].start_byte()) {
            start -= 1;
            continue;
        }
        return Some((seams.splice(chunks, &bytes), bytes));
    }
    None
}

/// The line a region ending at byte `end` stops before.
fn line_of_edge(lines: &LineIndex, end: usize) -> usize {
    if end >= lines.source().len() {
        lines.len()
    } else {
        lines.line_of(end)
    }
}

/// Whether one of `chunks` (sorted by start) is a definition starting at `byte`.
fn starts_definition(chunks: &[Chunk], byte: usize) -> bool {
    let from = chunks.partition_point(|c| c.bytes.start < byte);
    chunks[from..].iter().take_while(|c| c.bytes.start == byte).any(|c| c.kind.is_definition())
}

/// The facts the seam rules look at.
struct Seams<'a, 'tree> {
    language: Language,
    old: &'a [Chunk],
    children: &'a [Node<'tree>],
    lines: &'a LineIndex<'a>,
    /// `EditSummary`'s fields, the dirty range clamped to the text.
    dirty: Range<usize>,
    byte_delta: isize,
    line_delta: isize,
}

impl Seams<'_, '_> {
    /// Where the region edge before child `index` lies: the start of its
    /// line (the end of the text past the last child).
    fn byte_at(&self, index: usize) -> usize {
        if index == 0 {
            0
        } else if index >= self.children.len() {
            self.lines.source().len()
        } else {
            self.lines.line_start(self.lines.line_of(self.children[index].start_byte()))
        }
    }

    /// Whether the region may start before child `index` (the new chunk at
    /// that child is checked once the region is chunked).
    fn left_edge_ok(&self, index: usize) -> bool {
        if index == 0 {
            return true;
        }
        let edge = self.byte_at(index);
        // Text before the edge is the same in both versions.
        edge <= self.dirty.start
            && self.is_seam(index, edge)
            && starts_definition(self.old, self.children[index].start_byte())
    }

    /// Whether the region may end before child `index`. From there on the new
    /// text is the old one shifted, so the old chunks say what the new ones are.
    fn right_edge_ok(&self, index: usize) -> bool {
        if index >= self.children.len() {
            return true;
        }
        let edge = self.byte_at(index);
        let old_start = self.children[index].start_byte() as isize - self.byte_delta;
        edge >= self.dirty.end
            && old_start >= 0
            && self.is_seam(index, (edge as isize - self.byte_delta) as usize)
            && starts_definition(self.old, old_start as usize)
    }

    /// The syntactic seam rules before child `index`, and no old chunk
    /// crossing `old_edge`, where the edge is in the old text.
    fn is_seam(&self, index: usize, old_edge: usize) -> bool {
        let (before, node) = (self.children[index - 1], self.children[index]);
        let lines = self.lines;
        let before_last_line = lines.line_of(before.end_byte().saturating_sub(1).max(before.start_byte()));
        lines.starts_its_line(node.start_byte())
            && before_last_line < lines.line_of(node.start_byte())
            && !is_attachable(self.language, before, lines.source())
            && !self.old.iter().take_while(|c| c.bytes.start < old_edge).any(|c| c.bytes.end > old_edge)
    }

    /// Old chunks before `region`, the region's new chunks, and old chunks
    /// after it shifted into the new text.
    fn splice(&self, region_chunks: Vec<Chunk>, region: &Range<usize>) -> Vec<Chunk> {
        let old_end = (region.end as isize - self.byte_delta) as usize;
        let before = self.old.partition_point(|c| c.bytes.start < region.start);
        let after = self.old.partition_point(|c| c.bytes.start < old_end);
        let mut chunks = Vec::with_capacity(before + region_chunks.len() + self.old.len() - after);
        chunks.extend_from_slice(&self.old[..before]);
        chunks.extend(region_chunks);
        chunks.extend(self.old[after..].iter().map(|c| shifted(c, self.byte_delta, self.line_delta)));
        chunks
    }
}

fn shifted(chunk: &Chunk, byte_delta: isize, line_delta: isize) -> Chunk {
    let bytes = (chunk.bytes.start as isize + byte_delta) as usize..(chunk.bytes.end as isize + byte_delta) as usize;
    let line = |l: u32| (l as isize + line_delta) as u32;
    Chunk { bytes, start_line: line(chunk.start_line), end_line: line(chunk.end_line), ..chunk.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replace(text: &mut String, summary: &mut EditSummary, start: usize, old_len: usize, new_text: &str) {
        let old_text = text[start..start + old_len].to_string();
        summary.add_replacement(start, &old_text, new_text);
        text.replace_range(start..start + old_len, new_text);
    }

    #[test]
    fn summary_of_several_replacements_covers_every_changed_byte() {
        let old = "aaaa\nbbbb\ncccc\n".to_string();
        let mut text = old.clone();
        let mut summary = EditSummary::empty();
        assert_eq!(summary.dirty, None);
        replace(&mut text, &mut summary, 10, 2, "X\nY"); // in "cccc"
        replace(&mut text, &mut summary, 1, 0, "Z"); // before it: shifts it
        assert_eq!(text, "aZaaa\nbbbb\nX\nYcc\n");
        assert_eq!(summary.byte_delta, 2);
        assert_eq!(summary.line_delta, 1);
        // Before the dirty range the texts agree; after it, shifted.
        let dirty = summary.dirty.clone().unwrap();
        assert_eq!(dirty, 1..14);
        assert_eq!(text[..dirty.start], old[..dirty.start]);
        assert_eq!(text[dirty.end..], old[(dirty.end as isize - summary.byte_delta) as usize..]);
    }

    #[test]
    fn a_deletion_leaves_an_empty_dirty_range_where_it_was() {
        let mut text = "fn a() {}\n\nfn b() {}\n".to_string();
        let mut summary = EditSummary::empty();
        replace(&mut text, &mut summary, 9, 1, "");
        assert_eq!(summary.dirty, Some(9..9));
        assert_eq!((summary.byte_delta, summary.line_delta), (-1, -1));
    }

    #[test]
    fn an_edit_inside_one_function_re_extracts_only_around_it() {
        let source: String = (0..50).map(|i| format!("/// Doc {i}.\nfn f{i}() {{\n    let x = {i};\n}}\n\n")).collect();
        let old = crate::chunk::chunk_source(Language::Rust, &source);
        let at = source.find("let x = 25").unwrap() + 8;
        let mut text = source.clone();
        let mut summary = EditSummary::empty();
        replace(&mut text, &mut summary, at, 2, "2 + 5");
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&Language::Rust.grammar().unwrap()).unwrap();
        let tree = parser.parse(&text, None).unwrap();
        let (chunks, how) = rechunk_tree(Language::Rust, &old, &tree, &text, &summary);
        assert_eq!(chunks, crate::chunk::chunk_source(Language::Rust, &text));
        let Rechunked::Region(region) = how else { panic!("re-chunked the whole file") };
        assert!(region.contains(&at) && region.len() < 200, "{region:?}");
    }
}
