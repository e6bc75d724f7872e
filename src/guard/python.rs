//! pip, uv and poetry command lines: `pip install X` (also `python -m pip`),
//! `uv add X`, `uv pip install X`, `poetry add X`.
//!
//! Package arguments are PEP 508 requirements (`name[extra]==1.0; marker`); poetry
//! also takes `name@^1.0` and `name@1.0` (exact, as a poetry constraint without an
//! operator is). A requirement is pinned exactly by `==V` (without `*`) or `===V`.
//! `-r`/`--requirement` files, `-e`/`--editable`, `-c`/constraints, paths, URLs and
//! `name @ url` are unverified; so are the flags that change the index
//! (`-i`/`--index-url`, `--extra-index-url`, `-f`/`--find-links`, `--index`,
//! `--default-index`, poetry's `--source`, uv's `--config-file`). pip accepts a
//! unique prefix of a long option (`--extra-index`), so for pip a prefix of an
//! index flag counts as that flag.

use super::{Client, Command, GuardError, Install, Requested, Unverified, is_path, is_url};

const PIP_VALUE: &[&str] = &[
    "--requirement",
    "--constraint",
    "--editable",
    "--target",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--root",
    "--prefix",
    "--src",
    "--upgrade-strategy",
    "--config-settings",
    "--global-option",
    "--no-binary",
    "--only-binary",
    "--progress-bar",
    "--root-user-action",
    "--report",
    "--index-url",
    "--extra-index-url",
    "--find-links",
    "--python",
    "--log",
    "--keyring-provider",
    "--proxy",
    "--retries",
    "--timeout",
    "--exists-action",
    "--trusted-host",
    "--cert",
    "--client-cert",
    "--cache-dir",
    "--use-feature",
    "--use-deprecated",
    "--resume-retries",
    "--group",
    "-r",
    "-c",
    "-e",
    "-t",
    "-C",
    "-i",
    "-f",
    "-b",
];

const UV_VALUE: &[&str] = &[
    "--requirements",
    "--requirement",
    "--constraints",
    "--constraint",
    "--overrides",
    "--override",
    "--editable",
    "--group",
    "--optional",
    "--extra",
    "--package",
    "--script",
    "--tag",
    "--branch",
    "--rev",
    "--marker",
    "--bounds",
    "--python",
    "--directory",
    "--project",
    "--config-file",
    "--cache-dir",
    "--color",
    "--index",
    "--default-index",
    "--index-url",
    "--extra-index-url",
    "--find-links",
    "--index-strategy",
    "--keyring-provider",
    "--resolution",
    "--prerelease",
    "--fork-strategy",
    "--exclude-newer",
    "--link-mode",
    "--upgrade-package",
    "--reinstall-package",
    "--no-binary-package",
    "--no-build-package",
    "--config-setting",
    "--allow-insecure-host",
    "--refresh-package",
    "--target",
    "--prefix",
    "--python-platform",
    "--python-version",
    "--torch-backend",
    "-r",
    "-c",
    "-e",
    "-m",
    "-p",
    "-i",
    "-f",
    "-P",
    "-C",
];

const POETRY_VALUE: &[&str] = &[
    "--group",
    "--extras",
    "--python",
    "--platform",
    "--source",
    "--directory",
    "--project",
    "--markers",
    "-G",
    "-E",
    "-C",
    "-P",
];

/// Flags whose value is a file or project the client reads packages from.
const FILE_FLAGS: &[&str] = &[
    "--requirement",
    "--requirements",
    "--constraint",
    "--constraints",
    "--editable",
    "--override",
    "--overrides",
    "-r",
    "-c",
    "-e",
];

/// Flags that change the index or the configuration.
const SOURCE_FLAGS: &[&str] = &[
    "--index-url",
    "--extra-index-url",
    "--find-links",
    "--index",
    "--default-index",
    "--source",
    "--config-file",
    "--trusted-host",
    "--allow-insecure-host",
    "-i",
    "-f",
];

/// Read a pip command line (without the program).
pub fn parse_pip(client: Client, args: &[String]) -> Result<Command, GuardError> {
    let (positional, flags) = super::split_args(args, |f| PIP_VALUE.contains(&f))?;
    if positional.first().map(String::as_str) != Some("install") {
        return Ok(Command::Other(client));
    }
    Ok(build(client, &positional[1..], &flags, true, false))
}

/// Read a uv command line: `uv add …`, `uv pip install …`.
pub fn parse_uv(args: &[String]) -> Result<Command, GuardError> {
    let (positional, flags) = super::split_args(args, |f| UV_VALUE.contains(&f))?;
    let specs = match (
        positional.first().map(String::as_str),
        positional.get(1).map(String::as_str),
    ) {
        (Some("add"), _) => &positional[1..],
        (Some("pip"), Some("install")) => &positional[2..],
        _ => return Ok(Command::Other(Client::Uv)),
    };
    Ok(build(Client::Uv, specs, &flags, false, false))
}

/// Read a poetry command line: `poetry add …`.
pub fn parse_poetry(args: &[String]) -> Result<Command, GuardError> {
    let (positional, flags) = super::split_args(args, |f| POETRY_VALUE.contains(&f))?;
    if positional.first().map(String::as_str) != Some("add") {
        return Ok(Command::Other(Client::Poetry));
    }
    Ok(build(Client::Poetry, &positional[1..], &flags, false, true))
}

fn build(
    client: Client,
    specs: &[String],
    flags: &[super::Flag],
    prefixes: bool,
    poetry: bool,
) -> Command {
    let mut install = Install {
        client,
        packages: Vec::new(),
        unverified: Vec::new(),
    };
    let is = |f: &str, list: &[&str]| {
        list.contains(&f)
            || (prefixes
                && f.starts_with("--")
                && f.len() >= 5
                && list.iter().any(|l| l.starts_with("--") && l.starts_with(f)))
    };
    for (f, v) in flags {
        let arg = match v {
            Some(v) => format!("{f} {v}"),
            None => f.clone(),
        };
        if is(f, FILE_FLAGS) {
            install.unverified.push(Unverified {
                arg,
                reason: "installs what a file or local project names: check it with `lockgate check` (a requirements file) or review it".into(),
            });
        } else if is(f, SOURCE_FLAGS) {
            install.unverified.push(Unverified {
                arg,
                reason: "changes the package index, so the packages may come from anywhere".into(),
            });
        }
    }
    if specs.is_empty() && install.unverified.is_empty() {
        return Command::Other(client);
    }
    for s in specs {
        match spec(s, poetry) {
            Ok(r) => install.packages.push(r),
            Err(reason) => install.unverified.push(Unverified {
                arg: s.clone(),
                reason,
            }),
        }
    }
    Command::Install(install)
}

fn name_len(s: &str) -> usize {
    s.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        .unwrap_or(s.len())
}

/// One requirement argument: a registry package, or why it is not one.
pub fn spec(arg: &str, poetry: bool) -> Result<Requested, String> {
    let t = arg.trim();
    if is_url(t) || is_path(t) {
        return Err(
            "a URL, VCS reference or local path: lockgate cannot check what it holds".into(),
        );
    }
    let lower = t.to_ascii_lowercase();
    if [".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        return Err("a distribution file: lockgate cannot check what it holds".into());
    }
    let n = name_len(t);
    let name = &t[..n];
    if name.is_empty()
        || !name.starts_with(|c: char| c.is_ascii_alphanumeric())
        || !name.ends_with(|c: char| c.is_ascii_alphanumeric())
    {
        return Err(
            "not a requirement lockgate can read (expected NAME, NAME==VERSION, NAME[extra]>=V)"
                .into(),
        );
    }
    let mut rest = t[n..].trim_start();
    if let Some(after) = rest.strip_prefix('[') {
        let Some(close) = after.find(']') else {
            return Err("an extras list without `]`".into());
        };
        rest = after[close + 1..].trim_start();
    }
    let rest = rest.split(';').next().unwrap_or("").trim();
    if rest.contains('/') || rest.contains("://") {
        return Err(
            "a direct reference (`name @ url`): lockgate cannot check what it holds".into(),
        );
    }
    let spec = if poetry {
        rest.strip_prefix('@').unwrap_or(rest).trim()
    } else if rest.starts_with('@') {
        return Err(
            "a direct reference (`name @ url`): lockgate cannot check what it holds".into(),
        );
    } else {
        rest
    };
    if !spec.is_empty()
        && !spec.starts_with(['=', '<', '>', '!', '~', '^'])
        && !(poetry && (spec.starts_with(|c: char| c.is_ascii_digit()) || spec == "latest"))
    {
        return Err(format!(
            "`{spec}` is not a version specifier lockgate can read"
        ));
    }
    let exact = if let Some(v) = spec.strip_prefix("===") {
        Some(v.trim().to_string())
    } else if let Some(v) = spec.strip_prefix("==") {
        let v = v.trim();
        (!v.contains('*') && !v.contains(',')).then(|| v.to_string())
    } else if poetry
        && spec.starts_with(|c: char| c.is_ascii_digit())
        && !spec.contains([',', '*', ' '])
    {
        Some(spec.to_string())
    } else {
        None
    };
    Ok(Requested {
        arg: arg.to_string(),
        name: name.to_string(),
        spec: (!spec.is_empty()).then(|| spec.to_string()),
        exact,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::argv;

    fn install(c: Command) -> Install {
        match c {
            Command::Install(i) => i,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn requirements() {
        let r = spec("Requests[socks]==2.31.0; python_version>'3'", false).unwrap();
        assert_eq!(
            (r.name.as_str(), r.exact.as_deref()),
            ("Requests", Some("2.31.0"))
        );
        assert_eq!(spec("x>=1,<2", false).unwrap().exact, None);
        assert_eq!(spec("x==1.*", false).unwrap().exact, None);
        assert!(spec("x @ https://h/x.whl", false).is_err());
        assert!(spec("./pkg", false).is_err());
        assert!(spec("pkg-1.0-py3-none-any.whl", false).is_err());
        assert!(spec("git+https://h/r", false).is_err());
        assert_eq!(
            spec("pendulum@2.0.5", true).unwrap().exact.as_deref(),
            Some("2.0.5")
        );
        assert_eq!(spec("pendulum@^2.0", true).unwrap().exact, None);
    }

    #[test]
    fn pip_flags() {
        let i = install(
            parse_pip(
                Client::Pip,
                &argv("install -q --upgrade -t out --extra-index https://evil x==1 -Ur req.txt y"),
            )
            .unwrap(),
        );
        assert_eq!(
            i.packages
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>(),
            vec!["x", "y"]
        );
        // `--extra-index` (a prefix pip accepts), the URL after it (taken as an
        // argument, not hidden as a value) and `-r` are unverified.
        assert_eq!(i.unverified.len(), 3, "{:?}", i.unverified);
        assert_eq!(
            parse_pip(Client::Pip, &argv("list")).unwrap(),
            Command::Other(Client::Pip)
        );
    }

    #[test]
    fn uv_and_poetry() {
        let i = install(parse_uv(&argv("add --group dev ruff==0.6.0 --index https://x")).unwrap());
        assert_eq!(i.packages[0].exact.as_deref(), Some("0.6.0"));
        assert_eq!(i.unverified.len(), 1);
        let i = install(parse_uv(&argv("pip install -p 3.12 flask")).unwrap());
        assert_eq!(i.packages[0].name, "flask");
        let i = install(parse_poetry(&argv("add -G dev pytest@^8 --source corp")).unwrap());
        assert_eq!(i.packages[0].name, "pytest");
        assert_eq!(i.unverified.len(), 1);
    }
}
