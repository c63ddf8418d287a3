use super::rollouts::is_rollout;
use crate::k8s::int_value;
use crate::pointer::ValuePointer;
use crate::rules::{Context, Rule, RuleMeta, Sink, rule_meta};

pub struct RolloutScaleDownDelay;

static META: RuleMeta = rule_meta!(
    "rollout-scale-down-delay",
    Warning,
    "a blue-green Rollout scales the old pods down less than 30 s after switching the Service"
);

/// Argo Rollouts' default, and the least time the selector switch needs to reach every node.
const MINIMUM: i64 = 30;

impl Rule for RolloutScaleDownDelay {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        const POINTER: &str = "/spec/strategy/blueGreen/scaleDownDelaySeconds";
        for rollout in context.objects.iter().filter(|o| is_rollout(o)) {
            // Unset means the default of 30: silent.
            let Some(delay) = rollout.value.at(POINTER).and_then(int_value) else {
                continue;
            };
            if delay >= MINIMUM {
                continue;
            }
            sink.report(
                rollout,
                POINTER,
                format!(
                    "{} sets blueGreen.scaleDownDelaySeconds: {delay}: the old ReplicaSet is \
                     scaled down {delay} s after the active Service's selector switches, but \
                     kube-proxy, ingress controllers and service meshes learn of the switch \
                     asynchronously, so some nodes still send requests to the old pods after \
                     they are gone",
                    rollout.display_name()
                ),
                "remove scaleDownDelaySeconds (the default is 30) or set it to 30 or more; \
                 raise it further when a load balancer or mesh propagates endpoints slowly",
            );
        }
    }
}
