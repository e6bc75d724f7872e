//! Git's global ignore file (`core.excludesFile`), found as the `ignore` crate finds it,
//! without compiling the crate's regular expression when no git config names one.
//!
//! `ignore`'s walker, with `git_global(true)`, reads every git config file on each walk
//! and compiles a regular expression to look for `excludesfile` in them: about 1 ms of
//! CPU per run (more than the walk of a folder of 18 lockfiles) whenever a
//! `~/.gitconfig` exists, which is nearly always. When no config file holds the word,
//! the answer is the default file (`$XDG_CONFIG_HOME/git/ignore` or
//! `~/.config/git/ignore`) and the regular expression is not needed; otherwise
//! [`ignore::gitignore::gitconfig_excludes_path`] is asked, as before. The walk then
//! adds that file with `WalkBuilder::add_ignore`, which builds the same matcher (rooted
//! at the current folder) and ranks it where the global one ranked: after every other
//! ignore file (see `walk`).

use std::ffi::OsString;
use std::path::PathBuf;

/// The global ignore file git would read, exactly as
/// [`ignore::gitignore::gitconfig_excludes_path`] answers, from the environment
/// (`GIT_CONFIG_GLOBAL`, `HOME`, `XDG_CONFIG_HOME`, `GIT_CONFIG_SYSTEM`).
pub(super) fn global_excludes_file() -> Option<PathBuf> {
    #[allow(deprecated)] // what the `ignore` crate uses, so that the answers agree
    let home = std::env::home_dir();
    let env = |k: &str| std::env::var_os(k);
    if config_files(&env, home.clone())
        .iter()
        .any(|p| std::fs::read(p).is_ok_and(|text| may_name_excludes_file(&text)))
    {
        return ignore::gitignore::gitconfig_excludes_path();
    }
    default_excludes_file(&env, home)
}

/// Every git config file `ignore` reads for `core.excludesFile` (some may not exist).
fn config_files(env: &dyn Fn(&str) -> Option<OsString>, home: Option<PathBuf>) -> Vec<PathBuf> {
    let non_empty = |k: &str| env(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    let mut files = Vec::with_capacity(4);
    files.extend(non_empty("GIT_CONFIG_GLOBAL"));
    files.extend(home.as_ref().map(|h| h.join(".gitconfig")));
    files.extend(config_home(env, home).map(|c| c.join("git/config")));
    files.push(non_empty("GIT_CONFIG_SYSTEM").unwrap_or_else(|| PathBuf::from("/etc/gitconfig")));
    files
}

/// `$XDG_CONFIG_HOME` when set and not empty, else `~/.config`.
fn config_home(env: &dyn Fn(&str) -> Option<OsString>, home: Option<PathBuf>) -> Option<PathBuf> {
    env("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| home.map(|h| h.join(".config")))
}

/// The file git reads when no config names one: `git/ignore` in the config home.
fn default_excludes_file(
    env: &dyn Fn(&str) -> Option<OsString>,
    home: Option<PathBuf>,
) -> Option<PathBuf> {
    config_home(env, home).map(|c| c.join("git/ignore"))
}

/// Could this config text set `excludesfile`? `ignore` looks for the word without
/// regard to ASCII case; any byte outside ASCII also answers yes, so that only a text
/// that certainly cannot match skips the crate's own search.
fn may_name_excludes_file(text: &[u8]) -> bool {
    const WORD: &[u8] = b"excludesfile";
    !text.is_ascii()
        || text
            .windows(WORD.len())
            .any(|w| w.eq_ignore_ascii_case(WORD))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_that_may_name_an_excludes_file_is_read_by_ignore_itself() {
        assert!(may_name_excludes_file(b"[core]\n\texcludesFile = ~/x\n"));
        assert!(may_name_excludes_file(b"[core]\nEXCLUDESFILE=/x"));
        // Not ASCII: not decided here.
        assert!(may_name_excludes_file(
            "[user]\nname = J\u{f6}rg\n".as_bytes()
        ));
        assert!(!may_name_excludes_file(
            b"[user]\n\tname = x\n\temail = y\n"
        ));
        assert!(!may_name_excludes_file(b"[core]\n\texcludeFile = /x\n"));
    }

    #[test]
    fn the_files_and_the_default_follow_the_environment() {
        let home = Some(PathBuf::from("/h"));
        let none = |_: &str| None;
        assert_eq!(
            config_files(&none, home.clone()),
            ["/h/.gitconfig", "/h/.config/git/config", "/etc/gitconfig"].map(PathBuf::from)
        );
        assert_eq!(
            default_excludes_file(&none, home.clone()),
            Some(PathBuf::from("/h/.config/git/ignore"))
        );
        let set = |k: &str| match k {
            "GIT_CONFIG_GLOBAL" => Some("/g".into()),
            "XDG_CONFIG_HOME" => Some("/x".into()),
            "GIT_CONFIG_SYSTEM" => Some("/s".into()),
            _ => None,
        };
        assert_eq!(
            config_files(&set, home.clone()),
            ["/g", "/h/.gitconfig", "/x/git/config", "/s"].map(PathBuf::from)
        );
        assert_eq!(
            default_excludes_file(&set, home),
            Some(PathBuf::from("/x/git/ignore"))
        );
        // Empty values count as unset, as in `ignore`.
        let empty = |k: &str| (k != "HOME").then(OsString::new);
        assert_eq!(
            default_excludes_file(&empty, None),
            None,
            "no home and no XDG_CONFIG_HOME: no default file"
        );
    }

    #[test]
    fn the_answer_is_the_ignore_crate_s() {
        assert_eq!(
            global_excludes_file(),
            ignore::gitignore::gitconfig_excludes_path()
        );
    }
}
