//! The graph phase of the crash campaign: `semnav index` and `semnav lsp`
//! killed while the saved HNSW graph is due, that is before, during and after
//! its build and its write (a temporary `.partial` file, then a rename).
//!
//! A graph is only built from 50,000 vectors; `SEMNAV_ANN_THRESHOLD` lowers
//! that (for tests only) so the crash fixture's index has one. Each round the
//! index is complete and embedded, and its graph is deleted, damaged, left
//! with a stale `.partial` of random length beside it (or instead of it), or
//! replaced by a graph saved for other vectors; then a run is killed at a
//! random moment within the measured duration of such a run (or, in a third
//! of the runs that must write a graph, as their `.partial` file appears). After each kill the index opens with a vector
//! for every chunk; the next `semnav index` loads the complete graph it finds
//! or else rebuilds one, leaves no `.partial`, and `semnav search` then gives
//! the same hits (paths, lines) as a clean index with a graph.

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::Rng;
use semnav::index::saved_graph_len;
use semnav_e2e::lsp_client::LspClient;
use semnav_e2e::{copy_dir, Fixture};
use serde_json::json;

use super::{seeded, snapshot, write_workspace, Resumed, FILES};

/// `SEMNAV_ANN_THRESHOLD` here: the fixture's vectors are far more.
const GRAPH_THRESHOLD: &str = "100";
const GRAPH: &str = "hnsw-q8c.bin";
const PARTIAL: &str = "hnsw-q8c.bin.partial";
/// What `semnav index` prints when it builds a graph.
const BUILDING: &str = "building the nearest-neighbour graph";
const QUERIES: &[&str] = &["compress an image", "validate the session token", "merge records into a report", "encrypt a network packet", "an object that handles matrix items"];

/// `semnav args…` over the index in `dir`, with the lowered threshold.
fn command(f: &Fixture, dir: &Path, args: &[&str]) -> std::process::Command {
    let mut cmd = f.command(args);
    cmd.env("SEMNAV_INDEX_DIR", dir).env("SEMNAV_ANN_THRESHOLD", GRAPH_THRESHOLD).stdin(Stdio::null());
    cmd
}

/// `semnav index .` run to its end: its stderr and how long it took.
fn index_to_end(f: &Fixture, dir: &Path) -> (String, Duration) {
    let started = Instant::now();
    let out = command(f, dir, &["index", "."]).output().expect("spawn semnav index");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success() && !stderr.contains("panicked"), "semnav index failed ({}): {stderr}", out.status);
    (stderr, started.elapsed())
}

/// The hits of each query as (path, first line, last line).
type Hits = Vec<Vec<(String, u64, u64)>>;

/// `semnav search --json` of [`QUERIES`]: the hits and the stderr.
fn search(f: &Fixture, dir: &Path, queries: &Path) -> (Hits, String) {
    let out = command(f, dir, &["search", "--json", "--limit", "5", "--queries", queries.to_str().unwrap()]).output().expect("spawn semnav search");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success() && !stderr.contains("panicked"), "semnav search failed ({}): {stderr}", out.status);
    let hits: Hits = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let answer: serde_json::Value = serde_json::from_str(line).unwrap();
            let hit = |h: &serde_json::Value| (h["path"].as_str().unwrap().to_string(), h["start_line"].as_u64().unwrap(), h["end_line"].as_u64().unwrap());
            answer["results"].as_array().unwrap().iter().map(hit).collect()
        })
        .collect();
    assert_eq!(hits.len(), QUERIES.len(), "{stderr}");
    (hits, stderr)
}

/// Sees a run's own `.partial` file appear: after the stale one planted
/// there (if any) is gone.
struct PartialWatch {
    path: PathBuf,
    stale_gone: bool,
}

impl PartialWatch {
    fn new(dir: &Path, stale: bool) -> Self {
        PartialWatch { path: dir.join(PARTIAL), stale_gone: !stale }
    }

    fn appeared(&mut self) -> bool {
        let exists = self.path.exists();
        self.stale_gone |= !exists;
        exists && self.stale_gone
    }
}

/// Runs `semnav index .` until `limit`, or until `aim` sees its `.partial`
/// file; SIGKILLs it then. Whether the kill ended it (not its own exit).
fn kill_index(f: &Fixture, dir: &Path, limit: Duration, mut aim: Option<PartialWatch>) -> bool {
    let mut child = command(f, dir, &["index", "."]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn semnav index");
    let started = Instant::now();
    while child.try_wait().expect("try_wait").is_none() {
        if started.elapsed() >= limit || aim.as_mut().is_some_and(PartialWatch::appeared) {
            child.kill().expect("SIGKILL");
            break;
        }
        std::thread::sleep(Duration::from_micros(if aim.is_some() { 100 } else { 5000 }));
    }
    child.wait().expect("wait").signal() == Some(9)
}

/// Runs `semnav lsp` (initialized) until `limit` or until `done()`; SIGKILLs
/// it then. Whether the kill ended it, and how long it ran.
fn kill_lsp(runtime: &tokio::runtime::Runtime, f: &Fixture, dir: &Path, limit: Duration, mut done: impl FnMut() -> bool) -> (bool, Duration) {
    runtime.block_on(async {
        let started = Instant::now();
        let mut child = tokio::process::Command::from(command(f, dir, &["lsp"])).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).kill_on_drop(true).spawn().unwrap();
        let client = LspClient::start(child.stdout.take().unwrap(), child.stdin.take().unwrap());
        client.initialize(f.path(), json!({"indexDir": dir}), json!({})).await;
        while started.elapsed() < limit && !done() {
            tokio::time::sleep(Duration::from_micros(500)).await;
        }
        let ran = started.elapsed();
        child.start_kill().unwrap(); // SIGKILL on Unix.
        (child.wait().await.unwrap().signal() == Some(9), ran)
    })
}

/// Graphs saved for other vectors than the fixture's, in a copy of its
/// index: over the 40% of its files a run killed before the rest reached the
/// store would have seen (too far off: left out and rebuilt), and with 12 of
/// 240 files edited (within what a rebuild waits for: used, the edited
/// chunks scanned exactly). Leaves the files as they were.
fn other_graphs(f: &Fixture, index: &Path, scratch: &Path) -> (Vec<u8>, Vec<u8>) {
    let other = scratch.join("other");
    copy_dir(index, &other);
    let file = |i: usize| f.path().join(format!("pkg{}/mod_{i}.py", i % 12));
    for i in (0..FILES).filter(|i| i % 5 < 3) {
        std::fs::remove_file(file(i)).unwrap();
    }
    assert!(index_to_end(f, &other).0.contains(BUILDING));
    let subset = std::fs::read(other.join(GRAPH)).unwrap();
    write_workspace(f);
    for i in (0..FILES).step_by(20) {
        std::fs::write(file(i), format!("def checksum_{i}(blob):\n    \"\"\"The checksum of blob {i}.\"\"\"\n    return sum(blob) % 251\n")).unwrap();
    }
    std::fs::remove_file(other.join(GRAPH)).unwrap();
    assert!(index_to_end(f, &other).0.contains(BUILDING));
    let near = std::fs::read(other.join(GRAPH)).unwrap();
    write_workspace(f);
    f.age_files();
    (subset, near)
}

/// What a round does to the graph files before the run it kills.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Plant {
    Deleted,
    Damaged,
    DeletedWithStalePartial,
    KeptWithStalePartial,
    /// The graph of 40% of the files.
    FarGraph,
    /// The graph with 12 files edited.
    NearGraph,
}

const PLANTS: [Plant; 6] = [Plant::Deleted, Plant::Damaged, Plant::DeletedWithStalePartial, Plant::KeptWithStalePartial, Plant::FarGraph, Plant::NearGraph];

/// Lays out the graph files of `dir` as `plant` says, from the complete graph
/// there: returns the graph and the `.partial` file left there.
fn plant(dir: &Path, plant: Plant, others: &(Vec<u8>, Vec<u8>), rng: &mut StdRng) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
    let graph = dir.join(GRAPH);
    let complete = std::fs::read(&graph).expect("a round starts with a graph");
    let laid = match plant {
        Plant::Deleted => (None, None),
        Plant::Damaged => {
            let mut bytes = complete.clone();
            let at = rng.random_range(0..bytes.len());
            if rng.random_bool(0.5) {
                bytes[at] ^= 1 << rng.random_range(0..8);
            } else {
                bytes.truncate(at);
            }
            (Some(bytes), None)
        }
        Plant::DeletedWithStalePartial => (None, Some(stale_partial(dir, &complete, rng))),
        Plant::KeptWithStalePartial => (Some(complete.clone()), Some(stale_partial(dir, &complete, rng))),
        Plant::FarGraph => (Some(others.0.clone()), None),
        Plant::NearGraph => (Some(others.1.clone()), None),
    };
    match &laid.0 {
        Some(bytes) => std::fs::write(&graph, bytes).unwrap(),
        None => std::fs::remove_file(&graph).unwrap(),
    }
    laid
}

/// Leaves in `dir` what a kill during a write leaves: a `.partial` file with
/// the start of a graph (or random bytes), shorter or longer than `complete`.
fn stale_partial(dir: &Path, complete: &[u8], rng: &mut StdRng) -> Vec<u8> {
    let len = rng.random_range(0..complete.len() * 6 / 5);
    let mut bytes: Vec<u8> = complete.iter().copied().cycle().take(len).collect();
    if rng.random_bool(0.3) {
        rng.fill(&mut bytes[..]);
    }
    std::fs::write(dir.join(PARTIAL), &bytes).unwrap();
    bytes
}

/// Where the kills landed, from the graph files they left.
#[derive(Debug, Default)]
struct Tally {
    runs: usize,
    kills: usize,
    lsp_kills: usize,
    /// Kills of runs told to stop as their `.partial` file appeared.
    aimed: usize,
    /// Kills by what was planted.
    by_plant: std::collections::BTreeMap<String, usize>,
    /// No new `.partial` or graph yet: starting, loading, building.
    before_write: usize,
    /// The run's own `.partial` file was there.
    during_write: usize,
    /// A new graph was in place.
    after_rename: usize,
    /// The run had no graph to write (a stale `.partial` beside a complete
    /// graph, or a graph within the drift), killed before or after its load.
    nothing_to_write: usize,
    /// `semnav search` over a graph saved for other vectors, before the run.
    other_graph_searches: usize,
}

/// Kills runs while a graph is due until `kills` kills ended a run (at most
/// three times as many runs), each followed by the checks above. Returns
/// the kills.
pub fn kill_graph(resumed: &Resumed, kills: usize) -> usize {
    let Resumed { f, clean, model_id } = resumed;
    let started = Instant::now();
    let (dir, scratch) = (f.index_dir(), tempfile::tempdir().unwrap());
    let queries = scratch.path().join("queries.txt");
    std::fs::write(&queries, QUERIES.join("\n")).unwrap();
    // The clean index with its graph answers; building the graph of the
    // index under test (equal to it) times a run that builds one.
    let (stderr, clean_run) = index_to_end(f, clean.path());
    assert!(stderr.contains(BUILDING), "SEMNAV_ANN_THRESHOLD={GRAPH_THRESHOLD} must give the fixture a graph: {stderr}");
    let points = saved_graph_len(clean.path()).unwrap().expect("the clean index has a graph");
    let (reference, _) = search(f, clean.path(), &queries);
    assert!(reference.iter().all(|hits| !hits.is_empty()));
    let (stderr, run) = index_to_end(f, dir);
    assert!(stderr.contains(BUILDING), "{stderr}");
    let run = run.max(clean_run);
    let others = other_graphs(f, dir, scratch.path());
    index_to_end(f, dir);
    // How long `semnav lsp` takes to save a graph.
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let graph = dir.join(GRAPH);
    std::fs::remove_file(&graph).unwrap();
    let (_, lsp_run) = kill_lsp(&runtime, f, dir, Duration::from_secs(120), || graph.exists());
    assert!(graph.exists(), "semnav lsp saved no graph in 120 s");
    let (mut rng, seed) = seeded();
    let mut t = Tally::default();
    while t.kills < kills {
        assert!(t.runs < 3 * kills.max(1), "only {} of {} runs were killed before their end (seed {seed}): {t:?}", t.kills, t.runs);
        let round = t.runs;
        t.runs += 1;
        let how = PLANTS[rng.random_range(0..PLANTS.len())];
        let context = format!("round {round} ({how:?}, seed {seed})");
        let (planted, planted_partial) = plant(dir, how, &others, &mut rng);
        // A graph saved for other vectors never changes an answer; one too
        // far off is left out, with one line.
        if matches!(how, Plant::FarGraph | Plant::NearGraph) {
            let (hits, stderr) = search(f, dir, &queries);
            assert_eq!(hits, reference, "{context}: a graph saved for other vectors changed the answers");
            assert_eq!(stderr.contains("ignoring the saved HNSW graph"), how == Plant::FarGraph, "{context}: {stderr}");
            assert_eq!(stderr.lines().count(), usize::from(how == Plant::FarGraph), "{context}: {stderr}");
            t.other_graph_searches += 1;
        }
        let usable = matches!(how, Plant::KeptWithStalePartial | Plant::NearGraph);
        let lsp = rng.random_bool(0.3);
        // A third of the runs that write a graph are killed as their own
        // `.partial` file appears, not at a random moment: the write lasts
        // milliseconds of seconds.
        let aimed = !usable && rng.random_bool(0.3);
        let aim = aimed.then(|| PartialWatch::new(dir, planted_partial.is_some()));
        let killed = match (lsp, aim) {
            (true, Some(mut aim)) => kill_lsp(&runtime, f, dir, lsp_run * 2, move || aim.appeared()).0,
            (true, None) => kill_lsp(&runtime, f, dir, lsp_run.mul_f64(rng.random_range(0.0..1.0)), || false).0,
            (false, Some(aim)) => kill_index(f, dir, run * 2, Some(aim)),
            (false, None) => kill_index(f, dir, run.mul_f64(rng.random_range(0.0..1.0)), None),
        };
        // Where it landed.
        let (graph_now, partial_now) = (std::fs::read(&graph).ok(), std::fs::read(dir.join(PARTIAL)).ok());
        let written = graph_now.is_some() && graph_now != planted;
        if written {
            assert_eq!(saved_graph_len(dir).unwrap(), Some(points), "{context}: the graph in place is not complete");
        }
        if killed {
            t.kills += 1;
            t.lsp_kills += usize::from(lsp);
            t.aimed += usize::from(aimed);
            *t.by_plant.entry(format!("{how:?}")).or_default() += 1;
            if partial_now.is_some() && partial_now != planted_partial {
                t.during_write += 1;
            } else if written {
                t.after_rename += 1;
            } else if usable {
                t.nothing_to_write += 1;
            } else {
                t.before_write += 1;
            }
        }
        let opened = snapshot(dir, model_id);
        assert_eq!(opened.len(), FILES, "{context}: files missing after the kill");
        // The next run loads the complete graph it finds, or else rebuilds one.
        let (stderr, _) = index_to_end(f, dir);
        let complete = written || (usable && graph_now == planted);
        assert_eq!(stderr.contains(BUILDING), !complete, "{context}: {} expected: {stderr}", if complete { "no rebuild" } else { "a rebuild" });
        assert!(!dir.join(PARTIAL).exists(), "{context}: a .partial file is left after a run to its end");
        if complete {
            // Loaded, not written again (a graph within the drift keeps its own points).
            assert_eq!(std::fs::read(&graph).ok(), graph_now, "{context}: a complete graph was replaced");
        } else {
            assert_eq!(saved_graph_len(dir).unwrap(), Some(points), "{context}: no complete graph after a run to its end");
        }
        let (hits, stderr) = search(f, dir, &queries);
        assert_eq!(hits, reference, "{context}: the answers differ from a clean index");
        assert!(!stderr.contains("HNSW"), "{context}: {stderr}");
    }
    eprintln!("graph phase: {} kills in {} runs (seed {seed}); {t:?}", t.kills, t.runs);
    eprintln!("graph phase: runs timed at {run:.1?} (semnav index) and {lsp_run:.1?} (semnav lsp until its graph is saved); {:.0?} in all", started.elapsed());
    t.kills
}
