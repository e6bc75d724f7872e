//! Pull-request mode (`lockgate check --baseline REF`): the lockfiles as they are
//! at a git ref, and what a change did to them.
//!
//! [`Baseline::checkout`] makes a temporary, detached `git worktree` of REF (same
//! object store, no copy of the history, hooks off) so that the baseline is read by
//! exactly the discovery rules of the working tree: tracked files are read whatever
//! an ignore file says, `--exclude` and the allowlist's `exclude` apply to the same
//! paths, and installer configuration files (`.npmrc`, `pip.conf`, …) are the ones
//! committed at REF. [`Baseline::resolve`] reads it; the caller runs the same checks
//! on both resolutions with the same (current) allowlist, and [`compare`] keeps only
//! the findings the change introduces.
//!
//! **Matching findings across refs.** A head finding is *unchanged* when the
//! baseline has a finding with the same id, ecosystem, normalised name, version
//! (as written) and lockfile path (relative to where the scan started), and, for a
//! finding about a file rather than a package, or a critical finding (whose message
//! carries the evidence, e.g. the hashes of a `hash-mismatch`), the same message. Line numbers are
//! not compared: an unrelated edit that moves an entry does not make its finding
//! new. Matching counts: two identical head findings against one at the baseline
//! leave one new. `parse-error` and `registry-error` findings are never matched:
//! the head must be readable and verifiable whatever the baseline was.
//!
//! **Failing closed.** A REF git does not know (a shallow clone without it), a
//! folder that is not in a git repository, a baseline lockfile or installer
//! configuration file that does not parse: each is a [`BaselineError`] with the
//! command that fixes it, never a pass.

use crate::checks::{Finding, FindingId, Severity};
use crate::discover::{self, Options, display_path};
use crate::lexical_path::lexical_normalize;
use crate::lockfile::{Ecosystem, ParseError};
use crate::model::SharedPath;
use crate::resolve::{Resolution, resolve_found};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Why the baseline could not be read. Each message ends with the fix.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// git could not be run at all.
    #[error(
        "--baseline needs git, and it cannot be run: {0}\n  hint: install git, or run `lockgate check` without --baseline to check the whole tree"
    )]
    NoGit(String),
    /// The current folder is not inside a git repository.
    #[error(
        "--baseline {rev}: {dir} is not in a git repository ({detail})\n  hint: run lockgate inside the repository's checkout, or without --baseline to check the whole tree"
    )]
    NotARepository {
        /// The ref asked for.
        rev: String,
        /// The folder.
        dir: String,
        /// What git said.
        detail: String,
    },
    /// The ref is not a commit git knows here.
    #[error(
        "--baseline {rev}: git does not know this commit here ({detail}){shallow}\n  hint: fetch it first, e.g. `git fetch --no-tags --depth=1 origin {rev}` (in GitHub Actions: `actions/checkout` with `fetch-depth: 0`, or fetch the base SHA); a baseline that cannot be read is never a pass"
    )]
    UnknownRef {
        /// The ref asked for.
        rev: String,
        /// What git said.
        detail: String,
        /// Note about a shallow clone, or empty.
        shallow: &'static str,
    },
    /// A path to check lies outside the repository.
    #[error(
        "--baseline {rev}: {path} is outside the git repository at {top}\n  hint: pass paths inside the repository, or run without --baseline"
    )]
    OutsideRepository {
        /// The ref asked for.
        rev: String,
        /// The path.
        path: String,
        /// The repository's top folder.
        top: String,
    },
    /// `git worktree add` failed.
    #[error(
        "--baseline {rev}: cannot check out {commit} into a temporary worktree: {detail}\n  hint: make the temporary folder writable (TMPDIR), or run without --baseline"
    )]
    Checkout {
        /// The ref asked for.
        rev: String,
        /// The commit.
        commit: String,
        /// What git said.
        detail: String,
    },
    /// Lockfiles (or installer configuration) at the baseline could not be read.
    #[error("--baseline {rev}: {} file{} at {rev} could not be read, so the change cannot be told apart from what was there before:\n{}\n  hint: run `lockgate check` without --baseline to check the whole tree", .errors.len(), if .errors.len() == 1 { "" } else { "s" }, list_errors(.errors))]
    Unreadable {
        /// The ref asked for.
        rev: String,
        /// What could not be read (paths as at the head).
        errors: Vec<ParseError>,
    },
}

fn list_errors(errors: &[ParseError]) -> String {
    errors
        .iter()
        .map(|e| match e.line {
            Some(l) => format!("  {}:{l}: {}", e.path.display(), e.message),
            None => format!("  {}: {}", e.path.display(), e.message),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("-C")
        .arg(dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_COMMON_DIR")
        .stdin(Stdio::null());
    c
}

/// Run git; `Ok(stdout)` on success, `Err(first stderr line)` on failure.
fn run(cmd: &mut Command) -> Result<Result<String, String>, BaselineError> {
    let out = cmd
        .output()
        .map_err(|e| BaselineError::NoGit(e.to_string()))?;
    if out.status.success() {
        Ok(Ok(String::from_utf8_lossy(&out.stdout)
            .trim_end()
            .to_string()))
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("git failed without a message");
        Ok(Err(first.trim().to_string()))
    }
}

/// The working tree of a git ref, checked out in a temporary folder; removed
/// (with its worktree entry) when dropped.
#[derive(Debug)]
pub struct Baseline {
    /// The ref as given (`origin/main`, a SHA, …).
    pub rev: String,
    /// The commit it names (full SHA).
    pub commit: String,
    /// The top folder of the repository of the current folder.
    top: PathBuf,
    /// The current folder relative to `top`.
    prefix: PathBuf,
    /// The temporary worktree.
    tree: PathBuf,
    /// Each path read, as (its place in the worktree, the path as given).
    roots: Vec<(PathBuf, PathBuf)>,
}

impl Baseline {
    /// Check out `rev` of the repository holding `cwd` into a temporary worktree.
    pub fn checkout(rev: &str, cwd: &Path) -> Result<Baseline, BaselineError> {
        let top = run(git(cwd).args(["rev-parse", "--show-toplevel"]))?.map_err(|detail| {
            BaselineError::NotARepository {
                rev: rev.to_string(),
                dir: cwd.display().to_string(),
                detail,
            }
        })?;
        let prefix = run(git(cwd).args(["rev-parse", "--show-prefix"]))?.unwrap_or_default();
        let top = PathBuf::from(top);
        let commit = if rev.starts_with('-') || rev.is_empty() {
            Err(format!("`{rev}` is not a revision"))
        } else {
            run(git(cwd)
                .args(["rev-parse", "--verify", "--quiet", "--end-of-options"])
                .arg(format!("{rev}^{{commit}}")))?
            .map_err(|e| {
                if e.contains("without a message") {
                    "unknown revision".to_string()
                } else {
                    e
                }
            })
        };
        let commit = match commit {
            Ok(c) if !c.is_empty() => c,
            Ok(_) | Err(_) => {
                let detail = commit.err().unwrap_or_else(|| "unknown revision".into());
                let shallow = run(git(cwd).args(["rev-parse", "--is-shallow-repository"]))?
                    .is_ok_and(|s| s == "true");
                return Err(BaselineError::UnknownRef {
                    rev: rev.to_string(),
                    detail,
                    shallow: if shallow {
                        "; this is a shallow clone, which holds only the newest commits"
                    } else {
                        ""
                    },
                });
            }
        };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let tree = std::env::temp_dir().join(format!(
            "lockgate-baseline-{}-{nanos}-{}",
            std::process::id(),
            &commit[..commit.len().min(12)]
        ));
        let tree = std::path::absolute(&tree).unwrap_or(tree);
        run(git(&top)
            .args([
                "-c",
                "core.hooksPath=/dev/null",
                "-c",
                "advice.detachedHead=false",
                "worktree",
                "add",
                "--detach",
                "--quiet",
            ])
            .arg(&tree)
            .arg(&commit))?
        .map_err(|detail| BaselineError::Checkout {
            rev: rev.to_string(),
            commit: commit.clone(),
            detail,
        })?;
        Ok(Baseline {
            rev: rev.to_string(),
            commit,
            top,
            prefix: PathBuf::from(prefix),
            tree,
            roots: Vec::new(),
        })
    }

    /// Where the scan of the baseline starts (the current folder, at REF).
    fn base_cwd(&self) -> PathBuf {
        self.tree.join(&self.prefix)
    }

    /// Each path to check as (its place in the baseline tree, the path as given).
    /// Paths that do not exist at the baseline are left out: nothing was there.
    fn roots(&self, paths: &[PathBuf]) -> Result<Vec<(PathBuf, PathBuf)>, BaselineError> {
        let mut out = Vec::new();
        for p in paths {
            let rel = if p.is_absolute() {
                let canon_top = std::fs::canonicalize(&self.top).unwrap_or(self.top.clone());
                let canon = std::fs::canonicalize(p).unwrap_or_else(|_| lexical_normalize(p));
                canon
                    .strip_prefix(&canon_top)
                    .map(Path::to_path_buf)
                    .map_err(|_| self.outside(p))?
            } else {
                lexical_normalize(&self.prefix.join(p))
            };
            if rel.starts_with("..") {
                return Err(self.outside(p));
            }
            let base = self.tree.join(&rel);
            if std::fs::symlink_metadata(&base).is_ok() {
                out.push((base, p.clone()));
            }
        }
        Ok(out)
    }

    fn outside(&self, p: &Path) -> BaselineError {
        BaselineError::OutsideRepository {
            rev: self.rev.clone(),
            path: p.display().to_string(),
            top: self.top.display().to_string(),
        }
    }

    /// Read the lockfiles under `paths` (as given for the working tree, relative to
    /// the current folder) as they are at the baseline, by the same discovery rules
    /// (`opts`: the same `--exclude`, allowlist `exclude`, ignore settings). Fails
    /// when any of them cannot be read.
    ///
    /// Paths inside the returned resolution point into the temporary tree (so that
    /// the checks read the installer configuration of the baseline); map findings
    /// and packages back with [`Baseline::head_path`].
    pub fn resolve(
        &mut self,
        paths: &[PathBuf],
        opts: &Options,
    ) -> Result<Resolution, BaselineError> {
        let roots = self.roots(paths)?;
        self.roots = roots.clone();
        let base_roots: Vec<PathBuf> = roots.iter().map(|(b, _)| b.clone()).collect();
        // Exclude patterns are relative to the current folder: anchor them at the
        // current folder of the baseline tree, which discovery shows as absolute.
        let anchor = globset::escape(&self.base_cwd().to_string_lossy());
        let anchor_all = |ps: &[String]| -> Vec<String> {
            ps.iter()
                .map(|p| {
                    format!(
                        "{}/{}",
                        anchor.trim_end_matches('/'),
                        p.trim_start_matches("./")
                    )
                })
                .collect()
        };
        let opts = Options {
            exclude: anchor_all(&opts.exclude),
            allowlist_exclude: anchor_all(&opts.allowlist_exclude),
            ..opts.clone()
        };
        let res = if base_roots.is_empty() {
            Resolution::default()
        } else {
            resolve_found(discover::discover(&base_roots, &opts), opts.cargo_metadata)
        };
        self.refuse_errors(&res.errors)?;
        Ok(res)
    }

    /// Fail when any of `errors` (from reading or checking the baseline) is set.
    pub fn refuse_errors(&self, errors: &[ParseError]) -> Result<(), BaselineError> {
        if errors.is_empty() {
            return Ok(());
        }
        Err(BaselineError::Unreadable {
            rev: self.rev.clone(),
            errors: errors
                .iter()
                .map(|e| ParseError {
                    path: self.head_path(&e.path),
                    ..e.clone()
                })
                .collect(),
        })
    }

    /// A path inside the baseline tree as the same path would be shown for the
    /// working tree; other paths (the allowlist) are returned as they are.
    pub fn head_path(&self, p: &Path) -> PathBuf {
        let p2 = lexical_normalize(p);
        // Under a path as given (`web`, `/abs/repo/web`, `../other`): that path.
        for (base, head) in &self.roots {
            if let Ok(rest) = p2.strip_prefix(lexical_normalize(base)) {
                return display_path(&head.join(rest));
            }
        }
        let cwd = lexical_normalize(&self.base_cwd());
        if let Ok(rest) = p2.strip_prefix(&cwd) {
            return display_path(rest);
        }
        if let Ok(rest) = p2.strip_prefix(&self.tree) {
            // Above the current folder (`../x`): climb out of the prefix.
            let ups: PathBuf = self.prefix.components().map(|_| "..").collect();
            return ups.join(rest);
        }
        p.to_path_buf()
    }

    /// Map the paths of baseline findings back to working-tree paths.
    pub fn map_findings(&self, findings: &mut [Finding]) {
        for f in findings {
            f.lockfile = self.head_path(&f.lockfile);
        }
    }

    /// Map the lockfile paths of a baseline resolution's packages back to
    /// working-tree paths (after the checks ran).
    pub fn map_packages(&self, res: &mut Resolution) {
        for l in &mut res.lockfiles {
            // Packages of one lockfile share one path: map it once and share the result.
            let mut last: Option<(SharedPath, SharedPath)> = None;
            for p in &mut l.packages {
                let mapped = match &last {
                    Some((from, to)) if from.ptr_eq(&p.lockfile) => to.clone(),
                    _ => {
                        let to = SharedPath::new(&self.head_path(&p.lockfile));
                        last = Some((p.lockfile.clone(), to.clone()));
                        to
                    }
                };
                p.lockfile = mapped;
            }
        }
    }
}

impl Drop for Baseline {
    fn drop(&mut self) {
        let removed = git(&self.top)
            .args(["worktree", "remove", "--force"])
            .arg(&self.tree)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !removed {
            let _ = std::fs::remove_dir_all(&self.tree);
            let _ = git(&self.top)
                .args(["worktree", "prune"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// What a finding is, for matching across refs (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    id: FindingId,
    ecosystem: Option<Ecosystem>,
    name: Option<String>,
    version: Option<String>,
    lockfile: PathBuf,
    message: Option<String>,
}

fn key(f: &Finding) -> Key {
    Key {
        id: f.id,
        ecosystem: f.ecosystem,
        name: match (f.ecosystem, &f.name) {
            (Some(e), Some(n)) => Some(e.normalize(n)),
            (None, n) => n.clone(),
            (_, None) => None,
        },
        version: f.version.clone(),
        lockfile: lexical_normalize(&f.lockfile),
        // A file finding is told apart by its message; so is a critical one, whose
        // message carries the evidence (the hashes of a `hash-mismatch`): a change
        // that swaps one tampered hash for another is new, not unchanged.
        message: (f.name.is_none() || f.severity == Severity::Critical).then(|| f.message.clone()),
    }
}

/// Findings that are never counted as unchanged.
fn never_matched(id: FindingId) -> bool {
    matches!(id, FindingId::ParseError | FindingId::RegistryError)
}

/// Split the head's findings into (new, unchanged) against the baseline's
/// (whose paths are already mapped with [`Baseline::map_findings`]). Order is kept.
pub fn compare(head: Vec<Finding>, base: &[Finding]) -> (Vec<Finding>, Vec<Finding>) {
    let mut left: HashMap<Key, usize> = HashMap::new();
    for f in base.iter().filter(|f| !never_matched(f.id)) {
        *left.entry(key(f)).or_default() += 1;
    }
    let mut new = Vec::new();
    let mut unchanged = Vec::new();
    for f in head {
        let hit = !never_matched(f.id)
            && left.get_mut(&key(&f)).is_some_and(|n| {
                if *n > 0 {
                    *n -= 1;
                    true
                } else {
                    false
                }
            });
        if hit {
            unchanged.push(f);
        } else {
            new.push(f);
        }
    }
    (new, unchanged)
}

/// How a package's versions changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// Not pinned at the baseline, pinned now.
    Added,
    /// A newer version than the baseline's.
    Upgraded,
    /// An older version than the baseline's.
    Downgraded,
    /// Other versions, not comparable as newer or older (or several at once).
    Changed,
    /// Pinned at the baseline, not any more.
    Removed,
}

impl ChangeKind {
    /// The word for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Upgraded => "upgraded",
            ChangeKind::Downgraded => "downgraded",
            ChangeKind::Changed => "changed",
            ChangeKind::Removed => "removed",
        }
    }
}

/// One package whose pinned versions in one lockfile differ between the baseline
/// and the head.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PackageChange {
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// The name as the head's lockfile writes it (the baseline's when removed).
    pub name: String,
    /// What happened.
    pub kind: ChangeKind,
    /// Versions pinned at the baseline, sorted.
    pub before: Vec<String>,
    /// Versions pinned at the head, sorted.
    pub after: Vec<String>,
    /// The lockfile (head path) that pins it now, or pinned it before.
    pub lockfile: PathBuf,
}

/// Compare two versions of one ecosystem when both are plain releases.
fn order(eco: Ecosystem, a: &str, b: &str) -> Option<std::cmp::Ordering> {
    match eco {
        // A commit SHA has no order.
        Ecosystem::Actions => None,
        Ecosystem::Cargo | Ecosystem::Npm => {
            let p = |s: &str| semver::Version::parse(s.trim().trim_start_matches('v')).ok();
            Some(p(a)?.cmp(&p(b)?))
        }
        Ecosystem::Pypi => {
            let p = |s: &str| -> Option<Vec<u64>> {
                let mut v: Vec<u64> = s
                    .trim()
                    .split('.')
                    .map(|x| x.parse().ok())
                    .collect::<Option<_>>()?;
                while v.len() > 1 && v.last() == Some(&0) {
                    v.pop();
                }
                Some(v)
            };
            Some(p(a)?.cmp(&p(b)?))
        }
    }
}

/// What the change adds, removes, upgrades and downgrades, per ecosystem,
/// lockfile and name (the baseline's package paths mapped with
/// [`Baseline::map_packages`]). Sorted by ecosystem, lockfile, kind, then name.
pub fn package_changes(base: &Resolution, head: &Resolution) -> Vec<PackageChange> {
    type Key = (Ecosystem, PathBuf, String);
    let collect = |res: &Resolution| {
        let mut m: BTreeMap<Key, (String, BTreeSet<String>)> = BTreeMap::new();
        for p in res.packages() {
            let k = (
                p.ecosystem,
                lexical_normalize(&p.lockfile),
                p.ecosystem.normalize(&p.name),
            );
            m.entry(k)
                .or_insert_with(|| (p.name.clone(), BTreeSet::new()))
                .1
                .insert(p.version.clone());
        }
        m
    };
    let before = collect(base);
    let after = collect(head);
    let mut out = Vec::new();
    let keys: BTreeSet<&Key> = before.keys().chain(after.keys()).collect();
    for k in keys {
        let (eco, lockfile, _) = k;
        let (b, a) = (before.get(k), after.get(k));
        let Some(name) = a.or(b).map(|x| x.0.clone()) else {
            continue;
        };
        let bv: Vec<String> = b.map(|b| b.1.iter().cloned().collect()).unwrap_or_default();
        let av: Vec<String> = a.map(|a| a.1.iter().cloned().collect()).unwrap_or_default();
        let same = bv.len() == av.len()
            && bv
                .iter()
                .all(|x| av.iter().any(|y| crate::version::same_version(*eco, x, y)));
        let kind = match (bv.is_empty(), av.is_empty()) {
            (true, false) => ChangeKind::Added,
            (false, true) => ChangeKind::Removed,
            _ if same => continue,
            _ if bv.len() == 1 && av.len() == 1 => match order(*eco, &bv[0], &av[0]) {
                Some(std::cmp::Ordering::Less) => ChangeKind::Upgraded,
                Some(std::cmp::Ordering::Greater) => ChangeKind::Downgraded,
                _ => ChangeKind::Changed,
            },
            _ => ChangeKind::Changed,
        };
        out.push(PackageChange {
            ecosystem: *eco,
            name,
            kind,
            before: bv,
            after: av,
            lockfile: lockfile.clone(),
        });
    }
    out.sort_by(|x, y| {
        (
            x.ecosystem.as_str(),
            &x.lockfile,
            x.kind,
            x.name.to_lowercase(),
        )
            .cmp(&(
                y.ecosystem.as_str(),
                &y.lockfile,
                y.kind,
                y.name.to_lowercase(),
            ))
    });
    out
}

/// The result of a baseline run, for the reports.
#[derive(Debug, Clone, Default)]
pub struct Comparison {
    /// The ref as given.
    pub rev: String,
    /// The commit it names.
    pub commit: String,
    /// Head findings that were already there at the baseline (not reported as new).
    pub unchanged: Vec<Finding>,
    /// What the change did to the pinned packages.
    pub changes: Vec<PackageChange>,
}

impl Comparison {
    /// "N findings unchanged from REF".
    pub fn unchanged_line(&self) -> String {
        let n = self.unchanged.len();
        format!(
            "{n} finding{} unchanged from {} ({})",
            if n == 1 { "" } else { "s" },
            self.rev,
            &self.commit[..self.commit.len().min(12)]
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(id: FindingId, name: &str, version: &str, file: &str, line: usize) -> Finding {
        Finding {
            id,
            severity: Severity::Error,
            ecosystem: Some(Ecosystem::Pypi),
            name: Some(name.into()),
            version: Some(version.into()),
            lockfile: file.into(),
            line: Some(line),
            path: Vec::new(),
            message: format!("line {line}"),
            help: String::new(),
        }
    }

    #[test]
    fn a_critical_finding_with_other_evidence_is_new() {
        let mut base = f(FindingId::HashMismatch, "foo", "1.0", "uv.lock", 3);
        base.severity = Severity::Critical;
        base.message = "foo 1.0 has sha256:aaaa in the lockfile".into();
        let mut same = base.clone();
        same.line = Some(30);
        let mut other = base.clone();
        other.message = "foo 1.0 has sha256:bbbb in the lockfile".into();
        let (new, unchanged) = compare(vec![same, other], std::slice::from_ref(&base));
        assert_eq!(unchanged.len(), 1);
        assert_eq!(new.len(), 1);
        assert!(new[0].message.contains("bbbb"));
    }

    #[test]
    fn lines_do_not_matter_names_are_normalised_and_counts_do() {
        let base = vec![f(
            FindingId::Unlisted,
            "Foo_Bar",
            "1.0",
            "./requirements.txt",
            3,
        )];
        let head = vec![
            f(FindingId::Unlisted, "foo-bar", "1.0", "requirements.txt", 9),
            f(
                FindingId::Unlisted,
                "foo-bar",
                "1.0",
                "requirements.txt",
                12,
            ),
            f(
                FindingId::Unlisted,
                "foo-bar",
                "1.1",
                "requirements.txt",
                13,
            ),
            f(
                FindingId::Unlisted,
                "foo-bar",
                "1.0",
                "other/requirements.txt",
                1,
            ),
        ];
        let (new, unchanged) = compare(head, &base);
        assert_eq!(unchanged.len(), 1);
        assert_eq!(unchanged[0].line, Some(9));
        assert_eq!(new.len(), 3);
    }

    #[test]
    fn parse_and_registry_errors_are_always_new() {
        let mut pe = f(FindingId::ParseError, "x", "1", "a.lock", 1);
        pe.name = None;
        let re = f(FindingId::RegistryError, "x", "1", "a.lock", 1);
        let (new, unchanged) = compare(vec![pe.clone(), re.clone()], &[pe, re]);
        assert_eq!((new.len(), unchanged.len()), (2, 0));
    }

    #[test]
    fn versions_are_ordered_when_plain() {
        use std::cmp::Ordering::*;
        assert_eq!(order(Ecosystem::Pypi, "1.0", "1.0.1"), Some(Less));
        assert_eq!(order(Ecosystem::Pypi, "2.0.0", "2"), Some(Equal));
        assert_eq!(order(Ecosystem::Npm, "4.17.21", "4.17.20"), Some(Greater));
        assert_eq!(order(Ecosystem::Pypi, "1.0rc1", "1.0"), None);
    }
}
