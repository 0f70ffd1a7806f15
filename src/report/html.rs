//! The HTML report: one self-contained page (inline CSS and SVG, no script, nothing fetched)
//! with the totals, a stacked timeline by category, bars by category and vendor, the codes with
//! their meaning and fix, unknown codes, the inputs and the scan's parameters. Light and dark
//! mode follow `prefers-color-scheme`. The output is deterministic: the same report gives the
//! same bytes.
//!
//! Every text that comes from logs, paths or catalogs goes through [`escape_html`]. Key
//! elements carry stable ids and classes so that tests (and people's scripts) can find them:
//! `#totals`, `#timeline`, `#by-category`, `#by-vendor`, `#percentiles` with
//! `table#per-minute` (one `tr.per-minute-row[data-category][data-p50][data-p90][data-p99]
//! [data-max][data-count]` per category) and `table#intervals` (one
//! `tr.interval-row[data-vendor][data-code][data-p50][data-p90][data-p99][data-max]
//! [data-intervals]` per code with intervals, values in milliseconds), `table#top-codes` with one
//! `tr.code-row[data-vendor][data-code][data-count]` per code, `table#unknown-codes` with
//! `tr.unknown-row`, `table#files` with `tr.file-row`, and `#parameters`.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::text::{human_bytes, human_millis, plural};
use super::{GateResult, Report};
use crate::catalog::{Catalog, Category, Severity};
use crate::escape::escape_text;
use crate::percentiles::Distribution;
use crate::timeline::Timeline;

/// Escapes `text` for HTML element content and double- or single-quoted attribute values:
/// control characters are shown escaped as everywhere else in errscan (`\n`, `\e`, `\x07`), then
/// `&`, `<`, `>`, `"` and `'` become character references.
pub fn escape_html(text: &str) -> String {
    let visible = escape_text(text);
    let mut out = String::with_capacity(visible.len() + 8);
    for character in visible.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The page's style sheet: light colours by default, dark ones under
/// `prefers-color-scheme: dark`; one colour per category, shared by the SVG and the CSS bars.
const STYLE: &str = r#"
:root {
  color-scheme: light dark;
  --bg: #f6f7f9; --panel: #ffffff; --fg: #1c2330; --muted: #5d6778; --line: #dfe3ea;
  --accent: #2f6fdf; --head: #eef1f6; --track: #e9edf3;
  --fatal: #b42318; --error: #d1442f; --warning: #b7791f; --info: #2b7a9b; --ok: #1f8a4c;
  --c-network: #3b82f6; --c-permission: #a855f7; --c-authentication: #ec4899;
  --c-capacity: #f59e0b; --c-media: #10b981; --c-device: #14b8a6; --c-client: #6366f1;
  --c-server: #ef4444; --c-service: #84cc16; --c-session: #f97316; --c-unknown: #94a3b8;
  --c-vendor: #2f6fdf;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #10141b; --panel: #181e28; --fg: #e4e8ef; --muted: #9aa5b8; --line: #2b3443;
    --accent: #7aa7ff; --head: #1f2733; --track: #263040;
    --fatal: #ff6b5e; --error: #ff8a70; --warning: #f2c14e; --info: #6cc4e8; --ok: #4cc38a;
    --c-network: #60a5fa; --c-permission: #c084fc; --c-authentication: #f472b6;
    --c-capacity: #fbbf24; --c-media: #34d399; --c-device: #2dd4bf; --c-client: #818cf8;
    --c-server: #f87171; --c-service: #a3e635; --c-session: #fb923c; --c-unknown: #94a3b8;
    --c-vendor: #7aa7ff;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 20px 24px 40px; }
h1 { font-size: 22px; margin: 0; }
h2 { font-size: 16px; margin: 0 0 10px; }
header { display: flex; align-items: baseline; gap: 12px; flex-wrap: wrap; margin-bottom: 14px; }
header .sub { color: var(--muted); }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 10px;
  padding: 14px 16px; margin: 0 0 16px; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.grid2 > section { margin: 0; }
.grid2 { margin-bottom: 16px; }
@media (max-width: 800px) { .grid2 { grid-template-columns: 1fr; } }
#totals { display: grid; grid-template-columns: repeat(auto-fit, minmax(130px, 1fr)); gap: 10px;
  background: none; border: none; padding: 0; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 10px 14px; }
.card .value { font-size: 24px; font-weight: 650; font-variant-numeric: tabular-nums; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card.bad .value { color: var(--error); }
.muted, .empty { color: var(--muted); }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace;
  font-size: 12.5px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { background: var(--head); font-size: 12px; color: var(--muted); text-transform: uppercase;
  letter-spacing: .03em; position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.scroll { overflow-x: auto; }
#top-codes { table-layout: fixed; min-width: 980px; }
#top-codes col.w-count { width: 64px; } #top-codes col.w-sev { width: 84px; }
#top-codes col.w-ident { width: 23%; } #top-codes col.w-cat { width: 136px; }
#top-codes col.w-where { width: 15%; }
#top-codes .ident { overflow-wrap: anywhere; }
#top-codes .vendor { color: var(--muted); font-size: 12.5px; }
#top-codes .name { font-weight: 600; margin-top: 2px; }
#top-codes .text { font-size: 12.5px; }
#top-codes tbody tr:hover, #unknown-codes tbody tr:hover, #files tbody tr:hover { background: var(--head); }
#top-codes .where, #unknown-codes .where, #files .path { overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 1px 7px; border-radius: 999px; font-size: 11.5px; font-weight: 600;
  border: 1px solid currentColor; white-space: nowrap; }
.sev-fatal { color: var(--fatal); } .sev-error { color: var(--error); }
.sev-warning { color: var(--warning); } .sev-info { color: var(--info); }
.dot { display: inline-block; width: 10px; height: 10px; border-radius: 3px; background: var(--c);
  margin-right: 6px; vertical-align: baseline; }
.bars td, .bars th { border: none; padding: 4px 6px; }
.bars th { font-weight: 500; width: 1%; white-space: nowrap; }
.bars .track { background: var(--track); border-radius: 4px; height: 14px; width: 100%; }
.bars .fill { display: block; height: 14px; border-radius: 4px; background: var(--c); min-width: 2px; }
.bars td.num { width: 1%; }
.c-network { --c: var(--c-network); } .c-permission { --c: var(--c-permission); }
.c-authentication { --c: var(--c-authentication); } .c-capacity { --c: var(--c-capacity); }
.c-media { --c: var(--c-media); } .c-device { --c: var(--c-device); } .c-client { --c: var(--c-client); }
.c-server { --c: var(--c-server); } .c-service { --c: var(--c-service); }
.c-session { --c: var(--c-session); } .c-unknown { --c: var(--c-unknown); }
.c-vendor { --c: var(--c-vendor); }
svg.chart { width: 100%; height: auto; display: block; }
svg.chart rect.seg { fill: var(--c); }
svg.chart .axis { stroke: var(--line); stroke-width: 1; }
svg.chart text { fill: var(--muted); font-size: 12px; font-family: inherit; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; margin-top: 8px; font-size: 12.5px; }
.status-error { color: var(--error); } .status-skipped { color: var(--muted); }
.gate-pass { color: var(--ok); font-weight: 600; } .gate-fail { color: var(--fatal); font-weight: 600; }
.pair { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); gap: 24px; }
@media (max-width: 800px) { .pair { grid-template-columns: 1fr; } }
h3 { font-size: 14px; margin: 0 0 2px; }
.pair p.muted { margin: 0 0 8px; font-size: 12.5px; }
#intervals .vendor, #intervals .name { color: var(--muted); font-size: 12.5px; }
#intervals .ident { overflow-wrap: anywhere; }
#per-minute tbody tr:hover, #intervals tbody tr:hover { background: var(--head); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dt { color: var(--muted); } dd { margin: 0; }
footer { color: var(--muted); font-size: 12px; text-align: center; }
"#;

/// Writes `report` as one self-contained HTML page; `catalog` gives each code's meaning and fix.
pub fn write_html<W: Write>(report: &Report, catalog: &Catalog, mut out: W) -> io::Result<()> {
    let mut page = String::with_capacity(32 * 1024);
    // Writing into a String cannot fail; the results of write! below are ignored for that reason.
    page.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    page.push_str("<meta name=\"color-scheme\" content=\"light dark\">\n");
    let _ = writeln!(
        page,
        "<meta name=\"generator\" content=\"{} {}\">",
        escape_html(&report.tool.name),
        escape_html(&report.tool.version)
    );
    let _ = writeln!(
        page,
        "<title>errscan report: {} {}</title>",
        report.totals.matches,
        plural(report.totals.matches, "match", "matches")
    );
    let _ = writeln!(page, "<style>{STYLE}</style>\n</head>\n<body>\n<main>");
    write_header(&mut page, report);
    write_totals(&mut page, report);
    if let Some(gate) = &report.gate {
        write_gate(&mut page, gate);
    }
    write_timeline(&mut page, report);
    page.push_str("<div class=\"grid2\">\n");
    write_category_bars(&mut page, report);
    write_vendor_bars(&mut page, report);
    page.push_str("</div>\n");
    write_percentiles(&mut page, report);
    write_codes(&mut page, report, catalog);
    write_unknown(&mut page, report);
    write_files(&mut page, report);
    write_parameters(&mut page, report);
    let _ = writeln!(
        page,
        "<footer>Made by {} {}. Self-contained: no script, nothing fetched.</footer>",
        escape_html(&report.tool.name),
        escape_html(&report.tool.version)
    );
    page.push_str("</main>\n</body>\n</html>\n");
    out.write_all(page.as_bytes())
}

fn write_header(page: &mut String, report: &Report) {
    let totals = &report.totals;
    let _ = writeln!(
        page,
        "<header><h1>errscan report</h1><span class=\"sub\">{} {} in {} {} · {} lines · {}</span></header>",
        totals.matches,
        plural(totals.matches, "match", "matches"),
        totals.files,
        plural(totals.files, "file", "files"),
        totals.lines,
        human_bytes(totals.bytes),
    );
}

fn write_totals(page: &mut String, report: &Report) {
    let totals = &report.totals;
    page.push_str("<section id=\"totals\" aria-label=\"Totals\">\n");
    let cards: [(&str, &str, String, bool); 7] = [
        ("matches", "matches", totals.matches.to_string(), false),
        (
            "codes",
            "distinct codes",
            report.codes.len().to_string(),
            false,
        ),
        (
            "unknown",
            "unknown",
            totals.unknown.to_string(),
            totals.unknown > 0,
        ),
        ("files", "files", totals.files.to_string(), false),
        ("lines", "lines", totals.lines.to_string(), false),
        ("bytes", "read", human_bytes(totals.bytes), false),
        (
            "errors",
            "read errors",
            totals.errors.to_string(),
            totals.errors > 0,
        ),
    ];
    for (id, label, value, is_bad) in cards {
        let _ = writeln!(
            page,
            "<div class=\"card{}\" id=\"total-{id}\"><div class=\"value\">{}</div><div class=\"label\">{label}</div></div>",
            if is_bad { " bad" } else { "" },
            escape_html(&value),
        );
    }
    page.push_str("</section>\n");
}

fn write_gate(page: &mut String, gate: &GateResult) {
    page.push_str("<section id=\"gate\"><h2>Gate</h2>\n");
    let _ = writeln!(
        page,
        "<p class=\"{}\">{}</p>",
        if gate.passed {
            "gate-pass"
        } else {
            "gate-fail"
        },
        escape_html(&super::gate_verdict(gate))
    );
    if !gate.rules.is_empty() {
        page.push_str("<table id=\"gate-rules\"><thead><tr><th>rule</th><th>result</th><th>measured</th></tr></thead><tbody>\n");
        for rule in &gate.rules {
            let _ = writeln!(
                page,
                "<tr class=\"rule-row\"><td><code>{}</code></td><td class=\"{}\">{}</td><td>{}</td></tr>",
                escape_html(&rule.rule),
                if rule.passed {
                    "gate-pass"
                } else {
                    "gate-fail"
                },
                if rule.passed { "passed" } else { "failed" },
                escape_html(&rule.summary),
            );
        }
        page.push_str("</tbody></table>\n");
    }
    page.push_str("</section>\n");
}

/// Chart geometry, in SVG user units.
const CHART_WIDTH: f64 = 1000.0;
const CHART_HEIGHT: f64 = 220.0;
const CHART_LEFT: f64 = 44.0;
const CHART_RIGHT: f64 = 8.0;
const CHART_TOP: f64 = 10.0;
const CHART_BOTTOM: f64 = 26.0;

fn write_timeline(page: &mut String, report: &Report) {
    page.push_str("<section id=\"timeline\"><h2>When: matches over time, by category</h2>\n");
    match &report.timeline {
        Some(timeline) if !timeline.buckets.is_empty() => {
            write_timeline_chart(page, timeline);
            let timed = report.totals.matches.saturating_sub(report.totals.untimed);
            let _ = writeln!(
                page,
                "<p class=\"muted\">{} {} of {} from {} (UTC); {} timed, {} without a timestamp (counted, not drawn).</p>",
                timeline.buckets.len(),
                plural(timeline.buckets.len() as u64, "bucket", "buckets"),
                human_duration(timeline.bucket_seconds),
                escape_html(&timeline.start),
                timed,
                report.totals.untimed,
            );
        }
        _ => {
            page.push_str(
                "<p class=\"empty\" id=\"no-timestamps\">No timeline: no timestamps on the matched lines.</p>\n",
            );
        }
    }
    page.push_str("</section>\n");
}

fn write_timeline_chart(page: &mut String, timeline: &Timeline) {
    let buckets = &timeline.buckets;
    let peak = buckets.iter().map(|b| b.count).max().unwrap_or(0).max(1);
    let plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT;
    let plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM;
    let slot = plot_width / buckets.len() as f64;
    let gap = if slot > 4.0 { slot * 0.15 } else { 0.0 };
    let base_y = CHART_TOP + plot_height;
    let _ = writeln!(
        page,
        "<svg class=\"chart\" viewBox=\"0 0 {CHART_WIDTH} {CHART_HEIGHT}\" role=\"img\" aria-label=\"Matches per {} bucket, stacked by category\">",
        human_duration(timeline.bucket_seconds)
    );
    // Axes and the peak's gridline.
    let _ = writeln!(
        page,
        "<line class=\"axis\" x1=\"{CHART_LEFT}\" y1=\"{base_y}\" x2=\"{}\" y2=\"{base_y}\"/>",
        CHART_WIDTH - CHART_RIGHT
    );
    let _ = writeln!(
        page,
        "<line class=\"axis\" x1=\"{CHART_LEFT}\" y1=\"{CHART_TOP}\" x2=\"{}\" y2=\"{CHART_TOP}\" stroke-dasharray=\"4 4\"/>",
        CHART_WIDTH - CHART_RIGHT
    );
    let _ = writeln!(
        page,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{peak}</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">0</text>",
        CHART_LEFT - 6.0,
        CHART_TOP + 4.0,
        CHART_LEFT - 6.0,
        base_y + 4.0
    );
    for (index, bucket) in buckets.iter().enumerate() {
        let x = CHART_LEFT + index as f64 * slot + gap / 2.0;
        let width = (slot - gap).max(0.5);
        let mut y = base_y;
        let _ = writeln!(
            page,
            "<g class=\"bucket\" data-start=\"{}\" data-count=\"{}\">",
            escape_html(&bucket.start),
            bucket.count
        );
        // Categories in their fixed order, so that colours stack the same way in every bucket.
        for category in Category::ALL {
            let Some(&count) = bucket.counts.get(&category) else {
                continue;
            };
            if count == 0 {
                continue;
            }
            let height = count as f64 / peak as f64 * plot_height;
            y -= height;
            let _ = writeln!(
                page,
                "<rect class=\"seg c-{id}\" x=\"{x:.2}\" y=\"{y:.2}\" width=\"{width:.2}\" height=\"{height:.2}\"><title>{} · {id}: {count}</title></rect>",
                escape_html(&bucket.start),
                id = category.id(),
            );
        }
        page.push_str("</g>\n");
    }
    // Up to five time labels, evenly spread, the first and last included.
    let labels = buckets.len().min(5);
    let mut last_index = usize::MAX;
    for step in 0..labels {
        let index = if labels == 1 {
            0
        } else {
            step * (buckets.len() - 1) / (labels - 1)
        };
        if index == last_index {
            continue;
        }
        last_index = index;
        let x = CHART_LEFT + (index as f64 + 0.5) * slot;
        let anchor = match step {
            0 if labels > 1 => "start",
            s if s + 1 == labels && labels > 1 => "end",
            _ => "middle",
        };
        let x = match anchor {
            "start" => CHART_LEFT,
            "end" => CHART_WIDTH - CHART_RIGHT,
            _ => x,
        };
        let _ = writeln!(
            page,
            "<text x=\"{x:.2}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>",
            CHART_HEIGHT - 6.0,
            escape_html(&short_time(&buckets[index].start))
        );
    }
    page.push_str("</svg>\n<div class=\"legend\">");
    for category in Category::ALL {
        let total: u64 = buckets
            .iter()
            .filter_map(|bucket| bucket.counts.get(&category))
            .sum();
        if total > 0 {
            let _ = write!(
                page,
                "<span class=\"c-{id}\"><span class=\"dot\"></span>{id} {total}</span>",
                id = category.id()
            );
        }
    }
    page.push_str("</div>\n");
}

/// `2024-03-07T10:00:00Z` → `2024-03-07 10:00`.
fn short_time(rfc3339: &str) -> String {
    match rfc3339.get(..16) {
        Some(head) if rfc3339.len() >= 16 => head.replacen('T', " ", 1),
        _ => rfc3339.to_string(),
    }
}

fn human_duration(seconds: i64) -> String {
    match seconds {
        s if s % 86_400 == 0 && s > 0 => format!("{} d", s / 86_400),
        s if s % 3_600 == 0 && s > 0 => format!("{} h", s / 3_600),
        s if s % 60 == 0 && s > 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

fn write_bar_row(page: &mut String, kind: &str, id: &str, class: &str, count: u64, peak: u64) {
    let percent = count as f64 / peak.max(1) as f64 * 100.0;
    let _ = writeln!(
        page,
        "<tr class=\"bar-row\" data-{kind}=\"{id}\" data-count=\"{count}\"><th>{id}</th><td><div class=\"track\"><span class=\"fill {class}\" style=\"width:{percent:.1}%\"></span></div></td><td class=\"num\">{count}</td></tr>",
    );
}

fn write_category_bars(page: &mut String, report: &Report) {
    page.push_str("<section id=\"by-category\"><h2>By category</h2>\n");
    if report.by_category.is_empty() {
        page.push_str("<p class=\"empty\">No matches.</p>\n");
    } else {
        let peak = report.by_category.iter().map(|row| row.count).max();
        page.push_str("<table class=\"bars\" id=\"category-bars\"><tbody>\n");
        for row in &report.by_category {
            let id = row.category.id();
            write_bar_row(
                page,
                "category",
                id,
                &format!("c-{id}"),
                row.count,
                peak.unwrap_or(1),
            );
        }
        page.push_str("</tbody></table>\n");
    }
    page.push_str("</section>\n");
}

fn write_vendor_bars(page: &mut String, report: &Report) {
    page.push_str("<section id=\"by-vendor\"><h2>By vendor</h2>\n");
    if report.by_vendor.is_empty() {
        page.push_str("<p class=\"empty\">No matches.</p>\n");
    } else {
        let peak = report.by_vendor.iter().map(|row| row.count).max();
        page.push_str("<table class=\"bars\" id=\"vendor-bars\"><tbody>\n");
        for row in &report.by_vendor {
            write_bar_row(
                page,
                "vendor",
                row.vendor.id(),
                "c-vendor",
                row.count,
                peak.unwrap_or(1),
            );
        }
        page.push_str("</tbody></table>\n");
    }
    page.push_str("</section>\n");
}

/// How bursty: matches per minute by category, and the time between repeats of each code.
fn write_percentiles(page: &mut String, report: &Report) {
    page.push_str(
        "<section id=\"percentiles\"><h2>How bursty: matches per minute, time between repeats</h2>\n",
    );
    let per_minute = report.percentiles.as_ref().map(|p| &p.per_minute);
    let Some(per_minute) = per_minute.filter(|per_minute| !per_minute.is_empty()) else {
        page.push_str(
            "<p class=\"empty\" id=\"no-percentiles\">No percentiles: no timestamps on the matched lines.</p>\n</section>\n",
        );
        return;
    };
    let minutes = per_minute.values().map(|d| d.count).max().unwrap_or(0);
    page.push_str("<div class=\"pair\">\n<div>\n<h3>Matches per minute, by category</h3>\n");
    let _ = writeln!(
        page,
        "<p class=\"muted\">Over the {minutes} {} from the first timed match to the last, quiet minutes included.</p>",
        plural(minutes, "minute", "minutes")
    );
    page.push_str("<table id=\"per-minute\"><thead><tr><th>category</th><th class=\"num\">p50</th><th class=\"num\">p90</th><th class=\"num\">p99</th><th class=\"num\">max</th></tr></thead><tbody>\n");
    for (category, distribution) in per_minute {
        let id = category.id();
        let _ = writeln!(
            page,
            "<tr class=\"per-minute-row\" data-category=\"{id}\" {data}><td class=\"c-{id}\"><span class=\"dot\"></span>{id}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            distribution.p50,
            distribution.p90,
            distribution.p99,
            distribution.max,
            data = distribution_data(distribution, "count"),
        );
    }
    page.push_str("</tbody></table>\n</div>\n<div>\n<h3>Time between repeats, by code</h3>\n");
    page.push_str("<p class=\"muted\">Between consecutive timed matches of a code in one input; codes seen at least twice with a time, most frequent first.</p>\n");
    let known = report.codes.iter().filter_map(|row| {
        let intervals = row.intervals_ms.as_ref()?;
        Some((row.vendor.id(), &row.code, Some(&row.name), intervals))
    });
    let unknown = report.unknown.iter().filter_map(|row| {
        let intervals = row.intervals_ms.as_ref()?;
        Some((row.vendor.id(), &row.code, None, intervals))
    });
    let rows: Vec<_> = known.chain(unknown).collect();
    if rows.is_empty() {
        page.push_str("<p class=\"empty\" id=\"no-intervals\">No code was seen twice with a time in one input.</p>\n");
    } else {
        page.push_str("<div class=\"scroll\"><table id=\"intervals\"><thead><tr><th>vendor · code · name</th><th class=\"num\">intervals</th><th class=\"num\">p50</th><th class=\"num\">p90</th><th class=\"num\">p99</th><th class=\"num\">max</th></tr></thead><tbody>\n");
        for (vendor, code, name, intervals) in rows {
            let name = name.map_or_else(
                || "<span class=\"name\">unknown</span>".to_string(),
                |name| format!("<span class=\"name\">{}</span>", escape_html(name)),
            );
            let _ = write!(
                page,
                "<tr class=\"interval-row\" data-vendor=\"{vendor}\" data-code=\"{code}\" {data}><td class=\"ident\"><span class=\"vendor\">{vendor}</span> <code>{code}</code> {name}</td><td class=\"num\">{count}</td>",
                code = escape_html(code),
                data = distribution_data(intervals, "intervals"),
                count = intervals.count,
            );
            for millis in [intervals.p50, intervals.p90, intervals.p99, intervals.max] {
                let _ = write!(
                    page,
                    "<td class=\"num\" title=\"{millis} ms\">{}</td>",
                    human_millis(millis)
                );
            }
            page.push_str("</tr>\n");
        }
        page.push_str("</tbody></table></div>\n");
    }
    page.push_str("</div>\n</div>\n</section>\n");
}

/// `data-p50=".." data-p90=".." data-p99=".." data-max=".." data-COUNT=".."`: a distribution's
/// exact values, for scripts and tests.
fn distribution_data(distribution: &Distribution, count_name: &str) -> String {
    format!(
        "data-p50=\"{}\" data-p90=\"{}\" data-p99=\"{}\" data-max=\"{}\" data-{count_name}=\"{}\"",
        distribution.p50, distribution.p90, distribution.p99, distribution.max, distribution.count
    )
}

fn severity_badge(severity: Severity) -> String {
    format!(
        "<span class=\"badge sev-{id}\">{id}</span>",
        id = severity.id()
    )
}

fn location(path: &str, line: u64) -> String {
    format!("<code>{}:{line}</code>", escape_html(path))
}

fn write_codes(page: &mut String, report: &Report, catalog: &Catalog) {
    let _ = writeln!(
        page,
        "<section id=\"codes\"><h2>Codes ({}), most frequent first</h2>",
        report.codes.len()
    );
    if report.codes.is_empty() {
        page.push_str("<p class=\"empty\">No known codes found.</p>\n");
    }
    page.push_str("<div class=\"scroll\"><table id=\"top-codes\"><colgroup><col class=\"w-count\"><col class=\"w-sev\"><col class=\"w-ident\"><col class=\"w-cat\"><col class=\"w-text\"><col class=\"w-text\"><col class=\"w-where\"></colgroup>\n<thead><tr><th class=\"num\">count</th><th>severity</th><th>vendor · code · name</th><th>category</th><th>meaning</th><th>fix</th><th>first seen</th></tr></thead><tbody>\n");
    for row in &report.codes {
        let entry = catalog.get(row.vendor, &row.code);
        let meaning = entry.map_or("", |entry| entry.description.as_str());
        let fix = entry.map_or("", |entry| entry.remediation.as_str());
        let category = row.category.id();
        let _ = writeln!(
            page,
            "<tr class=\"code-row\" data-vendor=\"{vendor}\" data-code=\"{code}\" data-count=\"{count}\" data-severity=\"{severity}\" data-category=\"{category}\">\
<td class=\"num\">{count}</td><td>{badge}</td><td class=\"ident\"><span class=\"vendor\">{vendor}</span> <code class=\"code\">{code}</code><div class=\"name\">{name}</div></td>\
<td class=\"c-{category}\"><span class=\"dot\"></span>{category}</td><td class=\"text meaning\">{meaning}</td><td class=\"text fix\">{fix}</td><td class=\"where\">{first}</td></tr>",
            vendor = row.vendor.id(),
            code = escape_html(&row.code),
            count = row.count,
            severity = row.severity.id(),
            badge = severity_badge(row.severity),
            name = escape_html(&row.name),
            meaning = escape_html(meaning),
            fix = escape_html(fix),
            first = location(&row.first.path, row.first.line),
        );
    }
    page.push_str("</tbody></table></div>\n</section>\n");
}

fn write_unknown(page: &mut String, report: &Report) {
    let _ = writeln!(
        page,
        "<section id=\"unknown\"><h2>Unknown codes ({})</h2>\n<p class=\"muted\">Seen in a vendor's error context, but not in the catalog.</p>",
        report.unknown.len()
    );
    if report.unknown.is_empty() {
        page.push_str("<p class=\"empty\">None.</p>\n");
    }
    page.push_str("<div class=\"scroll\"><table id=\"unknown-codes\"><thead><tr><th class=\"num\">count</th><th>vendor</th><th>code</th><th>first seen</th></tr></thead><tbody>\n");
    for row in &report.unknown {
        let _ = writeln!(
            page,
            "<tr class=\"unknown-row\" data-vendor=\"{vendor}\" data-code=\"{code}\" data-count=\"{count}\"><td class=\"num\">{count}</td><td>{vendor}</td><td><code>{code}</code></td><td class=\"where\">{first}</td></tr>",
            vendor = row.vendor.id(),
            code = escape_html(&row.code),
            count = row.count,
            first = location(&row.first.path, row.first.line),
        );
    }
    page.push_str("</tbody></table></div>\n</section>\n");
}

fn write_files(page: &mut String, report: &Report) {
    let _ = writeln!(
        page,
        "<section id=\"files-section\"><h2>Inputs ({})</h2>",
        report.files.len()
    );
    page.push_str("<div class=\"scroll\"><table id=\"files\"><thead><tr><th>path</th><th class=\"num\">matches</th><th class=\"num\">lines</th><th class=\"num\">size</th><th>status</th></tr></thead><tbody>\n");
    for file in &report.files {
        let (class, status) = match (&file.error, &file.skipped) {
            (Some(error), _) => ("status-error", format!("error: {}", escape_html(error))),
            (None, Some(skipped)) => (
                "status-skipped",
                format!("skipped: {}", escape_html(skipped)),
            ),
            (None, None) => ("status-ok", "ok".to_string()),
        };
        let _ = writeln!(
            page,
            "<tr class=\"file-row {class}\" data-path=\"{path}\" data-matches=\"{matches}\"><td class=\"path\"><code>{path}</code></td><td class=\"num\">{matches}</td><td class=\"num\">{lines}</td><td class=\"num\">{size}</td><td class=\"{class}\">{status}</td></tr>",
            path = escape_html(&file.path),
            matches = file.matches,
            lines = file.lines,
            size = human_bytes(file.bytes),
        );
    }
    page.push_str("</tbody></table></div>\n</section>\n");
}

fn write_parameters(page: &mut String, report: &Report) {
    page.push_str("<section id=\"parameters\"><h2>Scan</h2>\n<dl>\n");
    let _ = writeln!(
        page,
        "<dt>tool</dt><dd>{} {}</dd>",
        escape_html(&report.tool.name),
        escape_html(&report.tool.version)
    );
    if !report.tool.catalog.is_empty() {
        let _ = writeln!(
            page,
            "<dt>catalog</dt><dd><code>{}</code></dd>",
            escape_html(&report.tool.catalog)
        );
    }
    let _ = writeln!(
        page,
        "<dt>report schema</dt><dd><code>{}</code></dd>",
        escape_html(&report.schema)
    );
    let _ = writeln!(
        page,
        "<dt>inputs</dt><dd>{} ({} lines, {}; {} unreadable)</dd>",
        report.totals.files,
        report.totals.lines,
        human_bytes(report.totals.bytes),
        report.totals.errors
    );
    match &report.timeline {
        Some(timeline) => {
            let _ = writeln!(
                page,
                "<dt>timeline bucket</dt><dd>{} from {}</dd>",
                human_duration(timeline.bucket_seconds),
                escape_html(&timeline.start)
            );
        }
        None => page.push_str("<dt>timeline bucket</dt><dd>none (no timestamps)</dd>\n"),
    }
    match &report.gate {
        Some(gate) if !gate.rules.is_empty() => {
            let rules: Vec<String> = gate
                .rules
                .iter()
                .map(|rule| escape_html(&rule.rule))
                .collect();
            let _ = writeln!(page, "<dt>gate</dt><dd>{}</dd>", rules.join(", "));
        }
        Some(_) => page.push_str("<dt>gate</dt><dd>given, no rules</dd>\n"),
        None => page.push_str("<dt>gate</dt><dd>none</dd>\n"),
    }
    page.push_str("</dl>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::{BASE_SECONDS, BaseGrid};
    use crate::vendor::Vendor;

    const HOSTILE: &str = "<script>alert(\"x\")</script> & 'q' \u{1b}[31m\x07\n";

    /// A report with one known code, one unknown code whose text and path are hostile, two files
    /// (one unreadable) and, when `timed`, a timeline.
    fn sample(timed: bool) -> Report {
        // Read from JSON, so that fields added to the report later (all optional) need no edit.
        let path = format!("logs/{HOSTILE}.log");
        let json = serde_json::json!({
            "schema": super::super::SCHEMA,
            "tool": {"name": "errscan", "version": "0.1.0", "catalog": "c0ffee"},
            "totals": {"files": 2, "bytes": 2048, "lines": 40, "matches": 5, "unknown": 1,
                       "errors": 1, "untimed": 1},
            "by_category": [{"category": "network", "count": 4},
                            {"category": "unknown", "count": 1}],
            "by_vendor": [{"vendor": "bigbluebutton", "count": 5}],
            "codes": [{"vendor": "bigbluebutton", "code": "1101",
                       "name": "SIGNALLING_TRANSPORT_DISCONNECTED", "category": "network",
                       "severity": "error", "count": 4,
                       "first": {"path": "logs/a.log", "line": 12},
                       "intervals_ms": {"p50": 10007, "p90": 30015, "p99": 30015,
                                        "max": 30015, "count": 2, "histogram": ""}}],
            "unknown": [{"vendor": "bigbluebutton", "code": HOSTILE, "count": 1,
                         "first": {"path": path, "line": 3},
                         // Four different values, one per column (the writer only shows them).
                         "intervals_ms": {"p50": 250, "p90": 1751, "p99": 59500,
                                          "max": 3600383, "count": 7, "histogram": ""}}],
            "files": [
                {"path": "logs/a.log", "bytes": 2048, "lines": 40, "matches": 5, "error": null},
                {"path": format!("{HOSTILE}.log"), "bytes": 0, "lines": 0, "matches": 0,
                 "error": format!("cannot read {HOSTILE}")}
            ]
        });
        let mut report: Report = serde_json::from_value(json).unwrap();
        if timed {
            let mut base = BaseGrid {
                seconds: BASE_SECONDS,
                ..BaseGrid::default()
            };
            base.codes.insert(
                "bigbluebutton:1101".to_string(),
                vec![(28_000_000, 2), (28_000_003, 1), (28_000_009, 1)],
            );
            report.rebucket(base, None);
        }
        report
    }

    fn render(report: &Report) -> String {
        let mut out = Vec::new();
        write_html(report, &Catalog::builtin(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_markup_quotes_ampersands_and_controls() {
        assert_eq!(
            escape_html(HOSTILE),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39; \\e[31m\\x07\\n"
        );
        assert_eq!(escape_html("a\u{85}b\r\t\x7f"), "a\\u{85}b\\r\\t\\x7F");
        assert_eq!(escape_html("&amp;"), "&amp;amp;");
        assert_eq!(escape_html("plain é ✓"), "plain é ✓");
    }

    #[test]
    fn hostile_text_never_reaches_the_page_raw() {
        let page = render(&sample(true));
        assert!(!page.contains("<script"), "a raw <script> in the page");
        assert!(!page.contains("alert(\"x\")"));
        assert!(page.contains("&lt;script&gt;alert(&quot;x&quot;)"));
        // No control character at all: shown escaped, like the rest of errscan.
        assert!(
            !page
                .chars()
                .any(|c| (c as u32) < 0x20 && c != '\n' || (0x7f..0xa0).contains(&(c as u32)))
        );
        assert!(page.contains("\\e[31m\\x07\\n"));
    }

    #[test]
    fn every_section_is_present() {
        let page = render(&sample(true));
        for needle in [
            "<!DOCTYPE html>",
            "id=\"totals\"",
            "id=\"timeline\"",
            "<svg class=\"chart\"",
            "class=\"seg c-network\"",
            "id=\"by-category\"",
            "data-category=\"network\"",
            "id=\"by-vendor\"",
            "data-vendor=\"bigbluebutton\"",
            "<table id=\"top-codes\">",
            "<tr class=\"code-row\" data-vendor=\"bigbluebutton\" data-code=\"1101\" data-count=\"4\"",
            "SIGNALLING_TRANSPORT_DISCONNECTED",
            "<table id=\"unknown-codes\">",
            "class=\"unknown-row\"",
            "<table id=\"files\">",
            "file-row status-error",
            "id=\"parameters\"",
            "id=\"percentiles\"",
            "<table id=\"per-minute\">",
            "<table id=\"intervals\">",
            "errscan 0.1.0",
            "<code>c0ffee</code>",
            "prefers-color-scheme: dark",
        ] {
            assert!(page.contains(needle), "missing {needle}");
        }
        // The catalog's meaning and fix of 1101.
        let entry = Catalog::builtin()
            .get(Vendor::BigBlueButton, "1101")
            .cloned()
            .unwrap();
        assert!(page.contains(&escape_html(&entry.description)));
        assert!(page.contains(&escape_html(&entry.remediation)));
        assert_eq!(page.matches("class=\"code-row\"").count(), 1);
        assert!(!page.contains("id=\"no-timestamps\""));
    }

    #[test]
    fn says_no_timestamps_without_a_timeline() {
        let page = render(&sample(false));
        assert!(page.contains("id=\"no-timestamps\""));
        assert!(!page.contains("<svg"));
        assert!(page.contains("id=\"no-percentiles\""));
        assert!(!page.contains("per-minute-row"));
    }

    /// Hand-worked from `sample`: 1101 (network) has 2 matches in minute 28 000 000, 1 in
    /// 28 000 003 and 1 in 28 000 009, so ten minutes of [2, 0, 0, 1, 0, 0, 0, 0, 0, 1]; sorted,
    /// seven 0, two 1, one 2: p50 is the 5th value (0), p90 the 9th (1), p99 the 10th (2).
    /// Its intervals are those of 10 s and 30 s (hdrhistogram's 10 007 and 30 015 ms).
    #[test]
    fn percentiles_show_exact_data_and_readable_cells() {
        let page = render(&sample(true));
        assert!(page.contains(
            "<tr class=\"per-minute-row\" data-category=\"network\" data-p50=\"0\" data-p90=\"1\" data-p99=\"2\" data-max=\"2\" data-count=\"10\"><td class=\"c-network\"><span class=\"dot\"></span>network</td><td class=\"num\">0</td><td class=\"num\">1</td><td class=\"num\">2</td><td class=\"num\">2</td></tr>"
        ), "{page}");
        assert_eq!(page.matches("class=\"per-minute-row\"").count(), 1);
        assert!(page.contains("Over the 10 minutes from the first timed match"));
        assert!(page.contains(
            "<tr class=\"interval-row\" data-vendor=\"bigbluebutton\" data-code=\"1101\" data-p50=\"10007\" data-p90=\"30015\" data-p99=\"30015\" data-max=\"30015\" data-intervals=\"2\">"
        ), "{page}");
        assert!(page.contains(
            "<td class=\"num\">2</td><td class=\"num\" title=\"10007 ms\">10s</td><td class=\"num\" title=\"30015 ms\">30s</td><td class=\"num\" title=\"30015 ms\">30s</td><td class=\"num\" title=\"30015 ms\">30s</td></tr>"
        ));
        // The unknown code after the known one, its hostile code escaped, each value in its
        // own column: 250 ms, 1.751 s (1.8s), 59.5 s (rounded up to 1m), 3 600 383 ms (1h).
        assert!(page.contains(&format!(
            "<tr class=\"interval-row\" data-vendor=\"bigbluebutton\" data-code=\"{}\" data-p50=\"250\" data-p90=\"1751\" data-p99=\"59500\" data-max=\"3600383\" data-intervals=\"7\">",
            escape_html(HOSTILE)
        )), "{page}");
        assert!(page.contains(
            "<span class=\"name\">unknown</span></td><td class=\"num\">7</td><td class=\"num\" title=\"250 ms\">250ms</td><td class=\"num\" title=\"1751 ms\">1.8s</td><td class=\"num\" title=\"59500 ms\">1m</td><td class=\"num\" title=\"3600383 ms\">1h</td></tr>"
        ));
        assert_eq!(page.matches("class=\"interval-row\"").count(), 2);
        let known = page
            .find("data-code=\"1101\" data-p50")
            .expect("1101's row");
        let unknown = page.find("data-p50=\"250\"").expect("the unknown row");
        assert!(known < unknown, "known codes first");
    }

    #[test]
    fn nothing_is_fetched() {
        let page = render(&sample(true));
        for needle in ["http://", "https://", "<script", "<link", "@import", "url("] {
            assert!(!page.contains(needle), "the page holds {needle}");
        }
    }

    #[test]
    fn output_is_deterministic() {
        let report = sample(true);
        assert_eq!(render(&report), render(&report.clone()));
    }
}
