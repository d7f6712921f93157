//! What a file's path says about its chunks before anyone reads them: code,
//! documentation or configuration, and whether it is a test, an example, a
//! benchmark, a fixture, vendored or legacy code, generated, or a
//! declaration stub.
//!
//! The ranking stage lowers such files unless the query asks for them, and
//! the content filter (`code`, `docs`, `config`) selects by it. What the
//! ranking reads from a path whatever the query ([`PathFacts`]: these kinds
//! and the path's words) is read once per file, when its chunks enter the
//! index. Pure functions of the relative path and language: no I/O.

use crate::lang::Language;

/// What kind of text a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Content {
    Code,
    /// Prose: Markdown, reStructuredText, plain text.
    Docs,
    /// Configuration and data: TOML, YAML, JSON, INI, lock-like files.
    Config,
}

/// Which chunks a search returns, by [`Content`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContentFilter {
    #[default]
    All,
    Code,
    Docs,
    Config,
}

impl ContentFilter {
    pub const NAMES: [&'static str; 4] = ["all", "code", "docs", "config"];

    pub fn from_name(name: &str) -> Option<ContentFilter> {
        Some(match name.to_ascii_lowercase().as_str() {
            "all" => ContentFilter::All,
            "code" => ContentFilter::Code,
            "docs" | "doc" | "documentation" => ContentFilter::Docs,
            "config" | "configuration" => ContentFilter::Config,
            _ => return None,
        })
    }

    pub fn accepts(self, content: Content) -> bool {
        match self {
            ContentFilter::All => true,
            ContentFilter::Code => content == Content::Code,
            ContentFilter::Docs => content == Content::Docs,
            ContentFilter::Config => content == Content::Config,
        }
    }
}

/// The content of a file, from its language and extension.
pub fn content_of(path: &str, language: Language) -> Content {
    match language {
        Language::Markdown => return Content::Docs,
        Language::Toml | Language::Yaml | Language::Json => return Content::Config,
        Language::Text => {}
        _ => return Content::Code,
    }
    let name = file_name(path).to_ascii_lowercase();
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "txt" | "rst" | "adoc" | "asciidoc" | "org" | "tex" | "rdoc" | "pod" => Content::Docs,
        "cfg" | "ini" | "conf" | "properties" | "env" | "xml" | "plist" | "lock" | "tfvars" | "editorconfig" => Content::Config,
        _ if matches!(name.as_str(), "license" | "copying" | "authors" | "changelog" | "notice") => Content::Docs,
        _ => Content::Code,
    }
}

/// Why a file's chunks are probably not what a query looks for.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PathKinds {
    pub test: bool,
    pub example: bool,
    /// Benchmarks, fixtures, test data.
    pub support: bool,
    /// Vendored, third-party, compat shims and legacy copies.
    pub foreign: bool,
    /// Generated code (`*.pb.go`, `*_generated.*`, `*.min.js`, …).
    pub generated: bool,
    /// TypeScript declaration stubs, Python re-export packages and the like:
    /// real but thin.
    pub stub: bool,
}

/// Reads the kinds of a relative path (`/`-separated).
pub fn kinds_of(path: &str) -> PathKinds {
    let lower = path.to_ascii_lowercase();
    let dirs: Vec<&str> = lower.split('/').collect();
    let (dirs, name) = dirs.split_at(dirs.len().saturating_sub(1));
    let name = name.first().copied().unwrap_or("");
    let original_name = file_name(path);
    let stem = name.split('.').next().unwrap_or(name);
    let in_dir = |names: &[&str]| dirs.iter().any(|d| names.contains(d));

    let test_name = stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem.ends_with("_tests")
        || stem.ends_with("_spec")
        || stem == "test"
        || stem == "tests"
        || stem == "conftest"
        || name.contains(".test.")
        || name.contains(".spec.")
        || camel_suffix(original_name, &["Test", "Tests", "Spec", "Suite", "TestCase", "IT"]);
    PathKinds {
        test: test_name || in_dir(&["test", "tests", "__tests__", "spec", "specs", "testing", "test-suite", "testsuite", "unittests", "integration-tests", "androidtest", "jvmtest", "commontest"]),
        example: in_dir(&["example", "examples", "_examples", "demo", "demos", "sample", "samples", "docs_src", "tutorial", "tutorials", "playground", "cookbook"]),
        support: in_dir(&["bench", "benches", "benchmark", "benchmarks", "fixture", "fixtures", "testdata", "test-data", "test_data", "mocks", "__mocks__", "__fixtures__", "stubs"])
            || stem.ends_with("_bench")
            || stem.ends_with("_benchmark"),
        foreign: in_dir(&["vendor", "vendored", "third_party", "third-party", "thirdparty", "external", "extern", "deps", "compat", "_compat", "legacy", "deprecated", "node_modules"]),
        generated: stem.ends_with("_generated")
            || stem.ends_with("_pb2")
            || name.ends_with(".pb.go")
            || name.ends_with(".pb.cc")
            || name.ends_with(".pb.h")
            || name.ends_with(".g.dart")
            || name.ends_with(".designer.cs")
            || name.ends_with(".generated.cs")
            || name.contains(".min.")
            || in_dir(&["generated", "gen", "__generated__"]),
        stub: name.ends_with(".d.ts") || name.ends_with(".d.mts") || name.ends_with(".d.cts") || name == "__init__.py" || name == "package-info.java" || name == "index.d.ts",
    }
}

/// Whether a file name's stem ends with one of `suffixes` after a lower-case
/// letter or digit: `ParserTest.java`, `FooSpec.kt`, not `Latest.java`.
fn camel_suffix(file_name: &str, suffixes: &[&str]) -> bool {
    let stem = file_name.split('.').next().unwrap_or(file_name);
    suffixes.iter().any(|suffix| {
        stem.strip_suffix(suffix).is_some_and(|before| before.chars().last().is_some_and(|c| c.is_lowercase() || c.is_ascii_digit() || c.is_uppercase() && before.len() > 1))
    })
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// What the ranking stage reads from a file's path whatever the query is:
/// read once, when the file's chunks enter the index, and shared by them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PathFacts {
    pub kinds: PathKinds,
    /// The file stem, normalised as names are (`JsonReader.java` → `jsonreader`).
    pub stem: String,
    /// The words of the file's stem and folder ([`path_words`]).
    pub words: Vec<String>,
    /// The words of the file's name alone (`retry_policy.rs` → `retri`, `polici`).
    pub name_words: Vec<String>,
}

impl PathFacts {
    pub fn of(path: &str) -> PathFacts {
        let name = file_name(path);
        let stem = name.split('.').next().unwrap_or(name);
        PathFacts {
            kinds: kinds_of(path),
            stem: super::query::normalized(stem),
            words: path_words(path),
            name_words: crate::lexical::terms(&crate::ident::spelled(stem)),
        }
    }
}

/// The words of a file's stem and of the folder holding it
/// (`src/http/retry_policy.rs` → `retry`, `policy`, `http`), as the lexical
/// index spells them.
pub fn path_words(path: &str) -> Vec<String> {
    let mut parts = path.rsplit('/');
    let name = parts.next().unwrap_or("");
    let stem = name.split('.').next().unwrap_or(name);
    let parent = parts.next().unwrap_or("");
    let mut words = crate::lexical::terms(stem);
    words.extend(crate::lexical::terms(parent));
    let verbs: Vec<String> = words.iter().flat_map(|w| crate::lexical::verbs_of_agent(w)).collect();
    words.extend(verbs);
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tests_are_recognised_in_every_common_layout() {
        for path in [
            "tests/test_app.py",
            "pkg/app_test.go",
            "src/test/java/com/x/ParserTest.java",
            "lib/foo.test.ts",
            "spec/models/user_spec.rb",
            "src/__tests__/a.js",
            "FooSpec.kt",
            "kotlinx-coroutines-core/jvm/test/FlowTest.kt",
            "tests/Feature/RoutingTest.php",
            "Tests/RouterTests.swift",
            "conftest.py",
        ] {
            assert!(kinds_of(path).test, "{path}");
        }
        for path in ["src/latest.rs", "src/Latest.java", "src/contest.py", "src/testing_utils_not_dir/x.rs", "lib/attest.go"] {
            assert!(!kinds_of(path).test, "{path}");
        }
    }

    #[test]
    fn other_kinds() {
        assert!(kinds_of("docs_src/tutorial/app.py").example);
        assert!(kinds_of("examples/hello.rs").example);
        assert!(kinds_of("benches/search.rs").support);
        assert!(kinds_of("vendor/lib/x.c").foreign);
        assert!(kinds_of("src/_compat.py").foreign == false);
        assert!(kinds_of("src/compat/py2.py").foreign);
        assert!(kinds_of("api/service.pb.go").generated);
        assert!(kinds_of("types/index.d.ts").stub);
        assert!(kinds_of("pkg/__init__.py").stub);
        assert_eq!(kinds_of("src/router.rs"), PathKinds::default());
    }

    #[test]
    fn content_follows_language_and_extension() {
        assert_eq!(content_of("README.md", Language::Markdown), Content::Docs);
        assert_eq!(content_of("Cargo.toml", Language::Toml), Content::Config);
        assert_eq!(content_of("docs/intro.rst", Language::Text), Content::Docs);
        assert_eq!(content_of("setup.cfg", Language::Text), Content::Config);
        assert_eq!(content_of("src/lib.rs", Language::Rust), Content::Code);
        assert_eq!(content_of("query.sql", Language::Text), Content::Code);
        assert!(ContentFilter::Code.accepts(Content::Code) && !ContentFilter::Code.accepts(Content::Docs));
        assert_eq!(ContentFilter::from_name("docs"), Some(ContentFilter::Docs));
    }

    #[test]
    fn path_words_are_the_stem_and_its_folder() {
        assert_eq!(path_words("src/http/retry_policy.rs"), ["retrypolicy", "retri", "polici", "http"]);
        // A folder of agents also answers to the verb: "reads" meets `Readers/`.
        assert_eq!(path_words("Readers/Markdown.hs"), ["markdown", "reader", "read"]);
        assert!(path_words("src/parser.rs").contains(&crate::lexical::terms("parses")[0]));
    }
}
