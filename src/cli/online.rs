//! The online parts of the commands: `check --online`, `allowlist add`,
//! `allowlist verify`, and `--online` for `allowlist init` / `suggest`.

use super::{parse_ecosystem, print, split_name_version};
use anyhow::Context as _;
use lockgate::allowlist::{self, Allowlist, Approval, edit, ops};
use lockgate::checks::{self, online, pins};
use lockgate::registry::Client;
use lockgate::registry::pins::PinProblem;
use lockgate::resolve::Resolution;
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

impl CheckArgs {
    /// The online part of the library's check options (`None`: offline).
    pub fn options(&self) -> Option<checks::Online> {
        self.online.then(|| checks::Online {
            deep: self.deep,
            observer: super::verbose::observer(),
        })
    }
}

/// A registry client configured from the environment and the allowlist's `[registries]`.
pub fn client(list: Option<&Allowlist>, offline: bool) -> anyhow::Result<Client> {
    Ok(checks::runner::client_with(
        list,
        offline,
        super::verbose::observer(),
    )?)
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
    let verified = pins::verify_wanted(&client, list, res, wanted);
    report_problems(&verified.problems)?;
    if verified.unverified > 0 {
        eprintln!(
            "note: {} version{} not from a registry lockgate asks (git, path, URL or another registry) keep the lockfile's hashes, unverified",
            verified.unverified,
            if verified.unverified == 1 { "" } else { "s" }
        );
    }
    Ok(verified.wanted)
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
    allow_scripts: bool,
    offline: bool,
) -> anyhow::Result<ExitCode> {
    let eco = parse_ecosystem(ecosystem)?;
    if eco == lockgate::model::Ecosystem::Actions {
        return super::actions::add(allowlist, specs, approval, offline);
    }
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
    let gated = pins::gate_add(list.as_ref(), &gate, eco, &wanted);
    for r in &gated {
        eprintln!(
            "{}: {eco} {}@{}: {} [{}]",
            if force && !r.flag.is_absolute() {
                "warning"
            } else {
                "error"
            },
            r.name,
            r.version,
            r.flag.message,
            r.flag.id
        );
    }
    let malicious: Vec<String> = gated
        .iter()
        .filter(|r| r.flag.is_absolute())
        .map(|r| format!("{}@{}", r.name, r.version))
        .collect();
    if !malicious.is_empty() {
        anyhow::bail!(
            "refused: {} {} known-malicious; that is never approved, not even with --force",
            malicious.join(", "),
            if malicious.len() == 1 { "is" } else { "are" }
        );
    }
    let client = client(list.as_ref(), offline)?;
    let plan = pins::plan_add(list.as_ref(), &client, eco, &wanted);
    for r in &plan.refusals {
        eprintln!(
            "{}: {eco} {}",
            if force { "warning" } else { "error" },
            r.flag.message
        );
    }
    if let Some((name, version)) = plan.no_hash.first() {
        anyhow::bail!(
            "{eco} {name} {version}: the registry publishes no hash for it; nothing to pin"
        );
    }
    report_problems(&plan.problems)?;
    let changes = plan.changes;
    let out = plan.pins;
    // Who publishes each version (trust-downgrade): refused without --force, recorded
    // beside the pin when the registry names a publisher.
    let (publishers, downgraded) = judge_publishers(&client, list.as_ref(), &out, force)?;
    // A gained install script (or one its own pin says it has not): refused without
    // --force, whatever --allow-scripts says (see checks::install_script::Standing).
    let scripted = judge_scripts(&client, list.as_ref(), &out, allow_scripts, force)?;
    let refused: Vec<String> = gated
        .iter()
        .chain(&plan.refusals)
        .map(|r| r.name.clone())
        .chain(downgraded)
        .chain(scripted)
        .collect();
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
        for (name, version, p) in &publishers {
            ed.set_publisher(eco, name, version, p);
        }
        Ok(())
    })?;
    for (name, version, p) in &publishers {
        eprintln!("publisher of {eco} {name}@{version}: {p}");
    }
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
    let outcome = pins::VerifyOutcome::run(&list, &client, &opts);
    print(&lockgate::report::human::verify(&outcome, allowlist))?;
    Ok(ExitCode::from(outcome.exit_code()))
}

/// A registry's answer about the version `w` being pinned, or the error that stops
/// the write: `what` could not be read, so the allowlist was not changed.
fn answer_about<T, E>(w: &ops::Wanted, what: &str, answer: Result<T, E>) -> anyhow::Result<T>
where
    E: std::error::Error + Send + Sync + 'static,
{
    answer.with_context(|| {
        format!(
            "{} {}@{}: {what} could not be read; the allowlist was not changed",
            w.ecosystem, w.name, w.version
        )
    })
}

/// The publishers of the versions being pinned, and the names refused for a
/// `trust-downgrade` (printed as errors, or warnings with --force). A registry that
/// cannot say is an error: nothing is written.
#[allow(clippy::type_complexity)]
fn judge_publishers(
    client: &Client,
    list: Option<&Allowlist>,
    out: &[ops::Wanted],
    force: bool,
) -> anyhow::Result<(
    Vec<(String, String, lockgate::registry::publisher::Identity)>,
    Vec<String>,
)> {
    if client.config().offline {
        if !out.is_empty() {
            eprintln!(
                "note: publishers not read (--offline): no trust-downgrade check, no `publisher` recorded"
            );
        }
        return Ok((Vec::new(), Vec::new()));
    }
    let queries: Vec<_> = out.iter().map(ops::Wanted::query).collect();
    let mut publishers = Vec::new();
    let mut refused = Vec::new();
    for (w, j) in out.iter().zip(checks::trust::judge(client, list, &queries)) {
        let eco = w.ecosystem;
        let j = answer_about(w, "the publisher", j)?;
        for p in &j.problems {
            eprintln!(
                "{}: {eco} {} [trust-downgrade]\n  hint: {}",
                if force { "warning" } else { "error" },
                p.message,
                p.help
            );
        }
        if !j.problems.is_empty() {
            refused.push(format!("{}@{}", w.name, w.version));
        }
        if let Some(id) = j.identity(&w.version) {
            publishers.push((w.name.clone(), w.version.clone(), id.clone()));
        }
    }
    Ok((publishers, refused))
}

/// The versions being pinned whose install script the registry's record shows was
/// *gained* (the package's other approved versions say `scripts = false`) or that
/// their own pin says have none: printed as errors (warnings with --force) and
/// returned, to refuse. A registry that cannot say is an error: nothing is written.
fn judge_scripts(
    client: &Client,
    list: Option<&Allowlist>,
    out: &[ops::Wanted],
    allow_scripts: bool,
    force: bool,
) -> anyhow::Result<Vec<String>> {
    let queries: Vec<_> = out.iter().map(ops::Wanted::query).collect();
    let mut refused = Vec::new();
    let judged = checks::install_script::judge_registry(client, list, &queries);
    for (w, j) in out.iter().zip(judged) {
        let eco = w.ecosystem;
        let j = answer_about(w, "its install scripts", j)?;
        let Some(j) = j.filter(|j| !j.hooks.is_empty() && j.standing.is_absolute()) else {
            continue;
        };
        let message = match &j.finding {
            Some(f) => f.message.clone(),
            None => format!("{}@{} runs code at install", w.name, w.version),
        };
        eprintln!(
            "{}: {eco} {message} [install-script]\n  hint: read the script first (`npm pack {}@{}`, package.json `scripts` and binding.gyp); to approve it anyway, rerun with {}--force --reason \"why\"",
            if force { "warning" } else { "error" },
            w.name,
            w.version,
            if allow_scripts {
                ""
            } else {
                "--allow-scripts "
            },
        );
        refused.push(format!("{}@{}", w.name, w.version));
    }
    Ok(refused)
}

/// A version's publisher, to record beside its pin.
pub type Published = (
    lockgate::model::Ecosystem,
    String,
    String,
    lockgate::registry::publisher::Identity,
);

/// `init --online` / `suggest --online`: read the publisher of every registry version
/// in `wanted`; a `trust-downgrade` becomes a flag (refused without --force, like the
/// other flags); the publishers named are returned, to record beside the pins.
pub fn publishers_of(
    list: Option<&Allowlist>,
    wanted: &mut [ops::Wanted],
    offline: bool,
) -> anyhow::Result<Vec<Published>> {
    if offline {
        eprintln!(
            "note: publishers not read (--offline): no trust-downgrade check, no `publisher` recorded"
        );
        return Ok(Vec::new());
    }
    let client = client(list, offline)?;
    let asked: Vec<usize> = (0..wanted.len())
        .filter(|&i| wanted[i].from_registry)
        .collect();
    let queries: Vec<_> = asked.iter().map(|&i| wanted[i].query()).collect();
    let mut out = Vec::new();
    for (&i, j) in asked
        .iter()
        .zip(checks::trust::judge(&client, list, &queries))
    {
        let w = &mut wanted[i];
        let j = answer_about(w, "the publisher", j)?;
        if let Some(id) = j.identity(&w.version) {
            out.push((w.ecosystem, w.name.clone(), w.version.clone(), id.clone()));
        }
        w.flags.extend(
            j.problems
                .into_iter()
                .map(|p| lockgate::allowlist::gate::Flag {
                    id: "trust-downgrade".into(),
                    message: p.message,
                }),
        );
    }
    Ok(out)
}
