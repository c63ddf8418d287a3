//! The same moves against a cluster, through kubectl: the current objects are read with
//! `kubectl get -o json`, the move is computed exactly as for files, what takes the traffic
//! is checked for readiness (`readiness`), and each changed object gets a JSON merge patch
//! with `kubectl patch`. Argo Rollouts are promoted and aborted as their plugin does
//! (`argo`); a plain workload is rolled back with `kubectl rollout undo`. kubectl always
//! runs with an argument vector, never through a shell.

pub mod argo;
pub mod moves;
pub mod readiness;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use super::edit::merge_patch;
use super::traffic::Move;
use crate::k8s::Object;
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
    "daemonsets.apps",
    "ingresses.networking.k8s.io",
    "httproutes.gateway.networking.k8s.io",
    "virtualservices.networking.istio.io",
    "rollouts.argoproj.io",
];

/// The message kubectl prints when the cluster does not serve a resource type.
fn is_unserved(error: &str) -> bool {
    error.contains("doesn't have a resource type")
}

/// The message kubectl prints for an HTTP 404 from the API server.
pub fn is_not_found(error: &str) -> bool {
    error.contains("(NotFound)")
}

/// `kind.group` as kubectl names a resource type (`deployment.apps`, `service`).
pub fn resource_of(object: &Object) -> String {
    let kind = object.kind.to_lowercase();
    match crate::k8s::api_group(&object.api_version) {
        "" => kind,
        group => format!("{kind}.{group}"),
    }
}

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

    /// Runs kubectl with `args`; its stdout, or its stderr as the error.
    pub fn run(&self, args: &[&str]) -> Result<String, String> {
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

    /// `kubectl get ARGS -o json`, parsed.
    pub fn get_json(&self, args: &[&str]) -> Result<Value, String> {
        let mut all = vec!["get"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["-o", "json"]);
        let text = self.run(&all)?;
        serde_json::from_str(&text)
            .map_err(|e| format!("kubectl get {}: not JSON: {e}", args.join(" ")))
    }

    /// The items of `kubectl get RESOURCE [ARGS] -o json`; `None` when the cluster does not
    /// serve the resource type.
    pub fn list(&self, resource: &str, args: &[&str]) -> Result<Option<Vec<Value>>, String> {
        let mut all = vec![resource];
        all.extend_from_slice(args);
        match self.get_json(&all) {
            Ok(list) => Ok(Some(
                list.get("items")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
            )),
            Err(error) if is_unserved(&error) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// The cluster's objects of `RESOURCES` in the namespace, as one workspace. Kinds the
    /// cluster does not serve (no Istio, no Gateway API) are skipped.
    pub fn read(&self) -> Result<Workspace, String> {
        let mut items: Vec<Value> = Vec::new();
        for resource in RESOURCES {
            items.extend(self.list(resource, &[])?.unwrap_or_default());
        }
        let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items});
        let text = serde_json::to_string_pretty(&list).unwrap_or_default();
        let (workspace, _) = crate::lint_sources_keeping(
            vec![SourceFile::new("cluster", text)],
            &crate::config::Config::default(),
            crate::workspace::Keep::Everything,
        );
        Ok(workspace)
    }

    /// Sends one merge patch, to the object or to its `status` subresource.
    pub fn patch(
        &self,
        object: &Object,
        namespace: &str,
        patch: &Value,
        subresource: Option<&str>,
    ) -> Result<(), String> {
        let resource = resource_of(object);
        let body = patch.to_string();
        let mut args = vec![
            "patch",
            &resource,
            &object.name,
            "--namespace",
            namespace,
            "--type",
            "merge",
            "-p",
            &body,
        ];
        if let Some(subresource) = subresource {
            args.extend_from_slice(&["--subresource", subresource]);
        }
        self.run(&args).map(|_| ())
    }

    /// `kubectl rollout undo KIND/NAME [--to-revision=N]`: what kubectl printed.
    pub fn rollout_undo(
        &self,
        object: &Object,
        namespace: &str,
        to_revision: Option<u64>,
    ) -> Result<String, String> {
        let target = format!("{}/{}", resource_of(object), object.name);
        let revision = to_revision.map(|r| format!("--to-revision={r}"));
        let mut args = vec!["rollout", "undo", &target, "--namespace", namespace];
        args.extend(revision.as_deref());
        self.run(&args).map(|out| out.trim().to_string())
    }

    /// `kubectl rollout status KIND/NAME --timeout=T`: returns once the rollout is complete,
    /// fails when it does not complete in time.
    pub fn rollout_status(
        &self,
        object: &Object,
        namespace: &str,
        timeout: Duration,
    ) -> Result<String, String> {
        let target = format!("{}/{}", resource_of(object), object.name);
        let timeout = format!("--timeout={}s", timeout.as_secs().max(1));
        self.run(&[
            "rollout",
            "status",
            &target,
            "--namespace",
            namespace,
            &timeout,
        ])
        .map(|out| out.trim().to_string())
    }
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
        let namespace = object.namespace_or(default_ns);
        kubectl.patch(object, namespace, &patch, None)?;
        done.push(format!(
            "patched {}/{} in {namespace}: {patch}",
            object.kind, object.name
        ));
    }
    Ok(done)
}
