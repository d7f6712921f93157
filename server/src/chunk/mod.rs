//! Cutting a source file into chunks: functions, methods, types, impl blocks,
//! and groups of the statements between them.
//!
//! Languages with a tree-sitter grammar are chunked by syntax (queries in
//! `server/queries/*.scm`); every other text file in line windows. This module
//! knows nothing of files on disk, embeddings or the index: text in, chunks out.

mod lines;
mod queries;

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::lang::Language;

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
}

impl Chunk {
    /// The chunk's own source text.
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        &source[self.bytes.clone()]
    }
}
