//! Required fields that k8s-openapi's types default silently but the API server rejects.

use serde_json::Value;

use super::Invalid;
use crate::pointer::ValuePointer;

fn missing_field(pointer: String, field: &str, what: &str) -> Invalid {
    Invalid {
        pointer,
        message: format!("missing required field `{field}`: {what}"),
    }
}

fn is_absent(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Array(items)) => items.is_empty(),
        _ => false,
    }
}

/// The pointer of the pod template of a workload kind, if it has one.
pub fn pod_spec_pointer(kind: &str) -> Option<&'static str> {
    match kind {
        "Pod" => Some("/spec"),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "Job"
        | "ReplicationController" => Some("/spec/template/spec"),
        "CronJob" => Some("/spec/jobTemplate/spec/template/spec"),
        _ => None,
    }
}

pub fn missing(kind: &str, value: &Value) -> Vec<Invalid> {
    let mut out = Vec::new();
    let metadata = value.get("metadata");
    if is_absent(metadata.and_then(|m| m.get("name")))
        && is_absent(metadata.and_then(|m| m.get("generateName")))
    {
        out.push(missing_field(
            "/metadata".into(),
            "metadata.name",
            "the API server rejects an object without a name",
        ));
    }
    if matches!(
        kind,
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet"
    ) {
        if is_absent(value.at("/spec/selector")) {
            out.push(missing_field(
                "/spec".into(),
                "spec.selector",
                "apps/v1 workloads must name the pods they own",
            ));
        }
        if is_absent(value.at("/spec/template")) {
            out.push(missing_field(
                "/spec".into(),
                "spec.template",
                "the pod template",
            ));
        }
    }
    if let Some(pod_spec) = pod_spec_pointer(kind) {
        let containers = value.at(&format!("{pod_spec}/containers"));
        // The spec's parent: a template (or, for a Pod, the object) without a spec has no
        // containers either.
        let parent = pod_spec.rsplit_once('/').map_or("", |(p, _)| p);
        let holder = if parent.is_empty() {
            Some(value)
        } else {
            value.at(parent)
        };
        if is_absent(value.at(pod_spec)) && holder.is_some_and(|h| !h.is_null()) {
            out.push(missing_field(
                if parent.is_empty() {
                    "".into()
                } else {
                    parent.into()
                },
                "containers",
                "the pod template has no spec, so no container: the API server rejects it",
            ));
        } else if value.at(pod_spec).is_some() && is_absent(containers) {
            out.push(missing_field(
                pod_spec.into(),
                "containers",
                "a pod needs at least one container",
            ));
        }
        for list in ["containers", "initContainers"] {
            let pointer = format!("{pod_spec}/{list}");
            let Some(Value::Array(items)) = value.at(&pointer) else {
                continue;
            };
            for (i, container) in items.iter().enumerate() {
                for field in ["name", "image"] {
                    if is_absent(container.get(field)) {
                        out.push(missing_field(
                            format!("{pointer}/{i}"),
                            field,
                            "every container needs a name and an image",
                        ));
                    }
                }
            }
        }
    }
    if kind == "Service"
        && let Some(Value::Array(ports)) = value.at("/spec/ports")
    {
        for (i, port) in ports.iter().enumerate() {
            if is_absent(port.get("port")) {
                out.push(missing_field(
                    format!("/spec/ports/{i}"),
                    "port",
                    "every Service port needs a port number",
                ));
            }
        }
    }
    out
}
