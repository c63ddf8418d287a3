//! Runs the rules over a workspace and turns findings into located, filtered, sorted
//! diagnostics.

use std::borrow::Cow;

use crate::config::Config;
use crate::rules::{Context, Finding, RULES, Sink, Target};
use crate::severity::{Level, Severity};
use crate::source::{Position, Span};
use crate::suppress;
use crate::workspace::Workspace;

/// A finding with its place in a file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub help: Cow<'static, str>,
    pub file: usize,
    pub span: Span,
    pub start: Position,
    pub end: Position,
    /// The object the finding is about, when there is one.
    pub object: Option<usize>,
    /// The JSON pointer inside the document.
    pub pointer: Option<String>,
    /// Helm's `# Source:` template path of the document.
    pub source: Option<String>,
}

pub fn lint(workspace: &Workspace, config: &Config) -> Vec<Diagnostic> {
    let context = Context::new(&workspace.objects, &workspace.files, config);
    let parallel = workspace
        .files
        .iter()
        .map(|f| f.source.text.len())
        .sum::<usize>()
        >= crate::parallel::PARALLEL_BYTES;
    let timings = std::env::var_os(RULE_TIMINGS).is_some();
    // Rules only read the context: they run side by side, each into its own list, and the
    // lists are joined in registry order, so the result does not depend on the threads.
    let per_rule = crate::parallel::map_ref(RULES.as_slice(), parallel, |rule| {
        let meta = rule.meta();
        let Level::On(severity) = config.level(meta.id, meta.severity) else {
            return Vec::new();
        };
        let started = std::time::Instant::now();
        let mut findings = Vec::new();
        rule.check(&context, &mut Sink::new(meta, &mut findings));
        if timings {
            eprintln!(
                "rule-timing {:>10.3} ms {:>7} findings  {}",
                started.elapsed().as_secs_f64() * 1000.0,
                findings.len(),
                meta.id
            );
        }
        // A level set in the config wins; otherwise each finding keeps the severity the
        // rule gave it (the rule's default unless it chose one per finding).
        if config.levels.contains_key(meta.id) {
            for finding in &mut findings {
                finding.severity = severity;
            }
        }
        findings
    });
    let findings: Vec<Finding> = per_rule.into_iter().flatten().collect();
    let commented = crate::parallel::map_ref(&workspace.files, parallel, |file| {
        suppress::mentions_comment_marker(&file.source.text)
    });
    let mut diagnostics: Vec<Diagnostic> =
        crate::parallel::map(findings, parallel, |finding| locate(workspace, finding))
            .into_iter()
            .filter(|diagnostic| !is_suppressed(workspace, &commented, diagnostic))
            .collect();
    order(&mut diagnostics, &|file| {
        workspace.files[file].source.name.as_str()
    });
    diagnostics
}

/// Set (to anything) in the environment, each rule's time and finding count go to stderr:
/// what `bench/` reads to show every rule's scaling curve.
pub const RULE_TIMINGS: &str = "ZERODOWN_RULE_TIMINGS";

/// The output order (DESIGN: by file, line, column, rule), one copy of each finding.
/// `file_name` names a diagnostic's file index.
pub fn order<'a>(diagnostics: &mut Vec<Diagnostic>, file_name: &dyn Fn(usize) -> &'a str) {
    diagnostics.sort_by(|a, b| {
        (file_name(a.file), a.start, a.rule, &a.message).cmp(&(
            file_name(b.file),
            b.start,
            b.rule,
            &b.message,
        ))
    });
    diagnostics.dedup_by(|a, b| {
        a.file == b.file && a.span == b.span && a.rule == b.rule && a.message == b.message
    });
}

fn locate(workspace: &Workspace, finding: Finding) -> Diagnostic {
    let (file, span, object, pointer, source) = match finding.target {
        Target::Object {
            object,
            pointer,
            at_key,
        } => {
            let obj = &workspace.objects[object];
            let file = &workspace.files[obj.file];
            let document = &file.documents[obj.doc];
            let full_pointer = format!("{}{pointer}", obj.base);
            let located = document
                .spans
                .locate(&file.source.text, &full_pointer, at_key);
            (
                obj.file,
                located.span,
                Some(object),
                Some(full_pointer),
                document.helm_source.clone(),
            )
        }
        Target::File { file, span } => (file, span, None, None, None),
    };
    let text = &workspace.files[file].source;
    Diagnostic {
        rule: finding.rule,
        severity: finding.severity,
        message: finding.message,
        help: finding.help,
        file,
        span,
        start: text.position(span.start as usize),
        end: text.position(span.end as usize),
        object,
        pointer,
        source,
    }
}

/// `commented`: per file, whether it holds an ignore comment at all.
fn is_suppressed(workspace: &Workspace, commented: &[bool], diagnostic: &Diagnostic) -> bool {
    let by_annotation = diagnostic.object.is_some_and(|index| {
        workspace.objects[index]
            .annotation(suppress::ANNOTATION)
            .is_some_and(|list| {
                suppress::parse_ids(list)
                    .iter()
                    .any(|(id, _)| *id == diagnostic.rule)
            })
    });
    by_annotation
        || commented[diagnostic.file]
            && suppress::ignored_by_comment(
                &workspace.files[diagnostic.file].source,
                diagnostic.start.line,
                diagnostic.rule,
            )
}

/// Counts for the summary line and the JSON `summary`.
#[derive(Debug, Clone)]
pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub units: Units,
}

/// What a run counted inside its files, by kind of input.
#[derive(Debug, Clone)]
pub enum Units {
    Manifests {
        objects: usize,
        skipped_documents: usize,
    },
    Migrations {
        migrations: usize,
        statements: usize,
    },
}

impl Summary {
    pub fn new(workspace: &Workspace, diagnostics: &[Diagnostic]) -> Summary {
        Summary::counting(
            workspace.files.len(),
            Units::Manifests {
                objects: workspace.objects.len(),
                skipped_documents: workspace.skipped_documents,
            },
            diagnostics,
        )
    }

    pub fn counting(files: usize, units: Units, diagnostics: &[Diagnostic]) -> Summary {
        let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
        Summary {
            files,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            units,
        }
    }

    /// `2 errors, 1 warning, 0 infos in 3 files (5 objects, 0 documents skipped)`.
    pub fn line(&self) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let units = match self.units {
            Units::Manifests {
                objects,
                skipped_documents,
            } => format!(
                "{}, {} skipped",
                plural(objects, "object"),
                plural(skipped_documents, "document")
            ),
            Units::Migrations {
                migrations,
                statements,
            } => format!(
                "{}, {}",
                plural(migrations, "migration"),
                plural(statements, "statement")
            ),
        };
        format!(
            "{}, {}, {} in {} ({units})",
            plural(self.errors, "error"),
            plural(self.warnings, "warning"),
            plural(self.infos, "info"),
            plural(self.files, "file"),
        )
    }

    /// The JSON `summary` member (field order is part of the stable output).
    pub fn to_json(&self, input_errors: usize) -> serde_json::Value {
        let mut members = serde_json::Map::new();
        members.insert("files".into(), self.files.into());
        match self.units {
            Units::Manifests {
                objects,
                skipped_documents,
            } => {
                members.insert("objects".into(), objects.into());
                members.insert("skipped_documents".into(), skipped_documents.into());
            }
            Units::Migrations {
                migrations,
                statements,
            } => {
                members.insert("migrations".into(), migrations.into());
                members.insert("statements".into(), statements.into());
            }
        }
        members.insert("errors".into(), self.errors.into());
        members.insert("warnings".into(), self.warnings.into());
        members.insert("infos".into(), self.infos.into());
        members.insert("input_errors".into(), input_errors.into());
        serde_json::Value::Object(members)
    }
}
