use serde_json::Value;

use super::rule_meta;
use super::serving::serving_containers;
use crate::k8s::Object;
use crate::rules::replicas::{autoscaled_min, declared_replicas};
use crate::rules::{Context, Rule, RuleMeta, Sink};

pub struct SingleReplica;

static META: RuleMeta = rule_meta!(
    "single-replica",
    Warning,
    "one replica (or none set, which means one): any restart, drain or eviction is an outage"
);

fn is_replicated_workload(api_version: &str, kind: &str) -> bool {
    match kind {
        "Deployment" | "StatefulSet" => api_version == "apps/v1",
        "Rollout" => api_version.starts_with("argoproj.io/"),
        _ => false,
    }
}

/// Whether the workload's pods serve requests; a Rollout with a `workloadRef` is judged by
/// the referenced Deployment's template when it is in the input (and assumed to serve when
/// it is not). A single worker that nothing routes to drops no requests when it moves.
fn serves<'a>(context: &Context<'a>, object: &'a Object) -> bool {
    if !serving_containers(context, object).is_empty() {
        return true;
    }
    let Some(reference) = object
        .value
        .pointer("/spec/workloadRef/name")
        .and_then(Value::as_str)
    else {
        return false;
    };
    match context.find(context.namespace(object), "apps", "Deployment", reference) {
        Some(deployment) => !serving_containers(context, deployment).is_empty(),
        None => true,
    }
}

impl Rule for SingleReplica {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            if !is_replicated_workload(&object.api_version, &object.kind) {
                continue;
            }
            let replicas = declared_replicas(object);
            if replicas.is_some_and(|r| r != 1) {
                continue;
            }
            if autoscaled_min(context, object).is_some_and(|min| min >= 2)
                || !serves(context, object)
            {
                continue;
            }
            let how = if replicas.is_some() {
                "sets replicas: 1"
            } else {
                "sets no replicas, so it runs 1"
            };
            sink.report(
                object,
                "/spec/replicas",
                format!(
                    "{} {how}: a node drain, an eviction or a crash leaves nothing serving \
                     until the pod is rescheduled and Ready",
                    object.display_name()
                ),
                "run at least 2 replicas (with a PodDisruptionBudget so drains keep one up), or \
                 let an HPA with `minReplicas: 2` own the count",
            );
        }
    }
}
