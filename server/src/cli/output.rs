//! How results, summaries and status look: human lines and JSON.

use std::path::Path;

use semnav::contract;
use semnav::index::{RefreshStats, Staleness};
use semnav::lang::Language;
use semnav::search::{Hit, SearchIndex};
use semnav::store::SkipCounts;
use serde_json::{json, Value};

fn hit_json(index: &SearchIndex, hit: &Hit) -> Value {
    let c = index.chunk(hit.chunk);
    contract::hit(&contract::HitFields {
        path: &c.path,
        start_line: c.chunk.start_line,
        end_line: c.chunk.end_line,
        score: hit.score,
        kind: c.chunk.kind.as_str(),
        name: c.chunk.name.as_deref(),
        container: c.chunk.container.as_deref(),
        language: c.language.name(),
        preview: &c.chunk.preview,
    })
}

/// One JSON object on one line, for one query.
pub fn json_line(query: &str, index: &SearchIndex, hits: &[Hit]) -> String {
    let results: Vec<Value> = hits.iter().map(|h| hit_json(index, h)).collect();
    format!("{}\n", contract::query_result(query, results))
}

/// `path:start-end  score  kind name` and a one-line preview, per hit.
pub fn human(index: &SearchIndex, hits: &[Hit]) -> String {
    if hits.is_empty() {
        return "no results\n".to_string();
    }
    let mut s = String::new();
    for h in hits {
        let c = index.chunk(h.chunk);
        let name = match (&c.chunk.container, &c.chunk.name) {
            (Some(cont), Some(n)) => format!("{cont}::{n}"),
            (None, Some(n)) => n.clone(),
            _ => String::new(),
        };
        s.push_str(&format!(
            "{}:{}-{}  {:.3}  {} {}\n    {}\n",
            c.path,
            c.chunk.start_line + 1,
            c.chunk.end_line + 1,
            h.score,
            c.chunk.kind.as_str(),
            name,
            c.chunk.preview
        ));
    }
    s
}

pub fn refresh_summary(s: &RefreshStats) -> String {
    let skipped: u64 = s.skipped.values().sum();
    format!(
        "indexed {} files, {} chunks: {} embedded now, {} reused from cache, {} files read, {} removed, {} skipped, in {:.2}s",
        s.files,
        s.chunks,
        s.embedded,
        s.reused,
        s.files_read,
        s.files_removed,
        skipped,
        s.elapsed.as_secs_f64()
    )
}

pub struct Status<'a> {
    pub root: &'a Path,
    pub index_dir: &'a Path,
    pub model: &'a str,
    pub index_model: &'a str,
    pub files: usize,
    pub chunks: usize,
    pub vectors: usize,
    pub disk_bytes: u64,
    pub staleness: &'a Staleness,
    pub skipped: &'a SkipCounts,
    /// Files and chunks per language, most chunks first.
    pub languages: Vec<(Language, usize, usize)>,
}

impl Status<'_> {
    pub fn human(&self) -> String {
        let st = self.staleness;
        let stale = if st.is_stale() {
            format!("stale: {} new, {} changed, {} removed files (run `semnav index`)", st.new, st.changed, st.removed)
        } else {
            "up to date".to_string()
        };
        let skipped = if self.skipped.is_empty() {
            "none".to_string()
        } else {
            self.skipped.iter().map(|(r, n)| format!("{n} {r}")).collect::<Vec<_>>().join(", ")
        };
        let languages = self.languages.iter().map(|(l, files, chunks)| format!("{l} {files} files / {chunks} chunks")).collect::<Vec<_>>().join(", ");
        format!(
            "root:      {}\nindex:     {}\nmodel:     {}\nvectors of: {}\nfiles:     {}\nchunks:    {}\nlanguages: {}\nvectors:   {}\ndisk:      {:.1} MiB\nstate:     {}\nskipped:   {}",
            self.root.display(),
            self.index_dir.display(),
            self.model,
            self.index_model,
            self.files,
            self.chunks,
            if languages.is_empty() { "none".to_string() } else { languages },
            self.vectors,
            self.disk_bytes as f64 / (1024.0 * 1024.0),
            stale,
            skipped
        )
    }

    pub fn json(&self) -> String {
        json!({
            "root": self.root,
            "indexDir": self.index_dir,
            "indexed": true,
            "model": self.model,
            "indexModel": self.index_model,
            "files": self.files,
            "chunks": self.chunks,
            "languages": self.languages.iter().map(|(l, files, chunks)| (l.name().to_string(), json!({"files": files, "chunks": chunks}))).collect::<serde_json::Map<String, serde_json::Value>>(),
            "vectors": self.vectors,
            "diskBytes": self.disk_bytes,
            "stale": {"new": self.staleness.new, "changed": self.staleness.changed, "removed": self.staleness.removed},
            "skipped": self.skipped,
        })
        .to_string()
    }
}
