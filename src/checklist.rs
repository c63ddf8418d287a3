//! The zero-downtime checklist: each item of the seed's list decided from the inputs, with
//! the rules and the objects behind the verdict. An item is `passed` only when the input
//! holds what it is about and none of its rules found an error or a warning; `unknown` when
//! the input holds nothing it applies to (or its rules are off); items no file can decide
//! (the app really drains on SIGTERM, a load test was run) are `not-checkable`, never passed.

use serde::Serialize;

use crate::config::Config;
use crate::lint::Diagnostic;
use crate::output::Inputs;
use crate::severity::{Level, Severity};
use crate::workspace::Workspace;

/// What an item is about, to tell "nothing found" from "nothing to look at".
#[derive(Clone, Copy, Debug, PartialEq)]
enum Scope {
    /// Any manifest object.
    Objects,
    /// Pod-running workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet, Rollout, Pod).
    Workloads,
    /// Workloads that roll out replicas (Deployment, StatefulSet, Rollout).
    Rollouts,
    /// Services, Ingresses, HTTPRoutes, VirtualServices.
    Traffic,
    /// Jobs (migration Jobs among them) or, failing that, migrations.
    Jobs,
    /// SQL migrations.
    Migrations,
    /// Nothing a file holds decides it.
    Manual,
}

struct Item {
    id: &'static str,
    title: &'static str,
    rules: &'static [&'static str],
    scope: Scope,
    /// For manual items: what to check by hand.
    how: &'static str,
}

const ITEMS: &[Item] = &[
    Item {
        id: "manifests-valid",
        title: "The manifests are valid: the API server accepts every object",
        rules: &["invalid-manifest", "unknown-field", "duplicate-key"],
        scope: Scope::Objects,
        how: "",
    },
    Item {
        id: "graceful-shutdown",
        title: "Graceful shutdown: a preStop hook, and a grace period that covers it and the drain",
        rules: &[
            "prestop-hook-missing",
            "grace-period-too-short",
            "prestop-sleep-unsupported",
        ],
        scope: Scope::Workloads,
        how: "",
    },
    Item {
        id: "sigterm-handled",
        title: "The app finishes in-flight requests on SIGTERM and exits before the grace period ends",
        rules: &[],
        scope: Scope::Manual,
        how: "send SIGTERM to a running pod under load (or `kubectl delete pod`) and watch for failed requests",
    },
    Item {
        id: "readiness-gating",
        title: "Readiness probes gate traffic on every serving container",
        rules: &[
            "readiness-probe-missing",
            "probe-port-unknown",
            "liveness-readiness-identical",
            "liveness-probe-missing",
            "startup-probe-missing",
        ],
        scope: Scope::Workloads,
        how: "",
    },
    Item {
        id: "readiness-dependencies",
        title: "Readiness answers only when every dependency the app needs to serve is reachable",
        rules: &[],
        scope: Scope::Manual,
        how: "read the readiness endpoint's code: it must fail while the database, caches or downstream services it needs are not reachable",
    },
    Item {
        id: "rolling-update",
        title: "Rolling-update values keep enough pods serving",
        rules: &[
            "recreate-strategy",
            "rolling-update-unavailable",
            "rolling-update-invalid",
            "single-replica",
            "selector-template-mismatch",
        ],
        scope: Scope::Rollouts,
        how: "",
    },
    Item {
        id: "disruption-budgets",
        title: "PodDisruptionBudgets protect the replicas from drains, and let drains finish",
        rules: &["pdb-missing", "pdb-blocks-eviction", "pdb-selects-nothing"],
        scope: Scope::Rollouts,
        how: "",
    },
    Item {
        id: "traffic-routing",
        title: "Services and routes send traffic to pods that exist, in weights that add up",
        rules: &[
            "service-selects-nothing",
            "ingress-backend-missing",
            "canary-ingress-orphan",
            "canary-same-backend",
            "canary-weight-invalid",
            "canary-duplicate",
            "istio-weights-not-100",
            "istio-subset-undefined",
            "istio-subset-selects-nothing",
            "istio-route-shadowed",
            "httproute-weights-zero",
            "blue-green-standby-undersized",
            "rollout-service-missing",
            "rollout-scale-down-delay",
            "hpa-replicas-conflict",
            "hpa-target-missing",
        ],
        scope: Scope::Traffic,
        how: "",
    },
    Item {
        id: "rollback-history",
        title: "A rollback is possible: revision history is kept",
        rules: &["rollback-history-disabled"],
        scope: Scope::Rollouts,
        how: "",
    },
    Item {
        id: "rollback-runbook",
        title: "A rollback runbook exists and was rehearsed",
        rules: &[],
        scope: Scope::Manual,
        how: "write down who rolls back, with which command (`zerodown rollback`, `kubectl rollout undo`), and try it on staging",
    },
    Item {
        id: "immutable-tags",
        title: "Images are pinned: a rollback or a rescheduled pod runs the same code",
        rules: &["mutable-image-tag"],
        scope: Scope::Workloads,
        how: "",
    },
    Item {
        id: "migration-ordering",
        title: "Migrations run once, before the version that needs them",
        rules: &[
            "migration-job-unordered",
            "migration-job-retries",
            "job-template-immutable",
        ],
        scope: Scope::Jobs,
        how: "",
    },
    Item {
        id: "expand-contract",
        title: "Migrations are expand/contract: the running version survives each one",
        rules: &[
            "rename-column",
            "rename-table",
            "drop-column",
            "drop-table",
            "change-column-type",
            "add-required-column",
            "set-not-null",
            "down-migration-missing",
        ],
        scope: Scope::Migrations,
        how: "",
    },
    Item {
        id: "migration-locks",
        title: "Migrations do not block traffic with long locks or rewrites",
        rules: &[
            "index-not-concurrent",
            "drop-index-not-concurrent",
            "concurrent-in-transaction",
            "constraint-not-valid-missing",
            "unique-constraint-locks",
            "volatile-default",
            "lock-timeout-missing",
            "backfill-in-transaction",
        ],
        scope: Scope::Migrations,
        how: "",
    },
    Item {
        id: "load-tested",
        title: "A deploy was rehearsed under production-like load with no failed request",
        rules: &[],
        scope: Scope::Manual,
        how: "run a load generator through a full rollout (and a rollback) on staging and count the errors",
    },
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Passed,
    Failed,
    Unknown,
    NotCheckable,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Passed => "passed",
            Verdict::Failed => "failed",
            Verdict::Unknown => "unknown",
            Verdict::NotCheckable => "not checkable from files",
        }
    }
}

/// A finding behind a verdict.
#[derive(Debug, Serialize)]
pub struct Evidence {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// `Kind/name` of the object, for manifest findings.
    pub object: Option<String>,
}

/// One item, decided.
#[derive(Debug, Serialize)]
pub struct Checked {
    pub id: &'static str,
    pub title: &'static str,
    pub verdict: Verdict,
    /// Why: what was checked, what was missing, or what to check by hand.
    pub reason: String,
    pub rules: &'static [&'static str],
    /// How many objects or migrations the item looked at.
    pub checked: usize,
    pub findings: Vec<Evidence>,
}

/// What the checklist is decided from.
pub struct Sources<'a> {
    pub workspace: &'a Workspace,
    pub manifest_findings: &'a [Diagnostic],
    /// The migrations and their findings, when migrations were given.
    pub migrations: Option<(&'a crate::sql::MigrationSet, &'a [Diagnostic])>,
    pub config: &'a Config,
}

fn count(workspace: &Workspace, kinds: &[&str]) -> usize {
    workspace
        .objects
        .iter()
        .filter(|o| kinds.contains(&o.kind.as_str()))
        .count()
}

/// How many subjects an item's scope finds in the inputs, and what they are called.
fn subjects(scope: Scope, inputs: &Sources<'_>) -> (usize, &'static str) {
    let w = inputs.workspace;
    match scope {
        Scope::Objects => (w.objects.len(), "objects"),
        Scope::Workloads => (
            count(
                w,
                &[
                    "Deployment",
                    "StatefulSet",
                    "DaemonSet",
                    "ReplicaSet",
                    "Rollout",
                    "Pod",
                ],
            ),
            "workloads",
        ),
        Scope::Rollouts => (
            count(w, &["Deployment", "StatefulSet", "Rollout"]),
            "Deployments, StatefulSets or Rollouts",
        ),
        Scope::Traffic => (
            count(w, &["Service", "Ingress", "HTTPRoute", "VirtualService"]),
            "Services or routes",
        ),
        Scope::Jobs => (count(w, &["Job"]), "Jobs"),
        Scope::Migrations => (
            inputs.migrations.map_or(0, |(set, _)| set.migrations.len()),
            "migrations",
        ),
        Scope::Manual => (0, ""),
    }
}

fn evidence(inputs: &Sources<'_>, rules: &[&str]) -> Vec<Evidence> {
    let manifests = inputs.manifest_findings.iter().map(|d| {
        let object = d
            .object
            .and_then(|i| inputs.workspace.objects.get(i))
            .map(|o| format!("{}/{}", o.kind, o.name));
        (d, inputs.workspace.file(d.file).name.clone(), object)
    });
    let migrations = inputs.migrations.into_iter().flat_map(|(set, findings)| {
        findings
            .iter()
            .map(move |d| (d, set.file(d.file).name.clone(), None))
    });
    manifests
        .chain(migrations)
        .filter(|(d, ..)| rules.contains(&d.rule))
        .map(|(d, file, object)| Evidence {
            rule: d.rule,
            severity: d.severity,
            message: d.message.clone(),
            file,
            line: d.start.line,
            column: d.start.column,
            object,
        })
        .collect()
}

/// Every item, decided from `inputs`.
pub fn check(inputs: &Sources<'_>) -> Vec<Checked> {
    ITEMS
        .iter()
        .map(|item| {
            let (checked, what) = subjects(item.scope, inputs);
            let findings = evidence(inputs, item.rules);
            let off: Vec<&str> = item
                .rules
                .iter()
                .copied()
                .filter(|id| {
                    crate::rules::find_meta(id)
                        .is_some_and(|m| inputs.config.level(id, m.severity) == Level::Off)
                })
                .collect();
            let failing = findings.iter().filter(|f| f.severity >= Severity::Warning).count();
            let (verdict, reason) = if item.scope == Scope::Manual {
                (Verdict::NotCheckable, item.how.to_string())
            } else if failing > 0 {
                (
                    Verdict::Failed,
                    format!("{failing} finding(s) in {checked} {what}"),
                )
            } else if checked == 0 {
                let missing = match item.scope {
                    Scope::Migrations if inputs.migrations.is_none() => {
                        "no migrations given (`--migrations PATH`)".to_string()
                    }
                    Scope::Jobs => "no migration Job in the manifests: how migrations run before the new version is not in the input".to_string(),
                    _ => format!("no {what} in the input"),
                };
                (Verdict::Unknown, missing)
            } else if off.len() == item.rules.len() {
                (
                    Verdict::Unknown,
                    format!("its rules are turned off in the config: {}", off.join(", ")),
                )
            } else if !off.is_empty() {
                (
                    Verdict::Passed,
                    format!(
                        "{checked} {what} checked; not checked, off in the config: {}",
                        off.join(", ")
                    ),
                )
            } else {
                (Verdict::Passed, format!("{checked} {what} checked"))
            };
            Checked {
                id: item.id,
                title: item.title,
                verdict,
                reason,
                rules: item.rules,
                checked,
                findings,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_an_item_names_exists() {
        for item in ITEMS {
            for rule in item.rules {
                assert!(
                    crate::rules::find_meta(rule).is_some(),
                    "{}: {rule}",
                    item.id
                );
            }
            assert_eq!(
                item.scope == Scope::Manual,
                item.rules.is_empty(),
                "{}",
                item.id
            );
        }
    }
}
