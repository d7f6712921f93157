//! A dedicated thread that owns the embedder and serves batches by priority.
//!
//! Callers never run the model themselves: they submit texts with a priority
//! and a callback, and the thread answers interactive work (queries, open
//! documents) before background indexing. Jobs are taken one at a time, so a
//! query waits for at most one batch in flight. The callback runs on the worker
//! thread: it must be quick (send on a channel, fill a oneshot).

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;

use anyhow::{anyhow, Result};

use super::{embed_sorted, Embedder};

/// Which queue a job goes to. `Interactive` jobs are always taken first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    Interactive,
    Background,
}

type Reply = Box<dyn FnOnce(Result<Vec<Vec<f32>>>) + Send>;

struct Job {
    texts: Vec<String>,
    reply: Reply,
}

#[derive(Default)]
struct Queues {
    interactive: VecDeque<Job>,
    background: VecDeque<Job>,
    closed: bool,
}

struct Shared {
    queues: Mutex<Queues>,
    ready: Condvar,
}

/// Handle to the embedding thread. Cloning shares the thread; it stops when
/// the last handle is dropped.
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
    /// Starts the thread with `embedder`.
    pub fn spawn(embedder: Box<dyn Embedder>) -> Result<EmbedWorker> {
        let shared = Arc::new(Shared { queues: Mutex::new(Queues::default()), ready: Condvar::new() });
        let model_id: Arc<str> = embedder.model_id().into();
        let thread_shared = shared.clone();
        thread::Builder::new()
            .name("semnav-embed".into())
            .spawn(move || run(embedder, thread_shared))
            .map_err(|e| anyhow!("cannot start the embedding thread: {e}"))?;
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
            Priority::Interactive => q.interactive.push_back(job),
            Priority::Background => q.background.push_back(job),
        }
        drop(q);
        self.shared.ready.notify_one();
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
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.submit(texts, priority, move |r| {
            let _ = tx.send(r);
        });
        rx.await.map_err(|_| anyhow!("the embedding thread stopped"))?
    }

    /// Jobs waiting (not counting the one running).
    pub fn queued(&self) -> usize {
        self.shared.queues.lock().map(|q| q.interactive.len() + q.background.len()).unwrap_or(0)
    }
}

fn run(mut embedder: Box<dyn Embedder>, shared: Arc<Shared>) {
    loop {
        let job = {
            let Ok(mut q) = shared.queues.lock() else { return };
            loop {
                if let Some(job) = q.interactive.pop_front().or_else(|| q.background.pop_front()) {
                    break job;
                }
                if q.closed {
                    return;
                }
                q = match shared.ready.wait(q) {
                    Ok(q) => q,
                    Err(_) => return,
                };
            }
        };
        let refs: Vec<&str> = job.texts.iter().map(String::as_str).collect();
        // A panic inside the model must not take the thread (and every later
        // caller) down with it: it becomes this job's error.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| embed_sorted(embedder.as_mut(), &refs)))
            .unwrap_or_else(|_| Err(anyhow!("the embedding model panicked")));
        (job.reply)(result);
    }
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
}
