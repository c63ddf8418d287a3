//! Shared reading of Argo Rollouts objects and replica counts for the blue-green and
//! Rollout rules. Rollouts are not typed: everything is read from the raw value and every
//! shape is tolerated.

use crate::k8s::int_value;
use crate::pointer::ValuePointer;
use crate::rules::replicas::autoscaler_min;

use crate::k8s::Object;
use crate::rules::Context;

/// Whether the object is an Argo Rollouts `Rollout`.
pub fn is_rollout(object: &Object) -> bool {
    object.kind == "Rollout" && object.api_version.starts_with("argoproj.io/")
}

/// One Service a Rollout's strategy names.
pub struct ServiceRef<'a> {
    /// Relative to the object, e.g. `/spec/strategy/blueGreen/activeService`.
    pub pointer: &'static str,
    /// `spec.strategy.blueGreen.activeService`, for messages.
    pub field: &'static str,
    pub name: &'a str,
}

/// The Services a Rollout's strategy names: blue-green active/preview, canary
/// canary/stable, and the ping-pong pair. Empty or non-string values are skipped.
pub fn service_refs(rollout: &Object) -> Vec<ServiceRef<'_>> {
    const FIELDS: &[(&str, &str)] = &[
        (
            "/spec/strategy/blueGreen/activeService",
            "spec.strategy.blueGreen.activeService",
        ),
        (
            "/spec/strategy/blueGreen/previewService",
            "spec.strategy.blueGreen.previewService",
        ),
        (
            "/spec/strategy/canary/stableService",
            "spec.strategy.canary.stableService",
        ),
        (
            "/spec/strategy/canary/canaryService",
            "spec.strategy.canary.canaryService",
        ),
        (
            "/spec/strategy/canary/pingPong/pingService",
            "spec.strategy.canary.pingPong.pingService",
        ),
        (
            "/spec/strategy/canary/pingPong/pongService",
            "spec.strategy.canary.pingPong.pongService",
        ),
    ];
    FIELDS
        .iter()
        .filter_map(|&(pointer, field)| {
            let name = rollout.value.at(pointer)?.as_str()?.trim();
            (!name.is_empty()).then_some(ServiceRef {
                pointer,
                field,
                name,
            })
        })
        .collect()
}

/// How many replicas a workload runs at least, and where that number comes from.
pub struct Replicas {
    pub count: i64,
    /// "replicas: 3", "no replicas, which means 1", "HPA/web minReplicas 2".
    pub source: String,
}

/// The replica count the cluster keeps at least: an HPA's `minReplicas` (default 1) when
/// one in the input targets the workload (the largest if several do), else `spec.replicas`
/// (default 1).
pub fn min_replicas<'a>(context: &Context<'a>, object: &'a Object) -> Replicas {
    let hpa = context
        .autoscalers_targeting(object)
        .into_iter()
        .map(|autoscaler| (autoscaler_min(autoscaler), autoscaler))
        .max_by_key(|(min, _)| *min);
    if let Some((min, hpa)) = hpa {
        return Replicas {
            count: min,
            source: format!("{} minReplicas {min}", hpa.display_name()),
        };
    }
    match object.value.at("/spec/replicas").and_then(int_value) {
        Some(count) => Replicas {
            count,
            source: format!("replicas: {count}"),
        },
        None => Replicas {
            count: 1,
            source: "no replicas, which means 1".to_string(),
        },
    }
}
