//! Edge cases: oversized definitions, files without a grammar, empty and
//! broken input, CRLF, non-ASCII text, huge lines, and `chunk_tree` against
//! `chunk_source`.

use super::{assert_contiguous_windows, chunk_checked, named, outline};
use crate::chunk::{chunk_source, chunk_tree, line_count, Chunk, ChunkKind};
use crate::lang::Language;

/// A documented Rust function of `statements` one-line statements.
fn long_rust_function(statements: usize) -> String {
    let mut source = String::from("/// Adds many numbers.\nfn big(input: u64) -> u64 {\n    let mut total = input;\n");
    for i in 0..statements {
        source.push_str(&format!("    total += {i}; // step {i}\n"));
    }
    source.push_str("    total\n}\n");
    source
}

fn windows_named<'a>(chunks: &'a [Chunk], name: &str) -> Vec<&'a Chunk> {
    chunks.iter().filter(|c| c.name.as_deref() == Some(name)).collect()
}

#[test]
fn oversized_function_is_split_at_statements_into_contiguous_windows() {
    let source = long_rust_function(200);
    let chunks = chunk_checked(Language::Rust, &source);
    let windows = windows_named(&chunks, "big");
    let end = source.trim_end().len();
    assert_contiguous_windows(&windows, 0, end);
    assert!(windows.iter().all(|w| w.kind == ChunkKind::Function));
    assert!(windows.iter().all(|w| w.signature.as_deref() == Some("fn big(input: u64) -> u64")));
    // Later windows start at a line start (a statement boundary).
    for window in &windows[1..] {
        assert!(source[..window.bytes.start].ends_with('\n'));
        assert!(window.text(&source).starts_with("    total += "));
    }
    assert_eq!(chunks.len(), windows.len(), "nothing else to chunk");
}

#[test]
fn a_function_just_under_the_limits_is_not_split() {
    let source = long_rust_function(110);
    let chunks = chunk_checked(Language::Rust, &source);
    assert_eq!(outline(&chunks), ["function big [-] 0-114"]);
}

#[test]
fn a_single_oversized_statement_is_split_at_lines() {
    let mut source = String::from("def table():\n    return [\n");
    for i in 0..300 {
        source.push_str(&format!("        ({i}, \"row {i}\"),\n"));
    }
    source.push_str("    ]\n");
    let chunks = chunk_checked(Language::Python, &source);
    let windows = windows_named(&chunks, "table");
    assert_contiguous_windows(&windows, 0, source.trim_end().len());
}

#[test]
fn oversized_class_keeps_its_header_and_blocks_cover_the_rest() {
    let mut source = String::from("class Store:\n    \"\"\"Keeps things.\"\"\"\n\n    size = 0\n\n");
    for i in 0..15 {
        source.push_str(&format!("    def get_{i}(self):\n"));
        for j in 0..8 {
            source.push_str(&format!("        value_{j} = self.size + {j}\n"));
        }
        source.push_str("        return value_0\n\n");
    }
    source.push_str("    limit = 10\n");
    let chunks = chunk_checked(Language::Python, &source);
    let class = named(&chunks, "Store");
    assert_eq!(class.kind, ChunkKind::Class);
    assert_eq!(class.text(&source), "class Store:\n    \"\"\"Keeps things.\"\"\"\n\n    size = 0");
    assert_eq!(windows_named(&chunks, "get_0")[0].container.as_deref(), Some("Store"));
    assert_eq!(chunks.iter().filter(|c| c.kind == ChunkKind::Method).count(), 15);
    let trailing_field = chunks.last().expect("a block for the trailing field");
    assert_eq!(trailing_field.kind, ChunkKind::Block);
    assert_eq!(trailing_field.container.as_deref(), Some("Store"));
    assert_eq!(trailing_field.text(&source), "    limit = 10");
}

#[test]
fn oversized_impl_is_cut_to_its_header() {
    let mut source = String::from("/// Wraps things.\nimpl Wrapper {\n    const LIMIT: u32 = 3;\n\n");
    for i in 0..30 {
        source.push_str(&format!("    fn get_{i}(&self) -> u32 {{\n        {i}\n    }}\n\n"));
    }
    source.push_str("}\n");
    let chunks = chunk_checked(Language::Rust, &source);
    assert_eq!(chunks[0].text(&source), "/// Wraps things.\nimpl Wrapper {\n    const LIMIT: u32 = 3;");
    let closing = chunks.last().expect("a block for the closing brace");
    assert_eq!((closing.kind, closing.container.as_deref(), closing.text(&source)), (ChunkKind::Block, Some("Wrapper"), "}"));
}

#[test]
fn top_level_statements_are_grouped_in_blocks_of_at_most_40_lines() {
    let mut source = String::new();
    for group in 0..5 {
        for i in 0..15 {
            source.push_str(&format!("setting_{group}_{i} = {i}\n"));
        }
        source.push('\n');
    }
    let chunks = chunk_checked(Language::Python, &source);
    assert!(chunks.len() >= 2);
    for chunk in &chunks {
        assert_eq!((chunk.kind, &chunk.name, &chunk.container), (ChunkKind::Block, &None, &None));
        assert!(chunk.end_line - chunk.start_line < 40);
        assert!(!chunk.text(&source).starts_with('\n') && !chunk.text(&source).ends_with('\n'));
    }
    // Cuts fall on blank lines: every block holds whole groups of 15 lines.
    assert!(chunks.iter().all(|c| (c.end_line - c.start_line + 2) % 16 == 0), "{:?}", outline(&chunks));
}

#[test]
fn markdown_is_cut_at_headings_and_sections_are_named() {
    let mut source = String::from("Intro line.\n\n# Install\n\nRun it.\n\n```sh\n# not a heading\n```\n\n## Usage\n");
    for i in 0..90 {
        source.push_str(&format!("Usage line {i}.\n"));
        if i % 10 == 9 {
            source.push('\n');
        }
    }
    let chunks = chunk_checked(Language::Markdown, &source);
    assert!(chunks.iter().all(|c| c.kind == ChunkKind::Section && c.end_line - c.start_line < 40));
    let names: Vec<Option<&str>> = chunks.iter().map(|c| c.name.as_deref()).collect();
    assert_eq!(&names[..3], [None, Some("Install"), Some("Usage")]);
    assert!(names[3..].iter().all(|&name| name == Some("Usage")), "continuations keep the heading");
    assert!(named(&chunks, "Install").text(&source).ends_with("```"));
}

#[test]
fn toml_is_cut_in_windows_preferably_before_tables() {
    let mut source = String::new();
    for table in 0..6 {
        source.push_str(&format!("[table_{table}]\n"));
        for key in 0..12 {
            source.push_str(&format!("key_{key} = {key}\n"));
        }
    }
    let chunks = chunk_checked(Language::Toml, &source);
    assert!(chunks.len() >= 2);
    for chunk in &chunks {
        assert_eq!(chunk.kind, ChunkKind::Section);
        assert!(chunk.end_line - chunk.start_line < 40);
        assert!(chunk.text(&source).starts_with("[table_"), "{:?}", chunk.text(&source));
    }
}

#[test]
fn empty_and_blank_files_have_no_chunks() {
    for language in Language::ALL {
        assert!(chunk_source(language, "").is_empty(), "{language}");
        assert!(chunk_source(language, "  \n\t\n\r\n").is_empty(), "{language}");
    }
    assert_eq!(line_count(""), 0);
}

#[test]
fn broken_syntax_does_not_panic_and_still_covers_every_line() {
    let inputs = [
        "fn broken( {\n  let x = ;\n}\nstruct S {\n  a: u8,\n",
        "}}}{{{((( ]]] \"unterminated\n'\n/* open comment\n",
        "class A:\n  def f(:\n    return\n  def g(self)\n",
        &"(".repeat(5000),
        &"{\n".repeat(2000),
        "\0\u{feff}\u{1F600}",
    ];
    for language in Language::ALL {
        for input in inputs {
            chunk_checked(language, input);
        }
    }
}

#[test]
fn crlf_source_has_the_same_chunks_as_lf() {
    let lf = "/// Doc.\nfn a() {\n    1;\n}\n\nconst X: u8 = 1;\n\nstruct S {\n    x: u8,\n}\n";
    let crlf = lf.replace('\n', "\r\n");
    let from_lf = chunk_checked(Language::Rust, lf);
    let from_crlf = chunk_checked(Language::Rust, &crlf);
    assert_eq!(outline(&from_lf), outline(&from_crlf));
    assert_eq!(named(&from_crlf, "a").signature.as_deref(), Some("fn a()"));
    assert!(named(&from_crlf, "a").text(&crlf).starts_with("/// Doc.\r\nfn a()"));
    let markdown = "# Title\r\n\r\nText.\r\n";
    assert_eq!(chunk_checked(Language::Markdown, markdown)[0].name.as_deref(), Some("Title"));
}

#[test]
fn non_ascii_identifiers_and_strings_stay_on_char_boundaries() {
    let python = "# Größe berechnen — ñ\ndef größe_berechnen(länge):\n    return \"📏\" * länge\n\nπ = 3.14  # 円周率\n";
    let chunks = chunk_checked(Language::Python, python);
    assert_eq!(outline(&chunks), ["function größe_berechnen [-] 0-2", "block - [-] 4-4"]);
    let js = "// 日本語のコメント\nconst 挨拶 = (名前) => `こんにちは${名前}`;\nclass Ünïcödé { método() { return '✓'; } }\n";
    let chunks = chunk_checked(Language::JavaScript, js);
    assert_eq!(outline(&chunks), ["function 挨拶 [-] 0-1", "class Ünïcödé [-] 2-2", "method método [Ünïcödé] 2-2"]);
}

#[test]
fn huge_lines_do_not_break_chunking() {
    let minified = format!("var a=[{}];function f(){{return a}}\n", "1,".repeat(100_000));
    chunk_checked(Language::JavaScript, &minified);
    let long_text = "word ".repeat(50_000);
    let chunks = chunk_checked(Language::Text, &long_text);
    assert_eq!(chunks.len(), 1);
}

#[test]
fn chunk_tree_matches_chunk_source_and_rejects_foreign_trees() {
    let source = "def f():\n    return 1\n";
    let mut parser = tree_sitter::Parser::new();
    let python = Language::Python.grammar().expect("python has a grammar");
    parser.set_language(&python).expect("grammar loads");
    let tree = parser.parse(source, None).expect("parses");
    assert_eq!(chunk_tree(Language::Python, &tree, source), chunk_source(Language::Python, source));
    // A tree from another grammar is not trusted: line windows instead.
    let sections = chunk_tree(Language::Rust, &tree, source);
    assert_eq!(outline(&sections), ["section - [-] 0-1"]);
}

mod random_input {
    use proptest::prelude::*;

    use super::super::chunk_checked;
    use crate::lang::Language;

    /// A real fixture to cut random line selections from.
    const FIXTURE_LINES: &str = "/// Doc.\n#[derive(Debug)]\npub struct S {\n    x: u8,\n}\nimpl S {\n    fn get(&self) -> u8 {\n        self.x\n    }\n}\nclass A:\n    def m(self):\n        return {'k': [1, 2]}\nexport function f() {\n  return () => 1;\n}\nfunc (s *S) Get() int { return 1 }\ntemplate <typename T> T id(T x) { return x; }\n";

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        #[test]
        fn any_text_is_chunked_without_panicking(
            source in "[a-z{}()\\[\\];:=#/*\"' \n\t\r.,<>@é日]{0,300}",
            language in 0..Language::ALL.len(),
        ) {
            chunk_checked(Language::ALL[language], &source);
        }

        #[test]
        fn shuffled_code_lines_are_chunked_without_panicking(
            picked in proptest::sample::subsequence(FIXTURE_LINES.lines().collect::<Vec<_>>(), 0..=18),
            language in 0..9usize,
        ) {
            let source = picked.join("\n");
            chunk_checked(Language::ALL[language], &source);
        }
    }
}
