//! The same traffic moves against a cluster, through kubectl: the current objects are read
//! with `kubectl get -o json`, the move is computed exactly as for files, the target's
//! readiness is checked, and each changed object gets a JSON merge patch with `kubectl
//! patch`. kubectl always runs with an argument vector, never through a shell.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use super::edit::merge_patch;
use super::traffic::Move;
use crate::source::SourceFile;
use crate::workspace::Workspace;

/// How to reach the cluster.
#[derive(Clone, Debug)]
pub struct Kubectl {
    pub program: PathBuf,
    pub context: Option<String>,
    pub namespace: Option<String>,
}

/// What a move reads: the kinds it edits or checks, by their resource names.
pub const RESOURCES: &[&str] = &[
    "services",
    "deployments.apps",
    "statefulsets.apps",
    "ingresses.networking.k8s.io",
    "httproutes.gateway.networking.k8s.io",
    "virtualservices.networking.istio.io",
    "rollouts.argoproj.io",
];

impl Kubectl {
    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        if let Some(context) = &self.context {
            command.arg("--context").arg(context);
        }
        if let Some(namespace) = &self.namespace {
            command.arg("--namespace").arg(namespace);
        }
        command
    }

    fn run(&self, args: &[&str]) -> Result<String, String> {
        let output = self
            .command()
            .args(args)
            .output()
            .map_err(|e| format!("{}: {e}", self.program.display()))?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            Err(format!(
                "kubectl {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            ))
        }
    }

    /// The cluster's objects of `RESOURCES` in the namespace, as one workspace. Kinds the
    /// cluster does not serve (no Istio, no Gateway API) are skipped.
    pub fn read(&self) -> Result<Workspace, String> {
        let mut items: Vec<Value> = Vec::new();
        for resource in RESOURCES {
            match self.run(&["get", resource, "-o", "json"]) {
                Ok(text) => {
                    let list: Value = serde_json::from_str(&text)
                        .map_err(|e| format!("kubectl get {resource}: not JSON: {e}"))?;
                    if let Some(found) = list.get("items").and_then(Value::as_array) {
                        items.extend(found.iter().cloned());
                    }
                }
                Err(error) if error.contains("doesn't have a resource type") => {}
                Err(error) => return Err(error),
            }
        }
        let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items});
        let text = serde_json::to_string_pretty(&list).unwrap_or_default();
        let (workspace, _) = crate::lint_sources(
            vec![SourceFile::new("cluster", text)],
            &crate::config::Config::default(),
        );
        Ok(workspace)
    }

    /// Sends one merge patch.
    pub fn patch(
        &self,
        kind: &str,
        group: &str,
        name: &str,
        namespace: &str,
        patch: &Value,
    ) -> Result<(), String> {
        let resource = if group.is_empty() {
            kind.to_lowercase()
        } else {
            format!("{}.{group}", kind.to_lowercase())
        };
        let body = patch.to_string();
        self.run(&[
            "patch",
            &resource,
            name,
            "--namespace",
            namespace,
            "--type",
            "merge",
            "-p",
            &body,
        ])
        .map(|_| ())
    }
}

/// Workloads a switch sends traffic to must be Ready: every replica, and at least one.
pub fn unready_targets(workspace: &Workspace, planned: &Move) -> Vec<String> {
    planned
        .targets
        .iter()
        .filter_map(|&index| {
            let object = &workspace.objects[index];
            let wanted = object
                .value
                .pointer("/spec/replicas")
                .and_then(crate::k8s::int_value)
                .unwrap_or(1)
                .max(1);
            let ready = object
                .value
                .pointer("/status/readyReplicas")
                .and_then(crate::k8s::int_value)
                .unwrap_or(0);
            (ready < wanted).then(|| {
                format!(
                    "{}/{}: {ready} of {wanted} replicas Ready",
                    object.kind, object.name
                )
            })
        })
        .collect()
}

/// Applies a move to the cluster: one merge patch per changed object, in order.
pub fn apply(
    kubectl: &Kubectl,
    workspace: &Workspace,
    planned: &Move,
    default_ns: &str,
) -> Result<Vec<String>, String> {
    let mut by_object: Vec<(usize, Vec<(&str, &Value)>)> = Vec::new();
    for change in &planned.changes {
        match by_object.iter_mut().find(|(o, _)| *o == change.object) {
            Some((_, list)) => list.push((&change.pointer, &change.value)),
            None => by_object.push((change.object, vec![(&change.pointer, &change.value)])),
        }
    }
    let mut done = Vec::new();
    for (index, changes) in by_object {
        let object = &workspace.objects[index];
        let patch = merge_patch(&object.value, &changes);
        let group = object.api_version.rsplit_once('/').map_or("", |(g, _)| g);
        let namespace = object.namespace_or(default_ns);
        kubectl.patch(&object.kind, group, &object.name, namespace, &patch)?;
        done.push(format!(
            "patched {}/{} in {namespace}: {patch}",
            object.kind, object.name
        ));
    }
    Ok(done)
}
