//! The dependency names that manifests declare (`package.json`, `Cargo.toml`,
//! `pyproject.toml`, `Pipfile`, `requirements*.in`), so that names are checked even
//! before a lockfile exists. Only names that would come from a registry are returned:
//! local (`file:`, `path =`, `workspace:`), git and URL dependencies are skipped.
//! A manifest that cannot be parsed yields nothing here; the lockfile checks and
//! `unpinned` still cover it.

use crate::model::{Ecosystem, PackageKey};
use std::path::{Path, PathBuf};

/// A dependency name a manifest declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    /// Ecosystem.
    pub ecosystem: Ecosystem,
    /// The registry name (npm aliases and cargo renames resolved).
    pub name: String,
    /// The manifest, as displayed.
    pub file: PathBuf,
    /// 1-based line where the name first appears.
    pub line: usize,
}

/// The registry names `path` declares (`display` is recorded in each).
pub fn declared(path: &Path, display: &Path) -> Vec<Declared> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let file = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let (eco, names) = match file {
        "package.json" => (Ecosystem::Npm, package_json(&text)),
        "Cargo.toml" => (Ecosystem::Cargo, cargo_toml(&text)),
        "pyproject.toml" => (Ecosystem::Pypi, pyproject(&text)),
        "Pipfile" => (Ecosystem::Pypi, pipfile(&text)),
        _ if file.starts_with("requirements") && file.ends_with(".in") => {
            (Ecosystem::Pypi, requirements_in(&text))
        }
        _ => return Vec::new(),
    };
    let mut seen = std::collections::HashSet::new();
    names
        .into_iter()
        .filter(|n| !n.is_empty() && seen.insert(PackageKey::new(eco, n)))
        .map(|name| Declared {
            line: line_of(&text, &name),
            ecosystem: eco,
            name,
            file: display.to_path_buf(),
        })
        .collect()
}

/// The first line on which `name` appears as a whole token, else 1.
fn line_of(text: &str, name: &str) -> usize {
    let is_tok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@' | '/');
    for (i, line) in text.lines().enumerate() {
        let mut from = 0;
        while let Some(at) = line[from..].find(name) {
            let s = from + at;
            let e = s + name.len();
            let before_ok = line[..s].chars().next_back().is_none_or(|c| !is_tok(c));
            let after_ok = line[e..]
                .chars()
                .next()
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')));
            if before_ok && after_ok {
                return i + 1;
            }
            from = e;
        }
    }
    1
}

fn package_json(text: &str) -> Vec<String> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for section in [
        "dependencies",
        "devDependencies",
        "optionalDependencies",
        "peerDependencies",
    ] {
        let Some(deps) = v.get(section).and_then(|d| d.as_object()) else {
            continue;
        };
        for (name, spec) in deps {
            let spec = spec.as_str().unwrap_or("");
            if let Some(alias) = spec.strip_prefix("npm:") {
                // npm:real-name@range
                let real = match alias[1.min(alias.len())..].find('@') {
                    Some(i) => &alias[..i + 1],
                    None => alias,
                };
                out.push(real.to_string());
            } else if ![
                "file:",
                "link:",
                "workspace:",
                "portal:",
                "git",
                "http:",
                "https:",
                "github:",
            ]
            .iter()
            .any(|p| spec.starts_with(p))
                && !spec.contains("://")
            {
                out.push(name.clone());
            }
        }
    }
    out
}

fn cargo_toml(text: &str) -> Vec<String> {
    let Ok(v) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let mut tables: Vec<&toml::Table> = Vec::new();
    for key in ["dependencies", "dev-dependencies", "build-dependencies"] {
        if let Some(t) = v.get(key).and_then(|t| t.as_table()) {
            tables.push(t);
        }
        if let Some(t) = v
            .get("workspace")
            .and_then(|w| w.get(key))
            .and_then(|t| t.as_table())
        {
            tables.push(t);
        }
    }
    if let Some(targets) = v.get("target").and_then(|t| t.as_table()) {
        for target in targets.values() {
            for key in ["dependencies", "dev-dependencies", "build-dependencies"] {
                if let Some(t) = target.get(key).and_then(|t| t.as_table()) {
                    tables.push(t);
                }
            }
        }
    }
    let mut out = Vec::new();
    for t in tables {
        for (name, spec) in t {
            if let Some(st) = spec.as_table() {
                if st.contains_key("path") || st.contains_key("git") {
                    continue;
                }
                out.push(
                    st.get("package")
                        .and_then(|p| p.as_str())
                        .unwrap_or(name)
                        .to_string(),
                );
            } else {
                out.push(name.clone());
            }
        }
    }
    out
}

/// The name of a PEP 508 requirement string, or `None` for a URL or local one
/// (`name @ url`), which does not come from the registry.
pub fn pep508_name(req: &str) -> Option<String> {
    let name = crate::lockfile::python_lock::requirement_name(req)?;
    let rest = req.trim_start().get(name.len()..)?.trim_start();
    let rest = match rest.strip_prefix('[') {
        Some(r) => r.split_once(']').map_or("", |x| x.1).trim_start(),
        None => rest,
    };
    (!rest.starts_with('@')).then(|| name.to_string())
}

fn pyproject(text: &str) -> Vec<String> {
    let Ok(v) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut reqs = |arr: Option<&toml::Value>| {
        for r in arr.and_then(|a| a.as_array()).into_iter().flatten() {
            if let Some(n) = r.as_str().and_then(pep508_name) {
                out.push(n);
            }
        }
    };
    let project = v.get("project");
    reqs(project.and_then(|p| p.get("dependencies")));
    if let Some(opt) = project
        .and_then(|p| p.get("optional-dependencies"))
        .and_then(|o| o.as_table())
    {
        for list in opt.values() {
            reqs(Some(list));
        }
    }
    if let Some(groups) = v.get("dependency-groups").and_then(|g| g.as_table()) {
        for list in groups.values() {
            reqs(Some(list));
        }
    }
    let poetry = v.get("tool").and_then(|t| t.get("poetry"));
    let mut poetry_tables: Vec<&toml::Table> = Vec::new();
    for key in ["dependencies", "dev-dependencies"] {
        if let Some(t) = poetry.and_then(|p| p.get(key)).and_then(|t| t.as_table()) {
            poetry_tables.push(t);
        }
    }
    if let Some(groups) = poetry
        .and_then(|p| p.get("group"))
        .and_then(|g| g.as_table())
    {
        for g in groups.values() {
            if let Some(t) = g.get("dependencies").and_then(|t| t.as_table()) {
                poetry_tables.push(t);
            }
        }
    }
    for t in poetry_tables {
        for (name, spec) in t {
            let local = spec.as_table().is_some_and(|s| {
                s.contains_key("path") || s.contains_key("git") || s.contains_key("url")
            });
            if name != "python" && !local {
                out.push(name.clone());
            }
        }
    }
    out
}

fn pipfile(text: &str) -> Vec<String> {
    let Ok(v) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for key in ["packages", "dev-packages"] {
        for (name, spec) in v.get(key).and_then(|t| t.as_table()).into_iter().flatten() {
            let local = spec.as_table().is_some_and(|s| {
                s.contains_key("path") || s.contains_key("git") || s.contains_key("file")
            });
            if !local {
                out.push(name.clone());
            }
        }
    }
    out
}

fn requirements_in(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split(" #").next().unwrap_or("").trim())
        .filter(|l| {
            !l.is_empty() && !l.starts_with('#') && !l.starts_with('-') && !l.contains("://")
        })
        .filter_map(|l| pep508_name(l.split(';').next().unwrap_or(l)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(file: &str, text: &str) -> Vec<(String, usize)> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(file);
        std::fs::write(&p, text).unwrap();
        declared(&p, Path::new(file))
            .into_iter()
            .map(|d| (d.name, d.line))
            .collect()
    }

    #[test]
    fn package_json_names_skip_local_and_resolve_aliases() {
        let got = names(
            "package.json",
            "{\n \"dependencies\": {\n  \"reqeusts\": \"^1\",\n  \"local\": \"file:../x\",\n  \"s\": \"npm:string-width@^4\"\n },\n \"devDependencies\": {\"@types/node\": \"^22\"}\n}\n",
        );
        assert_eq!(
            got,
            vec![
                ("reqeusts".into(), 3),
                ("string-width".into(), 5),
                ("@types/node".into(), 7)
            ]
        );
    }

    #[test]
    fn cargo_and_python_manifests() {
        let got = names(
            "Cargo.toml",
            "[package]\nname = \"x\"\n[dependencies]\nserde = \"1\"\nlocal = { path = \"../l\" }\nrenamed = { package = \"tokio\", version = \"1\" }\n",
        );
        let mut got = got;
        got.sort();
        assert_eq!(
            got,
            vec![("serde".to_string(), 4), ("tokio".to_string(), 6)]
        );
        let got = names(
            "pyproject.toml",
            "[project]\nname = \"p\"\ndependencies = [\"requests>=2\", \"huggingface-cli\", \"x @ https://e.org/x.whl\"]\n[dependency-groups]\ndev = [\"pytest[cov]; python_version>'3.8'\"]\n",
        );
        assert_eq!(
            got.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(),
            vec!["requests", "huggingface-cli", "pytest"]
        );
        let got = names(
            "requirements.in",
            "# tools\nflask>=3  # web\n-r other.in\nhttps://x.org/a.whl\nrich\n",
        );
        assert_eq!(got, vec![("flask".into(), 2), ("rich".into(), 5)]);
    }
}
