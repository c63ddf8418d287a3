use super::grace_period_too_short::prestop_containers;
use super::{container_label, rule_meta};
use crate::rules::{Context, Rule, RuleMeta, Sink};

pub struct PreStopSleepUnsupported;

static META: RuleMeta = rule_meta!(
    "prestop-sleep-unsupported",
    Error,
    "a native preStop `sleep` action that the configured Kubernetes version rejects"
);

impl Rule for PreStopSleepUnsupported {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        let version = context.config.kubernetes_version;
        for object in context.objects {
            for found in prestop_containers(object) {
                let Some(sleep) = &found.handler.sleep else {
                    continue;
                };
                let container = container_label(&found.container.name, found.index);
                let name = object.display_name();
                if !version.at_least(1, 30) {
                    sink.report(
                        object,
                        format!("{}/sleep", found.pointer),
                        format!(
                            "container `{container}` of {name} uses the native preStop `sleep` \
                             action, which Kubernetes supports from 1.30, but kubernetesVersion \
                             is {version}: the API server rejects the pod, so the rollout \
                             cannot start"
                        ),
                        format!(
                            "if the cluster runs 1.30 or newer, set `kubernetesVersion` in \
                             .zerodown.yaml; otherwise use an exec sleep: `preStop: {{exec: \
                             {{command: [\"sleep\", \"{}\"]}}}}` (the image needs a `sleep` \
                             binary)",
                            if sleep.seconds > 0 { sleep.seconds } else { 5 }
                        ),
                    );
                } else if sleep.seconds == 0 && !version.at_least(1, 33) {
                    sink.report(
                        object,
                        format!("{}/sleep/seconds", found.pointer),
                        format!(
                            "container `{container}` of {name} has a preStop `sleep` of 0 \
                             seconds, which Kubernetes accepts only from 1.33, but \
                             kubernetesVersion is {version}: the API server rejects the pod, so \
                             the rollout cannot start"
                        ),
                        "sleep a few seconds (`seconds: 5` lets endpoints and load balancers \
                         catch up) or remove the hook; if the cluster runs 1.33 or newer, set \
                         `kubernetesVersion` in .zerodown.yaml",
                    );
                }
            }
        }
    }
}
