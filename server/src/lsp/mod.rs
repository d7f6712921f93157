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
mod framing;
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
/// Input passes through [`framing::forward`] first: tower-lsp-server stops
/// reading for good after one frame it cannot decode, so a single bad message
/// from a client would end the session, and raw input must not be buffered
/// without bound.
pub async fn serve(input: impl tokio::io::AsyncRead + Unpin + Send + 'static, output: impl tokio::io::AsyncWrite) {
    let (service, socket) = service();
    let (clean_reader, clean_writer) = tokio::io::duplex(1 << 20);
    tokio::spawn(framing::forward(input, clean_writer));
    Server::new(clean_reader, output, socket).serve(service).await;
}

/// Serves LSP on stdin/stdout until the client exits.
pub async fn run_stdio() {
    serve(tokio::io::stdin(), tokio::io::stdout()).await;
}
