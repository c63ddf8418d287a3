//! Label selectors, evaluated exactly as Kubernetes does.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

/// A `LabelSelector` (matchLabels AND every matchExpression). An empty selector selects
/// everything, as it does for PDBs and NetworkPolicies; an unknown operator selects nothing.
pub fn selector_matches(selector: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    let labels_match = selector
        .match_labels
        .iter()
        .flatten()
        .all(|(k, v)| labels.get(k) == Some(v));
    let expressions_match = selector.match_expressions.iter().flatten().all(|e| {
        let values = e.values.as_deref().unwrap_or_default();
        let value = labels.get(&e.key);
        match e.operator.as_str() {
            "In" => value.is_some_and(|v| values.contains(v)),
            "NotIn" => value.is_none_or(|v| !values.contains(v)),
            "Exists" => value.is_some(),
            "DoesNotExist" => value.is_none(),
            _ => false,
        }
    });
    labels_match && expressions_match
}

/// A Service-style equality selector. An empty one selects nothing: a Service without a
/// selector has its endpoints managed by hand.
pub fn map_selector_matches(
    selector: &BTreeMap<String, String>,
    labels: &BTreeMap<String, String>,
) -> bool {
    !selector.is_empty() && selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn expression(key: &str, operator: &str, values: &[&str]) -> LabelSelectorRequirement {
        LabelSelectorRequirement {
            key: key.into(),
            operator: operator.into(),
            values: Some(values.iter().map(|v| v.to_string()).collect()),
        }
    }

    #[test]
    fn match_labels_and_expressions() {
        let pod = labels(&[("app", "web"), ("tier", "front")]);
        let mut selector = LabelSelector {
            match_labels: Some(labels(&[("app", "web")])),
            match_expressions: Some(vec![expression("tier", "In", &["front", "back"])]),
        };
        assert!(selector_matches(&selector, &pod));
        selector.match_expressions = Some(vec![expression("tier", "NotIn", &["front"])]);
        assert!(!selector_matches(&selector, &pod));
        selector.match_expressions = Some(vec![expression("canary", "DoesNotExist", &[])]);
        assert!(selector_matches(&selector, &pod));
        selector.match_expressions = Some(vec![expression("canary", "Exists", &[])]);
        assert!(!selector_matches(&selector, &pod));
        assert!(selector_matches(&LabelSelector::default(), &pod));
    }

    #[test]
    fn service_selectors_need_every_pair_and_select_nothing_when_empty() {
        let pod = labels(&[("app", "web")]);
        assert!(map_selector_matches(&labels(&[("app", "web")]), &pod));
        assert!(!map_selector_matches(
            &labels(&[("app", "web"), ("v", "2")]),
            &pod
        ));
        assert!(!map_selector_matches(&BTreeMap::new(), &pod));
    }
}
