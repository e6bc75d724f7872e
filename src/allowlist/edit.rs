//! Changing `allowlist.toml` for the maintenance commands.
//!
//! Edits go through `toml_edit`, so comments, blank lines and keys lockgate does
//! not know survive. After every edit the file is put in a canonical order
//! (`schema`, `[policy]`, `[registries]`, `[[deny]]`, then `cargo`, `npm`, `pypi`
//! packages sorted by normalized name, versions sorted oldest first), so that two
//! people adding the same entries get the same file and diffs stay small.
//!
//! Writes are atomic (a temporary file in the same folder, fsync, rename), and
//! [`update`] holds an exclusive lock on a sidecar file while it reads, edits and
//! writes, so two concurrent commands cannot lose each other's entries.

use super::load::{self, AllowlistError};
use super::{Approval, Entry};
use crate::model::{Ecosystem, Hash, NormalizedName, PackageKey};
use std::cmp::Ordering;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, Value, value};

/// The text of a new allowlist: schema, the policy with every key explained.
pub const TEMPLATE: &str = r#"# lockgate allowlist: the packages this repository may install. Format: docs/allowlist.md.
# Keep entries with `lockgate allowlist ...`; hashes come from lockfiles (init/suggest) or the registry (--online), never typed by hand.
schema = 1

[policy]
unlisted = "deny"         # a package (or version) that is not listed: deny | warn | allow
missing-hash = "deny"     # a lockfile entry with no hash to compare with the pin
unpinned = "deny"         # a manifest with no lockfile, or a requirement not pinned with ==
similar-names = "deny"    # names that look like typosquats or hallucinations
sources = ["registry"]    # where packages may come from: registry, git, path, url
registries = []           # registry URLs allowed besides each ecosystem's default
install-scripts = "deny"  # code run at install (npm scripts, binding.gyp, sdist builds) a pin does not approve with `scripts = true`
"#;

/// An allowlist document being edited.
#[derive(Debug, Clone)]
pub struct Editor {
    doc: DocumentMut,
    path: PathBuf,
}

impl Editor {
    /// A new allowlist from [`TEMPLATE`].
    pub fn new(path: &Path) -> Editor {
        Editor {
            doc: TEMPLATE.parse().expect("the template is valid TOML"),
            path: path.to_path_buf(),
        }
    }

    /// A document with no policy and no entries (for snippets).
    pub fn empty(path: &Path) -> Editor {
        Editor {
            doc: DocumentMut::new(),
            path: path.to_path_buf(),
        }
    }

    /// Set the policy of a new allowlist so that the current state passes, saying
    /// in comments what was widened (see [`super::ops::init`]).
    pub fn init_policy(
        &mut self,
        kinds: &[&str],
        registries: &[String],
        no_hash: usize,
        unpinned: usize,
    ) {
        let Some(policy) = self.doc.get_mut("policy").and_then(Item::as_table_mut) else {
            return;
        };
        if kinds.len() > 1 {
            let arr: Array = kinds.iter().copied().collect();
            policy.insert("sources", value(arr));
            if let Some(mut k) = policy.key_mut("sources") {
                k.leaf_decor_mut().set_prefix("# init: the lockfiles use these sources today; narrow to [\"registry\"] to forbid the others\n");
            }
        }
        if !registries.is_empty() {
            let arr: Array = registries.iter().map(String::as_str).collect();
            policy.insert("registries", value(arr));
            if let Some(mut k) = policy.key_mut("registries") {
                k.leaf_decor_mut().set_prefix(
                    "# init: registries other than the defaults that the lockfiles use today\n",
                );
            }
        }
        if no_hash > 0 {
            policy.insert("missing-hash", value("warn"));
            if let Some(mut k) = policy.key_mut("missing-hash") {
                k.leaf_decor_mut().set_prefix(format!("# init: {no_hash} lockfile entr{} no hash; set back to \"deny\" once they do\n", if no_hash == 1 { "y carries" } else { "ies carry" }));
            }
        }
        if unpinned > 0 {
            policy.insert("unpinned", value("warn"));
            if let Some(mut k) = policy.key_mut("unpinned") {
                k.leaf_decor_mut().set_prefix(format!("# init: {unpinned} manifest{} or requirement{} not pinned; set back to \"deny\" once {} pinned\n", if unpinned == 1 { "" } else { "s" }, if unpinned == 1 { " is" } else { "s are" }, if unpinned == 1 { "it is" } else { "they are" }));
            }
        }
    }

    /// Set the top-level `exclude` globs (removed when empty).
    pub fn set_exclude(&mut self, globs: &[String]) {
        let root = self.doc.as_table_mut();
        if globs.is_empty() {
            root.remove("exclude");
        } else {
            let arr: Array = globs.iter().map(String::as_str).collect();
            root.insert("exclude", value(arr));
            if let Some(mut k) = root.key_mut("exclude") {
                k.leaf_decor_mut().set_prefix(
                    "# paths lockgate does not walk (globs, relative to where it runs)\n",
                );
            }
        }
    }

    /// Open an existing allowlist; it must be valid (see [`load::parse`]).
    pub fn open(path: &Path) -> Result<Editor, AllowlistError> {
        let text = std::fs::read_to_string(path).map_err(|e| AllowlistError::Read {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Editor::from_text(path, &text)
    }

    /// Edit allowlist text; it must be valid. The files it extends are not read:
    /// the writing commands change only this file.
    pub fn from_text(path: &Path, text: &str) -> Result<Editor, AllowlistError> {
        load::parse_local(path, text)?;
        let doc = text
            .parse::<DocumentMut>()
            .map_err(|e| AllowlistError::Invalid {
                path: path.to_path_buf(),
                line: 1,
                message: e.to_string(),
            })?;
        Ok(Editor {
            doc,
            path: path.to_path_buf(),
        })
    }

    /// The file this editor writes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn eco_table(&mut self, eco: Ecosystem) -> &mut Table {
        let root = self.doc.as_table_mut();
        if !root.contains_key(eco.as_str()) {
            let mut t = Table::new();
            t.set_implicit(true);
            root.insert(eco.as_str(), Item::Table(t));
        }
        root[eco.as_str()]
            .as_table_mut()
            .expect("validated: ecosystem keys are tables")
    }

    /// The key under which `name` is stored, matching the ecosystem's name rules.
    fn existing_key(&self, eco: Ecosystem, name: &str) -> Option<String> {
        let norm = NormalizedName::new(eco, name);
        let t = self.doc.get(eco.as_str())?.as_table_like()?;
        t.iter()
            .map(|(k, _)| k)
            .find(|k| NormalizedName::new(eco, k) == norm)
            .map(String::from)
    }

    pub(super) fn package_table(&mut self, eco: Ecosystem, name: &str) -> &mut Table {
        let key = self
            .existing_key(eco, name)
            .unwrap_or_else(|| name.to_string());
        let t = self.eco_table(eco);
        if !t.contains_key(&key) {
            let mut pkg = Table::new();
            let mut versions = Table::new();
            versions.set_dotted(true);
            pkg.insert("versions", Item::Table(versions));
            t.insert(&key, Item::Table(pkg));
        }
        let pkg = t[&key]
            .as_table_mut()
            .expect("validated: package entries are tables");
        if !pkg.contains_key("versions") {
            let mut versions = Table::new();
            versions.set_dotted(true);
            pkg.insert("versions", Item::Table(versions));
        }
        pkg
    }

    /// Pin `hashes` for `name@version` (replacing an earlier pin of that version,
    /// and keeping its approval).
    pub fn set_pin(&mut self, eco: Ecosystem, name: &str, version: &str, hashes: &[Hash]) {
        self.set_pin_approved(eco, name, version, hashes, None);
    }

    /// Pin `hashes` for `name@version` with who approved that version: written as
    /// `versions."X" = { hashes = [...], approved = { by, on, ticket, reason } }`.
    /// Without an approval (or with an empty one) an earlier approval of the version
    /// is kept. npm hashes are written the way npm lockfiles write them (SRI).
    pub fn set_pin_approved(
        &mut self,
        eco: Ecosystem,
        name: &str,
        version: &str,
        hashes: &[Hash],
        approval: Option<&Approval>,
    ) {
        let mut hs: Vec<String> = hashes.iter().map(|h| super::hash_text(eco, h)).collect();
        hs.sort();
        hs.dedup();
        let pkg = self.package_table(eco, name);
        let pin_field = |key: &str| {
            pkg.get("versions")
                .and_then(Item::as_table_like)
                .and_then(|t| t.get(version))
                .and_then(|v| v.as_table_like())
                .and_then(|t| t.get(key))
                .and_then(|a| a.as_value())
                .cloned()
        };
        let old = pin_field("approved").and_then(|v| v.as_inline_table().cloned());
        let old_publisher = pin_field("publisher");
        let approved = match approval.map(approval_table).filter(|t| !t.is_empty()) {
            Some(t) => Some(t),
            None => old,
        };
        let pin = match approved {
            None => pin_value(&hs),
            Some(a) => {
                let mut t = toml_edit::InlineTable::new();
                let mut arr = match pin_value(&hs) {
                    Value::Array(a) => a,
                    v => {
                        let mut a = Array::new();
                        a.push_formatted(v);
                        a
                    }
                };
                if hs.len() == 1 {
                    arr.set_trailing_comma(false);
                    arr.set_trailing("");
                    if let Some(v) = arr.get_mut(0) {
                        v.decor_mut().set_prefix("");
                    }
                }
                t.insert("hashes", Value::Array(arr));
                t.insert("approved", Value::InlineTable(a));
                Value::InlineTable(t)
            }
        };
        match pkg.get_mut("versions") {
            Some(Item::Table(t)) => {
                t.insert(version, value(pin));
            }
            Some(Item::Value(Value::InlineTable(t))) => {
                t.insert(version, pin);
            }
            _ => {}
        }
        if let Some(p) = old_publisher {
            self.set_publisher_value(eco, name, version, p);
        }
    }

    /// Record who publishes `name@version` beside its pin:
    /// `versions."X" = { hashes = [...], publisher = { kind, repository, workflow } }`.
    /// Does nothing when the version is not pinned.
    pub fn set_publisher(
        &mut self,
        eco: Ecosystem,
        name: &str,
        version: &str,
        publisher: &crate::registry::publisher::Identity,
    ) {
        let v = Value::InlineTable(super::publisher::inline(publisher));
        self.set_publisher_value(eco, name, version, v);
    }

    fn set_publisher_value(&mut self, eco: Ecosystem, name: &str, version: &str, p: Value) {
        let pkg = self.package_table(eco, name);
        let Some(item) = pkg
            .get_mut("versions")
            .and_then(Item::as_table_like_mut)
            .and_then(|t| t.get_mut(version))
        else {
            return;
        };
        match item {
            Item::Table(t) => {
                t.insert("publisher", value(p));
            }
            Item::Value(Value::InlineTable(t)) => {
                t.insert("publisher", p);
            }
            Item::Value(v) => {
                let mut t = toml_edit::InlineTable::new();
                let mut hashes = v.clone();
                hashes.decor_mut().clear();
                t.insert("hashes", hashes);
                t.insert("publisher", p);
                *item = value(Value::InlineTable(t));
            }
            _ => {}
        }
    }

    /// Record on the pin of `name@version` whether its install scripts are approved
    /// (`scripts = true`) or it was approved knowing it has none (`false`): a bare
    /// hash or list becomes `{ hashes = [...], scripts = ... }`. False when the
    /// version is not pinned.
    pub fn set_scripts(
        &mut self,
        eco: Ecosystem,
        name: &str,
        version: &str,
        scripts: bool,
    ) -> bool {
        let Some(key) = self.existing_key(eco, name) else {
            return false;
        };
        let Some(versions) = self
            .doc
            .get_mut(eco.as_str())
            .and_then(|t| t.get_mut(&key))
            .and_then(|t| t.get_mut("versions"))
            .and_then(Item::as_table_like_mut)
        else {
            return false;
        };
        let Some(item) = versions.get_mut(version) else {
            return false;
        };
        let new = match item.as_value() {
            Some(Value::InlineTable(t)) => {
                let mut t = t.clone();
                t.insert("scripts", Value::from(scripts));
                Value::InlineTable(t)
            }
            Some(v @ (Value::String(_) | Value::Array(_))) => {
                let arr = match v {
                    Value::Array(a) => {
                        let mut one = Array::new();
                        for h in a.iter() {
                            if let Some(s) = h.as_str() {
                                one.push(s);
                            }
                        }
                        one
                    }
                    other => {
                        let mut one = Array::new();
                        if let Some(s) = other.as_str() {
                            one.push(s);
                        }
                        one
                    }
                };
                let mut t = toml_edit::InlineTable::new();
                t.insert("hashes", Value::Array(arr));
                t.insert("scripts", Value::from(scripts));
                Value::InlineTable(t)
            }
            _ => match item.as_table_like_mut() {
                Some(t) => {
                    t.insert("scripts", value(scripts));
                    return true;
                }
                None => return false,
            },
        };
        *item = value(new);
        true
    }

    /// The pinned hashes of `name@version` as the document holds them, if pinned.
    pub fn pin_of(&self, eco: Ecosystem, name: &str, version: &str) -> Option<Vec<String>> {
        let key = self.existing_key(eco, name)?;
        let pin = self
            .doc
            .get(eco.as_str())?
            .get(&key)?
            .get("versions")?
            .get(version)?;
        let item = match pin.as_table_like() {
            Some(t) => t.get("hashes")?.clone(),
            None => pin.clone(),
        };
        Some(match item.as_value()? {
            Value::String(s) => vec![s.value().to_string()],
            Value::Array(a) => a
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect(),
            _ => Vec::new(),
        })
    }

    /// Add an `[[exception]]` (see [`super::Exception`]).
    #[allow(clippy::too_many_arguments)]
    pub fn add_exception(
        &mut self,
        eco: Ecosystem,
        name: &str,
        version: Option<&str>,
        finding: &str,
        until: &str,
        approval: &Approval,
    ) {
        let arr = self.array_of_tables("exception");
        let mut t = Table::new();
        t.insert("ecosystem", value(eco.as_str()));
        t.insert("name", value(name));
        if let Some(v) = version {
            t.insert("version", value(v));
        }
        t.insert("finding", value(finding));
        t.insert("until", date_value(until));
        for (k, v) in approval_fields(approval, true) {
            t.insert(k, value(v));
        }
        arr.push(t);
    }

    /// Record who approved a package (only the fields given are written).
    pub fn set_approval(&mut self, eco: Ecosystem, name: &str, approval: &Approval) {
        let t = approval_table(approval);
        if t.is_empty() {
            return;
        }
        let pkg = self.package_table(eco, name);
        pkg.insert("approved", value(t));
    }

    /// Remove a version, or the whole package when `version` is `None`. Removing
    /// the last version removes the package. Returns whether anything was removed.
    pub fn remove(&mut self, eco: Ecosystem, name: &str, version: Option<&str>) -> bool {
        let Some(key) = self.existing_key(eco, name) else {
            return false;
        };
        let t = self.eco_table(eco);
        let removed = match version {
            None => t.remove(&key).is_some(),
            Some(v) => {
                let Some(pkg) = t.get_mut(&key).and_then(Item::as_table_like_mut) else {
                    return false;
                };
                let Some(versions) = pkg.get_mut("versions").and_then(Item::as_table_like_mut)
                else {
                    return false;
                };
                let removed = versions.remove(v).is_some();
                let empty = versions.is_empty();
                if empty {
                    t.remove(&key);
                }
                removed
            }
        };
        if t.is_empty() {
            self.doc.as_table_mut().remove(eco.as_str());
        }
        removed
    }

    /// The document's `[[key]]` array of tables, created empty when absent.
    fn array_of_tables(&mut self, key: &str) -> &mut ArrayOfTables {
        let root = self.doc.as_table_mut();
        if !root.contains_key(key) {
            root.insert(key, Item::ArrayOfTables(ArrayOfTables::new()));
        }
        root[key]
            .as_array_of_tables_mut()
            .expect("validated: a top-level array of tables")
    }

    /// Add a `[[deny]]` rule (or replace the reason of an existing one for that name).
    pub fn add_deny(
        &mut self,
        eco: Ecosystem,
        name: &str,
        reason: &str,
        versions: Option<&[String]>,
    ) {
        self.add_deny_approved(eco, name, reason, versions, &Approval::default());
    }

    /// [`Editor::add_deny`], recording who decided it, when and the ticket
    /// (`by`, `on`, `ticket` keys of the rule).
    pub fn add_deny_approved(
        &mut self,
        eco: Ecosystem,
        name: &str,
        reason: &str,
        versions: Option<&[String]>,
        approval: &Approval,
    ) {
        let stamp = |t: &mut Table| {
            for (k, v) in approval_fields(approval, false) {
                t.insert(k, value(v));
            }
        };
        let norm = NormalizedName::new(eco, name);
        let arr = self.array_of_tables("deny");
        for t in arr.iter_mut() {
            let same_eco = t
                .get("ecosystem")
                .and_then(Item::as_str)
                .and_then(Ecosystem::parse)
                == Some(eco);
            let same_name = t
                .get("name")
                .and_then(Item::as_str)
                .map(|n| NormalizedName::new(eco, n))
                == Some(norm.clone());
            if same_eco && same_name {
                t.insert("reason", value(reason));
                set_versions(t, versions);
                stamp(t);
                return;
            }
        }
        let mut t = Table::new();
        t.insert("ecosystem", value(eco.as_str()));
        t.insert("name", value(name));
        set_versions(&mut t, versions);
        t.insert("reason", value(reason));
        stamp(&mut t);
        arr.push(t);
    }

    /// Every (ecosystem, name as written, versions) in the document.
    pub fn pinned(&self) -> Vec<(Ecosystem, String, Vec<String>)> {
        let mut out = Vec::new();
        for eco in Ecosystem::ALL {
            let Some(t) = self.doc.get(eco.as_str()).and_then(Item::as_table_like) else {
                continue;
            };
            for (name, pkg) in t.iter() {
                let versions = pkg
                    .get("versions")
                    .and_then(Item::as_table_like)
                    .map(|v| v.iter().map(|(k, _)| k.to_string()).collect())
                    .unwrap_or_default();
                out.push((eco, name.to_string(), versions));
            }
        }
        out
    }

    /// Put the document in canonical order (see the module docs).
    pub fn sort(&mut self) {
        let root = self.doc.as_table_mut();
        let mut pos: isize = 0;
        let mut next = || {
            pos += 1;
            Some(pos)
        };
        for key in ["policy", "registries"] {
            if let Some(Item::Table(t)) = root.get_mut(key) {
                t.set_position(next());
            }
        }
        for key in ["deny", "exception"] {
            if let Some(Item::ArrayOfTables(arr)) = root.get_mut(key) {
                for t in arr.iter_mut() {
                    t.set_position(next());
                }
            }
        }
        for eco in Ecosystem::ALL {
            let Some(Item::Table(t)) = root.get_mut(eco.as_str()) else {
                continue;
            };
            t.set_implicit(true);
            t.set_position(next());
            t.sort_values_by(|k1, _, k2, _| {
                NormalizedName::new(eco, k1.get())
                    .cmp(&NormalizedName::new(eco, k2.get()))
                    .then(k1.get().cmp(k2.get()))
            });
            let mut names: Vec<String> = t.iter().map(|(k, _)| k.to_string()).collect();
            names.sort_by(|a, b| {
                NormalizedName::new(eco, a)
                    .cmp(&NormalizedName::new(eco, b))
                    .then(a.cmp(b))
            });
            for name in names {
                if let Some(Item::Table(pkg)) = t.get_mut(&name) {
                    pkg.set_position(next());
                    // `approved` first, `versions` last, other keys as they were.
                    let rank = |k: &str| match k {
                        "approved" => 0,
                        "versions" => 2,
                        _ => 1,
                    };
                    pkg.sort_values_by(|k1, _, k2, _| rank(k1.get()).cmp(&rank(k2.get())));
                    if let Some(Item::Table(v)) = pkg.get_mut("versions") {
                        v.sort_values_by(|k1, _, k2, _| compare_versions(k1.get(), k2.get()));
                    }
                }
            }
        }
    }

    /// Set the `sha256` of the `extends` entry whose pin is `old`. Returns whether
    /// one was found.
    pub fn set_extends_pin(&mut self, old: &str, new: &str) -> bool {
        let Some(arr) = self.doc.get_mut("extends").and_then(Item::as_array_mut) else {
            return false;
        };
        for v in arr.iter_mut() {
            if let Some(t) = v.as_inline_table_mut()
                && t.get("sha256")
                    .and_then(Value::as_str)
                    .is_some_and(|s| s.trim_start_matches("sha256:").eq_ignore_ascii_case(old))
            {
                t.insert("sha256", Value::from(new));
                return true;
            }
        }
        false
    }

    /// Add comment lines at the end of the document (each line already `# `).
    pub fn append_comment(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        let old = self.doc.trailing().as_str().unwrap_or_default().to_string();
        self.doc.set_trailing(format!("{old}{text}"));
    }

    /// The document as text, in canonical order.
    pub fn render(&mut self) -> String {
        self.sort();
        let mut s = self.doc.to_string();
        while s.ends_with("\n\n") {
            s.pop();
        }
        s
    }

    /// Validate the result and write it atomically.
    pub fn save(&mut self) -> Result<(), AllowlistError> {
        let text = self.render();
        // Never write a file lockgate itself would refuse to read.
        load::parse(&self.path, &text)?;
        write_atomic(&self.path, text.as_bytes()).map_err(|e| AllowlistError::Read {
            path: self.path.clone(),
            message: format!("cannot write: {e}"),
        })
    }
}

fn date_value(s: &str) -> Item {
    match s.parse::<toml_edit::Datetime>() {
        Ok(d) => value(d),
        Err(_) => value(s),
    }
}

/// The approval fields that are set, as TOML values in the order they are
/// written (`on` as a TOML date when it parses as one); `reason` only when
/// `with_reason`.
fn approval_fields(
    approval: &Approval,
    with_reason: bool,
) -> impl Iterator<Item = (&'static str, Value)> + '_ {
    [
        ("by", &approval.by),
        ("on", &approval.on),
        ("ticket", &approval.ticket),
        ("reason", &approval.reason),
    ]
    .into_iter()
    .filter(move |(k, _)| with_reason || *k != "reason")
    .filter_map(|(k, v)| {
        let v = v.as_deref()?;
        let val = if k == "on" {
            v.parse::<toml_edit::Datetime>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::from(v))
        } else {
            Value::from(v)
        };
        Some((k, val))
    })
}

pub(super) fn approval_table(approval: &Approval) -> toml_edit::InlineTable {
    approval_fields(approval, true).collect()
}

fn set_versions(t: &mut Table, versions: Option<&[String]>) {
    match versions {
        Some(vs) if !vs.is_empty() => {
            let arr: Array = vs.iter().map(String::as_str).collect();
            t.insert("versions", value(arr));
        }
        _ => {
            t.remove("versions");
        }
    }
}

/// The TOML value for a pin: a string for one hash, a multi-line array for several.
fn pin_value(hashes: &[String]) -> Value {
    if hashes.len() == 1 {
        return Value::from(hashes[0].as_str());
    }
    if hashes.is_empty() {
        // `[]` on one line: approved without a hash.
        return Value::Array(Array::new());
    }
    let mut arr = Array::new();
    for h in hashes {
        let mut v = Value::from(h.as_str());
        v.decor_mut().set_prefix("\n    ");
        arr.push_formatted(v);
    }
    arr.set_trailing_comma(true);
    arr.set_trailing("\n");
    Value::Array(arr)
}

/// Compare versions the way people read them: numeric runs as numbers.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    fn chunks(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        let bytes = s.as_bytes();
        for i in 1..=bytes.len() {
            if i == bytes.len() || bytes[i].is_ascii_digit() != bytes[start].is_ascii_digit() {
                out.push((bytes[start].is_ascii_digit(), &s[start..i]));
                start = i;
            }
        }
        out
    }
    let (ca, cb) = (chunks(a), chunks(b));
    for (x, y) in ca.iter().zip(&cb) {
        let o = match (x.0, y.0) {
            (true, true) => {
                let (tx, ty) = (x.1.trim_start_matches('0'), y.1.trim_start_matches('0'));
                tx.len().cmp(&ty.len()).then(tx.cmp(ty))
            }
            _ => x.1.cmp(y.1),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    ca.len().cmp(&cb.len()).then(a.cmp(b))
}

/// Write a file atomically: a temporary file beside it, fsync, rename, fsync the folder.
/// A failure at any point leaves the old file as it was.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile_in(dir, path)?;
    let result = (|| {
        tmp.1.write_all(bytes)?;
        tmp.1.sync_all()?;
        if let Ok(meta) = std::fs::metadata(path) {
            let _ = std::fs::set_permissions(&tmp.0, meta.permissions());
        }
        std::fs::rename(&tmp.0, path)?;
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp.0);
    }
    tmp.0.clear();
    result
}

fn tempfile_in(dir: &Path, target: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    let stem = target
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("allowlist.toml");
    for i in 0..100u32 {
        let p = dir.join(format!(".{stem}.{}.{i}.tmp", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&p)
        {
            Ok(f) => return Ok((p, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("cannot create a temporary file"))
}

/// The lock file for an allowlist. It lives outside the working tree, so that
/// `git add -A` never commits it: in the system's temporary folder, named by the
/// sha256 of the allowlist's absolute path (`lockgate-locks/<sha256>.lock`).
pub fn lock_path(path: &Path) -> PathBuf {
    let abs = std::env::current_dir()
        .map(|d| d.join(path))
        .unwrap_or_else(|_| path.to_path_buf());
    let dir = abs.parent().unwrap_or(Path::new("/"));
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let file = dir.join(path.file_name().unwrap_or_default());
    let key = super::extends::sha256_hex(file.to_string_lossy().as_bytes());
    std::env::temp_dir()
        .join("lockgate-locks")
        .join(format!("{}.lock", &key[..32]))
}

/// Read, edit and write an allowlist under an exclusive lock, so that concurrent
/// commands cannot lose each other's changes. `create` starts from [`TEMPLATE`]
/// when the file does not exist. The closure returns a value passed back to the caller.
pub fn update<T>(
    path: &Path,
    create: bool,
    f: impl FnOnce(&mut Editor) -> Result<T, AllowlistError>,
) -> Result<T, AllowlistError> {
    let _ = std::fs::create_dir_all(lock_path(path).parent().unwrap_or(Path::new(".")));
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path(path))
        .map_err(|e| AllowlistError::Read {
            path: path.to_path_buf(),
            message: format!(
                "cannot create the lock file {}: {e}",
                lock_path(path).display()
            ),
        })?;
    lock.lock().map_err(|e| AllowlistError::Read {
        path: path.to_path_buf(),
        message: format!("cannot lock {}: {e}", lock_path(path).display()),
    })?;
    let mut ed = if create && !path.exists() {
        Editor::new(path)
    } else {
        Editor::open(path)?
    };
    let out = f(&mut ed)?;
    ed.save()?;
    drop(lock);
    Ok(out)
}

/// Names in an [`Entry`] map that no package uses any more, for `prune`.
pub fn unused<'a>(
    entries: impl Iterator<Item = (&'a PackageKey, &'a Entry)>,
    used: &std::collections::HashSet<(PackageKey, String)>,
) -> Vec<(Ecosystem, String, Option<String>)> {
    let mut out = Vec::new();
    for (key, entry) in entries {
        let eco = &key.ecosystem;
        let versions: Vec<&String> = entry.versions.keys().collect();
        let unused: Vec<&String> = versions
            .iter()
            .copied()
            .filter(|v| !used.contains(&(key.clone(), (*v).clone())))
            .collect();
        if unused.len() == versions.len() {
            out.push((*eco, entry.name.clone(), None));
        } else {
            out.extend(
                unused
                    .into_iter()
                    .map(|v| (*eco, entry.name.clone(), Some(v.clone()))),
            );
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(n: u8) -> Hash {
        Hash::from_hex("sha256", &format!("{:02x}", n).repeat(32)).unwrap()
    }

    #[test]
    fn edits_keep_comments_and_unknown_keys_and_sort() {
        let text = "# team header\nschema = 1\n\n[policy]\nunlisted = \"deny\" # strict\n\n# serde is core\n[cargo.serde]\nnotes = \"kept\"\nversions.\"1.0.10\" = \"sha256:0101010101010101010101010101010101010101010101010101010101010101\"\n";
        let mut ed = Editor::from_text(Path::new("a.toml"), text).unwrap();
        ed.set_pin(Ecosystem::Cargo, "anyhow", "1.0.0", &[h(2)]);
        ed.set_pin(Ecosystem::Cargo, "serde", "1.0.9", &[h(3)]);
        ed.set_pin(Ecosystem::Pypi, "Requests", "2.0", &[h(4), h(5)]);
        let out = ed.render();
        assert!(out.contains("# team header"));
        assert!(out.contains("# strict"));
        assert!(out.contains("# serde is core\n[cargo.serde]"));
        assert!(out.contains("notes = \"kept\""));
        let anyhow = out.find("[cargo.anyhow]").unwrap();
        let serde = out.find("[cargo.serde]").unwrap();
        assert!(anyhow < serde, "{out}");
        assert!(
            out.find("\"1.0.9\"").unwrap() < out.find("\"1.0.10\"").unwrap(),
            "{out}"
        );
        assert!(
            out.contains("[pypi.Requests]\nversions.\"2.0\" = [\n    \"sha256:0404"),
            "{out}"
        );
        // the result is a valid allowlist, and editing is deterministic
        let again = Editor::from_text(Path::new("a.toml"), &out)
            .unwrap()
            .render();
        assert_eq!(again, out);
    }

    #[test]
    fn remove_version_then_package() {
        let mut ed = Editor::new(Path::new("a.toml"));
        ed.set_pin(Ecosystem::Npm, "@types/node", "1.0.0", &[h(1)]);
        ed.set_pin(Ecosystem::Npm, "@types/node", "2.0.0", &[h(2)]);
        assert!(ed.remove(Ecosystem::Npm, "@types/node", Some("1.0.0")));
        assert!(!ed.remove(Ecosystem::Npm, "@types/node", Some("1.0.0")));
        assert_eq!(
            ed.pinned(),
            vec![(
                Ecosystem::Npm,
                "@types/node".to_string(),
                vec!["2.0.0".to_string()]
            )]
        );
        assert!(ed.remove(Ecosystem::Npm, "@types/node", Some("2.0.0")));
        assert!(ed.pinned().is_empty());
        assert!(!ed.render().contains("[npm"));
    }

    #[test]
    fn deny_rules_are_added_once() {
        let mut ed = Editor::new(Path::new("a.toml"));
        ed.add_deny(Ecosystem::Pypi, "huggingface-cli", "hallucinated", None);
        ed.add_deny(
            Ecosystem::Pypi,
            "HuggingFace_CLI",
            "use huggingface_hub[cli]",
            None,
        );
        let out = ed.render();
        assert_eq!(out.matches("[[deny]]").count(), 1, "{out}");
        assert!(out.contains("reason = \"use huggingface_hub[cli]\""));
    }

    #[test]
    fn versions_compare_numerically() {
        assert_eq!(compare_versions("1.0.9", "1.0.10"), Ordering::Less);
        assert_eq!(compare_versions("2.0.0", "10.0.0"), Ordering::Less);
        assert_eq!(compare_versions("1.0.0-beta", "1.0.0"), Ordering::Greater);
    }

    #[test]
    fn atomic_write_replaces_and_update_locks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("allowlist.toml");
        update(&path, true, |ed| {
            ed.set_pin(Ecosystem::Cargo, "a", "1.0.0", &[h(1)]);
            Ok(())
        })
        .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("[cargo.a]"));
        // a failing edit leaves the file unchanged
        let err = update(&path, false, |_| -> Result<(), AllowlistError> {
            Err(AllowlistError::Read {
                path: path.clone(),
                message: "boom".into(),
            })
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        // no temporary files are left behind
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn npm_pins_are_sri_empty_pins_one_line_and_approvals_per_version() {
        let sri = "sha512-oKnbhFyRIXpUuez8iBMmyEa4nbj4IOQyuhc/wy9kY7/WVPcwIO9VA668Pu8RkO7+0G76SLROeyw9CpQ061i4mA==";
        let mut ed = Editor::new(Path::new("a.toml"));
        let who = Approval {
            by: Some("sec".into()),
            on: Some("2026-09-09".into()),
            ticket: Some("SEC-77".into()),
            reason: None,
        };
        ed.set_pin_approved(
            Ecosystem::Npm,
            "chalk",
            "5.6.2",
            &[Hash::parse(sri).unwrap()],
            Some(&who),
        );
        ed.set_pin(Ecosystem::Npm, "local", "1.0.0", &[]);
        let out = ed.render();
        assert!(
            out.contains(&format!("versions.\"5.6.2\" = {{ hashes = [\"{sri}\"], approved = {{ by = \"sec\", on = 2026-09-09, ticket = \"SEC-77\" }} }}")),
            "{out}"
        );
        assert!(out.contains("versions.\"1.0.0\" = []\n"), "{out}");
        // re-pinning without an approval keeps the version's approval
        ed.set_pin(
            Ecosystem::Npm,
            "chalk",
            "5.6.2",
            &[Hash::parse(sri).unwrap()],
        );
        assert!(ed.render().contains("ticket = \"SEC-77\""));
        let list = load::parse(Path::new("a.toml"), &ed.render()).unwrap();
        assert_eq!(
            list.entry(Ecosystem::Npm, "chalk").unwrap().versions["5.6.2"].hashes,
            vec![Hash::parse(sri).unwrap()]
        );
    }
}
