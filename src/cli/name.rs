//! `lockgate name ECOSYSTEM NAME[@VERSION]...`: check names before installing them.
//! Arguments → options → [`lockgate::checks::names::answer`] → render.

use super::{AllowlistArg, parse_ecosystem, print};
use lockgate::checks::names::answer::{self, NameAnswer, Query};
use lockgate::names::Verdict;
use serde::Serialize;
use std::io::BufRead as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `lockgate name`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// cargo, npm or pypi.
    ecosystem: String,
    /// Names to check, with an optional exact version in the ecosystem's form
    /// (`chalk@5.6.1`, `@scope/pkg@1.2.3`, `requests==2.32.3`, `serde@1.0.200`);
    /// `-` reads them from stdin, one a line.
    #[arg(required = true)]
    names: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = NameFormat::Human)]
    format: NameFormat,
    /// Also ask the registry whether each name exists (`not-on-registry`), and for
    /// NAME@VERSION its publisher (`trust-downgrade`) and npm install hooks
    /// (`install-script`).
    #[arg(long)]
    online: bool,
    /// A list of known-bad packages to load (OSV directory or TSV); repeatable.
    #[arg(long, value_name = "PATH")]
    known_bad: Vec<PathBuf>,
    /// Exit 1 when a name's verdict is at least this: `deny` (default), `warn`
    /// (what an agent wants before installing), or `never`.
    #[arg(long, value_enum, default_value_t = NameFailOn::Deny)]
    fail_on: NameFailOn,
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

/// The verdict from which `lockgate name` exits 1.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum NameFailOn {
    /// Fail on `warn` and `deny`.
    #[value(alias = "warning")]
    Warn,
    /// Fail on `deny` only.
    #[value(alias = "error")]
    Deny,
    /// Never fail on verdicts (errors still exit 2).
    Never,
}

#[derive(Serialize)]
struct Doc<'a> {
    schema_version: u32,
    snapshot_date: &'a str,
    names: &'a [NameAnswer],
}

/// Run `lockgate name`. Exit 1 when any verdict reaches `--fail-on`, 0 otherwise.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let eco = parse_ecosystem(&args.ecosystem)?;
    let mut specs = Vec::new();
    for n in &args.names {
        if n == "-" {
            for line in std::io::stdin().lock().lines() {
                let line = line?;
                let t = line.trim();
                if !t.is_empty() && !t.starts_with('#') {
                    specs.push(t.to_string());
                }
            }
        } else {
            specs.push(n.clone());
        }
    }
    let queries = specs
        .iter()
        .map(|s| Query::parse(eco, s))
        .collect::<Result<Vec<_>, _>>()?;
    // The allowlist is optional here: when present, its names are trusted, its
    // known-bad lists are loaded, and the answer says what it approves.
    let list = if args.allowlist.path.exists() {
        Some(lockgate::allowlist::load(&args.allowlist.path)?)
    } else {
        None
    };
    let checker = answer::checker(list.as_ref(), &args.known_bad)?;
    let mut answers = answer::answer(&checker, list.as_ref(), eco, &queries);
    if args.online {
        let client = super::online::client(list.as_ref(), false)?;
        answer::settle_online(&mut answers, &client, lockgate::registry::now())?;
        lockgate::checks::trust::settle_names(&mut answers, list.as_ref(), &client)?;
        lockgate::checks::install_script::settle_names(&mut answers, list.as_ref(), &client)?;
    }
    let out = match args.format {
        NameFormat::Json => {
            let mut s = lockgate::report::escape::json_safe(serde_json::to_string_pretty(&Doc {
                schema_version: 1,
                snapshot_date: checker.snapshot_date(),
                names: &answers,
            })?);
            s.push('\n');
            s
        }
        NameFormat::Human => human(&answers),
    };
    print(&out)?;
    let fail = match args.fail_on {
        NameFailOn::Warn => Some(Verdict::Warn),
        NameFailOn::Deny => Some(Verdict::Deny),
        NameFailOn::Never => None,
    };
    Ok(
        if fail.is_some_and(|f| answers.iter().any(|a| a.verdict >= f)) {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        },
    )
}

fn human(answers: &[NameAnswer]) -> String {
    use lockgate::report::escape::display_safe as safe;
    let label = |a: &NameAnswer| match &a.version {
        Some(v) => {
            let sep = if a.ecosystem == lockgate::lockfile::Ecosystem::Pypi {
                "=="
            } else {
                "@"
            };
            safe(&format!("{}{sep}{v}", a.name)).to_string()
        }
        None => safe(&a.name).to_string(),
    };
    let w = answers
        .iter()
        .map(|a| label(a).chars().count())
        .max()
        .unwrap_or(4)
        .min(40);
    let mut out = String::new();
    for a in answers {
        let verdict = match a.verdict {
            Verdict::Ok => "ok",
            Verdict::Warn => "warn",
            Verdict::Deny => "deny",
        };
        if a.findings.is_empty() {
            out.push_str(&format!("{:w$}  {verdict}\n", label(a)));
            continue;
        }
        for (i, f) in a.findings.iter().enumerate() {
            let head = if i == 0 {
                format!("{:w$}  {verdict:4}", label(a))
            } else {
                " ".repeat(w + 6)
            };
            out.push_str(&format!("{head}  {}: {}\n", f.id, safe(&f.message)));
            if let Some(x) = &f.instead {
                out.push_str(&format!(
                    "{}  use instead: {}\n",
                    " ".repeat(w + 6),
                    safe(x)
                ));
            }
        }
    }
    out
}
