//! Turning chunk texts into vectors.
//!
//! [`model`] finds and checks the model files and the ONNX Runtime library;
//! [`Embedder`] is what turns texts into unit-length vectors (fastembed for real,
//! a hashing stub for unit tests that do not care about meaning); [`worker`]
//! runs an embedder on its own thread, so no async runtime thread ever runs the
//! model. This module knows nothing of files, chunks or the index.

pub mod eta;
pub mod model;
pub mod provision;
pub mod static_model;
pub mod worker;

use anyhow::Result;

pub use model::{FastEmbedder, ModelPaths};
pub use worker::{EmbedWorker, Priority};

/// Vectors are `DIM` f32 values, normalised to unit length.
pub const DIM: usize = 384;

/// Texts in one call to the model. Measured: larger batches pad more and gain
/// nothing on 2 cores.
pub const BATCH_SIZE: usize = 32;

/// Most tokens (padding included) one call to the model may hold: two texts
/// of the model's 256 tokens, or 32 short ones. The model's working memory
/// grows with the tokens of a call (and attention with their square): a cold
/// index in batches of 32 texts whatever their length peaked at 1.6 GB, at
/// 2,048 tokens a call at 0.8-0.9 GB, at 1,024 at 530 MB, at 512 at 320 MB,
/// with no loss of throughput measured (`benches/footprint`).
/// `SEMNAV_EMBED_BATCH_TOKENS` changes it (0: no budget), for measurements.
pub const BATCH_TOKENS: usize = 512;

fn batch_tokens() -> usize {
    static BUDGET: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *BUDGET.get_or_init(|| std::env::var("SEMNAV_EMBED_BATCH_TOKENS").ok().and_then(|v| v.trim().parse().ok()).map_or(BATCH_TOKENS, |n: usize| if n == 0 { usize::MAX } else { n }))
}

/// The tokens a text of `bytes` bytes is taken for: code averages three to
/// four bytes a token; the model cuts at 256.
fn estimated_tokens(bytes: usize) -> usize {
    (bytes / 3 + 2).min(model::MAX_LENGTH)
}

/// Cuts `order` (text indexes by ascending length) into model calls: at most
/// [`BATCH_SIZE`] texts and [`BATCH_TOKENS`] padded tokens each (the last text
/// of a batch is its longest). `len` gives a text's length in bytes.
pub fn batches<'a>(order: &'a [usize], len: impl Fn(usize) -> usize) -> Vec<&'a [usize]> {
    let budget = batch_tokens();
    let mut out = Vec::new();
    let mut start = 0;
    for end in 1..=order.len() {
        let count = end - start;
        let full = count == BATCH_SIZE || order.get(end).is_none_or(|&next| (count + 1).saturating_mul(estimated_tokens(len(next))) > budget);
        if full {
            out.push(&order[start..end]);
            start = end;
        }
    }
    out
}

/// Something that maps texts to unit vectors of `dim()` values.
pub trait Embedder: Send {
    /// Identifies the model and every setting that changes its vectors
    /// (file hash, max length). Vectors from different ids are never mixed.
    fn model_id(&self) -> &str;
    fn dim(&self) -> usize;
    /// Embeds one batch; the result has one vector per text, in order.
    fn embed_batch(&mut self, texts: &[&str]) -> Result<Vec<Vec<f32>>>;
    /// Drops what it can load again by itself (the model, its runtime's
    /// memory) until the next batch; returns whether it dropped anything.
    fn release(&mut self) -> bool {
        false
    }
}

/// Loads an embedder; [`Reloading`] calls it again after a release.
pub type Loader = std::sync::Arc<dyn Fn() -> Result<Box<dyn Embedder>> + Send + Sync>;

/// An embedder whose model is loaded when there are texts to embed and can
/// be dropped while idle ([`Embedder::release`]): the transformer is nearly
/// all of a server's memory, and an idle server needs none of it. The id and
/// dimension are those of the first model loaded; a model that loads later
/// under another id (its files replaced meanwhile) is refused, never mixed.
pub struct Reloading {
    load: Loader,
    model: Option<Box<dyn Embedder>>,
    id: String,
    dim: usize,
}

impl Reloading {
    /// Wraps `loaded`, which `load` loads again after a release.
    pub fn new(loaded: Box<dyn Embedder>, load: Loader) -> Reloading {
        Reloading { id: loaded.model_id().to_string(), dim: loaded.dim(), model: Some(loaded), load }
    }

    /// An embedder of model `id` (vectors of `dim` values) that loads it with
    /// `load` for its first batch, not before.
    pub fn unloaded(load: Loader, id: String, dim: usize) -> Reloading {
        Reloading { load, model: None, id, dim }
    }

    /// Whether the model is in memory now.
    pub fn is_loaded(&self) -> bool {
        self.model.is_some()
    }
}

impl Embedder for Reloading {
    fn model_id(&self) -> &str {
        &self.id
    }
    fn dim(&self) -> usize {
        self.dim
    }
    fn embed_batch(&mut self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        let model = match &mut self.model {
            Some(model) => model,
            None => {
                let started = std::time::Instant::now();
                let model = (self.load)()?;
                if model.model_id() != self.id {
                    anyhow::bail!("the model files changed since semnav started ({} is now {}): restart semnav to use the new model", self.id, model.model_id());
                }
                tracing::debug!("loaded the model again in {:?}", started.elapsed());
                self.model.insert(model)
            }
        };
        model.embed_batch(texts)
    }
    fn release(&mut self) -> bool {
        self.model.take().is_some()
    }
}

/// Embeds any number of texts in batches of similar length, so that padding
/// (every text in a batch is padded to the longest) costs as little as
/// possible. Returns vectors in the order of `texts`.
pub fn embed_sorted(embedder: &mut dyn Embedder, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
    let mut order: Vec<usize> = (0..texts.len()).collect();
    order.sort_by_key(|&i| texts[i].len());
    let mut out: Vec<Vec<f32>> = vec![Vec::new(); texts.len()];
    for batch in batches(&order, |i| texts[i].len()) {
        let batch_texts: Vec<&str> = batch.iter().map(|&i| texts[i]).collect();
        let vectors = embedder.embed_batch(&batch_texts)?;
        for (&i, v) in batch.iter().zip(vectors) {
            out[i] = v;
        }
    }
    Ok(out)
}

/// Scales `v` to unit length (leaves a zero vector alone), rounded to the
/// precision vectors are stored at, so a vector read back from the index is
/// the one that was computed (scores do not change across a restart).
pub fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x = to_stored_precision(*x / norm));
    }
}

/// `x` rounded to the nearest f16: the index stores vectors as f16 (half
/// the disk of f32; a cosine changes by about 1e-4).
pub fn to_stored_precision(x: f32) -> f32 {
    half::f16::from_f32(x).to_f32()
}

/// A deterministic embedder for unit tests of code that does not care about
/// meaning: each word of the text adds to a few hashed dimensions. Texts that
/// share words get similar vectors; nothing else is modelled.
pub struct StubEmbedder {
    pub calls: usize,
    pub texts_embedded: usize,
}

impl StubEmbedder {
    pub fn new() -> Self {
        StubEmbedder { calls: 0, texts_embedded: 0 }
    }

    pub fn vector(text: &str) -> Vec<f32> {
        let mut v = vec![0.0f32; DIM];
        for word in crate::ident::split_words(text) {
            let h = blake3::hash(word.as_bytes());
            let b = h.as_bytes();
            for k in 0..3 {
                let idx = u16::from_le_bytes([b[2 * k], b[2 * k + 1]]) as usize % DIM;
                v[idx] += if b[10 + k] & 1 == 0 { 1.0 } else { -1.0 };
            }
        }
        normalize(&mut v);
        v
    }
}

impl Default for StubEmbedder {
    fn default() -> Self {
        Self::new()
    }
}

impl Embedder for StubEmbedder {
    fn model_id(&self) -> &str {
        "stub-hash-v1"
    }
    fn dim(&self) -> usize {
        DIM
    }
    fn embed_batch(&mut self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        self.calls += 1;
        self.texts_embedded += texts.len();
        Ok(texts.iter().map(|t| Self::vector(t)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_hold_at_most_32_texts_and_the_token_budget() {
        // 40 short texts (12 tokens), then 20 long ones (cut at 256 tokens by the model).
        let lens: Vec<usize> = (0..40).map(|_| 30).chain((0..20).map(|_| 3000)).collect();
        let order: Vec<usize> = (0..lens.len()).collect();
        let sizes: Vec<usize> = batches(&order, |i| lens[i]).iter().map(|b| b.len()).collect();
        let long = BATCH_TOKENS / 256;
        let expected: Vec<usize> = [BATCH_SIZE, 8].into_iter().chain(std::iter::repeat_n(long, 20 / long)).collect();
        assert_eq!(sizes, expected, "32 short texts, the 8 left, then long ones {long} a batch");
        assert!(batches(&[], |_| 1).is_empty());
        // A single text longer than the budget still gets its own batch.
        assert_eq!(batches(&[0], |_| 1 << 20).len(), 1);
    }

    #[test]
    fn sorted_embedding_keeps_input_order() {
        let texts = ["a much longer text here", "b", "medium text"];
        let mut stub = StubEmbedder::new();
        let out = embed_sorted(&mut stub, &texts).unwrap();
        for (t, v) in texts.iter().zip(&out) {
            assert_eq!(v, &StubEmbedder::vector(t));
        }
    }

    #[test]
    fn stub_vectors_are_unit_length_and_word_sensitive() {
        let a = StubEmbedder::vector("load config file");
        let b = StubEmbedder::vector("load config");
        let c = StubEmbedder::vector("render widget tree");
        let dot = |x: &[f32], y: &[f32]| x.iter().zip(y).map(|(p, q)| p * q).sum::<f32>();
        // Unit length up to the f16 rounding of each component (about 1e-3 at worst).
        assert!((dot(&a, &a) - 1.0).abs() < 1e-3);
        assert!(dot(&a, &b) > dot(&a, &c));
        assert!(a.iter().all(|&x| to_stored_precision(x) == x), "components are stored exactly");
    }

    #[test]
    fn a_released_model_loads_again_for_the_next_batch() {
        let loads = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = loads.clone();
        let load: Loader = std::sync::Arc::new(move || {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(Box::new(StubEmbedder::new()) as Box<dyn Embedder>)
        });
        let mut model = Reloading::new(Box::new(StubEmbedder::new()), load);
        assert_eq!(model.embed_batch(&["a b"]).unwrap()[0], StubEmbedder::vector("a b"));
        assert_eq!(loads.load(std::sync::atomic::Ordering::SeqCst), 0, "the first model is used as given");
        assert!(model.release() && !model.is_loaded());
        assert!(!model.release(), "nothing left to release");
        assert_eq!(model.embed_batch(&["c"]).unwrap()[0], StubEmbedder::vector("c"));
        assert_eq!(loads.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert!(model.is_loaded());
    }

    #[test]
    fn a_model_that_loads_again_under_another_id_is_refused() {
        struct Other;
        impl Embedder for Other {
            fn model_id(&self) -> &str {
                "other"
            }
            fn dim(&self) -> usize {
                DIM
            }
            fn embed_batch(&mut self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
                Ok(texts.iter().map(|_| vec![0.0; DIM]).collect())
            }
        }
        let mut model = Reloading::new(Box::new(StubEmbedder::new()), std::sync::Arc::new(|| Ok(Box::new(Other) as Box<dyn Embedder>)));
        model.release();
        let err = model.embed_batch(&["x"]).unwrap_err().to_string();
        assert!(err.contains("restart semnav") && err.contains("other"), "{err}");
        assert_eq!(model.model_id(), "stub-hash-v1");
    }

    #[test]
    fn normalize_leaves_zero_vector() {
        let mut z = vec![0.0; 4];
        normalize(&mut z);
        assert_eq!(z, vec![0.0; 4]);
    }
}
