//! Keeping a root's in-memory index in step with the disk: the refresh of a
//! whole root and of one changed file, with or without the model.
//!
//! Answers never wait for embeddings: what the store has, plus the new and
//! changed files chunked but not yet embedded, is laid into memory first and
//! found by words (and the ranking stage); the embedding refresh follows and
//! its result replaces it. Without a model only the first step runs and the
//! store is only read. This module does not know any protocol.

use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use anyhow::Result;

use super::{set_buffer_chunks, Engine, OpenDoc, Root};
use crate::index::{Progress, RefreshStats};
use crate::search::SearchIndex;

/// The model id a store is opened with when there is no model and no index
/// yet: nothing is written under it, and opening the store with the real
/// model later clears nothing of value.
const NO_MODEL: &str = "no-model";

/// The model id of the index `root` already has (in `index_dir` or the
/// default place), so that opening it without the model clears nothing.
pub(super) fn model_of_existing_index(root: &Path, index_dir: Option<&Path>) -> String {
    let dir = match index_dir {
        Some(d) => d.to_path_buf(),
        None => root.canonicalize().map(|r| crate::index::default_index_dir(&r)).unwrap_or_default(),
    };
    if !dir.join("db").exists() {
        return NO_MODEL.into();
    }
    crate::store::Store::peek_model(&dir).ok().flatten().unwrap_or_else(|| NO_MODEL.into())
}

impl Engine {
    /// Brings a root's index up to date with the disk, then loads it into
    /// memory with the open documents' buffers on top. The first time (or
    /// without a model) what the store has and the files it does not know
    /// yet are laid into memory before anything is embedded. Blocking.
    ///
    /// A file event ([`Engine::file_changed`]) during the refresh may come
    /// after the refresh read that file from disk, or from the store into the
    /// index it swaps in: the refresh takes every such file again after its
    /// swap, so the last word is the disk's. Refreshes of one root run one at
    /// a time.
    pub fn refresh_root(&self, root: &Arc<Root>, progress: &dyn Progress) -> Result<RefreshStats> {
        self.refresh_root_while(root, progress, || {})
    }

    /// [`Engine::refresh_root`], running `meanwhile` before the last swap:
    /// where the tests let a file event come.
    pub(super) fn refresh_root_while(&self, root: &Arc<Root>, progress: &dyn Progress, meanwhile: impl FnOnce()) -> Result<RefreshStats> {
        let _one_at_a_time = root.refreshing.lock().unwrap_or_else(|e| e.into_inner());
        root.indexing.store(true, Ordering::SeqCst);
        *root.changed_during_refresh.lock().unwrap_or_else(|e| e.into_inner()) = Some(Vec::new());
        let result = self.refresh_root_inner(root, progress, meanwhile);
        let changed = root.changed_during_refresh.lock().unwrap_or_else(|e| e.into_inner()).take().unwrap_or_default();
        let result = result.and_then(|stats| {
            for rel in changed {
                self.file_changed(&root.path.join(&rel))?;
            }
            Ok(stats)
        });
        root.indexing.store(false, Ordering::SeqCst);
        result
    }

    fn refresh_root_inner(&self, root: &Arc<Root>, progress: &dyn Progress, meanwhile: impl FnOnce()) -> Result<RefreshStats> {
        let worker = self.worker().ok();
        // Laid when the root was opened (what its first answers waited for).
        let mut laid = root.laid_at_open.lock().unwrap_or_else(|e| e.into_inner()).take();
        let empty = !root.loaded.load(Ordering::SeqCst) || root.index.read().unwrap_or_else(|e| e.into_inner()).is_empty();
        if laid.is_none() && (empty || worker.is_none()) {
            laid = Some(self.lay_root(root)?);
        }
        // Laid by words while the model loads; then embedded with it.
        let worker = worker.or_else(|| {
            self.wait_for_model_blocking();
            self.worker().ok()
        });
        let Some(worker) = worker else {
            meanwhile();
            let index = root.index.read().unwrap_or_else(|e| e.into_inner());
            return Ok(RefreshStats { files: index.paths().count(), chunks: index.len(), files_read: laid.unwrap_or(0), ..RefreshStats::default() });
        };
        // Each round of vectors joins the index that answers as soon as it
        // is stored: the transformer fills in behind the words and the
        // static vectors while a cold index runs.
        let fill_in = |pairs: &[(crate::store::TextHash, Vec<f32>)]| {
            let mut index = root.index.write().unwrap_or_else(|e| e.into_inner());
            for (hash, v) in pairs {
                index.add_vector(*hash, v);
            }
            drop(index);
            self.bump_vectors();
        };
        let tracked = Tracked { root, inner: progress };
        let stats = root.workspace.refresh_with(&worker, &tracked, &fill_in);
        *root.progress.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let stats = stats?;
        // Nothing changed since what was laid: memory already is the store.
        let unchanged = laid == Some(0) && stats.files_read == 0 && stats.files_removed == 0 && !root.index.read().unwrap_or_else(|e| e.into_inner()).vectors().needs_base();
        if !unchanged {
            let mut index = root.workspace.load()?;
            if index.vectors().needs_base() {
                root.workspace.build_ann_if_needed(&mut index, 1)?;
            }
            meanwhile();
            self.install(root, index);
        } else {
            meanwhile();
        }
        Ok(stats)
    }

    /// Lays what the store has of `root`, and the files on disk it does not
    /// know as they are (by words), into memory: what answers until the
    /// refresh has embedded them. Returns the number of files laid or gone.
    /// What the store has is served even when the disk cannot be read now
    /// (the error is the root's, said by every surface). Blocking.
    pub(super) fn lay_root(&self, root: &Arc<Root>) -> Result<usize> {
        let started = std::time::Instant::now();
        let mut index = root.workspace.load()?;
        let lay = root.workspace.lay_stale_files(&mut index);
        tracing::info!("{}: {} chunks searchable by words after {:.1?}", root.path.display(), index.len(), started.elapsed());
        self.install(root, index);
        lay
    }

    /// Swaps `index` in as `root`'s, then lays the open buffers over the
    /// disk's version.
    fn install(&self, root: &Arc<Root>, index: SearchIndex) {
        let mut guard = root.index.write().unwrap_or_else(|e| e.into_inner());
        *guard = index;
        if !root.loaded.swap(true, Ordering::SeqCst) {
            self.bump_readiness();
        }
        for mut d in self.docs.iter_mut() {
            let OpenDoc { doc, place, stored, .. } = &mut *d;
            if let Some((r, rel)) = place {
                if Arc::ptr_eq(r, root) {
                    doc.reparse();
                    set_buffer_chunks(&mut guard, root, rel, doc, stored);
                }
            }
        }
        drop(guard);
        self.bump_vectors();
    }

    /// A file changed on disk (or was closed in the editor). Its new chunks
    /// are searchable by words at once; then, with the model, their texts are
    /// embedded and stored, and their vectors join. Open documents are left
    /// alone: their buffer wins. Blocking.
    pub fn file_changed(&self, path: &Path) -> Result<()> {
        self.file_changed_while(path, || {})
    }

    /// [`Engine::file_changed`], running `meanwhile` between reading the file
    /// and laying it over the index: where the tests let an editor open it.
    pub(super) fn file_changed_while(&self, path: &Path, meanwhile: impl FnOnce()) -> Result<()> {
        let key = path.to_string_lossy().to_string();
        if self.docs.contains_key(&key) {
            return Ok(());
        }
        // By name: a file swapped for a link is read as gone, and leaves.
        let Some((root, rel)) = self.event_place_of(path) else { return Ok(()) };
        let event = root.file_events.fetch_add(1, Ordering::SeqCst) + 1;
        let read = root.workspace.read_file(&rel);
        meanwhile();
        let store = &root.workspace.store;
        {
            let mut index = root.index.write().unwrap_or_else(|e| e.into_inner());
            // Asked again under the index lock (lock order: index, then
            // document): an editor that opened the file since the question
            // above has laid its buffer over the index, or will once this lock
            // is free; the disk's older text must not cover it.
            if self.docs.contains_key(&key) {
                return Ok(());
            }
            // A later event for this file read the disk after this one did
            // and has already laid its read over the index.
            if !self.latest_event(&root, &rel, event, true) {
                return Ok(());
            }
            match &read {
                Some((entry, texts)) => {
                    index.set_file(&rel, entry.language, entry.chunks.clone(), |h| store.vector(h).ok().flatten());
                    root.workspace.lay_static_vectors(&mut index, texts);
                }
                None => index.remove_file(&rel),
            }
            if let Some(changed) = root.changed_during_refresh.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
                changed.push(rel.clone());
            }
        }
        let Ok(worker) = self.worker() else { return Ok(()) };
        let Some((entry, texts)) = read else { return store.remove_file(&rel) };
        self.pending.fetch_add(1, Ordering::SeqCst);
        let stored = root.workspace.store_file(&rel, &entry, texts, &worker);
        self.pending.fetch_sub(1, Ordering::SeqCst);
        stored?;
        let mut index = root.index.write().unwrap_or_else(|e| e.into_inner());
        // Vectors only for the read that still stands.
        if self.docs.contains_key(&key) || !self.latest_event(&root, &rel, event, false) {
            return Ok(());
        }
        for c in &entry.chunks {
            if !index.has_vector(&c.text_hash) {
                if let Some(v) = store.vector(&c.text_hash)? {
                    index.add_vector(c.text_hash, &v);
                }
            }
        }
        drop(index);
        self.bump_vectors();
        Ok(())
    }

    /// Whether `event` is the newest event laid for `rel` (recording it
    /// first when `record`): an older read must not cover a newer one.
    fn latest_event(&self, root: &Root, rel: &str, event: u64, record: bool) -> bool {
        let mut applied = root.applied_events.lock().unwrap_or_else(|e| e.into_inner());
        match applied.get(rel) {
            Some(&later) if later > event => false,
            _ => {
                if record {
                    applied.insert(rel.to_string(), event);
                }
                true
            }
        }
    }

    /// A path changed on disk, as a file watcher reports it: a file is
    /// [`Engine::file_changed`]; a directory, or a path gone that was no
    /// file of the index (a directory removed or renamed), refreshes its
    /// whole root. Blocking.
    pub fn path_changed(&self, path: &Path) -> Result<()> {
        let Some((root, rel)) = self.event_place_of(path) else { return Ok(()) };
        let known_file = !root.index.read().unwrap_or_else(|e| e.into_inner()).chunks_of(&rel).is_empty();
        if path.is_file() || known_file {
            return self.file_changed(path);
        }
        let holds_files = path.is_dir() || root.index.read().unwrap_or_else(|e| e.into_inner()).paths().any(|p| p.starts_with(&format!("{rel}/")));
        if holds_files {
            self.refresh_root(&root, &crate::index::NoProgress)?;
        }
        Ok(())
    }
}

/// A refresh's progress, passed on to the surface's and kept in its root
/// for `status` and for what answers say while it runs.
struct Tracked<'a> {
    root: &'a Root,
    inner: &'a dyn Progress,
}

impl Tracked<'_> {
    fn keep(&self, message: Option<String>) {
        *self.root.progress.lock().unwrap_or_else(|e| e.into_inner()) = message;
    }
}

impl Progress for Tracked<'_> {
    fn begin(&self, title: &str, total: u64) {
        self.keep((total > 0).then(|| crate::embed::eta::EmbedCount::new(total).message()));
        self.inner.begin(title, total);
    }
    fn advance(&self, done: u64, message: &str) {
        self.keep(Some(message.to_string()));
        self.inner.advance(done, message);
    }
    fn end(&self, message: &str) {
        self.keep(None);
        self.inner.end(message);
    }
}
