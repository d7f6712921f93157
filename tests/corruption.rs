//! Corruption campaign: a small real index (real model, real sled files),
//! then, case after case, one file of a copy of its directory damaged —
//! bytes flipped, zeroed or the file cut short at a random offset — and
//! `semnav search` run over it (every fifth case also `semnav lsp`:
//! initialize, then `semnav/search`). Each run must finish (no hang), without
//! a panic, with at most one warning line, and give the same answers as the
//! clean index: it loaded consistently, or it noticed and rebuilt.
//!
//! The default run does a handful of cases; the full campaign:
//! `SEMNAV_CORRUPT_CASES=120 cargo test --test corruption -- --ignored --nocapture`
//! (`SEMNAV_CORRUPT_SEED` replays a campaign). The saved HNSW graph only
//! exists from 50,000 vectors on; its own campaign is a unit test
//! (`index::tests::a_graph_with_any_damaged_byte_is_refused`).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use semnav_e2e::lsp_client::LspClient;
use semnav_e2e::{copy_dir, require_model, semnav_bin, Fixture};
use serde_json::{json, Value};

const QUERIES: [&str; 4] = ["compress an image", "validate the session token", "merge two reports", "parse_invoice"];
/// A run that takes longer than this hangs.
const RUN_LIMIT: Duration = Duration::from_secs(240);

fn write_workspace(f: &Fixture) {
    let verbs = ["parse", "compress", "validate", "merge"];
    let nouns = ["invoice", "image", "token", "report"];
    for (i, (v, n)) in verbs.iter().flat_map(|v| nouns.iter().map(move |n| (v, n))).enumerate().take(12) {
        f.write(
            &format!("pkg/{v}_{n}.py"),
            format!("def {v}_{n}(data):\n    \"\"\"{v} the {n}.\"\"\"\n    return [x * {i} for x in data]\n\n\nclass {n}_{v}_handler:\n    def run(self, item):\n        return {v}_{n}([item])\n"),
        );
    }
    f.write("session.py", "def validate_session_token(token, secret):\n    \"\"\"Checks the session token's signature and expiry.\"\"\"\n    return token.sig == sign(token.body, secret) and not token.expired()\n");
    f.age_files();
}

/// The damageable files of an index directory, with a label for their kind.
fn index_files(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let kind = if name.starts_with("snap.") {
                "sled snapshot".to_string()
            } else if path.parent().is_some_and(|p| p.ends_with("blobs")) {
                "sled blob".to_string()
            } else if name == "db" || name == "conf" {
                format!("sled {name}")
            } else {
                name
            };
            out.push((kind, path));
        }
    }
    out.sort();
    out
}

/// Damages `path`: flips, zeroes or cuts at a random offset. Says what it did.
fn corrupt(path: &Path, rng: &mut StdRng) -> String {
    let mut bytes = std::fs::read(path).unwrap();
    if bytes.is_empty() {
        std::fs::write(path, b"\xff").unwrap();
        return "empty file given one byte".into();
    }
    let at = rng.random_range(0..bytes.len());
    let what = match rng.random_range(0..3) {
        0 => {
            let n = rng.random_range(1..=8).min(bytes.len() - at);
            for b in &mut bytes[at..at + n] {
                *b ^= 1 << rng.random_range(0..8);
            }
            format!("{n} bytes flipped at {at}")
        }
        1 => {
            let n = rng.random_range(1..=512).min(bytes.len() - at);
            bytes[at..at + n].fill(0);
            format!("{n} bytes zeroed at {at}")
        }
        _ => {
            bytes.truncate(at);
            format!("cut to {at} bytes")
        }
    };
    std::fs::write(path, bytes).unwrap();
    what
}

/// Answers of `semnav search` over the index in `index_dir`, and its stderr.
fn search(f: &Fixture, index_dir: &Path) -> (Vec<Value>, String) {
    let queries = f.index.path().join("queries.txt");
    std::fs::write(&queries, QUERIES.join("\n")).unwrap();
    let mut child = f
        .command(&["search", "--json", "--limit", "5", "--queries", queries.to_str().unwrap()])
        .env("SEMNAV_INDEX_DIR", index_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            panic!("semnav search hung over a damaged index ({})", index_dir.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success() && !stderr.contains("panicked"), "semnav search failed ({}): {stderr}", out.status);
    let answers = String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    (answers, stderr)
}

/// What must be equal between two answers: the hits in order, their ranges
/// and names, the scores to 0.002 (a rebuilt index embeds again).
fn same_answers(a: &[Value], b: &[Value]) -> Result<(), String> {
    let hits = |v: &Value| v["results"].as_array().cloned().unwrap_or_default();
    for (qa, qb) in a.iter().zip(b) {
        let (ha, hb) = (hits(qa), hits(qb));
        let key = |h: &Value| (h["path"].clone(), h["start_line"].clone(), h["end_line"].clone(), h["name"].clone());
        if ha.iter().map(key).collect::<Vec<_>>() != hb.iter().map(key).collect::<Vec<_>>() {
            return Err(format!("{} vs {}", qa, qb));
        }
        for (x, y) in ha.iter().zip(&hb) {
            if (x["score"].as_f64().unwrap() - y["score"].as_f64().unwrap()).abs() > 0.002 {
                return Err(format!("scores differ: {x} vs {y}"));
            }
        }
    }
    if a.len() != b.len() {
        return Err(format!("{} answers vs {}", a.len(), b.len()));
    }
    Ok(())
}

/// `semnav lsp` over the index in `index_dir`: initialize, wait, search.
fn lsp_answers(f: &Fixture, index_dir: &Path) -> Vec<Value> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let mut child = tokio::process::Command::from(f.command(&["lsp"])).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).kill_on_drop(true).spawn().unwrap();
        let client = LspClient::start(child.stdout.take().unwrap(), child.stdin.take().unwrap());
        let run = async {
            client.initialize(f.path(), json!({"indexDir": index_dir}), json!({})).await;
            client.wait_idle().await;
            let mut out = Vec::new();
            for q in QUERIES {
                let found = client.request("semnav/search", json!({"query": q, "limit": 5})).await;
                let hits: Vec<Value> = found["results"].as_array().unwrap_or(&Vec::new()).iter().map(|h| json!([h["uri"], h["name"], h["range"]["start"]["line"]])).collect();
                out.push(json!(hits));
            }
            client.request("shutdown", json!(null)).await;
            client.notify("exit", json!(null));
            out
        };
        let out = tokio::time::timeout(RUN_LIMIT, run).await.unwrap_or_else(|_| panic!("semnav lsp hung over a damaged index ({})", index_dir.display()));
        let status = tokio::time::timeout(Duration::from_secs(20), child.wait()).await.expect("the server exits").unwrap();
        assert!(status.success(), "semnav lsp exited with {status}");
        out
    })
}

#[derive(Default, Debug)]
struct Tally {
    cases: usize,
    rebuilt: usize,
    reread: usize,
    loaded: usize,
    lsp: usize,
}

fn campaign(cases: usize) -> Tally {
    require_model();
    semnav_bin();
    let f = Fixture::new();
    write_workspace(&f);
    f.run_ok(&["index", "."]);
    let template = tempfile::tempdir().unwrap();
    copy_dir(f.index_dir(), template.path());
    let kinds = index_files(template.path());
    let scratch = tempfile::tempdir().unwrap();
    let fresh = |name: &str| {
        let dir = scratch.path().join(name);
        let _ = std::fs::remove_dir_all(&dir);
        copy_dir(template.path(), &dir);
        dir
    };
    let (clean, _) = search(&f, &fresh("clean"));
    let clean_lsp = lsp_answers(&f, &fresh("clean"));
    let seed: u64 = std::env::var("SEMNAV_CORRUPT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| rand::rng().random());
    eprintln!("corruption campaign: {cases} cases over {} files ({:?}), seed {seed}", kinds.len(), kinds.iter().map(|k| &k.0).collect::<Vec<_>>());
    let mut tally = Tally::default();
    for case in 0..cases {
        let dir = fresh("case");
        let (kind, rel) = {
            let (kind, path) = &kinds[case % kinds.len()];
            (kind.clone(), path.strip_prefix(template.path()).unwrap().to_path_buf())
        };
        let case_seed = seed.wrapping_add(case as u64);
        let what = corrupt(&dir.join(&rel), &mut StdRng::seed_from_u64(case_seed));
        let (answers, stderr) = search(&f, &dir);
        let warnings = stderr.lines().filter(|l| l.contains("WARN")).count();
        let label = format!("case {case} (seed {seed}): {kind} {}: {what}", rel.display());
        assert!(warnings <= 1, "{label}: {warnings} warnings: {stderr}");
        if let Err(e) = same_answers(&clean, &answers) {
            panic!("{label}: a wrong answer: {e}\nstderr: {stderr}");
        }
        let outcome = if stderr.contains("rebuilding") {
            tally.rebuilt += 1;
            "rebuilt"
        } else if stderr.contains("files read") {
            tally.reread += 1;
            "read files again"
        } else {
            tally.loaded += 1;
            "loaded as it was"
        };
        if case % 5 == 0 {
            // The server over the same damage (the CLI above may have healed
            // it: damage a fresh copy the same way).
            let dir = fresh("lsp");
            corrupt(&dir.join(&rel), &mut StdRng::seed_from_u64(case_seed));
            assert_eq!(lsp_answers(&f, &dir), clean_lsp, "{label}: the server answered differently");
            tally.lsp += 1;
        }
        tally.cases += 1;
        eprintln!("{label}: {outcome}");
    }
    eprintln!("corruption campaign: {tally:?}");
    tally
}

#[test]
fn damaged_index_files_rebuild_or_load_the_same() {
    let tally = campaign(std::env::var("SEMNAV_CORRUPT_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(5));
    assert!(tally.cases >= 5 && tally.lsp >= 1, "{tally:?}");
}

#[test]
#[ignore = "the full campaign: minutes; run with --ignored"]
fn corruption_campaign() {
    let cases = std::env::var("SEMNAV_CORRUPT_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(120);
    let tally = campaign(cases);
    assert_eq!(tally.cases, cases);
}
