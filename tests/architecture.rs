//! The layering of docs/architecture.md and `src/lib.rs`, checked on the source text:
//! a module names (`crate::x`, `use crate::{x, ..}`, or `lockgate::x` in the binary)
//! only modules on its own floor or the floors below it, and a lockfile format never
//! names a sibling format.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The floors, bottom first, as `src/lib.rs` lists them (top first) and
/// docs/architecture.md's table shows them.
const FLOORS: &[&[&str]] = &[
    &["model", "lexical_path", "hint"],
    &["version"],
    &["lockfile"],
    &["discover", "manifest", "installer"],
    &["resolve"],
    &["registry"],
    &["names"],
    &["allowlist"],
    &["checks"],
    &["baseline", "guard"],
    &["report"],
    &["cli", "mcp"],
];

/// The lockfile format modules (each owns one `FORMAT` in `lockfile::FORMATS`).
const FORMATS: &[&str] = &[
    "bun",
    "cargo",
    "npm",
    "pdm",
    "pipfile",
    "pnpm",
    "poetry",
    "pylock",
    "requirements",
    "uv",
    "yarn",
];

fn floor(module: &str) -> Option<usize> {
    FLOORS.iter().position(|f| f.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `.rs` file below src/, with the top module it belongs to (`src/checks/names/mod.rs`
/// → `checks`, `src/version.rs` → `version`).
fn sources() -> Vec<(String, PathBuf, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let rel = path
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let top = rel
                .split('/')
                .next()
                .unwrap()
                .trim_end_matches(".rs")
                .to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            (top, PathBuf::from("src").join(rel), text)
        })
        .collect()
}

/// The code of a file, line by line, with `//` comments (doc comments included: an
/// intra-doc link is no import) cut off.
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().map(|(i, line)| {
        let code = match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        };
        (i + 1, code)
    })
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The top modules a file names after `prefix` (`crate::` or `lockgate::`), with the
/// line, including each first segment of a `prefix{a, b::c}` group (which may span lines).
fn named_modules(text: &str, prefix: &str) -> Vec<(usize, String)> {
    let lines: Vec<(usize, &str)> = code_lines(text).collect();
    let mut out = Vec::new();
    for (i, (n, code)) in lines.iter().enumerate() {
        let mut rest = *code;
        while let Some(at) = rest.find(prefix) {
            let before = &rest[..at];
            rest = &rest[at + prefix.len()..];
            // `x::crate::` is no path from the crate root; `crate::lockfile::` is one.
            let glued = before.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
            if glued || (before.ends_with(':') && prefix != "lockfile::") {
                continue;
            }
            if !rest.starts_with('{') {
                out.push((*n, ident_at(rest).to_string()));
                continue;
            }
            // A group: collect up to the matching brace, over following lines too.
            let mut group = String::new();
            let mut depth = 0usize;
            let mut tail = rest.to_string();
            let mut next = i + 1;
            'collect: loop {
                for c in tail.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break 'collect;
                            }
                        }
                        _ => {}
                    }
                    group.push(c);
                }
                match lines.get(next) {
                    Some((_, more)) => tail = more.to_string(),
                    None => break,
                }
                next += 1;
            }
            // The first segment of each top-level item of the group.
            let mut depth = 0usize;
            let mut item_start = true;
            for (k, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 1 => item_start = true,
                    c if item_start && depth == 1 && !c.is_whitespace() => {
                        out.push((*n, ident_at(&group[k..]).to_string()));
                        item_start = false;
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

#[test]
fn no_module_names_a_module_on_a_floor_above_it() {
    let mut upward = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (top, path, text) in sources() {
        let Some(own) = floor(&top) else {
            continue; // lib.rs, main.rs: the crate root names every floor
        };
        *seen.entry(top.clone()).or_default() += 1;
        for prefix in ["crate::", "lockgate::"] {
            for (line, module) in named_modules(&text, prefix) {
                if floor(&module).is_some_and(|f| f > own) {
                    upward.push(format!(
                        "{}:{line}: `{top}` names `{module}`, a floor above it",
                        path.display()
                    ));
                }
            }
        }
    }
    // Every floor of the list exists, so a renamed module cannot silently drop out.
    for module in FLOORS.iter().flat_map(|f| f.iter()) {
        assert!(
            seen.contains_key(*module),
            "no source for module `{module}`"
        );
    }
    assert!(
        upward.is_empty(),
        "imports that point up the layers of docs/architecture.md (move the shared item \
         down to a floor both can see):\n{}",
        upward.join("\n")
    );
}

#[test]
fn no_lockfile_format_names_a_sibling_format() {
    let mut found = Vec::new();
    for (top, path, text) in sources() {
        if top != "lockfile" {
            continue;
        }
        let rel = path.strip_prefix("src/lockfile").unwrap();
        let own = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if !FORMATS.contains(&own.as_str()) {
            continue; // mod.rs, format.rs and the shared modules may name every format
        }
        let nested = rel.components().count() > 1;
        let up = if nested { "super::super::" } else { "super::" };
        for prefix in ["lockfile::", up] {
            for (line, module) in named_modules(&text, prefix) {
                if module != own && FORMATS.contains(&module.as_str()) {
                    found.push(format!(
                        "{}:{line}: format `{own}` names format `{module}`",
                        path.display()
                    ));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "a format never imports a sibling format; move what they share into a module \
         named for its job (python_lock.rs, npm_tree.rs, yaml/):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scan_sees_grouped_and_inline_paths() {
    let text = "use crate::{\n    model::Package,\n    checks::{Finding, names},\n};\n\
                // crate::report in a comment\nlet x = crate::registry::get();\n";
    let named = named_modules(text, "crate::");
    assert_eq!(
        named,
        vec![
            (1, "model".to_string()),
            (1, "checks".to_string()),
            (6, "registry".to_string())
        ]
    );
}

/// The allowlist loader (below the checks) validates `[[exception]] finding = ...`
/// against the ground-floor list `model::finding_id::FINDING_IDS`; it must hold
/// exactly the ids the checks define.
#[test]
fn the_ground_floor_finding_ids_are_the_checks_ids() {
    use lockgate::checks::FindingId;
    use lockgate::model::finding_id::FINDING_IDS;
    let checks: Vec<&str> = FindingId::ALL.iter().map(|id| id.as_str()).collect();
    let missing: Vec<&&str> = checks
        .iter()
        .filter(|id| !FINDING_IDS.contains(id))
        .collect();
    let extra: Vec<&&str> = FINDING_IDS
        .iter()
        .filter(|id| !checks.contains(id))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "src/model/finding_id.rs FINDING_IDS differs from checks::FindingId::ALL: \
         add {missing:?}, remove {extra:?}"
    );
}

/// `names::Rule::finding_id` (used by the allowlist gate, below the checks) names the
/// same finding as `checks::names::finding_id`.
#[test]
fn a_name_rule_names_the_same_finding_on_both_floors() {
    use lockgate::names::Rule;
    for rule in [
        Rule::SimilarName,
        Rule::CrossEcosystem,
        Rule::UnknownName,
        Rule::KnownHallucination,
        Rule::KnownMalicious,
        Rule::ImportName,
    ] {
        assert_eq!(
            rule.finding_id(),
            lockgate::checks::names::finding_id(rule).as_str(),
            "{rule:?}"
        );
    }
}
