use super::rule_meta;
use crate::k8s::api_versions::removed;
use crate::rules::{Context, Rule, RuleMeta, Sink};
use crate::severity::Severity;

pub struct ApiRemoved;

static META: RuleMeta = rule_meta!(
    "api-removed",
    Error,
    "an object in an API version Kubernetes removed (extensions/v1beta1, policy/v1beta1…): the apply fails"
);

impl Rule for ApiRemoved {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        let version = context.config.kubernetes_version;
        for object in context.objects {
            let Some(gone) = removed(&object.api_version, &object.kind) else {
                continue;
            };
            let (severity, what) = if version.at_least(1, gone.removed_in) {
                (
                    Severity::Error,
                    format!(
                        "Kubernetes 1.{} removed it, so on {version} (`kubernetesVersion`) \
                         `kubectl apply` fails with \"no matches for kind\" and the deploy \
                         stops",
                        gone.removed_in
                    ),
                )
            } else {
                (
                    Severity::Warning,
                    format!(
                        "it is deprecated and Kubernetes 1.{} removes it: the first deploy \
                         after that upgrade fails",
                        gone.removed_in
                    ),
                )
            };
            sink.report_with_severity(
                severity,
                object,
                "/apiVersion",
                format!(
                    "{} uses apiVersion `{}`: {what}",
                    object.display_name(),
                    object.api_version
                ),
                format!(
                    "move it to {} (`kubectl convert` or the migration guide at \
                     kubernetes.io/docs/reference/using-api/deprecation-guide/ lists the \
                     field changes)",
                    gone.replacement
                ),
            );
        }
    }
}
