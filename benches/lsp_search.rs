//! `semnav/search` latency over stdio, against the real `semnav lsp` binary,
//! at 10k and 100k chunks while a cold index runs in the background (goal at
//! 100k: p50 ≤ 10 ms, p99 ≤ 30 ms).
//!
//! For each size N:
//! 1. Workspace A: synthetic files (`common/synth.rs`, nine languages, about 8
//!    units a file, 100 directories, mtimes an hour back) until they hold N
//!    chunks. It is indexed here, in-process, with `Workspace::refresh` and a
//!    `FakeEmbedder`, into the index directory the server will use for it, and
//!    its HNSW graph is built and saved as the server would (≥ 50k vectors).
//!    This "seeding" is timed and printed but is not the measured figure.
//! 2. Workspace B: a few hundred chunks of other synthetic code, not indexed.
//! 3. `semnav lsp` is spawned with the real model, `initialize`d with
//!    workspaceFolders [A, B] and `indexDir` (A's index is that directory, B's
//!    a subdirectory of it, as the server names them). The server opens A,
//!    finds nothing to read or embed and loads it; then it cold-indexes B with
//!    the real model, at background priority. `semnav/status` is polled until
//!    A's chunks are loaded.
//! 4. Q queries (varied natural-language phrases, none repeated before 210)
//!    are sent one after the other, each timed from its write to its answer;
//!    each answer's `indexing` flag tells whether the cold index was still
//!    running. p50/p99/max are printed for all queries and for those answered
//!    while indexing / after it (the flag is read when the answer is built:
//!    a query that waited for B's last batch says `false`); then the server's
//!    RSS and peak RSS (VmRSS, VmHWM from /proc/PID/status), the RSS once the
//!    server has been idle long enough to drop the model (its
//!    `SEMNAV_MODEL_IDLE_SECS` is `SEMNAV_BENCH_IDLE_SECS`, default 10, plus
//!    3 s), and a clean `shutdown` + `exit`. Before shutting down, once B is
//!    indexed, the same queries are timed again on the idle server, for
//!    comparison.
//!
//! Why A's vectors are fake: embedding 100k chunks with the real model takes
//! hours here (~8 chunks/s). The `FakeEmbedder` returns deterministic
//! pseudo-random unit vectors of dimension 384 (seeded by a hash of the text)
//! under the real model's id, so the real server opens A's store as its own
//! and finds every vector present. By default they are clustered: each is one
//! of 200 real embeddings of short code descriptions ("parse the
//! configuration file", "retry an http request", …) plus noise, so a query
//! lands near some of them, as with real chunks. `SEMNAV_BENCH_VECTORS=uniform`
//! spreads them uniformly on the sphere instead: no neighbourhoods at all,
//! the worst case for the HNSW graph (the walk reads several times more
//! points). Everything measured is real: the binary, JSON-RPC over stdio, the
//! query embeddings (the real model, sharing the 2 cores with B's cold
//! index), the exact scan / HNSW + BM25 and the fusion; only A's stored
//! vectors are synthetic (so the hits are not meaningful).
//!
//! Run: `cargo build --release -p semnav && cargo bench --bench lsp_search`
//! (`cargo bench` builds only this package: the `semnav` binary it spawns is
//! `target/release/semnav`, which must be newer than `server/`; the model
//! comes from `python3 scripts/provision.py`). Seeding 100k chunks takes
//! minutes, most of it the HNSW build.
//! Knobs: `SEMNAV_BENCH_CHUNKS` (sizes of A, default `10000,100000`),
//! `SEMNAV_BENCH_QUERIES` (default 200), `SEMNAV_BENCH_COLD_CHUNKS` (size of
//! B, default 400; larger keeps the cold index running through more of the
//! queries), `SEMNAV_BENCH_THREADS` (HNSW build threads when seeding,
//! default all cores), `SEMNAV_BENCH_SEED_CACHE` (a directory where A is
//! kept after seeding and reused by later runs; B is always cold),
//! `SEMNAV_BENCH_VECTORS` (`clustered`, the default, or `uniform`),
//! `SEMNAV_BENCH_TYPING=1`: while the queries run, someone also types a
//! function into an unsaved buffer of A, a character every 60 ms and a
//! pause of 350 ms after each word, so the server embeds the changed chunk
//! after every word (debounce 300 ms), on the query thread while B is
//! indexed (use more queries, e.g. `SEMNAV_BENCH_QUERIES=1000`, so the
//! queries last several words).

mod common;

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use common::{env_list, env_usize, fmt_mib, fmt_secs, print_header, print_table, proc_status_mib, timed, Samples};
use semnav::discover::DiscoverOptions;
use semnav::embed::{normalize, EmbedWorker, Embedder, FastEmbedder, DIM};
use semnav::index::{NoProgress, Workspace};
use semnav_e2e::lsp_client::{file_uri, LspClient};
use semnav_e2e::{require_model, semnav_bin, Fixture};
use serde_json::{json, Value};

/// Synthetic units per file.
const UNITS_PER_FILE: usize = 8;
/// B's units are numbered from here, so no text of B is one of A's.
const COLD_FIRST_UNIT: usize = 10_000_000;
/// Results asked for by each query (the contract's default).
const LIMIT: usize = 10;

/// Deterministic pseudo-random unit vectors under the real model's id.
/// With `centres`, each text's vector is one of them (picked by a hash of
/// the text) plus noise of σ ≈ 0.05 per dimension (cosine ~0.7 to its
/// centre), like the clustered vectors of `benches/vectors`; without,
/// uniform on the sphere.
struct FakeEmbedder {
    model_id: String,
    centres: Arc<Vec<Vec<f32>>>,
}

/// Uniform noise in [-1, 1) times this has a standard deviation of 0.05.
const NOISE: f32 = 0.05 * 1.732_050_8;

impl FakeEmbedder {
    fn vector(&self, text: &str) -> Vec<f32> {
        let mut h = DefaultHasher::new();
        text.hash(&mut h);
        let mut state = h.finish();
        let centre = (!self.centres.is_empty()).then(|| &self.centres[(state % self.centres.len() as u64) as usize]);
        // splitmix64: uniform in [-1, 1) per dimension, then unit length.
        let mut v: Vec<f32> = (0..DIM)
            .map(|d| {
                state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                z ^= z >> 31;
                let uniform = (z >> 40) as f32 / (1u64 << 23) as f32 - 1.0;
                match centre {
                    Some(c) => c[d] + NOISE * uniform,
                    None => uniform,
                }
            })
            .collect();
        normalize(&mut v);
        v
    }
}

/// How A's vectors are spread: `SEMNAV_BENCH_VECTORS=clustered` (default:
/// around 200 real embeddings of code descriptions, so a query lands near some
/// of them, as with real chunks) or `uniform` (on the whole sphere: no
/// neighbourhoods, the worst case for the HNSW graph).
fn centres(model: &mut FastEmbedder) -> Result<Vec<Vec<f32>>> {
    match std::env::var("SEMNAV_BENCH_VECTORS").as_deref() {
        Ok("uniform") => Ok(Vec::new()),
        Ok("clustered") | Err(_) => {
            const VERBS: [&str; 20] = [
                "parse", "validate", "retry", "serialize", "load", "store", "compute", "merge", "sort", "filter",
                "encode", "decode", "open", "close", "send", "receive", "cache", "log", "format", "update",
            ];
            const OBJECTS: [&str; 10] =
                ["the configuration file", "an http request", "user records", "the session token", "a json document", "the database rows", "a list of orders", "network packets", "the metrics", "a text buffer"];
            let phrases: Vec<String> = VERBS.iter().flat_map(|v| OBJECTS.iter().map(move |o| format!("{v} {o}"))).collect();
            let texts: Vec<&str> = phrases.iter().map(String::as_str).collect();
            texts.chunks(50).map(|batch| model.embed_batch(batch)).collect::<Result<Vec<_>>>().map(|b| b.concat())
        }
        Ok(other) => bail!("SEMNAV_BENCH_VECTORS={other}: expected clustered or uniform"),
    }
}

impl Embedder for FakeEmbedder {
    fn model_id(&self) -> &str {
        &self.model_id
    }
    fn dim(&self) -> usize {
        DIM
    }
    fn embed_batch(&mut self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        Ok(texts.iter().map(|t| self.vector(t)).collect())
    }
}

/// Writes synthetic files into `fixture` until they hold at least `chunks`
/// chunks (counted with the chunker the index uses). Returns (files, chunks).
fn write_workspace(fixture: &Fixture, chunks: usize, first_unit: usize) -> (usize, usize) {
    let langs = common::synth::LANGS;
    let (mut files, mut total) = (0, 0);
    while total < chunks {
        let lang = langs[files % langs.len()];
        let text = common::synth::file(lang, files, first_unit + files * UNITS_PER_FILE, UNITS_PER_FILE);
        total += semnav::chunk::chunk_source(lang, &text).len();
        let rel = format!("pkg{:02}/{}_{files}.{}", files % 100, lang.name(), common::synth::extension(lang));
        fixture.write(&rel, text);
        files += 1;
    }
    fixture.age_files();
    (files, total)
}

/// What seeding A did.
struct Seeded {
    chunks: usize,
    hnsw: bool,
    disk_mb: f64,
}

/// Indexes `root` into `index_dir` with the fake embedder, then builds and
/// saves the HNSW graph where the server would want one: afterwards the
/// server has nothing to embed and nothing to build for this root.
fn seed(root: &Path, index_dir: &Path, fake: FakeEmbedder, threads: usize) -> Result<Seeded> {
    let model_id = fake.model_id.clone();
    let worker = EmbedWorker::spawn(Box::new(fake))?;
    let (ws, _) = Workspace::open(root, Some(index_dir), DiscoverOptions::default(), &model_id)?;
    let stats = ws.refresh(&worker, &NoProgress)?;
    if stats.chunks == 0 {
        bail!("seeding indexed no chunks: {stats:?}");
    }
    let mut index = ws.load()?;
    let hnsw = ws.build_ann_if_needed(&mut index, threads)?;
    ws.store.flush()?;
    Ok(Seeded { chunks: index.len(), hnsw, disk_mb: ws.store.disk_bytes() as f64 / 1e6 })
}

/// Workspace A, written and seeded: in temporary directories, or kept in
/// `SEMNAV_BENCH_SEED_CACHE` and reused by later runs.
struct SeededWorkspace {
    root: PathBuf,
    index: PathBuf,
    /// Holds the temporary directories, when A is not kept.
    _fixture: Option<Fixture>,
}

/// What a kept A's `seeded.txt` records: the counts seeding printed, and the
/// index directory's entries (anything else there is B's index from an
/// earlier run and is removed, so B is cold every time).
fn seeded_workspace(n: usize, fake: FakeEmbedder, threads: usize, cache: Option<&Path>) -> Result<(SeededWorkspace, usize, Seeded, f64, f64)> {
    let Some(cache) = cache else {
        let fixture = Fixture::new();
        let ((files, _), write_secs) = timed(|| write_workspace(&fixture, n, 0));
        let (seeded, seed_secs) = timed(|| seed(fixture.path(), fixture.index_dir(), fake, threads));
        let a = SeededWorkspace { root: fixture.path().to_path_buf(), index: fixture.index_dir().to_path_buf(), _fixture: Some(fixture) };
        return Ok((a, files, seeded?, write_secs, seed_secs));
    };
    let dir = cache.join(if fake.centres.is_empty() { format!("a{n}") } else { format!("a{n}-clustered") });
    let a = SeededWorkspace { root: dir.join("root"), index: dir.join("index"), _fixture: None };
    let record = dir.join("seeded.txt");
    if let Ok(text) = std::fs::read_to_string(&record) {
        let mut lines = text.lines();
        let mut number = || lines.next().and_then(|l| l.parse::<f64>().ok()).context("unreadable seeded.txt: delete the cache directory");
        let (files, chunks, hnsw, disk_mb) = (number()? as usize, number()? as usize, number()? == 1.0, number()?);
        let entries: Vec<String> = text.lines().skip(4).map(String::from).collect();
        for entry in std::fs::read_dir(&a.index)? {
            let entry = entry?;
            if !entries.contains(&entry.file_name().to_string_lossy().to_string()) {
                std::fs::remove_dir_all(entry.path()).or_else(|_| std::fs::remove_file(entry.path()))?;
            }
        }
        println!("  (A reused from {}; delete it to seed again)", dir.display());
        return Ok((a, files, Seeded { chunks, hnsw, disk_mb }, f64::NAN, f64::NAN));
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&a.index)?;
    let fixture = Fixture::new();
    let ((files, _), write_secs) = timed(|| write_workspace(&fixture, n, 0));
    std::fs::rename(fixture.root.path(), &a.root).context("move A into the cache")?;
    let (seeded, seed_secs) = timed(|| seed(&a.root, &a.index, fake, threads));
    let seeded = seeded?;
    let mut text = format!("{files}\n{}\n{}\n{}\n", seeded.chunks, u8::from(seeded.hnsw), seeded.disk_mb);
    for entry in std::fs::read_dir(&a.index)? {
        text.push_str(&format!("{}\n", entry?.file_name().to_string_lossy()));
    }
    std::fs::write(&record, text)?;
    Ok((a, files, seeded, write_secs, seed_secs))
}

/// A time, or "reused" for a step skipped because A came from the cache (NaN).
fn secs_or_reused(secs: f64) -> String {
    if secs.is_nan() {
        "reused".into()
    } else {
        fmt_secs(secs)
    }
}

/// `n` natural-language queries: 30 phrases × 7 endings, none repeated
/// before the 211th.
fn queries(n: usize) -> Vec<String> {
    const PHRASES: [&str; 30] = [
        "retry a failed network request",
        "parse the configuration file",
        "write records to a buffer",
        "close the socket connection",
        "compute the checksum of a packet",
        "sort the ledger entries by date",
        "evict old entries from the cache",
        "validate the session token",
        "serialize the invoice to json",
        "merge two sorted streams",
        "open a file and read all lines",
        "convert a string to an integer",
        "find the tenant by id",
        "aggregate metrics per time window",
        "handle an error and log it",
        "flush pending writes to disk",
        "look up a key in a hash map",
        "split text into words",
        "format a number for display",
        "create a new order from a request",
        "check whether the schema is valid",
        "update a record in place",
        "remove duplicates from a list",
        "count occurrences of each item",
        "encode bytes as hexadecimal",
        "compare two version numbers",
        "build the url of an endpoint",
        "wait until the task finishes",
        "read settings from environment variables",
        "render a table of results",
    ];
    const ENDINGS: [&str; 7] = ["", " quickly", " in the store", " for each tenant", " safely", " with a timeout", " and return the result"];
    (0..n).map(|i| format!("{}{}", PHRASES[i % PHRASES.len()], ENDINGS[(i / PHRASES.len()) % ENDINGS.len()])).collect()
}

/// One measured query.
struct Timed {
    secs: f64,
    /// When its answer came, in seconds after A was searchable.
    at: f64,
    indexing: bool,
    hits: usize,
}

/// What one server run measured.
struct Run {
    ready_secs: f64,
    indexing_at_start: bool,
    queries: Vec<Timed>,
    /// The same queries once B is indexed and the server is idle.
    idle_queries: Vec<Timed>,
    /// From A searchable to B indexed (to the first answer saying
    /// `indexing: false` when that came before the last query), and which.
    cold_done_secs: f64,
    cold_done_early: bool,
    cold_chunks: u64,
    /// Resident memory once A was searchable (before B's first batch ends), and the peak.
    ready_rss: Option<f64>,
    peak_rss: Option<f64>,
    /// Resident memory after the idle queries and `SEMNAV_BENCH_IDLE_SECS`
    /// more without a request: the model released, the index held.
    idle_rss: Option<f64>,
    /// With `SEMNAV_BENCH_TYPING`: characters and words typed during the queries.
    typed: Option<(usize, usize)>,
}

/// Polls `semnav/status` until `done(status)`, for at most `limit`.
async fn poll_status(client: &LspClient, limit: Duration, done: impl Fn(&Value) -> bool) -> Result<Value> {
    let start = Instant::now();
    loop {
        let s = client.request("semnav/status", json!({})).await;
        if done(&s) {
            return Ok(s);
        }
        if start.elapsed() > limit {
            bail!("waited {} for the server; last status: {s}", fmt_secs(limit.as_secs_f64()));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Sends `queries` one after the other, timing each from its write to its
/// answer; `at` counts from `since`.
async fn send_queries(client: &LspClient, queries: &[String], since: Instant) -> Result<Vec<Timed>> {
    let mut answers = Vec::with_capacity(queries.len());
    for q in queries {
        let start = Instant::now();
        let response = client.request_raw("semnav/search", json!({"query": q, "limit": LIMIT})).await;
        let secs = start.elapsed().as_secs_f64();
        if let Some(err) = response.get("error") {
            bail!("semnav/search {q:?} failed: {err}");
        }
        let result = &response["result"];
        let hits = result["results"].as_array().map_or(0, Vec::len);
        answers.push(Timed { secs, at: since.elapsed().as_secs_f64(), indexing: result["indexing"] == true, hits });
    }
    Ok(answers)
}

/// Types functions into the unsaved buffer `uri` until `stop`, as
/// `SEMNAV_BENCH_TYPING` says. Returns the characters and words typed.
async fn type_functions(client: Arc<LspClient>, uri: String, stop: Arc<AtomicBool>) -> (usize, usize) {
    client.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": "rust", "version": 1, "text": ""}}));
    let (mut line, mut column, mut version, mut chars, mut words) = (0u32, 0u32, 1, 0, 0);
    for k in 0.. {
        let function = format!("pub fn handle_request_{k}(input: &str) -> usize {{\n    let words = input.split_whitespace();\n    words.count() + {k}\n}}\n\n");
        for word in function.split_inclusive([' ', '\n']) {
            for ch in word.chars() {
                if stop.load(Ordering::SeqCst) {
                    return (chars, words);
                }
                version += 1;
                let at = json!({"line": line, "character": column});
                client.notify(
                    "textDocument/didChange",
                    json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"range": {"start": at, "end": at}, "text": ch.to_string()}]}),
                );
                (line, column) = if ch == '\n' { (line + 1, 0) } else { (line, column + 1) };
                chars += 1;
                tokio::time::sleep(Duration::from_millis(60)).await;
            }
            words += 1;
            tokio::time::sleep(Duration::from_millis(350)).await;
        }
    }
    (chars, words)
}

/// Spawns `semnav lsp` on [A, B], waits for A, measures `queries`, shuts down.
async fn serve_and_measure(bin: &Path, a: &SeededWorkspace, b: &Fixture, a_chunks: usize, queries: &[String], typing: bool) -> Result<Run> {
    let started = Instant::now();
    let mut child = tokio::process::Command::new(bin)
        .arg("lsp")
        .env_remove("SEMNAV_INDEX_DIR")
        .env("SEMNAV_MODEL_IDLE_SECS", idle_release_secs().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .context("spawn semnav lsp")?;
    let pid = child.id().context("the server has no pid")?.to_string();
    let client = Arc::new(LspClient::start(child.stdout.take().context("stdout")?, child.stdin.take().context("stdin")?));
    let (a_root, b_root) = (a.root.canonicalize()?, b.path().canonicalize()?);
    let folders = json!([{"uri": file_uri(&a_root), "name": "a"}, {"uri": file_uri(&b_root), "name": "b"}]);
    client
        .request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "rootUri": file_uri(&a_root),
                "workspaceFolders": folders,
                "capabilities": {"window": {"workDoneProgress": true}},
                "initializationOptions": {"indexDir": a.index},
            }),
        )
        .await;
    client.notify("initialized", json!({}));

    // A is searchable once its chunks are in memory; B's refresh starts right
    // after, on the same task, so the status says `indexing` from then on.
    let ready = poll_status(&client, Duration::from_secs(600), |s| s["chunks"].as_u64().unwrap_or(0) >= a_chunks as u64).await?;
    let ready_at = Instant::now();
    let ready_secs = (ready_at - started).as_secs_f64();
    let ready_rss = proc_status_mib(&pid, "VmRSS:");
    if ready["indexDir"] != json!(a.index) {
        bail!("the server put A's index in {} instead of the seeded {}", ready["indexDir"], a.index.display());
    }
    // B's root is opened just after A is loaded: give it a moment to start.
    let indexing_at_start = ready["indexing"] == true || poll_status(&client, Duration::from_secs(10), |s| s["indexing"] == true).await.is_ok();

    let stop_typing = Arc::new(AtomicBool::new(false));
    let typist = typing.then(|| tokio::spawn(type_functions(client.clone(), file_uri(&a_root.join("typed.rs")), stop_typing.clone())));
    let answers = send_queries(&client, queries, ready_at).await?;
    stop_typing.store(true, Ordering::SeqCst);
    let typed = match typist {
        Some(task) => Some(task.await?),
        None => None,
    };

    // Let B finish, to know how long the cold index ran (and that it worked);
    // then the same queries again on an idle server, for comparison.
    let idle = poll_status(&client, Duration::from_secs(1200), |s| s["indexing"] == false && s["pendingEmbeddings"] == 0).await?;
    let done_secs = started.elapsed().as_secs_f64();
    let cold_chunks = idle["chunks"].as_u64().unwrap_or(0).saturating_sub(a_chunks as u64);
    let idle_answers = send_queries(&client, queries, Instant::now()).await?;
    if typing {
        // What was typed must have been indexed from the buffer, unsaved.
        let found = client.request("semnav/search", json!({"query": "handle_request_0 input split whitespace", "limit": LIMIT, "globs": ["typed.rs"]})).await;
        if found["results"].as_array().is_none_or(|r| r.is_empty()) {
            bail!("the typed buffer was not searchable after the queries: {found}");
        }
    }
    let peak_rss = proc_status_mib(&pid, "VmHWM:");
    // Nothing more to do: the server drops the model after the idle time.
    tokio::time::sleep(Duration::from_secs(idle_release_secs() + 3)).await;
    let idle_rss = proc_status_mib(&pid, "VmRSS:");

    client.request("shutdown", json!(null)).await;
    client.notify("exit", json!(null));
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait()).await.context("the server did not exit after `exit`")??;
    if !status.success() {
        bail!("the server exited with {status}");
    }
    // B is done from the answer after the last one that says it is
    // indexing: an answer between two roots' refreshes may say `false` for
    // a moment while B has not started yet.
    let first_quiet = match answers.iter().rposition(|t| t.indexing) {
        Some(last) => answers.get(last + 1),
        None => answers.first(),
    }
    .map(|t| t.at);
    Ok(Run {
        ready_secs,
        indexing_at_start,
        cold_done_early: first_quiet.is_some(),
        cold_done_secs: first_quiet.unwrap_or(done_secs - ready_secs),
        queries: answers,
        idle_queries: idle_answers,
        cold_chunks,
        ready_rss,
        peak_rss,
        idle_rss,
        typed,
    })
}

/// The server's `SEMNAV_MODEL_IDLE_SECS`: `SEMNAV_BENCH_IDLE_SECS`, default
/// 10 (the server's own default is minutes; the bench does not wait that long).
fn idle_release_secs() -> u64 {
    env_usize("SEMNAV_BENCH_IDLE_SECS", 10) as u64
}

fn latency_row(label: &str, runs: &[&Timed]) -> Vec<String> {
    let s = Samples(runs.iter().map(|t| t.secs).collect());
    let cell = |v: f64| if runs.is_empty() { "-".to_string() } else { fmt_secs(v) };
    vec![label.to_string(), runs.len().to_string(), cell(s.median()), cell(s.pct(99.0)), cell(s.max())]
}

fn main() -> Result<()> {
    common::without_machine_vector_cache();
    let sizes = env_list("SEMNAV_BENCH_CHUNKS", &[10_000, 100_000]);
    let query_count = env_usize("SEMNAV_BENCH_QUERIES", 200).max(1);
    let cold_chunks = env_usize("SEMNAV_BENCH_COLD_CHUNKS", 400);
    let typing = common::env_flag("SEMNAV_BENCH_TYPING");
    let threads = common::threads();
    let bin = semnav_bin();
    let paths = require_model();
    // The id the server will find in A's store: the real model's.
    let (model, load_secs) = timed(|| FastEmbedder::load(&paths, Some(threads)));
    let mut model = model?;
    let model_id = model.model_id_string();
    let centres = Arc::new(centres(&mut model)?);
    drop(model);
    let queries = queries(query_count);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let mut summary = Vec::new();
    let cache = std::env::var_os("SEMNAV_BENCH_SEED_CACHE").map(PathBuf::from);

    for &n in &sizes {
        let b = Fixture::new();
        let (b_files, b_written) = write_workspace(&b, cold_chunks, COLD_FIRST_UNIT);
        let (a, a_files, seeded, write_secs, seed_secs) = seeded_workspace(n, FakeEmbedder { model_id: model_id.clone(), centres: centres.clone() }, threads, cache.as_deref())?;
        print_header(
            &format!("lsp_search: semnav/search over stdio, {} chunks, cold index of {b_written} chunks in the background", seeded.chunks),
            &[
                ("server", format!("{} lsp, real model ({model_id}, id read in {})", bin.display(), fmt_secs(load_secs))),
                (
                    "A (seeded)",
                    format!(
                        "{a_files} files, {} chunks (SEMNAV_BENCH_CHUNKS), written in {}; seeded with fake vectors in {} (refresh + load{}), index {:.0} MB",
                        seeded.chunks,
                        secs_or_reused(write_secs),
                        secs_or_reused(seed_secs),
                        if seeded.hnsw { format!(" + HNSW build, {threads} threads") } else { ", exact scan: no HNSW below 50k".into() },
                        seeded.disk_mb
                    ),
                ),
                (
                    "A's vectors",
                    if centres.is_empty() {
                        "uniform on the sphere (SEMNAV_BENCH_VECTORS=uniform)".to_string()
                    } else {
                        format!("around {} real embeddings of code descriptions, cosine ~0.7 to their centre (SEMNAV_BENCH_VECTORS=clustered)", centres.len())
                    },
                ),
                ("B (cold)", format!("{b_files} files, {b_written} chunks (SEMNAV_BENCH_COLD_CHUNKS), embedded by the server with the real model")),
                ("queries", format!("{query_count} sequential semnav/search, limit {LIMIT} (SEMNAV_BENCH_QUERIES)")),
                ("typing", if typing { "a function into an unsaved buffer of A during the queries, a word at a time (SEMNAV_BENCH_TYPING)".into() } else { "none (SEMNAV_BENCH_TYPING)".to_string() }),
            ],
        );
        let run = rt.block_on(serve_and_measure(&bin, &a, &b, seeded.chunks, &queries, typing))?;
        let all: Vec<&Timed> = run.queries.iter().collect();
        let busy: Vec<&Timed> = run.queries.iter().filter(|t| t.indexing).collect();
        let quiet: Vec<&Timed> = run.queries.iter().filter(|t| !t.indexing).collect();
        print_table(
            &["semnav/search, write → answer", "queries", "p50", "p99", "max"],
            &[
                latency_row("while B is cold-indexed: all", &all),
                latency_row("  answered with indexing: true", &busy),
                latency_row("  answered with indexing: false", &quiet),
                latency_row("after, idle server (same queries)", &run.idle_queries.iter().collect::<Vec<_>>()),
            ],
        );
        let slow = run.queries.iter().filter(|t| t.secs > 0.1).count();
        let empty = run.queries.iter().filter(|t| t.hits == 0).count();
        println!(
            "\n  server start → A searchable: {}; B indexing when the queries began: {}; queries answered with indexing: true: {} of {}",
            fmt_secs(run.ready_secs),
            run.indexing_at_start,
            busy.len(),
            all.len()
        );
        println!(
            "  queries over 100 ms: {slow}; with no results: {empty}; cold index of B: {} chunks, done {} {} after A was searchable",
            run.cold_chunks,
            if run.cold_done_early { "during the queries, by" } else { "after the queries," },
            fmt_secs(run.cold_done_secs),
        );
        println!(
            "  server RSS when A was searchable: {}; peak RSS (VmHWM, model batches included): {}; idle {} s after the last request: {}",
            fmt_mib(run.ready_rss),
            fmt_mib(run.peak_rss),
            idle_release_secs() + 3,
            fmt_mib(run.idle_rss)
        );
        if let Some((chars, words)) = run.typed {
            println!("  typed during the queries: {chars} characters, {words} words (each followed by a pause the server embeds after)");
        }
        let waits: Vec<String> = run.queries.iter().enumerate().filter(|(_, t)| t.secs > 0.1).take(12).map(|(i, t)| format!("#{} {}", i + 1, fmt_secs(t.secs))).collect();
        if !waits.is_empty() {
            println!("  the queries over 100 ms (in order sent): {}", waits.join(", "));
        }
        let s = Samples(all.iter().map(|t| t.secs).collect());
        let idle = Samples(run.idle_queries.iter().map(|t| t.secs).collect());
        summary.push(vec![
            seeded.chunks.to_string(),
            fmt_secs(s.median()),
            fmt_secs(s.pct(99.0)),
            fmt_secs(s.max()),
            format!("{} / {}", fmt_secs(idle.median()), fmt_secs(idle.pct(99.0))),
            format!("{} of {}", busy.len(), all.len()),
            fmt_mib(run.ready_rss),
            fmt_mib(run.peak_rss),
            fmt_mib(run.idle_rss),
            secs_or_reused(seed_secs),
        ]);
        // A's and B's indexes live in A's index tempdir: both go with `a`.
    }
    println!("\n== lsp_search summary: semnav/search while a cold index runs (idle: the same queries after it) ==");
    print_table(&["chunks", "p50", "p99", "max", "idle p50 / p99", "indexing: true", "server RSS, A loaded", "server peak RSS", "server RSS idle", "seeding (not measured)"], &summary);
    println!("  goal at 100k: p50 ≤ 10 ms, p99 ≤ 30 ms");
    Ok(())
}
