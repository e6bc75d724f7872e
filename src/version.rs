//! Versions compared the way each ecosystem's installer compares them.
//!
//! A version string in a lockfile is not compared as text: pip resolves
//! `six==1.16`, `six==1.16.0.0`, `six==v1.16.0` and `six==01.16.0` to the same
//! release, so an allowlist pin or a `[[deny]]` rule for `1.16.0` must match all of
//! them. The rules:
//!
//! - **PyPI**: PEP 440 as `packaging.version.Version` (what pip uses) reads it:
//!   surrounding white space, a leading `v`, letter case, the spelling of
//!   pre/post/dev labels and separators (`1.0-post1` = `1.0.post1` = `1.0-1` =
//!   `1.0post1`, `1.0alpha1` = `1.0a1`, `1.0c1` = `1.0rc1`), leading zeros
//!   (`01.16` = `1.16`) and trailing zero release segments (`1.16` = `1.16.0.0`)
//!   do not matter. A local label (`+ubuntu1`) is part of the version for a pin,
//!   and ignored by a deny rule that names none (PEP 440's `==` does the same).
//! - **npm**: node-semver in loose mode (what npm applies to lockfile and registry
//!   versions): a leading `v` or `=` and white space are ignored, numbers compare
//!   as numbers, build metadata (`+build`) is ignored.
//! - **cargo**: the `semver` crate, which is cargo's own parser: strict SemVer.
//!   Build metadata is part of the version for a pin and ignored by a deny rule
//!   that names none.
//!
//! A version that does not parse for its ecosystem compares as its trimmed text.

use crate::model::Ecosystem;
use std::collections::BTreeMap;

/// A version in the form its ecosystem compares: two versions are the same
/// release exactly when their keys are equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    /// A PEP 440 version.
    Pep440(Pep440),
    /// A node-semver (loose) version, build metadata dropped.
    Npm(NpmVersion),
    /// A cargo (strict SemVer) version.
    Cargo(semver::Version),
    /// A version that does not parse for its ecosystem: its trimmed text.
    Text(String),
}

/// A parsed PEP 440 version, normalised: numbers without leading zeros, release
/// without trailing zero segments, labels in their canonical spelling.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pep440 {
    /// The epoch (`N!`), `0` when absent.
    pub epoch: String,
    /// Release segments, trailing zeros removed.
    pub release: Vec<String>,
    /// Pre-release: `a`, `b` or `rc`, and its number.
    pub pre: Option<(&'static str, String)>,
    /// Post-release number.
    pub post: Option<String>,
    /// Development release number.
    pub dev: Option<String>,
    /// Local label segments, lowercase, numbers without leading zeros.
    pub local: Option<Vec<String>>,
}

/// A parsed node-semver version without its build metadata.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NpmVersion {
    /// Major, minor, patch, without leading zeros.
    pub release: [String; 3],
    /// Pre-release identifiers (numeric ones without leading zeros).
    pub pre: Vec<String>,
}

/// Why a version is not valid for its ecosystem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{version}` is not a valid {ecosystem} version ({rule})")]
pub struct InvalidVersion {
    /// The version as written.
    pub version: String,
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// The rule it breaks.
    pub rule: &'static str,
}

/// Parse a version by its ecosystem's rules.
pub fn parse(ecosystem: Ecosystem, version: &str) -> Result<Key, InvalidVersion> {
    let invalid = |rule| InvalidVersion {
        version: version.to_string(),
        ecosystem,
        rule,
    };
    match ecosystem {
        // A commit SHA (40 hex digits) is the pin: compared as lowercase text.
        Ecosystem::Actions => {
            // (A `docker://` image is pinned by its `sha256:<64 hex>` digest.)
            let v = version.trim();
            let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
            if hex(v, 40) || v.strip_prefix("sha256:").is_some_and(|d| hex(d, 64)) {
                Ok(Key::Text(v.to_ascii_lowercase()))
            } else {
                Err(invalid(
                    "a full 40-hex commit SHA, e.g. `11d5960a326750d5838078e36cf38b85af677262`, or a docker image's `sha256:<64 hex>` digest",
                ))
            }
        }
        Ecosystem::Pypi => pep440(version)
            .map(Key::Pep440)
            .ok_or_else(|| invalid("PEP 440, e.g. `1.16.0`, `2.0rc1`, `1.0.post1`")),
        Ecosystem::Npm => npm(version)
            .map(Key::Npm)
            .ok_or_else(|| invalid("SemVer, e.g. `1.3.0` or `2.0.0-beta.1`")),
        Ecosystem::Cargo => semver::Version::parse(version)
            .map(Key::Cargo)
            .map_err(|_| invalid("strict SemVer, e.g. `1.0.219`")),
    }
}

/// The comparison key of a version; a version that does not parse is its text.
pub fn key(ecosystem: Ecosystem, version: &str) -> Key {
    parse(ecosystem, version).unwrap_or_else(|_| Key::Text(version.trim().to_string()))
}

/// Are `a` and `b` the same release to the ecosystem's installer?
pub fn same_version(ecosystem: Ecosystem, a: &str, b: &str) -> bool {
    a == b || key(ecosystem, a) == key(ecosystem, b)
}

/// Does a `[[deny]]` version `rule` cover the lockfile version `version`? Like
/// [`same_version`], except that a rule without a local label (PyPI) or build
/// metadata (cargo) covers every local label or build of that release.
pub fn deny_covers(ecosystem: Ecosystem, rule: &str, version: &str) -> bool {
    match (key(ecosystem, rule), key(ecosystem, version)) {
        (Key::Pep440(r), Key::Pep440(mut v)) => {
            if r.local.is_none() {
                v.local = None;
            }
            r == v
        }
        (Key::Cargo(r), Key::Cargo(mut v)) => {
            if r.build.is_empty() {
                v.build = semver::BuildMetadata::EMPTY;
            }
            r == v
        }
        (r, v) => r == v,
    }
}

/// The entry of `map` (keyed by version as written) that is the same release as
/// `version`: the exact spelling first, then any equal one.
pub fn lookup<'a, T>(
    ecosystem: Ecosystem,
    map: &'a BTreeMap<String, T>,
    version: &str,
) -> Option<(&'a String, &'a T)> {
    lookup_by(map, version, |v| key(ecosystem, v))
}

/// The entry of `map` (keyed by version as written) for `version`: the exact spelling
/// first, then the first whose `key` equals that of `version` (a looser or stricter
/// comparison than [`lookup`]'s, as the caller needs).
pub fn lookup_by<'a, T, K: PartialEq>(
    map: &'a BTreeMap<String, T>,
    version: &str,
    key: impl Fn(&str) -> K,
) -> Option<(&'a String, &'a T)> {
    if let Some(kv) = map.get_key_value(version) {
        return Some(kv);
    }
    let k = key(version);
    map.iter().find(|(v, _)| key(v) == k)
}

/// Digits without leading zeros (`"007"` → `"7"`, `""` → `"0"`).
fn number(digits: &str) -> String {
    let t = digits.trim_start_matches('0');
    if t.is_empty() { "0" } else { t }.to_string()
}

/// A cursor over lowercase ASCII text.
struct Cur<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cur<'_> {
    fn digits(&mut self) -> Option<String> {
        let start = self.i;
        while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
        (self.i > start).then(|| number(std::str::from_utf8(&self.s[start..self.i]).unwrap_or("")))
    }
    fn eat(&mut self, lit: &str) -> bool {
        if self.s[self.i..].starts_with(lit.as_bytes()) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }
    fn sep(&mut self) -> bool {
        if matches!(self.s.get(self.i), Some(b'-' | b'_' | b'.')) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    /// `[-_.]?` then one of `labels` (tried in order); restores on failure.
    fn label(&mut self, labels: &[&'static str]) -> Option<&'static str> {
        let start = self.i;
        self.sep();
        for l in labels {
            if self.eat(l) {
                return Some(l);
            }
        }
        self.i = start;
        None
    }
    /// `[-_.]?[0-9]*` after a label: the number, `0` when absent.
    /// A separator without a number stays consumed, as the regular expression does.
    fn label_number(&mut self) -> String {
        self.sep();
        self.digits().unwrap_or_else(|| "0".to_string())
    }
}

/// Parse a PEP 440 version as `packaging.version.Version` does (its
/// `VERSION_PATTERN`, case-insensitive, surrounding white space ignored).
pub fn pep440(version: &str) -> Option<Pep440> {
    let lower = version.trim().to_ascii_lowercase();
    let mut c = Cur {
        s: lower.as_bytes(),
        i: 0,
    };
    c.eat("v");
    let mut epoch = "0".to_string();
    let save = c.i;
    match c.digits() {
        Some(n) if c.eat("!") => epoch = n,
        _ => c.i = save,
    }
    let mut release = vec![c.digits()?];
    loop {
        let save = c.i;
        if c.eat(".")
            && let Some(n) = c.digits()
        {
            release.push(n);
            continue;
        }
        c.i = save;
        break;
    }
    while release.last().is_some_and(|s| s == "0") {
        release.pop();
    }
    let pre = c
        .label(&["alpha", "a", "beta", "b", "preview", "pre", "c", "rc"])
        .map(|l| {
            let canon = match l {
                "alpha" | "a" => "a",
                "beta" | "b" => "b",
                _ => "rc",
            };
            (canon, c.label_number())
        });
    let post = {
        let save = c.i;
        if c.eat("-")
            && let Some(n) = c.digits()
        {
            Some(n)
        } else {
            c.i = save;
            c.label(&["post", "rev", "r"]).map(|_| c.label_number())
        }
    };
    let dev = c.label(&["dev"]).map(|_| c.label_number());
    let local = if c.eat("+") {
        let rest = std::str::from_utf8(&c.s[c.i..]).ok()?;
        let parts: Vec<&str> = rest.split(['-', '_', '.']).collect();
        if parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            return None;
        }
        c.i = c.s.len();
        Some(
            parts
                .iter()
                .map(|p| {
                    if p.bytes().all(|b| b.is_ascii_digit()) {
                        number(p)
                    } else {
                        p.to_string()
                    }
                })
                .collect(),
        )
    } else {
        None
    };
    (c.i == c.s.len()).then_some(Pep440 {
        epoch,
        release,
        pre,
        post,
        dev,
        local,
    })
}

/// Parse a version as node-semver does in loose mode; build metadata is dropped.
pub fn npm(version: &str) -> Option<NpmVersion> {
    let v = version.trim().trim_start_matches(['v', '=', ' ', '\t']);
    let (v, _build) = match v.split_once('+') {
        Some((v, b)) => {
            let ok = !b.is_empty()
                && b.split('.').all(|id| {
                    !id.is_empty() && id.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
                });
            if !ok {
                return None;
            }
            (v, Some(b))
        }
        None => (v, None),
    };
    let bytes = v.as_bytes();
    let mut c = Cur { s: bytes, i: 0 };
    let major = c.digits()?;
    if !c.eat(".") {
        return None;
    }
    let minor = c.digits()?;
    if !c.eat(".") {
        return None;
    }
    let patch = c.digits()?;
    let rest = &v[c.i..];
    let pre = if rest.is_empty() {
        Vec::new()
    } else {
        let rest = rest.strip_prefix('-').unwrap_or(rest);
        let ids: Vec<&str> = rest.split('.').collect();
        if ids
            .iter()
            .any(|id| id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        {
            return None;
        }
        ids.iter()
            .map(|id| {
                if id.bytes().all(|b| b.is_ascii_digit()) {
                    number(id)
                } else {
                    id.to_string()
                }
            })
            .collect()
    };
    Some(NpmVersion {
        release: [major, minor, patch],
        pre,
    })
}

impl crate::hint::Hint for InvalidVersion {
    fn hints(&self) -> Vec<String> {
        vec!["write the version exactly as the lockfile or the registry does".to_string()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ecosystem::*;

    #[test]
    fn pypi_spellings_of_one_release() {
        for v in [
            "1.16", "1.16.0", "1.16.0.0", "v1.16.0", "V1.16", "01.16.0", "1.016", " 1.16.0 ",
            "0!1.16",
        ] {
            assert!(same_version(Pypi, "1.16.0", v), "{v}");
        }
        for (a, b) in [
            ("1.0-post1", "1.0.post1"),
            ("1.0-1", "1.0.post1"),
            ("1.0post1", "1.0.post1"),
            ("1.0-r1", "1.0.post1"),
            ("1.0.rev1", "1.0.post1"),
            ("1.0.post", "1.0.post0"),
            ("1.0alpha1", "1.0a1"),
            ("1.0-A1", "1.0a1"),
            ("1.0a", "1.0a0"),
            ("1.0beta2", "1.0b2"),
            ("1.0c1", "1.0rc1"),
            ("1.0pre1", "1.0rc1"),
            ("1.0preview1", "1.0rc1"),
            ("1.0.dev", "1.0.dev0"),
            ("1.0-dev1", "1.0.dev1"),
            ("1.0_a_1", "1.0a1"),
            ("1.0+Ubuntu-01", "1.0+ubuntu.1"),
        ] {
            assert!(same_version(Pypi, a, b), "{a} = {b}");
        }
        for (a, b) in [
            ("1.16.0", "1.16.1"),
            ("1.16.0", "1.16.0.1"),
            ("1.16.0", "1.16.0+evil"),
            ("1.16.0", "1.16.0.post1"),
            ("1.16.0", "1.16.0rc1"),
            ("1.16.0", "1!1.16.0"),
            ("1.0a1", "1.0b1"),
            ("1.0.dev1", "1.0a1.dev1"),
        ] {
            assert!(!same_version(Pypi, a, b), "{a} != {b}");
        }
    }

    #[test]
    fn pypi_invalid_versions() {
        for v in [
            "", "abc", "1.16.x", "1..16", "1.16-", "1.0+", "1.0+a..b", "1.0 0", "1.16.0!", "2004d",
        ] {
            assert!(parse(Pypi, v).is_err(), "{v:?}");
        }
        // Unparseable versions compare as text.
        assert!(same_version(Pypi, "abc", " abc "));
        assert!(!same_version(Pypi, "abc", "abd"));
    }

    #[test]
    fn deny_covers_local_and_build_variants() {
        assert!(deny_covers(Pypi, "1.16.0", "1.16+evil"));
        assert!(deny_covers(Pypi, "1.16.0", "v1.16.0.0"));
        assert!(!deny_covers(Pypi, "1.16.0+a", "1.16.0+b"));
        assert!(!deny_covers(Pypi, "1.16.0", "1.16.1"));
        assert!(deny_covers(Cargo, "1.0.0", "1.0.0+build"));
        assert!(!deny_covers(Cargo, "1.0.0", "1.0.1"));
        assert!(deny_covers(Npm, "1.3.0", "v1.3.0"));
        assert!(deny_covers(Npm, "1.3.0", "=1.3.0+x"));
    }

    #[test]
    fn npm_loose() {
        for v in [
            "1.3.0",
            "v1.3.0",
            "=1.3.0",
            " =v1.3.0 ",
            "1.3.0+build.1",
            "01.3.00",
        ] {
            assert!(same_version(Npm, "1.3.0", v), "{v}");
        }
        assert!(same_version(Npm, "1.0.0-beta.01", "1.0.0-beta.1"));
        assert!(same_version(Npm, "1.0.0beta", "1.0.0-beta"));
        assert!(!same_version(Npm, "1.0.0-beta", "1.0.0-Beta"));
        assert!(!same_version(Npm, "1.3.0", "1.3.0-0"));
        for v in ["1.3", "1", "latest", "1.3.0-", "1.3.0+", "1.3.0-a..b"] {
            assert!(parse(Npm, v).is_err(), "{v:?}");
        }
    }

    #[test]
    fn cargo_strict() {
        assert!(same_version(Cargo, "1.0.219", "1.0.219"));
        assert!(!same_version(Cargo, "1.0.0", "1.0.0+b"));
        for v in ["v1.0.0", "1.0", "01.0.0", "=1.0.0"] {
            assert!(parse(Cargo, v).is_err(), "{v:?}");
        }
    }

    #[test]
    fn lookup_prefers_the_exact_spelling() {
        let mut m = BTreeMap::new();
        m.insert("1.16.0".to_string(), 1);
        assert_eq!(lookup(Pypi, &m, "1.16").map(|(_, v)| *v), Some(1));
        assert_eq!(lookup(Pypi, &m, "1.16.0.0").map(|(_, v)| *v), Some(1));
        assert_eq!(lookup(Pypi, &m, "1.16.1"), None);
        assert_eq!(lookup(Pypi, &m, "1.16.0+evil"), None);
    }
}
