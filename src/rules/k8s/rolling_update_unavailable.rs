use super::rollout_math::{DEFAULT_MAX_SURGE, DEFAULT_MAX_UNAVAILABLE, IntOrPercent, resolve};
use super::rule_meta;
use crate::k8s::Typed;
use crate::rules::replicas::replica_floor;
use crate::rules::{Context, Rule, RuleMeta, Sink};

pub struct RollingUpdateUnavailable;

static META: RuleMeta = rule_meta!(
    "rolling-update-unavailable",
    Error,
    "maxUnavailable resolves to every replica, so a rollout may take all pods down at once"
);

impl Rule for RollingUpdateUnavailable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            match &object.typed {
                Some(Typed::Deployment(deployment)) => {
                    let spec = &deployment.spec;
                    let strategy = spec.strategy.as_ref();
                    if strategy.and_then(|s| s.type_.as_deref()) == Some("Recreate") {
                        continue; // recreate-strategy reports it
                    }
                    let rolling = strategy.and_then(|s| s.rolling_update.as_ref());
                    let parse = |v: Option<&_>, default| v.map_or(Ok(default), IntOrPercent::parse);
                    let (Ok(surge), Ok(unavailable)) = (
                        parse(
                            rolling.and_then(|r| r.max_surge.as_ref()),
                            DEFAULT_MAX_SURGE,
                        ),
                        parse(
                            rolling.and_then(|r| r.max_unavailable.as_ref()),
                            DEFAULT_MAX_UNAVAILABLE,
                        ),
                    ) else {
                        continue; // rolling-update-invalid reports it
                    };
                    // Unset replicas with an HPA: the HPA's minimum is what a rollout starts
                    // from (replica_floor), not the API's default of 1.
                    let replicas = replica_floor(context, object);
                    if replicas <= 0 {
                        continue;
                    }
                    let resolved = resolve(surge, unavailable, replicas);
                    if resolved.unavailable < replicas {
                        continue;
                    }
                    sink.report(
                        object,
                        "/spec/strategy/rollingUpdate/maxUnavailable",
                        format!(
                            "{}: maxUnavailable {unavailable} with maxSurge {surge} resolves to \
                             {} of {replicas} replica(s) unavailable: a rollout may stop every \
                             serving pod before a new one is ready",
                            object.display_name(),
                            resolved.unavailable
                        ),
                        "set `maxUnavailable: 0` and `maxSurge: 1` (or `25%`): new pods start \
                         and become Ready before old ones stop; with more replicas, keep \
                         maxUnavailable below the replica count",
                    );
                }
                Some(Typed::DaemonSet(daemon_set)) => {
                    let rolling = daemon_set
                        .spec
                        .update_strategy
                        .as_ref()
                        .and_then(|s| s.rolling_update.as_ref());
                    let Some(Ok(IntOrPercent::Percent(p))) = rolling
                        .and_then(|r| r.max_unavailable.as_ref())
                        .map(IntOrPercent::parse)
                    else {
                        continue;
                    };
                    if p < 100 {
                        continue;
                    }
                    sink.report(
                        object,
                        "/spec/updateStrategy/rollingUpdate/maxUnavailable",
                        format!(
                            "{}: maxUnavailable {p}% lets the rollout replace the pod on every \
                             node at once",
                            object.display_name()
                        ),
                        "use a small maxUnavailable (1 or 10%), or `maxSurge: 1` with \
                         `maxUnavailable: 0` so each node's new pod is Ready before its old \
                         one stops",
                    );
                }
                _ => {}
            }
        }
    }
}
