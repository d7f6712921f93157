//! The CLI where people use it: beside an editor's or an agent's server that
//! holds the folder's index (its lock), and in a subfolder of an indexed
//! clone. Real binaries: `semnav mcp` driven by the official MCP client, the
//! CLI as a user types it, the real model.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use rmcp::model::{CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation, ProtocolVersion};
use rmcp::transport::TokioChildProcess;
use rmcp::ServiceExt;
use semnav_e2e::{require_model, semnav_bin, write_polyglot_workspace, Fixture};
use serde_json::{json, Value};

fn json_lines(out: &str) -> Vec<Value> {
    out.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

fn places(result: &Value) -> Vec<(String, String)> {
    result["results"].as_array().expect("results").iter().map(|h| (h["path"].as_str().unwrap_or_default().to_string(), h["name"].as_str().unwrap_or_default().to_string())).collect()
}

/// With `semnav mcp` running on the folder, `search`, `status`, `similar`
/// and `index` answer (through the server), with the server's answers; ten
/// times in a row, with the machine busy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_beside_a_running_server_answers_through_it() {
    require_model();
    let f = Fixture::new();
    let expectations = write_polyglot_workspace(&f);
    f.run_ok(&["index", "."]);
    let mut cmd = tokio::process::Command::new(semnav_bin());
    cmd.arg("mcp").arg("--path").arg(f.path()).env("SEMNAV_INDEX_DIR", f.index_dir()).env("SEMNAV_VECTOR_CACHE", f.vector_cache()).env("SEMNAV_THREADS", "2");
    let (transport, _) = TokioChildProcess::builder(cmd).stderr(std::process::Stdio::null()).spawn().expect("spawn semnav mcp");
    let config = ClientConfig::new(ClientCapabilities::default(), Implementation::new("semnav-e2e", "0")).with_protocol_version(ProtocolVersion::V_2025_06_18);
    let client = config.serve(transport).await.expect("MCP handshake");
    let e = &expectations[1];
    let args = json!({"query": e.query, "limit": 5, "max_lines": 0});
    let params = CallToolRequestParams::new("search".to_string()).with_arguments(args.as_object().unwrap().clone());
    let agent = tokio::time::timeout(Duration::from_secs(120), client.call_tool(params)).await.expect("an answer").expect("a search");
    let agent = agent.structured_content.expect("structuredContent");
    assert!(f.index_dir().join("server.sock").exists(), "the server's socket is in its index directory");

    let spin = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let spinners: Vec<_> = (0..2)
        .map(|_| {
            let spin = spin.clone();
            std::thread::spawn(move || {
                let mut x = 0u64;
                while spin.load(std::sync::atomic::Ordering::Relaxed) {
                    x = std::hint::black_box(x.wrapping_add(1));
                }
            })
        })
        .collect();
    for run in 0..10 {
        let out = f.run(&["search", "--json", "--limit", "5", e.query]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "run {run}: {stderr}");
        let cli = &json_lines(&String::from_utf8_lossy(&out.stdout))[0];
        assert_eq!(places(cli), places(&agent), "run {run}: the CLI's answer is the server's");
    }
    spin.store(false, std::sync::atomic::Ordering::Relaxed);
    for s in spinners {
        s.join().unwrap();
    }
    let human = f.run_ok(&["search", "--context", "3", e.query]);
    assert!(human.contains(e.path) && human.contains("```"), "code shown with --context: {human}");
    let status = f.run_ok(&["status"]);
    assert!(status.contains("served by a running semnav server") && status.contains("chunks:"), "{status}");
    let line = f.read("src/config.rs").lines().position(|l| l.contains("fn load_config")).expect("load_config") + 2;
    let similar = f.run_ok(&["similar", "--json", &format!("src/config.rs:{line}")]);
    assert!(!places(&json_lines(&similar)[0]).is_empty(), "{similar}");
    let out = f.run(&["index"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("refreshed by the semnav server"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = f.run(&["search", ""]);
    assert_eq!(out.status.code(), Some(2), "a usage error beside a server too");

    client.cancel().await.expect("close the session");
    // Once the server is gone, the CLI opens the index itself again.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while f.index_dir().join("server.sock").exists() {
        assert!(std::time::Instant::now() < deadline, "the socket is removed when the server exits");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let out = f.run_ok(&["search", "--json", "--limit", "5", e.query]);
    assert_eq!(places(&json_lines(&out)[0])[0], places(&agent)[0]);
}

/// Run in a subfolder of an indexed folder, a command works on that folder's
/// index (nothing is indexed again) and `search` keeps to the subfolder; with
/// `--path` the named folder is the root.
#[test]
fn a_subfolder_is_part_of_its_indexed_folder() {
    let f = Fixture::new();
    let expectations = write_polyglot_workspace(&f);
    let cache = tempfile::tempdir().unwrap();
    // The model and runtime stay where they are installed.
    let model = require_model();
    let cache_with_model = |args: &[&str], dir: &Path| {
        let mut cmd = Command::new(semnav_bin());
        cmd.args(args).current_dir(dir).env("XDG_CACHE_HOME", cache.path()).env_remove("SEMNAV_INDEX_DIR").env("SEMNAV_THREADS", "2");
        cmd.env("SEMNAV_MODEL_DIR", &model.model_dir).env("ORT_DYLIB_PATH", &model.ort_dylib);
        let out = cmd.output().expect("run semnav");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
        out
    };
    // Old enough that the index trusts their times (no racy re-read).
    f.age_files();
    let out = cache_with_model(&["index"], f.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let indexes = || std::fs::read_dir(cache.path().join("semnav/indexes")).unwrap().count();
    assert_eq!(indexes(), 1);

    let e = expectations.iter().find(|e| e.path.starts_with("svc/")).expect("an expectation under svc/");
    let sub = f.path().join("svc");
    let out = cache_with_model(&["search", "--json", "--limit", "5", e.query], &sub);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("indexed"), "nothing is indexed again: {stderr}");
    assert_eq!(indexes(), 1, "no second index for the subfolder");
    let hits = places(&json_lines(&String::from_utf8_lossy(&out.stdout))[0]);
    assert!(!hits.is_empty() && hits.iter().all(|(p, _)| p.starts_with("svc/")), "keeps to the subfolder, paths from the root: {hits:?}");
    assert!(hits.iter().any(|(p, n)| p == e.path && n == e.name), "{hits:?}");
    let status = String::from_utf8_lossy(&cache_with_model(&["status", "--json"], &sub).stdout).into_owned();
    let root = f.path().canonicalize().unwrap();
    assert_eq!(serde_json::from_str::<Value>(&status).unwrap()["root"], json!(root), "{status}");
    // `--path` names the root: the subfolder then is one, with an index of its own.
    let out = cache_with_model(&["search", "--path", ".", "--json", e.query], &sub);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(indexes(), 2, "--path . is a root of its own");
}
