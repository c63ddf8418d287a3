//! Output formats shared by `lint` and `migrate lint`. Each writes the whole report to a
//! writer; input errors also go to stderr in every format (see `commands::finish`).

mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod markdown;
pub(crate) use markdown::cell as markdown_cell;
pub mod paths;
mod sarif;

use std::io::{self, Write};

use crate::input::InputError;
use crate::k8s::Object;
use crate::lint::{Diagnostic, Summary};
use crate::rules::RuleMeta;
use crate::severity::Severity;
use crate::source::SourceFile;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    /// GitHub Actions workflow commands (annotations on the PR's files).
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitLab's code-quality report (a JSON array).
    Gitlab,
    /// JUnit XML: one test case per object (or migration) and rule that ran.
    Junit,
    /// A summary table and the findings by file, for `$GITHUB_STEP_SUMMARY` and PR comments.
    Markdown,
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
    /// What the rules looked at, each a JUnit test case per rule: the objects of a manifest
    /// run, the migration files of a migration run.
    fn subjects(&self) -> Vec<Subject>;
}

/// One thing the rules checked.
pub struct Subject {
    /// `Kind/namespace/name`, or the migration file's name.
    pub name: String,
    pub file: usize,
    /// The object index, for manifest runs; findings of a migration run match by file.
    pub object: Option<usize>,
}

pub struct Report<'a> {
    pub inputs: &'a dyn Inputs,
    pub diagnostics: &'a [Diagnostic],
    pub summary: Summary,
    /// Extra top-level JSON members a command adds (`migrate trace` adds `trace`).
    pub extra: Vec<(&'static str, serde_json::Value)>,
    /// The rules that ran (SARIF lists them, JUnit has a case per rule and subject).
    pub rules: Vec<&'static RuleMeta>,
    /// The severity from which a finding fails the run (`--fail-on`): JUnit fails those.
    pub threshold: Severity,
}

impl<'a> Report<'a> {
    pub fn new(inputs: &'a dyn Inputs, diagnostics: &'a [Diagnostic], summary: Summary) -> Self {
        Report {
            inputs,
            diagnostics,
            summary,
            extra: Vec::new(),
            rules: Vec::new(),
            threshold: Severity::Error,
        }
    }

    /// The same report, saying which rules ran.
    pub fn with_rules(mut self, rules: Vec<&'static RuleMeta>) -> Self {
        self.rules = rules;
        self
    }

    /// The object a diagnostic is about, when it has one.
    pub fn object_of(&self, diagnostic: &Diagnostic) -> Option<&Object> {
        diagnostic.object.and_then(|i| self.inputs.object(i))
    }

    /// A fingerprint that stays the same when unrelated lines move: the rule, the file as
    /// the repository names it, and the object and field (or, without an object, the
    /// message and the text the finding covers), hashed.
    pub fn fingerprint(&self, diagnostic: &Diagnostic) -> String {
        let file = self.inputs.file(diagnostic.file);
        let place = match self.object_of(diagnostic) {
            Some(o) => format!(
                "{}/{}/{}/{}#{}",
                o.api_version,
                o.kind,
                o.namespace.as_deref().unwrap_or(""),
                o.name,
                diagnostic.pointer.as_deref().unwrap_or("")
            ),
            None => {
                let covered = file
                    .text
                    .get(diagnostic.span.start as usize..diagnostic.span.end as usize)
                    .unwrap_or("");
                format!(
                    "{}#{}",
                    diagnostic.message,
                    covered.split_whitespace().collect::<Vec<_>>().join(" ")
                )
            }
        };
        digest(&format!(
            "{}\0{}\0{place}",
            diagnostic.rule,
            paths::repository_relative(&file.name)
        ))
    }

    pub fn file_name(&self, diagnostic: &Diagnostic) -> &str {
        &self.inputs.file(diagnostic.file).name
    }
}

/// A short stable hash of `key` (the first 128 bits of its SHA-256, in hex).
pub fn digest(key: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(key.as_bytes())
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A JSON array serialised from an iterator as it is written, so no list of values is
/// built first; `items` is called once.
pub struct Streamed<F>(pub F);

impl<F, I> serde::Serialize for Streamed<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: serde::Serialize,
{
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq((self.0)())
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
        Format::Sarif => sarif::write(report, out),
        Format::Gitlab => gitlab::write(report, out),
        Format::Junit => junit::write(report, out),
        Format::Markdown => markdown::write(report, out),
    }
}
