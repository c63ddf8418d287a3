use super::nginx;
use crate::rules::{Context, Rule, RuleMeta, Sink, rule_meta};

pub struct CanaryDuplicate;

static META: RuleMeta = rule_meta!(
    "canary-duplicate",
    Error,
    "two ingress-nginx canary Ingresses for one host and path: only one of them is used"
);

impl Rule for CanaryDuplicate {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        let ingresses = nginx::nginx_ingresses(context);
        let canaries = nginx::canary_paths(&ingresses);
        for (i, canary) in canaries.iter().enumerate() {
            // The first canary of the key (in input order) is the reference; every later
            // one from another Ingress is reported.
            let Some(first) = canaries[..i]
                .iter()
                .find(|c| c.key() == canary.key() && c.object.index != canary.object.index)
            else {
                continue;
            };
            if canaries[..i]
                .iter()
                .any(|c| c.key() == canary.key() && c.object.index == canary.object.index)
            {
                continue; // the same Ingress repeating its own path: reported once
            }
            let services = match (canary.service, first.service) {
                (Some(a), Some(b)) if a != b => format!(" (Service {a} or {b})"),
                _ => String::new(),
            };
            sink.report(
                canary.object,
                canary.pointer.clone(),
                format!(
                    "{} and {} are both canaries for {}: ingress-nginx merges one canary per \
                     host and path and ignores the other, so one of the two splits{services} \
                     never gets traffic",
                    canary.object.display_name(),
                    first.object.display_name(),
                    canary.describe(),
                ),
                "keep one canary Ingress per host and path; to combine header and weight \
                 routing, put both annotations on that one Ingress",
            );
        }
    }
}
