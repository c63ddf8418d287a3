//! Kubernetes objects: identity, the typed view of the kinds the rules read, and the checks
//! every object gets at load time (schema, required fields).

pub mod api_versions;
pub mod de;
pub mod image;
mod kinds;
pub mod labels;
mod required;
mod values;
pub mod view;
pub mod workload;

use serde_json::Value;

pub use de::UnknownField;
pub use kinds::has_schema;

use crate::pointer::ValuePointer;
use crate::yaml::DuplicateKey;

/// The kinds rules read as types, as their lean `view`. Every other kind, and every field
/// a view leaves out, is validated at load time, then read from the raw value only.
#[derive(Debug)]
pub enum Typed {
    Deployment(Box<view::Deployment>),
    StatefulSet(Box<view::StatefulSet>),
    DaemonSet(Box<view::DaemonSet>),
    ReplicaSet(Box<view::ReplicaSet>),
    Pod(Box<view::Pod>),
    Job(Box<view::Job>),
    CronJob(Box<view::CronJob>),
    Service(Box<view::Service>),
}

/// A problem found while reading the object, before any rule runs.
#[derive(Debug, Clone)]
pub struct Invalid {
    /// Relative to the object.
    pub pointer: String,
    pub message: String,
}

/// One Kubernetes object of the input.
#[derive(Debug)]
pub struct Object {
    /// Index in the workspace's object list.
    pub index: usize,
    pub file: usize,
    pub doc: usize,
    /// Where the object sits in its document: "" or `/items/N` inside a `kind: List`.
    pub base: String,
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    pub value: Value,
    pub typed: Option<Typed>,
    /// The pod template of an Argo Rollouts `Rollout` (`Typed` covers built-in kinds only).
    pub rollout_template: Option<Box<view::PodTemplateSpec>>,
    pub unknown_fields: Vec<UnknownField>,
    pub invalid: Vec<Invalid>,
    pub duplicate_keys: Vec<DuplicateKey>,
}

/// The API group of an `apiVersion`: `""` for the core group (`v1`), else the part before `/`.
pub fn api_group(api_version: &str) -> &str {
    api_version
        .split_once('/')
        .map_or("", |(group, _version)| group)
}

/// A built-in kind under a built-in API group's version that does not serve it
/// (`apiVersion: v1` with `kind: Deployment`): the API server rejects it. Removed versions
/// are `api-removed`'s, and a kind of another group (a CRD's) is not judged.
fn unserved(api_version: &str, kind: &str) -> Option<Invalid> {
    if kind.is_empty()
        || api_version.is_empty()
        || api_versions::removed(api_version, kind).is_some()
    {
        return None;
    }
    let served = kinds::served_versions(kind);
    if served.is_empty() || !kinds::is_builtin_group(api_group(api_version)) {
        return None;
    }
    Some(Invalid {
        pointer: "/apiVersion".to_string(),
        message: format!(
            "apiVersion `{api_version}` does not serve kind {kind}: the API server rejects the \
             object ({kind} is served by {})",
            served.join(", ")
        ),
    })
}

impl Object {
    /// Builds the object and runs the load-time checks. `base` is the pointer of the object
    /// inside its document.
    pub fn new(file: usize, doc: usize, base: String, value: Value) -> Object {
        // A number or boolean where a string belongs (`name: 5`) is invalid-manifest's to
        // report; meanwhile the object is named by what was written, not by nothing.
        let scalar = |v: Option<&Value>| match v {
            Some(Value::String(s)) => Some(s.clone()),
            Some(v @ (Value::Number(_) | Value::Bool(_))) => Some(v.to_string()),
            _ => None,
        };
        let api_version = scalar(value.get("apiVersion")).unwrap_or_default();
        let kind = scalar(value.get("kind")).unwrap_or_default();
        let metadata = value.get("metadata");
        let meta_text = |key: &str| scalar(metadata.and_then(|m| m.get(key)));
        let name = meta_text("name")
            .or_else(|| meta_text("generateName"))
            .unwrap_or_default();
        let namespace = meta_text("namespace");

        let mut invalid = Vec::new();
        let validation = kinds::validate_known(&api_version, &kind, &value, "");
        let known = validation.is_some();
        let (typed, unknown_fields) = match validation {
            Some(validation) => {
                invalid.extend(validation.errors.into_iter().map(|error| Invalid {
                    pointer: error.pointer.unwrap_or_default(),
                    message: error.message,
                }));
                (validation.typed, validation.unknown)
            }
            None => (None, Vec::new()),
        };
        if !known {
            invalid.extend(unserved(&api_version, &kind));
        }
        if known {
            invalid.extend(required::missing(&kind, &value));
            invalid.extend(values::rejected(&api_version, &kind, &value));
        }
        let rollout_template = workload::rollout_template(&api_version, &kind, &value);
        Object {
            index: 0,
            file,
            doc,
            base,
            api_version,
            kind,
            name,
            namespace,
            value,
            typed,
            rollout_template,
            unknown_fields,
            invalid,
            duplicate_keys: Vec::new(),
        }
    }

    /// Empties the payload of a ConfigMap or Secret (`data`, `binaryData`, `stringData`
    /// values) once the object has been validated: no rule reads it, and in rendered
    /// streams it is most of the bytes (dashboards, configs, certificates). Keys, spans and
    /// everything else stay, so findings about the object are located as before.
    pub fn drop_payload(&mut self) {
        if self.api_version != "v1" || !matches!(self.kind.as_str(), "ConfigMap" | "Secret") {
            return;
        }
        for field in ["data", "binaryData", "stringData"] {
            if let Some(Value::Object(entries)) = self.value.get_mut(field) {
                for value in entries.values_mut() {
                    if let Value::String(text) = value {
                        *text = String::new();
                    }
                }
            }
        }
    }

    /// Empties the pod spec of a typed workload in the raw value (`Keep::ForRules`): the
    /// rules read it from the view. The key stays, as an empty mapping, so the template
    /// still exists for a rule that asks.
    pub fn leave_pod_spec_to_view(&mut self) {
        let pointer = match &self.typed {
            Some(
                Typed::Deployment(_)
                | Typed::StatefulSet(_)
                | Typed::DaemonSet(_)
                | Typed::ReplicaSet(_)
                | Typed::Job(_),
            ) => "/spec/template/spec",
            Some(Typed::CronJob(_)) => "/spec/jobTemplate/spec/template/spec",
            Some(Typed::Pod(_)) => "/spec",
            Some(Typed::Service(_)) | None => return,
        };
        if let Some(spec @ Value::Object(_)) = self.value.pointer_mut(pointer) {
            *spec = Value::Object(serde_json::Map::new());
        }
    }

    /// The namespace, or `default_namespace` when the object names none.
    pub fn namespace_or<'a>(&'a self, default_namespace: &'a str) -> &'a str {
        self.namespace.as_deref().unwrap_or(default_namespace)
    }

    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.value
            .at("/metadata/annotations")
            .and_then(|a| a.get(key))
            .and_then(Value::as_str)
    }

    /// `Kind/name`, as kubectl prints it.
    pub fn display_name(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }
}

/// An integer written as a number or a numeric string (`"10"`), as CRD fields and
/// annotations often are.
pub fn int_value(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The JSON pointer of an annotation (`/metadata/annotations/helm.sh~1hook`).
pub fn annotation_pointer(key: &str) -> String {
    format!("/metadata/annotations/{}", crate::yaml::escape(key))
}
