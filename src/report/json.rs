//! The JSON output format. The shapes are documented in `docs/json.md`; changing a
//! field name is a breaking change.

use crate::checks::{Finding, Outcome, Severity};
use crate::lockfile::{Ecosystem, Package, ParseError, Unpinned};
use crate::resolve::Resolution;
use serde::Serialize;
use std::path::PathBuf;

/// Version of the JSON documents lockgate writes.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct LockfileSummary<'a> {
    path: &'a PathBuf,
    ecosystem: Ecosystem,
    format: &'a str,
    packages: usize,
}

/// One parse or read error, as JSON.
#[derive(Serialize)]
pub struct ErrorRecord<'a> {
    /// The file.
    pub path: &'a PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: &'a str,
    /// What to do (`help`, the word findings use too).
    #[serde(rename = "help")]
    pub hint: &'a str,
}

impl<'a> From<&'a ParseError> for ErrorRecord<'a> {
    fn from(e: &'a ParseError) -> Self {
        ErrorRecord {
            path: &e.path,
            line: e.line,
            message: &e.message,
            hint: &e.hint,
        }
    }
}

#[derive(Serialize)]
struct PackageRecord<'a> {
    #[serde(flatten)]
    package: &'a Package,
    normalized_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_url: Option<String>,
}

#[derive(Serialize)]
struct PackagesDoc<'a> {
    schema_version: u32,
    complete: bool,
    lockfiles: Vec<LockfileSummary<'a>>,
    packages: Vec<PackageRecord<'a>>,
    unpinned: Vec<&'a Unpinned>,
    manifests_without_lockfile: &'a [PathBuf],
    errors: Vec<ErrorRecord<'a>>,
}

/// Render the output of `lockgate packages --format json`.
pub fn packages(res: &Resolution) -> String {
    let doc = PackagesDoc {
        schema_version: SCHEMA_VERSION,
        complete: res.is_complete(),
        lockfiles: res
            .lockfiles
            .iter()
            .map(|l| LockfileSummary {
                path: &l.path,
                ecosystem: l.ecosystem,
                format: &l.format,
                packages: l.packages.len(),
            })
            .collect(),
        packages: res
            .packages()
            .map(|p| PackageRecord {
                package: p,
                normalized_name: p.normalized_name(),
                source_url: p.source.location(),
            })
            .collect(),
        unpinned: res.unpinned().collect(),
        manifests_without_lockfile: &res.manifests_without_lockfile,
        errors: res.errors.iter().map(ErrorRecord::from).collect(),
    };
    let mut s = super::escape::json_safe(
        serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}")),
    );
    s.push('\n');
    s
}

#[derive(Serialize)]
struct Summary<'a> {
    lockfiles: usize,
    packages: usize,
    findings: usize,
    critical: usize,
    error: usize,
    warning: usize,
    note: usize,
    fail_on: &'a str,
    failing: usize,
    exit_code: u8,
    allowlist: &'a PathBuf,
}

#[derive(Serialize)]
struct FindingsDoc<'a> {
    schema_version: u32,
    complete: bool,
    summary: Summary<'a>,
    findings: &'a [Finding],
    /// With `--baseline`: what the change did to the pinned packages, with classes.
    #[serde(skip_serializing_if = "Option::is_none")]
    changes: Option<&'a [crate::baseline::PackageChange]>,
}

/// Render the output of `lockgate check --format json`.
pub fn findings(outcome: &Outcome) -> String {
    findings_with_changes(outcome, None)
}

/// [`findings`], with the `changes` of a `--baseline` run (each changed package
/// with its `kind` and `classes`: see `docs/json.md`).
pub fn findings_with_changes(
    outcome: &Outcome,
    changes: Option<&[crate::baseline::PackageChange]>,
) -> String {
    let doc = FindingsDoc {
        schema_version: SCHEMA_VERSION,
        complete: outcome.complete && !outcome.registry_failed(),
        summary: Summary {
            lockfiles: outcome.lockfiles,
            packages: outcome.packages,
            findings: outcome.findings.len(),
            critical: outcome.count(Severity::Critical),
            error: outcome.count(Severity::Error),
            warning: outcome.count(Severity::Warning),
            note: outcome.count(Severity::Note),
            fail_on: outcome.fail_on.map(Severity::as_str).unwrap_or("never"),
            failing: outcome.failing(),
            exit_code: outcome.exit_code(),
            allowlist: &outcome.allowlist,
        },
        findings: &outcome.findings,
        changes,
    };
    let mut s = super::escape::json_safe(
        serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}")),
    );
    s.push('\n');
    s
}
