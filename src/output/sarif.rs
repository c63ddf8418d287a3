//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning reads it. The driver lists the
//! rules that ran with their docs as help; each finding is a result with a region in
//! Unicode code points (our columns) and a partial fingerprint that does not move with
//! unrelated lines; input errors are the invocation's tool execution notifications.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::{Report, paths};
use crate::rules::RuleMeta;
use crate::severity::Severity;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn rule(meta: &RuleMeta) -> Value {
    let full = crate::rules::doc_section(meta.doc, "What it finds")
        .unwrap_or_else(|| meta.summary.to_string());
    json!({
        "id": meta.id,
        "name": meta.id,
        "shortDescription": {"text": meta.summary},
        "fullDescription": {"text": full},
        "helpUri": crate::rules::doc_uri(meta.id),
        "help": {"text": meta.doc, "markdown": meta.doc},
        "defaultConfiguration": {"level": level(meta.severity)},
        "properties": {"tags": ["zero-downtime"]},
    })
}

fn location(file: &str) -> Value {
    json!({"uri": paths::repository_relative(file), "uriBaseId": "%SRCROOT%"})
}

pub fn to_value(report: &Report<'_>) -> Value {
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let mut result = json!({
                "ruleId": d.rule,
                "level": level(d.severity),
                "message": {"text": format!("{}\n{}", d.message, d.help)},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": location(report.file_name(d)),
                        "region": {
                            "startLine": d.start.line,
                            "startColumn": d.start.column,
                            "endLine": d.end.line,
                            "endColumn": d.end.column.max(1),
                        },
                    },
                }],
                "partialFingerprints": {"zerodown/v1": report.fingerprint(d)},
            });
            if let Some(index) = report.rules.iter().position(|m| m.id == d.rule) {
                result["ruleIndex"] = json!(index);
            }
            if let Some(object) = report.object_of(d) {
                let name = match &object.namespace {
                    Some(ns) => format!("{}/{ns}/{}", object.kind, object.name),
                    None => format!("{}/{}", object.kind, object.name),
                };
                result["locations"][0]["logicalLocations"] = json!([{
                    "name": object.name,
                    "fullyQualifiedName": name,
                    "kind": "object",
                }]);
            }
            result
        })
        .collect();
    let notifications: Vec<Value> = report
        .inputs
        .errors()
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": {"text": e.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": location(&e.file),
                    "region": {"startLine": e.line.max(1), "startColumn": e.column.max(1)},
                }}],
            })
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "zerodown",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_HOMEPAGE"),
                "rules": report.rules.iter().map(|m| rule(m)).collect::<Vec<_>>(),
            }},
            "invocations": [{
                "executionSuccessful": report.inputs.errors().is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "originalUriBaseIds": {"%SRCROOT%": {"uri": paths::root_uri()}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(report))?;
    writeln!(out)
}
