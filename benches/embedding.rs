//! Embedding throughput with the real model (int8 all-MiniLM-L6-v2):
//! semnav's pipeline against raw fastembed, and the gain from sorting batches
//! by length.
//!
//! Texts: N chunks of the real `.rs` files of a registry crate (tokio at the
//! Cargo.lock version, else serde_json), cut by `semnav::chunk::chunk_source`
//! and built into embed texts by `chunk_text_for_embedding`, in a seeded
//! random order. Variants, all with the same ONNX Runtime thread count:
//!   raw       `fastembed::TextEmbedding::embed(texts, Some(32))`, input order
//!   pipeline  `EmbedWorker::spawn(FastEmbedder)` + `embed_blocking(Background)`
//!   sorted    `semnav::embed::embed_sorted` on a `FastEmbedder`
//!   unsorted  the same texts in input (shuffled) order, batches of 32, via
//!             `Embedder::embed_batch`
//! The texts are cut into slices of 150, each a single job; every variant runs
//! on a slice before the next slice (the order rotates), so that load from
//! other processes falls on all alike. Reported: wall time and the process's
//! CPU time (robust to contention), chunks/s and the ratios, per slice too.
//! Also: model load time, and single-query latency over 50 short queries.
//!
//! Run: `cargo bench --bench embedding` (needs the model: `python3 scripts/provision.py`)
//! Sizes: `SEMNAV_BENCH_N` (texts, default 300), `SEMNAV_BENCH_SLICE` (default 150),
//! `SEMNAV_BENCH_ROUNDS` (passes over all texts, default 1),
//! `SEMNAV_BENCH_THREADS` (default: all cores), `SEMNAV_BENCH_CRATE`.

mod common;

use std::time::Instant;

use anyhow::anyhow;
use common::{env_usize, fmt_secs, print_header, print_table, timed, Samples};
use fastembed::{InitOptionsUserDefined, Pooling, QuantizationMode, TextEmbedding, TokenizerFiles, UserDefinedEmbeddingModel};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use semnav::chunk::{chunk_source, chunk_text_for_embedding};
use semnav::embed::model::MAX_LENGTH;
use semnav::embed::{embed_sorted, normalize, EmbedWorker, Embedder, FastEmbedder, ModelPaths, Priority, BATCH_SIZE};
use semnav::lang::Language;

/// The model exactly as `FastEmbedder::load` builds it, without semnav around it.
fn raw_model(paths: &ModelPaths, threads: usize) -> anyhow::Result<TextEmbedding> {
    let read = |name: &str| std::fs::read(paths.model_dir.join(name));
    let tokenizer_files = TokenizerFiles {
        tokenizer_file: read("tokenizer.json")?,
        config_file: read("config.json")?,
        special_tokens_map_file: read("special_tokens_map.json")?,
        tokenizer_config_file: read("tokenizer_config.json")?,
    };
    let model = UserDefinedEmbeddingModel::new(read("model.onnx")?, tokenizer_files)
        .with_pooling(Pooling::Mean)
        .with_quantization(QuantizationMode::None);
    let options = InitOptionsUserDefined::new().with_max_length(MAX_LENGTH).with_intra_threads(threads);
    TextEmbedding::try_new_from_user_defined(model, options).map_err(|e| anyhow!("{e}"))
}

/// N embed texts from the chunks of a real crate, in a seeded random order.
/// Returns the crate, its file count, its chunk count and the texts.
fn chunk_texts(n: usize) -> (String, usize, usize, Vec<String>) {
    let (crate_name, dir) = common::registry_crate(&["tokio", "serde_json"]);
    let files = common::read_files(&dir, "rs");
    let mut texts = Vec::new();
    for (path, source) in &files {
        let rel = path.strip_prefix(&dir).unwrap_or(path).to_string_lossy().replace('\\', "/");
        for chunk in chunk_source(Language::Rust, source) {
            texts.push(chunk_text_for_embedding(&rel, &chunk, source));
        }
    }
    let total = texts.len();
    texts.shuffle(&mut StdRng::seed_from_u64(42));
    texts.truncate(n);
    (crate_name, files.len(), total, texts)
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    normalize(&mut a);
    normalize(&mut b);
    a.iter().zip(&b).map(|(x, y)| x * y).sum()
}

/// 50 short queries, as a user would type them.
fn queries() -> Vec<String> {
    let verbs = ["read", "parse", "retry", "cancel", "flush", "encode", "decode", "schedule", "spawn", "close"];
    let objects = ["the config file", "a tcp connection", "json values", "a timer", "the task queue"];
    verbs.iter().flat_map(|v| objects.iter().map(move |o| format!("{v} {o}"))).collect()
}

fn main() -> anyhow::Result<()> {
    let n = env_usize("SEMNAV_BENCH_N", 300);
    let slice_len = env_usize("SEMNAV_BENCH_SLICE", 150).max(1);
    let rounds = env_usize("SEMNAV_BENCH_ROUNDS", 1).max(1);
    let threads = common::threads();
    let paths = semnav_e2e::require_model();

    let (crate_name, file_count, total_chunks, texts) = chunk_texts(n);
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let mut lens = Samples(texts.iter().map(|t| t.chars().count() as f64).collect());
    lens.0.sort_by(f64::total_cmp);
    print_header(
        "embedding: semnav pipeline vs raw fastembed, real model",
        &[
            ("texts", format!("{} chunks of {crate_name} (of {total_chunks}), seeded shuffle (SEMNAV_BENCH_N)", texts.len())),
            ("text length, chars", format!("p10 {:.0}, p50 {:.0}, p90 {:.0}, max {:.0} (model truncates at {MAX_LENGTH} tokens)", lens.pct(10.0), lens.pct(50.0), lens.pct(90.0), lens.max())),
            ("threads", format!("{threads} ONNX Runtime intra-op threads for every variant (SEMNAV_BENCH_THREADS)")),
            ("batch", format!("{BATCH_SIZE} texts")),
            ("interleaving", format!("slices of {slice_len} texts, every variant per slice, order rotating; {rounds} round(s) (SEMNAV_BENCH_SLICE, SEMNAV_BENCH_ROUNDS)")),
        ],
    );
    if total_chunks == file_count {
        println!("  note: one chunk per file: the placeholder chunker is in place, so texts are whole files (most truncated by the model).");
    }

    // Loading: the first load also loads the ONNX Runtime library.
    let (direct, load_first) = timed(|| FastEmbedder::load(&paths, Some(threads)));
    let mut direct = direct?;
    let (for_worker, load_second) = timed(|| FastEmbedder::load(&paths, Some(threads)));
    let (raw, load_raw) = timed(|| raw_model(&paths, threads));
    let mut raw = raw?;
    let worker = EmbedWorker::spawn(Box::new(for_worker?))?;
    print_table(
        &["model load", "time"],
        &[
            vec!["FastEmbedder::load, first (loads the runtime)".into(), fmt_secs(load_first)],
            vec!["FastEmbedder::load, second".into(), fmt_secs(load_second)],
            vec!["raw TextEmbedding::try_new_from_user_defined".into(), fmt_secs(load_raw)],
        ],
    );

    // Warm-up: one batch through each, untimed.
    let warm: Vec<&str> = refs.iter().copied().take(BATCH_SIZE).collect();
    raw.embed(&warm, Some(BATCH_SIZE)).map_err(|e| anyhow!("{e}"))?;
    direct.embed_batch(&warm)?;
    worker.embed_blocking(warm.iter().map(|s| s.to_string()).collect(), Priority::Background)?;

    // The texts are cut into slices (each one job, as the indexer submits
    // jobs of up to 256 texts); every variant runs on a slice before the next
    // slice starts, in an order that rotates, so that load from other
    // processes falls on all variants alike. Wall and CPU time are summed.
    const NAMES: [&str; 4] = ["raw", "pipeline", "sorted", "unsorted"];
    let (mut wall, mut cpu) = ([0.0f64; 4], [0.0f64; 4]);
    let mut per_slice: Vec<[f64; 4]> = Vec::new();
    for round in 0..rounds {
        for (s, slice) in refs.chunks(slice_len).enumerate() {
            let mut this = [0.0; 4];
            for k in 0..4 {
                let variant = (k + s + round) % 4;
                let (start, cpu_start) = (Instant::now(), common::cpu_secs());
                match variant {
                    0 => drop(raw.embed(slice, Some(BATCH_SIZE)).map_err(|e| anyhow!("{e}"))?),
                    1 => drop(worker.embed_blocking(slice.iter().map(|t| t.to_string()).collect(), Priority::Background)?),
                    2 => drop(embed_sorted(&mut direct, slice)?),
                    _ => {
                        for batch in slice.chunks(BATCH_SIZE) {
                            direct.embed_batch(batch)?;
                        }
                    }
                }
                this[variant] = start.elapsed().as_secs_f64();
                wall[variant] += this[variant];
                cpu[variant] += common::cpu_secs() - cpu_start;
            }
            per_slice.push(this);
        }
    }
    let done = (texts.len() * rounds) as f64;
    let rows: Vec<Vec<String>> = (0..4)
        .map(|v| {
            let slices: Vec<String> = per_slice.iter().map(|t| format!("{:.2}", t[v])).collect();
            vec![NAMES[v].to_string(), slices.join(" / "), fmt_secs(wall[v]), format!("{:.1}", done / wall[v]), fmt_secs(cpu[v]), format!("{:.1}", done / cpu[v])]
        })
        .collect();
    print_table(&["variant", "seconds per slice", "wall", "chunks/s", "CPU", "chunks/CPU-s"], &rows);

    let ratio = |a: usize, b: usize| {
        let slices: Vec<String> = per_slice.iter().map(|t| format!("{:.3}", t[b] / t[a])).collect();
        vec![format!("{:.3}", wall[b] / wall[a]), format!("{:.3}", cpu[b] / cpu[a]), slices.join(" / ")]
    };
    let ratio_row = |label: &str, a: usize, b: usize, goal: &str| {
        let mut row = vec![label.to_string()];
        row.extend(ratio(a, b));
        row.push(goal.to_string());
        row
    };
    print_table(
        &["ratio of chunks/s", "wall", "CPU", "wall, per slice", "goal"],
        &[
            ratio_row("pipeline / raw", 1, 0, ">= 0.95"),
            ratio_row("sorted / unsorted", 2, 3, "> 1"),
            ratio_row("pipeline / sorted (worker overhead)", 1, 2, "~ 1"),
            ratio_row("unsorted / raw (FastEmbedder overhead)", 3, 0, "~ 1"),
        ],
    );
    // Same vectors either way (batch composition changes padding only).
    let sample: Vec<&str> = refs.iter().copied().take(64).collect();
    let raw_out = raw.embed(&sample, Some(BATCH_SIZE)).map_err(|e| anyhow!("{e}"))?;
    let piped = worker.embed_blocking(sample.iter().map(|s| s.to_string()).collect(), Priority::Background)?;
    let agreement = raw_out.iter().zip(&piped).map(|(a, b)| cosine(a, b)).fold(1.0, f32::min);
    println!("\n  min cosine between raw and pipeline vectors of the same text ({} texts): {agreement:.5}", sample.len());

    // Single-query latency: one short text at a time.
    let qs = queries();
    let (mut via_worker, mut via_direct, mut via_raw) = (Samples::default(), Samples::default(), Samples::default());
    worker.embed_blocking(vec![qs[0].clone()], Priority::Interactive)?;
    for q in &qs {
        let t = Instant::now();
        worker.embed_blocking(vec![q.clone()], Priority::Interactive)?;
        via_worker.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        direct.embed_batch(&[q.as_str()])?;
        via_direct.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        raw.embed([q.as_str()], None).map_err(|e| anyhow!("{e}"))?;
        via_raw.push(t.elapsed().as_secs_f64());
    }
    let row = |name: &str, s: &Samples| vec![name.to_string(), fmt_secs(s.median()), fmt_secs(s.pct(90.0)), fmt_secs(s.max())];
    print_table(
        &[&format!("single query ({} short queries)", qs.len()), "p50", "p90", "max"],
        &[
            row("EmbedWorker, Interactive", &via_worker),
            row("FastEmbedder::embed_batch", &via_direct),
            row("raw TextEmbedding::embed", &via_raw),
        ],
    );
    Ok(())
}
