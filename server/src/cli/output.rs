//! How results, summaries and status look: human lines and JSON.

use std::path::Path;

use std::time::{SystemTime, UNIX_EPOCH};

use semnav::housekeeping::{IndexInfo, Kept, Removed, VectorsCleaned};
use semnav::vector_cache::Summary;
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

/// `path:start-end  score  kind name` and a one-line preview, per hit; with
/// `code` (the root and a number of lines), that many lines of its code.
pub fn human(index: &SearchIndex, hits: &[Hit], code: Option<(&Path, usize)>) -> String {
    human_hits(&hits.iter().map(|h| hit_json(index, h)).collect::<Vec<_>>(), code)
}

/// [`human`] for a query's results in the contract's JSON (a running
/// server's answer): the same lines.
pub fn human_values(result: &Value, code: Option<(&Path, usize)>) -> String {
    human_hits(result["results"].as_array().map(Vec::as_slice).unwrap_or_default(), code)
}

fn human_hits(hits: &[Value], code: Option<(&Path, usize)>) -> String {
    if hits.is_empty() {
        return "no results\n".to_string();
    }
    let mut s = String::new();
    for h in hits {
        let text = |key: &str| h[key].as_str().unwrap_or_default().to_string();
        let name = match (h["container"].as_str(), h["name"].as_str()) {
            (Some(cont), Some(n)) => format!("{cont}::{n}"),
            (None, Some(n)) => n.to_string(),
            _ => String::new(),
        };
        let line = |key: &str| h[key].as_u64().unwrap_or(1) as u32;
        s.push_str(&format!("{}:{}-{}  {:.3}  {} {}\n", text("path"), line("start_line"), line("end_line"), h["score"].as_f64().unwrap_or(0.0), text("kind"), name));
        match code {
            Some((root, lines)) => {
                let path = root.join(text("path"));
                s.push_str(&semnav::excerpt::excerpt(root, &path, line("start_line").saturating_sub(1), line("end_line").saturating_sub(1), lines, &text("language")));
            }
            None => s.push_str(&format!("    {}\n", text("preview"))),
        }
    }
    s
}

/// A running server's status (`semnav status` beside it).
pub fn server_status(v: &Value) -> String {
    let list = |key: &str| v[key].as_array().map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")).unwrap_or_default();
    let mut s = format!(
        "served by a running semnav server (pid {})\nroot: {}\nindex: {}\nmodel: {}\nfiles: {}\nchunks: {}\nindexing: {}\n",
        v["pid"],
        list("roots"),
        list("indexDirs"),
        v["model"].as_str().unwrap_or_default(),
        v["files"],
        v["chunks"],
        if v["indexing"] == true { "running" } else { "done" }
    );
    for note in v["notes"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        s.push_str(&format!("note: {note}\n"));
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

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn days_unused(info: &IndexInfo) -> u64 {
    info.unused_for(SystemTime::now()).as_secs() / 86_400
}

fn root_text(info: &IndexInfo) -> String {
    match &info.root {
        Some(root) if info.root_exists => root.display().to_string(),
        Some(root) => format!("{} (gone)", root.display()),
        None => "(unknown root)".to_string(),
    }
}

/// The stderr line for an index removed because it was unused too long.
pub fn expired(info: &IndexInfo, days: u64) -> String {
    format!(
        "removed the index of {} at {}: unused for {} days (more than {days}); {} freed",
        root_text(info),
        info.dir.display(),
        days_unused(info),
        mib(info.bytes)
    )
}

/// `status --all`: one line per index, then the total.
pub fn all_human(home: &Path, indexes: &[IndexInfo], vectors: &Option<anyhow::Result<Summary>>) -> String {
    let mut s = format!("indexes in {}: {}\n", home.display(), indexes.len());
    for i in indexes {
        let chunks = i.chunks.map_or("chunks not counted yet".to_string(), |c| format!("{c} chunks"));
        let used = match days_unused(i) {
            0 => "used today".to_string(),
            1 => "last used 1 day ago".to_string(),
            n => format!("last used {n} days ago"),
        };
        let busy = if i.in_use { ", in use" } else { "" };
        s.push_str(&format!("{}\n    {}, {chunks}, {used}{busy}  [{}]\n", root_text(i), mib(i.bytes), i.dir.display()));
    }
    s.push_str(&format!("total: {}\n", mib(indexes.iter().map(|i| i.bytes).sum())));
    s.push_str(&format!("{}\n", vector_cache_line(vectors)));
    s
}

/// The machine's vector cache in one line (`status --all`, `doctor`).
pub fn vector_cache_line(vectors: &Option<anyhow::Result<Summary>>) -> String {
    match vectors {
        None => "vector cache: off (SEMNAV_VECTOR_CACHE=off)".to_string(),
        Some(Ok(v)) => format!("vector cache, shared by every index: {} vectors, {} of at most {}  [{}]", v.vectors(), mib(v.disk_bytes), mib(v.max_bytes), v.path.display()),
        Some(Err(e)) => format!("vector cache: cannot be read ({e:#})"),
    }
}

fn vector_cache_json(vectors: &Option<anyhow::Result<Summary>>) -> Value {
    match vectors {
        None => Value::Null,
        Some(Ok(v)) => json!({
            "path": v.path,
            "diskBytes": v.disk_bytes,
            "maxBytes": v.max_bytes,
            "vectors": v.vectors(),
            "models": v.models.iter().map(|(m, n)| (m.clone(), json!(n))).collect::<serde_json::Map<_, _>>(),
        }),
        Some(Err(e)) => json!({"error": format!("{e:#}")}),
    }
}

fn info_json(i: &IndexInfo) -> Value {
    json!({
        "indexDir": i.dir,
        "root": i.root,
        "rootExists": i.root_exists,
        "diskBytes": i.bytes,
        "chunks": i.chunks,
        "lastUse": i.last_use.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
        "unusedDays": days_unused(i),
        "inUse": i.in_use,
    })
}

pub fn all_json(home: &Path, indexes: &[IndexInfo], vectors: &Option<anyhow::Result<Summary>>) -> String {
    format!("{}\n", json!({"home": home, "indexes": indexes.iter().map(info_json).collect::<Vec<_>>(), "vectorCache": vector_cache_json(vectors)}))
}

/// `clean`: what was removed and freed, and what was kept and why.
pub fn clean_human(home: &Path, removed: &[Removed], kept: &[Kept], vectors: &Option<anyhow::Result<VectorsCleaned>>) -> String {
    let mut s = String::new();
    for r in removed {
        s.push_str(&format!("removed {} ({}, {})\n", r.info.dir.display(), root_text(&r.info), mib(r.info.bytes)));
    }
    for k in kept {
        s.push_str(&format!("kept {} ({}): {}\n", k.info.dir.display(), root_text(&k.info), k.why));
    }
    let freed: u64 = removed.iter().map(|r| r.info.bytes).sum();
    s.push_str(&format!("removed {} of the indexes in {}, {} freed\n", removed.len(), home.display(), mib(freed)));
    match vectors {
        None => {}
        Some(Ok(v)) => match &v.note {
            Some(note) => s.push_str(&format!("kept the vector cache {}: {note}\n", v.path.display())),
            None => s.push_str(&format!("removed {} vectors from the vector cache {}, {} freed\n", v.removed, v.path.display(), mib(v.freed_bytes))),
        },
        Some(Err(e)) => s.push_str(&format!("cannot clean the vector cache: {e:#}\n")),
    }
    s
}

pub fn clean_json(removed: &[Removed], kept: &[Kept], vectors: &Option<anyhow::Result<VectorsCleaned>>) -> String {
    let vectors = match vectors {
        None => Value::Null,
        Some(Ok(v)) => json!({"path": v.path, "removedVectors": v.removed, "freedBytes": v.freed_bytes, "note": v.note}),
        Some(Err(e)) => json!({"error": format!("{e:#}")}),
    };
    let kept: Vec<Value> = kept.iter().map(|k| json!({"index": info_json(&k.info), "why": k.why})).collect();
    format!(
        "{}\n",
        json!({
            "removed": removed.iter().map(|r| info_json(&r.info)).collect::<Vec<_>>(),
            "kept": kept,
            "freedBytes": removed.iter().map(|r| r.info.bytes).sum::<u64>(),
            "vectorCache": vectors,
        })
    )
}
