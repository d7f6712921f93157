//! Turning chunk texts into vectors.
//!
//! [`model`] finds and checks the model files and the ONNX Runtime library;
//! [`Embedder`] is what turns texts into unit-length vectors (fastembed for real,
//! a hashing stub for unit tests that do not care about meaning); [`worker`]
//! runs an embedder on its own thread, so no async runtime thread ever runs the
//! model. This module knows nothing of files, chunks or the index.

pub mod model;
pub mod worker;

use anyhow::Result;

pub use model::{FastEmbedder, ModelPaths};
pub use worker::{EmbedWorker, Priority};

/// Vectors are `DIM` f32 values, normalised to unit length.
pub const DIM: usize = 384;

/// Texts in one call to the model. Measured: larger batches pad more and gain
/// nothing on 2 cores.
pub const BATCH_SIZE: usize = 32;

/// Something that maps texts to unit vectors of `dim()` values.
pub trait Embedder: Send {
    /// Identifies the model and every setting that changes its vectors
    /// (file hash, max length). Vectors from different ids are never mixed.
    fn model_id(&self) -> &str;
    fn dim(&self) -> usize;
    /// Embeds one batch; the result has one vector per text, in order.
    fn embed_batch(&mut self, texts: &[&str]) -> Result<Vec<Vec<f32>>>;
}

/// Embeds any number of texts in batches of similar length, so that padding
/// (every text in a batch is padded to the longest) costs as little as
/// possible. Returns vectors in the order of `texts`.
pub fn embed_sorted(embedder: &mut dyn Embedder, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
    let mut order: Vec<usize> = (0..texts.len()).collect();
    order.sort_by_key(|&i| texts[i].len());
    let mut out: Vec<Vec<f32>> = vec![Vec::new(); texts.len()];
    for batch in order.chunks(BATCH_SIZE) {
        let batch_texts: Vec<&str> = batch.iter().map(|&i| texts[i]).collect();
        let vectors = embedder.embed_batch(&batch_texts)?;
        for (&i, v) in batch.iter().zip(vectors) {
            out[i] = v;
        }
    }
    Ok(out)
}

/// Scales `v` to unit length (leaves a zero vector alone).
pub fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
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
        assert!((dot(&a, &a) - 1.0).abs() < 1e-5);
        assert!(dot(&a, &b) > dot(&a, &c));
    }

    #[test]
    fn normalize_leaves_zero_vector() {
        let mut z = vec![0.0; 4];
        normalize(&mut z);
        assert_eq!(z, vec![0.0; 4]);
    }
}
