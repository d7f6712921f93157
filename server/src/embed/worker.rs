//! The threads that own the embedding model and serve batches by priority.
//!
//! Callers never run the model themselves: they submit texts with a priority
//! and a callback. Queries (a search, a find-similar) come first, then the
//! chunks of open documents, then workspace indexing. A background job (up to
//! a few hundred texts) is embedded in slices, and waiting urgent work is
//! served between slices, so an edit or a query waits for at most one slice,
//! not for a whole indexing round. With [`EmbedWorker::spawn_with_query_thread`]
//! a second model instance serves queries alone, so a query does not even wait
//! for that slice (and the other instance is not loaded for queries). With
//! [`EmbedWorker::release_when_idle`] each thread drops its model after a
//! while without work and loads it again for the next job
//! ([`super::Reloading`]). Callbacks run on a worker thread: they must be
//! quick (send on a channel, fill a oneshot).

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};

use super::{embed_sorted, Embedder};

/// Which queue a job goes to; earlier ones are served first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// A query someone is waiting for.
    Query,
    /// What is typed in open documents.
    Interactive,
    /// Workspace indexing.
    Background,
}

/// Texts of a background job embedded between two looks at the other queues
/// (at most): one model batch (`super::batches`), so slicing costs no throughput.
#[cfg_attr(not(test), allow(dead_code))]
const BACKGROUND_SLICE: usize = super::BATCH_SIZE;

type Reply = Box<dyn FnOnce(Result<Vec<Vec<f32>>>) + Send>;

struct Job {
    texts: Vec<String>,
    reply: Reply,
}

#[derive(Default)]
struct Queues {
    query: VecDeque<Job>,
    interactive: VecDeque<Job>,
    background: VecDeque<Job>,
    /// Whether the thread serving everything is inside a background job.
    background_running: bool,
    /// The state of the instance that serves everything, when it loads
    /// after the query instance ([`EmbedWorker::spawn_loading_indexer`]).
    indexer: Indexer,
    /// Each thread drops its model after this long without work
    /// ([`EmbedWorker::release_when_idle`]).
    idle_release: Option<Duration>,
    /// Whether a thread serves queries only: queries are then left to it, so
    /// the other's model need not be loaded for them.
    query_thread: bool,
    closed: bool,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Indexer {
    #[default]
    Ready,
    /// Loading: the query thread takes typed text meanwhile.
    Loading,
    /// It could not load: the query thread serves everything.
    Failed,
}

/// The most texts of an interactive job the query thread takes: what one
/// pause in typing leaves to embed (a function or two), not a whole file
/// opened, which would keep queries waiting.
const TYPED_TEXTS_FOR_QUERY_THREAD: usize = 2;

impl Queues {
    /// The most urgent job a thread serving `serves` may take.
    fn take(&mut self, serves: Serves) -> Option<(Job, Priority)> {
        let serves = if self.indexer == Indexer::Failed { Serves::Everything } else { serves };
        if serves == Serves::QueriesOnly || !self.query_thread || self.indexer == Indexer::Failed {
            if let Some(job) = self.query.pop_front() {
                return Some((job, Priority::Query));
            }
        }
        if serves == Serves::QueriesOnly {
            // Typed text does not wait for a slice of workspace indexing (a
            // model batch, seconds on two cores), nor for the other instance
            // to load: meanwhile this one takes a small interactive job.
            if !self.background_running && self.indexer != Indexer::Loading {
                return None;
            }
            let small = self.interactive.iter().position(|job| job.texts.len() <= TYPED_TEXTS_FOR_QUERY_THREAD)?;
            return self.interactive.remove(small).map(|job| (job, Priority::Interactive));
        }
        if let Some(job) = self.interactive.pop_front() {
            return Some((job, Priority::Interactive));
        }
        let job = self.background.pop_front()?;
        self.background_running = true;
        Some((job, Priority::Background))
    }

    /// A query or interactive job, to serve between slices of a background one.
    fn take_urgent(&mut self) -> Option<Job> {
        let query = if self.query_thread && self.indexer != Indexer::Failed { None } else { self.query.pop_front() };
        query.or_else(|| self.interactive.pop_front())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Serves {
    Everything,
    QueriesOnly,
}

struct Shared {
    queues: Mutex<Queues>,
    ready: Condvar,
}

/// Handle to the embedding threads. Cloning shares them; they stop when the
/// last handle is dropped.
#[derive(Clone)]
pub struct EmbedWorker {
    shared: Arc<Shared>,
    model_id: Arc<str>,
    _guard: Arc<CloseOnDrop>,
}

struct CloseOnDrop(Arc<Shared>);

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        if let Ok(mut q) = self.0.queues.lock() {
            q.closed = true;
        }
        self.0.ready.notify_all();
    }
}

impl EmbedWorker {
    /// Starts one thread with `embedder`, serving every priority.
    pub fn spawn(embedder: Box<dyn Embedder>) -> Result<EmbedWorker> {
        Self::start(embedder, None)
    }

    /// Starts a thread with `embedder` serving every priority, and one with
    /// `query_embedder` (a second instance of the same model) serving only
    /// queries.
    pub fn spawn_with_query_thread(embedder: Box<dyn Embedder>, query_embedder: Box<dyn Embedder>) -> Result<EmbedWorker> {
        if query_embedder.model_id() != embedder.model_id() {
            return Err(anyhow!("the query model {} is not the indexing model {}", query_embedder.model_id(), embedder.model_id()));
        }
        Self::start(embedder, Some(query_embedder))
    }

    /// Starts a thread with `query_embedder` serving queries at once, and a
    /// thread at the lowest CPU priority that first runs `load` (so that the
    /// model instance it loads, and ONNX Runtime's threads, have that
    /// priority; on a busy machine that takes long) and then serves
    /// everything. Until it has loaded the query thread also takes typed
    /// text; if it fails to load, the query thread serves everything.
    pub fn spawn_loading_indexer(query_embedder: Box<dyn Embedder>, load: Box<dyn FnOnce() -> Result<Box<dyn Embedder>> + Send>) -> Result<EmbedWorker> {
        let shared = Arc::new(Shared { queues: Mutex::new(Queues { indexer: Indexer::Loading, query_thread: true, ..Queues::default() }), ready: Condvar::new() });
        let model_id: Arc<str> = query_embedder.model_id().into();
        let query_shared = shared.clone();
        thread::Builder::new()
            .name("semnav-embed-query".into())
            .spawn(move || run(query_embedder, query_shared, Serves::QueriesOnly))
            .map_err(|e| anyhow!("cannot start the embedding thread: {e}"))?;
        let indexer_shared = shared.clone();
        let expected = model_id.clone();
        thread::Builder::new()
            .name("semnav-embed".into())
            .spawn(move || {
                crate::background::lower_current_thread_priority();
                let loaded = load().and_then(|e| if *e.model_id() == *expected { Ok(e) } else { Err(anyhow!("the indexing model {} is not the query model {expected}", e.model_id())) });
                let state = if loaded.is_ok() { Indexer::Ready } else { Indexer::Failed };
                if let Err(e) = &loaded {
                    tracing::warn!("{e:#}; one model instance serves everything");
                }
                if let Ok(mut q) = indexer_shared.queues.lock() {
                    q.indexer = state;
                }
                indexer_shared.ready.notify_all();
                if let Ok(embedder) = loaded {
                    run(embedder, indexer_shared, Serves::Everything);
                }
            })
            .map_err(|e| anyhow!("cannot start the embedding thread: {e}"))?;
        Ok(EmbedWorker { _guard: Arc::new(CloseOnDrop(shared.clone())), shared, model_id })
    }

    fn start(embedder: Box<dyn Embedder>, query_embedder: Option<Box<dyn Embedder>>) -> Result<EmbedWorker> {
        let shared = Arc::new(Shared { queues: Mutex::new(Queues { query_thread: query_embedder.is_some(), ..Queues::default() }), ready: Condvar::new() });
        let model_id: Arc<str> = embedder.model_id().into();
        // With a thread of its own for queries (the server), the other one's
        // work is indexing and typed text, which nobody waits for with the
        // cursor: it yields the CPU to queries and to the editor's requests.
        let lower_priority = query_embedder.is_some();
        let threads = std::iter::once((embedder, Serves::Everything, "semnav-embed"))
            .chain(query_embedder.map(|e| (e, Serves::QueriesOnly, "semnav-embed-query")));
        for (embedder, serves, name) in threads {
            let thread_shared = shared.clone();
            thread::Builder::new()
                .name(name.into())
                .spawn(move || {
                    if lower_priority && serves == Serves::Everything {
                        crate::background::lower_current_thread_priority();
                    }
                    run(embedder, thread_shared, serves)
                })
                .map_err(|e| anyhow!("cannot start the embedding thread: {e}"))?;
        }
        Ok(EmbedWorker { _guard: Arc::new(CloseOnDrop(shared.clone())), shared, model_id })
    }

    pub fn model_id(&self) -> &str {
        &self.model_id
    }

    /// Queues `texts`; `reply` gets one vector per text, in order.
    pub fn submit(&self, texts: Vec<String>, priority: Priority, reply: impl FnOnce(Result<Vec<Vec<f32>>>) + Send + 'static) {
        let job = Job { texts, reply: Box::new(reply) };
        let mut q = match self.shared.queues.lock() {
            Ok(q) => q,
            Err(_) => return (job.reply)(Err(anyhow!("the embedding thread has failed"))),
        };
        match priority {
            Priority::Query => q.query.push_back(job),
            Priority::Interactive => q.interactive.push_back(job),
            Priority::Background => q.background.push_back(job),
        }
        drop(q);
        // Wake every thread: only some of them may serve this job.
        self.shared.ready.notify_all();
    }

    /// Embeds and waits for the result (for threads that may block: the CLI,
    /// the indexer; never from an async task).
    pub fn embed_blocking(&self, texts: Vec<String>, priority: Priority) -> Result<Vec<Vec<f32>>> {
        let (tx, rx) = std::sync::mpsc::channel();
        self.submit(texts, priority, move |r| {
            let _ = tx.send(r);
        });
        rx.recv().map_err(|_| anyhow!("the embedding thread stopped"))?
    }

    /// Embeds from async code without blocking a runtime thread.
    pub async fn embed(&self, texts: Vec<String>, priority: Priority) -> Result<Vec<Vec<f32>>> {
        self.start_embedding(texts, priority).await
    }

    /// Queues the texts now and returns a future of their vectors, so the
    /// caller can do other work while they are embedded.
    pub fn start_embedding(&self, texts: Vec<String>, priority: Priority) -> impl std::future::Future<Output = Result<Vec<Vec<f32>>>> + Send + 'static {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.submit(texts, priority, move |r| {
            let _ = tx.send(r);
        });
        async move { rx.await.map_err(|_| anyhow!("the embedding thread stopped"))? }
    }

    /// Makes each thread drop its model (see [`super::Reloading`]) after
    /// `after` without work, and load it again for the next job: an idle
    /// server then holds none of the transformer's memory. `None`: never.
    pub fn release_when_idle(&self, after: Option<Duration>) {
        if let Ok(mut q) = self.shared.queues.lock() {
            q.idle_release = after;
        }
        self.shared.ready.notify_all();
    }

    /// Jobs waiting (not counting those running).
    pub fn queued(&self) -> usize {
        self.shared.queues.lock().map(|q| q.query.len() + q.interactive.len() + q.background.len()).unwrap_or(0)
    }
}

fn run(mut embedder: Box<dyn Embedder>, shared: Arc<Shared>, serves: Serves) {
    // Whether the embedder may hold a model, and since when it has had no work.
    let mut holding = true;
    let mut last_work = Instant::now();
    loop {
        let next = {
            let Ok(mut q) = shared.queues.lock() else { return };
            loop {
                if let Some(taken) = q.take(serves) {
                    break Some(taken);
                }
                if q.closed {
                    return;
                }
                let waited = match q.idle_release.filter(|_| holding) {
                    Some(after) => match after.checked_sub(last_work.elapsed()) {
                        Some(left) if !left.is_zero() => shared.ready.wait_timeout(q, left).ok().map(|(q, _)| q),
                        _ => break None,
                    },
                    None => shared.ready.wait(q).ok(),
                };
                let Some(waited) = waited else { return };
                q = waited;
            }
        };
        let Some((job, priority)) = next else {
            // Idle long enough: drop the model outside the lock (it takes
            // milliseconds) and give its memory back to the system.
            holding = false;
            if embedder.release() {
                crate::background::return_freed_memory();
                tracing::debug!("released the embedding model after {:?} idle", last_work.elapsed());
            }
            continue;
        };
        holding = true;
        let result = if priority == Priority::Background {
            // The query thread may now take typed text waiting meanwhile.
            shared.ready.notify_all();
            let result = embed_in_slices(embedder.as_mut(), &shared, &job.texts);
            if let Ok(mut q) = shared.queues.lock() {
                q.background_running = false;
            }
            result
        } else {
            embed_guarded(embedder.as_mut(), &job.texts)
        };
        (job.reply)(result);
        last_work = Instant::now();
    }
}

/// Embeds `texts`; a panic inside the model must not take the thread (and
/// every later caller) down with it: it becomes this job's error.
fn embed_guarded(embedder: &mut dyn Embedder, texts: &[impl AsRef<str>]) -> Result<Vec<Vec<f32>>> {
    let refs: Vec<&str> = texts.iter().map(AsRef::as_ref).collect();
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| embed_sorted(embedder, &refs)))
        .unwrap_or_else(|_| Err(anyhow!("the embedding model panicked")))
}

/// Embeds a background job slice by slice (texts of similar length together,
/// as `embed_sorted` would), serving urgent jobs that arrive in between.
fn embed_in_slices(embedder: &mut dyn Embedder, shared: &Shared, texts: &[String]) -> Result<Vec<Vec<f32>>> {
    let mut order: Vec<usize> = (0..texts.len()).collect();
    order.sort_by_key(|&i| texts[i].len());
    let mut vectors = vec![Vec::new(); texts.len()];
    for slice in super::batches(&order, |i| texts[i].len()) {
        loop {
            let urgent = match shared.queues.lock() {
                Ok(mut q) => q.take_urgent(),
                Err(_) => None,
            };
            let Some(job) = urgent else { break };
            let result = embed_guarded(embedder, &job.texts);
            (job.reply)(result);
        }
        let slice_texts: Vec<&str> = slice.iter().map(|&i| texts[i].as_str()).collect();
        for (&i, vector) in slice.iter().zip(embed_guarded(embedder, &slice_texts)?) {
            vectors[i] = vector;
        }
    }
    Ok(vectors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::StubEmbedder;

    #[test]
    fn answers_in_order_with_vectors() {
        let worker = EmbedWorker::spawn(Box::new(StubEmbedder::new())).unwrap();
        let out = worker.embed_blocking(vec!["load config".into(), "x".into()], Priority::Background).unwrap();
        assert_eq!(out[0], StubEmbedder::vector("load config"));
        assert_eq!(out[1], StubEmbedder::vector("x"));
        assert_eq!(worker.model_id(), "stub-hash-v1");
    }

    #[test]
    fn async_embed_works_from_a_runtime() {
        let worker = EmbedWorker::spawn(Box::new(StubEmbedder::new())).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let out = rt.block_on(worker.embed(vec!["a b".into()], Priority::Interactive)).unwrap();
        assert_eq!(out.len(), 1);
    }

    /// An embedder that records what it embeds and can be held up.
    struct Recording {
        log: Arc<Mutex<Vec<String>>>,
        gate: Arc<(Mutex<bool>, Condvar)>,
        /// Calls of `embed_batch` begun.
        entered: Arc<std::sync::atomic::AtomicUsize>,
        id: &'static str,
    }

    impl Embedder for Recording {
        fn model_id(&self) -> &str {
            self.id
        }
        fn dim(&self) -> usize {
            1
        }
        fn embed_batch(&mut self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
            self.entered.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let (open, opened) = &*self.gate;
            let mut open = open.lock().unwrap();
            while !*open {
                open = opened.wait(open).unwrap();
            }
            self.log.lock().unwrap().extend(texts.iter().map(|t| t.to_string()));
            Ok(texts.iter().map(|t| vec![t.len() as f32]).collect())
        }
    }

    type Handles = (Arc<Mutex<Vec<String>>>, Arc<(Mutex<bool>, Condvar)>, Arc<std::sync::atomic::AtomicUsize>);

    fn recording(id: &'static str, open: bool) -> (Recording, Handles) {
        let log = Arc::new(Mutex::new(Vec::new()));
        let gate = Arc::new((Mutex::new(open), Condvar::new()));
        let entered = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        (Recording { log: log.clone(), gate: gate.clone(), entered: entered.clone(), id }, (log, gate, entered))
    }

    /// Waits until the embedder has begun a batch (and is held at its gate).
    fn wait_until_inside(entered: &std::sync::atomic::AtomicUsize) {
        while entered.load(std::sync::atomic::Ordering::SeqCst) == 0 {
            std::thread::yield_now();
        }
    }

    fn open_gate(gate: &(Mutex<bool>, Condvar)) {
        *gate.0.lock().unwrap() = true;
        gate.1.notify_all();
    }

    #[test]
    fn urgent_work_is_served_between_slices_of_a_background_job() {
        let (embedder, (log, gate, entered)) = recording("m", false);
        let worker = EmbedWorker::spawn(Box::new(embedder)).unwrap();
        let background: Vec<String> = (0..BACKGROUND_SLICE * 3).map(|i| format!("bg{i:03}")).collect();
        let (tx, rx) = std::sync::mpsc::channel();
        let bg_tx = tx.clone();
        worker.submit(background.clone(), Priority::Background, move |r| bg_tx.send(("bg", r)).unwrap());
        // Once the thread is held in the first slice, queue urgent work.
        wait_until_inside(&entered);
        let typed_tx = tx.clone();
        worker.submit(vec!["typed".into()], Priority::Interactive, move |r| typed_tx.send(("typed", r)).unwrap());
        worker.submit(vec!["query".into()], Priority::Query, move |r| tx.send(("query", r)).unwrap());
        open_gate(&gate);
        let first = rx.recv().unwrap();
        let second = rx.recv().unwrap();
        let (name, result) = rx.recv().unwrap();
        assert_eq!((first.0, second.0, name), ("query", "typed", "bg"));
        assert_eq!(result.unwrap(), background.iter().map(|t| vec![t.len() as f32]).collect::<Vec<_>>());
        let log = log.lock().unwrap();
        let query_at = log.iter().position(|t| t == "query").unwrap();
        assert_eq!(query_at, BACKGROUND_SLICE, "served right after the first slice: {log:?}");
        assert_eq!(log[query_at + 1], "typed");
    }

    #[test]
    fn the_query_thread_takes_typed_text_only_while_the_other_indexes() {
        let (busy, (busy_log, busy_gate, busy_entered)) = recording("m", true);
        let (queries, (query_log, _, _)) = recording("m", true);
        let worker = EmbedWorker::spawn_with_query_thread(Box::new(busy), Box::new(queries)).unwrap();
        // Idle: typed text goes to the thread that serves everything.
        worker.embed_blocking(vec!["fn idle() {}".into()], Priority::Interactive).unwrap();
        assert_eq!((busy_log.lock().unwrap().len(), query_log.lock().unwrap().len()), (1, 0));
        // Inside a background slice: small typed jobs go to the query thread,
        // a large one (a file opened) waits for the slice to end.
        *busy_gate.0.lock().unwrap() = false;
        busy_entered.store(0, std::sync::atomic::Ordering::SeqCst);
        worker.submit(vec!["long indexing".into()], Priority::Background, |_| {});
        wait_until_inside(&busy_entered);
        let (tx, rx) = std::sync::mpsc::channel();
        let large_tx = tx.clone();
        worker.submit(vec!["a".into(), "b".into(), "c".into()], Priority::Interactive, move |r| large_tx.send(r).unwrap());
        worker.submit(vec!["fn typed() {}".into()], Priority::Interactive, move |r| tx.send(r).unwrap());
        let typed = rx.recv_timeout(std::time::Duration::from_secs(30)).expect("typed text waited for the background slice").unwrap();
        assert_eq!(typed, vec![vec![13.0]]);
        assert_eq!(*query_log.lock().unwrap(), ["fn typed() {}"]);
        open_gate(&busy_gate);
        assert_eq!(rx.recv_timeout(std::time::Duration::from_secs(30)).unwrap().unwrap().len(), 3);
        assert_eq!(*query_log.lock().unwrap(), ["fn typed() {}"], "the large job went to the query thread");
    }

    #[test]
    fn an_idle_thread_releases_its_model_and_loads_it_again_for_the_next_job() {
        let loads = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = loads.clone();
        let load: crate::embed::Loader = Arc::new(move || {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(Box::new(StubEmbedder::new()) as Box<dyn Embedder>)
        });
        let worker = EmbedWorker::spawn(Box::new(crate::embed::Reloading::new(Box::new(StubEmbedder::new()), load))).unwrap();
        worker.embed_blocking(vec!["a".into()], Priority::Query).unwrap();
        assert_eq!(loads.load(std::sync::atomic::Ordering::SeqCst), 0, "no idle release asked yet");
        worker.release_when_idle(Some(Duration::from_millis(20)));
        thread::sleep(Duration::from_millis(200));
        // Released while idle: the next job loads it again, once.
        let out = worker.embed_blocking(vec!["b c".into()], Priority::Background).unwrap();
        assert_eq!(out[0], StubEmbedder::vector("b c"));
        assert_eq!(loads.load(std::sync::atomic::Ordering::SeqCst), 1);
        // Busy (jobs closer together than the idle time): no release between them.
        worker.release_when_idle(Some(Duration::from_secs(60)));
        for _ in 0..5 {
            worker.embed_blocking(vec!["d".into()], Priority::Interactive).unwrap();
        }
        assert_eq!(loads.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[test]
    fn the_query_thread_answers_while_the_other_is_busy() {
        let (busy, (_, busy_gate, busy_entered)) = recording("m", false);
        let (queries, (query_log, _, _)) = recording("m", true);
        let worker = EmbedWorker::spawn_with_query_thread(Box::new(busy), Box::new(queries)).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        worker.submit(vec!["long indexing".into()], Priority::Background, |_| {});
        wait_until_inside(&busy_entered);
        worker.submit(vec!["where is the config read".into()], Priority::Query, move |r| tx.send(r).unwrap());
        let answer = rx.recv_timeout(std::time::Duration::from_secs(30)).expect("the query waited for the busy thread").unwrap();
        assert_eq!(answer, vec![vec![24.0]]);
        assert_eq!(*query_log.lock().unwrap(), ["where is the config read"]);
        open_gate(&busy_gate);
        let (other, _) = recording("other", true);
        let (again, _) = recording("m", true);
        assert!(EmbedWorker::spawn_with_query_thread(Box::new(again), Box::new(other)).is_err());
    }
}
