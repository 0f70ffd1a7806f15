//! The command line: clap derive structs, one per subcommand. Parsing only; the commands turn
//! these into built things.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::catalog::Category;
use crate::config::ColorChoice;
use crate::gate::{CodeKey, GateOptions, Growth, Key, parse_limit};
use crate::vendor::Vendor;

mod merge;
mod watch;

pub use merge::{MergeArgs, MergeFormat};
pub use watch::{WatchArgs, WatchFormat, parse_duration};

/// Find the error codes of BigBlueButton, Jitsi Meet, VideoSDK and ZEGOCLOUD in logs, and
/// explain what they mean and what to do about them.
#[derive(Debug, Parser)]
#[command(name = "errscan", version, about, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
// `Scan` holds many options; the enum is built once per run, so its size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files, directories (recursively) or stdin ('-') and report the codes found.
    Scan(ScanArgs),
    /// Watch stdin, or follow files across rotation like `tail -F`, reporting each match as
    /// its line arrives and a summary at the end.
    Watch(WatchArgs),
    /// Explain codes or constant names: meaning, category, severity, fix, related codes, source.
    Explain(ExplainArgs),
    /// List the catalog of known codes, or check user catalog and pattern files.
    Catalog(CatalogArgs),
    /// Add up JSON reports from separate runs (shards, machines, days) into one.
    Merge(MergeArgs),
    /// Print a shell completion script to stdout.
    Completions(CompletionsArgs),
    /// Print the man page (roff) to stdout.
    #[command(hide = true)]
    Man,
}

/// Options shared by the commands that use the catalog and patterns.
#[derive(Debug, Args, Clone, Default)]
pub struct DataArgs {
    /// Only these vendors (bigbluebutton, jitsi, videosdk, zegocloud; aliases bbb, zego).
    #[arg(long, value_delimiter = ',', value_parser = parse_vendor, value_name = "V[,V..]")]
    pub vendor: Vec<Vendor>,
    /// A catalog file merged over the built-in catalogs (repeatable).
    #[arg(long, value_name = "PATH")]
    pub catalog: Vec<PathBuf>,
    /// A pattern file added over the built-in patterns (repeatable).
    #[arg(long, value_name = "PATH")]
    pub patterns: Vec<PathBuf>,
}

/// Report formats of `scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ScanFormat {
    /// For people at a terminal.
    #[default]
    Text,
    /// The JSON report (schema errscan/report@1).
    Json,
    /// One JSON match event per line, then a summary line.
    Ndjson,
    /// The code table as CSV.
    Csv,
    /// SARIF 2.1.0 for GitHub code scanning and other SARIF readers.
    Sarif,
    /// JUnit XML for GitLab, Jenkins and other test-report readers.
    Junit,
    /// GitHub Actions annotations (and a step summary when GITHUB_STEP_SUMMARY is set).
    Github,
    /// One self-contained HTML page (charts, codes with meaning and fix); nothing fetched.
    Html,
}

impl ScanFormat {
    /// The name used on the command line.
    pub fn id(self) -> &'static str {
        match self {
            ScanFormat::Text => "text",
            ScanFormat::Json => "json",
            ScanFormat::Ndjson => "ndjson",
            ScanFormat::Csv => "csv",
            ScanFormat::Sarif => "sarif",
            ScanFormat::Junit => "junit",
            ScanFormat::Github => "github",
            ScanFormat::Html => "html",
        }
    }
}

/// One more output of the same scan: `--report FORMAT:PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportTarget {
    /// The format.
    pub format: ScanFormat,
    /// The file to write; missing parent directories are created.
    pub path: PathBuf,
}

/// The gate options of `scan`. With none of them (and no `[gate]` in the config file) the run
/// has no gate and the report no `gate` section.
#[derive(Debug, Args, Clone, Default)]
pub struct GateArgs {
    /// Fail (exit 1) when any match has KEY: a category (network), a severity and above
    /// (severity>=error; also severity=fatal), a vendor (jitsi, bbb), one code (bbb:1101),
    /// unknown (the category), or total. Repeatable.
    #[arg(long = "fail-on", value_name = "KEY", value_parser = parse_key, help_heading = "Gate")]
    pub fail_on: Vec<Key>,
    /// Fail when more than N matches in total (N), or with KEY (KEY=N, same keys as --fail-on),
    /// were found. Repeatable: --max network=0 --max capacity=5.
    #[arg(long, value_name = "[KEY=]N", value_parser = parse_max, help_heading = "Gate")]
    pub max: Vec<(Key, u64)>,
    /// Leave this code out of every gate rule (it is still reported). Repeatable.
    #[arg(long, value_name = "VENDOR:CODE", value_parser = parse_code_key, help_heading = "Gate")]
    pub allow: Vec<CodeKey>,
    /// A previous JSON report: fail on codes absent from it, or grown by more than
    /// --max-growth percent.
    #[arg(long, value_name = "REPORT.json", help_heading = "Gate")]
    pub baseline: Option<PathBuf>,
    /// With --baseline: the growth of a code's count accepted, in percent (default 0: any
    /// growth fails).
    #[arg(long, value_name = "PCT", value_parser = parse_growth, help_heading = "Gate")]
    pub max_growth: Option<Growth>,
    /// Fail when any code absent from the catalog was seen.
    #[arg(long, help_heading = "Gate")]
    pub fail_on_unknown: bool,
    /// Read gate options from this file instead of ./errscan.toml.
    #[arg(long, value_name = "PATH", help_heading = "Gate")]
    pub config: Option<PathBuf>,
    /// Do not read ./errscan.toml.
    #[arg(long, conflicts_with = "config", help_heading = "Gate")]
    pub no_config: bool,
}

impl GateArgs {
    /// The gate options given on the command line.
    pub fn options(&self) -> GateOptions {
        let mut options = GateOptions {
            fail_on: Vec::new(),
            max: Vec::new(),
            allow: Vec::new(),
            baseline: self.baseline.clone(),
            max_growth: self.max_growth,
            fail_on_unknown: self.fail_on_unknown,
        };
        for key in &self.fail_on {
            if !options.fail_on.contains(key) {
                options.fail_on.push(key.clone());
            }
        }
        for (key, limit) in &self.max {
            options.set_max(key.clone(), *limit);
        }
        for code in &self.allow {
            if !options.allow.contains(code) {
                options.allow.push(code.clone());
            }
        }
        options
    }
}

/// `--color` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorArg {
    /// Colour a terminal unless NO_COLOR is set or TERM=dumb.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl From<ColorArg> for ColorChoice {
    fn from(value: ColorArg) -> ColorChoice {
        match value {
            ColorArg::Auto => ColorChoice::Auto,
            ColorArg::Always => ColorChoice::Always,
            ColorArg::Never => ColorChoice::Never,
        }
    }
}

/// `errscan scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files, directories (scanned recursively) and '-' for stdin. gzip and zstd are read
    /// transparently. Without paths (and without --files-from), stdin is read.
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// Read more paths, one per line, from FILE ('-' for stdin).
    #[arg(long, value_name = "FILE")]
    pub files_from: Option<String>,
    /// Catalog, patterns and vendor selection.
    #[command(flatten)]
    pub data: DataArgs,
    /// Report format.
    #[arg(long, value_enum, default_value_t = ScanFormat::Text)]
    pub format: ScanFormat,
    /// Write the report to FILE instead of stdout (missing parent directories are created).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write the report in FORMAT to PATH, from the same scan (repeatable), e.g.
    /// --report json:out/report.json --report sarif:out/scan.sarif.
    #[arg(long = "report", value_name = "FORMAT:PATH", value_parser = parse_report_target)]
    pub reports: Vec<ReportTarget>,
    /// Gate options.
    #[command(flatten)]
    pub gate: GateArgs,
    /// Worker threads (default: the number of cores).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
    /// When to colour the text report.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub color: ColorArg,
    /// Only scan files inside directories whose path matches GLOB ('!GLOB' excludes); repeatable.
    #[arg(short = 'g', long = "glob", value_name = "GLOB")]
    pub globs: Vec<String>,
    /// Honour .gitignore/.ignore files and skip hidden files inside directories.
    #[arg(long)]
    pub respect_ignore: bool,
    /// Follow symbolic links inside directories.
    #[arg(short = 'L', long)]
    pub follow: bool,
    /// Read files instead of memory-mapping them (safer for logs truncated during the scan).
    #[arg(long)]
    pub no_mmap: bool,
    /// How many codes the text report lists.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub top: usize,
    /// Only matches at or after TIME: RFC 3339 (2024-03-07T10:00:00Z), a date, now, today,
    /// yesterday, or -30s, -90m, -3h, -2d, -1w before now. Matches on lines without a time are
    /// kept and counted in totals.untimed.
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only matches before TIME (same forms as --since).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// The width of the timeline's buckets: 1m, 15m, 2h, 1d (whole minutes). Automatic by
    /// default: about 60-200 buckets over the span.
    #[arg(long, value_name = "WIDTH", value_parser = crate::timeline::parse_bucket)]
    pub bucket: Option<i64>,
    /// The year of year-less time stamps (syslog `Mar  7 10:00:01`, logcat `03-07 10:00:01.123`)
    /// that no earlier stamp in the same file dates. Without it, each file's modification
    /// time decides (the latest year that does not put the stamp more than a day after it);
    /// stdin and pipes use the time now.
    #[arg(long, value_name = "YYYY", value_parser = parse_year)]
    pub year: Option<i32>,
    /// Remember per file its identity and the offset read, so that the next run reads only
    /// new lines (and the rest of a file rotated away first), like logtail2. Written
    /// atomically at the end.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
}

/// Formats of `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ExplainFormat {
    /// For people.
    #[default]
    Text,
    /// A JSON array of catalog entries.
    Json,
}

/// `errscan explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Codes (1107, 1002031), constant names (ICE_STATE_FAILED), Jitsi values
    /// (conference.iceFailed) or vendor:code (bbb:1107).
    #[arg(required = true, value_name = "CODE|NAME")]
    pub queries: Vec<String>,
    /// Catalog, patterns and vendor selection.
    #[command(flatten)]
    pub data: DataArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,
}

/// `errscan catalog`.
#[derive(Debug, Args)]
pub struct CatalogArgs {
    /// What to do with the catalog.
    #[command(subcommand)]
    pub command: CatalogCommand,
}

/// Formats of `catalog list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ListFormat {
    /// An aligned table.
    #[default]
    Text,
    /// A JSON array of catalog entries.
    Json,
    /// CSV with a header row.
    Csv,
}

/// `errscan catalog` subcommands.
#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// List known codes.
    List {
        /// Catalog, patterns and vendor selection.
        #[command(flatten)]
        data: DataArgs,
        /// Only this category.
        #[arg(long, value_parser = parse_category)]
        category: Option<Category>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Validate catalog and pattern files (pattern samples are run); exit 2 on any problem.
    Check {
        /// Files to check.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Catalog files to resolve pattern samples against, besides the built-in catalogs.
        #[arg(long, value_name = "PATH")]
        catalog: Vec<PathBuf>,
    },
}

/// `errscan completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Parses a `--year` value: a year from 1 to 9999, written in digits.
pub fn parse_year(text: &str) -> Result<i32, String> {
    let trimmed = text.trim();
    let year =
        (!trimmed.is_empty() && trimmed.len() <= 4 && trimmed.bytes().all(|b| b.is_ascii_digit()))
            .then(|| trimmed.parse::<i32>().ok())
            .flatten()
            .filter(|year| (1..=9999).contains(year));
    year.ok_or_else(|| {
        format!(
            "invalid year `{}`: expected a year such as 2024 (1 to 9999)",
            crate::escape::escape_text(text)
        )
    })
}

fn parse_vendor(text: &str) -> Result<Vendor, String> {
    text.parse::<Vendor>().map_err(|error| error.to_string())
}

fn parse_key(text: &str) -> Result<Key, String> {
    Key::parse(text).map_err(|error| error.to_string())
}

fn parse_max(text: &str) -> Result<(Key, u64), String> {
    parse_limit(text).map_err(|error| error.to_string())
}

fn parse_code_key(text: &str) -> Result<CodeKey, String> {
    CodeKey::parse(text).map_err(|error| error.to_string())
}

fn parse_growth(text: &str) -> Result<Growth, String> {
    Growth::parse(text).map_err(|error| error.to_string())
}

/// Parses `FORMAT:PATH`.
pub fn parse_report_target(text: &str) -> Result<ReportTarget, String> {
    let formats: Vec<&str> = ScanFormat::value_variants()
        .iter()
        .map(|format| format.id())
        .collect();
    let Some((format, path)) = text.split_once(':') else {
        return Err(format!(
            "expected FORMAT:PATH (like json:out/report.json), with FORMAT one of {}",
            formats.join(", ")
        ));
    };
    let format = ScanFormat::from_str(format, true).map_err(|_| {
        format!(
            "unknown report format `{format}` (expected one of {})",
            formats.join(", ")
        )
    })?;
    if path.is_empty() || path == "-" {
        return Err("--report needs a file path (use --format for stdout)".to_string());
    }
    Ok(ReportTarget {
        format,
        path: PathBuf::from(path),
    })
}

fn parse_category(text: &str) -> Result<Category, String> {
    Category::from_id(text).ok_or_else(|| {
        let ids: Vec<&str> = Category::ALL.iter().map(|category| category.id()).collect();
        format!(
            "unknown category '{text}' (expected one of {})",
            ids.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_are_one_to_four_digits_from_1_to_9999() {
        assert_eq!(parse_year("2023"), Ok(2023));
        assert_eq!(parse_year(" 1999 "), Ok(1999));
        assert_eq!(parse_year("9999"), Ok(9999));
        assert_eq!(parse_year("1"), Ok(1));
        for bad in [
            "",
            "0",
            "10000",
            "-2023",
            "+2023",
            "2023.5",
            "twenty",
            "２０２３",
        ] {
            assert!(parse_year(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_year("\u{1b}x").unwrap_err(),
            "invalid year `\\ex`: expected a year such as 2024 (1 to 9999)"
        );
    }
}
