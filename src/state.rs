//! The state file of `--state FILE`: per followed path, the identity of the file read and how
//! far (bytes and lines, up to the end of the last complete line), so that the next run reads
//! only what is new, and the rest of a rotated file first.
//!
//! The file is JSON with a schema id, written whole to a temporary file beside it and renamed
//! over it, so that a crash leaves the old state or the new one, never a mix. A file that is
//! not valid JSON, or carries another schema, is an error naming the file: a silent full
//! rescan would report old errors again.
//!
//! Entries whose file is gone are dropped ([`State::prune`]): the path does not exist and no
//! file in its directory has the identity read (the rotated file was deleted). Entries of files
//! that merely were not named in this run stay.
//!
//! `watch` keeps one entry per followed name. `scan` keeps one per file scanned and plans each
//! run with [`State::plan_scan`]: a file whose identity has an entry (under its own name, or
//! under another one after a rename) resumes at that entry's offset; a name whose entry names
//! another file that now lives beside it (`app.log` rotated to `app.log.1`) first gets the rest
//! of that file, then the new one from its start.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::follow::{Identity, Resume, locate_beside};
use crate::input::{Input, describe_io_error};

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

    /// Drops the entries whose file is gone, and returns their paths: the entry's path does not
    /// exist, and no file in its directory has the identity it recorded (a rotated file that
    /// was deleted, a followed file deleted and not created again). An entry is kept whenever
    /// that cannot be told: its file still exists (under its name or renamed beside it, even
    /// when it was not named in this run), or its directory cannot be read (not mounted, no
    /// permission). Relative paths are resolved against the working directory, as when
    /// resuming.
    pub fn prune(&mut self) -> Vec<String> {
        let mut directories = DirectoryIdentities::default();
        let mut dropped = Vec::new();
        self.files.retain(|entry| {
            let is_gone = directories.is_gone(Path::new(&entry.path), entry.resume().identity);
            if is_gone {
                dropped.push(entry.path.clone());
            }
            !is_gone
        });
        dropped
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

/// What a `scan --state` run reads.
#[derive(Debug, Default)]
pub struct ScanPlan {
    /// The inputs in order; the rest of a rotated file comes just before the file that took
    /// its name.
    pub inputs: Vec<Input>,
    /// Where each input starts (`None`: at its beginning).
    pub starts: Vec<Option<Resume>>,
    /// Things the user should know (a file read last time is gone).
    pub warnings: Vec<String>,
}

impl ScanPlan {
    fn push(&mut self, input: Input, start: Option<Resume>) {
        self.inputs.push(input);
        self.starts.push(start);
    }
}

impl State {
    /// Plans a `scan` run over `inputs`: where each file resumes, and which rotated files'
    /// rests are read first. Stdin, pipes and files without an entry start at their
    /// beginning.
    pub fn plan_scan(&self, inputs: Vec<Input>) -> ScanPlan {
        let identities: Vec<Option<Identity>> = inputs
            .iter()
            .map(|input| match input {
                Input::Path(path) => fs::metadata(path)
                    .ok()
                    .filter(fs::Metadata::is_file)
                    .map(|metadata| Identity::of(&metadata)),
                Input::Stdin => None,
            })
            .collect();
        // Files scanned in this run under their own name: never read a second time as the
        // rest of a rotated file.
        let mut planned: HashSet<Identity> = identities.iter().flatten().copied().collect();
        let mut plan = ScanPlan::default();
        for (input, identity) in inputs.into_iter().zip(identities) {
            let (Some(identity), Input::Path(path)) = (identity, &input) else {
                plan.push(input, None);
                continue;
            };
            let display = input.display_path();
            if let Some(entry) = self.entry_of(&display, identity) {
                let start = entry.resume();
                plan.push(input, Some(start));
                continue;
            }
            if let Some(previous) = self.get(&display) {
                let previous = previous.resume();
                if planned.insert(previous.identity) {
                    match locate_beside(path, previous.identity) {
                        Some(rotated) => plan.push(Input::Path(rotated), Some(previous)),
                        None => plan.warnings.push(format!(
                            "{display}: the file read last time (device {}, inode {}) is gone; reading the current one from the start",
                            previous.identity.device, previous.identity.inode
                        )),
                    }
                }
            }
            plan.push(input, None);
        }
        plan
    }

    /// The entry of the file with `identity`: the one under `path`, else the one read
    /// furthest under another name (the file was renamed since).
    fn entry_of(&self, path: &str, identity: Identity) -> Option<&FileState> {
        let is_same =
            |file: &&FileState| file.device == identity.device && file.inode == identity.inode;
        self.get(path).filter(is_same).or_else(|| {
            self.files
                .iter()
                .filter(is_same)
                .max_by_key(|file| file.offset)
        })
    }

    /// Records where a scanned file resumes next time.
    pub fn record(&mut self, path: &str, resume: Resume) {
        self.set(FileState {
            path: path.to_string(),
            device: resume.identity.device,
            inode: resume.identity.inode,
            offset: resume.offset,
            lines: resume.lines,
        });
    }
}

/// The identities of the files in each directory looked at, read once per directory.
#[derive(Default)]
struct DirectoryIdentities {
    /// `None`: the directory could not be read.
    by_directory: HashMap<PathBuf, Option<HashSet<Identity>>>,
}

impl DirectoryIdentities {
    /// True when `path` does not exist and its directory holds no file with `identity`.
    fn is_gone(&mut self, path: &Path, identity: Identity) -> bool {
        match fs::metadata(path) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            // It exists (whatever it is now), or cannot be told.
            _ => return false,
        }
        let directory = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let identities = self
            .by_directory
            .entry(directory.to_path_buf())
            .or_insert_with(|| identities_in(directory));
        identities
            .as_ref()
            .is_some_and(|identities| !identities.contains(&identity))
    }
}

/// The identities of the regular files in `directory` (symbolic links followed, as when a
/// rotated file is looked for beside its name); `None` when it cannot be read.
fn identities_in(directory: &Path) -> Option<HashSet<Identity>> {
    let entries = fs::read_dir(directory).ok()?;
    Some(
        entries
            .filter_map(Result::ok)
            .filter_map(|entry| fs::metadata(entry.path()).ok())
            .filter(fs::Metadata::is_file)
            .map(|metadata| Identity::of(&metadata))
            .collect(),
    )
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

    fn entry_for(path: &Path, identity_of: &Path) -> FileState {
        let identity = Identity::of(&fs::metadata(identity_of).expect("metadata"));
        FileState {
            path: path.display().to_string(),
            device: identity.device,
            inode: identity.inode,
            offset: 1,
            lines: 1,
        }
    }

    #[test]
    fn prune_drops_only_entries_whose_file_is_gone() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let at = |name: &str| dir.path().join(name);
        for name in ["kept.log", "app.log", "gone.log", "reused.log"] {
            fs::write(at(name), b"line\n").expect("write");
        }
        let mut state = State::default();
        // Exists under its name, though this run may not have named it.
        state.set(entry_for(&at("kept.log"), &at("kept.log")));
        // Rotated: its name is free, its file lives on beside it.
        state.set(entry_for(&at("app.log"), &at("app.log")));
        fs::rename(at("app.log"), at("app.log.1")).expect("rotate");
        // Deleted: neither its name nor its file is left.
        state.set(entry_for(&at("gone.log"), &at("gone.log")));
        // Its name holds another file now: kept (the run that names it decides).
        state.set(entry_for(&at("reused.log"), &at("kept.log")));
        // In a directory that cannot be read (not there): cannot be told, kept.
        let unmounted = at("unmounted/app.log");
        state.set(FileState {
            path: unmounted.display().to_string(),
            device: 1,
            inode: 2,
            offset: 3,
            lines: 4,
        });
        fs::remove_file(at("gone.log")).expect("delete");
        let dropped = state.prune();
        assert_eq!(dropped, [at("gone.log").display().to_string()]);
        let kept: Vec<&str> = state.files.iter().map(|file| file.path.as_str()).collect();
        let expected = ["kept.log", "app.log", "reused.log", "unmounted/app.log"]
            .map(|name| at(name).display().to_string());
        assert_eq!(kept, expected);
        // Once the rotated file is deleted too, its entry goes.
        fs::remove_file(at("app.log.1")).expect("delete the rotated file");
        assert_eq!(state.prune(), [at("app.log").display().to_string()]);
        assert!(state.prune().is_empty());
    }
}
