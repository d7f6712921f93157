//! The first answers a client gets, the moment it connects, on a machine
//! that is busy: a server must never answer "nothing" for a root it has not
//! read yet, nor say it is done before it is. Real binaries over stdio, real
//! clients (the official MCP SDK's client, the LSP test client), the real
//! model, an index built beforehand by the CLI, and two threads spinning
//! beside them all along.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use semnav_e2e::lsp_client::{file_uri, spawn_quiet_lsp};
use semnav_e2e::mcp_client::{call, hits, text_of, Client};
use semnav_e2e::{require_model, write_polyglot_workspace, Fixture};
use serde_json::json;

/// Keeps `n` threads busy until dropped: the loaded machine clients meet.
struct Load(Arc<AtomicBool>);

impl Load {
    fn start(n: usize) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        for _ in 0..n {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut x = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
                }
            });
        }
        Load(stop)
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

async fn mcp(f: &Fixture) -> Client {
    semnav_e2e::mcp_client::spawn(f, &[]).await
}

/// An agent's very first call, `search` by meaning (no word shared with the
/// target) right after the handshake, finds the target; a `status` asked first
/// never says "done" with nothing indexed. Several sessions, each a race.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agents_first_search_finds_by_meaning_right_after_the_handshake() {
    require_model();
    let f = Fixture::new();
    let expectations = write_polyglot_workspace(&f);
    f.run_ok(&["index", "."]);
    let _load = Load::start(2);
    for (round, e) in expectations.iter().take(3).enumerate() {
        let client = mcp(&f).await;
        if round % 2 == 1 {
            let status = call(&client, "status", json!({})).await;
            let s = status.structured_content.clone().expect("structured status");
            assert!(s["indexing"] == true || s["chunks"].as_u64().unwrap_or(0) > 0, "round {round}: done with nothing: {}", text_of(&status));
            assert!(!text_of(&status).contains("index: none"), "round {round}: {}", text_of(&status));
        }
        let r = call(&client, "search", json!({"query": e.query, "limit": 3, "max_lines": 0})).await;
        assert_ne!(r.is_error, Some(true), "{}", text_of(&r));
        assert!(
            e.found_in(&hits(&r)),
            "round {round}: the first search for {:?} missed {}: {}",
            e.query,
            e.path,
            text_of(&r)
        );
        client.cancel().await.expect("close the session");
    }
}

/// An editor's first `semnav/search`, sent the moment `initialized` is, on a
/// complete index: the answer is by meaning, never `{"results": [],
/// "indexing": false}`; its first hover says something rather than nothing,
/// and the client is asked to refresh its lenses once vectors are there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_editors_first_search_and_hover_are_not_silent() {
    require_model();
    let f = Fixture::new();
    let expectations = write_polyglot_workspace(&f);
    f.run_ok(&["index", "."]);
    let _load = Load::start(2);
    let root = f.path().canonicalize().unwrap();
    for (round, e) in expectations.iter().take(2).enumerate() {
        let (mut child, client) = spawn_quiet_lsp(&[("SEMNAV_THREADS", std::ffi::OsStr::new("2"))]);
        client.initialize(f.path(), json!({"indexDir": f.index_dir()}), json!({"workspace": {"codeLens": {"refreshSupport": true}}})).await;
        // The hover first: the file is opened and hovered at once.
        let uri = file_uri(&root.join(e.path));
        let text = std::fs::read_to_string(root.join(e.path)).unwrap();
        let line = text.lines().position(|l| l.contains(e.name)).expect("the target's line") as u32;
        client.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": "x", "version": 1, "text": text}}));
        let hover = client.request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": 1}})).await;
        let md = hover["contents"]["value"].as_str().unwrap_or_default();
        assert!(md.contains("Similar code"), "round {round}: a silent hover: {hover}");
        let answer = client.request("semnav/search", json!({"query": e.query, "limit": 3})).await;
        let hits = answer["results"].as_array().expect("results");
        assert!(!(hits.is_empty() && answer["indexing"] == false), "round {round}: an empty final answer: {answer}");
        let target = file_uri(&root.join(e.path));
        assert!(hits.iter().any(|h| h["uri"] == target), "round {round}: {:?} missed {}: {answer}", e.query, e.path);
        // The lenses said "indexing…" until vectors came: the client is asked to refresh them.
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while !client.server_requests.lock().unwrap().iter().any(|m| m == "workspace/codeLens/refresh") {
            assert!(std::time::Instant::now() < deadline, "round {round}: no workspace/codeLens/refresh as vectors arrived");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        client.request("shutdown", json!(null)).await;
        client.notify("exit", json!(null));
        let _ = tokio::time::timeout(Duration::from_secs(20), child.wait()).await;
    }
}

/// A file and a folder of the workspace swapped, while the server runs, for
/// links to outside it: no answer ever shows the outside bytes, and the
/// swapped file leaves the index.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_or_folder_swapped_for_a_link_to_outside_is_never_served() {
    require_model();
    let f = Fixture::new();
    write_polyglot_workspace(&f);
    let outside = tempfile::tempdir().unwrap();
    const SECRET: &str = "OUTSIDE_SECRET_TOKEN";
    let secret_rs = format!("pub struct Config {{ pub port: u16 }}\n\n/// Read settings from disk.\npub fn load_config(path: &str) -> Config {{\n    let {SECRET} = 1;\n    Config {{ port: 80 }}\n}}\n");
    // Every line says it: whatever line range an old record names is shown.
    let filler = format!("// {SECRET}\n").repeat(300);
    std::fs::write(outside.path().join("config.rs"), format!("{filler}{secret_rs}")).unwrap();
    std::fs::create_dir(outside.path().join("svc")).unwrap();
    let secret_go = format!("package svc\n\n// HashPassword stores a user secret securely.\nfunc HashPassword(p string) string {{\n\t{SECRET} := p\n\treturn {SECRET}\n}}\n");
    std::fs::write(outside.path().join("svc/auth.go"), format!("{filler}{secret_go}")).unwrap();
    f.run_ok(&["index", "."]);
    let client = mcp(&f).await;
    let root = f.path().canonicalize().unwrap();

    // Once the server's first refresh is over (a link there at start is
    // refused by the walk), the swap: a file, then a folder.
    let settled = std::time::Instant::now();
    loop {
        let s = call(&client, "status", json!({})).await.structured_content.expect("structured status");
        if s["indexing"] == false && s["chunks"].as_u64().unwrap_or(0) > 0 {
            break;
        }
        assert!(settled.elapsed() < Duration::from_secs(120), "never settled: {s}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    std::fs::remove_file(root.join("src/config.rs")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("config.rs"), root.join("src/config.rs")).unwrap();
    std::fs::rename(root.join("svc"), outside.path().join("svc-old")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("svc"), root.join("svc")).unwrap();

    let started = std::time::Instant::now();
    let mut gone = false;
    while started.elapsed() < Duration::from_secs(30) {
        for query in ["read settings from disk", "store user secret securely", "load_config", "HashPassword"] {
            let r = call(&client, "search", json!({"query": query, "limit": 10, "max_lines": 50})).await;
            let text = text_of(&r);
            assert!(!text.contains(SECRET), "outside bytes served for {query:?}: {text}");
            assert!(!r.structured_content.as_ref().map(|v| v.to_string()).unwrap_or_default().contains(SECRET), "outside bytes in the JSON for {query:?}");
        }
        let r = call(&client, "search", json!({"query": "load_config", "limit": 10, "max_lines": 0})).await;
        if !hits(&r).iter().any(|h| h["path"] == "src/config.rs" || h["path"].as_str().is_some_and(|p| p.starts_with("svc/"))) {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(gone, "the swapped file and folder stayed in the index");
    client.cancel().await.expect("close the session");
}
