//! Requests: the contract's custom methods, hover, code lenses and workspace
//! symbols. Each converts its params, asks the engine, converts the answer.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;

use super::convert::{self, doc_key, hit, Hit};
use super::server::Backend;
use crate::engine::Answer;
use crate::lang::Language;
use crate::position::{char_of, line_range};
use crate::search::{ContentFilter, Filters};

const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: usize = 200;
/// A lens counts hits at least this similar (cosine). With this model, code
/// doing the same thing in other words scores about 0.5-0.7, unrelated code
/// below 0.4.
const LENS_MIN_SCORE: f32 = 0.5;

/// Runs a handler; a panic inside it becomes an internal-error answer and the
/// server keeps serving.
pub async fn guard<T>(fut: impl Future<Output = Result<T>>) -> Result<T> {
    match AssertUnwindSafe(fut).catch_unwind().await {
        Ok(r) => r,
        Err(panic) => {
            let what = panic.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| panic.downcast_ref::<String>().cloned()).unwrap_or_default();
            tracing::error!("a request handler panicked: {what}");
            Err(Error { code: ErrorCode::InternalError, message: format!("semnav: internal error: {what}").into(), data: None })
        }
    }
}

/// An engine error as an answer: a refused request ([`crate::usage`]) is
/// the client's invalid params, anything else an internal error.
fn failed(e: anyhow::Error) -> Error {
    if crate::usage::is_invalid(&e) {
        return invalid(format!("semnav: {e:#}"));
    }
    Error { code: ErrorCode::InternalError, message: format!("semnav: {e:#}").into(), data: None }
}

fn invalid(message: String) -> Error {
    Error::invalid_params(message)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchParams {
    query: String,
    limit: Option<usize>,
    languages: Option<Vec<String>>,
    globs: Option<Vec<String>>,
    /// `code`, `docs`, `config` or `all` (the default).
    content: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FindSimilarParams {
    text_document: TextDocumentIdentifier,
    position: Option<Position>,
    range: Option<Range>,
    limit: Option<usize>,
}

#[derive(Serialize)]
pub struct HitsResult {
    results: Vec<Hit>,
    indexing: bool,
}

fn hits(answers: &[Answer]) -> Vec<Hit> {
    answers.iter().filter_map(hit).collect()
}

/// The limit asked for, at most [`MAX_LIMIT`]; 0 is refused.
fn limit(l: Option<usize>) -> Result<usize> {
    let l = crate::usage::limit(l.unwrap_or(DEFAULT_LIMIT)).map_err(|e| invalid(format!("semnav: {e}")))?;
    Ok(l.min(MAX_LIMIT))
}

fn filters(languages: Option<Vec<String>>, globs: Option<Vec<String>>) -> Result<Filters> {
    let languages = languages.unwrap_or_default().iter().map(|l| Language::from_name(l).ok_or_else(|| invalid(format!("unknown language {l:?}")))).collect::<Result<Vec<_>>>()?;
    let globs = match globs {
        Some(g) if !g.is_empty() => {
            let mut b = globset::GlobSetBuilder::new();
            for pattern in g {
                b.add(globset::Glob::new(&pattern).map_err(|e| invalid(format!("bad glob {pattern:?}: {e}")))?);
            }
            Some(b.build().map_err(|e| invalid(e.to_string()))?)
        }
        _ => None,
    };
    Ok(Filters { languages, globs, ..Filters::default() })
}

impl Backend {
    pub async fn semnav_search(&self, params: SearchParams) -> Result<HitsResult> {
        guard(async {
            let mut filters = filters(params.languages, params.globs)?;
            if let Some(content) = &params.content {
                filters.content = ContentFilter::from_name(content).ok_or_else(|| invalid(format!("unknown content {content:?}: one of {}", ContentFilter::NAMES.join(", "))))?;
            }
            let engine = self.engine();
            let answers = engine.search(&params.query, &filters, limit(params.limit)?).await.map_err(failed)?;
            Ok(HitsResult { results: hits(&answers), indexing: engine.indexing() })
        })
        .await
    }

    pub async fn semnav_find_similar(&self, params: FindSimilarParams) -> Result<HitsResult> {
        guard(async {
            let (key, _) = doc_key(&params.text_document.uri);
            let engine = self.engine();
            let rope = engine.rope(&key).ok_or_else(|| invalid(format!("{} is not open", params.text_document.uri.as_str())))?;
            let at = params.range.map(|r| r.start).or(params.position).unwrap_or_default();
            // Clamp into the document, like any position.
            let line = rope.char_to_line(char_of(&rope, convert::line_pos(at), self.encoding())) as u32;
            let answers = engine.similar(&key, line, limit(params.limit)?).await.map_err(failed)?;
            Ok(HitsResult { results: hits(&answers), indexing: engine.indexing() })
        })
        .await
    }

    pub async fn semnav_status(&self, _params: Value) -> Result<Value> {
        guard(async {
            Ok(self.engine().status().json())
        })
        .await
    }

    pub async fn semnav_reindex(&self, _params: Value) -> Result<Value> {
        self.refresh_all();
        Ok(Value::Null)
    }

    pub(super) async fn hover_impl(&self, params: HoverParams) -> Result<Option<Hover>> {
        let engine = self.engine();
        if !engine.settings().hover {
            return Ok(None);
        }
        let (key, _) = doc_key(&params.text_document_position_params.text_document.uri);
        let Some(rope) = engine.rope(&key) else { return Ok(None) };
        let pos = convert::line_pos(params.text_document_position_params.position);
        let line = rope.char_to_line(char_of(&rope, pos, self.encoding())) as u32;
        // Only stored vectors: never an embedding on the hover path.
        let Ok(found) = engine.similar_stored(&key, line, 3) else { return Ok(None) };
        let mut md = String::from("**Similar code**\n\n");
        let Some(answers) = found else {
            // Say why there is nothing yet rather than stay silent.
            let why = match engine.model_error() {
                Some(e) if !engine.model_loading() => format!("_needs the embedding model, which is not available: {e}_\n"),
                _ => "_semnav is still indexing: similar code shows here once this code is embedded_\n".to_string(),
            };
            md.push_str(&why);
            return Ok(Some(Hover { contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: md }), range: None }));
        };
        if answers.is_empty() {
            md.push_str("_nothing similar found_\n");
        }
        for a in &answers {
            let Some(uri) = convert::uri_of(&a.path) else { continue };
            let label = a.name.clone().unwrap_or_else(|| a.path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default());
            let place = format!("{}:{}", a.path.file_name().map(|f| f.to_string_lossy()).unwrap_or_default(), a.start_line + 1);
            md.push_str(&format!("- {} [`{}`]({}#L{}) {place} ({:.2})\n", a.kind, label, uri.as_str(), a.start_line + 1, a.score));
        }
        Ok(Some(Hover { contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: md }), range: None }))
    }

    pub(super) async fn code_lens_impl(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let engine = self.engine();
        if !engine.settings().code_lens {
            return Ok(None);
        }
        let (key, _) = doc_key(&params.text_document.uri);
        let Some(rope) = engine.rope(&key) else { return Ok(None) };
        let version = engine.version(&key);
        let lenses = engine
            .definitions(&key)
            .into_iter()
            .map(|c| {
                let (start, _) = line_range(&rope, c.start_line, c.start_line, self.encoding());
                let pos = Position::new(start.line, 0);
                CodeLens {
                    range: Range { start: pos, end: pos },
                    command: None,
                    data: Some(json!({"uri": params.text_document.uri.as_str(), "line": c.start_line, "version": version})),
                }
            })
            .collect();
        Ok(Some(lenses))
    }

    pub(super) async fn code_lens_resolve_impl(&self, mut lens: CodeLens) -> Result<CodeLens> {
        let data = lens.data.clone().unwrap_or(Value::Null);
        let uri: Uri = data.get("uri").and_then(Value::as_str).and_then(|s| s.parse().ok()).ok_or_else(|| invalid("code lens without a document".into()))?;
        let line = data.get("line").and_then(Value::as_u64).ok_or_else(|| invalid("code lens without a line".into()))? as u32;
        let (key, _) = doc_key(&uri);
        let engine = self.engine();
        // From stored vectors only, like hover: resolving must stay cheap.
        let count = engine.similar_stored(&key, line, 10).ok().flatten().map(|a| a.iter().filter(|a| a.score >= LENS_MIN_SCORE).count());
        let title = match count {
            Some(1) => "1 similar".to_string(),
            Some(n) => format!("{n} similar"),
            None => "similar: indexing…".to_string(),
        };
        lens.command = Some(Command { title, command: "semnav.showSimilar".into(), arguments: Some(vec![json!(uri.as_str()), json!({"line": line, "character": 0})]) });
        Ok(lens)
    }

    pub(super) async fn symbol_impl(&self, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        let query = params.query.trim();
        if query.is_empty() {
            return Ok(Some(WorkspaceSymbolResponse::Nested(Vec::new())));
        }
        let engine = self.engine();
        let answers = engine.search(query, &Filters::default(), 50).await.map_err(failed)?;
        let symbols = answers
            .iter()
            .filter_map(|a| {
                let uri = convert::uri_of(&a.path)?;
                let name = a.name.clone().unwrap_or_else(|| a.preview.clone());
                Some(WorkspaceSymbol {
                    name,
                    kind: symbol_kind(a.kind),
                    tags: None,
                    container_name: a.container.clone(),
                    location: OneOf::Left(Location { uri, range: convert::lines_range(a.start_line, a.end_line) }),
                    data: None,
                })
            })
            .collect();
        Ok(Some(WorkspaceSymbolResponse::Nested(symbols)))
    }
}

fn symbol_kind(kind: &str) -> SymbolKind {
    match kind {
        "function" => SymbolKind::FUNCTION,
        "method" => SymbolKind::METHOD,
        "class" => SymbolKind::CLASS,
        "struct" => SymbolKind::STRUCT,
        "enum" => SymbolKind::ENUM,
        "trait" | "interface" => SymbolKind::INTERFACE,
        "impl" => SymbolKind::CLASS,
        "module" => SymbolKind::MODULE,
        "type" => SymbolKind::TYPE_PARAMETER,
        _ => SymbolKind::NAMESPACE,
    }
}
