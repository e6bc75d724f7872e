//! Taking typed values out of the fast reader's tree ([`super::subset::Node`]).
//!
//! Each impl reads a node the way `serde` reads the same YAML through the full parser
//! into the same type (unknown fields ignored, missing fields defaulted), and returns
//! `None` wherever the two could differ (a type mismatch, a plain scalar whose type the
//! YAML core schema decides), so that the caller falls back to the full parser.
//!
//! The types the lockfile readers take hold `Cow<'a, str>` strings: read from the tree
//! they borrow the lockfile's text (no copy; only a scalar that held an escape owns its
//! text), read by the full parser they own theirs. The records are then built from the
//! same typed values whichever reader read them, so the two readings can differ only
//! where these impls do, which the differential tests (`super::differential`) check.

use super::SpannedMap;
use super::subset::{Node, Pair};
use serde::{Deserialize, Deserializer};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// A value read from the fast reader's tree, as the full parser would read it.
pub(crate) trait FromNode<'a>: Sized {
    /// The value, or `None` when the full parser must decide.
    fn from_node(node: &Node<'a>) -> Option<Self>;
}

/// The pairs of a mapping node.
pub(crate) fn map<'n, 'a>(node: &'n Node<'a>) -> Option<&'n [Pair<'a>]> {
    match node {
        Node::Map(pairs) => Some(pairs),
        _ => None,
    }
}

/// A scalar read as a string: quoted, or plain text that is a string or a short decimal
/// (read as written, as the full parser reads it into a `String`).
pub(crate) fn string<'a>(node: &Node<'a>) -> Option<Cow<'a, str>> {
    match node {
        Node::Scalar(s) => s.as_string().map(|_| s.text.clone()),
        _ => None,
    }
}

/// A scalar that any reader types as a string (quoted, or plain and neither a number
/// nor a boolean): what an untagged `serde` enum sees as a string.
pub(crate) fn untyped_string<'a>(node: &Node<'a>) -> Option<Cow<'a, str>> {
    match node {
        Node::Scalar(s) => s.as_untyped_string().map(|_| s.text.clone()),
        _ => None,
    }
}

impl<'a> FromNode<'a> for Cow<'a, str> {
    fn from_node(node: &Node<'a>) -> Option<Self> {
        string(node)
    }
}

impl<'a> FromNode<'a> for bool {
    fn from_node(node: &Node<'a>) -> Option<Self> {
        match node {
            Node::Scalar(s) => s.as_bool(),
            _ => None,
        }
    }
}

impl<'a, T: FromNode<'a>> FromNode<'a> for BTreeMap<Cow<'a, str>, T> {
    fn from_node(node: &Node<'a>) -> Option<Self> {
        let mut out = BTreeMap::new();
        for p in map(node)? {
            // keys are unique (the reader gives up on duplicates)
            out.insert(p.key.clone(), T::from_node(&p.value)?);
        }
        Some(out)
    }
}

/// A YAML mapping kept in file order, with the 1-based line of every key, whose keys
/// borrow from the text when the fast reader read them ([`SpannedMap`] with borrowed
/// keys). Duplicate keys are an error.
#[derive(Debug)]
pub(crate) struct LinedMap<'a, V>(pub Vec<(Cow<'a, str>, usize, V)>);

impl<V> Default for LinedMap<'_, V> {
    fn default() -> Self {
        LinedMap(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for LinedMap<'_, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let m = SpannedMap::<V>::deserialize(d)?;
        let pairs = m.0.into_iter();
        Ok(LinedMap(
            pairs.map(|(k, l, v)| (Cow::Owned(k), l, v)).collect(),
        ))
    }
}

impl<'a, T: FromNode<'a>> FromNode<'a> for LinedMap<'a, T> {
    fn from_node(node: &Node<'a>) -> Option<Self> {
        let pairs = map(node)?;
        // a flow mapping's keys carry no line: leave those to the full parser
        if pairs.iter().any(|p| p.line == 0) {
            return None;
        }
        let mut out = Vec::with_capacity(pairs.len());
        for p in pairs {
            out.push((p.key.clone(), p.line, T::from_node(&p.value)?));
        }
        Some(LinedMap(out))
    }
}
