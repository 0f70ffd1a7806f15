//! Pattern files: which literal anchors make a line worth a look, and which regex confirms a
//! vendor's code on it. See `patterns/README.md` for the format.

use std::collections::HashMap;
use std::path::Path;

use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::datafile::{self, DataFileError, LineIndex, Problem};
use crate::vendor::Vendor;

/// The built-in pattern files: (file name, text).
pub const BUILTIN_FILES: [(&str, &str); 4] = [
    (
        "patterns/bigbluebutton.toml",
        include_str!("../../patterns/bigbluebutton.toml"),
    ),
    (
        "patterns/jitsi.toml",
        include_str!("../../patterns/jitsi.toml"),
    ),
    (
        "patterns/videosdk.toml",
        include_str!("../../patterns/videosdk.toml"),
    ),
    (
        "patterns/zegocloud.toml",
        include_str!("../../patterns/zegocloud.toml"),
    ),
];

/// A line that a pattern must turn into exactly `codes`.
#[derive(Debug, Clone)]
pub struct Sample {
    /// The log line.
    pub line: String,
    /// The codes expected from it, in any order.
    pub codes: Vec<String>,
    /// Where the sample is written in its pattern file (1-based line, column).
    pub position: (usize, usize),
}

/// A line that must give no hit from its pattern.
#[derive(Debug, Clone)]
pub struct NotSample {
    /// The log line.
    pub line: String,
    /// Where the sample is written in its pattern file (1-based line, column).
    pub position: (usize, usize),
}

/// One compiled pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// Unique id, e.g. `bbb.client-errorcode`.
    pub id: String,
    /// The vendor whose codes it finds.
    pub vendor: Vendor,
    /// What it matches, for people.
    pub description: String,
    /// Literal bytes, one of which a line must contain before the regex is tried.
    pub anchors: Vec<String>,
    /// The confirming regex, run on one line.
    pub regex: Regex,
    /// Catalog groups that may resolve a `name` capture, in order of preference.
    pub groups: Vec<String>,
    /// Lines that must give exactly the listed codes.
    pub samples: Vec<Sample>,
    /// Lines that must give nothing.
    pub not: Vec<NotSample>,
    /// The file the pattern came from.
    pub file: String,
}

/// Every pattern in effect, built-in first, user files over them (same id replaces).
#[derive(Debug, Clone, Default)]
pub struct PatternSet {
    patterns: Vec<Pattern>,
}

impl PatternSet {
    /// The patterns compiled into the binary.
    pub fn builtin() -> PatternSet {
        let mut set = PatternSet::default();
        for (name, text) in BUILTIN_FILES {
            // The built-in files are validated by the test suite, so a failure here means the
            // binary was built from a broken checkout.
            let patterns = parse(Path::new(name), text)
                .unwrap_or_else(|error| panic!("built-in pattern file is invalid:\n{error}"));
            set.extend(patterns);
        }
        set
    }

    /// The built-in patterns with user files added over them, in order.
    pub fn with_user_files<P: AsRef<Path>>(paths: &[P]) -> Result<PatternSet, DataFileError> {
        let mut set = PatternSet::builtin();
        for path in paths {
            let path = path.as_ref();
            let text = datafile::read(path)?;
            set.extend(parse(path, &text)?);
        }
        Ok(set)
    }

    /// Adds patterns; one with the id of an existing pattern replaces it.
    pub fn extend(&mut self, patterns: Vec<Pattern>) {
        for pattern in patterns {
            match self.patterns.iter_mut().find(|old| old.id == pattern.id) {
                Some(old) => *old = pattern,
                None => self.patterns.push(pattern),
            }
        }
    }

    /// Every pattern, in load order.
    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPatternFile {
    vendor: Option<Spanned<String>>,
    #[serde(default)]
    pattern: Vec<Spanned<RawPattern>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPattern {
    id: Option<Spanned<String>>,
    #[serde(default)]
    description: String,
    anchors: Option<Spanned<Vec<Spanned<String>>>>,
    regex: Option<Spanned<String>>,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    samples: Vec<Spanned<RawSample>>,
    #[serde(default)]
    not: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSample {
    line: String,
    codes: Vec<String>,
}

/// The names of the capture groups a pattern may use to carry what it found.
pub const CAPTURE_NAMES: [&str; 3] = ["code", "name", "message"];

/// Parses and compiles a pattern file; `path` names the file in errors and in each pattern.
pub fn parse(path: &Path, text: &str) -> Result<Vec<Pattern>, DataFileError> {
    let invalid = |problems: Vec<Problem>| DataFileError::Invalid {
        path: path.to_path_buf(),
        problems,
    };
    let raw: RawPatternFile =
        toml::from_str(text).map_err(|error| invalid(vec![Problem::from_toml(text, &error)]))?;
    let lines = LineIndex::new(text);
    let mut problems = Vec::new();
    let vendor = datafile::file_vendor(&lines, &mut problems, &raw.vendor);
    let mut first_line_of_id: HashMap<String, usize> = HashMap::new();
    let mut patterns = Vec::new();
    for raw_pattern in &raw.pattern {
        let before = problems.len();
        let span = raw_pattern.span();
        let raw_pattern = raw_pattern.get_ref();
        let id = datafile::required_text(
            &lines,
            &mut problems,
            &span,
            "pattern",
            "id",
            &raw_pattern.id,
        );
        if let Some((id, id_span)) = &id {
            let (line, _) = lines.position(id_span.start);
            match first_line_of_id.get(id) {
                Some(first) => problems.push(lines.problem(
                    id_span.clone(),
                    format!("duplicate pattern id `{id}` (first defined on line {first})"),
                )),
                None => {
                    first_line_of_id.insert(id.clone(), line);
                }
            }
        }
        let anchors = match &raw_pattern.anchors {
            None => {
                problems.push(lines.problem(
                    span.clone(),
                    "pattern is missing the required field `anchors`",
                ));
                Vec::new()
            }
            Some(anchors) if anchors.get_ref().is_empty() => {
                problems.push(
                    lines.problem(anchors.span(), "`anchors` must list at least one literal"),
                );
                Vec::new()
            }
            Some(anchors) => {
                for anchor in anchors.get_ref() {
                    if anchor.get_ref().is_empty() {
                        problems.push(lines.problem(anchor.span(), "an anchor must not be empty"));
                    }
                }
                anchors
                    .get_ref()
                    .iter()
                    .map(|anchor| anchor.get_ref().clone())
                    .collect()
            }
        };
        let regex = datafile::required_text(
            &lines,
            &mut problems,
            &span,
            "pattern",
            "regex",
            &raw_pattern.regex,
        )
        // ASCII classes: `\b`, `\w`, `\s` and `\d` on ASCII bytes, which lets the fast DFA run
        // over any line (a Unicode `\b` makes it give up on the first non-ASCII byte).
        .and_then(|(source, regex_span)| {
            match RegexBuilder::new(&source).unicode(false).build() {
                Err(error) => {
                    let message = error.to_string().replace('\n', " ");
                    let message = message.split_whitespace().collect::<Vec<_>>().join(" ");
                    problems.push(lines.problem(regex_span, format!("invalid regex: {message}")));
                    None
                }
                Ok(regex) => {
                    let has_capture = regex
                        .capture_names()
                        .flatten()
                        .any(|name| CAPTURE_NAMES.contains(&name));
                    if has_capture {
                        Some(regex)
                    } else {
                        problems.push(lines.problem(
                            regex_span,
                            "the regex needs a named group `code`, `name` or `message`",
                        ));
                        None
                    }
                }
            }
        });
        let samples = raw_pattern
            .samples
            .iter()
            .map(|sample| Sample {
                line: sample.get_ref().line.clone(),
                codes: sample.get_ref().codes.clone(),
                position: lines.position(sample.span().start),
            })
            .collect();
        let not = raw_pattern
            .not
            .iter()
            .map(|line| NotSample {
                line: line.get_ref().clone(),
                position: lines.position(line.span().start),
            })
            .collect();
        if problems.len() > before {
            continue;
        }
        if let (Some(vendor), Some((id, _)), Some(regex)) = (vendor, id, regex) {
            patterns.push(Pattern {
                id,
                vendor,
                description: raw_pattern.description.clone(),
                anchors,
                regex,
                groups: raw_pattern.groups.clone(),
                samples,
                not,
                file: path.display().to_string(),
            });
        }
    }
    if problems.is_empty() {
        Ok(patterns)
    } else {
        Err(invalid(problems))
    }
}
