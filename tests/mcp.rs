//! `lockgate mcp` driven end to end by a real MCP client: the official Python SDK's
//! stdio client (`tests/mcp/client.py`), against a local PyPI index. Needs
//! `LOCKGATE_MCP_PYTHON` (a Python with the pinned `mcp` package; `.ci/run` makes
//! `target/mcp-venv`); without it the test says so and does nothing.

// A test may report what it measured or skipped.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod support;

use httpmock::prelude::*;
use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn a_real_mcp_client_lists_and_calls_every_tool() {
    let Ok(python) = std::env::var("LOCKGATE_MCP_PYTHON") else {
        eprintln!(
            "SKIPPED: set LOCKGATE_MCP_PYTHON to a Python with the `mcp` package (see .ci/run: target/mcp-venv/bin/python)"
        );
        return;
    };
    let server = MockServer::start();
    let body = std::fs::read(root().join("tests/fixtures/registry/pypi/requests.json")).unwrap();
    server.mock(|when, then| {
        when.method(GET).path("/simple/requests/");
        then.status(200)
            .header("content-type", "application/vnd.pypi.simple.v1+json")
            .body(body);
    });
    server.mock(|when, then| {
        when.method(GET).path("/simple/reqeusts-nobody-registered/");
        then.status(404);
    });
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path();
    support::copy_dir(
        &root().join("tests/fixtures/e2e/uv-before"),
        &work.join("project"),
    );
    support::copy_dir(
        &root().join("tests/fixtures/e2e/npm-typo"),
        &work.join("typo"),
    );
    let lockgate = env!("CARGO_BIN_EXE_lockgate");
    let init = Command::new(lockgate)
        .args(["allowlist", "init", "project"])
        .current_dir(work)
        .env_remove("LOCKGATE_ALLOWLIST")
        .output()
        .unwrap();
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let o = Command::new(&python)
        .arg(root().join("tests/mcp/client.py"))
        .arg(lockgate)
        .arg(work)
        .env("LOCKGATE_PYPI_INDEX", server.url("/simple/"))
        .env("LOCKGATE_CACHE_DIR", work.join("cache"))
        .env("LOCKGATE_RETRIES", "0")
        .env_remove("LOCKGATE_ALLOWLIST")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("checks passed"), "{out}");
    eprintln!("{out}");
}
