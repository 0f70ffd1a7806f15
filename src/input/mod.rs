//! Inputs: files (memory-mapped, or read when mapping fails), stdin, gzip and zstd streams
//! detected by their magic bytes, and directories walked recursively. Every I/O error carries
//! the path it happened on. Nothing here knows about vendors or patterns.

mod open;
mod walk;

pub use open::{Kind, Opened, open_file, open_path, open_stream, sniff};
pub use walk::{InputList, WalkOptions, expand};

use std::io;
use std::path::PathBuf;

/// An input as named on the command line or found by the walk.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Input {
    /// Standard input, shown as `-`.
    Stdin,
    /// A file.
    Path(PathBuf),
}

impl Input {
    /// The path shown in reports; `-` for stdin.
    pub fn display_path(&self) -> String {
        match self {
            Input::Stdin => "-".to_string(),
            Input::Path(path) => path.display().to_string(),
        }
    }
}

/// An input that could not be read, or could only be read in part.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct InputError {
    /// The display path.
    pub path: String,
    /// What went wrong, lower case.
    pub message: String,
}

impl InputError {
    /// An error on `path` from an I/O error.
    pub fn io(path: &str, error: &io::Error) -> InputError {
        InputError {
            path: path.to_string(),
            message: describe_io_error(error),
        }
    }
}

/// A short lower-case description of an I/O error, without the "(os error N)" suffix.
pub fn describe_io_error(error: &io::Error) -> String {
    let text = match error.kind() {
        io::ErrorKind::NotFound => "no such file or directory".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => {
            let text = error.to_string();
            match text.find(" (os error") {
                Some(index) => text[..index].to_string(),
                None => text,
            }
        }
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => text,
    }
}
