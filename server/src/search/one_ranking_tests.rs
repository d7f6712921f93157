//! The first results of a search never depend on how many are asked for:
//! checked over this crate's own source, chunked as the index chunks it,
//! with queries made of its names and of its doc comments.

use super::*;
use crate::embed::StubEmbedder;
use crate::index::{stored_chunk, TextScope};

/// This crate's source files, chunked and laid in an index with the stub
/// embedder's vectors; with the names and doc-comment lines found.
fn own_source() -> (SearchIndex, Vec<String>, Vec<String>) {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut dirs = vec![src.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    let scope = TextScope { model_id: "stub", prefix: "" };
    let mut index = SearchIndex::new();
    let (mut names, mut docs) = (Vec::new(), Vec::new());
    for path in &files {
        let source = std::fs::read_to_string(path).unwrap();
        let rel = path.strip_prefix(&src).unwrap().to_string_lossy().into_owned();
        let chunks = crate::chunk::chunk_source(Language::Rust, &source);
        let (stored, texts): (Vec<StoredChunk>, Vec<String>) = chunks.iter().map(|c| stored_chunk(scope, &rel, c, &source)).unzip();
        let vectors: HashMap<TextHash, Vec<f32>> = stored.iter().zip(&texts).map(|(s, t)| (s.text_hash, StubEmbedder::vector(t))).collect();
        names.extend(stored.iter().filter_map(|s| s.name.clone()));
        docs.extend(source.lines().filter_map(|l| l.trim().strip_prefix("/// ")).filter(|l| l.split_whitespace().count() >= 4).map(str::to_string));
        index.set_file(&rel, Language::Rust, stored, |h| vectors.get(h).cloned());
    }
    names.sort();
    names.dedup();
    docs.sort();
    docs.dedup();
    (index, names, docs)
}

#[test]
fn the_first_results_are_the_same_whatever_the_limit() {
    let (index, names, docs) = own_source();
    assert!(index.len() > 1000, "the crate's own source gave only {} chunks", index.len());
    // An even sample of each kind of query, so the test stays quick.
    let sample = |all: &[String], n: usize| all.iter().step_by((all.len() / n).max(1)).cloned().collect::<Vec<_>>();
    let queries: Vec<String> = sample(&names, 80).into_iter().chain(sample(&docs, 80)).collect();
    let config = RankConfig::default();
    let (mut deeper_than_first, mut checked) = (0, 0);
    for query in &queries {
        let vector = StubEmbedder::vector(query);
        let ids = |limit: usize| {
            let hits = index.search(&vector, query, &Filters::default(), &config, limit);
            assert!(hits.len() <= limit, "{query:?}: {} hits for a limit of {limit}", hits.len());
            assert!(hits.windows(2).all(|w| w[0].score >= w[1].score), "{query:?}, limit {limit}: scores go up");
            hits.iter().map(|h| h.chunk).collect::<Vec<_>>()
        };
        let (ten, fifty, many) = (ids(10), ids(50), ids(400));
        assert_eq!(ten[..], fifty[..ten.len().min(fifty.len())], "{query:?}: the top 10 of limit 10 is not the start of limit 50");
        assert_eq!(fifty[..], many[..fifty.len().min(many.len())], "{query:?}: the top 50 of limit 50 is not the start of limit 400");
        assert_eq!(ten.len(), fifty.len().min(10), "{query:?}: limit 10 gave fewer results than limit 50 had");
        if many.len() > FIRST_DEPTH * DEEPER {
            deeper_than_first += 1;
        }
        checked += 1;
    }
    // The deeper rankings were reached, not only the first.
    assert!(deeper_than_first * 4 >= checked, "only {deeper_than_first} of {checked} queries had results past the second depth");
}
