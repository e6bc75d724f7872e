//! GitHub Actions have no package registry: an action is a repository, and its
//! `uses:` ref is a commit SHA, a tag or a branch. This module resolves a tag (or
//! any ref) to the commit it names today, through the forge's REST API:
//! `GET {api}/repos/{owner}/{repo}/commits/{ref}` with
//! `Accept: application/vnd.github.sha`, which answers the bare 40-hex SHA. The API
//! root is `https://api.github.com/` unless `LOCKGATE_GITHUB_API` (or
//! `[registries] actions`) names another (GitHub Enterprise, a test server).
//!
//! The answer is what `allowlist add` and `allowlist suggest --online` pin; the tag
//! is written beside it as a comment for readers and never trusted afterwards.
//! Nothing else in lockgate asks GitHub: `lockgate check` compares SHAs only.

use super::{Client, RegistryError};

/// The public GitHub REST API root.
pub const DEFAULT_API: &str = "https://api.github.com/";

pub use crate::lockfile::github_actions::{is_commit_sha, valid_name};

/// `owner/repo` of an action name `owner/repo[/path]`.
pub fn repository(name: &str) -> &str {
    match name.match_indices('/').nth(1) {
        Some((i, _)) => &name[..i],
        None => name,
    }
}

/// The repository's document URL (what the registry client would ask; actions
/// are never looked up this way, see [`parse`]).
pub fn document_url(base: &str, name: &str) -> String {
    format!("{base}repos/{}", repository(name))
}

/// The URL that resolves `reference` of the action `name` to a commit.
pub fn commit_url(base: &str, name: &str, reference: &str) -> String {
    format!(
        "{base}repos/{}/commits/{}",
        repository(name),
        super::percent_encode(reference, b"-_.~", true)
    )
}

/// Actions have no registry document: the online checks skip them.
pub fn parse(
    _body: &[u8],
    name: &str,
) -> Result<std::collections::BTreeMap<String, super::VersionInfo>, String> {
    Err(format!(
        "{name}: GitHub Actions have no package registry; lockgate checks their commit SHAs against the allowlist"
    ))
}

impl Client {
    /// The commit SHA that `reference` (a tag, a branch or a SHA) of the action
    /// `name` (`owner/repo[/path]`) names now, as the forge's API answers it
    /// (lowercase). An answer that is not one 40-hex SHA is an error.
    pub fn resolve_action_ref(&self, name: &str, reference: &str) -> Result<String, RegistryError> {
        let url = commit_url(&self.config.github_api, name, reference);
        if self.config.offline {
            return Err(RegistryError::Offline { url });
        }
        let f = self
            .rt
            .block_on(async { self.get(&url, "application/vnd.github.sha", None).await })?;
        if f.status != 200 {
            return Err(RegistryError::Status {
                url,
                status: f.status,
                detail: if f.status == 404 || f.status == 422 {
                    format!("{name} has no ref `{reference}`")
                } else {
                    String::new()
                },
            });
        }
        let body = String::from_utf8_lossy(&f.body);
        let sha = body.trim();
        if is_commit_sha(sha) {
            return Ok(sha.to_ascii_lowercase());
        }
        // Some servers ignore the `sha` media type and answer the commit's JSON.
        let json: Option<String> = serde_json::from_slice::<serde_json::Value>(&f.body)
            .ok()
            .and_then(|v| v.get("sha")?.as_str().map(str::to_string))
            .filter(|s| is_commit_sha(s));
        json.map(|s| s.to_ascii_lowercase())
            .ok_or_else(|| RegistryError::Status {
                url,
                status: f.status,
                detail: "the answer is not a 40-hex commit SHA".to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_urls() {
        crate::test_support::assert_classifies(
            valid_name,
            &["actions/checkout", "github/codeql-action/init"],
            &["checkout", "../x/y"],
        );
        assert_eq!(
            repository("github/codeql-action/init"),
            "github/codeql-action"
        );
        assert_eq!(
            commit_url(DEFAULT_API, "github/codeql-action/init", "v3"),
            "https://api.github.com/repos/github/codeql-action/commits/v3"
        );
        assert_eq!(
            commit_url("http://x/", "a/b", "refs/tags/v1"),
            "http://x/repos/a/b/commits/refs%2Ftags%2Fv1"
        );
    }
}
