//! Where a package comes from.

/// Where a package comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// A package registry; `None` is the ecosystem's default registry
    /// (crates.io, registry.npmjs.org, pypi.org), `Some(url)` another one.
    Registry(Option<String>),
    /// A git repository, with the commit or ref the lockfile records.
    Git {
        /// Repository URL as written.
        url: String,
        /// Commit, tag or branch, if recorded.
        rev: Option<Box<str>>,
    },
    /// A local directory or file.
    Path(String),
    /// A direct URL to an archive.
    Url(String),
}

impl Source {
    /// The kind, as in output and policy: `registry`, `git`, `path` or `url`.
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Registry(_) => "registry",
            Source::Git { .. } => "git",
            Source::Path(_) => "path",
            Source::Url(_) => "url",
        }
    }

    /// The location as written in the lockfile, if any (registry URL, git URL, path, URL).
    pub fn location(&self) -> Option<String> {
        match self {
            Source::Registry(url) => url.clone(),
            Source::Git { url, rev } => Some(match rev {
                Some(rev) => format!("{url}#{rev}"),
                None => url.clone(),
            }),
            Source::Path(p) => Some(p.clone()),
            Source::Url(u) => Some(u.clone()),
        }
    }
}

/// The `scheme://host[:port]` of a URL (the registry a tarball URL is served by); the
/// whole text when it has no path.
pub fn origin(url: &str) -> &str {
    let after = url.find("://").map_or(0, |i| i + 3);
    let end = url
        .get(after..)
        .and_then(|r| r.find('/'))
        .map_or(url.len(), |i| after + i);
    url.get(..end).unwrap_or(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_is_five_words() {
        // Every package holds one (issue 13): 48 bytes while a git revision was a
        // `String`; a `Box<str>` (it is never changed once read) is 16.
        assert!(std::mem::size_of::<Source>() <= 40);
        let git = Source::Git {
            url: "https://example.com/r.git".into(),
            rev: Some("0123abc".into()),
        };
        assert_eq!(
            git.location().as_deref(),
            Some("https://example.com/r.git#0123abc")
        );
    }
}
