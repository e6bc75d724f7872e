//! Helpers shared by the unit tests of every floor (compiled only for tests).

use std::path::{Path, PathBuf};

/// Assert that `f` maps each input of `cases` to its expected output, naming the
/// input whose output differs: the shape of a test of a pure text function
/// (a normal form, an escape, a path rule).
#[track_caller]
pub(crate) fn assert_maps<T: AsRef<str>>(f: impl Fn(&str) -> T, cases: &[(&str, &str)]) {
    for (input, want) in cases {
        assert_eq!(f(input).as_ref(), *want, "for the input {input:?}");
    }
}

/// Assert that the predicate `f` holds for each of `yes` and for none of `no`, naming
/// the input it misjudges: the shape of a test of a text classifier (a name rule, an
/// id list).
#[track_caller]
pub(crate) fn assert_classifies(f: impl Fn(&str) -> bool, yes: &[&str], no: &[&str]) {
    for input in yes {
        assert!(f(input), "{input:?} must be accepted");
    }
    for input in no {
        assert!(!f(input), "{input:?} must be refused");
    }
}

/// A command line split on white space, as a shell splits one without quotes.
pub(crate) fn argv(line: &str) -> Vec<String> {
    line.split_whitespace().map(String::from).collect()
}

/// [`assert_maps`] for a path function: each input path to its expected output path.
#[track_caller]
pub(crate) fn assert_maps_paths(f: impl Fn(&Path) -> PathBuf, cases: &[(&str, &str)]) {
    for (input, want) in cases {
        assert_eq!(
            f(Path::new(input)),
            Path::new(want),
            "for the input {input:?}"
        );
    }
}
