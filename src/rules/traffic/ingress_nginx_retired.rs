use serde_json::Value;

use super::nginx::{self, Controller};
use crate::k8s::annotation_pointer;
use crate::pointer::ValuePointer;
use crate::rules::{Context, Rule, RuleMeta, Sink, rule_meta};

pub struct IngressNginxRetired;

static META: RuleMeta = rule_meta!(
    "ingress-nginx-retired",
    Info,
    "an Ingress for ingress-nginx, which was retired in March 2026: plan the move to Gateway API"
);

impl Rule for IngressNginxRetired {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects.iter().filter(|o| nginx::is_ingress(o)) {
            if nginx::controller(context, object) != Controller::IngressNginx {
                continue;
            }
            let (pointer, why) = if let Some(class) = nginx::class_name(object) {
                let pointer = if object.value.at("/spec/ingressClassName").is_some() {
                    "/spec/ingressClassName".to_string()
                } else {
                    annotation_pointer("kubernetes.io/ingress.class")
                };
                (pointer, format!("class {class}"))
            } else {
                let key = object
                    .value
                    .at("/metadata/annotations")
                    .and_then(Value::as_object)
                    .and_then(|a| a.keys().find(|k| k.starts_with(nginx::PREFIX)))
                    .cloned()
                    .unwrap_or_default();
                (
                    annotation_pointer(&key),
                    format!("no class, annotation {key}"),
                )
            };
            let how = if nginx::is_canary(object) {
                "; its canary split maps to HTTPRoute backendRefs weights"
            } else {
                ""
            };
            sink.report_key(
                object,
                pointer,
                format!(
                    "{} is served by ingress-nginx ({why}), which was retired in March 2026 and gets \
                     no more fixes or security updates{how}",
                    object.display_name()
                ),
                "plan the move to Gateway API: an HTTPRoute with weighted backendRefs does what \
                 the canary annotations did; `zerodown render --traffic gateway` writes one",
            );
        }
    }
}
