//! Reading the YAML lockfiles (`pnpm-lock.yaml`, Yarn berry `yarn.lock`).
//!
//! Two readers, one reading:
//!
//! - [`subset`]: a fast, borrowing reader for the YAML that pnpm and Yarn write (block
//!   mappings and sequences, one-line flow mappings and sequences, plain and quoted
//!   one-line scalars, comments). It builds a small tree ([`subset::Node`]) whose
//!   strings borrow from the text, and the lockfile formats take what they keep from it
//!   ([`FromNode`]) into the same typed values `serde` fills, with `Cow` strings that
//!   still borrow from the text, so that one record builder serves both readers and
//!   nothing is copied on the way. It gives up (returns
//!   `None`) on anything outside that subset or anything whose meaning it would have to
//!   guess: anchors, aliases, tags, multi-line scalars, tabs, duplicate keys, nulls,
//!   YAML 1.1 booleans, numbers other than plain decimals, …
//! - the full parser, `serde-saphyr`, with a [`Budget`](serde_saphyr::Budget) (bounded
//!   depth, node and event counts, no anchors or aliases, duplicate keys are errors):
//!   used whenever the fast reader gives up, and the only one that reports errors.
//!
//! [`read`] tries the first and falls back to the second. The fast reader's reading must
//! equal the full parser's on every input it accepts (a reader that differs from the
//! installer's is a way around the allowlist): the differential tests in this module
//! check it on every YAML fixture and on generated and mutated lockfile texts.

pub(crate) mod node;
pub(crate) mod subset;

#[cfg(test)]
mod differential;

use super::{Context, ParseError};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use std::fmt;

pub(crate) use node::{FromNode, LinedMap};

/// Deserialization options for lockfile YAML: bounded depth, node and event counts,
/// no anchors or aliases, duplicate keys are errors.
pub(crate) fn yaml_options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = 32;
    budget.max_nodes = 20_000_000;
    budget.max_events = 40_000_000;
    budget.max_aliases = 0;
    budget.max_anchors = 0;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.duplicate_keys = serde_saphyr::options::DuplicateKeyPolicy::Error;
    options
}

/// Read lockfile YAML into `T`: the fast subset reader when the text is within its
/// subset, else the full parser (whose errors become a [`ParseError`] with a line).
pub(crate) fn read<'a, T>(ctx: &Context<'_>, text: &'a str) -> Result<T, ParseError>
where
    T: Deserialize<'a> + FromNode<'a>,
{
    if !force_full()
        && let Some(tree) = subset::parse(text)
        && let Some(value) = T::from_node(&tree)
    {
        note_fast(true);
        return Ok(value);
    }
    note_fast(false);
    from_yaml(ctx, text)
}

#[cfg(test)]
thread_local! {
    /// Tests only: make [`read`] use the full parser (the differential tests).
    static FORCE_FULL: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[cfg(test)]
thread_local! {
    /// Tests only: whether the last [`read`] took the fast reader.
    static LAST_FAST: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[cfg(test)]
fn note_fast(fast: bool) {
    LAST_FAST.with(|c| c.set(fast));
}

#[cfg(not(test))]
#[inline]
fn note_fast(_: bool) {}

/// Tests only: whether the last [`read`] on this thread took the fast reader.
#[cfg(test)]
pub(crate) fn last_read_was_fast() -> bool {
    LAST_FAST.with(|c| c.get())
}

#[cfg(test)]
fn force_full() -> bool {
    FORCE_FULL.with(|f| f.get())
}

#[cfg(not(test))]
#[inline]
fn force_full() -> bool {
    false
}

/// Tests only: run `f` with [`read`] forced to the full parser.
#[cfg(test)]
pub(crate) fn with_full_parser<R>(f: impl FnOnce() -> R) -> R {
    FORCE_FULL.with(|c| c.set(true));
    let r = f();
    FORCE_FULL.with(|c| c.set(false));
    r
}

/// Deserialize lockfile YAML into `T` with the full parser, turning errors into a
/// [`ParseError`] with a line.
pub(crate) fn from_yaml<'a, T: Deserialize<'a>>(
    ctx: &Context<'_>,
    text: &'a str,
) -> Result<T, ParseError> {
    from_yaml_with(ctx, text, yaml_options())
}

/// [`from_yaml`] with other parser options (another budget).
pub(crate) fn from_yaml_with<'a, T: Deserialize<'a>>(
    ctx: &Context<'_>,
    text: &'a str,
    options: serde_saphyr::Options,
) -> Result<T, ParseError> {
    serde_saphyr::from_str_with_options(text, options).map_err(|e| {
        // an error at the end of a truncated file points past its last line: clamp
        let last = text.lines().count().max(1);
        let line = e.location().map(|l| (l.line() as usize).clamp(1, last));
        let msg = e.without_snippet().to_string();
        let msg = msg
            .lines()
            .next()
            .unwrap_or("malformed YAML")
            .trim()
            .to_string();
        ctx.error(line, format!("malformed YAML: {msg}"))
    })
}

/// A YAML mapping kept in file order, with the 1-based line of every key.
/// Duplicate keys are an error.
#[derive(Debug)]
pub(crate) struct SpannedMap<V>(pub Vec<(String, usize, V)>);

impl<V> Default for SpannedMap<V> {
    fn default() -> Self {
        SpannedMap(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for SpannedMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V_<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for V_<V> {
            type Value = SpannedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(SpannedMap(Vec::new()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                let mut seen = std::collections::HashSet::new();
                while let Some(key) = map.next_key::<serde_saphyr::Spanned<String>>()? {
                    let line = key.referenced.line() as usize;
                    if !seen.insert(key.value.clone()) {
                        return Err(de::Error::custom(format!("duplicate key `{}`", key.value)));
                    }
                    let value = map.next_value::<V>()?;
                    out.push((key.value, line, value));
                }
                Ok(SpannedMap(out))
            }
        }
        d.deserialize_any(V_(std::marker::PhantomData))
    }
}

/// Read a scalar top-level `key: value` of a YAML file by a line scan (used to check the
/// format version before deserializing anything else). Returns the value and its line.
pub(crate) fn top_level_scalar<'a>(text: &'a str, key: &str) -> Option<(&'a str, usize)> {
    for (i, line) in text.lines().enumerate() {
        if let Some(rest) = line.strip_prefix(key).and_then(|r| r.strip_prefix(':')) {
            let v = rest.split(" #").next().unwrap_or(rest).trim();
            let v = v.trim_matches(|c| c == '\'' || c == '"');
            return Some((v, i + 1));
        }
    }
    None
}
