//! Cutting a source file into chunks: functions, methods, types, impl blocks,
//! and groups of the statements between them.
//!
//! Languages with a tree-sitter grammar are chunked by syntax (queries in
//! `server/queries/*.scm`); every other text file in line windows. This module
//! knows nothing of files on disk, embeddings or the index: text in, chunks out.
//!
//! Map: `queries` loads the `.scm` files; `walk` finds their captures in the
//! tree; `definitions` decides kinds, names and containers; `attach` adds
//! wrappers, doc comments and signatures; `syntax` sizes definition chunks
//! (windows, headers); `gaps` covers what is left with blocks; `fallback`
//! chunks files without a grammar; `test_code` says which chunks are test
//! code; `windows` and `lines` are shared helpers; `embed_text` formats a chunk for the embedding model; `incremental`
//! re-chunks only the part of a file around an edit.
//!
//! Guarantees, tested in `tests/`: no panics on any input; chunks sorted by
//! start, larger first; byte ranges on char boundaries; every line with a
//! non-whitespace character in at least one chunk; the same output for the
//! same input.

mod attach;
mod definitions;
pub mod embed_text;
mod fallback;
mod gaps;
mod incremental;
mod lines;
mod queries;
mod syntax;
mod test_code;
mod walk;
mod windows;

#[cfg(test)]
pub(crate) mod tests;

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::HashMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};
use tree_sitter::{Parser, Tree};

use crate::lang::Language;

pub use embed_text::chunk_text_for_embedding;
pub use incremental::{rechunk_tree, rechunk_tree_in_place, EditSummary, Rechunked, Splice};
pub use lines::line_count;

/// What a chunk is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChunkKind {
    Function,
    Method,
    Class,
    Struct,
    Enum,
    Trait,
    Interface,
    Impl,
    Module,
    /// A type alias or other type declaration.
    Type,
    /// A group of small top-level statements (imports, constants, …).
    Block,
    /// A line window of a file without a grammar.
    Section,
}

impl ChunkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChunkKind::Function => "function",
            ChunkKind::Method => "method",
            ChunkKind::Class => "class",
            ChunkKind::Struct => "struct",
            ChunkKind::Enum => "enum",
            ChunkKind::Trait => "trait",
            ChunkKind::Interface => "interface",
            ChunkKind::Impl => "impl",
            ChunkKind::Module => "module",
            ChunkKind::Type => "type",
            ChunkKind::Block => "block",
            ChunkKind::Section => "section",
        }
    }

    /// Functions and types: the chunks that get a code lens.
    pub fn is_definition(self) -> bool {
        !matches!(self, ChunkKind::Block | ChunkKind::Section)
    }
}

/// Names one list of chunks, e.g. an open document's after one parse: drawn
/// from one process-wide counter, so two lists never share a value. A change
/// computed from one list (a [`Splice`]) may only be laid over that list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChunksState(u64);

impl ChunksState {
    pub fn fresh() -> ChunksState {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        ChunksState(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

/// One chunk of a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chunk {
    pub kind: ChunkKind,
    /// The defined name (`load_config`), if the chunk defines one.
    pub name: Option<String>,
    /// The enclosing type, impl, class or module (`Config`, `impl Display for Config`).
    pub container: Option<String>,
    /// The definition's first line, trimmed (`pub fn load_config(path: &Path) -> Result<Config>`).
    /// Windows of a split definition all carry it.
    pub signature: Option<String>,
    pub language: Language,
    /// Byte range in the source, doc comments and attributes included.
    pub bytes: Range<usize>,
    /// First line, 0-based.
    pub start_line: u32,
    /// Last line, 0-based and inclusive.
    pub end_line: u32,
    /// Test code by what the code says (`test_code.rs`: a `#[cfg(test)]`
    /// module and its members, a `#[test]` function, a `unittest.TestCase`,
    /// a `describe(…)` block, …), wherever its file is.
    pub test: bool,
}

impl Chunk {
    /// The chunk's own source text.
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        &source[self.bytes.clone()]
    }
}

/// Cuts `source` into chunks, sorted by start and then larger first.
///
/// Languages with a grammar are parsed and chunked by syntax (see
/// [`chunk_tree`]); the others in line windows. Never panics, whatever the
/// input; an empty or all-blank source gives no chunks.
pub fn chunk_source(language: Language, source: &str) -> Vec<Chunk> {
    match parse(language, source) {
        Some(tree) => chunk_tree(language, &tree, source),
        None => finish(fallback::chunk_lines(language, source), source),
    }
}

/// Cuts `source` into chunks using `tree`, a parse of exactly `source` by
/// `language`'s grammar (the LSP keeps one per open document). A pure,
/// deterministic function of its arguments. A tree of another grammar, or a
/// language without one, gives the line-window chunks.
pub fn chunk_tree(language: Language, tree: &Tree, source: &str) -> Vec<Chunk> {
    let grammar_matches = language.grammar().is_some_and(|grammar| *tree.language() == grammar);
    let chunks = if grammar_matches {
        syntax::chunk_syntax_tree(language, tree, source)
    } else {
        fallback::chunk_lines(language, source)
    };
    finish(chunks, source)
}

/// Parses with a per-thread, per-language parser; `None` for languages without
/// a grammar or when tree-sitter gives up.
fn parse(language: Language, source: &str) -> Option<Tree> {
    thread_local! {
        static PARSERS: RefCell<HashMap<Language, Parser>> = RefCell::new(HashMap::new());
    }
    let grammar = language.grammar()?;
    PARSERS.with(|parsers| {
        let mut parsers = parsers.try_borrow_mut().ok()?;
        let parser = match parsers.entry(language) {
            std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::hash_map::Entry::Vacant(entry) => {
                let mut parser = Parser::new();
                parser.set_language(&grammar).ok()?;
                entry.insert(parser)
            }
        };
        let tree = parser.parse(source, None);
        if tree.is_none() {
            parser.reset();
        }
        tree
    })
}

/// Drops chunks whose range is not a valid slice of `source` (which would be a
/// bug, but must not become a panic in `Chunk::text`) and sorts the rest:
/// by start, larger first, then by kind and name so the order is total.
fn finish(mut chunks: Vec<Chunk>, source: &str) -> Vec<Chunk> {
    chunks.retain(|chunk| !chunk.bytes.is_empty() && source.get(chunk.bytes.clone()).is_some());
    chunks.sort_by(|a, b| {
        (a.bytes.start, Reverse(a.bytes.end), a.kind.as_str(), &a.name, &a.container)
            .cmp(&(b.bytes.start, Reverse(b.bytes.end), b.kind.as_str(), &b.name, &b.container))
    });
    chunks
}
