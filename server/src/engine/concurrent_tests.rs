//! A model-based, randomized test of the engine under concurrency: several
//! tokio tasks drive one engine the way the LSP layer does (an edit applied at
//! once, its reparse in a blocking task, its debounced embedding in another
//! task; closes and watched-file events re-reading the disk in blocking tasks)
//! while a model keeps each buffer's text. After every request, and at every
//! quiescent point, every chunk the index holds for a file equals chunking the
//! file's current text from scratch.
//!
//! Each editor task owns one open document, so the text its requests must
//! match is known exactly while the others edit, search and re-read files
//! around it; one more task rewrites and deletes files that are not open,
//! sends watched-file events (for open files too, which must change nothing)
//! and reindexes. A seed fixes every task's actions, not the interleaving:
//! a failure prints its seed, and `SEMNAV_SEED=n` reruns exactly that seed.
//! `SEMNAV_SEEDS=n` runs the long campaign (`--ignored`).
//!
//! "From scratch" is [`crate::document::check_chunks`]: a fresh parse when
//! the document's tree has no syntax error, else chunking the document's own
//! tree whole (a parse from scratch may recover from an error differently:
//! invariant 7). Must not: use the real model (a stub embedder: meaning does
//! not matter here) or assert timings.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use ropey::Rope;

use super::*;
use crate::chunk::chunk_source;
use crate::document::check_chunks;
use crate::embed::StubEmbedder;
use crate::index::NoProgress;
use crate::position::pos_of_char;
use crate::search::Filters;

/// Seeds run by the default test: bounded for CI.
const DEFAULT_SEEDS: u64 = 12;
const ROUNDS: usize = 2;
const EDITOR_ACTIONS: usize = 30;
const DISTURBER_ACTIONS: usize = 15;

/// The files the editor tasks own, one each.
const EDITED: [(&str, Language); 3] = [("src/lib.rs", Language::Rust), ("app/jobs.py", Language::Python), ("web/cart.ts", Language::TypeScript)];
/// Files nobody opens: rewritten and deleted on disk by the disturber.
const ON_DISK: [(&str, Language); 2] = [("disk/util.rs", Language::Rust), ("disk/tasks.py", Language::Python)];

/// A range of lines as a result or the index shows it.
type Shape = (&'static str, Option<String>, u32, u32);

fn shapes(chunks: &[crate::chunk::Chunk]) -> Vec<Shape> {
    chunks.iter().map(|c| (c.kind.as_str(), c.name.clone(), c.start_line, c.end_line)).collect()
}

fn function(language: Language, n: usize) -> String {
    match language {
        Language::Rust => format!("/// Adds {n} to a.\nfn add_{n}(a: u32) -> u32 {{\n    a + {n}\n}}\n\n"),
        Language::Python => format!("def add_{n}(a):\n    \"\"\"Adds {n} to a.\"\"\"\n    return a + {n}\n\n\n"),
        _ => format!("/** Adds {n} to a. */\nexport function add{n}(a: number): number {{\n  return a + {n};\n}}\n\n"),
    }
}

/// A container of `members` methods (an impl, a class).
fn container(language: Language, n: usize, members: usize) -> String {
    let body: String = (0..members)
        .map(|i| match language {
            Language::Rust => format!("    /// Gets {i}.\n    pub fn get_{i}(&self) -> u32 {{\n        self.values[{i}]\n    }}\n\n"),
            Language::Python => format!("    def get_{i}(self):\n        return self.values[{i}]\n\n"),
            _ => format!("  get{i}(): number {{\n    return this.values[{i}];\n  }}\n\n"),
        })
        .collect();
    match language {
        Language::Rust => format!("impl Cart{n} {{\n{body}}}\n\n"),
        Language::Python => format!("class Cart{n}:\n{body}\n"),
        _ => format!("class Cart{n} {{\n{body}}}\n\n"),
    }
}

fn comment(language: Language) -> &'static str {
    if language == Language::Python {
        "# a note\n"
    } else {
        "// a note\n"
    }
}

fn source(language: Language, rng: &mut StdRng) -> String {
    let mut text: String = (0..rng.random_range(0..12)).map(|n| function(language, n)).collect();
    if rng.random_bool(0.5) {
        text.push_str(&container(language, 0, rng.random_range(1..20)));
    }
    text
}

/// Replaces chars `start..end` of `text` by `with`; the change an editor
/// sends for it (UTF-16 positions).
fn replace(text: &mut String, start: usize, end: usize, with: &str) -> Change {
    let rope = Rope::from_str(text);
    let (start, end) = (start.min(rope.len_chars()), end.min(rope.len_chars()));
    let range = (pos_of_char(&rope, start, Encoding::Utf16), pos_of_char(&rope, end, Encoding::Utf16));
    text.replace_range(rope.char_to_byte(start)..rope.char_to_byte(end), with);
    Change { range: Some(range), text: with.to_string() }
}

fn line_start(text: &str, line: usize) -> usize {
    let rope = Rope::from_str(text);
    rope.line_to_char(line.min(rope.len_lines() - 1))
}

fn lines(text: &str) -> usize {
    Rope::from_str(text).len_lines()
}

/// One random change of `text` (which it applies).
fn random_change(rng: &mut StdRng, language: Language, text: &mut String, counter: &mut usize) -> Change {
    let chars = text.chars().count();
    let at_line = |rng: &mut StdRng, text: &str| line_start(text, rng.random_range(0..lines(text)));
    match rng.random_range(0..8) {
        0 => {
            let at = at_line(rng, text);
            replace(text, at, at, &"\n".repeat(rng.random_range(1..4)))
        }
        1 => {
            let at = at_line(rng, text);
            replace(text, at, at, &comment(language).repeat(rng.random_range(1..3)))
        }
        2 => {
            let first = rng.random_range(0..lines(text));
            let (start, end) = (line_start(text, first), line_start(text, first + rng.random_range(1..6)));
            replace(text, start, end, "")
        }
        3 => {
            let at = rng.random_range(0..=chars);
            let piece = ["x", " ", "{", "}", "(", ")", "\n", "é", "😀", ":", "  ", "return 1;"][rng.random_range(0..12)];
            replace(text, at, at, piece)
        }
        4 => {
            let at = rng.random_range(0..=chars);
            replace(text, at, at + rng.random_range(1..12), "")
        }
        5 | 6 => {
            let at = at_line(rng, text);
            let pasted: String = (0..rng.random_range(1..20)).map(|_| function(language, next(counter))).collect();
            replace(text, at, at, &pasted)
        }
        _ => {
            let at = at_line(rng, text);
            replace(text, at, at, &container(language, next(counter), rng.random_range(1..25)))
        }
    }
}

fn next(counter: &mut usize) -> usize {
    *counter += 1;
    *counter
}

/// The one change that turns `text` into `to`, as an editor's undo sends it:
/// the span between their common prefix and suffix.
fn revert(text: &mut String, to: &str) -> Change {
    let (a, b): (Vec<char>, Vec<char>) = (text.chars().collect(), to.chars().collect());
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..].iter().rev().zip(b[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
    let with: String = b[prefix..b.len() - suffix].iter().collect();
    replace(text, prefix, a.len() - suffix, &with)
}

/// What the LSP layer does after `didOpen` and `didChange`.
fn schedule_catch_up(engine: &Arc<Engine>, key: &str, generation: u64) {
    let (parser, parse_key) = (engine.clone(), key.to_string());
    tokio::task::spawn_blocking(move || parser.catch_up(&parse_key));
    let (embedder, key) = (engine.clone(), key.to_string());
    tokio::spawn(async move { embedder.embed_document(&key, generation).await });
}

/// What the LSP layer does for a watched-file event (and after `didClose`).
async fn file_event(engine: &Arc<Engine>, path: PathBuf) -> Result<(), String> {
    let e = engine.clone();
    let shown = path.display().to_string();
    tokio::task::spawn_blocking(move || e.file_changed(&path)).await.map_err(|e| format!("file_changed({shown}) panicked: {e}"))?.map_err(|e| format!("file_changed({shown}): {e:#}"))
}

/// An open buffer and what the model knows of it.
struct Buffer {
    key: String,
    path: PathBuf,
    rel: String,
    language: Language,
    text: String,
    version: i32,
    history: Vec<String>,
    open: bool,
}

impl Buffer {
    fn send(&mut self, engine: &Arc<Engine>, changes: Vec<Change>) -> Result<(), String> {
        self.version += 1;
        let generation = engine.change(&self.key, &changes, self.version, Encoding::Utf16).map_err(|e| format!("didChange: {e:#}"))?;
        schedule_catch_up(engine, &self.key, generation);
        self.history.push(self.text.clone());
        if self.history.len() > 20 {
            self.history.remove(0);
        }
        Ok(())
    }
}

/// The check after a request: the document holds the model's text, is caught
/// up, its chunks equal chunking it from scratch, the index holds exactly
/// those chunks for its file, and every answer in the file is one of them.
fn check_open(engine: &Engine, root: &Root, buffer: &Buffer, answers: &[Answer], what: &str) -> Result<(), String> {
    let expected = {
        let entry = engine.docs.get(&buffer.key).ok_or_else(|| format!("{what}: {} is not open", buffer.rel))?;
        if entry.doc.text() != buffer.text {
            return Err(format!("{what}: the engine's text of {} is not the buffer's", buffer.rel));
        }
        if entry.doc.is_stale() {
            return Err(format!("{what}: {} is still stale after a request", buffer.rel));
        }
        check_chunks(&entry.doc).map_err(|e| format!("{what}: {}: {e}", buffer.rel))?;
        shapes(entry.doc.chunks())
    };
    let held = held_shapes(root, &buffer.rel);
    if held != expected {
        return Err(format!("{what}: the index's chunks of {} are not the buffer's\nindex:  {held:?}\nbuffer: {expected:?}\ntext:\n{}", buffer.rel, buffer.text));
    }
    for a in answers.iter().filter(|a| a.path == buffer.path) {
        let shape = (a.kind, a.name.clone(), a.start_line, a.end_line);
        if !expected.contains(&shape) {
            return Err(format!("{what}: an answer in {} is no chunk of the buffer: {shape:?}\nbuffer: {expected:?}", buffer.rel));
        }
    }
    Ok(())
}

fn held_shapes(root: &Root, rel: &str) -> Vec<Shape> {
    let index = root.index.read().unwrap_or_else(|e| e.into_inner());
    index.chunks_of(rel).iter().map(|&id| &index.chunk(id).chunk).map(|c| (c.kind.as_str(), c.name.clone(), c.start_line, c.end_line)).collect()
}

/// A file that is not open: the index holds chunking its disk text from
/// scratch (nothing when it does not exist).
fn check_disk(root: &Root, rel: &str, language: Language, what: &str) -> Result<(), String> {
    let expected = std::fs::read_to_string(root.path.join(rel)).map(|t| shapes(&chunk_source(language, &t))).unwrap_or_default();
    let held = held_shapes(root, rel);
    if held != expected {
        return Err(format!("{what}: the index's chunks of {rel} are not its disk text's\nindex: {held:?}\ndisk:  {expected:?}"));
    }
    Ok(())
}

async fn editor(engine: Arc<Engine>, root: Arc<Root>, reindexing: Arc<AtomicBool>, mut buffer: Buffer, seed: u64, round: usize) -> Result<Buffer, String> {
    let mut rng = StdRng::seed_from_u64(seed ^ (round as u64) << 32 ^ blake3::hash(buffer.rel.as_bytes()).as_bytes()[0] as u64);
    let mut counter = 1000 * (round + 1);
    for step in 0..EDITOR_ACTIONS {
        let what = format!("round {round}, {} step {step}", buffer.rel);
        if !buffer.open {
            let text = std::fs::read_to_string(&buffer.path).map_err(|e| format!("{what}: {e}"))?;
            buffer.text = text.clone();
            buffer.version += 1;
            let generation = engine.open(&buffer.key, Some(&buffer.path), text, buffer.version);
            schedule_catch_up(&engine, &buffer.key, generation);
            buffer.open = true;
        }
        match rng.random_range(0..100) {
            0..=29 => {
                let changes = (0..rng.random_range(1..4)).map(|_| random_change(&mut rng, buffer.language, &mut buffer.text, &mut counter)).collect();
                buffer.send(&engine, changes)?;
            }
            30..=37 => {
                // A function typed a few characters at a time, with requests
                // and pauses between keystrokes.
                let typed = function(buffer.language, next(&mut counter));
                let mut at = line_start(&buffer.text, rng.random_range(0..lines(&buffer.text)));
                let chars: Vec<char> = typed.chars().collect();
                let mut i = 0;
                while i < chars.len() {
                    let n = rng.random_range(1..7).min(chars.len() - i);
                    let piece: String = chars[i..i + n].iter().collect();
                    let change = replace(&mut buffer.text, at, at, &piece);
                    buffer.send(&engine, vec![change])?;
                    (at, i) = (at + n, i + n);
                    if rng.random_bool(0.15) {
                        let answers = engine.search("adds a number", &Filters::default(), 10).await.map_err(|e| format!("{what}: search: {e:#}"))?;
                        check_open(&engine, &root, &buffer, &answers, &format!("{what} (typing)"))?;
                    }
                    pause(&mut rng).await;
                }
            }
            38..=44 if !buffer.history.is_empty() => {
                let to = buffer.history[rng.random_range(0..buffer.history.len())].clone();
                let change = revert(&mut buffer.text, &to);
                buffer.send(&engine, vec![change])?;
            }
            45..=46 => {
                buffer.text = source(buffer.language, &mut rng);
                buffer.send(&engine, vec![Change { range: None, text: buffer.text.clone() }])?;
            }
            47..=66 => {
                let query = ["adds a number", "get values", "a note", "Cart", "add_3", "return this value"][rng.random_range(0..6)];
                let answers = engine.search(query, &Filters::default(), rng.random_range(1..30)).await.map_err(|e| format!("{what}: search: {e:#}"))?;
                check_open(&engine, &root, &buffer, &answers, &format!("{what} (search {query:?})"))?;
            }
            67..=74 => {
                let line = rng.random_range(0..lines(&buffer.text) as u32 + 2);
                // A line outside every chunk is an error answer, not a failure.
                let answers = engine.similar(&buffer.key, line, 10).await.unwrap_or_default();
                check_open(&engine, &root, &buffer, &answers, &format!("{what} (findSimilar line {line})"))?;
            }
            75..=80 => {
                let line = rng.random_range(0..lines(&buffer.text) as u32);
                let answers = engine.similar_stored(&buffer.key, line, 3).ok().flatten().unwrap_or_default();
                check_open(&engine, &root, &buffer, &answers, &format!("{what} (hover line {line})"))?;
            }
            81..=87 => {
                // Code lenses, then resolving a few of them.
                let lenses = engine.definitions(&buffer.key);
                let mut answers = Vec::new();
                for lens in lenses.iter().take(3) {
                    answers.extend(engine.similar_stored(&buffer.key, lens.start_line, 10).ok().flatten().unwrap_or_default());
                }
                check_open(&engine, &root, &buffer, &answers, &format!("{what} (code lens)"))?;
                let expected: Vec<Shape> = shapes(&lenses);
                let defined: Vec<Shape> = held_shapes(&root, &buffer.rel).into_iter().filter(|s| lenses.iter().any(|l| l.start_line == s.2 && l.name == s.1)).collect();
                if defined.len() != expected.len() {
                    return Err(format!("{what} (code lens): lenses {expected:?} are not all definitions in the index"));
                }
            }
            88..=92 => {
                // didSave: the editor writes the buffer, the watcher reports it.
                std::fs::write(&buffer.path, &buffer.text).map_err(|e| format!("{what}: {e}"))?;
                file_event(&engine, buffer.path.clone()).await.map_err(|e| format!("{what}: {e}"))?;
            }
            93..=95 => {
                // didClose: the disk is the truth again; reopened next step.
                if let Some(path) = engine.close(&buffer.key) {
                    file_event(&engine, path).await.map_err(|e| format!("{what}: {e}"))?;
                }
                buffer.open = false;
                if !reindexing.load(Ordering::SeqCst) {
                    check_disk(&root, &buffer.rel, buffer.language, &format!("{what} (closed)"))?;
                }
            }
            _ => pause(&mut rng).await,
        }
        pause(&mut rng).await;
    }
    Ok(buffer)
}

/// Rewrites and deletes files nobody opens, sends watched-file events (for
/// open files too), reindexes, searches with filters.
async fn disturber(engine: Arc<Engine>, root: Arc<Root>, reindexing: Arc<AtomicBool>, seed: u64, round: usize) -> Result<(), String> {
    let mut rng = StdRng::seed_from_u64(seed.wrapping_mul(31) ^ round as u64);
    let mut reindex: Option<tokio::task::JoinHandle<()>> = None;
    for step in 0..DISTURBER_ACTIONS {
        let what = format!("round {round}, disturber step {step}");
        let (rel, language) = ON_DISK[rng.random_range(0..ON_DISK.len())];
        let path = root.path.join(rel);
        match rng.random_range(0..10) {
            0..=3 => {
                std::fs::create_dir_all(path.parent().unwrap()).map_err(|e| e.to_string())?;
                std::fs::write(&path, source(language, &mut rng)).map_err(|e| e.to_string())?;
                file_event(&engine, path).await.map_err(|e| format!("{what}: {e}"))?;
                if !reindexing.load(Ordering::SeqCst) {
                    check_disk(&root, rel, language, &what)?;
                }
            }
            4 => {
                let _ = std::fs::remove_file(&path);
                file_event(&engine, path).await.map_err(|e| format!("{what}: {e}"))?;
                if !reindexing.load(Ordering::SeqCst) {
                    check_disk(&root, rel, language, &what)?;
                }
            }
            5 => {
                // An event for a file open in an editor: its buffer wins.
                let (rel, _) = EDITED[rng.random_range(0..EDITED.len())];
                file_event(&engine, root.path.join(rel)).await.map_err(|e| format!("{what}: {e}"))?;
            }
            6 if reindex.as_ref().is_none_or(|r| r.is_finished()) => {
                let (e, r, flag) = (engine.clone(), root.clone(), reindexing.clone());
                flag.store(true, Ordering::SeqCst);
                reindex = Some(tokio::task::spawn_blocking(move || {
                    if let Err(err) = e.refresh_root(&r, &NoProgress) {
                        tracing::warn!("reindex: {err:#}");
                    }
                    flag.store(false, Ordering::SeqCst);
                }));
            }
            7 | 8 => {
                let mut filters = Filters { languages: vec![language], ..Filters::default() };
                if rng.random_bool(0.5) {
                    filters.globs = Some(globset::GlobSetBuilder::new().add(globset::Glob::new("disk/**").unwrap()).build().unwrap());
                }
                engine.search("adds a number", &filters, 10).await.map_err(|e| format!("{what}: search: {e:#}"))?;
            }
            _ => {}
        }
        pause(&mut rng).await;
    }
    if let Some(r) = reindex {
        r.await.map_err(|e| format!("reindex panicked: {e}"))?;
    }
    Ok(())
}

async fn pause(rng: &mut StdRng) {
    match rng.random_range(0..10) {
        0..=2 => tokio::time::sleep(Duration::from_micros(rng.random_range(0..3000))).await,
        3..=5 => tokio::task::yield_now().await,
        _ => {}
    }
}

/// Waits until no work that changes answers is under way, then checks every
/// file: open ones against their buffers, the others against the disk.
async fn check_quiescent(engine: &Engine, root: &Root, buffers: &[Buffer], what: &str) -> Result<(), String> {
    let started = Instant::now();
    while engine.indexing() {
        if started.elapsed() > Duration::from_secs(60) {
            return Err(format!("{what}: still indexing after a minute"));
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    for buffer in buffers {
        if buffer.open {
            check_open(engine, root, buffer, &[], what)?;
        } else {
            check_disk(root, &buffer.rel, buffer.language, what)?;
        }
    }
    for (rel, language) in ON_DISK {
        check_disk(root, rel, language, what)?;
    }
    let index = root.index.read().unwrap_or_else(|e| e.into_inner());
    let known: Vec<&str> = EDITED.iter().chain(ON_DISK.iter()).map(|(rel, _)| *rel).collect();
    if let Some(stray) = index.paths().find(|p| !known.contains(p)) {
        return Err(format!("{what}: the index holds {stray}, which no one wrote"));
    }
    Ok(())
}

/// One seed: a workspace, an engine over it, then rounds of concurrent tasks,
/// each round ending at a quiescent point.
fn run_seed(seed: u64) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(3).max_blocking_threads(4).enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let mut rng = StdRng::seed_from_u64(seed);
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let index_dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        for (rel, language) in EDITED.iter().chain(ON_DISK.iter()) {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).map_err(|e| e.to_string())?;
            std::fs::write(&path, source(*language, &mut rng)).map_err(|e| e.to_string())?;
        }
        let settings = Settings { index_dir: Some(index_dir.path().to_path_buf()), debounce_ms: rng.random_range(0..5), ..Settings::default() };
        let engine = Arc::new(Engine::with_worker(settings, EmbedWorker::spawn(Box::new(StubEmbedder::new())).map_err(|e| e.to_string())?));
        let root = engine.add_root(dir.path()).map_err(|e| format!("{e:#}"))?;
        engine.refresh_root(&root, &NoProgress).map_err(|e| format!("{e:#}"))?;
        let mut buffers: Vec<Buffer> = EDITED
            .iter()
            .map(|&(rel, language)| {
                let path = root.path.join(rel);
                let key = path.to_string_lossy().to_string();
                Buffer { key, path, rel: rel.to_string(), language, text: String::new(), version: 0, history: Vec::new(), open: false }
            })
            .collect();
        let reindexing = Arc::new(AtomicBool::new(false));
        for round in 0..ROUNDS {
            let editors: Vec<_> = buffers.drain(..).map(|b| tokio::spawn(editor(engine.clone(), root.clone(), reindexing.clone(), b, seed, round))).collect();
            let disturbing = tokio::spawn(disturber(engine.clone(), root.clone(), reindexing.clone(), seed, round));
            let mut failures = Vec::new();
            for handle in editors {
                match handle.await {
                    Ok(Ok(b)) => buffers.push(b),
                    Ok(Err(e)) => failures.push(e),
                    Err(e) => failures.push(format!("an editor task panicked: {e}")),
                }
            }
            match disturbing.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => failures.push(e),
                Err(e) => failures.push(format!("the disturber panicked: {e}")),
            }
            if !failures.is_empty() {
                return Err(failures.join("\n"));
            }
            check_quiescent(&engine, &root, &buffers, &format!("quiescent after round {round}")).await?;
        }
        Ok(())
    })
}

/// Runs `seeds`, stopping at the first failure, which names its seed.
fn run_seeds(seeds: impl Iterator<Item = u64>) -> usize {
    let mut ran = 0;
    for seed in seeds {
        if let Err(e) = run_seed(seed) {
            panic!("seed {seed} failed (rerun: SEMNAV_SEED={seed} cargo test -p semnav concurrent_tests):\n{e}");
        }
        ran += 1;
    }
    ran
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// The bounded run: `DEFAULT_SEEDS` seeds, or the one in `SEMNAV_SEED`.
#[test]
fn the_index_matches_every_buffer_under_concurrent_edits_and_requests() {
    let ran = match env_u64("SEMNAV_SEED") {
        Some(seed) => run_seeds(std::iter::once(seed)),
        None => run_seeds(0..DEFAULT_SEEDS),
    };
    eprintln!("{ran} seeds passed");
}

/// The long campaign: `SEMNAV_SEEDS` seeds (default 1000) from
/// `SEMNAV_SEED_START` (default 1000000, past the bounded run's). Runs them
/// all, then fails listing every seed that failed.
#[test]
#[ignore = "long campaign: SEMNAV_SEEDS=2000 cargo test -p semnav --lib concurrent_tests -- --ignored --nocapture"]
fn campaign_the_index_matches_every_buffer_under_concurrent_edits_and_requests() {
    let start = env_u64("SEMNAV_SEED_START").unwrap_or(1_000_000);
    let count = env_u64("SEMNAV_SEEDS").unwrap_or(1000);
    let started = Instant::now();
    let mut failed = Vec::new();
    for seed in start..start + count {
        if let Err(e) = run_seed(seed) {
            eprintln!("seed {seed} failed:\n{e}");
            failed.push(seed);
        }
        if (seed - start + 1) % 100 == 0 {
            eprintln!("{} seeds run, {} failed, {:.0?}", seed - start + 1, failed.len(), started.elapsed());
        }
    }
    eprintln!("{count} seeds run from {start}, {} failed, in {:.0?}", failed.len(), started.elapsed());
    assert!(failed.is_empty(), "failing seeds (rerun one with SEMNAV_SEED=n): {failed:?}");
}
