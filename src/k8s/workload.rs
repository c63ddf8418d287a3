//! The pod template of a workload, whatever its kind, with the pointer that locates it.

use std::collections::BTreeMap;

use super::view::{Container, PodSpec, PodTemplateSpec};

use super::{Object, Typed};
use crate::pointer::ValuePointer;

/// A workload's pod: its labels and spec, and the JSON pointer of the spec in the object.
pub struct PodTemplate<'a> {
    pub labels: &'a BTreeMap<String, String>,
    pub spec: &'a PodSpec,
    pub spec_pointer: &'static str,
    /// Jobs and CronJobs run to completion: they serve nothing and are exempt from the
    /// serving rules.
    pub runs_to_completion: bool,
}

static NO_LABELS: BTreeMap<String, String> = BTreeMap::new();

/// The spec of a template that has none: the object is invalid (invalid-manifest says so),
/// but its labels still count for the rules that select pods, so a Service whose selector
/// misses such a template, or a PDB over it, is still judged.
static NO_SPEC: std::sync::LazyLock<PodSpec> = std::sync::LazyLock::new(PodSpec::default);

fn from_template<'a>(
    template: &'a PodTemplateSpec,
    spec_pointer: &'static str,
    runs_to_completion: bool,
) -> Option<PodTemplate<'a>> {
    Some(PodTemplate {
        labels: template
            .metadata
            .as_ref()
            .and_then(|m| m.labels.as_ref())
            .unwrap_or(&NO_LABELS),
        spec: template.spec.as_ref().unwrap_or(&NO_SPEC),
        spec_pointer,
        runs_to_completion,
    })
}

/// The pod template of any workload kind, Argo Rollouts' `Rollout` included.
pub fn pod_template(object: &Object) -> Option<PodTemplate<'_>> {
    const TEMPLATE_SPEC: &str = "/spec/template/spec";
    match object.typed.as_ref() {
        Some(Typed::Deployment(d)) => from_template(&d.spec.template, TEMPLATE_SPEC, false),
        Some(Typed::StatefulSet(s)) => from_template(&s.spec.template, TEMPLATE_SPEC, false),
        Some(Typed::DaemonSet(d)) => from_template(&d.spec.template, TEMPLATE_SPEC, false),
        Some(Typed::ReplicaSet(r)) => {
            from_template(r.spec.template.as_ref()?, TEMPLATE_SPEC, false)
        }
        Some(Typed::Job(j)) => from_template(&j.spec.as_ref()?.template, TEMPLATE_SPEC, true),
        Some(Typed::CronJob(c)) => from_template(
            &c.spec.job_template.spec.as_ref()?.template,
            "/spec/jobTemplate/spec/template/spec",
            true,
        ),
        Some(Typed::Pod(p)) => Some(PodTemplate {
            labels: p.metadata.labels.as_ref().unwrap_or(&NO_LABELS),
            spec: p.spec.as_ref().unwrap_or(&NO_SPEC),
            spec_pointer: "/spec",
            runs_to_completion: matches!(
                p.spec.as_ref().and_then(|s| s.restart_policy.as_deref()),
                Some("Never" | "OnFailure")
            ),
        }),
        _ => from_template(object.rollout_template.as_deref()?, TEMPLATE_SPEC, false),
    }
}

/// A container that runs for the pod's whole life.
pub struct RunningContainer<'a> {
    pub index: usize,
    pub container: &'a Container,
    /// `/spec/template/spec/containers/N` (or `initContainers/N`).
    pub pointer: String,
}

/// The containers of a long-running pod and its native sidecars (init containers with
/// `restartPolicy: Always`); empty for Jobs and CronJobs, which run to completion.
pub fn running_containers<'a>(pod: &PodTemplate<'a>) -> Vec<RunningContainer<'a>> {
    if pod.runs_to_completion {
        return Vec::new();
    }
    let lists = [
        ("containers", Some(&pod.spec.containers)),
        ("initContainers", pod.spec.init_containers.as_ref()),
    ];
    let mut running = Vec::new();
    for (list, containers) in lists {
        for (index, container) in containers.into_iter().flatten().enumerate() {
            if list == "initContainers" && container.restart_policy.as_deref() != Some("Always") {
                continue;
            }
            running.push(RunningContainer {
                index,
                container,
                pointer: format!("{}/{list}/{index}", pod.spec_pointer),
            });
        }
    }
    running
}

/// Reads the pod template of an Argo Rollouts `Rollout`, which k8s-openapi does not type.
pub fn rollout_template(
    api_version: &str,
    kind: &str,
    value: &serde_json::Value,
) -> Option<Box<PodTemplateSpec>> {
    if kind != "Rollout" || !api_version.starts_with("argoproj.io/") {
        return None;
    }
    let template = value.at("/spec/template")?;
    let (result, _) = super::de::from_value::<k8s_openapi::api::core::v1::PodTemplateSpec>(
        template,
        "/spec/template",
    );
    result.ok().map(|template| Box::new(template.into()))
}
