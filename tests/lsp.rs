//! The language server in-process (over a duplex pipe), with the real model:
//! live buffers, background embedding, every method of the contract, and bad
//! input.

use std::time::Duration;

use semnav_e2e::lsp_client::{file_uri, LspClient};
use semnav_e2e::{require_model, write_polyglot_workspace, Fixture};
use serde_json::{json, Value};

fn start_server() -> LspClient {
    let (client_io, server_io) = tokio::io::duplex(1 << 22);
    let (sr, sw) = tokio::io::split(server_io);
    tokio::spawn(semnav::lsp::serve(sr, sw));
    let (cr, cw) = tokio::io::split(client_io);
    LspClient::start(cr, cw)
}

async fn ready(f: &Fixture) -> LspClient {
    require_model();
    let client = start_server();
    let caps = json!({"window": {"workDoneProgress": true}, "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}});
    let result = client.initialize(f.path(), json!({"indexDir": f.index_dir(), "debounceMs": 50}), caps).await;
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
    client.wait_idle().await;
    client
}

fn results(v: &Value) -> &Vec<Value> {
    v["results"].as_array().expect("results")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsaved_new_function_is_found_at_its_current_range() {
    let f = Fixture::new();
    write_polyglot_workspace(&f);
    let client = ready(&f).await;
    assert!(client.server_requests.lock().unwrap().iter().any(|m| m == "window/workDoneProgress/create"));
    assert!(client.notifications.lock().unwrap().iter().any(|n| n["method"] == "$/progress" && n["params"]["value"]["kind"] == "end"));
    assert!(client.server_requests.lock().unwrap().iter().any(|m| m == "client/registerCapability"));

    // A new file that exists only in the editor.
    let path = f.path().join("src/settings.rs");
    let uri = file_uri(&path);
    client.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": "rust", "version": 1, "text": "// settings\n"}}));
    let typed = "\npub fn fetch_prefs(file: &str) -> Prefs {\n    let raw = std::fs::read_to_string(file).expect(\"readable\");\n    toml::from_str(&raw).expect(\"valid toml\")\n}\n";
    client.notify("textDocument/didChange", json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}}, "text": typed}]}));
    client.wait_idle().await;
    // The fixture's own load_config is a fair answer too: the typed function
    // must be in the top 3, at its buffer range.
    let typed_hit = |found: &Value| results(found).iter().find(|h| h["uri"] == uri && h["name"] == "fetch_prefs").cloned();
    let found = client.request("semnav/search", json!({"query": "read configuration file", "limit": 3})).await;
    let hit = typed_hit(&found).unwrap_or_else(|| panic!("the unsaved function is not in the top 3: {found}"));
    assert_eq!(hit["range"]["start"]["line"], 2, "the function starts on line 2 of the buffer: {found}");
    assert_eq!(hit["range"]["end"]["line"], 6, "{found}");
    assert_eq!(found["indexing"], false);
    assert!(!path.exists(), "nothing was saved");

    // Ten lines above it: the range shifts at once, without waiting.
    client.notify("textDocument/didChange", json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "\n".repeat(10)}]}));
    let found = client.request("semnav/search", json!({"query": "read configuration file", "limit": 3})).await;
    let hit = typed_hit(&found).unwrap_or_else(|| panic!("lost after the edit: {found}"));
    assert_eq!(hit["range"]["start"]["line"], 12, "shifted by ten lines at once: {found}");
    let similar = client.request("semnav/findSimilar", json!({"textDocument": {"uri": uri}, "position": {"line": 13, "character": 4}})).await;
    let overlaps_query = |h: &&Value| h["uri"] == uri && h["range"]["start"]["line"].as_u64().unwrap() <= 16 && h["range"]["end"]["line"].as_u64().unwrap() > 12;
    assert!(!results(&similar).iter().any(|h| overlaps_query(&h)), "never the query chunk or one overlapping it: {similar}");
    assert_eq!(results(&similar)[0]["uri"], file_uri(&f.path().join("src/config.rs")), "{similar}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_lenses_symbols_and_status() {
    let f = Fixture::new();
    write_polyglot_workspace(&f);
    f.write("app/sync.py", "def resend_pending(items):\n    for it in items:\n        for n in range(5):\n            if it.send():\n                break\n            time.sleep(2 ** n)\n");
    let client = ready(&f).await;
    let uri = file_uri(&f.path().join("app/sync.py"));
    let text = f.read("app/sync.py");
    client.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}));
    client.wait_idle().await;

    let hover = client.request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": {"line": 2, "character": 8}})).await;
    let md = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(md.contains("Similar code") && md.contains("uploads.py"), "{hover}");

    let lenses = client.request("textDocument/codeLens", json!({"textDocument": {"uri": uri}})).await;
    let lens = lenses.as_array().and_then(|l| l.first()).cloned().expect("a lens on the function");
    assert!(lens.get("command").is_none() || lens["command"].is_null(), "resolved lazily");
    let resolved = client.request("codeLens/resolve", lens).await;
    let title = resolved["command"]["title"].as_str().unwrap();
    assert!(title.ends_with("similar") && !title.starts_with('0'), "{resolved}");
    assert_eq!(resolved["command"]["command"], "semnav.showSimilar");

    let symbols = client.request("workspace/symbol", json!({"query": "hash a secret for storage"})).await;
    assert!(symbols.as_array().unwrap().iter().take(5).any(|s| s["name"] == "HashPassword"), "{symbols}");

    let status = client.request("semnav/status", json!({})).await;
    assert_eq!(status["files"], 10, "{status}");
    assert!(status["chunks"].as_u64().unwrap() > 10 && status["diskBytes"].as_u64().unwrap() > 0);
    assert_eq!(status["root"], f.path().canonicalize().unwrap().display().to_string());

    // Settings: hover off.
    client.notify("workspace/didChangeConfiguration", json!({"settings": {"semnav": {"hover": false}}}));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let hover = client.request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": {"line": 2, "character": 8}})).await;
    assert!(hover.is_null(), "{hover}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_changed_outside_the_editor_are_followed() {
    let f = Fixture::new();
    write_polyglot_workspace(&f);
    let client = ready(&f).await;
    f.write("tools/zip.py", "def squeeze_bytes(blob):\n    import zlib\n    return zlib.compress(blob, 9)\n");
    let uri = file_uri(&f.path().join("tools/zip.py"));
    client.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": uri, "type": 1}]}));
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let found = client.request("semnav/search", json!({"query": "compress bytes with zlib", "limit": 3})).await;
        if results(&found).iter().any(|h| h["uri"] == uri) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "new file never found: {found}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    std::fs::remove_file(f.path().join("tools/zip.py")).unwrap();
    client.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": uri, "type": 3}]}));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let found = client.request("semnav/search", json!({"query": "compress bytes with zlib", "limit": 10})).await;
    assert!(results(&found).iter().all(|h| h["uri"] != uri), "deleted files leave the index: {found}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_never_breaks_the_server() {
    let f = Fixture::new();
    let expectations = write_polyglot_workspace(&f);
    // A request before initialize is an error, not a crash.
    let early = start_server();
    let answer = early.request_raw("semnav/search", json!({"query": "x"})).await;
    assert!(answer.get("error").is_some(), "{answer}");

    let client = ready(&f).await;
    let uri = file_uri(&f.path().join("web/util.js"));
    let text = f.read("web/util.js");
    client.notify("textDocument/didChange", json!({"textDocument": {"uri": "file:///nowhere.rs", "version": 2}, "contentChanges": [{"text": "x"}]}));
    client.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": "javascript", "version": 5, "text": text}}));
    // Past the end, inside a surrogate pair, versions going backwards.
    client.notify("textDocument/didChange", json!({"textDocument": {"uri": uri, "version": 6}, "contentChanges": [{"range": {"start": {"line": 999, "character": 0}, "end": {"line": 1000, "character": 5}}, "text": "\n// 😀 tail\n"}]}));
    client.notify("textDocument/didChange", json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"range": {"start": {"line": 12, "character": 4}, "end": {"line": 12, "character": 5}}, "text": ""}]}));
    // Malformed params get error answers.
    for (method, params) in [
        ("semnav/search", json!({"limit": 3})),
        ("semnav/search", json!({"query": "x", "languages": ["klingon"]})),
        ("semnav/findSimilar", json!({"textDocument": {"uri": "file:///not/open.rs"}})),
        ("textDocument/hover", json!({"textDocument": {"uri": 7}})),
        ("codeLens/resolve", json!({"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "data": {"x": 1}})),
    ] {
        let answer = client.request_raw(method, params.clone()).await;
        assert!(answer.get("error").is_some(), "{method} {params} → {answer}");
    }
    // A 10 MB buffer and binary content are kept but not chunked.
    let big = file_uri(&f.path().join("big.rs"));
    client.notify("textDocument/didOpen", json!({"textDocument": {"uri": big, "languageId": "rust", "version": 1, "text": "fn a() {}\n".repeat(1_000_000)}}));
    let bin = file_uri(&f.path().join("bin.rs"));
    client.notify("textDocument/didOpen", json!({"textDocument": {"uri": bin, "languageId": "rust", "version": 1, "text": "fn a() {}\u{0}\u{1}"}}));
    let hover = client.request("textDocument/hover", json!({"textDocument": {"uri": big}, "position": {"line": 5, "character": 2}})).await;
    assert!(hover.is_null());
    client.wait_idle().await;
    let found = client.request("semnav/search", json!({"query": expectations[2].query, "limit": 3})).await;
    assert!(results(&found).iter().any(|h| h["uri"] == uri), "still answers correctly: {found}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn utf8_positions_when_offered() {
    require_model();
    let f = Fixture::new();
    f.write("a.rs", "fn é() {}\n");
    let client = start_server();
    let result = client.initialize(f.path(), json!({"indexDir": f.index_dir()}), json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}})).await;
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
}

/// What every surface refuses, the language server refuses as invalid params
/// (an empty query, `limit: 0`, a position in no chunk), never with arbitrary
/// hits or an internal error; an edit whose range ends before it starts is
/// refused whole, and the document is left as it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_requests_are_invalid_params_and_change_nothing() {
    let f = Fixture::new();
    write_polyglot_workspace(&f);
    let client = ready(&f).await;
    let code = |answer: &Value| answer["error"]["code"].as_i64();
    for params in [json!({"query": ""}), json!({"query": "  \t"}), json!({"query": "read settings", "limit": 0})] {
        let answer = client.request_raw("semnav/search", params.clone()).await;
        assert_eq!(code(&answer), Some(-32602), "{params} → {answer}");
    }
    let blank = file_uri(&f.path().join("notes/blank.rs"));
    client.notify("textDocument/didOpen", json!({"textDocument": {"uri": blank, "languageId": "rust", "version": 1, "text": "\n\n\n"}}));
    let answer = client.request_raw("semnav/findSimilar", json!({"textDocument": {"uri": blank}, "position": {"line": 1, "character": 0}})).await;
    assert_eq!(code(&answer), Some(-32602), "a line in no chunk: {answer}");
    let answer = client.request_raw("semnav/findSimilar", json!({"textDocument": {"uri": blank}, "position": {"line": 1, "character": 0}, "limit": 0})).await;
    assert_eq!(code(&answer), Some(-32602), "limit 0: {answer}");

    let uri = file_uri(&f.path().join("notes/three.rs"));
    let text = "fn alpha() {}\nfn beta() {}\nfn gamma() {}\n";
    client.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": "rust", "version": 1, "text": text}}));
    let reversed = json!({"range": {"start": {"line": 2, "character": 0}, "end": {"line": 0, "character": 0}}, "text": ""});
    client.notify("textDocument/didChange", json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [reversed]}));
    let lenses = client.request("textDocument/codeLens", json!({"textDocument": {"uri": uri}})).await;
    assert_eq!(lenses.as_array().map(Vec::len), Some(3), "the three functions are still there: {lenses}");
    let said = || client.notifications.lock().unwrap().iter().any(|n| n["method"] == "window/logMessage" && n["params"]["message"].as_str().is_some_and(|m| m.contains("ends") && m.contains("before it starts")));
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !said() {
        assert!(std::time::Instant::now() < deadline, "the refusal is said: {:?}", client.notifications.lock().unwrap());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
