//! Inputs: files (memory-mapped, or read when mapping fails), stdin, gzip and zstd streams
//! detected by their magic bytes, and directories walked recursively. Every I/O error carries
//! the path it happened on. Nothing here knows about vendors or patterns.

mod open;
mod walk;

pub use open::{Kind, Opened, open_file, open_path, open_stream, sniff};
pub use walk::{InputList, WalkOptions, expand};

/// The pipe buffer errscan asks for on a piped stdin: 1 MiB, the most an unprivileged process
/// may set by default (`/proc/sys/fs/pipe-max-size`).
const PIPE_BYTES: libc::c_int = 1 << 20;

/// Asks the kernel for a larger buffer when `input` is a pipe (Linux `F_SETPIPE_SZ`), so that
/// the writer (`cat`, `zcat`, `kubectl logs`) and errscan wake each other 16 times less often
/// than with the default 64 KiB. Anything else, or a refusal, leaves it as it is.
pub fn widen_pipe<F: std::os::fd::AsRawFd>(input: &F) {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: fcntl on a descriptor we hold; F_SETPIPE_SZ only resizes a pipe's buffer and
        // fails harmlessly (EBADF, EPERM, EBUSY) on anything else.
        let _ = unsafe { libc::fcntl(input.as_raw_fd(), libc::F_SETPIPE_SZ, PIPE_BYTES) };
    }
    #[cfg(not(target_os = "linux"))]
    let _ = input;
}

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
