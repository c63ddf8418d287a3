use serde_json::Value;

use crate::k8s::int_value;
use crate::pointer::ValuePointer;
use crate::rules::context::api_group;
use crate::rules::{Context, Rule, RuleMeta, Sink, rule_meta};

pub struct HttprouteWeightsZero;

static META: RuleMeta = rule_meta!(
    "httproute-weights-zero",
    Error,
    "every backendRef of a Gateway API HTTPRoute rule has weight 0: its requests get a 500"
);

impl Rule for HttprouteWeightsZero {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            if object.kind != "HTTPRoute"
                || api_group(&object.api_version) != "gateway.networking.k8s.io"
            {
                continue;
            }
            let Some(rules) = object.value.at("/spec/rules").and_then(Value::as_array) else {
                continue;
            };
            for (i, rule) in rules.iter().enumerate() {
                let Some(refs) = rule.get("backendRefs").and_then(Value::as_array) else {
                    continue;
                };
                // A missing weight is 1; an unreadable one is the schema's business.
                let all_zero = !refs.is_empty()
                    && refs
                        .iter()
                        .all(|r| r.get("weight").and_then(int_value) == Some(0));
                if !all_zero {
                    continue;
                }
                let names: Vec<&str> = refs
                    .iter()
                    .map(|r| r.get("name").and_then(Value::as_str).unwrap_or("?"))
                    .collect();
                let name = rule
                    .get("name")
                    .and_then(Value::as_str)
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default();
                sink.report(
                    object,
                    format!("/spec/rules/{i}/backendRefs"),
                    format!(
                        "{}: every backendRef of rules[{i}]{name} has weight 0 ({}): the \
                         Gateway answers every request matching the rule with a 500",
                        object.display_name(),
                        names.join(", "),
                    ),
                    "give at least one backendRef a weight above 0 (the stable backend during a \
                     canary; weights are relative, a missing weight is 1)",
                );
            }
        }
    }
}
