//! Where `lockgate check` writes its report, and in which formats.
//!
//! One design, for every combination:
//!
//! - `--format FORMAT` picks the format of the main report (default `human`);
//! - `--output FILE` writes the main report to FILE instead of stdout;
//! - `--report FORMAT=FILE` (repeatable) writes one more report in another format,
//!   in the same run (`FILE` may be `-` for stdout, at most one report may go there);
//! - `--quiet` drops the main report from stdout (files are still written; the
//!   exit code says how it went);
//! - `--color auto|always|never` colours the human report; `auto` means only on a
//!   terminal, and `NO_COLOR` turns colour off in every mode.
//!
//! Examples: `lockgate check --report sarif=lockgate.sarif --report markdown=summary.md`
//! (human on the terminal, plus two files); `lockgate check --format sarif --output
//! lockgate.sarif` (SARIF only, to a file).

use super::print;
use anyhow::Context as _;
use clap::ValueEnum;
use lockgate::allowlist::Allowlist;
use lockgate::baseline::PackageChange;
use lockgate::checks::Outcome;
use lockgate::checks::pins;
use lockgate::report::{self, Format, color::ColorChoice, sarif::Paths};
use lockgate::resolve::Resolution;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

/// A `--format` value parser that takes only `formats` (a command that writes a
/// subset of [`Format`]); its help lists them from the enum.
pub fn format_parser(
    formats: &'static [Format],
) -> impl clap::builder::TypedValueParser<Value = Format> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(formats.iter().filter_map(|f| f.to_possible_value()))
        .try_map(move |s| {
            Format::parse_among(&s, formats)
                .ok_or_else(|| format!("use one of {}", Format::list(formats)))
        })
}

/// `--color` values.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorArg {
    /// Colour on a terminal only, unless NO_COLOR is set.
    Auto,
    /// Colour even when not on a terminal, unless NO_COLOR is set.
    Always,
    /// No colour.
    Never,
}

/// One `--report FORMAT=FILE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportSpec {
    /// The format.
    pub format: Format,
    /// The file, or `None` for stdout (`-`).
    pub file: Option<PathBuf>,
}

fn parse_report(s: &str) -> Result<ReportSpec, String> {
    let (fmt, file) = s
        .split_once('=')
        .ok_or_else(|| format!("expected FORMAT=FILE (e.g. sarif=lockgate.sarif), got `{s}`"))?;
    let format = Format::parse_among(fmt, Format::CHECK).ok_or_else(|| {
        format!(
            "unknown format `{fmt}`: use one of {}",
            Format::list(Format::CHECK)
        )
    })?;
    if file.is_empty() {
        return Err(format!(
            "no file after `{fmt}=`: write {fmt}=FILE, or {fmt}=- for stdout"
        ));
    }
    Ok(ReportSpec {
        format,
        file: (file != "-").then(|| PathBuf::from(file)),
    })
}

/// Examples shown by `lockgate check --help` (set here, with the output
/// arguments they are mostly about, rather than in check.rs).
const CHECK_EXAMPLES: &str = "\
Examples:
  lockgate check                         check every lockfile under the current folder
  lockgate check web/package-lock.json   check one lockfile
  lockgate check Cargo.toml              a manifest: check the lockfile beside it
  lockgate check --report sarif=lockgate.sarif --report markdown=summary.md
                                         human report on the terminal, plus SARIF and Markdown files
  lockgate check --format github --report sarif=lockgate.sarif
                                         in GitHub Actions: annotations on the lockfile lines
  lockgate check --format json -o findings.json --quiet
                                         JSON to a file, nothing on stdout
  lockgate check --fail-on warning       fail on warnings too

Exit codes: 0 nothing at or above the fail level, 1 findings at or above it,
2 usage, configuration or parse error (a lockfile that cannot be read never passes).
Run `lockgate explain ID` for what a finding means and how to fix it.";

/// The output arguments of `lockgate check`.
#[derive(clap::Args, Debug, Clone)]
#[command(after_long_help = CHECK_EXAMPLES)]
pub struct OutputArgs {
    /// Format of the main report.
    #[arg(long, value_parser = format_parser(Format::CHECK), default_value = "human", help_heading = "Output")]
    pub format: Format,
    /// Write the main report to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE", help_heading = "Output")]
    pub output: Option<PathBuf>,
    /// Also write a report in another format (repeatable): FORMAT=FILE, e.g.
    /// sarif=lockgate.sarif, markdown=summary.md, github=- (FILE `-` is stdout).
    #[arg(long = "report", value_name = "FORMAT=FILE", value_parser = parse_report, help_heading = "Output")]
    pub reports: Vec<ReportSpec>,
    /// Print nothing on stdout (files given with --output/--report are still
    /// written); the exit code tells the verdict.
    #[arg(long, short = 'q', help_heading = "Output")]
    pub quiet: bool,
    /// Colour the human report: auto (only on a terminal), always, never.
    /// NO_COLOR turns colour off in every mode.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN", help_heading = "Output")]
    pub color: ColorArg,
    /// The code-scanning category of the SARIF report (`automationDetails.id`), which
    /// keeps analyses apart: `lockgate` for a full scan (the default), e.g.
    /// `lockgate-pr` for a scan of what a pull request changed.
    #[arg(long, value_name = "CATEGORY", default_value = report::sarif::FULL_SCAN_CATEGORY, value_parser = parse_category, help_heading = "Output")]
    pub sarif_category: String,
    /// The URL of lockgate's docs/findings.md, for the help link of each SARIF rule
    /// (default: where this build's documentation is published, if known).
    #[arg(
        long,
        value_name = "URL",
        env = "LOCKGATE_DOCS_URL",
        help_heading = "Output"
    )]
    pub docs_url: Option<String>,
}

fn parse_category(s: &str) -> Result<String, String> {
    let c = s.trim_end_matches('/');
    if c.is_empty() || c.chars().any(|ch| ch.is_whitespace() || ch.is_control()) {
        return Err(format!(
            "`{s}` is not a category: use a word such as lockgate or lockgate-pr (no spaces)"
        ));
    }
    Ok(c.to_string())
}

impl OutputArgs {
    /// The SARIF options these arguments ask for.
    fn sarif(&self) -> report::sarif::Options {
        report::sarif::Options {
            category: self.sarif_category.clone(),
            docs_url: self
                .docs_url
                .clone()
                .filter(|u| !u.is_empty())
                .or_else(report::sarif::docs_url),
        }
    }
}

/// Paths in annotations and SARIF: relative to `$GITHUB_WORKSPACE` when it is set,
/// else to the current folder.
pub fn paths() -> Paths {
    let cwd = std::env::current_dir().ok();
    let root = std::env::var_os("GITHUB_WORKSPACE")
        .filter(|v| !v.is_empty())
        .map(|v| {
            let p = PathBuf::from(v);
            std::fs::canonicalize(&p).unwrap_or(p)
        })
        .or_else(|| cwd.clone());
    let cwd = cwd.map(|c| std::fs::canonicalize(&c).unwrap_or(c));
    Paths { cwd, root }
}

fn color_enabled(choice: ColorArg) -> bool {
    let choice = match choice {
        ColorArg::Auto => ColorChoice::Auto,
        ColorArg::Always => ColorChoice::Always,
        ColorArg::Never => ColorChoice::Never,
    };
    let var = |k: &str| std::env::var(k).ok();
    choice.resolve(
        var("NO_COLOR").as_deref(),
        std::io::stdout().is_terminal(),
        var("TERM").as_deref(),
        var("CLICOLOR_FORCE").as_deref(),
    )
}

fn render(
    format: Format,
    (outcome, changes): (&Outcome, Option<&[PackageChange]>),
    res: &Resolution,
    list: &Allowlist,
    paths: &Paths,
    sarif: &report::sarif::Options,
) -> String {
    match format {
        Format::Human => report::human::findings(outcome),
        Format::Json => report::json::findings_with_changes(outcome, changes),
        Format::Sarif => report::sarif::findings_with(outcome, paths, sarif),
        Format::Github => report::github::findings(outcome, paths),
        Format::Markdown => {
            report::markdown::findings(outcome, pins::suggestion(res, list).as_deref(), paths)
        }
    }
}

fn write_file(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(path, text)
        .with_context(|| format!("cannot write the report to {}", path.display()))
}

/// Write every report the arguments ask for; `changes` are the package changes of
/// a `--baseline` run (the JSON report's `changes`).
pub fn emit_with(
    args: &OutputArgs,
    outcome: &Outcome,
    changes: Option<&[PackageChange]>,
    res: &Resolution,
    list: &Allowlist,
) -> anyhow::Result<()> {
    let stdout_reports = args.reports.iter().filter(|r| r.file.is_none()).count()
        + usize::from(args.output.is_none());
    if stdout_reports > 1 && !args.quiet {
        anyhow::bail!(
            "two reports would go to stdout: give --output FILE for the main report, or a FILE instead of `-` in --report"
        );
    }
    let paths = paths();
    let sarif = args.sarif();
    let mut targets: Vec<(Format, Option<&Path>)> = vec![(args.format, args.output.as_deref())];
    targets.extend(args.reports.iter().map(|r| (r.format, r.file.as_deref())));
    for (format, file) in targets {
        match file {
            Some(path) => write_file(
                path,
                &render(format, (outcome, changes), res, list, &paths, &sarif),
            )?,
            None if args.quiet => {}
            None => {
                let text = render(format, (outcome, changes), res, list, &paths, &sarif);
                if format == Format::Human && color_enabled(args.color) {
                    print(&report::color::paint_findings(&text))?;
                } else {
                    print(&text)?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_specs() {
        assert_eq!(
            parse_report("sarif=out/x.sarif"),
            Ok(ReportSpec {
                format: Format::Sarif,
                file: Some(PathBuf::from("out/x.sarif"))
            })
        );
        assert_eq!(parse_report("GitHub=-").map(|r| r.file), Ok(None));
        assert!(parse_report("sarif").is_err());
        assert!(parse_report("xml=a").is_err());
        assert!(parse_report("json=").is_err());
        // Only the first `=` separates: the file may hold more.
        assert_eq!(
            parse_report("json=a=b").map(|r| r.file),
            Ok(Some(PathBuf::from("a=b")))
        );
    }
}
