//! The adversarial suite: each folder of `tests/adversarial/` is a repository as an
//! attacker with a pull request would write it (everything but the security
//! team's allowlist.toml), described by its `case.toml`. See
//! `tests/adversarial/README.md` and docs/threat-model.md.
//!
//! Two halves per case:
//!
//! - **lockgate** (always, offline): `lockgate check` on the repository must exit
//!   with one of the case's `exit` codes (never 0) and, when the case names a
//!   `finding`, report it (at least `finding_count` times).
//! - **installer** (when `LOCKGATE_ADVERSARIAL_INSTALLERS=1`): the real installer
//!   (npm, yarn 1, pip, uv, cargo, …) runs on the same repository against a file
//!   server on 127.0.0.1 started here, and must fetch the attacker's artifact and
//!   install it. That proves the case is a real bypass and not a lockgate quirk.
//!   A case whose `installer.refuses` is set is the other half of the promise: a
//!   file the installer refuses (e.g. a key written twice), which lockgate must
//!   refuse too instead of reading one of its values; there the installer must
//!   fail, name the same place, and install nothing.
//!   Tools are looked up in `LOCKGATE_ADVERSARIAL_TOOLS` (a folder of executables
//!   named after `installer.tool`, as `.ci/run` makes it), then on `PATH`.
//!
//! In the repository files `{{SERVER}}` stands for the server's base URL and
//! `{{HOSTPORT}}` for its `host:port` (the lockgate half uses 127.0.0.1:4873 and
//! starts no server).

// A test may report what it measured or skipped.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod support;
use support::git;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

/// Cases whose fix is on another branch (named in the case's `fix_branch`): the
/// lockgate half is reported, not asserted, until the lead merges that branch and
/// empties this list. The installer half is asserted for every case.
const OPEN_UNTIL_MERGE: &[&str] = &[];

/// What the lockgate half sees instead of a server.
const OFFLINE_SERVER: &str = "127.0.0.1:4873";

#[derive(serde::Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Case {
    description: String,
    issue_cases: Vec<u32>,
    #[serde(default)]
    fix_branch: Option<String>,
    exit: Vec<i32>,
    #[serde(default)]
    finding: Option<String>,
    #[serde(default = "one")]
    finding_count: usize,
    /// The lockfile line the `finding` must be reported at.
    #[serde(default)]
    line: Option<u64>,
    #[serde(default)]
    git: bool,
    #[serde(default)]
    outputs_escaped: bool,
    #[serde(default)]
    installer: Option<Installer>,
}

fn one() -> usize {
    1
}

#[derive(serde::Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Installer {
    tool: String,
    args: Vec<String>,
    /// The request path the server must see ("" when nothing is fetched).
    fetches: String,
    /// A file (or folder) the install must leave, relative to the repository.
    installed: String,
    /// What the real installer did when the case was confirmed by hand.
    confirmed: String,
    /// The installer must refuse the repository (fail, install nothing), and its
    /// output must contain this text (e.g. the line it names).
    #[serde(default)]
    refuses: Option<String>,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/adversarial")
}

fn cases() -> Vec<(String, Case)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(root()).unwrap() {
        let e = e.unwrap();
        let file = e.path().join("case.toml");
        if !file.exists() {
            continue;
        }
        let name = e.file_name().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&file).unwrap();
        let case: Case = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        out.push((name, case));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Copy `from` to `to`, writing `hostport` for the placeholders in text files.
fn copy_repo(from: &Path, to: &Path, hostport: &str) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_repo(&e.path(), &dest, hostport);
            continue;
        }
        let bytes = std::fs::read(e.path()).unwrap();
        match String::from_utf8(bytes) {
            Ok(text) if text.contains("{{") => {
                let text = text
                    .replace("{{SERVER}}", &format!("http://{hostport}"))
                    .replace("{{HOSTPORT}}", hostport);
                std::fs::write(dest, text).unwrap();
            }
            Ok(text) => std::fs::write(dest, text).unwrap(),
            Err(e) => std::fs::write(dest, e.into_bytes()).unwrap(),
        }
    }
}

fn lockgate(dir: &Path, args: &[&str]) -> std::process::Output {
    support::lockgate()
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// The lockgate half of one case: `Ok` or what went wrong.
fn run_lockgate(name: &str, case: &Case) -> Result<(), String> {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    copy_repo(&root().join(name).join("repo"), &repo, OFFLINE_SERVER);
    if case.git {
        git(&repo, &["init", "-q"]);
        git(&repo, &["add", "-f", "."]);
        git(&repo, &["commit", "-q", "-m", "attacker"]);
    }
    let out = lockgate(
        &repo,
        &[
            "check",
            "--allowlist",
            "allowlist.toml",
            "--offline",
            "--format",
            "json",
            ".",
        ],
    );
    let code = out.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if code == 0 || !case.exit.contains(&code) {
        return Err(format!(
            "exit {code}, expected one of {:?}\nstdout: {stdout}\nstderr: {stderr}",
            case.exit
        ));
    }
    if let Some(id) = &case.finding {
        let doc: serde_json::Value = serde_json::from_str(&stdout)
            .map_err(|e| format!("not JSON ({e}): {stdout}\nstderr: {stderr}"))?;
        let n = doc["findings"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|f| f["id"] == id.as_str())
                    .filter(|f| case.line.is_none_or(|l| f["line"] == l))
                    .count()
            })
            .unwrap_or(0);
        if n < case.finding_count {
            return Err(format!(
                "{n} `{id}` finding(s) (at line {:?}), expected at least {}: {stdout}",
                case.line, case.finding_count
            ));
        }
    }
    if case.outputs_escaped {
        let mut runs: Vec<Vec<&str>> = ["human", "json", "github", "markdown", "sarif"]
            .iter()
            .map(|f| vec!["check", "--allowlist", "allowlist.toml", "--format", f, "."])
            .collect();
        runs.push(vec!["packages", "."]);
        runs.push(vec![
            "allowlist",
            "suggest",
            "--allowlist",
            "allowlist.toml",
            ".",
        ]);
        for args in runs {
            let out = lockgate(&repo, &args);
            let text = String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr);
            if let Some(c) = text
                .chars()
                .find(|&c| c != '\n' && lockgate::report::escape::is_unsafe(c))
            {
                return Err(format!(
                    "`lockgate {}` printed U+{:04X} raw:\n{text:?}",
                    args.join(" "),
                    c as u32
                ));
            }
        }
    }
    Ok(())
}

#[test]
fn lockgate_refuses_every_case() {
    let cases = cases();
    assert!(cases.len() >= 14, "the suite lost cases: {}", cases.len());
    let mut failures = Vec::new();
    for (name, case) in &cases {
        let open = OPEN_UNTIL_MERGE.contains(&name.as_str());
        match (run_lockgate(name, case), open) {
            (Ok(()), false) => eprintln!("ok      {name} (issue cases {:?})", case.issue_cases),
            (Ok(()), true) => eprintln!(
                "ok      {name}: caught although listed in OPEN_UNTIL_MERGE; remove it from the list"
            ),
            (Err(e), true) => eprintln!(
                "SKIPPED {name}: the fix is on branch `{}` (OPEN_UNTIL_MERGE); lockgate: {}",
                case.fix_branch.as_deref().unwrap_or("?"),
                e.lines().next().unwrap_or("")
            ),
            (Err(e), false) => failures.push(format!("{name}: {}\n  {e}", case.description)),
        }
    }
    for name in OPEN_UNTIL_MERGE {
        assert!(
            cases.iter().any(|(n, _)| n == name),
            "OPEN_UNTIL_MERGE names a case that does not exist: {name}"
        );
    }
    assert!(
        failures.is_empty(),
        "lockgate passed (or failed wrongly) where the installer installs an unapproved artifact:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_case_is_described_and_every_case_of_issue_18_is_covered() {
    let cases = cases();
    let mut covered = std::collections::BTreeSet::new();
    for (name, case) in &cases {
        assert!(!case.description.trim().is_empty(), "{name}");
        assert!(!case.exit.contains(&0), "{name}: exit 0 is never expected");
        assert!(
            case.fix_branch.is_some() || !OPEN_UNTIL_MERGE.contains(&name.as_str()),
            "{name}: an open case names the branch of its fix"
        );
        if let Some(i) = &case.installer {
            assert!(
                !i.confirmed.trim().is_empty(),
                "{name}: say what the installer did"
            );
        }
        covered.extend(case.issue_cases.iter().copied());
    }
    for n in 1..=13 {
        assert!(
            covered.contains(&n),
            "issue 18 case {n} has no adversarial case"
        );
    }
}

/// A file server on 127.0.0.1 that records the paths asked for.
struct Server {
    hostport: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(dir: PathBuf) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let hostport = listener.local_addr().unwrap().to_string();
        let log = Arc::new(Mutex::new(Vec::new()));
        let log2 = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let dir = dir.clone();
                let log = log2.clone();
                std::thread::spawn(move || serve(stream, &dir, &log));
            }
        });
        Server { hostport, log }
    }
}

fn serve(stream: std::net::TcpStream, dir: &Path, log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut request = String::new();
        if reader.read_line(&mut request).unwrap_or(0) == 0 {
            return;
        }
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" || h == "\n" {
                break;
            }
        }
        let mut parts = request.split_whitespace();
        let method = parts.next().unwrap_or("");
        let target = parts.next().unwrap_or("/");
        let path = target.split(['?', '#']).next().unwrap_or("/").to_string();
        log.lock().unwrap().push(path.clone());
        let mut file = dir.join(path.trim_start_matches('/'));
        if path.contains("..") {
            file = dir.join("\0");
        }
        if file.is_dir() {
            file = file.join("index.html");
        }
        let (status, body) = match std::fs::read(&file) {
            Ok(b) => ("200 OK", b),
            Err(_) => ("404 Not Found", b"not found\n".to_vec()),
        };
        let ctype = if file.extension().is_some_and(|e| e == "html") {
            "text/html"
        } else {
            "application/octet-stream"
        };
        let head = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: keep-alive\r\n\r\n",
            body.len()
        );
        let ok = stream.write_all(head.as_bytes()).is_ok()
            && (method == "HEAD" || stream.write_all(&body).is_ok());
        if !ok {
            return;
        }
    }
}

/// The command that runs an installer, or `None` when it is not installed.
fn tool(name: &str) -> Option<Command> {
    if let Some(dir) = std::env::var_os("LOCKGATE_ADVERSARIAL_TOOLS") {
        let p = Path::new(&dir).join(name);
        if p.exists() {
            return Some(Command::new(p));
        }
    }
    let (program, pre): (&str, &[&str]) = match name {
        "pip" => ("python3", &["-m", "pip"]),
        "yarn1" | "yarn4" => return None,
        other => (other, &[]),
    };
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
        .unwrap_or(false);
    found.then(|| {
        let mut c = Command::new(program);
        c.args(pre);
        c
    })
}

#[test]
fn the_real_installers_install_what_the_allowlist_does_not_approve() {
    let enabled = std::env::var("LOCKGATE_ADVERSARIAL_INSTALLERS").is_ok_and(|v| v == "1");
    if !enabled {
        eprintln!(
            "SKIPPED the installer half: set LOCKGATE_ADVERSARIAL_INSTALLERS=1 (and LOCKGATE_ADVERSARIAL_TOOLS, see .ci/run) to run npm, yarn, pip, uv and cargo on each case"
        );
        return;
    }
    let only = std::env::var("LOCKGATE_ADVERSARIAL_ONLY").ok();
    let mut failures = Vec::new();
    let mut ran: BTreeMap<String, usize> = BTreeMap::new();
    for (name, case) in cases() {
        let Some(inst) = &case.installer else {
            continue;
        };
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let Some(mut cmd) = tool(&inst.tool) else {
            failures.push(format!("{name}: installer `{}` not found", inst.tool));
            continue;
        };
        let serve_dir = root().join(&name).join("serve");
        let server = Server::start(serve_dir);
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        copy_repo(&root().join(&name).join("repo"), &repo, &server.hostport);
        let home = tmp.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let base = format!("http://{}", server.hostport);
        let args: Vec<String> = inst
            .args
            .iter()
            .map(|a| a.replace("{{SERVER}}", &base))
            .collect();
        let out = cmd
            .args(&args)
            .current_dir(&repo)
            .env("HOME", &home)
            .env("npm_config_cache", home.join("npm-cache"))
            .env("npm_config_update_notifier", "false")
            .env("YARN_CACHE_FOLDER", home.join("yarn-cache"))
            .env("UV_CACHE_DIR", home.join("uv-cache"))
            .env("BUN_INSTALL_CACHE_DIR", home.join("bun-cache"))
            .env("UV_PYTHON_DOWNLOADS", "never")
            .env("PIP_CONFIG_FILE", "/dev/null")
            .env("CARGO_TARGET_DIR", repo.join("target"))
            .env_remove("NPM_CONFIG_REGISTRY")
            .env_remove("npm_config_registry")
            .env_remove("PIP_INDEX_URL")
            .env_remove("UV_INDEX_URL")
            .env_remove("UV_DEFAULT_INDEX")
            .output()
            .unwrap();
        *ran.entry(inst.tool.clone()).or_default() += 1;
        let log = server.log.lock().unwrap().clone();
        let mut why = Vec::new();
        if let Some(text) = &inst.refuses {
            let said = String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr);
            if out.status.success() {
                why.push("the installer accepted what it should refuse".to_string());
            }
            if !said.contains(text.as_str()) {
                why.push(format!("its output does not say {text:?}"));
            }
            if walk_contains(&repo, b"lockgate-adversarial-payload") {
                why.push("the payload was installed".to_string());
            }
            if why.is_empty() {
                eprintln!("confirmed {name}: {} refuses it ({text})", inst.tool);
            } else {
                failures.push(format!(
                    "{name} ({}): {}\n{said}",
                    inst.tool,
                    why.join("; ")
                ));
            }
            continue;
        }
        if !out.status.success() {
            why.push(format!("exit {:?}", out.status.code()));
        }
        if !inst.fetches.is_empty() && !log.contains(&inst.fetches) {
            why.push(format!("never asked for {} (asked: {log:?})", inst.fetches));
        }
        if !repo.join(&inst.installed).exists() {
            why.push(format!("{} is not there", inst.installed));
        }
        let payload = walk_contains(&repo, b"lockgate-adversarial-payload");
        if !payload {
            why.push("the payload was not installed".to_string());
        }
        if why.is_empty() {
            eprintln!(
                "confirmed {name}: {} installed the attacker's artifact",
                inst.tool
            );
        } else {
            failures.push(format!(
                "{name} ({}): {}\nstdout: {}\nstderr: {}",
                inst.tool,
                why.join("; "),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    eprintln!("installers run: {ran:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Does any file under `dir` (outside the case's own files) hold `needle`? The
/// payload marker is only in the served artifacts, so finding it means the
/// installer unpacked one.
fn walk_contains(dir: &Path, needle: &[u8]) -> bool {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return false;
    };
    for e in rd.flatten() {
        let p = e.path();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            let n = e.file_name();
            let n = n.to_string_lossy();
            if n == "vendor" || n.ends_with("-cache") {
                continue;
            }
            if walk_contains(&p, needle) {
                return true;
            }
        } else if ft.is_file()
            && std::fs::read(&p).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle))
        {
            return true;
        }
    }
    false
}

#[test]
fn lockgate_name_escapes_control_characters() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["evil\u{1b}[2K\rleft-pad", "left-pad\u{202e}x\u{2066}"] {
        let out = lockgate(tmp.path(), &["name", "npm", name]);
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(!text.is_empty());
        assert!(
            !text
                .chars()
                .any(|c| c != '\n' && lockgate::report::escape::is_unsafe(c)),
            "{text:?}"
        );
    }
}

#[test]
fn pins_match_every_spelling_of_their_pypi_release() {
    // The allowlist pins six "1.16.0"; the lockfile spells it five ways. Each is
    // the same release to pip, so each must find the pin (and its hash is
    // compared), never a `version-not-allowed` for a legitimate lockfile.
    let tmp = tempfile::tempdir().unwrap();
    let hash = "sha256:b941d9b7e4bf23f92462b57b7b0e997949bb3d74286d8d14f81a586c6142ae28";
    std::fs::write(
        tmp.path().join("allowlist.toml"),
        format!("schema = 1\n\n[pypi.six]\nversions.\"1.16.0\" = \"{hash}\"\n"),
    )
    .unwrap();
    for (i, v) in ["1.16", "1.16.0.0", "v1.16.0", "01.16.0", "1.16.0"]
        .iter()
        .enumerate()
    {
        std::fs::write(
            tmp.path().join(format!("requirements-{i}.txt")),
            format!("six=={v} --hash={hash}\n"),
        )
        .unwrap();
    }
    let out = lockgate(
        tmp.path(),
        &["check", "--allowlist", "allowlist.toml", "--offline", "."],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // A different release is still not allowed.
    std::fs::write(
        tmp.path().join("requirements-9.txt"),
        format!("six==1.16.0.1 --hash={hash}\n"),
    )
    .unwrap();
    let out = lockgate(
        tmp.path(),
        &["check", "--allowlist", "allowlist.toml", "--offline", "."],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("version-not-allowed"));
}
