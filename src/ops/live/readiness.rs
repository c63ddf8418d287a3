//! Readiness before a live move and its end after one. Before: the workloads that take the
//! traffic have every replica Ready, and the Services that will receive it already have
//! Ready endpoints. After (`--wait`): the live Service's Ready endpoints are all pods of the
//! target. Endpoints are read from EndpointSlices (discovery.k8s.io/v1, what kube-proxy and
//! the gateways read), falling back to the core Endpoints object on clusters that do not
//! serve slices.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::Kubectl;
use crate::ops::traffic::{Move, Serving, Settled};
use crate::pointer::ValuePointer;
use crate::workspace::Workspace;

/// How often a wait polls the cluster.
const POLL: Duration = Duration::from_millis(500);

/// Workloads a move sends traffic to must be Ready: every replica, and at least one.
pub fn unready_targets(workspace: &Workspace, planned: &Move) -> Vec<String> {
    planned
        .targets
        .iter()
        .filter_map(|&index| {
            let object = &workspace.objects[index];
            let wanted = object
                .value
                .at("/spec/replicas")
                .and_then(crate::k8s::int_value)
                .unwrap_or(1)
                .max(1);
            let ready = object
                .value
                .at("/status/readyReplicas")
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

/// An endpoint's identity: its pod's name (`targetRef`), else its first address.
fn identity(target: Option<&Value>, address: Option<&str>) -> Option<String> {
    target
        .filter(|t| t.get("kind").and_then(Value::as_str) == Some("Pod"))
        .and_then(|t| t.get("name"))
        .and_then(Value::as_str)
        .or(address)
        .map(str::to_string)
}

/// The Ready endpoints behind a Service, deduplicated (dual-stack clusters list each pod in
/// an IPv4 and an IPv6 slice).
pub fn ready_endpoints(
    kubectl: &Kubectl,
    namespace: &str,
    service: &str,
) -> Result<BTreeSet<String>, String> {
    let selector = format!("kubernetes.io/service-name={service}");
    let slices = kubectl.list(
        "endpointslices.discovery.k8s.io",
        &["--namespace", namespace, "-l", &selector],
    )?;
    let mut ready = BTreeSet::new();
    if let Some(slices) = slices {
        for endpoint in slices
            .iter()
            .flat_map(|s| s.get("endpoints").and_then(Value::as_array))
            .flatten()
        {
            // An unset `ready` means unknown, which consumers are to treat as ready.
            let is_ready = endpoint
                .at("/conditions/ready")
                .and_then(Value::as_bool)
                .unwrap_or(true);
            let address = endpoint.at("/addresses/0").and_then(Value::as_str);
            if let Some(id) = is_ready
                .then(|| identity(endpoint.get("targetRef"), address))
                .flatten()
            {
                ready.insert(id);
            }
        }
        return Ok(ready);
    }
    let endpoints = match kubectl.get_json(&["endpoints", service, "--namespace", namespace]) {
        Ok(endpoints) => endpoints,
        Err(error) if super::is_not_found(&error) => return Ok(ready),
        Err(error) => return Err(error),
    };
    for address in endpoints
        .get("subsets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|s| s.get("addresses").and_then(Value::as_array))
        .flatten()
    {
        if let Some(id) = identity(
            address.get("targetRef"),
            address.get("ip").and_then(Value::as_str),
        ) {
            ready.insert(id);
        }
    }
    Ok(ready)
}

/// Services that would receive traffic without enough Ready endpoints behind them.
pub fn unserved(kubectl: &Kubectl, serving: &[Serving]) -> Result<Vec<String>, String> {
    let mut problems = Vec::new();
    for wanted in serving {
        let ready = ready_endpoints(kubectl, &wanted.namespace, &wanted.service)?;
        if (ready.len() as i64) < wanted.min {
            problems.push(format!(
                "Service {}/{}: {} of {} endpoints Ready",
                wanted.namespace,
                wanted.service,
                ready.len(),
                wanted.min
            ));
        }
    }
    Ok(problems)
}

/// The pods with `labels` in a namespace: their names and IPs (what an endpoint can name).
fn pods(
    kubectl: &Kubectl,
    namespace: &str,
    labels: &BTreeMap<String, String>,
) -> Result<BTreeSet<String>, String> {
    let selector = labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    let items = kubectl
        .list("pods", &["--namespace", namespace, "-l", &selector])?
        .unwrap_or_default();
    Ok(items
        .iter()
        .flat_map(|pod| {
            [
                pod.at("/metadata/name").and_then(Value::as_str),
                pod.at("/status/podIP").and_then(Value::as_str),
            ]
        })
        .flatten()
        .map(str::to_string)
        .collect())
}

/// Why a settled condition does not hold yet, or `None` once it does.
pub fn unsettled(kubectl: &Kubectl, settled: &Settled) -> Result<Option<String>, String> {
    let ready = ready_endpoints(kubectl, &settled.namespace, &settled.service)?;
    let target = pods(kubectl, &settled.namespace, &settled.labels)?;
    let others = ready.iter().filter(|e| !target.contains(*e)).count();
    Ok(if ready.is_empty() {
        Some(format!(
            "Service {}/{}: no Ready endpoint",
            settled.namespace, settled.service
        ))
    } else if others > 0 {
        Some(format!(
            "Service {}/{}: {others} of {} Ready endpoints are not the target's pods yet",
            settled.namespace,
            settled.service,
            ready.len()
        ))
    } else {
        None
    })
}

/// What one poll of a wait found.
pub enum Poll {
    Done(String),
    Pending(String),
    Failed(String),
}

/// Polls `check` until it is done or fails, or `deadline` passes (then the last pending
/// reason is the error).
pub fn wait_until(
    deadline: Instant,
    mut check: impl FnMut() -> Result<Poll, String>,
) -> Result<String, String> {
    loop {
        match check()? {
            Poll::Done(message) => return Ok(message),
            Poll::Failed(message) => return Err(message),
            Poll::Pending(reason) => {
                if Instant::now() + POLL > deadline {
                    return Err(format!("timed out: {reason}"));
                }
                std::thread::sleep(POLL);
            }
        }
    }
}
