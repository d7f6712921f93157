//! Support for semnav's end-to-end tests and benches: locating the built
//! binary and the provisioned model, and writing fixture workspaces.
//!
//! Nothing here is a test itself. Helpers fail loudly, saying what is missing
//! and how to get it, instead of letting a test skip.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use semnav::embed::model::{provision_command, ModelPaths, DEFAULT_MODEL};

pub mod lsp_client;
pub mod mcp_client;
mod polyglot;

pub use polyglot::{write_polyglot_workspace, Expectation};

/// Resident memory of process `pid` in KiB (VmRSS of /proc/PID/status);
/// `None` when it cannot be read (the process is gone, or no Linux /proc).
pub fn resident_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The `semnav` binary next to the running test (`target/<profile>/semnav`).
pub fn semnav_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let mut dir = exe.parent().expect("test binary has a directory").to_path_buf();
    if dir.ends_with("deps") {
        dir.pop();
    }
    let bin = dir.join("semnav");
    assert!(
        bin.is_file(),
        "the semnav binary is missing at {}: build it first with `cargo build --workspace` (scripts/test does this)",
        bin.display()
    );
    // `cargo test` does not rebuild another package's binary: refuse a stale one.
    let built = std::fs::metadata(&bin).and_then(|m| m.modified()).expect("binary mtime");
    let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("server");
    if let Some(newer) = newest_file(&sources).filter(|(t, _)| *t > built) {
        panic!("the semnav binary at {} is older than {}: run `cargo build --workspace` first (scripts/test does this)", bin.display(), newer.1.display());
    }
    bin
}

fn newest_file(dir: &Path) -> Option<(std::time::SystemTime, PathBuf)> {
    let mut newest: Option<(std::time::SystemTime, PathBuf)> = None;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        let candidate = if path.is_dir() { newest_file(&path) } else { entry.metadata().ok().and_then(|m| m.modified().ok()).map(|t| (t, path)) };
        if let Some(c) = candidate {
            if newest.as_ref().is_none_or(|n| c.0 > n.0) {
                newest = Some(c);
            }
        }
    }
    newest
}

/// Panics with the provisioning command when the model or runtime is missing.
pub fn require_model() -> ModelPaths {
    let paths = ModelPaths::resolve(DEFAULT_MODEL, None).expect("default model");
    if let Err(e) = paths.check() {
        panic!("these tests run the real embedding model, which is not installed: {e:#}\nInstall it with `{}`", provision_command());
    }
    paths
}

/// A workspace in a temporary directory with its own index directory and
/// its own machine vector cache: no test finds vectors another test computed
/// (its count of embedded texts means what it says), and none writes the
/// user's cache.
pub struct Fixture {
    pub root: tempfile::TempDir,
    pub index: tempfile::TempDir,
    pub vectors: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture { root: tempfile::tempdir().expect("tempdir"), index: tempfile::tempdir().expect("tempdir"), vectors: tempfile::tempdir().expect("tempdir") }
    }

    /// The file of this fixture's machine vector cache (`SEMNAV_VECTOR_CACHE`).
    pub fn vector_cache(&self) -> PathBuf {
        self.vectors.path().join("vectors.sqlite3")
    }

    /// Removes this fixture's machine vector cache: the next index is cold.
    pub fn forget_vectors(&self) {
        for entry in std::fs::read_dir(self.vectors.path()).expect("read_dir").flatten() {
            std::fs::remove_file(entry.path()).expect("remove the vector cache");
        }
    }

    pub fn path(&self) -> &Path {
        self.root.path()
    }

    pub fn index_dir(&self) -> &Path {
        self.index.path()
    }

    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) {
        let path = self.root.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, content).expect("write fixture file");
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root.path().join(rel)).expect("read fixture file")
    }

    /// Sets every file's modification time an hour back, as if the workspace
    /// had been written long before it is indexed (no "racy" re-reads).
    pub fn age_files(&self) {
        let past = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        let mut stack = vec![self.root.path().to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("read_dir").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    std::fs::File::options().write(true).open(&path).and_then(|f| f.set_modified(past)).expect("set mtime");
                }
            }
        }
    }

    /// A `semnav` command with this fixture's index directory and vector cache.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(semnav_bin());
        cmd.args(args).env("SEMNAV_INDEX_DIR", self.index.path()).env("SEMNAV_VECTOR_CACHE", self.vector_cache()).env("SEMNAV_THREADS", "2").current_dir(self.root.path());
        cmd
    }

    /// Runs `semnav args…` and returns its output; fails the test on a panic.
    pub fn run(&self, args: &[&str]) -> Output {
        let out = self.command(args).output().expect("spawn semnav");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "semnav panicked on {args:?}: {stderr}");
        out
    }

    /// Runs and requires success; returns stdout.
    pub fn run_ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "semnav {args:?} failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("stdout is UTF-8")
    }
}

impl Default for Fixture {
    fn default() -> Self {
        Self::new()
    }
}

/// Copies the folder `from` to `to`, recursively (a test's second clone, a
/// template index).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir").flatten() {
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).expect("copy");
        }
    }
}

/// The numbers of `semnav index`'s summary line: (embedded now, reused, files read).
pub fn parse_summary(stderr: &str) -> (usize, usize, usize) {
    let line = stderr.lines().rev().find(|l| l.starts_with("indexed ")).unwrap_or_else(|| panic!("no summary line in: {stderr}"));
    let number_before = |label: &str| -> usize {
        let end = line.find(label).unwrap_or_else(|| panic!("no {label:?} in {line:?}"));
        line[..end].trim_end().rsplit([' ', ',', ':']).next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("bad number before {label:?} in {line:?}"))
    };
    (number_before(" embedded now"), number_before(" reused from cache"), number_before(" files read"))
}

