//! The MCP tools `search`, `find_similar` and `status`: each checks its
//! arguments, asks the engine, and formats the answer ([`super::format`]).
//! Nothing here chunks, embeds or ranks.
//!
//! Bad arguments (an empty query, an unknown language, a bad glob, a path
//! outside the workspace) give a tool result with `isError` and a message
//! that names what is wrong, so the agent can correct itself; arguments of
//! the wrong type are refused by rmcp as invalid params. A panic inside a
//! tool becomes an `isError` result too: the server keeps serving.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures::FutureExt;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ProtocolVersion, ServerCapabilities, ServerConfig};
use rmcp::{schemars, tool, tool_handler, tool_router, ServerHandler};
use serde::Deserialize;
use serde_json::json;

use super::format;
use crate::engine::Engine;
use crate::search::Filters;

const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: usize = 50;
const DEFAULT_MAX_LINES: usize = 20;

/// The protocol revision this server speaks.
pub const PROTOCOL: ProtocolVersion = ProtocolVersion::V_2025_06_18;

const INSTRUCTIONS: &str = "semnav searches this repository by meaning. Call `search` with a description of the code you \
need (\"where are failed uploads retried\") or a symbol name, instead of guessing identifiers for grep and reading whole \
files: it returns the few functions or blocks that match, ranked, with their code. Call `find_similar` on a location to \
find code that does the same thing elsewhere. Paths are relative to the workspace root.";

/// One string or a list of them.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct SearchArgs {
    /// What you are looking for: a description in words ("where are failed uploads retried",
    /// "parse the config file") or a symbol name (`JsonReader`, `Config::load`, `get_user`).
    pub query: String,
    /// Most results to return (default 10, at most 50).
    pub limit: Option<u32>,
    /// Only these languages, e.g. "rust" or ["python", "typescript"].
    pub lang: Option<OneOrMany>,
    /// Only paths matching these globs, relative to the workspace root, e.g. "src/**" or ["**/*.go"].
    pub glob: Option<OneOrMany>,
    /// Only "code", "docs" (Markdown, text) or "config" (TOML, YAML, JSON…); default "all". Tests, docs and
    /// config rank below code unless the query asks for them.
    pub content: Option<String>,
    /// Lines of code shown per result (default 20; 0 shows locations only).
    pub max_lines: Option<u32>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct SimilarArgs {
    /// The file, relative to the workspace root, as search results print it (e.g. "src/config.rs").
    pub path: String,
    /// A 1-based line inside the function, method or block to compare.
    pub line: u32,
    /// Most results to return (default 10, at most 50).
    pub limit: Option<u32>,
    /// Lines of code shown per result (default 20; 0 shows locations only).
    pub max_lines: Option<u32>,
}

/// The server: the engine of one workspace root.
#[derive(Clone)]
pub struct Tools {
    engine: Arc<Engine>,
    root: PathBuf,
    /// Whether the missing model was already mentioned.
    model_noted: Arc<AtomicBool>,
    /// Whether the roots' notes (an index held by another process) were.
    roots_noted: Arc<AtomicBool>,
    tool_router: ToolRouter<Tools>,
}

fn error(message: impl Into<String>) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message.into())])
}

/// The limit asked for, at most [`MAX_LIMIT`]; 0 is refused.
fn limit(l: Option<u32>) -> Result<usize, String> {
    let l = crate::usage::limit(l.map_or(DEFAULT_LIMIT, |l| l as usize)).map_err(|e| format!("`limit`: {e}"))?;
    Ok(l.min(MAX_LIMIT))
}

fn max_lines(m: Option<u32>) -> usize {
    m.map_or(DEFAULT_MAX_LINES, |m| m as usize)
}

/// Runs a tool; a panic inside it becomes an error result.
async fn guard(fut: impl Future<Output = CallToolResult>) -> CallToolResult {
    match AssertUnwindSafe(fut).catch_unwind().await {
        Ok(r) => r,
        Err(panic) => {
            let what = panic.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| panic.downcast_ref::<String>().cloned()).unwrap_or_default();
            tracing::error!("a tool panicked: {what}");
            error(format!("semnav: internal error: {what}"))
        }
    }
}

fn filters(lang: Option<OneOrMany>, glob: Option<OneOrMany>, content: Option<String>) -> Result<Filters, String> {
    Filters::parse(&lang.map(OneOrMany::into_vec).unwrap_or_default(), &glob.map(OneOrMany::into_vec).unwrap_or_default(), content.as_deref())
}

impl Tools {
    pub fn new(engine: Arc<Engine>, root: PathBuf) -> Tools {
        Tools { engine, root, model_noted: Arc::new(AtomicBool::new(false)), roots_noted: Arc::new(AtomicBool::new(false)), tool_router: Self::tool_router() }
    }

    /// Adds what the agent must know about the server's state to a result:
    /// a workspace that could not be opened (every time), a missing model
    /// (once), an index another process holds (once), an index or a model
    /// still loading, an index still being built (every time).
    fn with_notes(&self, mut result: CallToolResult) -> CallToolResult {
        if let Some((root, e)) = self.engine.root_errors().into_iter().next() {
            return error(format!("semnav cannot open the workspace {}: {e}", root.display()));
        }
        let loading = self.engine.loading_roots();
        for root in &loading {
            result.content.push(ContentBlock::text(format!(
                "Note: the index of {} is still loading, so these results do not cover it yet; ask again in a few seconds.",
                root.display()
            )));
        }
        if self.engine.model_loading() {
            result.content.push(ContentBlock::text(
                "Note: semnav's embedding model is still loading, so these results are ranked by words only; ask again in a few seconds for results by meaning.",
            ));
        } else if let Some(e) = self.engine.model_error() {
            if !self.model_noted.swap(true, Ordering::SeqCst) {
                result.content.push(ContentBlock::text(format!(
                    "Note: semnav's embedding model is not available, so results are ranked by words only, not by meaning ({e})."
                )));
            }
        }
        let notes: Vec<String> = self.engine.roots().iter().filter_map(|r| r.note.clone()).collect();
        if !notes.is_empty() && !self.roots_noted.swap(true, Ordering::SeqCst) {
            result.content.extend(notes.into_iter().map(|note| ContentBlock::text(format!("Note: {note}."))));
        }
        if let (true, false, Some(note)) = (loading.is_empty(), self.engine.model_loading(), self.engine.indexing_note()) {
            result.content.push(ContentBlock::text(format!("Note: {note}.")));
        }
        result
    }
}

#[tool_router]
impl Tools {
    #[tool(
        description = "Search this codebase by meaning. Describe what the code does in plain words (\"where are failed uploads retried\", \"parse the config file\") or name a symbol (`JsonReader`, `Config::load`), and get the best-matching functions, methods, classes and blocks, ranked, each with its code. Use it instead of grep when you do not know the exact identifiers or wording, to find where something is implemented or which code handles a concern, before reading files; use grep for an exact string or for every occurrence of a known identifier. Each result is `path:start-end kind name score` (path relative to the workspace root, lines 1-based) followed by its first `max_lines` lines.",
        annotations(title = "Search code by meaning", read_only_hint = true, open_world_hint = false)
    )]
    async fn search(&self, Parameters(args): Parameters<SearchArgs>) -> CallToolResult {
        guard(async {
            let query = match crate::usage::query(&args.query) {
                Ok(q) => q.to_string(),
                Err(e) => return error(format!("`query`: {e}")),
            };
            let filters = match filters(args.lang, args.glob, args.content) {
                Ok(f) => f,
                Err(e) => return error(e),
            };
            let limit = match limit(args.limit) {
                Ok(l) => l,
                Err(e) => return error(e),
            };
            match self.engine.search_with(&query, &filters, limit, true, Some(crate::engine::ANSWERS_WAIT)).await {
                Ok(answers) => {
                    let mut result = CallToolResult::success(vec![ContentBlock::text(format::text(&self.root, &answers, max_lines(args.max_lines)))]);
                    result.structured_content = Some(format::json(&query, &self.root, &answers));
                    self.with_notes(result)
                }
                Err(e) => self.with_notes(error(format!("semnav: search failed: {e:#}"))),
            }
        })
        .await
    }

    #[tool(
        description = "Find code that does the same thing as the code at a location: give a file (relative to the workspace root, as search results print it) and a 1-based line inside a function, method or block; returns the other functions and blocks closest in meaning, ranked, never the one at that location. Use it to find duplicated logic, other implementations of the same idea, or existing examples to follow before writing or changing code. Results look like `search` results.",
        annotations(title = "Find similar code", read_only_hint = true, open_world_hint = false)
    )]
    async fn find_similar(&self, Parameters(args): Parameters<SimilarArgs>) -> CallToolResult {
        guard(async {
            if args.line == 0 {
                return error("`line` is 1-based: the first line of a file is 1");
            }
            let file = match self.root.join(&args.path).canonicalize() {
                Ok(f) if f.starts_with(&self.root) && f.is_file() => f,
                Ok(f) if !f.starts_with(&self.root) => return error(format!("{:?} is outside the workspace {}", args.path, self.root.display())),
                Ok(_) => return error(format!("{:?} is not a file", args.path)),
                Err(e) => return error(format!("cannot open {:?} under {}: {e}", args.path, self.root.display())),
            };
            let key = file.to_string_lossy().into_owned();
            let limit = match limit(args.limit) {
                Ok(l) => l,
                Err(e) => return error(e),
            };
            match self.engine.similar(&key, args.line - 1, limit).await {
                Ok(answers) => {
                    let label = format!("{}:{}", args.path, args.line);
                    let mut result = CallToolResult::success(vec![ContentBlock::text(format::text(&self.root, &answers, max_lines(args.max_lines)))]);
                    result.structured_content = Some(format::json(&label, &self.root, &answers));
                    self.with_notes(result)
                }
                Err(e) => self.with_notes(error(format!("semnav: {e:#}"))),
            }
        })
        .await
    }

    #[tool(
        description = "Show the state of semnav's index for this workspace: the root, files and chunks indexed, whether indexing is still running (results may then be incomplete), and the embedding model. Use it when results look empty or incomplete.",
        annotations(title = "Index status", read_only_hint = true, open_world_hint = false)
    )]
    async fn status(&self) -> CallToolResult {
        guard(async {
            let s = self.engine.status();
            let value = json!({
                "root": self.root,
                "indexDir": s.index_dirs.first(),
                "files": s.files,
                "chunks": s.chunks,
                "pendingEmbeddings": s.pending_embeddings,
                "indexing": s.indexing,
                "progress": s.progress,
                "model": s.model,
                "modelError": self.engine.model_error(),
                "diskBytes": s.disk_bytes,
                "notes": s.notes,
                "loading": s.loading,
                "unknowns": s.unknowns,
            });
            let text = format!(
                "root: {}\nindex: {}\nfiles: {}\nchunks: {}\nindexing: {}\nmodel: {}\n",
                self.root.display(),
                match s.index_dirs.first() {
                    Some(d) => d.display().to_string(),
                    None if !s.loading.is_empty() => "loading".into(),
                    None => "none".into(),
                },
                s.files,
                s.chunks,
                match (s.indexing, s.progress.is_empty()) {
                    (false, _) => "done".to_string(),
                    (true, true) => "running".to_string(),
                    (true, false) => format!("running, {}", s.progress.join("; ")),
                },
                s.model
            ) + &s.notes.iter().chain(&s.unknowns).map(|n| format!("note: {n}\n")).collect::<String>();
            let mut result = CallToolResult::success(vec![ContentBlock::text(text)]);
            result.structured_content = Some(value);
            self.with_notes(result)
        })
        .await
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Tools {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_protocol_version(PROTOCOL)
            .with_server_info(Implementation::new("semnav", env!("CARGO_PKG_VERSION")).with_title("semnav: code search by meaning"))
            .with_instructions(INSTRUCTIONS)
    }

    fn supported_protocol_versions(&self) -> std::borrow::Cow<'static, [ProtocolVersion]> {
        std::borrow::Cow::Owned(ProtocolVersion::KNOWN_VERSIONS.iter().filter(|v| v.as_str() <= PROTOCOL.as_str()).cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Language;
    use crate::search::ContentFilter;

    #[test]
    fn bad_filters_name_what_is_wrong() {
        let e = filters(Some(OneOrMany::One("klingon".into())), None, None).err().unwrap();
        assert!(e.contains("klingon") && e.contains("rust"), "{e}");
        let e = filters(None, Some(OneOrMany::Many(vec!["src/[".into()])), None).err().unwrap();
        assert!(e.contains("src/["), "{e}");
        let e = filters(None, None, Some("videos".into())).err().unwrap();
        assert!(e.contains("videos") && e.contains("code"), "{e}");
        let f = filters(Some(OneOrMany::Many(vec!["rust".into(), "python".into()])), Some(OneOrMany::One("src/**".into())), Some("code".into())).unwrap();
        assert_eq!(f.languages, vec![Language::Rust, Language::Python]);
        assert!(f.globs.unwrap().is_match("src/a.rs"));
        assert_eq!(f.content, ContentFilter::Code);
    }

    #[test]
    fn limits_are_bounded() {
        assert_eq!(limit(None), Ok(DEFAULT_LIMIT));
        assert!(limit(Some(0)).is_err(), "0 asks for nothing");
        assert_eq!(limit(Some(10_000)), Ok(MAX_LIMIT));
        assert_eq!(max_lines(Some(0)), 0);
    }
}
