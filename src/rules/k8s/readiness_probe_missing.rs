use super::serving::{lacking, serving_containers};
use super::{container_label, rule_meta};
use crate::rules::{Context, Rule, RuleMeta, Sink};

pub struct ReadinessProbeMissing;

static META: RuleMeta = rule_meta!(
    "readiness-probe-missing",
    Error,
    "a serving container has no readinessProbe, so it gets traffic before it can answer"
);

impl Rule for ReadinessProbeMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            for serving in lacking(serving_containers(context, object), |c| {
                c.readiness_probe.is_some()
            }) {
                sink.report(
                    object,
                    format!("{}/readinessProbe", serving.pointer),
                    format!(
                        "container `{}` of {} serves traffic ({}) but has no readinessProbe: \
                         it is Ready, and receives requests, the moment it starts",
                        container_label(&serving.container.name, serving.index),
                        object.display_name(),
                        serving.reason
                    ),
                    "add a readinessProbe that answers only when the app can serve (an HTTP \
                     GET on a health path, or a TCP check on the serving port); during a \
                     rolling update the old pods are removed as soon as new ones are Ready",
                );
            }
        }
    }
}
