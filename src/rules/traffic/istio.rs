//! Istio `networking.istio.io` objects (v1, v1beta1, v1alpha3 share the shapes read here):
//! host names, route destinations and weights, read from the raw value.

use serde_json::Value;

use crate::k8s::int_value;
use crate::pointer::ValuePointer;

use crate::k8s::Object;
use crate::rules::Context;
use crate::rules::context::api_group;

pub const GROUP: &str = "networking.istio.io";

pub fn is_kind(object: &Object, kind: &str) -> bool {
    object.kind == kind && api_group(&object.api_version) == GROUP
}

/// A host as Istio resolves it, cut after `.svc` so the cluster domain does not matter:
/// a short name (no dot) is a Service in the rule's namespace (`reviews` in `prod` →
/// `reviews.prod.svc`); `reviews.prod.svc.cluster.local` → `reviews.prod.svc`; any other
/// dotted name is taken as written, as Istio does.
pub fn host_key(host: &str, namespace: &str) -> String {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host == "*" {
        return host;
    }
    if !host.contains('.') {
        return format!("{host}.{namespace}.svc");
    }
    match host.find(".svc.") {
        Some(at) => host[..at + 4].to_string(),
        None => host,
    }
}

/// `(service, namespace)` of an in-cluster host key (`name.ns.svc`).
pub fn service_of(key: &str) -> Option<(&str, &str)> {
    let rest = key.strip_suffix(".svc")?;
    let (name, namespace) = rest.split_once('.')?;
    (!namespace.contains('.') && !name.starts_with('*')).then_some((name, namespace))
}

/// Whether a DestinationRule host key covers a destination host key: equal, or a wildcard
/// (`*`, `*.prod.svc`) that matches it.
pub fn host_covers(rule: &str, destination: &str) -> bool {
    rule == destination
        || rule == "*"
        || rule
            .strip_prefix('*')
            .is_some_and(|suffix| suffix.starts_with('.') && destination.ends_with(suffix))
}

/// A route's destination: `spec.<section>[i].route[j]`.
pub struct Destination<'a> {
    pub section: &'static str,
    pub rule: usize,
    pub index: usize,
    pub value: &'a Value,
}

impl Destination<'_> {
    pub fn pointer(&self) -> String {
        format!("/spec/{}/{}/route/{}", self.section, self.rule, self.index)
    }

    pub fn host(&self) -> Option<&str> {
        self.value.at("/destination/host").and_then(Value::as_str)
    }

    pub fn subset(&self) -> Option<&str> {
        self.value
            .at("/destination/subset")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    /// `reviews` or `reviews (subset v2)`.
    pub fn label(&self) -> String {
        let host = self.host().unwrap_or("?");
        match self.subset() {
            Some(subset) => format!("{host} (subset {subset})"),
            None => host.to_string(),
        }
    }
}

pub const ROUTE_SECTIONS: [&str; 3] = ["http", "tcp", "tls"];

/// The route lists of a VirtualService: `(section, rule index, destinations)`.
pub fn routes(object: &Object) -> Vec<(&'static str, usize, Vec<Destination<'_>>)> {
    let mut out = Vec::new();
    for section in ROUTE_SECTIONS {
        let Some(rules) = object
            .value
            .at(&format!("/spec/{section}"))
            .and_then(Value::as_array)
        else {
            continue;
        };
        for (i, rule) in rules.iter().enumerate() {
            let Some(route) = rule.get("route").and_then(Value::as_array) else {
                continue;
            };
            let destinations = route
                .iter()
                .enumerate()
                .map(|(j, value)| Destination {
                    section,
                    rule: i,
                    index: j,
                    value,
                })
                .collect();
            out.push((section, i, destinations));
        }
    }
    out
}

/// Whether the route sends this destination any traffic: a single destination gets it all,
/// with several a destination gets its weight (none = 0).
pub fn receives_traffic(destinations: &[Destination<'_>], index: usize) -> bool {
    if destinations.len() == 1 {
        return true;
    }
    destinations
        .get(index)
        .and_then(|d| d.value.get("weight"))
        .and_then(int_value)
        .is_some_and(|w| w > 0)
}

/// The VirtualServices of the input that send traffic to `subset` of the host `key`, with
/// the pointer of the destination.
pub fn routes_to_subset<'a>(
    context: &Context<'a>,
    key: &str,
    subset: &str,
) -> Vec<(&'a Object, String)> {
    let mut out = Vec::new();
    for object in context
        .objects
        .iter()
        .filter(|o| is_kind(o, "VirtualService"))
    {
        let namespace = context.namespace(object);
        for (_, _, destinations) in routes(object) {
            for (i, d) in destinations.iter().enumerate() {
                if d.subset() == Some(subset)
                    && d.host().is_some_and(|h| host_key(h, namespace) == key)
                    && receives_traffic(&destinations, i)
                {
                    out.push((object, d.pointer()));
                }
            }
        }
    }
    out
}

/// The DestinationRules of the input whose host covers `key`.
pub fn destination_rules_for<'a>(context: &Context<'a>, key: &str) -> Vec<&'a Object> {
    context
        .objects
        .iter()
        .filter(|o| is_kind(o, "DestinationRule"))
        .filter(|o| {
            o.value
                .at("/spec/host")
                .and_then(Value::as_str)
                .is_some_and(|h| host_covers(&host_key(h, context.namespace(o)), key))
        })
        .collect()
}

/// The subset names a DestinationRule defines.
pub fn subset_names(object: &Object) -> impl Iterator<Item = &str> {
    object
        .value
        .at("/spec/subsets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.get("name").and_then(Value::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_keys() {
        assert_eq!(host_key("reviews", "prod"), "reviews.prod.svc");
        assert_eq!(
            host_key("reviews.prod.svc.cluster.local", "x"),
            "reviews.prod.svc"
        );
        assert_eq!(
            host_key("reviews.prod.svc.corp.example", "x"),
            "reviews.prod.svc"
        );
        assert_eq!(host_key("reviews.prod.svc", "x"), "reviews.prod.svc");
        // Istio does not expand a dotted name: `reviews.prod` is an external host.
        assert_eq!(host_key("reviews.prod", "x"), "reviews.prod");
        assert_eq!(host_key("api.example.com", "x"), "api.example.com");
        assert_eq!(host_key("*", "x"), "*");
    }

    #[test]
    fn services_and_wildcards() {
        assert_eq!(service_of("reviews.prod.svc"), Some(("reviews", "prod")));
        assert_eq!(service_of("api.example.com"), None);
        assert_eq!(service_of("*.prod.svc"), None);
        assert!(host_covers("*.prod.svc", "reviews.prod.svc"));
        assert!(!host_covers("*.prod.svc", "reviews.dev.svc"));
        assert!(host_covers("*", "reviews.dev.svc"));
        assert!(!host_covers("reviews.prod.svc", "ratings.prod.svc"));
    }

    #[test]
    fn integers() {
        assert_eq!(int_value(&serde_json::json!(90)), Some(90));
        assert_eq!(int_value(&serde_json::json!("10")), Some(10));
        assert_eq!(int_value(&serde_json::json!(1.5)), None);
        assert_eq!(int_value(&serde_json::json!(null)), None);
    }
}
