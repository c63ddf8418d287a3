//! `--format json`, schema version 1 (DESIGN.md): stable field names; adding fields is fine,
//! renaming one is a breaking change.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::Report;

pub fn to_value(report: &Report<'_>) -> Value {
    let findings: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let object = d.object.map(|index| {
                let o = &report.workspace.objects[index];
                json!({
                    "apiVersion": o.api_version,
                    "kind": o.kind,
                    "name": o.name,
                    "namespace": o.namespace,
                })
            });
            json!({
                "rule": d.rule,
                "severity": d.severity,
                "message": d.message,
                "help": d.help,
                "file": report.file_name(d),
                "line": d.start.line,
                "column": d.start.column,
                "end_line": d.end.line,
                "end_column": d.end.column,
                "object": object,
                "pointer": d.pointer,
                "source": d.source,
            })
        })
        .collect();
    let s = &report.summary;
    json!({
        "version": 1,
        "findings": findings,
        "errors": report.workspace.errors,
        "summary": {
            "files": s.files,
            "objects": s.objects,
            "skipped_documents": s.skipped_documents,
            "errors": s.errors,
            "warnings": s.warnings,
            "infos": s.infos,
            "input_errors": report.workspace.errors.len(),
        },
    })
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(report))?;
    writeln!(out)
}
