//! `lockgate name ECOSYSTEM NAME...`: check names before installing them.

use super::{AllowlistArg, parse_ecosystem, print};
use lockgate::model::Ecosystem;
use lockgate::names::{FindingId, NameChecker, NameFinding, NameVerdict, Severity, Verdict};
use lockgate::registry::Answer;
use serde::Serialize;
use std::io::BufRead as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `lockgate name`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// cargo, npm or pypi.
    ecosystem: String,
    /// Names to check; `-` reads names from stdin, one a line.
    #[arg(required = true)]
    names: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = NameFormat::Human)]
    format: NameFormat,
    /// Also ask the registry whether each name exists (`not-on-registry`).
    #[arg(long)]
    online: bool,
    /// A list of known-bad packages to load (OSV directory or TSV); repeatable.
    #[arg(long, value_name = "PATH")]
    known_bad: Vec<PathBuf>,
    #[command(flatten)]
    allowlist: AllowlistArg,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum NameFormat {
    /// One line per name.
    Human,
    /// `{"names": [{"name", "verdict", "findings": [...]}]}`.
    Json,
}

#[derive(Serialize)]
struct Doc<'a> {
    schema_version: u32,
    snapshot_date: &'a str,
    names: &'a [NameVerdict],
}

/// Run `lockgate name`. Exit 1 when any name is `deny`, 0 otherwise.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let eco = parse_ecosystem(&args.ecosystem)?;
    let mut names = Vec::new();
    for n in &args.names {
        if n == "-" {
            for line in std::io::stdin().lock().lines() {
                let line = line?;
                let t = line.trim();
                if !t.is_empty() && !t.starts_with('#') {
                    names.push(t.to_string());
                }
            }
        } else {
            names.push(n.clone());
        }
    }
    let mut checker = NameChecker::embedded();
    // The allowlist is optional here: when present, its names are trusted and its
    // known-bad lists are loaded.
    let list = if args.allowlist.path.exists() {
        Some(lockgate::allowlist::load(&args.allowlist.path)?)
    } else {
        None
    };
    if let Some(list) = &list {
        for (lockgate::model::PackageKey { ecosystem: e, .. }, entry) in &list.entries {
            checker.add_trusted(*e, &entry.name);
        }
        for p in &list.policy.known_bad {
            checker.load_known_bad(p)?;
        }
    }
    for p in &args.known_bad {
        checker.load_known_bad(p)?;
    }
    let mut verdicts: Vec<NameVerdict> =
        names.iter().map(|n| checker.check(eco, n, None)).collect();
    if args.online {
        online(eco, &mut verdicts, list.as_ref())?;
    }
    let out = match args.format {
        NameFormat::Json => {
            let mut s = lockgate::report::escape::json_safe(serde_json::to_string_pretty(&Doc {
                schema_version: 1,
                snapshot_date: checker.snapshot_date(),
                names: &verdicts,
            })?);
            s.push('\n');
            s
        }
        NameFormat::Human => human(&verdicts),
    };
    print(&out)?;
    Ok(if verdicts.iter().any(|v| v.verdict == Verdict::Deny) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Ask the registry about each name: a name it does not have is `not-on-registry`
/// (deny); a name it has drops the offline `unknown-name` guess. A registry that
/// cannot be reached is an error (exit 2), never a silent pass.
fn online(
    eco: Ecosystem,
    verdicts: &mut [NameVerdict],
    list: Option<&lockgate::allowlist::Allowlist>,
) -> anyhow::Result<()> {
    let client = super::online::client(list, false)?;
    let queries: Vec<(Ecosystem, String)> =
        verdicts.iter().map(|v| (eco, v.name.clone())).collect();
    let answers = client.lookup_all(&queries);
    let now = lockgate::registry::now();
    for (v, answer) in verdicts.iter_mut().zip(answers) {
        match answer {
            Ok(Answer::NotFound { url }) => {
                v.findings.retain(|f| f.id != FindingId::UnknownName);
                v.findings.insert(
                    0,
                    NameFinding {
                        id: FindingId::NotOnRegistry,
                        target: None,
                        how: None,
                        source: Some(url),
                        message: format!("`{}` does not exist on the {eco} registry: a hallucinated name nobody registered yet, or a private name open to dependency confusion", v.name),
                        severity: Severity::Deny,
                    },
                );
                v.verdict = Verdict::Deny;
            }
            Ok(Answer::Found(info)) => {
                // Existing with some history settles `unknown-name`; a brand-new package
                // keeps it, saying how new.
                match lockgate::names::registry_history(&info, now) {
                    lockgate::names::History::Established => {
                        v.findings.retain(|f| f.id != FindingId::UnknownName)
                    }
                    h => v
                        .findings
                        .iter_mut()
                        .filter(|f| f.id == FindingId::UnknownName)
                        .for_each(|f| f.message = lockgate::names::new_package_message(&v.name, h)),
                }
                v.verdict = v
                    .findings
                    .iter()
                    .map(|f| match f.severity {
                        Severity::Deny => Verdict::Deny,
                        Severity::Warn => Verdict::Warn,
                    })
                    .max()
                    .unwrap_or(Verdict::Ok);
            }
            Err(e) => anyhow::bail!("cannot check `{}` online: {e}", v.name),
        }
    }
    Ok(())
}

fn human(verdicts: &[NameVerdict]) -> String {
    use lockgate::report::escape::display_safe as safe;
    let w = verdicts
        .iter()
        .map(|v| safe(&v.name).chars().count())
        .max()
        .unwrap_or(4)
        .min(40);
    let mut out = String::new();
    for v in verdicts {
        let verdict = match v.verdict {
            Verdict::Ok => "ok",
            Verdict::Warn => "warn",
            Verdict::Deny => "deny",
        };
        if v.findings.is_empty() {
            out.push_str(&format!("{:w$}  {verdict}\n", safe(&v.name)));
            continue;
        }
        for (i, f) in v.findings.iter().enumerate() {
            let head = if i == 0 {
                format!("{:w$}  {verdict:4}", safe(&v.name))
            } else {
                " ".repeat(w + 6)
            };
            out.push_str(&format!(
                "{head}  {}: {}\n",
                f.id.as_str(),
                safe(&f.message)
            ));
        }
    }
    out
}
