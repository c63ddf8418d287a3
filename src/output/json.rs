//! `--format json`, schema version 1 (DESIGN.md): stable field names; adding fields is fine,
//! renaming one is a breaking change.

use std::io::{self, Write};

use serde::Serialize;

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

/// Findings per piece serialised on one thread, and pieces per batch: a batch's text (about
/// 3 MB on a large run) is all that is held at once, written in order before the next.
const PIECE: usize = 512;
const PIECES_PER_BATCH: usize = 8;

/// The whole report, formatted as `serde_json::to_writer_pretty` formats the document
/// `{version, findings, errors, summary, …extra}`, byte for byte (the JSON schema is a
/// contract). Written member by member so that the findings, nearly all of a large report,
/// are serialised on the cores: each at depth 0, then indented to its depth (serde_json
/// escapes every line break inside a string, so each `\n` of its text starts a line).
pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(b"{\n  \"version\": 1,\n  \"findings\": ")?;
    write_findings(report, out)?;
    out.write_all(b",\n  \"errors\": ")?;
    write_member(out, &report.inputs.errors())?;
    out.write_all(b",\n  \"summary\": ")?;
    write_member(out, &report.summary.to_json(report.inputs.errors().len()))?;
    for (key, extra) in &report.extra {
        out.write_all(b",\n  ")?;
        serde_json::to_writer(&mut *out, key)?;
        out.write_all(b": ")?;
        write_member(out, extra)?;
    }
    out.write_all(b"\n}\n")
}

/// A member's value, at depth 1.
fn write_member(out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    let text = serde_json::to_vec_pretty(value)?;
    write_indented(out, &text, b"  ")
}

/// `text` with `indent` after each line break.
fn write_indented(out: &mut (impl Write + ?Sized), text: &[u8], indent: &[u8]) -> io::Result<()> {
    let mut start = 0;
    for newline in memchr::memchr_iter(b'\n', text) {
        out.write_all(&text[start..=newline])?;
        out.write_all(indent)?;
        start = newline + 1;
    }
    out.write_all(&text[start..])
}

fn write_findings(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    if report.diagnostics.is_empty() {
        return out.write_all(b"[]");
    }
    out.write_all(b"[")?;
    let batches = report.diagnostics.chunks(PIECE * PIECES_PER_BATCH);
    for (batch_index, batch) in batches.enumerate() {
        // Borrowed from the report on this thread (its inputs need not be `Sync`), then
        // serialised on the cores.
        let findings: Vec<Finding<'_>> = batch.iter().map(|d| finding(report, d)).collect();
        let pieces: Vec<(usize, &[Finding<'_>])> = findings.chunks(PIECE).enumerate().collect();
        let texts = crate::parallel::map(pieces, batch.len() > PIECE, |(piece_index, piece)| {
            serialise_piece(piece, batch_index == 0 && piece_index == 0)
        });
        for text in texts {
            out.write_all(&text?)?;
        }
    }
    out.write_all(b"\n  ]")
}

/// Each finding as an element of the findings array: a separator (none before the very
/// first), a line break, and the finding at depth 2.
fn serialise_piece(piece: &[Finding<'_>], first: bool) -> io::Result<Vec<u8>> {
    let mut text = Vec::with_capacity(piece.len() * 1024);
    let mut scratch = Vec::with_capacity(2048);
    for (i, finding) in piece.iter().enumerate() {
        text.extend_from_slice(if first && i == 0 {
            b"\n    "
        } else {
            b",\n    "
        });
        scratch.clear();
        serde_json::to_writer_pretty(&mut scratch, finding)?;
        write_indented(&mut text, &scratch, b"    ")?;
    }
    Ok(text)
}
