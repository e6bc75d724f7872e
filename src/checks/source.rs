//! `source-not-allowed`: packages from git, a path, a URL or a registry the policy
//! does not allow, and files whose own URL is not on an allowed registry.
//! `foreign-artifact`: a registry file whose URL or name is another package's or
//! another version's.
//!
//! Every artifact URL is a source: the package-level source (a uv `source.registry`,
//! a yarn entry's registry) says where the installer looks, but each file's own URL
//! (`resolved`, `tarball`, a uv or pylock wheel's `url`, a pdm file's `url`) is where
//! it downloads from. A file URL passes when it is on the ecosystem's default file
//! host (registry.npmjs.org and registry.yarnpkg.com for npm, files.pythonhosted.org
//! for PyPI), on a registry that `[policy] registries` allows, on the same host as
//! the package's own allowed registry, or is the package's own allowed URL source.
//!
//! A registry file must also name its entry's package and version wherever the
//! format makes that checkable: npm tarballs `<registry>/<name>/-/<unscoped>-<version>.tgz`,
//! Python wheels `<name>-<version>-<tags>.whl` and sdists `<name>-<version>.tar.gz`.

use super::{Finding, FindingDef, FindingId, Precision, Severity};
use crate::allowlist::Allowlist;
use crate::model::{Artifact, Ecosystem, Package, Source, pep503};

/// The `source-not-allowed` finding.
pub const SOURCE_NOT_ALLOWED: FindingDef = FindingDef {
    id: "source-not-allowed",
    summary: "The package comes from git, a path, a URL or another registry, which the policy does not allow.",
    explanation: "The policy's `sources` (and `registries`) say where packages may come from. Code from elsewhere bypasses the registry's checks and the allowlist's hashes.",
    help: "Depend on the registry release instead, or ask the security team to allow the source in `[policy] sources` / `registries`.",
    severity: Severity::Error,
    policy: &["sources", "registries"],
    security_severity: Some("7.0"),
    precision: Precision::VeryHigh,
};

/// The `foreign-artifact` finding.
pub const FOREIGN_ARTIFACT: FindingDef = FindingDef {
    id: "foreign-artifact",
    summary: "A file URL or file name in the lockfile names another package or version than its entry.",
    explanation: "Lockfile entries name the file the installer downloads. When that file is another package's (or another version's) tarball, sdist or wheel, the installer puts other code under an approved name and version: yarn classic, for instance, installs whatever `resolved` points to.",
    help: "Do not merge: regenerate the lockfile with its package manager and inspect how the entry changed (`git log -p`).",
    severity: Severity::Critical,
    policy: &[],
    security_severity: Some("9.0"),
    precision: Precision::High,
};

/// One finding per package whose source, or one of whose file URLs, the policy does
/// not allow, and per package whose registry file is another package's.
pub fn check(packages: &[&Package], list: &Allowlist) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in packages {
        if let Some(f) = package_source(p, list) {
            out.push(f);
            continue;
        }
        if let Some(f) = p.files().find_map(|a| artifact_source(p, &a, list)) {
            out.push(f);
        }
        if let Some(f) = p.files().find_map(|a| foreign(p, &a)) {
            out.push(f);
        }
    }
    out
}

fn package_source(p: &Package, list: &Allowlist) -> Option<Finding> {
    let kind = p.source.kind();
    let allowed_kind = list.policy.sources.iter().any(|s| s == kind);
    let (ok, what) = match &p.source {
        Source::Registry(None) => (allowed_kind, "the default registry".to_string()),
        Source::Registry(Some(url)) => (
            allowed_kind && list.registry_allowed(url),
            format!("the registry {url}"),
        ),
        other => (
            allowed_kind,
            format!("{kind} {}", other.location().unwrap_or_default()),
        ),
    };
    if ok {
        return None;
    }
    let help = match &p.source {
        Source::Registry(Some(url)) => format!(
            "install `{}` from the default registry, or have the security team add \"{url}\" to [policy] registries",
            p.name
        ),
        _ => format!(
            "depend on a registry release of `{}`, or have the security team add \"{kind}\" to [policy] sources",
            p.name
        ),
    };
    Some(Finding::about(
        FindingId::SourceNotAllowed,
        p,
        format!(
            "{} {} comes from {what}, which the policy does not allow",
            p.name, p.version
        ),
        help,
    ))
}

/// The default file hosts of an ecosystem, as `scheme://host` origins.
fn default_hosts(eco: Ecosystem) -> &'static [&'static str] {
    match eco {
        Ecosystem::Npm => &[
            "https://registry.npmjs.org",
            "http://registry.npmjs.org",
            "https://registry.yarnpkg.com",
        ],
        Ecosystem::Pypi => &["https://files.pythonhosted.org"],
        // Actions and docker images are fetched by the runner, not from file URLs.
        Ecosystem::Cargo | Ecosystem::Actions => &[],
    }
}

/// `scheme://host[:port]` of an http(s) URL, lowercased, without userinfo;
/// `None` for anything else.
fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') || authority.is_empty() {
        // userinfo hides the real host from a text comparison: never a known host
        return None;
    }
    Some(format!("{scheme}://{}", authority.to_ascii_lowercase()))
}

/// The URL without its fragment (yarn classic appends `#<sha1>`).
fn strip_fragment(url: &str) -> &str {
    url.split('#').next().unwrap_or(url)
}

fn artifact_source(p: &Package, a: &Artifact, list: &Allowlist) -> Option<Finding> {
    let url = a.url.as_deref()?;
    let registry_ok = list.policy.sources.iter().any(|s| s == "registry");
    let ok = match &p.source {
        // The package's own URL source: governed by `sources` already.
        Source::Url(src) if strip_fragment(src) == strip_fragment(url) => true,
        // Git and path packages name no registry files.
        Source::Git { .. } | Source::Path(_) => true,
        _ => match origin(url) {
            None => false,
            Some(o) => {
                registry_ok
                    && (default_hosts(p.ecosystem).contains(&o.as_str())
                        || list.registry_allowed(url)
                        || matches!(&p.source, Source::Registry(Some(reg))
                            if origin(reg).as_deref() == Some(o.as_str()) && list.registry_allowed(reg)))
            }
        },
    };
    if ok {
        return None;
    }
    Some(Finding {
        line: Some(a.line as usize),
        ..Finding::about(
            FindingId::SourceNotAllowed,
            p,
            format!(
                "{} {}: the lockfile downloads a file from {url}, which is not on a registry the policy allows",
                p.name, p.version
            ),
            format!(
                "regenerate the lockfile against an allowed registry, or have the security team add the registry of \"{url}\" to [policy] registries"
            ),
        )
    })
}

/// A registry file whose URL or name is another package's or version's.
fn foreign(p: &Package, a: &Artifact) -> Option<Finding> {
    if !matches!(p.source, Source::Registry(_)) {
        return None;
    }
    let (ok, what) = match p.ecosystem {
        Ecosystem::Npm => {
            let url = a.url.as_deref()?;
            (
                npm_tarball_matches(url, &p.name, &p.version)?,
                url.to_string(),
            )
        }
        Ecosystem::Pypi => {
            let file = a.file_name()?;
            let file = percent_decode(file);
            (
                python_file_matches(&file, &p.name, &p.version)?,
                file.to_string(),
            )
        }
        Ecosystem::Cargo | Ecosystem::Actions => return None,
    };
    if ok {
        return None;
    }
    Some(Finding {
        line: Some(a.line as usize),
        ..Finding::about(
FindingId::ForeignArtifact, p,
            format!(
                "possible tampering: the entry for {} {} downloads {what}, which is not a file of {} {}",
                p.name, p.version, p.name, p.version
            ),
            "do not merge: regenerate the lockfile with its package manager and inspect how the entry changed (`git log -p`)".to_string(),
        )
    })
}

/// Does an npm tarball URL name `name` at `version`? `None` when the URL has no
/// shape to check (a registry that serves tarballs from other paths).
fn npm_tarball_matches(url: &str, name: &str, version: &str) -> Option<bool> {
    let url = url.split(['?', '#']).next().unwrap_or(url);
    let o = origin(url)?;
    let on_default = default_hosts(Ecosystem::Npm).contains(&o.as_str());
    let Some((before, file)) = url.rsplit_once("/-/") else {
        // The default registries serve every tarball as `<name>/-/<file>`.
        return Some(!on_default);
    };
    let unscoped = name.rsplit('/').next().unwrap_or(name);
    // Some registries (Artifactory) write the scope into the file part: `/-/@scope/name-1.0.0.tgz`.
    let file = file
        .strip_prefix(
            name.split('/')
                .next()
                .filter(|s| s.starts_with('@'))
                .map(|s| format!("{s}/"))
                .as_deref()
                .unwrap_or(""),
        )
        .unwrap_or(file);
    let file_ok = file
        .strip_suffix(".tgz")
        .and_then(|s| s.strip_prefix(unscoped))
        .and_then(|s| s.strip_prefix('-'))
        == Some(version);
    let name_ok = [
        name.to_string(),
        name.replace('/', "%2f"),
        name.replace('/', "%2F"),
    ]
    .iter()
    .any(|n| {
        before
            .strip_suffix(n.as_str())
            .is_some_and(|b| b.ends_with('/'))
    });
    Some(file_ok && name_ok)
}

/// Does a Python distribution file name (wheel or sdist) name `name` at `version`?
/// `None` for files whose name has no checkable shape.
fn python_file_matches(file: &str, name: &str, version: &str) -> Option<bool> {
    let want_name = pep503(name);
    let want_version = norm_version(version);
    if let Some(stem) = file.strip_suffix(".whl") {
        // {distribution}-{version}(-{build})?-{python}-{abi}-{platform}.whl
        let parts: Vec<&str> = stem.split('-').collect();
        if parts.len() < 5 {
            return Some(false);
        }
        return Some(pep503(parts[0]) == want_name && norm_version(parts[1]) == want_version);
    }
    let stem = [".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz", ".tar"]
        .iter()
        .find_map(|ext| file.strip_suffix(ext))?;
    // The name may itself hold `-`: try every split point.
    Some(stem.match_indices('-').any(|(i, _)| {
        pep503(&stem[..i]) == want_name && norm_version(&stem[i + 1..]) == want_version
    }))
}

/// A version as PEP 440 compares it, enough for file names: lowercase, no leading
/// `v`, `_` as `-`, release segments without leading zeros or trailing `.0`s.
fn norm_version(v: &str) -> String {
    let v = v.trim().to_ascii_lowercase().replace('_', "-");
    let v = v.strip_prefix('v').unwrap_or(&v);
    let split = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(v.len());
    let (release, rest) = v.split_at(split);
    let mut segs: Vec<String> = release
        .split('.')
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_start_matches('0').to_string())
        .map(|s| if s.is_empty() { "0".to_string() } else { s })
        .collect();
    while segs.len() > 1 && segs.last().is_some_and(|s| s == "0") {
        segs.pop();
    }
    format!("{}{rest}", segs.join("."))
}

/// `%XX` escapes decoded (wheel URLs escape `+` of local versions as `%2B`).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_tarballs_must_name_their_entry() {
        let cases = [
            (
                "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",
                "left-pad",
                "1.3.0",
                Some(true),
            ),
            (
                "https://registry.yarnpkg.com/@babel/core/-/core-7.0.0.tgz#abc",
                "@babel/core",
                "7.0.0",
                Some(true),
            ),
            // another package
            (
                "https://registry.yarnpkg.com/is-odd/-/is-odd-3.0.1.tgz#abc",
                "left-pad",
                "1.3.0",
                Some(false),
            ),
            // another version
            (
                "https://registry.npmjs.org/left-pad/-/left-pad-1.2.0.tgz",
                "left-pad",
                "1.3.0",
                Some(false),
            ),
            // The default registry has no other shape.
            (
                "https://registry.npmjs.org/left-pad.tgz",
                "left-pad",
                "1.3.0",
                Some(false),
            ),
            // Another registry's own shape is not judged.
            (
                "https://npm.pkg.github.com/download/@o/p/1.0.0/abc",
                "@o/p",
                "1.0.0",
                Some(true),
            ),
        ];
        for (url, name, version, want) in cases {
            assert_eq!(npm_tarball_matches(url, name, version), want, "{url}");
        }
    }

    #[test]
    fn python_files_must_name_their_entry() {
        let torch = percent_decode("torch-2.1.0%2Bcpu-cp311-cp311-linux_x86_64.whl");
        let cases = [
            (
                "six-1.16.0-py2.py3-none-any.whl",
                "six",
                "1.16.0",
                Some(true),
            ),
            (
                "python-dateutil-2.8.2.tar.gz",
                "python_dateutil",
                "2.8.2",
                Some(true),
            ),
            (
                "zope.interface-6.0-cp311-cp311-manylinux_2_17_x86_64.whl",
                "zope-interface",
                "6.0.0",
                Some(true),
            ),
            (&torch, "torch", "2.1.0+cpu", Some(true)),
            ("idna-3.7-py3-none-any.whl", "six", "1.16.0", Some(false)),
            ("six-1.15.0.tar.gz", "six", "1.16.0", Some(false)),
            ("six.exe", "six", "1.16.0", None),
        ];
        for (file, name, version, want) in cases {
            assert_eq!(python_file_matches(file, name, version), want, "{file}");
        }
    }

    #[test]
    fn origins_ignore_case_and_refuse_userinfo() {
        assert_eq!(
            origin("HTTPS://Files.PythonHosted.org/packages/x.whl").as_deref(),
            Some("https://files.pythonhosted.org")
        );
        assert_eq!(
            origin("https://files.pythonhosted.org@evil.test/x.whl"),
            None
        );
        assert_eq!(origin("file:///tmp/x.whl"), None);
    }
}
