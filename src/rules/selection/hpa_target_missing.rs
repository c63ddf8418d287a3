use serde_json::Value;

use super::common::templated;
use crate::pointer::ValuePointer;
use crate::rules::context::{PeerNames, api_group};
use crate::rules::{Context, Rule, RuleMeta, Sink, rule_meta};
use crate::suggest::did_you_mean_name;

pub struct HpaTargetMissing;

static META: RuleMeta = rule_meta!(
    "hpa-target-missing",
    Warning,
    "an HPA's scaleTargetRef names a workload that is not in the input: it scales nothing"
);

/// The API group of the target: from `scaleTargetRef.apiVersion`, or for the usual kinds
/// when it is left out.
fn target_group<'a>(api_version: Option<&'a str>, kind: &str) -> Option<&'a str> {
    match api_version {
        Some(v) => Some(api_group(v)),
        None => match kind {
            "Deployment" | "StatefulSet" | "ReplicaSet" => Some("apps"),
            "ReplicationController" => Some(""),
            "Rollout" => Some("argoproj.io"),
            _ => None,
        },
    }
}

impl Rule for HpaTargetMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        let mut peer_names = PeerNames::default();
        for hpa in context.objects {
            if hpa.kind != "HorizontalPodAutoscaler" || api_group(&hpa.api_version) != "autoscaling"
            {
                continue;
            }
            let reference = |key: &str| {
                hpa.value
                    .at(&format!("/spec/scaleTargetRef/{key}"))
                    .and_then(Value::as_str)
            };
            let (Some(kind), Some(name)) = (reference("kind"), reference("name")) else {
                continue;
            };
            if templated(kind) || templated(name) {
                continue;
            }
            let Some(group) = target_group(reference("apiVersion"), kind) else {
                continue;
            };
            let namespace = context.namespace(hpa);
            let peers = context.of_kind(namespace, group, kind);
            if peers.is_empty() || context.find(namespace, group, kind, name).is_some() {
                continue;
            }
            let names = peer_names.of(context, namespace, group, kind);
            let suggestion = did_you_mean_name(name, names.iter().copied());
            let help = if suggestion.is_empty() {
                let more = names.len().saturating_sub(5);
                let mut listed = names
                    .iter()
                    .take(5)
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                if more > 0 {
                    listed.push_str(&format!(" and {more} more"));
                }
                format!(
                    "point scaleTargetRef at the {kind} to scale (in namespace `{namespace}`: \
                     {listed})"
                )
            } else {
                format!("fix scaleTargetRef.name{suggestion}")
            };
            sink.report(
                hpa,
                "/spec/scaleTargetRef/name",
                format!(
                    "{} scales {kind}/{name}, which is not in namespace `{namespace}` of the \
                     input: the autoscaler reports FailedGetScale and the workload it was meant \
                     for never scales out under load",
                    hpa.display_name()
                ),
                help,
            );
        }
    }
}
