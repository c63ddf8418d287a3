use super::rule_meta;
use super::serving::workload_serves;
use crate::rules::replicas::{declared_replicas, is_replicated_workload};
use crate::rules::{Context, Rule, RuleMeta, Sink};

pub struct SingleReplica;

static META: RuleMeta = rule_meta!(
    "single-replica",
    Warning,
    "one replica (or none set, which means one): any restart, drain or eviction is an outage"
);

impl Rule for SingleReplica {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            if !is_replicated_workload(object) {
                continue;
            }
            let replicas = declared_replicas(object);
            if replicas.is_some_and(|r| r != 1) {
                continue;
            }
            // An HPA owns the count: `hpa-min-replicas` judges its minReplicas, at the HPA.
            if context.hpas_targeting(object).next().is_some()
                || context.autoscaled_min(object).is_some_and(|min| min >= 2)
                || !workload_serves(context, object)
            {
                continue;
            }
            let how = if replicas.is_some() {
                "sets replicas: 1"
            } else {
                "sets no replicas, so it runs 1"
            };
            sink.report(
                object,
                "/spec/replicas",
                format!(
                    "{} {how}: a node drain, an eviction or a crash leaves nothing serving \
                     until the pod is rescheduled and Ready",
                    object.display_name()
                ),
                "run at least 2 replicas (with a PodDisruptionBudget so drains keep one up), or \
                 let an HPA with `minReplicas: 2` own the count",
            );
        }
    }
}
