//! URL helpers the Python readers share (requirements, Pipfile.lock, pylock.toml):
//! is an index URL PyPI, credentials removed from a URL, and the name and version in
//! a wheel or sdist file name.

/// The file name endings of the archives pip installs (wheels and sdists).
pub(crate) const ARCHIVE_EXTS: [&str; 8] = [
    ".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", ".tbz", ".tar.xz", ".tar",
];

/// True for the default index (pypi.org), whatever its spelling.
pub(crate) fn is_pypi(url: &str) -> bool {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or(host).to_ascii_lowercase();
    let host = host.strip_suffix(":443").unwrap_or(&host).to_string();
    let path = rest
        .get(rest.find('/').unwrap_or(rest.len())..)
        .unwrap_or("")
        .trim_end_matches('/');
    matches!(
        host.as_str(),
        "pypi.org" | "pypi.python.org" | "www.pypi.org"
    ) && matches!(path, "" | "/simple" | "/pypi")
}

/// Remove credentials (`user:password@`, `token@`) from a URL; `git@` is kept.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (auth, tail) = rest.split_at(auth_end);
    match auth.rsplit_once('@') {
        // `git@host` (ssh) names no secret; any other user part may be a token.
        Some(("git", _)) => url.to_string(),
        Some((_, host)) => format!("{scheme}://{host}{tail}"),
        None => url.to_string(),
    }
}

/// Name and version from a wheel or sdist file name.
pub(crate) fn archive_name_version(file: &str) -> Option<(String, String)> {
    let lower = file.to_ascii_lowercase();
    if lower.ends_with(".whl") {
        let mut parts = file.split('-');
        let name = parts.next()?;
        let version = parts.next()?;
        return (!name.is_empty() && !version.is_empty())
            .then(|| (name.to_string(), version.to_string()));
    }
    let ext = ARCHIVE_EXTS.iter().find(|e| lower.ends_with(*e))?;
    let stem = file.get(..file.len() - ext.len())?;
    let (name, version) = stem.rsplit_once('-')?;
    (!name.is_empty() && version.starts_with(|c: char| c.is_ascii_digit()))
        .then(|| (name.to_string(), version.to_string()))
}
