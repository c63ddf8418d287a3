//! From a checked spec to the template context: which workloads, Services, budgets,
//! autoscalers and routes a strategy over a traffic layer needs, and how they select each
//! other. The templates decide how each object looks; this decides which objects exist.

use serde_json::{Map, Value, json};

use super::spec::{AppSpec, Scalar, gateway_ref, host_port};
use crate::config::KubeVersion;
use crate::k8s::image::image_tag;

/// The label every object carries and every selector starts from.
pub const NAME_LABEL: &str = "app.kubernetes.io/name";
/// Which side of a canary or A/B split a pod is on.
pub const TRACK_LABEL: &str = "zerodown.dev/track";
/// Which colour of a blue-green pair a pod is.
pub const COLOR_LABEL: &str = "zerodown.dev/color";
/// The image that waits for the database in the migration Job.
const WAIT_IMAGE: &str = "busybox:1.36.1";

fn labels(pairs: &[(&str, &str)]) -> Value {
    let map: Map<String, Value> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
        .collect();
    Value::Object(map)
}

fn scalar(value: &Scalar) -> Value {
    match value {
        Scalar::Int(n) => json!(n),
        Scalar::Text(text) => json!(text),
    }
}

/// One pod-running workload before it is rendered.
struct Workload {
    name: String,
    labels: Value,
    image: String,
    /// `None` when an autoscaler owns the count.
    replicas: Option<i64>,
    autoscaled: bool,
}

pub struct Plan {
    pub context: Value,
    /// Things the user should know that are not errors.
    pub notices: Vec<String>,
}

pub fn plan(spec: &AppSpec, kubernetes_version: KubeVersion) -> Plan {
    let name = spec.name.as_str();
    let base = [(NAME_LABEL, name)];
    let mut notices = Vec::new();
    let argo = spec.traffic == "argo-rollouts";
    let autoscaled = spec.autoscaling.is_some();
    let fixed = |replicas: i64| (!autoscaled).then_some(replicas);

    let mut workloads: Vec<Workload> = Vec::new();
    let mut services: Vec<Value> = Vec::new();
    let service = |name: &str, selector: Value| json!({"name": name, "selector": selector});
    // The Service the route sends (stable) traffic to, and the second track, if any: its
    // label value names its workload and Service (`NAME-canary`, `NAME-b`).
    let stable_service = name.to_string();
    let mut second: Option<&'static str> = None;

    match (spec.strategy.as_str(), argo) {
        ("blue-green", false) => {
            let active = spec.blue_green.active.as_str();
            let standby = if active == "blue" { "green" } else { "blue" };
            let standby_image = spec
                .blue_green
                .standby_image
                .clone()
                .unwrap_or_else(|| spec.image.clone());
            for color in ["blue", "green"] {
                workloads.push(Workload {
                    name: format!("{name}-{color}"),
                    labels: labels(&[(NAME_LABEL, name), (COLOR_LABEL, color)]),
                    image: if color == active {
                        spec.image.clone()
                    } else {
                        standby_image.clone()
                    },
                    // Equal sizes: the switch is instant, so the standby takes the full load.
                    replicas: fixed(spec.replicas),
                    autoscaled,
                });
            }
            services.push(service(
                name,
                labels(&[(NAME_LABEL, name), (COLOR_LABEL, active)]),
            ));
            services.push(service(
                &format!("{name}-preview"),
                labels(&[(NAME_LABEL, name), (COLOR_LABEL, standby)]),
            ));
        }
        ("canary" | "ab", false) => {
            let (track, image, replicas) = second_track(spec);
            workloads.push(Workload {
                name: name.to_string(),
                labels: labels(&[(NAME_LABEL, name), (TRACK_LABEL, "stable")]),
                image: spec.image.clone(),
                replicas: fixed(spec.replicas),
                autoscaled,
            });
            workloads.push(Workload {
                name: format!("{name}-{track}"),
                labels: labels(&[(NAME_LABEL, name), (TRACK_LABEL, track)]),
                image: image.clone(),
                // The second track is sized by hand: the autoscaler follows the stable one.
                replicas: Some(replicas),
                autoscaled: false,
            });
            if spec.traffic == "istio" {
                // One Service for both tracks; DestinationRule subsets tell them apart.
                services.push(service(name, labels(&base)));
            } else {
                services.push(service(
                    name,
                    labels(&[(NAME_LABEL, name), (TRACK_LABEL, "stable")]),
                ));
                services.push(service(
                    &format!("{name}-{track}"),
                    labels(&[(NAME_LABEL, name), (TRACK_LABEL, track)]),
                ));
            }
            second = Some(track);
        }
        (strategy, true) => {
            // Argo Rollouts owns the ReplicaSets; both Services select every pod and the
            // controller adds the pod-template-hash to their selectors.
            let image = match strategy {
                "canary" | "ab" => second_track(spec).1,
                _ => spec.image.clone(),
            };
            workloads.push(Workload {
                name: name.to_string(),
                labels: labels(&base),
                image,
                replicas: fixed(spec.replicas),
                autoscaled,
            });
            services.push(service(name, labels(&base)));
            match strategy {
                "blue-green" => {
                    services.push(service(&format!("{name}-preview"), labels(&base)));
                    if spec.blue_green.standby_image.is_some() {
                        notices.push(
                            "blueGreen.standbyImage is not used with traffic argo-rollouts: \
                             the Rollout runs `image`; change it to start a blue-green rollout"
                                .into(),
                        );
                    }
                }
                "canary" | "ab" => {
                    let (track, _, _) = second_track(spec);
                    services.push(service(&format!("{name}-{track}"), labels(&base)));
                    second = Some(track);
                }
                _ => {}
            }
        }
        _ => {
            workloads.push(Workload {
                name: name.to_string(),
                labels: labels(&base),
                image: spec.image.clone(),
                replicas: fixed(spec.replicas),
                autoscaled,
            });
            services.push(service(name, labels(&base)));
        }
    }

    let rollout = argo.then(|| rollout_strategy(spec));
    let workload_kind = if argo { "Rollout" } else { "Deployment" };
    let workload_api = if argo {
        "argoproj.io/v1alpha1"
    } else {
        "apps/v1"
    };
    let pdbs: Vec<Value> = workloads
        .iter()
        .map(|w| json!({"name": w.name, "selector": w.labels}))
        .collect();
    let hpas: Vec<Value> = match &spec.autoscaling {
        Some(autoscaling) => workloads
            .iter()
            .filter(|w| w.autoscaled)
            .map(|w| {
                json!({
                    "name": w.name,
                    "target_api_version": workload_api,
                    "target_kind": workload_kind,
                    "target_name": w.name,
                    "min_replicas": autoscaling.min_replicas,
                    "max_replicas": autoscaling.max_replicas,
                    "target_cpu_utilization": autoscaling.target_cpu_utilization,
                })
            })
            .collect(),
        None => Vec::new(),
    };
    let workloads_json: Vec<Value> = workloads
        .iter()
        .map(|w| {
            json!({
                "kind": workload_kind,
                "name": w.name,
                "labels": w.labels,
                "image": w.image,
                "replicas": w.replicas,
                "max_surge": scalar(&spec.rolling.max_surge),
                "max_unavailable": scalar(&spec.rolling.max_unavailable),
                "rollout": rollout,
            })
        })
        .collect();

    let mut context = json!({
        "app": {
            "name": name,
            "namespace": spec.namespace,
            "port": spec.port,
            "host": spec.host,
            "strategy": spec.strategy,
            "traffic": spec.traffic,
            "labels": labels(&base),
        },
        "pod": pod(spec, kubernetes_version),
        "jobs": spec.migration.as_ref().map(|_| migration_job(spec)).into_iter().collect::<Vec<_>>(),
        "services": services,
        "workloads": workloads_json,
        "pdbs": pdbs,
        "hpas": hpas,
        "httproutes": [],
        "destinationrules": [],
        "virtualservices": [],
        "ingresses": [],
    });
    let routes = routes(spec, &stable_service, second, &mut notices);
    for (key, value) in routes {
        context[key] = value;
    }
    Plan { context, notices }
}

/// The second side of a canary or A/B split: (track label value, image, replicas).
fn second_track(spec: &AppSpec) -> (&'static str, String, i64) {
    match (&spec.strategy[..], &spec.canary, &spec.ab) {
        ("ab", _, Some(ab)) => ("b", ab.image.clone(), ab.replicas),
        (_, Some(canary), _) => ("canary", canary.image.clone(), canary.replicas),
        _ => ("canary", spec.image.clone(), 2),
    }
}

/// The Argo Rollouts strategy block.
fn rollout_strategy(spec: &AppSpec) -> Value {
    let name = spec.name.as_str();
    match spec.strategy.as_str() {
        "blue-green" => json!({"blue_green": {
            "active_service": name,
            "preview_service": format!("{name}-preview"),
            "scale_down_delay_seconds": spec.blue_green.scale_down_delay_seconds,
        }}),
        "canary" => {
            let canary = spec.canary.as_ref();
            let steps_weights = canary.and_then(|c| c.steps.clone()).unwrap_or_else(|| {
                let weight = canary.map_or(10, |c| c.weight).max(1);
                if weight < 50 {
                    vec![weight, 50]
                } else {
                    vec![weight]
                }
            });
            let pause = canary.and_then(|c| c.pause.clone());
            let mut steps = Vec::new();
            for weight in steps_weights {
                steps.push(json!({"set_weight": weight}));
                steps.push(json!({"pause": pause}));
            }
            json!({"canary": {
                "stable_service": name,
                "canary_service": format!("{name}-canary"),
                "route": name,
                "steps": steps,
            }})
        }
        "ab" => {
            let ab = spec.ab.as_ref();
            json!({"canary": {
                "stable_service": name,
                "canary_service": format!("{name}-b"),
                "route": name,
                "managed_route": "ab-header",
                "steps": [
                    {"set_canary_scale": ab.map_or(2, |ab| ab.replicas)},
                    {"set_header_route": {
                        "name": "ab-header",
                        "header": ab.map(|ab| ab.header.clone()),
                        "value": ab.map(|ab| ab.value.clone()),
                    }},
                    {"pause": null},
                ],
            }})
        }
        // A canary without steps is Argo's rolling update.
        _ => json!({"canary": {"steps": []}}),
    }
}

/// Pod settings shared by every workload.
fn pod(spec: &AppSpec, kubernetes_version: KubeVersion) -> Value {
    let shutdown = &spec.shutdown;
    let mut resources = Map::new();
    for (section, values) in [
        ("requests", &spec.resources.requests),
        ("limits", &spec.resources.limits),
    ] {
        if !values.is_empty() {
            let map: Map<String, Value> = values
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.to_string())))
                .collect();
            resources.insert(section.into(), Value::Object(map));
        }
    }
    json!({
        "probes": {
            "startup": spec.probes.startup,
            "readiness": spec.probes.readiness,
            "liveness": spec.probes.liveness,
        },
        // The native sleep action is on by default from 1.30; before, `sleep` in the image.
        "native_sleep": kubernetes_version.at_least(1, 30),
        // PDB `unhealthyPodEvictionPolicy` is served (beta, on by default) from 1.27.
        "unhealthy_eviction_policy": kubernetes_version.at_least(1, 27),
        "pre_stop_sleep_seconds": shutdown.pre_stop_sleep_seconds,
        "grace_period_seconds": shutdown.pre_stop_sleep_seconds + shutdown.drain_seconds,
        "resources": if resources.is_empty() { Value::Null } else { Value::Object(resources) },
    })
}

/// A DNS-label-safe version from an image's tag or digest (`1.4.2` → `1-4-2`), at most
/// `room` characters.
pub fn image_version(image: &str, room: usize) -> String {
    let tag = image_tag(image).unwrap_or("untagged");
    let tag = tag
        .strip_prefix('@')
        .map(|digest| {
            let hex = digest.split_once(':').map_or(digest, |(_, hex)| hex);
            &hex[..hex.len().min(12)]
        })
        .unwrap_or(tag);
    let mut version: String = tag
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    version.truncate(room);
    version.trim_matches('-').to_string()
}

fn migration_job(spec: &AppSpec) -> Value {
    let Some(migration) = &spec.migration else {
        return Value::Null;
    };
    let image = migration
        .image
        .clone()
        .unwrap_or_else(|| spec.image.clone());
    let (host, port) = host_port(&migration.wait_for).unwrap_or(("localhost", 5432));
    json!({
        // Versioned: a Job's template is immutable, so each release gets its own Job.
        "name": format!(
            "{}-migrate-{}",
            spec.name,
            image_version(&image, 63 - spec.name.len() - "-migrate-".len())
        ),
        "image": image,
        "command": migration.command,
        "secret": migration.database.secret,
        "secret_key": migration.database.key,
        "wait_image": WAIT_IMAGE,
        "wait_host": host,
        "wait_port": port,
        "annotations": {
            "helm.sh/hook": "pre-install,pre-upgrade",
            "helm.sh/hook-delete-policy": "before-hook-creation",
            "argocd.argoproj.io/hook": "PreSync",
            "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
            "zerodown.dev/role": "migration",
        },
    })
}

/// The traffic layer's objects, by context key.
fn routes(
    spec: &AppSpec,
    stable: &str,
    second: Option<&str>,
    notices: &mut Vec<String>,
) -> Vec<(&'static str, Value)> {
    let name = spec.name.as_str();
    let weight = spec.canary.as_ref().map_or(0, |c| c.weight);
    let header = spec
        .ab
        .as_ref()
        .map(|ab| json!({"name": ab.header, "value": ab.value}));
    let is_ab = spec.strategy == "ab";
    match spec.traffic.as_str() {
        "gateway" | "argo-rollouts" => {
            let gateway = spec.gateway.as_deref().and_then(gateway_ref);
            let gateway = json!({
                "name": gateway.map(|g| g.1),
                "namespace": gateway.and_then(|g| g.0),
            });
            let backend =
                |service: &str, weight: Option<i64>| json!({"service": service, "weight": weight});
            let rules = match (second, spec.traffic.as_str()) {
                // Argo Rollouts' Gateway API plugin rewrites these weights during a rollout
                // (and adds the header rule of a setHeaderRoute step itself), so the route
                // lists both Services, the canary at 0.
                (Some(track), "argo-rollouts") => vec![json!({"backends": [
                    backend(stable, Some(100)),
                    backend(&format!("{name}-{track}"), Some(0)),
                ]})],
                (Some(track), "gateway") if is_ab => vec![
                    json!({"header": header, "backends": [backend(&format!("{name}-{track}"), None)]}),
                    json!({"backends": [backend(stable, None)]}),
                ],
                (Some(track), "gateway") => vec![json!({"backends": [
                    backend(stable, Some(100 - weight)),
                    backend(&format!("{name}-{track}"), Some(weight)),
                ]})],
                _ => vec![json!({"backends": [backend(stable, None)]})],
            };
            vec![(
                "httproutes",
                json!([{"name": name, "gateway": gateway, "rules": rules}]),
            )]
        }
        "istio" => {
            let mut hosts = vec![spec.host.clone().unwrap_or_else(|| name.to_string())];
            if spec.host.is_some() {
                hosts.push(name.to_string());
            }
            let gateways: Vec<String> = spec
                .gateway
                .iter()
                .cloned()
                .chain(spec.gateway.as_ref().map(|_| "mesh".to_string()))
                .collect();
            let destination = |subset: Option<&str>, weight: Option<i64>| json!({"host": name, "subset": subset, "weight": weight});
            let (http, subsets) = match second {
                Some(track) if is_ab => (
                    vec![
                        json!({"name": "ab", "header": header, "destinations": [destination(Some(track), None)]}),
                        json!({"name": "default", "destinations": [destination(Some("stable"), None)]}),
                    ],
                    vec!["stable", track],
                ),
                Some(track) => (
                    vec![json!({"name": "split", "destinations": [
                        destination(Some("stable"), Some(100 - weight)),
                        destination(Some(track), Some(weight)),
                    ]})],
                    vec!["stable", track],
                ),
                None => (
                    vec![json!({"name": "default", "destinations": [destination(None, None)]})],
                    vec![],
                ),
            };
            let rules: Vec<Value> = if subsets.is_empty() {
                vec![]
            } else {
                vec![json!({
                    "name": name,
                    "host": name,
                    "subsets": subsets.iter().map(|track| json!({
                        "name": track,
                        "labels": labels(&[(TRACK_LABEL, track)]),
                    })).collect::<Vec<_>>(),
                })]
            };
            vec![
                ("destinationrules", Value::Array(rules)),
                (
                    "virtualservices",
                    json!([{"name": name, "hosts": hosts, "gateways": gateways, "http": http}]),
                ),
            ]
        }
        _ => {
            notices.push(
                "ingress-nginx was retired in March 2026 and gets no more fixes: plan a move \
                 to Gateway API (`zerodown render --traffic gateway`)"
                    .into(),
            );
            // Said once here, as a notice, rather than once per Ingress by lint.
            let acknowledged = json!({"zerodown.dev/ignore": "ingress-nginx-retired"});
            let mut ingresses = vec![json!({
                "name": name,
                "service": stable,
                "annotations": acknowledged,
            })];
            if let Some(track) = second {
                let mut annotations = json!({
                    "nginx.ingress.kubernetes.io/canary": "true",
                    "zerodown.dev/ignore": "ingress-nginx-retired",
                });
                if is_ab && let Some(ab) = &spec.ab {
                    annotations["nginx.ingress.kubernetes.io/canary-by-header"] = json!(ab.header);
                    annotations["nginx.ingress.kubernetes.io/canary-by-header-value"] =
                        json!(ab.value);
                } else {
                    annotations["nginx.ingress.kubernetes.io/canary-weight"] =
                        json!(weight.to_string());
                }
                ingresses.push(json!({
                    "name": format!("{name}-{track}"),
                    "service": format!("{name}-{track}"),
                    "annotations": annotations,
                }));
            }
            vec![("ingresses", Value::Array(ingresses))]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_from_tags_and_digests() {
        assert_eq!(image_version("ghcr.io/acme/web:1.4.2", 20), "1-4-2");
        assert_eq!(image_version("web:V2_RC.1", 20), "v2-rc-1");
        assert_eq!(
            image_version("web@sha256:0123456789abcdef0123", 20),
            "0123456789ab"
        );
        assert_eq!(image_version("web:1.2.3-rc", 6), "1-2-3");
    }
}
