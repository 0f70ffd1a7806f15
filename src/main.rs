//! The errscan binary: parse arguments, run the command, print the one-line error, exit.

use std::io;
use std::process::ExitCode;

use clap::Parser;

use errscan::cli::Cli;
use errscan::escape::escape_text;
use errscan::exit::ExitStatus;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match errscan::commands::run(cli) {
        Ok(status) => ExitCode::from(status.code()),
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            for line in format!("{error:#}").lines() {
                eprintln!("errscan: {}", escape_text(line));
            }
            ExitCode::from(ExitStatus::Error.code())
        }
    }
}

/// A closed stdout (`errscan ... | head`) ends the run quietly, as ripgrep does.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}
