use crate::pointer::ValuePointer;
use crate::rules::{Context, Rule, RuleMeta, Sink, rule_meta};

pub struct PdbUnhealthyEviction;

static META: RuleMeta = rule_meta!(
    "pdb-unhealthy-eviction",
    Info,
    "a PodDisruptionBudget that leaves unhealthyPodEvictionPolicy unset: crash-looping pods can block node drains"
);

impl Rule for PdbUnhealthyEviction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        // The field is served from Kubernetes 1.26 (alpha; beta and on by default from 1.27).
        if !context.config.kubernetes_version.at_least(1, 27) {
            return;
        }
        for pdb in context
            .objects
            .iter()
            .filter(|o| o.kind == "PodDisruptionBudget" && o.api_version == "policy/v1")
        {
            // A policy written out, IfHealthyBudget included, is a choice: only the unset
            // default is reported.
            if pdb
                .value
                .at("/spec/unhealthyPodEvictionPolicy")
                .is_some_and(|p| !p.is_null())
            {
                continue;
            }
            let how = "sets no unhealthyPodEvictionPolicy (the default is IfHealthyBudget)";
            sink.report(
                pdb,
                "/spec",
                format!(
                    "{} {how}: a pod that is running but not Ready (crash-looping, stuck in \
                     startup) may be evicted only while the budget is met, so when the budget \
                     is already spent on such pods a node drain waits on them forever",
                    pdb.display_name()
                ),
                "add `unhealthyPodEvictionPolicy: AlwaysAllow` so a drain can always evict pods \
                 that serve nothing anyway; the budget still protects the Ready ones",
            );
        }
    }
}
