//! Output formats for `lint`. Each writes the whole report to a writer; input errors also go
//! to stderr in every format (see `crate::run`).

mod github;
mod human;
mod json;

use std::io::{self, Write};

use crate::lint::{Diagnostic, Summary};
use crate::workspace::Workspace;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Github,
}

pub struct Report<'a> {
    pub workspace: &'a Workspace,
    pub diagnostics: &'a [Diagnostic],
    pub summary: Summary,
}

impl Report<'_> {
    pub fn file_name(&self, diagnostic: &Diagnostic) -> &str {
        &self.workspace.files[diagnostic.file].source.name
    }
}

pub fn write(
    format: Format,
    report: &Report<'_>,
    out: &mut dyn Write,
    color: bool,
) -> io::Result<()> {
    match format {
        Format::Human => human::write(report, out, color),
        Format::Json => json::write(report, out),
        Format::Github => github::write(report, out),
    }
}
