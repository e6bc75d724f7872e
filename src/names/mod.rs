//! Name checks: typosquats, hallucinated names and known-bad packages, offline.
//!
//! [`NameChecker::embedded`] loads the reference data compiled into the binary (popular
//! names per ecosystem, the PyPI and npm name snapshots, and the small known-bad lists the
//! project writes itself; see `data/names/README.md`). [`NameChecker::check`] returns a
//! [`NameVerdict`] (`ok`, `warn` or `deny`) with the [`NameFinding`]s that matched, each
//! naming its [`Rule`]:
//!
//! - `known-malicious` / `known-hallucination`: exact (normalized) name, and version where
//!   the list gives versions; larger lists load at run time with
//!   [`NameChecker::load_known_bad`].
//! - `similar-name`: the name imitates a popular name (or a trusted name) by one or two
//!   edits, separators, homoglyphs, an affix, a plural, word order, an npm scope, or by
//!   gluing two popular names together. Candidates come from index lookups (exact
//!   skeleton, a one-deletion index queried with the name's deletions, an anagram index),
//!   never from a scan of the reference names.
//! - `cross-ecosystem`: unknown here but popular in another ecosystem.
//! - `unknown-name`: not in the embedded registry snapshot (PyPI, npm; cargo has none).
//! - `import-name`: a Python import name that is not a package name (`cv2`).
//!
//! A name that is itself popular, or trusted (the allowlist's names), is never flagged as
//! similar, cross-ecosystem or unknown; a trusted name is not flagged at all.
//! These are facts about names; `checks::names` turns them into the crate's findings.
//! See `docs/names.md` for the rules, their false positives and measured quality.
//!
//! Files: `checker.rs` (the checker, runs the rules), `similar.rs` (the similarity
//! rules), `candidates.rs` (index lookups), `shape.rs` (what a difference looks like),
//! `message.rs` (sentences), `finding.rs` (what is reported), `imports.rs` (Python
//! import names), `known.rs` (known-bad lists), `data.rs` (the embedded data), `text.rs`
//! (skeletons and edit distances).

mod candidates;
mod checker;
pub mod data;
mod finding;
pub mod imports;
pub mod known;
mod message;
mod shape;
mod similar;
pub mod text;

pub use checker::NameChecker;
pub use finding::{NameFinding, NameVerdict, Rule, Verdict, settle};
pub use known::{KnownBad, KnownBadError, KnownKind};
