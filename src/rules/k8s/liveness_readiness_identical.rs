use crate::k8s::view::Container;
use k8s_openapi::api::core::v1::Probe;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{container_label, rule_meta};
use crate::k8s::Object;
use crate::k8s::workload::{pod_template, running_containers};
use crate::rules::{Context, Rule, RuleMeta, Sink};

pub struct LivenessReadinessIdentical;

static META: RuleMeta = rule_meta!(
    "liveness-readiness-identical",
    Warning,
    "liveness and readiness probes are identical, so a pod is restarted the moment it leaves rotation"
);

/// A container of a long-running workload that may carry probes: every container, and every
/// native sidecar (an init container with `restartPolicy: Always`). Jobs and CronJobs run to
/// completion and are skipped.
pub(super) struct ProbedContainer<'a> {
    pub container: &'a Container,
    /// `/spec/template/spec/containers/N` (or `initContainers/N`).
    pub pointer: String,
    /// For messages: the name, or `#N` when there is none.
    pub label: String,
}

pub(super) fn probed_containers(object: &Object) -> Vec<ProbedContainer<'_>> {
    let Some(pod) = pod_template(object) else {
        return Vec::new();
    };
    running_containers(&pod)
        .into_iter()
        .map(|running| ProbedContainer {
            container: running.container,
            label: container_label(&running.container.name, running.index),
            pointer: running.pointer,
        })
        .collect()
}

/// A probe's timing and thresholds with the API defaults applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Timing {
    pub initial_delay: i32,
    pub period: i32,
    pub timeout: i32,
    pub success: i32,
    pub failure: i32,
}

impl Timing {
    pub fn of(probe: &Probe) -> Timing {
        Timing {
            initial_delay: probe.initial_delay_seconds.unwrap_or(0),
            period: probe.period_seconds.unwrap_or(10),
            timeout: probe.timeout_seconds.unwrap_or(1),
            success: probe.success_threshold.unwrap_or(1),
            failure: probe.failure_threshold.unwrap_or(3),
        }
    }
}

/// A port as the kubelet resolves it: a name declared by the container becomes its number.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Port {
    Number(i32),
    Name(String),
}

fn resolve_port(port: &IntOrString, container: &Container) -> Port {
    match port {
        IntOrString::Int(n) => Port::Number(*n),
        IntOrString::String(name) => container
            .ports
            .iter()
            .flatten()
            .find(|p| p.name.as_deref() == Some(name.as_str()))
            .map(|p| Port::Number(p.container_port))
            .or_else(|| name.parse().ok().map(Port::Number))
            .unwrap_or_else(|| Port::Name(name.clone())),
    }
}

/// What a probe checks, normalised so that spellings the kubelet treats alike compare equal.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Handler {
    Http {
        scheme: String,
        host: String,
        path: String,
        port: Port,
        headers: Vec<(String, String)>,
    },
    Tcp {
        host: String,
        port: Port,
    },
    Grpc {
        port: i32,
        service: String,
    },
    Exec(Vec<String>),
}

fn handler(probe: &Probe, container: &Container) -> Option<Handler> {
    if let Some(http) = &probe.http_get {
        let mut headers: Vec<(String, String)> = http
            .http_headers
            .iter()
            .flatten()
            .map(|h| (h.name.to_ascii_lowercase(), h.value.clone()))
            .collect();
        headers.sort();
        let path = match http.path.as_deref() {
            None | Some("") => "/".to_string(),
            Some(path) => path.to_string(),
        };
        return Some(Handler::Http {
            scheme: http
                .scheme
                .as_deref()
                .unwrap_or("HTTP")
                .to_ascii_uppercase(),
            host: http.host.clone().unwrap_or_default(),
            path,
            port: resolve_port(&http.port, container),
            headers,
        });
    }
    if let Some(tcp) = &probe.tcp_socket {
        return Some(Handler::Tcp {
            host: tcp.host.clone().unwrap_or_default(),
            port: resolve_port(&tcp.port, container),
        });
    }
    if let Some(grpc) = &probe.grpc {
        return Some(Handler::Grpc {
            port: grpc.port,
            service: grpc.service.clone().unwrap_or_default(),
        });
    }
    let command = probe.exec.as_ref()?.command.clone()?;
    Some(Handler::Exec(command))
}

fn describe_port(port: &Port) -> String {
    match port {
        Port::Number(n) => format!("port {n}"),
        Port::Name(name) => format!("port `{name}`"),
    }
}

fn describe(handler: &Handler) -> String {
    match handler {
        Handler::Http { path, port, .. } => format!("httpGet `{path}` on {}", describe_port(port)),
        Handler::Tcp { port, .. } => format!("tcpSocket on {}", describe_port(port)),
        Handler::Grpc { port, service } if service.is_empty() => format!("grpc on port {port}"),
        Handler::Grpc { port, service } => format!("grpc `{service}` on port {port}"),
        Handler::Exec(command) => format!("exec `{}`", command.join(" ")),
    }
}

/// The shared check, when liveness and readiness check the same thing on the same schedule.
fn identical(container: &Container) -> Option<(Handler, Timing)> {
    let liveness = container.liveness_probe.as_ref()?;
    let readiness = container.readiness_probe.as_ref()?;
    let handler_of_liveness = handler(liveness, container)?;
    if Some(&handler_of_liveness) != handler(readiness, container).as_ref() {
        return None;
    }
    let timing = Timing::of(liveness);
    (timing == Timing::of(readiness)).then_some((handler_of_liveness, timing))
}

impl Rule for LivenessReadinessIdentical {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            for probed in probed_containers(object) {
                let Some((handler, timing)) = identical(probed.container) else {
                    continue;
                };
                let window = timing.period.saturating_mul(timing.failure);
                sink.report(
                    object,
                    format!("{}/livenessProbe", probed.pointer),
                    format!(
                        "container `{}` of {} has a livenessProbe identical to its \
                         readinessProbe ({}, every {} s, timeout {} s, failureThreshold {}): \
                         after about {window} s of failures it leaves rotation and is \
                         restarted at the same moment, so a pod that is only overloaded or \
                         waiting on a dependency is killed instead of resting",
                        probed.label,
                        object.display_name(),
                        describe(&handler),
                        timing.period,
                        timing.timeout,
                        timing.failure,
                    ),
                    format!(
                        "keep the endpoint but give the livenessProbe a higher \
                         failureThreshold (e.g. `failureThreshold: {}`, twice the readiness \
                         one), or point it at a cheaper path that checks only that the \
                         process answers, not its dependencies",
                        timing.failure.saturating_mul(2)
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    use crate::k8s::view::container_from_json as container;

    #[test]
    fn defaults_make_explicit_and_implicit_timings_equal() {
        let c = container(json!({
            "name": "web",
            "ports": [{"name": "http", "containerPort": 8080}],
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"}},
            "readinessProbe": {
                "httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"},
                "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1,
                "failureThreshold": 3, "initialDelaySeconds": 0
            }
        }));
        let (handler, timing) = identical(&c).expect("identical after defaults");
        assert_eq!(describe(&handler), "httpGet `/healthz` on port 8080");
        assert_eq!(
            timing,
            Timing {
                initial_delay: 0,
                period: 10,
                timeout: 1,
                success: 1,
                failure: 3
            }
        );
    }

    #[test]
    fn a_higher_liveness_failure_threshold_is_different() {
        let c = container(json!({
            "name": "web",
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "failureThreshold": 6},
            "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080}}
        }));
        assert!(identical(&c).is_none());
    }

    #[test]
    fn different_handlers_are_different() {
        for (liveness, readiness) in [
            (
                json!({"httpGet": {"path": "/livez", "port": 8080}}),
                json!({"httpGet": {"path": "/readyz", "port": 8080}}),
            ),
            (
                json!({"tcpSocket": {"port": 8080}}),
                json!({"httpGet": {"port": 8080}}),
            ),
            (
                json!({"exec": {"command": ["cat", "/tmp/healthy"]}}),
                json!({"exec": {"command": ["cat", "/tmp/ready"]}}),
            ),
            (
                json!({"grpc": {"port": 9090}}),
                json!({"grpc": {"port": 9090, "service": "ready"}}),
            ),
        ] {
            let c = container(json!({
                "name": "web", "livenessProbe": liveness, "readinessProbe": readiness
            }));
            assert!(identical(&c).is_none());
        }
    }

    #[test]
    fn empty_path_is_root_and_unknown_names_stay_names() {
        let c = container(json!({
            "name": "web",
            "livenessProbe": {"httpGet": {"port": "web"}},
            "readinessProbe": {"httpGet": {"path": "/", "port": "web"}}
        }));
        let (handler, _) = identical(&c).unwrap();
        assert_eq!(describe(&handler), "httpGet `/` on port `web`");
    }

    #[test]
    fn one_probe_alone_is_never_identical() {
        let c = container(json!({
            "name": "web",
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}}
        }));
        assert!(identical(&c).is_none());
    }
}
