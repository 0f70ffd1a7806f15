//! The config file: `errscan.toml` in the working directory, or the file named by `--config`.
//! It holds the gate options in a `[gate]` table, so that a CI job is one short command:
//!
//! ```toml
//! [gate]
//! fail_on = ["severity>=fatal", "authentication"]
//! max = { total = 50, network = 0, "bbb:1101" = 3 }
//! allow = ["bbb:1110"]
//! baseline = "ci/errscan-baseline.json"   # relative to this file
//! max_growth = 10                         # percent
//! fail_on_unknown = true
//! ```
//!
//! A problem is reported as `path:line:column: message`, at the value that is wrong.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::datafile::{self, DataFileError, Problem};
use crate::gate::{CodeKey, GateOptions, Growth, Key};

/// The file looked for in the working directory.
pub const DEFAULT_NAME: &str = "errscan.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    gate: Option<RawGate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGate {
    #[serde(default)]
    fail_on: Vec<Spanned<String>>,
    #[serde(default)]
    max: BTreeMap<Spanned<String>, Spanned<i64>>,
    #[serde(default)]
    allow: Vec<Spanned<String>>,
    baseline: Option<Spanned<String>>,
    max_growth: Option<Spanned<f64>>,
    #[serde(default)]
    fail_on_unknown: bool,
}

/// The config file to read: `explicit` (from `--config`) if given, else `errscan.toml` in the
/// working directory if there is one; none when `is_disabled` (`--no-config`).
pub fn find(explicit: Option<&Path>, is_disabled: bool) -> Option<PathBuf> {
    if is_disabled {
        return None;
    }
    match explicit {
        Some(path) => Some(path.to_path_buf()),
        None => {
            let default = Path::new(DEFAULT_NAME);
            default.is_file().then(|| default.to_path_buf())
        }
    }
}

/// Reads and parses a config file.
pub fn load(path: &Path) -> Result<GateOptions, DataFileError> {
    let text = datafile::read(path)?;
    parse(path, &text)
}

/// Parses config text; `path` names the file in errors and anchors a relative `baseline`.
pub fn parse(path: &Path, text: &str) -> Result<GateOptions, DataFileError> {
    let invalid = |problem: Problem| DataFileError::Invalid {
        path: path.to_path_buf(),
        problems: vec![problem],
    };
    let raw: RawConfig =
        toml::from_str(text).map_err(|error| invalid(Problem::from_toml(text, &error)))?;
    let Some(gate) = raw.gate else {
        return Ok(GateOptions::default());
    };
    let at =
        |span: std::ops::Range<usize>, message: String| invalid(Problem::at(text, span, message));
    let mut options = GateOptions {
        fail_on_unknown: gate.fail_on_unknown,
        ..GateOptions::default()
    };
    for value in &gate.fail_on {
        let key =
            Key::parse(value.get_ref()).map_err(|error| at(value.span(), error.to_string()))?;
        if !options.fail_on.contains(&key) {
            options.fail_on.push(key);
        }
    }
    for (name, limit) in &gate.max {
        let key = Key::parse(name.get_ref()).map_err(|error| at(name.span(), error.to_string()))?;
        let limit = u64::try_from(*limit.get_ref()).map_err(|_| {
            at(
                limit.span(),
                format!("a limit must be 0 or more, found {}", limit.get_ref()),
            )
        })?;
        options.set_max(key, limit);
    }
    for value in &gate.allow {
        let code =
            CodeKey::parse(value.get_ref()).map_err(|error| at(value.span(), error.to_string()))?;
        if !options.allow.contains(&code) {
            options.allow.push(code);
        }
    }
    if let Some(baseline) = &gate.baseline {
        if baseline.get_ref().trim().is_empty() {
            return Err(at(
                baseline.span(),
                "`baseline` must not be empty".to_string(),
            ));
        }
        let relative = Path::new(baseline.get_ref());
        let anchored = match path.parent() {
            Some(directory) if relative.is_relative() => directory.join(relative),
            _ => relative.to_path_buf(),
        };
        options.baseline = Some(anchored);
    }
    if let Some(growth) = &gate.max_growth {
        let percent = *growth.get_ref();
        options.max_growth = Some(Growth::from_percent(percent).ok_or_else(|| {
            at(
                growth.span(),
                format!("`max_growth` must be a percentage of 0 or more, found {percent}"),
            )
        })?);
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<GateOptions, String> {
        parse(Path::new("ci/errscan.toml"), text).map_err(|error| error.to_string())
    }

    #[test]
    fn a_full_gate_table_parses() {
        let options = parse_text(
            "[gate]\nfail_on = [\"severity>=fatal\", \"authentication\"]\nmax = { total = 50, network = 0, \"bbb:1101\" = 3 }\nallow = [\"bbb:1110\"]\nbaseline = \"base.json\"\nmax_growth = 12.5\nfail_on_unknown = true\n",
        )
        .expect("valid");
        assert_eq!(options.fail_on.len(), 2);
        assert_eq!(options.max.len(), 3);
        assert!(options.max.contains(&(Key::Total, 50)));
        assert!(
            options
                .max
                .contains(&(Key::parse("bbb:1101").expect("key"), 3))
        );
        assert_eq!(
            options.allow,
            vec![CodeKey::parse("bbb:1110").expect("code")]
        );
        assert_eq!(options.baseline, Some(PathBuf::from("ci/base.json")));
        assert_eq!(options.max_growth, Growth::parse("12.5").ok());
        assert!(options.fail_on_unknown);
        assert!(options.is_given());
    }

    #[test]
    fn a_file_without_a_gate_gives_no_gate() {
        assert_eq!(parse_text("# nothing yet\n"), Ok(GateOptions::default()));
        assert_eq!(parse_text("[gate]\n"), Ok(GateOptions::default()));
    }

    #[test]
    fn problems_name_the_file_line_and_column() {
        let cases = [
            (
                "[gate]\nfail_on = [\"netwrk\"]\n",
                "ci/errscan.toml:2:12: unknown gate key `netwrk`",
            ),
            (
                "[gate]\nmax = { network = -1 }\n",
                "ci/errscan.toml:2:19: a limit must be 0 or more, found -1",
            ),
            (
                "[gate]\nmax = { \"sevrity\" = 1 }\n",
                "ci/errscan.toml:2:9: unknown gate key `sevrity`",
            ),
            (
                "[gate]\nallow = [\"1110\"]\n",
                "ci/errscan.toml:2:10: expected vendor:code",
            ),
            (
                "[gate]\nmax_growth = -5\n",
                "ci/errscan.toml:2:14: `max_growth` must be",
            ),
            (
                "[gate]\nfail_on_unknwn = true\n",
                "ci/errscan.toml:2:1: unknown field `fail_on_unknwn`",
            ),
            ("[gates]\n", "ci/errscan.toml:1:2: unknown field `gates`"),
            (
                "[gate]\nmax = 5\n",
                "ci/errscan.toml:2:7: invalid type: integer `5`, expected a map",
            ),
            ("[gate\n", "ci/errscan.toml:1:6:"),
        ];
        for (text, expected) in cases {
            let error = parse_text(text).expect_err(text);
            assert!(
                error.starts_with(expected),
                "{text:?}\n  expected {expected}\n  found    {error}"
            );
            assert_eq!(error.lines().count(), 1, "{error}");
        }
    }
}
