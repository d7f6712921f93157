//! The real `semnav lsp` binary over stdio, driven by a JSON-RPC client:
//! stdout carries only protocol messages, answers are right, exit is clean.

use std::process::Stdio;

use semnav_e2e::lsp_client::{file_uri, LspClient};
use semnav_e2e::{require_model, semnav_bin, write_polyglot_workspace, Fixture};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_serves_lsp_over_stdio() {
    require_model();
    let f = Fixture::new();
    let expectations = write_polyglot_workspace(&f);
    let mut child = tokio::process::Command::new(semnav_bin())
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn semnav lsp");
    let client = LspClient::start(child.stdout.take().unwrap(), child.stdin.take().unwrap());
    let init = client.initialize(f.path(), json!({"indexDir": f.index_dir()}), json!({"window": {"workDoneProgress": true}})).await;
    assert_eq!(init["serverInfo"]["name"], "semnav");
    client.wait_idle().await;

    let e = &expectations[0];
    let found = client.request("semnav/search", json!({"query": e.query, "limit": 3})).await;
    let target = file_uri(&f.path().canonicalize().unwrap().join(e.path));
    assert!(found["results"].as_array().unwrap().iter().any(|h| h["uri"] == target && h["name"] == e.name), "{found}");

    client.request("shutdown", json!(null)).await;
    client.notify("exit", json!(null));
    let status = tokio::time::timeout(std::time::Duration::from_secs(20), child.wait()).await.expect("exits after `exit`").unwrap();
    assert!(status.success(), "exit status {status}");
}
