//! `--format github`: GitHub Actions workflow commands, one annotation per finding, with the
//! file relative to the repository root (what GitHub resolves `file=` against) and the
//! escaping of the runner (`%`, CR, LF in the message; also `:` and `,` in properties).

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
            escape_property(&super::paths::repository_relative(report.file_name(d))),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_and_properties_are_escaped_as_the_runner_reads_them() {
        assert_eq!(escape_data("100% a\r\nb"), "100%25 a%0D%0Ab");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
