use std::collections::HashMap;

use super::common::{Pdb, pdbs, pod_labels};
use crate::pointer::ValuePointer;
use crate::rules::k8s::serving::workload_serves;
use crate::rules::replicas::{is_replicated_workload, replica_floor};
use crate::rules::selector_index::{SelectorIndex, owned_pairs};
use crate::rules::{Context, Rule, RuleMeta, Sink, rule_meta};

pub struct PdbMissing;

static META: RuleMeta = rule_meta!(
    "pdb-missing",
    Warning,
    "a serving workload with 2 or more replicas that no PodDisruptionBudget selects"
);

impl Rule for PdbMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        // Read each namespace's budgets once, not once per workload.
        let mut budgets_by_namespace: HashMap<&str, BudgetIndex> = HashMap::new();
        for object in context.objects {
            if !is_replicated_workload(object) {
                continue;
            }
            let count = replica_floor(context, object);
            if count < 2 || !workload_serves(context, object) {
                continue;
            }
            let Some(labels) = pod_labels(context, object) else {
                continue;
            };
            let namespace = context.namespace(object);
            let budgets = budgets_by_namespace.entry(namespace).or_insert_with(|| {
                // A budget with neither field (or with both, which the API server
                // rejects) limits nothing: it is no protection.
                let limiting = pdbs(context, namespace)
                    .into_iter()
                    .filter(|pdb| {
                        let set = |f: &str| {
                            pdb.object
                                .value
                                .at(&format!("/spec/{f}"))
                                .is_some_and(|v| !v.is_null())
                        };
                        set("minAvailable") != set("maxUnavailable")
                    })
                    .collect();
                BudgetIndex::new(limiting)
            });
            if budgets.covers(labels) {
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

/// A namespace's budgets, indexed by their `matchLabels` so a workload is checked against
/// the budgets that can select it rather than against all of them.
struct BudgetIndex<'a> {
    budgets: SelectorIndex<Pdb<'a>>,
    /// A budget whose selector cannot be read might select anything: stay silent.
    any_unreadable: bool,
}

impl<'a> BudgetIndex<'a> {
    fn new(budgets: Vec<Pdb<'a>>) -> Self {
        let any_unreadable = budgets.iter().any(|pdb| pdb.unreadable);
        let budgets = SelectorIndex::new(budgets, |pdb| {
            owned_pairs(pdb.match_labels().into_iter().flatten())
        });
        BudgetIndex {
            budgets,
            any_unreadable,
        }
    }

    fn covers(&self, labels: &std::collections::BTreeMap<String, String>) -> bool {
        self.any_unreadable
            || self
                .budgets
                .candidates(labels.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .any(|pdb| pdb.selects(labels))
    }
}
