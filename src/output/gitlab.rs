//! `--format gitlab`: GitLab's code-quality report, a JSON array of issues (description,
//! check_name, fingerprint, severity, location.path relative to the repository root,
//! location.lines.begin), which GitLab shows in merge requests. Input errors are issues of
//! their own (`input-error`), so a file that cannot be read is not silently clean.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::{Report, paths};
use crate::severity::Severity;

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "info",
    }
}

pub fn to_value(report: &Report<'_>) -> Value {
    let mut issues: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
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
        })
        .collect();
    for error in report.inputs.errors() {
        let path = paths::repository_relative(&error.file);
        issues.push(json!({
            "type": "issue",
            "description": error.message,
            "check_name": "input-error",
            "fingerprint": super::digest(&format!("input-error\0{path}\0{}", error.message)),
            "severity": "critical",
            "categories": ["Bug Risk"],
            "location": {"path": path, "lines": {"begin": error.line.max(1)}},
        }));
    }
    Value::Array(issues)
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(report))?;
    writeln!(out)
}
