use crate::k8s::view::Container;
use k8s_openapi::api::core::v1::Probe;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::liveness_readiness_identical::probed_containers;
use super::rule_meta;
use crate::rules::{Context, Rule, RuleMeta, Sink};
use crate::severity::Severity;

pub struct ProbePortUnknown;

static META: RuleMeta = rule_meta!(
    "probe-port-unknown",
    Error,
    "a probe names a port the container does not declare, so the probe can never run"
);

/// A probe port given by a name that none of the container's `ports[].name` declares:
/// `(handler key, name)`. Numbers, digit strings (the kubelet parses them as numbers) and
/// template placeholders are not names.
pub(super) fn unknown_port_name<'a>(
    probe: &'a Probe,
    container: &Container,
) -> Option<(&'static str, &'a str)> {
    let (handler, port) = if let Some(http) = &probe.http_get {
        ("httpGet", &http.port)
    } else if let Some(tcp) = &probe.tcp_socket {
        ("tcpSocket", &tcp.port)
    } else {
        return None;
    };
    let IntOrString::String(name) = port else {
        return None;
    };
    if name.is_empty()
        || name.bytes().all(|b| b.is_ascii_digit())
        || name.contains("{{")
        || name.contains("${")
    {
        return None;
    }
    let declared = container
        .ports
        .iter()
        .flatten()
        .any(|p| p.name.as_deref() == Some(name.as_str()));
    (!declared).then_some((handler, name.as_str()))
}

/// A probe port given by a name the container declares only with protocol UDP: `(handler
/// key, name, number)`. The kubelet looks the name up whatever the protocol and then opens
/// a TCP connection (httpGet, tcpSocket).
fn udp_port_name<'a>(
    probe: &'a Probe,
    container: &Container,
) -> Option<(&'static str, &'a str, i32)> {
    let (handler, port) = if let Some(http) = &probe.http_get {
        ("httpGet", &http.port)
    } else if let Some(tcp) = &probe.tcp_socket {
        ("tcpSocket", &tcp.port)
    } else {
        return None;
    };
    let IntOrString::String(name) = port else {
        return None;
    };
    let mut named = container
        .ports
        .iter()
        .flatten()
        .filter(|p| p.name.as_deref() == Some(name.as_str()));
    let first = named.next()?;
    // The kubelet takes the first port of that name.
    (first.protocol.as_deref() == Some("UDP")).then_some((
        handler,
        name.as_str(),
        first.container_port,
    ))
}

impl Rule for ProbePortUnknown {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            for probed in probed_containers(object) {
                let container = probed.container;
                let probes = [
                    ("livenessProbe", &container.liveness_probe),
                    ("readinessProbe", &container.readiness_probe),
                    ("startupProbe", &container.startup_probe),
                ];
                for (key, probe) in probes {
                    let Some(probe) = probe else {
                        continue;
                    };
                    if let Some((handler, name, number)) = udp_port_name(probe, container) {
                        sink.report_with_severity(
                            Severity::Warning,
                            object,
                            format!("{}/{key}/{handler}/port", probed.pointer),
                            format!(
                                "the {key} of container `{}` of {} uses port `{name}`, which the container declares as UDP: the kubelet resolves the name to {number} and connects over TCP, so the probe fails unless the app also listens on TCP {number}",
                                probed.label,
                                object.display_name(),
                            ),
                            "point the probe at a TCP port the container declares (name the TCP port, e.g. `dns-tcp`, and use that name), or use an exec or grpc probe",
                        );
                        continue;
                    }
                    let Some((handler, name)) = unknown_port_name(probe, container) else {
                        continue;
                    };
                    let names: Vec<&str> = container
                        .ports
                        .iter()
                        .flatten()
                        .filter_map(|p| p.name.as_deref())
                        .collect();
                    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                    let declared = if names.is_empty() {
                        "declares no named ports".to_string()
                    } else {
                        format!("declares only {}", quoted.join(", "))
                    };
                    let suggestion = crate::suggest::did_you_mean(name, names.iter().copied());
                    let consequence = match key {
                        "livenessProbe" => {
                            "the kubelet cannot resolve it, throws every attempt away and never \
                             restarts the container, however stuck it is"
                        }
                        "readinessProbe" => {
                            "the kubelet cannot resolve it, so the container never becomes \
                             Ready: it gets no traffic and a rolling update stalls on the first \
                             new pod"
                        }
                        _ => {
                            "the kubelet cannot resolve it, so the container never counts as \
                             started, its readiness is never checked and it never becomes \
                             Ready: a rolling update stalls on the first new pod"
                        }
                    };
                    sink.report(
                        object,
                        format!("{}/{key}/{handler}/port", probed.pointer),
                        format!(
                            "the {key} of container `{}` of {} uses port `{name}`, but the \
                             container {declared}{}: {consequence}",
                            probed.label,
                            object.display_name(),
                            suggestion,
                        ),
                        if names.is_empty() {
                            format!(
                                "declare the port on this container (`ports: [{{name: {name}, \
                                 containerPort: <number>}}]`) or put the number in the probe; \
                                 a probe resolves names only against its own container's ports"
                            )
                        } else {
                            format!(
                                "use a port name this container declares ({}) or the port \
                                 number; a probe resolves names only against its own \
                                 container's ports, not a sidecar's or the Service's",
                                quoted.join(", ")
                            )
                        },
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    use crate::k8s::view::container_from_json as container;

    fn probe(value: serde_json::Value) -> Probe {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn only_undeclared_names_are_unknown() {
        let c = container(json!({
            "name": "web",
            "ports": [{"name": "http", "containerPort": 8080}, {"containerPort": 9090}]
        }));
        let named =
            |port: serde_json::Value| probe(json!({"httpGet": {"path": "/", "port": port}}));
        assert_eq!(unknown_port_name(&named(json!("http")), &c), None);
        assert_eq!(unknown_port_name(&named(json!(8080)), &c), None);
        assert_eq!(unknown_port_name(&named(json!(7777)), &c), None);
        assert_eq!(unknown_port_name(&named(json!("8080")), &c), None);
        assert_eq!(
            unknown_port_name(&named(json!("{{ .Values.port }}")), &c),
            None
        );
        assert_eq!(
            unknown_port_name(&named(json!("htpp")), &c),
            Some(("httpGet", "htpp"))
        );
        let tcp = probe(json!({"tcpSocket": {"port": "metrics"}}));
        assert_eq!(unknown_port_name(&tcp, &c), Some(("tcpSocket", "metrics")));
        let grpc = probe(json!({"grpc": {"port": 9090}}));
        assert_eq!(unknown_port_name(&grpc, &c), None);
    }
}
