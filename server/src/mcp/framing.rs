//! The guard in front of rmcp's stdio: reads the client's lines and passes
//! on only JSON-RPC messages rmcp can take, answering everything else itself
//! as JSON-RPC says (a parse error or an invalid request, with the id when
//! one can be read, else `null`), so that a client never waits forever for a
//! reply rmcp would not send: for a line that is not JSON (`{not json`, a
//! lone surrogate `\ud800`), one that is JSON but no message, or one over
//! [`MAX_LINE`] (skipped as it arrives, never held).
//!
//! Both directions go through here: rmcp's own output and these replies are
//! written whole, one line at a time, to the real output.
//!
//! Must not: look into a message beyond checking its shape, or hold more
//! than one line.

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, DuplexStream};
use tokio::sync::mpsc;

/// The longest line passed on; a longer one is answered with an error.
pub const MAX_LINE: usize = 16 << 20;

/// Starts the guard between the client's `input` / `output` and rmcp;
/// returns rmcp's side: what it reads and where it writes.
pub fn guard(input: impl AsyncRead + Unpin + Send + 'static, output: impl AsyncWrite + Unpin + Send + 'static) -> (DuplexStream, DuplexStream) {
    let (to_rmcp, rmcp_reads) = tokio::io::duplex(1 << 16);
    let (rmcp_writes, from_rmcp) = tokio::io::duplex(1 << 16);
    let (replies, replies_rx) = mpsc::unbounded_channel();
    tokio::spawn(read_input(input, to_rmcp, replies));
    tokio::spawn(write_output(from_rmcp, replies_rx, output));
    (rmcp_reads, rmcp_writes)
}

/// Passes the good lines of `input` to rmcp, and the replies to the bad
/// ones to the output.
async fn read_input(input: impl AsyncRead + Unpin, mut to_rmcp: DuplexStream, replies: mpsc::UnboundedSender<String>) {
    let mut reader = BufReader::new(input);
    let mut line = Vec::new();
    let mut oversized = false;
    loop {
        let buf = match reader.fill_buf().await {
            Ok(buf) if !buf.is_empty() => buf,
            Ok(_) => break,
            Err(e) => {
                tracing::warn!("cannot read the client's input: {e}");
                break;
            }
        };
        let (take, ended) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        if !oversized {
            line.extend_from_slice(&buf[..take]);
            if line.len() > MAX_LINE + 1 {
                oversized = true;
                line = Vec::new();
            }
        }
        reader.consume(take);
        if !ended {
            continue;
        }
        let verdict = if oversized { Err(error(Value::Null, -32600, format!("Invalid Request: a message over {MAX_LINE} bytes"))) } else { check(&line) };
        oversized = false;
        match verdict {
            Ok(true) => {
                if to_rmcp.write_all(&line).await.is_err() {
                    break;
                }
            }
            Ok(false) => {}
            Err(reply) => {
                tracing::warn!("answered a message rmcp cannot take: {reply}");
                let _ = replies.send(reply);
            }
        }
        line.clear();
    }
    // A last line without its newline is a message too.
    if !line.is_empty() && !oversized {
        match check(&line) {
            Ok(true) => {
                line.push(b'\n');
                let _ = to_rmcp.write_all(&line).await;
            }
            Ok(false) => {}
            Err(reply) => drop(replies.send(reply)),
        }
    }
    let _ = to_rmcp.shutdown().await;
}

/// Whether a line is a message to pass on (`Ok(false)`: a blank line), or
/// the reply it gets instead.
fn check(line: &[u8]) -> Result<bool, String> {
    let text = match std::str::from_utf8(line) {
        Ok(text) => text.trim(),
        Err(e) => return Err(error(Value::Null, -32700, format!("Parse error: not UTF-8 ({e})"))),
    };
    if text.is_empty() {
        return Ok(false);
    }
    let value: Value = serde_json::from_str(text).map_err(|e| error(Value::Null, -32700, format!("Parse error: {e}")))?;
    let Value::Object(message) = &value else {
        return Err(error(Value::Null, -32600, "Invalid Request: a message is one JSON object (batches are not part of MCP 2025-06-18)".into()));
    };
    let id = message.get("id").filter(|id| id.is_string() || id.is_i64() || id.is_u64()).cloned();
    let request = message.get("method").is_some_and(Value::is_string);
    let response = id.is_some() && (message.contains_key("result") || message.contains_key("error"));
    if message.get("jsonrpc") != Some(&json!("2.0")) || !(request || response) || (message.contains_key("id") && id.is_none()) {
        return Err(error(id.unwrap_or(Value::Null), -32600, "Invalid Request: not a JSON-RPC 2.0 request, notification or response".into()));
    }
    Ok(true)
}

fn error(id: Value, code: i64, message: String) -> String {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}}).to_string()
}

/// Writes rmcp's lines and the guard's replies to `output`, each whole.
async fn write_output(from_rmcp: DuplexStream, mut replies: mpsc::UnboundedReceiver<String>, mut output: impl AsyncWrite + Unpin) {
    let mut lines = BufReader::new(from_rmcp);
    let mut line = Vec::new();
    let mut replies_open = true;
    loop {
        tokio::select! {
            read = lines.read_until(b'\n', &mut line) => {
                match read {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if output.write_all(&line).await.is_err() || output.flush().await.is_err() {
                            return;
                        }
                        line.clear();
                    }
                }
            }
            reply = replies.recv(), if replies_open => {
                match reply {
                    Some(reply) => {
                        if output.write_all(format!("{reply}\n").as_bytes()).await.is_err() || output.flush().await.is_err() {
                            return;
                        }
                    }
                    None => replies_open = false,
                }
            }
        }
    }
    // Replies to the last lines, if rmcp ended first.
    while let Ok(reply) = replies.try_recv() {
        let _ = output.write_all(format!("{reply}\n").as_bytes()).await;
    }
    let _ = output.flush().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_lines_get_the_replies_json_rpc_asks_for() {
        let reply = |line: &str| -> Value { serde_json::from_str(&check(line.as_bytes()).unwrap_err()).unwrap() };
        for (line, code) in [("{not json", -32700), (r#"{"jsonrpc":"2.0","id":1,"method":"x","params":{"q":"\ud800"}}"#, -32700), ("[1,2]", -32600), ("{}", -32600), ("42", -32600)] {
            let r = reply(line);
            assert_eq!(r["error"]["code"], code, "{line}: {r}");
            assert_eq!(r["id"], Value::Null, "{line}: {r}");
            assert_eq!(r["jsonrpc"], "2.0");
        }
        let r = reply(r#"{"jsonrpc":"2.0","id":7,"params":{}}"#);
        assert_eq!((r["id"].clone(), r["error"]["code"].clone()), (json!(7), json!(-32600)), "the id when one can be read");
        assert_eq!(check(br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#), Ok(true));
        assert_eq!(check(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#), Ok(true));
        assert_eq!(check(br#"{"jsonrpc":"2.0","id":"a","result":{}}"#), Ok(true));
        assert_eq!(check(b"  \r\n"), Ok(false));
    }

    #[tokio::test]
    async fn every_bad_line_is_answered_and_the_good_ones_pass_in_order() {
        let mut input = b"{not json\n".to_vec();
        input.extend_from_slice(&vec![b'x'; MAX_LINE + 10]);
        input.extend_from_slice(b"\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n");
        let (client_out, mut client_in) = tokio::io::duplex(1 << 20);
        let (mut rmcp_reads, rmcp_writes) = guard(std::io::Cursor::new(input), client_out);
        let mut passed = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut rmcp_reads, &mut passed).await.unwrap();
        assert_eq!(passed, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n");
        drop(rmcp_writes);
        let mut answered = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut client_in, &mut answered).await.unwrap();
        let replies: Vec<Value> = answered.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(replies.len(), 2, "{answered}");
        assert_eq!(replies[0]["error"]["code"], -32700);
        assert_eq!(replies[1]["error"]["code"], -32600);
    }
}
