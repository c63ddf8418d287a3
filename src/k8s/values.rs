//! Values the types accept but the API server's validation rejects: enum fields (a strategy
//! `type`, a `pathType`, a Service `type`…) and the int-or-percent budgets of a
//! PodDisruptionBudget. Each becomes an `invalid-manifest` finding, as the server's
//! "Unsupported value" or "Invalid value" would stop the apply.

use serde_json::Value;

use super::Invalid;
use super::required::pod_spec_pointer;
use crate::pointer::ValuePointer;

fn invalid(pointer: impl Into<String>, message: String) -> Invalid {
    Invalid {
        pointer: pointer.into(),
        message,
    }
}

/// A set value of an enum field outside `allowed`.
fn check_enum(value: &Value, pointer: &str, allowed: &[&str], out: &mut Vec<Invalid>) {
    let Some(found) = value.at(pointer) else {
        return;
    };
    if found.is_null() {
        return;
    }
    let text = found.as_str();
    if text.is_some_and(|t| allowed.contains(&t)) {
        return;
    }
    let shown = text.map_or_else(|| found.to_string(), |t| format!("\"{t}\""));
    let field = pointer.rsplit('/').next().unwrap_or(pointer);
    out.push(invalid(
        pointer,
        format!(
            "unsupported value {shown} for `{field}`: the API server accepts only {}",
            allowed
                .iter()
                .map(|a| format!("\"{a}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ));
}

/// An update strategy: its type among `types`, and `rollingUpdate` only with RollingUpdate.
fn strategy(value: &Value, pointer: &str, types: &[&str], out: &mut Vec<Invalid>) {
    let type_pointer = format!("{pointer}/type");
    check_enum(value, &type_pointer, types, out);
    let kind = value.at(&type_pointer).and_then(Value::as_str);
    let rolling = value
        .at(&format!("{pointer}/rollingUpdate"))
        .is_some_and(|r| !r.is_null());
    if let (Some(kind), true) = (kind, rolling)
        && kind != "RollingUpdate"
        && types.contains(&kind)
    {
        out.push(invalid(
            format!("{pointer}/rollingUpdate"),
            format!(
                "`rollingUpdate` may not be set when the strategy type is \"{kind}\": the API \
                 server rejects the object"
            ),
        ));
    }
}

/// A PodDisruptionBudget's `minAvailable` / `maxUnavailable`: one of them, each a
/// non-negative integer or a percentage up to 100%.
fn budget(value: &Value, out: &mut Vec<Invalid>) {
    let fields = ["minAvailable", "maxUnavailable"];
    let set: Vec<&str> = fields
        .into_iter()
        .filter(|f| {
            value
                .at(&format!("/spec/{f}"))
                .is_some_and(|v| !v.is_null())
        })
        .collect();
    if set.len() == 2 {
        out.push(invalid(
            "/spec/maxUnavailable",
            "minAvailable and maxUnavailable are both set: the API server accepts one of them"
                .to_string(),
        ));
    }
    for field in set {
        let pointer = format!("/spec/{field}");
        let amount = &value["spec"][field];
        let problem = match amount {
            Value::Number(n) => match n.as_i64() {
                Some(n) if n >= 0 => None,
                _ => Some(format!("{n} is not a non-negative integer")),
            },
            Value::String(s) => match s.strip_suffix('%').map(|p| p.parse::<u64>()) {
                Some(Ok(p)) if p <= 100 && !s.starts_with('+') => None,
                Some(Ok(_)) => Some(format!("\"{s}\" is more than 100%")),
                _ => Some(format!(
                    "\"{s}\" is neither an integer nor a percentage like \"50%\""
                )),
            },
            _ => None, // a type error: the schema check reports it
        };
        if let Some(problem) = problem {
            out.push(invalid(
                pointer,
                format!("{field}: {problem}: the API server rejects the budget"),
            ));
        }
    }
    check_enum(
        value,
        "/spec/unhealthyPodEvictionPolicy",
        &["IfHealthyBudget", "AlwaysAllow"],
        out,
    );
}

const PROTOCOLS: &[&str] = &["TCP", "UDP", "SCTP"];

/// The enum fields of the containers of a pod spec.
fn containers(value: &Value, pod_spec: &str, out: &mut Vec<Invalid>) {
    check_enum(
        value,
        &format!("{pod_spec}/restartPolicy"),
        &["Always", "OnFailure", "Never"],
        out,
    );
    for list in ["containers", "initContainers"] {
        let Some(Value::Array(items)) = value.at(&format!("{pod_spec}/{list}")) else {
            continue;
        };
        for (i, container) in items.iter().enumerate() {
            let base = format!("{pod_spec}/{list}/{i}");
            check_enum(
                value,
                &format!("{base}/imagePullPolicy"),
                &["Always", "Never", "IfNotPresent"],
                out,
            );
            let ports = container.get("ports").and_then(Value::as_array);
            for j in 0..ports.map_or(0, Vec::len) {
                check_enum(value, &format!("{base}/ports/{j}/protocol"), PROTOCOLS, out);
            }
        }
    }
}

/// What the API server's validation of `kind` would reject among the values the types read.
pub fn rejected(api_version: &str, kind: &str, value: &Value) -> Vec<Invalid> {
    let mut out = Vec::new();
    match kind {
        "Deployment" => strategy(
            value,
            "/spec/strategy",
            &["Recreate", "RollingUpdate"],
            &mut out,
        ),
        "StatefulSet" | "DaemonSet" => strategy(
            value,
            "/spec/updateStrategy",
            &["RollingUpdate", "OnDelete"],
            &mut out,
        ),
        "Service" => {
            check_enum(
                value,
                "/spec/type",
                &["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"],
                &mut out,
            );
            let ports = value.at("/spec/ports").and_then(Value::as_array);
            for j in 0..ports.map_or(0, Vec::len) {
                check_enum(
                    value,
                    &format!("/spec/ports/{j}/protocol"),
                    PROTOCOLS,
                    &mut out,
                );
            }
        }
        "Ingress" if api_version == "networking.k8s.io/v1" => {
            let rules = value.at("/spec/rules").and_then(Value::as_array);
            for (i, rule) in rules.into_iter().flatten().enumerate() {
                let paths = rule.at("/http/paths").and_then(Value::as_array);
                for (j, path) in paths.into_iter().flatten().enumerate() {
                    let pointer = format!("/spec/rules/{i}/http/paths/{j}/pathType");
                    if path.get("pathType").is_none_or(Value::is_null) {
                        out.push(invalid(
                            format!("/spec/rules/{i}/http/paths/{j}"),
                            "missing required field `pathType`: networking.k8s.io/v1 needs \
                             Exact, Prefix or ImplementationSpecific"
                                .to_string(),
                        ));
                    } else {
                        check_enum(
                            value,
                            &pointer,
                            &["Exact", "Prefix", "ImplementationSpecific"],
                            &mut out,
                        );
                    }
                }
            }
        }
        "PodDisruptionBudget" => budget(value, &mut out),
        _ => {}
    }
    if let Some(pod_spec) = pod_spec_pointer(kind) {
        containers(value, pod_spec, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn messages(kind: &str, value: Value) -> Vec<String> {
        rejected("apps/v1", kind, &value)
            .into_iter()
            .map(|i| format!("{} {}", i.pointer, i.message))
            .collect()
    }

    #[test]
    fn strategy_types_and_rolling_update_under_recreate() {
        assert_eq!(
            messages(
                "Deployment",
                json!({"spec": {"strategy": {"type": "recreate"}}})
            )
            .len(),
            1
        );
        assert_eq!(
            messages(
                "Deployment",
                json!({"spec": {"strategy": {"type": "Other"}}})
            )
            .len(),
            1
        );
        let both = messages(
            "Deployment",
            json!({"spec": {"strategy": {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}}}}),
        );
        assert!(
            both[0].starts_with("/spec/strategy/rollingUpdate"),
            "{both:?}"
        );
        assert!(
            messages(
                "Deployment",
                json!({"spec": {"strategy": {"type": "RollingUpdate"}}})
            )
            .is_empty()
        );
    }

    #[test]
    fn budgets() {
        let bad = |spec: Value| messages("PodDisruptionBudget", json!({"spec": spec}));
        assert_eq!(bad(json!({"minAvailable": "150%"})).len(), 1);
        assert_eq!(bad(json!({"maxUnavailable": -1})).len(), 1);
        assert_eq!(bad(json!({"minAvailable": "100 %"})).len(), 1);
        assert_eq!(
            bad(json!({"minAvailable": 1, "maxUnavailable": 1})).len(),
            1
        );
        assert!(bad(json!({"minAvailable": "100%"})).is_empty());
        assert!(bad(json!({"maxUnavailable": 0})).is_empty());
    }
}
