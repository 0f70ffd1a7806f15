//! Wake-ups of the follow loop: a [`Waker`] watches the directory of every followed file with
//! `notify` (inotify on Linux, non-recursively) and wakes the loop as soon as something happens
//! to a followed name or to a file named after it (`app.log`, a rotated `app.log.1`): created,
//! written, renamed, removed. Watching the directory rather than the file is what lets a file
//! that does not exist yet, or the new file of a rotation, wake the loop too.
//!
//! Events only wake the loop: what to read is still decided by [`Follower::poll`], so a lost,
//! merged or spurious event costs at most one poll interval or one needless poll, never a line.
//! [`Waker::wait`] returns at the poll interval at the latest (the safety net for file systems
//! whose events are missing, such as NFS written from another machine), and a waker without a
//! watcher ([`Waker::polling`]: the watcher could not be created, or `--no-notify`) only waits
//! for the interval.
//!
//! A directory that does not exist yet is watched as soon as it appears (looked for at every
//! wake-up); a watched directory that is removed or renamed is watched again when its name
//! exists again. Until then the files in it are checked at the poll interval.
//!
//! [`Follower::poll`]: super::Follower::poll

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::time::Duration;

use notify::event::{EventKind, ModifyKind};
use notify::{RecommendedWatcher, RecursiveMode, Watcher};

use crate::input::describe_io_error;

/// The watcher could not be set up; following goes on by polling alone.
#[derive(Debug, thiserror::Error)]
#[error("{what}: {reason}")]
pub struct WatchError {
    /// What could not be watched: "file changes", or a directory.
    what: String,
    /// Why, lower case.
    reason: String,
}

impl WatchError {
    fn new(what: &str, error: &notify::Error) -> WatchError {
        let reason = match &error.kind {
            notify::ErrorKind::MaxFilesWatch => {
                "the limit of inotify watches is reached (fs.inotify.max_user_watches)".to_string()
            }
            notify::ErrorKind::Io(error) if error.raw_os_error() == Some(24) => {
                // EMFILE from inotify_init: the per-user limit of inotify instances.
                "the limit of inotify instances is reached (fs.inotify.max_user_instances)"
                    .to_string()
            }
            notify::ErrorKind::Io(error) => describe_io_error(error),
            notify::ErrorKind::PathNotFound => describe_io_error(&io::ErrorKind::NotFound.into()),
            notify::ErrorKind::Generic(text) => text.to_lowercase(),
            other => format!("{other:?}").to_lowercase(),
        };
        WatchError {
            what: what.to_string(),
            reason,
        }
    }
}

/// What one `notify` event means for the follow loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// Nothing to do with a followed file (another file, or only read or opened).
    No,
    /// A followed file (or one named after it) changed: poll now.
    Yes,
    /// A watched directory itself was removed or renamed: poll now, and watch it again.
    DirectoryLost,
}

/// Decides whether an event should wake the follow loop. `names` are the followed files' names,
/// `directories` the absolute watched directories. Reads and opens (`Access`) never wake it:
/// the loop's own reads would wake it again and again.
pub fn classify(event: &notify::Event, names: &[OsString], directories: &[PathBuf]) -> Wake {
    if event.need_rescan() {
        // The kernel's queue overflowed: events were lost.
        return Wake::Yes;
    }
    if matches!(event.kind, EventKind::Access(_)) {
        return Wake::No;
    }
    let is_structural = matches!(
        event.kind,
        EventKind::Remove(_) | EventKind::Modify(ModifyKind::Name(_))
    );
    if is_structural
        && event
            .paths
            .iter()
            .any(|path| directories.iter().any(|directory| directory == path))
    {
        return Wake::DirectoryLost;
    }
    let is_followed = event.paths.iter().any(|path| {
        path.file_name().is_some_and(|file_name| {
            let file_name = file_name.as_encoded_bytes();
            names
                .iter()
                .any(|name| file_name.starts_with(name.as_encoded_bytes()))
        })
    });
    if is_followed || event.paths.is_empty() {
        Wake::Yes
    } else {
        Wake::No
    }
}

/// Wakes the follow loop on changes to the followed files, or at the poll interval.
pub struct Waker {
    wakes: Receiver<()>,
    watch: Option<DirectoryWatch>,
}

impl std::fmt::Debug for Waker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Waker")
            .field("is_watching", &self.is_watching())
            .finish()
    }
}

/// The watcher and the state of each directory.
struct DirectoryWatch {
    watcher: RecommendedWatcher,
    directories: Vec<Directory>,
    /// Set from the watcher's thread when a watched directory was removed or renamed.
    is_directory_lost: Arc<AtomicBool>,
}

struct Directory {
    path: PathBuf,
    state: DirectoryState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DirectoryState {
    Watched,
    /// Not there (yet): tried again at each wake-up.
    Missing,
    /// Could not be watched for another reason: polled only.
    GivenUp,
}

impl Waker {
    /// A waker that only waits for the poll interval.
    pub fn polling() -> Waker {
        let (_, wakes) = mpsc::sync_channel(1);
        Waker { wakes, watch: None }
    }

    /// A waker that watches the directory of each of `paths`. An error (no watcher could be
    /// created, the watch limit is reached, a directory cannot be watched for another reason
    /// than not existing yet) means the caller should poll alone; see [`Waker::polling`].
    pub fn watching(paths: &[PathBuf]) -> Result<Waker, WatchError> {
        let mut names: Vec<OsString> = Vec::new();
        let mut directories: Vec<PathBuf> = Vec::new();
        for path in paths {
            // A path without a file name (`.`, `/`) has no directory entry to watch for.
            let Some(name) = path.file_name() else {
                continue;
            };
            if !names.iter().any(|known| known == name) {
                names.push(name.to_os_string());
            }
            let parent = match path.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent,
                _ => Path::new("."),
            };
            let directory = std::path::absolute(parent)
                .map_err(|error| WatchError::new("file changes", &notify::Error::io(error)))?;
            if !directories.contains(&directory) {
                directories.push(directory);
            }
        }
        let (wake_sender, wakes) = mpsc::sync_channel::<()>(1);
        let is_directory_lost = Arc::new(AtomicBool::new(false));
        let handler = {
            let directories = directories.clone();
            let is_directory_lost = Arc::clone(&is_directory_lost);
            move |event: notify::Result<notify::Event>| {
                let wake = match &event {
                    Ok(event) => classify(event, &names, &directories),
                    // An error from the watcher's thread: look at the files now.
                    Err(_) => Wake::Yes,
                };
                if wake == Wake::DirectoryLost {
                    is_directory_lost.store(true, Ordering::Relaxed);
                }
                if wake != Wake::No {
                    wake_up(&wake_sender);
                }
            }
        };
        let watcher = RecommendedWatcher::new(handler, notify::Config::default())
            .map_err(|error| WatchError::new("file changes", &error))?;
        let mut watch = DirectoryWatch {
            watcher,
            directories: directories
                .into_iter()
                .map(|path| Directory {
                    path,
                    state: DirectoryState::Missing,
                })
                .collect(),
            is_directory_lost,
        };
        for directory in &mut watch.directories {
            match watch
                .watcher
                .watch(&directory.path, RecursiveMode::NonRecursive)
            {
                Ok(()) => directory.state = DirectoryState::Watched,
                Err(error) if is_not_found(&error) => {}
                Err(error) => {
                    let what = format!("{}", directory.path.display());
                    return Err(WatchError::new(&what, &error));
                }
            }
        }
        Ok(Waker {
            wakes,
            watch: Some(watch),
        })
    }

    /// True when changes wake the loop (a watcher is running).
    pub fn is_watching(&self) -> bool {
        self.watch.is_some()
    }

    /// Waits until a followed file may have changed, or `interval` has passed. Returns at once
    /// when something happened since the last call.
    pub fn wait(&mut self, interval: Duration) {
        let Some(watch) = &mut self.watch else {
            std::thread::sleep(interval);
            return;
        };
        watch.rewatch();
        match self.wakes.recv_timeout(interval) {
            Ok(()) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                // The watcher's thread is gone: poll alone from now on.
                self.watch = None;
                std::thread::sleep(interval);
            }
        }
    }
}

impl DirectoryWatch {
    /// Watches again the directories that were lost, and those that did not exist yet.
    fn rewatch(&mut self) {
        if self.is_directory_lost.swap(false, Ordering::Relaxed) {
            for directory in &mut self.directories {
                if directory.state == DirectoryState::Watched {
                    // The watch may be gone already (a removed directory); then this fails.
                    let _ = self.watcher.unwatch(&directory.path);
                    directory.state = DirectoryState::Missing;
                }
            }
        }
        for directory in &mut self.directories {
            if directory.state != DirectoryState::Missing {
                continue;
            }
            match self
                .watcher
                .watch(&directory.path, RecursiveMode::NonRecursive)
            {
                Ok(()) => directory.state = DirectoryState::Watched,
                Err(error) if is_not_found(&error) => {}
                Err(_) => directory.state = DirectoryState::GivenUp,
            }
        }
    }
}

/// Leaves one wake-up pending; more before it is taken are one.
fn wake_up(sender: &SyncSender<()>) {
    let _ = sender.try_send(());
}

fn is_not_found(error: &notify::Error) -> bool {
    match &error.kind {
        notify::ErrorKind::PathNotFound => true,
        notify::ErrorKind::Io(error) => error.kind() == io::ErrorKind::NotFound,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use notify::event::{AccessKind, CreateKind, DataChange, RemoveKind, RenameMode};

    use super::*;

    fn event(kind: EventKind, paths: &[&str]) -> notify::Event {
        paths.iter().fold(notify::Event::new(kind), |event, path| {
            event.add_path(PathBuf::from(path))
        })
    }

    #[test]
    fn only_changes_to_followed_names_wake_the_loop() {
        let names = [OsString::from("app.log")];
        let directories = [PathBuf::from("/var/log")];
        let wake = |kind, paths: &[&str]| classify(&event(kind, paths), &names, &directories);
        let written = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        assert_eq!(wake(written, &["/var/log/app.log"]), Wake::Yes);
        assert_eq!(wake(written, &["/var/log/app.log.1"]), Wake::Yes, "rotated");
        assert_eq!(wake(written, &["/var/log/other.log"]), Wake::No);
        let created = EventKind::Create(CreateKind::File);
        assert_eq!(wake(created, &["/var/log/app.log"]), Wake::Yes);
        let renamed = EventKind::Modify(ModifyKind::Name(RenameMode::Both));
        assert_eq!(
            wake(renamed, &["/var/log/app.log", "/var/log/kept.log"]),
            Wake::Yes
        );
        let removed = EventKind::Remove(RemoveKind::File);
        assert_eq!(wake(removed, &["/var/log/app.log"]), Wake::Yes);
        // Our own reads and opens must not wake the loop (it would never rest).
        let opened = EventKind::Access(AccessKind::Any);
        assert_eq!(wake(opened, &["/var/log/app.log"]), Wake::No);
        // The directory itself removed or renamed: watched again later.
        assert_eq!(
            wake(EventKind::Remove(RemoveKind::Folder), &["/var/log"]),
            Wake::DirectoryLost
        );
        assert_eq!(
            wake(
                EventKind::Modify(ModifyKind::Name(RenameMode::From)),
                &["/var/log"]
            ),
            Wake::DirectoryLost
        );
        // Lost events: poll.
        let overflow = notify::Event::new(EventKind::Other).set_flag(notify::event::Flag::Rescan);
        assert_eq!(classify(&overflow, &names, &directories), Wake::Yes);
    }

    #[test]
    fn a_write_wakes_the_waiter_long_before_the_interval() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("later.log");
        let mut waker = Waker::watching(std::slice::from_ref(&path)).expect("a watcher");
        assert!(waker.is_watching());
        assert!(is_woken_by_a_write(&mut waker, &path), "woken by notify");
    }

    /// Waits with a long interval for a write to `path` made by another thread; true when the
    /// write woke the waiter (long before the interval).
    fn is_woken_by_a_write(waker: &mut Waker, path: &Path) -> bool {
        let writer = {
            let path = path.to_path_buf();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(50));
                std::fs::write(&path, b"line\n").expect("write");
            })
        };
        let start = Instant::now();
        waker.wait(Duration::from_secs(60));
        let is_woken = start.elapsed() < Duration::from_secs(30);
        writer.join().expect("writer");
        is_woken
    }

    /// Takes the wake-ups left from earlier changes.
    fn settle(waker: &mut Waker) {
        while waker.wakes.try_recv().is_ok() {}
        waker.wait(Duration::from_millis(10));
        while waker.wakes.try_recv().is_ok() {}
    }

    #[test]
    fn a_directory_created_later_or_removed_and_recreated_is_watched_again() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let sub = dir.path().join("sub");
        let path = sub.join("app.log");
        let mut waker = Waker::watching(std::slice::from_ref(&path)).expect("a watcher");
        std::fs::create_dir(&sub).expect("create the directory");
        // The next wait watches the directory that exists now.
        settle(&mut waker);
        assert!(is_woken_by_a_write(&mut waker, &path));
        std::fs::remove_dir_all(&sub).expect("remove the directory");
        std::fs::create_dir(&sub).expect("create it again");
        settle(&mut waker);
        assert!(is_woken_by_a_write(&mut waker, &path));
    }

    #[test]
    fn a_polling_waker_waits_for_the_interval() {
        let mut waker = Waker::polling();
        assert!(!waker.is_watching());
        let start = Instant::now();
        waker.wait(Duration::from_millis(30));
        assert!(start.elapsed() >= Duration::from_millis(30));
    }
}
