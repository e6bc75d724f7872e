//! The settings in `pnpm-workspace.yaml`: since pnpm 10 the file can hold every
//! setting `.npmrc` accepts, in camelCase (pnpm also reads `.npmrc`, see
//! [`super::npmrc`]).
//!
//! Read: `registry`, `registries` (a map of `default` or `@scope` to a URL, as pnpm's
//! own configuration stores them), `@scope:registry` keys, `strictSsl: false` and
//! `verifyStoreIntegrity: false`; the kebab-case spellings are read too. Everything
//! else in the file (`packages`, catalogs, overrides…) is not about where packages
//! come from and is skipped.

use super::config_text::parse_yaml;
use super::{Found, Setting, config_error};
use crate::lockfile::ParseError;
use crate::lockfile::pnpm::SpannedMap;
use crate::model::Ecosystem;
use serde::Deserialize;
use std::path::Path;

/// Any YAML value; only scalars and maps (with the line of each key) are kept.
#[derive(Debug)]
enum Value {
    Bool(bool),
    Text(String),
    Map(SpannedMap<Value>),
    Other,
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Value;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a YAML value")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
                Ok(Value::Bool(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
                Ok(Value::Text(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Value, E> {
                Ok(Value::Other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Value, E> {
                Ok(Value::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Value, E> {
                Ok(Value::Other)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
                Ok(Value::Other)
            }
            fn visit_none<E: de::Error>(self) -> Result<Value, E> {
                Ok(Value::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Value::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
                let mut out = Vec::new();
                while let Some(key) = map.next_key::<serde_saphyr::Spanned<String>>()? {
                    let value = map.next_value::<Value>()?;
                    out.push((key.value, key.referenced.line() as usize, value));
                }
                Ok(Value::Map(SpannedMap(out)))
            }
        }
        d.deserialize_any(V)
    }
}

/// The settings of a `pnpm-workspace.yaml` that matter.
pub fn read(path: &Path, text: &str) -> Result<Vec<Found>, ParseError> {
    let doc: Option<SpannedMap<Value>> = parse_yaml(path, text, "pnpm-workspace.yaml")?;
    let mut out = Vec::new();
    let found = |line: usize, key: String, setting: Setting| {
        Found::at(path, line, Ecosystem::Npm, "pnpm", key, setting)
    };
    let registry = |line: usize, key: String, v: &Value| -> Result<Found, ParseError> {
        match v {
            Value::Text(s) => Ok(found(
                line,
                key,
                Setting::Source {
                    kind: "registry",
                    location: s.clone(),
                },
            )),
            _ => Err(config_error(
                path,
                Some(line),
                format!("`{key}` must be a URL string"),
            )),
        }
    };
    for (key, line, value) in doc.map(|d| d.0).unwrap_or_default() {
        let lower = key.to_ascii_lowercase();
        let is_false = match &value {
            Value::Bool(b) => !b,
            Value::Text(s) => s.trim().eq_ignore_ascii_case("false"),
            _ => false,
        };
        if lower == "registry" || (lower.starts_with('@') && lower.ends_with(":registry")) {
            out.push(registry(line, key, &value)?);
        } else if lower == "registries" {
            let Value::Map(m) = &value else {
                return Err(config_error(
                    path,
                    Some(line),
                    "`registries` must be a map of `default` or `@scope` to a URL",
                ));
            };
            for (k, l, v) in &m.0 {
                out.push(registry(*l, format!("registries.{k}"), v)?);
            }
        } else if (lower == "strictssl" || lower == "strict-ssl") && is_false {
            out.push(found(
                line,
                key,
                Setting::VerificationOff {
                    effect: "TLS certificate verification".into(),
                },
            ));
        } else if (lower == "verifystoreintegrity" || lower == "verify-store-integrity") && is_false
        {
            out.push(found(
                line,
                key,
                Setting::VerificationOff {
                    effect: "pnpm's integrity check of the package store".into(),
                },
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_workspaces() {
        assert!(read(Path::new("p"), "registry: [1]\n").is_err());
        assert!(read(Path::new("p"), "packages: [\n").is_err());
    }
}
