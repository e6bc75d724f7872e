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

use crate::checks::change::HashChange;
use crate::checks::{Finding, FindingId, Severity};
use crate::discover::{self, Options, display_path};
use crate::lexical_path::lexical_normalize;
use crate::lockfile::{Ecosystem, ParseError};
use crate::model::{Package, SharedPath, Source};
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
    /// What kinds of change it is (see [`ChangeClass`]), in [`ChangeClass`] order.
    pub classes: Vec<ChangeClass>,
    /// One line of evidence per class that needs one (`source moved: registry -> git
    /// https://…`), for the reports.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The versions pinned with other hashes than at the baseline: each is a
    /// `hash-changed` finding ([`change_findings`]).
    #[serde(skip)]
    pub hash_changes: Vec<HashChange>,
}

/// The class of a changed lockfile entry in pull-request mode. One entry can be of
/// several (an upgrade that also moves to a git source).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeClass {
    /// A package the baseline did not pin.
    NewPackage,
    /// A newer version than the baseline's.
    VersionUp,
    /// An older version than the baseline's.
    VersionDown,
    /// Other versions, neither newer nor older (or several at once).
    VersionChanged,
    /// The baseline pinned it; the head does not.
    Removed,
    /// A version the baseline pinned, pinned with another hash (always a
    /// `hash-changed` finding).
    HashChanged,
    /// It comes from somewhere else: another kind of source (registry to git, URL or
    /// path) or another registry, repository, URL or path.
    SourceMoved,
    /// Install-time code appeared: the head's entry says it runs an install script
    /// where the baseline's said none (from `Package.install_script`, see
    /// [`extra_classes`], or a new `install-script` finding, see
    /// [`classes_from_findings`]).
    InstallScriptGained,
    /// The version was published by someone else than the baseline's, or with weaker
    /// evidence: a new `trust-downgrade` finding (see [`classes_from_findings`]).
    PublisherChanged,
}

impl ChangeClass {
    /// The kebab-case id (the JSON value).
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeClass::NewPackage => "new-package",
            ChangeClass::VersionUp => "version-up",
            ChangeClass::VersionDown => "version-down",
            ChangeClass::VersionChanged => "version-changed",
            ChangeClass::Removed => "removed",
            ChangeClass::HashChanged => "hash-changed",
            ChangeClass::SourceMoved => "source-moved",
            ChangeClass::InstallScriptGained => "install-script-gained",
            ChangeClass::PublisherChanged => "publisher-changed",
        }
    }

    /// Words for the reports.
    pub fn describe(self) -> &'static str {
        match self {
            ChangeClass::NewPackage => "new package",
            ChangeClass::VersionUp => "version up",
            ChangeClass::VersionDown => "version down",
            ChangeClass::VersionChanged => "versions changed",
            ChangeClass::Removed => "removed",
            ChangeClass::HashChanged => "same version, different hash",
            ChangeClass::SourceMoved => "source moved",
            ChangeClass::InstallScriptGained => "install script gained",
            ChangeClass::PublisherChanged => "publisher changed",
        }
    }
}

/// The classes decided from the facts of the entries themselves:
/// [`ChangeClass::InstallScriptGained`] when a head entry records an install script
/// (`Package.install_script == Some(true)`) and every baseline entry of the name
/// recorded none (`Some(false)`; an entry whose format does not record the fact,
/// `None`, decides nothing). [`ChangeClass::PublisherChanged`] comes from the
/// head's findings instead ([`classes_from_findings`]).
pub fn extra_classes(before: &[&Package], after: &[&Package]) -> Vec<(ChangeClass, String)> {
    let mut out = Vec::new();
    let had_none = !before.is_empty() && before.iter().all(|p| p.install_script == Some(false));
    if had_none && let Some(p) = after.iter().find(|p| p.install_script == Some(true)) {
        out.push((
            ChangeClass::InstallScriptGained,
            format!(
                "install script gained: {} {} runs code at install; the baseline's entry ran none",
                p.name, p.version
            ),
        ));
    }
    out
}

/// Add the classes that new head findings decide: a new `trust-downgrade` finding
/// on a changed package is [`ChangeClass::PublisherChanged`] (weaker evidence or
/// another publisher than before: online, or pylock.toml's attestation identities
/// offline); a new `install-script` finding on a package the baseline already had
/// is [`ChangeClass::InstallScriptGained`] when the facts alone did not say so.
pub fn classes_from_findings(changes: &mut [PackageChange], new_findings: &[Finding]) {
    for c in changes.iter_mut() {
        let key = crate::model::PackageKey::new(c.ecosystem, &c.name);
        for f in new_findings {
            let (Some(eco), Some(name)) = (f.ecosystem, f.name.as_deref()) else {
                continue;
            };
            if crate::model::PackageKey::new(eco, name) != key || f.lockfile != c.lockfile {
                continue;
            }
            let class = match f.id {
                FindingId::TrustDowngrade => ChangeClass::PublisherChanged,
                FindingId::InstallScript if !c.before.is_empty() => {
                    ChangeClass::InstallScriptGained
                }
                _ => continue,
            };
            if !c.classes.contains(&class) {
                c.classes.push(class);
                c.notes.push(format!("{}: {}", class.describe(), f.message));
            }
        }
        c.classes.sort();
    }
}

/// Where a package comes from, for [`ChangeClass::SourceMoved`]: its source kind and
/// location (a git source without its revision: a new commit of the same repository
/// is a version change, not a move).
fn origin(p: &Package) -> (String, String) {
    let location = match &p.source {
        Source::Git { url, .. } => url.clone(),
        other => other.location().unwrap_or_else(|| "default".to_string()),
    };
    (p.source.kind().to_string(), location)
}

/// The hashes of `p` by algorithm, as text.
fn hashes_by_algorithm(ps: &[&Package]) -> BTreeMap<String, BTreeSet<String>> {
    let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for p in ps {
        for h in &p.hashes {
            m.entry(h.algorithm.to_string())
                .or_default()
                .insert(h.to_string());
        }
    }
    m
}

/// How the hashes of one version changed from `bases` to `heads` (the entries of
/// the same version at the baseline and at the head): the baseline's and the head's
/// hashes when a hash was replaced (empty when none was), and the files the head
/// names that the baseline did not. Compared per algorithm both sides record. A
/// PyPI version is many files, each named: a file of the same name with another
/// hash is a replacement, a file of a new name is a new file of the release (a
/// wheel uploaded later; the allowlist's pins judge it). npm and cargo versions are
/// one artifact: any hash the baseline did not have is a replacement (an SRI with
/// a second hash would let either artifact install).
fn hash_change(
    eco: Ecosystem,
    bases: &[&Package],
    heads: &[&Package],
) -> (Vec<String>, Vec<String>, Vec<String>) {
    type Sets = BTreeMap<String, BTreeSet<String>>;
    let by_alg = |hs: &[crate::model::Hash]| -> Sets {
        let mut m = Sets::new();
        for h in hs {
            m.entry(h.algorithm.to_string())
                .or_default()
                .insert(h.to_string());
        }
        m
    };
    let replaced = |then: &Sets, now: &Sets| -> Option<(Vec<String>, Vec<String>)> {
        let mut b = Vec::new();
        let mut a = Vec::new();
        for (alg, n) in now {
            if let Some(t) = then.get(alg)
                && !n.is_subset(t)
            {
                b.extend(t.iter().cloned());
                a.extend(n.iter().cloned());
            }
        }
        (!a.is_empty()).then_some((b, a))
    };
    let files = |ps: &[&Package]| -> BTreeMap<String, Sets> {
        let mut m: BTreeMap<String, Sets> = BTreeMap::new();
        for p in ps {
            for art in p.files().filter(|a| !a.hashes.is_empty()) {
                if let Some(f) = art.file_name() {
                    let e = m.entry(f.to_string()).or_default();
                    for (alg, set) in by_alg(&art.hashes) {
                        e.entry(alg).or_default().extend(set);
                    }
                }
            }
        }
        m
    };
    let (mut before, mut after, mut new_files) = (Vec::new(), Vec::new(), Vec::new());
    let (bf, hf) = (files(bases), files(heads));
    let named = eco == Ecosystem::Pypi && !bf.is_empty() && !hf.is_empty();
    if named {
        for (name, now) in &hf {
            match bf.get(name) {
                Some(then) => {
                    if let Some((b, a)) = replaced(then, now) {
                        before.extend(b);
                        after.extend(a);
                    }
                }
                None => new_files.push(name.clone()),
            }
        }
    } else if let Some((b, a)) = replaced(&hashes_by_algorithm(bases), &hashes_by_algorithm(heads))
    {
        before = b;
        after = a;
    }
    before.sort();
    before.dedup();
    after.sort();
    after.dedup();
    (before, after, new_files)
}

/// The `hash-changed` findings of a baseline run's changes.
pub fn change_findings(changes: &[PackageChange], rev: &str) -> Vec<Finding> {
    changes
        .iter()
        .flat_map(|c| c.hash_changes.iter().map(|h| h.finding(rev)))
        .collect()
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
/// [`Baseline::map_packages`]), each with its [`ChangeClass`]es: a version pinned
/// with another hash, or a package from another source, is a change even when the
/// versions are the same. Sorted by ecosystem, lockfile, kind, then name.
pub fn package_changes(base: &Resolution, head: &Resolution) -> Vec<PackageChange> {
    type Key = (Ecosystem, PathBuf, String);
    type Entry<'a> = (String, BTreeMap<String, Vec<&'a Package>>);
    fn collect(res: &Resolution) -> BTreeMap<Key, Entry<'_>> {
        let mut m: BTreeMap<Key, Entry<'_>> = BTreeMap::new();
        for p in res.packages() {
            let k = (
                p.ecosystem,
                lexical_normalize(&p.lockfile),
                p.ecosystem.normalize(&p.name),
            );
            m.entry(k)
                .or_insert_with(|| (p.name.to_string(), BTreeMap::new()))
                .1
                .entry(p.version.to_string())
                .or_default()
                .push(p);
        }
        m
    }
    let before = collect(base);
    let after = collect(head);
    // Every baseline entry of a name, whatever its lockfile: a lockfile moved or
    // renamed (or a package moved into another lockfile) is compared with what the
    // baseline pinned anywhere, so `git mv web web2` cannot hide a swapped hash.
    let mut anywhere: BTreeMap<(Ecosystem, String), BTreeMap<String, Vec<&Package>>> =
        BTreeMap::new();
    for ((eco, _, norm), (_, versions)) in &before {
        let e = anywhere.entry((*eco, norm.clone())).or_default();
        for (v, ps) in versions {
            e.entry(v.clone()).or_default().extend(ps.iter().copied());
        }
    }
    let mut out = Vec::new();
    let keys: BTreeSet<&Key> = before.keys().chain(after.keys()).collect();
    for k in keys {
        let (eco, lockfile, _) = k;
        let (b, a) = (before.get(k), after.get(k));
        let Some(name) = a.or(b).map(|x| x.0.clone()) else {
            continue;
        };
        let bv: Vec<String> = b.map(|b| b.1.keys().cloned().collect()).unwrap_or_default();
        let av: Vec<String> = a.map(|a| a.1.keys().cloned().collect()).unwrap_or_default();
        let same = bv.len() == av.len()
            && bv
                .iter()
                .all(|x| av.iter().any(|y| crate::version::same_version(*eco, x, y)));
        let kind = match (bv.is_empty(), av.is_empty()) {
            (true, false) => ChangeKind::Added,
            (false, true) => ChangeKind::Removed,
            _ if same => ChangeKind::Changed,
            _ if bv.len() == 1 && av.len() == 1 => match order(*eco, &bv[0], &av[0]) {
                Some(std::cmp::Ordering::Less) => ChangeKind::Upgraded,
                Some(std::cmp::Ordering::Greater) => ChangeKind::Downgraded,
                _ => ChangeKind::Changed,
            },
            _ => ChangeKind::Changed,
        };
        let mut classes = Vec::new();
        let mut notes = Vec::new();
        let mut hash_changes = Vec::new();
        match kind {
            ChangeKind::Added => classes.push(ChangeClass::NewPackage),
            ChangeKind::Removed => classes.push(ChangeClass::Removed),
            ChangeKind::Upgraded => classes.push(ChangeClass::VersionUp),
            ChangeKind::Downgraded => classes.push(ChangeClass::VersionDown),
            ChangeKind::Changed if !same => classes.push(ChangeClass::VersionChanged),
            ChangeKind::Changed => {}
        }
        // The baseline's entries to compare with: the same lockfile's, else (a
        // lockfile that is new at the head) the name's entries in any lockfile.
        let elsewhere = match (b, a) {
            (None, Some(_)) => anywhere.get(&(*eco, k.2.clone())),
            _ => None,
        };
        if let (Some(bm), Some((_, am))) = (b.map(|b| &b.1).or(elsewhere), a) {
            let all_b: Vec<&Package> = bm.values().flatten().copied().collect();
            let all_a: Vec<&Package> = am.values().flatten().copied().collect();
            // Source moved: a source at the head that no baseline entry had.
            let was: BTreeSet<(String, String)> = all_b.iter().map(|p| origin(p)).collect();
            let moved: BTreeSet<(String, String)> = all_a
                .iter()
                .map(|p| origin(p))
                .filter(|o| !was.contains(o))
                .collect();
            if !moved.is_empty() {
                classes.push(ChangeClass::SourceMoved);
                let from = was
                    .iter()
                    .map(|(k, l)| format!("{k} {l}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                for (k, l) in &moved {
                    notes.push(format!("source moved: {from} -> {k} {l}"));
                }
            }
            // Same version, other hashes (per algorithm both sides record).
            for (version, heads) in am {
                let Some((_, bases)) = bm
                    .iter()
                    .find(|(v, _)| crate::version::same_version(*eco, v, version))
                else {
                    continue;
                };
                let (before_h, after_h, new_files) = hash_change(*eco, bases, heads);
                for f in new_files {
                    notes.push(format!("new file for {version}: {f}"));
                }
                if !after_h.is_empty() {
                    let p = heads[0];
                    hash_changes.push(HashChange {
                        ecosystem: *eco,
                        name: p.name.to_string(),
                        version: version.clone(),
                        lockfile: p.lockfile.to_path_buf(),
                        line: p.line as usize,
                        before: before_h,
                        after: after_h,
                    });
                }
            }
            if !hash_changes.is_empty() {
                classes.push(ChangeClass::HashChanged);
            }
            for (class, note) in extra_classes(&all_b, &all_a) {
                classes.push(class);
                notes.push(note);
            }
        }
        if classes.is_empty() && notes.is_empty() {
            continue;
        }
        classes.sort();
        classes.dedup();
        out.push(PackageChange {
            ecosystem: *eco,
            name,
            kind,
            before: bv,
            after: av,
            lockfile: lockfile.clone(),
            classes,
            notes,
            hash_changes,
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

    fn res(packages: Vec<Package>) -> Resolution {
        Resolution {
            lockfiles: vec![crate::lockfile::Lockfile {
                path: "uv.lock".into(),
                ecosystem: Ecosystem::Pypi,
                format: "uv-lock-v1".into(),
                packages,
                unpinned: Vec::new(),
            }],
            ..Resolution::default()
        }
    }

    fn pkg(name: &str, version: &str, source: Source, hashes: &[&str]) -> Package {
        Package {
            hashes: hashes
                .iter()
                .map(|h| crate::model::Hash::parse(h).unwrap())
                .collect(),
            ..Package::new(Ecosystem::Pypi, name, version, source, "uv.lock", 1)
        }
    }

    const A1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    const A2: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    const S1: &str = "sha1:5b8a3a7765dfe001261dde915589e782f8c94d1e";

    #[test]
    fn classes_of_changed_entries() {
        let reg = Source::Registry(None);
        let base = res(vec![
            pkg("same", "1.0", reg.clone(), &[A1]),
            pkg("rehashed", "1.0", reg.clone(), &[A1]),
            pkg("algo", "1.0", reg.clone(), &[S1]),
            pkg("to-path", "1.0", reg.clone(), &[A1]),
            pkg("to-url", "1.0", reg.clone(), &[A1]),
            pkg("bumped", "1.0", reg.clone(), &[A1]),
            pkg(
                "git-new-commit",
                "1.0",
                Source::Git {
                    url: "https://example.com/g.git".into(),
                    rev: Some("aaa".into()),
                },
                &[],
            ),
        ]);
        let head = res(vec![
            pkg("same", "1.0", reg.clone(), &[A1]),
            pkg("rehashed", "1.0", reg.clone(), &[A2]),
            // another algorithm only: nothing to compare, not a hash change
            pkg("algo", "1.0", reg.clone(), &[A2]),
            pkg("to-path", "1.0", Source::Path("vendor/to-path".into()), &[]),
            pkg(
                "to-url",
                "1.0",
                Source::Url("https://evil.example/to_url-1.0.tar.gz".into()),
                &[A2],
            ),
            pkg("bumped", "1.1", reg.clone(), &[A2]),
            pkg(
                "git-new-commit",
                "1.0",
                Source::Git {
                    url: "https://example.com/g.git".into(),
                    rev: Some("bbb".into()),
                },
                &[],
            ),
        ]);
        let changes = package_changes(&base, &head);
        let of = |n: &str| -> Vec<ChangeClass> {
            changes
                .iter()
                .find(|c| c.name == n)
                .map(|c| c.classes.clone())
                .unwrap_or_default()
        };
        assert_eq!(of("same"), vec![]);
        assert_eq!(of("algo"), vec![]);
        assert_eq!(of("git-new-commit"), vec![]);
        assert_eq!(of("rehashed"), vec![ChangeClass::HashChanged]);
        assert_eq!(of("to-path"), vec![ChangeClass::SourceMoved]);
        // a URL source with another hash: both
        assert_eq!(
            of("to-url"),
            vec![ChangeClass::HashChanged, ChangeClass::SourceMoved]
        );
        assert_eq!(of("bumped"), vec![ChangeClass::VersionUp]);
        let findings = change_findings(&changes, "main");
        let mut names: Vec<_> = findings.iter().filter_map(|f| f.name.clone()).collect();
        names.sort();
        assert_eq!(names, ["rehashed", "to-url"]);
        assert!(
            findings
                .iter()
                .all(|f| f.id == FindingId::HashChanged && f.severity == Severity::Critical)
        );
        let to_path = changes.iter().find(|c| c.name == "to-path").unwrap();
        assert_eq!(to_path.kind, ChangeKind::Changed);
        assert_eq!(
            to_path.notes,
            ["source moved: registry default -> path vendor/to-path"]
        );
    }

    fn wheels(name: &str, files: &[(&str, &str)]) -> Package {
        let mut p = pkg(name, "1.0", Source::Registry(None), &[]);
        for (f, h) in files {
            let h = crate::model::Hash::parse(h).unwrap();
            p.hashes.push(h.clone());
            p.push_file(crate::model::Artifact::new(
                Some(format!("https://files.pythonhosted.org/{f}")),
                vec![h],
                1,
            ));
        }
        p
    }

    #[test]
    fn a_new_wheel_is_a_new_file_a_replaced_one_a_hash_change() {
        let base = res(vec![
            wheels("grown", &[("grown-1.0.tar.gz", A1)]),
            wheels("swapped", &[("swapped-1.0.tar.gz", A1)]),
        ]);
        let head = res(vec![
            wheels(
                "grown",
                &[("grown-1.0.tar.gz", A1), ("grown-1.0-py3-none-any.whl", A2)],
            ),
            wheels("swapped", &[("swapped-1.0.tar.gz", A2)]),
        ]);
        let changes = package_changes(&base, &head);
        let grown = changes.iter().find(|c| c.name == "grown").unwrap();
        assert!(grown.classes.is_empty(), "{grown:?}");
        assert_eq!(
            grown.notes,
            ["new file for 1.0: grown-1.0-py3-none-any.whl"]
        );
        let swapped = changes.iter().find(|c| c.name == "swapped").unwrap();
        assert_eq!(swapped.classes, [ChangeClass::HashChanged]);
        assert_eq!(swapped.hash_changes[0].before, [A1]);
        assert_eq!(swapped.hash_changes[0].after, [A2]);
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
