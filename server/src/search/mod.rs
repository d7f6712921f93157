//! Answering queries: dense (cosine) and lexical (BM25) rankings fused by
//! reciprocal rank fusion, with filters applied before the top k is cut.
//!
//! [`SearchIndex`] is the in-memory form of an index: every chunk with its
//! path, its vector (shared by all chunks with the same text) and its lexical
//! document. It is built from the store and updated file by file; it never
//! touches the disk or the model (callers pass query vectors in).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use globset::GlobSet;

use crate::ann::VectorIndex;
use crate::chunk::{ChunksState, Splice};
use crate::embed::DIM;
use crate::lang::Language;
use crate::lexical::Bm25;
use crate::store::{StoredChunk, TextHash};

/// RRF constant. Measured on a docstring→function eval: k=10 with the dense
/// list weighted 2:1 beat the textbook k=60 (0.443 vs 0.417 MRR@10).
pub const RRF_K: f32 = 10.0;
pub const DENSE_WEIGHT: f32 = 2.0;
pub const LEXICAL_WEIGHT: f32 = 1.0;

/// How far down each ranking a hybrid search looks before fusing them.
fn search_depth(limit: usize) -> usize {
    (limit * 5).max(50)
}

/// A chunk in the index.
#[derive(Debug, Clone)]
pub struct IndexedChunk {
    pub path: Arc<str>,
    pub language: Language,
    pub chunk: StoredChunk,
}

/// What to search among.
#[derive(Default, Clone)]
pub struct Filters {
    /// Empty: every language.
    pub languages: Vec<Language>,
    /// `None`: every path.
    pub globs: Option<GlobSet>,
}

impl Filters {
    /// Whether every chunk passes.
    fn accepts_all(&self) -> bool {
        self.languages.is_empty() && self.globs.is_none()
    }

    fn accepts(&self, c: &IndexedChunk) -> bool {
        (self.languages.is_empty() || self.languages.iter().any(|&l| c.language.matches_filter(l)))
            && self.globs.as_ref().is_none_or(|g| g.is_match(&*c.path))
    }
}

/// A result: a chunk id and its score (higher is better).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub chunk: usize,
    pub score: f32,
}

/// A region that `similar` must not return: the query chunk itself and
/// anything overlapping it.
#[derive(Debug, Clone)]
pub struct Exclude {
    pub path: String,
    pub start_line: u32,
    pub end_line: u32,
}

#[derive(Default)]
pub struct SearchIndex {
    chunks: Vec<IndexedChunk>,
    live: Vec<bool>,
    by_path: HashMap<Arc<str>, Vec<usize>>,
    /// For a file whose chunks were laid from an open buffer: which of the
    /// buffer's chunk lists they are. A splice is only laid over the list
    /// it was computed from.
    buffer_states: HashMap<Arc<str>, ChunksState>,
    by_hash: HashMap<TextHash, Vec<usize>>,
    vectors: VectorIndex<TextHash>,
    lexical: Bm25,
    /// Changes whenever the chunks do: a [`WordRanking`] is valid while it
    /// stays the same.
    generation: Generation,
}

/// A value no other index of the process has had: each new one is drawn
/// from one counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Generation(u64);

impl Generation {
    fn fresh() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        Generation(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

impl Default for Generation {
    fn default() -> Self {
        Generation::fresh()
    }
}

/// The lexical half of a hybrid search, ranked on its own so that it can run
/// while the query is being embedded; [`SearchIndex::search_ranked`] ranks it
/// again if the chunks changed in between.
pub struct WordRanking {
    generation: Generation,
    ids: Vec<usize>,
}

impl Default for VectorIndex<TextHash> {
    fn default() -> Self {
        VectorIndex::new(DIM)
    }
}

impl SearchIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// Live chunks.
    pub fn len(&self) -> usize {
        self.lexical.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn vector_count(&self) -> usize {
        self.vectors.len()
    }

    pub fn vectors_mut(&mut self) -> &mut VectorIndex<TextHash> {
        &mut self.vectors
    }

    pub fn vectors(&self) -> &VectorIndex<TextHash> {
        &self.vectors
    }

    pub fn chunk(&self, id: usize) -> &IndexedChunk {
        &self.chunks[id]
    }

    /// Live chunk ids of a file, in file order.
    pub fn chunks_of(&self, path: &str) -> &[usize] {
        self.by_path.get(path).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.by_path.keys().map(|p| &**p)
    }

    /// Replaces the chunks of `path`. `vector_of` gives each chunk's vector
    /// when it is known; chunks without one are found lexically until a
    /// vector is added with [`SearchIndex::add_vector`]. A chunk that was
    /// there before with the same text (an edit elsewhere in the file only
    /// moved it) keeps its slot and only takes its new position.
    pub fn set_file(&mut self, path: &str, language: Language, chunks: Vec<StoredChunk>, vector_of: impl Fn(&TextHash) -> Option<Vec<f32>>) {
        self.buffer_states.remove(path);
        let (path, old_ids) = match self.by_path.remove_entry(path) {
            Some((path, ids)) => (path, ids),
            None => (Arc::from(path), Vec::new()),
        };
        let ids = self.place(&path, language, chunks, old_ids, &vector_of);
        if !ids.is_empty() {
            self.by_path.insert(path, ids);
        }
        self.compact_if_needed();
        self.generation = Generation::fresh();
    }

    /// [`SearchIndex::set_file`] with the chunks of an open buffer, which
    /// are its chunk list `state`: the splices computed from that list can
    /// follow.
    pub fn set_buffer_file(&mut self, path: &str, state: ChunksState, language: Language, chunks: Vec<StoredChunk>, vector_of: impl Fn(&TextHash) -> Option<Vec<f32>>) {
        self.set_file(path, language, chunks, vector_of);
        if self.by_path.contains_key(path) {
            self.buffer_states.insert(Arc::from(path), state);
        }
    }

    /// Follows a re-chunk around an edit (see [`Splice`]) without touching
    /// the chunks outside it: those before stay, those after only move.
    /// `from` is the buffer's chunk list the splice was computed from, `to`
    /// the list it makes; `inserted` are the stored forms of the new chunks.
    /// Returns false, and changes nothing, when the file's chunks here are
    /// not the list `from` (then call [`SearchIndex::set_buffer_file`]): a
    /// splice laid over any other list, even one of the same length, would
    /// move chunks that are already where they belong.
    #[allow(clippy::too_many_arguments)]
    pub fn splice_file(
        &mut self,
        path: &str,
        language: Language,
        splice: &Splice,
        from: ChunksState,
        to: ChunksState,
        inserted: Vec<StoredChunk>,
        vector_of: impl Fn(&TextHash) -> Option<Vec<f32>>,
    ) -> bool {
        let same_base = self.buffer_states.get(path) == Some(&from);
        let fits = self.by_path.get(path).is_some_and(|ids| splice.at + splice.removed <= ids.len());
        if !same_base || !fits || inserted.len() != splice.inserted {
            return false;
        }
        let Some((path, mut ids)) = self.by_path.remove_entry(path) else { return false };
        let after = ids.split_off(splice.at + splice.removed);
        let replaced = ids.split_off(splice.at);
        for &id in &after {
            let chunk = &mut self.chunks[id].chunk;
            chunk.start_byte = splice.moved_byte(chunk.start_byte as usize) as u32;
            chunk.end_byte = splice.moved_byte(chunk.end_byte as usize) as u32;
            chunk.start_line = splice.moved_line(chunk.start_line);
            chunk.end_line = splice.moved_line(chunk.end_line);
        }
        let placed = self.place(&path, language, inserted, replaced, &vector_of);
        ids.extend(placed);
        ids.extend(after);
        if ids.is_empty() {
            self.buffer_states.remove(&path);
        } else {
            self.buffer_states.insert(path.clone(), to);
            self.by_path.insert(path, ids);
        }
        self.compact_if_needed();
        self.generation = Generation::fresh();
        true
    }

    /// Gives `chunks` of `path` their slots, in order: the slot of one of
    /// `old_ids` with the same text where there is one, else a new one. The
    /// old slots not taken are dropped.
    fn place(&mut self, path: &Arc<str>, language: Language, chunks: Vec<StoredChunk>, old_ids: Vec<usize>, vector_of: &impl Fn(&TextHash) -> Option<Vec<f32>>) -> Vec<usize> {
        let mut reusable: HashMap<TextHash, Vec<usize>> = HashMap::with_capacity(old_ids.len());
        for id in old_ids {
            reusable.entry(self.chunks[id].chunk.text_hash).or_default().push(id);
        }
        let mut ids = Vec::with_capacity(chunks.len());
        for chunk in chunks {
            let same = reusable.get_mut(&chunk.text_hash).and_then(|candidates| {
                let at = candidates.iter().position(|&id| self.chunks[id].language == language && self.chunks[id].chunk.terms == chunk.terms)?;
                Some(candidates.swap_remove(at))
            });
            if let Some(id) = same {
                self.chunks[id].chunk = chunk;
                ids.push(id);
                continue;
            }
            let id = self.chunks.len();
            let doc = self.lexical.add(&chunk.terms);
            debug_assert_eq!(doc as usize, id);
            if !self.vectors.contains(&chunk.text_hash) {
                if let Some(v) = vector_of(&chunk.text_hash) {
                    self.vectors.insert(chunk.text_hash, &v);
                }
            }
            self.by_hash.entry(chunk.text_hash).or_default().push(id);
            self.chunks.push(IndexedChunk { path: path.clone(), language, chunk });
            self.live.push(true);
            ids.push(id);
        }
        for id in reusable.into_values().flatten() {
            self.drop_chunk(id);
        }
        ids
    }

    /// Chunk slots, live or not (for tests and measurements).
    pub fn slots(&self) -> usize {
        self.chunks.len()
    }

    /// Replacing a file leaves its old chunks as dead slots (an open buffer
    /// replaces its file on every keystroke). Once dead slots outnumber live
    /// ones, rebuild the chunk table and the lexical index from the live
    /// chunks, so memory follows the index's size, not the edit count.
    fn compact_if_needed(&mut self) {
        let live = self.len();
        if self.chunks.len() <= 2 * live + 1024 {
            return;
        }
        let old_chunks = std::mem::take(&mut self.chunks);
        let by_path = std::mem::take(&mut self.by_path);
        self.live.clear();
        self.by_hash.clear();
        self.lexical = Bm25::new();
        for (path, ids) in by_path {
            let mut new_ids = Vec::with_capacity(ids.len());
            for id in ids {
                let c = old_chunks[id].clone();
                let new_id = self.chunks.len();
                self.lexical.add(&c.chunk.terms);
                self.by_hash.entry(c.chunk.text_hash).or_default().push(new_id);
                self.chunks.push(c);
                self.live.push(true);
                new_ids.push(new_id);
            }
            self.by_path.insert(path, new_ids);
        }
        self.vectors.compact_if_needed();
    }

    /// Adds the vector of a text (for chunks that were waiting for it).
    pub fn add_vector(&mut self, hash: TextHash, vector: &[f32]) {
        if self.by_hash.contains_key(&hash) {
            self.vectors.insert(hash, vector);
        }
    }

    pub fn has_vector(&self, hash: &TextHash) -> bool {
        self.vectors.contains(hash)
    }

    pub fn remove_file(&mut self, path: &str) {
        self.buffer_states.remove(path);
        let Some(ids) = self.by_path.remove(path) else { return };
        self.generation = Generation::fresh();
        for id in ids {
            self.drop_chunk(id);
        }
    }

    /// Marks a chunk dead, and forgets its vector if no live chunk has it.
    fn drop_chunk(&mut self, id: usize) {
        self.live[id] = false;
        self.lexical.remove(id as u32);
        let hash = self.chunks[id].chunk.text_hash;
        if let Some(list) = self.by_hash.get_mut(&hash) {
            list.retain(|&c| c != id);
            if list.is_empty() {
                self.by_hash.remove(&hash);
                self.vectors.remove(&hash);
            }
        }
    }

    /// Dense ranking: chunk ids by cosine to `query`, best first. With
    /// `keep_all`, `keep` accepts every live chunk: every live vector row has
    /// one (a vector leaves with its last chunk), so the scan need not look
    /// each row's chunks up.
    fn dense(&self, query: &[f32], k: usize, keep: &dyn Fn(usize) -> bool, keep_all: bool) -> Vec<(usize, f32)> {
        let rows = if keep_all {
            self.vectors.search(query, k, |_| true)
        } else if self.vectors.base().is_none() {
            // An exact scan asks about every row: mark the rows of the kept
            // chunks in one pass over the chunks instead of looking up the
            // chunks of each row (a language filter at 100k chunks, hybrid
            // search p50: 33 -> 11 ms in benches/vectors).
            let mut kept_rows = vec![false; self.vectors.rows()];
            for (id, chunk) in self.chunks.iter().enumerate() {
                if keep(id) {
                    if let Some(row) = self.vectors.row(&chunk.chunk.text_hash) {
                        kept_rows[row] = true;
                    }
                }
            }
            self.vectors.search(query, k, |row| kept_rows[row])
        } else {
            // The graph asks about the few rows it reaches.
            self.vectors.search(query, k, |row| {
                self.by_hash.get(self.vectors.key(row)).is_some_and(|ids| ids.iter().any(|&id| keep(id)))
            })
        };
        let mut out = Vec::with_capacity(rows.len());
        for (row, score) in rows {
            if let Some(ids) = self.by_hash.get(self.vectors.key(row)) {
                out.extend(ids.iter().filter(|&&id| keep(id)).map(|&id| (id, score)));
            }
        }
        out
    }

    /// Whether chunk `id` is live and `filters` accept it.
    fn keeps(&self, id: usize, filters: &Filters) -> bool {
        self.live[id] && filters.accepts(&self.chunks[id])
    }

    /// Hybrid search: `query_vector` is the embedded query, `query_text` its words.
    pub fn search(&self, query_vector: &[f32], query_text: &str, filters: &Filters, limit: usize) -> Vec<Hit> {
        let words = self.rank_words(query_text, filters, limit);
        self.search_ranked(query_vector, &words, query_text, filters, limit)
    }

    /// The lexical ranking [`SearchIndex::search`] fuses, for
    /// [`SearchIndex::search_ranked`] with the same query, filters and limit.
    pub fn rank_words(&self, query_text: &str, filters: &Filters, limit: usize) -> WordRanking {
        let ids = self.lexical.search(query_text, search_depth(limit), |d| self.keeps(d as usize, filters)).into_iter().map(|(d, _)| d as usize).collect();
        WordRanking { generation: self.generation, ids }
    }

    /// [`SearchIndex::search`] with its lexical ranking done beforehand by
    /// [`SearchIndex::rank_words`] (done again if the chunks changed since).
    pub fn search_ranked(&self, query_vector: &[f32], words: &WordRanking, query_text: &str, filters: &Filters, limit: usize) -> Vec<Hit> {
        let ranked_again;
        let lexical = if words.generation == self.generation {
            &words.ids
        } else {
            ranked_again = self.rank_words(query_text, filters, limit);
            &ranked_again.ids
        };
        let dense = self.dense(query_vector, search_depth(limit), &|id| self.keeps(id, filters), filters.accepts_all());
        let mut fused: HashMap<usize, f32> = HashMap::new();
        for (rank, (id, _)) in dense.iter().enumerate() {
            *fused.entry(*id).or_default() += DENSE_WEIGHT / (RRF_K + rank as f32 + 1.0);
        }
        for (rank, id) in lexical.iter().enumerate() {
            *fused.entry(*id).or_default() += LEXICAL_WEIGHT / (RRF_K + rank as f32 + 1.0);
        }
        // Scaled so that first place in both lists scores 1.
        let best = (DENSE_WEIGHT + LEXICAL_WEIGHT) / (RRF_K + 1.0);
        let mut ranked: Vec<Hit> = fused.into_iter().map(|(chunk, s)| Hit { chunk, score: s / best }).collect();
        ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.chunk.cmp(&b.chunk)));
        self.dedup(ranked, limit)
    }

    /// Chunks whose vectors are nearest to `vector`, never overlapping `exclude`.
    pub fn similar(&self, vector: &[f32], exclude: &Exclude, filters: &Filters, limit: usize) -> Vec<Hit> {
        let keep = |id: usize| {
            let c = &self.chunks[id];
            self.keeps(id, filters) && !(*c.path == *exclude.path && c.chunk.start_line <= exclude.end_line && c.chunk.end_line >= exclude.start_line)
        };
        let ranked = self.dense(vector, (limit * 3).max(30), &keep, false).into_iter().map(|(chunk, score)| Hit { chunk, score }).collect();
        self.dedup(ranked, limit)
    }

    /// Keeps the best of several chunks of one definition (the windows of a
    /// split function, identical ranges) and cuts to `limit`.
    fn dedup(&self, ranked: Vec<Hit>, limit: usize) -> Vec<Hit> {
        let mut out: Vec<Hit> = Vec::with_capacity(limit);
        for hit in ranked {
            if out.len() == limit {
                break;
            }
            let c = &self.chunks[hit.chunk];
            let same_definition = out.iter().any(|h| {
                let o = &self.chunks[h.chunk];
                o.path == c.path
                    && ((o.chunk.start_line == c.chunk.start_line && o.chunk.end_line == c.chunk.end_line)
                        || (c.chunk.kind.is_definition()
                            && o.chunk.kind == c.chunk.kind
                            && o.chunk.name == c.chunk.name
                            && o.chunk.container == c.chunk.container
                            && o.chunk.start_line <= c.chunk.end_line + 1
                            && c.chunk.start_line <= o.chunk.end_line + 1))
            });
            if !same_definition {
                out.push(hit);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
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
        assert_eq!(stored_of(&spliced), new);
        assert_eq!(stored_of(&spliced), stored_of(&whole));
        assert_eq!((spliced.len(), spliced.vector_count()), (whole.len(), whole.vector_count()));
        // The chunks outside the splice kept their slots.
        let ids = spliced.chunks_of("a.rs");
        assert_eq!(vec![ids[0], ids[3], ids[4]], untouched);
        // And both answer alike.
        let query = StubEmbedder::vector("split words");
        assert_eq!(names(&spliced, &spliced.search(&query, "split words", &Filters::default(), 3)), names(&whole, &whole.search(&query, "split words", &Filters::default(), 3)));
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
        let words = idx.rank_words("config", &Filters::default(), 5);
        // While the query is embedded, a.rs goes and b.rs comes.
        idx.remove_file("a.rs");
        let text = "parse config values";
        idx.set_file("b.rs", Language::Rust, vec![stored("parse_config", ChunkKind::Function, (0, 4), text)], |_| Some(StubEmbedder::vector(text)));
        let query = StubEmbedder::vector("config");
        let hits = idx.search_ranked(&query, &words, "config", &Filters::default(), 5);
        assert_eq!(names(&idx, &hits), ["parse_config"]);
        // Made after the change, the ranking is used as it is.
        let words = idx.rank_words("config", &Filters::default(), 5);
        assert_eq!(names(&idx, &idx.search_ranked(&query, &words, "config", &Filters::default(), 5)), ["parse_config"]);
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
        let hits = idx.search(&q, "read settings from disk", &Filters::default(), 10);
        assert_eq!(names(&idx, &hits)[..2].iter().filter(|n| n.starts_with("load")).count(), 2);
        let only_py = Filters { languages: vec![Language::Python], globs: None };
        assert_eq!(names(&idx, &idx.search(&q, "read settings", &only_py, 10)), ["load_settings"]);
        let glob = globset::GlobSetBuilder::new().add(globset::Glob::new("src/**").unwrap()).build().unwrap();
        let only_src = Filters { languages: vec![], globs: Some(glob) };
        assert!(names(&idx, &idx.search(&q, "read settings", &only_src, 10)).iter().all(|n| n != "load_settings"));
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
        let hits = idx.search(&q, "parse tokens stream", &Filters::default(), 10);
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
        let hits = idx.search(&StubEmbedder::vector("gamma three"), "gamma three", &Filters::default(), 1);
        assert_eq!(idx.chunk(hits[0].chunk).chunk.start_line, 22);
        assert!(idx.search(&StubEmbedder::vector("beta two"), "beta two changed", &Filters::default(), 3).iter().any(|h| idx.chunk(h.chunk).chunk.name.as_deref() == Some("f1")));
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
        let hits = idx.search(&StubEmbedder::vector("stable text here"), "stable text", &Filters::default(), 10);
        assert_eq!(names(&idx, &hits)[0], "keep");
        let last = idx.search(&StubEmbedder::vector("edit number 2999"), "edit number 2999", &Filters::default(), 1);
        assert_eq!(names(&idx, &last), ["f"]);
    }

    #[test]
    fn removing_and_replacing_files_updates_results() {
        let mut idx = index_with(&[("a.rs", Language::Rust, vec![("f", ChunkKind::Function, (0, 3), "alpha beta")])]);
        assert_eq!(idx.len(), 1);
        idx.set_file("a.rs", Language::Rust, vec![stored("g", ChunkKind::Function, (0, 3), "gamma delta")], |_| Some(StubEmbedder::vector("gamma delta")));
        let hits = idx.search(&StubEmbedder::vector("alpha beta"), "alpha beta", &Filters::default(), 10);
        assert_eq!(names(&idx, &hits), ["g"]);
        idx.remove_file("a.rs");
        assert!(idx.is_empty());
        assert_eq!(idx.vector_count(), 0);
        assert!(idx.search(&StubEmbedder::vector("gamma"), "gamma", &Filters::default(), 10).is_empty());
    }
}
