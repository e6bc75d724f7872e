//! Manifests and their lockfiles: manifest names, whether a manifest declares
//! dependencies, which lockfiles cover it (workspace roots), and manifests without one.

use super::{Manifest, normalize_dir};
use crate::lockfile::{self, Kind};
use crate::model::Ecosystem;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The lockfiles that pin a manifest's dependencies: those of its ecosystem in its
/// own folder, else those of the nearest parent folder that has any, when that
/// folder's manifest names the manifest's folder as a workspace member (the same
/// rule as [`manifests_without_lockfile`]). The search stops at the top of a git
/// repository (a folder holding `.git`) and, for a relative path, at the current
/// folder. Paths are built from the manifest's path, so they display the same way.
pub fn lockfiles_for_manifest(manifest: &Path, ecosystem: Ecosystem) -> Vec<(PathBuf, Kind)> {
    let Some(own) = manifest.parent() else {
        return Vec::new();
    };
    let in_dir = |dir: &Path| -> Vec<(PathBuf, Kind)> {
        let read_from = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let Ok(entries) = std::fs::read_dir(read_from) else {
            return Vec::new();
        };
        let mut found: Vec<(PathBuf, Kind)> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
            .filter_map(|e| {
                let path = dir.join(e.file_name());
                let kind = lockfile::detect(&path)?;
                (kind.ecosystem() == ecosystem).then_some((path, kind))
            })
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        found
    };
    let here = in_dir(own);
    if !here.is_empty() {
        return here;
    }
    let mut dir = own;
    while !dir.as_os_str().is_empty() && !dir.join(".git").exists() {
        let Some(parent) = dir.parent() else {
            break;
        };
        let found = in_dir(parent);
        if !found.is_empty() {
            let rel = own.strip_prefix(parent).unwrap_or(own);
            let member = workspace_globs(parent, ecosystem).is_some_and(|set| set.is_match(rel));
            return if member { found } else { Vec::new() };
        }
        dir = parent;
    }
    Vec::new()
}

/// The package name a manifest declares (`name` in package.json, `[package] name`
/// in Cargo.toml, `[project] name` or `[tool.poetry] name` in pyproject.toml).
pub fn manifest_name(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    match path.file_name()?.to_str()? {
        "package.json" => serde_json::from_str::<serde_json::Value>(&text)
            .ok()?
            .get("name")?
            .as_str()
            .map(String::from),
        "Cargo.toml" => text
            .parse::<toml::Table>()
            .ok()?
            .get("package")?
            .get("name")?
            .as_str()
            .map(String::from),
        "pyproject.toml" => {
            let v = text.parse::<toml::Table>().ok()?;
            v.get("project")
                .and_then(|p| p.get("name"))
                .or_else(|| v.get("tool")?.get("poetry")?.get("name"))
                .and_then(|n| n.as_str())
                .map(String::from)
        }
        _ => None,
    }
}

/// Does this manifest declare any dependency? Unreadable or malformed manifests count
/// as declaring some (the safe answer: they are then listed, never hidden).
pub fn declares_dependencies(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return true;
    };
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    match name {
        "package.json" => {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
                return true;
            };
            [
                "dependencies",
                "devDependencies",
                "optionalDependencies",
                "peerDependencies",
            ]
            .iter()
            .any(|k| {
                v.get(k)
                    .and_then(|d| d.as_object())
                    .is_some_and(|o| !o.is_empty())
            }) || v.get("workspaces").is_some()
        }
        "Cargo.toml" => {
            let Ok(v) = text.parse::<toml::Table>() else {
                return true;
            };
            v.contains_key("workspace")
                || [
                    "dependencies",
                    "dev-dependencies",
                    "build-dependencies",
                    "target",
                ]
                .iter()
                .any(|k| {
                    v.get(*k)
                        .and_then(|d| d.as_table())
                        .is_some_and(|t| !t.is_empty())
                })
        }
        "pyproject.toml" => {
            let Ok(v) = text.parse::<toml::Table>() else {
                return true;
            };
            let project_deps = v
                .get("project")
                .and_then(|p| p.get("dependencies"))
                .and_then(|d| d.as_array())
                .is_some_and(|a| !a.is_empty());
            let optional = v
                .get("project")
                .and_then(|p| p.get("optional-dependencies"))
                .and_then(|d| d.as_table())
                .is_some_and(|t| !t.is_empty());
            let groups = v
                .get("dependency-groups")
                .and_then(|d| d.as_table())
                .is_some_and(|t| !t.is_empty());
            let poetry = v
                .get("tool")
                .and_then(|t| t.get("poetry"))
                .and_then(|p| p.get("dependencies"))
                .and_then(|d| d.as_table())
                .is_some_and(|t| t.keys().any(|k| k != "python"));
            project_deps || optional || groups || poetry
        }
        _ => text
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .any(|l| !l.is_empty()),
    }
}

/// Manifests that declare dependencies and have no lockfile covering them.
///
/// A lockfile covers a manifest in its own folder, and the manifests of the
/// workspace members that the manifest beside it names (npm/yarn `workspaces`,
/// `pnpm-workspace.yaml` `packages`, cargo `[workspace] members`, uv
/// `[tool.uv.workspace] members`).
pub fn manifests_without_lockfile(
    manifests: &[Manifest],
    lockfile_dirs: &HashSet<(Ecosystem, PathBuf)>,
) -> Vec<PathBuf> {
    // The members of a workspace share its root's globs: read and compiled once.
    let mut globs = HashMap::new();
    manifests
        .iter()
        .filter(|m| !covered(m, lockfile_dirs, &mut globs))
        .filter(|m| declares_dependencies(&m.path))
        .map(|m| m.display.clone())
        .collect()
}

/// Is `m` covered by a lockfile (see [`manifests_without_lockfile`])? `globs` keeps
/// the workspace globs of each folder already asked about.
fn covered(
    m: &Manifest,
    lockfile_dirs: &HashSet<(Ecosystem, PathBuf)>,
    globs: &mut HashMap<(PathBuf, Ecosystem), Option<globset::GlobSet>>,
) -> bool {
    let Some(own) = m.path.parent() else {
        return false;
    };
    if lockfile_dirs.contains(&(m.ecosystem, normalize_dir(own))) {
        return true;
    }
    let mut dir = own.parent();
    while let Some(d) = dir {
        if lockfile_dirs.contains(&(m.ecosystem, normalize_dir(d))) {
            let rel = own.strip_prefix(d).unwrap_or(own);
            return globs
                .entry((d.to_path_buf(), m.ecosystem))
                .or_insert_with(|| workspace_globs(d, m.ecosystem))
                .as_ref()
                .is_some_and(|set| set.is_match(rel));
        }
        dir = d.parent();
    }
    false
}

/// The workspace member globs that the manifest in `dir` declares, if any.
pub(super) fn workspace_globs(dir: &Path, eco: Ecosystem) -> Option<globset::GlobSet> {
    let mut patterns: Vec<String> = Vec::new();
    match eco {
        // Workflows have no workspaces.
        Ecosystem::Actions => return None,
        Ecosystem::Npm => {
            if let Ok(text) = std::fs::read_to_string(dir.join("package.json"))
                && let Ok(v) = serde_json::from_str::<serde_json::Value>(&text)
            {
                let ws = v.get("workspaces");
                let list = ws.and_then(|w| w.as_array()).or_else(|| {
                    ws.and_then(|w| w.get("packages"))
                        .and_then(|p| p.as_array())
                });
                patterns.extend(
                    list.into_iter()
                        .flatten()
                        .filter_map(|s| s.as_str().map(String::from)),
                );
            }
            if let Ok(text) = std::fs::read_to_string(dir.join("pnpm-workspace.yaml")) {
                // `packages:` followed by `- 'glob'` items; a tiny reader is enough here.
                let mut in_packages = false;
                for line in text.lines() {
                    let t = line.trim();
                    if !line.starts_with([' ', '\t', '-']) {
                        in_packages = t.starts_with("packages:");
                        continue;
                    }
                    if in_packages && let Some(item) = t.strip_prefix('-') {
                        patterns.push(item.trim().trim_matches(['\'', '"']).to_string());
                    }
                }
            }
        }
        Ecosystem::Cargo | Ecosystem::Pypi => {
            let file = if eco == Ecosystem::Cargo {
                "Cargo.toml"
            } else {
                "pyproject.toml"
            };
            let text = std::fs::read_to_string(dir.join(file)).ok()?;
            let v = text.parse::<toml::Table>().ok()?;
            let ws = if eco == Ecosystem::Cargo {
                v.get("workspace")
            } else {
                v.get("tool")
                    .and_then(|t| t.get("uv"))
                    .and_then(|u| u.get("workspace"))
            };
            let members = ws.and_then(|w| w.get("members")).and_then(|m| m.as_array());
            patterns.extend(
                members
                    .into_iter()
                    .flatten()
                    .filter_map(|s| s.as_str().map(String::from)),
            );
        }
    }
    let mut b = globset::GlobSetBuilder::new();
    let mut any = false;
    for p in patterns {
        let p = p.trim_start_matches("./").trim_end_matches('/');
        if p.starts_with('!') || p.is_empty() {
            continue;
        }
        if let Ok(g) = globset::GlobBuilder::new(p).literal_separator(true).build() {
            b.add(g);
            any = true;
        }
    }
    if !any {
        return None;
    }
    b.build().ok()
}
