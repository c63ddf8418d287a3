use serde_json::Value;

use crate::pointer::ValuePointer;
use crate::rules::context::api_group;
use crate::rules::k8s::serving::workload_serves;
use crate::rules::{Context, Rule, RuleMeta, Sink, rule_meta};

pub struct HpaMinReplicas;

static META: RuleMeta = rule_meta!(
    "hpa-min-replicas",
    Warning,
    "an HPA lets its workload scale down to one replica (minReplicas below 2, or unset)"
);

/// The kinds whose replicas serve requests when an HPA scales them.
const SCALED_KINDS: &[&str] = &["Deployment", "StatefulSet", "Rollout"];

impl Rule for HpaMinReplicas {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for hpa in context.objects.iter().filter(|o| {
            o.kind == "HorizontalPodAutoscaler" && o.api_version.starts_with("autoscaling/")
        }) {
            let target = |key: &str| {
                hpa.value
                    .at(&format!("/spec/scaleTargetRef/{key}"))
                    .and_then(Value::as_str)
            };
            let (Some(kind), Some(name)) = (target("kind"), target("name")) else {
                continue;
            };
            if !SCALED_KINDS.contains(&kind) {
                continue;
            }
            let min = hpa.value.at("/spec/minReplicas");
            let value = min.and_then(Value::as_i64);
            if value.is_some_and(|m| m >= 2) || min.is_some_and(|m| !m.is_null() && value.is_none())
            {
                continue;
            }
            // Judged by the HPA alone when the workload is elsewhere; when it is in the
            // input, only a workload that serves requests needs two replicas.
            let group = target("apiVersion")
                .map(api_group)
                .unwrap_or(if kind == "Rollout" {
                    "argoproj.io"
                } else {
                    "apps"
                });
            if let Some(workload) = context.find(context.namespace(hpa), group, kind, name)
                && !workload_serves(context, workload)
            {
                continue;
            }
            let (pointer, how) = match value {
                Some(m) => ("/spec/minReplicas", format!("minReplicas: {m}")),
                None => ("/spec", "no minReplicas, which means 1".to_string()),
            };
            sink.report(
                hpa,
                pointer,
                format!(
                    "{} sets {how} for {kind}/{name}: at low traffic it scales down to one pod, \
                     and that pod's restart, eviction or rollout then leaves nothing serving",
                    hpa.display_name()
                ),
                "set `minReplicas: 2` (or more), with a PodDisruptionBudget over the pods, so \
                 one replica always serves while another is replaced",
            );
        }
    }
}
