//! GitHub Actions: the workflows (`.github/workflows/*.yml`, `*.yaml`) and action
//! metadata files (`action.yml`, `action.yaml`: composite and docker actions,
//! lockgate's own included).
//!
//! The runner downloads every action a workflow names and runs it with the job's
//! token and secrets, so each `uses:` is a dependency like a lockfile entry:
//!
//! - `jobs.<id>.steps[*].uses`, `jobs.<id>.uses` (a reusable workflow) and, in an
//!   action file, `runs.steps[*].uses` (composite actions) and `runs.image` (docker
//!   actions, when it names a `docker://` image);
//! - `owner/repo[/path]@ref` is one [`Package`] of [`Ecosystem::Actions`]: name
//!   `owner/repo[/path]` (compared lowercase), version the ref as written, source the
//!   default "registry" (GitHub), line the line of the `uses:` value. A ref that is not
//!   a full 40-hex commit SHA is `unpinned` (a tag or a branch can be moved to other
//!   code at any time: tj-actions/changed-files, March 2025); a SHA the allowlist does
//!   not approve is `unlisted`;
//! - `docker://image[:tag][@sha256:<64 hex>]` is a package named `docker://image`,
//!   version its digest (`sha256:…`) or, without one, its tag (`unpinned`);
//! - `./path` is an action in the repository: its `action.yml` (or `action.yaml`), or
//!   for a local reusable workflow the `.yml` file itself, is read too, recursively, and its `uses:` are packages of that file. The path is
//!   taken from the repository root (the folder holding `.github`, or `.git`), as the
//!   runner does; one that leaves the repository (`..`, a symlink pointing outside) or
//!   names no action file is an error: lockgate cannot check code it cannot see.
//!
//! A `uses:` without `@ref`, a name that is not `owner/repo[/path]`, a value that is
//! not a string, and YAML the parser refuses are errors naming the file and line. The
//! YAML is read by the full parser (`serde-saphyr`) with a bounded budget; duplicate
//! keys are errors. Anchors and aliases, which GitHub accepts, are allowed within the
//! budget. Expressions (`${{ … }}`) are not evaluated: a `uses:` holding one is an
//! error, as GitHub refuses it too.

use super::yaml::SpannedMap;
use super::{Context, Ecosystem, Lockfile, Package, ParseError, Source};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

/// The GitHub Actions format (workflows and action files).
pub static FORMAT: super::Format = super::Format::new(
    "github-actions",
    module_path!(),
    Ecosystem::Actions,
    parse,
)
.files(
    &[".github/workflows/*.yml", "action.yml"],
    |name, path| is_action_file(name) || is_workflow(name, path),
)
.hint("fix the workflow at that line (GitHub's workflow syntax: https://docs.github.com/actions/reference/workflow-syntax-for-github-actions), or restore it from git");

/// `action.yml` or `action.yaml`.
fn is_action_file(name: &str) -> bool {
    name == "action.yml" || name == "action.yaml"
}

/// A `.yml` / `.yaml` file directly in `.github/workflows/`. The extension is
/// compared without case (`ci.YML`): reading a file the runner would ignore costs a
/// finding at most, skipping one it runs would be a way around the allowlist.
fn is_workflow(name: &str, path: &Path) -> bool {
    let lower = name.to_ascii_lowercase();
    if !(lower.ends_with(".yml") || lower.ends_with(".yaml")) {
        return false;
    }
    let dir = path.parent().and_then(Path::file_name);
    let grand = path
        .parent()
        .and_then(Path::parent)
        .and_then(Path::file_name);
    dir.is_some_and(|d| d == "workflows") && grand.is_some_and(|g| g == ".github")
}

/// Deepest chain of local actions followed (`./a` using `./b` using …).
const MAX_LOCAL_DEPTH: usize = 16;

// Every key is optional: a missing one reads as `None`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Doc {
    jobs: Option<SpannedMap<Job>>,
    runs: Option<Runs>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Job {
    uses: Option<Spanned<String>>,
    steps: Option<Vec<Step>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Step {
    uses: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Runs {
    steps: Option<Vec<Step>>,
    image: Option<Spanned<String>>,
}

/// YAML options for workflows: the lockfile budget, with the anchors and aliases
/// GitHub accepts (bounded).
fn options() -> serde_saphyr::Options {
    let mut o = super::yaml::yaml_options();
    if let Some(b) = o.budget.as_mut() {
        b.max_anchors = 1_000;
        b.max_aliases = 1_000;
        b.max_depth = 64;
    }
    o
}

/// Keys that hold `uses:`: one spelt in another case (`Uses:`) would be skipped by the
/// reader, so it is refused rather than guessed at.
const KEYS: [&str; 4] = ["uses", "steps", "jobs", "runs"];

/// The first line whose block-mapping key is one of [`KEYS`] in another case.
fn miscased_key(text: &str) -> Option<(usize, String)> {
    for (i, line) in text.lines().enumerate() {
        let mut rest = line.trim_start();
        while let Some(r) = rest.strip_prefix('-') {
            rest = r.trim_start();
        }
        let Some((key, _)) = rest.split_once(':') else {
            continue;
        };
        let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
        if KEYS
            .iter()
            .any(|k| key.eq_ignore_ascii_case(k) && key != *k)
        {
            return Some((i + 1, key.to_string()));
        }
    }
    None
}

fn read_doc(ctx: &Context<'_>, text: &str) -> Result<Doc, ParseError> {
    if let Some((line, key)) = miscased_key(text) {
        return Err(ctx.error(
            Some(line),
            format!(
                "`{key}:` is not a workflow key; write it in lowercase (`{}:`)",
                key.to_ascii_lowercase()
            ),
        ));
    }
    if text.trim().is_empty() {
        return Err(ctx.error(
            Some(1),
            "is empty: a workflow or action file needs at least `jobs:` or `runs:`",
        ));
    }
    super::yaml::from_yaml_with(ctx, text, options())
}

/// Every `uses:` of a document, with its line, in file order.
fn uses_of(doc: Doc) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut push = |s: Spanned<String>| out.push((s.value, s.referenced.line() as usize));
    if let Some(jobs) = doc.jobs {
        for (_, _, job) in jobs.0 {
            if let Some(u) = job.uses {
                push(u);
            }
            for s in job.steps.into_iter().flatten() {
                if let Some(u) = s.uses {
                    push(u);
                }
            }
        }
    }
    if let Some(runs) = doc.runs {
        for s in runs.steps.into_iter().flatten() {
            if let Some(u) = s.uses {
                push(u);
            }
        }
        if let Some(img) = runs.image
            && img.value.trim().starts_with("docker://")
        {
            push(img);
        }
    }
    out
}

/// The repository root a file's `./` actions are taken from: the nearest folder
/// above it that holds `.github` or `.git` (a workflow's is the folder holding its
/// `.github`), else the file's own folder.
fn repository_root(file: &Path) -> PathBuf {
    let dir = file.parent().unwrap_or(Path::new("."));
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    if let Some(name) = file.file_name().and_then(|n| n.to_str())
        && is_workflow(name, file)
        && let Some(root) = dir.parent().and_then(Path::parent)
    {
        return if root.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            root.to_path_buf()
        };
    }
    for a in dir.ancestors() {
        let a = if a.as_os_str().is_empty() {
            Path::new(".")
        } else {
            a
        };
        if a.join(".github").is_dir() || a.join(".git").exists() {
            return a.to_path_buf();
        }
    }
    dir.to_path_buf()
}

/// What one `uses:` value is.
#[derive(Debug, PartialEq, Eq)]
enum Uses {
    /// `owner/repo[/path]@ref` or a `docker://` image: a package.
    Remote { name: String, version: String },
    /// `./path`: an action in the repository.
    Local(String),
}

/// Read one `uses:` value; `Err(message)` when GitHub would not run it either.
fn classify(value: &str) -> Result<Uses, String> {
    let v = value.trim();
    if v.is_empty() {
        return Err("`uses:` is empty".to_string());
    }
    if v.contains("${{") {
        return Err(format!(
            "`uses: {v}` holds an expression; GitHub requires a literal action reference"
        ));
    }
    if v == "." || v.starts_with("./") {
        return Ok(Uses::Local(v.to_string()));
    }
    if let Some(image) = v.strip_prefix("docker://") {
        let (reference, digest) = match image.split_once('@') {
            Some((r, d)) => (r, Some(d)),
            None => (image, None),
        };
        // The tag is after the last `:` of the last path segment (a registry host may
        // carry a port: `host:5000/img:tag`).
        let last = reference.rfind('/').map(|i| i + 1).unwrap_or(0);
        let (repo, tag) = match reference[last..].rfind(':') {
            Some(i) => (&reference[..last + i], Some(&reference[last + i + 1..])),
            None => (reference, None),
        };
        if repo.is_empty() {
            return Err(format!("`uses: {v}` names no image"));
        }
        let version = match digest {
            Some(d) => d.to_ascii_lowercase(),
            None => tag.unwrap_or("latest").to_string(),
        };
        return Ok(Uses::Remote {
            name: format!("docker://{}", repo.to_ascii_lowercase()),
            version,
        });
    }
    let Some((name, reference)) = v.split_once('@') else {
        return Err(format!(
            "`uses: {v}` has no `@ref`; write `uses: {v}@<commit sha> # <tag>`"
        ));
    };
    if reference.is_empty() || reference.contains(char::is_whitespace) {
        return Err(format!("`uses: {v}` has no valid ref after `@`"));
    }
    if !valid_name(name) || name.starts_with("docker://") {
        return Err(format!("`uses: {v}`: `{name}` is not `owner/repo[/path]`"));
    }
    Ok(Uses::Remote {
        name: name.to_string(),
        version: reference.to_string(),
    })
}

/// True for `owner/repo[/path]` made of the characters GitHub allows in owner and
/// repository names (and a path inside the repository), and for `docker://` images.
pub fn valid_name(name: &str) -> bool {
    if name.starts_with("docker://") {
        return true;
    }
    let mut parts = name.split('/');
    let (Some(owner), Some(repo)) = (parts.next(), parts.next()) else {
        return false;
    };
    let ok = |s: &str| {
        !s.is_empty()
            && s != "."
            && s != ".."
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    ok(owner) && ok(repo) && parts.all(|p| !p.is_empty() && p != "..")
}

/// True when `s` is a full commit SHA (40 hex digits).
pub fn is_commit_sha(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// True when an action's version is pinned: a 40-hex commit SHA (a repository) or a
/// `sha256:<64 hex>` digest (a `docker://` image).
pub fn is_pinned(name: &str, version: &str) -> bool {
    if name.starts_with("docker://") {
        version
            .strip_prefix("sha256:")
            .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
    } else {
        is_commit_sha(version)
    }
}

/// Parse a workflow or action file, and the local actions it uses.
pub fn parse(ctx: &Context<'_>, text: &str) -> Result<Lockfile, ParseError> {
    let root = repository_root(ctx.path);
    let mut out = Lockfile {
        path: ctx.display.to_path_buf(),
        ecosystem: Ecosystem::Actions,
        format: if ctx
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(is_action_file)
        {
            "github-action".to_string()
        } else {
            "github-workflow".to_string()
        },
        packages: Vec::new(),
        unpinned: Vec::new(),
    };
    let mut visited = HashSet::new();
    if let Ok(c) = ctx.path.canonicalize() {
        visited.insert(c);
    }
    read_into(ctx, text, &root, &mut visited, &mut out.packages, 0)?;
    Ok(out)
}

fn read_into(
    ctx: &Context<'_>,
    text: &str,
    root: &Path,
    visited: &mut HashSet<PathBuf>,
    out: &mut Vec<Package>,
    depth: usize,
) -> Result<(), ParseError> {
    let doc = read_doc(ctx, text)?;
    for (value, line) in uses_of(doc) {
        match classify(&value).map_err(|m| ctx.error(Some(line), m))? {
            Uses::Remote { name, version } => {
                let mut p = Package::new(
                    Ecosystem::Actions,
                    name,
                    version,
                    Source::Registry(None),
                    ctx.display,
                    line,
                );
                p.direct = true;
                out.push(p);
            }
            Uses::Local(rel) => {
                let (file, display) = local_action(ctx, root, &rel, line)?;
                let Ok(canon) = file.canonicalize() else {
                    continue;
                };
                if !visited.insert(canon) {
                    continue;
                }
                if depth >= MAX_LOCAL_DEPTH {
                    return Err(ctx.error(
                        Some(line),
                        format!("local actions nest deeper than {MAX_LOCAL_DEPTH} levels at `uses: {rel}`"),
                    ));
                }
                let text = std::fs::read_to_string(&file).map_err(|e| {
                    ctx.error(
                        Some(line),
                        format!("cannot read the local action {}: {e}", display.display()),
                    )
                })?;
                let inner = Context {
                    path: &file,
                    display: &display,
                };
                read_into(&inner, &text, root, visited, out, depth + 1)?;
            }
        }
    }
    Ok(())
}

/// The action file of `uses: ./rel` (its path on disk and as shown), refusing a
/// path outside the repository.
fn local_action(
    ctx: &Context<'_>,
    root: &Path,
    rel: &str,
    line: usize,
) -> Result<(PathBuf, PathBuf), ParseError> {
    let escape = || {
        ctx.error(
            Some(line),
            format!("`uses: {rel}` leaves the repository; lockgate checks only actions inside it"),
        )
        .with_hint("keep local actions inside the repository (no `..` above its root, no symlink pointing outside), or use a remote action pinned by commit SHA")
    };
    // Lexically: no `..` above the root.
    let mut parts: Vec<&std::ffi::OsStr> = Vec::new();
    for c in Path::new(rel).components() {
        match c {
            Component::CurDir => {}
            Component::Normal(n) => parts.push(n),
            Component::ParentDir => {
                if parts.pop().is_none() {
                    return Err(escape());
                }
            }
            Component::RootDir | Component::Prefix(_) => return Err(escape()),
        }
    }
    let dir: PathBuf = parts.iter().collect();
    let on_disk = root.join(&dir);
    // Through symlinks: the real folder must still be inside the real root.
    let real_root = root.canonicalize().map_err(|e| {
        ctx.error(
            Some(line),
            format!("cannot read the repository root {}: {e}", root.display()),
        )
    })?;
    let missing = || {
        ctx.error(
            Some(line),
            format!(
                "`uses: {rel}` names no action in the repository (no {}/action.yml or action.yaml); lockgate cannot check code that is not committed",
                dir.display()
            ),
        )
        .with_hint("commit the action's folder with its action.yml, or use a remote action pinned by commit SHA (`uses: owner/repo@<sha> # <tag>`)")
    };
    let real = on_disk.canonicalize().map_err(|_| missing())?;
    if !real.starts_with(&real_root) {
        return Err(escape());
    }
    let display_root = display_root(ctx, root);
    // A local reusable workflow (`jobs.<id>.uses: ./.github/workflows/x.yml`) is a file.
    if real.is_file() {
        return Ok((real, display_root.join(&dir)));
    }
    let file = ["action.yml", "action.yaml"]
        .iter()
        .map(|n| real.join(n))
        .find(|f| f.is_file())
        .ok_or_else(missing)?;
    let name = file.file_name().unwrap_or_default().to_owned();
    // Shown relative to where the scan started, like the file that uses it.
    Ok((file, display_root.join(&dir).join(name)))
}

/// The repository root as the scan shows paths: the file's shown path without as many
/// trailing components as the file has below the root.
fn display_root(ctx: &Context<'_>, root: &Path) -> PathBuf {
    let file = ctx.path.canonicalize().ok();
    let real_root = root.canonicalize().ok();
    let below = match (file, real_root) {
        (Some(f), Some(r)) => f.strip_prefix(&r).map(|p| p.components().count()).ok(),
        _ => None,
    };
    let mut d = ctx.display.to_path_buf();
    for _ in 0..below.unwrap_or(1) {
        if !d.pop() {
            break;
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        let m = |p: &str| {
            let path = Path::new(p);
            (FORMAT.matches)(path.file_name().unwrap().to_str().unwrap(), path)
        };
        assert!(m(".github/workflows/ci.yml"));
        assert!(m("a/.github/workflows/release.yaml"));
        assert!(m(".github/workflows/upper.YML"));
        assert!(m(".github/workflows/upper.Yaml"));
        assert!(m("action.yml"));
        assert!(m(".github/actions/setup/action.yaml"));
        assert!(!m(".github/workflows/sub/ci.yml"));
        assert!(!m("workflows/ci.yml"));
        assert!(!m(".github/dependabot.yml"));
        assert!(!m(".github/workflows/README.md"));
    }

    #[test]
    fn uses_values() {
        assert_eq!(
            classify("actions/checkout@v4"),
            Ok(Uses::Remote {
                name: "actions/checkout".into(),
                version: "v4".into()
            })
        );
        assert_eq!(
            classify("docker://ghcr.io/o/img:1.2@sha256:AB"),
            Ok(Uses::Remote {
                name: "docker://ghcr.io/o/img".into(),
                version: "sha256:ab".into()
            })
        );
        assert_eq!(
            classify("docker://localhost:5000/img"),
            Ok(Uses::Remote {
                name: "docker://localhost:5000/img".into(),
                version: "latest".into()
            })
        );
        assert_eq!(
            classify("./.github/actions/x"),
            Ok(Uses::Local("./.github/actions/x".into()))
        );
        assert!(classify("actions/checkout").is_err());
        assert!(classify("checkout@v4").is_err());
        assert!(classify("${{ matrix.action }}").is_err());
        assert_eq!(
            miscased_key("jobs:\n  a:\n    steps:\n      - Uses: x/y@v1\n"),
            Some((4, "Uses".into()))
        );
        assert_eq!(
            miscased_key("jobs:\n  a:\n    steps:\n      - uses: x/y@v1\n"),
            None
        );
        assert!(is_pinned("a/b", "11d5960a326750d5838078e36cf38b85af677262"));
        assert!(!is_pinned("a/b", "v4"));
        assert!(!is_pinned("a/b", "11d5960"));
    }
}
