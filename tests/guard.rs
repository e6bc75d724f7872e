//! `lockgate guard -- <command>` with the real npm and pip: a refused package never
//! runs the client (the local registry sees no request, nothing is installed); an
//! approved package is installed by the client from a local registry (npm: an HTTP
//! server started here; pip: a local wheel folder); the client's exit code passes
//! through. The package served is made by the test (a tarball with tar, a wheel with
//! Python's zipfile): labelled test-made artifacts, not lockfile fixtures.
//! Needs npm, pip (python3) and tar, as .ci/run's machine has.

use base64::Engine as _;
use sha2::Digest as _;
use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const NAME: &str = "lockgate-guard-fixture";

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn guard(dir: &Path, env: &[(&str, String)], command: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_lockgate"));
    c.arg("guard")
        .arg("--")
        .args(command)
        .current_dir(dir)
        .env_remove("LOCKGATE_ALLOWLIST");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// A registry on 127.0.0.1 that serves one package's packument and tarball and
/// counts requests.
struct Registry {
    url: String,
    hits: Arc<AtomicUsize>,
}

/// A project folder with an allowlist approving `NAME` 1.0.0 (and 2.0.0, which the
/// registry does not have) for `eco`, with `hash` as the pin.
fn project(eco: &str, hash: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("allowlist.toml"),
        format!(
            "schema = 1\n\n[{eco}.{NAME}]\nversions.\"1.0.0\" = {{ hashes = [\"{hash}\"] }}\nversions.\"2.0.0\" = {{ hashes = [\"{hash}\"] }}\n"
        ),
    )
    .unwrap();
    dir
}

fn npm_tarball(work: &Path) -> Vec<u8> {
    let pkg = work.join("src/package");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(
        pkg.join("package.json"),
        format!("{{\"name\":\"{NAME}\",\"version\":\"1.0.0\"}}\n"),
    )
    .unwrap();
    let out = work.join("fixture.tgz");
    let ok = Command::new("tar")
        .args(["-czf", out.to_str().unwrap(), "-C"])
        .arg(work.join("src"))
        .arg("package")
        .status()
        .unwrap();
    assert!(ok.success());
    std::fs::read(out).unwrap()
}

#[test]
fn npm_refused_names_never_reach_npm_and_approved_ones_install() {
    let work = tempfile::tempdir().unwrap();
    let tarball = npm_tarball(work.path());
    let integrity = format!(
        "sha512-{}",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha512::digest(&tarball))
    );
    let registry = serve_npm(&tarball, &integrity);
    let dir = project("npm", &integrity);
    let d = dir.path();
    std::fs::write(
        d.join("package.json"),
        "{\"name\":\"guarded\",\"version\":\"1.0.0\",\"private\":true}\n",
    )
    .unwrap();
    let env = [
        ("npm_config_registry", registry.url.clone()),
        (
            "npm_config_cache",
            work.path().join("cache").display().to_string(),
        ),
        ("npm_config_audit", "false".to_string()),
        ("npm_config_fund", "false".to_string()),
        ("npm_config_update_notifier", "false".to_string()),
    ];

    // A look-alike name that is not approved: refused, npm never runs.
    let o = guard(
        d,
        &env,
        &["npm", "install", "lockgate-guard-fixtures@1.0.0"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("unlisted"), "{err}");
    assert!(err.contains("nothing was installed"), "{err}");
    // A range: refused with the exact command to run instead.
    let o = guard(d, &env, &["npm", "install", &format!("{NAME}@^1")]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(&format!("npm install {NAME}@2.0.0")),
        "{}",
        text(&o)
    );
    assert_eq!(registry.hits.load(Ordering::SeqCst), 0, "npm was not run");
    assert!(!d.join("node_modules").exists());

    // The approved version: npm runs, unchanged, and installs it.
    let o = guard(d, &env, &["npm", "install", &format!("{NAME}@1.0.0")]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(registry.hits.load(Ordering::SeqCst) > 0);
    assert!(
        d.join("node_modules")
            .join(NAME)
            .join("package.json")
            .exists(),
        "{}",
        text(&o)
    );

    // An approved version the registry does not have: npm fails, and its exit code
    // and message come through.
    let direct = Command::new("npm")
        .args(["install", &format!("{NAME}@2.0.0")])
        .current_dir(d)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap();
    assert_ne!(direct.status.code(), Some(0));
    let o = guard(d, &env, &["npm", "install", &format!("{NAME}@2.0.0")]);
    assert_eq!(o.status.code(), direct.status.code(), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("approved; running"), "{err}");
    assert!(err.contains("npm error"), "npm's own message: {err}");
}

/// Serve `NAME` 1.0.0 (its packument names the tarball on the same server).
fn serve_npm(tarball: &[u8], integrity: &str) -> Registry {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let packument = format!(
        "{{\"name\":\"{NAME}\",\"dist-tags\":{{\"latest\":\"1.0.0\"}},\"versions\":{{\"1.0.0\":{{\"name\":\"{NAME}\",\"version\":\"1.0.0\",\"dist\":{{\"tarball\":\"{url}{NAME}/-/{NAME}-1.0.0.tgz\",\"integrity\":\"{integrity}\"}}}}}}}}"
    )
    .into_bytes();
    let tarball = tarball.to_vec();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hits);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            counter.fetch_add(1, Ordering::SeqCst);
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let head = String::from_utf8_lossy(&buf);
            let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
            let (status, body, kind) = if path.ends_with(".tgz") {
                ("200 OK", tarball.clone(), "application/octet-stream")
            } else if path.trim_start_matches('/') == NAME {
                ("200 OK", packument.clone(), "application/json")
            } else {
                ("404 Not Found", b"{}".to_vec(), "application/json")
            };
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(&body);
        }
    });
    Registry { url, hits }
}

/// Build a minimal wheel of `NAME` 1.0.0 with Python's zipfile (a test-made
/// artifact) in `dir`; returns its path.
fn wheel(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join("lockgate_guard_fixture-1.0.0-py3-none-any.whl");
    let script = r#"
import base64, hashlib, sys, zipfile
dist = "lockgate_guard_fixture-1.0.0.dist-info"
files = {
    "lockgate_guard_fixture/__init__.py": b"X = 1\n",
    dist + "/METADATA": b"Metadata-Version: 2.1\nName: lockgate-guard-fixture\nVersion: 1.0.0\n",
    dist + "/WHEEL": b"Wheel-Version: 1.0\nGenerator: lockgate-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
record = []
for name, data in files.items():
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    record.append(f"{name},sha256={digest},{len(data)}")
record.append(dist + "/RECORD,,")
files[dist + "/RECORD"] = ("\n".join(record) + "\n").encode()
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for name, data in files.items():
        z.writestr(name, data)
"#;
    let ok = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&path)
        .status()
        .unwrap();
    assert!(ok.success());
    path
}

#[test]
fn pip_refused_names_never_reach_pip_and_approved_ones_install() {
    let work = tempfile::tempdir().unwrap();
    let wheels = work.path().join("wheels");
    let whl = wheel(&wheels);
    let hash = format!(
        "sha256:{}",
        sha2::Sha256::digest(std::fs::read(&whl).unwrap())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let dir = project("pypi", &hash);
    let d = dir.path();
    let target = work.path().join("site");
    // pip reads its index from the environment: no index, only the wheel folder.
    let env = [
        ("PIP_NO_INDEX", "1".to_string()),
        ("PIP_FIND_LINKS", wheels.display().to_string()),
        ("PIP_DISABLE_PIP_VERSION_CHECK", "1".to_string()),
        ("PIP_NO_CACHE_DIR", "1".to_string()),
    ];
    let t = target.to_str().unwrap();

    // A look-alike of the approved name, and a typo of a popular one: refused; pip
    // never runs (it would have created the target folder).
    let o = guard(
        d,
        &env,
        &[
            "pip",
            "install",
            "--target",
            t,
            "lockgate-guard-fixtur==1.0.0",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = guard(d, &env, &["pip", "install", "--target", t, "reqeusts"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("similar-name"),
        "{}",
        text(&o)
    );
    // Another index on the command line: refused, whatever the package.
    let o = guard(
        d,
        &env,
        &[
            "pip",
            "install",
            "--target",
            t,
            "--extra-index-url",
            "https://evil.example/simple",
            &format!("{NAME}==1.0.0"),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("unverified-source"),
        "{}",
        text(&o)
    );
    assert!(!target.exists(), "pip was not run");

    // Approved, pinned: pip runs unchanged and installs it.
    let o = guard(
        d,
        &env,
        &["pip", "install", "--target", t, &format!("{NAME}==1.0.0")],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        target.join("lockgate_guard_fixture/__init__.py").exists(),
        "{}",
        text(&o)
    );

    // `python3 -m pip` is read the same way; an approved version the index does not
    // have: pip's exit code and message pass through.
    let o = guard(
        d,
        &env,
        &[
            "python3",
            "-m",
            "pip",
            "install",
            "--target",
            t,
            &format!("{NAME}==2.0.0"),
        ],
    );
    let direct = Command::new("python3")
        .args(["-m", "pip", "install", "--target", t])
        .arg(format!("{NAME}==2.0.0"))
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap();
    assert_ne!(direct.status.code(), Some(0));
    assert_eq!(o.status.code(), direct.status.code(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("No matching distribution"),
        "{}",
        text(&o)
    );
}

#[test]
fn usage_errors_exit_2_and_other_commands_run_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let o = guard(dir.path(), &[], &["curl", "https://example.com/install.sh"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not an installer"));
    let o = guard(dir.path(), &[], &["pip", "install", "-r"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    // Not an install: run as is, output and exit code untouched.
    let o = guard(dir.path(), &[], &["npm", "--version"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(!o.stdout.is_empty());
}
