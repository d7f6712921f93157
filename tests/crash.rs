//! Data safety: `semnav index` and `semnav lsp` killed with SIGKILL at random
//! moments — during a cold index, during a burst of file changes the server
//! is told about (saves, new and deleted files), and while the saved HNSW
//! graph is due (its build, its write to a `.partial` file, its rename; see
//! `crash/graph.rs`) — then the next start must open the index (or rebuild
//! it by itself) and, once caught up, give the same index as a clean run:
//! the same chunks, every chunk with a vector, no record of a file that is
//! not there, a complete graph and no `.partial` file, the same search hits.
//! Between kills the index must always open, decode, and have a vector for
//! every chunk it records.
//!
//! A graph is only built from 50,000 vectors; the graph phase sets
//! `SEMNAV_ANN_THRESHOLD` (for tests only) so that this fixture's index has
//! one. The default run kills a few times in each phase; the campaign
//! (`SEMNAV_CRASH_ROUNDS` rounds of `semnav index` in a cold index and of
//! `semnav lsp`, and as many kills while a graph is due):
//! `SEMNAV_CRASH_ROUNDS=50 cargo test --test crash kill_campaign -- --ignored --nocapture`.
//! `SEMNAV_CRASH_SEED` replays a seed. The damage campaign of the saved graph
//! is `index::tests::a_graph_with_any_damaged_byte_is_refused`.

#[path = "crash/graph.rs"]
mod graph;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use semnav::embed::FastEmbedder;
use semnav::store::{FileEntry, Store};
use semnav_e2e::lsp_client::{file_uri, LspClient};
use semnav_e2e::{require_model, Fixture};
use serde_json::json;

const FILES: usize = 240;

fn write_workspace(f: &Fixture) {
    let verbs = ["parse", "render", "upload", "compress", "validate", "merge", "sort", "encrypt"];
    let nouns = ["invoice", "image", "token", "report", "packet", "record", "session", "matrix"];
    for i in 0..FILES {
        let (v, n) = (verbs[i % verbs.len()], nouns[(i / verbs.len()) % nouns.len()]);
        f.write(
            &format!("pkg{}/mod_{i}.py", i % 12),
            format!(
                "import os\n\n\ndef {v}_{n}_{i}(data):\n    \"\"\"{v} the {n} number {i}.\"\"\"\n    out = []\n    for x in data:\n        out.append(x * {i})\n    return out\n\n\nclass {n}Handler{i}:\n    def handle(self, item):\n        return {v}_{n}_{i}([item])\n"
            ),
        );
    }
}

/// The index as comparable data: path → entry, minus when it was written.
fn snapshot(dir: &std::path::Path, model_id: &str) -> BTreeMap<String, FileEntry> {
    let (store, _) = Store::open(dir, model_id).expect("open index");
    let mut out = BTreeMap::new();
    for item in store.files() {
        let (path, mut entry) = item.expect("every record decodes");
        for c in &entry.chunks {
            assert!(store.has_vector(&c.text_hash).unwrap(), "{path}: chunk {:?} has no vector", c.name);
        }
        entry.indexed_ns = 0;
        out.insert(path, entry);
    }
    out
}

/// The index after the kills, caught up by `semnav index`, equals a clean
/// index of the same files, which is returned.
fn assert_resumes_to_clean(f: &Fixture, model_id: &str, files: usize) -> tempfile::TempDir {
    f.run_ok(&["index", "."]);
    let resumed = snapshot(f.index_dir(), model_id);
    let clean_dir = tempfile::tempdir().unwrap();
    let out = f.command(&["index", "."]).env("SEMNAV_INDEX_DIR", clean_dir.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let clean = snapshot(clean_dir.path(), model_id);
    assert_eq!(resumed.len(), files);
    assert_eq!(resumed.keys().collect::<Vec<_>>(), clean.keys().collect::<Vec<_>>(), "orphan or missing records");
    for (path, entry) in &clean {
        assert_eq!(&resumed[path], entry, "{path} differs after the interrupted runs");
    }
    clean_dir
}

fn rounds(default: usize) -> usize {
    std::env::var("SEMNAV_CRASH_ROUNDS").ok().and_then(|n| n.parse().ok()).unwrap_or(default)
}

fn seeded() -> (StdRng, u64) {
    let seed = std::env::var("SEMNAV_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| rand::rng().random());
    (StdRng::seed_from_u64(seed), seed)
}

/// A workspace whose index was caught up after kills, and a clean index of it.
struct Resumed {
    f: Fixture,
    clean: tempfile::TempDir,
    model_id: String,
}

/// `semnav index` killed `rounds` times at random moments of a cold index.
fn kill_cli(rounds: usize) -> (usize, Resumed) {
    let paths = require_model();
    let model_id = FastEmbedder::load(&paths, Some(1)).expect("model").model_id_string();
    let f = Fixture::new();
    write_workspace(&f);
    let (mut rng, seed) = seeded();
    let mut kills = 0;
    for round in 0..rounds {
        let mut child = f.command(&["index", "."]).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().expect("spawn");
        let wait = Duration::from_millis(rng.random_range(300..4000));
        let start = Instant::now();
        let mut finished = false;
        while start.elapsed() < wait {
            if child.try_wait().expect("try_wait").is_some() {
                finished = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        if !finished {
            child.kill().expect("SIGKILL"); // Child::kill sends SIGKILL on Unix.
            kills += 1;
        } else {
            // Done: start over from an empty index (and machine vector
            // cache) so that later kills hit a cold index again.
            std::fs::remove_dir_all(f.index_dir().join("db")).unwrap();
            f.forget_vectors();
        }
        let _ = child.wait();
        // Between kills the index must always open and decode, and so must
        // the machine's vector cache.
        let partial = snapshot(f.index_dir(), &model_id);
        assert!(partial.len() <= FILES, "round {round} (seed {seed}): more files than exist");
        if let Err(e) = semnav::vector_cache::Summary::read(&f.vector_cache(), 0) {
            panic!("round {round} (seed {seed}): the vector cache does not open after a kill: {e:#}");
        }
    }
    let clean = assert_resumes_to_clean(&f, &model_id, FILES);
    eprintln!("semnav index: {kills} kills in {rounds} rounds (seed {seed})");
    (kills, Resumed { f, clean, model_id })
}

#[test]
fn killed_index_and_graph_write_resume_to_the_same_result() {
    let rounds = rounds(5);
    let (kills, resumed) = kill_cli(rounds);
    assert!(kills * 5 >= rounds * 3, "the test must actually interrupt indexing (killed {kills} of {rounds})");
    graph::kill_graph(&resumed, rounds.min(3));
}

/// A smaller workspace for the server: its cold index must fit in the first seconds.
const LSP_FILES: usize = 30;

/// Rewrites, adds or deletes a few files, as saves in an editor or a
/// checkout would; returns the URIs and LSP change types to report.
fn change_files(f: &Fixture, rng: &mut StdRng, round: usize) -> Vec<serde_json::Value> {
    let mut events = Vec::new();
    for k in 0..rng.random_range(2..8) {
        let i = rng.random_range(0..LSP_FILES + 5);
        let rel = format!("pkg{}/mod_{i}.py", i % 12);
        let path = f.path().join(&rel);
        let kind = if i >= LSP_FILES && path.exists() && rng.random_bool(0.5) {
            std::fs::remove_file(&path).unwrap();
            3
        } else {
            let created = !path.exists();
            f.write(&rel, format!("def edited_{i}_{round}_{k}(rows):\n    \"\"\"Saved in round {round}.\"\"\"\n    return sorted(rows)[:{k}]\n"));
            if created { 1 } else { 2 }
        };
        events.push(json!({"uri": file_uri(&path), "type": kind}));
    }
    events
}

/// Files of the LSP workspace now.
fn count_files(f: &Fixture) -> usize {
    (0..12).map(|d| std::fs::read_dir(f.path().join(format!("pkg{d}"))).map(|e| e.count()).unwrap_or(0)).sum()
}

/// `semnav lsp` killed `rounds` times: during its cold index, or during a
/// burst of changed files it is told about (`workspace/didChangeWatchedFiles`).
fn kill_lsp(rounds: usize) -> usize {
    let paths = require_model();
    let model_id = FastEmbedder::load(&paths, Some(1)).expect("model").model_id_string();
    let f = Fixture::new();
    for i in 0..LSP_FILES {
        f.write(&format!("pkg{}/mod_{i}.py", i % 12), format!("def step_{i}(data):\n    \"\"\"Step number {i}.\"\"\"\n    return [x + {i} for x in data]\n"));
    }
    let (mut rng, seed) = seeded();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let mut kills = 0;
    for round in 0..rounds {
        let cold = rng.random_bool(0.4);
        if cold {
            let _ = std::fs::remove_dir_all(f.index_dir().join("db"));
        }
        let delay = Duration::from_millis(rng.random_range(0..if cold { 3000 } else { 600 }));
        let events = if cold { Vec::new() } else { change_files(&f, &mut rng, round) };
        let killed = runtime.block_on(async {
            let mut child = tokio::process::Command::from(f.command(&["lsp"])).stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::null()).kill_on_drop(true).spawn().unwrap();
            let client = LspClient::start(child.stdout.take().unwrap(), child.stdin.take().unwrap());
            client.initialize(f.path(), json!({"indexDir": f.index_dir()}), json!({})).await;
            if !cold {
                // The burst: changes reported one by one while the server refreshes.
                for e in &events {
                    client.notify("workspace/didChangeWatchedFiles", json!({"changes": [e]}));
                    tokio::time::sleep(Duration::from_millis(rng.random_range(0..60))).await;
                }
            }
            tokio::time::sleep(delay).await;
            let exited = child.try_wait().unwrap().is_some();
            child.start_kill().unwrap(); // SIGKILL on Unix.
            let _ = child.wait().await;
            !exited
        });
        kills += usize::from(killed);
        let partial = snapshot(f.index_dir(), &model_id);
        assert!(partial.len() <= LSP_FILES + 5, "round {round} (seed {seed}): more files than exist");
    }
    assert_resumes_to_clean(&f, &model_id, count_files(&f));
    eprintln!("semnav lsp: {kills} kills in {rounds} rounds (seed {seed})");
    kills
}

#[test]
fn killed_server_resumes_to_the_same_result() {
    let rounds = rounds(4);
    assert_eq!(kill_lsp(rounds), rounds);
}

#[test]
#[ignore = "the full campaign: many minutes; run with --ignored"]
fn kill_campaign() {
    let rounds = rounds(50);
    let (cli, resumed) = kill_cli(rounds);
    let graph = graph::kill_graph(&resumed, rounds);
    drop(resumed);
    let lsp = kill_lsp(rounds);
    eprintln!("kill campaign: {} kills ({cli} of semnav index in a cold index, {lsp} of semnav lsp, {graph} while a graph was due)", cli + lsp + graph);
}
