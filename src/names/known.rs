//! Lists of known-bad names: known-malicious packages and known-hallucinated names.
//!
//! Two sources: the small lists shipped in `data/names/` (written by the lockgate authors
//! from documented incidents), and lists given at run time with `--known-bad PATH`:
//! - a directory in the OpenSSF malicious-packages layout
//!   (`osv/malicious/<npm|pypi|crates.io>/<name>/<id>.json`; any `*.json` below `PATH` is
//!   read, records with `withdrawn` are skipped, affected versions are kept), or
//! - a TSV with a header line: `ecosystem name osv_id versions` (known-malicious; `versions`
//!   is `*`, a comma list, or empty for "no version data"), or `ecosystem name source_id`
//!   (known-hallucination).
//!
//! Names compare as [`PackageKey`]s (the ecosystem's normal form). Errors name the file and line.

use crate::model::{Ecosystem, PackageKey};
use serde::Deserialize;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// An error reading a known-bad list.
#[derive(Debug, thiserror::Error)]
pub enum KnownBadError {
    /// The file or directory could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A line or record is malformed.
    #[error("{path}:{line}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// What kind of list an entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KnownKind {
    /// A malicious package report.
    Malicious,
    /// A name that AI assistants invent.
    Hallucination,
}

/// Which versions of a name an entry covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Affected {
    /// Every version.
    pub all: bool,
    /// Explicit versions.
    pub versions: Vec<String>,
    /// Ranges `[introduced, end)` (end inclusive when `end_inclusive`); `None` = unbounded.
    pub ranges: Vec<(Option<String>, Option<String>, bool)>,
}

impl Affected {
    /// Whether the source gave no version information at all.
    pub fn is_unknown(&self) -> bool {
        !self.all && self.versions.is_empty() && self.ranges.is_empty()
    }

    /// The affected versions for people: each listed version, each range
    /// (`>=1.0.0, <1.2.0`), or `*` for every version; empty when unknown.
    pub fn describe(&self) -> Vec<String> {
        if self.all {
            return vec!["*".to_string()];
        }
        let mut out = self.versions.clone();
        for (lo, hi, incl) in &self.ranges {
            let lo = lo.as_deref().filter(|l| *l != "0");
            out.push(match (lo, hi.as_deref()) {
                (None, None) => "*".to_string(),
                (Some(l), None) => format!(">={l}"),
                (None, Some(h)) => format!("{}{h}", if *incl { "<=" } else { "<" }),
                (Some(l), Some(h)) => format!(">={l}, {}{h}", if *incl { "<=" } else { "<" }),
            });
        }
        out
    }

    /// Whether `version` is affected (`None` for unknown version data).
    pub fn contains(&self, version: &str) -> Option<bool> {
        if self.all {
            return Some(true);
        }
        if self.is_unknown() {
            return None;
        }
        if self.versions.iter().any(|v| v == version) {
            return Some(true);
        }
        Some(self.ranges.iter().any(|(lo, hi, incl)| {
            let above = lo
                .as_deref()
                .is_none_or(|lo| lo == "0" || compare_versions(version, lo) != Ordering::Less);
            let below = hi
                .as_deref()
                .is_none_or(|hi| match compare_versions(version, hi) {
                    Ordering::Less => true,
                    Ordering::Equal => *incl,
                    Ordering::Greater => false,
                });
            above && below
        }))
    }
}

/// Compare dotted versions: numeric parts numerically, others as text (good enough for
/// OSV ranges of malicious packages, which are nearly always `introduced: 0`).
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let parts = |s: &str| -> Vec<String> {
        s.split(['.', '-', '+'])
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let (pa, pb) = (parts(a), parts(b));
    for i in 0..pa.len().max(pb.len()) {
        let x = pa.get(i).map_or("0", String::as_str);
        let y = pb.get(i).map_or("0", String::as_str);
        let o = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            _ => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// One known-bad entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownEntry {
    /// Malicious or hallucinated.
    pub kind: KnownKind,
    /// The report id (OSV id, advisory, or the list's source id).
    pub id: String,
    /// Affected versions (hallucinations: all).
    pub affected: Affected,
    /// Where the entry was read from (file name or `embedded`).
    pub origin: String,
}

/// Known-bad names by (ecosystem, normalized name).
#[derive(Debug, Clone, Default)]
pub struct KnownBad {
    entries: HashMap<PackageKey, Vec<KnownEntry>>,
}

impl KnownBad {
    /// The lists shipped with lockgate (`data/names/known-*.tsv`).
    pub fn embedded() -> KnownBad {
        let mut k = KnownBad::default();
        for (file, text) in [
            (
                "known-malicious.tsv",
                include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/data/names/known-malicious.tsv"
                )),
            ),
            (
                "known-hallucinations.tsv",
                include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/data/names/known-hallucinations.tsv"
                )),
            ),
        ] {
            // The shipped files are tested; a malformed one would fail `embedded_lists_parse`.
            let _ = k.add_tsv(Path::new(file), text, "embedded");
        }
        k
    }

    /// Number of distinct names.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Add one entry.
    pub fn insert(&mut self, eco: Ecosystem, name: &str, entry: KnownEntry) {
        self.entries
            .entry(PackageKey::new(eco, name))
            .or_default()
            .push(entry);
    }

    /// The entries for a normalized name.
    pub fn get(&self, eco: Ecosystem, normalized: &str) -> &[KnownEntry] {
        self.entries
            .get(&PackageKey::new(eco, normalized))
            .map_or(&[], Vec::as_slice)
    }

    /// Load a TSV file or an OSV directory; returns how many entries were added.
    pub fn load(&mut self, path: &Path) -> Result<usize, KnownBadError> {
        let io = |source| KnownBadError::Io {
            path: path.to_path_buf(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        if meta.is_dir() {
            let mut files = Vec::new();
            collect_json(path, &mut files)?;
            files.sort();
            let mut n = 0;
            for f in files {
                n += self.add_osv_file(&f)?;
            }
            Ok(n)
        } else if path.extension().is_some_and(|e| e == "json") {
            self.add_osv_file(path)
        } else {
            let text = std::fs::read_to_string(path).map_err(io)?;
            let origin = path.display().to_string();
            self.add_tsv(path, &text, &origin)
        }
    }

    /// Add the rows of a TSV (see the module doc for the columns).
    pub fn add_tsv(
        &mut self,
        path: &Path,
        text: &str,
        origin: &str,
    ) -> Result<usize, KnownBadError> {
        let err = |line: usize, message: String| KnownBadError::Parse {
            path: path.to_path_buf(),
            line,
            message,
        };
        let mut lines = text.lines().enumerate();
        let Some((_, header)) = lines.next() else {
            return Ok(0);
        };
        let cols: Vec<&str> = header.split('\t').map(str::trim).collect();
        let col = |name: &str| cols.iter().position(|c| *c == name);
        let (Some(ce), Some(cn)) = (col("ecosystem"), col("name")) else {
            return Err(err(
                1,
                "header must name the columns `ecosystem` and `name`".into(),
            ));
        };
        let (kind, cid) = match (col("osv_id"), col("source_id")) {
            (Some(i), _) => (KnownKind::Malicious, i),
            (None, Some(i)) => (KnownKind::Hallucination, i),
            _ => {
                return Err(err(
                    1,
                    "header needs an `osv_id` or a `source_id` column".into(),
                ));
            }
        };
        let cv = col("versions");
        let mut n = 0;
        for (i, line) in lines {
            let lineno = i + 1;
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            let field = |c: usize, what: &str| {
                f.get(c)
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| err(lineno, format!("missing {what}")))
            };
            let eco_s = field(ce, "ecosystem")?;
            let eco = Ecosystem::parse(eco_s)
                .ok_or_else(|| err(lineno, format!("unknown ecosystem `{eco_s}`")))?;
            let name = field(cn, "name")?;
            let id = field(cid, "id")?;
            let mut affected = Affected::default();
            if kind == KnownKind::Hallucination {
                affected.all = true;
            } else if let Some(v) = cv.and_then(|c| f.get(c)).map(|s| s.trim()) {
                if v == "*" {
                    affected.all = true;
                } else {
                    affected.versions = v
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect();
                }
            }
            self.insert(
                eco,
                name,
                KnownEntry {
                    kind,
                    id: id.to_string(),
                    affected,
                    origin: origin.to_string(),
                },
            );
            n += 1;
        }
        Ok(n)
    }

    /// Add one OSV record file; returns 0 for withdrawn records or other ecosystems.
    pub fn add_osv_file(&mut self, path: &Path) -> Result<usize, KnownBadError> {
        let text = std::fs::read_to_string(path).map_err(|source| KnownBadError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let rec: OsvRecord = serde_json::from_str(&text).map_err(|e| KnownBadError::Parse {
            path: path.to_path_buf(),
            line: e.line(),
            message: format!("not an OSV record: {e}"),
        })?;
        if rec.withdrawn.is_some() {
            return Ok(0);
        }
        let mut n = 0;
        for a in rec.affected {
            let Some(pkg) = a.package else { continue };
            let eco = match pkg.ecosystem.as_str() {
                "npm" => Ecosystem::Npm,
                "PyPI" | "pypi" => Ecosystem::Pypi,
                "crates.io" | "crates-io" => Ecosystem::Cargo,
                _ => continue,
            };
            let mut affected = Affected {
                versions: a.versions,
                ..Affected::default()
            };
            for r in a.ranges {
                let mut lo: Option<String> = None;
                for ev in r.events {
                    if let Some(i) = ev.introduced {
                        if lo.is_some() {
                            affected.ranges.push((lo.take(), None, false));
                        }
                        lo = Some(i);
                    } else if let Some(fx) = ev.fixed {
                        affected.ranges.push((lo.take(), Some(fx), false));
                    } else if let Some(la) = ev.last_affected {
                        affected.ranges.push((lo.take(), Some(la), true));
                    }
                }
                if let Some(lo) = lo {
                    if lo == "0" {
                        affected.all = true;
                    } else {
                        affected.ranges.push((Some(lo), None, false));
                    }
                }
            }
            if affected.is_unknown() {
                // A malicious-package record with no version data covers the package.
                affected.all = true;
            }
            self.insert(
                eco,
                &pkg.name,
                KnownEntry {
                    kind: KnownKind::Malicious,
                    id: rec.id.clone(),
                    affected,
                    origin: path.display().to_string(),
                },
            );
            n += 1;
        }
        Ok(n)
    }
}

fn collect_json(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), KnownBadError> {
    let io = |source| KnownBadError::Io {
        path: dir.to_path_buf(),
        source,
    };
    for e in std::fs::read_dir(dir).map_err(io)? {
        let e = e.map_err(io)?;
        let p = e.path();
        let ft = e.file_type().map_err(io)?;
        if ft.is_dir() {
            collect_json(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
    Ok(())
}

#[derive(Deserialize)]
struct OsvRecord {
    id: String,
    #[serde(default)]
    withdrawn: Option<serde_json::Value>,
    #[serde(default)]
    affected: Vec<OsvAffected>,
}

#[derive(Deserialize)]
struct OsvAffected {
    package: Option<OsvPackage>,
    #[serde(default)]
    versions: Vec<String>,
    #[serde(default)]
    ranges: Vec<OsvRange>,
}

#[derive(Deserialize)]
struct OsvPackage {
    ecosystem: String,
    name: String,
}

#[derive(Deserialize)]
struct OsvRange {
    #[serde(default)]
    events: Vec<OsvEvent>,
}

#[derive(Deserialize)]
struct OsvEvent {
    introduced: Option<String>,
    fixed: Option<String>,
    last_affected: Option<String>,
}

impl crate::hint::Hint for KnownBadError {
    fn hints(&self) -> Vec<String> {
        vec![match self {
            KnownBadError::Io { .. } => {
                "check that the known-bad list exists and is readable".to_string()
            }
            KnownBadError::Parse { .. } => {
                "fix that line of the list, or restore the file from git".to_string()
            }
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_lists_parse() {
        for (file, text) in [
            (
                "known-malicious.tsv",
                include_str!("../../data/names/known-malicious.tsv"),
            ),
            (
                "known-hallucinations.tsv",
                include_str!("../../data/names/known-hallucinations.tsv"),
            ),
        ] {
            let mut k = KnownBad::default();
            let n = k.add_tsv(Path::new(file), text, "embedded").unwrap();
            assert!(n > 0, "{file} is empty");
        }
    }

    #[test]
    fn tsv_errors_name_the_line() {
        let mut k = KnownBad::default();
        let e = k
            .add_tsv(
                Path::new("x.tsv"),
                "ecosystem\tname\tosv_id\tversions\nnpm\tfoo\tMAL-1\t*\nperl\tbar\tMAL-2\t\n",
                "x",
            )
            .unwrap_err();
        assert_eq!(e.to_string(), "x.tsv:3: unknown ecosystem `perl`");
    }

    #[test]
    fn ranges_and_lists() {
        let a = Affected {
            ranges: vec![(Some("1.2.0".into()), Some("1.3.0".into()), false)],
            versions: vec!["2.0.0".into()],
            all: false,
        };
        assert_eq!(a.contains("1.2.5"), Some(true));
        assert_eq!(a.contains("1.3.0"), Some(false));
        assert_eq!(a.contains("2.0.0"), Some(true));
        assert_eq!(Affected::default().contains("1"), None);
        assert_eq!(compare_versions("1.10.0", "1.9"), Ordering::Greater);
    }
}
