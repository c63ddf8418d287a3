//! `--format json`, schema version 1 (DESIGN.md): stable field names; adding fields is fine,
//! renaming one is a breaking change.

use std::io::{self, Write};

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::Report;
use crate::lint::Diagnostic;
use crate::severity::Severity;

/// One finding as the JSON report lists it, borrowed from the diagnostic: serialised
/// straight to the output with no intermediate `Value` (field order is the output order).
#[derive(Serialize)]
struct Finding<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    help: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    object: Option<ObjectRef<'a>>,
    pointer: Option<&'a str>,
    source: Option<&'a str>,
}

#[derive(Serialize)]
struct ObjectRef<'a> {
    #[serde(rename = "apiVersion")]
    api_version: &'a str,
    kind: &'a str,
    name: &'a str,
    namespace: Option<&'a str>,
}

fn finding<'a>(report: &'a Report<'_>, d: &'a Diagnostic) -> Finding<'a> {
    let object = d
        .object
        .and_then(|index| report.inputs.object(index))
        .map(|o| ObjectRef {
            api_version: &o.api_version,
            kind: &o.kind,
            name: &o.name,
            namespace: o.namespace.as_deref(),
        });
    Finding {
        rule: d.rule,
        severity: d.severity,
        message: &d.message,
        help: &d.help,
        file: report.file_name(d),
        line: d.start.line,
        column: d.start.column,
        end_line: d.end.line,
        end_column: d.end.column,
        object,
        pointer: d.pointer.as_deref(),
        source: d.source.as_deref(),
    }
}

/// The whole report, serialised as it is written: one finding's value at a time, so a run
/// with a hundred thousand findings never holds them all as JSON values.
struct Document<'r>(&'r Report<'r>);

impl Serialize for Document<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let report = self.0;
        let mut members = serializer.serialize_map(None)?;
        members.serialize_entry("version", &1)?;
        members.serialize_entry(
            "findings",
            &super::Streamed(|| report.diagnostics.iter().map(|d| finding(report, d))),
        )?;
        members.serialize_entry("errors", report.inputs.errors())?;
        members.serialize_entry(
            "summary",
            &report.summary.to_json(report.inputs.errors().len()),
        )?;
        for (key, extra) in &report.extra {
            members.serialize_entry(key, extra)?;
        }
        members.end()
    }
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &Document(report))?;
    writeln!(out)
}
