//! The `package.json` files beside a `yarn.lock`: roots, workspaces and `resolutions`.

use crate::lockfile::{Context, ParseError};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Manifest {
    pub(super) name: Option<String>,
    pub(super) dependencies: BTreeMap<String, String>,
    #[serde(rename = "devDependencies")]
    pub(super) dev_dependencies: BTreeMap<String, String>,
    #[serde(rename = "optionalDependencies")]
    pub(super) optional_dependencies: BTreeMap<String, String>,
    pub(super) workspaces: Option<Workspaces>,
    /// Yarn's `resolutions` (root manifest only).
    pub(super) resolutions: BTreeMap<String, String>,
    #[serde(skip)]
    pub(super) rel: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum Workspaces {
    List(Vec<String>),
    Object {
        #[serde(default)]
        packages: Vec<String>,
    },
}

impl Manifest {
    pub(super) fn label(&self, ctx: &Context<'_>) -> String {
        match &self.name {
            Some(n) if !n.is_empty() => n.clone(),
            _ if self.rel.is_empty() || self.rel == "." => ctx.root_label(),
            _ => self.rel.clone(),
        }
    }
}

/// `dir/package.json`: `Ok(None)` when there is none; an error when it is unreadable.
pub(super) fn read_manifest(
    ctx: &Context<'_>,
    dir: &Path,
    rel: &str,
) -> Result<Option<Manifest>, ParseError> {
    let path = dir.join("package.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(ctx.error(None, format!("cannot read {}: {e}", path.display()))),
    };
    let display = ctx
        .display
        .with_file_name(Path::new(rel).join("package.json"));
    let mut m: Manifest = serde_json::from_str(&text).map_err(|e| {
        ParseError::new(
            &display,
            Some(e.line()),
            format!("malformed package.json next to the lockfile: {e}"),
        )
        .with_hint("fix package.json; lockgate reads it to find the lockfile's roots")
    })?;
    m.rel = rel.to_string();
    Ok(Some(m))
}

/// The root manifest and every workspace member's manifest (empty without a root one).
pub(super) fn read_workspace_manifests(
    ctx: &Context<'_>,
    dir: &Path,
) -> Result<Vec<Manifest>, ParseError> {
    let Some(root) = read_manifest(ctx, dir, ".")? else {
        return Ok(Vec::new());
    };
    let patterns = match &root.workspaces {
        Some(Workspaces::List(l)) => l.clone(),
        Some(Workspaces::Object { packages }) => packages.clone(),
        None => Vec::new(),
    };
    let mut out = vec![root];
    let mut seen = HashSet::new();
    for pat in patterns {
        for rel in expand_glob(dir, &pat) {
            if seen.insert(rel.clone())
                && let Some(m) = read_manifest(ctx, &dir.join(&rel), &rel.to_string_lossy())?
            {
                out.push(m);
            }
        }
    }
    Ok(out)
}

/// Expand a workspace pattern: literal segments and `*` (or `**`, treated as `*`)
/// wildcards within one segment. Directories named `node_modules` are skipped.
pub(super) fn expand_glob(base: &Path, pattern: &str) -> Vec<PathBuf> {
    let mut current = vec![PathBuf::new()];
    for seg in pattern
        .trim_start_matches("./")
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
    {
        let mut next = Vec::new();
        for rel in &current {
            if seg.contains('*') {
                let Ok(rd) = std::fs::read_dir(base.join(rel)) else {
                    continue;
                };
                let mut names: Vec<String> = rd
                    .filter_map(|e| e.ok())
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter(|n| n != "node_modules" && wildcard(seg, n))
                    .collect();
                names.sort();
                next.extend(names.into_iter().map(|n| rel.join(n)));
            } else {
                next.push(rel.join(seg));
            }
        }
        current = next;
    }
    current
        .into_iter()
        .filter(|p| !p.as_os_str().is_empty())
        .collect()
}

pub(super) fn wildcard(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').filter(|p| !p.is_empty()).collect();
    if name.starts_with('.') {
        return false;
    }
    let mut rest = name;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 && !pattern.starts_with('*') {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else {
            match rest.find(part) {
                Some(at) => rest = rest.get(at + part.len()..).unwrap_or(""),
                None => return false,
            }
        }
    }
    pattern.ends_with('*') || rest.is_empty() || parts.is_empty()
}
