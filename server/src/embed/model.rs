//! Finding, checking and loading the embedding model and ONNX Runtime.
//!
//! The files are installed by `scripts/provision.py`; this module only looks
//! for them (`--model-dir` / `SEMNAV_MODEL_DIR` / the cache dir, and
//! `ORT_DYLIB_PATH` / the cache dir) and says, in one line, which command
//! installs what is missing. fastembed panics when the ONNX Runtime library
//! cannot be loaded, so the library is loaded here first, through `ort`, which
//! returns an error instead.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{anyhow, bail, Context, Result};
use fastembed::{
    InitOptionsUserDefined, Pooling, QuantizationMode, TextEmbedding, TokenizerFiles,
    UserDefinedEmbeddingModel,
};

use super::{normalize, Embedder, DIM};

/// The only model semnav ships with (int8 all-MiniLM-L6-v2).
pub const DEFAULT_MODEL: &str = "all-MiniLM-L6-v2-int8";
pub const ORT_VERSION: &str = "1.31.1";
/// The model was trained on 256 tokens; longer inputs are truncated there.
pub const MAX_LENGTH: usize = 256;

const MODEL_FILES: [&str; 5] = [
    "model.onnx",
    "tokenizer.json",
    "config.json",
    "special_tokens_map.json",
    "tokenizer_config.json",
];

/// The command that installs everything; named in every "missing" error.
/// The script is built into the binary ([`super::provision`]), so this works
/// wherever semnav was installed from.
pub fn provision_command() -> String {
    "semnav provision".to_string()
}

/// The root of semnav's cache: `$XDG_CACHE_HOME/semnav` (or `~/.cache/semnav`).
pub fn cache_root() -> PathBuf {
    dirs::cache_dir().unwrap_or_else(std::env::temp_dir).join("semnav")
}

/// Where the model files and the runtime library are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelPaths {
    pub model_dir: PathBuf,
    pub ort_dylib: PathBuf,
}

impl ModelPaths {
    /// Resolves the paths: an explicit model dir, else `SEMNAV_MODEL_DIR`, else
    /// the cache; `ORT_DYLIB_PATH`, else the cache. Does not check them.
    pub fn resolve(model: &str, model_dir: Option<&Path>) -> Result<ModelPaths> {
        if model != DEFAULT_MODEL {
            bail!("unknown model {model:?}: the only model semnav supports is {DEFAULT_MODEL:?}");
        }
        let model_dir = match model_dir {
            Some(dir) => dir.to_path_buf(),
            None => match std::env::var_os("SEMNAV_MODEL_DIR") {
                Some(dir) if !dir.is_empty() => PathBuf::from(dir),
                _ => cache_root().join("models").join(model),
            },
        };
        let ort_dylib = match std::env::var_os("ORT_DYLIB_PATH") {
            Some(p) if !p.is_empty() => PathBuf::from(p),
            _ => cache_root()
                .join("runtime")
                .join(format!("onnxruntime-{ORT_VERSION}"))
                .join(format!("libonnxruntime.so.{ORT_VERSION}")),
        };
        Ok(ModelPaths { model_dir, ort_dylib })
    }

    /// Checks that every file is there; the error names the first missing one
    /// and the command that installs it.
    pub fn check(&self) -> Result<()> {
        self.check_runtime_file()?;
        self.check_model_files()
    }

    /// Checks that the ONNX Runtime library is there (not that it loads:
    /// [`ModelPaths::load_runtime`]).
    pub fn check_runtime_file(&self) -> Result<()> {
        if !self.ort_dylib.is_file() {
            bail!(
                "ONNX Runtime library not found at {}: run `{}` (or set ORT_DYLIB_PATH)",
                self.ort_dylib.display(),
                provision_command()
            );
        }
        Ok(())
    }

    /// Loads the ONNX Runtime library (once per process); the error says
    /// what to run.
    pub fn load_runtime(&self) -> Result<()> {
        self.check_runtime_file()?;
        load_runtime(&self.ort_dylib)
    }

    /// Checks that every model file is there.
    pub fn check_model_files(&self) -> Result<()> {
        for name in MODEL_FILES {
            let path = self.model_dir.join(name);
            if !path.is_file() {
                bail!(
                    "model file {} is missing: run `{}` (or set SEMNAV_MODEL_DIR / --model-dir)",
                    path.display(),
                    provision_command()
                );
            }
        }
        Ok(())
    }
}

/// Loads the ONNX Runtime library once per process. A failure is remembered
/// and returned again: the library cannot be loaded twice.
fn load_runtime(dylib: &Path) -> Result<()> {
    static LOADED: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();
    let loaded = LOADED.get_or_init(|| {
        // Loads the library; the environment itself is created by fastembed.
        let _builder = ort::init_from(dylib).map_err(|e| e.to_string())?;
        // Resolving the API table panics inside `ort` when the library is not
        // a usable ONNX Runtime (wrong version, missing symbol): catch it here.
        std::panic::catch_unwind(|| {
            ort::api();
        })
        .map_err(|_| "the library does not provide a compatible ONNX Runtime API".to_string())?;
        Ok(dylib.to_path_buf())
    });
    match loaded {
        Ok(_) => Ok(()),
        Err(e) => Err(anyhow!(
            "cannot load ONNX Runtime from {}: {e}; run `{}` to install a working copy",
            dylib.display(),
            provision_command()
        )),
    }
}

/// ONNX Runtime's CPU provider, its memory arena off unless
/// `SEMNAV_ORT_ARENA=1` (for measurements: `benches/footprint`). The arena
/// keeps the largest activations any batch needed (a batch of 32 texts of 256
/// tokens) and grows in doubling chunks it never gives back; without it each
/// batch allocates and frees what it needs.
fn cpu_provider() -> ort::ep::ExecutionProviderDispatch {
    let arena = std::env::var("SEMNAV_ORT_ARENA").is_ok_and(|v| v == "1");
    ort::ep::CPU::default().with_arena_allocator(arena).build()
}

/// The id vectors of the model `onnx` (its bytes) are stored under.
fn model_id_of(onnx: &[u8]) -> String {
    format!("{DEFAULT_MODEL}:{}:len{MAX_LENGTH}", &blake3::hash(onnx).to_hex()[..16])
}

impl ModelPaths {
    /// The id the model at these paths will have once loaded, from its file
    /// alone (milliseconds, no ONNX Runtime): a server opens its indexes
    /// under it while the model is still loading.
    pub fn model_id(&self) -> Result<String> {
        self.check()?;
        let path = self.model_dir.join("model.onnx");
        let onnx = std::fs::read(&path).with_context(|| format!("cannot read model file {}", path.display()))?;
        Ok(model_id_of(&onnx))
    }
}

/// The real embedder: fastembed running the int8 MiniLM model.
pub struct FastEmbedder {
    model: TextEmbedding,
    id: String,
}

impl FastEmbedder {
    /// Loads the model. `threads` is ONNX Runtime's intra-op thread count
    /// (`None`: one per core).
    pub fn load(paths: &ModelPaths, threads: Option<usize>) -> Result<FastEmbedder> {
        paths.check()?;
        load_runtime(&paths.ort_dylib)?;
        let read = |name: &str| {
            let path = paths.model_dir.join(name);
            std::fs::read(&path).with_context(|| format!("cannot read model file {}", path.display()))
        };
        let onnx = read("model.onnx")?;
        let id = model_id_of(&onnx);
        let tokenizer_files = TokenizerFiles {
            tokenizer_file: read("tokenizer.json")?,
            config_file: read("config.json")?,
            special_tokens_map_file: read("special_tokens_map.json")?,
            tokenizer_config_file: read("tokenizer_config.json")?,
        };
        let user_model = UserDefinedEmbeddingModel::new(onnx, tokenizer_files)
            .with_pooling(Pooling::Mean)
            .with_quantization(QuantizationMode::None);
        let mut options = InitOptionsUserDefined::new().with_max_length(MAX_LENGTH).with_execution_providers(vec![cpu_provider()]);
        if let Some(n) = threads {
            options = options.with_intra_threads(n.max(1));
        }
        let model = TextEmbedding::try_new_from_user_defined(user_model, options).map_err(|e| {
            anyhow!("cannot load the model from {}: {e}", paths.model_dir.display())
        })?;
        Ok(FastEmbedder { model, id })
    }
}

impl FastEmbedder {
    /// The id vectors of this model are stored under.
    pub fn model_id_string(&self) -> String {
        self.id.clone()
    }
}

impl Embedder for FastEmbedder {
    fn model_id(&self) -> &str {
        &self.id
    }
    fn dim(&self) -> usize {
        DIM
    }
    fn embed_batch(&mut self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let mut vectors = self
            .model
            .embed(texts, Some(texts.len()))
            .map_err(|e| anyhow!("the embedding model failed: {e}"))?;
        for v in &mut vectors {
            if v.len() != DIM {
                bail!("the model returned {} dimensions, expected {DIM}", v.len());
            }
            normalize(v);
        }
        Ok(vectors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_model_dir_names_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let paths = ModelPaths {
            model_dir: dir.path().join("nope"),
            ort_dylib: dir.path().join("libonnxruntime.so"),
        };
        let err = paths.check().unwrap_err().to_string();
        assert!(err.contains("semnav provision"), "{err}");
        assert!(err.contains("ONNX Runtime"), "{err}");
        std::fs::write(&paths.ort_dylib, b"x").unwrap();
        let err = paths.check().unwrap_err().to_string();
        assert!(err.contains("model.onnx"), "{err}");
    }

    #[test]
    fn unknown_model_is_an_error() {
        assert!(ModelPaths::resolve("gpt-9", None).is_err());
    }
}
