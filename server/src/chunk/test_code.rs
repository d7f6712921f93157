//! Whether a chunk is test code by what the code says, wherever its file is:
//! a test file is known by its path (`search/paths.rs`), but tests also live
//! inside source files, and the ranking must treat them alike.
//!
//! A definition is test code when it is marked as one, or when the
//! definition holding it is (`syntax.rs` passes that down):
//! - Rust: `#[test]`, `#[tokio::test]` and other attributes whose last path
//!   segment is `test`, `#[bench]`, `#[rstest]`, `#[test_case(…)]`, and
//!   `#[cfg(test)]` (also inside `all(…)`, never under `not(…)`);
//! - Python: a module-level `test_…` function, a `test_…` method of a class
//!   named `Test…` / `…Test(s)`, and a decorator from `pytest`;
//! - Go: `TestX`, `BenchmarkX`, `FuzzX` taking a `testing.` type, `ExampleX()`;
//! - Java, Kotlin, C#, and other languages with annotations or attributes:
//!   `@Test`, `@…Test` (`@ParameterizedTest`), `@TestFactory`, `[Fact]`,
//!   `[Theory]`, `[TestMethod]`, `[TestFixture]`, …;
//! - any language: a class whose signature names a test base after its own
//!   name (`unittest.TestCase`, `XCTestCase`, PHPUnit's `TestCase`,
//!   `Minitest::Test`, `::testing::Test`).
//!
//! Blocks (the statements between definitions) are test code inside a test
//! definition, and at the top level of JavaScript and TypeScript when at
//! least half their lines lie in a `describe(…)` / `it(…)` / `test(…)` call
//! (or a hook such as `beforeEach`, or Vitest's `if (import.meta.vitest)`),
//! whose line spans [`test_statement_lines`] gives.
//!
//! Everything here reads one definition's own nodes and text, or the
//! top-level statements it is handed, so incremental re-chunking decides the
//! same as chunking the whole file.

use std::ops::Range;

use tree_sitter::Node;

use super::definitions::Definition;
use super::lines::LineIndex;
use super::ChunkKind;
use crate::lang::Language;

/// Whether `definition` itself is marked as test code (what holds it is not
/// looked at). `signature` is its signature as the chunk will carry it.
pub(crate) fn marks_test(language: Language, definition: &Definition, signature: Option<&str>, source: &str) -> bool {
    let name = definition.name.as_deref().unwrap_or("");
    let kind = definition.kind;
    let is_function = matches!(kind, ChunkKind::Function | ChunkKind::Method);
    let by_name = match language {
        Language::Python if is_function => {
            let top_level = definition.parent.is_none();
            let test_class = definition.container.as_deref().is_some_and(|c| c.starts_with("Test") || c.ends_with("Test") || c.ends_with("Tests"));
            python_test_name(name) && (top_level || test_class)
        }
        Language::Go if kind == ChunkKind::Function => go_test_function(name, signature.unwrap_or("")),
        _ => false,
    };
    by_name
        || (kind != ChunkKind::Module && !is_function && extends_a_test_base(name, signature))
        || marks(definition, source).into_iter().any(|mark| mark_is_test(language, mark))
}

/// `test_upload`, `testUpload`, `test`: what pytest and unittest collect.
fn python_test_name(name: &str) -> bool {
    match name.strip_prefix("test") {
        Some(rest) => rest.is_empty() || rest.starts_with('_') || rest.starts_with(|c: char| c.is_ascii_uppercase()),
        None => false,
    }
}

/// What `go test` runs: `TestX(t *testing.T)`, `BenchmarkX(b *testing.B)`,
/// `FuzzX(f *testing.F)`, `TestMain(m *testing.M)`, and `ExampleX()`.
fn go_test_function(name: &str, signature: &str) -> bool {
    let after = |prefix: &str| {
        name.strip_prefix(prefix).is_some_and(|rest| !rest.starts_with(|c: char| c.is_ascii_lowercase()))
    };
    if after("Test") || after("Benchmark") || after("Fuzz") {
        return signature.contains("testing.");
    }
    after("Example") && signature.contains(&format!("{name}()"))
}

/// Whether a class's signature names a test base class after the class's
/// own name: `class UploadTests(unittest.TestCase)`, `class A: XCTestCase`.
fn extends_a_test_base(name: &str, signature: Option<&str>) -> bool {
    let Some(signature) = signature else { return false };
    let Some((_, after)) = (!name.is_empty()).then(|| signature.split_once(name)).flatten() else { return false };
    let words = after.split(|c: char| !(c.is_alphanumeric() || c == '_'));
    let base = words.into_iter().any(|word| word.ends_with("TestCase"));
    base || after.contains("Minitest::Test") || after.contains("testing::Test")
}

/// Node kinds that annotate a definition: attributes, annotations, decorators.
const MARK_KINDS: [&str; 5] = ["attribute_item", "annotation", "marker_annotation", "decorator", "attribute"];

/// Kinds of a definition's children that hold its marks (Java's and
/// Kotlin's `modifiers`, C#'s `attribute_list`).
const MARK_HOLDERS: [&str; 2] = ["modifiers", "attribute_list"];

/// The texts of a definition's marks: those before it among its siblings
/// (Rust attributes), among the children of its wrapper (Python
/// decorators) and among its own children or their modifiers (Java,
/// Kotlin, C#). An `attribute` counts only inside a holder: in Python it is
/// `a.b`.
fn marks<'s>(definition: &Definition, source: &'s str) -> Vec<&'s str> {
    let mut nodes: Vec<Node> = definition.attachable_before.iter().copied().filter(|n| MARK_KINDS.contains(&n.kind())).collect();
    let mut owners = vec![definition.node];
    if definition.outer != definition.node {
        owners.push(definition.outer);
    }
    for owner in owners {
        let mut cursor = owner.walk();
        for child in owner.named_children(&mut cursor) {
            if MARK_HOLDERS.contains(&child.kind()) {
                let mut inner = child.walk();
                nodes.extend(child.named_children(&mut inner).filter(|n| MARK_KINDS.contains(&n.kind())));
            } else if MARK_KINDS.contains(&child.kind()) && child.kind() != "attribute" {
                nodes.push(child);
            }
        }
    }
    nodes.into_iter().filter_map(|node| source.get(node.byte_range())).collect()
}

/// Annotation and attribute names that mark a test (besides `Test` and
/// names ending in `Test`).
const TEST_MARKS: [&str; 10] =
    ["TestFactory", "TestTemplate", "TestMethod", "DataTestMethod", "Fact", "Theory", "TestCase", "TestCaseSource", "TestFixture", "TestClass"];

/// Whether one mark's text (`#[tokio::test]`, `@Test`, `[Fact]`,
/// `@pytest.mark.slow`) marks test code.
fn mark_is_test(language: Language, mark: &str) -> bool {
    let inner = mark.trim().trim_start_matches(['#', '@', '[', '!']).trim_start_matches('[').trim_end_matches(']').trim();
    match language {
        Language::Rust => {
            let path: &str = &inner[..inner.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(inner.len())];
            let last = path.rsplit("::").next().unwrap_or(path);
            if path == "cfg" {
                let predicate = inner[path.len()..].trim().strip_prefix('(').and_then(|p| p.strip_suffix(')')).unwrap_or("");
                return cfg_is_test_only(predicate);
            }
            matches!(last, "test" | "bench" | "rstest" | "test_case" | "wasm_bindgen_test" | "quickcheck")
        }
        Language::Python => inner.starts_with("pytest.") || inner == "pytest",
        _ => inner.split(',').any(|item| {
            let item = item.trim().trim_start_matches(['@', '[']);
            let path = &item[..item.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.' || c == ':')).unwrap_or(item.len())];
            let last = path.rsplit(['.', ':']).next().unwrap_or(path);
            let last = last.strip_suffix("Attribute").filter(|l| !l.is_empty()).unwrap_or(last);
            last.ends_with("Test") || TEST_MARKS.contains(&last)
        }),
    }
}

/// Whether a `cfg(…)` predicate holds only in test builds: `test`, or
/// `all(…)` with such a predicate among its terms.
fn cfg_is_test_only(predicate: &str) -> bool {
    let predicate = predicate.trim();
    if predicate == "test" {
        return true;
    }
    let Some(terms) = predicate.strip_prefix("all").map(str::trim_start).and_then(|p| p.strip_prefix('(')).and_then(|p| p.strip_suffix(')')) else {
        return false;
    };
    top_level_terms(terms).any(cfg_is_test_only)
}

/// `a, f(b, c), d` → `a`, `f(b, c)`, `d`.
fn top_level_terms(text: &str) -> impl Iterator<Item = &str> {
    let mut depth = 0i32;
    let mut start = 0;
    let mut terms = Vec::new();
    for (at, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                terms.push(&text[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    terms.push(&text[start..]);
    terms.into_iter()
}

/// The lines (end exclusive) of those of `top_level` (top-level statements,
/// in order) that are test code: in JavaScript and TypeScript, calls of
/// `describe`, `it`, `test`, `suite`, `context` with a name first, of the
/// hooks `beforeEach` and the like, and Vitest's in-source
/// `if (import.meta.vitest)`. Empty in other languages.
pub(crate) fn test_statement_lines(language: Language, top_level: &[Node], lines: &LineIndex) -> Vec<Range<usize>> {
    if !matches!(language, Language::JavaScript | Language::TypeScript | Language::Tsx) {
        return Vec::new();
    }
    let source = lines.source();
    top_level
        .iter()
        .filter(|node| is_test_statement(**node, source))
        .map(|node| lines.line_of(node.start_byte())..lines.line_of(node.end_byte().saturating_sub(1).max(node.start_byte())) + 1)
        .collect()
}

fn is_test_statement(node: Node, source: &str) -> bool {
    match node.kind() {
        "expression_statement" => node.named_child(0).is_some_and(|expression| is_test_call(expression, source)),
        "if_statement" => node
            .child_by_field_name("condition")
            .and_then(|condition| source.get(condition.byte_range()))
            .is_some_and(|condition| condition.contains("import.meta.vitest")),
        _ => false,
    }
}

/// `describe("…", …)`, `it.each(table)("…", …)`, `test.skip("…", …)`,
/// `beforeEach(…)`.
fn is_test_call(call: Node, source: &str) -> bool {
    if call.kind() != "call_expression" {
        return false;
    }
    // The identifier at the root of the callee: `describe` of `describe.each(…)`.
    let mut callee = call.child_by_field_name("function");
    let mut root = None;
    for _ in 0..8 {
        let Some(node) = callee else { break };
        match node.kind() {
            "identifier" => {
                root = source.get(node.byte_range());
                break;
            }
            "member_expression" => callee = node.child_by_field_name("object"),
            "call_expression" => callee = node.child_by_field_name("function"),
            _ => break,
        }
    }
    let named_first = || {
        let arguments = call.child_by_field_name("arguments");
        arguments.and_then(|a| a.named_child(0)).is_some_and(|first| matches!(first.kind(), "string" | "template_string"))
    };
    match root {
        Some("describe" | "it" | "test" | "suite" | "context") => named_first(),
        Some("beforeEach" | "afterEach" | "beforeAll" | "afterAll") => true,
        _ => false,
    }
}

/// Whether at least half of the lines `start..=end` lie in `spans`.
pub(crate) fn mostly_in(start: usize, end: usize, spans: &[Range<usize>]) -> bool {
    let inside: usize = spans.iter().map(|span| span.end.min(end + 1).saturating_sub(span.start.max(start))).sum();
    !spans.is_empty() && 2 * inside >= end + 1 - start
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cfg_predicates_that_hold_only_in_tests() {
        assert!(cfg_is_test_only("test"));
        assert!(cfg_is_test_only("all(test, feature = \"x\")"));
        assert!(cfg_is_test_only("all(unix, all(test))"));
        assert!(!cfg_is_test_only("not(test)"));
        assert!(!cfg_is_test_only("any(test, feature = \"testing\")"));
        assert!(!cfg_is_test_only("feature = \"test\""));
    }

    #[test]
    fn marks_by_language() {
        for mark in ["#[test]", "#[tokio::test]", "#[tokio::test(flavor = \"multi_thread\")]", "#[cfg(test)]", "#[rstest]", "#[test_case(1; \"one\")]"] {
            assert!(mark_is_test(Language::Rust, mark), "{mark}");
        }
        for mark in ["#[cfg(not(test))]", "#[derive(Debug)]", "#[testing]", "#[cfg(feature = \"test\")]"] {
            assert!(!mark_is_test(Language::Rust, mark), "{mark}");
        }
        for mark in ["@Test", "@org.junit.jupiter.api.Test", "@ParameterizedTest", "@TestFactory", "[Fact]", "[Theory, InlineData(1, 2)]", "[TestMethod]", "[NUnit.Framework.TestAttribute]"] {
            assert!(mark_is_test(Language::Java, mark), "{mark}");
        }
        for mark in ["@Override", "@VisibleForTesting", "[Serializable]", "@Latest"] {
            assert!(!mark_is_test(Language::Java, mark), "{mark}");
        }
        assert!(mark_is_test(Language::Python, "@pytest.mark.parametrize(\"x\", [1])"));
        assert!(!mark_is_test(Language::Python, "@property"));
    }

    #[test]
    fn names_and_bases() {
        assert!(python_test_name("test_upload") && python_test_name("testUpload") && python_test_name("test"));
        assert!(!python_test_name("testament") && !python_test_name("latest_upload"));
        assert!(go_test_function("TestUpload", "func TestUpload(t *testing.T)"));
        assert!(go_test_function("Test_upload", "func Test_upload(t *testing.T)"));
        assert!(go_test_function("BenchmarkUpload", "func BenchmarkUpload(b *testing.B)"));
        assert!(go_test_function("ExampleUpload", "func ExampleUpload()"));
        assert!(!go_test_function("Testament", "func Testament(t *testing.T)"));
        assert!(!go_test_function("TestConnection", "func TestConnection(ctx context.Context) error"));
        assert!(extends_a_test_base("UploadTests", Some("class UploadTests(unittest.TestCase)")));
        assert!(extends_a_test_base("UploadTests", Some("final class UploadTests: XCTestCase")));
        assert!(extends_a_test_base("UploadTest", Some("class UploadTest extends TestCase")));
        assert!(!extends_a_test_base("TestCase", Some("class TestCase(object)")));
        assert!(!extends_a_test_base("Upload", Some("class Upload(Base)")));
    }

    #[test]
    fn half_of_a_blocks_lines_in_test_statements() {
        assert!(mostly_in(0, 9, &[0..3, 7..9]));
        assert!(!mostly_in(0, 9, &[0..2, 7..9]));
        assert!(mostly_in(3, 3, &[0..1, 2..4]));
        assert!(!mostly_in(3, 3, &[0..1, 5..6]));
        assert!(!mostly_in(3, 3, &[]));
    }
}
