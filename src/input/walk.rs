//! Expanding the inputs named on the command line: directories are walked recursively (in
//! parallel, by the `ignore` crate), glob filters applied, and the result sorted so that every
//! run sees the same order.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::overrides::{Override, OverrideBuilder};
use ignore::{WalkBuilder, WalkState};

use super::{Input, InputError, describe_io_error};

/// How directories are walked.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// Glob filters for files found inside directories (`*.log`, `!*.gz`), as ripgrep's `-g`.
    pub globs: Vec<String>,
    /// Honour `.gitignore`, `.ignore` and hidden-file rules (off by default: log trees are not
    /// source trees, and log directories are often git-ignored or hidden).
    pub respect_ignore_files: bool,
    /// Follow symbolic links inside directories.
    pub follow_links: bool,
}

/// The files to scan, in order, and the named paths that could not be read.
#[derive(Debug, Default)]
pub struct InputList {
    /// Inputs in scan order: command-line order, each directory's files sorted by path.
    pub inputs: Vec<Input>,
    /// Paths that do not exist or could not be walked.
    pub errors: Vec<InputError>,
}

/// Expands inputs: files stay, directories become their files. A glob error is returned whole.
pub fn expand(named: &[Input], options: &WalkOptions) -> Result<InputList, String> {
    let overrides = build_overrides(&options.globs)?;
    let mut list = InputList::default();
    for input in named {
        let path = match input {
            Input::Stdin => {
                list.inputs.push(Input::Stdin);
                continue;
            }
            Input::Path(path) => path,
        };
        match std::fs::metadata(path) {
            Err(error) => list.errors.push(InputError {
                path: path.display().to_string(),
                message: describe_io_error(&error),
            }),
            Ok(metadata) if metadata.is_dir() => {
                walk_directory(path, &overrides, options, &mut list)
            }
            Ok(_) => list.inputs.push(Input::Path(path.clone())),
        }
    }
    Ok(list)
}

fn build_overrides(globs: &[String]) -> Result<Override, String> {
    let mut builder = OverrideBuilder::new(".");
    for glob in globs {
        builder
            .add(glob)
            .map_err(|error| format!("invalid glob '{glob}': {error}"))?;
    }
    builder
        .build()
        .map_err(|error| format!("invalid globs: {error}"))
}

fn walk_directory(root: &Path, overrides: &Override, options: &WalkOptions, list: &mut InputList) {
    let found: Mutex<(Vec<PathBuf>, Vec<InputError>)> = Mutex::new((Vec::new(), Vec::new()));
    let mut builder = WalkBuilder::new(root);
    builder
        .standard_filters(options.respect_ignore_files)
        .follow_links(options.follow_links);
    if !overrides.is_empty() {
        builder.overrides(overrides.clone());
    }
    builder.build_parallel().run(|| {
        let found = &found;
        Box::new(move |result| {
            let mut guard = found
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            match result {
                Ok(entry) => {
                    if entry.file_type().is_some_and(|kind| !kind.is_dir()) {
                        guard.0.push(entry.into_path());
                    }
                }
                Err(error) => guard.1.push(walk_error(root, &error)),
            }
            WalkState::Continue
        })
    });
    let (mut files, errors) = found
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    files.sort();
    list.inputs.extend(files.into_iter().map(Input::Path));
    list.errors.extend(errors);
}

fn walk_error(root: &Path, error: &ignore::Error) -> InputError {
    let mut path = root.display().to_string();
    let mut current = error;
    loop {
        match current {
            ignore::Error::WithPath { path: inner, err } => {
                path = inner.display().to_string();
                current = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                current = err;
            }
            ignore::Error::Io(io) => {
                return InputError {
                    path,
                    message: describe_io_error(io),
                };
            }
            other => {
                return InputError {
                    path,
                    message: other.to_string().to_lowercase(),
                };
            }
        }
    }
}
