use super::nginx;
use crate::rules::{Context, Rule, RuleMeta, Sink, rule_meta};

pub struct CanarySameBackend;

static META: RuleMeta = rule_meta!(
    "canary-same-backend",
    Error,
    "an ingress-nginx canary Ingress points at the same Service as the main Ingress it splits"
);

impl Rule for CanarySameBackend {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        let ingresses = nginx::nginx_ingresses(context);
        let stable = nginx::stable_paths(&ingresses);
        for canary in nginx::canary_paths(&ingresses) {
            // ingress-nginx names a backend namespace-service-port and refuses to merge a
            // canary into a backend of the same name.
            let namespace = context.namespace(canary.object);
            let Some(main) = stable.iter().find(|s| {
                s.key() == canary.key()
                    && s.service == canary.service
                    && s.port == canary.port
                    && context.namespace(s.object) == namespace
            }) else {
                continue;
            };
            sink.report(
                canary.object,
                canary.service_pointer.clone(),
                format!(
                    "canary {} and main {} both send {} to Service {} in namespace \
                     {namespace}: ingress-nginx cannot merge a canary into its own backend, \
                     so the canary is dropped and the split does nothing",
                    canary.object.display_name(),
                    main.object.display_name(),
                    canary.describe(),
                    canary.service.unwrap_or_default(),
                ),
                "point the canary Ingress at the Service that selects only the new version's \
                 pods (e.g. `web-canary`), and keep the main Ingress on the stable Service",
            );
        }
    }
}
