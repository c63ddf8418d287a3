use super::nginx::{self, PREFIX};
use crate::k8s::Object;
use crate::k8s::annotation_pointer;
use crate::rules::{Context, Rule, RuleMeta, Sink, rule_meta};
use crate::severity::Severity;

pub struct CanaryWeightInvalid;

static META: RuleMeta = rule_meta!(
    "canary-weight-invalid",
    Error,
    "an ingress-nginx canary weight that is not an integer in 0..canary-weight-total, or a header value/pattern without canary-by-header"
);

const DEFAULT_TOTAL: i64 = 100;

/// ingress-nginx reads integers with Go's `strconv.Atoi`: an optional sign and digits, no
/// spaces, no `%`.
fn parse_int(value: &str) -> Option<i64> {
    let digits = value.strip_prefix(['+', '-']).unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

fn key(name: &str) -> String {
    format!("{PREFIX}{name}")
}

fn check_weights(object: &Object, sink: &mut Sink<'_>) {
    let total_key = key("canary-weight-total");
    let mut total = DEFAULT_TOTAL;
    if let Some(raw) = object.annotation(&total_key) {
        match parse_int(raw) {
            Some(t) if t > 0 => total = t,
            _ => {
                sink.report(
                    object,
                    annotation_pointer(&total_key),
                    format!(
                        "{}: canary-weight-total \"{raw}\" is not a positive integer, so the \
                         canary weight cannot be read as a share of it",
                        object.display_name()
                    ),
                    "write a positive integer such as \"100\" (the default) or \"1000\" for \
                     tenths of a percent",
                );
                return;
            }
        }
    }
    let weight_key = key("canary-weight");
    let Some(raw) = object.annotation(&weight_key) else {
        return;
    };
    let problem = match parse_int(raw) {
        None => "is not an integer: ingress-nginx ignores it (weight 0, no weighted traffic to \
                 the canary) or, with annotation validation on, rejects the Ingress"
            .to_string(),
        Some(w) if w < 0 => "is negative".to_string(),
        Some(w) if w > total => format!(
            "is above canary-weight-total ({total}{})",
            if object.annotation(&total_key).is_none() {
                ", the default"
            } else {
                ""
            }
        ),
        Some(_) => return,
    };
    sink.report(
        object,
        annotation_pointer(&weight_key),
        format!(
            "{}: canary-weight \"{raw}\" {problem}; the share of traffic the canary gets is not \
             the one intended",
            object.display_name()
        ),
        format!(
            "write an integer from 0 to {total} (the canary's share out of canary-weight-total)"
        ),
    );
}

fn check_header(object: &Object, sink: &mut Sink<'_>) {
    let header = object.annotation(&key("canary-by-header"));
    let value_key = key("canary-by-header-value");
    let pattern_key = key("canary-by-header-pattern");
    let value = object.annotation(&value_key);
    let pattern = object.annotation(&pattern_key);
    if header.is_none_or(str::is_empty) {
        for (k, v) in [(&value_key, value), (&pattern_key, pattern)] {
            let Some(v) = v else { continue };
            let short = k.trim_start_matches(PREFIX);
            sink.report(
                object,
                annotation_pointer(k),
                format!(
                    "{}: {short} \"{v}\" is set without canary-by-header, so ingress-nginx \
                     never matches it: no request is routed to the canary by header",
                    object.display_name()
                ),
                "add `nginx.ingress.kubernetes.io/canary-by-header: <header name>` (the header \
                 whose value is compared), or remove the value/pattern annotation",
            );
        }
        return;
    }
    if let (Some(v), Some(p)) = (value, pattern) {
        sink.report_with_severity(
            Severity::Warning,
            object,
            annotation_pointer(&pattern_key),
            format!(
                "{}: canary-by-header-pattern \"{p}\" is ignored because canary-by-header-value \
                 \"{v}\" is also set; only requests with exactly that value reach the canary",
                object.display_name()
            ),
            "keep one of canary-by-header-value (an exact value) and canary-by-header-pattern \
             (a regular expression)",
        );
    }
}

impl Rule for CanaryWeightInvalid {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in nginx::nginx_ingresses(context).canaries {
            check_weights(object, sink);
            check_header(object, sink);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_atoi() {
        assert_eq!(parse_int("10"), Some(10));
        assert_eq!(parse_int("+10"), Some(10));
        assert_eq!(parse_int("-1"), Some(-1));
        assert_eq!(parse_int("10%"), None);
        assert_eq!(parse_int(" 10"), None);
        assert_eq!(parse_int("1.5"), None);
        assert_eq!(parse_int(""), None);
    }
}
