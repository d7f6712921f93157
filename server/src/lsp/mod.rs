//! The language server: a thin translation between LSP and [`crate::engine`].
//!
//! Handlers convert protocol types, call the engine, convert back; nothing in
//! here chunks, embeds or searches.
//!
//! Concurrency: tower-lsp-server runs up to four handlers at once, so a
//! `didChange` that awaited before applying its edit could be overtaken by the
//! next one. Every text change is therefore applied synchronously at the top
//! of its handler, before any `.await` (see [`crate::engine`] for the locks
//! involved); requests read what is there and never wait for embeddings.
//! Slow work (the reparse after an edit, workspace refreshes, re-reading
//! files, HNSW builds) runs in `spawn_blocking` tasks; embeddings on the
//! engine's own thread. Requests are wrapped so that a panic inside one
//! becomes an error answer, not a dead server.

mod convert;
mod progress;
mod requests;
mod server;

pub use server::Backend;

use tower_lsp_server::{LspService, Server};

/// Builds the service with every custom method of the contract.
pub fn service() -> (LspService<Backend>, tower_lsp_server::ClientSocket) {
    LspService::build(Backend::new)
        .custom_method("semnav/search", Backend::semnav_search)
        .custom_method("semnav/findSimilar", Backend::semnav_find_similar)
        .custom_method("semnav/status", Backend::semnav_status)
        .custom_method("semnav/reindex", Backend::semnav_reindex)
        .finish()
}

/// Serves LSP over any byte streams until the client exits (tests use an
/// in-process duplex pipe).
///
/// Input passes through [`sanitize`] first: tower-lsp-server stops reading
/// for good after one message it cannot decode (its framed reader ends on the
/// first error), so a single bad message from a client would end the session.
pub async fn serve(input: impl tokio::io::AsyncRead + Unpin + Send + 'static, output: impl tokio::io::AsyncWrite) {
    let (service, socket) = service();
    let (clean_reader, clean_writer) = tokio::io::duplex(1 << 20);
    tokio::spawn(sanitize(input, clean_writer));
    Server::new(clean_reader, output, socket).serve(service).await;
}

/// Copies LSP frames from `input` to `output`, dropping (with a warning) any
/// frame whose body is not a JSON object with a `jsonrpc` field or whose
/// header is malformed. Ends when `input` ends.
async fn sanitize(input: impl tokio::io::AsyncRead + Unpin, mut output: impl tokio::io::AsyncWrite + Unpin) {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
    const MAX_BODY: usize = 256 << 20;
    let mut reader = tokio::io::BufReader::new(input);
    loop {
        let mut length: Option<usize> = None;
        let mut header_ok = true;
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                break;
            }
            match line.split_once(':') {
                Some((name, value)) if name.eq_ignore_ascii_case("content-length") => length = value.trim().parse().ok(),
                Some(_) => {}
                None => header_ok = false,
            }
        }
        let Some(length) = length.filter(|&l| header_ok && l <= MAX_BODY) else {
            tracing::warn!("dropped a message with a malformed header");
            continue;
        };
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        let valid = serde_json::from_slice::<serde_json::Value>(&body).is_ok_and(|v| v.get("jsonrpc").is_some_and(|j| j == "2.0"));
        if !valid {
            tracing::warn!("dropped a message that is not a JSON-RPC 2.0 object ({} bytes)", body.len());
            continue;
        }
        let frame = format!("Content-Length: {}\r\n\r\n", body.len());
        if output.write_all(frame.as_bytes()).await.is_err() || output.write_all(&body).await.is_err() || output.flush().await.is_err() {
            return;
        }
    }
}

/// Serves LSP on stdin/stdout until the client exits.
pub async fn run_stdio() {
    serve(tokio::io::stdin(), tokio::io::stdout()).await;
}
