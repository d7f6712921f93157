//! A minimal LSP client for tests: JSON-RPC framing over any async byte
//! stream (an in-process duplex pipe or a child's stdio). It answers the
//! server's own requests (progress tokens, capability registration, lens
//! refresh) with `null` and keeps every notification for inspection.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::{mpsc, oneshot};

type Pending = Arc<Mutex<HashMap<i64, oneshot::Sender<Value>>>>;

pub struct LspClient {
    out: mpsc::UnboundedSender<Value>,
    pending: Pending,
    next_id: Mutex<i64>,
    /// Every notification the server sent, in order.
    pub notifications: Arc<Mutex<Vec<Value>>>,
    /// Every request the server sent (method names), in order.
    pub server_requests: Arc<Mutex<Vec<String>>>,
}

async fn write_message(w: &mut (impl AsyncWrite + Unpin), v: &Value) -> std::io::Result<()> {
    let body = serde_json::to_vec(v)?;
    w.write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes()).await?;
    w.write_all(&body).await?;
    w.flush().await
}

async fn read_message(r: &mut (impl AsyncBufReadExt + Unpin)) -> Option<Value> {
    serde_json::from_slice(&read_frame_body(r).await?).ok()
}

/// The body of the next `Content-Length` frame on `r`; `None` at the end of
/// the stream or on a frame without a length.
pub async fn read_frame_body(r: &mut (impl AsyncBufReadExt + Unpin)) -> Option<Vec<u8>> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            len = v.parse().ok();
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).await.ok()?;
    Some(body)
}

impl LspClient {
    /// Starts reading from `reader` and writing to `writer` in the background.
    pub fn start(reader: impl AsyncRead + Unpin + Send + 'static, mut writer: impl AsyncWrite + Unpin + Send + 'static) -> LspClient {
        let (out, mut out_rx) = mpsc::unbounded_channel::<Value>();
        let pending: Pending = Arc::default();
        let notifications: Arc<Mutex<Vec<Value>>> = Arc::default();
        let server_requests: Arc<Mutex<Vec<String>>> = Arc::default();
        tokio::spawn(async move {
            while let Some(v) = out_rx.recv().await {
                if write_message(&mut writer, &v).await.is_err() {
                    break;
                }
            }
        });
        let (p, n, sr, reply) = (pending.clone(), notifications.clone(), server_requests.clone(), out.clone());
        tokio::spawn(async move {
            let mut reader = BufReader::new(reader);
            while let Some(msg) = read_message(&mut reader).await {
                match (msg.get("id"), msg.get("method")) {
                    (Some(id), Some(method)) => {
                        sr.lock().unwrap().push(method.as_str().unwrap_or_default().to_string());
                        let _ = reply.send(json!({"jsonrpc": "2.0", "id": id, "result": null}));
                    }
                    (Some(id), None) => {
                        if let Some(tx) = id.as_i64().and_then(|id| p.lock().unwrap().remove(&id)) {
                            let _ = tx.send(msg);
                        }
                    }
                    _ => n.lock().unwrap().push(msg),
                }
            }
        });
        LspClient { out, pending, next_id: Mutex::new(0), notifications, server_requests }
    }

    /// Sends a request and waits for the whole response (`result` or `error`).
    pub async fn request_raw(&self, method: &str, params: Value) -> Value {
        let id = {
            let mut n = self.next_id.lock().unwrap();
            *n += 1;
            *n
        };
        let (tx, rx) = oneshot::channel();
        self.pending.lock().unwrap().insert(id, tx);
        let _ = self.out.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        tokio::time::timeout(Duration::from_secs(120), rx).await.unwrap_or_else(|_| panic!("no answer to {method} in 120 s")).expect("server closed the connection")
    }

    /// Sends a request and returns its `result`, failing on an error answer.
    pub async fn request(&self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params).await;
        if let Some(err) = response.get("error") {
            panic!("{method} failed: {err}");
        }
        response["result"].clone()
    }

    pub fn notify(&self, method: &str, params: Value) {
        let _ = self.out.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends raw bytes' worth of a message that is not valid JSON-RPC.
    pub fn send_value(&self, v: Value) {
        let _ = self.out.send(v);
    }

    /// `initialize` + `initialized` for a workspace root.
    pub async fn initialize(&self, root: &std::path::Path, options: Value, capabilities: Value) -> Value {
        let uri = format!("file://{}", root.display());
        let result = self
            .request("initialize", json!({"processId": null, "rootUri": uri, "workspaceFolders": [{"uri": uri, "name": "root"}], "capabilities": capabilities, "initializationOptions": options}))
            .await;
        self.notify("initialized", json!({}));
        result
    }

    /// Polls `semnav/status` until nothing is indexing or pending.
    pub async fn wait_idle(&self) -> Value {
        let start = std::time::Instant::now();
        loop {
            let s = self.request("semnav/status", json!({})).await;
            if s["indexing"] == false && s["pendingEmbeddings"] == 0 && s["files"].as_u64().unwrap_or(0) > 0 {
                return s;
            }
            assert!(start.elapsed() < Duration::from_secs(180), "the server stayed busy: {s}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// `file://` URI of a path.
pub fn file_uri(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}

/// `semnav lsp` with `env` set, its stderr dropped, killed when the child is
/// dropped; and a client on its stdio. Without the machine's vector cache
/// unless `env` names one (`SEMNAV_VECTOR_CACHE`): the server embeds what it
/// indexes, and writes no cache outside the test.
pub fn spawn_quiet_lsp(env: &[(&str, &std::ffi::OsStr)]) -> (tokio::process::Child, LspClient) {
    let mut child = tokio::process::Command::new(crate::semnav_bin())
        .arg("lsp")
        .env("SEMNAV_VECTOR_CACHE", "off")
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn semnav lsp");
    let client = LspClient::start(child.stdout.take().unwrap(), child.stdin.take().unwrap());
    (child, client)
}
