//! Deep mode's look inside a downloaded artifact for code that runs at install: an
//! npm tarball's `package.json` install hooks and a `binding.gyp` at its root (npm
//! runs `node-gyp rebuild` for it even with no `scripts` entry), a crate's `build.rs`
//! (or `package.build`) and `proc-macro = true`. The archive is read in memory
//! (gzip, then tar headers); nothing is written to disk or run.

use crate::model::Ecosystem;
use std::io::Read as _;

/// The most bytes a decompressed archive may have (a gzip bomb is refused).
const MAX_UNPACKED: u64 = 512 * 1024 * 1024;

/// The install-time code a `.tgz` (npm) or `.crate` (cargo) archive holds, one line
/// each (`binding.gyp at the package root`, `postinstall: node x.js`, `build.rs`,
/// `proc-macro`); empty when none. PyPI and other files: `Ok(None)` (not inspected).
/// An archive that does not read is an error.
pub fn install_code(eco: Ecosystem, bytes: &[u8]) -> Result<Option<Vec<String>>, String> {
    if matches!(eco, Ecosystem::Pypi | Ecosystem::Actions) {
        return Ok(None);
    }
    let mut unpacked = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .take(MAX_UNPACKED + 1)
        .read_to_end(&mut unpacked)
        .map_err(|e| format!("not a gzip archive: {e}"))?;
    if unpacked.len() as u64 > MAX_UNPACKED {
        return Err(format!(
            "unpacks to more than {} MiB",
            MAX_UNPACKED / (1024 * 1024)
        ));
    }
    let entries = tar_entries(&unpacked)?;
    // Files at the archive's root folder (npm: `package/`, cargo: `name-version/`).
    let top = |path: &str| -> Option<String> {
        let (_root, rest) = path.trim_start_matches("./").split_once('/')?;
        (!rest.is_empty() && !rest.contains('/')).then(|| rest.to_string())
    };
    let mut out = Vec::new();
    match eco {
        Ecosystem::Npm => {
            for (path, data) in &entries {
                match top(path).as_deref() {
                    Some("binding.gyp") => {
                        out.push("binding.gyp at the package root: npm runs node-gyp".to_string())
                    }
                    Some("package.json") => {
                        let v: serde_json::Value = serde_json::from_slice(data)
                            .map_err(|e| format!("{path}: not JSON: {e}"))?;
                        if let Some(s) = v.get("scripts").and_then(|s| s.as_object()) {
                            for hook in super::npm::INSTALL_HOOKS {
                                if let Some(cmd) = s.get(*hook) {
                                    out.push(format!(
                                        "{hook}: {}",
                                        cmd.as_str().unwrap_or("(not a string)")
                                    ));
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        Ecosystem::Cargo => {
            let mut has_build_rs = false;
            let mut manifest = None;
            for (path, data) in &entries {
                match top(path).as_deref() {
                    Some("build.rs") => has_build_rs = true,
                    Some("Cargo.toml") => manifest = Some((path, data)),
                    _ => {}
                }
            }
            let (build, proc_macro) = match manifest {
                Some((path, data)) => {
                    let text =
                        std::str::from_utf8(data).map_err(|_| format!("{path}: not UTF-8"))?;
                    let t: toml::Table =
                        toml::from_str(text).map_err(|e| format!("{path}: {e}"))?;
                    let build = t.get("package").and_then(|p| p.get("build")).cloned();
                    let proc_macro = t
                        .get("lib")
                        .and_then(|l| l.get("proc-macro").or_else(|| l.get("proc_macro")))
                        .and_then(|v| v.as_bool())
                        == Some(true);
                    (build, proc_macro)
                }
                None => return Err("no Cargo.toml in the crate archive".to_string()),
            };
            match build {
                // cargo: `build = false` turns the build script off, a path names it.
                Some(toml::Value::Boolean(false)) => {}
                Some(toml::Value::String(path)) => out.push(format!("build script {path}")),
                _ if has_build_rs => out.push("build.rs: cargo runs it".to_string()),
                _ => {}
            }
            if proc_macro {
                out.push("proc-macro: the compiler runs its code".to_string());
            }
        }
        Ecosystem::Pypi | Ecosystem::Actions => {}
    }
    Ok(Some(out))
}

/// The regular files of a tar archive: (path, contents). Reads ustar names with their
/// prefix, GNU long names (`L`) and pax `path` records.
fn tar_entries(tar: &[u8]) -> Result<Vec<(String, &[u8])>, String> {
    let mut out = Vec::new();
    let mut at = 0usize;
    let mut long_name: Option<String> = None;
    while at + 512 <= tar.len() {
        let h = &tar[at..at + 512];
        if h.iter().all(|&b| b == 0) {
            break;
        }
        let field = |a: usize, b: usize| -> String {
            let f = &h[a..b];
            let end = f.iter().position(|&c| c == 0).unwrap_or(f.len());
            String::from_utf8_lossy(&f[..end]).into_owned()
        };
        let size_text = field(124, 136);
        let size = u64::from_str_radix(size_text.trim(), 8)
            .map_err(|_| format!("tar header at byte {at}: bad size {size_text:?}"))?;
        let size = usize::try_from(size).map_err(|_| "tar entry too large".to_string())?;
        let start = at + 512;
        let end = start
            .checked_add(size)
            .filter(|&e| e <= tar.len())
            .ok_or_else(|| format!("tar entry at byte {at} runs past the end"))?;
        let data = &tar[start..end];
        let kind = h[156];
        match kind {
            b'L' => {
                let end = data.iter().position(|&c| c == 0).unwrap_or(data.len());
                long_name = Some(String::from_utf8_lossy(&data[..end]).into_owned());
            }
            b'x' => {
                let text = String::from_utf8_lossy(data);
                for rec in text.lines() {
                    if let Some((_, kv)) = rec.split_once(' ')
                        && let Some(path) = kv.strip_prefix("path=")
                    {
                        long_name = Some(path.to_string());
                    }
                }
            }
            b'0' | 0 | b'7' => {
                let name = match long_name.take() {
                    Some(n) => n,
                    None => {
                        let prefix = field(345, 500);
                        let name = field(0, 100);
                        if prefix.is_empty() || &h[257..262] != b"ustar" {
                            name
                        } else {
                            format!("{prefix}/{name}")
                        }
                    }
                };
                out.push((name, data));
            }
            _ => {
                long_name = None;
            }
        }
        at = start + size.div_ceil(512) * 512;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_does_not_unpack_is_an_error_and_pypi_is_not_inspected() {
        assert!(install_code(Ecosystem::Npm, b"not gzip").is_err());
        assert_eq!(install_code(Ecosystem::Pypi, b"anything"), Ok(None));
        // A header whose entry runs past the end of the archive.
        let mut tar = vec![0u8; 512];
        tar[..19].copy_from_slice(b"package/binding.gyp");
        tar[124..135].copy_from_slice(b"00000001000");
        tar[156] = b'0';
        assert!(tar_entries(&tar).unwrap_err().contains("runs past the end"));
    }

    #[test]
    fn ustar_prefix_and_pax_paths_are_read() {
        let header = |name: &str, kind: u8, size: usize| {
            let mut h = vec![0u8; 512];
            h[..name.len()].copy_from_slice(name.as_bytes());
            h[124..135].copy_from_slice(format!("{size:011o}").as_bytes());
            h[156] = kind;
            h
        };
        let mut tar = Vec::new();
        let pax = b"30 path=package/binding.gyp\n";
        tar.extend(header("PaxHeader", b'x', pax.len()));
        let mut body = pax.to_vec();
        body.resize(512, 0);
        tar.extend(body);
        tar.extend(header("ignored-name", b'0', 0));
        tar.extend(vec![0u8; 1024]);
        let entries = tar_entries(&tar).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].0, "package/binding.gyp");
    }
}
