//! The MCP server (`semnav mcp`): a thin translation between the Model
//! Context Protocol (revision 2025-06-18, over stdio, on the official Rust
//! SDK `rmcp`) and [`crate::engine`], for coding agents.
//!
//! One workspace root. On start the root's index is opened and refreshed as
//! `semnav search` would, in the background: the tools answer at once from
//! what is there (by words and the ranking stage while vectors are missing,
//! see [`crate::engine`]). A file watcher ([`crate::watch`]) then keeps the
//! index in step with the disk; a change is searchable by words at once and
//! by meaning once embedded. The tools are in [`tools`], their output in
//! [`format`]. Nothing here chunks, embeds or ranks. Logs go to stderr:
//! stdout carries only protocol messages.

mod format;
mod tools;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use anyhow::{Context, Result};
use rmcp::ServiceExt;

use crate::engine::{Engine, Settings};
use crate::index::NoProgress;

pub use tools::{Tools, PROTOCOL};

/// Serves MCP on stdin/stdout for the workspace at `root` until the client
/// closes stdin.
pub async fn run_stdio(root: &Path, settings: Settings) -> Result<()> {
    let root = root.canonicalize().with_context(|| format!("cannot open workspace {}", root.display()))?;
    if !root.is_dir() {
        anyhow::bail!("workspace {} is not a directory", root.display());
    }
    // Loading the model takes a fraction of a second; a missing one is
    // remembered by the engine and answered around.
    let engine = Arc::new(tokio::task::block_in_place(|| Engine::new(settings.clone())));
    let startup_error = Arc::new(RwLock::new(None));
    let _watcher = start_indexing(engine.clone(), root.clone(), &settings, startup_error.clone());
    let service = Tools::new(engine.clone(), root, startup_error).serve(rmcp::transport::stdio()).await.context("the MCP handshake failed")?;
    let reason = service.waiting().await;
    tracing::info!("MCP session ended: {reason:?}");
    tokio::task::block_in_place(|| engine.shut_down());
    Ok(())
}

/// Opens and refreshes the root in the background, and watches it. Paths
/// that change while the first refresh runs are applied at once (searchable
/// by words) and again after it, since its result replaces the index.
fn start_indexing(engine: Arc<Engine>, root: PathBuf, settings: &Settings, startup_error: Arc<RwLock<Option<String>>>) -> Option<crate::watch::Watcher> {
    // `Some` while the first refresh runs: the paths changed meanwhile.
    let during_refresh: Arc<Mutex<Option<Vec<PathBuf>>>> = Arc::new(Mutex::new(Some(Vec::new())));
    let options = crate::discover::DiscoverOptions { max_file_bytes: settings.max_file_bytes, exclude: settings.exclude.clone() };
    let watcher = {
        let engine = engine.clone();
        let during_refresh = during_refresh.clone();
        crate::watch::watch(&root, &options, move |paths| {
            let mut deferred = during_refresh.lock().unwrap_or_else(|e| e.into_inner());
            for path in paths {
                match deferred.as_mut() {
                    // A whole-root refresh (a directory changed) waits for the first one.
                    Some(list) if path.is_dir() => list.push(path),
                    Some(list) => {
                        list.push(path.clone());
                        apply(&engine, &path);
                    }
                    None => apply(&engine, &path),
                }
            }
        })
    };
    let watcher = match watcher {
        Ok(w) => Some(w),
        Err(e) => {
            tracing::warn!("{e:#}; changes on disk will not be followed");
            None
        }
    };
    let work = move || {
        let refreshed = engine.add_root(&root).and_then(|r| engine.refresh_root(&r, &NoProgress));
        match refreshed {
            Ok(stats) => tracing::info!("indexed {}: {stats:?}", root.display()),
            Err(e) => {
                tracing::error!("cannot index {}: {e:#}", root.display());
                *startup_error.write().unwrap_or_else(|e| e.into_inner()) = Some(format!("{e:#}"));
            }
        }
        let changed = during_refresh.lock().unwrap_or_else(|e| e.into_inner()).take().unwrap_or_default();
        for path in changed {
            apply(&engine, &path);
        }
    };
    tokio::spawn(async move {
        if let Err(e) = crate::background::background("semnav-index", work).await {
            tracing::error!("indexing stopped: {e:#}");
        }
    });
    watcher
}

fn apply(engine: &Engine, path: &Path) {
    if let Err(e) = engine.path_changed(path) {
        tracing::warn!("cannot apply the change of {}: {e:#}", path.display());
    }
}
