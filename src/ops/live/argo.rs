//! Argo Rollouts promote and abort with plain kubectl, as `kubectl argo rollouts
//! promote|abort` do (argo-rollouts `pkg/kubectl-argo-rollouts/cmd/{promote,abort}`): the
//! status part goes to the `status` subresource (Rollouts v0.10+), and when that answers
//! NotFound (v0.9, no subresource) the combined patch goes to the object itself.

use serde_json::{Value, json};

use super::Kubectl;
use super::readiness::Poll;
use crate::k8s::Object;
use crate::ops::traffic::Serving;
use crate::pointer::ValuePointer;
use crate::workspace::Workspace;

/// The patches a promote sends: to the spec, to the status subresource, and the combined
/// one for controllers without the subresource.
#[derive(Debug, Default, PartialEq)]
pub struct Patches {
    pub spec: Option<Value>,
    pub status: Option<Value>,
    pub unified: Option<Value>,
}

fn steps(rollout: &Value) -> Option<usize> {
    rollout
        .at("/spec/strategy/canary/steps")
        .and_then(Value::as_array)
        .map(Vec::len)
        .filter(|&n| n > 0)
}

fn has_pause_conditions(rollout: &Value) -> bool {
    rollout
        .at("/status/pauseConditions")
        .and_then(Value::as_array)
        .is_some_and(|c| !c.is_empty())
}

/// A plain promote: unpause, and clear the pause conditions — or, for a canary with steps
/// that is not paused (an analysis or experiment step running), move to the next step.
pub fn promote_patches(rollout: &Value) -> Patches {
    let mut patches = Patches {
        unified: Some(json!({"spec": {"paused": false}, "status": {"pauseConditions": null}})),
        ..Patches::default()
    };
    if rollout.at("/spec/paused").and_then(Value::as_bool) == Some(true) {
        patches.spec = Some(json!({"spec": {"paused": false}}));
    }
    if has_pause_conditions(rollout) {
        patches.status = Some(json!({"status": {"pauseConditions": null}}));
    } else if let Some(count) = steps(rollout) {
        let current = rollout
            .at("/status/currentStepIndex")
            .and_then(Value::as_u64)
            .unwrap_or(0) as usize;
        let next = if current < count {
            current + 1
        } else {
            current
        };
        patches.status =
            Some(json!({"status": {"pauseConditions": null, "currentStepIndex": next}}));
        patches.unified = Some(json!({"spec": {"paused": false},
            "status": {"pauseConditions": null, "currentStepIndex": next}}));
    }
    patches
}

/// The abort: the stable ReplicaSet takes all traffic back, the canary or preview is
/// scaled down.
pub fn abort_patches() -> Patches {
    let patch = json!({"status": {"abort": true}});
    Patches {
        spec: None,
        status: Some(patch.clone()),
        unified: Some(patch),
    }
}

/// Sends patches the way the Argo plugin does; one line per patch sent.
pub fn send(
    kubectl: &Kubectl,
    rollout: &Object,
    namespace: &str,
    patches: &Patches,
) -> Result<Vec<String>, String> {
    let mut sent = Vec::new();
    let mut spec = patches.spec.clone();
    if let Some(status) = &patches.status {
        match kubectl.patch(rollout, namespace, status, Some("status")) {
            Ok(()) => sent.push(format!(
                "patched Rollout/{} status in {namespace}: {status}",
                rollout.name
            )),
            // No status subresource (Argo Rollouts v0.9): spec and status go together.
            Err(error) if super::is_not_found(&error) => spec = patches.unified.clone(),
            Err(error) => return Err(error),
        }
    }
    if let Some(spec) = spec {
        kubectl.patch(rollout, namespace, &spec, None)?;
        sent.push(format!(
            "patched Rollout/{} in {namespace}: {spec}",
            rollout.name
        ));
    }
    Ok(sent)
}

/// A Rollout is mid-update: paused, waiting for promotion, or running a new revision.
pub fn in_progress(rollout: &Value) -> bool {
    let text = |p: &str| rollout.at(p).and_then(Value::as_str);
    rollout.at("/spec/paused").and_then(Value::as_bool) == Some(true)
        || has_pause_conditions(rollout)
        || matches!(text("/status/phase"), Some("Paused" | "Progressing"))
        || text("/status/currentPodHash") != text("/status/stableRS")
}

/// The Rollout a live promote or abort acts on: the one named, else the one mid-update in
/// the namespace; `None` when there is no Rollout to act on. Several are refused with
/// their names.
pub fn pick<'a>(
    workspace: &'a Workspace,
    name: Option<&str>,
    strategy: Option<&str>,
) -> Result<Option<&'a Object>, String> {
    let rollouts: Vec<&Object> = workspace
        .objects
        .iter()
        .filter(|o| o.kind == "Rollout")
        .filter(|o| strategy.is_none_or(|s| o.value.at(&format!("/spec/strategy/{s}")).is_some()))
        .collect();
    if let Some(name) = name {
        return Ok(rollouts.into_iter().find(|o| o.name == name));
    }
    let moving: Vec<&Object> = rollouts
        .into_iter()
        .filter(|o| in_progress(&o.value))
        .collect();
    match moving.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        many => Err(format!(
            "several Argo Rollouts are mid-update: {}; name one with --name",
            many.iter()
                .map(|o| o.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Before a blue-green promote, the preview Service must serve the new version's pods
/// (`previewReplicaCount` of them while the preview runs smaller, else every replica): that
/// is what the active Service will send users to.
pub fn preview_serving(rollout: &Object, default_ns: &str) -> Vec<Serving> {
    let int = |p: &str| rollout.value.at(p).and_then(crate::k8s::int_value);
    let replicas = int("/spec/strategy/blueGreen/previewReplicaCount")
        .or_else(|| int("/spec/replicas"))
        .unwrap_or(1)
        .max(1);
    rollout
        .value
        .at("/spec/strategy/blueGreen/previewService")
        .and_then(Value::as_str)
        .map(|service| Serving {
            namespace: rollout.namespace_or(default_ns).to_string(),
            service: service.to_string(),
            min: replicas,
        })
        .into_iter()
        .collect()
}

fn phase(rollout: &Value) -> (&str, &str) {
    let text = |p: &str| rollout.at(p).and_then(Value::as_str).unwrap_or("");
    (text("/status/phase"), text("/status/message"))
}

/// After a promote: done when the Rollout is Healthy, failed when Degraded (what `kubectl
/// argo rollouts status` waits for).
pub fn promoted(rollout: &Value) -> Poll {
    match phase(rollout) {
        ("Healthy", _) => Poll::Done("Rollout is Healthy".to_string()),
        ("Degraded", message) => Poll::Failed(format!("Rollout is Degraded: {message}")),
        (phase, message) => Poll::Pending(format!("Rollout is {phase}: {message}")),
    }
}

/// After an abort: done when the controller took the abort (`status.abort`, phase
/// Degraded with RolloutAborted) and the stable pods are all available again.
pub fn aborted(rollout: &Value) -> Poll {
    let wanted = rollout
        .at("/spec/replicas")
        .and_then(crate::k8s::int_value)
        .unwrap_or(1);
    let available = rollout
        .at("/status/availableReplicas")
        .and_then(crate::k8s::int_value)
        .unwrap_or(0);
    let abort = rollout.at("/status/abort").and_then(Value::as_bool) == Some(true);
    match phase(rollout) {
        ("Degraded", message) if abort && available >= wanted => Poll::Done(format!(
            "Rollout aborted, {available} pods available: {message}"
        )),
        (phase, message) => Poll::Pending(format!(
            "Rollout is {phase} ({available} of {wanted} available): {message}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paused_blue_green_gets_its_pause_conditions_cleared() {
        let rollout = json!({"spec": {"strategy": {"blueGreen": {}}},
            "status": {"pauseConditions": [{"reason": "BlueGreenPause"}]}});
        let patches = promote_patches(&rollout);
        assert_eq!(patches.spec, None);
        assert_eq!(
            patches.status,
            Some(json!({"status": {"pauseConditions": null}}))
        );
    }

    #[test]
    fn a_canary_running_an_analysis_step_moves_to_the_next_step() {
        let rollout = json!({"spec": {"paused": true, "strategy": {"canary": {"steps": [{}, {}, {}]}}},
            "status": {"currentStepIndex": 1}});
        let patches = promote_patches(&rollout);
        assert_eq!(patches.spec, Some(json!({"spec": {"paused": false}})));
        assert_eq!(
            patches.status,
            Some(json!({"status": {"pauseConditions": null, "currentStepIndex": 2}}))
        );
    }

    #[test]
    fn the_step_index_does_not_pass_the_last_step() {
        let rollout = json!({"spec": {"strategy": {"canary": {"steps": [{}]}}},
            "status": {"currentStepIndex": 1}});
        assert_eq!(
            promote_patches(&rollout).status,
            Some(json!({"status": {"pauseConditions": null, "currentStepIndex": 1}}))
        );
    }

    #[test]
    fn phases_decide_the_wait() {
        assert!(matches!(
            promoted(&json!({"status": {"phase": "Healthy"}})),
            Poll::Done(_)
        ));
        assert!(matches!(
            promoted(&json!({"status": {"phase": "Degraded", "message": "ProgressDeadlineExceeded"}})),
            Poll::Failed(m) if m.contains("ProgressDeadlineExceeded")
        ));
        assert!(matches!(
            aborted(
                &json!({"spec": {"replicas": 2}, "status": {"phase": "Degraded", "abort": true, "availableReplicas": 1}})
            ),
            Poll::Pending(_)
        ));
        assert!(matches!(
            aborted(
                &json!({"spec": {"replicas": 2}, "status": {"phase": "Degraded", "abort": true, "availableReplicas": 2}})
            ),
            Poll::Done(_)
        ));
    }
}
