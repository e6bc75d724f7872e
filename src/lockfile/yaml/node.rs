//! Taking typed values out of the fast reader's tree ([`super::subset::Node`]).
//!
//! Each impl reads a node the way `serde` reads the same YAML through the full parser
//! into the same type (unknown fields ignored, missing fields defaulted), and returns
//! `None` wherever the two could differ (a type mismatch, a plain scalar whose type the
//! YAML core schema decides), so that the caller falls back to the full parser.

use super::SpannedMap;
use super::subset::{Node, Pair};
use std::collections::BTreeMap;

/// A value read from the fast reader's tree, as the full parser would read it.
pub(crate) trait FromNode: Sized {
    /// The value, or `None` when the full parser must decide.
    fn from_node(node: &Node<'_>) -> Option<Self>;
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
pub(crate) fn string(node: &Node<'_>) -> Option<String> {
    match node {
        Node::Scalar(s) => s.as_string().map(str::to_string),
        _ => None,
    }
}

/// A scalar that any reader types as a string (quoted, or plain and neither a number
/// nor a boolean): what an untagged `serde` enum sees as a string.
pub(crate) fn untyped_string(node: &Node<'_>) -> Option<String> {
    match node {
        Node::Scalar(s) => s.as_untyped_string().map(str::to_string),
        _ => None,
    }
}

impl FromNode for String {
    fn from_node(node: &Node<'_>) -> Option<Self> {
        string(node)
    }
}

impl FromNode for bool {
    fn from_node(node: &Node<'_>) -> Option<Self> {
        match node {
            Node::Scalar(s) => s.as_bool(),
            _ => None,
        }
    }
}

impl<T: FromNode> FromNode for BTreeMap<String, T> {
    fn from_node(node: &Node<'_>) -> Option<Self> {
        let mut out = BTreeMap::new();
        for p in map(node)? {
            // keys are unique (the reader gives up on duplicates)
            out.insert(p.key.to_string(), T::from_node(&p.value)?);
        }
        Some(out)
    }
}

impl<T: FromNode> FromNode for SpannedMap<T> {
    fn from_node(node: &Node<'_>) -> Option<Self> {
        let pairs = map(node)?;
        // a flow mapping's keys carry no line: leave those to the full parser
        if pairs.iter().any(|p| p.line == 0) {
            return None;
        }
        let mut out = Vec::with_capacity(pairs.len());
        for p in pairs {
            out.push((p.key.to_string(), p.line, T::from_node(&p.value)?));
        }
        Some(SpannedMap(out))
    }
}
