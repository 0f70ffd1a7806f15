//! Glue for each subcommand: turns parsed arguments into built objects, runs the library and
//! picks the exit status. Errors that end a command are returned; errors on single inputs are
//! printed and folded into the exit status.

mod catalog;
mod explain;
mod heap;
mod merge;
mod scan;
mod watch;

use std::io::{self, Write};
use std::sync::Arc;

use clap::CommandFactory;

use crate::catalog::Catalog;
use crate::cli::{Cli, Command, DataArgs};
use crate::exit::ExitStatus;
use crate::patterns::PatternSet;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Watch(args) => watch::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Catalog(args) => catalog::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Completions(args) => {
            let mut command = Cli::command();
            clap_complete::generate(args.shell, &mut command, "errscan", &mut io::stdout());
            Ok(ExitStatus::Success)
        }
        Command::Man => {
            clap_mangen::Man::new(Cli::command()).render(&mut io::stdout())?;
            Ok(ExitStatus::Success)
        }
    }
}

/// The catalog with the user's files merged over it.
fn load_catalog(data: &DataArgs) -> anyhow::Result<Arc<Catalog>> {
    Ok(Arc::new(Catalog::with_user_files(&data.catalog)?))
}

/// The patterns with the user's files added.
fn load_patterns(data: &DataArgs) -> anyhow::Result<PatternSet> {
    Ok(PatternSet::with_user_files(&data.patterns)?)
}

/// The catalog and the patterns, parsed side by side: together they are most of the start-up
/// time of a scan (TOML parsing and regex compilation), and neither needs the other.
fn load_catalog_and_patterns(data: &DataArgs) -> anyhow::Result<(Arc<Catalog>, PatternSet)> {
    std::thread::scope(|scope| {
        let patterns = scope.spawn(|| load_patterns(data));
        let catalog = load_catalog(data);
        let patterns = patterns
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Ok((catalog?, patterns?))
    })
}

/// Prints a warning or error about one input on stderr, as one line.
fn warn(message: &str) {
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "errscan: {}", crate::escape::escape_text(message));
}

/// Stdout, or the file `path` with its missing parent directories created; an error names the
/// file.
pub(crate) fn open_output(path: Option<&std::path::PathBuf>) -> anyhow::Result<Box<dyn Write>> {
    let Some(path) = path else {
        return Ok(Box::new(std::io::BufWriter::new(io::stdout().lock())));
    };
    let describe = |error: io::Error| {
        anyhow::anyhow!(
            "{}: cannot create the output file: {}",
            path.display(),
            crate::input::describe_io_error(&error)
        )
    };
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(describe)?;
    }
    let file = std::fs::File::create(path).map_err(describe)?;
    Ok(Box::new(std::io::BufWriter::new(file)))
}
