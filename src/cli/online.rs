//! The online parts of the commands: `check --online`, `allowlist add`,
//! `allowlist verify`, and `--online` for `allowlist init` / `suggest`.

use super::{parse_ecosystem, print, split_name_version};
use anyhow::Context as _;
use lockgate::allowlist::{self, Allowlist, Approval, edit, ops};
use lockgate::checks::{self, Finding, FindingId, Outcome, Severity, online};
use lockgate::lockfile::{Ecosystem, Package, Source};
use lockgate::registry::pins::{self, PinProblem};
use lockgate::registry::{Client, Config};
use lockgate::resolve::Resolution;
use std::collections::HashSet;
use std::path::Path;
use std::process::ExitCode;

/// `--online` / `--offline` / `--deep` of `lockgate check`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct CheckArgs {
    /// Also ask the registries: not-on-registry, registry-hash-mismatch, yanked,
    /// too-new, registry-error (see docs/online.md).
    #[arg(long, conflicts_with = "offline")]
    pub online: bool,
    /// Never use the network (the default; says so explicitly in CI scripts).
    #[arg(long)]
    pub offline: bool,
    /// With --online: download one artifact per version and check its sha256/sha512.
    #[arg(long, requires = "online")]
    pub deep: bool,
}

/// `--offline` of the allowlist commands that ask the registries.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct NetArgs {
    /// Never use the network: answer from lockgate's cache, and fail for anything
    /// that is not in it.
    #[arg(long)]
    pub offline: bool,
}

/// A registry client configured from the environment and the allowlist's `[registries]`.
pub fn client(list: Option<&Allowlist>, offline: bool) -> anyhow::Result<Client> {
    let empty = Default::default();
    let mut config = Config::from_env(list.map(|l| &l.registries).unwrap_or(&empty))?;
    config.offline = offline;
    config.observer = super::verbose::observer();
    Ok(Client::new(config)?)
}

/// Add the online findings to a `check` outcome.
pub fn check(
    outcome: &mut Outcome,
    res: &Resolution,
    list: &Allowlist,
    args: &CheckArgs,
) -> anyhow::Result<()> {
    let client = client(Some(list), false)?;
    let packages: Vec<&Package> = res.packages().collect();
    let opts = online::Options {
        deep: args.deep,
        ..online::Options::default()
    };
    outcome
        .findings
        .extend(online::check(&packages, list, &client, &opts));
    checks::names::settle_unknown(&mut outcome.findings, &client, opts.now);
    checks::sort(&mut outcome.findings);
    Ok(())
}

/// Replace the lockfile hashes of `wanted` by the registry's; print what could not
/// be verified. Fails (nothing is written) when any version could not be verified.
/// Versions that come from git, a path, a URL or a registry lockgate is not pointed
/// at keep their lockfile hashes, and a note says how many.
pub fn verify_wanted(
    list: Option<&Allowlist>,
    res: &Resolution,
    wanted: Vec<ops::Wanted>,
    offline: bool,
) -> anyhow::Result<Vec<ops::Wanted>> {
    let client = client(list, offline)?;
    let served: HashSet<(Ecosystem, String, String)> = res
        .packages()
        .filter(|p| matches!(&p.source, Source::Registry(url) if client.config().serves(p.ecosystem, url.as_deref())))
        .map(|p| (p.ecosystem, p.normalized_name(), p.version.clone()))
        .collect();
    let (ask, keep): (Vec<ops::Wanted>, Vec<ops::Wanted>) = wanted.into_iter().partition(|w| {
        served.contains(&(
            w.ecosystem,
            w.ecosystem.normalize(&w.name),
            w.version.clone(),
        ))
    });
    let (mut ok, problems) = pins::from_registry(&client, ask);
    report_problems(&problems)?;
    registry_flags(list, &client, &mut ok);
    if !keep.is_empty() {
        eprintln!(
            "note: {} version{} not from a registry lockgate asks (git, path, URL or another registry) keep the lockfile's hashes, unverified",
            keep.len(),
            if keep.len() == 1 { "" } else { "s" }
        );
    }
    ok.extend(keep);
    Ok(ok)
}

/// The registry's part of the gate (`suggest --online`, `init --online`): a yanked
/// version, or one younger than `min-age-days`, is flagged unless an exception in
/// force waives that finding for it. The answers come from the client's cache.
fn registry_flags(list: Option<&Allowlist>, client: &Client, wanted: &mut [ops::Wanted]) {
    let queries: Vec<(Ecosystem, String)> = wanted
        .iter()
        .map(|w| (w.ecosystem, w.name.clone()))
        .collect();
    let answers = client.lookup_all(&queries);
    let now = lockgate::registry::now();
    let today = allowlist::today();
    for (w, ans) in wanted.iter_mut().zip(answers) {
        let Ok(v) = pins::resolve_version(w.ecosystem, &w.name, &w.version, ans) else {
            continue;
        };
        let waived = |id: &str| {
            list.and_then(|l| l.exception(w.ecosystem, &w.name, Some(&w.version), id))
                .is_some_and(|x| !x.expired(&today))
        };
        let mut flags = Vec::new();
        if v.yanked && !waived("yanked") {
            flags.push(allowlist::gate::Flag {
                id: "yanked".into(),
                message: format!("{} {} is yanked on the registry", w.name, w.version),
            });
        }
        if let (Some(days), Some(published)) =
            (list.and_then(|l| l.policy.min_age_days), v.published)
            && now - published < i64::from(days) * 86_400
            && !waived("too-new")
        {
            flags.push(allowlist::gate::Flag {
                id: "too-new".into(),
                message: format!(
                    "{} {} was published {} days ago, less than min-age-days = {days}",
                    w.name,
                    w.version,
                    (now - published) / 86_400
                ),
            });
        }
        w.flags.extend(flags);
    }
}

fn report_problems(problems: &[PinProblem]) -> anyhow::Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    for p in problems {
        eprintln!("error: {p}");
    }
    let unreachable = problems
        .iter()
        .any(|p| matches!(p, PinProblem::Registry { .. }));
    anyhow::bail!(
        "{} version{} could not be verified with the registry{}; the allowlist was not changed",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" },
        if unreachable {
            " (retry, or check the LOCKGATE_* registry settings)"
        } else {
            ""
        }
    )
}

/// `lockgate allowlist add ECOSYSTEM NAME@VERSION...`.
pub fn add(
    allowlist: &Path,
    ecosystem: &str,
    specs: &[String],
    approval: &Approval,
    force: bool,
    offline: bool,
) -> anyhow::Result<ExitCode> {
    let eco = parse_ecosystem(ecosystem)?;
    let list = if allowlist.exists() {
        Some(allowlist::load(allowlist)?)
    } else {
        None
    };
    let mut wanted = Vec::new();
    for spec in specs {
        let (name, version) = split_name_version(spec);
        let Some(version) = version.filter(|v| !v.is_empty()) else {
            anyhow::bail!("`{spec}`: give the version to approve, as NAME@VERSION");
        };
        wanted.push((name.to_string(), version.to_string()));
    }
    // The gate every writing command runs: known-bad lists, deny rules, name checks.
    // A flagged version needs --force (which requires --reason); known-malicious never passes.
    let gate =
        allowlist::gate::Gate::new(list.as_ref(), &[]).context("loading the known-bad lists")?;
    let mut refused = Vec::new();
    let mut malicious = Vec::new();
    for (name, version) in &wanted {
        for f in gate.flags(list.as_ref(), eco, name, Some(version)) {
            eprintln!(
                "{}: {eco} {name}@{version}: {} [{}]",
                if force && !f.is_absolute() {
                    "warning"
                } else {
                    "error"
                },
                f.message,
                f.id
            );
            if f.is_absolute() {
                malicious.push(format!("{name}@{version}"));
            }
            refused.push(name.clone());
        }
    }
    if !malicious.is_empty() {
        anyhow::bail!(
            "refused: {} {} known-malicious; that is never approved, not even with --force",
            malicious.join(", "),
            if malicious.len() == 1 { "is" } else { "are" }
        );
    }
    let client = client(list.as_ref(), offline)?;
    let queries: Vec<(Ecosystem, String)> = wanted.iter().map(|(n, _)| (eco, n.clone())).collect();
    let answers = client.lookup_all(&queries);
    let mut problems = Vec::new();
    let mut out = Vec::new();
    let now = lockgate::registry::now();
    for ((name, version), ans) in wanted.iter().zip(answers) {
        match pins::resolve_version(eco, name, version, ans) {
            Err(p) => problems.push(p),
            Ok(v) => {
                let today = allowlist::today();
                let waived = |id: &str| {
                    list.as_ref()
                        .and_then(|l| l.exception(eco, name, Some(version), id))
                        .is_some_and(|x| !x.expired(&today))
                };
                if v.yanked && !waived("yanked") {
                    eprintln!(
                        "{}: {eco} {name} {version} is yanked on the registry",
                        if force { "warning" } else { "error" }
                    );
                    refused.push(name.clone());
                }
                if let (Some(days), Some(published)) = (
                    list.as_ref().and_then(|l| l.policy.min_age_days),
                    v.published,
                ) && now - published < i64::from(days) * 86_400
                    && !waived("too-new")
                {
                    eprintln!(
                        "{}: {eco} {name} {version} was published {} days ago, less than min-age-days = {days}",
                        if force { "warning" } else { "error" },
                        (now - published) / 86_400
                    );
                    refused.push(name.clone());
                }
                let hashes = v.pin_hashes();
                if hashes.is_empty() {
                    anyhow::bail!(
                        "{eco} {name} {version}: the registry publishes no hash for it; nothing to pin"
                    );
                }
                out.push(ops::Wanted {
                    ecosystem: eco,
                    name: name.clone(),
                    version: version.clone(),
                    name_listed: list.as_ref().is_some_and(|l| l.entry(eco, name).is_some()),
                    from_registry: true,
                    hashes,
                    flags: Vec::new(),
                });
            }
        }
    }
    report_problems(&problems)?;
    let changes = ops::pin_changes(list.as_ref(), &out);
    for c in &changes {
        eprintln!("{}: {c}", if force { "warning" } else { "error" });
    }
    if !changes.is_empty() && !force {
        anyhow::bail!(
            "refused: {} pinned version{} would change hash (the tampering case); nothing was written. If the registry really republished it and you have checked why, rerun with --force --reason \"why\"",
            changes.len(),
            if changes.len() == 1 { "" } else { "s" }
        );
    }
    if !refused.is_empty() && !force {
        anyhow::bail!(
            "refused: {} (see above); if you have checked and still approve, rerun with --force --reason \"why\"",
            refused.join(", ")
        );
    }
    let count = out.iter().map(|w| w.hashes.len()).sum::<usize>();
    edit::update(allowlist, true, |ed| {
        ops::apply(ed, &out, approval);
        Ok(())
    })?;
    for c in &changes {
        eprintln!("re-pinned: {c}");
    }
    for w in &out {
        eprintln!(
            "pinned {eco} {}@{} ({} hash{} from the registry)",
            w.name,
            w.version,
            w.hashes.len(),
            if w.hashes.len() == 1 { "" } else { "es" }
        );
    }
    eprintln!(
        "added {} version{} ({count} hashes) to {}",
        out.len(),
        if out.len() == 1 { "" } else { "s" },
        allowlist.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `lockgate allowlist verify`: every pin compared with the registry.
pub fn verify(allowlist: &Path, offline: bool, deep: bool) -> anyhow::Result<ExitCode> {
    let list = allowlist::load(allowlist)?;
    let client = client(Some(&list), offline)?;
    let opts = online::Options {
        deep,
        ..online::Options::default()
    };
    let findings = online::verify_allowlist(&list, &client, &opts);
    let mut text = String::new();
    for f in &findings {
        text.push_str(&line(f));
    }
    let pins = list.pin_count();
    let failed = findings
        .iter()
        .any(|f| f.id == FindingId::RegistryError && f.severity >= Severity::Error);
    let bad = findings
        .iter()
        .filter(|f| f.severity >= Severity::Error)
        .count();
    text.push_str(&format!(
        "{} pin{} in {} compared with the registries: {}\n",
        pins,
        if pins == 1 { "" } else { "s" },
        allowlist.display(),
        if findings.is_empty() {
            "every pinned hash is one the registry publishes".to_string()
        } else {
            format!(
                "{} finding{}",
                findings.len(),
                if findings.len() == 1 { "" } else { "s" }
            )
        }
    ));
    print(&text)?;
    Ok(ExitCode::from(if failed {
        2
    } else if bad > 0 {
        1
    } else {
        0
    }))
}

fn line(f: &Finding) -> String {
    let at = match f.line {
        Some(l) => format!("{}:{l}", f.lockfile.display()),
        None => f.lockfile.display().to_string(),
    };
    let what = match (&f.ecosystem, &f.name, &f.version) {
        (Some(e), Some(n), Some(v)) => format!("{e} {n}@{v}"),
        (Some(e), _, _) => e.to_string(),
        _ => String::new(),
    };
    format!(
        "{:8} {:22} {what}  {}\n         at {at}; {}\n",
        f.severity.as_str(),
        f.id.as_str(),
        f.message,
        f.help
    )
}
