//! `--format markdown`: for `$GITHUB_STEP_SUMMARY` and PR comments. A verdict line, a table
//! of findings by rule, then the findings grouped by file with their lines, objects and
//! fixes; input errors first, since they make the run fail whatever else it found.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::Report;
use crate::lint::Diagnostic;

/// A table cell: pipes escaped, lines joined (a newline would end the row).
pub(crate) fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
}

/// Inline code that survives backticks inside it.
fn code(text: &str) -> String {
    let fence = if text.contains('`') { "`` " } else { "`" };
    let close = if text.contains('`') { " ``" } else { "`" };
    format!("{fence}{}{close}", text.replace('|', "\\|"))
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let errors = report.inputs.errors();
    let failing = report
        .diagnostics
        .iter()
        .any(|d| d.severity >= report.threshold);
    let verdict = if !errors.is_empty() {
        "❌ input errors"
    } else if failing {
        "❌ failed"
    } else if report.diagnostics.is_empty() {
        "✅ clean"
    } else {
        "✅ passed (findings below the failing severity)"
    };
    writeln!(out, "## zerodown: {verdict}\n")?;
    writeln!(out, "{}\n", report.summary.line())?;
    if !errors.is_empty() {
        writeln!(out, "### Input errors\n")?;
        writeln!(out, "| file | line | error |\n|---|---|---|")?;
        for error in errors {
            writeln!(
                out,
                "| {} | {}:{} | {} |",
                code(&error.file),
                error.line,
                error.column,
                cell(&error.message)
            )?;
        }
        writeln!(out)?;
    }
    if report.diagnostics.is_empty() {
        return Ok(());
    }
    let mut by_rule: BTreeMap<&str, (crate::severity::Severity, usize)> = BTreeMap::new();
    for d in report.diagnostics {
        let entry = by_rule.entry(d.rule).or_insert((d.severity, 0));
        entry.0 = entry.0.max(d.severity);
        entry.1 += 1;
    }
    writeln!(out, "| rule | severity | findings |\n|---|---|---:|")?;
    for (rule, (severity, count)) in &by_rule {
        writeln!(
            out,
            "| [{rule}]({}) | {severity} | {count} |",
            crate::rules::doc_uri(rule)
        )?;
    }
    writeln!(out)?;
    let mut by_file: BTreeMap<&str, Vec<&Diagnostic>> = BTreeMap::new();
    for d in report.diagnostics {
        by_file.entry(report.file_name(d)).or_default().push(d);
    }
    for (file, findings) in by_file {
        writeln!(out, "### {}\n", code(file))?;
        writeln!(
            out,
            "| line | severity | rule | object | finding | fix |\n|---|---|---|---|---|---|"
        )?;
        for d in findings {
            let object = report
                .object_of(d)
                .map(|o| format!("{}/{}", o.kind, o.name))
                .unwrap_or_default();
            writeln!(
                out,
                "| {}:{} | {} | {} | {} | {} | {} |",
                d.start.line,
                d.start.column,
                d.severity,
                code(d.rule),
                cell(&object),
                cell(&d.message),
                cell(&d.help)
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}
