use super::serving::{lacking, serving_containers};
use super::{container_label, rule_meta};
use crate::rules::{Context, Rule, RuleMeta, Sink};

pub struct LivenessProbeMissing;

static META: RuleMeta = rule_meta!(
    "liveness-probe-missing",
    Warning,
    "a serving container has no livenessProbe, so a hung process is never restarted"
);

impl Rule for LivenessProbeMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            for serving in lacking(serving_containers(context, object), |c| {
                c.liveness_probe.is_some()
            }) {
                sink.report(
                    object,
                    format!("{}/livenessProbe", serving.pointer),
                    format!(
                        "container `{}` of {} serves traffic ({}) but has no livenessProbe: \
                         if its process hangs without exiting, it is never restarted and the \
                         pod stays out of rotation, or in it, until someone deletes it",
                        container_label(&serving.container.name, serving.index),
                        object.display_name(),
                        serving.reason
                    ),
                    "add a livenessProbe that checks only that the process still answers (not \
                     its database or other dependencies), with a failureThreshold higher than \
                     the readinessProbe's, so a pod leaves rotation first and is restarted \
                     only when it stays stuck",
                );
            }
        }
    }
}
