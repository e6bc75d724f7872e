//! String helpers for name similarity: skeletons, homoglyph folding, deletion variants,
//! edit distance and the classification of an edit into a transformation name.
//!
//! Everything here works on a *skeleton*: the name lowercased, confusable characters folded
//! to the ASCII letter they imitate, and separators (`-` `_` `.` `/` `@` and spaces) removed.
//! Two names with the same skeleton differ only by separators, case, scope punctuation or
//! look-alike characters. The data generator (tests/names_data.rs) uses the same functions,
//! so the embedded indexes and the queries always agree.

/// Characters that separate words in package names (and npm scope punctuation).
pub fn is_separator(c: char) -> bool {
    matches!(c, '-' | '_' | '.' | '/' | '@' | ' ')
}

/// Fold one lowercase character to the ASCII character it imitates, if it is a known
/// confusable (Cyrillic and Greek look-alikes, fullwidth forms, accented Latin letters,
/// and the digits `0`, `1`, `5` that stand in for `o`, `l`, `s`). Returns `None` for a
/// character that is not folded.
pub fn fold_char(c: char) -> Option<char> {
    let folded = match c {
        '0' => 'o',
        '1' => 'l',
        '5' => 's',
        // Cyrillic
        'а' => 'a',
        'в' => 'b',
        'е' | 'ё' => 'e',
        'і' => 'i',
        'ј' => 'j',
        'к' => 'k',
        'м' => 'm',
        'н' => 'h',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'т' => 't',
        'у' => 'y',
        'х' => 'x',
        'ѕ' => 's',
        'ԁ' => 'd',
        'ԛ' => 'q',
        'ԝ' => 'w',
        'ӏ' => 'l',
        // Greek
        'α' => 'a',
        'β' => 'b',
        'ε' => 'e',
        'ι' => 'i',
        'κ' => 'k',
        'ν' => 'v',
        'ο' => 'o',
        'ρ' => 'p',
        'τ' => 't',
        'υ' => 'u',
        'χ' => 'x',
        // Latin look-alikes and accents
        'ı' => 'i',
        'ł' => 'l',
        'ø' => 'o',
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        // Fullwidth ASCII
        '\u{ff41}'..='\u{ff5a}' => char::from_u32(c as u32 - 0xff41 + u32::from(b'a'))?,
        '\u{ff10}'..='\u{ff19}' => {
            return fold_char(char::from_u32(c as u32 - 0xff10 + u32::from(b'0'))?);
        }
        _ => return None,
    };
    Some(folded)
}

/// The skeleton of a name: lowercase, confusables folded ([`fold_char`]), separators
/// removed; any other non-ASCII character becomes `?` (no registry name contains one).
/// Returns the skeleton and whether any character was folded.
pub fn skeleton_folded(name: &str) -> (String, bool) {
    let mut out = String::with_capacity(name.len());
    let mut folded = false;
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if is_separator(c) {
            continue;
        }
        if let Some(f) = fold_char(c) {
            out.push(f);
            folded = true;
        } else if c.is_ascii() {
            out.push(c);
        } else {
            out.push('?');
            folded = true;
        }
    }
    (out, folded)
}

/// The skeleton of a name (see [`skeleton_folded`]).
pub fn skeleton(name: &str) -> String {
    skeleton_folded(name).0
}

/// The skeleton without homoglyph folding: lowercase ASCII with separators removed
/// (used to tell a homoglyph from an ordinary substitution).
pub fn plain_skeleton(name: &str) -> String {
    name.trim()
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| !is_separator(*c))
        .collect()
}

/// The words of a name: lowercase runs between separators (the npm scope is a word).
pub fn words(name: &str) -> Vec<String> {
    name.trim()
        .to_lowercase()
        .split(is_separator)
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The key of the anagram index: the skeleton's bytes, sorted.
pub fn anagram_key(skel: &str) -> Vec<u8> {
    let mut b = skel.as_bytes().to_vec();
    b.sort_unstable();
    b
}

/// Call `f` with every string made by deleting exactly one byte of `s` (ASCII skeletons).
/// Consecutive equal bytes give the same string once.
pub fn for_each_deletion(s: &[u8], mut f: impl FnMut(&[u8])) {
    let mut buf = Vec::with_capacity(s.len());
    for i in 0..s.len() {
        if i > 0 && s[i] == s[i - 1] {
            continue;
        }
        buf.clear();
        buf.extend_from_slice(&s[..i]);
        buf.extend_from_slice(&s[i + 1..]);
        f(&buf);
    }
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent transposition), or `None`
/// when it exceeds `max`.
pub fn osa_distance(a: &[u8], b: &[u8], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let n = b.len();
    let mut prev2 = vec![0usize; n + 1];
    let mut prev: Vec<usize> = (0..=n).collect();
    let mut cur = vec![0usize; n + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=n {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[n];
    (d <= max).then_some(d)
}

/// One edit operation, as a transformation name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// Two adjacent characters swapped.
    Transposition,
    /// A character of the target left out.
    Omission,
    /// A character added.
    Addition,
    /// A character replaced.
    Substitution,
    /// An `s` added or removed at the end of a word.
    Plural,
}

impl Edit {
    /// The transformation name used in findings.
    pub fn as_str(self) -> &'static str {
        match self {
            Edit::Transposition => "transposition",
            Edit::Omission => "omission",
            Edit::Addition => "addition",
            Edit::Substitution => "substitution",
            Edit::Plural => "plural",
        }
    }
}

/// The edits that turn `target` into `query` (skeletons), by backtracking the OSA table.
/// `Plural` replaces an addition/omission of `s` at the end of the string.
pub fn edits(target: &[u8], query: &[u8]) -> Vec<Edit> {
    let (m, n) = (target.len(), query.len());
    let mut d = vec![vec![0usize; n + 1]; m + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=m {
        for j in 1..=n {
            let cost = usize::from(target[i - 1] != query[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && target[i - 1] == query[j - 2] && target[i - 2] == query[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    let mut out = Vec::new();
    let (mut i, mut j) = (m, n);
    while i > 0 || j > 0 {
        if i > 1
            && j > 1
            && target[i - 1] == query[j - 2]
            && target[i - 2] == query[j - 1]
            && target[i - 1] != target[i - 2]
            && d[i][j] == d[i - 2][j - 2] + 1
        {
            out.push(Edit::Transposition);
            i -= 2;
            j -= 2;
        } else if i > 0
            && j > 0
            && d[i][j] == d[i - 1][j - 1] + usize::from(target[i - 1] != query[j - 1])
        {
            if target[i - 1] != query[j - 1] {
                out.push(Edit::Substitution);
            }
            i -= 1;
            j -= 1;
        } else if j > 0 && d[i][j] == d[i][j - 1] + 1 {
            let plural = j == n && query[j - 1] == b's';
            out.push(if plural { Edit::Plural } else { Edit::Addition });
            j -= 1;
        } else {
            let plural = i == m && target[i - 1] == b's';
            out.push(if plural { Edit::Plural } else { Edit::Omission });
            i -= 1;
        }
    }
    out.reverse();
    out
}

/// QWERTY rows, for keyboard adjacency.
const ROWS: [&[u8]; 4] = [b"1234567890", b"qwertyuiop", b"asdfghjkl", b"zxcvbnm"];

/// Whether two ASCII characters are neighbours on a QWERTY keyboard.
pub fn keyboard_adjacent(a: u8, b: u8) -> bool {
    let pos = |c: u8| {
        ROWS.iter().enumerate().find_map(|(r, row)| {
            row.iter()
                .position(|&x| x == c)
                .map(|p| (r as i32, p as i32))
        })
    };
    match (pos(a), pos(b)) {
        (Some((ra, ca)), Some((rb, cb))) => {
            (ra - rb).abs() <= 1 && (ca - cb).abs() <= 1 && (ra, ca) != (rb, cb)
        }
        _ => false,
    }
}

/// Operating-system words of npm platform-package names (`linux`, `darwin`, `win32`...).
const PLATFORM_OS: &[&str] = &[
    "linux",
    "linuxmusl",
    "darwin",
    "macos",
    "mac",
    "osx",
    "win32",
    "win",
    "windows",
    "freebsd",
    "openbsd",
    "netbsd",
    "sunos",
    "solaris",
    "aix",
    "android",
    "openharmony",
    "wasi",
    "ios",
    "illumos",
    "cygwin",
];
/// Architecture words of npm platform-package names (`x64`, `arm64`, `riscv64`...).
const PLATFORM_ARCH: &[&str] = &[
    "x64",
    "x86",
    "x8664",
    "x86_64",
    "amd64",
    "ia32",
    "i686",
    "arm",
    "arm64",
    "armv6",
    "armv7",
    "armv7l",
    "aarch64",
    "riscv32",
    "riscv64",
    "ppc64",
    "ppc64le",
    "s390x",
    "loong64",
    "loongarch64",
    "mips64el",
    "mipsel",
    "universal",
    "wasm32",
    "32",
    "64",
];
/// C library / ABI words of npm platform-package names (`gnu`, `musl`, `msvc`...).
const PLATFORM_ABI: &[&str] = &[
    "gnu",
    "musl",
    "msvc",
    "eabi",
    "eabihf",
    "gnueabi",
    "gnueabihf",
    "musleabi",
    "musleabihf",
    "gnux32",
    "mingw",
    "glibc",
    "ohos",
];

/// The base of an npm platform-package name: `core-linux-x64-gnu` → `core`,
/// `linux-x64` → `` (the whole name is the platform). The platform suffix is the longest
/// run of `-`- or `.`-separated OS / architecture / libc words at the end, and must hold at least
/// one OS and one architecture word; `None` if the name has no such suffix.
pub fn strip_platform_suffix(name: &str) -> Option<&str> {
    let parts: Vec<&str> = name.split(['-', '.']).collect();
    let (mut os, mut arch) = (false, false);
    let mut start = parts.len();
    while start > 0 {
        let w = parts[start - 1];
        if PLATFORM_OS.contains(&w) {
            os = true;
        } else if PLATFORM_ARCH.contains(&w) {
            arch = true;
        } else if !PLATFORM_ABI.contains(&w) {
            break;
        }
        start -= 1;
    }
    if !(os && arch) {
        return None;
    }
    let base_len = parts[..start].iter().map(|p| p.len() + 1).sum::<usize>();
    Some(name[..base_len.saturating_sub(1)].trim_end_matches(['-', '.']))
}

#[cfg(test)]
mod tests {

    #[test]
    fn platform_suffixes() {
        assert_eq!(strip_platform_suffix("core-linux-x64-gnu"), Some("core"));
        assert_eq!(
            strip_platform_suffix("binding-linux-riscv64-gnu"),
            Some("binding")
        );
        assert_eq!(
            strip_platform_suffix("resolver-binding-openharmony-arm64"),
            Some("resolver-binding")
        );
        assert_eq!(
            strip_platform_suffix("binding-wasm32-wasi"),
            Some("binding")
        );
        assert_eq!(strip_platform_suffix("core-win32-ia32-msvc"), Some("core"));
        assert_eq!(strip_platform_suffix("linux-x64"), Some(""));
        assert_eq!(strip_platform_suffix("android-arm-eabi"), Some(""));
        assert_eq!(strip_platform_suffix("core-x64"), None);
        assert_eq!(strip_platform_suffix("linux-tools"), None);
        assert_eq!(strip_platform_suffix("lodash"), None);
        assert_eq!(strip_platform_suffix("exe.linux-arm64"), Some("exe"));
    }
    use super::*;

    #[test]
    fn skeletons_drop_separators_and_fold_homoglyphs() {
        assert_eq!(skeleton("Django_REST.framework"), "djangorestframework");
        assert_eq!(skeleton("@types/node"), "typesnode");
        assert_eq!(skeleton("reque5ts"), "requests");
        assert_eq!(skeleton("rеquests"), "requests"); // Cyrillic е
        assert!(skeleton_folded("rеquests").1);
        assert!(!skeleton_folded("requests").1);
    }

    #[test]
    fn osa_counts_transpositions_once() {
        assert_eq!(osa_distance(b"requests", b"reqeusts", 2), Some(1));
        assert_eq!(osa_distance(b"requests", b"requests", 0), Some(0));
        assert_eq!(osa_distance(b"numpy", b"pandas", 2), None);
        assert_eq!(osa_distance(b"aiohttp", b"aiohtttps", 2), Some(2));
    }

    #[test]
    fn edits_name_the_transformation() {
        assert_eq!(edits(b"requests", b"reqeusts"), vec![Edit::Transposition]);
        assert_eq!(edits(b"requests", b"request"), vec![Edit::Plural]);
        assert_eq!(edits(b"commander", b"comander"), vec![Edit::Omission]);
        assert_eq!(edits(b"pytorch", b"pytorchb"), vec![Edit::Addition]);
        assert_eq!(edits(b"flask", b"flasl"), vec![Edit::Substitution]);
        assert!(keyboard_adjacent(b'k', b'l'));
        assert!(!keyboard_adjacent(b'a', b'p'));
    }

    #[test]
    fn deletions_skip_repeats() {
        let mut v = Vec::new();
        for_each_deletion(b"aab", |d| v.push(d.to_vec()));
        assert_eq!(v, vec![b"ab".to_vec(), b"aa".to_vec()]);
    }
}
