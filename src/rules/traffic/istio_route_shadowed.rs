use serde_json::Value;

use super::istio;
use crate::pointer::ValuePointer;
use crate::rules::{Context, Rule, RuleMeta, Sink, rule_meta};

pub struct IstioRouteShadowed;

static META: RuleMeta = rule_meta!(
    "istio-route-shadowed",
    Warning,
    "an Istio VirtualService http rule placed after a rule that matches every request can never be reached"
);

/// Whether one `HTTPMatchRequest` matches every request: it has no condition (only `name`
/// or `ignoreUriCase`), or its only condition is `uri: {prefix: /}`.
fn matches_everything(entry: &Value) -> bool {
    let Some(entry) = entry.as_object() else {
        return false;
    };
    entry.iter().all(|(key, value)| match key.as_str() {
        "name" | "ignoreUriCase" => true,
        "uri" => value.as_object().is_some_and(|uri| {
            uri.len() == 1 && uri.get("prefix").and_then(Value::as_str) == Some("/")
        }),
        _ => false,
    })
}

/// Whether an http rule catches every request: no `match`, an empty list, or one entry
/// (entries are ORed) that matches everything.
pub fn is_catch_all(rule: &Value) -> bool {
    match rule.get("match") {
        None | Some(Value::Null) => true,
        Some(Value::Array(entries)) => entries.is_empty() || entries.iter().any(matches_everything),
        Some(_) => false,
    }
}

fn describe(index: usize, rule: &Value) -> String {
    match rule.get("name").and_then(Value::as_str) {
        Some(name) => format!("http[{index}] ({name})"),
        None => format!("http[{index}]"),
    }
}

impl Rule for IstioRouteShadowed {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            if !istio::is_kind(object, "VirtualService") {
                continue;
            }
            let Some(rules) = object.value.at("/spec/http").and_then(Value::as_array) else {
                continue;
            };
            let Some(catch_all) = rules.iter().position(is_catch_all) else {
                continue;
            };
            let why = if rules[catch_all].get("match").is_some() {
                "has a match that accepts every request"
            } else {
                "has no match, so it accepts every request"
            };
            for (index, rule) in rules.iter().enumerate().skip(catch_all + 1) {
                sink.report(
                    object,
                    format!("/spec/http/{index}"),
                    format!(
                        "{}: {} can never be used: {} before it {why}, and Istio sends each \
                         request to the first http rule that matches",
                        object.display_name(),
                        describe(index, rule),
                        describe(catch_all, &rules[catch_all]),
                    ),
                    "order http rules from the most specific to the least: header, cookie and \
                     path matches first, the rule without `match` (the default route) last",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn catch_alls() {
        assert!(is_catch_all(&json!({"route": []})));
        assert!(is_catch_all(&json!({"match": []})));
        assert!(is_catch_all(&json!({"match": [{}]})));
        assert!(is_catch_all(&json!({"match": [{"name": "all"}]})));
        assert!(is_catch_all(&json!({"match": [{"uri": {"prefix": "/"}}]})));
        assert!(is_catch_all(
            &json!({"match": [{"headers": {"x": {"exact": "1"}}}, {}]})
        ));
        assert!(!is_catch_all(
            &json!({"match": [{"uri": {"prefix": "/api"}}]})
        ));
        assert!(!is_catch_all(
            &json!({"match": [{"uri": {"prefix": "/"}, "headers": {"x": {"exact": "1"}}}]})
        ));
        assert!(!is_catch_all(&json!({"match": [{"gateways": ["mesh"]}]})));
        assert!(!is_catch_all(&json!({"match": [{"uri": {"regex": ".*"}}]})));
        assert!(!is_catch_all(&json!({"match": "x"})));
    }
}
