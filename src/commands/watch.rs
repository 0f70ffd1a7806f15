//! `errscan watch`: stdin or followed files → complete lines → scanner → one event per match,
//! written and flushed at once → one summary at the end (EOF, SIGINT, SIGTERM, `--once`,
//! `--exit-on-first`) → gate → exit status.
//!
//! Reading happens on other threads (a blocking `read` of stdin; a loop over the followed
//! files, woken by inotify or at the poll interval) that send byte pieces over a bounded
//! channel: a slow consumer of stdout blocks the writes here, the channel fills, and the
//! readers wait, so memory stays bounded and no match is dropped. The main thread waits on the
//! channel with a timeout, so that a signal is noticed within [`TICK`] however quiet the input.
//! Pieces that queue up are taken together and scanned in parallel ([`source`]).
//!
//! On a terminal (stdout and stderr both), a table of the top codes is drawn on stderr below
//! the match lines and redrawn every [`REDRAW`] while counts change: it is erased (cursor up,
//! clear to the end of the screen) before anything else is written, so matches keep flowing
//! above it. Nothing is redrawn when either stream is not a terminal, or with `--no-live`.

use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender, TryRecvError};
use std::time::{Duration, Instant};

mod source;

use self::source::Source;
use super::{load_catalog_and_patterns, scan::build_gate, warn};
use crate::catalog::{Catalog, Severity};
use crate::cli::{WatchArgs, WatchFormat};
use crate::config::resolve_color;
use crate::escape::escape_text;
use crate::exit::ExitStatus;
use crate::follow::{FollowEvent, Follower, Waker};
use crate::gate::{Gate, Key};
use crate::input::describe_io_error;
use crate::report::{self, Report, TextOptions};
use crate::scan::{Code, Scanner};
use crate::state::{FileState, State};
use crate::tally::Tally;
use crate::timestamp::{InputYears, Timestamp};
use crate::worker::Event;

/// How long the main thread waits for input before it looks at the signal flag again.
const TICK: Duration = Duration::from_millis(50);

/// Pieces in flight between the readers and the main thread (each at most 64 KiB).
const CHANNEL_SLOTS: usize = 16;

/// At most this many bytes of one source are taken from the channel as one batch.
const MAX_BATCH_BYTES: usize = CHANNEL_SLOTS * crate::follow::READ_BYTES;

/// How often the live table is redrawn at most.
const REDRAW: Duration = Duration::from_millis(250);

/// Rows of the live table, at most.
const TABLE_ROWS: usize = 10;

/// Each line of the live table is cut to this many characters, so that no line wraps on an
/// 80-column terminal (a wrapped line would break the erase).
const TABLE_WIDTH: usize = 79;

/// How often the state file is rewritten while running (and always at the end).
const STATE_EVERY: Duration = Duration::from_secs(1);

/// What the reader threads send.
enum Message {
    /// Something happened to source `source`.
    Event { source: usize, event: FollowEvent },
    /// Stdin ended (or could not be read: `error`).
    End {
        source: usize,
        error: Option<String>,
    },
    /// `--once`: every followed file was read to its end.
    AllRead,
}

pub fn run(args: WatchArgs) -> anyhow::Result<ExitStatus> {
    let (catalog, patterns) = load_catalog_and_patterns(&args.data)?;
    let scanner = Arc::new(Scanner::new(
        &patterns,
        Arc::clone(&catalog),
        &args.data.vendor,
    )?);
    let gate = build_gate(&args.gate)?;

    let mut followed: Vec<PathBuf> = Vec::new();
    let mut reads_stdin = false;
    for path in args.files.iter().chain(&args.follow) {
        if path.as_os_str() == "-" {
            reads_stdin = true;
        } else if !followed.contains(path) {
            followed.push(path.clone());
        }
    }
    if followed.is_empty() {
        reads_stdin = true;
    }
    if args.state.is_some() && reads_stdin {
        anyhow::bail!("--state needs followed files (--follow FILE); stdin has no offset to keep");
    }
    let mut state = match &args.state {
        Some(path) => Some(State::load(path)?),
        None => None,
    };

    // The first signal sets the flag; a second one, with the flag set, exits at once with 2.
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register_conditional_shutdown(
            signal,
            ExitStatus::Error.code().into(),
            Arc::clone(&stop),
        )?;
        signal_hook::flag::register(signal, Arc::clone(&stop))?;
    }

    // --year, else not after the time watch starts: lines are written as they are read.
    let years = args.year.map_or(
        InputYears::NotAfterModified {
            modified: Default::default(),
            otherwise: Timestamp::now(),
        },
        InputYears::Year,
    );
    let mut sources: Vec<Source> = Vec::new();
    let (sender, receiver) = mpsc::sync_channel::<Message>(CHANNEL_SLOTS);
    if reads_stdin {
        sources.push(Source::new(Arc::from("-"), years.options_for("-")));
        spawn_stdin_reader(sources.len() - 1, sender.clone());
    }
    let mut followers = Vec::new();
    for path in followed {
        let display = path.display().to_string();
        let resume = state
            .as_ref()
            .and_then(|state| state.get(&display))
            .map(FileState::resume);
        followers.push((sources.len(), Follower::new(path, resume, args.from_end)));
        let options = years.options_for(&display);
        sources.push(Source::new(Arc::from(display.as_str()), options));
    }
    let follows_files = !followers.is_empty();
    if follows_files {
        let waker = if args.once || args.no_notify {
            Waker::polling()
        } else {
            let paths: Vec<PathBuf> = followers
                .iter()
                .map(|(_, follower)| follower.path().to_path_buf())
                .collect();
            Waker::watching(&paths).unwrap_or_else(|error| {
                warn(&format!(
                    "cannot watch for changes ({error}); checking followed files every {} instead",
                    format_duration(args.poll_interval)
                ));
                Waker::polling()
            })
        };
        spawn_follower(followers, args.poll_interval, args.once, waker, sender);
    } else {
        drop(sender);
    }

    let is_stdout_terminal = io::stdout().is_terminal();
    let color = resolve_color(
        args.color.into(),
        std::env::var("NO_COLOR").ok().as_deref(),
        std::env::var("TERM").ok().as_deref(),
        is_stdout_terminal,
    );
    let is_live = !args.no_live
        && is_stdout_terminal
        && io::stderr().is_terminal()
        && std::env::var("TERM").ok().as_deref() != Some("dumb");
    let mut live = Live {
        table: is_live.then(|| LiveTable::new(args.top.min(TABLE_ROWS))),
        out: BufWriter::new(io::stdout().lock()),
        format: args.format,
        color,
        catalog: Arc::clone(&catalog),
        tally: Tally::default(),
        exit_on_first: args.exit_on_first.clone(),
        has_tripped: false,
        write_error: None,
        is_batching: false,
    };
    let summary = Summary {
        catalog: &catalog,
        gate: gate.as_ref(),
        text_options: TextOptions {
            color,
            top_codes: args.top,
        },
    };

    let mut last_summary = Instant::now();
    let mut last_state = Instant::now();
    let mut is_state_dirty = false;
    // A message taken from the channel while gathering a batch, handled next.
    let mut held: Option<Message> = None;
    loop {
        if stop.load(Ordering::Relaxed) || live.has_tripped {
            break;
        }
        if let Some(every) = args.summary_every {
            if last_summary.elapsed() >= every {
                last_summary = Instant::now();
                finish_all(&mut sources, &mut live);
                summary.periodic(&sources, &mut live)?;
            }
        }
        if let (Some(state), Some(path)) = (&mut state, &args.state) {
            if is_state_dirty && last_state.elapsed() >= STATE_EVERY {
                finish_all(&mut sources, &mut live);
                record_state(state, &sources);
                state.prune();
                state.save(path)?;
                last_state = Instant::now();
                is_state_dirty = false;
            }
        }
        live.refresh_table();
        let message = match held.take().map_or_else(|| receiver.try_recv(), Ok) {
            Ok(message) => message,
            Err(TryRecvError::Disconnected) => break,
            Err(TryRecvError::Empty) => {
                // Nothing more waiting: what was read is written before waiting.
                finish_all(&mut sources, &mut live);
                match receiver.recv_timeout(TICK) {
                    Ok(message) => message,
                    Err(RecvTimeoutError::Timeout) => continue,
                    Err(RecvTimeoutError::Disconnected) => break,
                }
            }
        };
        match message {
            Message::Event {
                source,
                event: FollowEvent::Data(bytes),
            } => {
                // What else of this source is waiting is taken with it: a batch large enough is
                // scanned on every core.
                let mut pieces = vec![bytes];
                let mut batch_bytes = pieces.iter().map(Vec::len).sum::<usize>();
                while batch_bytes < MAX_BATCH_BYTES {
                    match receiver.try_recv() {
                        Ok(Message::Event {
                            source: next,
                            event: FollowEvent::Data(bytes),
                        }) if next == source => {
                            batch_bytes += bytes.len();
                            pieces.push(bytes);
                        }
                        Ok(other) => {
                            held = Some(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                if let Some(source) = sources.get_mut(source) {
                    is_state_dirty = true;
                    source.take_pieces(pieces, &scanner, &mut live);
                }
            }
            Message::Event { source, event } => {
                if let Some(source) = sources.get_mut(source) {
                    is_state_dirty = true;
                    source.take(event, &scanner, &mut live);
                }
            }
            Message::End { source, error } => {
                if let Some(source) = sources.get_mut(source) {
                    source.finish_in_flight(&mut live);
                    source.finish_partial_line(&scanner, &mut live);
                    if let Some(error) = error {
                        live.erase_table();
                        warn(&format!("{}: {error}", source.path));
                        source.row_mut().error = Some(error);
                    }
                    source.is_done = true;
                }
                if !follows_files && sources.iter().all(|source| source.is_done) {
                    break;
                }
            }
            Message::AllRead => break,
        }
        if let Some(error) = live.write_error.take() {
            return Err(error.into());
        }
    }
    finish_all(&mut sources, &mut live);
    // A partial last line of a followed file is left for the next run (its offset is not
    // recorded); stdin's was matched at its end.
    if let Some(error) = live.write_error.take() {
        return Err(error.into());
    }
    live.erase_table();
    if let (Some(state), Some(path)) = (&mut state, &args.state) {
        record_state(state, &sources);
        state.prune();
        state.save(path)?;
    }
    let report = summary.finish(&sources, &mut live)?;
    let mut status = ExitStatus::Success;
    if live.has_tripped || report.gate.as_ref().is_some_and(|gate| !gate.passed) {
        status = status.merge(ExitStatus::GateTripped);
    }
    if report.totals.errors > 0 {
        status = status.merge(ExitStatus::Error);
    }
    Ok(status)
}

/// Reads stdin on its own thread, so that a quiet pipe never keeps signals waiting. Each piece
/// sent holds whole lines: the head of a line whose newline has not come yet waits here for
/// the rest (unless it fills the buffer), so that the main thread can scan the pieces where
/// they lie. Nothing complete is ever held back.
fn spawn_stdin_reader(source: usize, sender: SyncSender<Message>) {
    std::thread::spawn(move || {
        // Reads still return as soon as anything arrives; only a fast writer gains.
        crate::input::widen_pipe(&io::stdin());
        let mut stdin = io::stdin().lock();
        let mut buffer = vec![0u8; crate::follow::READ_BYTES];
        // `buffer[..carried]` is the head of a line, read but not sent.
        let mut carried = 0;
        let send_data = |bytes: &[u8]| {
            let event = FollowEvent::Data(bytes.to_vec());
            sender.send(Message::Event { source, event }).is_ok()
        };
        loop {
            let read = stdin.read(buffer.get_mut(carried..).unwrap_or_default());
            match read {
                Ok(0) => {
                    if carried > 0 && !send_data(buffer.get(..carried).unwrap_or_default()) {
                        return;
                    }
                    let _ = sender.send(Message::End {
                        source,
                        error: None,
                    });
                    return;
                }
                Ok(count) => {
                    let filled = carried + count;
                    let fresh = buffer.get(carried..filled).unwrap_or_default();
                    let cut = match memchr::memrchr(b'\n', fresh) {
                        Some(newline) => carried + newline + 1,
                        // A head that fills the buffer goes as it is (the main thread joins it).
                        None if filled == buffer.len() => filled,
                        None => {
                            carried = filled;
                            continue;
                        }
                    };
                    if !send_data(buffer.get(..cut).unwrap_or_default()) {
                        return;
                    }
                    buffer.copy_within(cut..filled, 0);
                    carried = filled - cut;
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => {
                    if carried > 0 && !send_data(buffer.get(..carried).unwrap_or_default()) {
                        return;
                    }
                    let error = Some(describe_io_error(&error));
                    let _ = sender.send(Message::End { source, error });
                    return;
                }
            }
        }
    });
}

/// Polls every followed file on its own thread: at once, then whenever `waker` reports a
/// change, and at least every `interval`.
fn spawn_follower(
    mut followers: Vec<(usize, Follower)>,
    interval: Duration,
    is_once: bool,
    mut waker: Waker,
    sender: SyncSender<Message>,
) {
    std::thread::spawn(move || {
        loop {
            for (source, follower) in &mut followers {
                let source = *source;
                let is_listening = follower
                    .poll(&mut |event| sender.send(Message::Event { source, event }).is_ok());
                if !is_listening {
                    return;
                }
            }
            if is_once {
                let _ = sender.send(Message::AllRead);
                return;
            }
            waker.wait(interval);
        }
    });
}

/// Writes the events of every batch still being scanned.
fn finish_all(sources: &mut [Source], live: &mut Live) {
    for source in sources {
        source.finish_in_flight(live);
    }
}

/// Writes the state of every followed file that has been opened.
fn record_state(state: &mut State, sources: &[Source]) {
    for source in sources {
        if let Some(identity) = source.identity {
            state.set(FileState {
                path: source.path.to_string(),
                device: identity.device,
                inode: identity.inode,
                offset: source.consumed_offset,
                lines: source.next_line_number - 1,
            });
        }
    }
}

/// The output side: where events go, and the counts so far.
struct Live {
    /// The live table, on a terminal.
    table: Option<LiveTable>,
    out: BufWriter<io::StdoutLock<'static>>,
    format: WatchFormat,
    color: bool,
    catalog: Arc<Catalog>,
    tally: Tally,
    exit_on_first: Option<Key>,
    /// The `--exit-on-first` key matched: nothing more is reported.
    has_tripped: bool,
    /// The first write error (a closed stdout ends the run).
    write_error: Option<io::Error>,
    /// A batch is being written: events are flushed at its end rather than one by one.
    is_batching: bool,
}

impl Live {
    /// Erases the live table before something else is written to the terminal.
    fn erase_table(&mut self) {
        if let Some(table) = &mut self.table {
            table.erase();
        }
    }

    /// Redraws the live table when it is hidden or out of date, at most every [`REDRAW`].
    fn refresh_table(&mut self) {
        if let Some(table) = &mut self.table {
            table.refresh(&self.tally, &self.catalog);
        }
    }

    fn write_match(&mut self, event: &Event) -> io::Result<()> {
        self.erase_table();
        match self.format {
            WatchFormat::Ndjson => report::write_event(event, &self.catalog, &mut self.out)?,
            WatchFormat::Text => self.write_text_match(event)?,
        }
        if self.is_batching {
            return Ok(());
        }
        self.out.flush()
    }

    /// Flushes the events of a batch.
    fn end_batch(&mut self) {
        self.is_batching = false;
        if let Err(error) = self.out.flush() {
            self.write_error.get_or_insert(error);
        }
    }

    /// `path:line: Vendor CODE NAME (category, severity): text`
    fn write_text_match(&mut self, event: &Event) -> io::Result<()> {
        let (code, name, category, severity) = match &event.code {
            Code::Known(id) => {
                let entry = self.catalog.entry(*id);
                (
                    entry.code.as_str(),
                    entry.name.as_str(),
                    entry.category.id(),
                    Some(entry.severity),
                )
            }
            Code::Unknown(text) => (&**text, "(not in the catalog)", "unknown", None),
        };
        let heading = format!(
            "{} {} {}",
            event.vendor.display_name(),
            escape_text(code),
            name
        );
        let heading = match (self.color, severity) {
            (false, _) => heading,
            (true, Some(Severity::Fatal)) => format!("\x1b[1;31m{heading}\x1b[0m"),
            (true, Some(Severity::Error)) => format!("\x1b[31m{heading}\x1b[0m"),
            (true, Some(Severity::Warning) | None) => format!("\x1b[33m{heading}\x1b[0m"),
            (true, Some(Severity::Info)) => format!("\x1b[36m{heading}\x1b[0m"),
        };
        let severity = severity.map_or("unknown severity", Severity::id);
        writeln!(
            self.out,
            "{}:{}: {heading} ({category}, {severity}): {}",
            escape_text(&event.path),
            event.line,
            event.text
        )
    }
}

/// Builds and writes summaries.
struct Summary<'a> {
    catalog: &'a Catalog,
    gate: Option<&'a Gate>,
    text_options: TextOptions,
}

impl Summary<'_> {
    fn report(&self, sources: &[Source], live: &Live) -> Report {
        let mut tally = live.tally.clone();
        tally.files = sources
            .iter()
            .flat_map(|source| source.rows.iter().cloned())
            .collect();
        let mut report = Report::from_tally(&tally, self.catalog);
        report.gate = self.gate.map(|gate| gate.evaluate(&report));
        report
    }

    /// `--summary-every`: the text report on stdout, or a summary event on stderr for NDJSON
    /// (stdout's one summary stays the last line).
    fn periodic(&self, sources: &[Source], live: &mut Live) -> anyhow::Result<()> {
        live.erase_table();
        let report = self.report(sources, live);
        match live.format {
            WatchFormat::Text => {
                report::write_text(&report, self.catalog, self.text_options, &mut live.out)
                    .and_then(|()| live.out.flush())?;
            }
            WatchFormat::Ndjson => {
                let mut stderr = io::stderr().lock();
                // A closed stderr must not end the watch.
                let _ = report::write_summary_event(&report, &mut stderr);
            }
        }
        Ok(())
    }

    /// The one final summary, flushed.
    fn finish(&self, sources: &[Source], live: &mut Live) -> anyhow::Result<Report> {
        let report = self.report(sources, live);
        match live.format {
            WatchFormat::Text => {
                report::write_text(&report, self.catalog, self.text_options, &mut live.out)
            }
            WatchFormat::Ndjson => report::write_summary_event(&report, &mut live.out),
        }
        .and_then(|()| live.out.flush())?;
        if let Some(gate) = report.gate.as_ref().filter(|gate| !gate.passed) {
            if live.format == WatchFormat::Ndjson {
                warn(&report::gate_verdict(gate));
            }
        }
        Ok(report)
    }
}

/// The live table of top codes, drawn on stderr below the match lines.
struct LiveTable {
    rows: usize,
    /// Lines on the screen now (0: hidden).
    drawn_lines: usize,
    /// Matches counted when it was last drawn.
    drawn_matches: u64,
    last_drawn: Option<Instant>,
}

impl LiveTable {
    fn new(rows: usize) -> LiveTable {
        LiveTable {
            rows,
            drawn_lines: 0,
            drawn_matches: 0,
            last_drawn: None,
        }
    }

    /// Moves the cursor up to the table's first line and clears to the end of the screen.
    fn erase(&mut self) {
        if self.drawn_lines == 0 {
            return;
        }
        let mut stderr = io::stderr().lock();
        let _ = write!(stderr, "\x1b[{}F\x1b[J", self.drawn_lines);
        let _ = stderr.flush();
        self.drawn_lines = 0;
    }

    fn refresh(&mut self, tally: &Tally, catalog: &Catalog) {
        let matches = tally.matches();
        let is_current = self.drawn_lines > 0 && self.drawn_matches == matches;
        let is_recent = self
            .last_drawn
            .is_some_and(|drawn| drawn.elapsed() < REDRAW);
        if is_current || is_recent || matches == 0 {
            return;
        }
        let lines = table_lines(&Report::from_tally(tally, catalog), self.rows);
        self.erase();
        let mut stderr = io::stderr().lock();
        for line in &lines {
            let line: String = line.chars().take(TABLE_WIDTH).collect();
            let _ = writeln!(stderr, "{line}");
        }
        let _ = stderr.flush();
        self.drawn_lines = lines.len();
        self.drawn_matches = matches;
        self.last_drawn = Some(Instant::now());
    }
}

/// The live table's lines: a heading, then the top codes (known and unknown) by count.
fn table_lines(report: &Report, rows: usize) -> Vec<String> {
    let mut entries: Vec<(u64, String)> = report
        .codes
        .iter()
        .map(|row| {
            let text = format!(
                "{} {} {} ({})",
                row.vendor,
                escape_text(&row.code),
                row.name,
                row.category.id()
            );
            (row.count, text)
        })
        .chain(report.unknown.iter().map(|row| {
            let text = format!(
                "{} {} (not in the catalog)",
                row.vendor,
                escape_text(&row.code)
            );
            (row.count, text)
        }))
        .collect();
    entries.sort_by(|left, right| right.0.cmp(&left.0).then_with(|| left.1.cmp(&right.1)));
    let totals = &report.totals;
    let mut lines = vec![format!(
        "-- errscan watch: {} matches ({} unknown); top codes --",
        totals.matches, totals.unknown
    )];
    lines.extend(
        entries
            .into_iter()
            .take(rows)
            .map(|(count, text)| format!("{count:>8}  {text}")),
    );
    lines
}

/// A duration as the user would write it: `200ms`, `30s`.
fn format_duration(duration: Duration) -> String {
    let milliseconds = duration.as_millis();
    if milliseconds % 1000 == 0 {
        format!("{}s", milliseconds / 1000)
    } else {
        format!("{milliseconds}ms")
    }
}
