//! The documentation's examples are real: the allowlist example in
//! docs/allowlist.md loads, and says what the docs say it does.

use lockgate::allowlist::{self, Level};
use lockgate::lockfile::Ecosystem;
use std::path::Path;

fn toml_blocks(doc: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in doc.lines() {
        match (&mut cur, line.trim_start()) {
            (None, l) if l.starts_with("```toml") => cur = Some(String::new()),
            (Some(_), l) if l.starts_with("```") => out.push(cur.take().unwrap()),
            (Some(s), _) => {
                s.push_str(line);
                s.push('\n');
            }
            _ => {}
        }
    }
    out
}

#[test]
fn allowlist_doc_example_loads() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/allowlist.md"))
            .unwrap();
    let example = &toml_blocks(&doc)[0];
    let list =
        allowlist::parse(Path::new("allowlist.toml"), example).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(list.policy.unlisted, Level::Deny);
    assert_eq!(list.policy.sources, vec!["registry", "path"]);
    assert_eq!(list.exclude, vec!["tests/fixtures", "examples"]);
    assert_eq!(list.deny.len(), 2);
    assert!(
        list.denied(Ecosystem::Npm, "event-stream", Some("3.3.6"))
            .is_some()
    );
    assert!(
        list.denied(Ecosystem::Npm, "event-stream", Some("3.3.5"))
            .is_none()
    );
    let requests = list.entry(Ecosystem::Pypi, "Requests").unwrap();
    assert_eq!(requests.versions["2.32.3"].hashes.len(), 2);
    assert_eq!(
        requests.approval.as_ref().unwrap().ticket.as_deref(),
        Some("SEC-1235")
    );
    assert!(
        list.entry(Ecosystem::Pypi, "my_internal.lib")
            .unwrap()
            .versions["0.4.0"]
            .hashes
            .is_empty()
    );
    let left_pad = &list.entry(Ecosystem::Npm, "left-pad").unwrap().versions["1.3.0"];
    assert!(left_pad.hashes.iter().any(|h| !h.is_registry_digest()));
    assert!(list.entry(Ecosystem::Npm, "@types/node").is_some());
    assert!(list.entry(Ecosystem::Cargo, "serde").is_some());
}

/// docs/lockfiles.md is made from the module docs of the parsers, so it cannot drift
/// from the code: this test rebuilds it and compares. `UPDATE_DOCS=1 cargo test --test
/// docs` rewrites the file.
#[test]
fn lockfile_docs_are_the_module_docs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = String::from(
        "# Lockfile formats\n\n<!-- Generated from the module docs of src/lockfile/*.rs by tests/docs.rs; edit those, then run `UPDATE_DOCS=1 cargo test --test docs`. -->\n\nEvery format has one module under `src/lockfile/`. Each section below is that module's documentation: which versions are read, where hashes, sources, lines and dependency paths come from, and what is **not** verified. A file lockgate cannot read completely is always an error (`parse-error`, exit 2), never a partial list.\n\nHashes are always written `<algorithm>:<lowercase hex>` (SRI base64 is converted); Yarn berry checksums keep their own algorithm, `yarn-berry`, because they are not digests of the registry artifact.\n",
    );
    // One section per module of the format list (bun.rs holds two formats).
    let mut modules: Vec<&str> = Vec::new();
    for f in lockgate::lockfile::FORMATS {
        let m = f.module.rsplit("::").next().unwrap();
        if !modules.contains(&m) {
            modules.push(m);
        }
    }
    for m in modules {
        let file = if root.join(format!("src/lockfile/{m}.rs")).exists() {
            format!("src/lockfile/{m}.rs")
        } else {
            format!("src/lockfile/{m}/mod.rs")
        };
        let src = std::fs::read_to_string(root.join(&file)).unwrap();
        out.push_str(&format!("\n---\n\n## `{m}` ({file})\n\n"));
        for line in src
            .lines()
            .take_while(|l| l.starts_with("//!") || l.is_empty())
        {
            let text = line.strip_prefix("//!").unwrap_or("");
            let text = text.strip_prefix(' ').unwrap_or(text);
            // Module docs use rustdoc links; keep the text, drop the brackets' targets.
            let text = if text.starts_with('#') {
                format!("##{text}")
            } else {
                text.to_string()
            };
            let text = text.replace("[`", "`").replace("`]", "`");
            out.push_str(&text);
            out.push('\n');
        }
    }
    let path = root.join("docs/lockfiles.md");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &out).unwrap();
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == out,
        "docs/lockfiles.md is out of date: run `UPDATE_DOCS=1 cargo test --test docs`"
    );
}
