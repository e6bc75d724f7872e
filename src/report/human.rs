//! The human output format: short, scannable tables grouped by lockfile.

use super::escape::{display_safe as safe, display_safe_text, path as safe_path};
use crate::checks::{Outcome, Severity};
use crate::lockfile::ParseError;
use crate::model::{Ecosystem, Package};
use crate::resolve::Resolution;
use std::fmt::Write as _;

/// Render parse and read errors, one block each, with the hint that says what to do.
pub fn errors(errors: &[ParseError]) -> String {
    let mut out = String::new();
    for e in errors {
        out.push_str(&crate::hint::render(
            &display_safe_text(&e.to_string()),
            &[display_safe_text(&e.hint).into_owned()],
        ));
    }
    out
}

/// Render the output of `lockgate packages` (human format).
pub fn packages(res: &Resolution) -> String {
    let mut out = Vec::new();
    let _ = write_packages(res, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Write the output of `lockgate packages` (human format) to `w` as it is made: the
/// list of a 10^6-entry lockfile is tens of megabytes, never held whole.
pub fn write_packages(res: &Resolution, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut out = String::new();
    for lock in &res.lockfiles {
        let _ = writeln!(
            out,
            "{}  ({}, {}, {} package{})",
            safe_path(&lock.path),
            lock.ecosystem,
            lock.format,
            lock.packages.len(),
            if lock.packages.len() == 1 { "" } else { "s" }
        );
        if lock.packages.is_empty() && lock.unpinned.is_empty() {
            continue;
        }
        let name_w = column_width(&lock.packages, |p| &p.name, 4, 48);
        let ver_w = column_width(&lock.packages, |p| &p.version, 7, 24);
        if !lock.packages.is_empty() {
            let _ = writeln!(
                out,
                "  {:name_w$}  {:ver_w$}  {:8}  {:6}  {:>6}  WHY",
                "NAME", "VERSION", "SOURCE", "KIND", "LINE"
            );
        }
        for p in &lock.packages {
            let kind = match (p.direct, p.dev, p.optional) {
                (_, true, _) if p.direct => "dev",
                (_, true, _) => "dev*",
                (_, _, true) => "opt",
                (true, _, _) => "direct",
                _ => "",
            };
            let why = if p.path.len() > 1 {
                safe(&p.path.join(" > ")).into_owned()
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  {:name_w$}  {:ver_w$}  {:8}  {:6}  {:>6}  {}",
                safe(&p.name),
                safe(&p.version),
                p.source.kind(),
                kind,
                p.line,
                why
            );
            if out.len() >= 1 << 16 {
                w.write_all(out.as_bytes())?;
                out.clear();
            }
        }
        for u in &lock.unpinned {
            let _ = writeln!(
                out,
                "  {} {}  (not pinned, line {})",
                safe(&u.name),
                if u.spec.is_empty() {
                    "*".into()
                } else {
                    safe(&u.spec)
                },
                u.line
            );
        }
        out.push('\n');
    }
    if !res.manifests_without_lockfile.is_empty() {
        let _ = writeln!(
            out,
            "Manifests without a lockfile (their dependencies are not pinned):"
        );
        for m in &res.manifests_without_lockfile {
            let _ = writeln!(out, "  {}", safe_path(m));
        }
        out.push('\n');
    }
    let mut per_eco = Vec::new();
    for eco in Ecosystem::ALL {
        let n = res.packages().filter(|p| p.ecosystem == eco).count();
        if n > 0 {
            per_eco.push(format!("{eco} {n}"));
        }
    }
    let total = res.packages().count();
    let _ = write!(
        out,
        "{} lockfile{}, {} package{}",
        res.lockfiles.len(),
        if res.lockfiles.len() == 1 { "" } else { "s" },
        total,
        if total == 1 { "" } else { "s" }
    );
    if !per_eco.is_empty() {
        let _ = write!(out, " ({})", per_eco.join(", "));
    }
    out.push('\n');
    if res.lockfiles.is_empty() && res.errors.is_empty() {
        let mut names: Vec<&str> = crate::lockfile::file_names().collect();
        let last = names.pop().unwrap_or_default();
        let _ = writeln!(
            out,
            "No lockfile found. lockgate reads {} and {last}.",
            names.join(", ")
        );
    }
    w.write_all(out.as_bytes())
}

/// Render the output of `lockgate check` (human format): findings grouped by
/// lockfile, worst first, then a summary and a last line that says what to do.
pub fn findings(outcome: &Outcome) -> String {
    let mut out = String::new();
    let mut files: Vec<&std::path::Path> = Vec::new();
    for f in &outcome.findings {
        if !files.contains(&f.lockfile.as_path()) {
            files.push(&f.lockfile);
        }
    }
    for file in files {
        let _ = writeln!(out, "{}", safe_path(file));
        for f in outcome.findings.iter().filter(|f| f.lockfile == file) {
            let what = match (&f.name, &f.version) {
                (Some(n), Some(v)) => format!("{} {}", safe(n), safe(v)),
                (Some(n), None) => safe(n).into_owned(),
                _ => String::new(),
            };
            let at = f.line.map(|l| format!(":{l}")).unwrap_or_default();
            let _ = writeln!(
                out,
                "  {:8} {:20} {what}  ({}{at})",
                f.severity.as_str(),
                f.id.as_str(),
                safe_path(file)
            );
            let _ = writeln!(out, "           {}", safe(&f.message));
            if f.path.len() > 1 {
                let _ = writeln!(out, "           via {}", safe(&f.path.join(" > ")));
            }
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{}", summary_line(outcome));
    let _ = writeln!(out, "{}", next_step(outcome));
    out
}

/// `3 findings (1 critical, 2 error) in 460 packages from 3 lockfiles`.
pub fn summary_line(outcome: &Outcome) -> String {
    let mut parts = Vec::new();
    for sev in [
        Severity::Critical,
        Severity::Error,
        Severity::Warning,
        Severity::Note,
    ] {
        let n = outcome.count(sev);
        if n > 0 {
            parts.push(format!("{n} {sev}"));
        }
    }
    let n = outcome.findings.len();
    format!(
        "{} finding{}{} in {} package{} from {} lockfile{}, checked against {}",
        n,
        if n == 1 { "" } else { "s" },
        if parts.is_empty() {
            String::new()
        } else {
            format!(" ({})", parts.join(", "))
        },
        outcome.packages,
        if outcome.packages == 1 { "" } else { "s" },
        outcome.lockfiles,
        if outcome.lockfiles == 1 { "" } else { "s" },
        safe_path(&outcome.allowlist)
    )
}

/// The last line: pass, or the one thing to do next.
pub fn next_step(outcome: &Outcome) -> String {
    if !outcome.complete {
        return "FAILED: a lockfile could not be read, so nothing was verified; fix or regenerate it (see parse-error above).".to_string();
    }
    if outcome.registry_failed() {
        return "FAILED: a registry could not be asked, so the online checks did not run; retry, or check the registry settings (see registry-error above).".to_string();
    }
    let failing = outcome.failing();
    if failing == 0 {
        return if outcome.findings.is_empty() {
            format!(
                "ok: every package is allowed by {}",
                safe_path(&outcome.allowlist)
            )
        } else {
            "ok: no finding reaches the fail level".to_string()
        };
    }
    let worst = &outcome.findings[0];
    format!(
        "FAILED ({failing} at or above the fail level). Next: {}",
        safe(&worst.help)
    )
}

/// The output of `lockgate allowlist verify`: one entry per finding, then a summary
/// line naming the allowlist.
pub fn verify(outcome: &crate::checks::pins::VerifyOutcome, allowlist: &std::path::Path) -> String {
    let mut text = String::new();
    for f in &outcome.findings {
        let at = match f.line {
            Some(l) => format!("{}:{l}", f.lockfile.display()),
            None => f.lockfile.display().to_string(),
        };
        let what = match (&f.ecosystem, &f.name, &f.version) {
            (Some(e), Some(n), Some(v)) => format!("{e} {n}@{v}"),
            (Some(e), _, _) => e.to_string(),
            _ => String::new(),
        };
        let _ = write!(
            text,
            "{:8} {:22} {what}  {}\n         at {at}; {}\n",
            f.severity.as_str(),
            f.id.as_str(),
            f.message,
            f.help
        );
    }
    let pins = outcome.pins;
    let n = outcome.findings.len();
    let _ = writeln!(
        text,
        "{} pin{} in {} compared with the registries: {}",
        pins,
        if pins == 1 { "" } else { "s" },
        allowlist.display(),
        if n == 0 {
            "every pinned hash is one the registry publishes".to_string()
        } else {
            format!("{n} finding{}", if n == 1 { "" } else { "s" })
        }
    );
    text
}

/// The width of a table column: the widest shown value of `field`, between `min`
/// (the header's width) and `max`.
fn column_width(
    packages: &[Package],
    field: impl Fn(&Package) -> &str,
    min: usize,
    max: usize,
) -> usize {
    packages
        .iter()
        .map(|p| safe(field(p)).chars().count())
        .max()
        .unwrap_or(min)
        .clamp(min, max)
}
