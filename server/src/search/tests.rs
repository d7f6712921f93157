//! Tests of the index and its answers.

use super::*;
use crate::chunk::ChunkKind;
use crate::embed::StubEmbedder;
use crate::lexical::terms;

fn stored(name: &str, kind: ChunkKind, lines: (u32, u32), text: &str) -> StoredChunk {
    StoredChunk {
        kind,
        name: Some(name.into()),
        container: None,
        start_byte: 0,
        end_byte: 0,
        start_line: lines.0,
        end_line: lines.1,
        text_hash: *blake3::hash(text.as_bytes()).as_bytes(),
        terms: terms(&format!("{name} {text}")).join(" "),
        preview: text.into(),
        test: false,
    }
}

fn index_with(files: &[(&str, Language, Vec<(&str, ChunkKind, (u32, u32), &str)>)]) -> SearchIndex {
    let mut idx = SearchIndex::new();
    for (path, lang, chunks) in files {
        let texts: HashMap<TextHash, String> = chunks.iter().map(|c| (*blake3::hash(c.3.as_bytes()).as_bytes(), c.3.to_string())).collect();
        let stored = chunks.iter().map(|c| stored(c.0, c.1, c.2, c.3)).collect();
        idx.set_file(path, *lang, stored, |h| texts.get(h).map(|t| StubEmbedder::vector(t)));
    }
    idx
}

#[test]
fn a_splice_leaves_the_index_as_setting_the_whole_file_would() {
    let vector = |h: &TextHash| Some(StubEmbedder::vector(&format!("{h:?}")));
    let at = |c: StoredChunk, bytes: (u32, u32)| StoredChunk { start_byte: bytes.0, end_byte: bytes.1, ..c };
    let old = vec![
        at(stored("open_file", ChunkKind::Function, (0, 3), "open a file"), (0, 40)),
        at(stored("parse", ChunkKind::Function, (5, 9), "parse tokens"), (42, 90)),
        at(stored("retry", ChunkKind::Function, (11, 14), "retry uploads"), (92, 130)),
        at(stored("close", ChunkKind::Function, (16, 18), "close socket"), (132, 160)),
    ];
    // `parse` became two functions, one line and 12 bytes longer.
    let inserted = vec![
        at(stored("parse", ChunkKind::Function, (5, 7), "parse tokens fast"), (42, 70)),
        at(stored("lex", ChunkKind::Function, (8, 10), "split words"), (72, 102)),
    ];
    let splice = Splice { at: 1, removed: 1, inserted: 2, byte_delta: 12, line_delta: 1 };
    let new: Vec<StoredChunk> = vec![old[0].clone(), inserted[0].clone(), inserted[1].clone(), at(stored("retry", ChunkKind::Function, (12, 15), "retry uploads"), (104, 142)), at(stored("close", ChunkKind::Function, (17, 19), "close socket"), (144, 172))];

    let (before, after) = (ChunksState::fresh(), ChunksState::fresh());
    let mut spliced = SearchIndex::new();
    spliced.set_buffer_file("a.rs", before, Language::Rust, old.clone(), vector);
    let untouched: Vec<usize> = vec![spliced.chunks_of("a.rs")[0], spliced.chunks_of("a.rs")[2], spliced.chunks_of("a.rs")[3]];
    assert!(spliced.splice_file("a.rs", Language::Rust, &splice, before, after, inserted.clone(), vector));
    let mut whole = SearchIndex::new();
    whole.set_file("a.rs", Language::Rust, new.clone(), vector);

    let stored_of = |idx: &SearchIndex| idx.chunks_of("a.rs").iter().map(|&id| idx.chunk(id).chunk.clone()).collect::<Vec<_>>();
    // The index keeps a chunk's words only in its BM25 index.
    let new: Vec<StoredChunk> = new.into_iter().map(|c| StoredChunk { terms: String::new(), ..c }).collect();
    assert_eq!(stored_of(&spliced), new);
    assert_eq!(stored_of(&spliced), stored_of(&whole));
    assert_eq!((spliced.len(), spliced.vector_count()), (whole.len(), whole.vector_count()));
    // The chunks outside the splice kept their slots.
    let ids = spliced.chunks_of("a.rs");
    assert_eq!(vec![ids[0], ids[3], ids[4]], untouched);
    // And both answer alike.
    let query = StubEmbedder::vector("split words");
    assert_eq!(names(&spliced, &spliced.search(&query, "split words", &Filters::default(), &RankConfig::default(), 3)), names(&whole, &whole.search(&query, "split words", &Filters::default(), &RankConfig::default(), 3)));
    // A splice that does not start from what the index holds changes nothing.
    assert!(!spliced.splice_file("a.rs", Language::Rust, &splice, before, ChunksState::fresh(), inserted, vector));
    assert_eq!(stored_of(&spliced), new);
}

/// The range race of a live buffer: a splice that only shifts chunks
/// keeps the file's chunk count, so a count cannot tell that it was laid
/// already. Laid a second time it would move every chunk after it again.
#[test]
fn a_splice_is_laid_only_over_the_chunk_list_it_was_computed_from() {
    let vector = |h: &TextHash| Some(StubEmbedder::vector(&format!("{h:?}")));
    let old = vec![stored("open_file", ChunkKind::Function, (0, 3), "open a file"), stored("parse", ChunkKind::Function, (5, 9), "parse tokens")];
    // Ten lines inserted above everything.
    let splice = Splice { at: 0, removed: 0, inserted: 0, byte_delta: 10, line_delta: 10 };
    let (base, shifted) = (ChunksState::fresh(), ChunksState::fresh());
    let mut idx = SearchIndex::new();
    idx.set_buffer_file("a.rs", base, Language::Rust, old.clone(), vector);
    assert!(idx.splice_file("a.rs", Language::Rust, &splice, base, shifted, vec![], vector));
    let lines = |idx: &SearchIndex| idx.chunks_of("a.rs").iter().map(|&id| idx.chunk(id).chunk.start_line).collect::<Vec<_>>();
    assert_eq!(lines(&idx), [10, 15]);
    assert!(!idx.splice_file("a.rs", Language::Rust, &splice, base, ChunksState::fresh(), vec![], vector), "laid twice");
    assert_eq!(lines(&idx), [10, 15]);
    // Chunks from the disk are no buffer's list: no splice fits them.
    idx.set_file("a.rs", Language::Rust, old, vector);
    assert!(!idx.splice_file("a.rs", Language::Rust, &splice, shifted, ChunksState::fresh(), vec![], vector));
    assert_eq!(lines(&idx), [0, 5]);
}

#[test]
fn a_word_ranking_made_before_the_chunks_changed_is_made_again() {
    let mut idx = index_with(&[("a.rs", Language::Rust, vec![("load_config", ChunkKind::Function, (0, 9), "read the config file")])]);
    let words = idx.rank_words("config", &Filters::default(), &RankConfig::default(), 5);
    // While the query is embedded, a.rs goes and b.rs comes.
    idx.remove_file("a.rs");
    let text = "parse config values";
    idx.set_file("b.rs", Language::Rust, vec![stored("parse_config", ChunkKind::Function, (0, 4), text)], |_| Some(StubEmbedder::vector(text)));
    let query = StubEmbedder::vector("config");
    let hits = idx.search_ranked(&query, &[], &words, "config", &Filters::default(), &RankConfig::default(), 5);
    assert_eq!(names(&idx, &hits), ["parse_config"]);
    // Made after the change, the ranking is used as it is.
    let words = idx.rank_words("config", &Filters::default(), &RankConfig::default(), 5);
    assert_eq!(names(&idx, &idx.search_ranked(&query, &[], &words, "config", &Filters::default(), &RankConfig::default(), 5)), ["parse_config"]);
}

/// A symbol query's answer is its definition, often the longest chunk that
/// names it; BM25's usual length discount would put a short chunk that only
/// mentions it first. A query in words keeps the usual discount.
#[test]
fn a_symbol_query_discounts_a_long_definition_less_than_a_query_in_words() {
    let definition = format!("ConfigDict ConfigDict ConfigDict {}", ["value"; 50].join(" "));
    let idx = index_with(&[
        ("config.py", Language::Python, vec![("ConfigDict", ChunkKind::Class, (0, 60), definition.as_str())]),
        ("main.py", Language::Python, vec![("build", ChunkKind::Function, (0, 1), "ConfigDict x"), ("run", ChunkKind::Function, (2, 3), "start the loop"), ("stop", ChunkKind::Function, (4, 5), "end the loop")]),
    ]);
    let first = |query: &str, config: &RankConfig| {
        let words = idx.rank_words(query, &Filters::default(), config, 5);
        idx.chunk(words.ids[0].0).chunk.name.clone().unwrap()
    };
    let usual = RankConfig::parse("b-symbol=0.75").unwrap();
    assert_eq!(first("ConfigDict", &RankConfig::default()), "ConfigDict");
    assert_eq!(first("ConfigDict", &usual), "build", "with the usual discount the mention comes first");
    assert_eq!(first("where is ConfigDict built", &RankConfig::default()), "build", "a query in words");
    assert_eq!(first("where is ConfigDict built", &RankConfig::parse("b=0.4").unwrap()), "ConfigDict");
}

fn names(idx: &SearchIndex, hits: &[Hit]) -> Vec<String> {
    hits.iter().map(|h| idx.chunk(h.chunk).chunk.name.clone().unwrap()).collect()
}

#[test]
fn finds_by_meaning_and_by_name_and_filters_first() {
    let idx = index_with(&[
        ("src/a.rs", Language::Rust, vec![("load_config", ChunkKind::Function, (0, 9), "read settings file from disk"), ("draw", ChunkKind::Function, (10, 20), "paint widgets frame")]),
        ("web/b.py", Language::Python, vec![("load_settings", ChunkKind::Function, (0, 5), "read settings file from disk parse")]),
    ]);
    let q = StubEmbedder::vector("read settings from disk");
    let hits = idx.search(&q, "read settings from disk", &Filters::default(), &RankConfig::default(), 10);
    assert_eq!(names(&idx, &hits)[..2].iter().filter(|n| n.starts_with("load")).count(), 2);
    let only_py = Filters { languages: vec![Language::Python], ..Filters::default() };
    assert_eq!(names(&idx, &idx.search(&q, "read settings", &only_py, &RankConfig::default(), 10)), ["load_settings"]);
    let glob = globset::GlobSetBuilder::new().add(globset::Glob::new("src/**").unwrap()).build().unwrap();
    let only_src = Filters { globs: Some(glob), ..Filters::default() };
    assert!(names(&idx, &idx.search(&q, "read settings", &only_src, &RankConfig::default(), 10)).iter().all(|n| n != "load_settings"));
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn similar_never_returns_the_query_or_overlaps() {
    let idx = index_with(&[(
        "a.rs",
        Language::Rust,
        vec![("f", ChunkKind::Function, (0, 9), "retry failed upload"), ("g", ChunkKind::Function, (5, 12), "retry failed upload again"), ("h", ChunkKind::Function, (20, 30), "retry upload")],
    )]);
    let v = StubEmbedder::vector("retry failed upload");
    let hits = idx.similar(&v, &Exclude { path: "a.rs".into(), start_line: 0, end_line: 9 }, &Filters::default(), 10);
    assert_eq!(names(&idx, &hits), ["h"]);
}

#[test]
fn windows_of_one_definition_are_deduplicated() {
    let idx = index_with(&[("a.rs", Language::Rust, vec![("big", ChunkKind::Function, (0, 59), "parse tokens stream"), ("big", ChunkKind::Function, (60, 119), "parse tokens stream more"), ("other", ChunkKind::Function, (130, 140), "parse tokens")])]);
    let q = StubEmbedder::vector("parse tokens stream");
    let hits = idx.search(&q, "parse tokens stream", &Filters::default(), &RankConfig::default(), 10);
    assert_eq!(names(&idx, &hits), ["big", "other"]);
}

#[test]
fn replacing_a_file_keeps_the_slots_of_chunks_whose_text_did_not_change() {
    let mut idx = SearchIndex::new();
    let texts = ["alpha one", "beta two", "gamma three"];
    let file = |shift: u32, middle: &str| -> Vec<StoredChunk> {
        let mut chunks: Vec<StoredChunk> = [texts[0], middle, texts[2]]
            .iter()
            .enumerate()
            .map(|(i, t)| stored(&format!("f{i}"), ChunkKind::Function, (i as u32 * 10 + shift, i as u32 * 10 + shift + 5), t))
            .collect();
        chunks[0].start_line -= shift; // the first chunk is above the edit
        chunks[0].end_line -= shift;
        chunks
    };
    idx.set_file("a.rs", Language::Rust, file(0, texts[1]), |h| texts.iter().find(|t| *blake3::hash(t.as_bytes()).as_bytes() == *h).map(|t| StubEmbedder::vector(t)));
    assert_eq!((idx.len(), idx.slots(), idx.vector_count()), (3, 3, 3));
    // An edit in the middle chunk that adds two lines: one new slot, the
    // others move.
    idx.set_file("a.rs", Language::Rust, file(2, "beta two, changed"), |_| None);
    assert_eq!((idx.len(), idx.slots(), idx.vector_count()), (3, 4, 2));
    let lines: Vec<(u32, u32)> = idx.chunks_of("a.rs").iter().map(|&id| (idx.chunk(id).chunk.start_line, idx.chunk(id).chunk.end_line)).collect();
    assert_eq!(lines, [(0, 5), (12, 17), (22, 27)]);
    let hits = idx.search(&StubEmbedder::vector("gamma three"), "gamma three", &Filters::default(), &RankConfig::default(), 1);
    assert_eq!(idx.chunk(hits[0].chunk).chunk.start_line, 22);
    assert!(idx.search(&StubEmbedder::vector("beta two"), "beta two changed", &Filters::default(), &RankConfig::default(), 3).iter().any(|h| idx.chunk(h.chunk).chunk.name.as_deref() == Some("f1")));
}

#[test]
fn replacing_a_file_many_times_keeps_memory_bounded() {
    let mut idx = index_with(&[("b.rs", Language::Rust, vec![("keep", ChunkKind::Function, (0, 3), "stable text here")])]);
    for i in 0..3000 {
        let text = format!("edit number {i}");
        idx.set_file("a.rs", Language::Rust, vec![stored("f", ChunkKind::Function, (0, 3), &text)], |_| Some(StubEmbedder::vector(&text)));
    }
    assert_eq!(idx.len(), 2);
    assert!(idx.slots() <= 2 * 2 + 1024 + 1, "slots {}", idx.slots());
    assert!(idx.vectors().rows() <= 2 * 2 + 1024 + 1, "vector rows {}", idx.vectors().rows());
    let hits = idx.search(&StubEmbedder::vector("stable text here"), "stable text", &Filters::default(), &RankConfig::default(), 10);
    assert_eq!(names(&idx, &hits)[0], "keep");
    let last = idx.search(&StubEmbedder::vector("edit number 2999"), "edit number 2999", &Filters::default(), &RankConfig::default(), 1);
    assert_eq!(names(&idx, &last), ["f"]);
    // By words alone, after the compactions renumbered the BM25 documents.
    let words = RankConfig { dense: false, ..RankConfig::default() };
    assert_eq!(names(&idx, &idx.search(&[], "stable", &Filters::default(), &words, 10)), ["keep"]);
    assert_eq!(names(&idx, &idx.search(&[], "2999", &Filters::default(), &words, 10)), ["f"]);
    assert!(idx.search(&[], "2998", &Filters::default(), &words, 10).is_empty(), "a replaced text's words are gone");
}

#[test]
fn removing_and_replacing_files_updates_results() {
    let mut idx = index_with(&[("a.rs", Language::Rust, vec![("f", ChunkKind::Function, (0, 3), "alpha beta")])]);
    assert_eq!(idx.len(), 1);
    idx.set_file("a.rs", Language::Rust, vec![stored("g", ChunkKind::Function, (0, 3), "gamma delta")], |_| Some(StubEmbedder::vector("gamma delta")));
    let hits = idx.search(&StubEmbedder::vector("alpha beta"), "alpha beta", &Filters::default(), &RankConfig::default(), 10);
    assert_eq!(names(&idx, &hits), ["g"]);
    idx.remove_file("a.rs");
    assert!(idx.is_empty());
    assert_eq!(idx.vector_count(), 0);
    assert!(idx.search(&StubEmbedder::vector("gamma"), "gamma", &Filters::default(), &RankConfig::default(), 10).is_empty());
}

#[test]
fn a_file_topic_follows_its_chunks_and_their_vectors() {
    let hash = |text: &str| *blake3::hash(text.as_bytes()).as_bytes();
    let (first, second) = ("retry failed upload", "upload pause grows longer");
    let mut idx = SearchIndex::new();
    idx.set_file("a.rs", Language::Rust, vec![stored("send", ChunkKind::Function, (0, 3), first), stored("wait", ChunkKind::Function, (5, 9), second)], |_| None);
    let query = StubEmbedder::vector(first);
    let near = |idx: &SearchIndex| idx.file_similarities(&["a.rs"], &query)[0];
    assert_eq!(near(&idx), None, "no vector yet");
    idx.add_vector(hash(first), &StubEmbedder::vector(first));
    let one = near(&idx).expect("a topic once a vector came");
    assert!((one - 1.0).abs() < 1e-3, "the mean of one vector is that vector (f16 rounding aside): {one}");
    idx.add_vector(hash(second), &StubEmbedder::vector(second));
    let both = near(&idx).unwrap();
    assert!(both < one - 0.05, "the second vector moved the mean: {one} -> {both}");
    let other = "paint terminal colour";
    idx.set_file("a.rs", Language::Rust, vec![stored("paint", ChunkKind::Function, (0, 3), other)], |_| Some(StubEmbedder::vector(other)));
    assert!(near(&idx).unwrap() < 0.5, "new chunks, new topic: {:?}", near(&idx));
    idx.remove_file("a.rs");
    assert_eq!(near(&idx), None);
}

/// The ranking stage on hand-made candidates: words only (the stub
/// embedder's vectors carry no meaning), each signal checked against the
/// same search with every signal off, so each test fails without its signal.
mod ranking {
    use super::*;

    fn words_only(signals: Signals) -> RankConfig {
        RankConfig { dense: false, signals, ..RankConfig::default() }
    }

    fn top(idx: &SearchIndex, query: &str, signals: Signals, limit: usize) -> Vec<(String, String)> {
        idx.search(&[], query, &Filters::default(), &words_only(signals), limit)
            .iter()
            .map(|h| (idx.chunk(h.chunk).path.to_string(), idx.chunk(h.chunk).chunk.name.clone().unwrap_or_default()))
            .collect()
    }

    #[test]
    fn a_symbol_query_finds_its_definition_before_its_uses() {
        let idx = index_with(&[
            ("src/Reader.java", Language::Java, vec![("JsonReader", ChunkKind::Class, (0, 40), "class JsonReader { peek next token }")]),
            (
                "src/Parser.java",
                Language::Java,
                vec![("parse", ChunkKind::Method, (0, 9), "JsonReader reader = new JsonReader(in); reader.peek(); JsonReader again")],
            ),
        ]);
        assert_eq!(top(&idx, "JsonReader", Signals::NONE, 1)[0].1, "parse", "by words alone the use ranks first");
        assert_eq!(top(&idx, "JsonReader", Signals::ALL, 1)[0].1, "JsonReader");
        // Names compare across styles.
        let styles = index_with(&[
            ("a.rs", Language::Rust, vec![("get_user_by_id", ChunkKind::Function, (0, 3), "fn body")]),
            ("b.rs", Language::Rust, vec![("lookup", ChunkKind::Function, (0, 3), "get user by id get user by id")]),
        ]);
        assert_eq!(top(&styles, "getUserById", Signals::ALL, 1)[0].1, "get_user_by_id");
    }

    #[test]
    fn tests_and_docs_sink_unless_asked_for() {
        let idx = index_with(&[
            ("tests/test_retry.py", Language::Python, vec![("test_retry_upload", ChunkKind::Function, (0, 5), "retry upload retry upload retry")]),
            ("README.md", Language::Markdown, vec![("Retrying", ChunkKind::Section, (0, 5), "retry upload retry upload")]),
            ("src/upload.py", Language::Python, vec![("send", ChunkKind::Function, (0, 9), "retry upload with a growing pause between attempts and give up in the end")]),
        ]);
        assert_ne!(top(&idx, "retry upload", Signals::NONE, 1)[0].0, "src/upload.py");
        assert_eq!(top(&idx, "retry upload", Signals::ALL, 1)[0].0, "src/upload.py");
        assert_eq!(top(&idx, "tests for retry upload", Signals::ALL, 1)[0].0, "tests/test_retry.py");
        assert_eq!(top(&idx, "readme on retry upload", Signals::ALL, 1)[0].0, "README.md");
    }

    /// Issue 26: a helper inside a `#[cfg(test)]` module of a source file
    /// ranked first for the quick start's own query, above the function it
    /// asked for. A chunk that says it is test code sinks as a chunk of a
    /// test file does, unless the query asks for tests. (The fixture's words
    /// are not the quick start's: they would be indexed with this file.)
    #[test]
    fn test_code_in_a_source_file_sinks_like_a_test_file() {
        let index = |test_code: bool| {
            let mut idx = SearchIndex::new();
            let helper = "fn settings file read from disk settings file disk";
            let real = "fn load_settings read the settings file from disk and parse its values";
            let texts = [helper, real];
            let vector = |h: &TextHash| texts.iter().find(|t| blake3::hash(t.as_bytes()).as_bytes() == h).map(|t| StubEmbedder::vector(t));
            let in_tests = StoredChunk { container: Some("tests".into()), test: test_code, ..stored("settings_file", ChunkKind::Function, (90, 95), helper) };
            idx.set_file("src/config/loader.rs", Language::Rust, vec![in_tests], vector);
            idx.set_file("src/settings.rs", Language::Rust, vec![stored("load_settings", ChunkKind::Function, (10, 40), real)], vector);
            idx
        };
        let query = "where do we read the settings file from disk";
        let first = |idx: &SearchIndex, query: &str| top(idx, query, Signals::ALL, 1)[0].1.clone();
        assert_eq!(first(&index(false), query), "settings_file", "not known as test code, the helper wins");
        let idx = index(true);
        assert_eq!(first(&idx, query), "load_settings");
        assert_eq!(first(&idx, "tests for reading the settings file from disk"), "settings_file");
        // With the dense half too (the stub's vectors are bags of words).
        let hits = idx.search(&StubEmbedder::vector(query), query, &Filters::default(), &RankConfig::default(), 2);
        assert_eq!(names(&idx, &hits), ["load_settings", "settings_file"]);
    }

    /// A chunk of a test file that is also test code by what it says sinks
    /// once, not twice.
    #[test]
    fn test_code_in_a_test_file_sinks_once() {
        let text = "retry upload retry upload";
        let score = |test_code: bool| {
            let chunk = StoredChunk { test: test_code, ..stored("test_retry", ChunkKind::Function, (0, 3), text) };
            let mut idx = SearchIndex::new();
            idx.set_file("tests/test_retry.py", Language::Python, vec![chunk], |_| Some(StubEmbedder::vector(text)));
            idx.set_file("src/other.py", Language::Python, vec![stored("other", ChunkKind::Function, (0, 3), "retry")], |_| Some(StubEmbedder::vector("retry")));
            let hits = idx.search(&[], "retry upload", &Filters::default(), &words_only(Signals::ALL), 2);
            hits.iter().find(|h| idx.chunk(h.chunk).path.as_ref() == "tests/test_retry.py").unwrap().score
        };
        assert_eq!(score(true), score(false));
    }

    #[test]
    fn a_file_named_for_the_query_comes_before_its_neighbours() {
        let idx = index_with(&[
            ("flow/Builders.kt", Language::Kotlin, vec![("flowOf", ChunkKind::Function, (0, 5), "cold stream flow interface builder cold stream")]),
            ("flow/Flow.kt", Language::Kotlin, vec![("Flow", ChunkKind::Interface, (0, 9), "interface collect values of a cold stream")]),
        ]);
        let first = |file_name: f32| {
            let mut config = words_only(Signals { definitions: false, name_words: false, ..Signals::ALL });
            config.weights.file_name = file_name;
            idx.search(&[], "flow interface and cold stream", &Filters::default(), &config, 1).first().map(|h| idx.chunk(h.chunk).path.to_string())
        };
        assert_eq!(first(0.0).as_deref(), Some("flow/Builders.kt"), "by words and folder alone the builder wins");
        assert_eq!(first(RankConfig::default().weights.file_name).as_deref(), Some("flow/Flow.kt"));
    }

    /// The stub's vectors are bags of words, so nearness is shared words.
    #[test]
    fn the_file_about_the_query_lifts_its_best_chunk() {
        let idx = index_with(&[
            (
                "src/upload.rs",
                Language::Rust,
                vec![
                    ("send", ChunkKind::Function, (0, 9), "retry failed upload later"),
                    ("backoff", ChunkKind::Function, (10, 19), "upload retry pause grows"),
                    ("give_up", ChunkKind::Function, (20, 29), "failed upload retry limit"),
                ],
            ),
            (
                "src/misc.rs",
                Language::Rust,
                vec![
                    ("resend", ChunkKind::Function, (0, 9), "retry failed upload"),
                    ("colour", ChunkKind::Function, (10, 19), "paint terminal colour red"),
                    ("width", ChunkKind::Function, (20, 29), "terminal width columns measure"),
                ],
            ),
        ]);
        let query = "retry failed upload";
        let vector = StubEmbedder::vector(query);
        let first = |file_topic: bool| {
            let config = RankConfig { lexical: false, signals: Signals { file_topic, ..Signals::NONE }, ..RankConfig::default() };
            idx.search(&vector, query, &Filters::default(), &config, 1).first().map(|h| idx.chunk(h.chunk).chunk.name.clone().unwrap_or_default())
        };
        assert_eq!(first(false).as_deref(), Some("resend"), "by its own vector the passage in misc.rs is nearest");
        assert_eq!(first(true).as_deref(), Some("send"), "the file about uploads comes first");
    }

    #[test]
    fn one_file_does_not_take_the_whole_page() {
        let mut files = vec![("src/big.rs", Language::Rust, (0..6).map(|i| ("cache", ChunkKind::Function, (i * 10, i * 10 + 5), "evict cache entry evict cache")).collect::<Vec<_>>())];
        files.push(("src/lru.rs", Language::Rust, vec![("lru", ChunkKind::Function, (0, 5), "evict cache entry least recently used")]));
        let idx = index_with(&files);
        let paths = |signals| top(&idx, "evict cache entry", signals, 3).into_iter().map(|(p, _)| p).collect::<Vec<_>>();
        assert!(!paths(Signals::NONE).contains(&"src/lru.rs".to_string()), "{:?}", paths(Signals::NONE));
        assert!(paths(Signals::ALL).contains(&"src/lru.rs".to_string()), "{:?}", paths(Signals::ALL));
    }

    /// The same file holds the best match by words and the function the
    /// query describes; a third file matches a little less.
    #[test]
    fn a_query_that_says_what_a_function_does_is_not_spread_over_files() {
        let idx = index_with(&[
            (
                "src/store.rs",
                Language::Rust,
                vec![
                    ("insert", ChunkKind::Function, (0, 9), "remove cache entry remove cache entry remove cache entry insert"),
                    ("remove", ChunkKind::Function, (10, 19), "remove cache entry oldest first"),
                ],
            ),
            ("src/stats.rs", Language::Rust, vec![("report", ChunkKind::Function, (0, 9), "remove cache entry misses counted")]),
        ]);
        let names = |query, signals| top(&idx, query, signals, 2).into_iter().map(|(_, name)| name).collect::<Vec<_>>();
        let spread = Signals { function_form: false, ..Signals::ALL };
        assert_eq!(names("Remove the cache entry", spread), ["insert", "report"], "saturation gives the second place to another file");
        assert_eq!(names("Remove the cache entry", Signals::ALL), ["insert", "remove"]);
        // Words that name a part of the code still spread over files.
        assert_eq!(names("cache entry removal", Signals::ALL), ["insert", "report"]);
    }

    /// The class holds the query's words more often than its method does.
    #[test]
    fn a_query_that_says_what_a_function_does_finds_a_function_before_its_class() {
        let idx = index_with(&[(
            "src/users.py",
            Language::Python,
            vec![
                ("UserDirectory", ChunkKind::Class, (0, 9), "class user directory roles of a user roles cache user"),
                ("roles", ChunkKind::Method, (10, 19), "def roles user lookup"),
            ],
        )]);
        let first = |query, signals| top(&idx, query, signals, 1).into_iter().map(|(_, name)| name).next();
        let no_form = Signals { function_form: false, ..Signals::ALL };
        assert_eq!(first("Return the roles of a user", no_form).as_deref(), Some("UserDirectory"));
        assert_eq!(first("Return the roles of a user", Signals::ALL).as_deref(), Some("roles"));
        // Words that name a part of the code may still find the class.
        assert_eq!(first("user roles directory", Signals::ALL).as_deref(), Some("UserDirectory"));
    }

    #[test]
    fn the_content_filter_keeps_one_kind_of_text() {
        let idx = index_with(&[
            ("README.md", Language::Markdown, vec![("Install", ChunkKind::Section, (0, 5), "install the server")]),
            ("Cargo.toml", Language::Toml, vec![("package", ChunkKind::Section, (0, 5), "server install package")]),
            ("src/main.rs", Language::Rust, vec![("install", ChunkKind::Function, (0, 5), "fn install server")]),
        ]);
        let only = |content| {
            let filters = Filters { content, ..Filters::default() };
            idx.search(&[], "install server", &filters, &words_only(Signals::ALL), 10).iter().map(|h| idx.chunk(h.chunk).path.to_string()).collect::<Vec<_>>()
        };
        assert_eq!(only(ContentFilter::Docs), ["README.md"]);
        assert_eq!(only(ContentFilter::Config), ["Cargo.toml"]);
        assert_eq!(only(ContentFilter::Code), ["src/main.rs"]);
        assert_eq!(only(ContentFilter::All).len(), 3);
    }

    #[test]
    fn a_rank_spec_is_read_or_refused_with_a_reason() {
        let config = RankConfig::parse("-coherence, no-dense, file-topic=0.5, words=1:1").unwrap();
        assert!(!config.signals.coherence && config.signals.definitions && !config.dense);
        assert_eq!((config.weights.file_topic, config.weights.words), (0.5, (1.0, 1.0)));
        assert!(!RankConfig::parse("no-lexical").unwrap().lexical);
        assert!(RankConfig::parse("k=60").unwrap_err().contains("unknown weight"));
        assert_eq!(RankConfig::parse("none").unwrap().signals, Signals::NONE);
        assert!(RankConfig::parse("-colour").unwrap_err().contains("unknown ranking signal"));
        assert!(RankConfig::parse("saturation=abc").unwrap_err().contains("not a number"));
        assert!(RankConfig::parse("é,ü=1").is_err(), "refused, not a panic");
    }
}

/// The static tier: chunks without a transformer vector are found by meaning
/// through the static model's vectors, on the transformer's scale.
mod static_tier {
    use super::*;

    /// A 256-float unit vector standing for a meaning (no model needed: what
    /// is tested is which vectors a search reads, not what they mean).
    fn meaning(word: &str) -> Vec<f32> {
        let mut bytes = [0u8; STATIC_DIM];
        blake3::Hasher::new().update(word.as_bytes()).finalize_xof().fill(&mut bytes);
        let mut v: Vec<f32> = bytes.iter().map(|&b| f32::from(b) - 127.5).collect();
        crate::embed::normalize(&mut v);
        v
    }

    fn hash_of(text: &str) -> TextHash {
        *blake3::hash(text.as_bytes()).as_bytes()
    }

    /// Two files, no transformer vector, no word of the query in either.
    fn cold_index() -> SearchIndex {
        let mut idx = SearchIndex::new();
        idx.set_file("upload.rs", Language::Rust, vec![stored("send_again", ChunkKind::Function, (0, 9), "loop attempts send")], |_| None);
        idx.set_file("color.rs", Language::Rust, vec![stored("parse_hex", ChunkKind::Function, (0, 9), "hex digits rgb")], |_| None);
        idx.add_static_vector(hash_of("loop attempts send"), &meaning("retry"));
        idx.add_static_vector(hash_of("hex digits rgb"), &meaning("color"));
        idx
    }

    fn first(idx: &SearchIndex, query_vector: &[f32], static_vector: &[f32], config: &RankConfig) -> Option<String> {
        let words = idx.rank_words("retry failed uploads", &Filters::default(), config, 10);
        idx.search_ranked(query_vector, static_vector, &words, "retry failed uploads", &Filters::default(), config, 10).first().map(|h| idx.chunk(h.chunk).chunk.name.clone().unwrap_or_default())
    }

    #[test]
    fn a_chunk_without_a_transformer_vector_is_found_by_its_static_vector() {
        let idx = cold_index();
        assert_eq!(idx.static_count(), 2);
        assert_eq!(first(&idx, &[], &meaning("retry"), &RankConfig::default()).as_deref(), Some("send_again"));
        assert_eq!(first(&idx, &[], &meaning("color"), &RankConfig::default()).as_deref(), Some("parse_hex"));
        // Without the tier (or without the query's static vector): no word
        // matches, so nothing.
        let no_static = RankConfig { static_tier: false, ..RankConfig::default() };
        assert_eq!(first(&idx, &[], &meaning("retry"), &no_static), None);
        assert_eq!(first(&idx, &[], &[], &RankConfig::default()), None);
        // A filter that leaves the file out leaves its static vector out too.
        let words = idx.rank_words("x", &Filters::default(), &RankConfig::default(), 10);
        let only_color = Filters { globs: Some(globset::GlobSetBuilder::new().add(globset::Glob::new("color.rs").unwrap()).build().unwrap()), ..Filters::default() };
        let hits = idx.search_ranked(&[], &meaning("retry"), &words, "x", &only_color, &RankConfig::default(), 10);
        assert!(hits.iter().all(|h| &*idx.chunk(h.chunk).path == "color.rs"));
    }

    #[test]
    fn the_transformer_vector_replaces_the_static_one_except_in_the_calibration_sample() {
        let mut idx = cold_index();
        let send = hash_of("loop attempts send");
        assert!(!idx.wants_static_vector(&send), "it has one");
        idx.add_vector(send, &StubEmbedder::vector("retry"));
        assert_eq!(idx.has_static_vector(&send), calibration_sample(&send));
        // The transformer's own list now finds it; the static list is only
        // searched among the chunks still waiting (parse_hex).
        let config = RankConfig::default();
        assert_eq!(first(&idx, &StubEmbedder::vector("retry"), &meaning("color"), &config).as_deref(), Some("send_again"));
        // A text that leaves takes its static vector with it.
        idx.remove_file("color.rs");
        assert!(!idx.has_static_vector(&hash_of("hex digits rgb")));
        // A static vector for a text no chunk has is not kept.
        idx.add_static_vector(hash_of("nobody"), &meaning("x"));
        assert!(!idx.has_static_vector(&hash_of("nobody")));
    }

    #[test]
    fn a_calibration_maps_static_cosines_onto_the_transformer_s() {
        let pairs: Vec<(f32, f32)> = (0..40).map(|i| i as f32 / 40.0).map(|s| (s, 0.2 + 0.5 * s)).collect();
        let c = Calibration::fit(&pairs).unwrap();
        assert!((c.apply(0.6) - 0.5).abs() < 1e-5, "{c:?}");
        assert_eq!(Calibration::fit(&pairs[..CALIBRATION_MIN - 1]), None, "too few pairs");
        assert_eq!(Calibration::fit(&vec![(0.3, 0.4); 40]), None, "no spread");
    }

    /// Chunks with both vectors calibrate: a waiting chunk as near the query
    /// by the static model as `s24` is (by both models) ranks among `s20`–`s30`,
    /// though its raw static cosine is on another scale.
    #[test]
    fn waiting_chunks_take_their_place_among_embedded_ones() {
        let mut idx = SearchIndex::new();
        let query_t = StubEmbedder::vector("q");
        let query_s = meaning("q");
        // Calibration pairs: texts in the sample, with both vectors whose
        // cosines to the query rise together.
        let sample: Vec<String> = (0..10_000).map(|i| format!("text {i}")).filter(|t| calibration_sample(&hash_of(t))).take(40).collect();
        let mix = |base: &[f32], q: &[f32], share: f32| -> Vec<f32> {
            let mut v: Vec<f32> = base.iter().zip(q).map(|(b, q)| (1.0 - share) * b + share * q).collect();
            crate::embed::normalize(&mut v);
            v
        };
        for (i, text) in sample.iter().enumerate() {
            let share = i as f32 / 80.0;
            idx.set_file(&format!("s{i}.rs"), Language::Rust, vec![stored(&format!("s{i}"), ChunkKind::Function, (0, 1), text)], |_| None);
            idx.add_vector(hash_of(text), &mix(&StubEmbedder::vector(text), &query_t, share));
            idx.add_static_vector(hash_of(text), &mix(&meaning(text), &query_s, share));
        }
        idx.set_file("waiting.rs", Language::Rust, vec![stored("waiting", ChunkKind::Function, (0, 1), "waiting text")], |_| None);
        idx.add_static_vector(hash_of("waiting text"), &mix(&meaning("waiting text"), &query_s, 24.0 / 80.0));
        let config = RankConfig { lexical: false, signals: Signals::NONE, ..RankConfig::default() };
        let words = idx.rank_words("q", &Filters::default(), &config, 50);
        let ranked: Vec<String> = idx.search_ranked(&query_t, &query_s, &words, "q", &Filters::default(), &config, 50).iter().map(|h| idx.chunk(h.chunk).chunk.name.clone().unwrap_or_default()).collect();
        let at = |name: &str| ranked.iter().position(|n| n == name).unwrap_or_else(|| panic!("{name} not in {ranked:?}"));
        assert!(at("waiting") < at("s20") && at("waiting") > at("s30"), "{ranked:?}");
    }
}

/// A complete index searched without a transformer query vector (no model):
/// the few static vectors kept for calibration are not a dense list of
/// their own; the answer is the words' alone, as before the tier existed.
#[test]
fn a_complete_index_without_a_query_vector_ranks_by_words() {
    let mut idx = SearchIndex::new();
    for i in 0..64 {
        let text = format!("body {i}");
        idx.set_file(&format!("f{i}.rs"), Language::Rust, vec![stored(&format!("f{i}"), ChunkKind::Function, (0, 1), &text)], |_| None);
        let hash = *blake3::hash(text.as_bytes()).as_bytes();
        idx.add_vector(hash, &StubEmbedder::vector(&text));
        idx.add_static_vector(hash, &[1.0 / 16.0; STATIC_DIM]);
    }
    assert!(idx.static_count() > 0, "some texts keep theirs to calibrate");
    let words = idx.rank_words("f7", &Filters::default(), &RankConfig::default(), 10);
    let by_words = idx.search_ranked(&[], &[], &words, "f7", &Filters::default(), &RankConfig::default(), 10);
    let with_static = idx.search_ranked(&[], &[1.0 / 16.0; STATIC_DIM], &words, "f7", &Filters::default(), &RankConfig::default(), 10);
    assert_eq!(with_static, by_words);
}
