//! Runs the rules over a workspace and turns findings into located, filtered, sorted
//! diagnostics.

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
    pub help: String,
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
    let mut findings = Vec::new();
    for rule in RULES.iter() {
        let meta = rule.meta();
        let Level::On(severity) = config.level(meta.id, meta.severity) else {
            continue;
        };
        let first = findings.len();
        rule.check(&context, &mut Sink::new(meta, &mut findings));
        // A level set in the config wins; otherwise each finding keeps the severity the
        // rule gave it (the rule's default unless it chose one per finding).
        if config.levels.contains_key(meta.id) {
            for finding in &mut findings[first..] {
                finding.severity = severity;
            }
        }
    }
    let mut diagnostics: Vec<Diagnostic> = findings
        .into_iter()
        .map(|finding| locate(workspace, finding))
        .filter(|diagnostic| !is_suppressed(workspace, diagnostic))
        .collect();
    diagnostics.sort_by(|a, b| {
        let name = |d: &Diagnostic| workspace.files[d.file].source.name.as_str();
        (name(a), a.start, a.rule, &a.message).cmp(&(name(b), b.start, b.rule, &b.message))
    });
    diagnostics.dedup_by(|a, b| {
        a.file == b.file && a.span == b.span && a.rule == b.rule && a.message == b.message
    });
    diagnostics
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

fn is_suppressed(workspace: &Workspace, diagnostic: &Diagnostic) -> bool {
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
        || suppress::ignored_by_comment(
            &workspace.files[diagnostic.file].source,
            diagnostic.start.line,
            diagnostic.rule,
        )
}

/// Counts for the summary line and the JSON `summary`.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub objects: usize,
    pub skipped_documents: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    pub fn new(workspace: &Workspace, diagnostics: &[Diagnostic]) -> Summary {
        let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
        Summary {
            files: workspace.files.len(),
            objects: workspace.objects.len(),
            skipped_documents: workspace.skipped_documents,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
        }
    }
}
