//! `pylock.toml` and `pylock.<name>.toml`, the standard Python lockfile (PEP 751), as
//! `pip lock`, `uv export --format pylock.toml`, pdm and pipenv write it.
//!
//! Supported: `lock-version` 1.x (a newer minor version is read as 1.0; another major
//! version is an error). Each `[[packages]]` entry has a `name`, usually a `version`, and
//! exactly one kind of source: `vcs` (git -> [`Source::Git`] at `commit-id`; other VCS ->
//! [`Source::Url`]), `directory` ([`Source::Path`]; a directory at `.` is the project
//! itself, a root and not a package), `archive` ([`Source::Url`] or [`Source::Path`]), or
//! `sdist` and/or `wheels` (a registry: `index` when it is not pypi.org; without `index`,
//! files on pypi.org's file host are the default registry and others name their host).
//! An entry with none, or with two kinds, is an error; so is a registry entry whose
//! version is neither written nor readable from its file names.
//!
//! Hashes are every `hashes` table of the archive, sdist and wheels (`sha256 = "<hex>"`;
//! algorithms other than md5, sha1, sha256, sha384 and sha512 are an error). Lines are
//! those of each package's `name` key (TOML spans).
//!
//! Paths: edges come from `dependencies` (tables naming a package, optionally with its
//! version), roots are the project entries (`directory = { path = "." }`), or the
//! `pyproject.toml` beside the lock (its `[project] dependencies` are direct,
//! `optional-dependencies` optional, `[dependency-groups]` dev); with neither, packages no
//! other package depends on are direct. Packages nothing reaches get `[project, name]`.
//!
//! Not verified: markers, `environments` and `requires-python` are not evaluated;
//! sizes are ignored. Upload times (`upload-time` of the sdist and each wheel) become
//! [`Package::upload_time`], the latest of them. `attestation-identities` are read
//! apart, by [`attestation_identities`] (the publisher check compares them with the
//! allowlist).

use super::graph::{self, Root};
use super::lines::LineIndex;
use super::python_lock::FastMap;
use super::python_url::{archive_name_version, is_pypi, redact};
use super::toml_subset::TomlDatetime;
use super::{Context, Lockfile, ParseError};
use crate::model::{Ecosystem, Hash, Package, Source, pep503};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Pylock {
    lock_version: Option<Spanned<toml::Value>>,
    #[serde(default)]
    packages: Vec<Pkg>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Pkg {
    name: Spanned<String>,
    version: Option<String>,
    index: Option<String>,
    #[serde(default)]
    dependencies: Vec<DepRef>,
    vcs: Option<Vcs>,
    directory: Option<Directory>,
    archive: Option<Archive>,
    sdist: Option<Artifact>,
    wheels: Option<Vec<Artifact>>,
}

#[derive(Deserialize)]
struct DepRef {
    name: Option<String>,
    version: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Vcs {
    #[serde(rename = "type")]
    kind: String,
    url: Option<String>,
    path: Option<String>,
    requested_revision: Option<String>,
    commit_id: String,
}

#[derive(Deserialize)]
struct Directory {
    path: String,
}

#[derive(Deserialize)]
struct Archive {
    url: Option<String>,
    path: Option<String>,
    hashes: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Artifact {
    name: Option<String>,
    url: Option<String>,
    path: Option<String>,
    hashes: BTreeMap<String, String>,
    /// PEP 751 `upload-time`: a TOML datetime (a string or a bare date is refused).
    #[serde(rename = "upload-time")]
    upload_time: Option<TomlDatetime>,
}

impl Artifact {
    fn file_name(&self) -> Option<&str> {
        self.name.as_deref().or_else(|| {
            let loc = self.url.as_deref().or(self.path.as_deref())?;
            loc.split(['#', '?']).next()?.rsplit('/').next()
        })
    }
}

/// A TOML datetime as Unix seconds: it must have a date and a time; a missing
/// offset is read as UTC (PEP 751 times are UTC).
///
/// What `parse_timestamp(&t.to_string())` reads, from the fields, without writing
/// the text: refused where the formatted text would be (a year of five digits, a time
/// without seconds, an offset of three-digit hours). `upload_secs_reads_the_formatted_text`
/// compares the two.
fn upload_secs(t: &toml::value::Datetime) -> Option<i64> {
    let (date, time) = (t.date?, t.time?);
    // `HH:MM` alone is too short for `parse_timestamp`, and a year above 9999 is
    // written with five digits where it reads four.
    let second = time.second.or(time.nanosecond.map(|_| 0))?;
    if date.year > 9999 {
        return None;
    }
    let offset = match t.offset {
        None | Some(toml::value::Offset::Z) => 0,
        Some(toml::value::Offset::Custom { minutes }) => {
            if minutes.unsigned_abs() / 60 > 99 {
                // written with three digits: no offset `parse_timestamp` reads
                return None;
            }
            i64::from(minutes) * 60
        }
    };
    crate::model::timestamp::from_parts(
        [
            i64::from(date.year),
            i64::from(date.month),
            i64::from(date.day),
            i64::from(time.hour),
            i64::from(time.minute),
            i64::from(second),
        ],
        offset,
    )
}

/// A dependency reference: normalized name and, if given, version.
type DepKey = (String, Option<String>);

/// The major lock-version lockgate reads.
pub const KNOWN_MAJOR: u64 = 1;

/// The `pylock` format: its file names, ecosystem, regenerate hint and parser.
pub static FORMAT: super::Format = super::Format::new(
    "pylock",
    module_path!(),
    super::Ecosystem::Pypi,
    parse,
)
.files(&["pylock.toml", "pylock.*.toml"], |name, _| {
    name.starts_with("pylock.") && name.ends_with(".toml")
})
.hint("regenerate it with `pip lock` / `uv export --format pylock.toml` (or restore it from git)");

/// Parse a `pylock.toml` / `pylock.<name>.toml`.
pub fn parse(ctx: &Context<'_>, text: &str) -> Result<Lockfile, ParseError> {
    let lines = LineIndex::new(text);
    let lock: Pylock = lines.toml(ctx, text, "not a valid pylock.toml")?;
    let lv = lock
        .lock_version
        .as_ref()
        .ok_or_else(|| ctx.error(Some(1), "`lock-version` is missing: not a PEP 751 lockfile"))?;
    let lv_line = lines.line(lv.span().start);
    let version_str = lv.get_ref().as_str().ok_or_else(|| {
        ctx.error(
            Some(lv_line),
            "`lock-version` must be a string such as \"1.0\"",
        )
    })?;
    let (major, minor) = version_str
        .split_once('.')
        .and_then(|(a, b)| Some((a.parse::<u64>().ok()?, b.parse::<u64>().ok()?)))
        .ok_or_else(|| {
            ctx.error(
                Some(lv_line),
                format!("`lock-version` \"{version_str}\" is not `<major>.<minor>`"),
            )
        })?;
    if major != KNOWN_MAJOR {
        return Err(ctx.error(
            Some(lv_line),
            format!("`lock-version` \"{version_str}\" is not a version lockgate knows (1.x)"),
        ));
    }

    struct Item {
        pkg: Package,
        deps: Vec<(String, Option<String>)>,
    }
    let mut items: Vec<Item> = Vec::new();
    let mut seen: FastMap<(String, String, Source), usize> = FastMap::default();
    // Project entries (directory "."): label and direct dependencies.
    let mut projects: Vec<(String, Vec<DepKey>)> = Vec::new();

    for p in &lock.packages {
        let name = p.name.get_ref().trim();
        let line = lines.line(p.name.span().start);
        let err = |msg: String| ctx.error(Some(line), format!("package `{name}`: {msg}"));
        if name.is_empty() {
            return Err(ctx.error(Some(line), "a package has an empty `name`"));
        }
        let deps: Vec<(String, Option<String>)> = p
            .dependencies
            .iter()
            .filter_map(|d| Some((pep503(d.name.as_deref()?), d.version.clone())))
            .collect();
        let kinds = [
            p.vcs.is_some(),
            p.directory.is_some(),
            p.archive.is_some(),
            p.sdist.is_some() || p.wheels.is_some(),
        ];
        match kinds.iter().filter(|k| **k).count() {
            0 => {
                return Err(err(
                    "no source (`vcs`, `directory`, `archive`, `sdist` or `wheels`)".into(),
                ));
            }
            1 => {}
            _ => return Err(err(
                "more than one kind of source (`vcs`, `directory`, `archive`, `sdist`/`wheels`)"
                    .into(),
            )),
        }
        // The hashes of one file (each parsed once).
        // (`what` names the file in an error: only made then)
        let file_hashes = |table: &BTreeMap<String, String>,
                           what: &dyn Fn() -> String|
         -> Result<Vec<Hash>, ParseError> {
            if table.is_empty() {
                return Err(err(format!("{} has an empty `hashes` table", what())));
            }
            table
                .iter()
                .map(|(alg, hex)| {
                    Hash::from_hex(alg, hex).map_err(|e| err(format!("{}: {e}", what())))
                })
                .collect()
        };
        let mut file_version: Option<String> = None;
        // Every file with its own URL and hashes, for the source policy.
        let file_fact =
            |url: &Option<String>, name: Option<&str>, hashes: Vec<Hash>| crate::model::Artifact {
                url: url.clone(),
                filename: name.map(str::to_string),
                hashes: hashes.into(),
                line: crate::model::package::line_u32(line),
            };
        let mut artifacts = Vec::new();
        let mut upload_time: Option<i64> = None;
        for a in p.sdist.iter().chain(p.wheels.iter().flatten()) {
            if let Some(TomlDatetime(t)) = &a.upload_time {
                let secs = upload_secs(t).ok_or_else(|| {
                    err(format!(
                        "{}: `upload-time = {t}` is not a date and time with a UTC offset (e.g. 2025-09-08T13:00:00Z); regenerate the lock",
                        a.file_name().unwrap_or("a file")
                    ))
                })?;
                upload_time = Some(upload_time.map_or(secs, |u| u.max(secs)));
            }
        }
        let source = if let Some(v) = &p.vcs {
            let _ = &v.requested_revision;
            match (v.kind.as_str(), &v.url, &v.path) {
                ("git", Some(url), _) => Source::Git {
                    url: redact(url.strip_prefix("git+").unwrap_or(url)),
                    rev: Some(v.commit_id.as_str().into()),
                },
                (_, Some(url), _) => {
                    Source::Url(format!("{}+{}@{}", v.kind, redact(url), v.commit_id))
                }
                (_, None, Some(path)) => Source::Path(path.clone()),
                (_, None, None) => return Err(err("`vcs` has neither `url` nor `path`".into())),
            }
        } else if let Some(d) = &p.directory {
            if matches!(d.path.trim_end_matches('/'), "." | "") {
                projects.push((name.to_string(), deps));
                continue;
            }
            Source::Path(d.path.clone())
        } else if let Some(a) = &p.archive {
            artifacts.push(file_fact(
                &a.url,
                None,
                file_hashes(&a.hashes, &|| "`archive`".to_string())?,
            ));
            let loc = a
                .url
                .as_deref()
                .or(a.path.as_deref())
                .ok_or_else(|| err("`archive` has neither `url` nor `path`".into()))?;
            let file = loc
                .split(['#', '?'])
                .next()
                .unwrap_or(loc)
                .rsplit('/')
                .next()
                .unwrap_or(loc);
            file_version = archive_name_version(file).map(|a| a.1);
            match &a.url {
                Some(url) => Source::Url(redact(url)),
                None => Source::Path(loc.to_string()),
            }
        } else {
            let mut first_loc: Option<&Artifact> = None;
            for a in p.sdist.iter().chain(p.wheels.iter().flatten()) {
                let what = || a.file_name().unwrap_or("a file").to_string();
                let hashes = file_hashes(&a.hashes, &what)?;
                artifacts.push(file_fact(&a.url, a.name.as_deref(), hashes));
                if a.url.is_none() && a.path.is_none() && p.index.is_none() {
                    return Err(err(format!(
                        "{} has neither `url` nor `path`",
                        a.file_name().unwrap_or("a file")
                    )));
                }
                if file_version.is_none() {
                    file_version = a.file_name().and_then(archive_name_version).map(|x| x.1);
                }
                first_loc.get_or_insert(a);
            }
            if p.wheels.as_ref().is_some_and(Vec::is_empty) && p.sdist.is_none() {
                return Err(err("`wheels` is empty".into()));
            }
            match (&p.index, first_loc) {
                (Some(ix), _) if is_pypi(ix) => Source::Registry(None),
                (Some(ix), _) => Source::Registry(Some(redact(ix))),
                (None, Some(a)) => match (&a.url, &a.path) {
                    (Some(url), _) if is_pythonhosted(url) => Source::Registry(None),
                    (Some(url), _) => Source::Registry(Some(origin(url))),
                    (None, Some(path)) => Source::Path(path.clone()),
                    (None, None) => Source::Registry(None),
                },
                (None, None) => Source::Registry(None),
            }
        };
        let version = match (&p.version, file_version, &source) {
            (Some(v), _, _) => v.trim().to_string(),
            (None, Some(v), _) => v,
            (None, None, Source::Registry(_)) => return Err(err("no `version`".into())),
            (None, None, _) => String::new(),
        };
        if p.version.as_deref().is_some_and(|v| v.trim().is_empty()) {
            return Err(err("empty `version`".into()));
        }
        let mut hashes: Vec<Hash> = artifacts.iter().flat_map(|a| a.hashes.clone()).collect();
        hashes.sort_unstable();
        hashes.dedup();
        let key = (pep503(name), version.clone(), source.clone());
        if let Some(&i) = seen.get(&key) {
            if let Some(it) = items.get_mut(i) {
                it.pkg.hashes.extend(hashes);
                it.pkg.hashes.sort_unstable();
                it.pkg.hashes.dedup();
                it.pkg.extend_files(artifacts);
                if let Some(t) = upload_time {
                    it.pkg.note_upload_time(t);
                }
                it.deps.extend(deps);
            }
            continue;
        }
        seen.insert(key, items.len());
        items.push(Item {
            pkg: Package {
                hashes: hashes.into(),
                artifacts: artifacts.into(),
                upload_time: upload_time.into(),
                ..Package::new(Ecosystem::Pypi, name, version, source, ctx.display, line)
            },
            deps,
        });
    }

    // The graph.
    let mut by_name: FastMap<String, Vec<usize>> = FastMap::default();
    for (i, it) in items.iter().enumerate() {
        by_name.entry(pep503(&it.pkg.name)).or_default().push(i);
    }
    let resolve = |(name, version): &(String, Option<String>)| -> Vec<usize> {
        by_name
            .get(name)
            .map(|ix| {
                ix.iter()
                    .copied()
                    .filter(|&i| {
                        version
                            .as_ref()
                            .is_none_or(|v| items.get(i).is_some_and(|it| it.pkg.version == *v))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let edges: Vec<Vec<usize>> = items
        .iter()
        .map(|it| it.deps.iter().flat_map(&resolve).collect())
        .collect();
    let manifest = pyproject_roots(ctx);
    let default_label = manifest
        .as_ref()
        .and_then(|m| m.name.clone())
        .or_else(|| projects.first().map(|p| p.0.clone()))
        .unwrap_or_else(|| ctx.root_label());
    let mut roots: Vec<Root> = Vec::new();
    for (label, deps) in &projects {
        roots.push(Root {
            label: label.clone(),
            deps: deps.iter().flat_map(&resolve).collect(),
            ..Root::default()
        });
    }
    if let Some(m) = &manifest {
        let pick = |names: &[String]| -> Vec<usize> {
            names
                .iter()
                .flat_map(|n| by_name.get(n).cloned().unwrap_or_default())
                .collect()
        };
        roots.push(Root {
            label: default_label.clone(),
            deps: pick(&m.deps),
            dev_deps: pick(&m.dev),
            optional_deps: pick(&m.optional),
        });
    }
    if roots
        .iter()
        .all(|r| r.deps.is_empty() && r.dev_deps.is_empty() && r.optional_deps.is_empty())
    {
        let mut has_parent = vec![false; items.len()];
        for e in edges.iter().flatten() {
            if let Some(h) = has_parent.get_mut(*e) {
                *h = true;
            }
        }
        roots = vec![Root {
            label: default_label.clone(),
            deps: (0..items.len())
                .filter(|&i| !has_parent.get(i).copied().unwrap_or(false))
                .collect(),
            ..Root::default()
        }];
    }
    let labels: Vec<String> = items.iter().map(|it| it.pkg.name.to_string()).collect();
    let reach = graph::shortest_paths(&labels, &edges, &roots);
    let packages = items
        .into_iter()
        .zip(reach)
        .map(|(it, r)| {
            let mut p = it.pkg;
            p.direct = r.direct;
            p.dev = r.dev;
            p.optional = r.optional;
            p.path = if r.path.len() > 1 {
                r.path
            } else {
                vec![default_label.clone(), p.name.to_string()].into()
            };
            p.infer_pypi_install_script();
            p
        })
        .collect();
    Ok(Lockfile {
        path: ctx.display.to_path_buf(),
        ecosystem: Ecosystem::Pypi,
        format: format!("pylock-v{major}.{minor}"),
        packages,
        unpinned: Vec::new(),
    })
}

fn is_pythonhosted(url: &str) -> bool {
    origin(url).eq_ignore_ascii_case("https://files.pythonhosted.org")
}

/// `scheme://host` of a URL (credentials removed).
fn origin(url: &str) -> String {
    let clean = redact(url);
    match clean.split_once("://") {
        Some((scheme, rest)) => format!(
            "{scheme}://{}",
            rest.split(['/', '?', '#']).next().unwrap_or("")
        ),
        None => clean,
    }
}

/// What the `pyproject.toml` beside the lock asks for directly (normalized names).
struct Manifest {
    name: Option<String>,
    deps: Vec<String>,
    optional: Vec<String>,
    dev: Vec<String>,
}

fn requirement_name(req: &str) -> Option<String> {
    let req = req.trim();
    let end = req
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
        .unwrap_or(req.len());
    let name = req.get(..end)?;
    (!name.is_empty()).then(|| pep503(name))
}

fn pyproject_roots(ctx: &Context<'_>) -> Option<Manifest> {
    let text = std::fs::read_to_string(ctx.dir().join("pyproject.toml")).ok()?;
    let doc: toml::Table = text.parse().ok()?;
    let strings = |v: Option<&toml::Value>| -> Vec<String> {
        v.and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str())
                    .filter_map(requirement_name)
                    .collect()
            })
            .unwrap_or_default()
    };
    let project = doc.get("project");
    let tables = |v: Option<&toml::Value>| -> Vec<String> {
        v.and_then(|v| v.as_table())
            .map(|t| t.values().flat_map(|g| strings(Some(g))).collect())
            .unwrap_or_default()
    };
    let m = Manifest {
        name: project
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
            .map(str::to_string),
        deps: strings(project.and_then(|p| p.get("dependencies"))),
        optional: tables(project.and_then(|p| p.get("optional-dependencies"))),
        dev: tables(doc.get("dependency-groups")),
    };
    (m.name.is_some() || !m.deps.is_empty() || !m.dev.is_empty()).then_some(m)
}

/// One `[[packages.attestation-identities]]` entry (PEP 751, the PEP 740 publisher
/// shape): who is expected to have attested the package's files.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AttestationIdentity {
    /// The publisher kind (`GitHub`, `GitLab`, …).
    pub kind: String,
    /// `owner/repo` (GitHub), the project path (GitLab).
    #[serde(default, alias = "project")]
    pub repository: Option<String>,
    /// The workflow file (GitHub) or CI file path (GitLab).
    #[serde(default, alias = "workflow_filepath")]
    pub workflow: Option<String>,
    /// The CI environment, if the identity names one.
    #[serde(default)]
    pub environment: Option<String>,
}

/// The attestation identities a `pylock.toml` lists: `(name, version, identities)` for
/// every package that lists some. A list that is not of tables with a `kind` is an
/// error (naming the package).
#[allow(clippy::type_complexity)]
pub fn attestation_identities(
    text: &str,
) -> Result<Vec<(String, Option<String>, Vec<AttestationIdentity>)>, String> {
    #[derive(Deserialize)]
    struct Doc {
        #[serde(default)]
        packages: Vec<P>,
    }
    #[derive(Deserialize)]
    struct P {
        name: String,
        version: Option<String>,
        #[serde(default, rename = "attestation-identities")]
        ids: Option<Vec<toml::Value>>,
    }
    let doc: Doc = toml::from_str(text).map_err(|e| e.message().to_string())?;
    let mut out = Vec::new();
    for p in doc.packages {
        let Some(ids) = p.ids else { continue };
        let ids = ids
            .into_iter()
            .map(|v| {
                v.try_into::<AttestationIdentity>().map_err(|e| {
                    format!(
                        "package `{}`: an `attestation-identities` entry needs a `kind` (and optional `repository`, `workflow`, `environment`): {}",
                        p.name,
                        e.message()
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        out.push((p.name, p.version, ids));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn parse_str(text: &str) -> Result<Lockfile, ParseError> {
        FORMAT.parse_at("/nonexistent/proj/pylock.toml", text)
    }

    const H: &str = "1111111111111111111111111111111111111111111111111111111111111111";

    /// `upload_secs` reads what `parse_timestamp` read of the formatted datetime
    /// (the reading it replaces), for every shape TOML gives (with and without
    /// date, time, seconds, fraction and offset) and for field values the text
    /// cannot hold (five-digit years, offsets of 100 hours).
    #[test]
    fn upload_secs_reads_the_formatted_text() {
        use toml::value::{Date, Datetime, Offset, Time};
        let formatted = |t: &Datetime| -> Option<i64> {
            t.date?;
            t.time?;
            crate::model::timestamp::parse_timestamp(&t.to_string())
        };
        let mut values = Vec::new();
        for date in ["", "1979-05-27", "0000-01-01", "9999-12-31", "2024-02-29"] {
            for sep in ["T", " ", "t"] {
                for time in [
                    "",
                    "07:32",
                    "07:32:00",
                    "23:59:60",
                    "00:00:00.5",
                    "12:34:56.123456789",
                    "12:34:56.000",
                ] {
                    for off in ["", "Z", "z", "+05:30", "-00:00", "+00:00", "-23:59"] {
                        let text = match (date, time) {
                            ("", "") => continue,
                            ("", t) => format!("{t}{off}"),
                            (d, "") => d.to_string(),
                            (d, t) => format!("{d}{sep}{t}{off}"),
                        };
                        if let Ok(v) = text.parse::<Datetime>() {
                            values.push(v);
                        }
                    }
                }
            }
        }
        assert!(values.len() > 200, "{} datetimes", values.len());
        let odd = |year, second, nanosecond, offset| Datetime {
            date: Some(Date {
                year,
                month: 12,
                day: 31,
            }),
            time: Some(Time {
                hour: 23,
                minute: 59,
                second,
                nanosecond,
            }),
            offset,
        };
        for year in [0, 1970, 9999, 10_000, u16::MAX] {
            for (second, nanosecond) in [(None, None), (None, Some(5)), (Some(7), None)] {
                for offset in [
                    None,
                    Some(Offset::Z),
                    Some(Offset::Custom { minutes: -61 }),
                    Some(Offset::Custom { minutes: 5_999 }),
                    Some(Offset::Custom { minutes: 6_000 }),
                    Some(Offset::Custom { minutes: -32_767 }),
                ] {
                    values.push(odd(year, second, nanosecond, offset));
                }
            }
        }
        let mut read = 0;
        for v in &values {
            assert_eq!(upload_secs(v), formatted(v), "{v}");
            read += usize::from(formatted(v).is_some());
        }
        assert!(read > 100, "{read} read");
    }

    fn sample() -> String {
        format!(
            r#"lock-version = "1.0"
created-by = "test"

[[packages]]
name = "app"
directory = {{ path = "." }}
dependencies = [{{ name = "a" }}]

[[packages]]
name = "a"
version = "1.0"
dependencies = [{{ name = "b", version = "2.0" }}]
wheels = [{{ url = "https://files.pythonhosted.org/a-1.0-py3-none-any.whl", hashes = {{ sha256 = "{H}" }} }}]

[[packages]]
name = "b"
version = "2.0"
index = "https://mirror.example/simple"
sdist = {{ url = "https://mirror.example/b-2.0.tar.gz", hashes = {{ sha256 = "{H}" }} }}

[[packages]]
name = "c"
vcs = {{ type = "git", url = "https://example.com/c.git", commit-id = "abc" }}
"#
        )
    }

    #[test]
    fn sources_edges_and_roots() {
        let lf = parse_str(&sample()).unwrap();
        assert_eq!(lf.format, "pylock-v1.0");
        assert_eq!(
            crate::lockfile::test_support::where_read(&lf.packages),
            vec![("a", "1.0", 10), ("b", "2.0", 16), ("c", "", 22)]
        );
        assert_eq!(lf.packages[0].source, Source::Registry(None));
        assert_eq!(
            lf.packages[1].source,
            Source::Registry(Some("https://mirror.example/simple".into()))
        );
        assert_eq!(lf.packages[1].path, vec!["app", "a", "b"]);
        assert!(lf.packages[0].direct && !lf.packages[1].direct);
        assert_eq!(lf.packages[2].path, vec!["app", "c"]);
    }

    #[test]
    fn errors_name_their_line() {
        let s = sample();
        let e = parse_str(&s.replace("\"1.0\"\ncreated", "\"2.0\"\ncreated")).unwrap_err();
        assert_eq!(e.line, Some(1));
        let e = parse_str(&s.replace("sha256 = \"1111", "sha256 = \"zz11")).unwrap_err();
        assert_eq!(e.line, Some(10));
        let no_version = s.replace("version = \"2.0\"\nindex", "index");
        let lf = parse_str(&no_version).unwrap();
        assert_eq!(
            lf.packages[1].version, "2.0",
            "read from the sdist's file name"
        );
        let e = parse_str(&no_version.replace("b-2.0.tar.gz", "b.tar.gz")).unwrap_err();
        assert_eq!(e.line, Some(16), "{e}");
        let e = parse_str(&s.replace("commit-id = \"abc\" ", "")).unwrap_err();
        assert_eq!(e.line, Some(23), "{e}");
        let e = parse_str(&s.replace(
            "version = \"1.0\"\ndependencies",
            "version = 1\ndependencies",
        ))
        .unwrap_err();
        assert_eq!(e.line, Some(11), "{e}");
        let e = parse_str(&s[..s.len() - 30]).unwrap_err();
        assert!(e.line.is_some());
    }
}

#[cfg(test)]
mod upload_time_tests {
    use super::tests::parse_str;

    const H: &str = "1111111111111111111111111111111111111111111111111111111111111111";

    fn lock(sdist_time: &str, wheel_time: &str) -> String {
        format!(
            r#"lock-version = "1.0"
created-by = "test"

[[packages]]
name = "a"
version = "1.0"
sdist = {{ url = "https://files.pythonhosted.org/a-1.0.tar.gz", upload-time = {sdist_time}, hashes = {{ sha256 = "{H}" }} }}
wheels = [{{ url = "https://files.pythonhosted.org/a-1.0-py3-none-any.whl", upload-time = {wheel_time}, hashes = {{ sha256 = "{H}" }} }}]
"#
        )
    }

    // Hand-written: the wheel was uploaded after the sdist; the later time counts.
    #[test]
    fn upload_time_is_the_latest_of_the_files() {
        let text = lock("2020-01-01T00:00:00Z", "2025-09-08T13:16:00Z");
        let lf = parse_str(&text).unwrap();
        assert_eq!(lf.packages[0].upload_time, Some(1_757_337_360));
    }

    // Hand-written malformed input: a date without a time, and a string.
    #[test]
    fn a_date_without_time_or_a_string_is_an_error() {
        let text = lock("2020-01-01T00:00:00Z", "2025-09-08");
        let e = parse_str(&text).unwrap_err();
        assert!(e.message.contains("upload-time"), "{}", e.message);
        assert_eq!(e.line, Some(5));
        let text = lock("2020-01-01T00:00:00Z", "\"2025-09-08T13:16:00Z\"");
        assert!(parse_str(&text).is_err());
    }
}
