//! ingress-nginx: which Ingresses it handles, which are canaries, and the host + path +
//! pathType keys it merges canaries by.

use serde_json::Value;

use crate::k8s::Object;
use crate::pointer::ValuePointer;
use crate::rules::Context;
use crate::rules::context::api_group;

pub const PREFIX: &str = "nginx.ingress.kubernetes.io/";
pub const CANARY: &str = "nginx.ingress.kubernetes.io/canary";
const CLASS_ANNOTATION: &str = "kubernetes.io/ingress.class";
/// The controller name ingress-nginx registers in its IngressClass.
const INGRESS_NGINX_CONTROLLER: &str = "k8s.io/ingress-nginx";

/// Who handles an Ingress, as far as the manifest tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Controller {
    /// ingress-nginx (kubernetes/ingress-nginx).
    IngressNginx,
    /// F5 NGINX Ingress Controller (`nginx.org/…` annotations or IngressClass controller):
    /// a different product with different annotations, not retired.
    NginxInc,
    /// A class that names another controller.
    Other,
    /// No class and no controller-specific annotation: could be any default controller.
    Unknown,
}

pub fn is_ingress(object: &Object) -> bool {
    object.kind == "Ingress"
        && matches!(
            api_group(&object.api_version),
            "networking.k8s.io" | "extensions"
        )
}

fn annotation_keys(object: &Object) -> impl Iterator<Item = &str> {
    object
        .value
        .at("/metadata/annotations")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|a| a.keys().map(String::as_str))
}

/// The Ingress's class: `spec.ingressClassName`, else the legacy annotation.
pub fn class_name(object: &Object) -> Option<&str> {
    object
        .value
        .at("/spec/ingressClassName")
        .and_then(Value::as_str)
        .or_else(|| object.annotation(CLASS_ANNOTATION))
        .filter(|c| !c.is_empty())
}

pub fn controller(context: &Context<'_>, object: &Object) -> Controller {
    let has_prefix = |prefix: &str| annotation_keys(object).any(|k| k.starts_with(prefix));
    let nginx_inc = has_prefix("nginx.org/") || has_prefix("nginx.com/");
    if let Some(class) = class_name(object) {
        // An IngressClass in the input names the controller exactly. It is cluster-scoped,
        // so the index files it under the default namespace.
        let ingress_class = context
            .find(
                &context.config.namespace,
                "networking.k8s.io",
                "IngressClass",
                class,
            )
            .and_then(|o| o.value.at("/spec/controller"))
            .and_then(Value::as_str);
        return match ingress_class {
            Some(INGRESS_NGINX_CONTROLLER) => Controller::IngressNginx,
            Some(c) if c.starts_with("nginx.org/") => Controller::NginxInc,
            Some(_) => Controller::Other,
            None if !class.contains("nginx") => Controller::Other,
            None if nginx_inc => Controller::NginxInc,
            None => Controller::IngressNginx,
        };
    }
    if nginx_inc {
        Controller::NginxInc
    } else if has_prefix(PREFIX) {
        Controller::IngressNginx
    } else {
        Controller::Unknown
    }
}

/// ingress-nginx parses booleans with Go's `strconv.ParseBool`.
pub fn parse_bool(value: &str) -> Option<bool> {
    match value {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

pub fn is_canary(object: &Object) -> bool {
    object.annotation(CANARY).and_then(parse_bool) == Some(true)
}

/// One `spec.rules[].http.paths[]` entry.
#[derive(Debug)]
pub struct IngressPath<'a> {
    pub object: &'a Object,
    /// The rule's host; `""` is the catch-all server.
    pub host: &'a str,
    pub path: &'a str,
    pub path_type: &'a str,
    /// The backend Service (`service.name`, or v1beta1 `serviceName`); `None` for a
    /// resource backend.
    pub service: Option<&'a str>,
    /// `/spec/rules/I/http/paths/J`.
    pub pointer: String,
    /// The pointer of the backend's Service name.
    pub service_pointer: String,
    /// The backend's Service port (number or name), as written.
    pub port: Option<&'a Value>,
}

impl IngressPath<'_> {
    /// What ingress-nginx merges a canary by.
    pub fn key(&self) -> (&str, &str, &str) {
        (self.host, self.path, self.path_type)
    }

    /// `host "a.example.com", path "/" (Prefix)`.
    pub fn describe(&self) -> String {
        describe_key(self.key())
    }
}

pub fn describe_key((host, path, path_type): (&str, &str, &str)) -> String {
    let host = if host.is_empty() {
        "* (no host)".to_string()
    } else {
        format!("\"{host}\"")
    };
    format!("host {host}, path \"{path}\" ({path_type})")
}

pub fn paths(object: &Object) -> Vec<IngressPath<'_>> {
    let mut out = Vec::new();
    let Some(rules) = object.value.at("/spec/rules").and_then(Value::as_array) else {
        return out;
    };
    for (i, rule) in rules.iter().enumerate() {
        let host = rule.get("host").and_then(Value::as_str).unwrap_or("");
        let Some(paths) = rule.at("/http/paths").and_then(Value::as_array) else {
            continue;
        };
        for (j, entry) in paths.iter().enumerate() {
            let pointer = format!("/spec/rules/{i}/http/paths/{j}");
            let text = |p: &str| entry.at(p).and_then(Value::as_str);
            let (service, service_pointer) = match text("/backend/service/name") {
                Some(name) => (Some(name), format!("{pointer}/backend/service/name")),
                None => (
                    text("/backend/serviceName"),
                    format!("{pointer}/backend/serviceName"),
                ),
            };
            let port = entry
                .at("/backend/service/port/number")
                .or_else(|| entry.at("/backend/service/port/name"))
                .or_else(|| entry.at("/backend/servicePort"));
            out.push(IngressPath {
                object,
                host,
                path: text("/path").filter(|p| !p.is_empty()).unwrap_or("/"),
                path_type: text("/pathType").unwrap_or("ImplementationSpecific"),
                service,
                pointer,
                service_pointer,
                port,
            });
        }
    }
    out
}

/// The Ingresses ingress-nginx may handle (not claimed by another controller), split into
/// canaries and the rest.
pub struct NginxIngresses<'a> {
    pub canaries: Vec<&'a Object>,
    pub stable: Vec<&'a Object>,
}

pub fn nginx_ingresses<'a>(context: &Context<'a>) -> NginxIngresses<'a> {
    let mut canaries = Vec::new();
    let mut stable = Vec::new();
    for object in context.objects.iter().filter(|o| is_ingress(o)) {
        match controller(context, object) {
            Controller::Other | Controller::NginxInc => {}
            Controller::IngressNginx | Controller::Unknown => {
                if is_canary(object) {
                    canaries.push(object);
                } else {
                    stable.push(object);
                }
            }
        }
    }
    NginxIngresses { canaries, stable }
}

/// The paths of canary Ingresses that route to a Service (the ones ingress-nginx merges).
pub fn canary_paths<'a>(ingresses: &NginxIngresses<'a>) -> Vec<IngressPath<'a>> {
    ingresses
        .canaries
        .iter()
        .flat_map(|o| paths(o))
        .filter(|p| p.service.is_some())
        .collect()
}

pub fn stable_paths<'a>(ingresses: &NginxIngresses<'a>) -> Vec<IngressPath<'a>> {
    ingresses.stable.iter().flat_map(|o| paths(o)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_booleans() {
        assert_eq!(parse_bool("True"), Some(true));
        assert_eq!(parse_bool("1"), Some(true));
        assert_eq!(parse_bool("yes"), None);
        assert_eq!(parse_bool("false"), Some(false));
    }

    #[test]
    fn describes_the_catch_all_host() {
        assert_eq!(
            describe_key(("", "/", "Prefix")),
            "host * (no host), path \"/\" (Prefix)"
        );
    }
}
