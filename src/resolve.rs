//! From paths to one package list: discover, parse every lockfile in parallel, and
//! collect what could not be read. The result is complete or says it is not:
//! [`Resolution::errors`] is empty only when every lockfile was read whole.

use crate::discover::{self, Discovered, Options};
use crate::lockfile::{self, Lockfile, ParseError, Unpinned};
use crate::model::{Ecosystem, Package, PackageKey, Source};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Everything the lockfiles under some paths pin.
#[derive(Debug, Clone, Default)]
pub struct Resolution {
    /// Every lockfile read, sorted by path.
    pub lockfiles: Vec<Lockfile>,
    /// Manifests that declare dependencies but have no lockfile (and requirements
    /// files that pin nothing).
    pub manifests_without_lockfile: Vec<PathBuf>,
    /// Every manifest found (for the names they declare).
    pub manifests: Vec<discover::Manifest>,
    /// Lockfiles or folders that could not be read. Non-empty means the package list
    /// is incomplete and the run must fail.
    pub errors: Vec<ParseError>,
    /// Lockfile-like files and folders the walk did not read, with the reason.
    pub skipped: Vec<discover::Skipped>,
    /// Files read because git tracks them, although an ignore file or the skip list
    /// names them.
    pub tracked_overrides: Vec<PathBuf>,
}

impl Resolution {
    /// Every package of every lockfile, in lockfile order.
    pub fn packages(&self) -> impl Iterator<Item = &Package> {
        self.lockfiles.iter().flat_map(|l| l.packages.iter())
    }

    /// Every unpinned requirement of every lockfile.
    pub fn unpinned(&self) -> impl Iterator<Item = &Unpinned> {
        self.lockfiles.iter().flat_map(|l| l.unpinned.iter())
    }

    /// True when every lockfile was read whole.
    pub fn is_complete(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Discover and parse everything under `paths`.
pub fn resolve(paths: &[PathBuf], opts: &Options) -> Resolution {
    resolve_with(paths, opts, &|_| ()).0
}

/// [`resolve`], and `each` applied to every lockfile read, in the parse threads right
/// after it is read (e.g. its part of the output, so that the work is parallel and
/// done while the other lockfiles are still being read). The second vector has one
/// entry per [`Resolution::lockfiles`], in that order; `None` for a lockfile that was
/// changed after `each` saw it (the workflows, whose local actions are deduplicated
/// across lockfiles once every one is read): the caller must do that work itself.
pub fn resolve_with<T: Send>(
    paths: &[PathBuf],
    opts: &Options,
    each: &(dyn Fn(&Lockfile) -> T + Sync),
) -> (Resolution, Vec<Option<T>>) {
    let (found, results, manifest_work) = discover_and_parse(paths, opts, each);
    finish(found, results, manifest_work)
}

/// Parse what [`discover::discover`] found (`cargo_metadata`: see [`Options`]).
pub fn resolve_found(found: Discovered, cargo_metadata: bool) -> Resolution {
    resolve_found_with(found, cargo_metadata, &|_| ()).0
}

/// [`resolve_found`], with `each` as in [`resolve_with`].
pub fn resolve_found_with<T: Send>(
    found: Discovered,
    cargo_metadata: bool,
    each: &(dyn Fn(&Lockfile) -> T + Sync),
) -> (Resolution, Vec<Option<T>>) {
    let (results, manifest_work) = parse_all(&found.lockfiles, cargo_metadata, each, || {
        ManifestWork::new(&found.manifests, assumed_dirs(&found.lockfiles))
    });
    finish(found, results, manifest_work)
}

/// The lockfile folders as the walk found them: what the parse can change is only
/// that a requirements file pinning nothing covers no manifest (see [`finish`]).
fn assumed_dirs(lockfiles: &[discover::Found]) -> HashSet<(Ecosystem, PathBuf)> {
    lockfiles
        .iter()
        .map(|f| (f.kind.ecosystem(), lockfile_dir(&f.path)))
        .collect()
}

/// The resolution from what the walk found, each lockfile's reading (in
/// `found.lockfiles` order) and the manifest work done for [`assumed_dirs`].
fn finish<T>(
    found: Discovered,
    results: Vec<Parsed<T>>,
    manifest_work: ManifestWork,
) -> (Resolution, Vec<Option<T>>) {
    let mut done = Vec::with_capacity(results.len());
    let mut res = Resolution {
        errors: found.errors.into_iter().map(ParseError::from).collect(),
        skipped: found.skipped,
        tracked_overrides: found.tracked_overrides,
        ..Resolution::default()
    };
    res.errors.extend(manifest_work.encoding_errors);
    let mut dirs = HashSet::new();
    for (f, r) in found.lockfiles.iter().zip(results) {
        match r {
            Ok((lock, made)) => {
                // A requirements file that pins nothing is a manifest, not a lockfile.
                let pins_nothing = lock.format == "requirements"
                    && lock.packages.is_empty()
                    && !lock.unpinned.is_empty();
                if pins_nothing {
                    res.manifests_without_lockfile.push(f.display.clone());
                } else {
                    dirs.insert((lock.ecosystem, lockfile_dir(&f.path)));
                }
                res.lockfiles.push(lock);
                done.push(made);
            }
            Err(e) => {
                // A lockfile we could not read still covers its manifests: the error is reported instead.
                dirs.insert((f.kind.ecosystem(), lockfile_dir(&f.path)));
                res.errors.push(e);
            }
        }
    }
    dedup_local_actions(&mut res.lockfiles);
    // Done beside the parse for the folders assumed; again here when they differ.
    let uncovered = if dirs == manifest_work.dirs {
        manifest_work.uncovered
    } else {
        discover::manifests_without_lockfile(&found.manifests, &dirs)
            .into_iter()
            .map(|m| (m, None))
            .collect()
    };
    let path_deps = path_dependencies(&res.lockfiles);
    res.manifests_without_lockfile.extend(
        uncovered
            .into_iter()
            .filter(|(m, name)| !is_path_dependency(m, name.as_ref(), &path_deps))
            .map(|(m, _)| m),
    );
    res.manifests = found.manifests;
    res.manifests_without_lockfile.sort();
    res.manifests_without_lockfile.dedup();
    (res, done)
}

/// A job of the parse threads in [`discover_and_parse`].
enum Job {
    /// Read this lockfile.
    File(discover::Found),
    /// The manifest work, for these manifests and lockfile folders.
    Manifests(Vec<discover::Manifest>, HashSet<(Ecosystem, PathBuf)>),
}

/// The jobs not yet taken, and whether the walk may still add some.
struct Queue {
    jobs: std::collections::VecDeque<Job>,
    walking: bool,
}

/// [`discover::discover`] and the parse of what it finds, overlapped: a second
/// thread starts reading the lockfiles as the walk finds them; once the walk has
/// ended, the calling thread joins it on the manifest work, then the files not yet
/// taken, largest first. Results in `found.lockfiles` order, as
/// [`parse_all`] gives them.
fn discover_and_parse<T: Send>(
    paths: &[PathBuf],
    opts: &Options,
    each: &(dyn Fn(&Lockfile) -> T + Sync),
) -> (Discovered, Vec<Parsed<T>>, ManifestWork) {
    use std::sync::{Condvar, Mutex, PoisonError};
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    if threads <= 1 {
        let found = discover::discover(paths, opts);
        let (results, work) = parse_all(&found.lockfiles, opts.cargo_metadata, each, || {
            ManifestWork::new(&found.manifests, assumed_dirs(&found.lockfiles))
        });
        return (found, results, work);
    }
    let queue = Mutex::new(Queue {
        jobs: std::collections::VecDeque::new(),
        walking: true,
    });
    let ready = Condvar::new();
    let lock = || queue.lock().unwrap_or_else(PoisonError::into_inner);
    let work = || {
        let mut done = Vec::new();
        let mut manifest_work = None;
        loop {
            let job = {
                let mut q = lock();
                loop {
                    if let Some(job) = q.jobs.pop_front() {
                        break Some(job);
                    }
                    if !q.walking {
                        break None;
                    }
                    q = ready.wait(q).unwrap_or_else(PoisonError::into_inner);
                }
            };
            match job {
                None => return (done, manifest_work),
                Some(Job::File(f)) => {
                    let read = parse_one(&f, opts.cargo_metadata, each);
                    done.push((f.path, read));
                }
                Some(Job::Manifests(manifests, dirs)) => {
                    manifest_work = Some(ManifestWork::new(&manifests, dirs));
                }
            }
        }
    };
    std::thread::scope(|scope| {
        let mut helpers = Vec::new();
        let mut sent = HashSet::new();
        let found = discover::discover_with(paths, opts, &mut |f| {
            // The helper threads start with the first lockfile found.
            if helpers.is_empty() {
                helpers.extend((1..threads).map(|_| scope.spawn(work)));
            }
            sent.insert(f.path.clone());
            lock().jobs.push_back(Job::File(f.clone()));
            ready.notify_one();
        });
        let assumed = assumed_dirs(&found.lockfiles);
        {
            let mut q = lock();
            // What is left, largest first: the last file a thread takes is small.
            let mut rest: Vec<discover::Found> = q
                .jobs
                .drain(..)
                .filter_map(|j| match j {
                    Job::File(f) => Some(f),
                    Job::Manifests(..) => None,
                })
                .chain(
                    found
                        .lockfiles
                        .iter()
                        .filter(|f| !sent.contains(&f.path))
                        .cloned(),
                )
                .collect();
            rest.sort_by_cached_key(|f| std::cmp::Reverse(file_size(&f.path)));
            if helpers.is_empty() && rest.len() > 1 {
                helpers.extend((1..threads).map(|_| scope.spawn(work)));
            }
            // The manifest work first: it reads every manifest (tens of small files,
            // about as long as a large lockfile), so done last it was the one job
            // left while the other threads had ended; the small files last balance.
            q.jobs
                .push_back(Job::Manifests(found.manifests.clone(), assumed));
            q.jobs.extend(rest.into_iter().map(Job::File));
            q.walking = false;
        }
        ready.notify_all();
        let (mut done, mut manifest_work) = work();
        for t in helpers {
            // A parser that panicked is a bug: the run stops with its panic.
            let (theirs, their_work) = t.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            done.extend(theirs);
            manifest_work = manifest_work.or(their_work);
        }
        // Back in `found.lockfiles` order (each path is found once).
        let mut by_path: std::collections::HashMap<PathBuf, Parsed<T>> = done.into_iter().collect();
        let results = found
            .lockfiles
            .iter()
            .map(|f| {
                by_path
                    .remove(&f.path)
                    .unwrap_or_else(|| parse_one(f, opts.cargo_metadata, each))
            })
            .collect();
        let manifest_work = manifest_work
            .unwrap_or_else(|| ManifestWork::new(&found.manifests, assumed_dirs(&found.lockfiles)));
        (found, results, manifest_work)
    })
}

/// The folder of a lockfile, as the manifests are matched against it.
fn lockfile_dir(path: &Path) -> PathBuf {
    discover::normalize_dir(path.parent().unwrap_or(Path::new(".")))
}

/// The work on the manifests that does not depend on what the lockfiles pin, given
/// the lockfile folders: done on a parse thread, beside the parse.
struct ManifestWork {
    /// `requirements*.in` files pip would not decode (see [`ManifestWork::new`]).
    encoding_errors: Vec<ParseError>,
    /// [`discover::manifests_without_lockfile`] for the folders given, each with the
    /// package name it declares ([`discover::manifest_name`]: what
    /// [`is_path_dependency`] needs), read when it has one.
    uncovered: Vec<(PathBuf, Option<Option<String>>)>,
    /// The lockfile folders `uncovered` was computed for ([`assumed_dirs`]).
    dirs: HashSet<(Ecosystem, PathBuf)>,
}

impl ManifestWork {
    fn new(manifests: &[discover::Manifest], dirs: HashSet<(Ecosystem, PathBuf)>) -> Self {
        // A `requirements*.in` is read by pip too (`pip install -r requirements.in`):
        // one pip would decode other than as UTF-8 is refused like a requirements file.
        let mut encoding_errors = Vec::new();
        for m in manifests {
            let is_in = m.path.extension().is_some_and(|e| e == "in");
            if is_in
                && let Ok(bytes) = std::fs::read(&m.path)
                && let Err((line, msg)) = lockfile::requirements::check_encoding(&bytes)
            {
                encoding_errors.push(
                    ParseError::new(&m.display, Some(line), msg)
                        .with_hint(lockfile::requirements::ENCODING_HINT),
                );
            }
        }
        let uncovered = discover::manifests_without_lockfile(manifests, &dirs)
            .into_iter()
            .map(|m| {
                let name = discover::manifest_ecosystem(&m).map(|_| discover::manifest_name(&m));
                (m, name)
            })
            .collect();
        ManifestWork {
            encoding_errors,
            uncovered,
            dirs,
        }
    }
}

/// Read one lockfile, and apply `each` to it (see [`resolve_with`]).
fn parse_one<T>(
    f: &discover::Found,
    cargo_metadata: bool,
    each: &(dyn Fn(&Lockfile) -> T + Sync),
) -> Parsed<T> {
    let mut lock = lockfile::parse_file_as(f.kind, &f.path, &f.display, cargo_metadata)?;
    // Kept until the run ends: give back what the parser grew but does not use.
    lock.packages.shrink_to_fit();
    lock.packages.iter_mut().for_each(Package::shrink_to_fit);
    // `dedup_local_actions` changes the workflows once all are read.
    let made = (lock.ecosystem != Ecosystem::Actions).then(|| each(&lock));
    Ok((lock, made))
}

/// The size of a file, 0 when it cannot be read (its reading then fails).
fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// One lockfile read, with what `each` made of it (see [`resolve_with`]).
type Parsed<T> = Result<(Lockfile, Option<T>), ParseError>;

/// Parse every lockfile, on as many threads as there are cores (at most one per
/// lockfile; the calling thread is one of them). The largest files are started first,
/// so that the last file a thread takes is a small one. Results in `files` order,
/// each with what `each` made of it (`None` for the workflows: see [`resolve_with`]).
/// `also` runs on one of the threads too, before the files; its result is returned
/// beside theirs.
fn parse_all<T: Send, U: Send>(
    files: &[discover::Found],
    cargo_metadata: bool,
    each: &(dyn Fn(&Lockfile) -> T + Sync),
    also: impl Fn() -> U + Sync,
) -> (Vec<Parsed<T>>, U) {
    let parse = |f: &discover::Found| parse_one(f, cargo_metadata, each);
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(files.len());
    if threads <= 1 {
        let all = files.iter().map(parse).collect();
        return (all, also());
    }
    let mut order: Vec<usize> = (0..files.len()).collect();
    let size = |i: &usize| files.get(*i).map_or(0, |f| file_size(&f.path));
    order.sort_by_cached_key(|i| std::cmp::Reverse(size(i)));
    // `also` is the first job (index `files.len()`): the small files last balance
    // the threads at the end.
    order.insert(0, files.len());
    let also_done = std::sync::Mutex::new(None);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(&i) = order.get(k) else {
                return done;
            };
            if let Some(f) = files.get(i) {
                done.push((i, parse(f)));
            } else {
                let made = also();
                *also_done
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(made);
            }
        }
    };
    let mut all = std::thread::scope(|scope| {
        let others: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut all = work();
        for t in others {
            // A parser that panicked is a bug: the run stops with its panic.
            all.extend(t.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        all
    });
    // Every index was taken exactly once: back in `files` order.
    all.sort_unstable_by_key(|(i, _)| *i);
    let all = all.into_iter().map(|(_, r)| r).collect();
    // A thread above ran `also` (its first job) and stored what it made.
    let made = also_done
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    (all, made.unwrap_or_else(also))
}

/// (lockfile folder, package) of every path dependency the lockfiles pin.
fn path_dependencies(locks: &[Lockfile]) -> HashSet<(PathBuf, PackageKey)> {
    let mut out = HashSet::new();
    for l in locks {
        let dir = discover::normalize_dir(l.path.parent().unwrap_or(Path::new(".")));
        for p in &l.packages {
            if matches!(p.source, Source::Path(_)) {
                out.insert((dir.clone(), p.key()));
            }
        }
    }
    out
}

/// Is this manifest a package that a lockfile in a parent folder pins as a path
/// dependency? Then that lockfile pins its dependencies too.
/// `name` is its [`discover::manifest_name`] when it was read already.
fn is_path_dependency(
    manifest: &Path,
    name: Option<&Option<String>>,
    path_deps: &HashSet<(PathBuf, PackageKey)>,
) -> bool {
    if path_deps.is_empty() {
        return false;
    }
    let Some(eco) = discover::manifest_ecosystem(manifest) else {
        return false;
    };
    let read;
    let name = match name {
        Some(name) => name,
        None => {
            read = discover::manifest_name(manifest);
            &read
        }
    };
    let Some(name) = name else {
        return false;
    };
    let key = PackageKey::new(eco, name);
    let mut dir = manifest.parent().and_then(Path::parent);
    while let Some(d) = dir {
        if path_deps.contains(&(discover::normalize_dir(d), key.clone())) {
            return true;
        }
        dir = d.parent();
    }
    false
}

/// A workflow reads the local actions it uses (`uses: ./path`) and lists their
/// `uses:` as packages of the action file. When the scan reads that action file
/// itself, or another workflow uses it too, keep one copy of each.
fn dedup_local_actions(lockfiles: &mut [Lockfile]) {
    let read: HashSet<PathBuf> = lockfiles.iter().map(|l| l.path.clone()).collect();
    let mut seen: HashSet<(PathBuf, usize)> = HashSet::new();
    for lock in lockfiles.iter_mut() {
        if lock.ecosystem != Ecosystem::Actions {
            continue;
        }
        let own = lock.path.clone();
        lock.packages.retain(|p| {
            let file = p.lockfile.to_path_buf();
            file == own || (!read.contains(&file) && seen.insert((file, p.line as usize)))
        });
    }
}
