//! The `publisher` key of an approved version:
//! `versions."1.2.3" = { hashes = [...], publisher = { kind = "github", repository = "nrwl/nx", workflow = "publish.yml" } }`.
//! Read by [`parse`] (from `load`), written by [`inline`] (for `edit`).

use crate::registry::publisher::Identity;
use toml_edit::{InlineTable, Item, Value};

const KEYS: [&str; 4] = ["kind", "repository", "workflow", "environment"];

/// The `publisher` of a version's pin, if it has one. A publisher that is not a table
/// of strings with a `kind`, or has keys other than `kind`, `repository`, `workflow`
/// and `environment`, is an error.
pub fn parse(pin: &Item) -> Result<Option<Identity>, String> {
    let Some(p) = pin.as_table_like().and_then(|t| t.get("publisher")) else {
        return Ok(None);
    };
    let shape = "`publisher` must be a table like { kind = \"github\", repository = \"owner/repo\", workflow = \"publish.yml\" }";
    let t = p.as_table_like().ok_or_else(|| shape.to_string())?;
    let get = |k: &str| -> Result<Option<String>, String> {
        match t.get(k) {
            None => Ok(None),
            Some(v) => match v.as_str() {
                Some(s) if !s.trim().is_empty() => Ok(Some(s.to_string())),
                _ => Err(format!("`publisher.{k}` must be a non-empty string")),
            },
        }
    };
    let kind = get("kind")?.ok_or_else(|| format!("{shape}: `kind` is missing"))?;
    let (repository, workflow, environment) =
        (get("repository")?, get("workflow")?, get("environment")?);
    if let Some((k, _)) = t.iter().find(|(k, _)| !KEYS.contains(k)) {
        return Err(format!(
            "`publisher.{k}` is not a key lockgate knows; use {}",
            KEYS.join(", ")
        ));
    }
    Ok(Some(Identity::normalized(
        &kind,
        repository.as_deref(),
        workflow.as_deref(),
        environment.as_deref(),
    )))
}

/// The inline table written for an identity (only the fields it has).
pub fn inline(p: &Identity) -> InlineTable {
    let mut t = InlineTable::new();
    t.insert("kind", Value::from(p.kind.as_str()));
    for (k, v) in [
        ("repository", &p.repository),
        ("workflow", &p.workflow),
        ("environment", &p.environment),
    ] {
        if let Some(v) = v {
            t.insert(k, Value::from(v.as_str()));
        }
    }
    t
}
