//! `lockgate mcp`: a Model Context Protocol server over stdio, so that a coding agent
//! asks lockgate before it adds a dependency. Built on the official Rust SDK (`rmcp`).
//!
//! Tools (see `docs/agents.md`):
//! - `check_package_names`: names (with optional exact versions) of one ecosystem →
//!   the answer of `lockgate name` (verdict, findings with the look-alike target, what
//!   to use instead, what the allowlist approves), from [`crate::checks::names::answer`];
//! - `check_lockfiles`: the lockfiles under a folder against the allowlist → the
//!   findings of `lockgate check`, as data;
//! - `registry_facts`: what the registry says about a package (versions, dates, yanked),
//!   only when the server was started with `--online`; without it the server never
//!   touches the network.
//!
//! The server writes nothing but protocol messages to stdout.

mod tools;

use std::path::PathBuf;

pub use tools::Server;

/// How the server was started.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The allowlist (`None`: none was found; name answers then say nothing about
    /// approval and `check_lockfiles` refuses).
    pub allowlist: Option<PathBuf>,
    /// Extra known-bad lists (OSV directories or TSV files).
    pub known_bad: Vec<PathBuf>,
    /// The user allows registry lookups (`--online`).
    pub online: bool,
}

/// The server could not start or its transport failed.
#[derive(Debug, thiserror::Error)]
pub enum McpError {
    /// The async runtime could not be built.
    #[error("cannot start the MCP server's runtime: {0}")]
    Runtime(#[from] std::io::Error),
    /// The MCP handshake or transport failed.
    #[error("MCP transport: {0}")]
    Transport(String),
    /// The allowlist or a known-bad list could not be loaded at start.
    #[error("{0}")]
    Setup(String),
}

/// Serve on stdin/stdout until the client closes the connection.
pub fn serve(opts: Options) -> Result<(), McpError> {
    use rmcp::ServiceExt as _;
    let server = Server::new(opts)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let running = server
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| McpError::Transport(e.to_string()))?;
        running
            .waiting()
            .await
            .map_err(|e| McpError::Transport(e.to_string()))?;
        Ok(())
    })
}
