use super::nginx::{self, IngressPath};
use crate::rules::{Context, Rule, RuleMeta, Sink, rule_meta};
use crate::suggest::{closest, did_you_mean};

pub struct CanaryIngressOrphan;

static META: RuleMeta = rule_meta!(
    "canary-ingress-orphan",
    Error,
    "an ingress-nginx canary Ingress with no non-canary Ingress for the same host, path and pathType: the controller drops it"
);

impl Rule for CanaryIngressOrphan {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        let ingresses = nginx::nginx_ingresses(context);
        let stable = nginx::stable_paths(&ingresses);
        for canary in nginx::canary_paths(&ingresses) {
            if stable.iter().any(|s| s.key() == canary.key()) {
                continue;
            }
            // Partial input is normal: speak only when the input holds the Ingresses this
            // canary should sit beside (one for its host, or one in its namespace).
            let namespace = context.namespace(canary.object);
            let same_host: Vec<&IngressPath<'_>> =
                stable.iter().filter(|s| s.host == canary.host).collect();
            let neighbours = stable
                .iter()
                .any(|s| context.namespace(s.object) == namespace);
            if same_host.is_empty() && !neighbours {
                continue;
            }
            let hint = if let Some(other) = same_host
                .iter()
                .find(|s| s.path == canary.path && s.path_type != canary.path_type)
            {
                format!(
                    " ({} has that path with pathType {})",
                    other.object.display_name(),
                    other.path_type
                )
            } else if !same_host.is_empty() {
                closest(canary.path, same_host.iter().map(|s| s.path))
                    .map(|p| format!(" (did you mean path `{p}`?)"))
                    .unwrap_or_default()
            } else {
                let hosts: Vec<&str> = stable
                    .iter()
                    .map(|s| s.host)
                    .filter(|h| !h.is_empty())
                    .collect();
                did_you_mean(canary.host, hosts)
            };
            sink.report(
                canary.object,
                canary.pointer.clone(),
                format!(
                    "canary {} routes {} to Service {}, but no non-canary Ingress in the \
                     input serves that host, path and pathType{hint}: ingress-nginx merges a \
                     canary only into a main Ingress with the same host, path and pathType, \
                     and silently drops it otherwise",
                    canary.object.display_name(),
                    canary.describe(),
                    canary.service.unwrap_or_default(),
                ),
                "give the canary exactly the host, path and pathType of the main (non-canary) \
                 Ingress it splits, or create that main Ingress",
            );
        }
    }
}
