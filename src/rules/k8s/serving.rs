//! Which containers serve traffic: the shared definition of the serving rules.
//!
//! A container serves when it declares a containerPort; when no container of the pod
//! declares one but a Service in the input selects the pod, every container counts. A
//! portless sidecar beside a serving container, a worker no Service selects, init
//! containers, Jobs and CronJobs do not serve.

use crate::k8s::view::Container;
use serde_json::Value;

use crate::k8s::Object;
use crate::k8s::workload::{PodTemplate, pod_template};
use crate::pointer::ValuePointer;
use crate::rules::Context;

pub struct ServingContainer<'a> {
    pub index: usize,
    pub container: &'a Container,
    /// `/spec/template/spec/containers/N`.
    pub pointer: String,
    /// Why it counts as serving, for messages: "port 8080" or "selected by Service/web".
    pub reason: String,
    /// It declares a containerPort (else it counts only because a Service selects a pod in
    /// which no container declares one, and which of them serves is unknown).
    pub declared_port: bool,
}

/// The serving containers that lack what `has` checks, as a rule should report them. When
/// no container declares a port, which one serves is unknown, and the pod is judged as a
/// whole: one container with the probe or hook covers it (a pod is Ready only when all its
/// containers are, so one readiness probe gates its endpoints; a hung or abruptly stopped
/// portless sidecar drops no request when it is not the one serving). Reporting every other
/// container there would flag sidecars that serve nothing.
pub fn lacking<'a>(
    serving: Vec<ServingContainer<'a>>,
    has: impl Fn(&Container) -> bool,
) -> Vec<ServingContainer<'a>> {
    let unknown = serving.iter().all(|s| !s.declared_port);
    if unknown && serving.iter().any(|s| has(s.container)) {
        return Vec::new();
    }
    serving.into_iter().filter(|s| !has(s.container)).collect()
}

fn port_summary(container: &Container) -> Option<String> {
    let ports = container.ports.as_ref()?;
    let first = ports.first()?;
    Some(match &first.name {
        Some(name) => format!("port {} `{name}`", first.container_port),
        None => format!("port {}", first.container_port),
    })
}

/// The serving containers of a long-running workload; empty for Jobs and non-workloads.
pub fn serving_containers<'a>(
    context: &Context<'a>,
    object: &'a Object,
) -> Vec<ServingContainer<'a>> {
    let Some(pod) = pod_template(object) else {
        return Vec::new();
    };
    serving_in(context, object, &pod)
}

pub fn serving_in<'a>(
    context: &Context<'a>,
    object: &'a Object,
    pod: &PodTemplate<'a>,
) -> Vec<ServingContainer<'a>> {
    if pod.runs_to_completion {
        return Vec::new();
    }
    let containers = &pod.spec.containers;
    let pointer = |i: usize| format!("{}/containers/{i}", pod.spec_pointer);
    let with_ports: Vec<ServingContainer<'a>> = containers
        .iter()
        .enumerate()
        .filter_map(|(index, container)| {
            Some(ServingContainer {
                index,
                container,
                pointer: pointer(index),
                reason: port_summary(container)?,
                declared_port: true,
            })
        })
        .collect();
    if !with_ports.is_empty() {
        return with_ports;
    }
    let Some(service) = context.services_selecting(object, pod.labels).next() else {
        return Vec::new();
    };
    containers
        .iter()
        .enumerate()
        .map(|(index, container)| ServingContainer {
            index,
            container,
            pointer: pointer(index),
            reason: format!("selected by {}", service.display_name()),
            declared_port: false,
        })
        .collect()
}

/// The name of the Deployment an Argo Rollout borrows its pod template from.
pub fn workload_ref(object: &Object) -> Option<&str> {
    if object.kind != "Rollout" {
        return None;
    }
    object
        .value
        .at("/spec/workloadRef/name")
        .and_then(Value::as_str)
}

/// Whether the workload's pods serve requests (the shared definition in
/// `rules::k8s::serving`); a Rollout with a `workloadRef` is judged by the referenced
/// Deployment when it is in the input, and assumed to serve when it is not.
pub fn workload_serves<'a>(context: &Context<'a>, object: &'a Object) -> bool {
    if !serving_containers(context, object).is_empty() {
        return true;
    }
    let Some(reference) = workload_ref(object) else {
        return false;
    };
    match context.find(context.namespace(object), "apps", "Deployment", reference) {
        Some(deployment) => !serving_containers(context, deployment).is_empty(),
        None => true,
    }
}
