//! `errscan scan`: inputs → scanner → tally → report.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;

use super::{load_catalog, load_patterns, warn};
use crate::cli::{ScanArgs, ScanFormat};
use crate::config::resolve_color;
use crate::exit::ExitStatus;
use crate::input::{Input, WalkOptions, expand};
use crate::report::{self, Report, TextOptions};
use crate::scan::Scanner;
use crate::tally::{FileStat, Tally};
use crate::worker::{ProgressHook, WorkerOptions, scan_inputs};

/// Inputs smaller than this in total scan too fast for a progress bar to help.
const PROGRESS_MIN_BYTES: u64 = 256 * 1024 * 1024;

pub fn run(args: ScanArgs) -> anyhow::Result<ExitStatus> {
    let catalog = load_catalog(&args.data)?;
    let patterns = load_patterns(&args.data)?;
    let scanner = Scanner::new(&patterns, Arc::clone(&catalog), &args.data.vendor)?;
    let named = named_inputs(&args)?;
    let walk = WalkOptions {
        globs: args.globs.clone(),
        respect_ignore_files: args.respect_ignore,
        follow_links: args.follow,
    };
    let list = expand(&named, &walk).map_err(anyhow::Error::msg)?;
    let progress_bar = progress_bar(&list.inputs);
    let options = WorkerOptions {
        use_mmap: !args.no_mmap,
        collect_events: args.format == ScanFormat::Ndjson,
        progress: progress_bar
            .clone()
            .map(|bar| ProgressHook(Arc::new(move |bytes: u64| bar.inc(bytes)))),
        ..WorkerOptions::default()
    };
    let mut output = open_output(args.output.as_ref())?;

    let mut tally = Tally::default();
    for error in &list.errors {
        warn(&error.to_string());
        tally.files.push(FileStat {
            path: Arc::from(error.path.as_str()),
            error: Some(error.message.clone()),
            ..FileStat::default()
        });
    }
    let mut write_error: Option<io::Error> = None;
    let threads = args.threads.unwrap_or(0);
    // The global pool, so that the callback below may hold the (non-Send) stdout lock.
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .context("cannot start the worker threads")?;
    {
        scan_inputs(&scanner, &list.inputs, &options, |outcome| {
            let stat = outcome.stat();
            if let Some(error) = &stat.error {
                warn(&format!("{}: {error}", stat.path));
            }
            if options.collect_events && write_error.is_none() {
                let result = outcome
                    .events
                    .iter()
                    .try_for_each(|event| report::write_event(event, &catalog, &mut output))
                    .and_then(|()| output.flush());
                write_error = result.err();
            }
            tally += outcome.tally;
        });
    }
    if let Some(bar) = progress_bar {
        bar.finish_and_clear();
    }
    if let Some(error) = write_error {
        return Err(error.into());
    }

    let report = Report::from_tally(&tally, &catalog);
    match args.format {
        ScanFormat::Text => {
            let is_terminal = args.output.is_none() && io::stdout().is_terminal();
            let color = resolve_color(
                args.color.into(),
                std::env::var("NO_COLOR").ok().as_deref(),
                std::env::var("TERM").ok().as_deref(),
                is_terminal,
            );
            let text_options = TextOptions {
                color,
                top_codes: args.top,
            };
            report::write_text(&report, &catalog, text_options, &mut output)?;
        }
        ScanFormat::Json => report::write_json(&report, &mut output)?,
        ScanFormat::Ndjson => report::write_summary_event(&report, &mut output)?,
        ScanFormat::Csv => report::write_csv(&report, &mut output)?,
    }
    output.flush()?;
    Ok(if report.totals.errors > 0 {
        ExitStatus::Error
    } else {
        ExitStatus::Success
    })
}

/// The inputs named by arguments and `--files-from`; stdin when nothing is named.
fn named_inputs(args: &ScanArgs) -> anyhow::Result<Vec<Input>> {
    let to_input = |text: &str| {
        if text == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(text))
        }
    };
    let mut named: Vec<Input> = args.paths.iter().map(|path| to_input(path)).collect();
    if let Some(source) = &args.files_from {
        let reader: Box<dyn BufRead> = if source == "-" {
            if named.contains(&Input::Stdin) {
                anyhow::bail!("'-' cannot be both a path and the --files-from list");
            }
            Box::new(BufReader::new(io::stdin()))
        } else {
            let file = File::open(source)
                .with_context(|| format!("{source}: cannot open the --files-from list"))?;
            Box::new(BufReader::new(file))
        };
        for line in reader.lines() {
            let line =
                line.with_context(|| format!("{source}: cannot read the --files-from list"))?;
            let path = line.trim_end_matches('\r');
            if !path.is_empty() {
                named.push(Input::Path(PathBuf::from(path)));
            }
        }
    } else if named.is_empty() {
        named.push(Input::Stdin);
    }
    Ok(named)
}

fn open_output(path: Option<&PathBuf>) -> anyhow::Result<Box<dyn Write>> {
    Ok(match path {
        Some(path) => Box::new(BufWriter::new(File::create(path).with_context(|| {
            format!("{}: cannot create the output file", path.display())
        })?)),
        None => Box::new(BufWriter::new(io::stdout().lock())),
    })
}

/// A byte progress bar on stderr, only when stderr is a terminal and the named files are large
/// (stdin's size is unknown, so it gets none).
fn progress_bar(inputs: &[Input]) -> Option<indicatif::ProgressBar> {
    if !io::stderr().is_terminal() {
        return None;
    }
    let total: u64 = inputs
        .iter()
        .filter_map(|input| match input {
            Input::Path(path) => std::fs::metadata(path).ok().map(|metadata| metadata.len()),
            Input::Stdin => None,
        })
        .sum();
    if total < PROGRESS_MIN_BYTES {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}
