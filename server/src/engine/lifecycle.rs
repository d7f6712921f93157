//! A root's life, the same for every surface (LSP, MCP): announced, opened,
//! laid into memory by words, refreshed with the model, then kept in step
//! with the disk (a watcher of its own where the client reports no changes);
//! and the model, loaded in the background. Also what a request waits for
//! before its first answer, and what it must say it does not know yet.
//!
//! A root is known from the moment a surface names it ([`Engine::start_root`]
//! registers it before it returns): until its stored index is in memory it is
//! *loading*, [`Engine::indexing`] is true and [`Engine::unknowns`] says so,
//! so no surface answers "no results" for a root it has not read yet.
//! Requests that rank wait a bounded time for that ([`Engine::wait_ready`]).
//! This module knows no protocol.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};

use super::Engine;
use crate::index::{Progress, RefreshStats};

/// How a surface wants a root served.
pub struct RootOptions {
    /// Watch the disk (the MCP server; an LSP client reports changes).
    pub watch: bool,
    /// The refresh's progress.
    pub progress: Box<dyn Progress + Send>,
    /// Told each note about the root (an index another process holds) as
    /// soon as the root is open.
    pub on_note: Box<dyn Fn(&str) + Send + Sync>,
}

impl Default for RootOptions {
    fn default() -> Self {
        RootOptions { watch: false, progress: Box::new(crate::index::NoProgress), on_note: Box::new(|_| {}) }
    }
}

impl Engine {
    /// Names a root this engine will serve, before anything of it is read:
    /// from now on answers say that it is loading until it is in memory.
    /// Canonicalizes `path`; idempotent.
    pub fn expect_root(&self, path: &Path) -> PathBuf {
        let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        let mut starting = self.starting.lock().unwrap_or_else(|e| e.into_inner());
        let known = self.roots().iter().any(|r| r.path == path);
        if !known && !starting.contains(&path) {
            starting.push(path.clone());
        }
        drop(starting);
        self.root_errors.write().unwrap_or_else(|e| e.into_inner()).retain(|(p, _)| *p != path);
        self.bump_readiness();
        path
    }

    /// Serves the root at `path`: announces it at once ([`Engine::expect_root`]),
    /// starts its watcher when asked (before the walk, so nothing changed
    /// meanwhile is missed), then opens it and lays it by words at normal
    /// priority (what the first answers wait for), and refreshes it on a
    /// low-priority thread. Its own index gets the CLI's socket. Changes seen during the first refresh are applied
    /// at once (searchable by words) and again after it, since its result
    /// replaces the index. The future ends with the first refresh; a failure
    /// to open is also kept for [`Engine::unknowns`].
    pub fn start_root(self: &Arc<Self>, path: &Path, options: RootOptions) -> impl std::future::Future<Output = Result<RefreshStats>> + Send + 'static {
        let path = self.expect_root(path);
        let RootOptions { watch, progress, on_note } = options;
        // `Some` while the first refresh runs: the paths changed meanwhile.
        let during_refresh: Arc<Mutex<Option<Vec<PathBuf>>>> = Arc::new(Mutex::new(Some(Vec::new())));
        if watch {
            self.watch_root(&path, during_refresh.clone());
        }
        let engine = self.clone();
        let runtime = tokio::runtime::Handle::try_current().ok();
        // Opening the root and laying it by words is what its first answers
        // wait for: at normal priority (on a busy machine a thread at the
        // lowest would starve). Embedding, the rest, at the lowest.
        let open = move || {
            let opened = match engine.roots().into_iter().find(|r| r.path == path) {
                Some(root) => Ok(root),
                None => engine.add_root(&path).inspect(|root| {
                    if let Some(note) = &root.note {
                        on_note(note);
                    }
                    // Its own index: the CLI beside this server asks it.
                    if let (None, Some(runtime)) = (&root.note, &runtime) {
                        if let Err(e) = crate::ipc::serve(engine.clone(), root.path.clone(), root.workspace.store.dir(), runtime.clone()) {
                            tracing::warn!("{e:#}; the CLI cannot ask this server about {}", root.path.display());
                        }
                    }
                }),
            };
            let laid = opened.and_then(|root| {
                if !root.loaded.load(Ordering::SeqCst) {
                    let laid = engine.lay_root(&root)?;
                    *root.laid_at_open.lock().unwrap_or_else(|e| e.into_inner()) = Some(laid);
                }
                Ok(root)
            });
            (engine, path, laid)
        };
        let refresh = move |(engine, path, laid): (Arc<Engine>, PathBuf, Result<Arc<super::Root>>)| {
            let result = laid.and_then(|root| engine.refresh_root(&root, &*progress));
            if let Err(e) = &result {
                engine.root_failed(&path, e);
            }
            let changed = during_refresh.lock().unwrap_or_else(|e| e.into_inner()).take().unwrap_or_default();
            for changed in changed {
                engine.apply_path(&changed);
            }
            // Once every named root is open, so that none is taken for unused.
            if engine.loading_roots().is_empty() {
                engine.expire_indexes_once();
            }
            result
        };
        async move {
            let opened = tokio::task::spawn_blocking(open).await.context("the thread opening the root stopped")?;
            crate::background::background("semnav-index", move || refresh(opened)).await?
        }
    }

    /// Refreshes `root` on a low-priority thread (a client asked for it).
    pub async fn refresh_root_in_background(self: &Arc<Self>, root: Arc<super::Root>) -> Result<RefreshStats> {
        let engine = self.clone();
        crate::background::background("semnav-index", move || engine.refresh_root(&root, &crate::index::NoProgress)).await?
    }

    /// Starts a watcher of the root at `path` (canonical), kept until
    /// [`Engine::shut_down`].
    fn watch_root(self: &Arc<Self>, path: &Path, during_refresh: Arc<Mutex<Option<Vec<PathBuf>>>>) {
        let engine = Arc::downgrade(self);
        let watched = crate::watch::watch(path, &self.settings().discover_options(), move |paths| {
            let Some(engine) = engine.upgrade() else { return };
            let mut deferred = during_refresh.lock().unwrap_or_else(|e| e.into_inner());
            for path in paths {
                match deferred.as_mut() {
                    // A whole-root refresh (a directory changed) waits for the first one.
                    Some(list) if path.is_dir() => list.push(path),
                    Some(list) => {
                        list.push(path.clone());
                        engine.apply_path(&path);
                    }
                    None => engine.apply_path(&path),
                }
            }
        });
        match watched {
            Ok(w) => self.watchers.lock().unwrap_or_else(|e| e.into_inner()).push(w),
            Err(e) => tracing::warn!("{e:#}; changes on disk under {} will not be followed", path.display()),
        }
    }

    fn apply_path(&self, path: &Path) {
        if let Err(e) = self.path_changed(path) {
            tracing::warn!("cannot apply the change of {}: {e:#}", path.display());
        }
    }

    fn root_failed(&self, path: &Path, e: &anyhow::Error) {
        tracing::error!("cannot index {}: {e:#}", path.display());
        self.starting.lock().unwrap_or_else(|e| e.into_inner()).retain(|p| p != path);
        self.root_errors.write().unwrap_or_else(|e| e.into_inner()).push((path.to_path_buf(), format!("{e:#}")));
        self.bump_readiness();
    }

    /// The roots that could not be opened or refreshed, with why.
    pub fn root_errors(&self) -> Vec<(PathBuf, String)> {
        self.root_errors.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Roots named but not searchable yet: announced and not open, or open
    /// and their stored index not yet in memory.
    pub fn loading_roots(&self) -> Vec<PathBuf> {
        let mut out = self.starting.lock().unwrap_or_else(|e| e.into_inner()).clone();
        out.extend(self.roots().iter().filter(|r| !r.loaded.load(Ordering::SeqCst)).map(|r| r.path.clone()));
        out
    }

    /// What answers cannot know yet, each as a sentence for a person or an
    /// agent: roots still loading or that failed, the model still loading or
    /// missing, vectors still being computed. Empty when answers are final.
    pub fn unknowns(&self) -> Vec<String> {
        let mut out: Vec<String> = self.loading_roots().iter().map(|p| format!("the index of {} is still loading: its files are not searched yet", p.display())).collect();
        out.extend(self.root_errors().iter().map(|(p, e)| format!("the workspace {} cannot be indexed: {e}", p.display())));
        if self.model_loading() {
            out.push("the embedding model is still loading: results are ranked by words only for now".into());
        } else if let Some(e) = self.model_error() {
            out.push(format!("the embedding model is not available, so results are ranked by words only ({e})"));
        }
        if out.is_empty() {
            out.extend(self.indexing_note());
        }
        out
    }

    /// While a refresh runs: that it runs, and how far it is in chunks
    /// embedded with the time left ("indexing is still running (by meaning:
    /// 1,200 of 3,400 chunks, about 40 s left); …").
    pub fn indexing_note(&self) -> Option<String> {
        if !self.indexing() {
            return None;
        }
        let progress: Vec<String> = self.roots().iter().filter_map(|r| r.progress.lock().unwrap_or_else(|e| e.into_inner()).clone()).collect();
        let others = if crate::embed::static_model::shared().is_some() { "by words and by the static model" } else { "by words" };
        Some(match progress.is_empty() {
            true => "indexing is still running: results may be incomplete".into(),
            false => format!("indexing is still running ({}); chunks not embedded yet are ranked {others}", progress.join("; ")),
        })
    }

    /// Waits, at most `bound`, until every named root is searchable and the
    /// model has loaded (or failed). Returns whether that happened.
    pub async fn wait_ready(&self, bound: Duration) -> bool {
        let mut changes = self.readiness.subscribe();
        let ready = |engine: &Engine| engine.loading_roots().is_empty() && !engine.model_loading();
        let waited = tokio::time::timeout(bound, async {
            loop {
                if ready(self) {
                    return;
                }
                if changes.changed().await.is_err() {
                    return;
                }
            }
        })
        .await;
        waited.is_ok() && ready(self)
    }

    /// Tells waiters that a root or the model changed state.
    pub(super) fn bump_readiness(&self) {
        self.readiness.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Counts each time vectors joined an index (typed text embedded, a file
    /// re-embedded, a refresh installed): a surface showing what depends on
    /// vectors (code lenses) refreshes it on a change.
    pub fn vectors_arrived(&self) -> tokio::sync::watch::Receiver<u64> {
        self.vectors.subscribe()
    }

    pub(super) fn bump_vectors(&self) {
        self.vectors.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Starts loading the model on a thread of its own; requests meanwhile
    /// rank by words and say so. Returns at once.
    pub(super) fn load_model_in_background(self: &Arc<Self>) -> Result<()> {
        self.model_loading.store(true, Ordering::SeqCst);
        let engine = self.clone();
        std::thread::Builder::new()
            .name("semnav-model".into())
            .spawn(move || {
                engine.load_model();
                engine.model_loading.store(false, Ordering::SeqCst);
                engine.bump_readiness();
            })
            .context("cannot start the thread that loads the model")?;
        Ok(())
    }

    /// Whether the model is being loaded.
    pub fn model_loading(&self) -> bool {
        self.model_loading.load(Ordering::SeqCst)
    }

    /// Blocks until the model has loaded or failed (threads that may block:
    /// a refresh).
    pub(super) fn wait_for_model_blocking(&self) {
        let mut changes = self.readiness.subscribe();
        while self.model_loading() {
            if futures::executor::block_on(changes.changed()).is_err() {
                return;
            }
        }
    }
}
