//! The live state behind the language server, without the protocol: the
//! workspace roots with their indexes, the open documents, and the background
//! embedding of what the user types.
//!
//! Concurrency model (the LSP layer relies on it):
//! - Edits ([`Engine::change`], [`Engine::open`], [`Engine::close`]) are
//!   synchronous and cheap (no parsing): they update the document's text
//!   before they return, so the caller applies them before any `.await` and
//!   requests that follow see the newest text.
//! - Parsing and re-chunking an edited document, and laying its new chunks
//!   over the in-memory index, is a catch-up that costs milliseconds in a
//!   large file: [`Engine::catch_up`] runs it in a blocking task after each
//!   edit, parsing a copy without holding the document (a result overtaken by
//!   a newer edit is dropped: that edit scheduled its own). Everything that
//!   reads chunks or the index (requests, the debounced embedding, a refresh)
//!   first catches up the documents still stale, holding them, so an answer's
//!   ranges are those of the newest text.
//! - Lock order: a root's index, then an open document (the `docs` map). Code
//!   holding a document never waits for an index lock: it copies what it
//!   needs and lets go first.
//! - Requests take read locks briefly and copy what they answer; an answer's
//!   line ranges come from the newest buffer of an open file, from the store
//!   otherwise.
//! - Slow work runs elsewhere: embeddings on the embedding thread (open
//!   documents at interactive priority, workspace indexing at background
//!   priority), disk refreshes in blocking tasks. Requests never wait for
//!   embeddings: they answer from the vectors there are and say `indexing`.
//! - Each open document has a generation counter: a debounced embedding task
//!   that finds a newer generation when it wakes drops its work.
//!
//! Paths here are absolute file paths; URIs are the LSP layer's business.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use dashmap::DashMap;

use crate::chunk::{Chunk, ChunksState, Rechunked, Splice};
use crate::discover::{DiscoverOptions, DEFAULT_MAX_FILE_BYTES};
use crate::document::{Change, Document};
use crate::embed::model::DEFAULT_MODEL;
use crate::embed::{EmbedWorker, Embedder, FastEmbedder, Loader, ModelPaths, Priority, Reloading};
use crate::index::{self, StoredChunkMemo, Workspace};
use crate::lang::Language;
use crate::position::Encoding;
use crate::search::{RankConfig, SearchIndex};
use crate::store::TextHash;

/// Settings the editor may change (`initializationOptions`,
/// `workspace/didChangeConfiguration`).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub model: String,
    pub model_dir: Option<PathBuf>,
    pub index_dir: Option<PathBuf>,
    pub exclude: Vec<String>,
    pub max_file_bytes: u64,
    pub hover: bool,
    pub code_lens: bool,
    pub debounce_ms: u64,
    /// Indexes in the cache directory unused for more days than this are
    /// removed once the server has opened its roots (0: never).
    pub expire_days: u64,
    /// How searches rank (`SEMNAV_RANK` in the environment changes it; for
    /// measurements).
    pub rank: RankConfig,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            model: DEFAULT_MODEL.into(),
            model_dir: None,
            index_dir: std::env::var_os("SEMNAV_INDEX_DIR").filter(|d| !d.is_empty()).map(PathBuf::from),
            exclude: Vec::new(),
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            hover: true,
            code_lens: true,
            debounce_ms: 300,
            expire_days: std::env::var("SEMNAV_EXPIRE_DAYS").ok().and_then(|d| d.trim().parse().ok()).unwrap_or(crate::housekeeping::DEFAULT_EXPIRE_DAYS),
            rank: RankConfig::from_env().inspect_err(|e| tracing::warn!("{e}; ranking as by default")).unwrap_or_default(),
        }
    }
}

impl Settings {
    fn discover_options(&self) -> DiscoverOptions {
        DiscoverOptions { max_file_bytes: self.max_file_bytes, exclude: self.exclude.clone() }
    }

    /// Whether changing from `self` to `new` needs the indexes rebuilt.
    pub fn needs_rebuild(&self, new: &Settings) -> bool {
        self.model != new.model || self.model_dir != new.model_dir || self.index_dir != new.index_dir || self.exclude != new.exclude || self.max_file_bytes != new.max_file_bytes
    }
}

/// A workspace root with its store and in-memory index.
pub struct Root {
    pub path: PathBuf,
    pub workspace: Workspace,
    pub index: RwLock<SearchIndex>,
    pub indexing: AtomicBool,
    /// Held for a whole [`Engine::refresh_root`]: one refresh of a root at
    /// a time.
    refreshing: Mutex<()>,
    /// While a refresh runs: the files [`Engine::file_changed`] laid over
    /// the index meanwhile. The refresh read the disk and the store before
    /// (or while) they changed, so it takes them again after its swap.
    changed_during_refresh: Mutex<Option<Vec<String>>>,
    /// Numbers each [`Engine::file_changed`] before it reads the disk.
    file_events: AtomicU64,
    /// Per file, the number of the event whose read the index holds: two
    /// events for one file may finish out of order, and the older read must
    /// not cover the newer (locked under the index's lock).
    applied_events: Mutex<std::collections::HashMap<String, u64>>,
    /// Whether its stored index is in memory (the first refresh laid it):
    /// until then answers say the root is loading.
    pub loaded: AtomicBool,
    /// The files laid by words when the root was opened, until its first
    /// refresh takes the count ([`Engine::start_root`]).
    laid_at_open: Mutex<Option<usize>>,
    /// While a refresh embeds: what it says of its progress ("by meaning:
    /// 1,200 of 3,400 chunks, about 40 s left"), for status and answers.
    pub progress: Mutex<Option<String>>,
    /// Texts a search sent ahead of the background queue whose vectors have
    /// not come back yet: asked once, however many searches find them.
    asked_first: Mutex<std::collections::HashSet<crate::store::TextHash>>,
    /// Why this root is not served from its usual index, when it is not.
    pub note: Option<String>,
    /// The temporary index directory when another process holds the usual
    /// one; removed by [`Engine::shut_down`] (a root is shared with
    /// background tasks, so it is not dropped before the process exits).
    scratch: Mutex<Option<tempfile::TempDir>>,
}

/// A result with everything a client shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub path: PathBuf,
    pub start_line: u32,
    pub end_line: u32,
    pub score: f32,
    pub kind: &'static str,
    pub name: Option<String>,
    pub container: Option<String>,
    pub language: Language,
    pub preview: String,
}

struct OpenDoc {
    doc: Document,
    /// The root holding it and its relative path, when it is in a workspace.
    place: Option<(Arc<Root>, String)>,
    generation: u64,
    /// Its chunks' stored forms, so a keystroke recomputes only those it changed.
    stored: StoredChunkMemo,
}

pub struct Engine {
    settings: RwLock<Settings>,
    worker: RwLock<Option<EmbedWorker>>,
    model_error: RwLock<Option<String>>,
    roots: RwLock<Vec<Arc<Root>>>,
    docs: DashMap<String, OpenDoc>,
    generations: AtomicU64,
    /// Texts of open documents waiting to be embedded.
    pending: AtomicUsize,
    /// Document edits whose debounced embedding has not finished.
    debouncing: AtomicUsize,
    /// Roots named by a surface and not open yet ([`Engine::expect_root`]).
    starting: Mutex<Vec<PathBuf>>,
    /// Roots that could not be opened or refreshed, with why.
    root_errors: RwLock<Vec<(PathBuf, String)>>,
    /// Whether the model is being loaded in the background.
    model_loading: AtomicBool,
    /// Bumped when a root becomes searchable or fails, or the model load ends.
    readiness: tokio::sync::watch::Sender<u64>,
    /// Bumped when vectors join an index.
    vectors: tokio::sync::watch::Sender<u64>,
    /// File watchers of the roots that asked for one, until shut down.
    watchers: Mutex<Vec<crate::watch::Watcher>>,
}

/// Status figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub roots: Vec<PathBuf>,
    pub index_dirs: Vec<PathBuf>,
    pub model: String,
    pub files: usize,
    pub chunks: usize,
    pub pending_embeddings: usize,
    pub disk_bytes: u64,
    pub indexing: bool,
    /// Each root's embedding in progress, in its words (one line per root
    /// that embeds now).
    pub progress: Vec<String>,
    /// What a user should know about how roots are served (e.g. an index
    /// another process holds).
    pub notes: Vec<String>,
    /// Roots named but not searchable yet.
    pub loading: Vec<PathBuf>,
    /// What answers cannot know yet ([`Engine::unknowns`]).
    pub unknowns: Vec<String>,
}

impl Status {
    /// The figures as `semnav/status` and a running server's socket give
    /// them (`docs/protocol.md`): `root` and `indexDir` are the first root's.
    pub fn json(&self) -> serde_json::Value {
        let first = |v: &Vec<PathBuf>| v.first().map(|p| p.display().to_string());
        serde_json::json!({
            "root": first(&self.roots),
            "roots": self.roots,
            "indexDir": first(&self.index_dirs),
            "indexDirs": self.index_dirs,
            "model": self.model,
            "files": self.files,
            "chunks": self.chunks,
            "pendingEmbeddings": self.pending_embeddings,
            "diskBytes": self.disk_bytes,
            "indexing": self.indexing,
            "progress": self.progress,
            "notes": self.notes,
            "loading": self.loading,
            "unknowns": self.unknowns,
        })
    }
}

/// How long the model stays in memory without work: `SEMNAV_MODEL_IDLE_SECS`
/// (0: for good), else [`MODEL_IDLE_RELEASE`].
fn model_idle_release() -> Option<Duration> {
    match std::env::var("SEMNAV_MODEL_IDLE_SECS").ok().and_then(|v| v.trim().parse::<u64>().ok()) {
        Some(0) => None,
        Some(secs) => Some(Duration::from_secs(secs)),
        None => Some(MODEL_IDLE_RELEASE),
    }
}

/// The model is dropped after this long without a text to embed, and loaded
/// again (about half a second) for the next one: an idle server holds the index
/// and the static model, not the transformer.
pub const MODEL_IDLE_RELEASE: Duration = Duration::from_secs(120);

impl Engine {
    /// Creates the engine and loads the model; a missing model is remembered
    /// (and reported by every request that needs it), not fatal. Blocking.
    pub fn new(settings: Settings) -> Engine {
        let engine = Engine::new_unloaded(settings);
        engine.load_model();
        engine
    }

    /// Creates the engine and returns at once; the model loads in the
    /// background (what the servers use: a handshake never waits for it).
    pub fn start(settings: Settings) -> Arc<Engine> {
        let engine = Arc::new(Engine::new_unloaded(settings));
        if let Err(e) = engine.load_model_in_background() {
            tracing::warn!("{e:#}; loading the model now");
            engine.load_model();
            engine.model_loading.store(false, Ordering::SeqCst);
        }
        engine
    }

    /// Uses `worker` instead of loading the model (tests with a stub).
    pub fn with_worker(settings: Settings, worker: EmbedWorker) -> Engine {
        let engine = Engine::new_unloaded(settings);
        *engine.worker.write().unwrap_or_else(|e| e.into_inner()) = Some(worker);
        engine
    }

    fn new_unloaded(settings: Settings) -> Engine {
        Engine {
            settings: RwLock::new(settings),
            worker: RwLock::new(None),
            model_error: RwLock::new(None),
            roots: RwLock::new(Vec::new()),
            docs: DashMap::new(),
            generations: AtomicU64::new(0),
            pending: AtomicUsize::new(0),
            debouncing: AtomicUsize::new(0),
            starting: Mutex::new(Vec::new()),
            root_errors: RwLock::new(Vec::new()),
            model_loading: AtomicBool::new(false),
            readiness: tokio::sync::watch::channel(0).0,
            vectors: tokio::sync::watch::channel(0).0,
            watchers: Mutex::new(Vec::new()),
        }
    }

    fn load_model(&self) {
        let s = self.settings();
        // A second instance answers queries, so a search never waits behind
        // a batch of workspace indexing. On two threads a short query took
        // 5.4 instead of 7.8 ms, but on a 2-core machine its second thread
        // competes with the server's and the editor's own threads: over stdio
        // about 1 query in 100 then took ~50 ms (p99 23 -> 44-51 ms). So two
        // threads only from four cores on. The indexing instance is loaded on
        // its low-priority thread: ONNX Runtime's threads for it inherit that
        // thread's priority.
        let query_threads = if std::thread::available_parallelism().map_or(1, |n| n.get()) >= 4 { 2 } else { 1 };
        //
        // The query instance loads first, on this thread: answers by meaning
        // wait for it alone, never for the other, which loads with its first
        // text, at the lowest priority (on a busy machine that can take half a
        // minute).
        let loaded = ModelPaths::resolve(&s.model, s.model_dir.as_deref()).and_then(|p| {
            // A first run where nothing is installed installs it.
            if p.check().is_err() {
                crate::embed::provision::auto(s.model_dir.is_some());
            }
            // Each instance is dropped after a while idle and loaded again
            // for the next text ([`crate::embed::Reloading`]).
            let loader = |threads: Option<usize>| -> Loader {
                let p = p.clone();
                Arc::new(move || Ok(Box::new(FastEmbedder::load(&p, threads)?) as Box<dyn Embedder>))
            };
            let (query_loader, indexing_loader) = (loader(Some(query_threads)), loader(None));
            let queries = Reloading::new(query_loader()?, query_loader);
            // The indexing instance loads with its first text: a server
            // whose index is complete never needs it.
            let (id, dim) = (queries.model_id().to_string(), queries.dim());
            let load_indexing: Box<dyn FnOnce() -> Result<Box<dyn Embedder>> + Send> = Box::new(move || Ok(Box::new(Reloading::unloaded(indexing_loader, id, dim)) as Box<dyn Embedder>));
            let worker = EmbedWorker::spawn_loading_indexer(Box::new(queries), load_indexing)?;
            worker.release_when_idle(model_idle_release());
            Ok(worker)
        });
        match loaded {
            Ok(w) => {
                *self.worker.write().unwrap_or_else(|e| e.into_inner()) = Some(w);
                *self.model_error.write().unwrap_or_else(|e| e.into_inner()) = None;
            }
            Err(e) => {
                tracing::warn!("{e:#}");
                *self.model_error.write().unwrap_or_else(|e| e.into_inner()) = Some(format!("{e:#}"));
            }
        }
    }

    pub fn settings(&self) -> Settings {
        self.settings.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Why the model cannot be used, if it cannot.
    pub fn model_error(&self) -> Option<String> {
        self.model_error.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn worker(&self) -> Result<EmbedWorker> {
        self.worker.read().unwrap_or_else(|e| e.into_inner()).clone().ok_or_else(|| {
            let why = if self.model_loading() { Some("the embedding model is still loading".to_string()) } else { self.model_error() };
            anyhow!("{}", why.unwrap_or_else(|| "the embedding model is not loaded".into()))
        })
    }

    /// Applies new settings; returns whether the indexes must be rebuilt (the
    /// caller then calls [`Engine::reset_roots`] and refreshes).
    pub fn update_settings(&self, new: Settings) -> bool {
        let old = self.settings();
        let rebuild = old.needs_rebuild(&new);
        let model_changed = old.model != new.model || old.model_dir != new.model_dir;
        *self.settings.write().unwrap_or_else(|e| e.into_inner()) = new;
        if model_changed {
            self.load_model();
        }
        rebuild
    }

    /// Opens (or creates) the index of a workspace root. Blocking.
    pub fn add_root(&self, path: &Path) -> Result<Arc<Root>> {
        let s = self.settings();
        let index_dir = s.index_dir.as_ref().map(|d| if self.roots().is_empty() { d.clone() } else { d.join(path.file_name().unwrap_or_default()) });
        let model_id = match self.worker() {
            Ok(worker) => worker.model_id().to_string(),
            // While the model loads: the id it will have, from its file.
            Err(_) if self.model_loading() => ModelPaths::resolve(&s.model, s.model_dir.as_deref())
                .and_then(|p| p.model_id())
                .unwrap_or_else(|_| refresh::model_of_existing_index(path, index_dir.as_deref())),
            // Without the model: the index keeps the model it was built with
            // (its vectors still serve `similar`), and is only read.
            Err(_) => refresh::model_of_existing_index(path, index_dir.as_deref()),
        };
        let (workspace, outcome, scratch) = match Workspace::open(path, index_dir.as_deref(), s.discover_options(), &model_id) {
            Ok((workspace, outcome)) => (workspace, outcome, None),
            // Another semnav (the editor's server, an agent's MCP server)
            // holds this root's index: serve from an index of our own in a
            // temporary directory, removed by `shut_down`. Answers come by
            // words at once and by meaning once it is embedded.
            Err(e) if e.downcast_ref::<crate::store::IndexInUse>().is_some() => {
                let scratch = tempfile::Builder::new().prefix("semnav-index-").tempdir().context("cannot create a temporary index directory")?;
                let note = format!("{e:#}; this server keeps its own index in {} until it exits", scratch.path().display());
                tracing::warn!("{note}");
                let (workspace, outcome) = Workspace::open(path, Some(scratch.path()), s.discover_options(), &model_id)?;
                (workspace, outcome, Some((scratch, note)))
            }
            Err(e) => return Err(e),
        };
        if !matches!(outcome, crate::store::OpenOutcome::Existing | crate::store::OpenOutcome::Created) {
            tracing::warn!("index of {}: {outcome:?}", path.display());
        }
        let (scratch, note) = scratch.unzip();
        let root = Arc::new(Root {
            path: workspace.root.clone(),
            index: RwLock::new(SearchIndex::new()),
            workspace,
            indexing: AtomicBool::new(false),
            refreshing: Mutex::new(()),
            changed_during_refresh: Mutex::new(None),
            file_events: AtomicU64::new(0),
            applied_events: Mutex::default(),
            loaded: AtomicBool::new(false),
            laid_at_open: Mutex::new(None),
            progress: Mutex::new(None),
            asked_first: Mutex::new(std::collections::HashSet::new()),
            note,
            scratch: Mutex::new(scratch),
        });
        self.roots.write().unwrap_or_else(|e| e.into_inner()).push(root.clone());
        self.starting.lock().unwrap_or_else(|e| e.into_inner()).retain(|p| *p != root.path && p != path);
        // Open documents under this root now belong to it.
        for mut entry in self.docs.iter_mut() {
            if entry.place.is_none() {
                if let Some(rel) = crate::discover::inside_root(&root.path, Path::new(entry.key())) {
                    entry.place = Some((root.clone(), rel));
                }
            }
        }
        Ok(root)
    }

    /// When the server stops: makes every root's index durable and removes
    /// the temporary ones (see [`Engine::add_root`]). Blocking.
    pub fn shut_down(&self) {
        self.watchers.lock().unwrap_or_else(|e| e.into_inner()).clear();
        for root in self.roots() {
            if root.note.is_none() {
                let _ = std::fs::remove_file(crate::ipc::socket_path(root.workspace.store.dir()));
            }
            if let Err(e) = root.workspace.store.flush() {
                tracing::warn!("{e:#}");
            }
            if let Some(dir) = root.scratch.lock().unwrap_or_else(|e| e.into_inner()).take() {
                let path = dir.path().to_path_buf();
                if let Err(e) = dir.close() {
                    tracing::warn!("cannot remove the temporary index {}: {e}", path.display());
                }
            }
        }
    }

    /// Removes the cache's indexes unused for `expire_days`, except those of
    /// this server's roots; once per process (call it after the roots are
    /// open, so none of them is taken for unused). Blocking.
    pub fn expire_indexes_once(&self) {
        static DONE: AtomicBool = AtomicBool::new(false);
        if DONE.swap(true, Ordering::SeqCst) {
            return;
        }
        let keep: Vec<PathBuf> = self.roots().iter().map(|r| r.workspace.store.dir().to_path_buf()).collect();
        let days = self.settings().expire_days;
        match crate::housekeeping::expire(&crate::housekeeping::indexes_home(), days, &keep) {
            Ok(removed) => {
                for r in removed {
                    let root = r.info.root.as_ref().map_or("an unknown root".to_string(), |p| p.display().to_string());
                    tracing::info!("removed the index of {root} at {}: unused for more than {days} days", r.info.dir.display());
                }
            }
            Err(e) => tracing::warn!("cannot look for expired indexes: {e:#}"),
        }
    }

    /// Drops every root (after a settings change that needs a rebuild).
    pub fn reset_roots(&self) -> Vec<PathBuf> {
        let roots: Vec<PathBuf> = self.roots().iter().map(|r| r.path.clone()).collect();
        self.roots.write().unwrap_or_else(|e| e.into_inner()).clear();
        for mut d in self.docs.iter_mut() {
            d.place = None;
        }
        roots
    }

    pub fn roots(&self) -> Vec<Arc<Root>> {
        self.roots.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The root a file event at `path` concerns, and the path in it, judged
    /// by names alone: also a path through a link (a file or folder swapped
    /// for one), whose file then leaves the index, since a read refuses it.
    fn event_place_of(&self, path: &Path) -> Option<(Arc<Root>, String)> {
        let roots = self.roots();
        let root = roots.iter().filter(|r| path.starts_with(&r.path)).max_by_key(|r| r.path.as_os_str().len())?;
        let parts: Option<Vec<&str>> = path.strip_prefix(&root.path).ok()?.components().map(|c| if let std::path::Component::Normal(n) = c { n.to_str() } else { None }).collect();
        let parts = parts.filter(|p| !p.is_empty())?;
        Some((root.clone(), parts.join("/")))
    }

    fn place_of(&self, path: &Path) -> Option<(Arc<Root>, String)> {
        let (root, _) = self.event_place_of(path)?;
        // A path that climbs out (`..`) or passes a link is in no root: its
        // buffer is served, never written into an index.
        let rel = crate::discover::inside_root(&root.path, path)?;
        Some((root, rel))
    }

    /// A document was opened with `text`. `path` is its file, when it has one.
    /// Not parsed yet: follow with [`Engine::catch_up`] in a blocking task.
    pub fn open(&self, key: &str, path: Option<&Path>, text: String, version: i32) -> u64 {
        let language = path.and_then(Language::from_path);
        let max = self.settings().max_file_bytes as usize;
        let doc = Document::unparsed(language, text, version, max);
        let place = path.and_then(|p| self.place_of(p));
        let generation = self.generations.fetch_add(1, Ordering::SeqCst) + 1;
        self.docs.insert(key.to_string(), OpenDoc { doc, place, generation, stored: StoredChunkMemo::default() });
        self.debouncing.fetch_add(1, Ordering::SeqCst);
        generation
    }

    /// Applies edits to an open document's text. Returns the new generation,
    /// for [`Engine::embed_document`]. Follow with [`Engine::catch_up`] in a
    /// blocking task.
    pub fn change(&self, key: &str, changes: &[Change], version: i32, enc: Encoding) -> Result<u64> {
        // All or nothing: a range that ends before it starts is refused
        // before any change of the batch is applied.
        if let Some((i, (start, end))) = changes.iter().enumerate().find_map(|(i, c)| c.range.filter(|(a, b)| (a.line, a.character) > (b.line, b.character)).map(|r| (i, r))) {
            return Err(crate::usage::Invalid(format!(
                "change {} of version {version} of {key} has a range that ends ({}:{}) before it starts ({}:{}); the document is left as it was",
                i + 1,
                end.line,
                end.character,
                start.line,
                start.character
            ))
            .into());
        }
        let mut entry = self.docs.get_mut(key).ok_or_else(|| anyhow!("{key} is not open"))?;
        if version <= entry.doc.version() {
            tracing::warn!("{key}: version {version} is not newer than {}; applying the change anyway", entry.doc.version());
        }
        entry.doc.edit(changes, version, enc);
        let generation = self.generations.fetch_add(1, Ordering::SeqCst) + 1;
        entry.generation = generation;
        self.debouncing.fetch_add(1, Ordering::SeqCst);
        Ok(generation)
    }

    /// Parses and re-chunks document `key` if it is stale, and lays its new
    /// chunks over its root's index. The parse runs on a copy, without
    /// holding the document; returns false when an edit overtook it (its
    /// result is dropped). Blocking.
    pub fn catch_up(&self, key: &str) -> bool {
        self.catch_up_while(key, || {})
    }

    /// [`Engine::catch_up`], running `meanwhile` between the parse and its
    /// install: where the tests let a request overtake it.
    fn catch_up_while(&self, key: &str, meanwhile: impl FnOnce()) -> bool {
        let Some(job) = self.docs.get_mut(key).and_then(|mut entry| entry.doc.parse_job()) else { return true };
        let parsed = job.run();
        meanwhile();
        self.with_document_and_index(key, |doc| doc.install(parsed)).unwrap_or(true)
    }

    /// [`Engine::catch_up`] holding the document, so that it cannot be
    /// overtaken: what readers of chunks call first. Blocking.
    fn catch_up_now(&self, key: &str) {
        if self.docs.get(key).is_some_and(|entry| entry.doc.is_stale()) {
            self.with_document_and_index(key, Document::reparse);
        }
    }

    /// [`Engine::catch_up_now`] for every stale open document.
    fn catch_up_all(&self) {
        let stale: Vec<String> = self.docs.iter().filter(|entry| entry.doc.is_stale()).map(|entry| entry.key().clone()).collect();
        for key in stale {
            self.catch_up_now(&key);
        }
    }

    /// Runs `update` on document `key` holding it and its root's index, and
    /// follows the re-chunk it reports in the index. `None` when the document
    /// is not open; else whether `update` reported one.
    fn with_document_and_index(&self, key: &str, update: impl FnOnce(&mut Document) -> Option<Rechunked>) -> Option<bool> {
        // Lock order: a root's index, then the document (as `refresh_root`).
        let locked_root = self.docs.get(key)?.place.as_ref().map(|(root, _)| root.clone());
        let mut index = locked_root.as_ref().map(|root| root.index.write().unwrap_or_else(|e| e.into_inner()));
        let mut entry = self.docs.get_mut(key)?;
        let OpenDoc { doc, place, stored, .. } = &mut *entry;
        let base = doc.chunks_state();
        let Some(rechunked) = update(doc) else { return Some(false) };
        if let (Some(index), Some((root, rel)), Some(locked_root)) = (index.as_deref_mut(), place.as_ref(), locked_root.as_ref()) {
            // If the document moved to another root meanwhile, that root's
            // refresh lays the buffer over its index.
            if Arc::ptr_eq(root, locked_root) {
                match &rechunked {
                    Rechunked::Region { splice, .. } => splice_buffer_chunks(index, root, rel, doc, stored, splice, base),
                    Rechunked::Whole => set_buffer_chunks(index, root, rel, doc, stored),
                }
            }
        }
        Some(true)
    }

    /// A document was closed: the disk is the truth again. Returns the file to
    /// re-read (call [`Engine::file_changed`] for it, in a blocking task).
    pub fn close(&self, key: &str) -> Option<PathBuf> {
        let (_, open) = self.docs.remove(key)?;
        open.place.map(|(root, rel)| root.path.join(rel))
    }

    pub fn is_open(&self, key: &str) -> bool {
        self.docs.contains_key(key)
    }

    /// Waits `debounce`, then embeds the chunks of document `key` that have no
    /// vector yet, unless the document changed again meanwhile. Must follow
    /// every [`Engine::open`] and successful [`Engine::change`] (it balances
    /// their count of edits in flight).
    pub async fn embed_document(&self, key: &str, generation: u64) {
        self.embed_document_inner(key, generation).await;
        self.debouncing.fetch_sub(1, Ordering::SeqCst);
    }

    async fn embed_document_inner(&self, key: &str, generation: u64) {
        let debounce = Duration::from_millis(self.settings().debounce_ms);
        tokio::time::sleep(debounce).await;
        let Some((root, mut missing)) = self.missing_vectors(key, generation) else { return };
        if missing.is_empty() {
            return;
        }
        // Without the model the store is only read.
        let Ok(worker) = self.worker() else { return };
        // Computed before for some index on this machine: no model call. The
        // machine's cache may wait for another process: off this thread.
        let hashes: Vec<TextHash> = missing.iter().map(|(h, _)| *h).collect();
        let lookup = root.clone();
        let known = tokio::task::spawn_blocking(move || lookup.workspace.machine_vectors(&hashes)).await.unwrap_or_default();
        if !known.is_empty() {
            missing.retain(|(h, _)| !known.contains_key(h));
            self.keep_vectors(&root, &known.into_iter().collect::<Vec<_>>());
        }
        if missing.is_empty() {
            return;
        }
        let (hashes, texts): (Vec<TextHash>, Vec<String>) = missing.into_iter().unzip();
        self.pending.fetch_add(texts.len(), Ordering::SeqCst);
        let result = worker.embed(texts, Priority::Interactive).await;
        self.pending.fetch_sub(hashes.len(), Ordering::SeqCst);
        match result {
            Ok(vectors) => {
                let pairs: Vec<(TextHash, Vec<f32>)> = hashes.into_iter().zip(vectors).collect();
                self.keep_vectors(&root, &pairs);
                let (share, model_id) = (root.clone(), worker.model_id().to_string());
                let _ = tokio::task::spawn_blocking(move || share.workspace.share_vectors(&model_id, &pairs)).await;
            }
            Err(e) => tracing::warn!("embedding {key} failed: {e:#}"),
        }
    }

    /// Stores vectors of an open document's texts in its root's store and index.
    fn keep_vectors(&self, root: &Root, pairs: &[(TextHash, Vec<f32>)]) {
        if let Err(e) = root.workspace.store.put_vectors(pairs) {
            tracing::warn!("cannot cache vectors: {e:#}");
        }
        let mut index = root.index.write().unwrap_or_else(|e| e.into_inner());
        for (h, v) in pairs {
            index.add_vector(*h, v);
        }
        drop(index);
        self.bump_vectors();
    }

    /// The texts of a document's chunks that have no vector, if the document
    /// is still at `generation` and in a workspace.
    fn missing_vectors(&self, key: &str, generation: u64) -> Option<(Arc<Root>, Vec<(TextHash, String)>)> {
        self.catch_up_now(key);
        // Copy what is needed and let go of the document before locking the
        // index (lock order: index, then document).
        let (root, rel, snapshot) = {
            let entry = self.docs.get(key)?;
            if entry.generation != generation {
                return None; // superseded by a newer edit
            }
            let (root, rel) = entry.place.clone()?;
            (root, rel, entry.doc.snapshot())
        };
        let index = root.index.read().unwrap_or_else(|e| e.into_inner());
        let scope = root.workspace.text_scope();
        let mut out: Vec<(TextHash, String)> = Vec::new();
        for c in snapshot.chunks.iter() {
            let (hash, text) = index::embedded_text(scope, &rel, c, &snapshot.text);
            if !index.has_vector(&hash) && !out.iter().any(|(h, _)| *h == hash) {
                out.push((hash, text));
            }
        }
        Some((root.clone(), out))
    }

    /// Whether any work that changes answers is under way.
    pub fn indexing(&self) -> bool {
        self.pending.load(Ordering::SeqCst) > 0
            || self.debouncing.load(Ordering::SeqCst) > 0
            || self.docs.iter().any(|entry| entry.doc.is_stale())
            || self.roots().iter().any(|r| r.indexing.load(Ordering::SeqCst))
            || !self.loading_roots().is_empty()
            || self.model_loading()
            || self.worker().map(|w| w.queued() > 0).unwrap_or(false)
    }

    /// The rope of an open document (for position conversions).
    pub fn rope(&self, key: &str) -> Option<ropey::Rope> {
        self.docs.get(key).map(|d| d.doc.rope().clone())
    }

    /// The open document's version.
    pub fn version(&self, key: &str) -> Option<i32> {
        self.docs.get(key).map(|d| d.doc.version())
    }
}


/// Replaces a file's chunks in the index with those of the open buffer.
fn set_buffer_chunks(index: &mut SearchIndex, root: &Root, rel: &str, doc: &Document, memo: &mut StoredChunkMemo) {
    let Some(language) = doc.language() else { return };
    let stored = memo.stored_chunks(root.workspace.text_scope(), rel, doc.chunks(), doc.text());
    let store = &root.workspace.store;
    index.set_buffer_file(rel, doc.chunks_state(), language, stored, |h| store.vector(h).ok().flatten());
}

/// Follows a re-chunk around an edit in the index: only the new chunks are
/// stored again, the others keep their slots and move. Lays the whole buffer
/// over the index instead when its entry is not the chunk list `base` the
/// splice was computed from.
fn splice_buffer_chunks(index: &mut SearchIndex, root: &Root, rel: &str, doc: &Document, memo: &mut StoredChunkMemo, splice: &Splice, base: ChunksState) {
    let Some(language) = doc.language() else { return };
    let scope = root.workspace.text_scope();
    let Some(new_chunks) = doc.chunks().get(splice.at..splice.at + splice.inserted) else {
        return set_buffer_chunks(index, root, rel, doc, memo);
    };
    let inserted = new_chunks.iter().map(|c| index::stored_chunk(scope, rel, c, doc.text()).0).collect();
    let store = &root.workspace.store;
    if !index.splice_file(rel, language, splice, base, doc.chunks_state(), inserted, |h| store.vector(h).ok().flatten()) {
        set_buffer_chunks(index, root, rel, doc, memo);
    }
}

/// The smallest chunk holding `line`.
pub fn innermost(chunks: &[Chunk], line: u32) -> Option<Chunk> {
    chunks.iter().filter(|c| c.start_line <= line && line <= c.end_line).min_by_key(|c| (c.end_line - c.start_line, std::cmp::Reverse(c.start_line))).cloned()
}

mod lifecycle;
mod queries;
mod refresh;

pub use lifecycle::RootOptions;
pub use queries::ANSWERS_WAIT;
#[cfg(test)]
mod concurrent_tests;
#[cfg(test)]
mod tests;
