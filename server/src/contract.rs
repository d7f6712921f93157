//! The JSON every surface that speaks the CLI's contract prints for a result
//! (`semnav search --json`, the MCP server's `structuredContent`): one
//! object per query, `{"query", "results": [hit…]}`, paths relative to the
//! root, lines 1-based and inclusive, scores rounded to 4 decimals.
//! `docs/protocol.md` describes it; this module only builds it.

use serde_json::{json, Value};

/// One result, as the contract has it.
pub struct HitFields<'a> {
    /// Relative to the workspace root, `/`-separated.
    pub path: &'a str,
    /// 0-based, inclusive (printed 1-based).
    pub start_line: u32,
    pub end_line: u32,
    pub score: f32,
    pub kind: &'a str,
    pub name: Option<&'a str>,
    pub container: Option<&'a str>,
    pub language: &'a str,
    pub preview: &'a str,
}

pub fn hit(h: &HitFields) -> Value {
    json!({
        "path": h.path,
        "start_line": h.start_line + 1,
        "end_line": h.end_line + 1,
        "score": (h.score as f64 * 10_000.0).round() / 10_000.0,
        "kind": h.kind,
        "name": h.name,
        "container": h.container,
        "language": h.language,
        "preview": h.preview,
    })
}

/// The object for one query.
pub fn query_result(query: &str, hits: Vec<Value>) -> Value {
    json!({"query": query, "results": hits})
}

/// The object for one query's answers from the engine: those under `root`
/// only, paths relative to it.
pub fn answers(query: &str, root: &std::path::Path, answers: &[crate::engine::Answer]) -> Value {
    let hits = answers
        .iter()
        .filter_map(|a| {
            let rel = crate::discover::relative_path(root, &a.path)?;
            Some(hit(&HitFields {
                path: &rel,
                start_line: a.start_line,
                end_line: a.end_line,
                score: a.score,
                kind: a.kind,
                name: a.name.as_deref(),
                container: a.container.as_deref(),
                language: a.language.name(),
                preview: &a.preview,
            }))
        })
        .collect();
    query_result(query, hits)
}
