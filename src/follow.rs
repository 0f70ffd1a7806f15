//! Following files by name, like `tail -F`: a [`Follower`] is polled and yields the bytes
//! appended to the file its path names, across rename rotation, copytruncate, deletion and
//! re-creation, and files that do not exist yet.
//!
//! # Brief overview
//!
//! - A file's [`Identity`] is its (device, inode) pair, read with
//!   [`std::os::unix::fs::MetadataExt`]. While the path names the same identity, the follower
//!   reads on from its offset; when the path names another identity (the file was renamed
//!   away and a new one created, or deleted and re-created), the old handle is first read to
//!   its end, then the new file is read from offset 0: nothing is lost and nothing read twice.
//!   A [`FollowEvent::Moved`] comes before the rest of the old file, with the name it has now
//!   (`app.log.1`, found beside the followed name), so that its lines can be reported there.
//! - The same identity with a size below the offset read means the file was truncated in place
//!   (copytruncate): a [`FollowEvent::Truncated`] is yielded and reading restarts at 0. Bytes
//!   written after the last poll and before the truncation are lost (they are only in the
//!   copy), as with every reader of a copytruncated log.
//! - The follower decides what to read by looking (one `stat` per poll), so it works the same
//!   on every file system (NFS, overlay, bind mounts) and for files that do not exist yet.
//!   When to look is the [`wake`] module's job: `notify` events on the followed files'
//!   directories wake the loop at once, and polling at the interval is the fallback and the
//!   safety net.

use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::input::describe_io_error;

pub mod wake;

pub use wake::{Waker, WatchError};

/// Bytes read per `read` call, and the most one [`FollowEvent::Data`] carries.
pub const READ_BYTES: usize = 64 * 1024;

/// At most this many bytes are read from one file per poll (except when draining a rotated
/// file), so that a fast writer cannot hide a rotation from the follower.
pub const MAX_BYTES_PER_POLL: u64 = 16 * 1024 * 1024;

/// Which file a path names: (device, inode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Identity {
    /// `st_dev`.
    pub device: u64,
    /// `st_ino`.
    pub inode: u64,
}

impl Identity {
    /// The identity of a file's metadata.
    pub fn of(metadata: &fs::Metadata) -> Identity {
        Identity {
            device: metadata.dev(),
            inode: metadata.ino(),
        }
    }
}

/// Where a followed file resumes: the identity read last time, the offset reached (the end of
/// the last complete line) and the lines before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resume {
    /// The file read last time.
    pub identity: Identity,
    /// Bytes consumed.
    pub offset: u64,
    /// Lines consumed.
    pub lines: u64,
}

/// What a poll found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowEvent {
    /// A file is now read under the followed name, from `offset`, which is preceded by `lines`
    /// lines (both 0 unless resumed or started at the end). Any partial line of the file read
    /// before is complete now.
    Opened {
        /// The file.
        identity: Identity,
        /// Where reading starts.
        offset: u64,
        /// Lines before `offset`.
        lines: u64,
    },
    /// The file shrank below the offset read (copytruncate): reading restarts at 0.
    Truncated {
        /// The file.
        identity: Identity,
        /// The offset read before.
        old_offset: u64,
        /// The size found.
        size: u64,
    },
    /// The file being read has left the followed name: renamed to `path` (found beside the
    /// name, like `app.log.1`), or deleted or moved elsewhere (`None`). The bytes that follow,
    /// up to the next [`FollowEvent::Opened`], are its rest.
    Moved {
        /// Where the file is now.
        path: Option<PathBuf>,
    },
    /// Bytes appended, in order.
    Data(Vec<u8>),
    /// Something the user should know; reading goes on.
    Warning(String),
}

#[derive(Debug)]
struct Current {
    file: File,
    identity: Identity,
    offset: u64,
    /// The file has left the followed name ([`FollowEvent::Moved`] was sent).
    has_moved: bool,
}

/// Follows one path across rotation. Call [`Follower::poll`] when a [`Waker`] says something
/// changed, and every poll interval.
#[derive(Debug)]
pub struct Follower {
    path: PathBuf,
    display: String,
    current: Option<Current>,
    resume: Option<Resume>,
    is_from_end: bool,
    has_warned_missing: bool,
    has_warned_stat: bool,
}

impl Follower {
    /// A follower of `path`. With `resume`, the file read last time continues at its offset,
    /// even when it was rotated away since (it is looked for among the files beside `path`);
    /// with `is_from_end`, a file that exists now is read from its current end.
    pub fn new(path: PathBuf, resume: Option<Resume>, is_from_end: bool) -> Follower {
        Follower {
            display: path.display().to_string(),
            path,
            current: None,
            resume,
            is_from_end,
            has_warned_missing: false,
            has_warned_stat: false,
        }
    }

    /// The followed path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The path as shown.
    pub fn display_path(&self) -> &str {
        &self.display
    }

    /// Checks the path for rotation and reads what is new, calling `emit` for each event in
    /// order. Stops early and returns false when `emit` returns false (nobody listens).
    ///
    /// The name is looked at before reading, so that bytes read from a file that has left the
    /// name come after its [`FollowEvent::Moved`]: each byte is attributed to the name the file
    /// had when the follower looked.
    pub fn poll(&mut self, emit: &mut dyn FnMut(FollowEvent) -> bool) -> bool {
        if let Some(resume) = self.resume.take() {
            if !self.open_resumed(resume, emit) {
                return false;
            }
        }
        let named = match fs::metadata(&self.path) {
            Ok(metadata) => {
                self.has_warned_stat = false;
                Some(metadata)
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => None,
            Err(error) => {
                // Cannot tell which file the name holds: read on from the open one.
                if !self.has_warned_stat {
                    self.has_warned_stat = true;
                    let warning = FollowEvent::Warning(format!(
                        "{}: {}",
                        self.display,
                        describe_io_error(&error)
                    ));
                    if !emit(warning) {
                        return false;
                    }
                }
                return self.drain(Some(MAX_BYTES_PER_POLL), emit);
            }
        };
        let Some(current) = &mut self.current else {
            return match named {
                Some(_) => self.open_new(emit) && self.drain(Some(MAX_BYTES_PER_POLL), emit),
                None if self.has_warned_missing => true,
                None => {
                    self.has_warned_missing = true;
                    emit(FollowEvent::Warning(format!(
                        "{}: no such file yet; waiting for it",
                        self.display
                    )))
                }
            };
        };
        match named {
            Some(metadata) if Identity::of(&metadata) == current.identity => {
                if metadata.len() < current.offset {
                    let old_offset = current.offset;
                    if let Err(error) = current.file.seek(SeekFrom::Start(0)) {
                        return emit(self.warning("cannot rewind after truncation", &error));
                    }
                    current.offset = 0;
                    let event = FollowEvent::Truncated {
                        identity: current.identity,
                        old_offset,
                        size: metadata.len(),
                    };
                    if !emit(event) {
                        return false;
                    }
                }
                self.drain(Some(MAX_BYTES_PER_POLL), emit)
            }
            // Renamed away or deleted, and no new file yet: the open file is read on until one
            // appears under the name.
            None => self.announce_moved(emit) && self.drain(Some(MAX_BYTES_PER_POLL), emit),
            // Rotation or re-creation: the old file is read to its very end (lines its writer
            // added after the rename included), then the new one from its start.
            Some(_) => {
                self.announce_moved(emit)
                    && self.drain(None, emit)
                    && self.open_new(emit)
                    && self.drain(Some(MAX_BYTES_PER_POLL), emit)
            }
        }
    }

    /// Says, once per file, that the open file has left the followed name, and where it is now
    /// (looked for beside the name).
    fn announce_moved(&mut self, emit: &mut dyn FnMut(FollowEvent) -> bool) -> bool {
        let Some(current) = &mut self.current else {
            return true;
        };
        if current.has_moved {
            return true;
        }
        current.has_moved = true;
        let path = locate_beside(&self.path, current.identity);
        emit(FollowEvent::Moved { path })
    }

    /// Opens the file the path names now, from 0 (or its end, the first time with
    /// `is_from_end`).
    fn open_new(&mut self, emit: &mut dyn FnMut(FollowEvent) -> bool) -> bool {
        let is_first = self.current.is_none() && !self.has_warned_missing;
        let opened = File::open(&self.path).and_then(|file| {
            let metadata = file.metadata()?;
            Ok((file, metadata))
        });
        let (mut file, metadata) = match opened {
            Ok(opened) => opened,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return true,
            Err(error) => {
                self.current = None;
                return emit(self.warning("cannot open", &error));
            }
        };
        let mut offset = 0;
        if is_first && self.is_from_end {
            offset = metadata.len();
            if let Err(error) = file.seek(SeekFrom::Start(offset)) {
                return emit(self.warning("cannot seek", &error));
            }
        }
        let identity = Identity::of(&metadata);
        self.current = Some(Current {
            file,
            identity,
            offset,
            has_moved: false,
        });
        // Lines before a start at the end are not counted: numbering starts there.
        emit(FollowEvent::Opened {
            identity,
            offset,
            lines: 0,
        })
    }

    /// Reopens the file read last time: under the followed name, or renamed beside it.
    fn open_resumed(&mut self, resume: Resume, emit: &mut dyn FnMut(FollowEvent) -> bool) -> bool {
        let Some((mut file, metadata, beside)) = find_identity(&self.path, resume.identity) else {
            return emit(FollowEvent::Warning(format!(
                "{}: the file read last time (device {}, inode {}) is gone; reading the current one from the start",
                self.display, resume.identity.device, resume.identity.inode
            )));
        };
        let (offset, lines) = if metadata.len() < resume.offset {
            let message = format!(
                "{}: the file is shorter ({} bytes) than the offset read last time ({}); it was truncated, reading it from the start",
                self.display,
                metadata.len(),
                resume.offset
            );
            if !emit(FollowEvent::Warning(message)) {
                return false;
            }
            (0, 0)
        } else {
            (resume.offset, resume.lines)
        };
        if let Err(error) = file.seek(SeekFrom::Start(offset)) {
            return emit(self.warning("cannot seek", &error));
        }
        self.current = Some(Current {
            file,
            identity: resume.identity,
            offset,
            has_moved: beside.is_some(),
        });
        let opened = FollowEvent::Opened {
            identity: resume.identity,
            offset,
            lines,
        };
        if !emit(opened) {
            return false;
        }
        match beside {
            // Rotated since the last run: its rest is read where it is now.
            Some(path) => emit(FollowEvent::Moved { path: Some(path) }),
            None => true,
        }
    }

    /// Reads the current handle to its end (or `limit` bytes), yielding the bytes.
    fn drain(&mut self, limit: Option<u64>, emit: &mut dyn FnMut(FollowEvent) -> bool) -> bool {
        let Some(current) = &mut self.current else {
            return true;
        };
        let mut read_total: u64 = 0;
        let mut buffer = vec![0u8; READ_BYTES];
        loop {
            if limit.is_some_and(|limit| read_total >= limit) {
                return true;
            }
            match current.file.read(&mut buffer) {
                Ok(0) => return true,
                Ok(count) => {
                    current.offset += count as u64;
                    read_total += count as u64;
                    let bytes = buffer.get(..count).unwrap_or_default().to_vec();
                    if !emit(FollowEvent::Data(bytes)) {
                        return false;
                    }
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => {
                    let message = format!("{}: {}", self.display, describe_io_error(&error));
                    return emit(FollowEvent::Warning(message));
                }
            }
        }
    }

    fn warning(&self, what: &str, error: &io::Error) -> FollowEvent {
        FollowEvent::Warning(format!(
            "{}: {what}: {}",
            self.display,
            describe_io_error(error)
        ))
    }
}

/// The path of the file with `identity` among the files beside `path` (renamed by rotation,
/// like `app.log.1`), written as `path` with its file name replaced; `path` itself is not
/// looked at.
pub fn locate_beside(path: &Path, identity: Identity) -> Option<PathBuf> {
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    fs::read_dir(parent)
        .ok()?
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name() != path.file_name().unwrap_or_default())
        .find(|entry| {
            fs::metadata(entry.path())
                .is_ok_and(|metadata| metadata.is_file() && Identity::of(&metadata) == identity)
        })
        .map(|entry| path.with_file_name(entry.file_name()))
}

/// Opens the file with `identity`: the one `path` names, or one beside it (renamed by
/// rotation, like `app.log.1`), whose path is then given too (written as `path` with its file
/// name replaced).
fn find_identity(path: &Path, identity: Identity) -> Option<(File, fs::Metadata, Option<PathBuf>)> {
    let open_if_same = |candidate: &Path| {
        let file = File::open(candidate).ok()?;
        let metadata = file.metadata().ok()?;
        (Identity::of(&metadata) == identity).then_some((file, metadata))
    };
    if let Some((file, metadata)) = open_if_same(path) {
        return Some((file, metadata, None));
    }
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    fs::read_dir(parent)
        .ok()?
        .filter_map(Result::ok)
        .filter(|entry| {
            entry
                .metadata()
                .is_ok_and(|metadata| Identity::of(&metadata) == identity)
        })
        .find_map(|entry| {
            let (file, metadata) = open_if_same(&entry.path())?;
            Some((file, metadata, Some(path.with_file_name(entry.file_name()))))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(follower: &mut Follower) -> (Vec<u8>, Vec<FollowEvent>) {
        let mut bytes = Vec::new();
        let mut others = Vec::new();
        follower.poll(&mut |event| {
            match event {
                FollowEvent::Data(data) => bytes.extend(data),
                other => others.push(other),
            }
            true
        });
        (bytes, others)
    }

    /// Every event of one poll, in order, with the bytes as text.
    fn poll_all(follower: &mut Follower) -> Vec<String> {
        let mut events = Vec::new();
        follower.poll(&mut |event| {
            events.push(match event {
                FollowEvent::Data(data) => String::from_utf8_lossy(&data).into_owned(),
                FollowEvent::Opened { offset, lines, .. } => format!("opened at {offset}/{lines}"),
                FollowEvent::Moved { path: Some(path) } => format!(
                    "moved to {}",
                    path.file_name().unwrap_or_default().to_string_lossy()
                ),
                FollowEvent::Moved { path: None } => "moved away".to_string(),
                FollowEvent::Truncated { .. } => "truncated".to_string(),
                FollowEvent::Warning(_) => "warning".to_string(),
            });
            true
        });
        events
    }

    #[test]
    fn rename_rotation_reads_the_old_file_to_its_end_then_the_new_one() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("app.log");
        let mut follower = Follower::new(path.clone(), None, false);
        let (bytes, events) = collect(&mut follower);
        assert!(bytes.is_empty());
        assert!(matches!(&events[..], [FollowEvent::Warning(_)]));
        fs::write(&path, b"one\n").expect("write");
        assert_eq!(collect(&mut follower).0, b"one\n");
        // Written to the old file after the rename, before the new file exists.
        let mut old = fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .expect("open");
        fs::rename(&path, dir.path().join("app.log.1")).expect("rename");
        std::io::Write::write_all(&mut old, b"two\n").expect("append");
        fs::write(&path, b"three\n").expect("write new");
        // The rest of the old file comes under its new name, then the new file.
        assert_eq!(
            poll_all(&mut follower),
            ["moved to app.log.1", "two\n", "opened at 0/0", "three\n"]
        );
        assert!(collect(&mut follower).0.is_empty());
    }

    #[test]
    fn a_file_renamed_or_deleted_is_read_on_under_its_new_name_until_a_new_one_comes() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("app.log");
        fs::write(&path, b"one\n").expect("write");
        let mut follower = Follower::new(path.clone(), None, false);
        assert_eq!(poll_all(&mut follower), ["opened at 0/0", "one\n"]);
        let mut old = fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .expect("open");
        fs::rename(&path, dir.path().join("app.log-20240101")).expect("rename");
        assert_eq!(poll_all(&mut follower), ["moved to app.log-20240101"]);
        std::io::Write::write_all(&mut old, b"two\n").expect("append");
        // Said once; the rest keeps coming.
        assert_eq!(poll_all(&mut follower), ["two\n"]);
        fs::write(&path, b"three\n").expect("write new");
        assert_eq!(poll_all(&mut follower), ["opened at 0/0", "three\n"]);
        // Deleted: its rest has no name left.
        let mut new = fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .expect("open");
        fs::remove_file(&path).expect("delete");
        std::io::Write::write_all(&mut new, b"four\n").expect("append");
        assert_eq!(poll_all(&mut follower), ["moved away", "four\n"]);
    }

    #[test]
    fn a_resumed_file_found_beside_its_name_is_read_there() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("app.log");
        fs::write(&path, b"one\ntwo\n").expect("write");
        let identity = Identity::of(&fs::metadata(&path).expect("metadata"));
        fs::rename(&path, dir.path().join("app.log.1")).expect("rotate");
        fs::write(&path, b"new\n").expect("write new");
        let resume = Resume {
            identity,
            offset: 4,
            lines: 1,
        };
        let mut follower = Follower::new(path.clone(), Some(resume), false);
        assert_eq!(
            poll_all(&mut follower),
            [
                "opened at 4/1",
                "moved to app.log.1",
                "two\n",
                "opened at 0/0",
                "new\n"
            ]
        );
    }

    #[test]
    fn truncation_restarts_at_zero() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("app.log");
        fs::write(&path, b"first line\n").expect("write");
        let mut follower = Follower::new(path.clone(), None, false);
        assert_eq!(collect(&mut follower).0, b"first line\n");
        fs::write(&path, b"new\n").expect("truncate and write");
        let (bytes, events) = collect(&mut follower);
        assert_eq!(bytes, b"new\n");
        assert!(matches!(
            &events[..],
            [FollowEvent::Truncated {
                old_offset: 11,
                size: 4,
                ..
            }]
        ));
    }
}
