//! Rules over traffic splitting: ingress-nginx canaries, Istio routes, Gateway API
//! HTTPRoutes, blue-green pairs and Argo Rollouts.

mod istio;
mod nginx;
mod rollouts;

mod blue_green_standby_undersized;
mod canary_duplicate;
mod canary_ingress_orphan;
mod canary_same_backend;
mod canary_weight_invalid;
mod httproute_weights_zero;
mod ingress_nginx_retired;
mod istio_route_shadowed;
mod istio_subset_selects_nothing;
mod istio_subset_undefined;
mod istio_weights_not_100;
mod rollout_scale_down_delay;
mod rollout_service_missing;

use super::Rule;

pub static ALL: &[&dyn Rule] = &[
    &canary_ingress_orphan::CanaryIngressOrphan,
    &canary_same_backend::CanarySameBackend,
    &canary_weight_invalid::CanaryWeightInvalid,
    &canary_duplicate::CanaryDuplicate,
    &ingress_nginx_retired::IngressNginxRetired,
    &istio_weights_not_100::IstioWeightsNot100,
    &istio_subset_undefined::IstioSubsetUndefined,
    &istio_subset_selects_nothing::IstioSubsetSelectsNothing,
    &istio_route_shadowed::IstioRouteShadowed,
    &httproute_weights_zero::HttprouteWeightsZero,
    &blue_green_standby_undersized::BlueGreenStandbyUndersized,
    &rollout_service_missing::RolloutServiceMissing,
    &rollout_scale_down_delay::RolloutScaleDownDelay,
];
