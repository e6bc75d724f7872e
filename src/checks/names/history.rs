//! What the registry's record says about a package that exists: enough history to
//! settle an offline `unknown-name` guess, or too new to have a record (`--online`).

use crate::registry::PackageInfo;

/// How old a package must be on the registry (first version published this many days
/// ago) before `--online` takes its existence as settling an `unknown-name` finding.
pub const MIN_HISTORY_DAYS: i64 = 30;

/// What the registry's record says about a package that exists (for `--online`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum History {
    /// It has some history: a first version at least [`MIN_HISTORY_DAYS`] old, or (where
    /// the registry gives no dates, as cargo's index) at least two versions.
    Established,
    /// Too new to have a record: the first version is `days` old (`None`: no dates and a
    /// single version).
    New {
        /// Days since the first version, when the registry dates its versions.
        days: Option<i64>,
    },
}

/// When the package's first version was published (Unix seconds): the earliest date
/// of any version or of any of its files; `None` when the registry dates none.
pub fn first_published(info: &PackageInfo) -> Option<i64> {
    info.versions
        .values()
        .filter_map(|v| {
            v.published
                .into_iter()
                .chain(v.files.iter().filter_map(|f| f.uploaded))
                .min()
        })
        .min()
}

/// The history of a package the registry has, measured at `now` (Unix seconds).
pub fn registry_history(info: &PackageInfo, now: i64) -> History {
    match first_published(info) {
        Some(t) => {
            let days = (now - t).max(0) / 86_400;
            if days >= MIN_HISTORY_DAYS {
                History::Established
            } else {
                History::New { days: Some(days) }
            }
        }
        None if info.versions.len() >= 2 => History::Established,
        None => History::New { days: None },
    }
}

/// The message of an `unknown-name` finding that `--online` could not settle because
/// the package, though on the registry, is too new to have a record.
pub fn new_package_message(name: &str, history: History) -> String {
    match history {
        History::New { days: Some(d) } => format!(
            "`{name}` is on the registry, but its first version is only {d} day{} old: \
             too new to have a record; look at who publishes it before installing",
            if d == 1 { "" } else { "s" }
        ),
        _ => format!(
            "`{name}` is on the registry with a single undated version: too new to have a \
             record; look at who publishes it before installing"
        ),
    }
}
