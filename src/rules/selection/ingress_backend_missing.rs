use serde_json::Value;

use super::common::{operator_may_create_service, templated};
use crate::k8s::Object;
use crate::pointer::ValuePointer;
use crate::rules::context::PeerNames;
use crate::rules::{Context, Rule, RuleMeta, Sink, rule_meta};
use crate::suggest::did_you_mean_name;

pub struct IngressBackendMissing;

static META: RuleMeta = rule_meta!(
    "ingress-backend-missing",
    Warning,
    "an Ingress or HTTPRoute backend Service is not in the input, or its port is not a port of that Service"
);

/// How a backend names its Service port.
#[derive(Debug, Clone, PartialEq)]
enum Port<'a> {
    Number(i64),
    Name(&'a str),
}

/// One Service backend of a route: where it is written and what it asks for.
struct Backend<'a> {
    /// Pointer of the backend object (`…/backend/service` or `…/backendRefs/N`).
    pointer: String,
    namespace: &'a str,
    name: &'a str,
    port: Option<Port<'a>>,
    /// Pointer of the port value, relative to `pointer`.
    port_pointer: &'static str,
}

fn ingress_backend<'a>(
    value: &'a Value,
    pointer: String,
    namespace: &'a str,
) -> Option<Backend<'a>> {
    let service = value.get("service")?;
    let name = service.get("name")?.as_str()?;
    let port = service.get("port");
    let (port, port_pointer) = match (
        port.and_then(|p| p.get("number")).and_then(Value::as_i64),
        port.and_then(|p| p.get("name")).and_then(Value::as_str),
    ) {
        (Some(n), _) => (Some(Port::Number(n)), "/port/number"),
        (None, Some(n)) => (Some(Port::Name(n)), "/port/name"),
        (None, None) => (None, "/port"),
    };
    Some(Backend {
        pointer: format!("{pointer}/service"),
        namespace,
        name,
        port,
        port_pointer,
    })
}

fn ingress_backends<'a>(ingress: &'a Object, namespace: &'a str) -> Vec<Backend<'a>> {
    let spec = &ingress.value["spec"];
    let mut backends = Vec::new();
    if let Some(default) = spec.get("defaultBackend") {
        backends.extend(ingress_backend(
            default,
            "/spec/defaultBackend".into(),
            namespace,
        ));
    }
    for (r, rule) in spec
        .get("rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let paths = rule.at("/http/paths").and_then(Value::as_array);
        for (p, path) in paths.into_iter().flatten().enumerate() {
            if let Some(backend) = path.get("backend") {
                backends.extend(ingress_backend(
                    backend,
                    format!("/spec/rules/{r}/http/paths/{p}/backend"),
                    namespace,
                ));
            }
        }
    }
    backends
}

fn route_backends<'a>(route: &'a Object, namespace: &'a str) -> Vec<Backend<'a>> {
    let mut backends = Vec::new();
    let rules = route.value.at("/spec/rules").and_then(Value::as_array);
    for (r, rule) in rules.into_iter().flatten().enumerate() {
        let refs = rule.get("backendRefs").and_then(Value::as_array);
        for (b, reference) in refs.into_iter().flatten().enumerate() {
            let text = |key: &str| reference.get(key).and_then(Value::as_str);
            if text("group").is_some_and(|g| !g.is_empty())
                || text("kind").is_some_and(|k| k != "Service")
            {
                continue;
            }
            let Some(name) = text("name") else {
                continue;
            };
            backends.push(Backend {
                pointer: format!("/spec/rules/{r}/backendRefs/{b}"),
                namespace: text("namespace").unwrap_or(namespace),
                name,
                port: reference
                    .get("port")
                    .and_then(Value::as_i64)
                    .map(Port::Number),
                port_pointer: "/port",
            });
        }
    }
    backends
}

/// An AWS Load Balancer Controller action (`service.name` names the action in an
/// `alb.ingress.kubernetes.io/actions.<name>` annotation, `port.name: use-annotation`).
fn alb_action(route: &Object, name: &str) -> bool {
    route.kind == "Ingress"
        && route
            .annotation(&format!("alb.ingress.kubernetes.io/actions.{name}"))
            .is_some()
}

fn is_route(object: &Object) -> bool {
    match object.kind.as_str() {
        "Ingress" => object.api_version == "networking.k8s.io/v1",
        "HTTPRoute" => matches!(
            object.api_version.as_str(),
            "gateway.networking.k8s.io/v1" | "gateway.networking.k8s.io/v1beta1"
        ),
        _ => false,
    }
}

/// The ports of a Service, `None` when it lists none (an ExternalName Service may not).
fn service_ports(service: &Object) -> Option<Vec<(i64, Option<&str>)>> {
    let ports = service.value.at("/spec/ports")?.as_array()?;
    let ports: Vec<_> = ports
        .iter()
        .filter_map(|p| {
            Some((
                p.get("port")?.as_i64()?,
                p.get("name").and_then(Value::as_str),
            ))
        })
        .collect();
    (!ports.is_empty()).then_some(ports)
}

fn describe_ports(ports: &[(i64, Option<&str>)]) -> String {
    ports
        .iter()
        .map(|(number, name)| match name {
            Some(name) => format!("{number} `{name}`"),
            None => number.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl Rule for IngressBackendMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        let mut service_names = PeerNames::default();
        for route in context.objects {
            if !is_route(route) {
                continue;
            }
            let namespace = context.namespace(route);
            let backends = if route.kind == "Ingress" {
                ingress_backends(route, namespace)
            } else {
                route_backends(route, namespace)
            };
            for backend in backends {
                if templated(backend.name)
                    || templated(backend.namespace)
                    || backend.port == Some(Port::Name("use-annotation"))
                    || alb_action(route, backend.name)
                {
                    continue;
                }
                let services = context.of_kind(backend.namespace, "", "Service");
                if services.is_empty() {
                    continue;
                }
                let Some(service) = context.find(backend.namespace, "", "Service", backend.name)
                else {
                    if operator_may_create_service(context, backend.namespace, backend.name) {
                        continue;
                    }
                    sink.report(
                        route,
                        format!("{}/name", backend.pointer),
                        format!(
                            "{} sends traffic to Service `{}`, which is not in namespace `{}` \
                             of the input: requests to this backend fail (503/500)",
                            route.display_name(),
                            backend.name,
                            backend.namespace,
                        ),
                        format!(
                            "point the backend at an existing Service{}, or add the Service",
                            did_you_mean_name(
                                backend.name,
                                service_names
                                    .of(context, backend.namespace, "", "Service")
                                    .iter()
                                    .copied()
                            )
                        ),
                    );
                    continue;
                };
                let (Some(port), Some(ports)) = (&backend.port, service_ports(service)) else {
                    continue;
                };
                let known = ports.iter().any(|(number, name)| match port {
                    Port::Number(n) => number == n,
                    Port::Name(n) => name.as_deref() == Some(n),
                });
                if known {
                    continue;
                }
                if let Port::Name(n) = port
                    && templated(n)
                {
                    continue;
                }
                let asked = match port {
                    Port::Number(n) => n.to_string(),
                    Port::Name(n) => format!("`{n}`"),
                };
                sink.report(
                    route,
                    format!("{}{}", backend.pointer, backend.port_pointer),
                    format!(
                        "{} sends traffic to port {asked} of {}, which has no such port \
                         (its ports: {}): requests to this backend fail",
                        route.display_name(),
                        service.display_name(),
                        describe_ports(&ports),
                    ),
                    "use one of the Service's `ports[].port` numbers (or, for an Ingress, a \
                     `ports[].name`) — not the container's targetPort",
                );
            }
        }
    }
}
