//! Blocks: chunks for the lines no definition chunk covers (imports,
//! constants, top-level statements, and the inside of a container whose chunk
//! was cut down to its header).
//!
//! A run of uncovered lines is cut into blocks of at most [`BLOCK`], never
//! inside a line, preferably where the caller says (top-level statement
//! starts, blank lines). Blocks start and end on non-blank lines; runs of
//! blank lines make no block. Together with the definition chunks this keeps
//! the invariant: every line with a non-whitespace character is in a chunk.
//! This module does not look at syntax; it only sees line coverage.

use std::ops::Range;

use super::lines::LineIndex;
use super::test_code::mostly_in;
use super::windows::{cut_windows, CutPreference, Limits};
use super::{Chunk, ChunkKind};
use crate::lang::Language;

/// The size of a block.
pub(crate) const BLOCK: Limits = Limits { max_lines: 40, max_bytes: 6000 };

/// Lines (inclusive) inside a definition whose chunk does not cover them all:
/// blocks there get that definition's name as container.
pub(crate) struct GapContext {
    pub(crate) first_line: u32,
    pub(crate) last_line: u32,
    pub(crate) container: Option<String>,
    /// Whether that definition is test code: so are the blocks inside it.
    pub(crate) test: bool,
}

/// Blocks for every line of `line_range` (end exclusive) that is not blank and
/// not in any of `chunks`. The lines just outside the range count as covered.
/// A block is test code inside a test context, and outside every context when
/// at least half its lines lie in `test_lines` (line ranges, end exclusive).
pub(crate) fn gap_blocks(
    language: Language,
    lines: &LineIndex,
    line_range: Range<usize>,
    chunks: &[Chunk],
    contexts: &[GapContext],
    test_lines: &[Range<usize>],
    preference: impl Fn(usize) -> CutPreference,
) -> Vec<Chunk> {
    let mut covered = vec![false; lines.len()];
    for chunk in chunks {
        let last = (chunk.end_line as usize).min(covered.len().saturating_sub(1));
        if let Some(chunk_lines) = covered.get_mut(chunk.start_line as usize..=last) {
            chunk_lines.fill(true);
        }
    }

    // A run is a stretch of uncovered lines in the same context.
    let mut blocks = Vec::new();
    let mut open_run: Option<(usize, Option<usize>)> = None; // (first line, context)
    let end = line_range.end.min(lines.len());
    for line in line_range.start..=end {
        // `None` for a covered line and past the end; else the line's context.
        let uncovered_context = match covered.get(line) {
            Some(false) if line < end => Some(innermost_context(contexts, line)),
            _ => None,
        };
        let continues_run = matches!(
            (open_run, uncovered_context),
            (Some((_, open_context)), Some(context)) if open_context == context
        );
        if continues_run {
            continue;
        }
        if let Some((first, open_context)) = open_run.take() {
            let container = open_context.and_then(|i| contexts[i].container.clone());
            let mut run = run_blocks(language, lines, first..line, container, &preference);
            for block in &mut run {
                block.test = match open_context {
                    Some(i) => contexts[i].test,
                    None => mostly_in(block.start_line as usize, block.end_line as usize, test_lines),
                };
            }
            blocks.extend(run);
        }
        open_run = uncovered_context.map(|context| (line, context));
    }
    blocks
}

/// The smallest context holding `line`, if any.
fn innermost_context(contexts: &[GapContext], line: usize) -> Option<usize> {
    contexts
        .iter()
        .enumerate()
        .filter(|(_, c)| c.first_line as usize <= line && line <= c.last_line as usize)
        .min_by_key(|(_, c)| c.last_line - c.first_line)
        .map(|(index, _)| index)
}

/// Blocks for the uncovered lines `run` (end exclusive).
fn run_blocks(
    language: Language,
    lines: &LineIndex,
    run: Range<usize>,
    container: Option<String>,
    preference: &impl Fn(usize) -> CutPreference,
) -> Vec<Chunk> {
    let Some(bytes) = non_blank_span(lines, run) else { return Vec::new() };
    cut_windows(lines, bytes, BLOCK, preference)
        .into_iter()
        .filter_map(|window| {
            let window_lines = lines.line_of(window.start)..lines.line_of(window.end.saturating_sub(1).max(window.start)) + 1;
            non_blank_span(lines, window_lines)
        })
        .map(|bytes| line_chunk(language, lines, ChunkKind::Block, None, container.clone(), bytes))
        .collect()
}

/// From the start of the first non-blank line of `lines_range` to the end of
/// the text of its last non-blank line; `None` if all are blank.
pub(crate) fn non_blank_span(lines: &LineIndex, lines_range: Range<usize>) -> Option<Range<usize>> {
    let first = lines_range.clone().find(|&line| !lines.is_blank(line))?;
    let last = lines_range.rev().find(|&line| !lines.is_blank(line))?;
    let start = lines.line_start(first);
    let end = lines.trim_end_before(start, lines.line_end_with_newline(last));
    Some(start..end)
}

/// A Block or Section chunk over `bytes`.
pub(crate) fn line_chunk(
    language: Language,
    lines: &LineIndex,
    kind: ChunkKind,
    name: Option<String>,
    container: Option<String>,
    bytes: Range<usize>,
) -> Chunk {
    let (start_line, end_line) = lines.line_span(&bytes);
    Chunk { kind, name, container, signature: None, language, bytes, start_line, end_line, test: false }
}
