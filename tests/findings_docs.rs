//! docs/findings.md is made from the finding definitions each check declares
//! (`lockgate::checks::FindingDef`), so it cannot drift from the code: this test
//! rebuilds it and compares. `UPDATE_DOCS=1 cargo test --test findings_docs` rewrites
//! the file. Its `## ` headings are the anchors SARIF `helpUri`s point at.

use lockgate::checks::FindingId;
use std::path::Path;

fn render() -> String {
    let mut out = String::from(
        "# Findings\n\n<!-- Generated from the FindingDef constants in src/checks/*.rs by tests/findings_docs.rs; edit those, then run `UPDATE_DOCS=1 cargo test --test findings_docs`. -->\n\nEvery finding has a stable id: the SARIF `ruleId`, the `finding` of an `[[exception]]`, and the anchor of its section below (`docs/findings.md#ID`). `lockgate explain ID` prints the same text in a terminal. *Default severity* is the severity under the default policy; the `[policy]` keys listed change it (see docs/allowlist.md). *Code scanning* gives the SARIF `security-severity` and `precision` of the rule (see docs/outputs.md).\n\n| id | default severity | when |\n|---|---|---|\n",
    );
    for id in FindingId::iter() {
        out.push_str(&format!(
            "| [`{0}`](#{0}) | {1} | {2} |\n",
            id.as_str(),
            id.default_severity(),
            id.summary().replace('|', "\\|")
        ));
    }
    for id in FindingId::iter() {
        let d = id.def();
        out.push_str(&format!(
            "\n## `{}`\n\n{}\n\n{}\n\n",
            d.id, d.summary, d.explanation
        ));
        out.push_str(&format!("**How to fix it.** {}\n\n", d.help));
        out.push_str(&format!("- Default severity: {}\n", d.severity));
        let policy = if d.policy.is_empty() {
            "none (no policy turns it off)".to_string()
        } else {
            d.policy
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push_str(&format!("- `[policy]` keys: {policy}\n"));
        match d.security_severity {
            Some(score) => out.push_str(&format!(
                "- Code scanning: security-severity {score}, precision {}\n",
                d.precision.as_str()
            )),
            None => out.push_str(
                "- Code scanning: not an alert (no SARIF result; the run's exit code and the other reports say it)\n",
            ),
        }
    }
    out
}

#[test]
fn findings_doc_is_the_finding_definitions() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/findings.md");
    let out = render();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &out).unwrap();
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == out,
        "docs/findings.md is out of date: run `UPDATE_DOCS=1 cargo test --test findings_docs`"
    );
    // Every id has its anchor (a `## ` heading), which SARIF helpUris point at.
    for id in FindingId::iter() {
        assert!(
            current.contains(&format!("\n## `{}`\n", id.as_str())),
            "{id}"
        );
    }
}
