//! Tests of the chunker as a whole: a fixture per language (`systems.rs`,
//! `scripting.rs`, `compiled.rs`, `dynamic.rs`), edge cases (`edge_cases.rs`),
//! test code inside source files (`test_code.rs`),
//! and the checks every chunking must pass, collected here as helpers.

pub(crate) mod compiled;
pub(crate) mod dynamic;
mod edge_cases;
pub(crate) mod scripting;
pub(crate) mod systems;
mod test_code;

use super::{chunk_source, Chunk, ChunkKind};
use crate::lang::Language;

/// One line per chunk, `kind name [container] first-last`, `-` for none:
/// compact enough to compare a whole file's chunks at once.
pub(super) fn outline(chunks: &[Chunk]) -> Vec<String> {
    chunks
        .iter()
        .map(|chunk| {
            format!(
                "{} {} [{}] {}-{}",
                chunk.kind.as_str(),
                chunk.name.as_deref().unwrap_or("-"),
                chunk.container.as_deref().unwrap_or("-"),
                chunk.start_line,
                chunk.end_line
            )
        })
        .collect()
}

/// Chunks `source` and checks everything that must hold for any input:
/// well-formed ranges, sorted order, every non-blank line covered, and the
/// same result a second time.
pub(super) fn chunk_checked(language: Language, source: &str) -> Vec<Chunk> {
    let chunks = chunk_source(language, source);
    assert_well_formed(language, source, &chunks);
    assert_every_line_covered(source, &chunks);
    assert_eq!(chunk_source(language, source), chunks, "chunking is deterministic");
    chunks
}

/// The first chunk named `name`.
pub(super) fn named<'a>(chunks: &'a [Chunk], name: &str) -> &'a Chunk {
    chunks
        .iter()
        .find(|chunk| chunk.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no chunk named {name}: {:#?}", outline(chunks)))
}

/// Ranges inside the source on char boundaries, line numbers matching the
/// bytes (counted independently here), and the documented order.
pub(super) fn assert_well_formed(language: Language, source: &str, chunks: &[Chunk]) {
    let newlines_before = |byte: usize| source.as_bytes()[..byte].iter().filter(|&&b| b == b'\n').count() as u32;
    for chunk in chunks {
        let bytes = &chunk.bytes;
        assert!(bytes.start < bytes.end && bytes.end <= source.len(), "range out of source: {chunk:?}");
        assert!(source.is_char_boundary(bytes.start) && source.is_char_boundary(bytes.end), "{chunk:?}");
        assert_eq!(chunk.start_line, newlines_before(bytes.start), "start line of {chunk:?}");
        assert_eq!(chunk.end_line, newlines_before(bytes.end - 1), "end line of {chunk:?}");
        assert_eq!(chunk.language, language);
        if !chunk.kind.is_definition() {
            assert_eq!(chunk.signature, None, "{chunk:?}");
        }
        if let Some(signature) = &chunk.signature {
            assert!(!signature.contains('\n') && !signature.contains('\r'), "{signature:?}");
            assert!(signature.chars().count() <= 200);
        }
    }
    for pair in chunks.windows(2) {
        let order = |c: &Chunk| (c.bytes.start, std::cmp::Reverse(c.bytes.end));
        assert!(order(&pair[0]) <= order(&pair[1]), "not sorted: {:?} then {:?}", pair[0], pair[1]);
    }
}

/// Every line holding a non-whitespace character is inside some chunk.
pub(super) fn assert_every_line_covered(source: &str, chunks: &[Chunk]) {
    for (line, text) in source.split('\n').enumerate() {
        if text.trim().is_empty() {
            continue;
        }
        let line = line as u32;
        assert!(
            chunks.iter().any(|c| c.start_line <= line && line <= c.end_line),
            "line {line} ({text:?}) is in no chunk: {:#?}",
            outline(chunks)
        );
    }
}

/// Checks the windows of one split definition: same kind, name, container
/// and signature, contiguous from `range_start` to `range_end`, each within
/// the window limits (a window may exceed the bytes only when it is one line).
pub(super) fn assert_contiguous_windows(windows: &[&Chunk], range_start: usize, range_end: usize) {
    assert!(windows.len() > 1, "expected a split, got {windows:#?}");
    let first = windows[0];
    assert_eq!(first.bytes.start, range_start);
    assert_eq!(windows[windows.len() - 1].bytes.end, range_end);
    for pair in windows.windows(2) {
        assert_eq!(pair[0].bytes.end, pair[1].bytes.start, "windows leave a gap or overlap");
    }
    for window in windows {
        assert_eq!((window.kind, &window.name, &window.container), (first.kind, &first.name, &first.container));
        assert_eq!(window.signature, first.signature);
        let line_total = window.end_line - window.start_line + 1;
        assert!(line_total <= 60, "window of {line_total} lines");
        assert!(window.bytes.len() <= 3000 || line_total == 1, "window of {} bytes", window.bytes.len());
    }
}

#[test]
fn outline_names_kind_name_container_and_lines() {
    let chunks = chunk_checked(Language::Rust, "fn a() {}\n");
    assert_eq!(outline(&chunks), ["function a [-] 0-0"]);
    assert_eq!(named(&chunks, "a").kind, ChunkKind::Function);
}
