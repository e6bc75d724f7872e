//! The SARIF 2.1.0 output format, for GitHub code scanning and other SARIF viewers.
//!
//! One run, whose `tool.driver.rules` lists every [`FindingId`] (so a viewer can show
//! the description and help of a rule that has no result in this run) and whose
//! `results` hold one result per finding that is a security alert. Conventions that
//! code scanning relies on:
//!
//! - every result has a physical location: the lockfile (or manifest) as a
//!   repository-relative URI with forward slashes, relative to `%SRCROOT%`, and a
//!   `region.startLine` of at least 1 (a finding without a line points at line 1);
//! - `level` is `error` for critical and error findings, `warning` and `note` as is
//!   (the finding's severity under the policy in force);
//! - rules carry the calibration their check declares ([`crate::checks::FindingDef`]):
//!   `properties.security-severity`, the CVSS-like score of the harm the finding
//!   points at (a policy `unlisted` is 4.0, tampering 9.5), which code scanning turns
//!   into its critical/high/medium/low, and `properties.precision`, honest for
//!   heuristics (`similar-name` is `medium`, `unknown-name` and `cross-ecosystem`
//!   `low`); results repeat their rule's score;
//! - a finding that is not a security alert (`registry-error`: a registry could not
//!   be asked) writes no result: it fails the run (`executionSuccessful: false`) and
//!   is reported as a `toolExecutionNotifications` entry of the invocation;
//! - every rule has a `helpUri` to its section of docs/findings.md when lockgate knows
//!   where its documentation is published (see [`docs_url`]);
//! - `automationDetails.id` is `CATEGORY/`, so code scanning keeps analyses of
//!   different categories apart: a full scan (`lockgate`, the default) and a partial
//!   scan of what a pull request changed (`lockgate-pr`, see [`Options::partial`]);
//! - `partialFingerprints["lockgate/v1"]` is a hash of the rule, ecosystem, package,
//!   version and file, *not* the line, so an alert survives unrelated edits that move
//!   the entry and is deduplicated across runs.
//!
//! The document validates against the OASIS SARIF 2.1.0 JSON schema (see
//! `tests/schemas/`).

use crate::checks::{Finding, FindingId, Outcome, Severity};
use crate::lexical_path::lexical_normalize;
use serde_json::{Value, json};
use std::path::{Component, Path, PathBuf};

/// The `$schema` URI written into every SARIF document.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Where lockgate's source and documentation live: the crate's `repository`
/// (empty when Cargo.toml names none, and then no links are written).
pub const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

/// The code-scanning category of a full scan (every lockfile of the tree).
pub const FULL_SCAN_CATEGORY: &str = "lockgate";
/// The code-scanning category of a partial scan (what a pull request changed,
/// `check --baseline`): kept apart from full scans, so that the alerts a partial
/// scan does not report are not closed as fixed.
pub const PARTIAL_SCAN_CATEGORY: &str = "lockgate-pr";

/// The URL of docs/findings.md that rule `helpUri`s point into (`URL#finding-id`):
/// `LOCKGATE_DOCS_URL` at build time, else the crate's `repository` at this
/// version's tag, else `None` (and rules get no `helpUri`, unless
/// [`Options::docs_url`] gives one at run time).
pub fn docs_url() -> Option<String> {
    if let Some(url) = option_env!("LOCKGATE_DOCS_URL").filter(|u| !u.is_empty()) {
        return Some(url.to_string());
    }
    (!INFORMATION_URI.is_empty()).then(|| {
        format!(
            "{}/blob/v{}/docs/findings.md",
            INFORMATION_URI.trim_end_matches('/'),
            env!("CARGO_PKG_VERSION")
        )
    })
}

/// What a SARIF log says about the run beyond its findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The code-scanning category (`automationDetails.id` is `CATEGORY/`).
    pub category: String,
    /// The URL of docs/findings.md for rule `helpUri`s; `None` writes none.
    pub docs_url: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options::full()
    }
}

impl Options {
    /// A full scan: category [`FULL_SCAN_CATEGORY`].
    pub fn full() -> Options {
        Options {
            category: FULL_SCAN_CATEGORY.to_string(),
            docs_url: docs_url(),
        }
    }

    /// A partial scan of what a change introduces: category [`PARTIAL_SCAN_CATEGORY`].
    pub fn partial() -> Options {
        Options {
            category: PARTIAL_SCAN_CATEGORY.to_string(),
            ..Options::full()
        }
    }
}

/// How to turn the paths in findings into repository-relative paths.
///
/// Findings carry paths as the user gave them (relative to the current folder, or
/// absolute). Annotations and code scanning want them relative to the repository
/// root: a relative path is joined to `cwd`, then `root` is stripped from it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Paths {
    /// The folder relative paths in findings are relative to (the current folder).
    pub cwd: Option<PathBuf>,
    /// The repository root (`$GITHUB_WORKSPACE` in Actions).
    pub root: Option<PathBuf>,
}

impl Paths {
    /// Paths relative to the current folder, which is also the root.
    pub fn here() -> Paths {
        Paths::default()
    }

    /// The path of `p` relative to the repository root, with `/` separators and no
    /// `./` or `..` where they can be resolved. `None` when `p` lies outside the root.
    pub fn relative(&self, p: &Path) -> Option<String> {
        let joined = match (&self.cwd, p.is_absolute()) {
            (Some(cwd), false) => cwd.join(p),
            _ => p.to_path_buf(),
        };
        let joined = lexical_normalize(&joined);
        let rel = match &self.root {
            Some(root) => joined
                .strip_prefix(lexical_normalize(root))
                .ok()?
                .to_path_buf(),
            None if joined.is_absolute() => match &self.cwd {
                Some(cwd) => joined
                    .strip_prefix(lexical_normalize(cwd))
                    .ok()?
                    .to_path_buf(),
                None => return None,
            },
            None => joined,
        };
        if rel.is_absolute() {
            return None;
        }
        let parts: Vec<String> = rel
            .components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                Component::ParentDir => Some("..".to_string()),
                _ => None,
            })
            .collect();
        if parts.first().is_some_and(|s| s == "..") {
            return None;
        }
        Some(parts.join("/"))
    }

    /// The path to show in annotations: repository-relative when possible, else as
    /// given (with `/` separators).
    pub fn display(&self, p: &Path) -> String {
        self.relative(p)
            .unwrap_or_else(|| p.to_string_lossy().replace('\\', "/"))
    }
}

/// Percent-encode a relative path for use as a URI reference: unreserved
/// characters, sub-delimiters, `@` and `/` are kept, everything else (spaces, `%`,
/// `:`, `#`, `?`, non-ASCII) is encoded as UTF-8 bytes.
pub fn uri_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=@/".contains(&b);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The artifact URI of a finding's file: repository-relative, else a `file://` URI.
fn artifact_uri(p: &Path, paths: &Paths) -> (String, bool) {
    match paths.relative(p) {
        Some(rel) if !rel.is_empty() => (uri_encode_path(&rel), true),
        _ => {
            let abs = match (&paths.cwd, p.is_absolute()) {
                (Some(cwd), false) => cwd.join(p),
                _ => p.to_path_buf(),
            };
            let s = lexical_normalize(&abs).to_string_lossy().replace('\\', "/");
            let s = if s.starts_with('/') {
                s
            } else {
                format!("/{s}")
            };
            (format!("file://{}", uri_encode_path(&s)), false)
        }
    }
}

/// The SARIF `level` of a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// `hash-mismatch` → `HashMismatch`: the rule's `name`.
fn pascal(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn rule(id: FindingId, docs_url: Option<&str>) -> Value {
    let def = id.def();
    let sev = def.severity;
    let explanation = format!("{}\n\n{}", def.explanation, def.help);
    let markdown = format!(
        "**{}**\n\n{}\n\nRun `lockgate explain {}` for this text in a terminal.",
        def.summary, explanation, def.id
    );
    let mut properties = json!({
        "tags": ["security", "supply-chain"],
        "precision": def.precision.as_str(),
        "problem.severity": level(sev),
    });
    match def.security_severity {
        Some(score) => properties["security-severity"] = json!(score),
        // Not a security alert: no result is ever written for it.
        None => properties["tags"] = json!(["supply-chain"]),
    }
    let mut rule = json!({
        "id": def.id,
        "name": pascal(def.id),
        "shortDescription": { "text": def.summary },
        "fullDescription": { "text": explanation },
        "help": { "text": format!("{}\n\n{}", def.summary, explanation), "markdown": markdown },
        "defaultConfiguration": { "level": level(sev) },
        "properties": properties,
    });
    if let Some(url) = docs_url {
        rule["helpUri"] = json!(format!("{url}#{}", def.id));
    }
    rule
}

/// A stable 64-bit FNV-1a hash, hex: fingerprints must not change between
/// builds or platforms, which rules out `std`'s hasher.
fn fnv1a(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0u8)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

fn result(f: &Finding, paths: &Paths) -> Value {
    let (uri, relative) = artifact_uri(&f.lockfile, paths);
    let mut artifact = json!({ "uri": uri });
    if relative {
        artifact["uriBaseId"] = json!("%SRCROOT%");
    }
    let line = f.line.unwrap_or(1).max(1);
    let eco = f.ecosystem.map(|e| e.to_string()).unwrap_or_default();
    let name = f.name.clone().unwrap_or_default();
    let version = f.version.clone().unwrap_or_default();
    let shown_path = paths.display(&f.lockfile);
    let fingerprint = fnv1a(&[f.id.as_str(), &eco, &name, &version, &shown_path]);
    // The message is shown to people: control and bidi characters are escaped
    // (the `package` and `version` properties keep the exact text for machines).
    let mut text = super::escape::display_safe(&f.message).into_owned();
    if !f.help.is_empty() {
        if !text.ends_with(['.', '!', '?', ':']) {
            text.push('.');
        }
        text.push_str(" Next: ");
        text.push_str(&super::escape::display_safe(&f.help));
    }
    let mut properties = json!({ "lockgate-severity": f.severity.as_str() });
    if let Some(score) = f.id.def().security_severity {
        properties["security-severity"] = json!(score);
    }
    if !eco.is_empty() {
        properties["ecosystem"] = json!(eco);
    }
    if f.name.is_some() {
        properties["package"] = json!(name);
    }
    if f.version.is_some() {
        properties["version"] = json!(version);
    }
    if !f.path.is_empty() {
        properties["dependency-path"] = json!(f.path);
    }
    let rule_index = FindingId::ALL.iter().position(|i| *i == f.id).unwrap_or(0);
    json!({
        "ruleId": f.id.as_str(),
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": { "text": text },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact,
                "region": { "startLine": line },
            }
        }],
        "partialFingerprints": { "lockgate/v1": fingerprint },
        "properties": properties,
    })
}

/// Render the output of `lockgate check --format sarif` for a full scan
/// ([`Options::full`]).
pub fn findings(outcome: &Outcome, paths: &Paths) -> String {
    findings_with(outcome, paths, &Options::full())
}

/// Render one SARIF 2.1.0 log of `outcome`, with the category and docs URL of `opts`.
pub fn findings_with(outcome: &Outcome, paths: &Paths, opts: &Options) -> String {
    let docs_url = opts.docs_url.as_deref();
    let rules: Vec<Value> = FindingId::ALL
        .iter()
        .map(|id| rule(*id, docs_url))
        .collect();
    let (alerts, other): (Vec<&Finding>, Vec<&Finding>) = outcome
        .findings
        .iter()
        .partition(|f| f.id.def().security_severity.is_some());
    let results: Vec<Value> = alerts.iter().map(|f| result(f, paths)).collect();
    let mut driver = json!({
        "name": "lockgate",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    });
    if !INFORMATION_URI.is_empty() {
        driver["informationUri"] = json!(INFORMATION_URI);
    }
    let mut invocation = json!({
        "executionSuccessful": outcome.complete && !outcome.registry_failed(),
        "exitCode": outcome.exit_code(),
    });
    if !other.is_empty() {
        // What is not an alert (a registry that could not be asked) is said about
        // the run, where code scanning shows tool problems.
        let notes: Vec<Value> = other
            .iter()
            .map(|f| {
                let mut text = super::escape::display_safe(&f.message).into_owned();
                if !f.help.is_empty() {
                    text.push_str(" Next: ");
                    text.push_str(&super::escape::display_safe(&f.help));
                }
                json!({
                    "level": level(f.severity),
                    "message": { "text": text },
                    "descriptor": { "id": f.id.as_str() },
                })
            })
            .collect();
        invocation["toolExecutionNotifications"] = json!(notes);
    }
    let doc = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "automationDetails": { "id": format!("{}/", opts.category.trim_end_matches('/')) },
            "invocations": [invocation],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut s = super::escape::json_safe(
        serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}")),
    );
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        let p = Paths {
            cwd: Some(PathBuf::from("/repo/sub")),
            root: Some(PathBuf::from("/repo")),
        };
        assert_eq!(
            p.relative(Path::new("./web/package-lock.json")).as_deref(),
            Some("sub/web/package-lock.json")
        );
        assert_eq!(
            p.relative(Path::new("../Cargo.lock")).as_deref(),
            Some("Cargo.lock")
        );
        assert_eq!(
            p.relative(Path::new("/repo/a/uv.lock")).as_deref(),
            Some("a/uv.lock")
        );
        assert_eq!(p.relative(Path::new("/elsewhere/uv.lock")), None);
        assert_eq!(
            Paths::here()
                .relative(Path::new("./x/Cargo.lock"))
                .as_deref(),
            Some("x/Cargo.lock")
        );
        assert_eq!(Paths::here().relative(Path::new("../x")), None);
    }

    #[test]
    fn uris_are_encoded() {
        assert_eq!(
            uri_encode_path("a b/c%d:e#f.lock"),
            "a%20b/c%25d%3Ae%23f.lock"
        );
        assert_eq!(uri_encode_path("déjà/uv.lock"), "d%C3%A9j%C3%A0/uv.lock");
        let (uri, rel) = artifact_uri(
            Path::new("/outside/x.lock"),
            &Paths {
                cwd: None,
                root: Some("/repo".into()),
            },
        );
        assert_eq!((uri.as_str(), rel), ("file:///outside/x.lock", false));
    }

    #[test]
    fn every_rule_has_a_name_and_fingerprints_are_stable() {
        assert_eq!(pascal("registry-hash-mismatch"), "RegistryHashMismatch");
        assert_eq!(fnv1a(&["a", "b"]), fnv1a(&["a", "b"]));
        assert_ne!(fnv1a(&["ab", ""]), fnv1a(&["a", "b"]));
    }
}
