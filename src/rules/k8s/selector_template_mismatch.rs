use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::rule_meta;
use crate::k8s::labels::selector_matches;
use crate::k8s::{Object, Typed};
use crate::pointer::ValuePointer;
use crate::rules::{Context, Rule, RuleMeta, Sink};

pub struct SelectorTemplateMismatch;

static META: RuleMeta = rule_meta!(
    "selector-template-mismatch",
    Error,
    "a workload's selector does not match its own pod template's labels"
);

/// The selector of a workload that owns pods through one, with its template's labels.
fn selector_and_labels(
    object: &Object,
) -> Option<(LabelSelector, std::collections::BTreeMap<String, String>)> {
    let template = match &object.typed {
        Some(Typed::Deployment(d)) => (d.spec.selector.clone(), d.spec.template.metadata.clone()),
        Some(Typed::StatefulSet(s)) => (s.spec.selector.clone(), s.spec.template.metadata.clone()),
        Some(Typed::DaemonSet(d)) => (d.spec.selector.clone(), d.spec.template.metadata.clone()),
        Some(Typed::ReplicaSet(r)) => (
            r.spec.selector.clone(),
            r.spec.template.as_ref()?.metadata.clone(),
        ),
        _ => {
            let template = object.rollout_template.as_ref()?;
            let selector = object.value.at("/spec/selector")?;
            let (selector, _) = crate::k8s::de::from_value::<LabelSelector>(selector, "");
            (selector.ok()?, template.metadata.clone())
        }
    };
    let (selector, metadata) = template;
    Some((
        selector,
        metadata.and_then(|m| m.labels).unwrap_or_default(),
    ))
}

impl Rule for SelectorTemplateMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            // A workload with no selector or no template is reported by invalid-manifest.
            if object.value.at("/spec/selector").is_none()
                || object.value.at("/spec/template").is_none()
            {
                continue;
            }
            let Some((selector, labels)) = selector_and_labels(object) else {
                continue;
            };
            let empty = selector.match_labels.as_ref().is_none_or(|m| m.is_empty())
                && selector
                    .match_expressions
                    .as_ref()
                    .is_none_or(|e| e.is_empty());
            if empty {
                sink.report(
                    object,
                    "/spec/selector",
                    format!(
                        "{} has an empty selector; the API server rejects it",
                        object.display_name()
                    ),
                    "select the pod template's identifying labels, e.g. `matchLabels: {app: NAME}`",
                );
                continue;
            }
            if selector_matches(&selector, &labels) {
                continue;
            }
            let shown: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
            sink.report(
                object,
                "/spec/selector",
                format!(
                    "the selector of {} does not match its pod template's labels ({}); the API \
                     server rejects it, and the selector cannot be changed later",
                    object.display_name(),
                    if shown.is_empty() {
                        "none".to_string()
                    } else {
                        shown.join(", ")
                    }
                ),
                "make every matchLabels pair (and matchExpression) true for \
                 spec.template.metadata.labels; choose stable labels (`app`), never a version \
                 label, because the selector is immutable",
            );
        }
    }
}
