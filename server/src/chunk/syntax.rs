//! Chunks of a file with a grammar, from its syntax tree: one chunk per
//! definition (doc comments included), windows for oversized functions, a
//! header for oversized containers, and blocks for everything in between.
//!
//! Size rules:
//! - a function or method over [`SPLIT_ABOVE`] is cut into windows of at most
//!   [`WINDOW`], preferably at statement boundaries, covering it without gaps;
//!   every window carries the function's kind, name, container and signature;
//! - any other definition is never split. A container (class, impl, module, …)
//!   over [`SPLIT_ABOVE`] that holds definitions keeps only its *header*: from
//!   its start up to its first inner definition (fields, docs, the opening
//!   line). Lines of it that no inner chunk covers (fields between methods, the
//!   closing brace) become blocks whose container is that definition.
//!
//! This module must stay a pure function of (tree, source): no caches keyed by
//! anything else, no I/O, so an incremental chunker can be checked against it.

use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::attach::{attached_range, body_statements, is_empty, signature, type_signature};
use super::definitions::{find_definitions, Definition};
use super::gaps::{gap_blocks, GapContext};
use super::lines::LineIndex;
use super::test_code::{marks_test, test_statement_lines};
use super::walk::Scope;
use super::windows::{cut_windows, preference, Limits};
use super::{Chunk, ChunkKind};
use crate::lang::Language;

/// A definition bigger than this in lines or bytes is oversized.
pub(crate) const SPLIT_ABOVE: Limits = Limits { max_lines: 120, max_bytes: 6000 };

/// The size of the windows an oversized function is cut into.
pub(crate) const WINDOW: Limits = Limits { max_lines: 60, max_bytes: 3000 };

/// A definition with the byte range its chunk spans.
struct Placed<'a, 'tree> {
    definition: &'a Definition<'tree>,
    bytes: Range<usize>,
    signature: Option<String>,
    /// Test code: marked as such, or inside a definition that is.
    test: bool,
}

/// Whole nodes of a file, siblings: `count` of them from `first` on, below
/// the nodes of `path` (from a child of the root down to their parent; empty:
/// they are children of the root); `lines` the lines they span (end
/// exclusive). Chunking a region gives the chunks of the whole file that lie
/// in it, provided no chunk of the whole file crosses its edges
/// (`incremental.rs` makes sure of that), plus the chunks of the definitions
/// holding it.
pub(crate) struct Region<'tree> {
    pub(crate) path: Vec<Node<'tree>>,
    pub(crate) first: Node<'tree>,
    pub(crate) count: usize,
    pub(crate) lines: Range<usize>,
    /// The lines in the region on which a top-level statement starts
    /// ([`statement_lines_of`] the region's children at the top level).
    pub(crate) statement_lines: Vec<usize>,
    /// The lines of the region's top-level statements that are test code
    /// ([`test_statement_lines`] of the same children).
    pub(crate) test_lines: Vec<Range<usize>>,
}

/// All chunks of a parsed file, unsorted.
pub(crate) fn chunk_syntax_tree(language: Language, tree: &Tree, source: &str) -> Vec<Chunk> {
    let lines = LineIndex::new(source);
    chunk_syntax_region(language, tree, &lines, None)
}

/// The chunks of `region` (the whole file with `None`), unsorted. `lines`
/// indexes the source `tree` was parsed from.
pub(crate) fn chunk_syntax_region<'tree>(language: Language, tree: &'tree Tree, lines: &LineIndex, region: Option<&Region<'tree>>) -> Vec<Chunk> {
    let source = lines.source();
    let definitions = find_definitions(language, tree, source, region.map(|r| Scope { path: &r.path, first: r.first, count: r.count }));
    let mut placed: Vec<Placed> = Vec::with_capacity(definitions.len());
    for definition in &definitions {
        let bytes = attached_range(definition.outer, &definition.attachable_before, lines);
        let type_signature = type_signature(language, &definition.attachable_before, bytes.start);
        let signature = signature(language, definition.node, definition.name_node, definition.outer, type_signature, lines);
        // A parent comes before its members.
        let test = definition.parent.is_some_and(|parent| placed[parent].test)
            || marks_test(language, definition, signature.as_deref(), source);
        placed.push(Placed { definition, bytes, signature, test });
    }
    let first_inner_start = first_inner_starts(&placed);

    let mut chunks = Vec::new();
    let mut header_only = Vec::new();
    for (index, item) in placed.iter().enumerate() {
        let oversized = !SPLIT_ABOVE.fit(lines, &item.bytes);
        let kind = item.definition.kind;
        if oversized && matches!(kind, ChunkKind::Function | ChunkKind::Method) {
            for window in function_windows(language, item, lines) {
                chunks.push(definition_chunk(language, item, window, lines));
            }
            continue;
        }
        let header = first_inner_start[index]
            .filter(|_| oversized)
            .map(|inner_start| item.bytes.start..lines.trim_end_before(item.bytes.start, inner_start))
            .filter(|header| !header.is_empty());
        match header {
            Some(header) => {
                chunks.push(definition_chunk(language, item, header, lines));
                let (first_line, last_line) = lines.line_span(&item.bytes);
                header_only.push(GapContext { first_line, last_line, container: item.definition.member_name.clone(), test: item.test });
            }
            None => chunks.push(definition_chunk(language, item, item.bytes.clone(), lines)),
        }
    }

    let (top_level_lines, test_lines) = match region {
        Some(region) => (std::borrow::Cow::Borrowed(&region.statement_lines), std::borrow::Cow::Borrowed(&region.test_lines)),
        None => {
            let mut cursor = tree.root_node().walk();
            let top_level: Vec<Node> = tree.root_node().children(&mut cursor).collect();
            (std::borrow::Cow::Owned(statement_lines_of(&top_level, lines)), std::borrow::Cow::Owned(test_statement_lines(language, &top_level, lines)))
        }
    };
    let line_range = region.map_or(0..lines.len(), |r| r.lines.clone());
    let blocks = gap_blocks(language, lines, line_range, &chunks, &header_only, &test_lines, |line| {
        preference(lines, line, top_level_lines.binary_search(&line).is_ok())
    });
    chunks.extend(blocks);
    chunks
}

/// For each definition, where the first definition directly inside it starts.
fn first_inner_starts(placed: &[Placed]) -> Vec<Option<usize>> {
    let mut first = vec![None; placed.len()];
    for item in placed {
        if let Some(parent) = item.definition.parent {
            let slot: &mut Option<usize> = &mut first[parent];
            *slot = Some(slot.map_or(item.bytes.start, |start| start.min(item.bytes.start)));
        }
    }
    first
}

fn definition_chunk(language: Language, item: &Placed, bytes: Range<usize>, lines: &LineIndex) -> Chunk {
    let (start_line, end_line) = lines.line_span(&bytes);
    Chunk {
        kind: item.definition.kind,
        name: item.definition.name.clone(),
        container: item.definition.container.clone(),
        signature: item.signature.clone(),
        language,
        bytes,
        start_line,
        end_line,
        test: item.test,
    }
}

/// Windows of an oversized function, cut preferably where a statement of its
/// body starts, else after a blank line, else at any line.
fn function_windows(language: Language, item: &Placed, lines: &LineIndex) -> Vec<Range<usize>> {
    let mut statement_starts: Vec<usize> = body_statements(language, item.definition.node)
        .into_iter()
        .filter(|statement| !is_empty(*statement) && lines.starts_its_line(statement.start_byte()))
        .map(|statement| lines.line_of(statement.start_byte()))
        .collect();
    statement_starts.dedup();
    cut_windows(lines, item.bytes.clone(), WINDOW, |line| {
        preference(lines, line, statement_starts.binary_search(&line).is_ok())
    })
}

/// Lines on which one of `top_level` (children of the root, in order) starts
/// a statement (named, and nothing precedes it on its line).
pub(crate) fn statement_lines_of(top_level: &[Node], lines: &LineIndex) -> Vec<usize> {
    let mut starts: Vec<usize> = top_level
        .iter()
        .filter(|child| child.is_named() && !is_empty(**child) && lines.starts_its_line(child.start_byte()))
        .map(|child| lines.line_of(child.start_byte()))
        .collect();
    starts.dedup();
    starts
}
