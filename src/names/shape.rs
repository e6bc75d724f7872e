//! What the difference between two names looks like: whole words added, digits only,
//! a family member, a plural, a typing mistake; and the npm scope of a name.

use super::text;

/// Whether `q` is `t` with whole words added (`t`'s words a subsequence of `q`'s).
pub(super) fn is_extension(t: &[String], q: &[String]) -> bool {
    if q.len() <= t.len() || t.is_empty() {
        return false;
    }
    let mut it = q.iter();
    t.iter().all(|w| it.any(|x| x == w))
}

/// Whether two skeletons differ only in digits (`blake2`/`blake3`, `pkcs1`/`pkcs8`,
/// `avro-gen`/`avro-gen3`): version and variant numbers, not typos.
pub(super) fn digits_only_difference(a: &str, b: &str) -> bool {
    let strip = |s: &str| {
        s.bytes()
            .filter(|c| !c.is_ascii_digit())
            .collect::<Vec<u8>>()
    };
    strip(a) == strip(b)
}

/// Whether the names are members of one family: same number of words (at least 3),
/// exactly one differing, and that word short (`aws-cdk-aws-efs` / `aws-cdk-aws-ecs`).
pub(super) fn family_member(t: &[String], q: &[String]) -> bool {
    if t.len() != q.len() || t.len() < 3 {
        return false;
    }
    let diff: Vec<usize> = (0..t.len()).filter(|&i| t[i] != q[i]).collect();
    diff.len() == 1 && t[diff[0]].len() <= 3
}

/// Whether `q` is `t` with an `s` added or removed at the end.
pub(super) fn e_is_plural(t: &str, q: &str) -> bool {
    q.strip_suffix('s') == Some(t) || t.strip_suffix('s') == Some(q)
}

/// Whether one edit from `t` to `q` looks like a typing mistake: a transposition, an
/// omission (not of a final `s`), a doubled or keyboard-neighbour character added, or a
/// keyboard-neighbour substitution.
pub(super) fn typo_like(t: &[u8], q: &[u8]) -> bool {
    let i = t.iter().zip(q).take_while(|(a, b)| a == b).count();
    let near = |c: u8, j: usize, s: &[u8]| {
        let l = j.checked_sub(1).and_then(|k| s.get(k));
        let r = s.get(j + 1);
        [l, r]
            .into_iter()
            .flatten()
            .any(|&n| n == c || text::keyboard_adjacent(n, c))
    };
    match q.len().cmp(&t.len()) {
        std::cmp::Ordering::Equal => {
            if t.get(i + 1) == q.get(i)
                && t.get(i) == q.get(i + 1)
                && t.get(i + 2..) == q.get(i + 2..)
            {
                return true;
            }
            match (t.get(i), q.get(i)) {
                (Some(&a), Some(&b)) => text::keyboard_adjacent(a, b),
                _ => false,
            }
        }
        std::cmp::Ordering::Greater => q.get(i).is_some_and(|&c| near(c, i, q)),
        std::cmp::Ordering::Less => !(i + 1 == t.len() && t[i] == b's'),
    }
}

/// The scope of an npm name (`@types/node` → `types`).
pub(super) fn npm_scope(name: &str) -> Option<&str> {
    name.strip_prefix('@')?.split_once('/').map(|(s, _)| s)
}
