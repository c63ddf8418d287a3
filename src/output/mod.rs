//! Output formats shared by `lint` and `migrate lint`. Each writes the whole report to a
//! writer; input errors also go to stderr in every format (see `commands::finish`).

mod github;
mod human;
mod json;

use std::io::{self, Write};

use crate::input::InputError;
use crate::k8s::Object;
use crate::lint::{Diagnostic, Summary};
use crate::source::SourceFile;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Github,
}

/// What a report needs of the inputs a run read, whatever their kind (manifests or SQL
/// migrations): the files diagnostics point into, and the objects some of them are about.
pub trait Inputs {
    fn file(&self, index: usize) -> &SourceFile;
    /// The Kubernetes object a diagnostic names (manifest runs only).
    fn object(&self, _index: usize) -> Option<&Object> {
        None
    }
    fn errors(&self) -> &[InputError];
}

pub struct Report<'a> {
    pub inputs: &'a dyn Inputs,
    pub diagnostics: &'a [Diagnostic],
    pub summary: Summary,
    /// Extra top-level JSON members a command adds (`migrate trace` adds `trace`).
    pub extra: Vec<(&'static str, serde_json::Value)>,
}

impl<'a> Report<'a> {
    pub fn new(inputs: &'a dyn Inputs, diagnostics: &'a [Diagnostic], summary: Summary) -> Self {
        Report {
            inputs,
            diagnostics,
            summary,
            extra: Vec::new(),
        }
    }

    pub fn file_name(&self, diagnostic: &Diagnostic) -> &str {
        &self.inputs.file(diagnostic.file).name
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
