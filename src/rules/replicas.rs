//! Replica counts as the cluster keeps them: `spec.replicas` (default 1) and the autoscalers
//! in the input (HorizontalPodAutoscalers, KEDA ScaledObjects) that target a workload.

use serde_json::Value;

use crate::k8s::Object;
use crate::pointer::ValuePointer;
use crate::rules::Context;

/// Deployments, StatefulSets and Argo Rollouts: the long-running workloads whose replica
/// count is theirs to set (DaemonSets run one pod per node).
pub fn is_replicated_workload(object: &Object) -> bool {
    match object.kind.as_str() {
        "Deployment" | "StatefulSet" => object.api_version == "apps/v1",
        "Rollout" => object.api_version.starts_with("argoproj.io/"),
        _ => false,
    }
}

/// `spec.replicas` as written, `None` when unset (the API then defaults it to 1).
pub fn declared_replicas(object: &Object) -> Option<i64> {
    object.value.at("/spec/replicas").and_then(Value::as_i64)
}

/// The minimum replica count an autoscaler keeps: an HPA's `minReplicas` (default 1), a
/// KEDA ScaledObject's `minReplicaCount` (default 0).
pub fn autoscaler_min(autoscaler: &Object) -> i64 {
    if autoscaler.kind == "ScaledObject" {
        autoscaler
            .value
            .at("/spec/minReplicaCount")
            .and_then(Value::as_i64)
            .unwrap_or(0)
    } else {
        autoscaler
            .value
            .at("/spec/minReplicas")
            .and_then(Value::as_i64)
            .unwrap_or(1)
    }
}

/// The replica count of a scalable workload: `spec.replicas` (default 1), or the
/// `minReplicas` of an HPA that targets it when that is larger.
pub fn replica_floor<'a>(context: &Context<'a>, object: &'a Object) -> i64 {
    let declared = declared_replicas(object).unwrap_or(1);
    context
        .autoscaled_min(object)
        .map_or(declared, |min| declared.max(min))
}
