//! The guard in front of tower-lsp-server's reader: finds LSP frames in the
//! client's raw bytes and passes on, re-framed, only those tower-lsp-server
//! can decode.
//!
//! tower-lsp-server's reader ends the session on the first frame it cannot
//! decode, and an unchecked reader of raw input can be made to buffer without
//! bound. So here: bytes that are not a frame are skipped up to the next
//! `Content-Length` header (which may follow garbage on the same line); a
//! header is at most [`MAX_HEADER`] bytes; a body is read as it arrives,
//! never allocated from the length it declares; a header declaring more than
//! [`MAX_BODY`] is refused and what follows it read as bytes that are no
//! frame, up to the next header; a body that is not a JSON-RPC 2.0 message is
//! dropped. Each of these is one warning. The end of the input is one log
//! line too, unless it follows `exit`.
//!
//! Must not: look into a message beyond checking that it decodes, or hold
//! more than one frame's body.

use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tower_lsp_server::jsonrpc::{Request, Response};

/// The largest body passed on (a `didOpen` of a 64 MiB file); larger ones are
/// skipped as they arrive.
pub const MAX_BODY: u64 = 64 << 20;
/// The largest header block; anything longer is not a header.
pub const MAX_HEADER: usize = 8 << 10;
const LENGTH: &[u8] = b"content-length";

/// What tower-lsp-server decodes each frame into (its own type is private).
#[derive(Deserialize)]
#[serde(untagged)]
#[allow(dead_code)] // only decoded, to know that tower-lsp-server can
enum Message {
    Response(Response),
    Request(Request),
}

struct Framer<R> {
    reader: BufReader<R>,
    /// The header block read so far (or garbage that may end in one).
    head: Vec<u8>,
    /// Bytes skipped since the last frame.
    skipped: u64,
}

/// How the input ended.
enum End {
    /// At a frame boundary, or inside bytes that were no frame.
    Between,
    /// Inside a frame's body: `got` of `length` bytes came.
    InsideBody { got: u64, length: u64 },
}

impl<R: AsyncRead + Unpin> Framer<R> {
    /// Reads up to the end of the next header block that has a valid
    /// `Content-Length`, skipping everything else; `None` at the end of input.
    async fn next_length(&mut self) -> Option<u64> {
        loop {
            let buf = match self.reader.fill_buf().await {
                Ok(buf) if !buf.is_empty() => buf,
                Ok(_) => return None,
                Err(e) => {
                    tracing::warn!("cannot read the client's input: {e}");
                    return None;
                }
            };
            let (take, line_ended) = match memchr::memchr(b'\n', buf) {
                Some(i) => (i + 1, true),
                None => (buf.len(), false),
            };
            self.head.extend_from_slice(&buf[..take]);
            self.reader.consume(take);
            if line_ended && (self.head.ends_with(b"\n\r\n") || self.head.ends_with(b"\n\n") || self.head == b"\r\n" || self.head == b"\n") {
                if let Some(length) = self.header_block() {
                    return Some(length);
                }
            } else if self.head.len() > MAX_HEADER {
                self.trim_head();
            }
        }
    }

    /// Parses the header block in `head` (emptying it): the length it gives,
    /// or `None` (its bytes counted as skipped) when it gives none.
    fn header_block(&mut self) -> Option<u64> {
        let block = std::mem::take(&mut self.head);
        let Some(at) = last_length_header(&block) else {
            self.skipped += block.len() as u64;
            return None;
        };
        self.skipped += at as u64;
        let header = &block[at..];
        let length = std::str::from_utf8(header).ok().and_then(|text| {
            let mut length = None;
            for line in text.split('\n').map(|l| l.trim_end_matches('\r')).filter(|l| !l.is_empty()) {
                let (name, value) = line.split_once(':')?;
                if name.trim().eq_ignore_ascii_case("content-length") {
                    length = Some(value.trim().parse::<u64>().ok()?);
                }
            }
            length
        });
        if length.is_none() {
            self.skipped += header.len() as u64;
        }
        length
    }

    /// `head` grew past [`MAX_HEADER`] without ending: keeps only what may
    /// still begin a header (from its last `Content-Length`, if that is
    /// short, else the last bytes, where the name may be cut), skipping the
    /// rest. Keeps at most half the limit, so scanning stays linear.
    fn trim_head(&mut self) {
        let keep_from = match last_length_header(&self.head) {
            Some(at) if self.head.len() - at <= MAX_HEADER / 2 => at,
            _ => self.head.len() - (LENGTH.len() - 1),
        };
        self.skipped += keep_from as u64;
        self.head.drain(..keep_from);
    }

    /// Reads a body of `length` bytes as it arrives: `Ok(None)` when it is
    /// over [`MAX_BODY`], `Err` when the input ends first. An oversized
    /// length is not trusted to say where the next frame starts (a client
    /// that declares 100 GB would otherwise have every later frame eaten):
    /// what follows it is read as bytes that are no frame, up to the next
    /// header.
    async fn body(&mut self, length: u64) -> Result<Option<Vec<u8>>, End> {
        if length > MAX_BODY {
            tracing::warn!("refused a frame that declares {length} bytes, over the limit of {MAX_BODY}; looking for the next header");
            return Ok(None);
        }
        let mut part = (&mut self.reader).take(length);
        let mut body = Vec::new();
        let got = part.read_to_end(&mut body).await.unwrap_or(0) as u64;
        if got < length {
            return Err(End::InsideBody { got, length });
        }
        Ok(Some(body))
    }

    fn say_skipped(&mut self) {
        if self.skipped > 0 {
            tracing::warn!("skipped {} bytes that were not an LSP frame", self.skipped);
            self.skipped = 0;
        }
    }
}

/// Where the last `Content-Length` header name (any case, then optional
/// spaces and a colon) starts in `bytes`.
fn last_length_header(bytes: &[u8]) -> Option<usize> {
    (0..=bytes.len().checked_sub(LENGTH.len())?).rev().find(|&at| {
        bytes[at..at + LENGTH.len()].eq_ignore_ascii_case(LENGTH) && bytes[at + LENGTH.len()..].iter().find(|&&b| b != b' ' && b != b'\t') == Some(&b':')
    })
}

/// Whether `body` decodes as tower-lsp-server decodes a frame; the request's
/// method when it is one.
fn decode(body: &[u8]) -> Result<Option<String>, String> {
    let text = std::str::from_utf8(body).map_err(|e| format!("not UTF-8: {e}"))?;
    match serde_json::from_str::<Message>(text) {
        Ok(Message::Request(r)) => Ok(Some(r.method().to_string())),
        Ok(Message::Response(_)) => Ok(None),
        Err(e) => Err(format!("not a JSON-RPC 2.0 message: {e}")),
    }
}

/// Copies the LSP frames of `input` that tower-lsp-server can decode to
/// `output`, re-framed with a `Content-Length` header only. Ends when
/// `input` ends (saying how, in one line, unless after `exit`) or `output`
/// is closed.
pub async fn forward(input: impl AsyncRead + Unpin, mut output: impl AsyncWrite + Unpin) {
    let mut framer = Framer { reader: BufReader::new(input), head: Vec::new(), skipped: 0 };
    let mut exited = false;
    let end = loop {
        let Some(length) = framer.next_length().await else { break End::Between };
        framer.say_skipped();
        let body = match framer.body(length).await {
            Ok(Some(body)) => body,
            Ok(None) => continue,
            Err(end) => break end,
        };
        match decode(&body) {
            Ok(method) => exited |= method.as_deref() == Some("exit"),
            Err(why) => {
                tracing::warn!("dropped a frame of {} bytes: {why}", body.len());
                continue;
            }
        }
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        if output.write_all(header.as_bytes()).await.is_err() || output.write_all(&body).await.is_err() || output.flush().await.is_err() {
            return;
        }
    };
    let unframed = framer.skipped + framer.head.len() as u64;
    match end {
        End::InsideBody { got, length } => tracing::warn!("the client's input ended inside a frame: {got} of its {length} bytes came"),
        End::Between if unframed > 0 => tracing::warn!("the client's input ended after {unframed} bytes that were not an LSP frame"),
        End::Between if !exited => tracing::warn!("the client's input ended without an exit notification"),
        End::Between => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The frames `forward` passes on for `input`.
    async fn passed(input: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        forward(input, &mut out).await;
        let mut frames = Vec::new();
        let mut rest = out.as_slice();
        while !rest.is_empty() {
            let text = std::str::from_utf8(rest).unwrap();
            let (header, body) = text.split_once("\r\n\r\n").unwrap();
            let length: usize = header.strip_prefix("Content-Length: ").unwrap().parse().unwrap();
            frames.push(body[..length].to_string());
            rest = &rest[header.len() + 4 + length..];
        }
        frames
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    const STATUS: &str = r#"{"jsonrpc":"2.0","id":1,"method":"semnav/status"}"#;

    #[tokio::test]
    async fn garbage_is_skipped_up_to_the_next_header() {
        for garbage in ["xyz", "\r\n\r\n", "a:b\r\n\r\n", "Content-Len", "Content-Length: 1x\r\n\r\n{", "\u{0}\n\n", "Content-Length\r\n\r\n", "\u{ff}\u{fe}:\n\r\n"] {
            let input = format!("{garbage}{}", frame(STATUS));
            assert_eq!(passed(input.as_bytes()).await, [STATUS], "after {garbage:?}");
        }
        let mut input = b"\xff\xfe\r\nContent-Length: 3\xff\r\n\r\n".to_vec();
        input.extend_from_slice(frame(STATUS).as_bytes());
        assert_eq!(passed(&input).await, [STATUS], "invalid UTF-8 in a header");
    }

    #[tokio::test]
    async fn only_what_tower_lsp_server_decodes_passes() {
        for body in ["[]", "{}", r#"{"jsonrpc":"2.0","id":{},"method":"x"}"#, r#"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#, r#"{"jsonrpc":"2.0","method":5}"#, r#"{"jsonrpc":"1.0","method":"x"}"#, ""] {
            let input = format!("{}{}", frame(body), frame(STATUS));
            assert_eq!(passed(input.as_bytes()).await, [STATUS], "{body:?} is dropped");
        }
        let valid = [r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#, r#"{"jsonrpc":"2.0","id":"a","result":null}"#];
        let input: String = valid.iter().map(|b| frame(b)).collect();
        assert_eq!(passed(input.as_bytes()).await, valid);
    }

    #[tokio::test]
    async fn odd_but_valid_headers_pass() {
        let input = format!("Content-Type: application/vscode-jsonrpc; charset=utf-8\r\ncontent-length :  {} \r\n\r\n{STATUS}", STATUS.len());
        assert_eq!(passed(input.as_bytes()).await, [STATUS]);
        let input = format!("Content-Length: {}\n\n{STATUS}", STATUS.len());
        assert_eq!(passed(input.as_bytes()).await, [STATUS], "bare line feeds");
    }

    #[tokio::test]
    async fn an_oversized_body_is_skipped_and_the_next_frame_read() {
        let big = MAX_BODY as usize + 1;
        let mut input = format!("Content-Length: {big}\r\n\r\n").into_bytes();
        input.resize(input.len() + big, b'x');
        input.extend_from_slice(frame(STATUS).as_bytes());
        assert_eq!(passed(&input).await, [STATUS]);
    }

    #[tokio::test]
    async fn a_huge_declared_length_does_not_eat_the_frames_after_it() {
        let input = format!("Content-Length: 99999999999\r\n\r\n{}{}", frame(STATUS), frame(STATUS));
        assert_eq!(passed(input.as_bytes()).await, [STATUS, STATUS]);
    }

    #[tokio::test]
    async fn an_endless_header_line_is_not_kept() {
        let mut input = b"Content-Length: 1".to_vec();
        input.resize(1 << 20, b'2');
        input.extend_from_slice(frame(STATUS).as_bytes());
        let mut framer = Framer { reader: BufReader::new(input.as_slice()), head: Vec::new(), skipped: 0 };
        assert_eq!(framer.next_length().await, Some(STATUS.len() as u64));
        assert!(framer.skipped >= (1 << 20) - MAX_HEADER as u64, "skipped {}", framer.skipped);
    }

    #[tokio::test]
    async fn a_frame_cut_by_the_end_of_input_passes_nothing() {
        assert!(passed(b"Content-Length: 100\r\n\r\n{\"jsonrpc\":").await.is_empty());
        assert!(passed(&frame(STATUS).as_bytes()[..30]).await.is_empty());
    }
}
