//! Which scalars a traffic move changes: `switch` (blue-green: Service selectors, Istio
//! destination subsets, HTTPRoute backends) and `set-weight` (canary: ingress-nginx
//! canary-weight, Istio route weights, HTTPRoute backendRef weights). Ambiguity is refused
//! with the candidates named, never guessed.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::edit::Change;
use crate::k8s::{Object, annotation_pointer};
use crate::pointer::ValuePointer;
use crate::workspace::Workspace;

/// Label keys that say which colour a blue-green pod is.
const COLOUR_KEYS: &[&str] = &["zerodown.dev/color", "color", "colour", "slot"];

const NGINX_CANARY: &str = "nginx.ingress.kubernetes.io/canary";
const NGINX_WEIGHT: &str = "nginx.ingress.kubernetes.io/canary-weight";
const NGINX_HEADER: &str = "nginx.ingress.kubernetes.io/canary-by-header";

/// One blue-green app: its namespace, the colour label key, and the rest of its selector.
type ColourGroup = (String, String, BTreeMap<String, String>);

/// A move: the changes, and one line per object for the user.
#[derive(Debug, Default)]
pub struct Move {
    pub changes: Vec<Change>,
    pub summary: Vec<String>,
    /// Workloads that take the traffic (a switch's target colour): their readiness is
    /// checked before a live move.
    pub targets: Vec<usize>,
    /// Services that will take traffic and must already have this many Ready endpoints
    /// before a live move (the preview Service of the target colour, the canary's Service).
    pub serving: Vec<Serving>,
    /// After a live move, with `--wait`: each Service must end up served only by pods with
    /// these labels (the live Service, by the target colour).
    pub settled: Vec<Settled>,
    /// Workloads whose rollout a live move starts (promote's image change): `--wait`
    /// watches them with `kubectl rollout status`.
    pub rollouts: Vec<usize>,
}

/// A Service that must have at least `min` Ready endpoints before traffic moves to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Serving {
    pub namespace: String,
    pub service: String,
    pub min: i64,
}

/// A Service whose Ready endpoints must all be pods with `labels` once the move is done.
#[derive(Debug, Clone, PartialEq)]
pub struct Settled {
    pub namespace: String,
    pub service: String,
    pub labels: BTreeMap<String, String>,
}

fn namespace<'a>(object: &'a Object, default: &'a str) -> &'a str {
    object.namespace_or(default)
}

fn string_map(value: Option<&Value>) -> BTreeMap<String, String> {
    value
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// Pod templates (workload, labels, replicas) of a namespace.
fn workloads<'a>(
    workspace: &'a Workspace,
    ns: &str,
    default_ns: &str,
) -> Vec<(&'a Object, BTreeMap<String, String>, i64)> {
    workspace
        .objects
        .iter()
        .filter(|o| namespace(o, default_ns) == ns)
        .filter(|o| matches!(o.kind.as_str(), "Deployment" | "StatefulSet" | "Rollout"))
        .map(|o| {
            let labels = string_map(o.value.at("/spec/template/metadata/labels"));
            let replicas = o
                .value
                .at("/spec/replicas")
                .and_then(crate::k8s::int_value)
                .unwrap_or(1);
            (o, labels, replicas)
        })
        .collect()
}

/// Flips blue-green traffic to `to` (or to the other colour).
pub fn switch(
    workspace: &Workspace,
    to: Option<&str>,
    force: bool,
    default_ns: &str,
) -> Result<Move, String> {
    let mut result = Move::default();
    // Services whose selector names a colour, grouped by namespace and the rest of the
    // selector: one group is one blue-green app.
    let mut groups: BTreeMap<ColourGroup, Vec<&Object>> = BTreeMap::new();
    for service in workspace.objects.iter().filter(|o| o.kind == "Service") {
        let selector = string_map(service.value.at("/spec/selector"));
        let Some(key) = COLOUR_KEYS.iter().find(|k| selector.contains_key(**k)) else {
            continue;
        };
        let mut base = selector.clone();
        base.remove(*key);
        groups
            .entry((
                namespace(service, default_ns).to_string(),
                key.to_string(),
                base,
            ))
            .or_default()
            .push(service);
    }
    for ((ns, key, base), services) in &groups {
        let pods = workloads(workspace, ns, default_ns);
        let mut colours: Vec<String> = pods
            .iter()
            .filter(|(_, labels, _)| base.iter().all(|(k, v)| labels.get(k) == Some(v)))
            .filter_map(|(_, labels, _)| labels.get(key).cloned())
            .chain(
                services
                    .iter()
                    .filter_map(|s| string_map(s.value.at("/spec/selector")).get(key).cloned()),
            )
            .collect();
        colours.sort();
        colours.dedup();
        if colours.len() != 2 {
            return Err(format!(
                "{}: cannot tell the two colours of `{key}` in namespace {ns}: found {}",
                services
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                if colours.is_empty() {
                    "none".to_string()
                } else {
                    colours.join(", ")
                }
            ));
        }
        let live: Vec<&&Object> = services
            .iter()
            .filter(|s| !is_standby_name(&s.name))
            .collect();
        let [live] = live.as_slice() else {
            return Err(format!(
                "cannot tell the live Service from the preview in namespace {ns}: candidates {} \
                 (name the preview `…-preview`)",
                services
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        };
        let current = string_map(live.value.at("/spec/selector"))
            .get(key)
            .cloned()
            .unwrap_or_default();
        let target = match to {
            Some(to) if colours.iter().any(|c| c == to) => to.to_string(),
            Some(to) => {
                return Err(format!(
                    "`{to}` is not a colour here; the colours are {}",
                    colours.join(", ")
                ));
            }
            None => colours
                .iter()
                .find(|c| **c != current)
                .cloned()
                .unwrap_or_default(),
        };
        if target == current {
            result
                .summary
                .push(format!("Service {ns}/{}: already on {target}", live.name));
            continue;
        }
        // The colour that takes the traffic must be there, and as big as the live one.
        let size = |colour: &str| {
            pods.iter()
                .filter(|(_, labels, _)| labels.get(key).map(String::as_str) == Some(colour))
                .filter(|(_, labels, _)| base.iter().all(|(k, v)| labels.get(k) == Some(v)))
                .map(|(_, _, r)| *r)
                .max()
        };
        match (size(&target), size(&current)) {
            (None, _) if !force => {
                return Err(format!(
                    "no workload in the input runs the {target} colour of Service {ns}/{}: \
                     switching would send traffic to nothing (--force to switch anyway)",
                    live.name
                ));
            }
            (Some(t), Some(c)) if t < c && !force => {
                return Err(format!(
                    "the {target} colour runs {t} replica(s), the live {current} one {c}: \
                     switching would overload it (--force to switch anyway)"
                ));
            }
            _ => {}
        }
        result.targets.extend(
            pods.iter()
                .filter(|(_, labels, _)| {
                    labels.get(key).map(String::as_str) == Some(target.as_str())
                })
                .filter(|(_, labels, _)| base.iter().all(|(k, v)| labels.get(k) == Some(v)))
                .map(|(o, _, _)| o.index),
        );
        let target_size = size(&target).unwrap_or(1).max(1);
        let mut settled = base.clone();
        settled.insert(key.clone(), target.clone());
        result.settled.push(Settled {
            namespace: ns.clone(),
            service: live.name.clone(),
            labels: settled,
        });
        let escaped = crate::yaml::escape(key);
        for service in services {
            let own = string_map(service.value.at("/spec/selector"))
                .get(key)
                .cloned()
                .unwrap_or_default();
            if own == target {
                // The preview of the target colour shows whether its pods serve already.
                result.serving.push(Serving {
                    namespace: ns.clone(),
                    service: service.name.clone(),
                    min: target_size,
                });
            }
            let new = if std::ptr::eq(*service, **live) {
                target.clone()
            } else if own == target {
                current.clone()
            } else {
                continue;
            };
            result.changes.push(Change {
                object: service.index,
                pointer: format!("/spec/selector/{escaped}"),
                value: json!(new),
            });
            result.summary.push(format!(
                "Service {ns}/{}: {key} {own} → {new}",
                service.name
            ));
        }
        routes_to_colour(workspace, ns, &current, &target, default_ns, &mut result);
    }
    if result.changes.is_empty() && result.summary.is_empty() {
        if let Some(rollout) = workspace
            .objects
            .iter()
            .find(|o| o.kind == "Rollout" && o.value.at("/spec/strategy/blueGreen").is_some())
        {
            return Err(format!(
                "Rollout {}: the Argo Rollouts controller moves its activeService to the new \
                 version when the rollout is promoted; the manifests hold no switch to edit \
                 (`zerodown switch --live` or `promote --live` promotes it)",
                rollout.name
            ));
        }
        return Err(
            "no blue-green Service in the input (a Service selector with one of the labels \
                    zerodown.dev/color, color, colour, slot)"
                .to_string(),
        );
    }
    Ok(result)
}

fn is_standby_name(name: &str) -> bool {
    ["preview", "standby", "idle", "staging"]
        .iter()
        .any(|w| name.ends_with(w))
}

/// Istio destinations with the colour as subset, HTTPRoute backends named `…-colour`.
fn routes_to_colour(
    workspace: &Workspace,
    ns: &str,
    from: &str,
    to: &str,
    default_ns: &str,
    result: &mut Move,
) {
    for object in workspace
        .objects
        .iter()
        .filter(|o| namespace(o, default_ns) == ns)
    {
        match object.kind.as_str() {
            "VirtualService" => {
                for (i, route) in array(&object.value, "/spec/http").iter().enumerate() {
                    for (j, dest) in route
                        .at("/route")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .enumerate()
                    {
                        if dest.at("/destination/subset").and_then(Value::as_str) == Some(from) {
                            result.changes.push(Change {
                                object: object.index,
                                pointer: format!("/spec/http/{i}/route/{j}/destination/subset"),
                                value: json!(to),
                            });
                            result.summary.push(format!(
                                "VirtualService {ns}/{}: subset {from} → {to}",
                                object.name
                            ));
                        }
                    }
                }
            }
            "HTTPRoute" => {
                for (i, rule) in array(&object.value, "/spec/rules").iter().enumerate() {
                    for (j, backend) in rule
                        .at("/backendRefs")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .enumerate()
                    {
                        let Some(name) = backend.at("/name").and_then(Value::as_str) else {
                            continue;
                        };
                        if let Some(stem) = name.strip_suffix(&format!("-{from}")) {
                            let new = format!("{stem}-{to}");
                            result.changes.push(Change {
                                object: object.index,
                                pointer: format!("/spec/rules/{i}/backendRefs/{j}/name"),
                                value: json!(new),
                            });
                            result.summary.push(format!(
                                "HTTPRoute {ns}/{}: backend {name} → {new}",
                                object.name
                            ));
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

fn array<'a>(value: &'a Value, pointer: &str) -> &'a [Value] {
    value
        .at(pointer)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn is_canary_name(name: &str) -> bool {
    name.contains("canary")
}

/// Canary Services an Argo Rollout manages (its controller sets their weights).
fn argo_managed(workspace: &Workspace) -> Vec<String> {
    workspace
        .objects
        .iter()
        .filter(|o| o.kind == "Rollout")
        .filter(|o| o.value.at("/spec/strategy/canary/trafficRouting").is_some())
        .filter_map(|o| {
            o.value
                .at("/spec/strategy/canary/canaryService")
                .and_then(Value::as_str)
        })
        .map(str::to_string)
        .collect()
}

fn serving(namespace: &str, service: &str) -> Serving {
    Serving {
        namespace: namespace.to_string(),
        service: service.to_string(),
        min: 1,
    }
}

/// The Services an Ingress sends to (its rules' backends and its default backend).
fn ingress_services(ingress: &Value) -> Vec<&str> {
    let mut names: Vec<&str> = array(ingress, "/spec/rules")
        .iter()
        .flat_map(|rule| array(rule, "/http/paths"))
        .chain(ingress.at("/spec/defaultBackend"))
        .filter_map(|p| {
            p.at("/backend/service/name")
                .or_else(|| p.at("/service/name"))
                .and_then(Value::as_str)
        })
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// An Istio destination host as (Service, namespace): `name`, `name.ns`, or
/// `name.ns.svc.cluster.local`.
fn istio_host<'a>(host: &'a str, ns: &'a str) -> (&'a str, &'a str) {
    let mut labels = host.split('.');
    let service = labels.next().unwrap_or(host);
    (service, labels.next().unwrap_or(ns))
}

/// Sets the canary's share to `weight` percent (the stable backend gets the rest).
pub fn set_weight(workspace: &Workspace, weight: u32, default_ns: &str) -> Result<Move, String> {
    if weight > 100 {
        return Err(format!("{weight} is not a percentage (0..100)"));
    }
    let mut result = Move::default();
    let managed = argo_managed(workspace);
    let stable = 100 - weight;
    for object in &workspace.objects {
        let ns = namespace(object, default_ns);
        match object.kind.as_str() {
            "Ingress" if object.annotation(NGINX_CANARY) == Some("true") => {
                if object.annotation(NGINX_HEADER).is_some()
                    && object.annotation(NGINX_WEIGHT).is_none()
                {
                    continue; // A header-routed (A/B) canary has no weight to move.
                }
                result.changes.push(Change {
                    object: object.index,
                    pointer: annotation_pointer(NGINX_WEIGHT),
                    value: json!(weight.to_string()),
                });
                result.summary.push(format!(
                    "Ingress {ns}/{}: canary-weight {weight}",
                    object.name
                ));
                if weight > 0 {
                    for service in ingress_services(&object.value) {
                        result.serving.push(serving(ns, service));
                    }
                }
            }
            "VirtualService" => {
                for (i, route) in array(&object.value, "/spec/http").iter().enumerate() {
                    let destinations = route
                        .at("/route")
                        .and_then(Value::as_array)
                        .map_or(&[][..], Vec::as_slice);
                    if destinations.len() < 2 {
                        continue;
                    }
                    let label = |d: &Value| {
                        let host = d
                            .at("/destination/host")
                            .and_then(Value::as_str)
                            .unwrap_or("");
                        let subset = d
                            .at("/destination/subset")
                            .and_then(Value::as_str)
                            .unwrap_or("");
                        format!("{host}{}{subset}", if subset.is_empty() { "" } else { "/" })
                    };
                    let canaries: Vec<usize> = (0..destinations.len())
                        .filter(|&j| is_canary_name(&label(&destinations[j])))
                        .collect();
                    let [canary] = canaries.as_slice() else {
                        return Err(format!(
                            "VirtualService {ns}/{} http[{i}]: cannot tell the canary among {}",
                            object.name,
                            destinations
                                .iter()
                                .map(label)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                    };
                    if destinations.len() != 2 {
                        return Err(format!(
                            "VirtualService {ns}/{} http[{i}]: {} destinations; set-weight moves one canary against one stable",
                            object.name,
                            destinations.len()
                        ));
                    }
                    for j in 0..2 {
                        result.changes.push(Change {
                            object: object.index,
                            pointer: format!("/spec/http/{i}/route/{j}/weight"),
                            value: json!(if j == *canary { weight } else { stable }),
                        });
                    }
                    let canary_destination = &destinations[*canary].at("/destination");
                    let host = canary_destination
                        .and_then(|d| d.get("host"))
                        .and_then(Value::as_str);
                    // A subset of a shared host cannot be told apart by its Service.
                    let subset = canary_destination.and_then(|d| d.get("subset"));
                    if let (true, Some(host), None) = (weight > 0, host, subset) {
                        let (service, host_ns) = istio_host(host, ns);
                        result.serving.push(serving(host_ns, service));
                    }
                    result.summary.push(format!(
                        "VirtualService {ns}/{} http[{i}]: {} {weight}, {} {stable}",
                        object.name,
                        label(&destinations[*canary]),
                        label(&destinations[1 - canary])
                    ));
                }
            }
            "HTTPRoute" => {
                for (i, rule) in array(&object.value, "/spec/rules").iter().enumerate() {
                    let backends = rule
                        .at("/backendRefs")
                        .and_then(Value::as_array)
                        .map_or(&[][..], Vec::as_slice);
                    if backends.len() < 2 {
                        continue;
                    }
                    let name = |b: &Value| {
                        b.at("/name")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string()
                    };
                    let canaries: Vec<usize> = (0..backends.len())
                        .filter(|&j| is_canary_name(&name(&backends[j])))
                        .collect();
                    let [canary] = canaries.as_slice() else {
                        return Err(format!(
                            "HTTPRoute {ns}/{} rules[{i}]: cannot tell the canary among {}",
                            object.name,
                            backends.iter().map(name).collect::<Vec<_>>().join(", ")
                        ));
                    };
                    if managed.contains(&name(&backends[*canary])) {
                        result.summary.push(format!(
                            "HTTPRoute {ns}/{}: left alone, its weights are set by the Argo Rollout",
                            object.name
                        ));
                        continue;
                    }
                    if backends.len() != 2 {
                        return Err(format!(
                            "HTTPRoute {ns}/{} rules[{i}]: {} backends; set-weight moves one canary against one stable",
                            object.name,
                            backends.len()
                        ));
                    }
                    for j in 0..2 {
                        result.changes.push(Change {
                            object: object.index,
                            pointer: format!("/spec/rules/{i}/backendRefs/{j}/weight"),
                            value: json!(if j == *canary { weight } else { stable }),
                        });
                    }
                    let backend = &backends[*canary];
                    let is_service = backend
                        .get("kind")
                        .and_then(Value::as_str)
                        .is_none_or(|k| k == "Service");
                    if weight > 0 && is_service {
                        let backend_ns = backend
                            .get("namespace")
                            .and_then(Value::as_str)
                            .unwrap_or(ns);
                        result.serving.push(serving(backend_ns, &name(backend)));
                    }
                    result.summary.push(format!(
                        "HTTPRoute {ns}/{} rules[{i}]: {} {weight}, {} {stable}",
                        object.name,
                        name(&backends[*canary]),
                        name(&backends[1 - canary])
                    ));
                }
            }
            _ => {}
        }
    }
    if result.changes.is_empty() {
        return Err(if result.summary.is_empty() {
            "no canary traffic split in the input (an ingress-nginx canary Ingress, or a \
             VirtualService / HTTPRoute rule sending to a `…canary…` backend and one other)"
                .to_string()
        } else {
            result.summary.join("; ")
        });
    }
    Ok(result)
}

/// The canary share the input has now (the first split found).
pub fn current_weight(workspace: &Workspace, default_ns: &str) -> Result<u32, String> {
    let probe = set_weight(workspace, 0, default_ns)?;
    let change = probe
        .changes
        .iter()
        .find(|c| c.value == json!(0) || c.value == json!("0"))
        .ok_or("no canary weight found")?;
    let object = &workspace.objects[change.object];
    let now = object.value.at(&change.pointer);
    Ok(match now {
        Some(v) => crate::k8s::int_value(v).unwrap_or(0) as u32,
        // HTTPRoute's default weight is 1 of 2: call it half.
        None if object.kind == "HTTPRoute" => 50,
        None => 0,
    })
}

/// The next step of `plan` above `current` (the seed's 10,50,100).
pub fn next_step(plan: &[u32], current: u32) -> Result<u32, String> {
    plan.iter()
        .copied()
        .find(|&step| step > current)
        .ok_or_else(|| {
            format!("the canary is at {current}%, the last step of the plan: promote it")
        })
}
