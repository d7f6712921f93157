//! Support for semnav's end-to-end tests and benches: locating the built
//! binary and the provisioned model, and writing fixture workspaces.
//!
//! Nothing here is a test itself. Helpers fail loudly, saying what is missing
//! and how to get it, instead of letting a test skip.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use semnav::embed::model::{provision_command, ModelPaths, DEFAULT_MODEL};

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
    bin
}

/// Panics with the provisioning command when the model or runtime is missing.
pub fn require_model() -> ModelPaths {
    let paths = ModelPaths::resolve(DEFAULT_MODEL, None).expect("default model");
    if let Err(e) = paths.check() {
        panic!("these tests run the real embedding model, which is not installed: {e:#}\nInstall it with `{}`", provision_command());
    }
    paths
}

/// A workspace in a temporary directory with its own index directory.
pub struct Fixture {
    pub root: tempfile::TempDir,
    pub index: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture { root: tempfile::tempdir().expect("tempdir"), index: tempfile::tempdir().expect("tempdir") }
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

    /// A `semnav` command with this fixture's index directory.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(semnav_bin());
        cmd.args(args).env("SEMNAV_INDEX_DIR", self.index.path()).env("SEMNAV_THREADS", "2").current_dir(self.root.path());
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

/// The numbers of `semnav index`'s summary line: (embedded now, reused, files read).
pub fn parse_summary(stderr: &str) -> (usize, usize, usize) {
    let line = stderr.lines().rev().find(|l| l.starts_with("indexed ")).unwrap_or_else(|| panic!("no summary line in: {stderr}"));
    let number_before = |label: &str| -> usize {
        let end = line.find(label).unwrap_or_else(|| panic!("no {label:?} in {line:?}"));
        line[..end].trim_end().rsplit([' ', ',', ':']).next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("bad number before {label:?} in {line:?}"))
    };
    (number_before(" embedded now"), number_before(" reused from cache"), number_before(" files read"))
}

/// A query and the function it must find, which shares no word with it.
pub struct Expectation {
    pub query: &'static str,
    pub path: &'static str,
    pub name: &'static str,
}

/// Writes a small workspace in eight languages: each file has a target
/// function and distractors. Returns what each query must find.
pub fn write_polyglot_workspace(f: &Fixture) -> Vec<Expectation> {
    f.write(
        "src/config.rs",
        r#"use std::path::Path;

/// Application settings.
pub struct Config {
    pub port: u16,
    pub name: String,
}

impl Config {
    /// Reads the TOML file at `path` and parses it.
    pub fn load_config(path: &Path) -> std::io::Result<Config> {
        let text = std::fs::read_to_string(path)?;
        let mut cfg = Config { port: 8080, name: String::new() };
        for line in text.lines() {
            if let Some(v) = line.strip_prefix("port = ") {
                cfg.port = v.trim().parse().unwrap_or(8080);
            }
        }
        Ok(cfg)
    }
}

pub fn fibonacci(n: u64) -> u64 {
    if n < 2 { n } else { fibonacci(n - 1) + fibonacci(n - 2) }
}
"#,
    );
    f.write(
        "app/uploads.py",
        r#"import time


def retry_failed_uploads(queue, attempts=3):
    for item in queue:
        for attempt in range(attempts):
            if item.send():
                break
            time.sleep(2 ** attempt)


def average(values):
    return sum(values) / len(values)


class Greeter:
    def greet(self, name):
        return "Hello, " + name
"#,
    );
    f.write(
        "web/util.js",
        r#"export function debounce(fn, wait) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), wait);
  };
}

export function capitalize(word) {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
"#,
    );
    f.write(
        "web/cache.ts",
        r#"export class LruCache<K, V> {
  private map = new Map<K, V>();
  constructor(private capacity: number) {}

  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) {
      this.map.delete(this.map.keys().next().value as K);
    }
  }
}

export function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
"#,
    );
    f.write(
        "svc/auth.go",
        r#"package svc

import "golang.org/x/crypto/bcrypt"

// HashPassword hashes a plain password with bcrypt.
func HashPassword(pw string) (string, error) {
	b, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	return string(b), err
}

func Max(a, b int) int {
	if a > b {
		return a
	}
	return b
}
"#,
    );
    f.write(
        "svc/Mailer.java",
        r#"package svc;

public class Mailer {
    private final SmtpClient smtp;

    public Mailer(SmtpClient smtp) { this.smtp = smtp; }

    public void sendEmail(String to, String subject, String body) {
        Message m = new Message(to, subject, body);
        smtp.deliver(m);
    }

    public int countWords(String s) {
        return s.split("\\s+").length;
    }
}
"#,
    );
    f.write(
        "native/strings.c",
        r#"#include <string.h>

void reverse_string(char *s) {
    size_t n = strlen(s);
    for (size_t i = 0; i < n / 2; i++) {
        char t = s[i];
        s[i] = s[n - 1 - i];
        s[n - 1 - i] = t;
    }
}

int clamp(int v, int lo, int hi) {
    return v < lo ? lo : v > hi ? hi : v;
}
"#,
    );
    f.write(
        "native/matrix.cpp",
        r#"#include <vector>

class Matrix {
public:
    Matrix(int r, int c) : rows(r), cols(c), data(r * c) {}
    Matrix multiply(const Matrix& other) const {
        Matrix out(rows, other.cols);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < other.cols; j++)
                for (int k = 0; k < cols; k++)
                    out.data[i * other.cols + j] += data[i * cols + k] * other.data[k * other.cols + j];
        return out;
    }
private:
    int rows, cols;
    std::vector<double> data;
};
"#,
    );
    f.write("docs/notes.md", "# Notes\n\nDeployment happens on Fridays.\n");
    vec![
        Expectation { query: "read settings from disk", path: "src/config.rs", name: "load_config" },
        Expectation { query: "try sending again after an error, with a growing pause", path: "app/uploads.py", name: "retry_failed_uploads" },
        Expectation { query: "postpone invoking a callback until calls stop arriving", path: "web/util.js", name: "debounce" },
        Expectation { query: "evict the least recently accessed entry when full", path: "web/cache.ts", name: "LruCache" },
        Expectation { query: "store user secret securely", path: "svc/auth.go", name: "HashPassword" },
        Expectation { query: "deliver a message to someone by mail", path: "svc/Mailer.java", name: "sendEmail" },
        Expectation { query: "flip the order of characters in text in place", path: "native/strings.c", name: "reverse_string" },
        Expectation { query: "product of two grids of numbers", path: "native/matrix.cpp", name: "multiply" },
    ]
}
