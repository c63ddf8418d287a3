use super::rule_meta;
use crate::rules::{Context, Rule, RuleMeta, Sink};

pub struct InvalidManifest;

static META: RuleMeta = rule_meta!(
    "invalid-manifest",
    Error,
    "a value of the wrong type or a missing required field: the API server rejects the object"
);

/// serde speaks Rust (`expected i32`); users read Kubernetes types.
fn plain_types(message: &str) -> String {
    message
        .replace("expected i32", "expected an integer")
        .replace("expected i64", "expected an integer")
        .replace("expected u16", "expected an integer")
        .replace("expected f64", "expected a number")
        .replace("expected a borrowed string", "expected a string")
        .replace("expected a sequence", "expected a list")
        .replace("invalid type: map", "invalid type: a mapping")
        .replace("invalid type: sequence", "invalid type: a list")
}

impl Rule for InvalidManifest {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            for invalid in &object.invalid {
                sink.report(
                    object,
                    invalid.pointer.clone(),
                    format!(
                        "{}: {}",
                        object.display_name(),
                        plain_types(&invalid.message)
                    ),
                    "fix the value to the type the Kubernetes API expects (quote a number that \
                     must be a string; write integers without quotes); the API server \
                     rejects the whole object, so the deploy fails",
                );
            }
        }
    }
}
