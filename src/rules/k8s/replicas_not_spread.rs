use crate::k8s::view::PodSpec;
use k8s_openapi::api::core::v1::PodAffinityTerm;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use std::collections::BTreeMap;

use super::rule_meta;
use super::serving::workload_serves;
use crate::k8s::labels::selector_matches;
use crate::k8s::workload::pod_template;
use crate::rules::replicas::{is_replicated_workload, replica_floor};
use crate::rules::{Context, Rule, RuleMeta, Sink};

pub struct ReplicasNotSpread;

static META: RuleMeta = rule_meta!(
    "replicas-not-spread",
    Info,
    "replicas with no topology spread or anti-affinity over nodes or zones: one node can hold them all"
);

/// Topology keys that separate failure domains: nodes and zones.
const KEYS: &[&str] = &[
    "kubernetes.io/hostname",
    "topology.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/zone",
];

/// A constraint or term over a failure domain that selects the pod's own labels (or has no
/// selector of its own, which for spread constraints is the pod's own labels anyway when
/// `matchLabelKeys` is used).
fn own(selector: Option<&LabelSelector>, labels: &BTreeMap<String, String>) -> bool {
    selector.is_some_and(|s| selector_matches(s, labels))
}

fn spreads(spec: &PodSpec, labels: &BTreeMap<String, String>, namespace: &str) -> bool {
    let spread = spec.topology_spread_constraints.iter().flatten().any(|c| {
        KEYS.contains(&c.topology_key.as_str())
            && (own(c.label_selector.as_ref(), labels)
                || c.match_label_keys.as_ref().is_some_and(|k| !k.is_empty()))
    });
    let anti = spec
        .affinity
        .as_ref()
        .and_then(|a| a.pod_anti_affinity.as_ref());
    let required = anti
        .and_then(|a| {
            a.required_during_scheduling_ignored_during_execution
                .as_ref()
        })
        .into_iter()
        .flatten();
    let preferred = anti
        .and_then(|a| {
            a.preferred_during_scheduling_ignored_during_execution
                .as_ref()
        })
        .into_iter()
        .flatten()
        .map(|w| &w.pod_affinity_term);
    // An anti-affinity term looks at its own namespace unless it names others.
    let own_namespace = |t: &PodAffinityTerm| {
        t.namespace_selector.is_some()
            || t.namespaces
                .as_ref()
                .is_none_or(|n| n.is_empty() || n.iter().any(|n| n == namespace))
    };
    spread
        || required.chain(preferred).any(|t| {
            KEYS.contains(&t.topology_key.as_str())
                && own(t.label_selector.as_ref(), labels)
                && own_namespace(t)
        })
}

impl Rule for ReplicasNotSpread {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            if !is_replicated_workload(object) {
                continue;
            }
            let Some(pod) = pod_template(object) else {
                continue;
            };
            let replicas = replica_floor(context, object);
            if replicas < 2 || pod.labels.is_empty() || !workload_serves(context, object) {
                continue;
            }
            if spreads(pod.spec, pod.labels, context.namespace(object)) {
                continue;
            }
            sink.report(
                object,
                pod.spec_pointer,
                format!(
                    "{} runs {replicas} replicas with neither topologySpreadConstraints nor pod \
                     anti-affinity over nodes or zones that select its own pods: the \
                     scheduler's default spreading is only a preference, so several (or all) \
                     replicas can land on one node, and that node's drain or failure takes \
                     them together",
                    object.display_name()
                ),
                "add `topologySpreadConstraints: [{maxSkew: 1, topologyKey: \
                 kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: \
                 {matchLabels: <the pod labels>}}]` (and one over topology.kubernetes.io/zone \
                 on multi-zone clusters), or a preferred pod anti-affinity on hostname",
            );
        }
    }
}
