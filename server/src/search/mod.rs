//! Answering queries: retrieval of candidates by meaning (cosine) and by
//! words (BM25), with filters applied before anything is cut, then the
//! ranking stage (`rank.rs`) that orders them.
//!
//! [`SearchIndex`] is the in-memory form of an index: every chunk with its
//! path, its vector (shared by all chunks with the same text), its lexical
//! document and its name. It is built from the store and updated file by
//! file; it never touches the disk or the model (callers pass query vectors
//! in).
//!
//! Map: `query` reads what a query asks for; `paths` what a file's path says
//! (tests, docs, config…); `names` how the query's words meet a chunk's name;
//! `rank` fuses and orders the candidates.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use globset::GlobSet;

use crate::ann::VectorIndex;
use crate::chunk::{ChunksState, Splice};
use crate::embed::static_model::STATIC_DIM;
use crate::embed::DIM;
use crate::lang::Language;
use crate::lexical::Bm25;
use crate::store::{StoredChunk, TextHash};

mod names;
mod paths;
mod phrasing;
mod query;
mod rank;

pub use paths::{content_of, Content, ContentFilter};
pub use query::QueryProfile;
pub use rank::{RankConfig, Signals, Weights};

/// How far down each candidate list (by meaning, by words) the first
/// ranking looks: it gives the first `FIRST_DEPTH` results, whatever limit is
/// asked, so a longer list begins with the shorter one.
const FIRST_DEPTH: usize = 50;
/// Each further ranking looks this many times deeper than the one before
/// and gives the results after those already given, up to its depth.
const DEEPER: usize = 4;

/// The depths of the rankings whose results make up the first `limit`
/// results of a search: `FIRST_DEPTH`, then `DEEPER` times deeper, until
/// one is at least `limit` deep.
fn rank_depths(limit: usize) -> impl Iterator<Item = usize> {
    std::iter::successors(Some(FIRST_DEPTH), move |&d| (d < limit).then(|| d.saturating_mul(DEEPER)))
}

/// A chunk in the index.
#[derive(Debug, Clone)]
pub struct IndexedChunk {
    pub path: Arc<str>,
    pub language: Language,
    /// Code, documentation or configuration (from path and language).
    pub content: Content,
    pub chunk: StoredChunk,
    /// What the ranking reads from the path, shared by the file's chunks.
    path_facts: Arc<paths::PathFacts>,
    /// The name's words as the ranking matches them ([`names::name_terms`]).
    name_terms: Box<str>,
    /// The container's words ([`names::container_terms`]).
    container_terms: Box<str>,
    /// A definition's signature's words ([`names::signature_terms`]).
    signature_terms: Box<str>,
    /// The hash of the chunk's lexical words, which the index does not keep
    /// (`chunk.terms` is emptied once they are in the BM25 index): a slot is
    /// reused only for the same words.
    words_hash: u64,
}

impl IndexedChunk {
    /// The hash ([`words_hash`]) of the words the BM25 index holds for it.
    pub fn words_hash(&self) -> u64 {
        self.words_hash
    }
}

/// What [`IndexedChunk::words_hash`] holds.
pub fn words_hash(terms: &str) -> u64 {
    u64::from_le_bytes(blake3::hash(terms.as_bytes()).as_bytes()[..8].try_into().expect("8 bytes"))
}

/// What to search among.
#[derive(Default, Clone)]
pub struct Filters {
    /// Empty: every language.
    pub languages: Vec<Language>,
    /// `None`: every path.
    pub globs: Option<GlobSet>,
    /// Code, documentation, configuration or all of them.
    pub content: ContentFilter,
}

impl Filters {
    /// Filters from what a client names: languages, globs relative to the
    /// root, and `all` / `code` / `docs` / `config`. `Err` says which name is
    /// wrong.
    pub fn parse(languages: &[String], globs: &[String], content: Option<&str>) -> Result<Filters, String> {
        let languages = languages
            .iter()
            .map(|l| Language::from_name(l).ok_or_else(|| format!("unknown language {l:?}; known: {}", Language::ALL.iter().map(|l| l.name()).collect::<Vec<_>>().join(", "))))
            .collect::<Result<Vec<_>, _>>()?;
        let globs = if globs.is_empty() {
            None
        } else {
            let mut b = globset::GlobSetBuilder::new();
            for g in globs {
                b.add(globset::Glob::new(g).map_err(|e| format!("bad glob {g:?}: {e}"))?);
            }
            Some(b.build().map_err(|e| format!("bad globs: {e}"))?)
        };
        let content = match content {
            None => ContentFilter::All,
            Some(name) => ContentFilter::from_name(name).ok_or_else(|| format!("unknown content {name:?}: one of {}", ContentFilter::NAMES.join(", ")))?,
        };
        Ok(Filters { languages, globs, content })
    }

    /// Whether every chunk passes.
    fn accepts_all(&self) -> bool {
        self.languages.is_empty() && self.globs.is_none() && self.content == ContentFilter::All
    }

    fn accepts(&self, c: &IndexedChunk) -> bool {
        (self.languages.is_empty() || self.languages.iter().any(|&l| c.language.matches_filter(l)))
            && self.content.accepts(c.content)
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
    /// Live chunks by defined name, normalised (`getUser`, `get_user` →
    /// `getuser`): the definitions a symbol query looks up directly.
    by_name: HashMap<String, Vec<usize>>,
    vectors: VectorIndex<TextHash>,
    /// The static model's vectors (`embed::static_model`), by text hash:
    /// what a chunk is found by meaning with before its transformer vector
    /// exists.
    statics: StaticVectors,
    /// Each file's mean chunk vector, normalised, for the ranking's file
    /// topic: computed when a search first needs it, forgotten when the
    /// file's chunks or their vectors change. `None`: no vector yet.
    file_topics: Mutex<FileTopics>,
    lexical: Bm25,
    /// Changes whenever the chunks do: a [`WordRanking`] is valid while it
    /// stays the same.
    generation: Generation,
}

/// Each file's normalised mean chunk vector, `None` before any vector.
type FileTopics = HashMap<Arc<str>, Option<Arc<[f32]>>>;

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
    /// Chunk ids with their BM25 scores, best first.
    ids: Vec<(usize, f32)>,
}

impl Default for VectorIndex<TextHash> {
    fn default() -> Self {
        VectorIndex::new(DIM)
    }
}

/// The static model's vectors: an exact scan, never a graph (256 floats a
/// chunk, and searched only for the chunks still without a transformer vector).
struct StaticVectors(VectorIndex<TextHash>);

impl Default for StaticVectors {
    fn default() -> Self {
        StaticVectors(VectorIndex::new(STATIC_DIM))
    }
}

/// The dense candidates of a search, best first: by the transformer's
/// cosine, and for chunks without a transformer vector by the static
/// model's cosine mapped onto the transformer's scale ([`Calibration`]).
pub struct DenseList {
    pub hits: Vec<(usize, f32)>,
    /// No candidate is scored by the transformer (there is no query vector
    /// or no transformer vector yet): the ranking weighs the list as the
    /// static model's.
    pub static_only: bool,
}

/// How the static model's cosines to a query map onto the transformer's:
/// `t ≈ offset + scale × s`, matching the mean and the spread of the two
/// cosines over a sample of chunks that have both vectors. The two models'
/// cosines live on different scales (the static model's spread is wider);
/// per query, this makes a chunk's static score comparable to another
/// chunk's transformer score.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Calibration {
    offset: f32,
    scale: f32,
}

/// Whether a text keeps its static vector after its transformer vector
/// came: one in 16, by hash (so the same texts in every index and every
/// run), the pairs a [`Calibration`] is fitted on. The others' static
/// vectors are dropped, so a complete index holds a sixteenth of them.
pub fn calibration_sample(hash: &TextHash) -> bool {
    hash[0] < 16 || KEEP_EVERY_STATIC_VECTOR.load(Ordering::Relaxed)
}

/// Set for a measurement that leaves the transformer's vectors out
/// (`SEMNAV_RANK=no-transformer`, see [`RankConfig::from_env`]): every chunk
/// keeps its static vector, as in a cold index.
pub(crate) static KEEP_EVERY_STATIC_VECTOR: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Chunks with both vectors a calibration reads, at most.
const CALIBRATION_SAMPLE: usize = 512;
/// Fewer pairs than this: no calibration (the static scores stand as they are).
const CALIBRATION_MIN: usize = 16;

impl Calibration {
    /// From pairs `(static cosine, transformer cosine)`; `None` for too few
    /// pairs or no spread.
    fn fit(pairs: &[(f32, f32)]) -> Option<Calibration> {
        if pairs.len() < CALIBRATION_MIN {
            return None;
        }
        let n = pairs.len() as f32;
        let (ms, mt) = pairs.iter().fold((0.0, 0.0), |(a, b), &(s, t)| (a + s / n, b + t / n));
        let (vs, vt) = pairs.iter().fold((0.0, 0.0), |(a, b), &(s, t)| (a + (s - ms).powi(2) / n, b + (t - mt).powi(2) / n));
        if vs <= f32::EPSILON || vt <= f32::EPSILON {
            return None;
        }
        let scale = (vt / vs).sqrt();
        Some(Calibration { offset: mt - scale * ms, scale })
    }

    fn apply(&self, s: f32) -> f32 {
        self.offset + self.scale * s
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

    /// Gives back what the tables reserved beyond their contents.
    pub fn shrink_to_fit(&mut self) {
        self.vectors.shrink_to_fit();
        self.statics.0.shrink_to_fit();
        self.chunks.shrink_to_fit();
        self.live.shrink_to_fit();
    }

    pub fn vectors_mut(&mut self) -> &mut VectorIndex<TextHash> {
        &mut self.vectors
    }

    pub fn vectors(&self) -> &VectorIndex<TextHash> {
        &self.vectors
    }

    /// Static vectors held (one per distinct chunk text).
    pub fn static_count(&self) -> usize {
        self.statics.0.len()
    }

    pub fn has_static_vector(&self, hash: &TextHash) -> bool {
        self.statics.0.contains(hash)
    }

    /// Whether live chunks of text `hash` want its static vector (see
    /// [`SearchIndex::add_static_vector`]) and do not have it.
    pub fn wants_static_vector(&self, hash: &TextHash) -> bool {
        self.by_hash.contains_key(hash) && !self.statics.0.contains(hash) && (!self.vectors.contains(hash) || calibration_sample(hash))
    }

    /// Adds the static vector of a text that live chunks have, when it is
    /// of use: the text has no transformer vector yet, or it is one of the
    /// calibration sample ([`calibration_sample`]).
    pub fn add_static_vector(&mut self, hash: TextHash, vector: &[f32]) {
        if vector.len() == STATIC_DIM && self.by_hash.contains_key(&hash) && (!self.vectors.contains(&hash) || calibration_sample(&hash)) {
            self.statics.0.insert(hash, vector);
        }
    }

    pub fn chunk(&self, id: usize) -> &IndexedChunk {
        &self.chunks[id]
    }

    /// Live chunk ids of a file, in file order.
    pub fn chunks_of(&self, path: &str) -> &[usize] {
        self.by_path.get(path).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Files and live chunks per language, by language.
    pub fn language_counts(&self) -> std::collections::BTreeMap<Language, (usize, usize)> {
        let mut counts = std::collections::BTreeMap::new();
        for ids in self.by_path.values() {
            let Some(&first) = ids.first() else { continue };
            let entry: &mut (usize, usize) = counts.entry(self.chunks[first].language).or_default();
            entry.0 += 1;
            entry.1 += ids.len();
        }
        counts
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
        self.topics().remove(path);
        let mut reusable: HashMap<TextHash, Vec<usize>> = HashMap::with_capacity(old_ids.len());
        for id in old_ids {
            reusable.entry(self.chunks[id].chunk.text_hash).or_default().push(id);
        }
        let mut ids = Vec::with_capacity(chunks.len());
        let mut path_facts: Option<Arc<paths::PathFacts>> = None;
        for mut chunk in chunks {
            let words = words_hash(&chunk.terms);
            let same = reusable.get_mut(&chunk.text_hash).and_then(|candidates| {
                let at = candidates.iter().position(|&id| self.chunks[id].language == language && self.chunks[id].words_hash == words)?;
                Some(candidates.swap_remove(at))
            });
            if let Some(id) = same {
                let slot = &mut self.chunks[id];
                if slot.chunk.name != chunk.name {
                    slot.name_terms = names::name_terms(chunk.name.as_deref());
                }
                if slot.chunk.container != chunk.container {
                    slot.container_terms = names::container_terms(chunk.container.as_deref());
                }
                if slot.chunk.preview != chunk.preview || slot.chunk.kind != chunk.kind {
                    slot.signature_terms = names::signature_terms(&chunk);
                }
                chunk.terms = String::new();
                slot.chunk = chunk;
                ids.push(id);
                continue;
            }
            let id = self.chunks.len();
            let doc = self.lexical.add(&chunk.terms);
            debug_assert_eq!(doc as usize, id);
            // The words are in the BM25 index now: at 100k chunks they were
            // about 38 MB of an idle server's heap.
            chunk.terms = String::new();
            if !self.vectors.contains(&chunk.text_hash) {
                if let Some(v) = vector_of(&chunk.text_hash) {
                    self.vectors.insert(chunk.text_hash, &v);
                    self.forget_topics_with(&chunk.text_hash);
                }
            }
            self.by_hash.entry(chunk.text_hash).or_default().push(id);
            if let Some(name) = &chunk.name {
                self.by_name.entry(query::normalized(name)).or_default().push(id);
            }
            let content = content_of(path, language);
            let path_facts = path_facts.get_or_insert_with(|| Arc::new(paths::PathFacts::of(path))).clone();
            let name_terms = names::name_terms(chunk.name.as_deref());
            let container_terms = names::container_terms(chunk.container.as_deref());
            let signature_terms = names::signature_terms(&chunk);
            self.chunks.push(IndexedChunk { path: path.clone(), language, content, chunk, path_facts, name_terms, container_terms, signature_terms, words_hash: words });
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
    /// ones, rebuild the chunk table from the live chunks and renumber the
    /// lexical index's documents, so memory follows the index's size, not
    /// the edit count.
    fn compact_if_needed(&mut self) {
        let live = self.len();
        if self.chunks.len() <= 2 * live + 1024 {
            return;
        }
        let mut old_chunks: Vec<Option<IndexedChunk>> = std::mem::take(&mut self.chunks).into_iter().map(Some).collect();
        let by_path = std::mem::take(&mut self.by_path);
        let mut new_doc: Vec<Option<u32>> = vec![None; old_chunks.len()];
        self.live.clear();
        self.by_hash.clear();
        self.by_name.clear();
        for (path, ids) in by_path {
            let mut new_ids = Vec::with_capacity(ids.len());
            for id in ids {
                let Some(c) = old_chunks[id].take() else { continue };
                let new_id = self.chunks.len();
                new_doc[id] = Some(new_id as u32);
                self.by_hash.entry(c.chunk.text_hash).or_default().push(new_id);
                if let Some(name) = &c.chunk.name {
                    self.by_name.entry(query::normalized(name)).or_default().push(new_id);
                }
                self.chunks.push(c);
                self.live.push(true);
                new_ids.push(new_id);
            }
            self.by_path.insert(path, new_ids);
        }
        self.lexical = self.lexical.renumbered(&new_doc);
        self.vectors.compact_if_needed();
        self.statics.0.compact_if_needed();
    }

    /// Adds the vector of a text (for chunks that were waiting for it).
    /// Its static vector is then of no more use, unless it calibrates.
    pub fn add_vector(&mut self, hash: TextHash, vector: &[f32]) {
        if self.by_hash.contains_key(&hash) {
            self.vectors.insert(hash, vector);
            self.forget_topics_with(&hash);
            if !calibration_sample(&hash) {
                self.statics.0.remove(&hash);
            }
        }
    }

    /// The file topics, never poisoned: a search that panicked holding the
    /// lock left at most a missing entry.
    fn topics(&self) -> MutexGuard<'_, FileTopics> {
        self.file_topics.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Forgets the topic of every file with a chunk of text `hash`.
    fn forget_topics_with(&self, hash: &TextHash) {
        let Some(ids) = self.by_hash.get(hash) else { return };
        let mut topics = self.topics();
        for &id in ids {
            topics.remove(&*self.chunks[id].path);
        }
    }

    pub fn has_vector(&self, hash: &TextHash) -> bool {
        self.vectors.contains(hash)
    }

    pub fn remove_file(&mut self, path: &str) {
        self.buffer_states.remove(path);
        self.topics().remove(path);
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
        if let Some(name) = &self.chunks[id].chunk.name {
            let key = query::normalized(name);
            if let Some(list) = self.by_name.get_mut(&key) {
                list.retain(|&c| c != id);
                if list.is_empty() {
                    self.by_name.remove(&key);
                }
            }
        }
        let hash = self.chunks[id].chunk.text_hash;
        if let Some(list) = self.by_hash.get_mut(&hash) {
            list.retain(|&c| c != id);
            if list.is_empty() {
                self.by_hash.remove(&hash);
                self.vectors.remove(&hash);
                self.statics.0.remove(&hash);
            }
        }
    }

    /// The dense candidates from whichever vectors the chunks have: the
    /// transformer's nearest to `query_vector`, and the static model's
    /// nearest to `static_vector` among the chunks without a transformer
    /// vector, their cosines mapped onto the transformer's scale. `k` deep
    /// each, merged best first.
    fn dense_tiers(&self, query_vector: &[f32], static_vector: &[f32], k: usize, filters: &Filters, config: &RankConfig) -> DenseList {
        let keep = |id: usize| self.keeps(id, filters);
        let query_vector = if config.transformer { query_vector } else { &[] };
        let mut hits = if query_vector.is_empty() { Vec::new() } else { self.dense(query_vector, k, &keep, filters.accepts_all()) };
        let use_static = config.static_tier && static_vector.len() == STATIC_DIM && !self.statics.0.is_empty();
        // Chunks the transformer has not embedded yet (all, when a
        // measurement leaves its vectors out). Not the embedded ones when
        // the query has no transformer vector (no model): they keep only a
        // sample of static vectors, which would rank as noise.
        let waiting = |hash: &TextHash| !config.transformer || !self.vectors.contains(hash);
        if !use_static || (config.transformer && self.vectors.len() >= self.by_hash.len()) {
            return DenseList { hits, static_only: false };
        }
        let statics = &self.statics.0;
        let rows = statics.search(static_vector, k, |row| {
            let hash = statics.key(row);
            waiting(hash) && self.by_hash.get(hash).is_some_and(|ids| ids.iter().any(|&id| keep(id)))
        });
        if rows.is_empty() {
            return DenseList { hits, static_only: false };
        }
        let calibration = if query_vector.is_empty() { None } else { self.calibration(query_vector, static_vector) };
        let static_only = hits.is_empty();
        for (row, score) in rows {
            let score = calibration.map_or(score, |c| c.apply(score));
            if let Some(ids) = self.by_hash.get(statics.key(row)) {
                hits.extend(ids.iter().filter(|&&id| keep(id)).map(|&id| (id, score)));
            }
        }
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        DenseList { hits, static_only }
    }

    /// The map from static to transformer cosines for this query, from the
    /// chunks that have both vectors (an even sample of at most
    /// [`CALIBRATION_SAMPLE`]).
    fn calibration(&self, query_vector: &[f32], static_vector: &[f32]) -> Option<Calibration> {
        let statics = &self.statics.0;
        let rows = statics.rows();
        let step = (rows / (CALIBRATION_SAMPLE * 4)).max(1);
        let pairs: Vec<(f32, f32)> = (0..rows)
            .step_by(step)
            .filter_map(|row| {
                let hash = statics.key(row);
                if statics.row(hash) != Some(row) {
                    return None;
                }
                let t = self.vectors.row(hash)?;
                Some((statics.dot(row, static_vector), self.vectors.dot(t, query_vector)))
            })
            .take(CALIBRATION_SAMPLE)
            .collect();
        Calibration::fit(&pairs)
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

    /// Live chunks whose name, normalised, is `name` (see [`query::normalized`]).
    fn chunks_named(&self, name: &str) -> &[usize] {
        self.by_name.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether chunk `id` is live and `filters` accept it.
    fn keeps(&self, id: usize, filters: &Filters) -> bool {
        self.live[id] && filters.accepts(&self.chunks[id])
    }

    /// Hybrid search: `query_vector` is the embedded query (empty: words
    /// only), `query_text` its words; `config` says how to rank.
    pub fn search(&self, query_vector: &[f32], query_text: &str, filters: &Filters, config: &RankConfig, limit: usize) -> Vec<Hit> {
        let words = self.rank_words(query_text, filters, config, limit);
        self.search_ranked(query_vector, &[], &words, query_text, filters, config, limit)
    }

    /// The lexical ranking [`SearchIndex::search`] uses, for
    /// [`SearchIndex::search_ranked`] with the same query, filters, config and limit.
    pub fn rank_words(&self, query_text: &str, filters: &Filters, config: &RankConfig, limit: usize) -> WordRanking {
        let length_norm = rank::length_norm(&QueryProfile::new(query_text), config);
        let deepest = rank_depths(limit).last().unwrap_or(FIRST_DEPTH);
        let ids = self.lexical.search(query_text, deepest, length_norm, |d| self.keeps(d as usize, filters)).into_iter().map(|(d, score)| (d as usize, score)).collect();
        WordRanking { generation: self.generation, ids }
    }

    /// [`SearchIndex::search`] with its lexical ranking done beforehand by
    /// [`SearchIndex::rank_words`] (done again if the chunks changed since),
    /// and `static_vector`, the query's vector by the static model (empty:
    /// none), for the chunks without a transformer vector.
    #[allow(clippy::too_many_arguments)]
    pub fn search_ranked(&self, query_vector: &[f32], static_vector: &[f32], words: &WordRanking, query_text: &str, filters: &Filters, config: &RankConfig, limit: usize) -> Vec<Hit> {
        let ranked_again;
        let lexical = if words.generation == self.generation {
            &words.ids
        } else {
            ranked_again = self.rank_words(query_text, filters, config, limit);
            &ranked_again.ids
        };
        let query = QueryProfile::new(query_text);
        // One ranking whatever the limit: each depth's ranking gives the
        // results after the ones before it, up to its depth, so the first
        // `FIRST_DEPTH` results are the same for a limit of 10 or of 500.
        // The BM25 list is ranked once, as deep as the deepest; its top k
        // is the first k of it (a total order, ties by id).
        let mut out: Vec<Hit> = Vec::with_capacity(limit.min(FIRST_DEPTH));
        for depth in rank_depths(limit) {
            let words = &lexical[..lexical.len().min(depth)];
            let dense = if config.dense {
                self.dense_tiers(query_vector, static_vector, depth, filters, config)
            } else {
                DenseList { hits: Vec::new(), static_only: false }
            };
            let exhausted = words.len() < depth && dense.hits.len() < depth;
            let ranked = rank::rank(self, &query, query_vector, &dense, words, filters, config, depth);
            self.dedup_into(&mut out, ranked, depth.min(limit));
            if exhausted || out.len() >= limit {
                break;
            }
        }
        out
    }

    /// Chunks whose vectors are nearest to `vector`, never overlapping `exclude`.
    pub fn similar(&self, vector: &[f32], exclude: &Exclude, filters: &Filters, limit: usize) -> Vec<Hit> {
        let keep = |id: usize| {
            let c = &self.chunks[id];
            self.keeps(id, filters) && !(*c.path == *exclude.path && c.chunk.start_line <= exclude.end_line && c.chunk.end_line >= exclude.start_line)
        };
        let ranked = self.dense(vector, (limit * 3).max(30), &keep, false).into_iter().map(|(chunk, score)| Hit { chunk, score }).collect();
        let mut out = Vec::with_capacity(limit);
        self.dedup_into(&mut out, ranked, limit);
        out
    }

    /// Cosine of `query` to the mean vector of each file of `paths` (see
    /// `file_topics`); `None` for a file with no vector yet.
    fn file_similarities(&self, paths: &[&str], query: &[f32]) -> Vec<Option<f32>> {
        let mut topics = self.topics();
        paths
            .iter()
            .map(|&path| {
                if !topics.contains_key(path) {
                    let (key, _) = self.by_path.get_key_value(path)?;
                    topics.insert(key.clone(), self.mean_vector(path));
                }
                topics[path].as_deref().map(|topic| crate::ann::dot(topic, query))
            })
            .collect()
    }

    /// The normalised mean of the vectors of `path`'s chunks.
    fn mean_vector(&self, path: &str) -> Option<Arc<[f32]>> {
        let mut sum = vec![0f32; self.vectors.dim()];
        let mut any = false;
        for &id in self.by_path.get(path)? {
            if let Some(row) = self.vectors.row(&self.chunks[id].chunk.text_hash) {
                for (s, v) in sum.iter_mut().zip(self.vectors.vector(row)) {
                    *s += v;
                }
                any = true;
            }
        }
        let norm = sum.iter().map(|v| v * v).sum::<f32>().sqrt();
        if !any || norm <= f32::EPSILON {
            return None;
        }
        sum.iter_mut().for_each(|v| *v /= norm);
        Some(sum.into())
    }

    /// Appends the hits of `ranked` (best first) to `out` until it holds
    /// `limit`, leaving out a chunk already there and a repeat of a
    /// definition there (the windows of a split function, identical ranges).
    /// A hit never scores above the one before it: a deeper ranking's
    /// scores continue the list they extend.
    fn dedup_into(&self, out: &mut Vec<Hit>, ranked: Vec<Hit>, limit: usize) {
        for mut hit in ranked {
            if out.len() >= limit {
                break;
            }
            let c = &self.chunks[hit.chunk];
            let same_definition = out.iter().any(|h| {
                let o = &self.chunks[h.chunk];
                h.chunk == hit.chunk
                    || o.path == c.path
                        && ((o.chunk.start_line == c.chunk.start_line && o.chunk.end_line == c.chunk.end_line)
                            || (c.chunk.kind.is_definition()
                                && o.chunk.kind == c.chunk.kind
                                && o.chunk.name == c.chunk.name
                                && o.chunk.container == c.chunk.container
                                && o.chunk.start_line <= c.chunk.end_line + 1
                                && c.chunk.start_line <= o.chunk.end_line + 1))
            });
            if !same_definition {
                if let Some(last) = out.last() {
                    hit.score = hit.score.min(last.score);
                }
                out.push(hit);
            }
        }
    }
}

#[cfg(test)]
mod one_ranking_tests;
#[cfg(test)]
mod tests;
