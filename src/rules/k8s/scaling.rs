//! Replica counts as the cluster will see them: `spec.replicas` (default 1) and the
//! HorizontalPodAutoscalers in the input that target a workload.

use serde_json::Value;

use crate::k8s::Object;
use crate::rules::Context;

/// The `minReplicas` (default 1) of an HPA (autoscaling/v1 or v2) that targets `object`.
pub fn hpa_min_replicas<'a>(context: &Context<'a>, object: &'a Object) -> Option<i64> {
    context
        .hpas_targeting(object)
        .map(|hpa| {
            hpa.value
                .pointer("/spec/minReplicas")
                .and_then(Value::as_i64)
                .unwrap_or(1)
        })
        .max()
}

/// `spec.replicas` as written, `None` when unset (the API then defaults it to 1).
pub fn declared_replicas(object: &Object) -> Option<i64> {
    object
        .value
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
}
