use super::common::is_scalable_workload;
use crate::rules::replicas::declared_replicas;
use crate::rules::{Context, Rule, RuleMeta, Sink, rule_meta};

pub struct HpaReplicasConflict;

static META: RuleMeta = rule_meta!(
    "hpa-replicas-conflict",
    Warning,
    "a workload that an HPA scales also sets spec.replicas: every apply rescales it"
);

impl Rule for HpaReplicasConflict {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            if !is_scalable_workload(object) {
                continue;
            }
            // `replicas: 0` parks the workload (an HPA does not scale a target at 0).
            let Some(replicas) = declared_replicas(object).filter(|&r| r != 0) else {
                continue;
            };
            let hpas = context.autoscalers_targeting(object);
            let Some(hpa) = hpas.first() else {
                continue;
            };
            sink.report(
                object,
                "/spec/replicas",
                format!(
                    "{} sets replicas: {replicas} but {} scales it: each apply resets the \
                     count to {replicas}, scaling a busy workload down (or an idle one up) \
                     until the autoscaler reacts",
                    object.display_name(),
                    hpa.display_name(),
                ),
                "remove `spec.replicas` and let the HPA's minReplicas own the count. Beware the \
                 one-time trap: when a client-side `kubectl apply` drops the field, the API server \
                 defaults it to 1 at that apply (a scale-down to 1 pod until the HPA reacts). \
                 First remove it from the last-applied configuration (`kubectl apply \
                 edit-last-applied`, or `kubectl apply set-last-applied -f` with the new \
                 manifest); with server-side apply, first hand `spec.replicas` to another field \
                 manager (the \"transferring ownership\" procedure of the Kubernetes docs)",
            );
        }
    }
}
