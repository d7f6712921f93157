//! The real `semnav mcp` binary, driven over stdio by a real MCP client (the
//! official Rust SDK's client side): the handshake at protocol revision
//! 2025-06-18, the tool list, each tool on a fixture workspace with queries
//! that share no word with their targets, bad calls answered without ending
//! the session, files written and removed on disk followed by the watcher,
//! and, without the model, answers by words with a note that says so once.

use std::process::Stdio;
use std::time::{Duration, Instant};

use rmcp::model::{CallToolRequestParams, CallToolResult, ProtocolVersion};
use rmcp::transport::TokioChildProcess;
use semnav_e2e::mcp_client::{call, text_of, Client};
use semnav_e2e::{require_model, semnav_bin, write_polyglot_workspace, Fixture};
use serde_json::{json, Value};

/// Starts `semnav mcp` on the fixture (its own index directory) with `env`,
/// and connects to it. Its stderr is kept for failure messages.
async fn connect(f: &Fixture, env: &[(&str, &std::path::Path)]) -> (Client, tokio::task::JoinHandle<String>) {
    let mut cmd = semnav_e2e::mcp_client::command(f, &[]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let (transport, stderr) = TokioChildProcess::builder(cmd).stderr(Stdio::piped()).spawn().expect("spawn semnav mcp");
    let mut stderr = stderr.expect("stderr is piped");
    let logs = tokio::spawn(async move {
        let mut s = String::new();
        let _ = tokio::io::AsyncReadExt::read_to_string(&mut stderr, &mut s).await;
        s
    });
    (semnav_e2e::mcp_client::connect(transport).await, logs)
}

fn results(r: &CallToolResult) -> Vec<Value> {
    assert_ne!(r.is_error, Some(true), "an error result: {}", text_of(r));
    r.structured_content.as_ref().expect("structuredContent")["results"].as_array().expect("results").clone()
}

/// Polls `status` until indexing has finished.
async fn wait_indexed(client: &Client) -> Value {
    let started = Instant::now();
    loop {
        let status = call(client, "status", json!({})).await;
        let s = status.structured_content.clone().expect("structured status");
        if s["indexing"] == false && s["chunks"].as_u64().unwrap_or(0) > 0 {
            return s;
        }
        assert!(started.elapsed() < Duration::from_secs(180), "still indexing after 3 minutes: {s}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Searches until `found` accepts the results (the watcher and the
/// embedding take a moment), or fails after a minute.
async fn search_until(client: &Client, query: &str, what: &str, found: impl Fn(&[Value]) -> bool) -> CallToolResult {
    let started = Instant::now();
    loop {
        let r = call(client, "search", json!({"query": query, "limit": 5})).await;
        if found(&results(&r)) {
            return r;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{what} after a minute; last answer: {}", text_of(&r));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

const BACKOFF_TWIN: &str = r#"import time


def resend_with_backoff(jobs, tries=3):
    for job in jobs:
        for n in range(tries):
            if job.push():
                break
            time.sleep(2 ** n)
"#;

const LEDGER: &str = r#"def reconcile_invoice_totals(invoices, payments):
    owed = {}
    for inv in invoices:
        owed[inv.customer] = owed.get(inv.customer, 0) + inv.amount
    for pay in payments:
        owed[pay.customer] = owed.get(pay.customer, 0) - pay.amount
    return {c: v for c, v in owed.items() if v != 0}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_search_by_meaning_over_mcp() {
    require_model();
    let f = Fixture::new();
    let expectations = write_polyglot_workspace(&f);
    f.write("jobs/resend.py", BACKOFF_TWIN);
    let (client, logs) = connect(&f, &[]).await;

    // The handshake: the revision asked for, the server's name.
    let info = client.peer_info().expect("server info");
    assert_eq!(info.protocol_version, ProtocolVersion::V_2025_06_18);
    assert_eq!(info.server_info.as_ref().map(|s| s.name.as_str()), Some("semnav"));

    // Three tools, each described for an agent.
    let tools = client.list_all_tools().await.expect("tools/list");
    let mut names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    names.sort();
    assert_eq!(names, ["find_similar", "search", "status"]);
    for t in &tools {
        assert!(t.description.as_ref().is_some_and(|d| d.len() > 100), "{} needs a description an agent can act on", t.name);
    }
    let search_tool = tools.iter().find(|t| t.name == "search").unwrap();
    assert!(search_tool.description.as_ref().unwrap().contains("grep"), "says when to use it instead of grep");
    let schema = serde_json::to_value(&*search_tool.input_schema).unwrap();
    assert_eq!(schema["required"], json!(["query"]), "{schema}");
    for arg in ["limit", "lang", "glob", "max_lines"] {
        assert!(schema["properties"].get(arg).is_some(), "search takes {arg}: {schema}");
    }

    let status = wait_indexed(&client).await;
    assert_eq!(status["root"], json!(f.path().canonicalize().unwrap()));
    assert!(status["files"].as_u64().unwrap() >= 9, "{status}");

    // Meaning-only queries find their targets, with code, in the CLI's JSON too.
    for e in &expectations {
        let r = call(&client, "search", json!({"query": e.query, "limit": 3})).await;
        let hits = results(&r);
        assert!(e.found_in(&hits), "{:?} should find {}::{}: {}", e.query, e.path, e.name, text_of(&r));
        let text = text_of(&r);
        assert!(text.contains(&format!("{}:", e.path)) && text.contains(e.name), "the text shows the place and the code: {text}");
        assert_eq!(r.structured_content.as_ref().unwrap()["query"], e.query);
    }
    // Filters and the code budget.
    let r = call(&client, "search", json!({"query": "try sending again after an error, with a growing pause", "lang": "python", "glob": ["app/**"], "max_lines": 2})).await;
    let hits = results(&r);
    assert!(!hits.is_empty() && hits.iter().all(|h| h["language"] == "python" && h["path"].as_str().unwrap().starts_with("app/")), "{hits:?}");
    assert!(text_of(&r).contains("more lines)"), "trimmed to 2 lines: {}", text_of(&r));

    // find_similar: the twin in another file, never the chunk itself.
    let target = call(&client, "search", json!({"query": expectations[1].query, "limit": 1})).await;
    let target = &results(&target)[0];
    let line = target["start_line"].as_u64().unwrap() + 1;
    let r = call(&client, "find_similar", json!({"path": "app/uploads.py", "line": line, "limit": 3})).await;
    let hits = results(&r);
    assert_eq!(hits[0]["path"], "jobs/resend.py", "{}", text_of(&r));
    assert_eq!(hits[0]["name"], "resend_with_backoff");
    assert!(!hits.iter().any(|h| h["path"] == "app/uploads.py" && h["start_line"] == target["start_line"]), "never the chunk itself: {hits:?}");

    // Bad calls: an error result or an MCP error, and the server goes on.
    for (tool, args, says) in [
        ("search", json!({"query": "  "}), "query"),
        ("search", json!({"query": "x", "lang": "klingon"}), "klingon"),
        ("search", json!({"query": "x", "glob": "src/["}), "src/["),
        ("find_similar", json!({"path": "../../../etc/passwd", "line": 1}), "passwd"),
        ("find_similar", json!({"path": "no/such.rs", "line": 1}), "no/such.rs"),
        ("find_similar", json!({"path": "app/uploads.py", "line": 0}), "1-based"),
    ] {
        let r = call(&client, tool, args.clone()).await;
        assert_eq!(r.is_error, Some(true), "{tool} {args}: {}", text_of(&r));
        assert!(text_of(&r).contains(says), "{tool} {args} should name {says:?}: {}", text_of(&r));
    }
    let wrong_type = client.call_tool(CallToolRequestParams::new("search").with_arguments(json!({"query": 42}).as_object().unwrap().clone())).await;
    assert!(wrong_type.is_err() || wrong_type.as_ref().is_ok_and(|r| r.is_error == Some(true)), "{wrong_type:?}");
    assert!(client.call_tool(CallToolRequestParams::new("no_such_tool")).await.is_err());
    let still = call(&client, "status", json!({})).await;
    assert_ne!(still.is_error, Some(true));

    // A file written on disk is found by meaning; removed, it is gone.
    f.write("billing/ledger.py", LEDGER);
    let query = "which clients still owe money after matching bills against what they paid";
    search_until(&client, query, "the new file was not found", |hits| hits.iter().take(3).any(|h| h["name"] == "reconcile_invoice_totals")).await;
    std::fs::remove_file(f.path().join("billing/ledger.py")).unwrap();
    search_until(&client, query, "the removed file was still found", |hits| !hits.iter().any(|h| h["path"] == "billing/ledger.py")).await;

    client.cancel().await.expect("close the session");
    let logs = tokio::time::timeout(Duration::from_secs(20), logs).await.expect("the server exits when its stdin closes").unwrap();
    assert!(!logs.contains("panicked"), "{logs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_model_answers_by_words_and_says_so_once() {
    let f = Fixture::new();
    write_polyglot_workspace(&f);
    let no_model = tempfile::tempdir().unwrap();
    let (client, logs) = connect(&f, &[("SEMNAV_MODEL_DIR", no_model.path())]).await;

    let status = wait_indexed(&client).await;
    assert!(status["modelError"].as_str().is_some_and(|e| e.contains("provision")), "{status}");
    assert!(status["files"].as_u64().unwrap() >= 8, "{status}");
    // The first answer says what to run; the ranking stage still puts the
    // definition named by the words first.
    let r = call(&client, "search", json!({"query": "retry failed uploads", "limit": 3})).await;
    assert_eq!(results(&r)[0]["name"], "retry_failed_uploads", "{}", text_of(&r));
    let _ = call(&client, "status", json!({})).await;
    let r = call(&client, "search", json!({"query": "debounce", "limit": 3})).await;
    assert_eq!(results(&r)[0]["name"], "debounce", "{}", text_of(&r));
    assert!(!text_of(&r).contains("provision"), "said once only: {}", text_of(&r));
    // The first search's note (status answered before it) named the fix:
    // check on a fresh session that the very first tool result carries it.
    client.cancel().await.unwrap();
    let _ = logs.await;
    let (client, _logs) = connect(&f, &[("SEMNAV_MODEL_DIR", no_model.path())]).await;
    let r = call(&client, "search", json!({"query": "load config", "limit": 3})).await;
    let text = text_of(&r);
    assert!(text.contains("by words only") && text.contains("provision"), "{text}");
    // Similar code needs vectors: an error that names the fix.
    let r = call(&client, "find_similar", json!({"path": "src/config.rs", "line": 11})).await;
    assert_eq!(r.is_error, Some(true), "{}", text_of(&r));
    assert!(text_of(&r).contains("provision"), "{}", text_of(&r));
    client.cancel().await.unwrap();
}

/// The editor's language server holds the root's index (sled's lock); an
/// agent's MCP server started on the same root then serves from an index of
/// its own in a temporary directory: it answers by meaning, says once why,
/// removes that directory when it exits, and the language server keeps
/// answering from the usual index throughout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beside_a_language_server_on_the_same_root_mcp_keeps_its_own_index() {
    use semnav_e2e::lsp_client::spawn_quiet_lsp;
    require_model();
    let f = Fixture::new();
    let expectations = write_polyglot_workspace(&f);
    let two_threads = std::ffi::OsStr::new("2");
    let (_lsp, editor) = spawn_quiet_lsp(&[("SEMNAV_THREADS", two_threads)]);
    editor.initialize(f.path(), json!({"indexDir": f.index_dir()}), json!({})).await;
    let lsp_status = editor.wait_idle().await;
    assert_eq!(lsp_status["indexDir"], json!(f.index_dir()), "{lsp_status}");
    assert_eq!(lsp_status["notes"], json!([]), "{lsp_status}");

    let (client, logs) = connect(&f, &[]).await;
    let status = wait_indexed(&client).await;
    let notes = status["notes"].as_array().cloned().unwrap_or_default();
    assert_eq!(notes.len(), 1, "one note says why this index is elsewhere: {status}");
    let note = notes[0].as_str().unwrap();
    assert!(note.contains("in use by another semnav process"), "{note}");
    let scratch = std::path::PathBuf::from(status["indexDir"].as_str().expect("indexDir"));
    assert_ne!(scratch, f.index_dir(), "{status}");
    assert!(scratch.join("db").is_dir(), "its own index at {}", scratch.display());

    // By meaning, from its own vectors; the note comes with a result once.
    let e = &expectations[0];
    let r = search_until(&client, e.query, "not found by meaning beside the language server", |hits| {
        e.found_in(&hits[..hits.len().min(3)])
    })
    .await;
    // The note came with the first results (the status calls above), not again.
    for r in [&r, &call(&client, "search", json!({"query": e.query})).await] {
        assert!(!text_of(r).contains("Note: the index at"), "said once, not with every result: {}", text_of(r));
    }
    assert!(text_of(&call(&client, "status", json!({})).await).contains("in use by another semnav process"), "status always shows it");

    // The language server still answers from the usual index.
    let answer = editor.request("semnav/search", json!({"query": e.query, "limit": 3})).await;
    let hits = answer["results"].as_array().expect("results");
    let target = semnav_e2e::lsp_client::file_uri(&f.path().canonicalize().unwrap().join(e.path));
    assert!(hits.iter().any(|h| h["uri"] == target), "{answer}");

    client.cancel().await.expect("close the session");
    let logs = tokio::time::timeout(Duration::from_secs(20), logs).await.expect("the server exits when its stdin closes").unwrap();
    assert!(!logs.contains("panicked"), "{logs}");
    assert!(!scratch.exists(), "the temporary index {} is removed on exit", scratch.display());

    // A second language server on the root does the same, and shows why.
    let (mut lsp2, second) = spawn_quiet_lsp(&[("SEMNAV_THREADS", two_threads)]);
    second.initialize(f.path(), json!({"indexDir": f.index_dir()}), json!({})).await;
    let status = second.wait_idle().await;
    assert!(status["notes"][0].as_str().is_some_and(|n| n.contains("in use by another semnav process")), "{status}");
    let scratch = std::path::PathBuf::from(status["indexDir"].as_str().expect("indexDir"));
    assert!(scratch.join("db").is_dir() && scratch != f.index_dir(), "{status}");
    let shown: Vec<Value> = second.notifications.lock().unwrap().iter().filter(|n| n["method"] == "window/showMessage").cloned().collect();
    assert!(shown.iter().any(|m| m["params"]["message"].as_str().is_some_and(|t| t.contains("in use by another semnav process"))), "{shown:?}");
    let answer = second.request("semnav/search", json!({"query": e.query, "limit": 3})).await;
    assert!(answer["results"].as_array().expect("results").iter().any(|h| h["uri"] == target), "{answer}");
    second.request("shutdown", json!(null)).await;
    assert!(!scratch.exists(), "shutdown removes the temporary index {}", scratch.display());
    second.notify("exit", json!(null));
    let _ = tokio::time::timeout(Duration::from_secs(20), lsp2.wait()).await;
    drop(editor);
}

/// Lines rmcp cannot take are answered as JSON-RPC says, by the real binary
/// over stdio, and the session goes on: a line that is not JSON, a lone
/// surrogate, a message that is no JSON-RPC, a line over 16 MiB.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lines_that_are_no_message_get_an_error_reply() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    let f = Fixture::new();
    write_polyglot_workspace(&f);
    let mut child = tokio::process::Command::new(semnav_bin())
        .arg("mcp")
        .arg("--path")
        .arg(f.path())
        .env("SEMNAV_INDEX_DIR", f.index_dir())
        .env("SEMNAV_VECTOR_CACHE", f.vector_cache())
        .env("SEMNAV_THREADS", "2")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn semnav mcp");
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    async fn next(lines: &mut tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>) -> Value {
        let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line()).await.expect("a reply within 60 s").unwrap().expect("a line");
        serde_json::from_str(&line).unwrap()
    }
    let mut huge = vec![b'x'; (16 << 20) + 100];
    huge.push(b'\n');
    let sent: [&[u8]; 4] = [b"{not json\n", b"{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\",\"params\":{\"q\":\"\\ud800\"}}\n", b"{\"jsonrpc\":\"2.0\",\"id\":7}\n", &huge];
    let expected = [(-32700, Value::Null), (-32700, Value::Null), (-32600, json!(7)), (-32600, Value::Null)];
    for (line, (code, id)) in sent.iter().zip(expected) {
        stdin.write_all(line).await.unwrap();
        stdin.flush().await.unwrap();
        let reply = next(&mut lines).await;
        assert_eq!((reply["error"]["code"].as_i64(), reply["id"].clone()), (Some(code), id), "{reply}");
    }
    // The session still works.
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}});
    stdin.write_all(format!("{init}\n").as_bytes()).await.unwrap();
    stdin.flush().await.unwrap();
    let reply = next(&mut lines).await;
    assert_eq!(reply["result"]["serverInfo"]["name"], "semnav", "{reply}");
    drop(stdin);
    let _ = tokio::time::timeout(Duration::from_secs(20), child.wait()).await;
}
