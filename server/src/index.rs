//! Keeping a workspace's index up to date: discover → read → chunk → embed →
//! store, incrementally.
//!
//! A refresh reads only files whose size or modification time changed (or were
//! modified within the same instant they were last indexed); a file whose
//! content hash is unchanged keeps its chunks; a chunk whose text was embedded
//! before (in any file, in any run, in any index on the machine) reuses that
//! vector: from the store, else from the machine's [`VectorCache`], where
//! every vector computed is also written. The path in an embedded text is
//! relative to the git work tree holding the root ([`TextScope`]), so an
//! index of a subfolder embeds the texts the whole clone's did. Vectors are
//! written before the file entries that use them, and each file entry is one
//! atomic write, so a refresh killed at any moment leaves an index that opens
//! consistently and resumes where it stopped. Knows nothing of terminals or LSP:
//! progress goes through the [`Progress`] trait.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use std::sync::Arc;

use anyhow::{Context, Result};

use crate::ann::{ann_threshold, HnswBase};

use crate::chunk::{self, Chunk};
use crate::discover::{self, DiscoverOptions, FoundFile, SkipReason};
use crate::embed::eta::EmbedCount;
use crate::embed::{static_model, EmbedWorker, Priority};
use crate::lexical;
use crate::search::SearchIndex;
use crate::lang::Language;
use crate::store::{self, FileEntry, OpenOutcome, SkipCounts, SkippedFile, Store, StoredChunk, TextHash};
use crate::vector_cache::VectorCache;

/// Missing texts embedded per round trip to the embedding thread; also how
/// often file entries are committed, vectors join a server's index, and
/// progress moves. Small: a search's candidates embedded first are left
/// out of every round not yet sent, so at most one round (seconds) embeds
/// them twice; 256 embedded most of a small repository twice under an
/// agent's queries and made progress sit still for 15 s at a time.
const EMBED_ROUND: usize = 64;
/// A file modified this close to when it was indexed is read again next time:
/// its modification time cannot tell a later write apart.
const RACY_NS: u64 = 2_000_000_000;
/// The saved HNSW graph (points quantized to bytes, behind a checksum), and
/// the names of the formats before it, removed when an index is loaded.
const HNSW_FILE: &str = "hnsw-q8c.bin";
const OUTDATED_HNSW_FILES: &[&str] = &["hnsw.bin", "hnsw-q8.bin"];
/// The saved graph's first bytes; a CRC-32 of the rest follows.
const HNSW_MAGIC: &[u8; 8] = b"semnavG1";

/// Reports a long operation's progress (a terminal bar, LSP `$/progress`).
pub trait Progress: Sync {
    fn begin(&self, _title: &str, _total: u64) {}
    fn advance(&self, _done: u64, _message: &str) {}
    fn end(&self, _message: &str) {}
}

/// Reports nothing.
pub struct NoProgress;
impl Progress for NoProgress {}

/// What a refresh did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RefreshStats {
    /// Files indexed after the refresh.
    pub files: usize,
    pub chunks: usize,
    /// Files read and re-chunked in this refresh.
    pub files_read: usize,
    pub files_removed: usize,
    /// Chunk texts sent to the model now.
    pub embedded: usize,
    /// Chunk texts a search had embedded ahead of this refresh meanwhile
    /// (query-driven embedding): to embed when counted, done since.
    pub embedded_first: usize,
    /// Chunks of changed files whose vector was found in the store or in
    /// the machine's vector cache.
    pub reused: usize,
    pub skipped: SkipCounts,
    pub elapsed: Duration,
}

/// The index directory for a workspace root: under the cache dir, keyed by
/// the canonical root path, so it never lands inside the repository.
pub fn default_index_dir(root: &Path) -> PathBuf {
    let name = root.file_name().and_then(|n| n.to_str()).unwrap_or("root");
    let hash = blake3::hash(root.to_string_lossy().as_bytes()).to_hex();
    crate::housekeeping::indexes_home().join(format!("{name}-{}", &hash[..16]))
}

/// The workspace a command run in folder `start` (canonical) works on when
/// no root is named: the nearest enclosing folder (`start` included) that is
/// indexed, else the nearest that is a git work tree, else `start` itself.
/// With `index_dir` (an index at a place of the user's choosing) the indexed
/// root is the one that index records. The one rule of the CLI and the MCP
/// server: a subfolder of an indexed clone is part of it, not a new world.
pub fn enclosing_root(start: &Path, index_dir: Option<&Path>) -> PathBuf {
    let indexed = match index_dir {
        Some(dir) => crate::housekeeping::root_of(dir).filter(|root| start.starts_with(root)),
        None => start.ancestors().find(|d| default_index_dir(d).join("db").exists()).map(Path::to_path_buf),
    };
    indexed.or_else(|| start.ancestors().find(|d| d.join(".git").exists()).map(Path::to_path_buf)).unwrap_or_else(|| start.to_path_buf())
}

/// The path of `root` inside the git work tree that holds it (the nearest
/// folder, `root` included, with a `.git` entry: a clone or a worktree),
/// `/`-separated and ending with `/`; empty when `root` is a work tree's top
/// or in none.
pub fn path_in_work_tree(root: &Path) -> String {
    let Some(top) = root.ancestors().find(|d| d.join(".git").exists()) else { return String::new() };
    root.strip_prefix(top).unwrap_or(Path::new("")).components().map(|c| format!("{}/", c.as_os_str().to_string_lossy())).collect()
}

/// What the text embedded for a chunk depends on besides the chunk and its
/// file: the model, and the root's path inside its git work tree
/// ([`path_in_work_tree`]), which the embedded path starts with. Only the
/// embedded text has that prefix; every other path stays relative to the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextScope<'a> {
    pub model_id: &'a str,
    pub prefix: &'a str,
}

/// A workspace root and its store.
pub struct Workspace {
    pub root: PathBuf,
    pub store: Store,
    pub options: DiscoverOptions,
    model_id: String,
    /// [`path_in_work_tree`] of the root.
    text_prefix: String,
    /// The machine's vector cache, shared with every index on it.
    vectors: Option<Arc<VectorCache>>,
}

impl Workspace {
    /// Opens the index of `root` (canonicalised) in `index_dir` or the default.
    pub fn open(root: &Path, index_dir: Option<&Path>, options: DiscoverOptions, model_id: &str) -> Result<(Workspace, OpenOutcome)> {
        let root = root.canonicalize().with_context(|| format!("cannot open workspace {}", root.display()))?;
        if !root.is_dir() {
            anyhow::bail!("workspace {} is not a directory", root.display());
        }
        let dir = index_dir.map(Path::to_path_buf).unwrap_or_else(|| default_index_dir(&root));
        let (store, outcome) = Store::open(&dir, model_id)?;
        store.set_root(&root)?;
        // The marker says "a semnav index" and, by its time, when it was last used.
        if let Err(e) = crate::housekeeping::touch(&dir, &root, None) {
            tracing::warn!("cannot record the use of the index at {}: {e:#}", dir.display());
        }
        let text_prefix = path_in_work_tree(&root);
        Ok((Workspace { root, store, options, model_id: model_id.to_string(), text_prefix, vectors: VectorCache::for_machine() }, outcome))
    }

    pub fn model_id(&self) -> &str {
        &self.model_id
    }

    /// What this workspace's embedded texts depend on besides each chunk.
    pub fn text_scope(&self) -> TextScope<'_> {
        TextScope { model_id: &self.model_id, prefix: &self.text_prefix }
    }

    /// Uses `cache` as the machine's vector cache instead of the one the
    /// environment names (`None`: none).
    pub fn set_vector_cache(&mut self, cache: Option<Arc<VectorCache>>) {
        self.vectors = cache;
    }

    /// The vectors of `hashes` that the machine's vector cache has: computed
    /// before for another index (or this one), they need no model call.
    pub fn machine_vectors(&self, hashes: &[TextHash]) -> HashMap<TextHash, Vec<f32>> {
        match &self.vectors {
            Some(cache) if !hashes.is_empty() => cache.get(hashes),
            _ => HashMap::new(),
        }
    }

    /// Gives vectors that model `model_id` computed for this workspace's
    /// texts to the machine's vector cache; only when it is the model this
    /// workspace's text hashes are of (one opened before its model loaded
    /// may not be), so the cache never holds a vector under another model's key.
    pub fn share_vectors(&self, model_id: &str, vectors: &[(TextHash, Vec<f32>)]) {
        if let (Some(cache), true) = (&self.vectors, model_id == self.model_id) {
            cache.put(model_id, vectors);
        }
    }

    /// Brings the index up to date with the files on disk.
    pub fn refresh(&self, worker: &EmbedWorker, progress: &dyn Progress) -> Result<RefreshStats> {
        self.refresh_with(worker, progress, &|_| {})
    }

    /// [`Workspace::refresh`], handing each round of new vectors to
    /// `on_vectors` once they are stored: what a server lays into the index
    /// it answers from, so that the transformer's vectors fill in while a
    /// cold index runs rather than all at its end.
    pub fn refresh_with(&self, worker: &EmbedWorker, progress: &dyn Progress, on_vectors: &dyn Fn(&[(TextHash, Vec<f32>)])) -> Result<RefreshStats> {
        let started = Instant::now();
        let found = discover::discover(&self.root, &self.options)?;
        let mut stats = RefreshStats::default();
        let mut skipped: SkipCounts = SkipCounts::new();
        let mut count_skip = |reason: &str| *skipped.entry(reason.to_string()).or_default() += 1;

        let mut on_disk: HashSet<&str> = HashSet::new();
        for (path, reason) in &found.skipped {
            count_skip(reason.as_str());
            // Not read is not gone: an unreadable file keeps what it had.
            if *reason != SkipReason::Unreadable {
                self.store.remove_file(path)?;
                self.store.remove_skipped_file(path)?;
            }
        }
        for _ in &found.unreadable {
            count_skip(SkipReason::Unreadable.as_str());
        }
        // What changed, from metadata only.
        let mut to_read: Vec<&FoundFile> = Vec::new();
        for file in &found.files {
            on_disk.insert(&file.rel_path);
            match self.store.file(&file.rel_path)? {
                Some(entry) if !self.needs_reading(file, &entry)? => {}
                Some(_) => to_read.push(file),
                None => match self.refused_as_it_is(file)? {
                    Some(refused) => count_skip(&refused.reason),
                    None => to_read.push(file),
                },
            }
        }
        let mut stale: Vec<String> = Vec::new();
        for item in self.store.files() {
            let (path, _) = item?;
            if !on_disk.contains(path.as_str()) && !found.hides(&path) {
                stale.push(path);
            }
        }
        for path in &stale {
            self.store.remove_file(path)?;
        }
        let gone_refused: Vec<String> = self.store.skipped_paths().filter(|p| !matches!(p, Ok(p) if on_disk.contains(p.as_str()) || found.hides(p))).collect::<Result<_>>()?;
        for path in &gone_refused {
            self.store.remove_skipped_file(path)?;
        }
        stats.files_removed = stale.len();

        // Counted first (read and chunked; the model costs a hundred times
        // more), so progress is in chunks to embed, with a rate and the time left.
        let count = EmbedCount::new(self.count_to_embed(&to_read)?);
        progress.begin("Indexing", count.total());
        let mut pending = PendingFiles::default();
        for file in &to_read {
            let text = match discover::read_inside(&self.root, &file.rel_path, self.options.max_file_bytes) {
                Ok(text) => text,
                // It was there a moment ago: what the index has of it stays.
                Err(SkipReason::Unreadable) => {
                    count_skip(SkipReason::Unreadable.as_str());
                    continue;
                }
                Err(reason) => {
                    count_skip(reason.as_str());
                    self.store.remove_file(&file.rel_path)?;
                    let refused = SkippedFile { size: file.size, mtime_ns: file.mtime_ns, read_ns: now_ns(), reason: reason.as_str().to_string() };
                    self.store.put_skipped_file(&file.rel_path, &refused)?;
                    continue;
                }
            };
            stats.files_read += 1;
            self.store.remove_skipped_file(&file.rel_path)?;
            let content_hash = *blake3::hash(text.as_bytes()).as_bytes();
            let previous = self.store.file(&file.rel_path)?;
            let (entry, texts) = match previous {
                Some(mut old) if old.content_hash == content_hash && old.language == file.language => {
                    // Touched but unchanged: keep the chunks, update the metadata.
                    old.size = file.size;
                    old.mtime_ns = file.mtime_ns;
                    old.indexed_ns = now_ns();
                    let texts = if self.all_vectors_present(&old)? { Vec::new() } else { self.embed_texts(file, &text) };
                    (old, texts)
                }
                _ => self.build_entry(file, &text, content_hash),
            };
            pending.add(&self.store, &file.rel_path, entry, texts, &mut stats)?;
            if pending.missing.len() >= EMBED_ROUND {
                pending.commit(self, worker, &mut stats, on_vectors)?;
                count.record((stats.embedded + stats.embedded_first) as u64);
                progress.advance((stats.embedded + stats.embedded_first) as u64, &count.message());
            }
        }
        pending.commit(self, worker, &mut stats, on_vectors)?;
        count.record((stats.embedded + stats.embedded_first) as u64);
        progress.advance((stats.embedded + stats.embedded_first) as u64, &count.message());
        self.store.set_skip_counts(&skipped)?;
        self.store.flush()?;
        stats.files = self.store.file_count();
        stats.chunks = self.store.files().map(|f| f.map(|(_, e)| e.chunks.len()).unwrap_or(0)).sum();
        stats.skipped = skipped;
        stats.elapsed = started.elapsed();
        if let Err(e) = crate::housekeeping::touch(self.store.dir(), &self.root, Some(stats.chunks as u64)) {
            tracing::warn!("cannot record the use of the index at {}: {e:#}", self.store.dir().display());
        }
        progress.end(&format!("{} files, {} chunks", stats.files, stats.chunks));
        Ok(stats)
    }

    /// Re-indexes one file from disk (after an outside change, or when the
    /// editor closes it and the disk is the truth again). A file that is gone,
    /// excluded or unreadable leaves the index. Returns its new entry.
    pub fn refresh_file(&self, rel_path: &str, worker: &EmbedWorker) -> Result<Option<FileEntry>> {
        match self.read_file(rel_path) {
            Some((entry, texts)) => {
                self.store_file(rel_path, &entry, texts, worker)?;
                Ok(Some(entry))
            }
            None => {
                self.store.remove_file(rel_path)?;
                Ok(None)
            }
        }
    }

    /// Stores a file's entry (from [`Workspace::read_file`]) after the
    /// vectors of its `texts` that the store does not have yet.
    pub fn store_file(&self, rel_path: &str, entry: &FileEntry, texts: Vec<(TextHash, String)>, worker: &EmbedWorker) -> Result<()> {
        let mut stats = RefreshStats::default();
        let mut pending = PendingFiles::default();
        pending.add(&self.store, rel_path, entry.clone(), texts, &mut stats)?;
        pending.commit(self, worker, &mut stats, &|_| {})?;
        self.store.remove_skipped_file(rel_path)?;
        Ok(())
    }

    /// Reads and chunks one file as a refresh would, without touching the
    /// store: its entry and the texts to embed for it. `None` when the file
    /// is gone, excluded, too large or not text.
    pub fn read_file(&self, rel_path: &str) -> Option<(FileEntry, Vec<(TextHash, String)>)> {
        let abs = self.root.join(rel_path);
        let filter = discover::PathFilter::new(&self.root, &self.options).ok()?;
        // Only what a walk would reach: nothing through a link or `..`.
        if discover::inside_root(&self.root, &abs).as_deref() != Some(rel_path) {
            return None;
        }
        let meta = std::fs::symlink_metadata(&abs).ok().filter(|m| m.is_file() && filter.accepts(rel_path) && m.len() <= self.options.max_file_bytes)?;
        let language = Language::from_path(&abs)?;
        let file = FoundFile { rel_path: rel_path.to_string(), abs_path: abs, language, size: meta.len(), mtime_ns: discover::mtime_ns(&meta) };
        let text = discover::read_inside(&self.root, &file.rel_path, self.options.max_file_bytes).ok()?;
        Some(self.build_entry(&file, &text, *blake3::hash(text.as_bytes()).as_bytes()))
    }

    /// Lays over `index` (loaded from the store) the files on disk that the
    /// store does not know as they are: new and changed files are read and
    /// chunked, with whatever vectors the store or the machine's vector cache
    /// already has for their texts (a second clone answers by meaning at
    /// once), removed files leave. Nothing is embedded and the store is not written:
    /// this is what answers, by words, while a refresh embeds (or when there
    /// is no model at all). Returns the number of files laid or removed.
    pub fn lay_stale_files(&self, index: &mut SearchIndex) -> Result<usize> {
        let found = discover::discover(&self.root, &self.options)?;
        let mut on_disk: HashSet<&str> = HashSet::new();
        let mut changed = 0;
        for file in &found.files {
            on_disk.insert(&file.rel_path);
            match self.store.file(&file.rel_path)? {
                Some(entry) if !self.needs_reading(file, &entry)? => continue,
                None if self.refused_as_it_is(file)?.is_some() => continue,
                _ => {}
            }
            let Ok(text) = discover::read_inside(&self.root, &file.rel_path, self.options.max_file_bytes) else { continue };
            let (entry, texts) = self.build_entry(file, &text, *blake3::hash(text.as_bytes()).as_bytes());
            let elsewhere: Vec<TextHash> = entry.chunks.iter().map(|c| c.text_hash).filter(|h| !index.has_vector(h) && !self.store.has_vector(h).unwrap_or(true)).collect();
            let machine = self.machine_vectors(&elsewhere);
            index.set_file(&file.rel_path, entry.language, entry.chunks, |h| self.store.vector(h).ok().flatten().or_else(|| machine.get(h).cloned()));
            self.lay_static_vectors(index, &texts);
            changed += 1;
        }
        let gone: Vec<String> = index.paths().filter(|p| !on_disk.contains(p) && !found.hides(p)).map(String::from).collect();
        for path in &gone {
            index.remove_file(path);
        }
        Ok(changed + gone.len())
    }

    /// The distinct chunk texts of `files` whose vectors the store does not
    /// have: what a refresh of them will embed.
    fn count_to_embed(&self, files: &[&FoundFile]) -> Result<u64> {
        let mut missing: HashSet<TextHash> = HashSet::new();
        for file in files {
            let Ok(text) = discover::read_inside(&self.root, &file.rel_path, self.options.max_file_bytes) else { continue };
            for (hash, _) in self.embed_texts(file, &text) {
                if !missing.contains(&hash) && !self.store.has_vector(&hash)? {
                    missing.insert(hash);
                }
            }
        }
        // What the machine's vector cache has is taken, not embedded.
        // (In slices: the answer holds the vectors, counted and dropped.)
        let missing: Vec<TextHash> = missing.into_iter().collect();
        let known: usize = missing.chunks(4096).map(|slice| self.machine_vectors(slice).len()).sum();
        Ok((missing.len() - known) as u64)
    }

    /// Gives the chunks of `texts`, laid in `index`, the static vectors they
    /// want (those without a transformer vector): from the store when it has
    /// them, else computed now (microseconds a chunk).
    pub fn lay_static_vectors(&self, index: &mut SearchIndex, texts: &[(TextHash, String)]) {
        let Some(model) = static_model::shared() else { return };
        for (hash, text) in texts {
            if index.wants_static_vector(hash) {
                let v = self.store.static_vector(hash).ok().flatten().unwrap_or_else(|| model.embed(text));
                index.add_static_vector(*hash, &v);
            }
        }
    }

    /// Whether a file must be read: its metadata changed, or it was written
    /// in the same instant it was indexed. Its vectors are not looked up:
    /// they are written before the entry that uses them, and sled recovers
    /// writes in order, so an entry on disk implies its vectors (the crash
    /// test checks this). Looking them up cost 1.6 s per 65k chunks.
    fn needs_reading(&self, file: &FoundFile, entry: &FileEntry) -> Result<bool> {
        Ok(entry.size != file.size
            || entry.mtime_ns != file.mtime_ns
            || entry.language != file.language
            || entry.indexed_ns.saturating_sub(entry.mtime_ns) < RACY_NS)
    }

    /// A file that an earlier refresh read and refused, when its metadata
    /// says it is still as it was then (same rules as [`Self::needs_reading`]):
    /// it is not read again.
    fn refused_as_it_is(&self, file: &FoundFile) -> Result<Option<SkippedFile>> {
        Ok(self.store.skipped_file(&file.rel_path)?.filter(|refused| {
            refused.size == file.size && refused.mtime_ns == file.mtime_ns && refused.read_ns.saturating_sub(refused.mtime_ns) >= RACY_NS
        }))
    }

    fn all_vectors_present(&self, entry: &FileEntry) -> Result<bool> {
        for c in &entry.chunks {
            if !self.store.has_vector(&c.text_hash)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Chunks a file; returns its entry and the text embedded for each chunk.
    fn build_entry(&self, file: &FoundFile, text: &str, content_hash: [u8; 32]) -> (FileEntry, Vec<(TextHash, String)>) {
        let chunks = chunk::chunk_source(file.language, text);
        let (stored, texts) = chunks.iter().map(|c| stored_chunk(self.text_scope(), &file.rel_path, c, text)).map(|(s, t)| (s.clone(), (s.text_hash, t))).unzip();
        let entry = FileEntry { size: file.size, mtime_ns: file.mtime_ns, indexed_ns: now_ns(), content_hash, language: file.language, chunks: stored };
        (entry, texts)
    }

    fn embed_texts(&self, file: &FoundFile, text: &str) -> Vec<(TextHash, String)> {
        self.build_entry(file, text, [0; 32]).1
    }

    /// Reads the whole index into memory for searching, with the persisted
    /// HNSW base when the index is large enough to have one.
    pub fn load(&self) -> Result<SearchIndex> {
        remove_leftover_graphs(self.store.dir());
        let mut index = SearchIndex::new();
        for item in self.store.files() {
            let (path, entry) = item?;
            let hashes: Vec<TextHash> = entry.chunks.iter().map(|c| c.text_hash).collect();
            index.set_file(&path, entry.language, entry.chunks, |h| self.store.vector(h).ok().flatten());
            for hash in hashes {
                if index.wants_static_vector(&hash) {
                    if let Some(v) = self.store.static_vector(&hash).ok().flatten() {
                        index.add_static_vector(hash, &v);
                    }
                }
            }
        }
        if index.vector_count() >= ann_threshold() {
            let path = self.hnsw_path();
            match load_base(&path) {
                Ok(Some(base)) => {
                    install_saved_base(&mut index, base, &path);
                }
                Ok(None) => {}
                Err(e) => tracing::warn!("ignoring the saved HNSW graph: {e:#}"),
            }
        }
        // What the load grew by doubling and read to decode, back to the system.
        index.shrink_to_fit();
        crate::background::return_freed_memory();
        Ok(index)
    }

    /// The saved graph. Its name changes with the format of its points.
    fn hnsw_path(&self) -> PathBuf {
        self.store.dir().join(HNSW_FILE)
    }

    /// Builds and saves a new HNSW base when the index needs one (large, and
    /// no base or a stale one). Runs on a bounded pool of `threads` threads.
    /// Returns whether a base was built.
    pub fn build_ann_if_needed(&self, index: &mut SearchIndex, threads: usize) -> Result<bool> {
        if !index.vectors().needs_base() {
            return Ok(false);
        }
        let (points, keys) = index.vectors().live_points();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads.max(1)).thread_name(|i| format!("semnav-hnsw-{i}")).build()?;
        let base = pool.install(|| HnswBase::build(points, keys)).context("the index's vectors are too long for an HNSW graph")?;
        save_base(&self.hnsw_path(), &base)?;
        index.vectors_mut().set_base(Arc::new(base));
        Ok(true)
    }

    /// Files whose metadata differs from the index (new, changed, removed),
    /// without reading any content.
    pub fn staleness(&self) -> Result<Staleness> {
        let found = discover::discover(&self.root, &self.options)?;
        let mut s = Staleness::default();
        let mut seen = HashSet::new();
        for file in &found.files {
            seen.insert(file.rel_path.as_str());
            match self.store.file(&file.rel_path)? {
                None => match self.store.skipped_file(&file.rel_path)? {
                    // Refused as it is: a refresh would refuse it again.
                    Some(refused) if refused.size == file.size && refused.mtime_ns == file.mtime_ns => {}
                    Some(_) => s.changed += 1,
                    None => s.new += 1,
                },
                Some(e) if e.size != file.size || e.mtime_ns != file.mtime_ns => s.changed += 1,
                _ => {}
            }
        }
        for item in self.store.files() {
            let path = item?.0;
            if !seen.contains(path.as_str()) && !found.hides(&path) {
                s.removed += 1;
            }
        }
        Ok(s)
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Staleness {
    pub new: usize,
    pub changed: usize,
    pub removed: usize,
}

impl Staleness {
    pub fn is_stale(&self) -> bool {
        self.new + self.changed + self.removed > 0
    }
}

/// The text embedded for a chunk of the file at `rel_path` (relative to the
/// root) and its hash (the key of its vector): what finding or computing the
/// chunk's vector needs, without the rest of [`stored_chunk`].
pub fn embedded_text(scope: TextScope<'_>, rel_path: &str, c: &Chunk, source: &str) -> (TextHash, String) {
    let text = match scope.prefix {
        "" => chunk::chunk_text_for_embedding(rel_path, c, source),
        prefix => chunk::chunk_text_for_embedding(&format!("{prefix}{rel_path}"), c, source),
    };
    (store::text_hash(scope.model_id, &text), text)
}

/// The stored form of a chunk: where it is, its lexical words, and the hash of
/// the text that is embedded for it.
pub fn stored_chunk(scope: TextScope<'_>, rel_path: &str, c: &Chunk, source: &str) -> (StoredChunk, String) {
    let (text_hash, embed_text) = embedded_text(scope, rel_path, c, source);
    let body = c.text(source);
    let words = format!(
        "{rel_path} {} {} {body}",
        c.name.as_deref().unwrap_or(""),
        c.container.as_deref().unwrap_or("")
    );
    let stored = StoredChunk {
        kind: c.kind,
        name: c.name.clone(),
        container: c.container.clone(),
        start_byte: c.bytes.start as u32,
        end_byte: c.bytes.end as u32,
        start_line: c.start_line,
        end_line: c.end_line,
        text_hash,
        terms: lexical::document_terms(&words).join(" "),
        preview: preview(c, body),
        test: c.test,
    };
    (stored, embed_text)
}

/// The stored forms of one file's chunks, remembered by everything they are
/// computed from except their position. An open buffer's chunks are stored
/// again on every keystroke; with this, only the chunks whose text the edit
/// changed are formatted, hashed and split into words again, and the others
/// just take their new position.
#[derive(Default)]
pub struct StoredChunkMemo {
    by_content: HashMap<blake3::Hash, StoredChunk>,
}

impl StoredChunkMemo {
    /// The stored chunks of `chunks` (of `source`), as [`stored_chunk`] gives them.
    pub fn stored_chunks(&mut self, scope: TextScope<'_>, rel_path: &str, chunks: &[Chunk], source: &str) -> Vec<StoredChunk> {
        let mut next = HashMap::with_capacity(chunks.len());
        let stored = chunks
            .iter()
            .map(|c| {
                let key = content_key(scope, rel_path, c, source);
                let mut stored = match self.by_content.remove(&key).or_else(|| next.get(&key).cloned()) {
                    Some(known) => known,
                    None => stored_chunk(scope, rel_path, c, source).0,
                };
                stored.start_byte = c.bytes.start as u32;
                stored.end_byte = c.bytes.end as u32;
                stored.start_line = c.start_line;
                stored.end_line = c.end_line;
                next.insert(key, stored.clone());
                stored
            })
            .collect();
        self.by_content = next;
        stored
    }
}

/// A hash of everything [`stored_chunk`] reads but the chunk's position.
fn content_key(scope: TextScope<'_>, rel_path: &str, c: &Chunk, source: &str) -> blake3::Hash {
    let mut hasher = blake3::Hasher::new();
    let mut field = |bytes: &[u8]| {
        hasher.update(&(bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    field(scope.model_id.as_bytes());
    field(scope.prefix.as_bytes());
    field(rel_path.as_bytes());
    field(c.kind.as_str().as_bytes());
    field(&[c.test as u8]);
    for text in [&c.name, &c.container, &c.signature] {
        match text {
            Some(text) => {
                field(b"some");
                field(text.as_bytes());
            }
            None => field(b"none"),
        }
    }
    field(c.text(source).as_bytes());
    hasher.finalize()
}

/// One line shown under a result: the signature, else the first non-blank line.
fn preview(c: &Chunk, body: &str) -> String {
    let line = c.signature.as_deref().unwrap_or_else(|| body.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or(""));
    let mut s: String = line.chars().take(120).collect();
    if line.chars().count() > 120 {
        s.push('…');
    }
    s
}

/// Files read and chunked, waiting for the vectors of their new texts.
#[derive(Default)]
struct PendingFiles {
    files: Vec<(String, FileEntry)>,
    /// Texts to embed, by hash (deduplicated).
    missing: HashMap<TextHash, String>,
    /// Static vectors of new texts, stored with the round's vectors.
    statics: Vec<(TextHash, Vec<f32>)>,
}

impl PendingFiles {
    fn add(&mut self, store: &Store, path: &str, entry: FileEntry, texts: Vec<(TextHash, String)>, stats: &mut RefreshStats) -> Result<()> {
        let model = static_model::shared();
        for (hash, text) in texts {
            if self.missing.contains_key(&hash) {
                continue;
            }
            if let Some(model) = &model {
                // A text with a transformer vector needs none, unless it calibrates.
                let wanted = !store.has_vector(&hash)? || crate::search::calibration_sample(&hash);
                if wanted && !store.has_static_vector(&hash)? {
                    self.statics.push((hash, model.embed(&text)));
                }
            }
            if store.has_vector(&hash)? {
                stats.reused += 1;
            } else {
                self.missing.insert(hash, text);
            }
        }
        self.files.push((path.to_string(), entry));
        Ok(())
    }

    /// Takes what is missing from the machine's vector cache, embeds the
    /// rest, stores the vectors (static ones too, and gives the new ones to
    /// the machine's cache), then the file entries; hands the vectors to
    /// `on_vectors`.
    fn commit(&mut self, ws: &Workspace, worker: &EmbedWorker, stats: &mut RefreshStats, on_vectors: &dyn Fn(&[(TextHash, Vec<f32>)])) -> Result<()> {
        if !self.statics.is_empty() {
            ws.store.put_static_vectors(&std::mem::take(&mut self.statics))?;
        }
        // A search may have had some embedded first since they were added.
        let mut stored_since = Vec::new();
        for hash in self.missing.keys() {
            if ws.store.has_vector(hash)? {
                stored_since.push(*hash);
            }
        }
        for hash in &stored_since {
            self.missing.remove(hash);
        }
        stats.embedded_first += stored_since.len();
        let hashes: Vec<TextHash> = self.missing.keys().copied().collect();
        let known: Vec<(TextHash, Vec<f32>)> = ws.machine_vectors(&hashes).into_iter().collect();
        if !known.is_empty() {
            ws.store.put_vectors(&known)?;
            stats.reused += known.len();
            for (hash, _) in &known {
                self.missing.remove(hash);
            }
            on_vectors(&known);
        }
        if !self.missing.is_empty() {
            let (hashes, texts): (Vec<TextHash>, Vec<String>) = self.missing.drain().unzip();
            let vectors = worker.embed_blocking(texts, Priority::Background)?;
            stats.embedded += hashes.len();
            let pairs: Vec<(TextHash, Vec<f32>)> = hashes.into_iter().zip(vectors).collect();
            ws.store.put_vectors(&pairs)?;
            ws.share_vectors(worker.model_id(), &pairs);
            on_vectors(&pairs);
        }
        for (path, entry) in self.files.drain(..) {
            ws.store.put_file(&path, &entry)?;
        }
        Ok(())
    }
}

/// Deletes from index directory `dir` the graphs saved in an older format
/// (they are rebuilt as needed) and the temporary file of any graph that a
/// crash left behind: the graph is only ever read under its final name, so
/// such a file is never loaded. One process holds an index (sled's lock) and
/// loads it before it saves a graph, so no write in progress is removed.
fn remove_leftover_graphs(dir: &Path) {
    let outdated = OUTDATED_HNSW_FILES.iter().map(|name| (dir.join(name), "an HNSW graph in an older format"));
    let partial = OUTDATED_HNSW_FILES.iter().chain([&HNSW_FILE]).map(|name| (partial_of(&dir.join(name)), "an HNSW graph left half-written"));
    for (path, what) in outdated.chain(partial) {
        match std::fs::remove_file(&path) {
            Ok(()) => tracing::info!("removed {} ({what})", path.display()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!("cannot remove {} ({what}): {e}", path.display()),
        }
    }
}

/// Installs a saved graph in `index` unless it drifted from the index's
/// vectors further than a rebuild waits for (saved under other files, or
/// before a run that changed the store was killed): then it is left out,
/// with one log line, and searches scan exactly until `semnav index` or the
/// server rebuilds it. A graph within that drift is used as one kept in
/// memory is: vectors it lacks are scanned exactly, keys gone are skipped,
/// and every score is exact. Returns whether it was installed.
fn install_saved_base(index: &mut SearchIndex, base: HnswBase<TextHash>, path: &Path) -> bool {
    let vectors = index.vectors_mut();
    let len = base.len();
    vectors.set_base(Arc::new(base));
    if !vectors.needs_base() {
        return true;
    }
    let (missing, gone) = vectors.base_drift();
    tracing::warn!("ignoring the saved HNSW graph {}: {missing} vectors of the index are not in it and {gone} of its {len} points are gone (rebuilt by the next index)", path.display());
    vectors.clear_base();
    false
}

/// The temporary file a graph is written to before it is renamed to `path`.
fn partial_of(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

/// The number of points of the graph saved in index directory `dir`, as a
/// load reads it (checksum, then decoding): `None` when there is none, an
/// error when it is damaged. For tests and checks; a search loads it itself.
pub fn saved_graph_len(dir: &Path) -> Result<Option<usize>> {
    Ok(load_base(&dir.join(HNSW_FILE))?.map(|base| base.len()))
}

/// Reads a saved HNSW base; `None` when there is none.
fn load_base(path: &Path) -> Result<Option<HnswBase<TextHash>>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let body = bytes.strip_prefix(HNSW_MAGIC).and_then(|rest| rest.split_first_chunk::<4>()).with_context(|| format!("{} is not a saved graph", path.display()))?;
    let (crc, graph) = (u32::from_le_bytes(*body.0), body.1);
    if crc32fast::hash(graph) != crc {
        anyhow::bail!("{} is damaged (checksum mismatch)", path.display());
    }
    Ok(Some(postcard::from_bytes(graph).with_context(|| format!("{} does not decode", path.display()))?))
}

/// Saves an HNSW base atomically, so that a kill or a power loss leaves the
/// old graph or the new one, never half of one: a temporary file (a leftover
/// of a crash is overwritten), flushed to the disk, then renamed, then the
/// directory flushed so the rename lasts too (on Unix; elsewhere the rename
/// may be lost, leaving the old graph or none, which is rebuilt).
fn save_base(path: &Path, base: &HnswBase<TextHash>) -> Result<()> {
    let graph = postcard::to_allocvec(base).context("cannot encode the HNSW graph")?;
    let mut bytes = Vec::with_capacity(graph.len() + 12);
    bytes.extend_from_slice(HNSW_MAGIC);
    bytes.extend_from_slice(&crc32fast::hash(&graph).to_le_bytes());
    bytes.extend_from_slice(&graph);
    let tmp = partial_of(path);
    write_synced(&tmp, &bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))?;
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        if let Err(e) = std::fs::File::open(dir).and_then(|d| d.sync_all()) {
            tracing::warn!("cannot flush {} after saving its HNSW graph: {e}", dir.display());
        }
    }
    Ok(())
}

/// Writes `bytes` to `path`, created or truncated, and flushes them to the disk.
fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn now_ns() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(i: usize) -> Vec<f32> {
        // Pseudo-random directions (from blake3 of i): any two are far apart.
        let mut bytes = [0u8; crate::embed::DIM];
        blake3::Hasher::new().update(&(i as u64).to_le_bytes()).finalize_xof().fill(&mut bytes);
        let mut v: Vec<f32> = bytes.iter().map(|&b| f32::from(b) - 127.5).collect();
        crate::embed::normalize(&mut v);
        v
    }

    #[test]
    fn a_roots_path_in_its_work_tree() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("server/src")).unwrap();
        assert_eq!(path_in_work_tree(&repo), "");
        assert_eq!(path_in_work_tree(&repo.join("server")), "server/");
        assert_eq!(path_in_work_tree(&repo.join("server/src")), "server/src/");
        // A worktree's `.git` is a file; the nearest one counts.
        std::fs::write(repo.join("server/.git"), "gitdir: ../.git/worktrees/server\n").unwrap();
        assert_eq!(path_in_work_tree(&repo.join("server/src")), "src/");
        let plain = dir.path().join("plain/sub");
        std::fs::create_dir_all(&plain).unwrap();
        // Unless the temporary folder itself is in a work tree.
        if !dir.path().ancestors().any(|d| d.join(".git").exists()) {
            assert_eq!(path_in_work_tree(&plain), "");
        }
    }

    /// A clone indexed, then a second clone at another path and a subfolder
    /// of the first, each an index of its own sharing one machine cache: the
    /// two later ones embed nothing, and a file's embedded texts are the
    /// same from the clone's top as from its subfolder.
    #[test]
    fn a_second_clone_and_a_subfolder_embed_nothing_the_machine_has() {
        use crate::embed::StubEmbedder;
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        let files = [
            ("server/src/lib.rs", "/// Adds two numbers.\npub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n\npub struct Config {\n    pub name: String,\n}\n"),
            ("server/src/load.rs", "pub fn load_config(path: &str) -> String {\n    std::fs::read_to_string(path).unwrap()\n}\n"),
            ("tools/run.py", "def run(task):\n    return task.start()\n"),
        ];
        for (rel, text) in files {
            std::fs::create_dir_all(repo.join(rel).parent().unwrap()).unwrap();
            std::fs::write(repo.join(rel), text).unwrap();
        }
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        let clone = dir.path().join("elsewhere/clone");
        std::fs::create_dir_all(&clone).unwrap();
        for (rel, text) in files {
            std::fs::create_dir_all(clone.join(rel).parent().unwrap()).unwrap();
            std::fs::write(clone.join(rel), text).unwrap();
        }
        // A git worktree: `.git` is a file.
        std::fs::write(clone.join(".git"), "gitdir: /somewhere/.git/worktrees/clone\n").unwrap();
        let cache = Arc::new(VectorCache::open(&dir.path().join("machine/vectors.sqlite3"), 1 << 30).unwrap());
        let worker = EmbedWorker::spawn(Box::new(StubEmbedder::new())).unwrap();
        let index = |root: &Path, name: &str, cache: Option<Arc<VectorCache>>| {
            let (mut ws, _) = Workspace::open(root, Some(&dir.path().join("indexes").join(name)), DiscoverOptions::default(), worker.model_id()).unwrap();
            ws.set_vector_cache(cache);
            let stats = ws.refresh(&worker, &NoProgress).unwrap();
            (ws, stats)
        };
        let (first, stats) = index(&repo, "repo", Some(cache.clone()));
        assert!(stats.embedded > 3 && stats.reused == 0, "{stats:?}");
        let (second, stats2) = index(&clone, "clone", Some(cache.clone()));
        assert_eq!((stats2.embedded, stats2.reused, stats2.chunks), (0, stats.embedded, stats.chunks), "a second clone embeds nothing");
        let (sub, stats3) = index(&repo.join("server"), "sub", Some(cache.clone()));
        assert_eq!(stats3.embedded, 0, "a subfolder embeds nothing: {stats3:?}");
        assert!(stats3.reused > 0 && stats3.chunks < stats.chunks, "{stats3:?}");
        let hashes = |ws: &Workspace, rel: &str| ws.store.file(rel).unwrap().unwrap().chunks.iter().map(|c| c.text_hash).collect::<Vec<_>>();
        for rel in ["src/lib.rs", "src/load.rs"] {
            let whole = hashes(&first, &format!("server/{rel}"));
            assert_eq!(hashes(&sub, rel), whole, "{rel}: the same texts from the top and from the subfolder");
            assert_eq!(hashes(&second, &format!("server/{rel}")), whole);
        }
        // Every vector each index needs is in its own store.
        for ws in [&first, &second, &sub] {
            for item in ws.store.files() {
                for c in item.unwrap().1.chunks {
                    assert!(ws.store.has_vector(&c.text_hash).unwrap());
                }
            }
        }
        // Without the machine's cache, a third clone embeds everything again.
        let third = dir.path().join("third");
        for (rel, text) in files {
            std::fs::create_dir_all(third.join(rel).parent().unwrap()).unwrap();
            std::fs::write(third.join(rel), text).unwrap();
        }
        let (_, alone) = index(&third, "third", None);
        assert_eq!(alone.embedded, stats.embedded, "{alone:?}");
        // Laid by words before a refresh, a clone has its vectors at once.
        let fourth = dir.path().join("fourth");
        std::fs::rename(&third, &fourth).unwrap();
        let (mut ws, _) = Workspace::open(&fourth, Some(&dir.path().join("indexes/fourth")), DiscoverOptions::default(), worker.model_id()).unwrap();
        ws.set_vector_cache(Some(cache));
        let mut laid = SearchIndex::new();
        assert_eq!(ws.lay_stale_files(&mut laid).unwrap(), 3);
        assert_eq!(laid.vector_count(), stats.embedded, "every text's vector came from the machine's cache");
    }

    #[test]
    fn a_saved_graph_loads_and_a_damaged_or_outdated_one_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(HNSW_FILE);
        assert!(load_base(&path).unwrap().is_none(), "no file: no graph, no error");
        let keys: Vec<TextHash> = (0..300u32).map(|i| *blake3::hash(&i.to_le_bytes()).as_bytes()).collect();
        let base = HnswBase::build((0..300).map(unit).collect(), keys.clone()).unwrap();
        save_base(&path, &base).unwrap();
        let loaded = load_base(&path).unwrap().unwrap();
        assert_eq!(loaded.len(), 300);
        assert_eq!(loaded.search(&unit(42), 3, |_| false)[0], keys[42]);
        assert_eq!(loaded.search(&unit(42), 3, |_| false), base.search(&unit(42), 3, |_| false));
        // Cut short (a write interrupted before the rename cannot leave this,
        // but a damaged disk can): an error, which `load` logs and ignores.
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        assert!(load_base(&path).is_err());
        // Graphs in the formats before are removed.
        std::fs::write(dir.path().join("hnsw.bin"), b"f32 points").unwrap();
        std::fs::write(dir.path().join("hnsw-q8.bin"), b"no checksum").unwrap();
        remove_leftover_graphs(dir.path());
        assert!(!dir.path().join("hnsw.bin").exists() && !dir.path().join("hnsw-q8.bin").exists());
        assert!(path.exists());
    }

    #[test]
    fn a_stale_partial_graph_is_overwritten_or_removed_and_never_loaded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(HNSW_FILE);
        let partial = dir.path().join("hnsw-q8c.bin.partial");
        assert_eq!(partial_of(&path), partial);
        let keys: Vec<TextHash> = (0..100u32).map(|i| *blake3::hash(&i.to_le_bytes()).as_bytes()).collect();
        let base = HnswBase::build((0..100).map(unit).collect(), keys).unwrap();
        save_base(&path, &base).unwrap();
        assert!(!partial.exists());
        let full = std::fs::read(&path).unwrap();
        // A kill during a write left a temporary file, longer or shorter than
        // a graph, and no graph: nothing is loaded.
        std::fs::remove_file(&path).unwrap();
        for stale in [[full.as_slice(), b"more bytes of an older, larger graph"].concat(), full[..full.len() / 2].to_vec()] {
            std::fs::write(&partial, &stale).unwrap();
            assert!(load_base(&path).unwrap().is_none(), "a .partial file was loaded");
            // The next save overwrites it whole.
            save_base(&path, &base).unwrap();
            assert!(!partial.exists());
            assert_eq!(std::fs::read(&path).unwrap(), full);
            std::fs::remove_file(&path).unwrap();
        }
        // One beside a complete graph is removed when the index is loaded.
        save_base(&path, &base).unwrap();
        std::fs::write(&partial, b"stale").unwrap();
        remove_leftover_graphs(dir.path());
        assert!(!partial.exists());
        assert_eq!(std::fs::read(&path).unwrap(), full);
    }

    /// A graph saved over other vectors than the index has (another state
    /// of the files, a run killed after it changed the store) is left out
    /// once it drifted further than a rebuild waits for; searches are exact.
    #[test]
    fn a_saved_graph_of_other_vectors_is_left_out() {
        let key = |i: usize| *blake3::hash(&(i as u32).to_le_bytes()).as_bytes();
        let graph = |range: std::ops::Range<usize>| HnswBase::build(range.clone().map(unit).collect(), range.map(key).collect()).unwrap();
        let path = Path::new("hnsw-q8c.bin");
        let mut index = SearchIndex::new();
        for i in 0..300 {
            index.vectors_mut().insert(key(i), &unit(i));
        }
        let exact: Vec<Vec<(usize, f32)>> = (0..300).step_by(7).map(|q| index.vectors().search(&unit(q), 10, |_| true)).collect();
        // Most keys of the graph are gone, most vectors are not in it.
        assert!(!install_saved_base(&mut index, graph(200..500), path));
        assert!(index.vectors().base().is_none());
        let answers: Vec<Vec<(usize, f32)>> = (0..300).step_by(7).map(|q| index.vectors().search(&unit(q), 10, |_| true)).collect();
        assert_eq!(answers, exact);
        // 10 vectors missing and 10 keys gone of 300: used, with the delta.
        assert!(install_saved_base(&mut index, graph(10..310), path));
        assert_eq!(index.vectors().base_drift(), (10, 10));
        for q in [3, 150, 299] {
            assert_eq!(index.vectors().search(&unit(q), 1, |_| true)[0].0, index.vectors().row(&key(q)).unwrap());
        }
    }

    /// Corruption campaign on the saved graph: bytes flipped, zeroed or cut
    /// at random offsets are always refused (then rebuilt by the caller),
    /// unless the file is unchanged. `SEMNAV_CORRUPT_CASES` sets the number.
    #[test]
    fn a_graph_with_any_damaged_byte_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(HNSW_FILE);
        let keys: Vec<TextHash> = (0..200u32).map(|i| *blake3::hash(&i.to_le_bytes()).as_bytes()).collect();
        save_base(&path, &HnswBase::build((0..200).map(unit).collect(), keys).unwrap()).unwrap();
        let clean = std::fs::read(&path).unwrap();
        let cases: usize = std::env::var("SEMNAV_CORRUPT_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(300);
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let mut refused = 0;
        for case in 0..cases {
            let mut bytes = clean.clone();
            let at = next(bytes.len());
            match case % 3 {
                0 => bytes[at] ^= 1 << next(8),
                1 => bytes[at..(at + 1 + next(64)).min(clean.len())].fill(0),
                _ => bytes.truncate(at),
            }
            std::fs::write(&path, &bytes).unwrap();
            match load_base(&path) {
                Err(_) => refused += 1,
                Ok(_) => assert_eq!(bytes, clean, "case {case}: a damaged graph loaded"),
            }
        }
        assert!(refused * 10 >= cases * 9, "{refused} of {cases} refused");
    }
}
