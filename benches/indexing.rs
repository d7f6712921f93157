//! Whole-pipeline indexing costs, through `semnav::index::Workspace::refresh`.
//!
//! (a) Cold index of a real crate copied from the cargo registry (serde_json at
//!     the Cargo.lock version, else tokio) with the real model: files/s,
//!     chunks/s, texts embedded, elapsed; then a second refresh with nothing
//!     changed, and loading the index into memory (`Workspace::load`). The
//!     copies are aged an hour so that no file counts as "racy".
//! (b) A synthetic tree of 10k small files (one unit of `common/synth.rs` per
//!     file, nine languages, 100 directories, mtimes an hour back), indexed
//!     once with `StubEmbedder` (meaning is irrelevant here), then the
//!     no-change refresh, repeated (goal: median < 0.5 s).
//! (c) Peak RSS (VmHWM) of each part: the peak is reset before each part
//!     where the kernel allows (/proc/self/clear_refs), else it is the
//!     process's peak so far.
//!
//! Run: `cargo bench --bench indexing` (needs the model: `python3 scripts/provision.py`)
//! Sizes: `SEMNAV_BENCH_CRATE` (registry crate for (a), e.g. `tokio`),
//! `SEMNAV_BENCH_FILES` (default 10000), `SEMNAV_BENCH_REPEATS` (no-change
//! refreshes, default 5), `SEMNAV_BENCH_THREADS` (model threads, default all
//! cores), `SEMNAV_BENCH_SKIP_MODEL=1` (only part b).

mod common;

use anyhow::Result;
use common::{env_flag, env_usize, fmt_mib, fmt_rate, fmt_secs, peak_rss_mib, print_header, print_table, reset_peak_rss, rss_mib, timed, Samples};
use semnav::discover::DiscoverOptions;
use semnav::embed::{EmbedWorker, FastEmbedder, StubEmbedder};
use semnav::index::{NoProgress, RefreshStats, Workspace};
use semnav_e2e::Fixture;

fn stats_row(label: &str, s: &RefreshStats) -> Vec<String> {
    let secs = s.elapsed.as_secs_f64();
    vec![
        label.to_string(),
        s.files.to_string(),
        s.files_read.to_string(),
        s.chunks.to_string(),
        s.embedded.to_string(),
        s.reused.to_string(),
        fmt_secs(secs),
        fmt_rate(s.files_read as f64 / secs),
        fmt_rate(s.chunks as f64 / secs),
    ]
}

const STATS_HEADERS: [&str; 9] = ["refresh", "files", "read", "chunks", "embedded", "reused", "elapsed", "files read/s", "chunks/s"];

/// Part (a): a real crate, the real model.
fn real_crate(threads: usize, memory: &mut Vec<Vec<String>>) -> Result<()> {
    let reset = reset_peak_rss();
    let (crate_name, src) = common::registry_crate(&["serde_json", "tokio"]);
    let fixture = Fixture::new();
    let (copied, bytes) = common::copy_tree(&src, fixture.path());
    fixture.age_files();
    let paths = semnav_e2e::require_model();
    let (embedder, load_secs) = timed(|| FastEmbedder::load(&paths, Some(threads)));
    let embedder = embedder?;
    let model_id = embedder.model_id_string();
    let worker = EmbedWorker::spawn(Box::new(embedder))?;
    print_header(
        "indexing (a): cold index of a real crate, real model",
        &[
            ("crate", format!("{crate_name}: {copied} files, {:.2} MB copied from {} (SEMNAV_BENCH_CRATE)", bytes as f64 / 1e6, src.display())),
            ("model", format!("{model_id}, {threads} threads (SEMNAV_BENCH_THREADS), loaded in {}", fmt_secs(load_secs))),
            ("discover", "DiscoverOptions::default()".into()),
        ],
    );
    let (ws, _) = Workspace::open(fixture.path(), Some(fixture.index_dir()), DiscoverOptions::default(), &model_id)?;
    let cold = ws.refresh(&worker, &NoProgress)?;
    let warm = ws.refresh(&worker, &NoProgress)?;
    let (loaded, load_index_secs) = timed(|| ws.load());
    let loaded = loaded?;
    print_table(&STATS_HEADERS, &[stats_row("cold", &cold), stats_row("no change", &warm)]);
    let embed_secs = cold.elapsed.as_secs_f64();
    println!(
        "\n  cold: {} texts embedded, {} per embedded text overall; index on disk {:.1} MB; Workspace::load: {} chunks in {}",
        cold.embedded,
        fmt_secs(embed_secs / cold.embedded.max(1) as f64),
        ws.store.disk_bytes() as f64 / 1e6,
        loaded.len(),
        fmt_secs(load_index_secs)
    );
    if !cold.skipped.is_empty() {
        println!("  skipped: {:?}", cold.skipped);
    }
    if warm.files_read > 0 {
        println!("  note: the no-change refresh read {} files again (expected 0)", warm.files_read);
    }
    memory.push(vec!["(a) real crate, real model".into(), fmt_mib(peak_rss_mib()), fmt_mib(rss_mib()), "".into(), reset.to_string()]);
    Ok(())
}

/// Part (b): many small files, the stub embedder, the no-change refresh.
fn many_files(file_count: usize, repeats: usize, memory: &mut Vec<Vec<String>>) -> Result<()> {
    let reset = reset_peak_rss();
    let fixture = Fixture::new();
    let langs = common::synth::LANGS;
    let (_, write_secs) = timed(|| {
        for i in 0..file_count {
            let lang = langs[i % langs.len()];
            let rel = format!("pkg{:02}/{}_{i}.{}", i % 100, lang.name(), common::synth::extension(lang));
            fixture.write(&rel, common::synth::file(lang, i, i, 1));
        }
        fixture.age_files();
    });
    let worker = EmbedWorker::spawn(Box::new(StubEmbedder::new()))?;
    let (ws, _) = Workspace::open(fixture.path(), Some(fixture.index_dir()), DiscoverOptions::default(), worker.model_id())?;
    print_header(
        "indexing (b): no-change refresh of many small files (StubEmbedder)",
        &[
            ("tree", format!("{file_count} files in 100 directories, one synthetic unit each, 9 languages, mtimes 1 h back; written in {} (SEMNAV_BENCH_FILES)", fmt_secs(write_secs))),
            ("repeats", format!("{repeats} no-change refreshes (SEMNAV_BENCH_REPEATS)")),
        ],
    );
    let first = ws.refresh(&worker, &NoProgress)?;
    let mut rows = vec![stats_row("first (stub vectors)", &first)];
    let mut times = Samples::default();
    let mut reread = 0;
    for r in 0..repeats {
        let s = ws.refresh(&worker, &NoProgress)?;
        times.push_duration(s.elapsed);
        reread += s.files_read;
        if r == 0 {
            rows.push(stats_row("no change (first repeat)", &s));
        }
    }
    print_table(&STATS_HEADERS, &rows);
    // Where a no-change refresh can spend its time, each step alone.
    let (found, walk_secs) = timed(|| semnav::discover::discover(&ws.root, &ws.options));
    let found = found?;
    let (entries, decode_secs) = timed(|| ws.store.files().collect::<Result<Vec<_>>>());
    let entries = entries?;
    let (_, lookup_secs) = timed(|| found.files.iter().try_for_each(|f| ws.store.file(&f.rel_path).map(drop)));
    let hashes: Vec<_> = entries.iter().flat_map(|(_, e)| e.chunks.iter().map(|c| c.text_hash)).collect();
    let (_, has_secs) = timed(|| hashes.iter().try_for_each(|h| ws.store.has_vector(h).map(drop)));
    let step = |label: String, secs: f64| vec![label, fmt_secs(secs), "".into(), "".into(), "".into()];
    print_table(
        &[&format!("no-change refresh, {file_count} files, {repeats} runs"), "median", "min", "max", "goal"],
        &[
            vec!["Workspace::refresh".into(), fmt_secs(times.median()), fmt_secs(times.min()), fmt_secs(times.max()), "< 0.5 s".into()],
            step(format!("  step: discover() walk ({} files)", found.files.len()), walk_secs),
            step(format!("  step: store.files(), decode all {} entries", entries.len()), decode_secs),
            step(format!("  step: store.file() for each of {} paths", found.files.len()), lookup_secs),
            step(format!("  step: store.has_vector() for each of {} chunks", hashes.len()), has_secs),
        ],
    );
    if reread > 0 {
        println!("\n  note: the no-change refreshes read {reread} files again in all (expected 0)");
    }
    memory.push(vec![format!("(b) {file_count} files, stub embedder"), fmt_mib(peak_rss_mib()), fmt_mib(rss_mib()), "".into(), reset.to_string()]);
    Ok(())
}

fn main() -> Result<()> {
    common::without_machine_vector_cache();
    let threads = common::threads();
    let file_count = env_usize("SEMNAV_BENCH_FILES", 10_000);
    let repeats = env_usize("SEMNAV_BENCH_REPEATS", 5).max(1);
    let mut memory = vec![vec!["start".into(), fmt_mib(peak_rss_mib()), fmt_mib(rss_mib()), "-".into(), "-".into()]];
    if env_flag("SEMNAV_BENCH_SKIP_MODEL") {
        println!("\n(a) skipped (SEMNAV_BENCH_SKIP_MODEL)");
    } else {
        real_crate(threads, &mut memory)?;
        memory.last_mut().expect("a row")[3] = fmt_mib(rss_mib());
    }
    many_files(file_count, repeats, &mut memory)?;
    memory.last_mut().expect("a row")[3] = fmt_mib(rss_mib());
    print_table(&["(c) memory", "peak RSS (VmHWM)", "RSS at end", "RSS after drop", "peak reset before part"], &memory);
    Ok(())
}
