//! Byte-level fuzzing of the real `semnav lsp` binary's stdio transport:
//! broken headers, missing, wrong or huge `Content-Length`, invalid UTF-8,
//! bodies that are not JSON-RPC, frames cut short or run long, 10 MB frames
//! and garbage between frames. After each case a valid request follows and
//! must be answered; the server's threads must not spin and its memory must
//! stay bounded (read from /proc). Streams that cannot be framed any more
//! (a frame cut by the end of input, an endless header line, a length of
//! petabytes) are each sent to a fresh server, which must exit by itself,
//! cleanly, with one log line.
//!
//! `SEMNAV_FUZZ_SEED` replays a seed; the ignored campaign runs
//! `SEMNAV_FUZZ_CASES` cases (see docs/reliability.md).

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use semnav_e2e::lsp_client::file_uri;
use semnav_e2e::{require_model, semnav_bin, write_polyglot_workspace, Fixture};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin};
use tokio::sync::mpsc;

/// What a fresh uninitialized server may use above its own start, and an
/// initialized one above its size once idle: one frame's body (a few times
/// over, while it is decoded), never what the client sends in all.
const RSS_SLACK_KIB: u64 = 256 << 10;
/// The same for a server that was never initialized and is sent more than
/// this in one unframable stream: it keeps none of it.
const ENDING_RSS_SLACK_KIB: u64 = 16 << 10;

/// The real binary with its stdout read as frames and its stderr kept.
struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    frames: mpsc::UnboundedReceiver<Value>,
    stderr: Arc<Mutex<Vec<u8>>>,
    pid: u32,
    next_id: i64,
}

impl Server {
    fn spawn() -> Server {
        let mut child = tokio::process::Command::new(semnav_bin())
            .arg("lsp")
            .env("SEMNAV_LOG", "warn")
            .env("SEMNAV_VECTOR_CACHE", "off")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn semnav lsp");
        let (tx, frames) = mpsc::unbounded_channel();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        tokio::spawn(async move {
            while let Some(v) = read_frame(&mut stdout).await {
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        let stderr: Arc<Mutex<Vec<u8>>> = Arc::default();
        let (mut err, kept) = (child.stderr.take().unwrap(), stderr.clone());
        tokio::spawn(async move {
            let mut buf = [0u8; 8192];
            while let Ok(n) = err.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                kept.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        let pid = child.id().unwrap();
        Server { stdin: child.stdin.take(), child, frames, stderr, pid, next_id: 0 }
    }

    async fn write(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).await.expect("the server reads its input");
        stdin.flush().await.unwrap();
    }

    /// Writes `bytes` in random pieces, as a slow or chatty client would.
    async fn write_in_pieces(&mut self, rng: &mut StdRng, bytes: &[u8]) {
        let mut at = 0;
        while at < bytes.len() {
            let n = rng.random_range(1..=bytes.len() - at).min(if rng.random_bool(0.5) { 7 } else { 1 << 16 });
            self.write(&bytes[at..at + n]).await;
            at += n;
            if rng.random_bool(0.1) {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
    }

    /// Sends a request and waits for its answer (a result or an error),
    /// skipping notifications and answers to other ids.
    async fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.write(&frame(body.to_string().as_bytes())).await;
        self.answer(id, method).await
    }

    async fn answer(&mut self, id: i64, method: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.frames.recv()).await {
                Ok(Some(v)) if v["id"] == id && v.get("method").is_none() => return v,
                Ok(Some(_)) => continue,
                Ok(None) => panic!("the server closed its output before answering {method} (id {id}); stderr:\n{}", self.stderr()),
                Err(_) => panic!("no answer to {method} (id {id}) in 120 s; stderr:\n{}", self.stderr()),
            }
        }
    }

    fn notify(method: &str, params: Value) -> Vec<u8> {
        frame(json!({"jsonrpc": "2.0", "method": method, "params": params}).to_string().as_bytes())
    }

    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    /// Closes the input and waits for the exit; the exit status and stderr.
    async fn close_and_wait(&mut self, what: &str) -> (std::process::ExitStatus, String) {
        self.stdin.take();
        let status = match tokio::time::timeout(Duration::from_secs(30), self.child.wait()).await {
            Ok(s) => s.unwrap(),
            Err(_) => panic!("{what}: the server did not exit within 30 s of its input closing; stderr:\n{}", self.stderr()),
        };
        // The stderr reader may still hold the last bytes.
        tokio::time::sleep(Duration::from_millis(50)).await;
        (status, self.stderr())
    }
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

async fn read_frame(r: &mut (impl AsyncBufReadExt + Unpin)) -> Option<Value> {
    let body = semnav_e2e::lsp_client::read_frame_body(r).await?;
    Some(serde_json::from_slice(&body).expect("the server writes JSON"))
}

/// Resident memory of a process, KiB (0 when it cannot be read).
fn rss_kib(pid: u32) -> u64 {
    semnav_e2e::resident_kib(pid).unwrap_or(0)
}

/// CPU time of a process (all its threads), clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    // After the command: state is field 3, utime and stime fields 14 and 15.
    fields.get(11).and_then(|u| u.parse::<u64>().ok()).unwrap_or(0) + fields.get(12).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0)
}

/// CPU time of one thread, clock ticks.
fn thread_ticks(stat: &str) -> u64 {
    let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    fields.get(11).and_then(|u| u.parse::<u64>().ok()).unwrap_or(0) + fields.get(12).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0)
}

/// Threads of `pid` that spin: running (or waiting for a core) in at least
/// four in five of 50 looks over half a second, and using at least a fifth
/// of that time on a core. (The state alone is not enough: a thread at the
/// lowest priority doing a little real work waits for a core most of the time
/// on a busy machine.) Also says how much CPU time the whole process used
/// meanwhile, clock ticks.
async fn spinning_threads(pid: u32) -> (Vec<String>, u64) {
    const LOOKS: u32 = 50;
    let process_before = cpu_ticks(pid);
    let mut seen: std::collections::HashMap<String, (u32, u64, u64)> = Default::default();
    for _ in 0..LOOKS {
        for task in std::fs::read_dir(format!("/proc/{pid}/task")).into_iter().flatten().flatten() {
            let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
            let name = stat.split_once('(').and_then(|(_, r)| r.rsplit_once(')')).map(|(n, _)| n.to_string()).unwrap_or_default();
            let running = stat.rsplit_once(')').and_then(|(_, r)| r.split_whitespace().next()) == Some("R");
            let ticks = thread_ticks(&stat);
            let entry = seen.entry(format!("{} ({name})", task.file_name().to_string_lossy())).or_insert((0, ticks, ticks));
            entry.0 += u32::from(running);
            entry.2 = ticks;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // 100 ticks a second: half a second is 50.
    let spinning = seen.into_iter().filter(|(_, (runs, first, last))| *runs >= LOOKS * 4 / 5 && last - first >= 10).map(|(t, (runs, first, last))| format!("{t}: running in {runs} of {LOOKS} looks, {} ticks", last - first)).collect();
    (spinning, cpu_ticks(pid) - process_before)
}

fn random_garbage(rng: &mut StdRng, len: usize) -> Vec<u8> {
    const ALPHABET: &[u8] = b"\r\n:{}\"abcXYZ019 \t\0\xff\xfe\xc3\xa9\x80";
    (0..len).map(|_| if rng.random_bool(0.5) { ALPHABET[rng.random_range(0..ALPHABET.len())] } else { rng.random() }).collect()
}

/// One case that leaves the stream framable: the next frame must be read.
/// Returns the bytes and a name for failure messages.
fn framable_case(rng: &mut StdRng, kind: usize, untitled: &str) -> (Vec<u8>, String) {
    let status = br#"{"jsonrpc":"2.0","id":-1,"method":"semnav/status"}"#;
    match kind {
        0 => {
            let n = rng.random_range(1..4096);
            (random_garbage(rng, n), format!("{n} bytes of garbage"))
        }
        1 => {
            let header = ["Content-Type: application/vscode-jsonrpc\r\n\r\n", "Foo\r\n\r\n", "\r\n\r\n", "\n\n", ": \r\n\r\n", "Content-Length\r\n\r\n"][rng.random_range(0..6)];
            (header.as_bytes().to_vec(), format!("a header without a length {header:?}"))
        }
        2 => {
            let value = ["", "abc", "-1", "1.5", "99999999999999999999999999", "0x10", "１２", " ", "12 34", "+"][rng.random_range(0..10)];
            let mut bytes = format!("Content-Length: {value}\r\n\r\n").into_bytes();
            bytes.extend_from_slice(status);
            (bytes, format!("Content-Length {value:?}"))
        }
        3 => (b"Content-Length: 5\xff\r\nX-\xfe\xff: 1\r\n\r\nhello".to_vec(), "invalid UTF-8 in a header".into()),
        4 => (frame(b"{\"jsonrpc\":\"2.0\",\"method\":\"x\xff\xfe\"}"), "invalid UTF-8 in a body".into()),
        5 => {
            let bodies = [
                "[]",
                "1",
                "null",
                "\"s\"",
                "{}",
                r#"{"jsonrpc":"1.0","method":"x"}"#,
                r#"{"jsonrpc":"2.0"}"#,
                r#"{"jsonrpc":"2.0","id":{},"method":"semnav/status"}"#,
                r#"{"jsonrpc":"2.0","id":1.5,"method":"semnav/status"}"#,
                r#"{"jsonrpc":"2.0","id":[1],"method":"semnav/status"}"#,
                r#"{"jsonrpc":"2.0","method":5}"#,
                r#"{"jsonrpc":"2.0","id":[1],"result":1}"#,
                r#"{"jsonrpc":"2.0","id":true}"#,
                r#"{"jsonrpc":2}"#,
                "",
            ];
            let body = bodies[rng.random_range(0..bodies.len())];
            (frame(body.as_bytes()), format!("a body that is not a JSON-RPC message: {body:?}"))
        }
        6 => {
            // The length covers the JSON and more: a JSON text cut short.
            let cut = rng.random_range(1..status.len());
            let pad = rng.random_range(1..200);
            let mut bytes = format!("Content-Length: {}\r\n\r\n", cut + pad).into_bytes();
            bytes.extend_from_slice(&status[..cut]);
            bytes.extend(random_garbage(rng, pad));
            (bytes, format!("a frame cut after {cut} bytes, padded with {pad}"))
        }
        7 => {
            // The length covers only part of the JSON: the rest is garbage.
            let cut = rng.random_range(1..status.len());
            let mut bytes = format!("Content-Length: {cut}\r\n\r\n").into_bytes();
            bytes.extend_from_slice(status);
            (bytes, format!("a length of {cut} for {} bytes", status.len()))
        }
        8 => {
            // Odd but valid: headers in another case, a content type, spaces.
            let body = br#"{"jsonrpc":"2.0","method":"$/setTrace","params":{"value":"off"}}"#;
            let mut bytes = format!("Content-Type: application/vscode-jsonrpc; charset=utf-8\r\ncontent-length:   {}  \r\n\r\n", body.len()).into_bytes();
            bytes.extend_from_slice(body);
            (bytes, "a valid frame with a content type and odd spacing".into())
        }
        9 => {
            // A 10 MB frame: an untitled buffer opened and closed again.
            let text: String = "// a comment line\n".repeat(10 << 20 >> 4);
            let mut bytes = Server::notify("textDocument/didOpen", json!({"textDocument": {"uri": untitled, "languageId": "rust", "version": 1, "text": text}}));
            bytes.extend(Server::notify("textDocument/didClose", json!({"textDocument": {"uri": untitled}})));
            (bytes, "a 10 MB didOpen".into())
        }
        10 => {
            let mut body = b"{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":\"".to_vec();
            body.extend(std::iter::repeat_n(b'a', 10 << 20));
            (frame(&body), "a 10 MB body that is not JSON".into())
        }
        _ => {
            // Garbage glued to the front of the next frame's header.
            let n = rng.random_range(1..64);
            let mut bytes: Vec<u8> = (0..n).map(|_| rng.random_range(b'a'..=b'z')).collect();
            bytes.extend_from_slice(b"Content-Len");
            (bytes, format!("{n} letters and a header name cut short, glued to the next frame"))
        }
    }
}

const KINDS: usize = 12;

/// An initialized server over a small workspace takes `cases` random
/// framable cases; after each a search must be answered correctly. Returns
/// the largest memory seen above the idle server's.
async fn session(seed: u64, cases: usize) -> u64 {
    require_model();
    let f = Fixture::new();
    let expectations = write_polyglot_workspace(&f);
    let mut server = Server::spawn();
    let root = file_uri(f.path());
    let init = server.request("initialize", json!({"processId": null, "rootUri": root, "capabilities": {}, "initializationOptions": {"indexDir": f.index_dir()}})).await;
    assert_eq!(init["result"]["serverInfo"]["name"], "semnav", "{init}");
    server.write(&Server::notify("initialized", json!({}))).await;
    let started = Instant::now();
    loop {
        let s = server.request("semnav/status", json!({})).await;
        if s["result"]["indexing"] == false && s["result"]["files"].as_u64().unwrap_or(0) > 0 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(180), "the server never finished indexing: {s}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let idle_rss = rss_kib(server.pid);
    let untitled = "untitled:fuzz-big";
    let mut rng = StdRng::seed_from_u64(seed);
    let mut worst = 0;
    for case in 0..cases {
        // Every kind within the first cases, then at random; the 10 MB
        // frames rarely after that.
        let kind = if case < KINDS { case } else { rng.random_range(0..KINDS) };
        let kind = if (kind == 9 || kind == 10) && case >= KINDS && rng.random_bool(0.8) { 0 } else { kind };
        let (bytes, name) = framable_case(&mut rng, kind, untitled);
        let what = format!("seed {seed}, case {case} ({name})");
        server.write_in_pieces(&mut rng, &bytes).await;
        let e = &expectations[case % expectations.len()];
        let found = server.request("semnav/search", json!({"query": e.query, "limit": 3})).await;
        let hits = found["result"]["results"].as_array().unwrap_or_else(|| panic!("{what}: the search after it failed: {found}"));
        assert!(hits.iter().any(|h| h["uri"].as_str().unwrap_or_default().ends_with(e.path)), "{what}: a wrong answer after it: {found}");
        let rss = rss_kib(server.pid);
        worst = worst.max(rss.saturating_sub(idle_rss));
        assert!(rss < idle_rss + RSS_SLACK_KIB, "{what}: {rss} KiB resident, {idle_rss} KiB when idle");
        if case % 10 == 0 || kind == 9 || kind == 10 {
            let (spinning, ticks) = spinning_threads(server.pid).await;
            assert!(spinning.is_empty(), "{what}: threads spinning while the client is silent: {spinning:?} ({ticks} CPU ticks in 500 ms)");
        }
    }
    server.request("shutdown", Value::Null).await;
    server.write(&Server::notify("exit", Value::Null)).await;
    let (status, _) = server.close_and_wait("after exit").await;
    assert!(status.success(), "exit status {status}");
    worst
}

/// A stream that cannot be framed to its end, sent to a fresh server: it
/// answers what came before, then exits by itself with one log line, its
/// memory bounded meanwhile and no thread spinning while it waits.
async fn ending(rng: &mut StdRng, kind: usize) -> String {
    let mut server = Server::spawn();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let start_rss = rss_kib(server.pid);
    let name = match kind {
        0 => "no input at all".to_string(),
        1 => {
            server.write(b"Content-Length: 100\r\n\r\n{\"jsonrpc\":").await;
            "a frame cut by the end of input".into()
        }
        2 => {
            server.write(b"Content-Len").await;
            "a header cut by the end of input".into()
        }
        3 => {
            let n = rng.random_range(1..100_000);
            server.write(&random_garbage(rng, n)).await;
            format!("{n} bytes of garbage, then the end")
        }
        4 => {
            // A length of petabytes, then 32 MB of it: the header is refused
            // (one line) and what follows read as no frame (the end's line).
            server.write(b"Content-Length: 4503599627370496\r\n\r\n").await;
            for _ in 0..32 {
                server.write(&vec![b'x'; 1 << 20]).await;
            }
            "a length of 2^52 bytes and 32 MB of body".into()
        }
        5 => {
            // A header line that never ends.
            server.write(b"Content-Length: 12").await;
            for _ in 0..32 {
                server.write(&vec![b'7'; 1 << 20]).await;
            }
            "a header line of 32 MB".into()
        }
        6 => {
            server.write(&b"\r\n".repeat(1 << 20)).await;
            "a million empty lines".into()
        }
        _ => {
            let answer = server.request("semnav/status", json!({})).await;
            assert!(answer.get("error").is_some() || answer.get("result").is_some(), "{answer}");
            "a request before initialize, then the end without exit".into()
        }
    };
    let (spinning, ticks) = spinning_threads(server.pid).await;
    assert!(spinning.is_empty(), "{name}: threads spinning while waiting for input: {spinning:?} ({ticks} CPU ticks in 500 ms)");
    let rss = rss_kib(server.pid);
    assert!(rss < start_rss + ENDING_RSS_SLACK_KIB, "{name}: {rss} KiB resident, {start_rss} KiB at start");
    let (status, stderr) = server.close_and_wait(&name).await;
    assert!(status.success(), "{name}: exit status {status}; stderr:\n{stderr}");
    let lines = if name.starts_with("a length of 2^52") { 2 } else { 1 };
    assert_eq!(stderr.lines().count(), lines, "{name}: {lines} log line(s), not:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    name
}

const ENDINGS: usize = 8;

fn seed() -> u64 {
    let seed = std::env::var("SEMNAV_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_b17e);
    eprintln!("stdio fuzz seed {seed} (set SEMNAV_FUZZ_SEED to replay)");
    seed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_bytes_on_stdin_never_stop_or_swamp_the_server() {
    let seed = seed();
    let worst = session(seed, 40).await;
    eprintln!("40 framable cases: at most {worst} KiB above the idle server");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_that_cannot_be_framed_end_the_server_cleanly() {
    let mut rng = StdRng::seed_from_u64(seed());
    for kind in 0..ENDINGS {
        ending(&mut rng, kind).await;
    }
}

/// The long campaign: `SEMNAV_FUZZ_CASES` framable cases (default 2000) in
/// sessions of 500, and every ending case ten times.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long campaign: SEMNAV_FUZZ_CASES=2000 cargo test --test stdio_fuzz -- --ignored --nocapture"]
async fn campaign_broken_bytes_on_stdin() {
    let seed = seed();
    let cases: usize = std::env::var("SEMNAV_FUZZ_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(2000);
    let mut done = 0;
    let mut worst = 0;
    while done < cases {
        let n = (cases - done).min(500);
        worst = worst.max(session(seed + done as u64, n).await);
        done += n;
    }
    let mut rng = StdRng::seed_from_u64(seed);
    for _ in 0..10 {
        for kind in 0..ENDINGS {
            ending(&mut rng, kind).await;
        }
    }
    eprintln!("{cases} framable cases and {} ending cases passed; at most {worst} KiB above an idle server", 10 * ENDINGS);
}

/// The instrument itself: a busy loop is seen spinning, a sleeping process
/// is not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_spin_detector_sees_a_busy_loop_and_not_a_sleeper() {
    let mut busy = tokio::process::Command::new("sh").args(["-c", "while :; do :; done"]).kill_on_drop(true).spawn().unwrap();
    let mut sleeper = tokio::process::Command::new("sleep").arg("30").kill_on_drop(true).spawn().unwrap();
    let (spinning, ticks) = spinning_threads(busy.id().unwrap()).await;
    assert_eq!(spinning.len(), 1, "a busy loop: {spinning:?} ({ticks} ticks)");
    let (spinning, ticks) = spinning_threads(sleeper.id().unwrap()).await;
    assert!(spinning.is_empty() && ticks == 0, "a sleeper: {spinning:?} ({ticks} ticks)");
    let _ = (busy.kill().await, sleeper.kill().await);
}
