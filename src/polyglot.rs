//! A small workspace in eight languages with queries that share no word with
//! their targets.

use crate::Fixture;

/// A query and the function it must find, which shares no word with it.
pub struct Expectation {
    pub query: &'static str,
    pub path: &'static str,
    pub name: &'static str,
}

impl Expectation {
    /// Whether `hits` (search results as JSON) hold the target: the
    /// definition, or one of its members (as tests/search_quality.rs counts).
    pub fn found_in(&self, hits: &[serde_json::Value]) -> bool {
        hits.iter().any(|h| h["path"] == self.path && (h["name"] == self.name || h["container"] == self.name))
    }
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
