use super::serving::{lacking, serving_containers};
use super::{container_label, rule_meta};
use crate::rules::{Context, Rule, RuleMeta, Sink};

pub struct PreStopHookMissing;

static META: RuleMeta = rule_meta!(
    "prestop-hook-missing",
    Warning,
    "a serving container has no preStop hook, so it stops while traffic is still routed to it"
);

impl Rule for PreStopHookMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        let hook = if context.config.kubernetes_version.at_least(1, 30) {
            "`lifecycle: {preStop: {sleep: {seconds: 5}}}`"
        } else {
            "`lifecycle: {preStop: {exec: {command: [\"sleep\", \"5\"]}}}` (the image needs a \
             `sleep` binary; the native `sleep` action needs Kubernetes 1.30)"
        };
        for object in context.objects {
            for serving in lacking(serving_containers(context, object), |c| {
                c.lifecycle.as_ref().is_some_and(|l| l.pre_stop.is_some())
            }) {
                sink.report(
                    object,
                    format!("{}/lifecycle/preStop", serving.pointer),
                    format!(
                        "container `{}` of {} serves traffic ({}) but has no preStop hook: it \
                         gets SIGTERM the moment its pod starts terminating, while kube-proxy, \
                         ingress controllers and load balancers still send it requests",
                        container_label(&serving.container.name, serving.index),
                        object.display_name(),
                        serving.reason
                    ),
                    format!(
                        "add {hook} so the container keeps serving until endpoints and load \
                         balancers have dropped it; keep terminationGracePeriodSeconds well \
                         above the sleep"
                    ),
                );
            }
        }
    }
}
