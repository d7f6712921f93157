//! What a cold index costs in memory and on disk: the real `semnav index`
//! binary over a copy of a real repository, with the real model.
//!
//! For each variant — as before (ONNX Runtime's CPU memory arena on through
//! `SEMNAV_ORT_ARENA=1`, batches of 32 texts whatever their length through
//! `SEMNAV_EMBED_BATCH_TOKENS=0`), and as semnav runs now (arena off, at most
//! 512 tokens a batch) — alternating, each run into a fresh index directory:
//! peak RSS of the process (VmHWM of /proc/<pid>/status, polled every 20 ms),
//! chunks/s of the refresh (from its summary line, model loading excluded),
//! and bytes on disk per chunk. Then
//! where the bytes of the last index go: vectors, file records (and within
//! them the lexical words and previews), and sled's own overhead.
//!
//! Run: `cargo bench --bench footprint` (needs the model) — or, without a
//! release build of the dependencies, `cargo build -p semnav && cargo bench
//! --profile dev --bench footprint`, which measures `target/debug/semnav`.
//! Corpus: `SEMNAV_BENCH_CORPUS=DIR` (default: chi from the semble benchmark
//! checkout at /tmp/semble-bench/repos-dev/chi, else serde_json from the cargo
//! registry); copied (without `.git`) to a temporary directory, never modified.
//! `SEMNAV_BENCH_RUNS` runs per variant (default 1), `SEMNAV_BENCH_THREADS`
//! model threads (default 2).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{copy_tree, env_usize, fmt_mib, fmt_rate, fmt_secs, print_header, print_table, proc_status_mib};
use semnav::store::Store;

struct Run {
    variant: &'static str,
    peak_mib: Option<f64>,
    chunks: usize,
    refresh_secs: f64,
    wall_secs: f64,
    disk_bytes: u64,
}

/// `(chunks, refresh seconds)` from `indexed N files, M chunks: … in S s`.
fn parse_summary(stderr: &str) -> (usize, f64) {
    let line = stderr.lines().rev().find(|l| l.starts_with("indexed ")).unwrap_or_else(|| panic!("no summary line in: {stderr}"));
    let chunks = line.split(", ").nth(1).and_then(|p| p.split(' ').next()).and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("no chunk count in {line:?}"));
    let secs = line.rsplit(" in ").next().and_then(|s| s.trim_end_matches('s').parse().ok()).unwrap_or_else(|| panic!("no time in {line:?}"));
    (chunks, secs)
}

fn index_once(bin: &Path, corpus: &Path, variant: &'static str, before: bool, threads: usize) -> Run {
    let index_dir = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new(bin);
    cmd.args(["index", "."])
        .current_dir(corpus)
        .env("SEMNAV_INDEX_DIR", index_dir.path())
        .env("SEMNAV_THREADS", threads.to_string())
        .env("SEMNAV_EXPIRE_DAYS", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if before {
        cmd.env("SEMNAV_ORT_ARENA", "1").env("SEMNAV_EMBED_BATCH_TOKENS", "0");
    } else {
        cmd.env_remove("SEMNAV_ORT_ARENA").env_remove("SEMNAV_EMBED_BATCH_TOKENS");
    }
    let started = Instant::now();
    let mut child = cmd.spawn().expect("spawn semnav index");
    let pid = child.id().to_string();
    let stderr = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let mut peak: Option<f64> = None;
    while child.try_wait().expect("try_wait").is_none() {
        if let Some(m) = proc_status_mib(&pid, "VmHWM:") {
            peak = Some(peak.map_or(m, |p: f64| p.max(m)));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let wall_secs = started.elapsed().as_secs_f64();
    let stderr = reader.join().expect("stderr reader");
    let (chunks, refresh_secs) = parse_summary(&stderr);
    let disk_bytes = semnav::housekeeping::dir_size(index_dir.path());
    let run = Run { variant, peak_mib: peak, chunks, refresh_secs, wall_secs, disk_bytes };
    if variant.contains("now") {
        breakdown(index_dir.path(), chunks, disk_bytes);
    }
    run
}

/// Where the bytes of an index go.
fn breakdown(dir: &Path, chunks: usize, disk: u64) {
    let model = Store::peek_model(dir).ok().flatten().unwrap_or_default();
    let (store, _) = Store::open(dir, &model).expect("open the index");
    let (mut terms, mut previews) = (0u64, 0u64);
    for item in store.files() {
        let (_, entry) = item.expect("record");
        for c in &entry.chunks {
            terms += c.terms.len() as u64;
            previews += c.preview.len() as u64;
        }
    }
    let vectors = store.vector_count() as u64;
    let (records, vector_bytes) = store.record_bytes();
    let per = |b: u64| format!("{:.0} B", b as f64 / chunks.max(1) as f64);
    let live = records + vector_bytes;
    print_table(
        &["where the bytes go (last run)", "bytes", "per chunk"],
        &[
            vec![format!("vectors ({vectors}, key + {} f16 + CRC)", semnav::embed::DIM), vector_bytes.to_string(), per(vector_bytes)],
            vec!["file records (postcard, LZ4)".into(), records.to_string(), per(records)],
            vec!["  lexical words in them, before LZ4".into(), terms.to_string(), per(terms)],
            vec!["  previews in them, before LZ4".into(), previews.to_string(), per(previews)],
            vec!["sled's files beyond the live data".into(), disk.saturating_sub(live).to_string(), per(disk.saturating_sub(live))],
            vec!["the index directory".into(), disk.to_string(), per(disk)],
        ],
    );
}

fn main() {
    common::without_machine_vector_cache();
    let bin = semnav_e2e::semnav_bin();
    semnav_e2e::require_model();
    let default_corpus = PathBuf::from("/tmp/semble-bench/repos-dev/chi");
    let source = match std::env::var_os("SEMNAV_BENCH_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None if default_corpus.is_dir() => default_corpus,
        None => common::registry_crate(&["serde_json", "tokio"]).1,
    };
    let runs = env_usize("SEMNAV_BENCH_RUNS", 1);
    let threads = env_usize("SEMNAV_BENCH_THREADS", 2);
    let copy = tempfile::tempdir().expect("tempdir");
    let (files, bytes) = copy_tree(&source, copy.path());
    print_header(
        "footprint: cold `semnav index` of a real repository, real model",
        &[
            ("binary", bin.display().to_string()),
            ("corpus", format!("{} ({files} files, {:.2} MB copied; SEMNAV_BENCH_CORPUS)", source.display(), bytes as f64 / 1e6)),
            ("runs", format!("{runs} per variant, alternating (SEMNAV_BENCH_RUNS); {threads} model threads (SEMNAV_BENCH_THREADS)")),
            ("goals", "≤ 500 MB peak RSS without losing throughput; ≤ 2 kB on disk per chunk".into()),
        ],
    );
    let mut results = Vec::new();
    for _ in 0..runs {
        results.push(index_once(&bin, copy.path(), "before: arena, 32 a batch", true, threads));
        results.push(index_once(&bin, copy.path(), "now: no arena, 512 tokens", false, threads));
    }
    let rows: Vec<Vec<String>> = results
        .iter()
        .map(|r| {
            vec![
                r.variant.to_string(),
                fmt_mib(r.peak_mib),
                r.chunks.to_string(),
                fmt_rate(r.chunks as f64 / r.refresh_secs),
                fmt_secs(r.refresh_secs),
                fmt_secs(r.wall_secs),
                format!("{:.1} MiB", r.disk_bytes as f64 / (1024.0 * 1024.0)),
                format!("{:.0} B", r.disk_bytes as f64 / r.chunks.max(1) as f64),
            ]
        })
        .collect();
    print_table(&["variant", "peak RSS", "chunks", "chunks/s", "refresh", "process", "on disk", "per chunk"], &rows);
}
