//! How the MCP tools' answers look: for the agent, each hit as a
//! `path:start-end kind name score` line followed by its code, trimmed to a
//! line budget; for programs, the CLI contract's JSON ([`crate::contract`]).
//! Reads the hit's lines from the disk; never searches.

use std::path::Path;

use serde_json::Value;

use crate::contract;
use crate::engine::Answer;

/// `path` relative to `root` as the contract prints it (the path itself when
/// it is outside).
pub fn relative(root: &Path, path: &Path) -> String {
    crate::discover::relative_path(root, path).unwrap_or_else(|| path.display().to_string())
}

/// The contract's object for one query's answers.
pub fn json(query: &str, root: &Path, answers: &[Answer]) -> Value {
    contract::answers(query, root, answers)
}

/// Every hit as a header line and, when `max_lines` > 0, its first
/// `max_lines` lines of code in a fenced block.
pub fn text(root: &Path, answers: &[Answer], max_lines: usize) -> String {
    if answers.is_empty() {
        return "no results\n".into();
    }
    let mut out = String::new();
    for a in answers {
        let name = match (&a.container, &a.name) {
            (Some(c), Some(n)) => format!(" {c}::{n}"),
            (None, Some(n)) => format!(" {n}"),
            _ => String::new(),
        };
        out.push_str(&format!("{}:{}-{} {}{} {:.3}\n", relative(root, &a.path), a.start_line + 1, a.end_line + 1, a.kind, name, a.score));
        if max_lines > 0 {
            out.push_str(&crate::excerpt::excerpt(root, &a.path, a.start_line, a.end_line, max_lines, a.language.name()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Language;

    fn answer(path: &Path, start: u32, end: u32) -> Answer {
        Answer {
            path: path.to_path_buf(),
            start_line: start,
            end_line: end,
            score: 0.81234,
            kind: "function",
            name: Some("load".into()),
            container: Some("Config".into()),
            language: Language::Rust,
            preview: "fn load()".into(),
        }
    }

    #[test]
    fn hits_show_their_place_and_code_within_the_budget() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("src/a.rs");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "// head\nfn load() {\n    one();\n    two();\n}\n").unwrap();
        let a = answer(&file, 1, 4);
        let full = text(dir.path(), &[a.clone()], 10);
        assert_eq!(full, "src/a.rs:2-5 function Config::load 0.812\n```rust\nfn load() {\n    one();\n    two();\n}\n```\n");
        let cut = text(dir.path(), &[a.clone()], 2);
        assert!(cut.ends_with("```rust\nfn load() {\n    one();\n```\n(2 more lines)\n"), "{cut}");
        assert_eq!(text(dir.path(), &[a.clone()], 0), "src/a.rs:2-5 function Config::load 0.812\n");
        let j = json("load", dir.path(), &[a]);
        assert_eq!(j["query"], "load");
        assert_eq!(j["results"][0]["path"], "src/a.rs");
        assert_eq!(j["results"][0]["start_line"], 2);
        assert_eq!(j["results"][0]["end_line"], 5);
        assert_eq!(j["results"][0]["score"], 0.8123);
    }
}
