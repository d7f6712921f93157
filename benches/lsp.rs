//! The language server's hot paths, without the protocol:
//! (a) a one-line edit in a 5,000-line file: `Document::apply` (rope + text +
//!     incremental reparse + re-chunk), and `Engine::change` (the same plus the
//!     in-memory index update) — what a `didChange` handler does before it
//!     returns (goal p50 ≤ 1 ms);
//! (b) edit → searchable with the real model: type a new function into an
//!     open buffer, then poll `Engine::search` until it is found at its new
//!     range (goal ≤ debounce + 50 ms; debounce 300 ms by default).
//!
//! Run: `cargo bench --bench lsp`. Sizes: `SEMNAV_BENCH_LINES` (default 5000),
//! `SEMNAV_BENCH_EDITS` (default 300), `SEMNAV_BENCH_TRIALS` (default 5),
//! `SEMNAV_BENCH_SKIP_MODEL=1` (only part a).

mod common;

use std::time::{Duration, Instant};

use common::{env_flag, env_usize, fmt_secs, Samples};
use semnav::document::{Change, Document};
use semnav::embed::{EmbedWorker, StubEmbedder};
use semnav::engine::{Engine, Settings};
use semnav::index::NoProgress;
use semnav::lang::Language;
use semnav::position::{Encoding, LinePos};
use semnav::search::Filters;

fn rust_file(lines: usize) -> String {
    let mut s = String::new();
    let mut i = 0;
    while s.lines().count() < lines {
        s.push_str(&format!("/// Adds item {i} to the total.\npub fn accumulate_{i}(total: &mut u64, items: &[u64]) -> u64 {{\n    for x in items {{\n        *total += x * {i};\n    }}\n    *total\n}}\n\n"));
        i += 1;
    }
    s
}

fn one_line_edit(k: usize, lines: usize) -> Change {
    // Type a character inside a function body, somewhere in the file.
    let line = (k * 7919) % (lines - 2) / 8 * 8 + 3;
    Change { range: Some((LinePos::new(line as u32, 8), LinePos::new(line as u32, 8))), text: "x".into() }
}

fn report(name: &str, s: &Samples) {
    println!("  {name:<55} p50 {:>10}  p99 {:>10}  max {:>10}", fmt_secs(s.median()), fmt_secs(s.pct(99.0)), fmt_secs(s.max()));
}

fn main() {
    let lines = env_usize("SEMNAV_BENCH_LINES", 5000);
    let edits = env_usize("SEMNAV_BENCH_EDITS", 300);
    let source = rust_file(lines);
    println!("== lsp (a): one-line edit in a {lines}-line Rust file, {edits} edits ==");

    let mut doc = Document::open(Some(Language::Rust), source.clone(), 1, 1 << 22);
    println!("  chunks in the file: {}", doc.chunks().len());
    let mut apply = Samples::default();
    for k in 0..edits {
        let change = one_line_edit(k, lines);
        let start = Instant::now();
        doc.apply(&[change], k as i32 + 2, Encoding::Utf16);
        apply.push_duration(start.elapsed());
    }
    report("Document::apply (apply + reparse + re-chunk)", &apply);

    let dir = tempfile::tempdir().unwrap();
    let idx = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("big.rs"), &source).unwrap();
    let settings = Settings { index_dir: Some(idx.path().to_path_buf()), ..Settings::default() };
    let engine = Engine::with_worker(settings, EmbedWorker::spawn(Box::new(StubEmbedder::new())).unwrap());
    let root = engine.add_root(dir.path()).unwrap();
    engine.refresh_root(&root, &NoProgress).unwrap();
    let path = dir.path().canonicalize().unwrap().join("big.rs");
    let key = path.to_string_lossy().to_string();
    engine.open(&key, Some(&path), source.clone(), 1);
    let mut change = Samples::default();
    for k in 0..edits {
        let start = Instant::now();
        engine.change(&key, &[one_line_edit(k, lines)], k as i32 + 2, Encoding::Utf16).unwrap();
        change.push_duration(start.elapsed());
    }
    report("Engine::change (the above + index update)", &change);

    if env_flag("SEMNAV_BENCH_SKIP_MODEL") {
        return;
    }
    let trials = env_usize("SEMNAV_BENCH_TRIALS", 5);
    println!("\n== lsp (b): edit → searchable, real model, {trials} trials ==");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let idx = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lib.rs"), "/// Adds two numbers.\npub fn add(a: i32, b: i32) -> i32 { a + b }\n").unwrap();
    std::fs::write(dir.path().join("net.py"), "def fetch(url):\n    import urllib.request\n    return urllib.request.urlopen(url).read()\n").unwrap();
    let settings = Settings { index_dir: Some(idx.path().to_path_buf()), ..Settings::default() };
    let debounce = settings.debounce_ms;
    let engine = std::sync::Arc::new(Engine::new(settings));
    if let Some(e) = engine.model_error() {
        panic!("the model is needed for part (b): {e}");
    }
    let root = engine.add_root(dir.path()).unwrap();
    engine.refresh_root(&root, &NoProgress).unwrap();
    let path = dir.path().canonicalize().unwrap().join("lib.rs");
    let key = path.to_string_lossy().to_string();
    let opened = engine.open(&key, Some(&path), std::fs::read_to_string(&path).unwrap(), 1);
    rt.block_on(engine.embed_document(&key, opened));
    let mut latency = Samples::default();
    let words = ["invoice", "sensor", "playlist", "recipe", "ticket", "garden", "parcel"];
    for t in 0..trials {
        let noun = words[t % words.len()];
        let text = format!("\npub fn archive_{noun}_{t}(item: &str) -> std::io::Result<()> {{\n    let mut zip = zip::ZipWriter::new(std::fs::File::create(\"{noun}.zip\")?);\n    zip.start_file(item, Default::default())?;\n    zip.finish()?;\n    Ok(())\n}}\n");
        let end = engine.rope(&key).unwrap().len_lines() as u32 - 1;
        let start = Instant::now();
        let generation = engine.change(&key, &[Change { range: Some((LinePos::new(end, 0), LinePos::new(end, 0))), text }], t as i32 + 2, Encoding::Utf16).unwrap();
        let e = engine.clone();
        let k = key.clone();
        rt.spawn(async move { e.embed_document(&k, generation).await });
        let name = format!("archive_{noun}_{t}");
        loop {
            let found = rt.block_on(engine.search(&format!("compress the {noun} into a zip archive"), &Filters::default(), 5)).unwrap();
            if found.iter().any(|a| a.name.as_deref() == Some(&name)) && !engine.indexing() {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(60), "never searchable");
            std::thread::sleep(Duration::from_millis(5));
        }
        latency.push_duration(start.elapsed());
    }
    report(&format!("edit → found by search (debounce {debounce} ms)"), &latency);
    println!("  goal: ≤ debounce + 50 ms = {} ms", debounce + 50);
}
