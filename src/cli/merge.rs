//! `errscan merge`: add up JSON reports from separate runs.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

/// Formats of `merge`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum MergeFormat {
    /// For people at a terminal.
    #[default]
    Text,
    /// The JSON report (schema errscan/report@1), which `merge` reads again.
    Json,
    /// The code table as CSV.
    Csv,
}

/// `errscan merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// JSON reports written by `errscan scan --format json` (or by `merge`).
    #[arg(required = true, value_name = "REPORT.json")]
    pub reports: Vec<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = MergeFormat::Text)]
    pub format: MergeFormat,
    /// Write the report to FILE instead of stdout (missing parent directories are created).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The width of the timeline's buckets: 1m, 15m, 2h, 1d (whole minutes). Automatic by
    /// default: about 60-200 buckets over the span.
    #[arg(long, value_name = "WIDTH", value_parser = crate::timeline::parse_bucket)]
    pub bucket: Option<i64>,
    /// Merge reports made with different catalogs (by default they are refused).
    #[arg(long)]
    pub force: bool,
    /// A catalog file merged over the built-in catalogs (repeatable): the text report takes
    /// meanings and fixes from it.
    #[arg(long, value_name = "PATH")]
    pub catalog: Vec<PathBuf>,
    /// When to colour the text report.
    #[arg(long, value_enum, default_value_t = super::ColorArg::Auto, value_name = "WHEN")]
    pub color: super::ColorArg,
    /// How many codes the text report lists.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub top: usize,
}
