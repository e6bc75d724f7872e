//! The package model: the ground floor of the crate.
//!
//! What every other module talks about: the [`Ecosystem`], a package name in its
//! ecosystem's normal form ([`NormalizedName`]) and the [`PackageKey`] things are
//! looked up by, the [`Hash`] of an artifact, where a package comes from
//! ([`Source`]), and the [`Package`] record a lockfile parser produces with its
//! [`Artifact`]s and [`DepPath`]; and the words that name the kinds of finding
//! ([`finding_id`]). This module imports nothing from the rest of
//! lockgate.

pub mod artifacts;
pub mod dep_path;
pub mod ecosystem;
pub mod finding_id;
pub mod hash;
pub mod install_script;
pub mod list;
pub mod memory;
pub mod name;
mod newtype;
pub mod package;
pub mod shared_path;
pub mod source;
pub mod timestamp;

pub use artifacts::Artifacts;
pub use dep_path::DepPath;
pub use ecosystem::Ecosystem;
pub use hash::Hash;
pub use list::{List, OneOrList};
pub use name::{NormalizedName, PackageKey, pep503};
pub use package::{Artifact, Package};
pub use shared_path::SharedPath;
pub use source::Source;
pub use timestamp::UploadTime;

/// A hash map with foldhash's hasher: several times faster than std's SipHash on the
/// names, versions and URLs lockfile readers key by. It is seeded per process from
/// address-space randomisation only (foldhash without `std`; it claims no HashDoS
/// resistance), so colliding keys cannot be prepared in advance, and keys that do
/// collide only slow a run: no output may depend on such a map's iteration order
/// (docs/design-changes.md, "foldhash, not SipHash"). The one alias of every reader.
pub type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
