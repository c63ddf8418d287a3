//! `--format github`: GitHub Actions workflow commands, one annotation per finding.

use std::io::{self, Write};

use super::Report;
use crate::severity::Severity;

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    for d in report.diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(report.file_name(d)),
            d.start.line,
            d.start.column,
            d.end.line,
            d.end.column,
            escape_property(d.rule),
            escape_data(&format!("{}\n{}", d.message, d.help)),
        )?;
    }
    Ok(())
}
