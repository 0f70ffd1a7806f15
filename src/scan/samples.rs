//! Checking that every pattern's samples hold: each sample line gives exactly its codes and
//! contains one of the pattern's anchors, and each `not` line gives nothing.

use super::Scanner;
use crate::datafile::Problem;

/// A failed sample: the pattern file and the problem at the sample's position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleFailure {
    /// The pattern file.
    pub file: String,
    /// Where and what.
    pub problem: Problem,
}

/// Runs the samples of every pattern the scanner holds.
pub fn check_samples(scanner: &Scanner) -> Vec<SampleFailure> {
    let mut failures = Vec::new();
    for pattern in scanner.patterns() {
        let mut fail = |position: (usize, usize), message: String| {
            failures.push(SampleFailure {
                file: pattern.file.clone(),
                problem: Problem {
                    line: position.0,
                    column: position.1,
                    message: format!("pattern `{}`: {message}", pattern.id),
                },
            });
        };
        for sample in &pattern.samples {
            let mut found = scanner.codes_of_pattern(pattern, &sample.line);
            let mut expected = sample.codes.clone();
            found.sort();
            expected.sort();
            expected.dedup();
            if found != expected {
                fail(
                    sample.position,
                    format!("sample gives {found:?}, expected {expected:?}"),
                );
            }
            if !pattern
                .anchors
                .iter()
                .any(|anchor| sample.line.contains(anchor.as_str()))
            {
                fail(
                    sample.position,
                    "sample line contains none of the pattern's anchors".to_string(),
                );
            }
        }
        for not in &pattern.not {
            let found = scanner.codes_of_pattern(pattern, &not.line);
            if !found.is_empty() {
                fail(
                    not.position,
                    format!("`not` line gives {found:?}, expected nothing"),
                );
            }
        }
    }
    failures
}
