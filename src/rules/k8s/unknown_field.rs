use super::rule_meta;
use crate::rules::{Context, Rule, RuleMeta, Sink};
use crate::suggest::did_you_mean;

pub struct UnknownField;

static META: RuleMeta = rule_meta!(
    "unknown-field",
    Error,
    "a key the Kubernetes schema does not have (`readinesProbe:`): it is dropped or rejected"
);

impl Rule for UnknownField {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            for field in &object.unknown_fields {
                let suggestion = did_you_mean(&field.key, field.expected.iter().copied());
                sink.report_key(
                    object,
                    field.pointer.clone(),
                    format!(
                        "`{}` is not a field of {}{suggestion}",
                        field.key, field.type_name
                    ),
                    format!(
                        "kubectl's strict validation rejects the object; clients that do not \
                         validate (Helm, GitOps controllers) drop the key silently, so what \
                         it sets never takes effect; valid fields of {} are: {}",
                        field.type_name,
                        field.expected.join(", ")
                    ),
                );
            }
        }
    }
}
