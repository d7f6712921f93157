//! Which language a file is written in, and the tree-sitter grammar for it.
//!
//! This module only maps paths to languages and languages to grammars. It does
//! not read files or parse anything.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// A language semnav knows about: those with a tree-sitter grammar are chunked
/// by syntax, the rest (Markdown, TOML, YAML, JSON, plain text) in line windows.
///
/// Chunks in the store carry their language as a postcard variant index, so
/// new variants go at the end: reordering would make old indexes decode as
/// other languages.
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
    /// sh, Bash and zsh, parsed with the Bash grammar.
    Shell,
    /// Any other text file.
    Text,
    CSharp,
    Elixir,
    Haskell,
    Kotlin,
    Lua,
    Php,
    Ruby,
    Scala,
    Swift,
    Zig,
}

use Language::*;

/// File extensions (lower case) and their languages. Files of common
/// languages without a grammar here, markup, styles and build or config
/// formats are indexed as text in line windows, so no source file is skipped.
const EXTENSIONS: &[(Language, &[&str])] = &[
    (Rust, &["rs"]),
    (Python, &["py", "pyw", "pyi"]),
    (JavaScript, &["js", "mjs", "cjs", "jsx"]),
    (TypeScript, &["ts", "mts", "cts"]),
    (Tsx, &["tsx"]),
    (Go, &["go"]),
    (Java, &["java"]),
    (C, &["c", "h"]),
    (Cpp, &["cc", "cpp", "cxx", "c++", "hpp", "hh", "hxx", "h++", "inl", "ipp", "tpp", "cu", "cuh", "ino"]),
    (CSharp, &["cs", "csx"]),
    (Elixir, &["ex", "exs"]),
    (Haskell, &["hs", "lhs"]),
    (Kotlin, &["kt", "kts"]),
    (Lua, &["lua"]),
    (Php, &["php", "phtml"]),
    (Ruby, &["rb", "rake", "gemspec", "ru", "podspec"]),
    (Scala, &["scala", "sc"]),
    (Swift, &["swift"]),
    (Zig, &["zig"]),
    (Shell, &["sh", "bash", "zsh", "ksh", "bats", "bashrc", "zshrc", "bash_profile", "zprofile"]),
    (Markdown, &["md", "markdown", "mdx"]),
    (Toml, &["toml"]),
    (Yaml, &["yaml", "yml"]),
    (Json, &["json", "jsonc", "json5"]),
    (Text, &[
        // Prose and configuration.
        "txt", "rst", "adoc", "org", "tex", "cfg", "ini", "conf", "properties",
        // Languages chunked in line windows.
        "clj", "cljs", "cljc", "edn", "erl", "hrl", "dart", "r", "jl", "ml", "mli", "fs", "fsi", "fsx",
        "pl", "pm", "nim", "groovy", "gradle", "m", "mm", "el", "vim", "nix", "sol", "v", "sv", "svh",
        "vhd", "vhdl", "hx", "cr", "elm", "erb", "d", "pas", "f90", "f95", "tcl", "awk", "fish",
        "ps1", "psm1", "bat", "cmd", "vb", "fsproj", "csproj", "pyx", "asm", "s",
        // Web, schemas, queries, shaders.
        "html", "htm", "xml", "xsd", "css", "scss", "sass", "less", "vue", "svelte", "astro",
        "sql", "proto", "thrift", "graphql", "gql", "prisma", "glsl", "hlsl", "wgsl", "frag", "vert",
        // Build and infrastructure.
        "tf", "tfvars", "hcl", "cmake", "mk", "bzl", "bazel", "gn", "gni", "dockerfile", "jsonnet",
        "libsonnet", "cue", "rego", "dhall",
    ]),
];

/// Files known by their whole name, whatever their extension.
const FILE_NAMES: &[(&str, Language)] = &[
    ("Rakefile", Ruby),
    ("Gemfile", Ruby),
    ("Podfile", Ruby),
    ("Vagrantfile", Ruby),
    ("Brewfile", Ruby),
    ("Guardfile", Ruby),
    ("Fastfile", Ruby),
    ("Makefile", Text),
    ("GNUmakefile", Text),
    ("makefile", Text),
    ("CMakeLists.txt", Text),
    ("Dockerfile", Text),
    ("Containerfile", Text),
    ("Justfile", Text),
    ("justfile", Text),
    ("BUILD", Text),
    ("WORKSPACE", Text),
    ("Jenkinsfile", Text),
    ("Procfile", Text),
];

impl Language {
    /// Every language, in declaration order (`ALL[l as usize] == l`).
    pub const ALL: [Language; 25] = [
        Rust, Python, JavaScript, TypeScript, Tsx, Go, Java, C, Cpp, Markdown, Toml, Yaml, Json, Shell, Text,
        CSharp, Elixir, Haskell, Kotlin, Lua, Php, Ruby, Scala, Swift, Zig,
    ];

    /// The language of a path, from its file name or extension. `None` for
    /// files semnav does not index at all (images, archives, …: anything not
    /// listed here).
    pub fn from_path(path: &Path) -> Option<Language> {
        let name = path.file_name()?.to_str()?;
        if let Some(&(_, language)) = FILE_NAMES.iter().find(|(known, _)| *known == name) {
            return Some(language);
        }
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        EXTENSIONS.iter().find(|(_, exts)| exts.contains(&ext.as_str())).map(|&(language, _)| language)
    }

    /// The name used in the CLI (`--lang`), JSON output and the LSP.
    pub fn name(self) -> &'static str {
        match self {
            Rust => "rust",
            Python => "python",
            JavaScript => "javascript",
            TypeScript => "typescript",
            Tsx => "tsx",
            Go => "go",
            Java => "java",
            C => "c",
            Cpp => "cpp",
            Markdown => "markdown",
            Toml => "toml",
            Yaml => "yaml",
            Json => "json",
            Shell => "shell",
            Text => "text",
            CSharp => "csharp",
            Elixir => "elixir",
            Haskell => "haskell",
            Kotlin => "kotlin",
            Lua => "lua",
            Php => "php",
            Ruby => "ruby",
            Scala => "scala",
            Swift => "swift",
            Zig => "zig",
        }
    }

    /// Parses a name as given to `--lang`; accepts a few common aliases.
    pub fn from_name(name: &str) -> Option<Language> {
        let lower = name.to_ascii_lowercase();
        let alias = match lower.as_str() {
            "js" | "jsx" => Some(JavaScript),
            "ts" => Some(TypeScript),
            "py" => Some(Python),
            "rs" => Some(Rust),
            "c++" | "cxx" => Some(Cpp),
            "sh" | "bash" | "zsh" => Some(Shell),
            "md" => Some(Markdown),
            "cs" | "c#" => Some(CSharp),
            "ex" | "exs" => Some(Elixir),
            "hs" => Some(Haskell),
            "kt" => Some(Kotlin),
            "rb" => Some(Ruby),
            _ => None,
        };
        alias.or_else(|| Language::ALL.into_iter().find(|l| l.name() == lower))
    }

    /// Whether `filter` (a name given by the user) selects this language.
    /// "typescript" also selects TSX files.
    pub fn matches_filter(self, filter: Language) -> bool {
        self == filter || (filter == TypeScript && self == Tsx)
    }

    /// The tree-sitter grammar, for languages chunked by syntax.
    pub fn grammar(self) -> Option<tree_sitter::Language> {
        Some(match self {
            Rust => tree_sitter_rust::LANGUAGE.into(),
            Python => tree_sitter_python::LANGUAGE.into(),
            JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Go => tree_sitter_go::LANGUAGE.into(),
            Java => tree_sitter_java::LANGUAGE.into(),
            C => tree_sitter_c::LANGUAGE.into(),
            Cpp => tree_sitter_cpp::LANGUAGE.into(),
            Shell => tree_sitter_bash::LANGUAGE.into(),
            CSharp => tree_sitter_c_sharp::LANGUAGE.into(),
            Elixir => tree_sitter_elixir::LANGUAGE.into(),
            Haskell => tree_sitter_haskell::LANGUAGE.into(),
            Kotlin => tree_sitter_kotlin_sg::LANGUAGE.into(),
            Lua => tree_sitter_lua::LANGUAGE.into(),
            // With the `<?php` tags and the HTML around them.
            Php => tree_sitter_php::LANGUAGE_PHP.into(),
            Ruby => tree_sitter_ruby::LANGUAGE.into(),
            Scala => tree_sitter_scala::LANGUAGE.into(),
            Swift => tree_sitter_swift::LANGUAGE.into(),
            Zig => tree_sitter_zig::LANGUAGE.into(),
            Markdown | Toml | Yaml | Json | Text => return None,
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
        // The store decodes chunks by variant index: these must not move.
        assert_eq!((Language::Shell as usize, Language::Text as usize), (13, 14));
    }

    #[test]
    fn aliases_name_languages() {
        for (alias, language) in [("c#", CSharp), ("CS", CSharp), ("kt", Kotlin), ("rb", Ruby), ("ex", Elixir), ("hs", Haskell), ("zsh", Shell)] {
            assert_eq!(Language::from_name(alias), Some(language), "{alias}");
        }
    }

    #[test]
    fn paths_map_to_languages() {
        let of = |path: &str| Language::from_path(Path::new(path));
        assert_eq!(of("a/b.rs"), Some(Rust));
        assert_eq!(of("x.TSX"), Some(Tsx));
        assert_eq!(of("Makefile"), Some(Text));
        assert_eq!(of("logo.png"), None);
        assert_eq!(of("LICENSE"), None);
        for (path, language) in [
            ("deploy.sh", Shell),
            ("test/cli.bats", Shell),
            ("Program.cs", CSharp),
            ("lib/app.ex", Elixir),
            ("mix.exs", Elixir),
            ("Main.hs", Haskell),
            ("build.gradle.kts", Kotlin),
            ("init.lua", Lua),
            ("index.php", Php),
            ("app.rb", Ruby),
            ("Rakefile", Ruby),
            ("Gemfile", Ruby),
            ("x.gemspec", Ruby),
            ("Main.scala", Scala),
            ("App.swift", Swift),
            ("build.zig", Zig),
            ("stubs.pyi", Python),
        ] {
            assert_eq!(of(path), Some(language), "{path}");
        }
        for path in [
            "core.clj", "a.cljs", "deps.edn", "x.erl", "x.hrl", "main.dart", "plot.R", "a.jl", "a.ml", "a.mli",
            "a.fs", "a.fsx", "a.pl", "a.pm", "a.nim", "build.gradle", "a.groovy", "a.m", "a.mm", "App.vue",
            "App.svelte", "q.sql", "main.tf", "x.tfvars", "x.hcl", "pom.xml", "index.html", "a.css", "a.scss",
            "a.less", "a.proto", "schema.graphql", "x.cmake", "rules.mk", "a.ps1", "a.bat", "init.el", "vimrc.vim",
            "default.nix", "Token.sol", "top.v", "Main.hx", "a.cr", "CMakeLists.txt", "BUILD", "WORKSPACE",
        ] {
            assert_eq!(of(path), Some(Text), "{path}");
        }
        assert_eq!(of("Vagrantfile"), Some(Ruby));
        assert_eq!(of("Podfile"), Some(Ruby));
    }

    #[test]
    fn typescript_filter_selects_tsx() {
        assert!(Language::Tsx.matches_filter(Language::TypeScript));
        assert!(!Language::TypeScript.matches_filter(Language::Tsx));
    }
}
