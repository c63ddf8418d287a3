use super::rule_meta;
use crate::k8s::Typed;
use crate::rules::{Context, Rule, RuleMeta, Sink};

pub struct RecreateStrategy;

static META: RuleMeta = rule_meta!(
    "recreate-strategy",
    Error,
    "a Deployment with `strategy.type: Recreate` stops every pod before starting new ones"
);

impl Rule for RecreateStrategy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            let Some(Typed::Deployment(deployment)) = &object.typed else {
                continue;
            };
            let strategy = deployment
                .spec
                .strategy
                .as_ref()
                .and_then(|s| s.type_.as_deref());
            if strategy != Some("Recreate") {
                continue;
            }
            let replicas = deployment.spec.replicas.unwrap_or(1);
            sink.report(
                object,
                "/spec/strategy/type",
                format!(
                    "{} uses the Recreate strategy: each rollout terminates all {replicas} \
                     pod(s) before the first new one starts, so nothing serves in between",
                    object.display_name()
                ),
                "use `type: RollingUpdate` with `maxUnavailable: 0` and `maxSurge: 1` (or a \
                 percentage); if the pods mount a ReadWriteOnce volume that two pods cannot \
                 share, move the state out of the pod or use a StatefulSet",
            );
        }
    }
}
