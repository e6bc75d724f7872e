//! Shared by the lockfile fuzz targets: parse bytes as one kind of lockfile, the
//! way `lockfile::parse_file` does after reading, and check the result is sane.

use lockgate::lockfile::{self, Kind};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// An empty scratch folder (parsers read siblings such as `package.json` from it).
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("lockgate-fuzz-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&d);
        d
    })
}

/// Decode and parse `data` as a lockfile named `file_name`; panics only on a bug.
pub fn run(kind: Kind, file_name: &str, data: &[u8]) {
    let Ok(text) = lockfile::decode_text(data) else {
        return;
    };
    let path = scratch().join(file_name);
    let display = Path::new(file_name);
    if let Ok(lock) = lockfile::parse_text(kind, &path, display, text) {
        let lines = text.lines().count().max(1) + 1;
        for p in &lock.packages {
            assert!(!p.name.is_empty(), "a package with an empty name: {p:?}");
            assert!(p.line >= 1, "line 0: {p:?}");
            if kind != Kind::Requirements {
                assert!(
                    p.line <= lines,
                    "line {} past the end ({lines} lines): {p:?}",
                    p.line
                );
            }
            for h in &p.hashes {
                if h.is_registry_digest() {
                    let again =
                        lockfile::Hash::parse(&h.to_string()).expect("a canonical hash parses");
                    assert_eq!(&again, h);
                }
            }
        }
    }
}
