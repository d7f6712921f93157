//! An open document: the buffer as the editor has it, its syntax tree and its
//! chunks, kept up to date edit by edit.
//!
//! Each change is applied to the rope (positions) and to a plain copy of the
//! text (what tree-sitter and the chunker read), and the old tree is told
//! about it with an `InputEdit` ([`Document::edit`], cheap: no parsing).
//! Then the file is reparsed incrementally from the old tree, and only the
//! chunks around the edited bytes (and the ranges whose syntax changed) are
//! extracted again; the others are kept or shifted (`chunk::rechunk_tree`).
//! That second step costs milliseconds in a large file, so it can run apart:
//! [`Document::reparse`] does it in place, a [`ParseJob`] does it on a copy
//! without holding the document, and [`Document::install`] takes its result
//! unless an edit came meanwhile. Until then the document is stale: its
//! chunks are those of the last parse. Buffers too large or binary are kept
//! (edits still apply) but not chunked. Knows nothing of LSP or of the index.

use std::sync::Arc;

use ropey::Rope;
use tree_sitter::{Parser, Tree};

use crate::chunk::{self, Chunk, ChunksState, EditSummary, Rechunked};
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
    /// Kept between parses, lent to a [`ParseJob`]: a parser keeps its
    /// buffers and node pools from one parse to the next.
    parser: Option<Parser>,
    /// The tree of the last parse, told about every edit since (`InputEdit`).
    tree: Option<Tree>,
    /// The chunks of the text at the last parse.
    chunks: Arc<Vec<Chunk>>,
    /// What the tree and the chunks lack of the text.
    pending: Pending,
    /// Edits applied so far: a parse made from a copy is current only while
    /// this has not moved.
    edits: u64,
    /// Which chunk list `chunks` is: a value no other chunk list of the
    /// process had. A parse made from a copy is current only while this has
    /// not moved either (another parse may have installed the same edits
    /// meanwhile), and the index records it for each buffer it holds.
    chunks_state: ChunksState,
    max_bytes: usize,
}

/// What a document's chunks lack of its text.
#[derive(Debug, Clone)]
enum Pending {
    /// Nothing: the chunks are those of the text.
    Nothing,
    /// The edits summarised here (the tree was told about them).
    Edits(EditSummary),
    /// Everything: the text was never parsed.
    Everything,
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
    /// A document whose text is parsed and chunked.
    pub fn open(language: Option<Language>, text: String, version: i32, max_bytes: usize) -> Document {
        let mut doc = Document::unparsed(language, text, version, max_bytes);
        doc.reparse();
        doc
    }

    /// A document whose text is not parsed yet: no chunks until
    /// [`Document::reparse`] (or a [`ParseJob`] installed).
    pub fn unparsed(language: Option<Language>, text: String, version: i32, max_bytes: usize) -> Document {
        let pending = if language.is_some() { Pending::Everything } else { Pending::Nothing };
        Document { version, language, rope: Rope::from_str(&text), text, parser: None, tree: None, chunks: Arc::default(), pending, edits: 0, chunks_state: ChunksState::fresh(), max_bytes }
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

    /// The chunks of the last parse: of the text itself unless [`Document::is_stale`].
    pub fn chunks(&self) -> &Arc<Vec<Chunk>> {
        &self.chunks
    }

    /// Which chunk list [`Document::chunks`] is; changes whenever they do.
    pub fn chunks_state(&self) -> ChunksState {
        self.chunks_state
    }

    /// Whether edits (or the whole text) wait to be parsed and chunked.
    pub fn is_stale(&self) -> bool {
        !matches!(self.pending, Pending::Nothing)
    }

    /// Applies changes in order, reparses from the old tree and re-chunks the
    /// part of the file around the edits. Returns how the chunks were redone.
    pub fn apply(&mut self, changes: &[Change], version: i32, enc: Encoding) -> Rechunked {
        self.edit(changes, version, enc);
        self.reparse().unwrap_or(Rechunked::Whole)
    }

    /// Applies changes in order to the text and tells the tree about them,
    /// without parsing (microseconds). The chunks stay
    /// those of the last parse until [`Document::reparse`].
    pub fn edit(&mut self, changes: &[Change], version: i32, enc: Encoding) {
        let mut summary = match std::mem::replace(&mut self.pending, Pending::Nothing) {
            Pending::Edits(summary) => Some(summary),
            Pending::Nothing if self.language.is_some() => Some(EditSummary::empty()),
            Pending::Nothing | Pending::Everything => None,
        };
        for change in changes {
            let edit = apply_change(&mut self.rope, change.range, &change.text, enc);
            let replaced = edit.start_byte..edit.old_end_byte;
            if let Some(summary) = &mut summary {
                summary.add_replacement(edit.start_byte, &self.text[replaced.clone()], &change.text);
            }
            self.text.replace_range(replaced, &change.text);
            if let Some(tree) = &mut self.tree {
                tree.edit(&edit.input_edit);
            }
        }
        self.pending = match summary {
            Some(summary) => Pending::Edits(summary),
            None if self.language.is_some() => Pending::Everything,
            None => Pending::Nothing,
        };
        self.version = version;
        self.edits += 1;
    }

    /// Parses and re-chunks what [`Document::edit`] left pending, holding
    /// the document. `None` when nothing was pending.
    pub fn reparse(&mut self) -> Option<Rechunked> {
        // The job gets the text and the only reference to the chunks (unless
        // a snapshot holds them too): nothing is copied, the chunks are
        // re-chunked in place.
        let text = std::mem::take(&mut self.text);
        let mut job = self.job(text)?;
        job.old_chunks = std::mem::take(&mut self.chunks);
        let mut parsed = job.run();
        self.text = std::mem::take(&mut parsed.text);
        self.install(parsed)
    }

    /// The work of bringing the chunks up to the text, detached from the
    /// document (the text copied) so that it can run without holding it.
    /// `None` when nothing is pending.
    pub fn parse_job(&mut self) -> Option<ParseJob> {
        let text = self.text.clone();
        self.job(text)
    }

    fn job(&mut self, text: String) -> Option<ParseJob> {
        let edit = match &self.pending {
            Pending::Nothing => None,
            Pending::Edits(summary) => Some(Some(summary.clone())),
            Pending::Everything => Some(None),
        };
        let (Some(language), Some(edit)) = (self.language, edit) else {
            self.text = text;
            return None;
        };
        Some(ParseJob {
            edits: self.edits,
            base: self.chunks_state,
            language,
            text,
            parser: self.parser.take(),
            old_tree: self.tree.clone(),
            old_chunks: self.chunks.clone(),
            edit,
            max_bytes: self.max_bytes,
        })
    }

    /// Takes the result of a [`ParseJob`] made from this document, unless an
    /// edit came after the job was made (then `None`: the result describes
    /// an older text) or another parse installed its chunks meanwhile (then
    /// `None` too: the result re-chunks from a list the document no longer
    /// has, and its splice would be laid twice). Takes the parser back
    /// either way.
    pub fn install(&mut self, mut parsed: Parsed) -> Option<Rechunked> {
        if let Some(parser) = parsed.parser.take() {
            self.parser.get_or_insert(parser);
        }
        if parsed.edits != self.edits || parsed.base != self.chunks_state {
            return None;
        }
        self.tree = parsed.tree;
        self.chunks = parsed.chunks;
        self.chunks_state = ChunksState::fresh();
        self.pending = Pending::Nothing;
        Some(parsed.how)
    }

    /// The document as it is. Its chunks are those of its text only when it
    /// is not [`Document::is_stale`].
    pub fn snapshot(&self) -> DocSnapshot {
        DocSnapshot { version: self.version, language: self.language, rope: self.rope.clone(), text: self.text.as_str().into(), chunks: self.chunks.clone() }
    }
}

/// A parse and re-chunk of one document's text, made by
/// [`Document::parse_job`], run anywhere, installed by [`Document::install`].
pub struct ParseJob {
    edits: u64,
    /// The chunk list `old_chunks` is.
    base: ChunksState,
    language: Language,
    text: String,
    /// The document's parser, unless another job has it.
    parser: Option<Parser>,
    /// The tree of the last parse, edited since.
    old_tree: Option<Tree>,
    old_chunks: Arc<Vec<Chunk>>,
    /// The edits since the last parse; `None`: chunk the whole text.
    edit: Option<EditSummary>,
    max_bytes: usize,
}

/// What a [`ParseJob`] produced.
pub struct Parsed {
    edits: u64,
    base: ChunksState,
    text: String,
    parser: Option<Parser>,
    tree: Option<Tree>,
    chunks: Arc<Vec<Chunk>>,
    how: Rechunked,
}

impl ParseJob {
    /// Parses the text (incrementally when there is an edited old tree) and
    /// re-chunks it: only around the edits when the old chunks came from the
    /// old tree, else all of it. Buffers too large or binary get no chunks.
    pub fn run(self) -> Parsed {
        let ParseJob { edits, base, language, text, mut parser, old_tree, mut old_chunks, edit, max_bytes } = self;
        if unindexable_reason(&text, max_bytes).is_some() {
            return Parsed { edits, base, text, parser, tree: None, chunks: Arc::default(), how: Rechunked::Whole };
        }
        if parser.is_none() {
            parser = language.grammar().and_then(|g| {
                let mut p = Parser::new();
                p.set_language(&g).ok().map(|_| p)
            });
        }
        let tree = parser.as_mut().and_then(|p| p.parse(&text, old_tree.as_ref()));
        let (chunks, how) = match (&tree, &old_tree, edit) {
            (Some(tree), Some(old_tree), Some(mut edit)) => {
                for changed in old_tree.changed_ranges(tree) {
                    edit.add_dirty(changed.start_byte..changed.end_byte);
                }
                // In place unless someone else still holds the chunks.
                let how = chunk::rechunk_tree_in_place(language, Arc::make_mut(&mut old_chunks), tree, &text, &edit);
                (old_chunks, how)
            }
            (Some(tree), _, _) => (Arc::new(chunk::chunk_tree(language, tree, &text)), Rechunked::Whole),
            (None, _, _) => (Arc::new(chunk::chunk_source(language, &text)), Rechunked::Whole),
        };
        Parsed { edits, base, text, parser, tree, chunks, how }
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
    fn edits_wait_for_a_reparse_and_an_overtaken_parse_is_not_installed() {
        let src = "fn a() {\n    1\n}\n";
        let mut doc = Document::unparsed(Some(Language::Rust), src.into(), 1, 1 << 20);
        assert!(doc.is_stale() && doc.chunks().is_empty());
        assert_eq!(doc.reparse(), Some(Rechunked::Whole));
        assert!(!doc.is_stale() && doc.reparse().is_none());
        doc.edit(&[change(0, 0, 0, 0, "fn b() {}\n\n")], 2, Encoding::Utf16);
        assert!(doc.is_stale());
        assert_eq!(doc.chunks().len(), 1, "the chunks stay those of the last parse");
        let job = doc.parse_job().unwrap();
        doc.edit(&[change(0, 0, 0, 0, "fn c() {}\n\n")], 3, Encoding::Utf16);
        assert!(doc.install(job.run()).is_none(), "a parse of an older text was installed");
        // Both edits in one parse, around them.
        let job = doc.parse_job().unwrap();
        assert!(matches!(doc.install(job.run()), Some(Rechunked::Region { .. })));
        assert_eq!(*doc.chunks().as_ref(), chunk::chunk_source(Language::Rust, doc.text()));
        assert_eq!(doc.chunks().len(), 3);
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

/// What the tests check after every edit: the chunks equal chunking the
/// document's own tree from scratch (what incremental re-extraction must
/// preserve exactly) and, when that tree has no syntax error, equal chunking
/// the text from scratch. (An incremental reparse of text with a syntax error
/// may recover from it differently than a fresh parse, so there the fresh
/// parse's chunks can differ; once the text parses cleanly they agree.)
#[cfg(test)]
pub(crate) fn check_chunks(doc: &Document) -> Result<(), String> {
    let (Some(language), Some(tree)) = (doc.language, doc.tree.as_ref()) else { return Ok(()) };
    let own = chunk::chunk_tree(language, tree, &doc.text);
    if doc.chunks.as_ref() != &own {
        return Err(format!("{language:?}: incremental chunks differ from chunking the same tree\nincremental: {:#?}\nwhole tree: {own:#?}", doc.chunks));
    }
    if !tree.root_node().has_error() {
        let scratch = chunk::chunk_source(language, &doc.text);
        if own != scratch {
            return Err(format!("{language:?}: chunks of an error-free incremental tree differ from a fresh parse\nincremental: {own:#?}\nfresh: {scratch:#?}"));
        }
    }
    Ok(())
}

/// The chunker's fixtures: a real source file per supported language.
#[cfg(test)]
fn fixture_sources() -> Vec<(Language, &'static str)> {
    use crate::chunk::tests::{compiled, dynamic, scripting, systems};
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
        (Language::CSharp, compiled::CSHARP),
        (Language::Haskell, compiled::HASKELL),
        (Language::Kotlin, compiled::KOTLIN),
        (Language::Scala, compiled::SCALA),
        (Language::Swift, compiled::SWIFT),
        (Language::Zig, compiled::ZIG),
        (Language::Shell, dynamic::SHELL),
        (Language::Elixir, dynamic::ELIXIR),
        (Language::Lua, dynamic::LUA),
        (Language::Php, dynamic::PHP),
        (Language::Ruby, dynamic::RUBY),
    ]
}

/// The [fixtures](fixture_sources) and files that are one big container each
/// (see [`container_sources`]): the first nine fixtures, the containers, the
/// other fixtures, so that the indexes in proptest-regressions/ keep pointing
/// at the sources they were found with.
#[cfg(test)]
fn property_sources() -> Vec<(Language, String)> {
    let mut fixtures = fixture_sources().into_iter().map(|(l, s)| (l, s.to_string()));
    let first: Vec<_> = fixtures.by_ref().take(9).collect();
    first.into_iter().chain(container_sources()).chain(fixtures).collect()
}

/// How many [`property_sources`] there are.
#[cfg(test)]
const PROPERTY_SOURCES: usize = 35;

/// Files holding one container too big to be a single chunk (over 120 lines:
/// its chunk is only its header, its members are chunks of their own), with
/// fields and doc comments between the members, some with a comment on the
/// closing line or a statement after it: where an edit must not re-extract
/// the whole container.
#[cfg(test)]
fn container_sources() -> Vec<(Language, String)> {
    let members = |member: &dyn Fn(usize) -> String| (0..30).map(member).collect::<String>();
    vec![
        (
            Language::Rust,
            format!(
                "use std::fmt;\n\n/// Tests.\n#[cfg(test)]\nmod tests {{\n    use super::*;\n\n{}}}\n\nimpl Config {{\n{}}} // impl Config\n\nconst LAST: u32 = 1;\n",
                members(&|i| format!("    /// Checks {i}.\n    #[test]\n    fn checks_{i}() {{\n        assert_eq!(add({i}, 1), {});\n    }}\n\n", i + 1)),
                members(&|i| format!("    /// Gets {i}.\n    pub fn get_{i}(&self) -> u32 {{\n        self.values[{i}]\n    }}\n\n")),
            ),
        ),
        (
            Language::Java,
            format!(
                "package big;\n\n/** Many methods. */\npublic class Big {{\n    private int count;\n\n{}    private int last;\n}}\n",
                members(&|i| format!("    /** Adds {i}. */\n    public int add{i}(int a) {{\n        return a + {i};\n    }}\n\n{}", if i % 7 == 3 { format!("    private int field{i} = {i};\n\n") } else { String::new() })),
            ),
        ),
        (
            Language::TypeScript,
            format!(
                "import {{ x }} from './x';\n\nexport class Big {{\n  count = 0;\n\n{}}}\n\nexport default Big;\n",
                members(&|i| format!("  /** Adds {i}. */\n  add{i}(a: number): number {{\n    return a + {i};\n  }}\n\n")),
            ),
        ),
        (
            Language::Python,
            format!(
                "import os\n\n\nclass Big:\n    \"\"\"Many methods.\"\"\"\n\n    count = 0\n\n{}\nBIG = Big()\n",
                members(&|i| format!("    def add_{i}(self, a):\n        \"\"\"Adds {i}.\"\"\"\n        return a + {i}\n\n")),
            ),
        ),
        (
            Language::Cpp,
            format!(
                "#include <string>\n\nnamespace big {{\n\n{}}}  // namespace big\n\nint after = 0;\n",
                members(&|i| format!("// Adds {i}.\nint add{i}(int a) {{\n    return a + {i};\n}}\n\n")),
            ),
        ),
        (
            Language::JavaScript,
            format!(
                "'use strict';\n\nclass Big {{\n{}}}\n\nmodule.exports = make;\n\nfunction make() {{\n  return new Big();\n}}\n",
                members(&|i| format!("  // Adds {i}.\n  add{i}(a) {{\n    return a + {i};\n  }}\n\n")),
            ),
        ),
            (
            Language::CSharp,
            format!(
                "using System;\n\n/// <summary>Many methods.</summary>\npublic class Big\n{{\n    private int count;\n\n{}    private int last;\n}}\n",
                members(&|i| format!("    /// <summary>Adds {i}.</summary>\n    public int Add{i}(int a)\n    {{\n        return a + {i};\n    }}\n\n{}", if i % 7 == 3 { format!("    private int field{i} = {i};\n\n") } else { String::new() })),
            ),
        ),
        (
            Language::Kotlin,
            format!(
                "package big\n\n/** Many methods. */\nclass Big {{\n    private var count = 0\n\n{}}} // class Big\n\nval BIG = Big()\n",
                members(&|i| format!("    /** Adds {i}. */\n    fun add{i}(a: Int): Int {{\n        return a + {i}\n    }}\n\n{}", if i % 7 == 3 { format!("    private val field{i} = {i}\n\n") } else { String::new() })),
            ),
        ),
        (
            Language::Scala,
            format!(
                "package big\n\n/** Many methods. */\nobject Big {{\n  private var count = 0\n\n{}}}\n\nval last = 1\n",
                members(&|i| format!("  /** Adds {i}. */\n  def add{i}(a: Int): Int = {{\n    a + {i}\n  }}\n\n")),
            ),
        ),
        (
            Language::Swift,
            format!(
                "import Foundation\n\n/// Many methods.\nstruct Big {{\n    var count = 0\n\n{}}}\n\nlet big = Big()\n",
                members(&|i| format!("    /// Adds {i}.\n    func add{i}(_ a: Int) -> Int {{\n        return a + {i}\n    }}\n\n")),
            ),
        ),
        (
            Language::Zig,
            format!(
                "const std = @import(\"std\");\n\n/// Many functions.\npub const Big = struct {{\n    count: u32,\n\n{}}};\n\nconst last = 1;\n",
                members(&|i| format!("    /// Adds {i}.\n    pub fn add{i}(a: u32) u32 {{\n        return a + {i};\n    }}\n\n")),
            ),
        ),
        (
            Language::Php,
            format!(
                "<?php\n\n/** Many methods. */\nclass Big\n{{\n    private int $count = 0;\n\n{}}}\n\n$big = new Big();\n",
                members(&|i| format!("    /** Adds {i}. */\n    public function add{i}(int $a): int\n    {{\n        return $a + {i};\n    }}\n\n")),
            ),
        ),
        (
            Language::Ruby,
            format!(
                "require \"set\"\n\n# Many methods.\nclass Big\n  attr_reader :count\n\n{}end\n\nBIG = Big.new\n",
                members(&|i| format!("  # Adds {i}.\n  def add_{i}(a)\n    a + {i}\n  end\n\n")),
            ),
        ),
        (
            Language::Elixir,
            format!(
                "defmodule Big do\n  @moduledoc \"Many functions.\"\n\n{}end\n\nBig.add_1(1)\n",
                members(&|i| format!("  @doc \"Adds {i}.\"\n  def add_{i}(a) do\n    a + {i}\n  end\n\n")),
            ),
        ),
        (
            Language::Haskell,
            format!(
                "module Big where\n\nclass Big a where\n  count :: a -> Int\n\n{}\nlast :: Int\nlast = 1\n",
                members(&|i| format!("  -- | Adds {i}.\n  add{i} :: a -> Int -> Int\n  add{i} _ n = n + {i}\n\n")),
            ),
        ),
    ]
}

/// Random edit sequences on real source in every language: the document
/// followed edit by edit (rope, text, incrementally reparsed tree, chunks)
/// must equal the final text chunked from scratch.
#[cfg(test)]
mod property {
    use proptest::prelude::*;

    use super::property_sources as sources;
    use super::*;
    use crate::position::pos_of_char;

    const PIECES: &[&str] = &["", "x", "\n", "\r\n", "{", "}", "(", ")", " ", "fn f() {}\n", "def g():\n    pass\n", "class K {}\n", "/// doc\n", "// c\n", "é", "😀", "\"", "'", "return 1;", "\n\n\n", "int main() { return 0; }\n"];

    /// (start fraction, length in chars, replacement pieces, whether the
    /// change is sent in the same notification as the one before)
    fn edit() -> impl Strategy<Value = (f64, usize, Vec<usize>, bool)> {
        (0.0f64..=1.0, 0usize..40, proptest::collection::vec(0..PIECES.len(), 0..4), proptest::bool::weighted(0.3))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 100, .. ProptestConfig::default() })]
        #[test]
        fn incremental_chunks_equal_chunks_from_scratch(which in 0usize..PROPERTY_SOURCES, edits in proptest::collection::vec(edit(), 1..25), utf8 in any::<bool>()) {
            let (language, source) = sources().swap_remove(which);
            let enc = if utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
            let mut doc = Document::open(Some(language), source.clone(), 1, 1 << 20);
            let mut expected: Vec<char> = source.chars().collect();
            // Changes of one notification, each in the coordinates left by
            // the one before it (as LSP says).
            let mut batch: Vec<Change> = Vec::new();
            let count = edits.len();
            for (index, (at, len, pieces, joined)) in edits.into_iter().enumerate() {
                if !joined && !batch.is_empty() {
                    doc.apply(&std::mem::take(&mut batch), doc.version() + 1, enc);
                    // After every notification, not only the last: each one
                    // starts from the chunks the one before left.
                    prop_assert_eq!(doc.text(), expected.iter().collect::<String>());
                    if let Err(e) = check_chunks(&doc) {
                        return Err(TestCaseError::fail(e));
                    }
                }
                // An editor position cannot point between the \r and \n of a
                // line break: move such offsets before the \r.
                let off_crlf = |i: usize| if i > 0 && i < expected.len() && expected[i - 1] == '\r' && expected[i] == '\n' { i - 1 } else { i };
                let start = off_crlf(((expected.len() as f64) * at) as usize);
                let end = off_crlf((start + len).min(expected.len())).max(start);
                let text: String = pieces.iter().map(|&i| PIECES[i]).collect();
                let rope = Rope::from_str(&expected.iter().collect::<String>());
                batch.push(Change { range: Some((pos_of_char(&rope, start, enc), pos_of_char(&rope, end, enc))), text: text.clone() });
                expected.splice(start..end, text.chars());
                if index + 1 == count {
                    doc.apply(&std::mem::take(&mut batch), doc.version() + 1, enc);
                }
            }
            let expected: String = expected.into_iter().collect();
            prop_assert_eq!(doc.text(), expected.as_str());
            prop_assert_eq!(doc.rope().to_string(), expected);
            if let Err(e) = check_chunks(&doc) {
                return Err(TestCaseError::fail(e));
            }
        }
    }
}

/// Edits as people make them (typing a function, renaming, deleting lines,
/// adding doc comments) on files of many definitions: the chunks stay equal to
/// chunking from scratch after every keystroke, and most keystrokes re-chunk
/// only a small region.
#[cfg(test)]
mod typing {
    use super::property_sources as sources;
    use super::*;
    use crate::position::pos_of_char;

    /// The fixture eight times over, so there is something outside a region;
    /// a Haskell module header and its imports only once (a second one
    /// would turn the rest of the file into a syntax error).
    fn big(language: Language, source: &str) -> String {
        let body = match language {
            Language::Haskell => source.find("\n\n-- |").map_or(source, |at| &source[at + 2..]),
            _ => source,
        };
        let mut copies = [body; 8];
        copies[0] = source;
        copies.join("\n")
    }

    /// Types `text` at char offset `at`, one char per change, as an editor
    /// with auto-closing brackets does: `{` inserts `{}`, and typing the
    /// closing bracket then only steps over it. Returns how many changes
    /// re-chunked a region smaller than `1 / share` of the file, and how many
    /// there were.
    fn type_in(doc: &mut Document, at: usize, text: &str, share: usize) -> (usize, usize) {
        let (mut small, mut total) = (0, 0);
        let mut cursor = at;
        for (i, ch) in text.char_indices() {
            let closing = match ch {
                '{' => Some('}'),
                '(' => Some(')'),
                '[' => Some(']'),
                _ => None,
            };
            let next = doc.rope().get_char(cursor);
            cursor += 1;
            if matches!(ch, '}' | ')' | ']') && next == Some(ch) {
                continue;
            }
            let pos = pos_of_char(doc.rope(), cursor - 1, Encoding::Utf16);
            let typed: String = std::iter::once(ch).chain(closing).collect();
            let how = doc.apply(&[Change { range: Some((pos, pos)), text: typed }], doc.version() + 1, Encoding::Utf16);
            if let Err(e) = check_chunks(doc) {
                panic!("after typing {:?}: {e}", &text[..i + ch.len_utf8()]);
            }
            total += 1;
            if matches!(how, Rechunked::Region { bytes, .. } if bytes.len() * share < doc.text().len()) {
                small += 1;
            }
        }
        (small, total)
    }

    fn delete(doc: &mut Document, chars: std::ops::Range<usize>) {
        let range = (pos_of_char(doc.rope(), chars.start, Encoding::Utf16), pos_of_char(doc.rope(), chars.end, Encoding::Utf16));
        doc.apply(&[Change { range: Some(range), text: String::new() }], doc.version() + 1, Encoding::Utf16);
        if let Err(e) = check_chunks(doc) {
            panic!("after deleting {chars:?}: {e}");
        }
    }

    const NEW_CODE: &[(Language, &str)] = &[
        (Language::Rust, "/// Reads the settings.\nfn read_settings(path: &str) -> String {\n    std::fs::read_to_string(path).unwrap_or_default()\n}\n\n"),
        (Language::Python, "def read_settings(path):\n    \"\"\"Reads the settings.\"\"\"\n    with open(path) as f:\n        return f.read()\n\n"),
        (Language::JavaScript, "// Reads the settings.\nfunction readSettings(path) {\n  return fs.readFileSync(path, 'utf8');\n}\n\n"),
        (Language::TypeScript, "/** Reads the settings. */\nexport function readSettings(path: string): string {\n  return fs.readFileSync(path, 'utf8');\n}\n\n"),
        (Language::Go, "// ReadSettings reads the settings.\nfunc ReadSettings(path string) string {\n\tb, _ := os.ReadFile(path)\n\treturn string(b)\n}\n\n"),
        (Language::Java, "class Settings {\n    String read(String path) throws Exception {\n        return Files.readString(Path.of(path));\n    }\n}\n\n"),
        (Language::C, "/* Reads the settings. */\nint read_settings(const char *path) {\n    return open(path, 0);\n}\n\n"),
        (Language::Cpp, "// Reads the settings.\nstd::string readSettings(const std::string& path) {\n    return slurp(path);\n}\n\n"),
        (Language::CSharp, "/// <summary>Reads the settings.</summary>\npublic static class Settings\n{\n    public static string Read(string path)\n    {\n        return File.ReadAllText(path);\n    }\n}\n\n"),
        (Language::Haskell, "-- | Reads the settings.\nreadSettings :: FilePath -> IO String\nreadSettings path = readFile path\n\n"),
        (Language::Kotlin, "/** Reads the settings. */\nfun readSettings(path: String): String {\n    return File(path).readText()\n}\n\n"),
        (Language::Scala, "/** Reads the settings. */\ndef readSettings(path: String): String = {\n  scala.io.Source.fromFile(path).mkString\n}\n\n"),
        (Language::Swift, "/// Reads the settings.\nfunc readSettings(_ path: String) throws -> String {\n    return try String(contentsOfFile: path)\n}\n\n"),
        (Language::Zig, "/// Reads the settings.\npub fn readSettings(path: []const u8) ![]const u8 {\n    return path;\n}\n\n"),
        (Language::Shell, "# Reads the settings.\nread_settings() {\n  cat \"$1\"\n}\n\n"),
        // Typed as editors do with brackets only: until its `do … end` or
        // string were closed by hand, the rest of the file would be inside.
        (Language::Elixir, "@doc false\ndef read_settings(path), do: File.read!(path)\n\n"),
        (Language::Lua, "--- Reads the settings.\nfunction M.read_settings(path)\n  return io.open(path):read(\"a\")\nend\n\n"),
        (Language::Php, "/** Reads the settings. */\nfunction read_settings(string $path): string\n{\n    return file_get_contents($path);\n}\n\n"),
        (Language::Ruby, "# Reads the settings.\ndef read_settings(path)\n  File.read(path)\nend\n\n"),
    ];

    #[test]
    fn typing_renaming_and_deleting_match_scratch_and_stay_local() {
        for &(language, code) in NEW_CODE {
            let source = big(language, fixture_sources().into_iter().find(|(l, _)| *l == language).map_or("", |(_, s)| s));
            let mut doc = Document::open(Some(language), source.clone(), 1, 1 << 20);
            // Type a whole function in the middle of the file, at a line start.
            let middle = source[..source.len() / 2].rfind("\n\n").map_or(0, |i| i + 2);
            let at = source[..middle].chars().count();
            let (small, total) = type_in(&mut doc, at, code, 2);
            assert!(small * 2 > total, "{language:?}: only {small} of {total} keystrokes re-chunked a small region");
            // Rename: delete the name and type another one.
            let name_at = doc.text().find("ead").map(|b| doc.text()[..b].chars().count()).unwrap_or(0);
            delete(&mut doc, name_at..name_at + 3);
            type_in(&mut doc, name_at, "oad", 2);
            // Delete the first half of what was typed, then the rest.
            let half = code.chars().count() / 2;
            delete(&mut doc, at..at + half);
            delete(&mut doc, at..at + code.chars().count() - half);
            assert_eq!(doc.text().replace("oad", "ead"), source.replace("oad", "ead"));
        }
    }

    const NEW_MEMBERS: &[(Language, &str)] = &[
        (Language::Rust, "    /// Reads the settings.\n    fn read_settings(path: &str) -> String {\n        std::fs::read_to_string(path).unwrap_or_default()\n    }\n\n"),
        (Language::Java, "    /** Reads the settings. */\n    String readSettings(String path) throws Exception {\n        return Files.readString(Path.of(path));\n    }\n\n"),
        (Language::TypeScript, "  /** Reads the settings. */\n  readSettings(path: string): string {\n    return fs.readFileSync(path, 'utf8');\n  }\n\n"),
        (Language::Python, "    def read_settings(self, path):\n        with open(path) as f:\n            return f.read()\n\n"),
        (Language::Cpp, "// Reads the settings.\nint readSettings(const char* path) {\n    return open(path, 0);\n}\n\n"),
        (Language::JavaScript, "  // Reads the settings.\n  readSettings(path) {\n    return fs.readFileSync(path, 'utf8');\n  }\n\n"),
        (Language::CSharp, "    /// <summary>Reads the settings.</summary>\n    public string ReadSettings(string path)\n    {\n        return File.ReadAllText(path);\n    }\n\n"),
        (Language::Kotlin, "    /** Reads the settings. */\n    fun readSettings(path: String): String {\n        return File(path).readText()\n    }\n\n"),
        (Language::Scala, "  /** Reads the settings. */\n  def readSettings(path: String): String = {\n    scala.io.Source.fromFile(path).mkString\n  }\n\n"),
        (Language::Swift, "    /// Reads the settings.\n    func readSettings(_ path: String) throws -> String {\n        return try String(contentsOfFile: path)\n    }\n\n"),
        (Language::Zig, "    /// Reads the settings.\n    pub fn readSettings(path: []const u8) []const u8 {\n        return path;\n    }\n\n"),
        (Language::Php, "    /** Reads the settings. */\n    public function readSettings(string $path): string\n    {\n        return file_get_contents($path);\n    }\n\n"),
        // One-line definitions (see Elixir in NEW_CODE).
        (Language::Ruby, "  # Reads the settings.\n  def read_settings(path) = File.read(path)\n\n"),
        (Language::Elixir, "  @doc false\n  def read_settings(path), do: File.read!(path)\n\n"),
        (Language::Haskell, "  -- | Reads the settings.\n  readSettings :: a -> FilePath -> IO String\n  readSettings _ path = readFile path\n\n"),
    ];

    #[test]
    fn typing_inside_a_big_container_re_extracts_only_around_the_edit() {
        assert_eq!(sources().len(), PROPERTY_SOURCES);
        for (language, source) in container_sources() {
            let code = NEW_MEMBERS.iter().find(|(l, _)| *l == language).map(|(_, c)| *c).unwrap_or_default();
            let mut doc = Document::open(Some(language), source.clone(), 1, 1 << 20);
            // Between two members in the middle of the container.
            let middle = source.find("15").and_then(|b| source[..b].rfind('\n')).map_or(0, |i| i + 1);
            let at = source[..middle].chars().count();
            let (small, total) = type_in(&mut doc, at, code, 10);
            assert!(small * 2 > total, "{language:?}: only {small} of {total} keystrokes re-chunked less than a tenth of the file");
            // Edit the last member, next to the closing bracket.
            let last = doc.text().rfind("29").map(|b| doc.text()[..b].chars().count()).unwrap_or(0);
            let (small, total) = type_in(&mut doc, last, "0", 10);
            assert_eq!((small, total), (1, 1), "{language:?}: an edit in the last member re-chunked more than a tenth of the file");
            delete(&mut doc, at..at + code.chars().count());
            delete(&mut doc, last - code.chars().count()..last - code.chars().count() + 1);
            assert_eq!(doc.text(), source);
        }
    }
}

