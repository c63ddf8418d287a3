//! The default output: each finding as `path:line:col`, the snippet with the span underlined
//! (rendered by miette), the message and the help; then a summary line.

use std::fmt;
use std::io::{self, Write};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteSpanContents, SourceCode,
    SourceSpan, SpanContents,
};

use super::Report;
use crate::lint::Diagnostic;
use crate::severity::Severity;

/// The file under its name, borrowed: no copy per finding. Spans are read with the file's
/// line index (not by scanning from byte 0 as miette's `str` source does), and the column
/// miette prints in the frame header counts characters, as every other format does.
struct NamedText<'a> {
    file: &'a crate::source::SourceFile,
    /// The text miette renders: the file's, or a copy whose lone `\r` line breaks are `\n`
    /// (same length, so every span still fits), since miette's renderer breaks lines at
    /// `\n` only and would print a raw carriage return.
    shown: &'a str,
}

impl SourceCode for NamedText<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, miette::MietteError> {
        let file = self.file;
        let text = self.shown;
        let start = span.offset();
        let end = start + span.len();
        if end > text.len() {
            return Err(miette::MietteError::OutOfBounds);
        }
        let first = file.line_index(start);
        let last = file.line_index(end.saturating_sub(1).max(start));
        let (data_start, line, column) = if context_lines_before == 0 {
            let column = text[file.line_start(first)..start].chars().count();
            (start, first, column)
        } else {
            let line = first.saturating_sub(context_lines_before);
            (file.line_start(line), line, 0)
        };
        let data_end = if context_lines_after == 0 {
            end
        } else {
            file.line_start(last + context_lines_after + 1)
        };
        let line_count = file.line_index(data_end.saturating_sub(1).max(data_start)) - line + 1;
        Ok(Box::new(MietteSpanContents::new_named(
            file.name.clone(),
            &text.as_bytes()[data_start..data_end],
            SourceSpan::new(data_start.into(), data_end - data_start),
            line,
            column,
            line_count,
        )))
    }
}

struct Rendered<'a> {
    diagnostic: &'a Diagnostic,
    source: NamedText<'a>,
    location: String,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}[{}] {}",
            self.location, self.diagnostic.severity, self.diagnostic.rule, self.diagnostic.message
        )
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let mut help = self.diagnostic.help.to_string();
        if let Some(source) = &self.diagnostic.source {
            help.push_str(&format!("\n(rendered from {source})"));
        }
        help.push_str(&format!(
            "\nsee `zerodown explain {}`",
            self.diagnostic.rule
        ));
        Some(Box::new(help))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.diagnostic.span;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            None,
            SourceSpan::new(
                (span.start as usize).into(),
                (span.end - span.start) as usize,
            ),
        ))))
    }
}

/// `text` with every `\r` not followed by `\n` made a `\n`.
fn lone_cr_as_lf(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(if c == '\r' && chars.peek() != Some(&'\n') {
            '\n'
        } else {
            c
        });
    }
    out
}

pub fn write(report: &Report<'_>, out: &mut dyn Write, color: bool) -> io::Result<()> {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_context_lines(1)
        .with_width(100);
    // Per file, once (not per finding: a large stream has thousands): the copy with lone
    // carriage returns made line feeds, when the file has any.
    let mut shown: std::collections::HashMap<usize, Option<String>> =
        std::collections::HashMap::new();
    for diagnostic in report.diagnostics {
        let file = report.inputs.file(diagnostic.file);
        let text: &str = shown
            .entry(diagnostic.file)
            .or_insert_with(|| file.text.contains('\r').then(|| lone_cr_as_lf(&file.text)))
            .as_deref()
            .unwrap_or(&file.text);
        let rendered = Rendered {
            diagnostic,
            source: NamedText { file, shown: text },
            location: format!(
                "{}:{}:{}",
                file.name, diagnostic.start.line, diagnostic.start.column
            ),
        };
        let mut text = String::new();
        handler
            .render_report(&mut text, &rendered)
            .map_err(|e| io::Error::other(e.to_string()))?;
        writeln!(out, "{text}")?;
    }
    writeln!(out, "{}", report.summary.line())
}
