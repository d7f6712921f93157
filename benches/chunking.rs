//! Chunking throughput: `semnav::chunk::chunk_source` over whole files, per
//! language, in MB/s of source and chunks/s.
//!
//! Inputs: synthetic files for each of nine languages (a documented type with
//! methods and a free function per unit, identifiers renamed in every unit;
//! see `common/synth.rs`), ~16 KB per file, ~1.5 MB per language; and, for
//! Rust, the real `.rs` files of a crate from the cargo registry at the
//! version Cargo.lock pins (tokio, else serde_json). Each language's files are
//! chunked repeatedly (at least `SEMNAV_BENCH_REPS` passes and 0.5 s); rates
//! are from the best pass (the least disturbed on a shared machine), with the
//! median pass and MB per CPU-second beside it. Single-threaded, as the
//! indexer calls it.
//!
//! Run: `cargo bench --bench chunking`
//! Sizes: `SEMNAV_BENCH_KB` (synthetic KB per language, default 1536),
//! `SEMNAV_BENCH_FILE_KB` (default 16), `SEMNAV_BENCH_REPS` (default 3),
//! `SEMNAV_BENCH_CRATE` (registry crate for real Rust, default tokio).

mod common;

use std::hint::black_box;
use std::time::Instant;

use common::{env_usize, fmt_rate, fmt_secs, print_header, print_table, Samples};
use semnav::chunk::chunk_source;
use semnav::discover::DEFAULT_MAX_FILE_BYTES;
use semnav::lang::Language;

/// One measured input: a language and its files.
struct Input {
    label: String,
    language: Language,
    files: Vec<String>,
}

/// What one input measured.
struct Measured {
    bytes: usize,
    chunks: usize,
    chunk_bytes: usize,
    passes: usize,
    pass: Samples,
    /// Process CPU seconds over all timed passes.
    cpu: f64,
}

fn measure(input: &Input, min_passes: usize, min_secs: f64) -> Measured {
    let bytes: usize = input.files.iter().map(String::len).sum();
    // One untimed pass: warms caches and counts what the chunker returns.
    let (mut chunks, mut chunk_bytes) = (0, 0);
    for f in &input.files {
        let cs = chunk_source(input.language, f);
        chunks += cs.len();
        chunk_bytes += cs.iter().map(|c| c.bytes.len()).sum::<usize>();
    }
    let mut pass = Samples::default();
    let started = Instant::now();
    let cpu_start = common::cpu_secs();
    while pass.0.len() < min_passes || started.elapsed().as_secs_f64() < min_secs {
        let t = Instant::now();
        for f in &input.files {
            black_box(chunk_source(input.language, black_box(f)));
        }
        pass.push(t.elapsed().as_secs_f64());
    }
    let cpu = common::cpu_secs() - cpu_start;
    Measured { bytes, chunks, chunk_bytes, passes: pass.0.len(), pass, cpu }
}

fn main() {
    let total_kb = env_usize("SEMNAV_BENCH_KB", 1536);
    let file_kb = env_usize("SEMNAV_BENCH_FILE_KB", 16);
    let min_passes = env_usize("SEMNAV_BENCH_REPS", 3).max(1);
    let min_secs = 0.5;

    let mut inputs: Vec<Input> = common::synth::LANGS
        .iter()
        .map(|&language| Input {
            label: format!("{} (synthetic)", language.name()),
            language,
            files: common::synth::corpus(language, total_kb * 1024, file_kb * 1024),
        })
        .collect();
    let (crate_name, crate_dir) = common::registry_crate(&["tokio", "serde_json"]);
    let real: Vec<String> = common::read_files(&crate_dir, "rs")
        .into_iter()
        .map(|(_, text)| text)
        .filter(|t| t.len() as u64 <= DEFAULT_MAX_FILE_BYTES)
        .collect();
    inputs.push(Input { label: format!("rust ({crate_name}, real)"), language: Language::Rust, files: real });

    print_header(
        "chunking: chunk_source throughput per language (single thread)",
        &[
            ("synthetic input", format!("~{total_kb} KB per language in files of ~{file_kb} KB (SEMNAV_BENCH_KB, SEMNAV_BENCH_FILE_KB)")),
            ("real input", format!("every .rs file <= 1 MiB of {}", crate_dir.display())),
            ("timing", format!(">= {min_passes} passes and >= {min_secs} s per input (SEMNAV_BENCH_REPS); MB/s and chunks/s from the best pass, MB/CPU-s from process CPU time over all passes")),
        ],
    );

    let mut rows = Vec::new();
    let mut one_chunk_per_file = true;
    for input in &inputs {
        let m = measure(input, min_passes, min_secs);
        let t = m.pass.min();
        one_chunk_per_file &= m.chunks == input.files.len();
        rows.push(vec![
            input.label.clone(),
            input.files.len().to_string(),
            format!("{:.2}", m.bytes as f64 / 1e6),
            m.chunks.to_string(),
            format!("{:.1}", m.chunks as f64 / input.files.len() as f64),
            format!("{:.0}", m.chunk_bytes as f64 / m.chunks.max(1) as f64),
            format!("{:.2}", m.chunk_bytes as f64 / m.bytes as f64),
            m.passes.to_string(),
            fmt_secs(t),
            fmt_secs(m.pass.median()),
            format!("{:.1}", m.bytes as f64 / 1e6 / t),
            format!("{:.1}", m.bytes as f64 * m.passes as f64 / 1e6 / m.cpu),
            fmt_rate(m.chunks as f64 / t),
        ]);
    }
    print_table(
        &["input", "files", "MB", "chunks", "chunks/file", "avg chunk B", "chunk B/source B", "passes", "best pass", "median pass", "MB/s", "MB/CPU-s", "chunks/s"],
        &rows,
    );
    if one_chunk_per_file {
        println!("\n  note: chunk_source returned exactly one chunk per file for every input: the placeholder chunker is in place, so these figures say nothing about the real one yet.");
    }
}
