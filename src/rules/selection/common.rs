//! What the selection rules share: replica counts as the cluster will see them, the pod
//! labels of a workload, which workloads serve, and PodDisruptionBudgets read from either
//! API version.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use serde_json::Value;

use crate::k8s::Object;
use crate::k8s::labels::selector_matches;
use crate::k8s::workload::pod_template;
use crate::pointer::ValuePointer;
use crate::rules::Context;
use crate::rules::context::api_group;
use crate::rules::k8s::serving::workload_ref;

/// Whether a string is a template placeholder (Helm, envsubst, kustomize vars) rather than a
/// value: the rules cannot compare such values and stay silent.
pub fn templated(text: &str) -> bool {
    text.contains("{{") || text.contains("${") || text.contains("$(")
}

/// Deployments, StatefulSets, ReplicaSets and Argo Rollouts: the kinds whose pod count is
/// `spec.replicas` and that an HPA can scale.
pub fn is_scalable_workload(object: &Object) -> bool {
    match object.kind.as_str() {
        "Deployment" | "StatefulSet" | "ReplicaSet" => object.api_version == "apps/v1",
        "Rollout" => object.api_version.starts_with("argoproj.io/"),
        _ => false,
    }
}

/// The labels of the pods a workload creates: its template's, or for a Rollout with a
/// `workloadRef`, the referenced Deployment's when it is in the input.
pub fn pod_labels<'a>(
    context: &Context<'a>,
    object: &'a Object,
) -> Option<&'a BTreeMap<String, String>> {
    if let Some(pod) = pod_template(object) {
        return Some(pod.labels);
    }
    let reference = workload_ref(object)?;
    let deployment = context.find(context.namespace(object), "apps", "Deployment", reference)?;
    pod_template(deployment).map(|pod| pod.labels)
}

fn string_map(value: Option<&Value>) -> BTreeMap<String, String> {
    value
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .collect()
}

/// Label sets of pods that Argo Rollouts creates beyond what `Context::pod_templates`
/// lists: a Rollout with a `workloadRef`, a Rollout's pods with their canary, stable,
/// active or preview metadata added, the pods of experiment steps (template labels
/// overridden by the step's `metadata.labels`), and `Experiment` objects' templates.
pub fn argo_pod_labels<'a>(
    context: &Context<'a>,
    namespace: &str,
) -> Vec<BTreeMap<String, String>> {
    let mut sets = Vec::new();
    for rollout in context.of_kind(namespace, "argoproj.io", "Rollout") {
        let base = pod_labels(context, rollout).cloned().unwrap_or_default();
        let value = &rollout.value;
        if workload_ref(rollout).is_some() {
            sets.push(base.clone());
        }
        for extra in [
            "/spec/strategy/canary/canaryMetadata/labels",
            "/spec/strategy/canary/stableMetadata/labels",
            "/spec/strategy/blueGreen/activeMetadata/labels",
            "/spec/strategy/blueGreen/previewMetadata/labels",
        ] {
            if let Some(labels) = value.at(extra) {
                let mut set = base.clone();
                set.extend(string_map(Some(labels)));
                sets.push(set);
            }
        }
        let steps = value
            .at("/spec/strategy/canary/steps")
            .and_then(Value::as_array);
        for step in steps.into_iter().flatten() {
            let templates = step.at("/experiment/templates").and_then(Value::as_array);
            for template in templates.into_iter().flatten() {
                let mut set = base.clone();
                set.extend(string_map(template.at("/metadata/labels")));
                set.extend(string_map(template.at("/selector/matchLabels")));
                sets.push(set);
            }
        }
    }
    for experiment in context.of_kind(namespace, "argoproj.io", "Experiment") {
        let templates = experiment
            .value
            .at("/spec/templates")
            .and_then(Value::as_array);
        for template in templates.into_iter().flatten() {
            sets.push(string_map(template.at("/template/metadata/labels")));
        }
    }
    sets
}

/// Custom resource kinds that configure traffic, policy, monitoring or secrets and never make
/// an operator create pods or Services; often named like the app they configure.
const CONFIGURATION_KINDS: &[&str] = &[
    "AuthorizationPolicy",
    "BackendConfig",
    "Certificate",
    "CiliumNetworkPolicy",
    "DestinationRule",
    "EnvoyFilter",
    "ExternalSecret",
    "FrontendConfig",
    "Gateway",
    "GatewayRoute",
    "HTTPProxy",
    "IngressRoute",
    "IngressRouteTCP",
    "Issuer",
    "ManagedCertificate",
    "Mapping",
    "Mesh",
    "Middleware",
    "NetworkPolicy",
    "PeerAuthentication",
    "PodMonitor",
    "Probe",
    "PrometheusRule",
    "RequestAuthentication",
    "ScaledObject",
    "SealedSecret",
    "SecretStore",
    "ServiceEntry",
    "ServiceMonitor",
    "ServiceProfile",
    "Sidecar",
    "TargetGroupBinding",
    "Telemetry",
    "TrafficSplit",
    "TriggerAuthentication",
    "VirtualGateway",
    "VirtualNode",
    "VirtualRouter",
    "VirtualService",
    "WorkloadEntry",
    "WorkloadGroup",
];

/// Whether `object` is a custom resource an operator may create pods or Services for: an
/// API group with a dot, outside `*.k8s.io` and Argo Rollouts (which the rules model),
/// except the kinds that only configure (`CONFIGURATION_KINDS`). `Context` indexes them by
/// namespace.
pub fn may_be_operated(object: &Object) -> bool {
    let group = api_group(&object.api_version);
    group.contains('.')
        && !group.ends_with("k8s.io")
        && group != "argoproj.io"
        && !CONFIGURATION_KINDS.contains(&object.kind.as_str())
}

/// Whether a Service named `name` may be created by an operator from a custom resource in the
/// namespace: one named `name` (a Knative Service) or whose name starts `name`'s
/// (`events-kafka-bootstrap` for the Kafka `events`).
pub fn operator_may_create_service<'a>(context: &Context<'a>, namespace: &str, name: &str) -> bool {
    context.custom_resources(namespace).iter().any(|object| {
        !object.name.is_empty()
            && (name == object.name
                || name
                    .strip_prefix(object.name.as_str())
                    .is_some_and(|rest| rest.starts_with('-')))
    })
}

/// Whether pods matching `selector` may be created by an operator from a custom resource in
/// the input: a custom resource (an API group with a dot, outside `*.k8s.io` and Argo
/// Rollouts, which are modelled) in the namespace whose name is one of the selector values
/// (`strimzi.io/cluster: my-cluster`, `prometheus: k8s`) or whose own labels carry every
/// selector pair. Pods an operator creates are not in the manifests, so the "selects
/// nothing" rules stay silent then.
pub fn operator_may_own<'a>(
    context: &Context<'a>,
    namespace: &str,
    selector: &BTreeMap<String, String>,
) -> bool {
    if selector.is_empty() {
        return false;
    }
    context.custom_resources(namespace).iter().any(|object| {
        let labels = string_map(object.value.at("/metadata/labels"));
        selector.values().any(|v| *v == object.name)
            || selector.iter().all(|(k, v)| labels.get(k) == Some(v))
    })
}

/// A PodDisruptionBudget of policy/v1 or policy/v1beta1, read from the raw object.
pub struct Pdb<'a> {
    pub object: &'a Object,
    /// `None`: the PDB selects no pod (no selector, or an empty one in v1beta1).
    /// `Some(empty)` selects every pod of the namespace (policy/v1).
    pub selector: Option<LabelSelector>,
    /// Whether the selector could not be read or holds template placeholders: rules
    /// stay silent about such a PDB.
    pub unreadable: bool,
}

impl<'a> Pdb<'a> {
    /// The `matchLabels` of its selector, when it has any.
    pub fn match_labels(&self) -> Option<&BTreeMap<String, String>> {
        self.selector.as_ref().and_then(|s| s.match_labels.as_ref())
    }

    pub fn selects(&self, labels: &BTreeMap<String, String>) -> bool {
        !self.unreadable
            && self
                .selector
                .as_ref()
                .is_some_and(|s| selector_matches(s, labels))
    }
}

fn is_empty_selector(selector: &LabelSelector) -> bool {
    selector
        .match_labels
        .as_ref()
        .is_none_or(BTreeMap::is_empty)
        && selector
            .match_expressions
            .as_ref()
            .is_none_or(Vec::is_empty)
}

pub fn read_pdb(object: &Object) -> Option<Pdb<'_>> {
    if object.kind != "PodDisruptionBudget" {
        return None;
    }
    let v1beta1 = match object.api_version.as_str() {
        "policy/v1" => false,
        "policy/v1beta1" => true,
        _ => return None,
    };
    let raw = object.value.at("/spec/selector");
    let (selector, unreadable) = match raw {
        None | Some(Value::Null) => (None, false),
        Some(raw) => {
            let unreadable = raw.to_string().contains("{{");
            match serde_json::from_value::<LabelSelector>(raw.clone()) {
                Ok(selector) if v1beta1 && is_empty_selector(&selector) => (None, unreadable),
                Ok(selector) => {
                    // `matchLabels: {}` is as empty as no matchLabels.
                    let selector = if is_empty_selector(&selector) {
                        LabelSelector::default()
                    } else {
                        selector
                    };
                    (Some(selector), unreadable)
                }
                Err(_) => (None, true),
            }
        }
    };
    Some(Pdb {
        object,
        selector,
        unreadable,
    })
}

/// The PodDisruptionBudgets (policy/v1 and v1beta1) of a namespace.
pub fn pdbs<'a>(context: &Context<'a>, namespace: &str) -> Vec<Pdb<'a>> {
    context
        .of_kind(namespace, "policy", "PodDisruptionBudget")
        .iter()
        .filter_map(|o| read_pdb(o))
        .collect()
}

/// An `IntOrString` budget field (`minAvailable`, `maxUnavailable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amount {
    Count(i64),
    Percent(i64),
}

impl Amount {
    pub fn read(value: &Value) -> Option<Amount> {
        match value {
            Value::Number(n) => n.as_i64().map(Amount::Count),
            Value::String(s) => s
                .strip_suffix('%')
                .and_then(|p| p.parse::<i64>().ok())
                .filter(|p| (0..=100).contains(p))
                .map(Amount::Percent),
            _ => None,
        }
    }

    /// The pod count for `total` pods, percentages rounded up as the disruption controller
    /// does (`GetScaledValueFromIntOrPercent(…, roundUp=true)` for both fields).
    pub fn scaled(self, total: i64) -> i64 {
        match self {
            Amount::Count(n) => n,
            Amount::Percent(p) => (p * total + 99) / 100,
        }
    }
}

impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Amount::Count(n) => write!(f, "{n}"),
            Amount::Percent(p) => write!(f, "\"{p}%\""),
        }
    }
}

/// `app=web, tier=front`.
pub fn format_labels(labels: &BTreeMap<String, String>) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_up() {
        assert_eq!(Amount::Percent(50).scaled(3), 2);
        assert_eq!(Amount::Percent(10).scaled(3), 1);
        assert_eq!(Amount::Percent(0).scaled(3), 0);
        assert_eq!(Amount::Percent(100).scaled(3), 3);
        assert_eq!(Amount::Percent(90).scaled(5), 5);
        assert_eq!(Amount::Percent(80).scaled(5), 4);
        assert_eq!(Amount::Count(2).scaled(5), 2);
    }

    fn pdb_object(api_version: &str, spec: Value) -> Object {
        let value = serde_json::json!({
            "apiVersion": api_version,
            "kind": "PodDisruptionBudget",
            "metadata": {"name": "p"},
            "spec": spec,
        });
        Object::new(0, 0, String::new(), value)
    }

    #[test]
    fn pdb_selector_semantics_per_version() {
        let labels: BTreeMap<String, String> = [("app".to_string(), "web".to_string())].into();
        let v1_empty = pdb_object("policy/v1", serde_json::json!({"selector": {}}));
        assert!(read_pdb(&v1_empty).unwrap().selects(&labels));
        let v1_empty_labels = pdb_object(
            "policy/v1",
            serde_json::json!({"selector": {"matchLabels": {}}}),
        );
        assert!(read_pdb(&v1_empty_labels).unwrap().selects(&labels));
        let v1beta1_empty = pdb_object("policy/v1beta1", serde_json::json!({"selector": {}}));
        let pdb = read_pdb(&v1beta1_empty).unwrap();
        assert!(pdb.selector.is_none() && !pdb.selects(&labels));
        let none = pdb_object("policy/v1", serde_json::json!({"maxUnavailable": 1}));
        assert!(!read_pdb(&none).unwrap().selects(&labels));
        let templated = pdb_object(
            "policy/v1",
            serde_json::json!({"selector": {"matchLabels": {"app": "{{ .Values.app }}"}}}),
        );
        assert!(read_pdb(&templated).unwrap().unreadable);
        let other = pdb_object("policy/v2", serde_json::json!({}));
        assert!(read_pdb(&other).is_none());
    }

    #[test]
    fn amounts_parse() {
        assert_eq!(Amount::read(&Value::from(0)), Some(Amount::Count(0)));
        assert_eq!(Amount::read(&Value::from("0%")), Some(Amount::Percent(0)));
        assert_eq!(Amount::read(&Value::from("25%")), Some(Amount::Percent(25)));
        assert_eq!(Amount::read(&Value::from("25")), None);
        assert_eq!(Amount::read(&Value::from("{{ .Values.x }}")), None);
        assert_eq!(Amount::read(&Value::from("150%")), None);
    }
}
