//! The definition queries in `server/queries/*.scm`: embedding, compiling
//! once per grammar, and reading their capture names.
//!
//! The `.scm` files say *which* nodes are definitions and what their names
//! are. Everything that needs context (method or function, container, doc
//! comments, nesting) is decided in `definitions.rs` and `syntax.rs`, not here.
//! A query that fails to compile yields `None` (no definitions) instead of a
//! panic; a unit test makes sure that never happens for the shipped files.

use std::sync::OnceLock;

use tree_sitter::Query;

use super::ChunkKind;
use crate::lang::Language;

/// The query source for a language with a grammar. TSX shares TypeScript's.
pub(crate) fn query_source(language: Language) -> Option<&'static str> {
    Some(match language {
        Language::Rust => include_str!("../../queries/rust.scm"),
        Language::Python => include_str!("../../queries/python.scm"),
        Language::JavaScript => include_str!("../../queries/javascript.scm"),
        Language::TypeScript | Language::Tsx => include_str!("../../queries/typescript.scm"),
        Language::Go => include_str!("../../queries/go.scm"),
        Language::Java => include_str!("../../queries/java.scm"),
        Language::C => include_str!("../../queries/c.scm"),
        Language::Cpp => include_str!("../../queries/cpp.scm"),
        _ => return None,
    })
}

/// Compiles a language's query against its grammar.
pub(crate) fn compile(language: Language) -> Result<Query, String> {
    let grammar = language.grammar().ok_or_else(|| format!("{language} has no grammar"))?;
    let source = query_source(language).ok_or_else(|| format!("{language} has no query"))?;
    Query::new(&grammar, source).map_err(|error| format!("queries/{language}.scm: {error}"))
}

/// The compiled definition query of a language, built on first use.
pub(crate) fn definitions_query(language: Language) -> Option<&'static Query> {
    static RUST: OnceLock<Option<Query>> = OnceLock::new();
    static PYTHON: OnceLock<Option<Query>> = OnceLock::new();
    static JAVASCRIPT: OnceLock<Option<Query>> = OnceLock::new();
    static TYPESCRIPT: OnceLock<Option<Query>> = OnceLock::new();
    static TSX: OnceLock<Option<Query>> = OnceLock::new();
    static GO: OnceLock<Option<Query>> = OnceLock::new();
    static JAVA: OnceLock<Option<Query>> = OnceLock::new();
    static C: OnceLock<Option<Query>> = OnceLock::new();
    static CPP: OnceLock<Option<Query>> = OnceLock::new();
    let cell = match language {
        Language::Rust => &RUST,
        Language::Python => &PYTHON,
        Language::JavaScript => &JAVASCRIPT,
        Language::TypeScript => &TYPESCRIPT,
        Language::Tsx => &TSX,
        Language::Go => &GO,
        Language::Java => &JAVA,
        Language::C => &C,
        Language::Cpp => &CPP,
        _ => return None,
    };
    cell.get_or_init(|| compile(language).ok()).as_ref()
}

/// What a capture of the definition query stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CaptureRole {
    /// `@definition.<kind>`: the definition node itself.
    Definition(ChunkKind),
    /// `@name`: the defined name.
    Name,
    /// `@container`: an explicit container (Go receiver type).
    Container,
}

/// Reads a capture name; `None` for captures the chunker ignores.
pub(crate) fn capture_role(capture_name: &str) -> Option<CaptureRole> {
    match capture_name {
        "name" => return Some(CaptureRole::Name),
        "container" => return Some(CaptureRole::Container),
        _ => {}
    }
    let kind = match capture_name.strip_prefix("definition.")? {
        "function" | "macro" => ChunkKind::Function,
        "method" => ChunkKind::Method,
        "class" => ChunkKind::Class,
        "struct" | "union" => ChunkKind::Struct,
        "enum" => ChunkKind::Enum,
        "trait" => ChunkKind::Trait,
        "interface" => ChunkKind::Interface,
        "impl" => ChunkKind::Impl,
        "module" => ChunkKind::Module,
        "type" => ChunkKind::Type,
        _ => return None,
    };
    Some(CaptureRole::Definition(kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_query_compiles_against_its_grammar() {
        for language in Language::ALL {
            if language.grammar().is_none() {
                assert!(query_source(language).is_none(), "{language} has a query but no grammar");
                continue;
            }
            let query = compile(language).unwrap_or_else(|error| panic!("{error}"));
            for name in query.capture_names() {
                assert!(capture_role(name).is_some(), "{language}: unknown capture @{name}");
            }
            assert!(definitions_query(language).is_some());
        }
    }
}
