//! npm, pnpm, yarn and bun command lines: `npm install|i|add X`, `pnpm add X`,
//! `yarn add X` (also `yarn global add`, `yarn workspace W add`), `bun add X`.
//!
//! The flags that take a value are the client's own: for npm, every option that
//! `@npmcli/config`'s definitions type as something other than a boolean, and its
//! shorthands (`-w`, `-C`, `-L`, `-c`, `-m`, `--reg`). A flag not listed is a
//! switch, as npm's option parser (nopt) treats an unknown flag, so the argument
//! after it is checked as a package. Flags that change the registry or load another
//! configuration (`--registry`, `--@scope:registry`, `--userconfig`, bun's
//! `--config`) make the command unverified.

use super::{Client, Command, GuardError, Install, Requested, Unverified, is_path, is_url};

/// npm options that take a value (npm 11 `@npmcli/config` definitions).
const NPM_VALUE: &[&str] = &[
    "_auth",
    "access",
    "allow-directory",
    "allow-file",
    "allow-git",
    "allow-remote",
    "allow-scripts",
    "also",
    "audit-level",
    "auth-type",
    "before",
    "ca",
    "cache",
    "cache-max",
    "cache-min",
    "cafile",
    "call",
    "cert",
    "cidr",
    "cpu",
    "depth",
    "diff",
    "diff-dst-prefix",
    "diff-src-prefix",
    "diff-unified",
    "editor",
    "expect-result-count",
    "expires",
    "fetch-retries",
    "fetch-retry-factor",
    "fetch-retry-maxtimeout",
    "fetch-retry-mintimeout",
    "fetch-timeout",
    "git",
    "globalconfig",
    "heading",
    "https-proxy",
    "include",
    "init-author-email",
    "init-author-name",
    "init-author-url",
    "init-license",
    "init-module",
    "init-type",
    "init-version",
    "install-strategy",
    "key",
    "libc",
    "local-address",
    "location",
    "lockfile-version",
    "loglevel",
    "logs-dir",
    "logs-max",
    "maxsockets",
    "message",
    "min-release-age",
    "min-release-age-exclude",
    "node-gyp",
    "node-options",
    "noproxy",
    "omit",
    "only",
    "orgs",
    "os",
    "otp",
    "package",
    "pack-destination",
    "packages",
    "prefix",
    "preid",
    "provenance-file",
    "proxy",
    "registry",
    "replace-registry-host",
    "save-prefix",
    "sbom-format",
    "sbom-type",
    "scope",
    "script-shell",
    "shell",
    "tag",
    "tag-version-prefix",
    "umask",
    "user-agent",
    "userconfig",
    "viewer",
    "which",
    "workspace",
    "reg",
];

/// npm shorthands that stand for an option with a value.
const NPM_SHORT_VALUE: &[char] = &['w', 'C', 'L', 'c', 'm'];

const PNPM_VALUE: &[&str] = &[
    "filter",
    "dir",
    "registry",
    "reporter",
    "loglevel",
    "modules-dir",
    "virtual-store-dir",
    "store-dir",
    "lockfile-dir",
    "global-dir",
    "cache-dir",
    "network-concurrency",
    "child-concurrency",
    "node-linker",
    "package-import-method",
    "workspace-concurrency",
];
const PNPM_SHORT_VALUE: &[char] = &['F', 'C'];

const YARN_VALUE: &[&str] = &[
    "mode",
    "cwd",
    "registry",
    "modules-folder",
    "cache-folder",
    "network-timeout",
    "mutex",
];
const YARN_SHORT_VALUE: &[char] = &[];

const BUN_VALUE: &[&str] = &[
    "cwd",
    "registry",
    "cache-dir",
    "backend",
    "ca",
    "cafile",
    "network-concurrency",
    "omit",
    "filter",
    "concurrent-scripts",
    "linker",
    "minimum-release-age",
];
const BUN_SHORT_VALUE: &[char] = &[];

/// Flags that change where packages come from, or load configuration that can.
fn changes_source(client: Client, flag: &str) -> bool {
    let f = flag.trim_start_matches('-');
    matches!(f, "registry" | "reg" | "userconfig" | "globalconfig")
        || f.ends_with(":registry")
        || (client == Client::Bun && (f == "config" || flag == "-c"))
        || (client == Client::Npm && f == "replace-registry-host")
}

fn takes_value(client: Client, flag: &str) -> bool {
    let (long, short) = match client {
        Client::Npm => (NPM_VALUE, NPM_SHORT_VALUE),
        Client::Pnpm => (PNPM_VALUE, PNPM_SHORT_VALUE),
        Client::Yarn => (YARN_VALUE, YARN_SHORT_VALUE),
        _ => (BUN_VALUE, BUN_SHORT_VALUE),
    };
    if let Some(l) = flag.strip_prefix("--") {
        return long.contains(&l) || l.ends_with(":registry");
    }
    let mut cs = flag.chars().skip(1);
    match (cs.next(), cs.next()) {
        (Some(c), None) => short.contains(&c),
        _ => false,
    }
}

fn is_install(client: Client, sub: &str) -> bool {
    match client {
        Client::Npm => matches!(
            sub,
            "install"
                | "i"
                | "add"
                | "in"
                | "ins"
                | "inst"
                | "insta"
                | "instal"
                | "isnt"
                | "isnta"
                | "isntal"
                | "isntall"
                | "install-test"
                | "it"
        ),
        Client::Pnpm => matches!(sub, "add" | "install" | "i"),
        Client::Yarn => sub == "add",
        _ => matches!(sub, "add" | "a" | "install" | "i"),
    }
}

/// Read an npm, pnpm, yarn or bun command line (without the program).
pub fn parse(client: Client, args: &[String]) -> Result<Command, GuardError> {
    let (positional, flags) = super::split_args(args, |f| takes_value(client, f))?;
    // The subcommand, past `yarn global` and `yarn workspace NAME`.
    let mut at = 0;
    if client == Client::Yarn {
        match positional.first().map(String::as_str) {
            Some("global") => at = 1,
            Some("workspace") => at = 2,
            _ => {}
        }
    }
    let Some(sub) = positional.get(at) else {
        return Ok(Command::Other(client));
    };
    if !is_install(client, sub) {
        return Ok(Command::Other(client));
    }
    let specs = &positional[at + 1..];
    if specs.is_empty() {
        // Installs what the manifest and lockfile say: `lockgate check` covers that.
        return Ok(Command::Other(client));
    }
    let mut install = Install {
        client,
        packages: Vec::new(),
        unverified: Vec::new(),
    };
    for (f, v) in &flags {
        if changes_source(client, f) {
            install.unverified.push(Unverified {
                arg: match v {
                    Some(v) => format!("{f} {v}"),
                    None => f.clone(),
                },
                reason: "changes the registry or the configuration the client reads, so the packages may come from anywhere".into(),
            });
        }
    }
    for s in specs {
        match spec(s) {
            Ok(r) => install.packages.push(r),
            Err(reason) => install.unverified.push(Unverified {
                arg: s.clone(),
                reason,
            }),
        }
    }
    Ok(Command::Install(install))
}

/// The version a spec pins exactly (`1.2.3`, `=1.2.3`, `v1.2.3`), if it does.
fn exact(spec: &str) -> Option<String> {
    let t = spec.trim();
    let t = t.strip_prefix('=').unwrap_or(t).trim();
    let t = t.strip_prefix('v').unwrap_or(t);
    semver::Version::parse(t).ok().map(|v| v.to_string())
}

/// One package argument: a registry package, or why it is not one.
pub fn spec(arg: &str) -> Result<Requested, String> {
    if is_url(arg) || arg.starts_with("git:") || arg.starts_with("git@") {
        return Err("a URL or git repository: lockgate cannot check what it holds".into());
    }
    if is_path(arg) {
        return Err("a local folder or file: lockgate cannot check what it holds".into());
    }
    let lower = arg.to_ascii_lowercase();
    if lower.ends_with(".tgz") || lower.ends_with(".tar.gz") || lower.ends_with(".tar") {
        return Err("a tarball: lockgate cannot check what it holds".into());
    }
    if let Some((proto, _)) = arg.split_once(':')
        && !proto.contains('@')
        && !proto.contains('/')
    {
        return Err(format!(
            "`{proto}:` is not a registry package (git host, workspace, link or file)"
        ));
    }
    let (name, spec) = match arg[1.min(arg.len())..].find('@') {
        Some(i) => (&arg[..i + 1], Some(&arg[i + 2..])),
        None => (arg, None),
    };
    if name.contains('/') && !name.starts_with('@') {
        return Err(
            "GitHub shorthand (`owner/repo`): a git repository, not a registry package".into(),
        );
    }
    if name.is_empty() || name.matches('/').count() > 1 {
        return Err("not a package name".into());
    }
    if let Some(s) = spec {
        if let Some(real) = s.strip_prefix("npm:") {
            // An alias (`alias@npm:real@1.0.0`): the real package is what installs.
            let mut r = self::spec(real)?;
            r.arg = arg.to_string();
            return Ok(r);
        }
        if s.contains(':') || s.contains('/') {
            return Err(format!(
                "`{s}` is not a registry version (a git, file, link or workspace reference)"
            ));
        }
    }
    Ok(Requested {
        arg: arg.to_string(),
        name: name.to_string(),
        spec: spec.map(str::to_string),
        exact: spec.and_then(exact),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::argv;

    fn install(client: Client, s: &str) -> Install {
        match parse(client, &argv(s)).unwrap() {
            Command::Install(i) => i,
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn names_versions_and_flags() {
        let i = install(
            Client::Npm,
            "--loglevel warn install -D --tag next lodash@4.17.21 @types/node@^20 -w web chalk",
        );
        let got: Vec<(&str, Option<&str>, Option<&str>)> = i
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.spec.as_deref(), p.exact.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("lodash", Some("4.17.21"), Some("4.17.21")),
                ("@types/node", Some("^20"), None),
                ("chalk", None, None),
            ]
        );
        assert!(i.unverified.is_empty());
    }

    #[test]
    fn unknown_flags_do_not_hide_packages() {
        // `--frobnicate` is unknown: a switch, so `evil` is checked.
        let i = install(Client::Npm, "i --frobnicate evil");
        assert_eq!(i.packages[0].name, "evil");
        // pnpm's -w is --workspace-root, a switch.
        let i = install(Client::Pnpm, "add -w evil");
        assert_eq!(i.packages[0].name, "evil");
    }

    #[test]
    fn other_sources_are_unverified() {
        let i = install(
            Client::Npm,
            "install --registry=https://evil.example ./local x/y github:a/b https://h/p.tgz foo.tgz git+ssh://git@h/r.git w@workspace:* ok@npm:lodash@4.17.21",
        );
        assert_eq!(i.unverified.len(), 8, "{:?}", i.unverified);
        assert_eq!(i.packages.len(), 1);
        assert_eq!(i.packages[0].name, "lodash");
        assert_eq!(i.packages[0].exact.as_deref(), Some("4.17.21"));
        let i = install(Client::Npm, "i --@corp:registry https://x y");
        assert_eq!(i.unverified.len(), 1);
        assert_eq!(i.packages[0].name, "y");
        let i = install(Client::Bun, "add -c evil.toml y");
        assert_eq!(i.unverified.len(), 1, "{:?}", i);
    }

    #[test]
    fn subcommands() {
        assert_eq!(
            parse(Client::Npm, &argv("test")).unwrap(),
            Command::Other(Client::Npm)
        );
        assert_eq!(
            parse(Client::Npm, &argv("ci")).unwrap(),
            Command::Other(Client::Npm)
        );
        assert_eq!(
            parse(Client::Npm, &argv("install")).unwrap(),
            Command::Other(Client::Npm)
        );
        let i = install(Client::Yarn, "workspace web add left-pad@1.3.0");
        assert_eq!(i.packages[0].name, "left-pad");
        let i = install(Client::Yarn, "global add x");
        assert_eq!(i.packages[0].name, "x");
        let i = install(Client::Bun, "add --cwd d x@1.0.0");
        assert_eq!(i.packages[0].exact.as_deref(), Some("1.0.0"));
    }
}
