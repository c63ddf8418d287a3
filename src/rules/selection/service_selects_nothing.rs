use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::common::{argo_pod_labels, format_labels, operator_may_own, templated};
use crate::k8s::labels::map_selector_matches;
use crate::pointer::ValuePointer;
use crate::rules::{Context, Rule, RuleMeta, Sink, rule_meta};

pub struct ServiceSelectsNothing;

static META: RuleMeta = rule_meta!(
    "service-selects-nothing",
    Error,
    "a Service selector matches no pod template in its namespace: it has no endpoints"
);

/// The Service's equality selector, when it has a non-empty one it manages endpoints by.
fn selector(service: &Value) -> Option<BTreeMap<String, String>> {
    if service.at("/spec/type").and_then(Value::as_str) == Some("ExternalName") {
        return None;
    }
    let map = service.at("/spec/selector")?.as_object()?;
    let mut selector = BTreeMap::new();
    for (key, value) in map {
        let value = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => return None,
        };
        if templated(key) || templated(&value) {
            return None;
        }
        selector.insert(key.clone(), value);
    }
    (!selector.is_empty()).then_some(selector)
}

/// How the closest pod template differs: the selector pairs it lacks, e.g.
/// "app is `web-server`, tier is absent".
fn differences(selector: &BTreeMap<String, String>, labels: &BTreeMap<String, String>) -> String {
    selector
        .iter()
        .filter(|(k, v)| labels.get(*k) != Some(*v))
        .map(|(k, v)| match labels.get(k) {
            Some(actual) => format!("`{k}` is `{actual}`, not `{v}`"),
            None => format!("`{k}` is absent (the selector wants `{v}`)"),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl Rule for ServiceSelectsNothing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        // The labels of pods Argo Rollouts creates beyond the templates, once per namespace.
        let mut argo_labels: HashMap<&str, Vec<BTreeMap<String, String>>> = HashMap::new();
        for service in context.objects {
            if service.kind != "Service" || service.api_version != "v1" {
                continue;
            }
            let Some(selector) = selector(&service.value) else {
                continue;
            };
            let namespace = context.namespace(service);
            let templates = context.pod_templates(namespace);
            if templates.is_empty()
                || context.any_pod_template_with(namespace, &selector)
                || argo_labels
                    .entry(namespace)
                    .or_insert_with(|| argo_pod_labels(context, namespace))
                    .iter()
                    .any(|labels| map_selector_matches(&selector, labels))
                || operator_may_own(context, namespace, &selector)
            {
                continue;
            }
            // The template that agrees with the most selector pairs, if any agrees at all.
            let closest = templates
                .iter()
                .map(|owner| {
                    let agree = selector
                        .iter()
                        .filter(|(k, v)| owner.pod.labels.get(*k) == Some(*v))
                        .count();
                    let shared_keys = selector
                        .keys()
                        .filter(|k| owner.pod.labels.contains_key(*k))
                        .count();
                    (agree, shared_keys, owner)
                })
                .filter(|&(agree, shared_keys, _)| agree > 0 || shared_keys > 0)
                .max_by_key(|&(agree, shared_keys, _)| (agree, shared_keys));
            let help = match closest {
                Some((_, _, owner)) => format!(
                    "the closest pod template is {}'s ({}): {}. Make the selector and the \
                     template labels agree (a Service selects pods that carry every pair of \
                     its selector)",
                    owner.object.display_name(),
                    format_labels(owner.pod.labels),
                    differences(&selector, owner.pod.labels),
                ),
                None => "no pod template in the namespace shares a selector key; make the \
                         selector name labels of the pod template it should route to (every \
                         pair must match), or remove the selector if the endpoints are managed \
                         by hand"
                    .to_string(),
            };
            sink.report(
                service,
                "/spec/selector",
                format!(
                    "{} selects pods labelled {} but none of the {} pod template(s) in namespace \
                     `{namespace}` carries those labels: the Service has no endpoints and every \
                     request to it fails",
                    service.display_name(),
                    format_labels(&selector),
                    templates.len(),
                ),
                help,
            );
        }
    }
}
