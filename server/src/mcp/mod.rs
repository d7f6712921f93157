//! The MCP server (`semnav mcp`): a thin translation between the Model
//! Context Protocol (revision 2025-06-18, over stdio, on the official Rust
//! SDK `rmcp`) and [`crate::engine`], for coding agents.
//!
//! One workspace root, served by the engine's root lifecycle
//! ([`Engine::start_root`]: opened, refreshed in the background, watched):
//! the tools answer from what is there (by words and the ranking stage while
//! vectors are missing, see [`crate::engine`]) and say what is not known
//! yet. The tools are in [`tools`], their output in [`format`]; [`framing`]
//! answers the lines rmcp cannot take. Nothing here chunks, embeds or ranks.
//! Logs go to stderr: stdout carries only protocol messages.

mod format;
mod framing;
mod tools;

use std::path::Path;

use anyhow::{Context, Result};
use rmcp::ServiceExt;

use crate::engine::{Engine, RootOptions, Settings};

pub use tools::{Tools, PROTOCOL};

/// Serves MCP on stdin/stdout for the workspace at `root` until the client
/// closes stdin. The root is named to the engine before the handshake, so
/// no answer forgets it; the model loads in the background, so the
/// handshake never waits for it.
pub async fn run_stdio(root: &Path, settings: Settings) -> Result<()> {
    let root = root.canonicalize().with_context(|| format!("cannot open workspace {}", root.display()))?;
    if !root.is_dir() {
        anyhow::bail!("workspace {} is not a directory", root.display());
    }
    let engine = Engine::start(settings);
    let first_refresh = engine.start_root(&root, RootOptions { watch: true, ..RootOptions::default() });
    let shown = root.clone();
    tokio::spawn(async move {
        // A failure is kept by the engine and answered by every tool.
        if let Ok(stats) = first_refresh.await {
            tracing::info!("indexed {}: {stats:?}", shown.display());
        }
    });
    // rmcp sends nothing back for a line it cannot take: the guard answers those.
    let transport = framing::guard(tokio::io::stdin(), tokio::io::stdout());
    let service = Tools::new(engine.clone(), root).serve(transport).await.context("the MCP handshake failed")?;
    let reason = service.waiting().await;
    tracing::info!("MCP session ended: {reason:?}");
    tokio::task::block_in_place(|| engine.shut_down());
    Ok(())
}
