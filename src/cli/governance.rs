//! `lockgate allowlist except | exceptions | why | log | extends`: the audit trail
//! and the exceptions of the security team's allowlist.

use super::super::{parse_ecosystem, print, split_name_version, today};
use lockgate::allowlist::{self, Approval, edit, extends, history, load};
use lockgate::checks::FindingId;
use lockgate::model::NormalizedName;
use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

/// `lockgate allowlist except ECOSYSTEM NAME[@VERSION] FINDING --until DATE --reason ...`.
pub fn except(
    path: &Path,
    ecosystem: &str,
    spec: &str,
    finding: &str,
    until: &str,
    approval: Approval,
) -> anyhow::Result<ExitCode> {
    let eco = parse_ecosystem(ecosystem)?;
    let (name, version) = split_name_version(spec);
    if allowlist::NEVER_EXCEPTED.contains(&finding) {
        anyhow::bail!(
            "`{finding}` can never be waived: it means tampering or malware, or it is decided by an approval or a deny rule. Remove the dependency, approve the version (`lockgate allowlist suggest` / `add`), or remove the [[deny]] rule"
        );
    }
    if FindingId::parse(finding).is_none() {
        anyhow::bail!("unknown finding id `{finding}`; `lockgate explain` lists them");
    }
    if !allowlist::is_date(until) {
        anyhow::bail!("--until {until}: give the last day it applies as YYYY-MM-DD");
    }
    if until < today().as_str() {
        anyhow::bail!("--until {until} is in the past: the exception would never apply");
    }
    edit::update(path, false, |ed| {
        ed.add_exception(eco, name, version, finding, until, &approval);
        Ok(())
    })?;
    eprintln!(
        "exception added to {}: `{finding}` waived for {eco} {spec} until {until} ({})",
        path.display(),
        history::describe(&approval)
    );
    Ok(ExitCode::SUCCESS)
}

/// `lockgate allowlist exceptions`: every exception, in force or expired.
pub fn exceptions(path: &Path) -> anyhow::Result<ExitCode> {
    let list = allowlist::load(path)?;
    let now = today();
    let mut out = String::new();
    for x in &list.exceptions {
        let _ = writeln!(
            out,
            "{:<30} {} {}  `{}`\n    at {}:{}; {}",
            if x.expired(&now) {
                format!("EXPIRED on {}", x.until)
            } else {
                format!("in force until {}", x.until)
            },
            x.ecosystem,
            x.name_at_version(),
            x.finding,
            x.file.display(),
            x.line,
            history::describe(&x.approval)
        );
    }
    if list.exceptions.is_empty() {
        out.push_str("no exceptions\n");
    }
    print(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// Run git in `dir`; its stdout when it succeeds.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
}

fn dir_and_name(file: &Path) -> (&Path, String) {
    (
        file.parent().unwrap_or(Path::new(".")),
        file.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    )
}

/// The last commit that changed the line pinning `name@version`, from HEAD's copy.
fn commit_of(file: &Path, eco: lockgate::model::Ecosystem, name: &str, version: &str) -> String {
    let (dir, fname) = dir_and_name(file);
    let Some(head) = git(dir, &["show", &format!("HEAD:./{fname}")]) else {
        return "not committed (no git history for this file)".to_string();
    };
    let Ok(old) = load::parse_local(file, &head) else {
        return "unknown (HEAD's copy of the allowlist does not parse)".to_string();
    };
    let Some(pin) = old.entry(eco, name).and_then(|e| e.pin(eco, version)) else {
        return "not committed yet (the pin is not in HEAD)".to_string();
    };
    let range = format!("-L{},{}:{fname}", pin.line, pin.line);
    match git(
        dir,
        &[
            "log",
            &range,
            "-s",
            "-n",
            "1",
            "--date=short",
            "--format=%h %ad %an <%ae>: %s",
            "HEAD",
        ],
    ) {
        Some(s) if !s.trim().is_empty() => s.lines().next().unwrap_or_default().to_string(),
        _ => "unknown (git log found no commit)".to_string(),
    }
}

/// `lockgate allowlist why ECOSYSTEM NAME[@VERSION]`.
pub fn why(path: &Path, ecosystem: &str, spec: &str) -> anyhow::Result<ExitCode> {
    let eco = parse_ecosystem(ecosystem)?;
    let (name, version) = split_name_version(spec);
    let list = allowlist::load(path)?;
    let mut out = String::new();
    let mut found = false;
    if let Some(entry) = list.entry(eco, name) {
        for (v, pin) in &entry.versions {
            if version.is_some_and(|x| x != v) {
                continue;
            }
            found = true;
            let _ = writeln!(
                out,
                "{eco} {}@{v} is approved in {}:{}",
                entry.name,
                entry.file.display(),
                pin.line
            );
            match pin.approval.as_ref().or(entry.approval.as_ref()) {
                Some(a) => {
                    let level = if pin.approval.is_some() {
                        "this version"
                    } else {
                        "the package (no approval recorded for this version)"
                    };
                    let _ = writeln!(out, "  approved for: {level}");
                    let f =
                        |o: &Option<String>| o.clone().unwrap_or_else(|| "(not recorded)".into());
                    let _ = writeln!(out, "  by:     {}", f(&a.by));
                    let _ = writeln!(out, "  on:     {}", f(&a.on));
                    let _ = writeln!(out, "  ticket: {}", f(&a.ticket));
                    let _ = writeln!(out, "  reason: {}", f(&a.reason));
                }
                None => {
                    let _ = writeln!(
                        out,
                        "  no approval recorded (no `approved = {{ by, on, ticket, reason }}`)"
                    );
                }
            }
            let hashes: Vec<String> = pin
                .hashes
                .iter()
                .map(|h| allowlist::hash_text(eco, h))
                .collect();
            let hashes = if hashes.is_empty() {
                "none pinned".to_string()
            } else {
                hashes.join(", ")
            };
            let _ = writeln!(out, "  hashes: {hashes}");
            let _ = writeln!(
                out,
                "  commit: {}",
                commit_of(&entry.file, eco, &entry.name, v)
            );
        }
    }
    for d in list.deny.iter().filter(|d| {
        d.ecosystem == eco && NormalizedName::new(eco, &d.name) == NormalizedName::new(eco, name)
    }) {
        found = true;
        let _ = writeln!(
            out,
            "{eco} {}{} is DENIED at {}:{}: {}{}",
            d.name,
            d.versions
                .as_ref()
                .map(|v| format!(" ({})", v.join(", ")))
                .unwrap_or_default(),
            d.file.display(),
            d.line,
            d.reason,
            d.approval
                .as_ref()
                .map(|a| format!(" ({})", history::describe(a)))
                .unwrap_or_default()
        );
    }
    let now = today();
    for x in list
        .exceptions
        .iter()
        .filter(|x| x.covers(eco, name, version))
    {
        found = true;
        let _ = writeln!(
            out,
            "exception at {}:{}: `{}` waived for {eco} {} {} {} ({})",
            x.file.display(),
            x.line,
            x.finding,
            x.name_at_version(),
            if x.expired(&now) {
                "EXPIRED on"
            } else {
                "until"
            },
            x.until,
            history::describe(&x.approval)
        );
    }
    if !found {
        anyhow::bail!(
            "{eco} {spec} is not in {} (nor in a file it extends): nothing approved it",
            path.display()
        );
    }
    print(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// `lockgate allowlist log [--since REF]`.
pub fn log(path: &Path, since: Option<&str>) -> anyhow::Result<ExitCode> {
    let (dir, fname) = dir_and_name(path);
    let since = match since {
        Some(s) => s.to_string(),
        None => git(dir, &["describe", "--tags", "--abbrev=0"])
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                anyhow::anyhow!("no tag to compare with: give the revision, e.g. `lockgate allowlist log --since v1.2.0` or `--since HEAD~10`")
            })?,
    };
    if git(
        dir,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{since}^{{commit}}"),
        ],
    )
    .is_none()
    {
        anyhow::bail!("`{since}` is not a git revision here ({})", dir.display());
    }
    let old_text = git(dir, &["show", &format!("{since}:./{fname}")]).unwrap_or_default();
    let old = load::parse_local(path, &old_text)
        .map_err(|e| anyhow::anyhow!("the allowlist at {since} does not parse: {e}"))?;
    let text =
        std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let new = load::parse_local(path, &text)?;
    let changes = history::diff(&old, &new);
    let mut out = format!(
        "{} since {since}: {} change{}\n",
        path.display(),
        changes.len(),
        if changes.len() == 1 { "" } else { "s" }
    );
    for c in &changes {
        let _ = writeln!(out, "{c}");
    }
    let commits = git(
        dir,
        &[
            "log",
            "--date=short",
            "--format=%h %ad %an <%ae>: %s",
            &format!("{since}..HEAD"),
            "--",
            &fname,
        ],
    )
    .unwrap_or_default();
    if !commits.trim().is_empty() {
        out.push_str("\ncommits:\n");
        for l in commits.lines() {
            let _ = writeln!(out, "  {l}");
        }
    }
    print(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// `lockgate allowlist extends [--update]`.
pub fn extends(path: &Path, update: bool) -> anyhow::Result<ExitCode> {
    let text =
        std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let list = load::extends_of(path, &text)?;
    if list.is_empty() {
        eprintln!("{} extends no other allowlist", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    let mut stale = Vec::new();
    let mut out = String::new();
    for (x, loc, line) in &list {
        let now = extends::fetch_current(loc)
            .map_err(|e| anyhow::anyhow!("{}:{line}: {e}", path.display()))?;
        let sha = extends::sha256_hex(&now);
        if sha == x.sha256 {
            let _ = writeln!(out, "ok       {} (sha256 {sha})", x.location);
        } else {
            let _ = writeln!(
                out,
                "CHANGED  {}: pinned {} at {}:{line}, now {sha}",
                x.location,
                x.sha256,
                path.display()
            );
            stale.push((x.sha256.clone(), sha));
        }
    }
    print(&out)?;
    if stale.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    if !update {
        eprintln!("review the changes, then re-pin with `lockgate allowlist extends --update`");
        return Ok(ExitCode::from(1));
    }
    edit::update(path, false, |ed| {
        for (old, new) in &stale {
            ed.set_extends_pin(old, new);
        }
        Ok(())
    })?;
    eprintln!(
        "re-pinned {} extended file{} in {}",
        stale.len(),
        if stale.len() == 1 { "" } else { "s" },
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}
