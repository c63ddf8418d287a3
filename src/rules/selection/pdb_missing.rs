use super::common::{pdbs, pod_labels, serves};
use crate::rules::replicas::replica_floor;
use crate::rules::{Context, Rule, RuleMeta, Sink, rule_meta};

pub struct PdbMissing;

static META: RuleMeta = rule_meta!(
    "pdb-missing",
    Warning,
    "a serving workload with 2 or more replicas that no PodDisruptionBudget selects"
);

fn is_covered_kind(api_version: &str, kind: &str) -> bool {
    match kind {
        "Deployment" | "StatefulSet" => api_version == "apps/v1",
        "Rollout" => api_version.starts_with("argoproj.io/"),
        _ => false,
    }
}

impl Rule for PdbMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            if !is_covered_kind(&object.api_version, &object.kind) {
                continue;
            }
            let count = replica_floor(context, object);
            if count < 2 || !serves(context, object) {
                continue;
            }
            let Some(labels) = pod_labels(context, object) else {
                continue;
            };
            let namespace = context.namespace(object);
            let budgets = pdbs(context, namespace);
            if budgets
                .iter()
                .any(|pdb| pdb.unreadable || pdb.selects(labels))
            {
                continue;
            }
            sink.report(
                object,
                "/spec/replicas",
                format!(
                    "{} runs {count} replicas but no PodDisruptionBudget in namespace \
                     `{namespace}` selects its pods: a node drain or cluster upgrade may evict \
                     every replica at once",
                    object.display_name()
                ),
                "add a PodDisruptionBudget (policy/v1) whose selector matches the pod \
                 template labels, with `maxUnavailable: 1` (or a percentage); avoid \
                 `minAvailable` equal to the replica count, which blocks every drain",
            );
        }
    }
}
