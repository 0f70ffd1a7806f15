//! `errscan scan`: inputs → scanner → tally → report → gate → every output asked for.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;

use super::{load_catalog_and_patterns, warn};
use crate::catalog::Catalog;
use crate::cli::{GateArgs, ScanArgs, ScanFormat};
use crate::config::resolve_color;
use crate::config_file;
use crate::exit::ExitStatus;
use crate::gate::{Baseline, Gate};
use crate::input::{Input, WalkOptions, describe_io_error, expand};
use crate::report::{self, Report, TextOptions};
use crate::scan::Scanner;
use crate::state::State;
use crate::tally::{FileStat, Tally};
use crate::timestamp::{InputYears, Timestamp, parse_relative};
use crate::worker::{ProgressHook, WorkerOptions, scan_inputs_from};

/// One output of the run: the main one (`--format`, `-o`) or a `--report FORMAT:PATH`.
struct Output {
    format: ScanFormat,
    /// The file, or `None` for stdout.
    path: Option<PathBuf>,
    writer: Box<dyn Write>,
}

impl Output {
    /// Names the output in an error: its path, or stdout.
    fn context(&self, error: io::Error) -> anyhow::Error {
        match &self.path {
            // A closed stdout stays a bare io::Error, so that main ends quietly.
            None => error.into(),
            Some(path) => anyhow::anyhow!(
                "{}: cannot write the {} report: {}",
                path.display(),
                self.format.id(),
                describe_io_error(&error)
            ),
        }
    }
}

/// Inputs smaller than this in total scan too fast for a progress bar to help.
const PROGRESS_MIN_BYTES: u64 = 256 * 1024 * 1024;

pub fn run(args: ScanArgs) -> anyhow::Result<ExitStatus> {
    // Before any thread starts: a thread's heap is laid out when the thread first allocates,
    // and the pool's threads take over the heaps of the loading threads below.
    let may_map_files = args.files_from.is_some() || args.paths.iter().any(|path| path != "-");
    if may_map_files && !args.no_mmap {
        super::heap::pad_heap_growth();
    }
    let (catalog, patterns) = load_catalog_and_patterns(&args.data)?;
    let scanner = Scanner::new(&patterns, Arc::clone(&catalog), &args.data.vendor)?;
    // Before any output is opened: an output may overwrite the baseline it is compared with.
    let gate = build_gate(&args.gate)?;
    let named = named_inputs(&args)?;
    let walk = WalkOptions {
        globs: args.globs.clone(),
        respect_ignore_files: args.respect_ignore,
        follow_links: args.follow,
    };
    let list = expand(&named, &walk).map_err(anyhow::Error::msg)?;
    let mut state = args.state.as_deref().map(State::load).transpose()?;
    if state.is_some() && list.inputs.contains(&Input::Stdin) {
        anyhow::bail!("--state needs files; stdin has no offset to keep");
    }
    let (inputs, starts) = match &state {
        Some(state) => {
            let plan = state.plan_scan(list.inputs.clone());
            plan.warnings.iter().for_each(|warning| warn(warning));
            (plan.inputs, plan.starts)
        }
        None => (list.inputs.clone(), Vec::new()),
    };
    let now = Timestamp::now();
    let time_limit = |flag: &str, value: &Option<String>| -> anyhow::Result<Option<Timestamp>> {
        value
            .as_deref()
            .map(|text| {
                parse_relative(text, now).map_err(|error| anyhow::anyhow!("{flag}: {error}"))
            })
            .transpose()
    };
    let since = time_limit("--since", &args.since)?;
    let until = time_limit("--until", &args.until)?;
    let progress_bar = progress_bar(&list.inputs);
    let mut outputs = open_outputs(&args)?;
    let options = WorkerOptions {
        use_mmap: !args.no_mmap,
        collect_events: outputs
            .iter()
            .any(|output| output.format == ScanFormat::Ndjson),
        progress: progress_bar
            .clone()
            .map(|bar| ProgressHook(Arc::new(move |bytes: u64| bar.inc(bytes)))),
        since,
        until,
        years: input_years(args.year, &inputs, now),
        // A measuring aid, not an option: the cost of times is a scan with it against one
        // without (README, Performance).
        record_times: std::env::var_os("ERRSCAN_MEASURE_NO_TIMES").is_none(),
        ..WorkerOptions::default()
    };

    let mut tally = Tally::default();
    for error in &list.errors {
        warn(&error.to_string());
        tally.files.push(FileStat {
            path: Arc::from(error.path.as_str()),
            error: Some(error.message.clone()),
            ..FileStat::default()
        });
    }
    let mut write_error: Option<anyhow::Error> = None;
    let threads = args.threads.unwrap_or(0);
    // The global pool, so that the callback below may hold the (non-Send) stdout lock.
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .context("cannot start the worker threads")?;
    {
        scan_inputs_from(&scanner, &inputs, &starts, &options, |outcome| {
            if let Some(warning) = &outcome.warning {
                warn(warning);
            }
            if let (Some(state), Some(resume)) = (&mut state, outcome.resume) {
                state.record(&outcome.stat().path, resume);
            }
            let stat = outcome.stat();
            if let Some(error) = &stat.error {
                warn(&format!("{}: {error}", stat.path));
            }
            if options.collect_events && write_error.is_none() {
                for output in &mut outputs {
                    if output.format != ScanFormat::Ndjson || write_error.is_some() {
                        continue;
                    }
                    let writer = &mut output.writer;
                    let result = outcome
                        .events
                        .iter()
                        .try_for_each(|event| report::write_event(event, &catalog, &mut *writer))
                        .and_then(|()| writer.flush());
                    write_error = result.err().map(|error| output.context(error));
                }
            }
            tally += outcome.tally;
        });
    }
    if let Some(bar) = progress_bar {
        bar.finish_and_clear();
    }
    if let Some(error) = write_error {
        return Err(error);
    }

    let mut report = Report::from_owned_tally(tally, &catalog);
    if let Some(width) = args.bucket {
        let base = report.timeline.take().map(|timeline| timeline.base);
        report.rebucket(base.unwrap_or_default(), Some(width));
    }
    report.gate = gate.as_ref().map(|gate| gate.evaluate(&report));
    let is_stdout_terminal = args.output.is_none() && io::stdout().is_terminal();
    let color = resolve_color(
        args.color.into(),
        std::env::var("NO_COLOR").ok().as_deref(),
        std::env::var("TERM").ok().as_deref(),
        is_stdout_terminal,
    );
    for (index, output) in outputs.iter_mut().enumerate() {
        let text_options = TextOptions {
            // Only the main output (the first) may go to a terminal; --report files get none.
            color: color && index == 0,
            top_codes: args.top,
        };
        render(
            &report,
            &catalog,
            output.format,
            text_options,
            &mut output.writer,
        )
        .and_then(|()| output.writer.flush())
        .map_err(|error| output.context(error))?;
    }
    if let Some(gate) = report.gate.as_ref().filter(|gate| !gate.passed) {
        // The text and GitHub formats on stdout end with the verdict already; any other output
        // may be a file or a machine format, so say why the run fails where a person will look.
        let shows_verdict = matches!(args.format, ScanFormat::Text | ScanFormat::Github);
        if !(shows_verdict && args.output.is_none()) {
            warn(&report::gate_verdict(gate));
        }
    }
    // Only once every report is written: a report lost on the way is read again next time.
    if let (Some(state), Some(path)) = (&mut state, &args.state) {
        state.prune();
        state.save(path)?;
    }
    let is_github = outputs
        .iter()
        .any(|output| output.format == ScanFormat::Github);
    if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|_| is_github) {
        append_step_summary(&report, Path::new(&summary))?;
    }

    let mut status = ExitStatus::Success;
    if report.gate.as_ref().is_some_and(|gate| !gate.passed) {
        status = status.merge(ExitStatus::GateTripped);
    }
    if report.totals.errors > 0 {
        status = status.merge(ExitStatus::Error);
    }
    Ok(status)
}

/// Where each input's year-less stamps take their year: `--year`, else each regular file's
/// modification time, else (stdin, pipes, a file whose time cannot be read) `now`.
fn input_years(year: Option<i32>, inputs: &[Input], now: Timestamp) -> InputYears {
    if let Some(year) = year {
        return InputYears::Year(year);
    }
    let modified = inputs
        .iter()
        .filter_map(|input| match input {
            Input::Path(path) => {
                let metadata = std::fs::metadata(path).ok().filter(|m| m.is_file())?;
                let time = Timestamp::from_system_time(metadata.modified().ok()?);
                Some((input.display_path(), time))
            }
            Input::Stdin => None,
        })
        .collect();
    InputYears::NotAfterModified {
        modified: Arc::new(modified),
        otherwise: now,
    }
}

/// Writes `report` in `format`.
fn render(
    report: &Report,
    catalog: &Catalog,
    format: ScanFormat,
    text_options: TextOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        ScanFormat::Text => report::write_text(report, catalog, text_options, out),
        ScanFormat::Json => report::write_json(report, out),
        ScanFormat::Ndjson => report::write_summary_event(report, out),
        ScanFormat::Csv => report::write_csv(report, out),
        ScanFormat::Sarif => report::write_sarif(report, catalog, out),
        ScanFormat::Junit => {
            let implicit;
            let verdict = match &report.gate {
                Some(gate) => gate,
                None => {
                    implicit = Gate::implicit_junit_verdict(report);
                    &implicit
                }
            };
            report::write_junit(report, verdict, catalog, out)
        }
        ScanFormat::Github => report::write_github(report, catalog, out),
        ScanFormat::Html => report::write_html(report, catalog, out),
    }
}

/// The gate of the config file and the command line together; `None` when no gate option was
/// given anywhere. Reads the baseline report.
pub(super) fn build_gate(args: &GateArgs) -> anyhow::Result<Option<Gate>> {
    let mut options = match config_file::find(args.config.as_deref(), args.no_config) {
        Some(path) => config_file::load(&path)?,
        None => Default::default(),
    };
    options = options.overridden_by(args.options());
    if !options.is_given() {
        return Ok(None);
    }
    if options.max_growth.is_some() && options.baseline.is_none() {
        anyhow::bail!("--max-growth (max_growth) needs a baseline (--baseline or baseline)");
    }
    let baseline = match &options.baseline {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|error| {
                anyhow::anyhow!(
                    "{}: cannot read the baseline: {}",
                    path.display(),
                    describe_io_error(&error)
                )
            })?;
            let previous = report::read_json(path, &text).map_err(anyhow::Error::msg)?;
            let label = path.display().to_string();
            Some(Baseline::new(
                &previous,
                label,
                options.max_growth.unwrap_or_default(),
            ))
        }
    };
    Ok(Some(Gate::new(options, baseline)))
}

/// Opens the main output and every `--report` file, creating missing parent directories. Two
/// outputs may not share a file.
fn open_outputs(args: &ScanArgs) -> anyhow::Result<Vec<Output>> {
    let mut seen: Vec<&Path> = Vec::new();
    let main = std::iter::once((args.format, args.output.as_ref()));
    let more = args
        .reports
        .iter()
        .map(|target| (target.format, Some(&target.path)));
    let mut outputs = Vec::new();
    for (format, path) in main.chain(more) {
        if let Some(path) = path {
            if seen.contains(&path.as_path()) {
                anyhow::bail!("{}: named as more than one output", path.display());
            }
            seen.push(path);
        }
        outputs.push(Output {
            format,
            path: path.cloned(),
            writer: super::open_output(path)?,
        });
    }
    Ok(outputs)
}

/// Appends the Markdown summary to the file `GITHUB_STEP_SUMMARY` names.
fn append_step_summary(report: &Report, path: &Path) -> anyhow::Result<()> {
    let describe = |error: io::Error| {
        anyhow::anyhow!(
            "{}: cannot append the step summary (GITHUB_STEP_SUMMARY): {}",
            path.display(),
            describe_io_error(&error)
        )
    };
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(describe)?;
    let mut writer = BufWriter::new(file);
    report::write_step_summary(report, &mut writer)
        .and_then(|()| writer.flush())
        .map_err(describe)
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
