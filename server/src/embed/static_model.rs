//! The static tier: potion-base-8M (model2vec), a table of one 256-float
//! vector per token. A text's vector is the mean of its tokens' rows,
//! normalised: a tokenizer and a table lookup, no ONNX Runtime, no
//! transformer. It costs well under 1% of the transformer per chunk, so every
//! chunk of a cold workspace has one within seconds of being read, long
//! before the transformer's vector; the ranking stage uses it for the chunks
//! that have no transformer vector yet (`search/mod.rs`).
//!
//! The files (`model.safetensors`, `tokenizer.json`, with the model's MIT
//! licence in `ATTRIBUTION.txt`) are installed by `semnav provision` next to
//! the transformer's. Encoding follows model2vec's own `StaticModel.encode`:
//! tokens without special tokens, the unknown token dropped, at most
//! [`MAX_TOKENS`], the mean, then unit length. This module knows nothing of
//! chunks or the index, and must not call the transformer.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use anyhow::{anyhow, bail, Context, Result};

/// The static model's name: its folder under `models/`.
pub const STATIC_MODEL: &str = "potion-base-8M";

/// Dimensions of the static model's vectors.
pub const STATIC_DIM: usize = 256;

/// Tokens of a text that count (model2vec's default `max_length`).
pub const MAX_TOKENS: usize = 512;

/// Bytes of a text that are tokenized: model2vec cuts a text at
/// `max_length × median token length` characters before tokenizing; code
/// averages well under 8 bytes a token, so no token within [`MAX_TOKENS`]
/// is lost, and a huge chunk costs no more than this.
const MAX_BYTES: usize = MAX_TOKENS * 8;

const FILES: [&str; 2] = ["model.safetensors", "tokenizer.json"];

/// The loaded model: a tokenizer and its table.
pub struct StaticModel {
    tokenizer: tokenizers::Tokenizer,
    /// Row-major, `vocabulary × STATIC_DIM`.
    table: Vec<f32>,
    unknown: Option<u32>,
}

impl StaticModel {
    /// Loads the model from `dir`; the error names the file and the command
    /// that installs it.
    pub fn load(dir: &Path) -> Result<StaticModel> {
        for file in FILES {
            if !dir.join(file).is_file() {
                bail!("the static model file {} is missing; install it with `{}`", dir.join(file).display(), super::model::provision_command());
            }
        }
        let tokenizer_path = dir.join("tokenizer.json");
        let tokenizer = tokenizers::Tokenizer::from_file(&tokenizer_path).map_err(|e| anyhow!("cannot read the tokenizer {}: {e}", tokenizer_path.display()))?;
        let table_path = dir.join("model.safetensors");
        let bytes = std::fs::read(&table_path).with_context(|| format!("cannot read {}", table_path.display()))?;
        let table = read_table(&bytes).with_context(|| format!("{} is not a static model's table", table_path.display()))?;
        let unknown = tokenizer.token_to_id("[UNK]");
        let rows = table.len() / STATIC_DIM;
        if rows < tokenizer.get_vocab_size(true) {
            bail!("{} has {rows} rows for a vocabulary of {}", table_path.display(), tokenizer.get_vocab_size(true));
        }
        Ok(StaticModel { tokenizer, table, unknown })
    }

    /// A text's vector, unit length; all zeros for a text without a known token.
    pub fn embed(&self, text: &str) -> Vec<f32> {
        let mut sum = vec![0f32; STATIC_DIM];
        let text = cut(text, MAX_BYTES);
        let Ok(encoding) = self.tokenizer.encode_fast(text, false) else { return sum };
        let mut count = 0usize;
        for &id in encoding.get_ids().iter().filter(|&&id| Some(id) != self.unknown).take(MAX_TOKENS) {
            let Some(row) = self.table.get(id as usize * STATIC_DIM..(id as usize + 1) * STATIC_DIM) else { continue };
            for (s, v) in sum.iter_mut().zip(row) {
                *s += v;
            }
            count += 1;
        }
        if count > 0 {
            super::normalize(&mut sum);
            // As the store keeps it: the same scores before and after a restart.
            for x in &mut sum {
                *x = super::to_stored_precision(*x);
            }
        }
        sum
    }
}

/// `text` cut to at most `max` bytes, at a character boundary.
fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The f32 table named `embeddings` of a safetensors file, `_ × STATIC_DIM`.
fn read_table(bytes: &[u8]) -> Result<Vec<f32>> {
    let tensors = safetensors::SafeTensors::deserialize(bytes).map_err(|e| anyhow!("{e}"))?;
    let view = tensors.tensor("embeddings").map_err(|e| anyhow!("no embeddings table: {e}"))?;
    if view.dtype() != safetensors::Dtype::F32 || view.shape().len() != 2 || view.shape()[1] != STATIC_DIM {
        bail!("the embeddings table is {:?} {:?}, expected F32 [_, {STATIC_DIM}]", view.dtype(), view.shape());
    }
    Ok(view.data().chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect())
}

/// Where the static model is: `SEMNAV_STATIC_MODEL_DIR`, else beside the
/// transformer's folder (`SEMNAV_MODEL_DIR`'s parent) when it is there, else
/// the cache, where `semnav provision` installs it.
pub fn static_model_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SEMNAV_STATIC_MODEL_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let beside = std::env::var_os("SEMNAV_MODEL_DIR").filter(|d| !d.is_empty()).and_then(|d| PathBuf::from(d).parent().map(|p| p.join(STATIC_MODEL)));
    match beside {
        Some(dir) if dir.join(FILES[0]).is_file() => dir,
        _ => super::model::cache_root().join("models").join(STATIC_MODEL),
    }
}

/// The process's static model, loaded once on first use; `None` (and one
/// warning) when it is not installed or does not load, or when
/// `SEMNAV_STATIC=off`: everything then works as before it existed.
pub fn shared() -> Option<Arc<StaticModel>> {
    static MODEL: OnceLock<Option<Arc<StaticModel>>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            if std::env::var("SEMNAV_STATIC").is_ok_and(|v| v == "off" || v == "0") {
                return None;
            }
            let dir = static_model_dir();
            let started = std::time::Instant::now();
            match StaticModel::load(&dir) {
                Ok(model) => {
                    tracing::info!("static model {} loaded in {:.0?}", dir.display(), started.elapsed());
                    Some(Arc::new(model))
                }
                Err(e) => {
                    tracing::warn!("no static vectors (answers by words until the transformer's vectors arrive): {e:#}");
                    None
                }
            }
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> Option<StaticModel> {
        let dir = static_model_dir();
        match StaticModel::load(&dir) {
            Ok(m) => Some(m),
            Err(e) if std::env::var_os("CI").is_some() => panic!("the static model must be installed in CI: {e:#}"),
            Err(e) => {
                eprintln!("skipping: {e:#}");
                None
            }
        }
    }

    /// Reference vectors computed by model2vec 0.10.0 itself
    /// (`StaticModel.from_pretrained(dir).encode([text])`), first 6 values.
    #[test]
    fn vectors_equal_model2vec_s() {
        let Some(m) = model() else { return };
        for (text, expected) in REFERENCE {
            let v = m.embed(text);
            assert!((v.iter().map(|x| x * x).sum::<f32>() - 1.0).abs() < 1e-4, "{text:?} is not unit length");
            for (i, (a, b)) in v.iter().zip(expected.iter()).enumerate() {
                // f16, as stored: three significant digits.
                assert!((a - b).abs() < 5e-4, "{text:?}[{i}] = {a}, model2vec says {b}");
            }
        }
    }

    #[test]
    fn a_text_without_tokens_is_zero_and_meaning_is_near() {
        let Some(m) = model() else { return };
        assert!(m.embed("").iter().all(|&x| x == 0.0));
        let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
        let q = m.embed("retry a failed upload");
        let near = m.embed("fn upload_with_retries(file: &Path) { for attempt in 0..3 { if send(file).is_ok() { return; } } }");
        let far = m.embed("fn parse_color(hex: &str) -> Rgb { u8::from_str_radix(&hex[1..3], 16) }");
        assert!(dot(&q, &near) > dot(&q, &far) + 0.1, "{} vs {}", dot(&q, &near), dot(&q, &far));
        // A huge text costs no more than its first tokens.
        let long = "word ".repeat(100_000);
        assert_eq!(m.embed(&long), m.embed(cut(&long, MAX_BYTES)));
    }

    #[test]
    fn cut_keeps_characters_whole() {
        assert_eq!(cut("héllo", 2), "h");
        assert_eq!(cut("héllo", 3), "hé");
        assert_eq!(cut("abc", 10), "abc");
    }

    const REFERENCE: &[(&str, [f32; 6])] = &[
        ("retry failed uploads", [-0.219771, 0.061623, 0.089006, -0.107946, 0.097297, 0.170707]),
        ("fn load_config(path: &Path) -> Result<Config> {\n    let text = std::fs::read_to_string(path)?;\n    toml::from_str(&text)\n}", [0.013385, 0.052831, -0.242686, -0.259062, 0.130175, -0.012974]),
        ("path: src/flask/app.py (src flask app)\nclass Flask(App):\n    \"\"\"The flask object implements a WSGI application.\"\"\"", [0.144267, 0.074863, -0.057978, -0.257133, -0.048006, 0.160019]),
        ("Ünïcödé ⟨weird⟩ tokens 😀 zzzqqqxxx", [-0.052852, -0.203306, -0.222424, -0.146334, 0.214153, 0.105337]),
    ];
}
