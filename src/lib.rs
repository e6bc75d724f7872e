//! lockgate: guard the software supply chain before the build runs.
//!
//! The library behind the `lockgate` command. The flow is
//! [`discover`] (find lockfiles and manifests) → [`lockfile`] (one parser per format,
//! producing [`model::Package`] records) → [`resolve`] (all of it, in parallel,
//! failing closed) → checks → [`report`].
//!
//! # Layers
//!
//! A module imports only from its own floor or the floors below it, never upward
//! (top first; modules on one line are one floor and do not import each other
//! unless noted):
//!
//! ```text
//! cli (the binary) · mcp                     (front ends: arguments or requests in, one library call)
//! report                                     (renders outcomes, including a baseline's comparison)
//! baseline · guard                           (check a pull request's change; check an install command)
//! checks
//! allowlist
//! names
//! registry                                   (HTTP, cache and registry documents; needs only the model)
//! resolve
//! discover · manifest · installer
//! lockfile                                   (the parsers; a format never imports a sibling format)
//! version
//! model · lexical_path · hint                (the ground floor: imports nothing from lockgate)
//! ```
//!
//! `tests/architecture.rs` checks this on the source text.

// Ground floor, then the parsers and what walks, reads and resolves them.
pub mod hint;
pub mod lexical_path;
pub mod model;
#[cfg(test)]
mod test_support;
pub mod version;

pub mod discover;
pub mod installer;
pub mod lockfile;
pub mod manifest;
pub mod resolve;

// Registries, names, policy, checks, output.
pub mod allowlist;
pub mod checks;
pub mod names;
pub mod registry;
pub mod report;

// What runs on top of the checks: pull-request mode, the install guard, the MCP server.
pub mod baseline;
pub mod guard;
pub mod mcp;
