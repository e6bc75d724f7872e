//! `cargo add` command lines.
//!
//! `cargo add NAME`, `NAME@REQ`; only `NAME@=VERSION` pins one version (a bare
//! `NAME@1.2.3` is the requirement `^1.2.3`, which cargo resolves to the newest
//! compatible release). `--git`, `--path`, `--registry`, `--base` and `--config`
//! (before or after `add`) make the command unverified. Cargo's own options before
//! the subcommand (`+toolchain`, `-Z`, `-C DIR`, `--config`) are read too.

use super::{Client, Command, GuardError, Install, Requested, Unverified};

const VALUE: &[&str] = &[
    "--features",
    "--rename",
    "--package",
    "--manifest-path",
    "--target",
    "--branch",
    "--tag",
    "--rev",
    "--git",
    "--path",
    "--registry",
    "--base",
    "--config",
    "--color",
    "--lockfile-path",
    "-F",
    "-p",
    "-Z",
    "-C",
];

const SOURCE: &[&str] = &["--git", "--path", "--registry", "--base", "--config"];

/// Read a cargo command line (without the program).
pub fn parse(args: &[String]) -> Result<Command, GuardError> {
    let (positional, flags) = super::split_args(args, |f| VALUE.contains(&f))?;
    let positional: Vec<&String> = positional.iter().filter(|p| !p.starts_with('+')).collect();
    if positional.first().map(|s| s.as_str()) != Some("add") {
        return Ok(Command::Other(Client::Cargo));
    }
    let mut install = Install {
        client: Client::Cargo,
        packages: Vec::new(),
        unverified: Vec::new(),
    };
    for (f, v) in &flags {
        if SOURCE.contains(&f.as_str()) {
            install.unverified.push(Unverified {
                arg: match v {
                    Some(v) => format!("{f} {v}"),
                    None => f.clone(),
                },
                reason: "takes the crate from git, a path, another registry or other configuration"
                    .into(),
            });
        }
    }
    for s in &positional[1..] {
        let (name, req) = match s.split_once('@') {
            Some((n, r)) => (n, Some(r)),
            None => (s.as_str(), None),
        };
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            install.unverified.push(Unverified {
                arg: s.to_string(),
                reason: "not a crate name".into(),
            });
            continue;
        }
        let exact = req
            .and_then(|r| r.trim().strip_prefix('='))
            .and_then(|v| semver::Version::parse(v.trim()).ok())
            .map(|v| v.to_string());
        install.packages.push(Requested {
            arg: s.to_string(),
            name: name.to_string(),
            spec: req.map(str::to_string),
            exact,
        });
    }
    if install.packages.is_empty() && install.unverified.is_empty() {
        return Ok(Command::Other(Client::Cargo));
    }
    Ok(Command::Install(install))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::argv;

    #[test]
    fn cargo_add() {
        let Command::Install(i) = parse(&argv(
            "+nightly add -F derive serde@=1.0.219 anyhow@1 --git https://x y",
        ))
        .unwrap() else {
            panic!()
        };
        let got: Vec<(&str, Option<&str>)> = i
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.exact.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![("serde", Some("1.0.219")), ("anyhow", None), ("y", None)]
        );
        assert_eq!(i.unverified.len(), 1);
        assert_eq!(
            parse(&argv("build")).unwrap(),
            Command::Other(Client::Cargo)
        );
    }
}
