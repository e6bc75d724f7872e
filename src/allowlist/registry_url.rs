//! Matching a registry URL against the `[policy] registries` entries.
//!
//! A registry is the place an installer fetches from, so the comparison is made on
//! what decides that place, parsed by the `url` crate (the WHATWG URL standard, as
//! Node, npm, yarn, pnpm and bun parse URLs):
//!
//! - the scheme (`https` does not admit `http`);
//! - the host, as the URL standard gives it: ASCII case folded and IDNA applied
//!   (`NPM.Acme.Example` and `npm.acme.example` are one host, `bücher.example` is
//!   `xn--bcher-kva.example`), compared whole: `npm.acme.example` does not admit
//!   `npm.acme.example.attacker.test` or `npm.acme.example-mirror.test`;
//! - the port, with the scheme's default filled in (`https://h` = `https://h:443`);
//! - the path, on a segment boundary: `/npm` admits `/npm`, `/npm/` and `/npm/x`, never
//!   `/npm-evil`. Paths are compared as written after the URL standard's own
//!   normalisation (dot segments removed), never case folded or percent-decoded,
//!   because registries compare them literally.
//!
//! A URL with userinfo (`user@host`, `user:token@host`) is never admitted: where the
//! userinfo ends is exactly where parsers disagree (`https://npm.acme.example@other-host/`
//! fetches from `other-host`; Python's `urllib` and the URL standard split
//! `https://a\@b/` differently), and the lockfile parsers already remove credentials
//! from the URLs they report. For the same reason a URL with a backslash, white space
//! or a control character is never admitted. Query and fragment are ignored.
//!
//! Cargo's `registry+` and `sparse+` prefixes name the index protocol, not the place:
//! they are removed from both sides before comparing.

use url::Url;

/// Why a `[policy] registries` entry is not usable. Each message ends with the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyEntryError {
    /// A backslash, white space or a control character.
    #[error("registry `{}` contains a backslash, white space or a control character: write the plain URL, e.g. \"https://npm.acme.example/\"", .0.escape_debug())]
    UnsafeChars(String),
    /// Not a URL.
    #[error(
        "registry `{entry}` is not a URL ({why}): write it in full, e.g. \"https://npm.acme.example/\""
    )]
    NotAUrl {
        /// The entry.
        entry: String,
        /// The URL parser's reason.
        why: String,
    },
    /// A URL without a host.
    #[error("registry `{0}` names no host: write it in full, e.g. \"https://npm.acme.example/\"")]
    NoHost(String),
    /// A user name or password in the URL.
    #[error(
        "registry `{0}` has a user name or password: remove the `…@` part (credentials do not belong in the allowlist, and lockgate never admits a URL with userinfo)"
    )]
    Userinfo(String),
    /// A query or fragment, which matching ignores.
    #[error(
        "registry `{0}` has a query or fragment, which lockgate ignores: remove the `?…` / `#…` part"
    )]
    QueryOrFragment(String),
}

impl crate::hint::Hint for PolicyEntryError {
    fn hints(&self) -> Vec<String> {
        vec!["write each `[policy] registries` entry as the registry's plain URL, e.g. \"https://npm.acme.example/\"".to_string()]
    }
}

/// Why a `[policy] registries` entry is not usable.
pub fn validate_policy_entry(entry: &str) -> Result<(), PolicyEntryError> {
    if has_unsafe_chars(entry) {
        return Err(PolicyEntryError::UnsafeChars(entry.to_string()));
    }
    let url = Url::parse(strip_protocol(entry)).map_err(|e| PolicyEntryError::NotAUrl {
        entry: entry.to_string(),
        why: e.to_string(),
    })?;
    if url.host().is_none() {
        return Err(PolicyEntryError::NoHost(entry.to_string()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(PolicyEntryError::Userinfo(entry.to_string()));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(PolicyEntryError::QueryOrFragment(entry.to_string()));
    }
    Ok(())
}

/// Does the `policy` entry admit the registry `candidate` (see the module documentation)?
pub fn matches(policy: &str, candidate: &str) -> bool {
    if has_unsafe_chars(candidate) || has_unsafe_chars(policy) {
        return false;
    }
    let (Ok(p), Ok(c)) = (
        Url::parse(strip_protocol(policy)),
        Url::parse(strip_protocol(candidate)),
    ) else {
        return false;
    };
    if !c.username().is_empty() || c.password().is_some() {
        return false;
    }
    if !p.username().is_empty() || p.password().is_some() {
        return false;
    }
    if p.scheme() != c.scheme() {
        return false;
    }
    match (p.host(), c.host()) {
        (Some(a), Some(b)) if a == b => {}
        _ => return false,
    }
    if p.port_or_known_default() != c.port_or_known_default() {
        return false;
    }
    let base = p.path().trim_end_matches('/');
    let path = c.path();
    base.is_empty()
        || path == base
        || path
            .strip_prefix(base)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Cargo's index protocol prefixes.
fn strip_protocol(s: &str) -> &str {
    s.strip_prefix("sparse+")
        .or_else(|| s.strip_prefix("registry+"))
        .unwrap_or(s)
}

/// Characters parsers treat differently (or silently drop): never admitted.
fn has_unsafe_chars(s: &str) -> bool {
    s.chars()
        .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACME: &str = "https://npm.acme.example";

    #[test]
    fn the_issue_bypasses_are_refused() {
        for bad in [
            "https://npm.acme.example.attacker.test/",
            "https://npm.acme.example.attacker.test/x/-/x-1.0.0.tgz",
            "https://npm.acme.example-mirror.test/",
            "https://npm.acme.example@other-host/",
            "https://npm.acme.example@other-host/pkg/-/pkg-1.0.0.tgz",
            "https://npm.acme.example:x@other-host/",
            "https://user:token@npm.acme.example/",
            "https://npm.acme.example\\@other-host/",
            "https://npm.acme.example\t@other-host/",
        ] {
            assert!(!matches(ACME, bad), "{bad} must not be admitted");
        }
    }

    #[test]
    fn same_registry_spellings_are_admitted() {
        for good in [
            "https://npm.acme.example",
            "https://npm.acme.example/",
            "https://npm.acme.example:443/",
            "https://NPM.Acme.Example/left-pad/-/left-pad-1.3.0.tgz",
            "https://npm.acme.example/@scope%2fname",
        ] {
            assert!(matches(ACME, good), "{good} must be admitted");
            assert!(matches("https://npm.acme.example/", good), "{good}");
        }
    }

    /// Assert which URLs the allowed registry `allowed` admits and which it refuses.
    #[track_caller]
    fn admits(allowed: &str, yes: &[&str], no: &[&str]) {
        crate::test_support::assert_classifies(|url| matches(allowed, url), yes, no);
    }

    #[test]
    fn scheme_and_port_must_match() {
        admits(
            ACME,
            &[],
            &["http://npm.acme.example/", "https://npm.acme.example:8443/"],
        );
        admits(
            "http://npm.acme.example:80",
            &["http://npm.acme.example/x"],
            &[],
        );
        admits(
            "https://npm.acme.example:8443/",
            &["https://npm.acme.example:8443/x"],
            &["https://npm.acme.example/x"],
        );
    }

    #[test]
    fn path_on_a_segment_boundary() {
        admits(
            "https://acme.example/npm",
            &[
                "https://acme.example/npm",
                "https://acme.example/npm/",
                "https://acme.example/npm/x/-/x-1.tgz",
            ],
            &[
                "https://acme.example/npm-evil",
                "https://acme.example/npmx/y",
                "https://acme.example/",
                "https://acme.example/other/npm",
                // Dot segments are resolved before comparing, as every installer does.
                "https://acme.example/npm/../evil/x.tgz",
                "https://acme.example/npm/%2e%2e/evil/x.tgz",
                // Paths are compared literally: no case folding.
                "https://acme.example/NPM/x",
            ],
        );
        admits(
            "https://acme.example/npm/",
            &["https://acme.example/npm"],
            &[],
        );
    }

    #[test]
    fn hosts_compare_after_case_folding_and_idna() {
        admits(
            "https://bücher.example/",
            &["https://xn--bcher-kva.example/x"],
            &["https://bucher.example/"],
        );
        admits(
            "https://XN--BCHER-KVA.example/",
            &["https://BÜCHER.example/x"],
            &[],
        );
        // A trailing dot is another host name to the URL standard.
        admits(ACME, &[], &["https://npm.acme.example./"]);
    }

    #[test]
    fn cargo_protocol_prefixes() {
        admits(
            "https://my.example/index/",
            &["sparse+https://my.example/index/"],
            &[],
        );
        admits(
            "sparse+https://my.example/index",
            &["sparse+https://my.example/index/"],
            &[],
        );
        admits(
            "https://my.example/index",
            &["registry+https://my.example/index"],
            &["sparse+https://my.example/index-evil/"],
        );
    }

    #[test]
    fn garbage_is_never_admitted() {
        admits(ACME, &[], &["not a url", ""]);
        admits("", &[], &[ACME]);
        admits("npm.acme.example", &[], &["https://npm.acme.example/"]);
    }

    #[test]
    fn policy_entries_are_validated() {
        assert!(validate_policy_entry("https://npm.acme.example/").is_ok());
        assert!(validate_policy_entry("sparse+https://my.example/index/").is_ok());
        assert!(validate_policy_entry("npm.acme.example").is_err());
        assert!(validate_policy_entry("https://u:p@npm.acme.example/").is_err());
        assert!(validate_policy_entry("https://npm.acme.example/?x=1").is_err());
        assert!(validate_policy_entry("https://npm.acme.example /").is_err());
        assert!(validate_policy_entry("file:///srv/registry").is_err());
    }
}
