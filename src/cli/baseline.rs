//! `lockgate check --baseline REF [--comment-file FILE]`: the command-line side of
//! pull-request mode. The work is in [`lockgate::baseline`] (reading REF, matching
//! findings, package changes) and [`lockgate::report::change`] (the comment body).

use super::WalkArgs;
use anyhow::Context as _;
use lockgate::allowlist::Allowlist;
use lockgate::baseline::{self, Baseline, Comparison};
use lockgate::checks::{FindingId, Outcome};
use lockgate::discover::Options;
use lockgate::lockfile::ParseError;
use lockgate::resolve::Resolution;
use std::path::PathBuf;

/// The pull-request arguments of `lockgate check`, under one help heading. clap keeps
/// that heading for the arguments declared after this group, so it is flattened last.
#[derive(clap::Args, Debug, Clone)]
#[command(next_help_heading = "Pull requests")]
pub struct BaselineArgs {
    /// Pull-request mode: report only the findings the change introduces since the
    /// git ref REF (e.g. the pull request's base, `origin/main` or a SHA); findings
    /// already there at REF are counted, not repeated. REF must be fetched; a REF
    /// git does not know, or a lockfile at REF that cannot be read, is an error.
    #[arg(long, value_name = "REF")]
    pub baseline: Option<String>,
    /// With --baseline: write the change report (Markdown: packages added, removed
    /// and upgraded per ecosystem, with each one's new findings) to FILE, e.g. for a
    /// pull-request comment.
    #[arg(long, value_name = "FILE", requires = "baseline")]
    pub comment_file: Option<PathBuf>,
}

impl BaselineArgs {
    /// With `--baseline`: read REF, run `evaluate` (the same checks as for the
    /// working tree) on it, and keep in `outcome` only the new findings.
    pub fn apply(
        &self,
        outcome: &mut Outcome,
        res: &Resolution,
        walk: &WalkArgs,
        list: &Allowlist,
        evaluate: impl Fn(&Resolution) -> anyhow::Result<Outcome>,
    ) -> anyhow::Result<Option<Comparison>> {
        let Some(rev) = &self.baseline else {
            return Ok(None);
        };
        let cwd = std::env::current_dir().context("cannot read the current folder")?;
        let mut base = Baseline::checkout(rev, &cwd)?;
        let opts = Options {
            no_ignore: walk.no_ignore,
            exclude: walk.exclude.clone(),
            allowlist_exclude: list.exclude.clone(),
            cargo_metadata: walk.cargo_metadata,
            explain_skips: false,
        };
        let mut base_res = base.resolve(&walk.paths, &opts)?;
        let mut base_out = evaluate(&base_res)?;
        // Installer configuration at REF that cannot be read fails like a lockfile.
        let unreadable: Vec<ParseError> = base_out
            .findings
            .iter()
            .filter(|f| f.id == FindingId::ParseError)
            .map(|f| ParseError {
                path: f.lockfile.clone(),
                line: f.line,
                message: f.message.clone(),
                hint: f.help.clone(),
            })
            .collect();
        base.refuse_errors(&unreadable)?;
        base.map_findings(&mut base_out.findings);
        base.map_packages(&mut base_res);
        let (new, unchanged) =
            baseline::compare(std::mem::take(&mut outcome.findings), &base_out.findings);
        outcome.findings = new;
        let mut changes = baseline::package_changes(&base_res, res);
        baseline::classes_from_findings(&mut changes, &outcome.findings);
        // Same version, other hash: new at the head by construction, never waived.
        outcome
            .findings
            .extend(baseline::change_findings(&changes, &base.rev));
        lockgate::checks::sort(&mut outcome.findings);
        Ok(Some(Comparison {
            rev: base.rev.clone(),
            commit: base.commit.clone(),
            unchanged,
            changes,
        }))
    }

    /// Write the change report (`--comment-file`) and say on stderr how many
    /// findings were already there.
    pub fn finish(
        &self,
        cmp: Option<&Comparison>,
        outcome: &Outcome,
        quiet: bool,
    ) -> anyhow::Result<()> {
        let Some(cmp) = cmp else {
            return Ok(());
        };
        if let Some(path) = &self.comment_file {
            let body = lockgate::report::change::markdown(outcome, cmp, &super::output::paths());
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            std::fs::write(path, body)
                .with_context(|| format!("cannot write the change report to {}", path.display()))?;
        }
        if !quiet {
            eprintln!(
                "baseline: {}; {} new",
                lockgate::report::escape::display_safe_text(&cmp.unchanged_line()),
                outcome.findings.len()
            );
        }
        Ok(())
    }
}
