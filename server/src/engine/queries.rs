//! What requests ask the engine: hybrid search over every root, code similar
//! to a chunk (of an open buffer or a file on disk), the definitions of an
//! open document and the status. Each first catches up the stale documents it
//! reads, so an answer's ranges are those of the newest text; none waits for
//! an embedding other than its own query's, and none writes to an index.

use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use anyhow::Result;

/// How long a search or a similarity waits for roots still loading and for
/// the model before it answers with what there is (and says what is missing).
pub const FIRST_ANSWER_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// How long an agent's or a shell's search (MCP, the CLI through a server)
/// waits, during a cold index, for its own answers' vectors before it ranks
/// without them ([`Engine::search_with`]). Searching as one types never waits.
pub const ANSWERS_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

use super::{innermost, Answer, Engine, Root, Status};
use crate::chunk::Chunk;
use crate::embed::Priority;
use crate::index::{self, TextScope};
use crate::lang::Language;
use crate::search::{Exclude, Filters, Hit, SearchIndex, WordRanking};
use crate::store::TextHash;
use crate::usage::Invalid;

impl Engine {
    /// Hybrid search over every root, for a surface that searches as the
    /// user types (the LSP): it never waits for vectors other than its
    /// query's ([`Engine::search_with`]).
    pub async fn search(&self, query: &str, filters: &Filters, limit: usize) -> Result<Vec<Answer>> {
        self.search_with(query, filters, limit, true, None).await
    }

    /// Hybrid search over every root.
    /// Without the model it ranks by words only (the ranking stage included);
    /// by words only too when `dense` is false (`--lexical`).
    /// Waits first (at most [`FIRST_ANSWER_WAIT`]) for the roots still
    /// loading and the model: a first answer is never "nothing" for want of
    /// having read the index.
    /// While vectors are missing, the answers that have none are embedded
    /// first (query-driven embedding); with `wait_for_answers` (an agent's
    /// or a shell's search, asked once, not as they type) the search waits
    /// that long at most for them and ranks again with them.
    /// An empty query or a limit of 0 is refused ([`crate::usage`]).
    pub async fn search_with(&self, query: &str, filters: &Filters, limit: usize, dense: bool, wait_for_answers: Option<std::time::Duration>) -> Result<Vec<Answer>> {
        let query = crate::usage::query(query)?;
        let limit = crate::usage::limit(limit)?;
        self.wait_ready(FIRST_ANSWER_WAIT).await;
        let worker = self.worker().ok();
        let mut config = self.settings().rank;
        config.dense &= dense;
        let started = std::time::Instant::now();
        let embedding = worker.filter(|_| config.dense).map(|worker| worker.start_embedding(vec![query.to_string()], Priority::Query));
        // While the query is embedded on the embedding thread, rank by words
        // here. The indexes may change before the vector comes: a root whose
        // chunks did is ranked by words again.
        self.catch_up_all();
        let by_words: Vec<(Arc<Root>, WordRanking)> = self
            .roots()
            .into_iter()
            .map(|root| {
                let words = root.index.read().unwrap_or_else(|e| e.into_inner()).rank_words(query, filters, &config, limit);
                (root, words)
            })
            .collect();
        // The static model's vector of the query: microseconds, here. It
        // finds by meaning the chunks the transformer has not embedded yet.
        let static_vector = match crate::embed::static_model::shared() {
            Some(model) if config.dense && config.static_tier => model.embed(query),
            _ => Vec::new(),
        };
        let words_ranked = started.elapsed();
        let vector = match embedding {
            Some(embedding) => embedding.await?.pop().unwrap_or_default(),
            None => Vec::new(),
        };
        let embedded = started.elapsed();
        // Ranks every root; with `waiting`, also collects the first page's
        // texts that have no transformer vector and no search has asked for.
        let rank = |mut waiting: Option<&mut Vec<(Arc<Root>, String, TextHash)>>| {
            self.catch_up_all();
            let mut all = Vec::new();
            for (root, words) in &by_words {
                let index = root.index.read().unwrap_or_else(|e| e.into_inner());
                let hits = index.search_ranked(&vector, &static_vector, words, query, filters, &config, limit);
                all.extend(hits.iter().map(|h| answer(root, &index, h)));
                let Some(waiting) = waiting.as_deref_mut() else { continue };
                let mut asked = root.asked_first.lock().unwrap_or_else(|e| e.into_inner());
                for h in hits.iter().take(FIRST_PER_SEARCH) {
                    let c = index.chunk(h.chunk);
                    if !index.has_vector(&c.chunk.text_hash) && asked.insert(c.chunk.text_hash) {
                        waiting.push((root.clone(), c.path.to_string(), c.chunk.text_hash));
                    }
                }
            }
            all
        };
        let mut waiting = Vec::new();
        let mut all = rank(Some(&mut waiting));
        if let (Some(worker), false) = (self.worker().ok().filter(|_| config.dense), waiting.is_empty()) {
            let priority = if wait_for_answers.is_some() { Priority::Query } else { Priority::Interactive };
            let done = embed_first(worker, waiting, priority);
            if let (Some(wait), Some(done)) = (wait_for_answers, done) {
                if tokio::time::timeout(wait, done).await.is_ok() {
                    all = rank(None);
                }
            }
        }
        tracing::debug!(
            "search {query:?}: ranked by words in {words_ranked:.1?}, query embedded by {embedded:.1?}, answered in {:.1?} more",
            started.elapsed() - embedded
        );
        Ok(top(all, limit))
    }

    /// The chunk of an open document holding `line`, from its newest text;
    /// for a key that is not open, of the file at that path, from the disk.
    fn chunk_at(&self, key: &str, line: u32) -> Result<(Chunk, Arc<str>, Option<(Arc<Root>, String)>)> {
        self.catch_up_all();
        let outside = || anyhow::Error::new(Invalid(format!("line {} of {key} is not inside any code chunk", line + 1)));
        if let Some(entry) = self.docs.get(key) {
            let chunk = innermost(entry.doc.chunks(), line).ok_or_else(outside)?;
            return Ok((chunk, entry.doc.text().into(), entry.place.clone()));
        }
        let path = Path::new(key);
        let language = Language::from_path(path).ok_or_else(|| Invalid(format!("{key} is not a file semnav indexes")))?;
        let max = self.settings().max_file_bytes;
        // A file of a root is read as a walk would, never through a link;
        // one of no root (a file the client names) as it is.
        let place = self.place_of(path);
        let text = match (&place, self.event_place_of(path)) {
            (Some((root, rel)), _) => crate::discover::read_inside(&root.path, rel, max),
            (None, Some((root, _))) => return Err(Invalid(format!("{key} is reached through a link, which semnav does not follow out of {}", root.path.display())).into()),
            (None, None) => crate::discover::read_text(path, max),
        }
        .map_err(|r| Invalid(format!("cannot use {key}: {}", r.as_str())))?;
        let chunk = innermost(&crate::chunk::chunk_source(language, &text), line).ok_or_else(outside)?;
        Ok((chunk, text.into(), place))
    }

    /// Code similar to the chunk at `line` of open document `key` (or of the
    /// file at path `key` when it is not open), never that chunk itself,
    /// embedding the chunk's current text when its vector is not known yet.
    pub async fn similar(&self, key: &str, line: u32, limit: usize) -> Result<Vec<Answer>> {
        let limit = crate::usage::limit(limit)?;
        self.wait_ready(FIRST_ANSWER_WAIT).await;
        let (chunk, text, place) = self.chunk_at(key, line)?;
        let (hash, embed_text) = match &place {
            Some((root, rel)) => index::embedded_text(root.workspace.text_scope(), rel, &chunk, &text),
            None => {
                let worker = self.worker()?;
                index::embedded_text(TextScope { model_id: worker.model_id(), prefix: "" }, key, &chunk, &text)
            }
        };
        let known = self.vector_of(&hash);
        let vector = match known {
            Some(v) => v,
            None => self.worker()?.embed(vec![embed_text], Priority::Query).await?.pop().unwrap_or_default(),
        };
        Ok(self.similar_to(&vector, place.as_ref().map(|(r, rel)| (r, rel.as_str(), &chunk)), limit))
    }

    /// Like [`Engine::similar`] but only from vectors already there (hover:
    /// never an embedding on that path). `Ok(None)` while the chunk's vector
    /// (or its root) is not there yet; an error when `line` is in no chunk.
    pub fn similar_stored(&self, key: &str, line: u32, limit: usize) -> Result<Option<Vec<Answer>>> {
        let (chunk, text, place) = self.chunk_at(key, line)?;
        let Some((root, rel)) = place else { return Ok(None) };
        let (hash, _) = index::embedded_text(root.workspace.text_scope(), &rel, &chunk, &text);
        let Some(vector) = self.vector_of(&hash) else { return Ok(None) };
        Ok(Some(self.similar_to(&vector, Some((&root, rel.as_str(), &chunk)), limit)))
    }

    fn vector_of(&self, hash: &TextHash) -> Option<Vec<f32>> {
        for root in self.roots() {
            let index = root.index.read().unwrap_or_else(|e| e.into_inner());
            if let Some(row) = index.vectors().row(hash) {
                return Some(index.vectors().vector(row));
            }
            drop(index);
            if let Ok(Some(v)) = root.workspace.store.vector(hash) {
                return Some(v);
            }
        }
        None
    }

    fn similar_to(&self, vector: &[f32], query: Option<(&Arc<Root>, &str, &Chunk)>, limit: usize) -> Vec<Answer> {
        let mut all = Vec::new();
        for root in self.roots() {
            let exclude = match query {
                Some((r, rel, c)) if Arc::ptr_eq(r, &root) => Exclude { path: rel.to_string(), start_line: c.start_line, end_line: c.end_line },
                _ => Exclude { path: String::new(), start_line: 1, end_line: 0 },
            };
            let index = root.index.read().unwrap_or_else(|e| e.into_inner());
            let hits = index.similar(vector, &exclude, &Filters::default(), limit);
            all.extend(hits.iter().map(|h| answer(&root, &index, h)));
        }
        top(all, limit)
    }

    /// Definition chunks of an open document (for code lenses), newest text.
    pub fn definitions(&self, key: &str) -> Vec<Chunk> {
        self.catch_up_now(key);
        self.docs.get(key).map(|d| d.doc.chunks().iter().filter(|c| c.kind.is_definition()).cloned().collect()).unwrap_or_default()
    }

    pub fn status(&self) -> Status {
        let roots = self.roots();
        let mut s = Status {
            roots: roots.iter().map(|r| r.path.clone()).collect(),
            index_dirs: roots.iter().map(|r| r.workspace.store.dir().to_path_buf()).collect(),
            // "unavailable: …" is what clients warn about: not while it loads.
            model: match self.worker() {
                Ok(w) => w.model_id().to_string(),
                Err(_) if self.model_loading() => "loading".to_string(),
                Err(e) => format!("unavailable: {e}"),
            },
            files: 0,
            chunks: 0,
            pending_embeddings: self.pending.load(Ordering::SeqCst) + self.worker().map(|w| w.queued()).unwrap_or(0),
            disk_bytes: 0,
            indexing: self.indexing(),
            progress: roots.iter().filter_map(|r| r.progress.lock().unwrap_or_else(|e| e.into_inner()).clone()).collect(),
            notes: roots.iter().filter_map(|r| r.note.clone()).collect(),
            loading: self.loading_roots(),
            unknowns: self.unknowns(),
        };
        let model = self.worker().is_ok();
        for r in &roots {
            let index = r.index.read().unwrap_or_else(|e| e.into_inner());
            // Without the model the store is only read: memory is the truth.
            s.files += if model { r.workspace.store.file_count() } else { index.paths().count() };
            s.chunks += index.len();
            drop(index);
            s.disk_bytes += r.workspace.store.disk_bytes();
        }
        s
    }
}

/// The most answers of one search embedded ahead of the queue: a first page.
const FIRST_PER_SEARCH: usize = 10;

/// Query-driven embedding: the chunks a search answered with that have no
/// transformer vector yet jump the background queue (each text once: a text
/// asked by an earlier search is not asked again while it waits). Their
/// files are read and chunked again (on a blocking thread), their texts
/// embedded as jobs of `priority` (interactive ones are served between two
/// batches of the workspace's indexing, query ones by the thread that embeds
/// queries); the vectors are stored and laid into the index, so the same
/// query a few seconds later is ranked by the transformer. A file whose text
/// changed since has other hashes: its chunks wait for the refresh (an open
/// buffer's text is never read here). The receiver hears when every vector
/// asked for is laid or has failed.
fn embed_first(worker: crate::embed::EmbedWorker, waiting: Vec<(Arc<Root>, String, TextHash)>, priority: Priority) -> Option<tokio::sync::oneshot::Receiver<()>> {
    let runtime = tokio::runtime::Handle::try_current().ok()?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    // Sends when the last job's callback (or the reading, when nothing is
    // left to embed) lets go of it.
    let done = Arc::new(SendOnDrop(Some(tx)));
    runtime.spawn_blocking(move || {
        let mut files: Vec<(Arc<Root>, String, Vec<TextHash>)> = Vec::new();
        for (root, path, hash) in waiting {
            match files.iter_mut().find(|(r, p, _)| Arc::ptr_eq(r, &root) && *p == path) {
                Some((_, _, hashes)) => hashes.push(hash),
                None => files.push((root, path, vec![hash])),
            }
        }
        for (root, path, asked) in files {
            // The text embedded is the one on disk now; a chunk that changed
            // since has another hash, and its vector waits for the refresh.
            let texts = root.workspace.read_file(&path).map(|(_, texts)| texts).unwrap_or_default();
            let (hashes, texts): (Vec<TextHash>, Vec<String>) = texts.into_iter().filter(|(h, _)| asked.contains(h)).unzip();
            if texts.is_empty() {
                forget_asked(&root, &asked);
                continue;
            }
            let done = done.clone();
            worker.submit(texts, priority, move |result| {
                match result {
                    Ok(vectors) => {
                        let pairs: Vec<(TextHash, Vec<f32>)> = hashes.into_iter().zip(vectors).collect();
                        if let Err(e) = root.workspace.store.put_vectors(&pairs) {
                            tracing::warn!("cannot store the vectors of a search's candidates: {e:#}");
                        }
                        root.workspace.share_vectors(root.workspace.model_id(), &pairs);
                        let mut index = root.index.write().unwrap_or_else(|e| e.into_inner());
                        for (h, v) in &pairs {
                            index.add_vector(*h, v);
                        }
                    }
                    Err(e) => tracing::warn!("embedding a search's candidates failed: {e:#}"),
                }
                forget_asked(&root, &asked);
                drop(done);
            });
        }
    });
    Some(rx)
}

/// Sends `()` when dropped: the last holder of an `Arc` of it says the work
/// they shared is over.
struct SendOnDrop(Option<tokio::sync::oneshot::Sender<()>>);

impl Drop for SendOnDrop {
    fn drop(&mut self) {
        if let Some(tx) = self.0.take() {
            let _ = tx.send(());
        }
    }
}

/// `hashes` are no longer waiting to be embedded first (done, or failed:
/// a later search may ask again).
fn forget_asked(root: &Root, hashes: &[TextHash]) {
    let mut asked = root.asked_first.lock().unwrap_or_else(|e| e.into_inner());
    for h in hashes {
        asked.remove(h);
    }
}

fn answer(root: &Root, index: &SearchIndex, hit: &Hit) -> Answer {
    let c = index.chunk(hit.chunk);
    Answer {
        path: root.path.join(&*c.path),
        start_line: c.chunk.start_line,
        end_line: c.chunk.end_line,
        score: hit.score,
        kind: c.chunk.kind.as_str(),
        name: c.chunk.name.clone(),
        container: c.chunk.container.clone(),
        language: c.language,
        preview: c.chunk.preview.clone(),
    }
}

fn top(mut all: Vec<Answer>, limit: usize) -> Vec<Answer> {
    all.sort_by(|a, b| b.score.total_cmp(&a.score));
    all.truncate(limit);
    all
}

