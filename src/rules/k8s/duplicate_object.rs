use super::rule_meta;
use crate::rules::{Context, Rule, RuleMeta, Sink};

pub struct DuplicateObject;

static META: RuleMeta = rule_meta!(
    "duplicate-object",
    Error,
    "the same object twice in one file or stream: `kubectl apply` keeps the last, the first never takes effect"
);

impl Rule for DuplicateObject {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            let Some(later) = context.replaced_by(object) else {
                continue;
            };
            let file = &context.files[later.file];
            let text = &file.source.text;
            let name_at = file.documents[later.doc].spans.locate(
                text,
                &format!("{}/metadata/name", later.base),
                false,
            );
            let position = file.source.position(name_at.span.start as usize);
            sink.report(
                object,
                "/metadata/name",
                format!(
                    "{} (namespace `{}`) is defined again at {}:{}:{}: `kubectl apply` keeps \
                     that one, so this definition never takes effect, and the other rules judge \
                     only the last",
                    object.display_name(),
                    context.namespace(object),
                    file.source.name,
                    position.line,
                    position.column
                ),
                "keep one definition: delete or rename this one (for variants per environment, \
                 put each in its own folder, or use kustomize overlays)",
            );
        }
    }
}
