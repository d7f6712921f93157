//! Conversions between protocol types and the engine's: URIs and paths,
//! positions, settings, results.

use std::path::PathBuf;

use serde::Serialize;
use serde_json::Value;
use tower_lsp_server::ls_types::{Position, PositionEncodingKind, Range, Uri};

use crate::engine::{Answer, Settings};
use crate::position::{Encoding, LinePos};

/// The engine's key for a document: its file path for `file:` URIs (so that
/// disk events and buffers meet), the URI itself otherwise.
pub fn doc_key(uri: &Uri) -> (String, Option<PathBuf>) {
    match file_path(uri) {
        Some(path) => (path.to_string_lossy().into_owned(), Some(path)),
        None => (uri.as_str().to_string(), None),
    }
}

/// The file path of a `file:` URI (`Uri::to_file_path` also answers for
/// other schemes, such as `untitled:`).
pub fn file_path(uri: &Uri) -> Option<PathBuf> {
    if !uri.as_str().starts_with("file:") {
        return None;
    }
    uri.to_file_path().map(|p| p.into_owned())
}

pub fn uri_of(path: &std::path::Path) -> Option<Uri> {
    Uri::from_file_path(path)
}

pub fn line_pos(p: Position) -> LinePos {
    LinePos::new(p.line, p.character)
}

/// The encoding to use, from what the client offers (UTF-8 when offered).
pub fn negotiate_encoding(offered: Option<&Vec<PositionEncodingKind>>) -> (Encoding, PositionEncodingKind) {
    match offered {
        Some(list) if list.contains(&PositionEncodingKind::UTF8) => (Encoding::Utf8, PositionEncodingKind::UTF8),
        _ => (Encoding::Utf16, PositionEncodingKind::UTF16),
    }
}

/// A whole-lines range: from the start of `start_line` to the start of the
/// line after `end_line`. Valid in any encoding and for any line length.
pub fn lines_range(start_line: u32, end_line: u32) -> Range {
    Range { start: Position::new(start_line, 0), end: Position::new(end_line + 1, 0) }
}

/// The contract's `Hit`.
#[derive(Debug, Serialize, PartialEq)]
pub struct Hit {
    pub uri: Uri,
    pub range: Range,
    pub score: f64,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    pub language: String,
    pub preview: String,
}

pub fn hit(a: &Answer) -> Option<Hit> {
    Some(Hit {
        uri: uri_of(&a.path)?,
        range: lines_range(a.start_line, a.end_line),
        score: (a.score as f64 * 10_000.0).round() / 10_000.0,
        kind: a.kind.to_string(),
        name: a.name.clone(),
        container: a.container.clone(),
        language: a.language.name().to_string(),
        preview: a.preview.clone(),
    })
}

/// Reads the contract's configuration object over `base`; unknown keys are
/// ignored, ill-typed ones reported.
pub fn settings_from(value: &Value, base: &Settings) -> (Settings, Vec<String>) {
    let mut s = base.clone();
    let mut problems = Vec::new();
    let Some(obj) = value.as_object() else {
        if !value.is_null() {
            problems.push("semnav settings must be an object".into());
        }
        return (s, problems);
    };
    let mut bad = |k: &str| problems.push(format!("semnav setting {k:?} has the wrong type"));
    for (k, v) in obj {
        match (k.as_str(), v) {
            (_, Value::Null) => {}
            ("model", Value::String(m)) => s.model = m.clone(),
            ("modelDir", Value::String(d)) => s.model_dir = Some(d.into()),
            ("indexDir", Value::String(d)) => s.index_dir = Some(d.into()),
            ("exclude", Value::Array(a)) if a.iter().all(Value::is_string) => s.exclude = a.iter().filter_map(|x| x.as_str().map(String::from)).collect(),
            ("maxFileBytes", Value::Number(n)) if n.as_u64().is_some() => s.max_file_bytes = n.as_u64().unwrap_or(s.max_file_bytes),
            ("hover", Value::Bool(b)) => s.hover = *b,
            ("codeLens", Value::Bool(b)) => s.code_lens = *b,
            ("debounceMs", Value::Number(n)) if n.as_u64().is_some() => s.debounce_ms = n.as_u64().unwrap_or(300).min(60_000),
            ("expireDays", Value::Number(n)) if n.as_u64().is_some() => s.expire_days = n.as_u64().unwrap_or(s.expire_days),
            ("model" | "modelDir" | "indexDir" | "exclude" | "maxFileBytes" | "hover" | "codeLens" | "debounceMs" | "expireDays", _) => bad(k),
            _ => {}
        }
    }
    (s, problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn settings_merge_and_report_bad_types() {
        let (s, problems) = settings_from(&json!({"hover": false, "debounceMs": 50, "exclude": ["gen/**"], "codeLens": "yes", "expireDays": 7, "other": 1}), &Settings::default());
        assert!(!s.hover);
        assert_eq!(s.expire_days, 7);
        assert_eq!(s.debounce_ms, 50);
        assert_eq!(s.exclude, ["gen/**"]);
        assert!(s.code_lens);
        assert_eq!(problems.len(), 1);
        let (same, problems) = settings_from(&Value::Null, &s);
        assert_eq!(same, s);
        assert!(problems.is_empty());
    }

    #[test]
    fn utf8_is_chosen_only_when_offered() {
        assert_eq!(negotiate_encoding(None).0, Encoding::Utf16);
        assert_eq!(negotiate_encoding(Some(&vec![PositionEncodingKind::UTF16])).0, Encoding::Utf16);
        assert_eq!(negotiate_encoding(Some(&vec![PositionEncodingKind::UTF16, PositionEncodingKind::UTF8])).0, Encoding::Utf8);
    }

    #[test]
    fn file_uris_key_by_path() {
        let uri = Uri::from_file_path("/tmp/a b/x.rs").unwrap();
        assert_eq!(doc_key(&uri).0, "/tmp/a b/x.rs");
        let untitled: Uri = "untitled:Untitled-1".parse().unwrap();
        assert_eq!(doc_key(&untitled), ("untitled:Untitled-1".to_string(), None));
    }
}
