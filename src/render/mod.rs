//! `zerodown render`: one app spec in, a complete multi-document stream out. The plan
//! decides which objects exist, the templates how they look, and the result is read back
//! with the lint pipeline so a broken template or an unsafe object never leaves the tool.

pub mod init;
pub mod out;
pub mod plan;
pub mod spec;
pub mod templates;

use std::path::PathBuf;

use serde_json::Value;

use crate::config::Config;
use crate::lint::Diagnostic;
use crate::pointer::ValuePointer;
use crate::source::SourceFile;
use crate::workspace::Workspace;

/// The name the rendered stream has in lint findings.
pub const RENDERED_NAME: &str = "<rendered>";

/// One object of the rendered stream.
#[derive(Debug, Clone)]
pub struct RenderedObject {
    pub kind: String,
    pub name: String,
    /// The document, without its `---` line, ending in a newline.
    pub text: String,
}

#[derive(Debug)]
pub struct Rendered {
    pub objects: Vec<RenderedObject>,
    pub notices: Vec<String>,
}

impl Rendered {
    /// The multi-document stream: each object after a `---` line.
    pub fn stream(&self) -> String {
        let mut text = String::new();
        for object in &self.objects {
            text.push_str("---\n");
            text.push_str(&object.text);
        }
        text
    }
}

pub struct Options {
    /// A folder whose templates replace the embedded ones of the same name.
    pub templates: Option<PathBuf>,
    pub config: Config,
}

/// Renders a checked spec. Errors are template errors (only possible with `--templates`, or
/// a bug) and output that is not YAML.
pub fn render(spec: &spec::AppSpec, options: &Options) -> Result<Rendered, String> {
    let plan = plan::plan(spec, options.config.kubernetes_version);
    let env = templates::environment(options.templates.clone());
    let template = env
        .get_template(templates::ENTRY)
        .map_err(|e| template_error(&e))?;
    let text = template
        .render(minijinja::Value::from_serialize(&plan.context))
        .map_err(|e| template_error(&e))?;
    let objects = split_objects(&text)?;
    Ok(Rendered {
        objects,
        notices: plan.notices,
    })
}

/// A minijinja error with its template, line and the chain of causes.
fn template_error(error: &minijinja::Error) -> String {
    let mut message = match (error.name(), error.line()) {
        (Some(name), Some(line)) => format!("templates/{name}:{line}: {error}"),
        _ => error.to_string(),
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    message
}

/// Splits the rendered stream into objects, dropping empty documents and blank lines that
/// template control flow leaves behind.
fn split_objects(text: &str) -> Result<Vec<RenderedObject>, String> {
    let (documents, errors) = crate::yaml::load(text);
    if let Some(error) = errors.first() {
        let source = SourceFile::new(RENDERED_NAME, text.to_string());
        let position = source.position(error.offset);
        let line = source.line_text(position.line).unwrap_or("");
        return Err(format!(
            "the templates produced invalid YAML at line {} of the output: {}\n  | {line}",
            position.line, error.message
        ));
    }
    let mut objects = Vec::new();
    for document in documents {
        if document.value.is_null() {
            continue;
        }
        let field = |pointer: &str| {
            document
                .value
                .at(pointer)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let chunk = &text[document.chunk.range()];
        // Only the separator and the blank lines around the document go: a blank line inside
        // it may belong to a block scalar (a ConfigMap's `data: |`) and is content.
        let lines: Vec<&str> = chunk
            .lines()
            .filter(|line| line.trim_end() != "---")
            .collect();
        let first = lines.iter().position(|l| !l.trim().is_empty()).unwrap_or(0);
        let last = lines
            .iter()
            .rposition(|l| !l.trim().is_empty())
            .map_or(0, |i| i + 1);
        let body: String = lines[first..last.max(first)]
            .iter()
            .map(|line| format!("{line}\n"))
            .collect();
        objects.push(RenderedObject {
            kind: field("/kind"),
            name: field("/metadata/name"),
            text: body,
        });
    }
    Ok(objects)
}

/// Lints the rendered stream with every rule, as `zerodown lint` would.
pub fn lint(rendered: &Rendered, config: &Config) -> (Workspace, Vec<Diagnostic>) {
    crate::lint_sources(
        vec![SourceFile::new(RENDERED_NAME, rendered.stream())],
        config,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitting_keeps_blank_lines_inside_a_document() {
        let text = "\n---\n\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  nginx.conf: |\n    a\n\n    b\n\n---\n---\nkind: Service\n";
        let objects = split_objects(text).unwrap();
        assert_eq!(objects.len(), 2);
        assert_eq!(
            objects[0].text,
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  nginx.conf: |\n    a\n\n    b\n"
        );
        assert_eq!(
            (objects[1].kind.as_str(), objects[1].text.as_str()),
            ("Service", "kind: Service\n")
        );
    }
}
