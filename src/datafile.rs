//! Problems found in errscan's TOML data files (catalogs and patterns), with line and column.

use std::fmt;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One problem in a data file, at a 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// What is wrong, in lower case without a trailing period.
    pub message: String,
}

impl Problem {
    /// A problem at the start of `span` in `text`.
    pub fn at(text: &str, span: Range<usize>, message: impl Into<String>) -> Problem {
        let (line, column) = position(text, span.start);
        Problem {
            line,
            column,
            message: message.into(),
        }
    }

    /// A TOML syntax or type error, placed where the parser says.
    pub fn from_toml(text: &str, error: &toml::de::Error) -> Problem {
        let span = error.span().unwrap_or(0..0);
        let message = error.message().trim().replace('\n', " ");
        Problem::at(text, span, message)
    }
}

/// The 1-based line and column (in characters) of a byte offset in `text`.
pub fn position(text: &str, byte_offset: usize) -> (usize, usize) {
    LineIndex::new(text).position(byte_offset)
}

/// The start of every line of a text, for turning many byte offsets into positions cheaply.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let line_starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|index| index + 1))
            .collect();
        LineIndex { text, line_starts }
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub fn position(&self, byte_offset: usize) -> (usize, usize) {
        let mut offset = byte_offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line_index = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let line_start = self.line_starts[line_index];
        let column = self.text[line_start..offset].chars().count() + 1;
        (line_index + 1, column)
    }

    /// A problem at the start of `span`.
    pub fn problem(&self, span: Range<usize>, message: impl Into<String>) -> Problem {
        let (line, column) = self.position(span.start);
        Problem {
            line,
            column,
            message: message.into(),
        }
    }
}

/// The value of a required string field of a table (`what` is "entry" or "pattern"), as
/// written, or a problem: a missing field is placed at the table, an empty one at its value.
pub fn required_text(
    lines: &LineIndex<'_>,
    problems: &mut Vec<Problem>,
    table_span: &Range<usize>,
    what: &str,
    field: &str,
    value: &Option<toml::Spanned<String>>,
) -> Option<(String, Range<usize>)> {
    match value {
        None => {
            problems.push(lines.problem(
                table_span.clone(),
                format!("{what} is missing the required field `{field}`"),
            ));
            None
        }
        Some(value) if value.get_ref().trim().is_empty() => {
            problems
                .push(lines.problem(value.span(), format!("field `{field}` must not be empty")));
            None
        }
        Some(value) => Some((value.get_ref().clone(), value.span())),
    }
}

/// The vendor named by a data file's top-level `vendor` key: exactly one of the four lower-case
/// ids (aliases such as `bbb` are for the command line only). A problem when missing or unknown.
pub fn file_vendor(
    lines: &LineIndex<'_>,
    problems: &mut Vec<Problem>,
    value: &Option<toml::Spanned<String>>,
) -> Option<crate::vendor::Vendor> {
    let Some(value) = value else {
        problems.push(lines.problem(0..0, "missing top-level key `vendor`"));
        return None;
    };
    let vendor = crate::vendor::Vendor::ALL
        .into_iter()
        .find(|vendor| vendor.id() == value.get_ref().as_str());
    if vendor.is_none() {
        problems.push(lines.problem(
            value.span(),
            format!(
                "unknown vendor `{}` (expected bigbluebutton, jitsi, videosdk or zegocloud)",
                value.get_ref()
            ),
        ));
    }
    vendor
}

/// A data file that could not be read or is not valid.
#[derive(Debug, thiserror::Error)]
pub enum DataFileError {
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The file was read but has problems; each is shown as `path:line:column: message`.
    #[error("{}", render(path, problems))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Every problem found, in file order.
        problems: Vec<Problem>,
    },
}

impl DataFileError {
    /// The problems of an invalid file (empty for a read error).
    pub fn problems(&self) -> &[Problem] {
        match self {
            DataFileError::Read { .. } => &[],
            DataFileError::Invalid { problems, .. } => problems,
        }
    }
}

fn render(path: &Path, problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|problem| {
            format!(
                "{}:{}:{}: {}",
                path.display(),
                problem.line,
                problem.column,
                problem.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads a data file to a string, naming the file in the error.
pub fn read(path: &Path) -> Result<String, DataFileError> {
    std::fs::read_to_string(path).map_err(|source| DataFileError::Read {
        path: path.to_path_buf(),
        source,
    })
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "ab\ncé\nxyz";
        assert_eq!(position(text, 0), (1, 1));
        assert_eq!(position(text, 3), (2, 1));
        // 'é' is two bytes: the byte after it is column 3.
        assert_eq!(position(text, 6), (2, 3));
        assert_eq!(position(text, 7), (3, 1));
        assert_eq!(position(text, 999), (3, 4));
    }
}
