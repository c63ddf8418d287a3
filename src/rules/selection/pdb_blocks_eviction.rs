use std::collections::{HashMap, HashSet};

use super::common::{Amount, Pdb, is_scalable_workload, pod_labels, read_pdb};
use crate::k8s::Object;
use crate::pointer::ValuePointer;
use crate::rules::k8s::serving::workload_ref;
use crate::rules::replicas::replica_floor;
use crate::rules::{Context, Rule, RuleMeta, Sink, rule_meta};

pub struct PdbBlocksEviction;

static META: RuleMeta = rule_meta!(
    "pdb-blocks-eviction",
    Warning,
    "a PodDisruptionBudget that never allows an eviction: every node drain hangs"
);

/// The workloads a PDB selects in the input, with their replica counts; `None` when it
/// selects pods whose count the input does not tell (DaemonSets, Jobs, bare Pods).
fn selected<'a>(
    context: &Context<'a>,
    pdb: &Pdb<'a>,
    borrowing: &Borrowing<'a>,
) -> Option<Vec<(&'a Object, i64)>> {
    let namespace = context.namespace(pdb.object);
    // A Deployment that a Rollout borrows its template from is scaled by the Rollout.
    let owners = context
        .pod_templates_selectable(namespace, pdb.selector.as_ref())
        .map(|owner| owner.object)
        .filter(|o| !(o.kind == "Deployment" && borrowing.borrowed.contains(o.name.as_str())))
        .chain(borrowing.rollouts.iter().copied());
    let mut found = Vec::new();
    for owner in owners {
        let Some(labels) = pod_labels(context, owner) else {
            continue;
        };
        if !pdb.selects(labels) {
            continue;
        }
        if !is_scalable_workload(owner) {
            return None;
        }
        found.push((owner, replica_floor(context, owner)));
    }
    Some(found)
}

/// The Rollouts of a namespace that take their pod template from a Deployment
/// (`workloadRef`), and the names of those Deployments.
struct Borrowing<'a> {
    rollouts: Vec<&'a Object>,
    borrowed: HashSet<&'a str>,
}

impl<'a> Borrowing<'a> {
    fn of(context: &Context<'a>, namespace: &str) -> Self {
        let rollouts: Vec<&'a Object> = context
            .of_kind(namespace, "argoproj.io", "Rollout")
            .iter()
            .copied()
            .filter(|r| workload_ref(r).is_some())
            .collect();
        let borrowed = rollouts.iter().filter_map(|r| workload_ref(r)).collect();
        Borrowing { rollouts, borrowed }
    }
}

fn describe(workloads: &[(&Object, i64)]) -> String {
    workloads
        .iter()
        .map(|(o, n)| format!("{} ({n})", o.display_name()))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Rule for PdbBlocksEviction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        let mut borrowing_by_namespace: HashMap<&str, Borrowing<'_>> = HashMap::new();
        for object in context.objects {
            let Some(pdb) = read_pdb(object) else {
                continue;
            };
            let amount = |key: &str| {
                object
                    .value
                    .at(&format!("/spec/{key}"))
                    .and_then(Amount::read)
            };
            // A PDB that selects nothing blocks nothing (pdb-selects-nothing reports it).
            if pdb.selector.is_none() && !pdb.unreadable {
                continue;
            }
            if let Some(max) = amount("maxUnavailable")
                && max.scaled(1) == 0
            {
                sink.report(
                    object,
                    "/spec/maxUnavailable",
                    format!(
                        "{} sets maxUnavailable {max}: no pod it selects may ever be evicted, \
                         so every node drain and cluster upgrade hangs on them until someone \
                         deletes the budget",
                        object.display_name()
                    ),
                    "allow at least one disruption: `maxUnavailable: 1` (or a percentage, \
                     which Kubernetes rounds up), with 2 or more replicas so one keeps serving",
                );
                continue;
            }
            let Some(min) = amount("minAvailable") else {
                continue;
            };
            if pdb.unreadable || pdb.selector.is_none() {
                continue;
            }
            let borrowing = borrowing_by_namespace
                .entry(context.namespace(object))
                .or_insert_with_key(|namespace| Borrowing::of(context, namespace));
            let workloads = match selected(context, &pdb, borrowing) {
                Some(w) if !w.is_empty() => w,
                // Nothing known to count: only `minAvailable: "100%"` blocks whatever
                // it selects.
                _ => {
                    if min == Amount::Percent(100) {
                        report_min(sink, object, min, None);
                    }
                    continue;
                }
            };
            let total: i64 = workloads.iter().map(|(_, n)| n).sum();
            if total < 1 {
                continue;
            }
            let required = min.scaled(total);
            if required >= total {
                report_min(
                    sink,
                    object,
                    min,
                    Some(Counts {
                        required,
                        total,
                        workloads: &workloads,
                    }),
                );
            }
        }
    }
}

/// The numbers a blocking `minAvailable` finding shows.
struct Counts<'a> {
    required: i64,
    total: i64,
    workloads: &'a [(&'a Object, i64)],
}

fn report_min(sink: &mut Sink<'_>, object: &Object, min: Amount, counts: Option<Counts<'_>>) {
    let numbers = match counts {
        Some(Counts {
            required,
            total,
            workloads,
        }) => {
            let rounding = if matches!(min, Amount::Percent(_)) {
                format!(" (rounded up: {required})")
            } else {
                String::new()
            };
            format!(
                "minAvailable {min}{rounding} of the {total} pod(s) it selects ({})",
                describe(workloads)
            )
        }
        None => format!("minAvailable {min} of the pods it selects"),
    };
    sink.report(
        object,
        "/spec/minAvailable",
        format!(
            "{} requires {numbers}: disruptionsAllowed stays 0, so every node drain and \
             cluster upgrade hangs on these pods",
            object.display_name()
        ),
        "require fewer pods than run: `maxUnavailable: 1` is the budget that keeps working \
         as replicas change; or raise the replicas above minAvailable",
    );
}
