//! The JSON output format. The shapes are documented in `docs/json.md`; changing a
//! field name is a breaking change.

use crate::checks::{Finding, Outcome, Severity};
use crate::lockfile::{Ecosystem, Lockfile, Package, ParseError, Unpinned};
use crate::model::{NormalizedName, Source};
use crate::resolve::Resolution;
use serde::Serialize;
use std::borrow::Cow;
use std::path::PathBuf;

/// Version of the JSON documents lockgate writes.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct LockfileSummary<'a> {
    path: &'a PathBuf,
    ecosystem: Ecosystem,
    format: &'a str,
    packages: usize,
}

/// One parse or read error, as JSON.
#[derive(Serialize)]
pub struct ErrorRecord<'a> {
    /// The file.
    pub path: &'a PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: &'a str,
    /// What to do (`help`, the word findings use too).
    #[serde(rename = "help")]
    pub hint: &'a str,
}

impl<'a> From<&'a ParseError> for ErrorRecord<'a> {
    fn from(e: &'a ParseError) -> Self {
        ErrorRecord {
            path: &e.path,
            line: e.line,
            message: &e.message,
            hint: &e.hint,
        }
    }
}

#[derive(Serialize)]
struct PackageRecord<'a> {
    #[serde(flatten)]
    package: &'a Package,
    normalized_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_url: Option<String>,
}

#[derive(Serialize)]
struct PackagesDoc<'a> {
    schema_version: u32,
    complete: bool,
    lockfiles: Vec<LockfileSummary<'a>>,
    packages: Records<'a>,
    unpinned: Vec<&'a Unpinned>,
    manifests_without_lockfile: &'a [PathBuf],
    errors: Vec<ErrorRecord<'a>>,
}

/// The `packages` document of a resolution (the records are made as they are written).
fn packages_doc(res: &Resolution) -> PackagesDoc<'_> {
    PackagesDoc {
        schema_version: SCHEMA_VERSION,
        complete: res.is_complete(),
        lockfiles: res
            .lockfiles
            .iter()
            .map(|l| LockfileSummary {
                path: &l.path,
                ecosystem: l.ecosystem,
                format: &l.format,
                packages: l.packages.len(),
            })
            .collect(),
        packages: Records(res),
        unpinned: res.unpinned().collect(),
        manifests_without_lockfile: &res.manifests_without_lockfile,
        errors: res.errors.iter().map(ErrorRecord::from).collect(),
    }
}

/// Every package of a resolution as a JSON array, each record made when it is written.
struct Records<'a>(&'a Resolution);

impl Serialize for Records<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.packages().map(|p| PackageRecord {
            package: p,
            normalized_name: p.normalized_name(),
            source_url: p.source.location(),
        }))
    }
}

/// Render the output of `lockgate packages --format json`.
pub fn packages(res: &Resolution) -> String {
    let mut s = super::escape::json_safe(
        serde_json::to_string_pretty(&packages_doc(res))
            .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}")),
    );
    s.push('\n');
    s
}

/// Write the output of `lockgate packages --format json` to `out` as it is
/// serialized: the same bytes as [`packages`], without holding the whole document
/// (for a large scan it is megabytes) in memory. `out` should be buffered.
pub fn write_packages(res: &Resolution, out: &mut impl std::io::Write) -> std::io::Result<()> {
    write_packages_with(res, &[], out)
}

/// The `packages` records of one lockfile, as [`write_packages_with`] takes them:
/// made where the lockfile is read (`resolve::resolve_with`), on the parse threads.
/// `None` when a path in them is not UTF-8 (the whole document is then an error
/// document, see [`packages`]).
///
/// The records of a lockfile of ordinary size are written into this thread's
/// buffer of the last lockfile and copied out at their exact size: memory already
/// touched, instead of a fresh vector grown by doubling (a record is 300 to 2,500
/// bytes, so a guess of its size was 2-4 times too small or too large).
pub fn package_records(lock: &Lockfile) -> Option<Vec<u8>> {
    if lock.packages.len() > RECORDS_IN_SCRATCH {
        let mut buf = Vec::with_capacity(lock.packages.len() * 320);
        write_records(&lock.packages, &mut buf)?;
        return Some(buf);
    }
    RECORDS_SCRATCH.with(|cell| {
        let mut buf = cell.take();
        buf.clear();
        let made = write_records(&lock.packages, &mut buf).map(|()| buf.clone());
        cell.set(buf);
        made
    })
}

/// Lockfiles of more packages write their records into their own vector: a copy
/// of megabytes would cost more than it saves, and the buffer kept per thread stays
/// small (at most this many records, about 12 MB at the longest record seen).
const RECORDS_IN_SCRATCH: usize = 5_000;

thread_local! {
    /// The buffer [`package_records`] wrote the last lockfile's records into.
    static RECORDS_SCRATCH: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Each package as a record of the `packages` array, each one preceded by `,` and
/// the pretty printer's line break and indent: the same bytes as the document's
/// own serializer writes for them (the records are at depth 2), written by hand
/// (`records_are_the_serializers_bytes` compares the two). `None` when a path is
/// not UTF-8.
fn write_records(packages: &[Package], out: &mut Vec<u8>) -> Option<()> {
    for p in packages {
        write_record(p, out)?;
    }
    Some(())
}

/// One record of [`write_records`]: the fields of `PackageRecord` in its order, in
/// the pretty printer's layout at depth 2.
fn write_record(p: &Package, out: &mut Vec<u8>) -> Option<()> {
    out.extend_from_slice(b",\n    {\n      \"ecosystem\": ");
    json_str(out, p.ecosystem.as_str());
    out.extend_from_slice(b",\n      \"name\": ");
    json_str(out, &p.name);
    out.extend_from_slice(b",\n      \"version\": ");
    json_str(out, &p.version);
    out.extend_from_slice(b",\n      \"hashes\": ");
    json_array(out, p.hashes.iter(), |out, h| {
        // A digest's text (an algorithm's name and lowercase hex) needs no escaping.
        let start = out.len();
        out.push(b'"');
        if h.push_digest_text(out) {
            out.push(b'"');
        } else {
            out.truncate(start);
            json_str(out, &h.to_string());
        }
    });
    out.extend_from_slice(b",\n      \"source\": ");
    json_str(out, p.source.kind());
    out.extend_from_slice(b",\n      \"lockfile\": ");
    json_str(out, p.lockfile.to_str()?);
    out.extend_from_slice(b",\n      \"line\": ");
    let _ = p.line.serialize(&mut serializer_at(&mut *out, 0));
    for (key, flag) in [
        (&b",\n      \"direct\": "[..], p.direct),
        (b",\n      \"dev\": ", p.dev),
        (b",\n      \"optional\": ", p.optional),
    ] {
        out.extend_from_slice(key);
        out.extend_from_slice(if flag { b"true" } else { b"false" });
    }
    out.extend_from_slice(b",\n      \"path\": ");
    json_array(out, p.path.iter(), json_str);
    out.extend_from_slice(b",\n      \"normalized_name\": ");
    match p.ecosystem {
        // (npm names are their own normal form: no copy to make)
        Ecosystem::Npm => json_str(out, &p.name),
        eco => json_str(out, NormalizedName::new(eco, &p.name).as_str()),
    }
    // `Source::location` without the copy, but for a git source's `url#rev`.
    let location = match &p.source {
        Source::Registry(url) => url.as_deref().map(Cow::Borrowed),
        Source::Path(s) | Source::Url(s) => Some(Cow::Borrowed(s.as_str())),
        Source::Git { .. } => p.source.location().map(Cow::Owned),
    };
    if let Some(url) = location {
        out.extend_from_slice(b",\n      \"source_url\": ");
        json_str(out, &url);
    }
    out.extend_from_slice(b"\n    }");
    Some(())
}

/// An array at depth 3 of the document, as the pretty printer writes it: `[]`
/// when empty, else one element a line.
fn json_array<T>(
    out: &mut Vec<u8>,
    items: impl IntoIterator<Item = T>,
    mut each: impl FnMut(&mut Vec<u8>, T),
) {
    let mut any = false;
    for item in items {
        out.extend_from_slice(if any { b",\n        " } else { b"[\n        " });
        each(out, item);
        any = true;
    }
    out.extend_from_slice(if any { b"\n      ]" } else { b"[]" });
}

/// A JSON string as [`SafeFormatter`] writes it. Printable ASCII without `"` and
/// `\` (nearly every name, version, path and URL) is copied as it is; anything
/// else goes through the serializer itself.
fn json_str(out: &mut Vec<u8>, s: &str) {
    if s.bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
    {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        // Writing to a vector cannot fail, nor can serializing a string.
        let _ = s.serialize(&mut serializer_at(&mut *out, 0));
    }
}

/// [`write_records`] through serde's serializer of `PackageRecord`: what the fast
/// writer is compared with.
#[cfg(test)]
fn write_records_serde(packages: &[Package], out: &mut Vec<u8>) -> std::io::Result<()> {
    for p in packages {
        out.extend_from_slice(b",\n    ");
        let record = PackageRecord {
            package: p,
            normalized_name: p.normalized_name(),
            source_url: p.source.location(),
        };
        record
            .serialize(&mut serializer_at(&mut *out, 2))
            .map_err(std::io::Error::other)?;
    }
    Ok(())
}

/// A serializer whose pretty printer starts `depth` levels deep, as it is when it
/// reaches a value at that depth of the whole document.
fn serializer_at<W: std::io::Write>(
    out: W,
    depth: usize,
) -> serde_json::Serializer<W, SafeFormatter<'static>> {
    use serde_json::ser::Formatter as _;
    let mut pretty = serde_json::ser::PrettyFormatter::new();
    for _ in 0..depth {
        // Only raises the indent level (writing `[` to nowhere).
        let _ = pretty.begin_array(&mut std::io::sink());
    }
    serde_json::Serializer::with_formatter(out, SafeFormatter(pretty))
}

/// [`write_packages`], with the records of each lockfile already made
/// ([`package_records`], one entry per `res.lockfiles`; a missing or `None` entry
/// is made here). The document is written field by field in the order and layout
/// of `PackagesDoc`'s serializer (the tests compare the two).
pub fn write_packages_with(
    res: &Resolution,
    records: &[Option<Vec<u8>>],
    out: &mut impl std::io::Write,
) -> std::io::Result<()> {
    // A path that is not UTF-8 cannot be serialized: [`packages`] then writes an
    // error document instead, which a stream could not do once it has begun.
    if !paths_are_utf8(res) {
        return out.write_all(packages(res).as_bytes());
    }
    let doc = packages_doc(res);
    let field = |out: &mut dyn std::io::Write, key: &str, value: &dyn erased::Value| {
        write!(out, ",\n  \"{key}\": ")?;
        value.write_to(out)
    };
    write!(
        out,
        "{{\n  \"schema_version\": {},\n  \"complete\": {}",
        doc.schema_version, doc.complete
    )?;
    field(out, "lockfiles", &doc.lockfiles)?;
    out.write_all(b",\n  \"packages\": [")?;
    let mut any = false;
    let mut own = Vec::new();
    for (i, lock) in res.lockfiles.iter().enumerate() {
        let made = match records.get(i) {
            Some(Some(made)) => made,
            _ => {
                own.clear();
                write_records(&lock.packages, &mut own)
                    .ok_or_else(|| std::io::Error::other("a path is not UTF-8"))?;
                &own
            }
        };
        // Each record starts with `,`: the array's first one must not.
        let made = if any {
            made
        } else {
            made.get(1..).unwrap_or_default()
        };
        any |= !made.is_empty();
        out.write_all(made)?;
    }
    out.write_all(if any { b"\n  ]" } else { b"]" })?;
    field(out, "unpinned", &doc.unpinned)?;
    field(
        out,
        "manifests_without_lockfile",
        &doc.manifests_without_lockfile,
    )?;
    field(out, "errors", &doc.errors)?;
    out.write_all(b"\n}\n")
}

/// A field value of the `packages` document, written at depth 1 of the document.
mod erased {
    use serde::Serialize;

    /// Something serializable, behind `dyn`.
    pub(super) trait Value {
        /// Serialize it at depth 1 to `out`.
        fn write_to(&self, out: &mut dyn std::io::Write) -> std::io::Result<()>;
    }

    impl<T: Serialize> Value for T {
        fn write_to(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
            self.serialize(&mut super::serializer_at(out, 1))
                .map_err(std::io::Error::other)
        }
    }
}

/// True when every path the `packages` document holds is UTF-8 (serializable).
fn paths_are_utf8(res: &Resolution) -> bool {
    let utf8 = |p: &std::path::Path| p.to_str().is_some();
    res.lockfiles.iter().all(|l| utf8(&l.path))
        && res.packages().all(|p| utf8(&p.lockfile))
        && res.unpinned().all(|u| utf8(&u.file))
        && res.manifests_without_lockfile.iter().all(|p| utf8(p))
        && res.errors.iter().all(|e| utf8(&e.path))
}

/// Formatter methods passed on to the pretty printer as they are (its layout).
macro_rules! delegate_to_pretty {
    ($($name:ident($($arg:ident: $ty:ty)?);)*) => {$(
        fn $name<W: ?Sized + std::io::Write>(
            &mut self,
            w: &mut W,
            $($arg: $ty)?
        ) -> std::io::Result<()> {
            self.0.$name(w, $($arg)?)
        }
    )*};
}

/// serde_json's pretty printer, with the escaping of
/// [`json_safe`](super::escape::json_safe) done as strings are written: every
/// unsafe character serde leaves as it is becomes a `\uXXXX` escape. (Outside
/// strings a JSON document is ASCII, so this is the whole of `json_safe`.)
struct SafeFormatter<'a>(serde_json::ser::PrettyFormatter<'a>);

impl serde_json::ser::Formatter for SafeFormatter<'_> {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        if fragment.bytes().all(|b| b < 0x7f) {
            return w.write_all(fragment.as_bytes());
        }
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if super::escape::is_unsafe(c) && c != '\n' {
                w.write_all(fragment.as_bytes().get(start..i).unwrap_or_default())?;
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    write!(w, "\\u{unit:04x}")?;
                }
                start = i + c.len_utf8();
            }
        }
        w.write_all(fragment.as_bytes().get(start..).unwrap_or_default())
    }

    delegate_to_pretty! {
        begin_array();
        end_array();
        begin_array_value(first: bool);
        end_array_value();
        begin_object();
        end_object();
        begin_object_key(first: bool);
        begin_object_value();
        end_object_value();
    }
}

#[derive(Serialize)]
struct Summary<'a> {
    lockfiles: usize,
    packages: usize,
    findings: usize,
    critical: usize,
    error: usize,
    warning: usize,
    note: usize,
    fail_on: &'a str,
    failing: usize,
    exit_code: u8,
    allowlist: &'a PathBuf,
}

#[derive(Serialize)]
struct FindingsDoc<'a> {
    schema_version: u32,
    complete: bool,
    summary: Summary<'a>,
    findings: &'a [Finding],
    /// With `--baseline`: what the change did to the pinned packages, with classes.
    #[serde(skip_serializing_if = "Option::is_none")]
    changes: Option<&'a [crate::baseline::PackageChange]>,
}

/// Render the output of `lockgate check --format json`.
pub fn findings(outcome: &Outcome) -> String {
    findings_with_changes(outcome, None)
}

/// [`findings`], with the `changes` of a `--baseline` run (each changed package
/// with its `kind` and `classes`: see `docs/json.md`).
pub fn findings_with_changes(
    outcome: &Outcome,
    changes: Option<&[crate::baseline::PackageChange]>,
) -> String {
    let doc = FindingsDoc {
        schema_version: SCHEMA_VERSION,
        complete: outcome.complete && !outcome.registry_failed(),
        summary: Summary {
            lockfiles: outcome.lockfiles,
            packages: outcome.packages,
            findings: outcome.findings.len(),
            critical: outcome.count(Severity::Critical),
            error: outcome.count(Severity::Error),
            warning: outcome.count(Severity::Warning),
            note: outcome.count(Severity::Note),
            fail_on: outcome.fail_on.map(Severity::as_str).unwrap_or("never"),
            failing: outcome.failing(),
            exit_code: outcome.exit_code(),
            allowlist: &outcome.allowlist,
        },
        findings: &outcome.findings,
        changes,
    };
    let mut s = super::escape::json_safe(
        serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}")),
    );
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lockfile::{Lockfile, Source};
    use std::path::Path;

    fn resolution(lockfile: &Path) -> Resolution {
        let mut p = Package::new(
            Ecosystem::Npm,
            "left\u{202e}pad\u{7f}",
            "1.0.0\u{85}",
            Source::Registry(Some("https://r\u{200b}.example".into())),
            lockfile,
            3,
        );
        p.direct = true;
        Resolution {
            lockfiles: vec![Lockfile {
                path: lockfile.to_path_buf(),
                ecosystem: Ecosystem::Npm,
                format: "package-lock-v3".into(),
                packages: vec![
                    p,
                    Package::new(
                        Ecosystem::Npm,
                        "a",
                        "2",
                        Source::Registry(None),
                        lockfile,
                        9,
                    ),
                ],
                unpinned: vec![],
            }],
            manifests_without_lockfile: vec!["x\u{2066}/package.json".into()],
            errors: vec![ParseError::new(
                Path::new("e/yarn.lock"),
                Some(2),
                "bad \u{feff}\t\"",
            )],
            ..Resolution::default()
        }
    }

    #[test]
    fn the_stream_writes_what_packages_renders() {
        for lockfile in ["a\u{202e}b/package-lock.json", "package-lock.json"] {
            let res = resolution(Path::new(lockfile));
            let mut streamed = Vec::new();
            write_packages(&res, &mut streamed).unwrap();
            let rendered = packages(&res);
            assert_eq!(String::from_utf8(streamed).unwrap(), rendered);
            assert!(rendered.contains("left\\u202epad\\u007f"), "{rendered}");
            assert!(rendered.is_ascii());
        }
    }

    /// The records made per lockfile (in the parse threads) and written by
    /// `write_packages_with` give the bytes of the whole-document serializer, with
    /// every entry made, none made, or some made: empty lockfiles first, between
    /// and last, no lockfile at all, unpinned requirements and errors present.
    #[test]
    fn records_made_per_lockfile_write_what_packages_renders() {
        let full = resolution(Path::new("a\u{202e}b/package-lock.json"));
        let empty = |path: &str| Lockfile {
            path: path.into(),
            ecosystem: Ecosystem::Pypi,
            format: "requirements".into(),
            packages: vec![],
            unpinned: vec![Unpinned {
                ecosystem: Ecosystem::Pypi,
                name: "flask\u{2028}".into(),
                spec: ">=2".into(),
                file: path.into(),
                line: 4,
            }],
        };
        let mut other = full.lockfiles[0].clone();
        other.path = "z/package-lock.json".into();
        other.packages.truncate(1);
        let cases: Vec<Vec<Lockfile>> = vec![
            vec![],
            vec![empty("requirements.txt")],
            vec![empty("a.txt"), full.lockfiles[0].clone(), empty("b.txt")],
            vec![full.lockfiles[0].clone(), empty("m.txt"), other.clone()],
            vec![other, full.lockfiles[0].clone()],
        ];
        for lockfiles in cases {
            let mut res = full.clone();
            res.lockfiles = lockfiles;
            let rendered = packages(&res);
            let made: Vec<_> = res.lockfiles.iter().map(package_records).collect();
            assert!(made.iter().all(Option::is_some));
            let mut some = made.clone();
            some.iter_mut().step_by(2).for_each(|m| *m = None);
            for records in [made, some, Vec::new()] {
                let mut out = Vec::new();
                write_packages_with(&res, &records, &mut out).unwrap();
                assert_eq!(String::from_utf8(out).unwrap(), rendered);
            }
            let errors_cleared = Resolution {
                errors: vec![],
                manifests_without_lockfile: vec![],
                ..res.clone()
            };
            let mut out = Vec::new();
            write_packages(&errors_cleared, &mut out).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), packages(&errors_cleared));
        }
    }

    /// The hand-written record writer against serde's serializer of
    /// `PackageRecord`: every package of every fixture lockfile, then each of them
    /// with its text fields mutated (quotes, backslashes, controls, DEL, C1, bidi
    /// and zero-width characters, non-BMP characters), every kind of source and
    /// hash, empty and long paths, and the extreme line numbers.
    #[test]
    fn records_are_the_serializers_bytes() {
        use crate::model::{DepPath, Hash};
        let same = |packages: &[Package]| {
            let mut fast = Vec::new();
            write_records(packages, &mut fast).unwrap();
            let mut serde = Vec::new();
            write_records_serde(packages, &mut serde).unwrap();
            assert_eq!(
                String::from_utf8(fast).unwrap(),
                String::from_utf8(serde).unwrap()
            );
        };
        let files = crate::lockfile::test_support::fixture_files(&|_, path| {
            crate::lockfile::detect(path).is_some()
        });
        let mut read = Vec::new();
        for path in &files {
            if let Ok(lock) = crate::lockfile::parse_file(path, path) {
                same(&lock.packages);
                read.extend(lock.packages);
            }
        }
        assert!(read.len() > 1000, "{} packages read", read.len());
        let odd = [
            "",
            "a\"b",
            "c\\d",
            "\u{0}\u{8}\t\n\u{b}\u{c}\r\u{1b}[2K\u{1f}",
            "del\u{7f}",
            "c1\u{85}\u{9f}",
            "left\u{202e}pad\u{200b}\u{feff}\u{2066}\u{ad}\u{61c}\u{2028}",
            "caf\u{e9} \u{1f600} \u{10ffff}",
            "\u{7e}~ plain",
        ];
        let sources = [
            Source::Registry(None),
            Source::Registry(Some("https://r.example/\u{202e}x".into())),
            Source::Git {
                url: "https://g.example/a\"b.git".into(),
                rev: Some("0123\u{1b}".into()),
            },
            Source::Git {
                url: "https://g.example/c.git".into(),
                rev: None,
            },
            Source::Path("../lib\\x".into()),
            Source::Url("https://u.example/\u{85}.tgz".into()),
        ];
        let hashes = [
            Hash::from_hex("sha256", &"ab".repeat(32)).unwrap(),
            Hash::from_hex("sha512", &"0f".repeat(64)).unwrap(),
            Hash::yarn_berry("10c0/abc\"\\\u{202e}"),
            Hash::yarn_berry(""),
        ];
        let mut mutated = Vec::new();
        for (i, p) in read.iter().enumerate().step_by(7) {
            let text = odd[i % odd.len()];
            let mut m = p.clone();
            m.name = format!("{}{text}", m.name).into();
            m.version = format!("{text}{}", m.version).into();
            m.source = sources[i % sources.len()].clone();
            m.hashes = hashes[..i % (hashes.len() + 1)].to_vec().into();
            m.path = [text, "app", "\u{2066}b"][..i % 4]
                .iter()
                .fold(DepPath::EMPTY, |path, label| path.child(*label));
            m.line = [0, 1, u32::MAX, 4_294_967][i % 4];
            m.lockfile = crate::model::SharedPath::new(Path::new(&format!("d{text}/yarn.lock")));
            for (k, e) in Ecosystem::ALL.into_iter().enumerate() {
                if k == i % 4 {
                    m.ecosystem = e;
                }
            }
            (m.direct, m.dev, m.optional) = (i % 2 == 0, i % 3 == 0, i % 5 == 0);
            mutated.push(m);
        }
        same(&mutated);
        same(&[]);
    }

    #[cfg(unix)]
    #[test]
    fn a_path_that_is_not_utf8_writes_what_packages_renders() {
        use std::os::unix::ffi::OsStrExt;
        let res = resolution(Path::new(std::ffi::OsStr::from_bytes(
            b"\xff/package-lock.json",
        )));
        let mut streamed = Vec::new();
        write_packages(&res, &mut streamed).unwrap();
        assert_eq!(String::from_utf8(streamed).unwrap(), packages(&res));
        // The records made per lockfile cannot hold such a path: none are made.
        assert_eq!(package_records(&res.lockfiles[0]), None);
        let mut out = Vec::new();
        write_packages_with(&res, &[None], &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), packages(&res));
    }
}
