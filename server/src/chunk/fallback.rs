//! Chunks of files without a grammar (Markdown, TOML, YAML, JSON, plain
//! text and the many languages indexed as text), and of any file whose tree
//! cannot be used: line windows of kind Section.
//!
//! Markdown is first cut before every heading (outside fenced code), and each
//! section is named after its heading; its windows all carry that name.
//! Windows hold at most [`BLOCK`] and are cut preferably before a TOML
//! `[table]` or a top-level YAML key, else after a blank line. Sections start
//! and end on non-blank lines, and cover every non-blank line. No syntax is
//! parsed here beyond recognising those lines.

use std::ops::Range;

use super::gaps::{line_chunk, non_blank_span, BLOCK};
use super::lines::LineIndex;
use super::windows::{cut_windows, preference};
use super::{Chunk, ChunkKind};
use crate::lang::Language;

/// Section chunks covering every non-blank line of `source`.
pub(crate) fn chunk_lines(language: Language, source: &str) -> Vec<Chunk> {
    let lines = LineIndex::new(source);
    let parts = match language {
        Language::Markdown => markdown_parts(&lines),
        _ => vec![(0..lines.len(), None)],
    };
    let cut_preference = |line: usize| preference(&lines, line, is_preferred_start(language, lines.line_text(line)));
    let mut chunks = Vec::new();
    for (part, name) in parts {
        let Some(bytes) = non_blank_span(&lines, part) else { continue };
        for window in cut_windows(&lines, bytes, BLOCK, cut_preference) {
            let (first, last) = lines.line_span(&window);
            if let Some(bytes) = non_blank_span(&lines, first as usize..last as usize + 1) {
                chunks.push(line_chunk(language, &lines, ChunkKind::Section, name.clone(), None, bytes));
            }
        }
    }
    chunks
}

/// Whether a window should preferably start at this line.
fn is_preferred_start(language: Language, line: &str) -> bool {
    match language {
        Language::Toml => line.trim_start().starts_with('['),
        Language::Yaml => {
            let starts_at_column_0 = line.chars().next().is_some_and(|c| !c.is_whitespace());
            starts_at_column_0 && !line.starts_with(['#', '-']) && line.contains(':')
        }
        _ => false,
    }
}

/// A Markdown file cut before each heading: (lines, heading text).
fn markdown_parts(lines: &LineIndex) -> Vec<(Range<usize>, Option<String>)> {
    let mut parts = Vec::new();
    let mut part_start = 0;
    let mut part_name = None;
    let mut fence: Option<&str> = None;
    for line in 0..lines.len() {
        let text = lines.line_text(line);
        let trimmed = text.trim_start();
        if let Some(open) = fence {
            if trimmed.starts_with(open) {
                fence = None;
            }
            continue;
        }
        if let Some(marker) = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m)) {
            fence = Some(marker);
            continue;
        }
        if let Some(heading) = heading_text(text) {
            if line > part_start {
                parts.push((part_start..line, part_name.take()));
            }
            part_start = line;
            part_name = Some(heading).filter(|name| !name.is_empty());
        }
    }
    parts.push((part_start..lines.len(), part_name));
    parts
}

/// The text of an ATX heading line (`## Install` → `Install`).
fn heading_text(line: &str) -> Option<String> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = line.trim_start_matches(' ');
    let level = rest.len() - rest.trim_start_matches('#').len();
    let after = &rest[level..];
    if !(1..=6).contains(&level) || !(after.is_empty() || after.starts_with([' ', '\t'])) {
        return None;
    }
    let text = after.trim().trim_end_matches('#').trim();
    Some(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_are_recognised() {
        assert_eq!(heading_text("## Install  ").as_deref(), Some("Install"));
        assert_eq!(heading_text("# Title #").as_deref(), Some("Title"));
        assert_eq!(heading_text("#hashtag"), None);
        assert_eq!(heading_text("    # code"), None);
        assert_eq!(heading_text("####### seven"), None);
    }
}
