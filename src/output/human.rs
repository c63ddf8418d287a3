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

/// The file's text under its name, borrowed: no copy per finding.
struct NamedText<'a> {
    name: &'a str,
    text: &'a str,
}

impl SourceCode for NamedText<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, miette::MietteError> {
        let contents = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            contents.data(),
            *contents.span(),
            contents.line(),
            contents.column(),
            contents.line_count(),
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
        let mut help = self.diagnostic.help.clone();
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

pub fn write(report: &Report<'_>, out: &mut dyn Write, color: bool) -> io::Result<()> {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_context_lines(1)
        .with_width(100);
    for diagnostic in report.diagnostics {
        let file = report.inputs.file(diagnostic.file);
        let rendered = Rendered {
            diagnostic,
            source: NamedText {
                name: &file.name,
                text: &file.text,
            },
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
