//! Unit tests of the requirements reader's parts.

use super::super::python_url::*;
use super::super::{Lockfile, ParseError, Source};
use super::encoding::*;
use super::lines::*;
use super::options::*;
use super::url::*;
use super::*;

fn parse_str(text: &str) -> Result<Lockfile, ParseError> {
    FORMAT.parse_at("/nonexistent/dir/requirements.txt", text)
}

const H1: &str = "sha256:2cf8e9ea7ecef4c8f2f8a1f3a3c3fc3c3e0b3e5c9f1d0f6f3e4c4a5b6c7d8e9f";
const H2: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

#[test]
fn pins_hashes_and_continuations() {
    let t = format!(
        "flask==3.0.0 \\\n    --hash={H1} \\\n    --hash={H2}\n    # via -r requirements.in\njinja2==3.1.4\n    # via flask\n"
    );
    let lf = parse_str(&t).unwrap();
    assert_eq!(lf.packages.len(), 2);
    let f = &lf.packages[0];
    assert_eq!(
        (f.name.as_str(), f.version.as_str(), f.line),
        ("flask", "3.0.0", 1)
    );
    assert_eq!(f.hashes.len(), 2);
    assert_eq!(f.path, vec!["requirements.in", "flask"]);
    assert!(f.direct);
    let j = &lf.packages[1];
    assert_eq!(j.line, 5);
    assert_eq!(j.path, vec!["requirements.in", "flask", "jinja2"]);
    assert!(!j.direct);
}

#[test]
fn multi_line_via_and_line_style() {
    let t = "a==1\n    # via\n    #   -r requirements-dev.in\n    #   b\nb==2  # via -r requirements.in\n";
    let lf = parse_str(t).unwrap();
    let a = &lf.packages[0];
    assert!(a.direct);
    assert!(!a.dev, "also reached through b, which is production");
    assert_eq!(lf.packages[1].path, vec!["requirements.in", "b"]);
}

#[test]
fn unpinned_and_markers_and_extras() {
    let t = "requests>=2\nrich\nurllib3[socks]==2.2.1 ; python_version < \"3.12\"\nx==1.*\n";
    let lf = parse_str(t).unwrap();
    assert_eq!(lf.packages.len(), 1);
    assert_eq!(lf.packages[0].name, "urllib3");
    let u: Vec<_> = lf
        .unpinned
        .iter()
        .map(|u| (u.name.as_str(), u.spec.as_str(), u.line))
        .collect();
    assert_eq!(
        u,
        vec![("requests", ">=2", 1), ("rich", "", 2), ("x", "==1.*", 4)]
    );
}

#[test]
fn urls_vcs_and_paths() {
    let t = "six @ https://u:p@files.example/six-1.17.0-py2.py3-none-any.whl#sha256=4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274\n\
             -e git+https://github.com/o/r.git@v1.2#egg=thing\n\
             other @ git+ssh://git@host/o/other.git@abc123\n\
             ./dist/pkg-2.0.tar.gz\n";
    let lf = parse_str(t).unwrap();
    let six = &lf.packages[0];
    assert_eq!(six.version, "1.17.0");
    assert_eq!(
        six.source,
        Source::Url("https://files.example/six-1.17.0-py2.py3-none-any.whl".into())
    );
    assert_eq!(six.hashes.len(), 1);
    assert_eq!(
        lf.packages[1].source,
        Source::Git {
            url: "https://github.com/o/r.git".into(),
            rev: Some("v1.2".into())
        }
    );
    assert_eq!(lf.packages[1].name, "thing");
    assert_eq!(
        lf.packages[2].source,
        Source::Git {
            url: "ssh://git@host/o/other.git".into(),
            rev: Some("abc123".into())
        }
    );
    assert_eq!(
        lf.packages[3].source,
        Source::Path("./dist/pkg-2.0.tar.gz".into())
    );
    assert_eq!(
        (
            lf.packages[3].name.as_str(),
            lf.packages[3].version.as_str()
        ),
        ("pkg", "2.0")
    );
}

#[test]
fn local_projects_without_a_manifest_are_path_packages() {
    // pip builds `.` whatever its name and installs every other line.
    let lf = parse_str("-e .[full]\n-e ./evil\nrequests==2.0\n").unwrap();
    let got: Vec<_> = lf
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.source.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (".", "", Source::Path(".".into())),
            ("./evil", "", Source::Path("./evil".into())),
            ("requests", "2.0", Source::Registry(None)),
        ]
    );
    // A URL with no name is still refused.
    assert!(parse_str("https://example.com/download\n").is_err());
}

#[test]
fn local_project_named_by_setup_py() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("setup.py"),
        "from setuptools import setup\nsetup(\n    # pkg_name='no'\n    name = \"demo-pkg\",\n    version='1',\n)\n",
    )
    .unwrap();
    assert_eq!(local_project_name(dir.path()).as_deref(), Some("demo-pkg"));
    assert_eq!(setup_py_name("setup(name=NAME)\n"), None);
    assert_eq!(setup_py_name("NAME = 'x'\nsetup(name=NAME)\n"), None);
}

#[test]
fn index_options_set_the_registry() {
    let t = "--index-url https://user:secret@mirror.example/simple\nrequests==2.0\n";
    let lf = parse_str(t).unwrap();
    assert_eq!(
        lf.packages[0].source,
        Source::Registry(Some("https://mirror.example/simple".into()))
    );
    let lf = parse_str("-i https://pypi.org/simple/\nrequests==2.0\n").unwrap();
    assert_eq!(lf.packages[0].source, Source::Registry(None));
}

#[test]
fn garbage_is_an_error_with_its_line() {
    for (t, line) in [
        ("a==1\nthis is not a requirement!\n", 2),
        ("a==1\n--frobnicate\n", 2),
        ("a==1 \\\n  --hash=sha256:abc\n", 1),
        (
            "a==1\n--hash=sha256:1111111111111111111111111111111111111111111111111111111111111111\n",
            2,
        ),
        ("a==1 --hash=md5:d41d8cd98f00b204e9800998ecf8427e\n", 1),
        ("a===\n", 1),
        ("a==1;\n", 1),
        ("a[x==1\n", 1),
        ("-r missing.txt\n", 1),
        ("https://example.com/archive\n", 1),
        ("${NAME}==1\n", 1),
    ] {
        let e = parse_str(t).unwrap_err();
        assert_eq!(e.line, Some(line), "{t:?}: {e}");
    }
}

#[test]
fn env_vars_are_not_expanded() {
    let lf = parse_str("requests==${REQUESTS_VERSION}\n").unwrap();
    assert!(lf.packages.is_empty());
    assert_eq!(lf.unpinned[0].spec, "==${REQUESTS_VERSION}");
}

#[test]
fn comments_need_white_space_before_hash() {
    let lf = parse_str("# header\nfoo==1.0 # trailing\n\n").unwrap();
    assert_eq!(lf.packages[0].version, "1.0");
    assert_eq!(lf.packages[0].line, 2);
}

#[test]
fn pep263_declarations_as_pip_reads_them() {
    // pip's ENCODING_RE is `coding[:=]\s*([-\w.]+)`, searched in lines 1-2
    // that start with `#`.
    for (text, line) in [
        ("# -*- coding: utf-7 -*-\n", Some(1)),
        ("#coding:utf-7\n", Some(1)),
        ("#!x\n# vim: fileencoding=latin-1\n", Some(2)),
        ("# encoding: cp1252\n", Some(1)),
        ("# coding: utf-8\n", None),
        ("# -*- coding: UTF_8 -*-\n", None),
        ("# coding = utf-7\n", None),
        (" # coding: utf-7\n", None),
        ("a==1\n\n# coding: utf-7\n", None),
        ("# codingutf-7\n", None),
    ] {
        assert_eq!(
            check_encoding(text.as_bytes()).err().map(|(l, _)| l),
            line,
            "{text:?}"
        );
    }
    assert!(check_encoding(b"\xFF\xFEa\x00").is_err());
    assert!(check_encoding(b"\x00\x00\xFE\xFFa").is_err());
    assert!(check_encoding(b"\xEF\xBB\xBF# coding: utf-7\n").is_ok());
}

#[test]
fn helpers() {
    assert!(is_pypi("https://pypi.org/simple"));
    assert!(is_pypi("https://pypi.org/simple/"));
    assert!(!is_pypi("https://pypi.org.evil.example/simple"));
    assert!(is_dev_name("requirements-dev.txt"));
    assert!(is_dev_name("dev-requirements.in"));
    assert!(!is_dev_name("requirements-device.txt"));
    assert_eq!(
        shlex("-r 'a b.txt' --x=\"y\"").unwrap(),
        vec!["-r", "a b.txt", "--x=y"]
    );
    assert_eq!(
        archive_name_version("numpy-2.0.0-cp311-cp311-manylinux_2_17_x86_64.whl"),
        Some(("numpy".into(), "2.0.0".into()))
    );
    assert_eq!(
        archive_name_version("foo-bar-1.0.tar.gz"),
        Some(("foo-bar".into(), "1.0".into()))
    );
    assert_eq!(
        join_lexical(Path::new("a/b"), "../c.txt"),
        PathBuf::from("a/c.txt")
    );
}

#[test]
fn two_requirements_whose_keys_hash_alike_stay_two_packages() {
    let ctx = super::super::Context {
        path: Path::new("/nonexistent/dir/requirements.txt"),
        display: Path::new("requirements.txt"),
    };
    let mut p = ReqParser::new(&ctx, 0);
    // Forge a collision: `b`'s key hash already points at the first package (`a`).
    let b = p.key_hash("b", "1.0", None);
    p.index.insert(b, 0);
    let t = format!("a==1.0\nb==1.0\na==1.0 --hash={H1}\nb==1.0 --hash={H2}\n");
    p.parse_text(ctx.path, ctx.display, &t, FileKind::Requirements)
        .unwrap();
    let lf = p.finish();
    let got: Vec<(&str, usize, Vec<String>)> = lf
        .packages
        .iter()
        .map(|p| {
            let hs = p.hashes.iter().map(|h| h.to_string()).collect();
            (p.name.as_str(), p.line as usize, hs)
        })
        .collect();
    assert_eq!(
        got,
        [
            ("a", 1, vec![H1.to_string()]),
            ("b", 2, vec![H2.to_string()])
        ]
    );
}

/// Read `path` as the caller of a large file does: streamed, and as its text.
fn streamed_and_read(path: &Path) -> (Option<Lockfile>, Result<Lockfile, ParseError>) {
    let ctx = Context {
        path,
        display: Path::new("requirements.txt"),
    };
    let file = &mut std::fs::File::open(path).unwrap();
    let streamed = stream(&ctx, file, super::super::MAX_LOCKFILE_BYTES);
    let bytes = std::fs::read(path).unwrap();
    let read = check_encoding(&bytes)
        .map_err(|(l, m)| ctx.error(Some(l), m))
        .and_then(|()| super::super::decode_text(&bytes).map_err(|(l, m)| ctx.error(Some(l), m)))
        .and_then(|text| parse(&ctx, text));
    (streamed, read)
}

/// A large requirements file is streamed (never held whole): every fixture reads the
/// same streamed as from its text, and a file the text path refuses is not
/// streamed (`None`: the caller then reads the text, which names the error).
#[test]
fn streamed_files_read_as_their_text() {
    let files = super::super::test_support::fixture_files(&is_requirements_file);
    assert!(files.len() >= 30, "{files:?}");
    for path in &files {
        let (streamed, read) = streamed_and_read(path);
        assert_eq!(streamed, read.ok(), "{}", path.display());
        let ctx = Context {
            path,
            display: Path::new("requirements.txt"),
        };
        let file = &mut std::fs::File::open(path).unwrap();
        if std::fs::metadata(path).unwrap().len() > 10 {
            assert_eq!(stream(&ctx, file, 10), None, "{}", path.display());
        }
    }

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("requirements.txt");
    let cases: &[&[u8]] = &[
        // A UTF-8 byte order mark, CRLF, a `\r` not before a line break, a
        // continuation left open at the end, no final line break.
        b"\xEF\xBB\xBFa==1\r\nb==2\r\n\rc==3\r\nd==4 \\",
        b"# -*- coding: utf-8 -*-\na==1\n",
        b"a==1\r",
        b"",
        b"\n\n",
        // Refused: an encoding pip reads differently, on line 1 or 2; UTF-16; bytes
        // that are not UTF-8; a line pip rejects.
        b"# coding: latin-1\na==1\n",
        b"a==1\n# vim: set fileencoding=utf-7 :\n",
        b"\xFF\xFEa\x00",
        b"a==1\nb==\xFF\n",
        b"a==1\n--bogus-option\n",
    ];
    for case in cases {
        std::fs::write(&path, case).unwrap();
        let (streamed, read) = streamed_and_read(&path);
        assert_eq!(streamed, read.ok(), "{}", String::from_utf8_lossy(case));
    }
    std::fs::write(&path, b"a==1\nb==2\n").unwrap();
    assert_eq!(count_requirement_lines(&path, 100), 2);
}

#[test]
fn requirement_lines_are_counted_across_pieces() {
    let text = b"a==1\n# via x\n  b\nc==2\n\nD==3";
    for split in 0..text.len() {
        let mut c = LineCounter::default();
        c.feed(&text[..split]);
        c.feed(&text[split..]);
        assert_eq!(c.count, 3, "split at {split}");
    }
}

#[test]
fn options_are_cut_where_pips_word_split_cuts() {
    // pip's `break_args_options`, word for word.
    fn pip(line: &str) -> (String, String) {
        let tokens: Vec<&str> = line.split(' ').collect();
        let cut = tokens
            .iter()
            .position(|t| t.starts_with('-'))
            .unwrap_or(tokens.len());
        let args = tokens[..cut].join(" ");
        (args.trim().to_string(), tokens[cut..].join(" "))
    }
    for line in [
        "a==1 --hash=sha256:x",
        "-r x.txt",
        "a==1",
        "  a==1  --hash=x  ",
        "a -b",
        "a==1\t--hash=x",
        "a==1 \t--hash=x",
        "-e .",
        "a  --x",
        "",
        "-",
        "a- b",
        "a -",
        "a-b==1 c ; d -x",
        " -x",
    ] {
        let (args, opts) = break_args_options(line);
        assert_eq!((args.to_string(), opts.to_string()), pip(line), "{line:?}");
    }
}

/// The split before rest8: `contains` and `split_whitespace` (the oracle of
/// [`shlex`]'s fast path).
fn shlex_before_rest8(s: &str) -> Result<Vec<std::borrow::Cow<'_, str>>, String> {
    if !s.contains(['\'', '"', '\\']) {
        return Ok(s
            .split_whitespace()
            .map(std::borrow::Cow::Borrowed)
            .collect());
    }
    shlex(s)
}

/// `parse_pip_hash` before rest8 (the oracle).
fn parse_pip_hash_before_rest8(value: &str) -> Result<super::super::hash::Hash, String> {
    let (alg, _) = value
        .split_once(':')
        .ok_or_else(|| format!("`--hash={value}` is not `<algorithm>:<hex digest>`"))?;
    if !matches!(alg, "sha256" | "sha384" | "sha512") {
        return Err(format!(
            "`--hash={value}`: pip allows only sha256, sha384 and sha512"
        ));
    }
    super::super::hash::Hash::parse(value).map_err(|e| format!("bad `--hash`: {e}"))
}

/// Strings of the pieces a requirements line is made of, and mutations of them.
fn generated_option_texts() -> Vec<String> {
    let pieces = [
        " ",
        "  ",
        "\t",
        "\x0b",
        "\x0c",
        "\r",
        "\n",
        "\u{a0}",
        "\u{2003}",
        "\u{85}",
        "é",
        "--hash=",
        "sha256:",
        "sha512:",
        "SHA256:",
        "sha384:",
        "md5:",
        ":",
        "=",
        "-r",
        "x.txt",
        "'",
        "\"",
        "\\",
        "abc",
        "0123456789abcdef",
        "ABCDEF",
        "g",
        "--pre",
        "-c",
        "#",
    ];
    let mut out = Vec::new();
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    for len in 0..12 {
        for _ in 0..400 {
            let mut s = String::new();
            for _ in 0..len {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                s.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            out.push(s);
        }
    }
    let mut dirs = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/pypi/requirements"
    ))];
    let mut files = 0;
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if let Ok(text) = std::fs::read_to_string(&p) {
                files += 1;
                out.extend(text.lines().map(str::to_string));
                // (the logical lines too: continuations joined as the reader joins them)
                out.push(text.replace("\\\n", ""));
            }
        }
    }
    assert!(files > 10, "the requirements fixtures are read");
    out
}

#[test]
fn shlex_reads_every_generated_line_as_before_rest8() {
    for s in generated_option_texts() {
        assert_eq!(shlex(&s), shlex_before_rest8(&s), "{s:?}");
        let (_, opts) = break_args_options(&s);
        assert_eq!(shlex(opts), shlex_before_rest8(opts), "{opts:?}");
    }
}

#[test]
fn pip_hashes_read_as_before_rest8() {
    let hex64 = "2cf8e9ea7ecef4c8f2f8a1f3a3c3fc3c3e0b3e5c9f1d0f6f3e4c4a5b6c7d8e9f";
    let mut values = vec![
        format!("sha256:{hex64}"),
        format!("sha256:{}", hex64.to_uppercase()),
        format!("sha256:{hex64} "),
        format!("sha256: {hex64}"),
        format!("sha256:{hex64}\u{a0}"),
        format!("sha512:{hex64}{hex64}"),
        format!("sha384:{}", &hex64[..48]),
        format!("sha256:{}", &hex64[..63]),
        format!("sha256:{}g", &hex64[..63]),
        format!("sha256::{hex64}"),
        format!(" sha256:{hex64}"),
        format!("md5:{}", &hex64[..32]),
        "sha256".to_string(),
        "sha256:".to_string(),
        String::new(),
    ];
    values.extend(generated_option_texts());
    for v in values {
        let new = parse_pip_hash(&v);
        let old = parse_pip_hash_before_rest8(&v);
        assert_eq!(new, old, "{v:?}");
    }
}
