//! Re-chunking after an edit without re-extracting the whole file: only the
//! nodes around the edited bytes are chunked again; every other chunk is
//! kept, those after the edit shifted by its size.
//!
//! The result must equal chunking the new text from scratch (a property test
//! in `document.rs` checks it on random edit sequences). That holds when the
//! re-extracted region is cut out of the file at two *seams*, places where no
//! chunk of either the old or the new text crosses and where nothing outside
//! the region can change what is chunked inside it. The region is a run of
//! siblings: children of the root, or members of a container (a class, an
//! impl, a module, a namespace) whose chunk is only its header because it is
//! oversized. A seam lies before a sibling `c` (preceded by `p`) when:
//! - `c` starts its line and `p` ends on an earlier line (chunks and blocks
//!   cover whole lines, so nothing shares a line across the seam);
//! - `p` is not a comment or attribute (it would attach to what `c` defines);
//! - a definition chunk starts exactly at `c`, in the old text and in the new
//!   one (so its line is covered and no run of statements or fields, which
//!   becomes blocks cut by size, flows across the seam);
//! - no old chunk crosses it.
//!
//! Inside a container the region must leave its first child (the opening
//! bracket) out, and may end past its last one (the closing bracket) only at
//! the end of that line (comments may follow the bracket there), and only
//! where the lines after it cannot join a block of the region's: the next
//! non-blank line starts a definition or there is none, or it begins a block
//! of another container than the bracket's line, in the old text and in the
//! new one. Every definition holding the region must
//! still be cut down to its header in the new text (still oversized), its
//! header lying before the edit; otherwise the container's own chunk changes
//! and the region is sought one level up.
//!
//! The region starts as the siblings touching the edited bytes (the edits
//! themselves and tree-sitter's `changed_ranges`: a renamed identifier
//! changes no syntax, so the edited bytes must count too) and grows sibling
//! by sibling until both edges are seams. It is sought among the children of
//! the innermost node holding the edit first, then of each node above it, up
//! to the root; at each level among a window of siblings around the edit
//! first, all of them only if the region grows past it, so the work follows
//! the edit, not the file. When that takes more than a few rounds, or there
//! is no tree to go by, the whole file is chunked again.

use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::attach::{attaches_past_its_parent, is_attachable, is_empty, passes_attachables_to_first_child};
use super::lines::LineIndex;
use super::syntax::{chunk_syntax_region, statement_lines_of, Region};
use super::test_code::test_statement_lines;
use super::{chunk_tree, finish, Chunk, ChunkKind};
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

/// How a re-chunk was done: for the index (which follows a splice without
/// redoing the file), tests and measurements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rechunked {
    /// Only `bytes` of the new text was chunked again.
    Region { bytes: Range<usize>, splice: Splice },
    /// The whole file was chunked again.
    Whole,
}

/// What a re-chunk around an edit did to the list of chunks: `removed` old
/// chunks from index `at` on were replaced by `inserted` new ones; those
/// before are unchanged, those after moved by `byte_delta` and `line_delta`
/// (their text is the same).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Splice {
    pub at: usize,
    pub removed: usize,
    pub inserted: usize,
    pub byte_delta: isize,
    pub line_delta: isize,
}

impl Splice {
    /// Where a byte offset of a chunk after the replaced ones is now.
    pub fn moved_byte(&self, byte: usize) -> usize {
        moved(byte, self.byte_delta)
    }

    /// Where a line of a chunk after the replaced ones is now.
    pub fn moved_line(&self, line: u32) -> u32 {
        moved(line as usize, self.line_delta) as u32
    }
}

fn moved(value: usize, delta: isize) -> usize {
    (value as isize + delta).max(0) as usize
}

/// Rounds of growing the region before giving up and chunking everything.
const MAX_ROUNDS: usize = 8;

/// The chunks of `source` (parsed as `tree`), given `old`: the chunks of the
/// text before the edit summarised by `edit`. Equal to
/// `chunk_tree(language, tree, source)`, which it falls back to.
pub fn rechunk_tree(language: Language, old: &[Chunk], tree: &Tree, source: &str, edit: &EditSummary) -> (Vec<Chunk>, Rechunked) {
    let mut chunks = old.to_vec();
    let how = rechunk_tree_in_place(language, &mut chunks, tree, source, edit);
    (chunks, how)
}

/// [`rechunk_tree`] on the chunks in place: the chunks around the edit are
/// replaced and those after it moved, without copying the others.
pub fn rechunk_tree_in_place(language: Language, chunks: &mut Vec<Chunk>, tree: &Tree, source: &str, edit: &EditSummary) -> Rechunked {
    match rechunk_region(language, chunks, tree, source, edit) {
        Some((region_chunks, bytes, splice)) => {
            chunks.splice(splice.at..splice.at + splice.removed, region_chunks);
            for chunk in &mut chunks[splice.at + splice.inserted..] {
                chunk.bytes = splice.moved_byte(chunk.bytes.start)..splice.moved_byte(chunk.bytes.end);
                chunk.start_line = splice.moved_line(chunk.start_line);
                chunk.end_line = splice.moved_line(chunk.end_line);
            }
            Rechunked::Region { bytes, splice }
        }
        None => {
            *chunks = chunk_tree(language, tree, source);
            Rechunked::Whole
        }
    }
}

fn rechunk_region(language: Language, old: &[Chunk], tree: &Tree, source: &str, edit: &EditSummary) -> Option<(Vec<Chunk>, Range<usize>, Splice)> {
    let grammar = language.grammar()?;
    let dirty = edit.dirty.clone()?;
    if *tree.language() != grammar || old.is_empty() {
        return None;
    }
    let lines = LineIndex::new(source);
    let dirty = dirty.start.min(source.len())..dirty.end.min(source.len());
    let old_ends: Vec<usize> = old.iter().scan(0, |end, c| { *end = c.bytes.end.max(*end); Some(*end) }).collect();
    // Innermost first: a region among the members of a class before one
    // among the top-level nodes. Each level first looks at a window of
    // siblings around the edit, and at all of them only if the region grows
    // past the window (a file can have thousands of top-level nodes).
    let path = nodes_holding(tree.root_node(), &dirty);
    for depth in (0..=path.len()).rev() {
        let parent = if depth == 0 { tree.root_node() } else { path[depth - 1] };
        for window in [Some(SIBLING_WINDOW), None] {
            let siblings = siblings_around(parent, dirty.start, window);
            if siblings.nodes.is_empty() {
                break;
            }
            let seams = Seams {
                language,
                root: tree.root_node(),
                old,
                old_ends: &old_ends,
                children: &siblings.nodes,
                from_first: siblings.from_first,
                to_last: siblings.to_last,
                lines: &lines,
                dirty: dirty.clone(),
                byte_delta: edit.byte_delta,
                line_delta: edit.line_delta,
                nested: depth > 0,
            };
            match seams.rechunk(tree, path[..depth].to_vec()) {
                Attempt::Found(chunks, bytes, splice) => return Some((chunks, bytes, splice)),
                Attempt::NotHere => break,
                Attempt::NeedMoreSiblings => continue,
            }
        }
    }
    None
}

/// Siblings looked at on each side of the edit before looking at them all.
const SIBLING_WINDOW: usize = 32;

/// From a child of the root down, the nodes that hold all of `dirty` and
/// have children.
fn nodes_holding<'tree>(root: Node<'tree>, dirty: &Range<usize>) -> Vec<Node<'tree>> {
    let mut path = Vec::new();
    let mut cursor = root.walk();
    while cursor.goto_first_child_for_byte(dirty.start).is_some() {
        let child = cursor.node();
        if !(child.start_byte() <= dirty.start && dirty.end <= child.end_byte() && child.child_count() > 0) {
            break;
        }
        path.push(child);
    }
    path
}

/// Children of one node, in order: all of them, or a window around a byte.
struct Siblings<'tree> {
    nodes: Vec<Node<'tree>>,
    /// Whether the first and the last of `nodes` are the node's first and last child.
    from_first: bool,
    to_last: bool,
}

/// The children of `parent` around byte `at`: with `window`, up to that many
/// on each side of the first child ending after `at` (the last child if none
/// does); else all of them.
fn siblings_around<'tree>(parent: Node<'tree>, at: usize, window: Option<usize>) -> Siblings<'tree> {
    let mut cursor = parent.walk();
    let Some(window) = window else {
        return Siblings { nodes: parent.children(&mut cursor).collect(), from_first: true, to_last: true };
    };
    if cursor.goto_first_child_for_byte(at).is_none() {
        if !cursor.goto_first_child() {
            return Siblings { nodes: Vec::new(), from_first: true, to_last: true };
        }
        while cursor.goto_next_sibling() {}
    }
    let mut back = 0;
    while back < window && cursor.goto_previous_sibling() {
        back += 1;
    }
    let from_first = back < window || !cursor.clone().goto_previous_sibling();
    let mut nodes = vec![cursor.node()];
    let mut to_last = true;
    while cursor.goto_next_sibling() {
        nodes.push(cursor.node());
        if nodes.len() > back + window {
            to_last = !cursor.goto_next_sibling();
            break;
        }
    }
    Siblings { nodes, from_first, to_last }
}

/// What looking for a region among one set of siblings gave.
enum Attempt {
    /// The region's new chunks, its bytes, and which old chunks they replace.
    Found(Vec<Chunk>, Range<usize>, Splice),
    /// No region here: try the level above.
    NotHere,
    /// The region reached the edge of a window of siblings: look again at all.
    NeedMoreSiblings,
}

/// The line a region ending at byte `end` stops before.
fn line_of_edge(lines: &LineIndex, end: usize) -> usize {
    if end >= lines.source().len() {
        lines.len()
    } else {
        lines.line_of(end)
    }
}

/// Of `chunks`, one covering the last line any of them covers (blocks cover
/// only lines no definition covers, so if one of them is a block, all are).
fn last_line_chunk(chunks: &[Chunk]) -> Option<&Chunk> {
    chunks.iter().max_by_key(|c| c.end_line)
}

/// Whether one of `chunks` (sorted by start) is a definition starting at `byte`.
fn starts_definition(chunks: &[Chunk], byte: usize) -> bool {
    let from = chunks.partition_point(|c| c.bytes.start < byte);
    chunks[from..].iter().take_while(|c| c.bytes.start == byte).any(|c| c.kind.is_definition())
}

/// The facts the seam rules look at, for the children of one node.
struct Seams<'a, 'tree> {
    language: Language,
    root: Node<'tree>,
    old: &'a [Chunk],
    /// For each old chunk, the largest end of it and the chunks before it.
    old_ends: &'a [usize],
    /// Consecutive children of one node, and whether they start at its
    /// first child and end at its last one.
    children: &'a [Node<'tree>],
    from_first: bool,
    to_last: bool,
    lines: &'a LineIndex<'a>,
    /// `EditSummary`'s fields, the dirty range clamped to the text.
    dirty: Range<usize>,
    byte_delta: isize,
    line_delta: isize,
    /// Whether the children are those of a node below the root: then the
    /// region must lie strictly inside that node (its first and last
    /// children are brackets, its header is a chunk of its own).
    nested: bool,
}

impl<'tree> Seams<'_, 'tree> {
    /// Grows a region around the dirty bytes until both edges are seams and
    /// chunks it; says why not when that fails among these siblings.
    fn rechunk(&self, tree: &'tree Tree, path: Vec<Node<'tree>>) -> Attempt {
        let children = self.children;
        let dirty = &self.dirty;
        // The children touching the dirty bytes, at least one.
        let mut start = children.partition_point(|c| c.end_byte() < dirty.start).min(children.len() - 1);
        let mut end = children.partition_point(|c| c.start_byte() <= dirty.end).max(start + 1);
        let mut region = Region { path, first: children[start], count: 0, lines: 0..0, statement_lines: Vec::new(), test_lines: Vec::new() };
        // Past the first or last of the children: the true ends of the node's
        // children, or the edges of a window of them.
        let past_the_edge = |is_true_end: bool| if is_true_end { Attempt::NotHere } else { Attempt::NeedMoreSiblings };
        for _ in 0..MAX_ROUNDS {
            while !self.left_edge_ok(start) {
                if start == 0 {
                    return past_the_edge(self.from_first);
                }
                start -= 1;
            }
            while !self.right_edge_ok(end) {
                end += 1;
                if end > children.len() {
                    return past_the_edge(self.to_last);
                }
            }
            let bytes = self.byte_at(start)..self.byte_at(end);
            (region.first, region.count) = (children[start], end - start);
            region.lines = self.lines.line_of(bytes.start)..line_of_edge(self.lines, bytes.end);
            if !self.nested {
                region.statement_lines = statement_lines_of(&children[start..end], self.lines);
                region.test_lines = test_statement_lines(self.language, &children[start..end], self.lines);
            }
            let chunks = finish(chunk_syntax_region(self.language, tree, self.lines, Some(&region)), self.lines.source());
            // Inside a node, the chunks of the definitions holding the region
            // come too. Each must be a header, ending before the region. (Seen
            // from the region alone a header may seem to end later than it
            // does, at the region's first member; the real one ends at the
            // container's first member, before the edit, so the old header
            // stands and is kept.) A whole definition or a function's windows
            // around the region would change with it: then the region must be
            // sought further up.
            let inside = chunks.partition_point(|c| c.bytes.start < bytes.start);
            let holding = &chunks[..inside];
            if holding.iter().any(|c| c.bytes.end > bytes.start || matches!(c.kind, ChunkKind::Function | ChunkKind::Method))
                || chunks[inside..].iter().any(|c| c.bytes.end > bytes.end)
            {
                return Attempt::NotHere;
            }
            let mut chunks = chunks;
            chunks.drain(..inside);
            if start > 0 && !starts_definition(&chunks, children[start].start_byte()) {
                start -= 1;
                continue;
            }
            if end >= children.len() && self.nested && !self.nothing_flows_past(&chunks, &bytes) {
                return Attempt::NotHere;
            }
            let splice = self.splice(chunks.len(), &bytes);
            return Attempt::Found(chunks, bytes, splice);
        }
        Attempt::NotHere
    }

    /// Where the region edge before child `index` lies: the start of its
    /// line. Past the last child: the end of the text, or inside a node,
    /// the start of the line after the node's last one.
    fn byte_at(&self, index: usize) -> usize {
        if index == 0 {
            0
        } else if index >= self.children.len() {
            match self.nested {
                true => self.end_edge().unwrap_or(self.lines.source().len()),
                false => self.lines.source().len(),
            }
        } else {
            self.lines.line_start(self.lines.line_of(self.children[index].start_byte()))
        }
    }

    /// Inside a node: the start of the line after its last child, if nothing
    /// but blanks and comments follows that child on its line (in Zig also
    /// the `;` of `};`, which ends the declaration of a container type).
    fn end_edge(&self) -> Option<usize> {
        let last = self.children.last()?.end_byte();
        let edge = self.lines.line_end_with_newline(self.lines.line_of(last.saturating_sub(1)));
        let source = self.lines.source();
        let mut at = last;
        loop {
            let rest = source.get(at..edge)?;
            let Some(blanks) = rest.find(|c: char| !c.is_whitespace()) else { return Some(edge) };
            at += blanks;
            if self.language == Language::Zig && rest[blanks..].starts_with(';') {
                at += 1;
                continue;
            }
            at = self.comment_at(at).filter(|&end| end <= edge)?;
        }
    }

    /// The end of the comment starting at byte `at`, if one does.
    fn comment_at(&self, at: usize) -> Option<usize> {
        let mut node = self.root.descendant_for_byte_range(at, at)?;
        while node.start_byte() == at {
            if node.is_extra() {
                return Some(node.end_byte());
            }
            node = node.parent()?;
        }
        None
    }

    /// Whether the region may start before child `index` (the new chunk at
    /// that child is checked once the region is chunked).
    fn left_edge_ok(&self, index: usize) -> bool {
        if index == 0 {
            return self.from_first && !self.nested;
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
            // Inside a node, past its closing bracket, at the end of its line
            // (what comes after is checked once the region is chunked:
            // `nothing_flows_past`).
            let past_closing_bracket_ok = || {
                self.end_edge().is_some_and(|edge| {
                    let old_edge = edge as isize - self.byte_delta;
                    edge >= self.dirty.end && old_edge >= 0 && !self.old_chunk_crosses(old_edge as usize)
                })
            };
            // A comment ending the node may belong to what follows it.
            let last_attaches_past = || {
                let last = self.children.iter().rev().find(|c| !is_empty(**c));
                last.is_some_and(|last| attaches_past_its_parent(self.language, *last, self.lines.source()))
            };
            return self.to_last && (!self.nested || (past_closing_bracket_ok() && !last_attaches_past()));
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
        // Empty nodes do not count (see `is_empty`).
        let Some(&before) = self.children[..index].iter().rev().find(|c| !is_empty(**c)) else { return false };
        let node = self.children[index];
        let lines = self.lines;
        let before_last_line = lines.line_of(before.end_byte().saturating_sub(1).max(before.start_byte()));
        lines.starts_its_line(node.start_byte())
            && before_last_line < lines.line_of(node.start_byte())
            && !is_attachable(self.language, before, lines.source())
            && !passes_attachables_to_first_child(self.language, node)
            && !self.old_chunk_crosses(old_edge)
    }

    /// Whether the first non-blank line at or after `edge` (past the edit)
    /// starts an old definition chunk, or there is none.
    fn definition_or_end_after(&self, edge: usize) -> bool {
        let lines = self.lines;
        let Some(line) = self.non_blank_line_from(edge) else { return true };
        let text = lines.line_text(line);
        let first = lines.line_start(line) + (text.len() - text.trim_start().len());
        let old_first = first as isize - self.byte_delta;
        old_first >= 0 && starts_definition(self.old, old_first as usize)
    }

    /// For a region (`bytes`, `region` its new chunks) ending past the
    /// closing bracket of a node: whether no run of lines flows out of the
    /// region into blocks after it. So when what comes next (blank lines
    /// aside) is the end of the text or starts a definition; or when it
    /// begins a block of another container than the one holding the region's
    /// last line, in the new text and in the old one (blocks of different
    /// containers are never merged, so the blocks after the edge start there
    /// in both and stay as they were).
    fn nothing_flows_past(&self, region: &[Chunk], bytes: &Range<usize>) -> bool {
        let edge = bytes.end;
        if self.definition_or_end_after(edge) {
            return true;
        }
        let Some(next) = self.non_blank_line_from(edge) else { return true };
        let old_next = self.lines.line_start(next) as isize - self.byte_delta;
        let old_edge = edge as isize - self.byte_delta;
        if old_next < 0 || old_edge < 0 {
            return false;
        }
        let (old_next, old_edge) = (old_next as usize, old_edge as usize);
        let from = self.old.partition_point(|c| c.bytes.start < old_next);
        let Some(next_block) = self.old.get(from).filter(|c| c.kind == ChunkKind::Block && c.bytes.start == old_next) else { return false };
        let old_region = self.old.partition_point(|c| c.bytes.start < bytes.start)..self.old.partition_point(|c| c.bytes.start < old_edge);
        let other_run = |chunks: &[Chunk]| match last_line_chunk(chunks) {
            Some(c) => c.kind != ChunkKind::Block || c.container != next_block.container,
            None => false,
        };
        other_run(region) && other_run(&self.old[old_region])
    }

    /// The first non-blank line at or after byte `edge`, if there is one.
    fn non_blank_line_from(&self, edge: usize) -> Option<usize> {
        let lines = self.lines;
        if edge >= lines.source().len() {
            return None;
        }
        (lines.line_of(edge)..lines.len()).find(|&l| !lines.is_blank(l))
    }

    fn old_chunk_crosses(&self, old_edge: usize) -> bool {
        let starting_before = self.old.partition_point(|c| c.bytes.start < old_edge);
        starting_before > 0 && self.old_ends[starting_before - 1] > old_edge
    }

    /// Which old chunks the region's `inserted` new ones replace: those
    /// starting inside it (the old chunks before it stay, those after it move).
    fn splice(&self, inserted: usize, region: &Range<usize>) -> Splice {
        let old_end = (region.end as isize - self.byte_delta) as usize;
        let before = self.old.partition_point(|c| c.bytes.start < region.start);
        let after = self.old.partition_point(|c| c.bytes.start < old_end);
        Splice { at: before, removed: after - before, inserted, byte_delta: self.byte_delta, line_delta: self.line_delta }
    }
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

    /// Re-chunks `source` after replacing `old_len` bytes at `at` with `new`,
    /// checks the result against chunking from scratch, returns it and how.
    fn edit_and_check(source: &str, at: usize, old_len: usize, new: &str) -> (Vec<Chunk>, Rechunked) {
        edit_and_check_in(Language::Rust, source, at, old_len, new)
    }

    /// [`edit_and_check`] in any language.
    fn edit_and_check_in(language: Language, source: &str, at: usize, old_len: usize, new: &str) -> (Vec<Chunk>, Rechunked) {
        let old = crate::chunk::chunk_source(language, source);
        let mut text = source.to_string();
        let mut summary = EditSummary::empty();
        replace(&mut text, &mut summary, at, old_len, new);
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&language.grammar().unwrap()).unwrap();
        let tree = parser.parse(&text, None).unwrap();
        let (chunks, how) = rechunk_tree(language, &old, &tree, &text, &summary);
        assert_eq!(chunks, crate::chunk::chunk_source(language, &text));
        (chunks, how)
    }

    /// Whether a chunk is test code can depend on what holds it (a
    /// `#[cfg(test)]` module) or on a whole top-level statement (a
    /// `describe` call): an edit inside or around them decides as chunking
    /// from scratch does.
    #[test]
    fn test_code_after_an_edit_is_test_code_from_scratch() {
        let members: String = (0..30).map(|i| format!("    const C{i}: u32 = {i};\n\n    fn case_{i}() {{\n        assert_eq!(C{i}, {i});\n    }}\n\n")).collect();
        let source = format!("fn real() {{}}\n\n#[cfg(test)]\nmod tests {{\n    use super::*;\n\n{members}}}\n");
        let at = source.find("C15, 15").unwrap() + 5;
        let (chunks, how) = edit_and_check(&source, at, 2, "16");
        assert!(matches!(how, Rechunked::Region { .. }), "{how:?}");
        assert!(chunks.iter().filter(|c| c.name.as_deref() == Some("case_15")).all(|c| c.test));
        let attribute = source.find("cfg(test)").unwrap() + 4;
        let (chunks, _) = edit_and_check(&source, attribute, 4, "unix");
        assert!(chunks.iter().all(|c| !c.test));
        let (chunks, _) = edit_and_check(&with_cfg_unix(&source), attribute, 4, "test");
        assert!(chunks.iter().any(|c| c.test));

        let calls: String = (0..20).map(|i| format!("describe(\"case {i}\", () => {{\n  it(\"works\", () => {{\n    expect({i}).toBe({i});\n  }});\n}});\n\nfunction f{i}() {{\n  return {i};\n}}\n\n")).collect();
        let at = calls.find("toBe(7)").unwrap() + 5;
        edit_and_check_in(Language::JavaScript, &calls, at, 1, "8");
        let call = calls.find("describe(\"case 7\"").unwrap();
        edit_and_check_in(Language::JavaScript, &calls, call, "describe".len(), "register");
        edit_and_check_in(Language::JavaScript, &calls, call, 0, "const x = 1;\n");
    }

    fn with_cfg_unix(source: &str) -> String {
        source.replacen("cfg(test)", "cfg(unix)", 1)
    }

    #[test]
    fn a_region_growing_past_the_window_of_siblings_looks_at_all_of_them() {
        // 150 statements between two functions: a block of them changes, and
        // the region must reach the functions, far outside the first window.
        let consts: String = (0..150).map(|i| format!("const C{i}: u32 = {i};\n")).collect();
        let source = format!("fn first() {{}}\n\n{consts}\nfn last() {{}}\n");
        let at = source.find("C75").unwrap();
        let (_, how) = edit_and_check(&source, at, 3, "RENAMED");
        assert!(matches!(how, Rechunked::Region { .. }), "{how:?}");
        // Many functions: an edit far from both ends stays inside the window.
        let many: String = (0..300).map(|i| format!("fn f{i}() {{\n    {i}\n}}\n\n")).collect();
        let at = many.find("    150").unwrap() + 4;
        let (_, Rechunked::Region { bytes, .. }) = edit_and_check(&many, at, 3, "150 + 1") else { panic!("re-chunked the whole file") };
        assert!(bytes.len() < 100, "{bytes:?}");
        // At the very start and end of a file, past the windows' edges.
        assert!(matches!(edit_and_check(&many, 0, 0, "// top\n").1, Rechunked::Region { .. }));
        let end = many.len();
        assert!(matches!(edit_and_check(&many, end, 0, "fn g() {}\n").1, Rechunked::Region { .. }));
    }

    #[test]
    fn an_edit_in_the_last_member_stops_at_the_closing_bracket() {
        let methods: String = (0..40).map(|i| format!("    fn get_{i}(&self) -> u32 {{\n        self.values[{i}]\n    }}\n\n")).collect();
        let source = format!("impl Config {{\n{methods}}} // impl Config\n\nconst LAST: u32 = 1;\n");
        // A statement after the bracket, a comment on its line: the region
        // still ends there.
        let at = source.find("values[39]").unwrap() + 7;
        let (_, how) = edit_and_check(&source, at, 2, "40");
        let Rechunked::Region { bytes, .. } = how else { panic!("re-chunked the whole file") };
        assert!(bytes.len() < 200, "{bytes:?}");
        // Edits at and after the bracket match chunking from scratch.
        let bracket = source.find("} // impl").unwrap();
        edit_and_check(&source, bracket + 1, 0, " x");
        edit_and_check(&source, bracket, 1, "");
        edit_and_check(&source, bracket + 1, 0, "\nconst MORE: u32 = 2;");
        let last = source.find("const LAST").unwrap();
        edit_and_check(&source, last, "const LAST: u32 = 1;".len(), "fn last() {}");
        // The next lines inside a container of the same name: not told
        // apart by name, so the region is sought further up.
        let nested = format!("mod a {{\n    use super::*;\n\n    impl a {{\n{methods}    }}\n    const C: u32 = 1;\n{}}}\n", "    const D: u32 = 2;\n".repeat(130));
        let at = nested.find("values[39]").unwrap() + 7;
        edit_and_check(&nested, at, 2, "40");
    }

    #[test]
    fn an_edit_inside_one_function_re_extracts_only_around_it() {
        let source: String = (0..50).map(|i| format!("/// Doc {i}.\nfn f{i}() {{\n    let x = {i};\n}}\n\n")).collect();
        let at = source.find("let x = 25").unwrap() + 8;
        let (chunks, how) = edit_and_check(&source, at, 2, "2 + 5");
        let Rechunked::Region { bytes: region, splice } = how else { panic!("re-chunked the whole file") };
        // The splice says which chunks are new: here the one edited function.
        assert_eq!((splice.removed, splice.inserted, splice.byte_delta), (1, 1, 3), "{splice:?}");
        assert_eq!(chunks[splice.at].name.as_deref(), Some("f25"));
        assert!(region.contains(&at) && region.len() < 200, "{region:?}");
    }
}
