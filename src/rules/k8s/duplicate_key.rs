use super::rule_meta;
use crate::rules::{Context, Rule, RuleMeta, Sink};

pub struct DuplicateKey;

static META: RuleMeta = rule_meta!(
    "duplicate-key",
    Error,
    "a key appears twice in one mapping: kubectl rejects the document, other tools keep one"
);

impl Rule for DuplicateKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            let source = &context.files[object.file].source;
            for duplicate in &object.duplicate_keys {
                let first = source.position(duplicate.first_span.start as usize);
                let pointer = duplicate
                    .pointer
                    .strip_prefix(object.base.as_str())
                    .unwrap_or(&duplicate.pointer);
                sink.report_key(
                    object,
                    pointer.to_string(),
                    format!(
                        "key `{}` is already set on line {} of this mapping",
                        duplicate.key, first.line
                    ),
                    "keep one of the two: kubectl refuses the document (`mapping key already \
                     defined`), while other YAML readers silently keep one value, so what \
                     runs depends on the tool",
                );
            }
        }
    }
}
