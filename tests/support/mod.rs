//! Shared helpers for the integration tests: run the real binary in a temporary directory and
//! show everything when an expectation fails.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A temporary directory to run errscan in.
pub struct TestEnv {
    pub dir: tempfile::TempDir,
}

/// What a run printed and returned.
pub struct Run {
    pub command: String,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Fails with the command, the exit code and both outputs unless the code is `expected`.
    pub fn expect_code(self, expected: i32) -> Run {
        assert_eq!(
            self.code,
            expected,
            "exit code of `{}`\n{}",
            self.command,
            self.describe()
        );
        self
    }

    pub fn describe(&self) -> String {
        format!(
            "--- exit code: {}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|error| {
            panic!(
                "stdout of `{}` is not JSON: {error}\n{}",
                self.command,
                self.describe()
            )
        })
    }
}

impl TestEnv {
    pub fn new() -> TestEnv {
        TestEnv {
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a file (creating parent directories) and returns its path.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent directories");
        }
        std::fs::write(&path, bytes).expect("write test file");
        path
    }

    /// Runs errscan with `args` in the directory, feeding `stdin`.
    pub fn run_with_stdin(&self, args: &[&str], stdin: &[u8]) -> Run {
        self.run_with_env(args, stdin, &[])
    }

    /// Runs errscan with `args` and the environment variables `env` set, feeding `stdin`.
    pub fn run_with_env(&self, args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Run {
        let mut child = Command::new(env!("CARGO_BIN_EXE_errscan"))
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("NO_COLOR")
            // Tests that run inside GitHub Actions must not write to the job's real summary.
            .env_remove("GITHUB_STEP_SUMMARY")
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start errscan");
        let mut child_stdin = child.stdin.take().expect("stdin is piped");
        let input = stdin.to_vec();
        let writer = std::thread::spawn(move || {
            let _ = child_stdin.write_all(&input);
        });
        let output: Output = child.wait_with_output().expect("wait for errscan");
        let _ = writer.join();
        Run {
            command: format!("errscan {}", args.join(" ")),
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, b"")
    }
}

/// The repository's root (for fixtures).
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// (vendor, code, count) rows of a report's `codes` or `unknown` list, sorted.
pub fn rows(report: &serde_json::Value, list: &str) -> Vec<(String, String, u64)> {
    let mut rows: Vec<(String, String, u64)> = report[list]
        .as_array()
        .unwrap_or_else(|| panic!("report has no `{list}` array"))
        .iter()
        .map(|row| {
            (
                row["vendor"].as_str().unwrap_or_default().to_string(),
                row["code"].as_str().unwrap_or_default().to_string(),
                row["count"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    rows.sort();
    rows
}

/// A running errscan whose stdin stays open until closed, with stdout and stderr collected as
/// they arrive, so that a test can wait for output instead of sleeping and hoping.
pub struct Spawned {
    pub command: String,
    pub child: std::process::Child,
    pub stdin: Option<std::process::ChildStdin>,
    pub stdout: std::sync::Arc<std::sync::Mutex<String>>,
    pub stderr: std::sync::Arc<std::sync::Mutex<String>>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

/// How long a test waits for output that should come (generous: the machine may be busy).
pub const PATIENCE: std::time::Duration = std::time::Duration::from_secs(60);

impl TestEnv {
    /// Starts errscan with `args` in the directory; stdin is a pipe kept open.
    pub fn spawn(&self, args: &[&str]) -> Spawned {
        let mut child = Command::new(env!("CARGO_BIN_EXE_errscan"))
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("NO_COLOR")
            .env_remove("GITHUB_STEP_SUMMARY")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start errscan");
        let stdout = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let mut readers = Vec::new();
        let pipes: [(Box<dyn std::io::Read + Send>, _); 2] = [
            (
                Box::new(child.stdout.take().expect("stdout is piped")),
                std::sync::Arc::clone(&stdout),
            ),
            (
                Box::new(child.stderr.take().expect("stderr is piped")),
                std::sync::Arc::clone(&stderr),
            ),
        ];
        for (mut pipe, sink) in pipes {
            readers.push(std::thread::spawn(move || {
                let mut buffer = [0u8; 4096];
                while let Ok(count) = pipe.read(&mut buffer) {
                    if count == 0 {
                        break;
                    }
                    let text = String::from_utf8_lossy(&buffer[..count]).into_owned();
                    sink.lock().expect("output lock").push_str(&text);
                }
            }));
        }
        Spawned {
            command: format!("errscan {}", args.join(" ")),
            stdin: child.stdin.take(),
            child,
            stdout,
            stderr,
            readers,
        }
    }
}

impl Spawned {
    /// Writes to errscan's stdin and flushes.
    pub fn write(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(bytes).expect("write to errscan's stdin");
        stdin.flush().expect("flush errscan's stdin");
    }

    /// Closes errscan's stdin (EOF).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    pub fn stdout(&self) -> String {
        self.stdout.lock().expect("output lock").clone()
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().expect("output lock").clone()
    }

    pub fn describe(&self) -> String {
        format!(
            "command: {}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.command,
            self.stdout(),
            self.stderr()
        )
    }

    /// Waits until `condition(stdout, stderr)` holds; fails with both outputs after PATIENCE.
    pub fn wait_for(&self, what: &str, condition: impl Fn(&str, &str) -> bool) {
        self.wait_for_within(what, PATIENCE, condition);
    }

    /// Waits until `condition(stdout, stderr)` holds; fails with both outputs after `limit`.
    pub fn wait_for_within(
        &self,
        what: &str,
        limit: std::time::Duration,
        condition: impl Fn(&str, &str) -> bool,
    ) {
        let start = std::time::Instant::now();
        while !condition(&self.stdout(), &self.stderr()) {
            if start.elapsed() > limit {
                panic!(
                    "timed out after {limit:?} waiting for {what}\n{}",
                    self.describe()
                );
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Sends a signal (by name, like `TERM`) with kill(1).
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{name} failed");
    }

    /// Waits for errscan to exit (failing after PATIENCE) and returns its exit code, with all
    /// of its output read.
    pub fn wait(&mut self) -> i32 {
        let start = std::time::Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for errscan") {
                for reader in self.readers.drain(..) {
                    let _ = reader.join();
                }
                return status.code().unwrap_or(-1);
            }
            if start.elapsed() > PATIENCE {
                let _ = self.child.kill();
                panic!("errscan did not exit\n{}", self.describe());
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        // Never leave a watcher running after a failed test.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
