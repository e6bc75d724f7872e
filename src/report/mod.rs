//! Output formats. Each format is one module that renders results to a `String`;
//! nothing else in the library writes to stdout. Every untrusted string (names,
//! versions, paths, messages) goes through [`escape`] first.

pub mod change;
pub mod color;
pub mod escape;
pub mod github;
pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;

/// The output formats of `lockgate packages`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A readable table grouped by lockfile.
    Human,
    /// One JSON document (see `docs/json.md`).
    Json,
}
