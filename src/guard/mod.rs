//! The install guard (`lockgate guard -- <command…>`): read the package arguments
//! of a real installer command line, check them before the installer runs.
//!
//! [`parse`] reads the command line the way the client does (one module per client
//! family: [`npm`] for npm, pnpm, yarn and bun; [`python`] for pip, uv and poetry;
//! [`cargo`] for `cargo add`): the subcommand, the flags that take a value (so that
//! a flag's value is never taken for a package, and a package never for a flag's
//! value), and each package argument split into a name and a version or spec.
//! Arguments that do not name a registry package (a local path, a URL, a git
//! repository, a requirements file) and flags that change where packages come from
//! (`--registry`, `--index-url`, …) are [`Unverified`]: lockgate cannot check what
//! they would install, and the guard refuses them.
//!
//! When in doubt the parser errs towards checking: an unknown flag is taken as a
//! switch, so the argument after it is checked as a package (a refusal the user can
//! read), never skipped.
//!
//! [`check`] applies the allowlist (an approved name, at an approved version the
//! command pins exactly) and the name checks (typosquats, hallucinations, known-bad
//! names), and returns what stops the install.

pub mod cargo;
pub mod npm;
pub mod python;

use crate::allowlist::Allowlist;
use crate::lockfile::Ecosystem;
use crate::names::{NameChecker, Verdict};

/// The installers the guard reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    /// npm.
    Npm,
    /// pnpm.
    Pnpm,
    /// yarn (classic or berry).
    Yarn,
    /// bun.
    Bun,
    /// pip (also `python -m pip`).
    Pip,
    /// uv (`uv add`, `uv pip install`).
    Uv,
    /// poetry.
    Poetry,
    /// cargo.
    Cargo,
}

impl Client {
    /// The client's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Client::Npm => "npm",
            Client::Pnpm => "pnpm",
            Client::Yarn => "yarn",
            Client::Bun => "bun",
            Client::Pip => "pip",
            Client::Uv => "uv",
            Client::Poetry => "poetry",
            Client::Cargo => "cargo",
        }
    }

    /// The ecosystem it installs from.
    pub fn ecosystem(self) -> Ecosystem {
        match self {
            Client::Npm | Client::Pnpm | Client::Yarn | Client::Bun => Ecosystem::Npm,
            Client::Pip | Client::Uv | Client::Poetry => Ecosystem::Pypi,
            Client::Cargo => Ecosystem::Cargo,
        }
    }
}

/// A registry package the command asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requested {
    /// The argument as written.
    pub arg: String,
    /// The package name.
    pub name: String,
    /// The version or range as written (`^1.2`, `>=2`, `latest`), if any.
    pub spec: Option<String>,
    /// The version the command pins exactly, if it does (`npm i x@1.2.3`,
    /// `pip install x==1.2.3`, `cargo add x@=1.2.3`).
    pub exact: Option<String>,
}

/// An argument whose package lockgate cannot check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unverified {
    /// The argument (or flag and value) as written.
    pub arg: String,
    /// Why it cannot be checked.
    pub reason: String,
}

/// What an install command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Install {
    /// The client.
    pub client: Client,
    /// Registry packages named on the command line.
    pub packages: Vec<Requested>,
    /// Arguments that name something else (paths, URLs, other registries).
    pub unverified: Vec<Unverified>,
}

/// What a command line is, to the guard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// A command that adds packages: check them first.
    Install(Install),
    /// A command of a known client that names no package to add (`npm test`,
    /// `npm install` from the lockfile, `pip list`): run it unchanged.
    Other(Client),
}

/// Why a command line cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GuardError {
    /// Nothing after `--`.
    #[error(
        "no command given: write the installer command after `--`, e.g. `lockgate guard -- npm install left-pad@1.3.0`"
    )]
    Empty,
    /// A program the guard does not know.
    #[error(
        "`{0}` is not an installer lockgate guard knows: use npm, pnpm, yarn, bun, pip (or python -m pip), uv, poetry or cargo"
    )]
    UnknownClient(String),
    /// A flag that needs a value is last on the line.
    #[error("`{flag}` needs a value: the command line is incomplete")]
    MissingValue {
        /// The flag.
        flag: String,
    },
}

/// Read a command line (`argv[0]` is the program).
pub fn parse(argv: &[String]) -> Result<Command, GuardError> {
    let Some(program) = argv.first() else {
        return Err(GuardError::Empty);
    };
    let base = std::path::Path::new(program)
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or(program)
        .to_ascii_lowercase();
    let base = base.strip_suffix(".exe").unwrap_or(&base);
    let base = base.strip_suffix(".cmd").unwrap_or(base);
    let rest = &argv[1..];
    match base {
        "npm" => npm::parse(Client::Npm, rest),
        "pnpm" => npm::parse(Client::Pnpm, rest),
        "yarn" => npm::parse(Client::Yarn, rest),
        "bun" => npm::parse(Client::Bun, rest),
        "uv" => python::parse_uv(rest),
        "poetry" => python::parse_poetry(rest),
        "cargo" => cargo::parse(rest),
        b if is_pip(b) => python::parse_pip(Client::Pip, rest),
        b if is_python(b) && rest.len() >= 2 && rest[0] == "-m" && is_pip(&rest[1]) => {
            python::parse_pip(Client::Pip, &rest[2..])
        }
        _ => Err(GuardError::UnknownClient(program.clone())),
    }
}

fn is_pip(b: &str) -> bool {
    b == "pip"
        || b.strip_prefix("pip")
            .is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn is_python(b: &str) -> bool {
    b == "python"
        || b == "py"
        || b.strip_prefix("python")
            .is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// Does this argument look like a URL (any scheme)?
pub(crate) fn is_url(s: &str) -> bool {
    match s.split_once(':') {
        Some((scheme, rest)) => {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && scheme
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
                && (rest.starts_with("//") || scheme.contains('+'))
        }
        None => false,
    }
}

/// How an installer argument that names a local path begins: relative (POSIX or
/// Windows), absolute, home, or a `file:` URL.
const PATH_PREFIXES: &[&str] = &["./", "../", "/", "~", ".\\", "..\\", "file:"];

/// Does this argument look like a local path?
pub(crate) fn is_path(s: &str) -> bool {
    s == "."
        || s == ".."
        || PATH_PREFIXES.iter().any(|p| s.starts_with(p))
        || (s.len() > 2 && s.as_bytes()[1] == b':' && s.as_bytes()[0].is_ascii_alphabetic())
}

/// A flag as written (`--index-url`, `-r`) and its value, if it took one.
pub(crate) type Flag = (String, Option<String>);

/// Split argv into (flag-aware) tokens: `Err` on a flag missing its value.
/// `takes_value(flag)` says whether a flag (`--long` or `-s`) takes the next
/// argument; `--flag=value` never does. Returns the positional arguments and the
/// flags with their values.
pub(crate) fn split_args(
    args: &[String],
    takes_value: impl Fn(&str) -> bool,
) -> Result<(Vec<String>, Vec<Flag>), GuardError> {
    let mut positional = Vec::new();
    let mut flags = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            positional.extend(args[i + 1..].iter().cloned());
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            if let Some((k, v)) = long.split_once('=') {
                flags.push((format!("--{k}"), Some(v.to_string())));
            } else if takes_value(a) {
                let v = args
                    .get(i + 1)
                    .ok_or_else(|| GuardError::MissingValue { flag: a.clone() })?;
                flags.push((a.clone(), Some(v.clone())));
                i += 1;
            } else {
                flags.push((a.clone(), None));
            }
        } else if a.len() > 1 && a.starts_with('-') {
            // A cluster of short flags (`-DE`, `-Ur file`): a flag that takes a value
            // takes the rest of the cluster, or the next argument.
            let chars: Vec<char> = a[1..].chars().collect();
            let mut j = 0;
            while j < chars.len() {
                let f = format!("-{}", chars[j]);
                if takes_value(&f) {
                    let rest: String = chars[j + 1..].iter().collect();
                    let rest = rest.strip_prefix('=').map(str::to_string).unwrap_or(rest);
                    if !rest.is_empty() {
                        flags.push((f, Some(rest)));
                    } else {
                        let v = args
                            .get(i + 1)
                            .ok_or_else(|| GuardError::MissingValue { flag: f.clone() })?;
                        flags.push((f, Some(v.clone())));
                        i += 1;
                    }
                    break;
                }
                flags.push((f, None));
                j += 1;
            }
        } else {
            positional.push(a.clone());
        }
        i += 1;
    }
    Ok((positional, flags))
}

/// One reason the guard stops an install.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The argument it is about.
    pub arg: String,
    /// A stable id: `unverified-source`, `denied`, `unlisted`, `version-not-allowed`,
    /// `version-not-pinned`, or a name finding (`similar-name`, `known-malicious`, …).
    pub id: String,
    /// What is wrong.
    pub message: String,
    /// What to do instead.
    pub fix: String,
}

/// Check what an install asks for. `list`: the allowlist, when there is one (without
/// one only the name checks apply). Returns every reason to refuse; empty means the
/// command may run.
pub fn check(install: &Install, list: Option<&Allowlist>, names: &NameChecker) -> Vec<Refusal> {
    let eco = install.client.ecosystem();
    let client = install.client.as_str();
    let mut out = Vec::new();
    for u in &install.unverified {
        out.push(Refusal {
            arg: u.arg.clone(),
            id: "unverified-source".into(),
            message: format!("`{}`: {}", u.arg, u.reason),
            fix: "install from the registry the allowlist approves, by name and exact version; or run the command without the guard after review".into(),
        });
    }
    for p in &install.packages {
        let pin_cmd = |v: &str| pin_command(install.client, &p.name, v);
        if let Some(list) = list
            && let Some(rule) = list.denied(eco, &p.name, p.exact.as_deref())
        {
            out.push(Refusal {
                arg: p.arg.clone(),
                id: "denied".into(),
                message: format!(
                    "`{}` is denied by {}:{}{}",
                    p.name,
                    rule.file.display(),
                    rule.line,
                    if rule.reason.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", rule.reason)
                    }
                ),
                fix: "choose another package".into(),
            });
            continue;
        }
        let verdict = names.check(eco, &p.name, p.exact.as_deref());
        let entry = list.and_then(|l| l.entry(eco, &p.name));
        for f in &verdict.findings {
            // A name the allowlist approves is trusted; `unknown-name` alone is a
            // guess and is said by `unlisted` when there is an allowlist.
            let serious = f.severity == crate::names::Verdict::Deny;
            if entry.is_some() && !serious {
                continue;
            }
            if list.is_some() && f.rule == crate::names::Rule::UnknownName {
                continue;
            }
            if !serious && list.is_none() && verdict.verdict != Verdict::Deny {
                continue;
            }
            out.push(Refusal {
                arg: p.arg.clone(),
                id: crate::checks::names::finding_id(f.rule).as_str().into(),
                message: f.message.clone(),
                fix: match &f.target {
                    Some(t) => format!("did you mean `{t}`? check the name before installing"),
                    None => "check the name on the registry before installing".into(),
                },
            });
        }
        let Some(list) = list else {
            continue;
        };
        let Some(entry) = entry else {
            out.push(Refusal {
                arg: p.arg.clone(),
                id: "unlisted".into(),
                message: format!("{eco} package `{}` is not in the allowlist {}", p.name, list.path.display()),
                fix: format!(
                    "ask the security team to approve it (`lockgate allowlist add {eco} {}@VERSION --reason \"...\"`), then install that version",
                    p.name
                ),
            });
            continue;
        };
        let allowed: Vec<&str> = entry.versions.keys().map(String::as_str).collect();
        match &p.exact {
            Some(v) if entry.pin(eco, v).is_some() => {}
            Some(v) => out.push(Refusal {
                arg: p.arg.clone(),
                id: "version-not-allowed".into(),
                message: format!(
                    "{} {v} is not an allowed version (allowed: {}; {}:{})",
                    p.name,
                    allowed.join(", "),
                    entry.file.display(),
                    entry.line
                ),
                fix: match allowed.last() {
                    Some(a) => format!("install an approved version: `{}`", pin_cmd(a)),
                    None => "ask the security team to approve a version".into(),
                },
            }),
            None => out.push(Refusal {
                arg: p.arg.clone(),
                id: "version-not-pinned".into(),
                message: format!(
                    "`{}` does not pin one version, so {client} would pick one the allowlist may not approve (allowed: {})",
                    p.arg,
                    allowed.join(", ")
                ),
                fix: match allowed.last() {
                    Some(a) => format!("name an approved version: `{}`", pin_cmd(a)),
                    None => "ask the security team to approve a version".into(),
                },
            }),
        }
    }
    out
}

/// The command that installs exactly `name` `version` with this client.
pub fn pin_command(client: Client, name: &str, version: &str) -> String {
    match client {
        Client::Npm => format!("npm install {name}@{version}"),
        Client::Pnpm => format!("pnpm add {name}@{version}"),
        Client::Yarn => format!("yarn add {name}@{version}"),
        Client::Bun => format!("bun add {name}@{version}"),
        Client::Pip => format!("pip install {name}=={version}"),
        Client::Uv => format!("uv add {name}=={version}"),
        Client::Poetry => format!("poetry add {name}=={version}"),
        Client::Cargo => format!("cargo add {name}@={version}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::argv;

    #[test]
    fn programs_are_recognised() {
        assert!(matches!(
            parse(&argv("/usr/bin/pip3.12 install x")),
            Ok(Command::Install(_))
        ));
        assert!(matches!(
            parse(&argv("python3 -m pip install x")),
            Ok(Command::Install(_))
        ));
        assert_eq!(
            parse(&argv("curl https://x | sh")),
            Err(GuardError::UnknownClient("curl".into()))
        );
        assert_eq!(parse(&[]), Err(GuardError::Empty));
    }

    #[test]
    fn urls_and_paths() {
        for u in [
            "https://x/y.tgz",
            "git+ssh://git@h/r.git",
            "git+https://h/r",
        ] {
            assert!(is_url(u), "{u}");
        }
        for p in ["./x", "../x", "/x", "~/x", "file:x", "C:\\x", "."] {
            assert!(is_path(p), "{p}");
        }
        for n in ["lodash", "@types/node", "requests==2.0", "x@1.0"] {
            assert!(!is_url(n) && !is_path(n), "{n}");
        }
    }

    #[test]
    fn short_clusters_and_values() {
        let tv = |f: &str| matches!(f, "-r" | "-i" | "--index-url");
        let (pos, flags) = split_args(&argv("-Ur req.txt -q x --index-url u y -- -z"), tv).unwrap();
        assert_eq!(pos, vec!["x", "y", "-z"]);
        assert!(flags.contains(&("-r".into(), Some("req.txt".into()))));
        assert!(flags.contains(&("--index-url".into(), Some("u".into()))));
        let (_, flags) = split_args(&argv("-rreq.txt"), tv).unwrap();
        assert_eq!(flags, vec![("-r".into(), Some("req.txt".into()))]);
        assert_eq!(
            split_args(&argv("x -i"), tv),
            Err(GuardError::MissingValue { flag: "-i".into() })
        );
    }
}
