//! `--format gitlab`: GitLab's code-quality report, a JSON array of issues (description,
//! check_name, fingerprint, severity, location.path relative to the repository root,
//! location.lines.begin), which GitLab shows in merge requests. Input errors are issues of
//! their own (`input-error`), so a file that cannot be read is not silently clean.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::{Report, paths};
use crate::input::InputError;
use crate::lint::Diagnostic;
use crate::severity::Severity;

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "info",
    }
}

fn issue(report: &Report<'_>, d: &Diagnostic) -> Value {
    json!({
        "type": "issue",
        "description": format!("{} ({})", d.message, d.rule),
        "check_name": d.rule,
        "fingerprint": report.fingerprint(d),
        "severity": severity(d.severity),
        "categories": ["Bug Risk"],
        "location": {
            "path": paths::repository_relative(report.file_name(d)),
            "lines": {"begin": d.start.line, "end": d.end.line},
        },
    })
}

fn input_error(error: &InputError) -> Value {
    let path = paths::repository_relative(&error.file);
    json!({
        "type": "issue",
        "description": error.message,
        "check_name": "input-error",
        "fingerprint": super::digest(&format!("input-error\0{path}\0{}", error.message)),
        "severity": "critical",
        "categories": ["Bug Risk"],
        "location": {"path": path, "lines": {"begin": error.line.max(1)}},
    })
}

/// The findings' issues, then the input errors', one value at a time as they are written.
pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let issues = super::Streamed(|| {
        let findings = report.diagnostics.iter().map(|d| issue(report, d));
        findings.chain(report.inputs.errors().iter().map(input_error))
    });
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}
