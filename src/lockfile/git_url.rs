//! The git source string cargo (`git+URL?rev=x#commit`, after its `git+`) and uv
//! (`URL?rev=x#commit`) write, shared by both readers.

/// A git source as cargo and uv write it, `URL?rev=x#commit`: the URL without query
/// and fragment, and the locked commit (the fragment), else the `rev`, `tag` or
/// `branch` of the query.
pub(crate) fn url_and_rev(s: &str) -> (&str, Option<String>) {
    let (before_hash, commit) = match s.split_once('#') {
        Some((b, c)) => (b, Some(c)),
        None => (s, None),
    };
    let (url, query) = match before_hash.split_once('?') {
        Some((u, q)) => (u, Some(q)),
        None => (before_hash, None),
    };
    let rev = commit
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .or_else(|| {
            query.and_then(|q| {
                q.split('&').find_map(|kv| {
                    let (k, v) = kv.split_once('=')?;
                    matches!(k, "rev" | "tag" | "branch").then(|| v.to_string())
                })
            })
        });
    (url, rev)
}
