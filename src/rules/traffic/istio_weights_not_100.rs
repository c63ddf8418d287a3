use super::istio;
use crate::k8s::int_value;
use crate::rules::{Context, Rule, RuleMeta, Sink, rule_meta};

pub struct IstioWeightsNot100;

static META: RuleMeta = rule_meta!(
    "istio-weights-not-100",
    Warning,
    "the destination weights of one Istio VirtualService route do not add up to 100"
);

impl Rule for IstioWeightsNot100 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            if !istio::is_kind(object, "VirtualService") {
                continue;
            }
            for (section, rule, destinations) in istio::routes(object) {
                // `None` = no weight; a weight that is not an integer is the schema's
                // business: skip the route.
                let mut weights = Vec::new();
                let mut readable = true;
                for d in &destinations {
                    match d.value.get("weight") {
                        None | Some(serde_json::Value::Null) => weights.push(None),
                        Some(w) => match int_value(w) {
                            Some(w) => weights.push(Some(w)),
                            None => readable = false,
                        },
                    }
                }
                if !readable || destinations.is_empty() {
                    continue;
                }
                let sum: i64 = weights.iter().map(|w| w.unwrap_or(0)).sum();
                let single = destinations.len() == 1;
                let wrong = if single {
                    weights[0].is_some_and(|w| w != 100)
                } else {
                    sum != 100
                };
                if !wrong {
                    continue;
                }
                let listed: Vec<String> = destinations
                    .iter()
                    .zip(&weights)
                    .map(|(d, w)| match w {
                        Some(w) => format!("{} {w}", d.label()),
                        None => format!("{} (no weight, counts as 0)", d.label()),
                    })
                    .collect();
                let effect = if single {
                    "a single destination gets all the traffic whatever its weight".to_string()
                } else if sum == 0 {
                    "Istio rejects a route whose weights are all 0".to_string()
                } else {
                    "Istio treats them as relative shares (each weight / the sum) and a \
                     destination without a weight gets nothing, so the split is not the \
                     percentages written"
                        .to_string()
                };
                let pointer = if single {
                    format!("{}/weight", destinations[0].pointer())
                } else {
                    format!("/spec/{section}/{rule}/route")
                };
                sink.report(
                    object,
                    pointer,
                    format!(
                        "{}: the weights of {section}[{rule}] add up to {sum}, not 100 ({}): \
                         {effect}",
                        object.display_name(),
                        listed.join(", ")
                    ),
                    "give every destination of the route a weight and make them add up to \
                     100, so each weight is the percentage of requests it receives",
                );
            }
        }
    }
}
