//! `unpinned`: manifests without a lockfile, and requirements not pinned to one version.

use super::{Finding, FindingDef, FindingId, Precision, Severity};
use crate::allowlist::Allowlist;
use crate::resolve::Resolution;

/// The `unpinned` finding.
pub const UNPINNED: FindingDef = FindingDef {
    id: "unpinned",
    summary: "A manifest has no lockfile, a requirement is not pinned to one version, or a workflow runs an action by tag or branch.",
    explanation: "What gets installed from an unpinned requirement changes from one day to the next, so nothing can be checked. A GitHub Actions tag or branch (`uses: actions/checkout@v4`) can be moved to other code at any time, as in the tj-actions/changed-files compromise.",
    help: "Create the lockfile with the project's package manager (`npm install`, `cargo generate-lockfile`, `uv lock`, `poetry lock`, `pip-compile --generate-hashes`…) and commit it, or pin the requirement with `==` and `--hash`. Pin an action by its full commit SHA (`uses: actions/checkout@<sha> # v4`; `lockgate allowlist suggest --online` resolves the tag) and a `docker://` image by its `sha256:` digest.",
    severity: Severity::Error,
    policy: &["unpinned"],
    security_severity: Some("4.0"),
    precision: Precision::VeryHigh,
};

/// Findings for every manifest without a lockfile and every unpinned requirement.
pub fn check(res: &Resolution, list: &Allowlist) -> Vec<Finding> {
    let Some(severity) = Severity::from_level(list.policy.unpinned) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for m in &res.manifests_without_lockfile {
        let name = m.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let how = match name {
            "package.json" => {
                "run `npm install` (or your package manager's install) and commit the lockfile"
            }
            "Cargo.toml" => "run `cargo generate-lockfile` and commit Cargo.lock",
            "pyproject.toml" => {
                "lock it (`uv lock`, `poetry lock` or `pdm lock`) and commit the lockfile"
            }
            "Pipfile" => "run `pipenv lock` and commit Pipfile.lock",
            _ => {
                "compile it with `pip-compile --generate-hashes` (or `uv pip compile --generate-hashes`) and commit the result"
            }
        };
        out.push(Finding {
            id: FindingId::Unpinned,
            severity,
            ecosystem: crate::discover::manifest_ecosystem(m)
                .or_else(|| crate::lockfile::detect(m).map(|k| k.ecosystem())),
            name: None,
            version: None,
            lockfile: m.clone(),
            line: Some(1),
            path: Vec::new(),
            message: format!(
                "{} declares dependencies but no lockfile pins them",
                m.display()
            ),
            help: how.to_string(),
        });
    }
    for u in res.unpinned() {
        out.push(Finding {
            id: FindingId::Unpinned,
            severity,
            ecosystem: Some(u.ecosystem),
            name: Some(u.name.clone()),
            version: None,
            lockfile: u.file.clone(),
            line: Some(u.line),
            path: Vec::new(),
            message: format!(
                "`{}{}` is not pinned to one version",
                u.name,
                u.spec
            ),
            help: format!("pin it: `{}==<version> --hash=sha256:…` (pip-compile --generate-hashes writes these)", u.name),
        });
    }
    out
}
