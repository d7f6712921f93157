//! The official MCP SDK's client, driving the real `semnav mcp` binary over
//! stdio for the end-to-end tests: start it on a fixture, call a tool with a
//! bound on the wait, read a result's text.

use std::time::Duration;

use rmcp::model::{CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, Implementation, ProtocolVersion};
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::TokioChildProcess;
use rmcp::ServiceExt;
use serde_json::Value;

use crate::{semnav_bin, Fixture};

pub type Client = RunningService<RoleClient, ClientConfig>;

/// The `semnav mcp` command on `f` (its own index directory and vector
/// cache, two model threads), with `env` added.
pub fn command(f: &Fixture, env: &[(&str, &str)]) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(semnav_bin());
    cmd.arg("mcp").arg("--path").arg(f.path()).env("SEMNAV_INDEX_DIR", f.index_dir()).env("SEMNAV_VECTOR_CACHE", f.vector_cache()).env("SEMNAV_THREADS", "2");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Connects to a started `semnav mcp` at protocol revision 2025-06-18.
pub async fn connect(transport: TokioChildProcess) -> Client {
    let config = ClientConfig::new(ClientCapabilities::default(), Implementation::new("semnav-e2e", "0")).with_protocol_version(ProtocolVersion::V_2025_06_18);
    config.serve(transport).await.expect("MCP handshake with semnav mcp")
}

/// `semnav mcp` on `f` with `env`, its stderr dropped, connected.
pub async fn spawn(f: &Fixture, env: &[(&str, &str)]) -> Client {
    spawn_with_pid(f, env).await.0
}

/// [`spawn`], and the server's process id (to read its memory).
pub async fn spawn_with_pid(f: &Fixture, env: &[(&str, &str)]) -> (Client, u32) {
    let (transport, _) = TokioChildProcess::builder(command(f, env)).stderr(std::process::Stdio::null()).spawn().expect("spawn semnav mcp");
    let pid = transport.id().expect("the server's process id");
    (connect(transport).await, pid)
}

/// Calls `tool` with `args` (an object); fails the test after 120 s or on a
/// protocol error (a tool's own error is a result, `is_error`).
pub async fn call(client: &Client, tool: &str, args: Value) -> CallToolResult {
    let params = CallToolRequestParams::new(tool.to_string()).with_arguments(args.as_object().expect("arguments are an object").clone());
    tokio::time::timeout(Duration::from_secs(120), client.call_tool(params)).await.unwrap_or_else(|_| panic!("no answer to {tool} in 120 s")).unwrap_or_else(|e| panic!("{tool} {args} failed: {e}"))
}

/// A search result's hits (`structuredContent.results`); none when it has
/// no such list.
pub fn hits(r: &CallToolResult) -> Vec<Value> {
    r.structured_content.as_ref().expect("structuredContent")["results"].as_array().cloned().unwrap_or_default()
}

/// A result's text blocks, joined by newlines.
pub fn text_of(r: &CallToolResult) -> String {
    r.content.iter().filter_map(|c| c.as_text().map(|t| t.text.clone())).collect::<Vec<_>>().join("\n")
}
