//! CSV of the code table: known and unknown codes, one row each.

use std::io::{self, Write};

use super::Report;

/// Writes `vendor,code,name,category,severity,known,count,first_path,first_line` rows.
pub fn write_csv<W: Write>(report: &Report, out: W) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record([
        "vendor",
        "code",
        "name",
        "category",
        "severity",
        "known",
        "count",
        "first_path",
        "first_line",
    ])?;
    for row in &report.codes {
        writer.write_record([
            row.vendor.id(),
            &row.code,
            &row.name,
            row.category.id(),
            row.severity.id(),
            "true",
            &row.count.to_string(),
            &row.first.path,
            &row.first.line.to_string(),
        ])?;
    }
    for row in &report.unknown {
        writer.write_record([
            row.vendor.id(),
            &row.code,
            "",
            "unknown",
            "",
            "false",
            &row.count.to_string(),
            &row.first.path,
            &row.first.line.to_string(),
        ])?;
    }
    writer.flush()
}
