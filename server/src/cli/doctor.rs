//! `semnav doctor`: whether this installation works, one line per part (the
//! binary, ONNX Runtime, the model, the index of a workspace, the vector
//! cache every index shares), each with its
//! state and, when something is wrong, the exact command that fixes it.
//! Editors show the same report (`semnav doctor --json`). Reads and loads;
//! writes nothing.

use std::path::{Path, PathBuf};

use semnav::embed::model::{provision_command, ORT_VERSION};
use semnav::embed::{Embedder, FastEmbedder, ModelPaths};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum State {
    Ok,
    Warn,
    Error,
}

impl State {
    fn as_str(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Warn => "warn",
            State::Error => "error",
        }
    }
}

pub struct Check {
    pub name: &'static str,
    pub state: State,
    pub detail: String,
    pub fix: Option<String>,
}

fn check(name: &'static str, state: State, detail: impl Into<String>, fix: Option<String>) -> Check {
    Check { name, state, detail: detail.into(), fix }
}

/// Every check, in order.
pub fn run(root: &Path, index_dir: Option<&Path>, model: &str, model_dir: Option<&Path>) -> Vec<Check> {
    let mut checks = vec![binary()];
    match ModelPaths::resolve(model, model_dir) {
        Ok(paths) => {
            let runtime = runtime(&paths);
            let runtime_ok = runtime.state == State::Ok;
            checks.push(runtime);
            checks.push(model_check(model, &paths, runtime_ok));
        }
        Err(e) => checks.push(check("model", State::Error, format!("{e:#}"), Some(format!("drop --model, or use --model {}", semnav::embed::model::DEFAULT_MODEL)))),
    }
    checks.push(index(root, index_dir));
    checks.push(vectors());
    checks
}

/// The machine's vector cache: where, how large; a warning when it cannot be
/// read (semnav works without it, embedding again what it would have given).
fn vectors() -> Check {
    let summary = semnav::housekeeping::vector_cache_summary();
    let line = super::output::vector_cache_line(&summary);
    let detail = line.strip_prefix("vector cache").map(|rest| rest.trim_start_matches([',', ':', ' ']).to_string()).unwrap_or(line);
    match summary {
        Some(Err(_)) => check("vectors", State::Warn, detail, Some("delete the file named above: semnav creates it again, empty (or set SEMNAV_VECTOR_CACHE=off)".into())),
        _ => check("vectors", State::Ok, detail, None),
    }
}

fn binary() -> Check {
    let version = env!("CARGO_PKG_VERSION");
    let exe = std::env::current_exe().ok().and_then(|e| e.canonicalize().ok());
    let Some(exe) = exe else {
        return check("binary", State::Warn, format!("semnav {version}, at an unknown path"), None);
    };
    let on_path = std::env::var_os("PATH").map(|p| std::env::split_paths(&p).map(|d| d.join("semnav")).filter(|c| c.is_file()).collect::<Vec<PathBuf>>()).unwrap_or_default();
    let first = on_path.first().and_then(|p| p.canonicalize().ok());
    match first {
        Some(p) if p == exe => check("binary", State::Ok, format!("semnav {version} at {} (on PATH)", exe.display()), None),
        Some(p) => check(
            "binary",
            State::Warn,
            format!("semnav {version} at {}, but `semnav` on PATH is {}", exe.display(), p.display()),
            Some("put this binary's directory first on PATH, or reinstall: `cargo install --locked --path server` in the semnav repository".into()),
        ),
        None => check(
            "binary",
            State::Warn,
            format!("semnav {version} at {}, not on PATH (editors and agents run `semnav`)", exe.display()),
            Some(format!("`cargo install --locked --path server` in the semnav repository, or add {} to PATH", exe.parent().unwrap_or(&exe).display())),
        ),
    }
}

fn runtime(paths: &ModelPaths) -> Check {
    match paths.load_runtime() {
        Ok(()) => check("runtime", State::Ok, format!("ONNX Runtime {ORT_VERSION} at {}", paths.ort_dylib.display()), None),
        Err(e) => check("runtime", State::Error, format!("{e:#}"), Some(format!("{} (or set ORT_DYLIB_PATH to an ONNX Runtime {ORT_VERSION} library)", provision_command()))),
    }
}

fn model_check(model: &str, paths: &ModelPaths, runtime_ok: bool) -> Check {
    let fix = Some(format!("{} (or set SEMNAV_MODEL_DIR / --model-dir)", provision_command()));
    if let Err(e) = paths.check_model_files() {
        return check("model", State::Error, format!("{e:#}"), fix);
    }
    if !runtime_ok {
        return check("model", State::Warn, format!("{model} files at {}; not loaded without ONNX Runtime", paths.model_dir.display()), None);
    }
    let loaded = FastEmbedder::load(paths, Some(1)).and_then(|mut m| m.embed_batch(&["fn main() {}"]).map(|v| v[0].len()));
    match loaded {
        Ok(dims) => {
            let detail = format!("{model} at {} (loads, {dims} dimensions)", paths.model_dir.display());
            // The static model answers by meaning in a cold index's first
            // seconds; without it those answers are by words (a warning).
            let static_dir = semnav::embed::static_model::static_model_dir();
            match semnav::embed::static_model::StaticModel::load(&static_dir) {
                Ok(_) => check("model", State::Ok, format!("{detail}; static model {} at {}", semnav::embed::static_model::STATIC_MODEL, static_dir.display()), None),
                Err(e) => check("model", State::Warn, format!("{detail}; no static model, so a cold index answers by words until the model has embedded it: {e:#}"), Some(provision_command())),
            }
        }
        Err(e) => check("model", State::Error, format!("{e:#}"), fix),
    }
}

fn index(root: &Path, index_dir: Option<&Path>) -> Check {
    let Ok(root) = root.canonicalize() else {
        return check("index", State::Warn, format!("no workspace at {}", root.display()), None);
    };
    let dir = index_dir.map(Path::to_path_buf).unwrap_or_else(|| semnav::index::default_index_dir(&root));
    if !dir.join("db").exists() {
        return check(
            "index",
            State::Warn,
            format!("none yet for {} (it will be at {})", root.display(), dir.display()),
            Some(format!("`semnav index {}`, or start the editor's server or `semnav mcp` there: they build it", root.display())),
        );
    }
    let size = dir_size(&dir) as f64 / (1024.0 * 1024.0);
    match semnav::store::Store::peek_model(&dir) {
        Ok(model) => check("index", State::Ok, format!("{} for {}: {size:.1} MiB, vectors of {}", dir.display(), root.display(), model.as_deref().unwrap_or("no model yet")), None),
        Err(e) if format!("{e:#}").contains("another semnav process") => check("index", State::Ok, format!("{} for {}: {size:.1} MiB, in use by a running semnav", dir.display(), root.display()), None),
        Err(e) => check("index", State::Warn, format!("{} cannot be read: {e:#}", dir.display()), Some(format!("delete {} (it is rebuilt on the next run)", dir.display()))),
    }
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// One screen: a line per check, the fix under any that is not ok.
pub fn human(checks: &[Check]) -> String {
    let mut s = String::new();
    for c in checks {
        s.push_str(&format!("{:<8} {:<6} {}\n", c.name, c.state.as_str(), c.detail));
        if let Some(fix) = &c.fix {
            s.push_str(&format!("{:<8} {:<6} fix: {fix}\n", "", ""));
        }
    }
    s
}

pub fn json(checks: &[Check]) -> Value {
    json!({
        "ok": checks.iter().all(|c| c.state != State::Error),
        "version": env!("CARGO_PKG_VERSION"),
        "checks": checks.iter().map(|c| json!({"name": c.name, "state": c.state.as_str(), "detail": c.detail, "fix": c.fix})).collect::<Vec<_>>(),
    })
}
