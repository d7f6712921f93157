//! An open document: the buffer as the editor has it, its syntax tree and its
//! chunks, kept up to date edit by edit.
//!
//! Each change is applied to the rope (positions) and to a plain copy of the
//! text (what tree-sitter and the chunker read), the old tree is told about it
//! with an `InputEdit`, and the file is reparsed incrementally from the old
//! tree. Buffers too large or binary are kept (edits still apply) but not
//! chunked. Knows nothing of LSP or of the index.

use std::sync::Arc;

use ropey::Rope;
use tree_sitter::{Parser, Tree};

use crate::chunk::{self, Chunk};
use crate::lang::Language;
use crate::position::{apply_change, Encoding, LinePos};

/// One content change, as an editor sends it: a range (or the whole text).
#[derive(Debug, Clone)]
pub struct Change {
    pub range: Option<(LinePos, LinePos)>,
    pub text: String,
}

/// An immutable view of a document at one version, cheap to clone.
#[derive(Clone)]
pub struct DocSnapshot {
    pub version: i32,
    pub language: Option<Language>,
    pub rope: Rope,
    pub text: Arc<str>,
    pub chunks: Arc<Vec<Chunk>>,
}

pub struct Document {
    version: i32,
    language: Option<Language>,
    rope: Rope,
    text: String,
    parser: Option<Parser>,
    tree: Option<Tree>,
    chunks: Arc<Vec<Chunk>>,
    max_bytes: usize,
}

/// Why a document's text is not chunked.
pub fn unindexable_reason(text: &str, max_bytes: usize) -> Option<&'static str> {
    if text.len() > max_bytes {
        Some("too large")
    } else if text.as_bytes()[..text.len().min(8192)].contains(&0) {
        Some("binary")
    } else {
        None
    }
}

impl Document {
    pub fn open(language: Option<Language>, text: String, version: i32, max_bytes: usize) -> Document {
        let parser = language.and_then(|l| l.grammar()).and_then(|g| {
            let mut p = Parser::new();
            p.set_language(&g).ok().map(|_| p)
        });
        let mut doc = Document { version, language, rope: Rope::from_str(&text), text, parser, tree: None, chunks: Arc::new(Vec::new()), max_bytes };
        doc.reparse();
        doc
    }

    pub fn version(&self) -> i32 {
        self.version
    }

    pub fn language(&self) -> Option<Language> {
        self.language
    }

    pub fn rope(&self) -> &Rope {
        &self.rope
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn chunks(&self) -> &Arc<Vec<Chunk>> {
        &self.chunks
    }

    /// Applies changes in order and re-chunks. Returns the byte ranges (in the
    /// new text) that the changes touched.
    pub fn apply(&mut self, changes: &[Change], version: i32, enc: Encoding) -> Vec<std::ops::Range<usize>> {
        let mut touched = Vec::with_capacity(changes.len());
        for change in changes {
            let edit = apply_change(&mut self.rope, change.range, &change.text, enc);
            self.text.replace_range(edit.start_byte..edit.old_end_byte, &change.text);
            if let Some(tree) = &mut self.tree {
                tree.edit(&edit.input_edit);
            }
            touched.push(edit.start_byte..edit.new_end_byte);
        }
        self.version = version;
        self.reparse();
        touched
    }

    /// Replaces the whole text (a reload from disk).
    pub fn replace(&mut self, text: String, version: i32) {
        self.rope = Rope::from_str(&text);
        self.text = text;
        self.tree = None;
        self.version = version;
        self.reparse();
    }

    fn reparse(&mut self) {
        let Some(language) = self.language else { return };
        if unindexable_reason(&self.text, self.max_bytes).is_some() {
            self.tree = None;
            self.chunks = Arc::new(Vec::new());
            return;
        }
        let tree = self.parser.as_mut().and_then(|p| p.parse(&self.text, self.tree.as_ref()));
        self.chunks = Arc::new(match &tree {
            Some(tree) => chunk::chunk_tree(language, tree, &self.text),
            None => chunk::chunk_source(language, &self.text),
        });
        self.tree = tree;
    }

    pub fn snapshot(&self) -> DocSnapshot {
        DocSnapshot { version: self.version, language: self.language, rope: self.rope.clone(), text: self.text.as_str().into(), chunks: self.chunks.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(l0: u32, c0: u32, l1: u32, c1: u32, text: &str) -> Change {
        Change { range: Some((LinePos::new(l0, c0), LinePos::new(l1, c1))), text: text.into() }
    }

    #[test]
    fn edits_keep_rope_text_and_chunks_in_step() {
        let src = "fn a() {\n    1\n}\n\nfn b() {\n    2\n}\n";
        let mut doc = Document::open(Some(Language::Rust), src.into(), 1, 1 << 20);
        assert!(!doc.chunks().is_empty());
        doc.apply(&[change(0, 0, 0, 0, "// top\n\n\n")], 2, Encoding::Utf16);
        assert_eq!(doc.text(), format!("// top\n\n\n{src}"));
        assert_eq!(doc.rope().to_string(), doc.text());
        assert_eq!(doc.version(), 2);
        assert_eq!(*doc.chunks().as_ref(), chunk::chunk_source(Language::Rust, doc.text()));
    }

    #[test]
    fn too_large_or_binary_buffers_are_not_chunked() {
        let doc = Document::open(Some(Language::Rust), "fn a() {}\n".repeat(100), 1, 50);
        assert!(doc.chunks().is_empty());
        let doc = Document::open(Some(Language::Rust), "fn a() {}\0".into(), 1, 1 << 20);
        assert!(doc.chunks().is_empty());
    }

    #[test]
    fn full_replacement_and_unknown_language() {
        let mut doc = Document::open(None, "hello".into(), 1, 1 << 20);
        doc.apply(&[Change { range: None, text: "bye".into() }], 2, Encoding::Utf16);
        assert_eq!(doc.text(), "bye");
        assert!(doc.chunks().is_empty());
    }
}

/// Random edit sequences on real source in every language: the document
/// followed edit by edit (rope, text, incrementally reparsed tree, chunks)
/// must equal the final text chunked from scratch.
#[cfg(test)]
mod property {
    use proptest::prelude::*;

    use super::*;
    use crate::chunk::tests::{scripting, systems};
    use crate::position::pos_of_char;

    fn sources() -> Vec<(Language, &'static str)> {
        vec![
            (Language::Rust, systems::RUST),
            (Language::Go, systems::GO),
            (Language::C, systems::C),
            (Language::Cpp, systems::CPP),
            (Language::Python, scripting::PYTHON),
            (Language::JavaScript, scripting::JAVASCRIPT),
            (Language::TypeScript, scripting::TYPESCRIPT),
            (Language::Tsx, scripting::TYPESCRIPT),
            (Language::Java, scripting::JAVA),
        ]
    }

    const PIECES: &[&str] = &["", "x", "\n", "\r\n", "{", "}", "(", ")", " ", "fn f() {}\n", "def g():\n    pass\n", "class K {}\n", "/// doc\n", "// c\n", "é", "😀", "\"", "'", "return 1;", "\n\n\n", "int main() { return 0; }\n"];

    /// (start fraction, length in chars, replacement pieces)
    fn edit() -> impl Strategy<Value = (f64, usize, Vec<usize>)> {
        (0.0f64..=1.0, 0usize..40, proptest::collection::vec(0..PIECES.len(), 0..4))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 40, .. ProptestConfig::default() })]
        #[test]
        fn incremental_chunks_equal_chunks_from_scratch(which in 0usize..9, edits in proptest::collection::vec(edit(), 1..25), utf8 in any::<bool>()) {
            let (language, source) = sources()[which];
            let enc = if utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
            let mut doc = Document::open(Some(language), source.to_string(), 1, 1 << 20);
            let mut expected: Vec<char> = source.chars().collect();
            for (version, (at, len, pieces)) in edits.into_iter().enumerate() {
                // An editor position cannot point between the \r and \n of a
                // line break: move such offsets before the \r.
                let off_crlf = |i: usize| if i > 0 && i < expected.len() && expected[i - 1] == '\r' && expected[i] == '\n' { i - 1 } else { i };
                let start = off_crlf(((expected.len() as f64) * at) as usize);
                let end = off_crlf((start + len).min(expected.len())).max(start);
                let text: String = pieces.iter().map(|&i| PIECES[i]).collect();
                let rope = doc.rope().clone();
                let range = (pos_of_char(&rope, start, enc), pos_of_char(&rope, end, enc));
                doc.apply(&[Change { range: Some(range), text: text.clone() }], version as i32 + 2, enc);
                expected.splice(start..end, text.chars());
            }
            let expected: String = expected.into_iter().collect();
            prop_assert_eq!(doc.text(), expected.as_str());
            prop_assert_eq!(doc.rope().to_string(), expected.clone());
            let scratch = chunk::chunk_source(language, &expected);
            prop_assert_eq!(doc.chunks().as_ref(), &scratch);
        }
    }
}
