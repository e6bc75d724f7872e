//! The online checks: what the registries say about every package a lockfile pins.
//!
//! - `not-on-registry`: the registry has no such name (a hallucination nobody has
//!   registered yet, or a private name open to dependency confusion), or no such version.
//! - `registry-hash-mismatch` (critical): a hash in the lockfile, or pinned in the
//!   allowlist, of an algorithm the registry publishes for that version, is not one the
//!   registry publishes; or the registry's hashes for the version changed since lockgate
//!   first cached them; or (deep mode) the downloaded file does not hash to what the
//!   registry publishes.
//! - `yanked` (warning): the registry has yanked the version (PyPI: every file of it).
//! - `too-new` (error): published less than `[policy] min-age` / `min-age-days` ago,
//!   or of no known age (see [`super::cooldown`]).
//! - `registry-error`: the registry could not be asked or answered garbage. An error
//!   (the run exits 2) unless `[policy] registry-errors = "warn"`; never silent.
//!
//! Only registry packages are asked about. A package from a registry other than the
//! one configured for its ecosystem is not (one `registry-error` note per such
//! registry says so); git, path and URL sources have no registry entry.

use super::{Finding, FindingDef, FindingId, Precision, Severity};
use crate::allowlist::{Allowlist, Level};
use crate::model::{Ecosystem, Hash, Package, Source};
use crate::registry::{Answer, Client, RegistryError, VersionInfo};
use std::collections::{BTreeMap, HashSet};

/// The `not-on-registry` finding.
pub const NOT_ON_REGISTRY: FindingDef = FindingDef {
    id: "not-on-registry",
    summary: "Online: the registry has no such package.",
    explanation: "A hallucination nobody has registered yet, or a private name that is open to dependency confusion.",
    help: "Do not install it; register the name yourself if it is an internal package.",
    severity: Severity::Error,
    policy: &[],
    security_severity: Some("8.0"),
    precision: Precision::High,
};

/// The `registry-hash-mismatch` finding.
pub const REGISTRY_HASH_MISMATCH: FindingDef = FindingDef {
    id: "registry-hash-mismatch",
    summary: "Online: the registry's hash for this version differs from the lockfile's or the allowlist's.",
    explanation: "The registry publishes another artifact than the one pinned: tampering, a republished version, or a wrong pin.",
    help: "Do not merge; investigate as for hash-mismatch.",
    severity: Severity::Critical,
    policy: &[],
    security_severity: Some("9.5"),
    precision: Precision::High,
};

/// The `yanked` finding.
pub const YANKED: FindingDef = FindingDef {
    id: "yanked",
    summary: "Online: this version has been yanked from the registry.",
    explanation: "Maintainers yank versions that are broken or dangerous.",
    help: "Upgrade to a version that is not yanked.",
    severity: Severity::Warning,
    policy: &[],
    security_severity: Some("4.0"),
    precision: Precision::VeryHigh,
};

/// The `too-new` finding.
pub const TOO_NEW: FindingDef = FindingDef {
    id: "too-new",
    summary: "Uploaded more recently than the policy's minimum age (offline from the lockfile's upload times, online from the registry's), or of no known age online.",
    explanation: "New packages and versions are how slopsquats and compromised releases look on their first days: the chalk/debug takeover (September 2025) was live for under three hours, the Shai-Hulud worm's versions for hours to days. A cooldown of a few days lets the registry and the community catch them first. uv.lock, pylock.toml and pnpm 8's `time:` record upload times, so the check runs offline; with `--online` the registry's times are used too, and a version whose age nobody gives fails unless `missing-publish-time` says otherwise.",
    help: "Wait until it is older than `min-age`, use an older version, or have the security team approve it with an `[[exception]]` that has an `until` date.",
    severity: Severity::Error,
    policy: &["min-age", "min-age-days", "missing-publish-time"],
    security_severity: Some("5.0"),
    precision: Precision::High,
};

/// The `registry-error` finding.
pub const REGISTRY_ERROR: FindingDef = FindingDef {
    id: "registry-error",
    summary: "Online: a registry could not be reached or answered garbage.",
    explanation: "lockgate could not verify what it was asked to verify online, so it does not pass.",
    help: "Retry; check the registry URL settings (`LOCKGATE_*` variables, `[registries]`) and the network.",
    severity: Severity::Error,
    policy: &["registry-errors"],
    security_severity: None,
    precision: Precision::VeryHigh,
};

/// How to run the online checks.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Download one artifact per version and hash it (sha256/sha512).
    pub deep: bool,
    /// The time to measure ages against (Unix seconds).
    pub now: i64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            deep: false,
            now: crate::model::timestamp::clock()
                .unwrap_or_else(|_| crate::model::timestamp::system_now()),
        }
    }
}

/// Registry errors reported one by one per ecosystem; the rest are summed up.
const ERRORS_PER_ECOSYSTEM: usize = 3;

/// Ask the registries about every registry package and return the findings.
pub fn check(
    packages: &[&Package],
    list: &Allowlist,
    client: &Client,
    opts: &Options,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut asked: Vec<&Package> = Vec::new();
    let mut elsewhere: BTreeMap<(Ecosystem, String), Vec<&Package>> = BTreeMap::new();
    for p in packages {
        // Actions have no registry: their commit SHAs are checked offline.
        if p.ecosystem == Ecosystem::Actions {
            continue;
        }
        match &p.source {
            Source::Registry(url) if client.config().serves(p.ecosystem, url.as_deref()) => {
                asked.push(p)
            }
            Source::Registry(Some(url)) => elsewhere
                .entry((p.ecosystem, url.clone()))
                .or_default()
                .push(p),
            _ => {}
        }
    }
    for ((eco, url), ps) in &elsewhere {
        let mut f = Finding::for_package(
            FindingId::RegistryError,
            Severity::Note,
            ps[0],
            format!(
                "{} {eco} package{} from {url} not checked online: lockgate asks {}",
                ps.len(),
                if ps.len() == 1 { "" } else { "s" },
                client.config().base(*eco)
            ),
            format!(
                "to check them, point lockgate at that registry: {} or `[registries] {eco}` in the allowlist",
                crate::registry::env_var(*eco)
            ),
        );
        f.name = None;
        f.version = None;
        out.push(f);
    }
    let queries: Vec<(Ecosystem, String, String)> = asked
        .iter()
        .map(|p| (p.ecosystem, p.name.to_string(), p.version.to_string()))
        .collect();
    let answers = client.lookup_versions(&queries);
    let mut pins_seen = HashSet::new();
    let mut errors: BTreeMap<Ecosystem, Vec<(&Package, RegistryError)>> = BTreeMap::new();
    let mut deep_jobs: Vec<(&Package, std::sync::Arc<crate::registry::PackageInfo>)> = Vec::new();
    let mut deep_seen = HashSet::new();
    for (p, ans) in asked.iter().zip(answers) {
        match ans {
            Err(e) => errors.entry(p.ecosystem).or_default().push((p, e)),
            Ok(Answer::NotFound { url }) => out.push(not_found(p, &url)),
            Ok(Answer::Found(info)) => {
                let Some(v) = info.version(&p.version) else {
                    out.push(Finding::about(
FindingId::NotOnRegistry, p,
                        format!("{} exists on the registry, but version {} does not ({})", p.name, p.version, info.url),
                        "the version was never published there or has been removed: use a published version and regenerate the lockfile".to_string(),
                    ));
                    continue;
                };
                out.extend(version_findings(
                    p,
                    v,
                    info.changed.get(p.version.as_str()),
                    list,
                    opts,
                    &mut pins_seen,
                ));
                if opts.deep
                    && deep_seen.insert((p.ecosystem, p.normalized_name(), p.version.clone()))
                {
                    deep_jobs.push((p, info.clone()));
                }
            }
        }
    }
    out.extend(error_findings(errors, list.policy.registry_errors));
    if opts.deep {
        out.extend(deep_check(&deep_jobs, list, client));
    }
    out
}

fn not_found(p: &Package, url: &str) -> Finding {
    Finding::about(
FindingId::NotOnRegistry, p,
        format!("{} is not on the {} registry ({url} has no such package)", p.name, p.ecosystem),
        "do not install it: the name may be hallucinated, or an internal name anyone could register (dependency confusion); register it yourself if it is yours".to_string(),
    )
}

pub use crate::registry::published::unpublished;

fn version_findings(
    p: &Package,
    v: &VersionInfo,
    changed: Option<&Vec<Hash>>,
    list: &Allowlist,
    opts: &Options,
    pins_seen: &mut HashSet<(Ecosystem, String, String)>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let investigate = "do not merge: find out which artifact is the real one (`lockgate explain registry-hash-mismatch`)".to_string();
    if let Some(first) = changed {
        out.push(Finding::about(
            FindingId::RegistryHashMismatch,
            p,
            format!(
                "the registry's hashes for {} {} changed since lockgate first saw them (then: {})",
                p.name,
                p.version,
                join(first.iter())
            ),
            investigate.clone(),
        ));
    }
    let bad = unpublished(&p.hashes, v);
    if !bad.is_empty() {
        out.push(Finding::about(
            FindingId::RegistryHashMismatch,
            p,
            format!(
                "the lockfile's {} for {} {} is not what the registry publishes ({})",
                join(bad.iter().copied()),
                p.name,
                p.version,
                join(
                    v.hashes()
                        .iter()
                        .filter(|h| bad.iter().any(|b| b.algorithm == h.algorithm))
                )
            ),
            investigate.clone(),
        ));
    }
    if let Some(entry) = list.entry(p.ecosystem, &p.name)
        && let Some(pin) = entry.pin(p.ecosystem, &p.version)
        && pins_seen.insert((p.ecosystem, p.normalized_name(), p.version.to_string()))
    {
        let bad = unpublished(&pin.hashes, v);
        if !bad.is_empty() {
            out.push(Finding::about(
FindingId::RegistryHashMismatch, p,
                format!(
                    "the allowlist pins {} for {} {} ({}:{}), which the registry does not publish",
                    join(bad.iter().copied()),
                    p.name,
                    p.version,
                    list.path.display(),
                    pin.line
                ),
                "do not merge: the pin or the registry is wrong; check with `lockgate allowlist verify`".to_string(),
            ));
        }
    }
    if v.yanked {
        let reason = v.files.iter().find_map(|f| f.yanked_reason.clone());
        out.push(Finding::about(
            FindingId::Yanked,
            p,
            format!(
                "{} {} has been yanked from the registry{}",
                p.name,
                p.version,
                reason.map(|r| format!(": {r}")).unwrap_or_default()
            ),
            "upgrade to a version that is not yanked and regenerate the lockfile".to_string(),
        ));
    }
    if let Some(f) = too_new(p, v, list, opts.now) {
        out.push(f);
    }
    // Code at install the registry declares (the lockfile's own word is checked offline).
    if let Some(hooks) = v.install_scripts.as_ref().filter(|h| !h.is_empty())
        && p.install_script != Some(true)
    {
        let why = format!("the registry's record says {}", hooks.join("; "));
        out.extend(super::install_script::finding(p, &why, list));
    }
    // PyPI: the installer picks files by hash (poetry and pdm match the index's files
    // by hash, not by the name the lockfile writes), so the registry's names for the
    // lockfile's hashes decide whether it builds from source, not the lockfile's.
    if let Some(names) = sdists_behind_the_hashes(p, v)
        && p.install_script != Some(true)
    {
        let why = format!(
            "the registry's files for the lockfile's hashes are not wheels ({names}): {}",
            crate::model::install_script::SDIST_REASON
        );
        out.extend(super::install_script::finding(p, &why, list));
    }
    out
}

/// For a PyPI package, the registry's file names behind the lockfile's hashes when
/// none of them is a wheel (the installer then builds the sdist); `None` when a
/// wheel is among them, no hash matches, or it is not PyPI.
fn sdists_behind_the_hashes(p: &Package, v: &VersionInfo) -> Option<String> {
    if p.ecosystem != Ecosystem::Pypi || p.hashes.is_empty() {
        return None;
    }
    let matched: Vec<&str> = v
        .files
        .iter()
        .filter(|f| f.hashes.iter().any(|h| p.hashes.contains(h)))
        .map(|f| f.filename.as_str())
        .collect();
    if matched.is_empty()
        || matched
            .iter()
            .any(|f| crate::model::install_script::is_wheel(f))
    {
        return None;
    }
    Some(matched.join(", "))
}

/// The `too-new` finding, when the policy sets a minimum age and the version is
/// younger or of no known age (see [`super::cooldown::too_new_online`]).
pub fn too_new(p: &Package, v: &VersionInfo, list: &Allowlist, now: i64) -> Option<Finding> {
    super::cooldown::too_new_online(p, v, list, now)
}

fn error_findings(
    errors: BTreeMap<Ecosystem, Vec<(&Package, RegistryError)>>,
    level: Level,
) -> Vec<Finding> {
    let severity = if level == Level::Warn {
        Severity::Warning
    } else {
        Severity::Error
    };
    let help = "retry; check the registry URL (LOCKGATE_* variables, `[registries]`) and the network; `[policy] registry-errors = \"warn\"` downgrades this to a warning";
    let mut out = Vec::new();
    for (eco, errs) in errors {
        for (p, e) in errs.iter().take(ERRORS_PER_ECOSYSTEM) {
            out.push(Finding::for_package(
                FindingId::RegistryError,
                severity,
                p,
                format!("{} {} could not be checked: {e}", p.name, p.version),
                help.to_string(),
            ));
        }
        if errs.len() > ERRORS_PER_ECOSYSTEM {
            let rest = &errs[ERRORS_PER_ECOSYSTEM..];
            let mut f = Finding::for_package(
                FindingId::RegistryError,
                severity,
                rest[0].0,
                format!(
                    "{} more {eco} packages could not be checked ({}, …): {}",
                    rest.len(),
                    rest.iter()
                        .take(5)
                        .map(|(p, _)| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    rest[0].1
                ),
                help.to_string(),
            );
            f.name = None;
            f.version = None;
            out.push(f);
        }
    }
    out
}

fn deep_check(
    jobs: &[(&Package, std::sync::Arc<crate::registry::PackageInfo>)],
    list: &Allowlist,
    client: &Client,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut targets = Vec::new();
    for (p, info) in jobs {
        let Some(v) = info.version(&p.version) else {
            continue;
        };
        let mut expected: Vec<Hash> = p.hashes.to_vec();
        if let Some(pin) = list
            .entry(p.ecosystem, &p.name)
            .and_then(|e| e.pin(p.ecosystem, &p.version))
        {
            expected.extend(pin.hashes.iter().cloned());
        }
        // The file the lockfile or pin names; else the first one (an sdist sorts before wheels).
        let mut files: Vec<_> = v.files.iter().collect();
        files.sort_by_key(|f| (!f.filename.ends_with(".tar.gz"), f.filename.clone()));
        let file = files
            .iter()
            .find(|f| f.hashes.iter().any(|h| expected.contains(h)))
            .or(files.first())
            .copied();
        let Some(file) = file else { continue };
        match client.file_url(p.ecosystem, &p.name, &p.version, file) {
            Ok(url) => {
                let said = v.install_scripts.as_ref().is_some_and(|h| !h.is_empty());
                targets.push((*p, file.clone(), expected, url, said))
            }
            Err(e) => out.push(Finding::for_package(
                FindingId::RegistryError,
                Severity::Error,
                p,
                format!("deep check of {} {}: {e}", p.name, p.version),
                "retry, or run without --deep".to_string(),
            )),
        }
    }
    let files: Vec<(String, Ecosystem)> = targets
        .iter()
        .map(|t| (t.3.clone(), t.0.ecosystem))
        .collect();
    let digests = client.download_inspect(&files);
    for ((p, file, expected, url, registry_said), d) in targets.into_iter().zip(digests) {
        let d = d.map(|(computed, code)| {
            // Reported once: from the registry's record when it says so.
            if !registry_said {
                out.extend(deep_install_code(p, &url, code, list));
            }
            computed
        });
        match d {
            Err(e) => out.push(Finding::for_package(
                FindingId::RegistryError,
                Severity::Error,
                p,
                format!("deep check of {} {}: {e}", p.name, p.version),
                "retry, or run without --deep".to_string(),
            )),
            Ok(computed) => {
                let mut wrong = Vec::new();
                for c in &computed {
                    let published: Vec<&Hash> = file
                        .hashes
                        .iter()
                        .filter(|h| h.algorithm == c.algorithm)
                        .collect();
                    let pinned: Vec<&Hash> = expected
                        .iter()
                        .filter(|h| h.algorithm == c.algorithm)
                        .collect();
                    if (!published.is_empty() && !published.contains(&c))
                        || (!pinned.is_empty() && !pinned.contains(&c))
                    {
                        wrong.push(c.clone());
                    }
                }
                if !wrong.is_empty() {
                    out.push(Finding::about(
FindingId::RegistryHashMismatch, p,
                        format!(
                            "{url} downloads as {}, not what the registry publishes ({}) or the lockfile/allowlist pins",
                            join(wrong.iter()),
                            join(file.hashes.iter())
                        ),
                        "do not merge: the file host serves another artifact than the registry describes".to_string(),
                    ));
                }
            }
        }
    }
    out
}

/// The `install-script` finding for what deep mode found inside the artifact, unless
/// the lockfile already said so (then the offline check reported it). An archive that
/// does not read installs nothing, so it is not a finding here (the hashes still are).
fn deep_install_code(
    p: &Package,
    url: &str,
    code: Result<Option<Vec<String>>, String>,
    list: &Allowlist,
) -> Option<Finding> {
    let found = code.ok().flatten().filter(|c| !c.is_empty())?;
    if p.install_script == Some(true) {
        return None;
    }
    let why = format!("deep mode found in {url}: {}", found.join("; "));
    super::install_script::finding(p, &why, list)
}

fn join<'a>(hashes: impl Iterator<Item = &'a Hash>) -> String {
    let v: Vec<String> = hashes.map(|h| short(&h.to_string())).collect();
    if v.is_empty() {
        "none".to_string()
    } else {
        v.join(", ")
    }
}

/// Hashes in full: a reader must be able to compare them.
fn short(h: &str) -> String {
    h.to_string()
}

/// Registry findings grouped for `allowlist verify`: every pinned version of every
/// entry compared with the registry. Findings point at the pin's line in the allowlist.
/// Pins without a hash (`[]`: git or path dependencies approved by version) have no
/// registry artifact to compare and are skipped.
pub fn verify_allowlist(list: &Allowlist, client: &Client, opts: &Options) -> Vec<Finding> {
    let mut pseudo: Vec<Package> = Vec::new();
    let mut keys: Vec<_> = list.entries.iter().collect();
    keys.sort_by(|a, b| a.0.cmp(b.0));
    for (crate::model::PackageKey { ecosystem: eco, .. }, entry) in keys {
        for (version, pin) in entry
            .versions
            .iter()
            .filter(|(_, pin)| !pin.hashes.is_empty())
        {
            pseudo.push(Package::new(
                *eco,
                entry.name.clone(),
                version.clone(),
                Source::Registry(None),
                list.path.clone(),
                pin.line,
            ));
        }
    }
    let refs: Vec<&Package> = pseudo.iter().collect();
    let mut out = check(&refs, list, client, opts);
    // A pin is an approval of a version whatever its age: too-new is for lockfiles.
    out.retain(|f| f.id != FindingId::TooNew);
    super::sort(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::FileInfo;

    fn h(s: &str) -> Hash {
        Hash::parse(s).unwrap()
    }

    #[test]
    fn only_comparable_hashes_can_mismatch() {
        let v = VersionInfo {
            install_scripts: None,
            files: vec![FileInfo {
                filename: "x.tgz".into(),
                url: None,
                hashes: vec![h(
                    "sha256:8f42a60cbdf9a97f5d2305f08a87dc4e09308d1276d28c869c684d7777685682",
                )],
                uploaded: None,
                yanked: false,
                yanked_reason: None,
            }],
            published: None,
            yanked: false,
        };
        let ok = h("sha256:8f42a60cbdf9a97f5d2305f08a87dc4e09308d1276d28c869c684d7777685682");
        let bad = h("sha256:3bd1574e617a9a6c1f8f8181bd7e841e1f20e4277607ef28945765188d6284d4");
        let other = h("sha1:5b8a3a7765dfe001261dde915589e782f8c94d1e");
        let berry = Hash::yarn_berry("10c0/abc");
        let all = [ok, bad.clone(), other, berry];
        assert_eq!(unpublished(&all, &v), vec![&bad]);
    }
}
