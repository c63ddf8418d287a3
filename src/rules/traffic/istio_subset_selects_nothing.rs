use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::istio::{self, host_key, service_of};
use crate::k8s::Typed;
use crate::k8s::labels::map_selector_matches;
use crate::pointer::ValuePointer;
use crate::rules::{Context, Rule, RuleMeta, Sink, rule_meta};

pub struct IstioSubsetSelectsNothing;

static META: RuleMeta = rule_meta!(
    "istio-subset-selects-nothing",
    Error,
    "an Istio DestinationRule subset whose labels match none of its Service's pod templates"
);

/// Argo Rollouts writes this label into the subsets it manages, at run time.
const ROLLOUTS_HASH: &str = "rollouts-pod-template-hash";

impl Rule for IstioSubsetSelectsNothing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            if !istio::is_kind(object, "DestinationRule") {
                continue;
            }
            let Some(host) = object.value.at("/spec/host").and_then(Value::as_str) else {
                continue;
            };
            let key = host_key(host, context.namespace(object));
            let Some((service_name, namespace)) = service_of(&key) else {
                continue;
            };
            // The host's Service and the pods it selects must be in the input: otherwise
            // the pods may simply be elsewhere.
            let Some(service) = context.find(namespace, "", "Service", service_name) else {
                continue;
            };
            let Some(Typed::Service(typed)) = &service.typed else {
                continue;
            };
            let Some(selector) = typed.spec.as_ref().and_then(|s| s.selector.as_ref()) else {
                continue;
            };
            let pods: Vec<_> = context
                .pod_templates(namespace)
                .iter()
                .filter(|p| map_selector_matches(selector, p.pod.labels))
                .collect();
            if pods.is_empty() {
                continue;
            }
            let Some(subsets) = object.value.at("/spec/subsets").and_then(Value::as_array) else {
                continue;
            };
            for (i, subset) in subsets.iter().enumerate() {
                let Some(labels) = subset.get("labels").and_then(Value::as_object) else {
                    continue;
                };
                let labels: BTreeMap<&str, &str> = labels
                    .iter()
                    .filter(|(k, _)| k.as_str() != ROLLOUTS_HASH)
                    .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
                    .collect();
                if labels.is_empty() {
                    continue;
                }
                let selects = |pod_labels: &BTreeMap<String, String>| {
                    labels
                        .iter()
                        .all(|(k, v)| pod_labels.get(*k).map(String::as_str) == Some(*v))
                };
                if pods.iter().any(|p| selects(p.pod.labels)) {
                    continue;
                }
                let name = subset.get("name").and_then(Value::as_str).unwrap_or("?");
                // A subset declared ahead of its version (`version: v3` before the v3
                // Deployment exists) is normal; speak when a route sends it traffic, or
                // when a label key is one no pod of the Service carries (a typo, or a
                // labelling scheme the pods do not use).
                let routed = istio::routes_to_subset(context, &key, name);
                let unknown_key = labels
                    .keys()
                    .find(|k| pods.iter().all(|p| !p.pod.labels.contains_key(**k)));
                let reason = match (routed.first(), unknown_key) {
                    (Some((vs, _)), _) => format!("{} routes traffic to it", vs.display_name()),
                    (None, Some(k)) => format!("no pod of the Service has a label `{k}`"),
                    (None, None) => continue,
                };
                let wanted: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
                // What the Service's pods carry for the subset's label keys.
                let mut seen: BTreeSet<String> = BTreeSet::new();
                for pod in &pods {
                    for k in labels.keys() {
                        if let Some(v) = pod.pod.labels.get(*k) {
                            seen.insert(format!("{k}={v}"));
                        }
                    }
                }
                let carried = if seen.is_empty() {
                    "none of those label keys".to_string()
                } else {
                    seen.into_iter().collect::<Vec<_>>().join(", ")
                };
                let owners: Vec<String> = pods.iter().map(|p| p.object.display_name()).collect();
                sink.report(
                    object,
                    format!("/spec/subsets/{i}/labels"),
                    format!(
                        "{}: subset \"{name}\" selects {} but no pod of Service {service_name} \
                         in namespace {namespace} has those labels (its pods, from {}, carry \
                         {carried}) and {reason}: traffic routed to the subset has no \
                         endpoint and fails with 503",
                        object.display_name(),
                        wanted.join(", "),
                        owners.join(", "),
                    ),
                    "make the subset's labels match the pod template labels of the version it \
                     stands for (e.g. `version: v2`), or add that label to the workload's pod \
                     template",
                );
            }
        }
    }
}
