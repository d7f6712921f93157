//! Test code inside source files: which chunks say they are tests
//! (`chunk/test_code.rs`), one fixture per language.

use super::{chunk_checked, named, outline};
use crate::chunk::{Chunk, ChunkKind};
use crate::lang::Language;

/// The names of the chunks that are test code, and of those that are not.
fn split_by_test(chunks: &[Chunk]) -> (Vec<&str>, Vec<&str>) {
    let names = |test: bool| chunks.iter().filter(|c| c.test == test).filter_map(|c| c.name.as_deref()).collect();
    (names(true), names(false))
}

#[test]
fn rust_cfg_test_modules_their_members_and_test_attributes() {
    let source = r#"pub fn embed_in_slices(texts: &[String]) -> usize {
    texts.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(text: &str) -> String {
        text.to_string()
    }

    #[test]
    fn slices() {
        assert_eq!(embed_in_slices(&[chunk("a")]), 1);
    }
}

#[test]
fn top_level_test() {}

#[tokio::test]
async fn async_test() {}

#[cfg(not(test))]
fn only_in_release() {}

#[cfg(all(test, unix))]
impl Helper {
    fn helper(&self) {}
}
"#;
    let chunks = chunk_checked(Language::Rust, source);
    let (tests, others) = split_by_test(&chunks);
    assert_eq!(tests, ["tests", "chunk", "slices", "top_level_test", "async_test", "Helper", "helper"], "{:#?}", outline(&chunks));
    assert_eq!(others, ["embed_in_slices", "only_in_release"]);
    assert_eq!(named(&chunks, "chunk").container.as_deref(), Some("tests"));
}

/// A test module too big to be one chunk keeps only its header; the blocks
/// between its members are test code too.
#[test]
fn rust_blocks_inside_an_oversized_test_module_are_test_code() {
    let members: String = (0..30).map(|i| format!("    const C{i}: u32 = {i};\n\n    fn case_{i}() {{\n        assert_eq!(C{i}, {i});\n    }}\n\n")).collect();
    let source = format!("fn real() {{}}\n\n#[cfg(test)]\nmod tests {{\n    use super::*;\n\n{members}}}\n");
    let chunks = chunk_checked(Language::Rust, &source);
    let module_start = source.find("#[cfg(test)]").unwrap();
    let inside: Vec<&Chunk> = chunks.iter().filter(|c| c.bytes.start >= module_start).collect();
    assert!(inside.iter().any(|c| c.kind == ChunkKind::Block), "{:#?}", outline(&chunks));
    assert!(inside.iter().all(|c| c.test), "{:#?}", inside);
    assert!(!named(&chunks, "real").test);
}

#[test]
fn python_test_functions_and_test_case_classes() {
    let source = r#"import unittest

import pytest


def upload(path):
    return open(path).read()


def test_upload():
    assert upload("a")


@pytest.mark.parametrize("n", [1, 2])
def check_sizes(n):
    assert n


class UploadTests(unittest.TestCase):
    def setUp(self):
        self.path = "a"

    def test_retry(self):
        self.assertTrue(upload(self.path))


class Client:
    def test_connection(self):
        return True
"#;
    let chunks = chunk_checked(Language::Python, source);
    let (tests, others) = split_by_test(&chunks);
    assert_eq!(tests, ["test_upload", "check_sizes", "UploadTests", "setUp", "test_retry"], "{:#?}", outline(&chunks));
    assert_eq!(others, ["upload", "Client", "test_connection"], "a method of a class that is no test keeps its name's meaning");
}

#[test]
fn go_test_benchmark_and_example_functions() {
    let source = r#"package upload

import "testing"

func Upload() error { return nil }

func TestUpload(t *testing.T) {
	if Upload() != nil {
		t.Fatal("upload")
	}
}

func BenchmarkUpload(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Upload()
	}
}

func ExampleUpload() {
	Upload()
}

func Testament() string { return "" }
"#;
    let chunks = chunk_checked(Language::Go, source);
    let (tests, others) = split_by_test(&chunks);
    assert_eq!(tests, ["TestUpload", "BenchmarkUpload", "ExampleUpload"], "{:#?}", outline(&chunks));
    assert_eq!(others, ["Upload", "Testament"]);
}

#[test]
fn javascript_and_typescript_describe_it_and_test_blocks() {
    let source = r#"const separator = ",";

export function parse(text) {
  return text.split(separator);
}

describe("parse", () => {
  it("splits on commas", () => {
    expect(parse("a,b")).toEqual(["a", "b"]);
  });
});

export function join(items) {
  return items.join(separator);
}

test.each([[["a"], "a"]])("joins %s", (items, text) => {
  expect(join(items)).toBe(text);
});

export function last(items) {
  return items[items.length - 1];
}

server.listen(3000);
"#;
    for language in [Language::JavaScript, Language::TypeScript] {
        let chunks = chunk_checked(language, source);
        let block_at = |text: &str| {
            let at = source.find(text).unwrap();
            chunks.iter().find(|c| c.kind == ChunkKind::Block && c.bytes.contains(&at)).unwrap_or_else(|| panic!("{language}: no block at {text}: {:#?}", outline(&chunks)))
        };
        assert!(block_at("describe(").test, "{language}");
        assert!(block_at("test.each(").test, "{language}");
        assert!(!block_at("const separator").test, "{language}");
        assert!(!block_at("server.listen").test, "{language}");
        for name in ["parse", "join", "last"] {
            assert!(!named(&chunks, name).test, "{language}: {name}");
        }
    }
}

#[test]
fn java_kotlin_and_csharp_test_annotations() {
    let java = r#"class Parser {
    int parse(String s) {
        return Integer.parseInt(s);
    }

    @Test
    void parsesNumbers() {
        assertEquals(1, new Parser().parse("1"));
    }

    @Override
    public String toString() {
        return "Parser";
    }
}
"#;
    let chunks = chunk_checked(Language::Java, java);
    assert_eq!(split_by_test(&chunks), (vec!["parsesNumbers"], vec!["Parser", "parse", "toString"]), "{:#?}", outline(&chunks));

    let kotlin = r#"class Parser {
    fun parse(s: String): Int {
        return s.toInt()
    }

    @Test
    fun parsesNumbers() {
        assertEquals(1, Parser().parse("1"))
    }
}
"#;
    let chunks = chunk_checked(Language::Kotlin, kotlin);
    assert_eq!(split_by_test(&chunks), (vec!["parsesNumbers"], vec!["Parser", "parse"]), "{:#?}", outline(&chunks));

    let csharp = r#"public class Parser
{
    public int Parse(string s)
    {
        return int.Parse(s);
    }

    [Fact]
    public void ParsesNumbers()
    {
        Assert.Equal(1, new Parser().Parse("1"));
    }
}
"#;
    let chunks = chunk_checked(Language::CSharp, csharp);
    assert_eq!(split_by_test(&chunks), (vec!["ParsesNumbers"], vec!["Parser", "Parse"]), "{:#?}", outline(&chunks));
}
