use serde_json::Value;

use super::istio::{self, host_key, service_of};
use crate::pointer::ValuePointer;
use crate::rules::{Context, Rule, RuleMeta, Sink, rule_meta};
use crate::suggest::did_you_mean_name;

pub struct IstioSubsetUndefined;

static META: RuleMeta = rule_meta!(
    "istio-subset-undefined",
    Error,
    "an Istio route names a subset that no DestinationRule for its host defines"
);

impl Rule for IstioSubsetUndefined {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            if !istio::is_kind(object, "VirtualService") {
                continue;
            }
            let namespace = context.namespace(object);
            for (_, _, destinations) in istio::routes(object) {
                for destination in destinations {
                    let (Some(host), Some(subset)) = (destination.host(), destination.subset())
                    else {
                        continue;
                    };
                    let key = host_key(host, namespace);
                    let rules = istio::destination_rules_for(context, &key);
                    let pointer = format!("{}/destination/subset", destination.pointer());
                    if rules.is_empty() {
                        // No DestinationRule for the host: speak only when the input holds
                        // DestinationRules of the host's namespace (partial input is normal).
                        let Some((_, host_namespace)) = service_of(&key) else {
                            continue;
                        };
                        if !context.has_kind(host_namespace, istio::GROUP, "DestinationRule") {
                            continue;
                        }
                        let hosts: Vec<&str> = context
                            .of_kind(host_namespace, istio::GROUP, "DestinationRule")
                            .iter()
                            .filter_map(|r| r.value.at("/spec/host").and_then(Value::as_str))
                            .collect();
                        sink.report(
                            object,
                            pointer,
                            format!(
                                "{}: the route to {host} uses subset \"{subset}\", but no \
                                 DestinationRule in the input has host {host} (namespace \
                                 {host_namespace} has DestinationRules, none for it){}: \
                                 requests to an undefined subset fail with 503",
                                object.display_name(),
                                did_you_mean_name(host, hosts),
                            ),
                            format!(
                                "add a DestinationRule with `host: {host}` and a subset \
                                 \"{subset}\" whose labels select the version's pods, applied \
                                 before the VirtualService"
                            ),
                        );
                        continue;
                    }
                    let defined: Vec<&str> =
                        rules.iter().flat_map(|r| istio::subset_names(r)).collect();
                    if defined.contains(&subset) {
                        continue;
                    }
                    let names: Vec<String> = rules.iter().map(|r| r.display_name()).collect();
                    let list = if defined.is_empty() {
                        "none".to_string()
                    } else {
                        defined.join(", ")
                    };
                    sink.report(
                        object,
                        pointer,
                        format!(
                            "{}: the route to {host} uses subset \"{subset}\", which {} does \
                             not define (subsets: {list}){}: requests routed to it fail with 503",
                            object.display_name(),
                            names.join(" and "),
                            did_you_mean_name(subset, defined.iter().copied()),
                        ),
                        format!(
                            "define subset \"{subset}\" in the DestinationRule for {host} (with \
                             labels that select the version's pods), or route to a subset it \
                             defines; apply DestinationRule changes before the VirtualService \
                             that uses them"
                        ),
                    );
                }
            }
        }
    }
}
