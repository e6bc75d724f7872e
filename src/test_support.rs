//! Helpers shared by the unit tests of every floor (compiled only for tests).

/// Assert that `f` maps each input of `cases` to its expected output, naming the
/// input whose output differs: the shape of a test of a pure text function
/// (a normal form, an escape, a path rule).
#[track_caller]
pub(crate) fn assert_maps<T: AsRef<str>>(f: impl Fn(&str) -> T, cases: &[(&str, &str)]) {
    for (input, want) in cases {
        assert_eq!(f(input).as_ref(), *want, "for the input {input:?}");
    }
}
