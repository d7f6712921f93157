//! Which language a file is written in, and the tree-sitter grammar for it.
//!
//! This module only maps paths to languages and languages to grammars. It does
//! not read files or parse anything.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// A language semnav knows about. The first eight have a tree-sitter grammar and
/// are chunked by syntax; the rest are chunked in line windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum Language {
    Rust,
    Python,
    JavaScript,
    TypeScript,
    Tsx,
    Go,
    Java,
    C,
    Cpp,
    Markdown,
    Toml,
    Yaml,
    Json,
    Shell,
    /// Any other text file.
    Text,
}

impl Language {
    pub const ALL: [Language; 15] = [
        Language::Rust,
        Language::Python,
        Language::JavaScript,
        Language::TypeScript,
        Language::Tsx,
        Language::Go,
        Language::Java,
        Language::C,
        Language::Cpp,
        Language::Markdown,
        Language::Toml,
        Language::Yaml,
        Language::Json,
        Language::Shell,
        Language::Text,
    ];

    /// The language of a path, from its extension or file name. `None` for
    /// files semnav does not index at all (images, archives, …: anything not
    /// listed here).
    pub fn from_path(path: &Path) -> Option<Language> {
        let name = path.file_name()?.to_str()?;
        let ext = match name.rsplit_once('.') {
            Some((_, ext)) => ext.to_ascii_lowercase(),
            None => {
                return match name {
                    "Makefile" | "Dockerfile" | "Justfile" => Some(Language::Text),
                    _ => None,
                }
            }
        };
        Some(match ext.as_str() {
            "rs" => Language::Rust,
            "py" | "pyw" => Language::Python,
            "js" | "mjs" | "cjs" | "jsx" => Language::JavaScript,
            "ts" | "mts" | "cts" => Language::TypeScript,
            "tsx" => Language::Tsx,
            "go" => Language::Go,
            "java" => Language::Java,
            "c" | "h" => Language::C,
            "cc" | "cpp" | "cxx" | "hpp" | "hh" | "hxx" => Language::Cpp,
            "md" | "markdown" => Language::Markdown,
            "toml" => Language::Toml,
            "yaml" | "yml" => Language::Yaml,
            "json" => Language::Json,
            "sh" | "bash" | "zsh" => Language::Shell,
            "txt" | "rst" | "cfg" | "ini" | "sql" | "proto" | "graphql" | "lua" | "rb" | "kt"
            | "swift" | "scala" | "cs" | "php" | "html" | "css" | "scss" | "vue" | "svelte" => {
                Language::Text
            }
            _ => return None,
        })
    }

    /// The name used in the CLI (`--lang`), JSON output and the LSP.
    pub fn name(self) -> &'static str {
        match self {
            Language::Rust => "rust",
            Language::Python => "python",
            Language::JavaScript => "javascript",
            Language::TypeScript => "typescript",
            Language::Tsx => "tsx",
            Language::Go => "go",
            Language::Java => "java",
            Language::C => "c",
            Language::Cpp => "cpp",
            Language::Markdown => "markdown",
            Language::Toml => "toml",
            Language::Yaml => "yaml",
            Language::Json => "json",
            Language::Shell => "shell",
            Language::Text => "text",
        }
    }

    /// Parses a name as given to `--lang`; accepts a few common aliases.
    pub fn from_name(name: &str) -> Option<Language> {
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "js" | "jsx" => return Some(Language::JavaScript),
            "ts" => return Some(Language::TypeScript),
            "py" => return Some(Language::Python),
            "rs" => return Some(Language::Rust),
            "c++" | "cxx" => return Some(Language::Cpp),
            "sh" | "bash" => return Some(Language::Shell),
            "md" => return Some(Language::Markdown),
            _ => {}
        }
        Language::ALL.into_iter().find(|l| l.name() == lower)
    }

    /// Whether `filter` (a name given by the user) selects this language.
    /// "typescript" also selects TSX files.
    pub fn matches_filter(self, filter: Language) -> bool {
        self == filter || (filter == Language::TypeScript && self == Language::Tsx)
    }

    /// The tree-sitter grammar, for languages chunked by syntax.
    pub fn grammar(self) -> Option<tree_sitter::Language> {
        Some(match self {
            Language::Rust => tree_sitter_rust::LANGUAGE.into(),
            Language::Python => tree_sitter_python::LANGUAGE.into(),
            Language::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Language::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Language::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Language::Go => tree_sitter_go::LANGUAGE.into(),
            Language::Java => tree_sitter_java::LANGUAGE.into(),
            Language::C => tree_sitter_c::LANGUAGE.into(),
            Language::Cpp => tree_sitter_cpp::LANGUAGE.into(),
            _ => return None,
        })
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for lang in Language::ALL {
            assert_eq!(Language::from_name(lang.name()), Some(lang));
        }
    }

    #[test]
    fn all_lists_every_language_at_its_variant_index() {
        for (index, language) in Language::ALL.into_iter().enumerate() {
            assert_eq!(language as usize, index, "{language}");
        }
    }

    #[test]
    fn paths_map_to_languages() {
        assert_eq!(Language::from_path(Path::new("a/b.rs")), Some(Language::Rust));
        assert_eq!(Language::from_path(Path::new("x.TSX")), Some(Language::Tsx));
        assert_eq!(Language::from_path(Path::new("Makefile")), Some(Language::Text));
        assert_eq!(Language::from_path(Path::new("logo.png")), None);
        assert_eq!(Language::from_path(Path::new("LICENSE")), None);
    }

    #[test]
    fn typescript_filter_selects_tsx() {
        assert!(Language::Tsx.matches_filter(Language::TypeScript));
        assert!(!Language::TypeScript.matches_filter(Language::Tsx));
    }
}
