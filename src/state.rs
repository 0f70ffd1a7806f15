//! The state file of `--state FILE`: per followed path, the identity of the file read and how
//! far (bytes and lines, up to the end of the last complete line), so that the next run reads
//! only what is new, and the rest of a rotated file first.
//!
//! The file is JSON with a schema id, written whole to a temporary file beside it and renamed
//! over it, so that a crash leaves the old state or the new one, never a mix. A file that is
//! not valid JSON, or carries another schema, is an error naming the file: a silent full
//! rescan would report old errors again.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::follow::{Identity, Resume};
use crate::input::describe_io_error;

/// The schema id written in every state file.
pub const STATE_SCHEMA: &str = "errscan/state@1";

/// A state file that could not be read or written; the message names the file.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct StateError {
    /// The state file.
    pub path: String,
    /// What went wrong, lower case.
    pub message: String,
}

impl StateError {
    fn new(path: &Path, message: impl Into<String>) -> StateError {
        StateError {
            path: path.display().to_string(),
            message: message.into(),
        }
    }
}

/// One followed path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileState {
    /// The path as given on the command line.
    pub path: String,
    /// `st_dev` of the file read.
    pub device: u64,
    /// `st_ino` of the file read.
    pub inode: u64,
    /// Bytes consumed: the end of the last complete line.
    pub offset: u64,
    /// Lines consumed.
    pub lines: u64,
}

impl FileState {
    /// Where the file resumes.
    pub fn resume(&self) -> Resume {
        Resume {
            identity: Identity {
                device: self.device,
                inode: self.inode,
            },
            offset: self.offset,
            lines: self.lines,
        }
    }
}

/// The whole state file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// Always [`STATE_SCHEMA`].
    pub schema: String,
    /// One entry per followed path.
    pub files: Vec<FileState>,
}

impl Default for State {
    fn default() -> State {
        State {
            schema: STATE_SCHEMA.to_string(),
            files: Vec::new(),
        }
    }
}

impl State {
    /// Reads the state file; a missing file is an empty state (the first run).
    pub fn load(path: &Path) -> Result<State, StateError> {
        let text = match fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(State::default()),
            Err(error) => {
                return Err(StateError::new(
                    path,
                    format!("cannot read the state file: {}", describe_io_error(&error)),
                ));
            }
        };
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|error| {
            StateError::new(
                path,
                format!(
                    "not an errscan state file (invalid JSON at line {} column {})",
                    error.line(),
                    error.column()
                ),
            )
        })?;
        let schema = value.get("schema").and_then(serde_json::Value::as_str);
        if schema != Some(STATE_SCHEMA) {
            return Err(StateError::new(
                path,
                format!("not an errscan state file (expected schema `{STATE_SCHEMA}`)"),
            ));
        }
        serde_json::from_value(value).map_err(|error| {
            StateError::new(
                path,
                format!(
                    "corrupt errscan state file: {}",
                    crate::escape::escape_text(&error.to_string())
                ),
            )
        })
    }

    /// The entry of a followed path.
    pub fn get(&self, path: &str) -> Option<&FileState> {
        self.files.iter().find(|file| file.path == path)
    }

    /// Sets the entry of a path.
    pub fn set(&mut self, entry: FileState) {
        match self.files.iter_mut().find(|file| file.path == entry.path) {
            Some(existing) => *existing = entry,
            None => self.files.push(entry),
        }
    }

    /// Writes the state atomically: a temporary file beside `path`, synced, renamed over it.
    pub fn save(&self, path: &Path) -> Result<(), StateError> {
        let describe = |error: io::Error| {
            StateError::new(
                path,
                format!("cannot write the state file: {}", describe_io_error(&error)),
            )
        };
        let temporary = temporary_path(path);
        let result = (|| {
            let mut file = fs::File::create(&temporary)?;
            serde_json::to_writer_pretty(&mut file, self)?;
            file.write_all(b"\n")?;
            file.sync_all()?;
            fs::rename(&temporary, path)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&temporary);
        }
        result.map_err(describe)
    }
}

fn temporary_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp{}", std::process::id()));
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_clear_errors() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("state.json");
        assert_eq!(
            State::load(&path).expect("missing is empty"),
            State::default()
        );
        let mut state = State::default();
        state.set(FileState {
            path: "a.log".to_string(),
            device: 1,
            inode: 2,
            offset: 30,
            lines: 3,
        });
        state.save(&path).expect("saved");
        assert_eq!(State::load(&path).expect("loaded"), state);
        fs::write(&path, b"{\"schema\": \"errscan/report@1\"}").expect("write");
        let error = State::load(&path).expect_err("foreign");
        assert!(
            error
                .to_string()
                .contains("state.json: not an errscan state file")
        );
        fs::write(&path, b"{\"schema\": \"errscan/st").expect("write");
        assert!(State::load(&path).is_err());
    }
}
