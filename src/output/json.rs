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
            let object = d
                .object
                .and_then(|index| report.inputs.object(index))
                .map(|o| {
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
    let mut value = json!({
        "version": 1,
        "findings": findings,
        "errors": report.inputs.errors(),
        "summary": report.summary.to_json(report.inputs.errors().len()),
    });
    if let Value::Object(members) = &mut value {
        for (key, extra) in &report.extra {
            members.insert((*key).to_string(), extra.clone());
        }
    }
    value
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(report))?;
    writeln!(out)
}
