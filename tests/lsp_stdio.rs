//! The real `semnav lsp` binary over stdio, driven by a JSON-RPC client:
//! stdout carries only protocol messages, answers are right, exit is clean.

use std::process::Stdio;

use semnav_e2e::lsp_client::{file_uri, spawn_quiet_lsp, LspClient};
use semnav_e2e::{require_model, semnav_bin, write_polyglot_workspace, Fixture};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_serves_lsp_over_stdio() {
    require_model();
    let f = Fixture::new();
    let expectations = write_polyglot_workspace(&f);
    let mut child = tokio::process::Command::new(semnav_bin())
        .arg("lsp")
        .env("SEMNAV_VECTOR_CACHE", f.vector_cache())
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

const CART: &str = "import { Item } from './item';

export function addItem(cart: Item[], item: Item): Item[] {
  return [...cart, item];
}

export function removeItem(cart: Item[], id: string): Item[] {
  return cart.filter((i) => i.id !== id);
}

export function cartTotal(cart: Item[]): number {
  return cart.reduce((sum, i) => sum + i.price * i.qty, 0);
}

export function applyDiscount(total: number, percent: number): number {
  return Math.round(total * (100 - percent)) / 100;
}

export function isEmpty(cart: Item[]): boolean {
  return cart.length === 0;
}
";

const TYPED: &str = "
export function retryCheckout(submit: () => boolean, attempts: number): boolean {
  for (let n = 0; n < attempts; n++) {
    if (submit()) return true;
  }
  return false;
}
";

/// Where each function's chunk in the buffer `lines` is: name → (first
/// line, last line), the comment lines right above it included.
fn functions_of(lines: &[String]) -> std::collections::HashMap<String, (u64, u64)> {
    let mut out = std::collections::HashMap::new();
    for (i, line) in lines.iter().enumerate() {
        if let Some(rest) = line.strip_prefix("export function ") {
            let name = rest.split('(').next().unwrap().to_string();
            if name == "fee" {
                continue; // one of many: its place is ambiguous
            }
            let end = (i..lines.len()).find(|&j| lines[j] == "}").unwrap();
            let first = (0..i).rev().take_while(|&j| lines[j].starts_with("// note")).last().unwrap_or(i);
            out.insert(name, (first as u64, end as u64));
        }
    }
    out
}

/// The range race (issue 13): an unsaved buffer is edited above its
/// definitions in bursts, each burst followed by searches at once or after a
/// short pause. Every hit in the file must be where the buffer has it: the
/// background parse of an edit and the parse a search does first must never
/// both be laid over the index (which moved hits twice as far, persistently).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hit_ranges_follow_the_buffer_through_bursts_of_edits() {
    require_model();
    let f = Fixture::new();
    // The fees make the file long enough that a parse takes a while (the
    // window in which a request can overtake the background parse); being
    // the same text, they are embedded once.
    let fees = "\nexport function fee(total: number): number {\n  return total / 1000;\n}\n".repeat(400);
    let cart = format!("{CART}{fees}");
    f.write("web/cart.ts", &cart);
    let (mut child, client) = spawn_quiet_lsp(&[]);
    client.initialize(f.path(), json!({"indexDir": f.index_dir(), "debounceMs": 20}), json!({})).await;
    client.wait_idle().await;

    let uri = file_uri(&f.path().canonicalize().unwrap().join("web/cart.ts"));
    let mut lines: Vec<String> = cart.lines().map(String::from).collect();
    client.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": "typescript", "version": 1, "text": cart}}));
    let end = lines.len();
    client.notify("textDocument/didChange", json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"range": {"start": {"line": end, "character": 0}, "end": {"line": end, "character": 0}}, "text": TYPED}]}));
    lines.extend(TYPED.lines().map(String::from));
    let query = json!({"query": "try paying again when submitting the order fails", "limit": 20});
    let start = std::time::Instant::now();
    loop {
        let found = client.request("semnav/search", query.clone()).await;
        if found["results"].as_array().unwrap().iter().any(|h| h["name"] == "retryCheckout") {
            break;
        }
        assert!(start.elapsed() < std::time::Duration::from_secs(60), "the typed function was never found: {found}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    let mut version = 2;
    let mut checked = 0;
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = |n: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % n
    };
    for burst in 0..120 {
        for _ in 0..=next(3) {
            // Insert comment or blank lines above a definition, or delete
            // lines inserted earlier.
            let starts: Vec<usize> = (0..lines.len()).filter(|&i| i == 0 || (lines[i].starts_with("export function") && !lines[i].starts_with("export function fee("))).collect();
            let inserted: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].starts_with("// note") || (lines[i].is_empty() && i + 1 < lines.len() && lines[i + 1].is_empty())).collect();
            version += 1;
            let change = if !inserted.is_empty() && next(3) == 0 {
                let at = inserted[next(inserted.len() as u64) as usize];
                lines.remove(at);
                json!({"range": {"start": {"line": at, "character": 0}, "end": {"line": at + 1, "character": 0}}, "text": ""})
            } else {
                let at = starts[next(starts.len() as u64) as usize];
                let count = 1 + next(10) as usize;
                let blank = next(2) == 0;
                let new: Vec<String> = (0..count).map(|i| if blank { String::new() } else { format!("// note {burst}.{i}") }).collect();
                let text: String = new.iter().map(|l| format!("{l}\n")).collect();
                lines.splice(at..at, new);
                json!({"range": {"start": {"line": at, "character": 0}, "end": {"line": at, "character": 0}}, "text": text})
            };
            client.notify("textDocument/didChange", json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}));
        }
        if next(5) == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(next(40))).await;
        }
        for _ in 0..2 {
            let found = client.request("semnav/search", query.clone()).await;
            let expected = functions_of(&lines);
            for hit in found["results"].as_array().unwrap().iter().filter(|h| h["uri"] == uri) {
                let Some(name) = hit["name"].as_str() else { continue };
                let Some(&(first, last)) = expected.get(name) else { continue };
                // The range ends at the start of the line after the chunk.
                let got = (hit["range"]["start"]["line"].as_u64().unwrap(), hit["range"]["end"]["line"].as_u64().unwrap() - 1);
                assert_eq!(got, (first, last), "burst {burst}: {name} is at {first}-{last} in the buffer, the hit says {got:?}:\n{}", lines.join("\n"));
                checked += 1;
            }
        }
    }
    assert!(checked >= 120, "only {checked} hit ranges were checked");
    client.request("shutdown", json!(null)).await;
    client.notify("exit", json!(null));
    let _ = tokio::time::timeout(std::time::Duration::from_secs(20), child.wait()).await;
}

/// Without the model the language server still starts, indexes by words,
/// answers `semnav/search` through the ranking stage, and says once (not at
/// every refresh) what to run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_model_the_server_searches_by_words_and_says_so_once() {
    let f = Fixture::new();
    write_polyglot_workspace(&f);
    let no_model = tempfile::tempdir().unwrap();
    let (mut child, client) = spawn_quiet_lsp(&[("SEMNAV_MODEL_DIR", no_model.path().as_os_str())]);
    client.initialize(f.path(), json!({"indexDir": f.index_dir()}), json!({})).await;

    let started = std::time::Instant::now();
    let found = loop {
        let found = client.request("semnav/search", json!({"query": "retry failed uploads", "limit": 3})).await;
        if !found["results"].as_array().unwrap().is_empty() {
            break found;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "nothing found by words: {found}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(found["results"][0]["name"], "retry_failed_uploads", "{found}");
    // A second refresh does not say it again.
    client.request("semnav/reindex", json!({})).await;
    // The warning would come first thing in the refresh task, before it indexes.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let started = std::time::Instant::now();
    while client.request("semnav/status", json!({})).await["indexing"] != false {
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "the refresh did not end");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let shown: Vec<Value> = client.notifications.lock().unwrap().iter().filter(|n| n["method"] == "window/showMessage").cloned().collect();
    assert_eq!(shown.len(), 1, "{shown:?}");
    let message = shown[0]["params"]["message"].as_str().unwrap();
    assert!(message.contains("words only") && message.contains("provision"), "{message}");

    client.request("shutdown", json!(null)).await;
    client.notify("exit", json!(null));
    let status = tokio::time::timeout(std::time::Duration::from_secs(20), child.wait()).await.expect("exits after `exit`").unwrap();
    assert!(status.success(), "exit status {status}");
}
