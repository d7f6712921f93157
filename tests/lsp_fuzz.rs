//! Thousands of random, partly invalid notifications and requests: the server
//! never panics, answers every request (with a result or an error), and still
//! answers a final search correctly.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use semnav_e2e::lsp_client::{file_uri, LspClient};
use semnav_e2e::{require_model, write_polyglot_workspace, Fixture};
use serde_json::{json, Value};

const MESSAGES: usize = 3000;

fn random_value(rng: &mut StdRng, depth: u32) -> Value {
    match rng.random_range(0..8) {
        0 => Value::Null,
        1 => json!(rng.random::<bool>()),
        2 => json!(rng.random_range(-5i64..5)),
        3 => json!(rng.random::<u32>()),
        4 => json!(["x", "", "😀", "\u{0}", "fn a() {}\n"][rng.random_range(0..5)]),
        5 if depth < 3 => Value::Array((0..rng.random_range(0..3)).map(|_| random_value(rng, depth + 1)).collect()),
        6 if depth < 3 => json!({"query": random_value(rng, depth + 1), "line": random_value(rng, depth + 1)}),
        _ => json!(1.5),
    }
}

fn position(rng: &mut StdRng) -> Value {
    match rng.random_range(0..6) {
        0 => json!({"line": -1, "character": 0}),
        1 => json!({"line": u32::MAX, "character": u32::MAX}),
        2 => json!({"line": "3"}),
        _ => json!({"line": rng.random_range(0..40), "character": rng.random_range(0..120)}),
    }
}

fn text(rng: &mut StdRng) -> String {
    let pieces = ["", "a", "\n", "\r\n", "😀", "é", "{", "}", "fn f() {}\n", "def g():\n  pass\n", "\u{0}", "\r"];
    (0..rng.random_range(0..6)).map(|_| pieces[rng.random_range(0..pieces.len())]).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_traffic_never_breaks_the_server() {
    require_model();
    let f = Fixture::new();
    let expectations = write_polyglot_workspace(&f);
    let (client_io, server_io) = tokio::io::duplex(1 << 22);
    let (sr, sw) = tokio::io::split(server_io);
    tokio::spawn(semnav::lsp::serve(sr, sw));
    let (cr, cw) = tokio::io::split(client_io);
    let client = LspClient::start(cr, cw);
    client.initialize(f.path(), json!({"indexDir": f.index_dir(), "debounceMs": 20}), json!({})).await;
    client.wait_idle().await;

    let seed: u64 = std::env::var("SEMNAV_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed);
    eprintln!("fuzz seed {seed} (set SEMNAV_FUZZ_SEED to replay)");
    let mut rng = StdRng::seed_from_u64(seed);
    let uris: Vec<String> = ["web/util.js", "src/config.rs", "app/uploads.py", "new.rs", "x.unknown"].iter().map(|p| file_uri(&f.path().join(p))).chain(["untitled:1".to_string(), "not a uri".to_string()]).collect();
    let mut answered = 0;
    for i in 0..MESSAGES {
        let uri = uris[rng.random_range(0..uris.len())].clone();
        let doc = json!({"uri": uri, "version": rng.random_range(-2..50), "languageId": "rust", "text": text(&mut rng)});
        match rng.random_range(0..12) {
            0 => client.notify("textDocument/didOpen", json!({"textDocument": doc})),
            1..=3 => client.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": i as i64}, "contentChanges": [
                    if rng.random_bool(0.9) { json!({"range": {"start": position(&mut rng), "end": position(&mut rng)}, "text": text(&mut rng)}) } else { json!({"text": text(&mut rng)}) }
                ]}),
            ),
            4 => client.notify("textDocument/didClose", json!({"textDocument": {"uri": uri}})),
            5 => client.notify(["textDocument/didChange", "workspace/didChangeConfiguration", "$/nonsense", "textDocument/didSave"][rng.random_range(0..4)], random_value(&mut rng, 0)),
            6 => client.send_value(random_value(&mut rng, 0)),
            _ => {
                let (method, params) = match rng.random_range(0..7) {
                    0 => ("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": position(&mut rng)})),
                    1 => ("textDocument/codeLens", json!({"textDocument": {"uri": uri}})),
                    2 => ("semnav/findSimilar", json!({"textDocument": {"uri": uri}, "position": position(&mut rng), "limit": rng.random_range(0..30)})),
                    3 => ("semnav/search", json!({"query": text(&mut rng), "limit": random_value(&mut rng, 1)})),
                    4 => ("codeLens/resolve", json!({"range": {"start": position(&mut rng), "end": position(&mut rng)}, "data": random_value(&mut rng, 0)})),
                    5 => ("semnav/status", random_value(&mut rng, 0)),
                    _ => ("workspace/symbol", json!({"query": text(&mut rng)})),
                };
                let answer = client.request_raw(method, params).await;
                assert!(answer.get("result").is_some() || answer.get("error").is_some(), "{method}: {answer}");
                answered += 1;
            }
        }
    }
    assert!(answered > MESSAGES / 4, "requests answered: {answered}");
    // Close everything, then the disk is the truth again: a correct answer.
    for uri in &uris {
        client.notify("textDocument/didClose", json!({"textDocument": {"uri": uri}}));
    }
    client.wait_idle().await;
    let e = &expectations[3];
    let found = client.request("semnav/search", json!({"query": e.query, "limit": 3})).await;
    assert!(found["results"].as_array().unwrap().iter().any(|h| h["uri"].as_str().unwrap().ends_with(e.path)), "{found}");
}
