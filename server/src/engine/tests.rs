//! The engine without a client: how the index follows open buffers.

use super::*;
use crate::embed::StubEmbedder;
use crate::index::NoProgress;
use crate::position::LinePos;
use crate::store::StoredChunk;

/// After every edit, the index holds exactly what storing the buffer's
/// chunks from scratch would: edits around which the document re-chunks a
/// region are followed by splicing the index, the others by replacing the
/// file, and both must agree.
#[test]
fn the_index_follows_edits_of_an_open_buffer_exactly() {
    let source = forty_functions();
    let (engine, root, key, _dirs) = engine_with_open_file(&source);
    assert!(engine.catch_up(&key));
    // A document in step with the engine's, to see how each edit re-chunks.
    let mut mirror = Document::open(Some(Language::Rust), source, 1, 1 << 20);

    let change = |l0, c0, l1, c1, text: &str| Change { range: Some((LinePos::new(l0, c0), LinePos::new(l1, c1))), text: text.into() };
    let edits = [
        change(0, 0, 0, 0, "// header\n\n\n"),                             // lines above everything
        change(20, 4, 20, 4, "b + "),                                       // inside a function
        change(30, 0, 35, 0, ""),                                           // a function deleted
        change(50, 0, 50, 0, "fn fresh() -> u8 {\n    7\n}\n\n"),          // a new function
        change(3, 0, 3, 0, "fn broken( {\n"),                               // a syntax error
        change(3, 0, 4, 0, ""),                                             // and fixed again
        change(0, 0, 400, 0, "fn only() {}\n"),                             // nearly everything replaced
    ];
    let mut spliced = 0;
    for (version, edit) in edits.into_iter().enumerate() {
        let how = mirror.apply(std::slice::from_ref(&edit), version as i32 + 2, Encoding::Utf16);
        spliced += usize::from(matches!(how, Rechunked::Region { .. }));
        engine.change(&key, &[edit], version as i32 + 2, Encoding::Utf16).unwrap();
        assert!(engine.catch_up(&key), "nothing else edits the document");
        let entry = engine.docs.get(&key).unwrap();
        let expected: Vec<StoredChunk> = entry.doc.chunks().iter().map(|c| index::stored_chunk(root.workspace.text_scope(), "lib.rs", c, entry.doc.text()).0).collect();
        let index = root.index.read().unwrap();
        let held: Vec<StoredChunk> = index.chunks_of("lib.rs").iter().map(|&id| index.chunk(id).chunk.clone()).collect();
        // The index keeps a chunk's words only in its BM25 index, and their hash.
        let held_words: Vec<u64> = index.chunks_of("lib.rs").iter().map(|&id| index.chunk(id).words_hash()).collect();
        assert_eq!(held_words, expected.iter().map(|c| crate::search::words_hash(&c.terms)).collect::<Vec<_>>(), "words after edit {version}");
        let expected: Vec<StoredChunk> = expected.into_iter().map(|c| StoredChunk { terms: String::new(), ..c }).collect();
        assert_eq!(held, expected, "after edit {version}");
        assert_eq!(index.len(), expected.len(), "no chunk of another version left behind");
    }
    assert!(spliced >= 4, "only {spliced} edits re-chunked a region: the splice path was hardly tested");
}

/// An edit not caught up yet is parsed by the first reader of chunks, and
/// the index follows: no answer comes from the chunks of an older text.
#[test]
fn readers_catch_up_edits_first() {
    let (engine, root, key, _dirs) = engine_with_open_file(&forty_functions());
    assert!(engine.indexing(), "an unparsed document is work under way");
    assert_eq!(engine.definitions(&key).len(), 40);
    let insert = Change { range: Some((LinePos::new(0, 0), LinePos::new(0, 0))), text: "fn fresh() -> u8 {\n    7\n}\n\n".into() };
    engine.change(&key, &[insert], 2, Encoding::Utf16).unwrap();
    assert!(engine.docs.get(&key).unwrap().doc.is_stale());
    let definitions = engine.definitions(&key);
    assert_eq!((definitions.len(), definitions[0].name.as_deref(), definitions[1].start_line), (41, Some("fresh"), 4));
    let index = root.index.read().unwrap();
    let names: Vec<Option<String>> = index.chunks_of("lib.rs").iter().map(|&id| index.chunk(id).chunk.name.clone()).collect();
    assert!(names.contains(&Some("fresh".into())), "the index did not follow: {names:?}");
}

/// The range race: a background parse of an edit is overtaken by a request
/// that parses the same edit first. The background result re-chunks from the
/// chunk list before the edit, so it must not be laid over the index again
/// (a pure shift would move every chunk below the edit twice).
#[test]
fn a_background_parse_overtaken_by_a_request_is_not_laid_twice() {
    let (engine, root, key, _dirs) = engine_with_open_file(&forty_functions());
    assert!(engine.catch_up(&key));
    let insert = Change { range: Some((LinePos::new(0, 0), LinePos::new(0, 0))), text: "\n".repeat(10) };
    engine.change(&key, &[insert], 2, Encoding::Utf16).unwrap();
    let overtaken = engine.catch_up_while(&key, || {
        assert_eq!(engine.definitions(&key)[0].start_line, 10, "the request parses the edit itself");
    });
    assert!(!overtaken, "the background result describes a chunk list the document no longer has");
    let entry = engine.docs.get(&key).unwrap();
    let expected: Vec<(u32, u32)> = crate::chunk::chunk_source(Language::Rust, entry.doc.text()).iter().map(|c| (c.start_line, c.end_line)).collect();
    drop(entry);
    let index = root.index.read().unwrap();
    let held: Vec<(u32, u32)> = index.chunks_of("lib.rs").iter().map(|&id| (index.chunk(id).chunk.start_line, index.chunk(id).chunk.end_line)).collect();
    assert_eq!(held, expected, "every range in the index is the buffer's");
}

/// A file event that lands during a refresh, after the refresh loaded the
/// store: the index the refresh swaps in predates it, so the refresh must take
/// the file again (found by `concurrent_tests`, seed 5: a watched-file event
/// racing a reindex left a file's old chunks in the index for good).
#[test]
fn a_file_event_during_a_refresh_is_not_lost_by_its_swap() {
    let (engine, root, _key, dirs) = engine_with_open_file(&forty_functions());
    let other = dirs[0].path().canonicalize().unwrap().join("other.rs");
    std::fs::write(&other, "fn old_one() {}\n").unwrap();
    engine.refresh_root(&root, &NoProgress).unwrap();
    let names = |root: &Root| {
        let index = root.index.read().unwrap();
        index.chunks_of("other.rs").iter().map(|&id| index.chunk(id).chunk.name.clone().unwrap_or_default()).collect::<Vec<_>>()
    };
    assert_eq!(names(&root), ["old_one"]);
    engine
        .refresh_root_while(&root, &NoProgress, || {
            std::fs::write(&other, "fn new_one() {}\n\nfn newer_one() {}\n").unwrap();
            engine.file_changed(&other).unwrap();
            assert_eq!(names(&root), ["new_one", "newer_one"], "the event reaches the index in use");
        })
        .unwrap();
    assert_eq!(names(&root), ["new_one", "newer_one"], "the swap lost the event");
}

/// A file event read the disk just before an editor opened the file (a
/// watched-file event, or the re-read after a didClose, racing a reopen):
/// the buffer laid over the index must win over the disk's older text (found
/// by `concurrent_tests`, seeds 1000014 and 1000080: an open buffer's index
/// entry was replaced by its disk text, for good).
#[test]
fn a_file_read_from_disk_does_not_cover_a_buffer_opened_meanwhile() {
    let (engine, root, key, _dirs) = engine_with_open_file(&forty_functions());
    let path = PathBuf::from(&key);
    engine.close(&key);
    let buffer = "fn typed_since() {}\n";
    engine
        .file_changed_while(&path, || {
            engine.open(&key, Some(&path), buffer.to_string(), 2);
            assert!(engine.catch_up(&key));
        })
        .unwrap();
    let index = root.index.read().unwrap();
    let names: Vec<Option<String>> = index.chunks_of("lib.rs").iter().map(|&id| index.chunk(id).chunk.name.clone()).collect();
    assert_eq!(names, [Some("typed_since".to_string())], "the open buffer's chunks, not the disk's");
}

/// Two events for one file finishing out of order: the one that read the
/// disk first must not lay its older text over the later one's (found by
/// `concurrent_tests`, seed 1000182: a reindex's re-read of a file finished
/// after a newer watched-file event for it).
#[test]
fn an_older_read_of_a_file_does_not_cover_a_newer_one() {
    let (engine, root, _key, dirs) = engine_with_open_file(&forty_functions());
    let other = dirs[0].path().canonicalize().unwrap().join("other.rs");
    std::fs::write(&other, "fn first() {}\n").unwrap();
    engine
        .file_changed_while(&other, || {
            std::fs::write(&other, "fn second() {}\n").unwrap();
            engine.file_changed(&other).unwrap();
        })
        .unwrap();
    let index = root.index.read().unwrap();
    let names: Vec<Option<String>> = index.chunks_of("other.rs").iter().map(|&id| index.chunk(id).chunk.name.clone()).collect();
    assert_eq!(names, [Some("second".to_string())], "the newer read wins");
}

fn forty_functions() -> String {
    (0..40).map(|i| format!("/// Adds {i}.\nfn add_{i}(a: u32) -> u32 {{\n    a + {i}\n}}\n\n")).collect()
}

/// An engine (stub embedder) over a workspace of one file, `lib.rs`, indexed
/// from disk and open with the same text; the key of the open document.
fn engine_with_open_file(source: &str) -> (Engine, Arc<Root>, String, [tempfile::TempDir; 2]) {
    let dir = tempfile::tempdir().unwrap();
    let index_dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lib.rs"), source).unwrap();
    let settings = Settings { index_dir: Some(index_dir.path().to_path_buf()), ..Settings::default() };
    let engine = Engine::with_worker(settings, EmbedWorker::spawn(Box::new(StubEmbedder::new())).unwrap());
    let root = engine.add_root(dir.path()).unwrap();
    engine.refresh_root(&root, &NoProgress).unwrap();
    let path = dir.path().canonicalize().unwrap().join("lib.rs");
    let key = path.to_string_lossy().to_string();
    engine.open(&key, Some(&path), source.to_string(), 1);
    (engine, root, key, [dir, index_dir])
}

/// An engine with `embedder` over a workspace of one file of forty
/// functions, laid into memory by words only: nothing embedded yet.
fn laid_by_words(embedder: Box<dyn crate::embed::Embedder>) -> (Engine, Arc<Root>, [tempfile::TempDir; 2]) {
    let dir = tempfile::tempdir().unwrap();
    let index_dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lib.rs"), forty_functions()).unwrap();
    let settings = Settings { index_dir: Some(index_dir.path().to_path_buf()), ..Settings::default() };
    let engine = Engine::with_worker(settings, EmbedWorker::spawn(embedder).unwrap());
    let root = engine.add_root(dir.path()).unwrap();
    engine.lay_root(&root).unwrap();
    (engine, root, [dir, index_dir])
}

/// Query-driven embedding: a root laid by words only (no refresh has
/// embedded anything) answers a search, and the answers' texts are then
/// embedded ahead of any indexing, stored and laid into the index, with
/// nothing else running.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_s_answers_are_embedded_first() {
    let (engine, root, _dirs) = laid_by_words(Box::new(StubEmbedder::new()));
    assert_eq!(root.index.read().unwrap().vector_count(), 0, "laid by words only");
    let first = engine.search("add_7", &crate::search::Filters::default(), 3).await.unwrap();
    assert!(!first.is_empty());
    let hashes: Vec<TextHash> = {
        let index = root.index.read().unwrap();
        index.chunks_of("lib.rs").iter().map(|&id| index.chunk(id).chunk.clone()).filter(|c| first.iter().any(|a| a.start_line == c.start_line)).map(|c| c.text_hash).collect()
    };
    assert_eq!(hashes.len(), first.len());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !hashes.iter().all(|h| root.index.read().unwrap().has_vector(h)) {
        assert!(std::time::Instant::now() < deadline, "the answers' vectors never came");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // Stored, and only the answers: nothing else was embedded.
    assert!(hashes.iter().all(|h| root.workspace.store.has_vector(h).unwrap()));
    assert_eq!(root.index.read().unwrap().vector_count(), hashes.len());
    assert!(root.asked_first.lock().unwrap().is_empty(), "forgotten once done");
}

/// An agent's search during a cold index waits (boundedly) for its own
/// answers' vectors and ranks with them: when it returns, they are laid.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patient_search_is_ranked_with_its_answers_vectors() {
    let (engine, root, _dirs) = laid_by_words(Box::new(StubEmbedder::new()));
    let answers = engine.search_with("add_7", &crate::search::Filters::default(), 3, true, Some(std::time::Duration::from_secs(60))).await.unwrap();
    assert!(!answers.is_empty());
    // The first ranking's three answers were embedded and laid before it
    // returned (the ranking with them may bring others up, still waiting).
    let index = root.index.read().unwrap();
    assert_eq!(index.vector_count(), 3, "the first page's vectors are laid when the search returns");
    assert_eq!(answers[0].name.as_deref(), Some("add_7"));
    let first = index.chunks_of("lib.rs").iter().map(|&id| index.chunk(id).chunk.clone()).find(|c| c.start_line == answers[0].start_line).unwrap();
    assert!(index.has_vector(&first.text_hash));
}

/// The wait is bounded: with the model stuck, a patient search still
/// answers (by words and static vectors), and its answers stay asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patient_search_answers_when_the_model_does_not() {
    struct Stuck;
    impl crate::embed::Embedder for Stuck {
        fn model_id(&self) -> &str {
            "stub-hash-v1"
        }
        fn dim(&self) -> usize {
            crate::embed::DIM
        }
        fn embed_batch(&mut self, texts: &[&str]) -> anyhow::Result<Vec<Vec<f32>>> {
            // Queries are embedded; chunk texts (which start with the path) never come back.
            if texts.iter().any(|t| t.contains("lib.rs")) {
                std::thread::sleep(std::time::Duration::from_secs(3600));
            }
            Ok(texts.iter().map(|t| StubEmbedder::vector(t)).collect())
        }
    }
    let (engine, root, _dirs) = laid_by_words(Box::new(Stuck));
    let filters = crate::search::Filters::default();
    let search = engine.search_with("add_7", &filters, 3, true, Some(std::time::Duration::from_millis(200)));
    let answers = tokio::time::timeout(std::time::Duration::from_secs(60), search).await.expect("the search waited past its bound").unwrap();
    assert_eq!(answers[0].name.as_deref(), Some("add_7"));
    assert_eq!(root.index.read().unwrap().vector_count(), 0);
}
