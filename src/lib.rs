//! lockgate: guard the software supply chain before the build runs.
//!
//! The library behind the `lockgate` command. The flow is
//! [`discover`] (find lockfiles and manifests) → [`lockfile`] (one parser per format,
//! producing [`lockfile::Package`] records) → [`resolve`] (all of it, in parallel,
//! failing closed) → checks → [`report`].

pub mod allowlist;
pub mod baseline;
pub mod checks;
pub mod discover;
pub mod guard;
pub mod installer;
pub mod lockfile;
pub mod manifest;
pub mod names;
pub mod registry;
pub mod report;
pub mod resolve;
pub mod version;
