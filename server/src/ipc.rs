//! The local door of a running server (LSP or MCP) for the CLI of the same
//! user: a Unix socket, `server.sock`, in the directory of each root's own
//! index, made when the server opens that index (whose lock it then holds)
//! and removed when it shuts down. `semnav search`, `similar`, `status` and
//! `index` beside an editor or an agent ask the server through it instead of
//! failing on the lock, and get the server's answers: the same engine, the
//! same ranking, its open buffers included.
//!
//! One JSON request per connection, one JSON answer, each a line. The socket
//! is readable and writable by its owner only.
//!
//! Must not: rank, read files, or know LSP or MCP; a request's rules are the
//! engine's ([`crate::usage`]).

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The socket's file name in an index directory.
pub const SOCKET: &str = "server.sock";

/// What the CLI asks a running server.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Request {
    Search {
        query: String,
        limit: usize,
        #[serde(default)]
        languages: Vec<String>,
        #[serde(default)]
        globs: Vec<String>,
        #[serde(default)]
        content: Option<String>,
        /// Rank by words only.
        #[serde(default)]
        lexical: bool,
    },
    Similar {
        /// Absolute path of a file of the root.
        path: PathBuf,
        /// 0-based.
        line: u32,
        limit: usize,
    },
    Status,
    /// Brings the root's index up to date now (what `semnav index` asks).
    Refresh,
}

/// A server's answer: `ok` holds the contract's JSON (a query's results) or
/// the status; `error` what went wrong, `invalid` when it was the request.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Reply {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ok: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default)]
    pub invalid: bool,
    /// What the answer cannot know yet ([`crate::engine::Engine::unknowns`]).
    #[serde(default)]
    pub notes: Vec<String>,
}

/// The socket of the index at `index_dir`.
pub fn socket_path(index_dir: &Path) -> PathBuf {
    index_dir.join(SOCKET)
}

/// Asks the server that holds the index at `index_dir`. `Err` when none
/// answers there.
#[cfg(unix)]
pub fn ask(index_dir: &Path, request: &Request) -> Result<Reply> {
    use std::io::{BufRead, BufReader, Write};
    let path = socket_path(index_dir);
    let mut stream = std::os::unix::net::UnixStream::connect(&path).with_context(|| format!("no semnav server answers at {}", path.display()))?;
    // A search may wait for the server's first load (bounded there).
    stream.set_read_timeout(Some(std::time::Duration::from_secs(300)))?;
    let mut line = serde_json::to_string(request)?;
    line.push('\n');
    stream.write_all(line.as_bytes()).with_context(|| format!("cannot write to {}", path.display()))?;
    let mut answer = String::new();
    BufReader::new(&stream).read_line(&mut answer).with_context(|| format!("no answer from the semnav server at {}", path.display()))?;
    serde_json::from_str(&answer).with_context(|| format!("a garbled answer from the semnav server at {}", path.display()))
}

#[cfg(not(unix))]
pub fn ask(index_dir: &Path, _request: &Request) -> Result<Reply> {
    Err(anyhow!("no semnav server can be asked at {} on this platform", index_dir.display()))
}

/// Serves `root`'s requests on the socket in `index_dir` until the process
/// ends or the socket is removed: a thread accepts, and each connection is
/// answered on a thread of its own, through `runtime`. A socket left by a
/// server that died is replaced (this process holds the index's lock, so no
/// live server has it).
#[cfg(unix)]
pub fn serve(engine: std::sync::Arc<crate::engine::Engine>, root: PathBuf, index_dir: &Path, runtime: tokio::runtime::Handle) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let path = socket_path(index_dir);
    let _ = std::fs::remove_file(&path);
    let listener = std::os::unix::net::UnixListener::bind(&path).with_context(|| format!("cannot listen at {}", path.display()))?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).with_context(|| format!("cannot restrict {}", path.display()))?;
    std::thread::Builder::new()
        .name("semnav-ipc".into())
        .spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (engine, root, runtime) = (engine.clone(), root.clone(), runtime.clone());
                let _ = std::thread::Builder::new().name("semnav-ipc-request".into()).spawn(move || answer_one(stream, &engine, &root, &runtime));
            }
        })
        .context("cannot start the thread that serves the CLI")?;
    Ok(())
}

#[cfg(not(unix))]
pub fn serve(_engine: std::sync::Arc<crate::engine::Engine>, _root: PathBuf, _index_dir: &Path, _runtime: tokio::runtime::Handle) -> Result<()> {
    Ok(())
}

#[cfg(unix)]
fn answer_one(stream: std::os::unix::net::UnixStream, engine: &std::sync::Arc<crate::engine::Engine>, root: &Path, runtime: &tokio::runtime::Handle) {
    use std::io::{BufRead, BufReader, Read, Write};
    let mut line = String::new();
    // One line, at most 1 MiB of it.
    if BufReader::new((&stream).take(1 << 20)).read_line(&mut line).is_err() {
        return;
    }
    let reply = match serde_json::from_str::<Request>(&line) {
        Ok(request) => match runtime.block_on(handle(engine, root, request)) {
            Ok(value) => Reply { ok: Some(value), notes: engine.unknowns(), ..Reply::default() },
            Err(e) => Reply { error: Some(format!("{e:#}")), invalid: crate::usage::is_invalid(&e), notes: engine.unknowns(), ..Reply::default() },
        },
        Err(e) => Reply { error: Some(format!("a request semnav does not understand: {e}")), invalid: true, ..Reply::default() },
    };
    let mut out = serde_json::to_string(&reply).unwrap_or_else(|_| "{}".into());
    out.push('\n');
    let _ = (&stream).write_all(out.as_bytes());
}

async fn handle(engine: &std::sync::Arc<crate::engine::Engine>, root: &Path, request: Request) -> Result<Value> {
    use crate::usage::Invalid;
    match request {
        Request::Search { query, limit, languages, globs, content, lexical } => {
            let filters = crate::search::Filters::parse(&languages, &globs, content.as_deref()).map_err(Invalid)?;
            let answers = engine.search_with(&query, &filters, limit, !lexical, Some(crate::engine::ANSWERS_WAIT)).await?;
            Ok(crate::contract::answers(&query, root, &answers))
        }
        Request::Similar { path, line, limit } => {
            if crate::discover::inside_root(root, &path).is_none() {
                return Err(Invalid(format!("{} is not a file of the workspace {}", path.display(), root.display())).into());
            }
            let key = path.to_string_lossy().into_owned();
            let answers = engine.similar(&key, line, limit).await?;
            Ok(crate::contract::answers(&format!("{}:{}", path.display(), line + 1), root, &answers))
        }
        Request::Status => {
            let mut status = engine.status().json();
            status["pid"] = json!(std::process::id());
            Ok(status)
        }
        Request::Refresh => {
            let found = engine.roots().into_iter().find(|r| r.path == root).ok_or_else(|| anyhow!("the server does not serve {}", root.display()))?;
            let stats = engine.refresh_root_in_background(found).await?;
            Ok(json!({"files": stats.files, "chunks": stats.chunks, "filesRead": stats.files_read, "removed": stats.files_removed, "embedded": stats.embedded}))
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn requests_and_replies_keep_their_shape() {
        let r = Request::Search { query: "q".into(), limit: 3, languages: vec![], globs: vec!["src/**".into()], content: None, lexical: false };
        let line = serde_json::to_string(&r).unwrap();
        assert!(line.contains(r#""op":"search""#), "{line}");
        assert!(matches!(serde_json::from_str::<Request>(&line).unwrap(), Request::Search { limit: 3, .. }));
        assert!(matches!(serde_json::from_str::<Request>(r#"{"op":"status"}"#).unwrap(), Request::Status));
        assert!(serde_json::from_str::<Request>(r#"{"op":"rm -rf"}"#).is_err());
    }

    #[test]
    fn nobody_answering_is_an_error_that_says_where() {
        let dir = tempfile::tempdir().unwrap();
        let e = ask(dir.path(), &Request::Status).unwrap_err();
        assert!(format!("{e:#}").contains(SOCKET), "{e:#}");
    }
}
