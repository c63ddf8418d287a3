use super::rollouts::{is_rollout, service_refs};
use crate::rules::context::PeerNames;
use crate::rules::{Context, Rule, RuleMeta, Sink, rule_meta};
use crate::suggest::did_you_mean_name;

pub struct RolloutServiceMissing;

static META: RuleMeta = rule_meta!(
    "rollout-service-missing",
    Error,
    "an Argo Rollout names an active, preview, stable or canary Service the input does not hold"
);

impl Rule for RolloutServiceMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        let mut service_names = PeerNames::default();
        for rollout in context.objects.iter().filter(|o| is_rollout(o)) {
            let namespace = context.namespace(rollout);
            let services = context.of_kind(namespace, "", "Service");
            // Partial input is normal: without any Service of the namespace we cannot tell.
            if services.is_empty() {
                continue;
            }
            for reference in service_refs(rollout) {
                if context
                    .find(namespace, "", "Service", reference.name)
                    .is_some()
                {
                    continue;
                }
                let suggestion = did_you_mean_name(
                    reference.name,
                    service_names
                        .of(context, namespace, "", "Service")
                        .iter()
                        .copied(),
                );
                sink.report(
                    rollout,
                    reference.pointer,
                    format!(
                        "{} sets {} to `{}`, but no Service `{}` is in namespace `{namespace}` \
                         of the input{suggestion}: the controller cannot pin it to a ReplicaSet and \
                         the Rollout stops progressing (no promotion, no traffic switch), while \
                         the Service clients do use keeps its plain selector and sends requests \
                         to old and new pods alike",
                        rollout.display_name(),
                        reference.field,
                        reference.name,
                        reference.name,
                    ),
                    "create the Service (a selector on the app's labels; the Rollout controller \
                     adds the `rollouts-pod-template-hash` selector itself) or correct the name",
                );
            }
        }
    }
}
