//! The language server's hot paths, without the protocol:
//! (a) a one-line edit in a 5,000-line file: `Document::apply` (rope + text +
//!     incremental reparse + re-chunk: the work the goal p50 ≤ 1 ms is
//!     about) and its parts timed apart; `Engine::change`, what the
//!     `didChange` handler does before it returns (the text and tree edit),
//!     and `Engine::catch_up`, the reparse, re-chunk and index update that
//!     follow in a blocking task; the same edits in the file without its
//!     doc comments (which slow tree-sitter's reparse: see `main`), in a
//!     Java file that is one class (re-chunked among its members), and in
//!     two real Rust files of about 5,000 lines from the cargo registry
//!     (clap's `Command`, regex-automata's dense DFA, at the versions
//!     Cargo.lock pins);
//! (b) edit → searchable with the real model: type a new function into an
//!     open buffer, wait until its vector is in the index, then search for it
//!     (goal ≤ debounce + 50 ms; debounce 300 ms by default);
//! (c) the same while another workspace root is cold-indexed with the model
//!     (`SEMNAV_BENCH_COLD_CHUNKS` chunks, default 400).
//!
//! Run: `cargo bench --bench lsp`. Sizes: `SEMNAV_BENCH_LINES` (default 5000),
//! `SEMNAV_BENCH_EDITS` (default 300), `SEMNAV_BENCH_TRIALS` (default 5),
//! `SEMNAV_BENCH_SKIP_MODEL=1` (only part a).

mod common;

use std::time::{Duration, Instant};

use common::{env_flag, env_usize, fmt_secs, timed, Samples};
use semnav::chunk::{self, EditSummary, Rechunked};
use semnav::document::{Change, Document};
use semnav::embed::{EmbedWorker, StubEmbedder};
use semnav::engine::{Engine, Settings};
use semnav::index::NoProgress;
use semnav::lang::Language;
use semnav::position::{apply_change, Encoding, LinePos};
use semnav::search::Filters;
use semnav_e2e::Fixture;

/// A Rust file of about `lines` lines of 8-line functions, each after a doc
/// comment or, without `doc_comments`, after a blank line.
fn rust_file(lines: usize, doc_comments: bool) -> String {
    let mut s = String::new();
    let mut i = 0;
    while s.lines().count() < lines {
        let doc = if doc_comments { format!("/// Adds item {i} to the total.") } else { String::new() };
        s.push_str(&format!("{doc}\npub fn accumulate_{i}(total: &mut u64, items: &[u64]) -> u64 {{\n    for x in items {{\n        *total += x * {i};\n    }}\n    *total\n}}\n\n"));
        i += 1;
    }
    s
}

/// A Java file of about `lines` lines that is one class: its chunk is only
/// its header, its methods are chunks of their own.
fn java_file(lines: usize) -> String {
    let mut s = String::from("public class Accumulators {\n");
    let mut i = 0;
    while s.lines().count() + 1 < lines {
        s.push_str(&format!("    /** Adds item {i} to the total. */\n    public long accumulate{i}(long total, long[] items) {{\n        for (long x : items) {{\n            total += x * {i};\n        }}\n        return total;\n    }}\n\n"));
        i += 1;
    }
    s.push_str("}\n");
    s
}

/// Edit `k`: type a character inside a function body, somewhere in the file.
/// In both files a unit is 8 lines; its line 3 is `total += …`, whose first
/// character is at `column` (typing there renames `total`).
fn one_line_edit(k: usize, lines: usize, first_line: usize, column: u32) -> Change {
    let line = (k * 7919) % (lines - 2 - first_line) / 8 * 8 + 3 + first_line;
    Change { range: Some((LinePos::new(line as u32, column), LinePos::new(line as u32, column))), text: "x".into() }
}

/// The Rust file's edit `k` (its units start at line 0, `*total` at column 8).
fn rust_edit(k: usize, lines: usize) -> Change {
    one_line_edit(k, lines, 0, 8)
}

/// Real files the edits of part (a) are also timed on: (crate, file).
const REAL_RUST_FILES: [(&str, &str); 2] = [("clap_builder", "src/builder/command.rs"), ("regex-automata", "src/dfa/dense.rs")];

/// A real file of a crate in Cargo.lock, and where in it an edit may type:
/// just before the name a `let` binds, on a line of code (renaming the
/// binding keeps the syntax valid, as in the other files).
fn real_rust_file(crate_name: &str, rel: &str) -> (String, String, Vec<LinePos>) {
    let (crate_name, dir) = common::registry_crate(&[crate_name]);
    let path = dir.join(rel);
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut places = Vec::new();
    for (line, text) in source.lines().enumerate() {
        let code = text.trim_start();
        if code.starts_with("//") {
            continue;
        }
        let Some(at) = text.find("let ") else { continue };
        let name = at + 4 + if text[at + 4..].starts_with("mut ") { 4 } else { 0 };
        if text[name..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            places.push(LinePos::new(line as u32, text[..name].encode_utf16().count() as u32));
        }
    }
    assert!(places.len() > 50, "{}: only {} `let` lines", path.display(), places.len());
    (format!("{crate_name}/{rel}"), source, places)
}

fn report(name: &str, s: &Samples) {
    println!("  {name:<55} p50 {:>10}  p99 {:>10}  max {:>10}", fmt_secs(s.median()), fmt_secs(s.pct(99.0)), fmt_secs(s.max()));
}

/// The parts of `Document::apply`, timed one by one on the same edits: how
/// much is tree-sitter's, and what re-chunking only around the edit saves
/// over re-chunking the whole file.
fn breakdown(language: Language, source: &str, edits: usize, edit: impl Fn(usize) -> Change) {
    let grammar = language.grammar().unwrap();
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&grammar).unwrap();
    let mut rope = Document::open(None, source.to_string(), 1, usize::MAX).rope().clone();
    let mut text = source.to_string();
    let mut tree = parser.parse(&text, None).unwrap();
    let mut chunks = chunk::chunk_tree(language, &tree, &text);
    let (mut buffer, mut reparse, mut changed, mut region, mut whole) = Default::default();
    let mut region_bytes = Samples::default();
    for k in 0..edits {
        let change = edit(k);
        let (edit, took) = timed(|| {
            let edit = apply_change(&mut rope, change.range, &change.text, Encoding::Utf16);
            let mut summary = EditSummary::empty();
            summary.add_replacement(edit.start_byte, &text[edit.start_byte..edit.old_end_byte], &change.text);
            text.replace_range(edit.start_byte..edit.old_end_byte, &change.text);
            (edit, summary)
        });
        Samples::push(&mut buffer, took);
        let (applied, mut summary) = edit;
        tree.edit(&applied.input_edit);
        let (new_tree, took) = timed(|| parser.parse(&text, Some(&tree)).unwrap());
        Samples::push(&mut reparse, took);
        let (ranges, took) = timed(|| tree.changed_ranges(&new_tree).collect::<Vec<_>>());
        Samples::push(&mut changed, took);
        for r in ranges {
            summary.add_dirty(r.start_byte..r.end_byte);
        }
        let (how, took) = timed(|| chunk::rechunk_tree_in_place(language, &mut chunks, &new_tree, &text, &summary));
        Samples::push(&mut region, took);
        if let Rechunked::Region { bytes: r, .. } = how {
            region_bytes.push(r.len() as f64);
        }
        let (all, took) = timed(|| chunk::chunk_tree(language, &new_tree, &text));
        Samples::push(&mut whole, took);
        assert_eq!(all, chunks, "re-chunking around the edit must equal re-chunking the whole file");
        tree = new_tree;
    }
    println!("    of which, timed apart on the same edits:");
    report("  rope + text edit", &buffer);
    report("  tree-sitter incremental reparse", &reparse);
    report("  tree-sitter changed_ranges", &changed);
    report("  re-chunk around the edit (rechunk_tree_in_place)", &region);
    println!(
        "      re-chunked a region for {} of {edits} edits, median {} bytes of {}",
        region_bytes.0.len(),
        region_bytes.median() as usize,
        text.len()
    );
    report("  for comparison: re-chunk the whole file (chunk_tree)", &whole);
    println!("      whole / around the edit, p50: {:.1}×", whole.median() / region.median());
}

/// `Document::apply` on `edits` edits of `source`, then its parts timed
/// apart ([`breakdown`]).
fn time_document(language: Language, source: &str, edits: usize, edit: impl Fn(usize) -> Change) {
    let mut doc = Document::open(Some(language), source.to_string(), 1, 1 << 22);
    println!("  chunks in the file: {}", doc.chunks().len());
    let mut apply = Samples::default();
    for k in 0..edits {
        let change = edit(k);
        let start = Instant::now();
        doc.apply(&[change], k as i32 + 2, Encoding::Utf16);
        apply.push_duration(start.elapsed());
    }
    report("Document::apply (apply + reparse + re-chunk)", &apply);
    breakdown(language, source, edits, edit);
}

fn main() {
    common::without_machine_vector_cache();
    let lines = env_usize("SEMNAV_BENCH_LINES", 5000);
    let edits = env_usize("SEMNAV_BENCH_EDITS", 300);
    let source = rust_file(lines, true);
    println!("== lsp (a): one-line edit in a {lines}-line Rust file, {edits} edits ==");

    time_document(Language::Rust, &source, edits, |k| rust_edit(k, lines));

    let fixture = Fixture::new();
    fixture.write("big.rs", &source);
    let (engine, key, _) = engine_with_open_file(&fixture, "big.rs", |s| Engine::with_worker(s, EmbedWorker::spawn(Box::new(StubEmbedder::new())).unwrap()));
    engine.catch_up(&key);
    let (mut change, mut catch_up) = (Samples::default(), Samples::default());
    for k in 0..edits {
        let start = Instant::now();
        engine.change(&key, &[rust_edit(k, lines)], k as i32 + 2, Encoding::Utf16).unwrap();
        change.push_duration(start.elapsed());
        let start = Instant::now();
        assert!(engine.catch_up(&key), "nothing else edits the document");
        catch_up.push_duration(start.elapsed());
    }
    report("Engine::change: the didChange handler's share", &change);
    report("Engine::catch_up: reparse, re-chunk, index, after it", &catch_up);

    // tree-sitter-rust parses a comment as an extra with children (`//`, the
    // doc marker, the text). After one, tree-sitter 0.25 re-lexes the next
    // token and rebuilds the item that follows from its children instead of
    // reusing it whole (its debug log, one reparse after a one-character
    // edit in the file above: ~620 `function_item` reductions and ~620
    // re-lexed tokens, one per function), so a reparse costs per item of the
    // file. Without the comments it reuses items whole.
    let plain = rust_file(lines, false);
    println!("\n  the same edits in the Rust file without its doc comments (a blank line each):");
    time_document(Language::Rust, &plain, edits, |k| rust_edit(k, lines));

    // The same edits inside one big class: re-chunked among its members.
    let java = java_file(lines);
    println!("\n  the same in a {lines}-line Java file that is one class:");
    time_document(Language::Java, &java, edits, |k| one_line_edit(k, lines, 1, 12));

    // Real code: long doc comments with examples, functions of all sizes
    // in `impl` blocks.
    for (crate_name, rel) in REAL_RUST_FILES {
        let (name, real, places) = real_rust_file(crate_name, rel);
        println!("\n  a one-character rename of a `let` binding in {name} ({} lines, {} such places):", real.lines().count(), places.len());
        let edit = |k: usize| {
            let at = places[(k * 7919) % places.len()];
            Change { range: Some((at, at)), text: "x".into() }
        };
        time_document(Language::Rust, &real, edits, edit);
    }

    if env_flag("SEMNAV_BENCH_SKIP_MODEL") {
        return;
    }
    let trials = env_usize("SEMNAV_BENCH_TRIALS", 5);
    println!("\n== lsp (b): edit → searchable, real model, {trials} trials ==");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let fixture = Fixture::new();
    fixture.write("lib.rs", "/// Adds two numbers.\npub fn add(a: i32, b: i32) -> i32 { a + b }\n");
    fixture.write("net.py", "def fetch(url):\n    import urllib.request\n    return urllib.request.urlopen(url).read()\n");
    let (engine, key, opened) = engine_with_open_file(&fixture, "lib.rs", Engine::new);
    let debounce = engine.settings().debounce_ms;
    rt.block_on(engine.embed_document(&key, opened));
    let (mut latency, mut answered) = (Samples::default(), Samples::default());
    for t in 0..trials {
        let (start, noun, name, _) = type_function(&rt, &engine, &key, t);
        // Searchable: the new chunk's vector is in the index (nothing is
        // pending any more); polled cheaply, so the figure is not rounded up
        // to the length of a search. Then one search must find it.
        while engine.indexing() {
            assert!(start.elapsed() < Duration::from_secs(60), "never searchable");
            std::thread::sleep(Duration::from_millis(1));
        }
        latency.push_duration(start.elapsed());
        let found = rt.block_on(engine.search(&format!("compress the {noun} into a zip archive"), &Filters::default(), 5)).unwrap();
        assert!(found.iter().any(|a| a.name.as_deref() == Some(&name)), "{name} not found once searchable: {found:?}");
        answered.push_duration(start.elapsed());
    }
    report(&format!("edit → searchable (vector in the index, debounce {debounce} ms)"), &latency);
    report("edit → answer of a search that finds it", &answered);
    println!("  goal: ≤ debounce + 50 ms = {} ms", debounce + 50);

    // (c) The same typing while another root is cold-indexed with the real
    // model: typed text must not wait for its batches.
    let cold_chunks = env_usize("SEMNAV_BENCH_COLD_CHUNKS", 400);
    let cold = Fixture::new();
    let (mut files, mut chunks) = (0, 0);
    while chunks < cold_chunks {
        let text = common::synth::file(Language::Python, files, files * 25, 25);
        chunks += chunk::chunk_source(Language::Python, &text).len();
        cold.write(&format!("store_{files}.py"), text);
        files += 1;
    }
    println!("\n== lsp (c): edit → searchable while another root of {chunks} chunks is cold-indexed, {trials} trials ==");
    let cold_root = engine.add_root(cold.path()).unwrap();
    let indexer = {
        let (e, r) = (engine.clone(), cold_root.clone());
        std::thread::spawn(move || e.refresh_root(&r, &NoProgress).map(|_| ()))
    };
    // Until the model is inside the indexing batches.
    std::thread::sleep(Duration::from_secs(3));
    let (mut latency, mut during) = (Samples::default(), 0);
    for t in trials..2 * trials {
        let (start, _, _, line) = type_function(&rt, &engine, &key, t);
        // `indexing` is true all along: wait for the new chunk's vector.
        while !matches!(engine.similar_stored(&key, line, 1), Ok(Some(_))) {
            assert!(start.elapsed() < Duration::from_secs(120), "never searchable");
            std::thread::sleep(Duration::from_millis(1));
        }
        latency.push_duration(start.elapsed());
        during += usize::from(cold_root.indexing.load(std::sync::atomic::Ordering::SeqCst));
    }
    report(&format!("edit → searchable during the cold index (debounce {debounce} ms)"), &latency);
    println!("  trials that ended while the cold index still ran: {during} of {trials}");
    indexer.join().unwrap().unwrap();
}

/// An engine, made by `make` with its index in `fixture`'s index directory,
/// over `fixture`'s workspace (indexed from disk) with its file `rel` open as
/// on disk. Returns it, the document's key and the generation of its opening.
fn engine_with_open_file(fixture: &Fixture, rel: &str, make: impl FnOnce(Settings) -> Engine) -> (std::sync::Arc<Engine>, String, u64) {
    let engine = std::sync::Arc::new(make(Settings { index_dir: Some(fixture.index_dir().to_path_buf()), ..Settings::default() }));
    if let Some(e) = engine.model_error() {
        panic!("the model is needed: {e}");
    }
    let root = engine.add_root(fixture.path()).unwrap();
    engine.refresh_root(&root, &NoProgress).unwrap();
    let path = fixture.path().canonicalize().unwrap().join(rel);
    let key = path.to_string_lossy().to_string();
    let opened = engine.open(&key, Some(&path), fixture.read(rel), 1);
    (engine, key, opened)
}

/// Types trial `t`'s new function at the end of open document `key` and
/// schedules what the server would: the reparse in a blocking task, then the
/// debounced embedding. Returns when it was typed, its noun, its name and
/// its first line.
fn type_function(rt: &tokio::runtime::Runtime, engine: &std::sync::Arc<Engine>, key: &str, t: usize) -> (Instant, &'static str, String, u32) {
    const WORDS: [&str; 7] = ["invoice", "sensor", "playlist", "recipe", "ticket", "garden", "parcel"];
    let noun = WORDS[t % WORDS.len()];
    let text = format!("\npub fn archive_{noun}_{t}(item: &str) -> std::io::Result<()> {{\n    let mut zip = zip::ZipWriter::new(std::fs::File::create(\"{noun}.zip\")?);\n    zip.start_file(item, Default::default())?;\n    zip.finish()?;\n    Ok(())\n}}\n");
    let end = engine.rope(key).unwrap().len_lines() as u32 - 1;
    let start = Instant::now();
    let generation = engine.change(key, &[Change { range: Some((LinePos::new(end, 0), LinePos::new(end, 0))), text }], t as i32 + 2, Encoding::Utf16).unwrap();
    let (e, k) = (engine.clone(), key.to_string());
    rt.spawn_blocking(move || e.catch_up(&k));
    let (e, k) = (engine.clone(), key.to_string());
    rt.spawn(async move { e.embed_document(&k, generation).await });
    (start, noun, format!("archive_{noun}_{t}"), end + 1)
}
