//! The definition queries in `server/queries/*.scm`: embedding, compiling
//! once per grammar, reading their capture names, and knowing at which node
//! kinds their patterns start (so the tree walk runs them only there).
//!
//! The `.scm` files say *which* nodes are definitions and what their names
//! are. Everything that needs context (method or function, container, doc
//! comments, nesting) is decided in `definitions.rs` and `syntax.rs`, not here.
//! A query that fails to compile yields `None` (no definitions) instead of a
//! panic; a unit test makes sure that never happens for the shipped files.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use tree_sitter::Query;

use super::ChunkKind;
use crate::lang::Language;

/// The query source for a language with a grammar. TSX shares TypeScript's;
/// JavaScript and TypeScript share `ecmascript.scm`, appended to their own.
pub(crate) fn query_source(language: Language) -> Option<&'static str> {
    Some(match language {
        Language::Rust => include_str!("../../queries/rust.scm"),
        Language::Python => include_str!("../../queries/python.scm"),
        Language::JavaScript => concat!(include_str!("../../queries/javascript.scm"), "\n", include_str!("../../queries/ecmascript.scm")),
        Language::TypeScript | Language::Tsx => {
            concat!(include_str!("../../queries/typescript.scm"), "\n", include_str!("../../queries/ecmascript.scm"))
        }
        Language::Go => include_str!("../../queries/go.scm"),
        Language::Java => include_str!("../../queries/java.scm"),
        Language::C => include_str!("../../queries/c.scm"),
        Language::Cpp => include_str!("../../queries/cpp.scm"),
        Language::Shell => include_str!("../../queries/bash.scm"),
        Language::CSharp => include_str!("../../queries/csharp.scm"),
        Language::Elixir => include_str!("../../queries/elixir.scm"),
        Language::Haskell => include_str!("../../queries/haskell.scm"),
        Language::Kotlin => include_str!("../../queries/kotlin.scm"),
        Language::Lua => include_str!("../../queries/lua.scm"),
        Language::Php => include_str!("../../queries/php.scm"),
        Language::Ruby => include_str!("../../queries/ruby.scm"),
        Language::Scala => include_str!("../../queries/scala.scm"),
        Language::Swift => include_str!("../../queries/swift.scm"),
        Language::Zig => include_str!("../../queries/zig.scm"),
        Language::Markdown | Language::Toml | Language::Yaml | Language::Json | Language::Text => return None,
    })
}

/// Compiles a language's query against its grammar.
pub(crate) fn compile(language: Language) -> Result<Query, String> {
    let grammar = language.grammar().ok_or_else(|| format!("{language} has no grammar"))?;
    let source = query_source(language).ok_or_else(|| format!("{language} has no query"))?;
    Query::new(&grammar, source).map_err(|error| format!("the {language} query (server/queries/): {error}"))
}

/// A compiled definition query and the node kinds its patterns start at.
pub(crate) struct DefinitionQuery {
    pub(crate) query: Query,
    /// Kinds of the patterns' root nodes; `None` if some pattern may start at
    /// any node (a wildcard or alternation at its root).
    pub(crate) root_kinds: Option<BTreeSet<String>>,
}

impl DefinitionQuery {
    fn new(language: Language) -> Option<DefinitionQuery> {
        let query = compile(language).ok()?;
        let source = query_source(language)?;
        let root_kinds = (0..query.pattern_count())
            .map(|pattern| root_kind(source.get(query.start_byte_for_pattern(pattern)..).unwrap_or("")))
            .collect();
        Some(DefinitionQuery { query, root_kinds })
    }

    /// Whether a pattern may start at a node of this kind.
    pub(crate) fn may_start_at(&self, kind: &str) -> bool {
        self.root_kinds.as_ref().is_none_or(|kinds| kinds.contains(kind))
    }
}

/// The node kind a pattern's text starts with: `(function_item name: …)` →
/// `function_item`; `None` for `(_ …)`, `[…]`, `((…) …)` and the like.
fn root_kind(pattern: &str) -> Option<String> {
    let rest = pattern.strip_prefix('(')?;
    let kind: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    (!kind.is_empty() && kind != "_").then_some(kind)
}

/// The compiled definition query of a language, built on first use.
pub(crate) fn definitions_query(language: Language) -> Option<&'static DefinitionQuery> {
    // One cell per language, at its variant index (`Language::ALL` order).
    static QUERIES: [OnceLock<Option<DefinitionQuery>>; Language::ALL.len()] = [const { OnceLock::new() }; Language::ALL.len()];
    QUERIES[language as usize].get_or_init(|| DefinitionQuery::new(language)).as_ref()
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

/// Reads a capture name; `None` for captures the chunker ignores (those
/// starting with `_` only feed predicates such as `#eq?`).
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
                let private = name.starts_with('_');
                assert!(private || capture_role(name).is_some(), "{language}: unknown capture @{name}");
            }
            let compiled = definitions_query(language).unwrap_or_else(|| panic!("{language}"));
            assert!(compiled.root_kinds.is_some(), "{language}: every pattern should start with a node kind");
        }
    }

    #[test]
    fn pattern_root_kinds_are_read_from_the_query_text() {
        assert_eq!(root_kind("(function_item name: (identifier) @name) @definition.function").as_deref(), Some("function_item"));
        assert_eq!(root_kind("[(a) (b)] @x"), None);
        assert_eq!(root_kind("(_) @x"), None);
        let javascript = definitions_query(Language::JavaScript).expect("compiles");
        assert!(javascript.may_start_at("class_body"));
        assert!(!javascript.may_start_at("method_definition"), "methods are matched from their class body");
    }
}
