//! Output formats. Each format is one module that renders results to a `String`;
//! nothing else in the library writes to stdout. Every untrusted string (names,
//! versions, paths, messages) goes through [`escape`] first.

pub mod color;
pub mod escape;
pub mod github;
pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;

/// Every output format lockgate writes, one module each. The command line derives
/// its `--format` / `--report` values from this enum, and messages that list formats
/// take the list from it. Not every command writes every format: see
/// [`Format::PACKAGES`] and [`Format::CHECK`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    /// For people: findings grouped by lockfile (`check`), a table (`packages`).
    Human,
    /// One JSON document (docs/json.md, docs/schemas/).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands: an annotation per finding.
    Github,
    /// A Markdown report for a job summary: counts, a table, the allowlist snippet.
    Markdown,
}

impl Format {
    /// Every format.
    pub const ALL: &'static [Format] = &[
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Markdown,
    ];
    /// The formats of `lockgate check` (all of them).
    pub const CHECK: &'static [Format] = Format::ALL;
    /// The formats of `lockgate packages`.
    pub const PACKAGES: &'static [Format] = &[Format::Human, Format::Json];

    /// The name on the command line: `human`, `json`, `sarif`, `github`, `markdown`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Github => "github",
            Format::Markdown => "markdown",
        }
    }

    /// Look a format up by name, ignoring case, among `formats`.
    pub fn parse_among(s: &str, formats: &[Format]) -> Option<Format> {
        formats
            .iter()
            .copied()
            .find(|f| f.name().eq_ignore_ascii_case(s))
    }

    /// `human, json, sarif, github, markdown`: the names of `formats`, for messages.
    pub fn list(formats: &[Format]) -> String {
        formats
            .iter()
            .map(|f| f.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::Format;
    use clap::ValueEnum as _;

    #[test]
    fn names_are_the_command_line_values() {
        for f in Format::ALL {
            let pv = f.to_possible_value().unwrap();
            assert_eq!(pv.get_name(), f.name());
            assert_eq!(
                Format::parse_among(&f.name().to_uppercase(), Format::ALL),
                Some(*f)
            );
        }
        assert_eq!(Format::value_variants(), Format::ALL);
        assert_eq!(Format::parse_among("sarif", Format::PACKAGES), None);
        assert_eq!(Format::list(Format::PACKAGES), "human, json");
    }
}
