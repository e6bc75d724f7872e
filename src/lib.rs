//! lockgate: guard the software supply chain before the build runs.
//!
//! The library behind the `lockgate` command. The flow is
//! [`discover`] (find lockfiles and manifests) → [`lockfile`] (one parser per format,
//! producing [`lockfile::Package`] records) → checks → report.

pub mod discover;
pub mod lockfile;
