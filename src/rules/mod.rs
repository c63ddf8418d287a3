//! The rule engine: the `Rule` trait, the one static registry, and what a rule sees
//! (`Context`) and writes to (`Sink`).

pub mod context;
pub mod jobs;
pub mod k8s;
pub mod replicas;
pub mod selection;
pub mod selector_index;
pub mod traffic;

pub use context::Context;

use std::borrow::Cow;
use std::sync::LazyLock;

use crate::k8s::Object;
use crate::severity::Severity;
use crate::source::Span;

/// What a rule is: its contract with users.
pub struct RuleMeta {
    /// Kebab-case, names the hazard; a stable contract.
    pub id: &'static str,
    pub severity: Severity,
    /// One line for `zerodown rules`.
    pub summary: &'static str,
    /// `rules/<id>.md`, embedded.
    pub doc: &'static str,
}

pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>);
}

/// Every rule, in the order `zerodown rules` lists them: single-object rules first, then
/// the families that compare objects.
pub static RULES: LazyLock<Vec<&'static dyn Rule>> = LazyLock::new(|| {
    [k8s::ALL, selection::ALL, traffic::ALL, jobs::ALL]
        .into_iter()
        .flatten()
        .copied()
        .collect()
});

/// Declares a rule's `RuleMeta`, with its doc embedded from `rules/<id>.md`.
macro_rules! rule_meta {
    ($id:literal, $severity:ident, $summary:literal) => {
        crate::rules::RuleMeta {
            id: $id,
            severity: crate::severity::Severity::$severity,
            summary: $summary,
            doc: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", $id, ".md")),
        }
    };
}
pub(crate) use rule_meta;

pub fn find(id: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| r.meta().id == id)
}

pub fn ids() -> Vec<&'static str> {
    RULES.iter().map(|r| r.meta().id).collect()
}

/// Every rule zerodown has: the manifest rules, then the migration rules.
pub fn all_meta() -> impl Iterator<Item = &'static RuleMeta> {
    RULES
        .iter()
        .map(|r| r.meta())
        .chain(crate::sql::rules::SQL_RULES.iter().map(|r| r.meta()))
        .chain(crate::sql::trace::TRACE_RULES.iter().copied())
}

/// The first paragraph of a `## heading` section of a rule doc, on one line.
pub fn doc_section(doc: &str, heading: &str) -> Option<String> {
    let start = doc.find(&format!("\n## {heading}\n"))? + heading.len() + 5;
    let paragraph: Vec<&str> = doc[start..]
        .lines()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::trim)
        .collect();
    (!paragraph.is_empty()).then(|| paragraph.join(" "))
}

/// Of `rules`, those `config` leaves on: what a run reports on.
pub fn enabled(
    rules: impl Iterator<Item = &'static RuleMeta>,
    config: &crate::config::Config,
) -> Vec<&'static RuleMeta> {
    rules
        .filter(|m| config.level(m.id, m.severity) != crate::severity::Level::Off)
        .collect()
}

/// Where a rule's doc is published.
pub fn doc_uri(id: &str) -> String {
    format!("{}/rules/{id}", env!("CARGO_PKG_HOMEPAGE"))
}

/// The rule tables of the README, by group: single-object manifest rules, the manifest
/// rules that compare objects, the migration rules (lint, then trace).
pub fn groups() -> Vec<(&'static str, Vec<&'static RuleMeta>)> {
    let metas = |rules: &[&'static dyn Rule]| rules.iter().map(|r| r.meta()).collect::<Vec<_>>();
    let mut cross = metas(selection::ALL);
    cross.extend(metas(traffic::ALL));
    cross.extend(metas(jobs::ALL));
    let mut migrations: Vec<&'static RuleMeta> = crate::sql::rules::SQL_RULES
        .iter()
        .map(|r| r.meta())
        .collect();
    migrations.extend(crate::sql::trace::TRACE_RULES.iter().copied());
    vec![
        ("manifests", metas(k8s::ALL)),
        ("cross-object", cross),
        ("migrations", migrations),
    ]
}

/// A markdown table of rules: id (linked to its doc), default severity, summary.
pub fn markdown_table(rules: &[&RuleMeta]) -> String {
    let mut table = String::from("| id | severity | what it finds |\n|---|---|---|\n");
    for meta in rules {
        table.push_str(&format!(
            "| [`{}`](rules/{}.md) | {} | {} |\n",
            meta.id,
            meta.id,
            meta.severity,
            meta.summary.replace('|', "\\|")
        ));
    }
    table
}

pub fn all_ids() -> Vec<&'static str> {
    all_meta().map(|m| m.id).collect()
}

pub fn find_meta(id: &str) -> Option<&'static RuleMeta> {
    all_meta().find(|m| m.id == id)
}

/// Where a finding points.
#[derive(Debug, Clone)]
pub enum Target {
    /// A JSON pointer inside an object (relative to the object); `at_key` shows the key
    /// rather than its value.
    Object {
        object: usize,
        pointer: String,
        at_key: bool,
    },
    /// A byte span in a file, for findings outside any object (comments).
    File { file: usize, span: Span },
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub target: Target,
    pub message: String,
    /// Most rules' advice is a fixed sentence: borrowed, not copied into every finding.
    pub help: Cow<'static, str>,
}

/// Collects one rule's findings.
pub struct Sink<'a> {
    rule: &'static RuleMeta,
    findings: &'a mut Vec<Finding>,
}

impl<'a> Sink<'a> {
    pub fn new(rule: &'static RuleMeta, findings: &'a mut Vec<Finding>) -> Self {
        Sink { rule, findings }
    }

    fn push(&mut self, target: Target, message: String, help: Cow<'static, str>) {
        self.push_with_severity(self.rule.severity, target, message, help);
    }

    fn push_with_severity(
        &mut self,
        severity: Severity,
        target: Target,
        message: String,
        help: Cow<'static, str>,
    ) {
        self.findings.push(Finding {
            rule: self.rule.id,
            severity,
            target,
            message,
            help,
        });
    }

    /// A finding at the value under `pointer` (or its nearest existing ancestor).
    pub fn report(
        &mut self,
        object: &Object,
        pointer: impl Into<String>,
        message: String,
        help: impl Into<Cow<'static, str>>,
    ) {
        self.push(object_target(object, pointer, false), message, help.into());
    }

    /// Like `report`, for a rule whose findings differ in severity. A level set for the rule
    /// in the config still overrides it.
    pub fn report_with_severity(
        &mut self,
        severity: Severity,
        object: &Object,
        pointer: impl Into<String>,
        message: String,
        help: impl Into<Cow<'static, str>>,
    ) {
        let target = object_target(object, pointer, false);
        self.push_with_severity(severity, target, message, help.into());
    }

    /// A finding at the key of `pointer`.
    pub fn report_key(
        &mut self,
        object: &Object,
        pointer: impl Into<String>,
        message: String,
        help: impl Into<Cow<'static, str>>,
    ) {
        self.push(object_target(object, pointer, true), message, help.into());
    }

    pub fn report_span(
        &mut self,
        file: usize,
        span: Span,
        message: String,
        help: impl Into<Cow<'static, str>>,
    ) {
        self.push(Target::File { file, span }, message, help.into());
    }
}

fn object_target(object: &Object, pointer: impl Into<String>, at_key: bool) -> Target {
    Target::Object {
        object: object.index,
        pointer: pointer.into(),
        at_key,
    }
}
