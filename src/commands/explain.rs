//! `errscan explain`: what a code or name means, for every vendor and tier that uses it.

use std::io::{self, Write};

use super::{load_catalog, warn};
use crate::catalog::{Catalog, Entry};
use crate::cli::{ExplainArgs, ExplainFormat};
use crate::escape::escape_text;
use crate::exit::ExitStatus;

pub fn run(args: ExplainArgs) -> anyhow::Result<ExitStatus> {
    let catalog = load_catalog(&args.data)?;
    let mut status = ExitStatus::Success;
    let mut found: Vec<&Entry> = Vec::new();
    for query in &args.queries {
        let entries: Vec<&Entry> = catalog
            .explain(query)
            .into_iter()
            .filter(|entry| args.data.vendor.is_empty() || args.data.vendor.contains(&entry.vendor))
            .collect();
        if entries.is_empty() {
            status = ExitStatus::GateTripped;
            let suggestions = catalog.suggestions(query, 5);
            if suggestions.is_empty() {
                warn(&format!("no code or name '{query}' in the catalog"));
            } else {
                warn(&format!(
                    "no code or name '{query}' in the catalog; did you mean: {}?",
                    suggestions.join(", ")
                ));
            }
        }
        for entry in entries {
            if !found.contains(&entry) {
                found.push(entry);
            }
        }
    }
    let mut out = io::stdout().lock();
    match args.format {
        ExplainFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &found)?;
            writeln!(out)?;
        }
        ExplainFormat::Text => {
            for (index, entry) in found.iter().enumerate() {
                if index > 0 {
                    writeln!(out)?;
                }
                write_entry(&mut out, entry, &catalog)?;
            }
        }
    }
    out.flush()?;
    Ok(status)
}

/// Writes one entry as a block of labelled lines.
pub fn write_entry<W: Write>(out: &mut W, entry: &Entry, catalog: &Catalog) -> io::Result<()> {
    writeln!(
        out,
        "{} {} {}",
        entry.vendor.display_name(),
        escape_text(&entry.code),
        escape_text(&entry.name)
    )?;
    writeln!(out, "  vendor:      {}", entry.vendor.id())?;
    writeln!(out, "  code:        {}", escape_text(&entry.code))?;
    writeln!(out, "  name:        {}", escape_text(&entry.name))?;
    if !entry.aliases.is_empty() {
        writeln!(
            out,
            "  also known:  {}",
            escape_text(&entry.aliases.join(", "))
        )?;
    }
    if let Some(group) = &entry.group {
        writeln!(out, "  group:       {}", escape_text(group))?;
    }
    writeln!(out, "  category:    {}", entry.category)?;
    writeln!(out, "  severity:    {}", entry.severity)?;
    writeln!(out, "  meaning:     {}", escape_text(&entry.description))?;
    writeln!(out, "  what to do:  {}", escape_text(&entry.remediation))?;
    if let Some(conflict) = &entry.conflict {
        writeln!(out, "  conflict:    {}", escape_text(conflict))?;
    }
    if !entry.related.is_empty() {
        let related: Vec<String> = entry
            .related
            .iter()
            .map(|code| match catalog.get(entry.vendor, code) {
                Some(other) => format!("{} {}", code, other.name),
                None => code.clone(),
            })
            .collect();
        writeln!(out, "  related:     {}", escape_text(&related.join(", ")))?;
    }
    let origin = if entry.beyond_seed {
        " (beyond the seed documents)"
    } else {
        ""
    };
    writeln!(out, "  source:      {}{origin}", escape_text(&entry.source))?;
    Ok(())
}
