use std::collections::{BTreeMap, HashMap};

use super::common::{argo_pod_labels, operator_may_own, read_pdb};
use crate::pointer::ValuePointer;
use crate::rules::{Context, Rule, RuleMeta, Sink, rule_meta};

pub struct PdbSelectsNothing;

static META: RuleMeta = rule_meta!(
    "pdb-selects-nothing",
    Warning,
    "a PodDisruptionBudget whose selector matches no pod template: it protects nothing"
);

impl Rule for PdbSelectsNothing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        // The labels of pods Argo Rollouts creates beyond the templates, once per namespace.
        let mut argo_labels: HashMap<&str, Vec<BTreeMap<String, String>>> = HashMap::new();
        for object in context.objects {
            let Some(pdb) = read_pdb(object) else {
                continue;
            };
            if pdb.unreadable {
                continue;
            }
            let name = object.display_name();
            if pdb.selector.is_none() {
                let why = if object.value.at("/spec/selector").is_some() {
                    "an empty selector, which selects no pod in policy/v1beta1"
                } else {
                    "no selector, which selects no pod"
                };
                sink.report(
                    object,
                    "/spec/selector",
                    format!("{name} has {why}: it protects nothing from a drain"),
                    "set `spec.selector.matchLabels` to the pod template labels of the workload \
                     it should protect",
                );
                continue;
            }
            let namespace = context.namespace(object);
            let templates = context.pod_templates(namespace);
            if templates.is_empty() {
                continue;
            }
            // The matchLabels pairs narrow the templates to check; expressions alone do not.
            let selects_template = context
                .pod_templates_selectable(namespace, pdb.selector.as_ref())
                .any(|owner| pdb.selects(owner.pod.labels));
            let selects_any = selects_template
                || argo_labels
                    .entry(namespace)
                    .or_insert_with(|| argo_pod_labels(context, namespace))
                    .iter()
                    .any(|labels| pdb.selects(labels));
            let match_labels = pdb
                .selector
                .as_ref()
                .and_then(|s| s.match_labels.clone())
                .unwrap_or_default();
            if selects_any || operator_may_own(context, namespace, &match_labels) {
                continue;
            }
            sink.report(
                object,
                "/spec/selector",
                format!(
                    "{name} selects none of the {} pod template(s) in namespace `{namespace}`: \
                     a node drain evicts the pods it was meant to protect without limit",
                    templates.len()
                ),
                "make the selector match the pod template labels (not the workload's own \
                 metadata labels) of the workload it should protect",
            );
        }
    }
}
