//! Rules over traffic splitting: ingress-nginx canaries, Istio routes, Gateway API
//! HTTPRoutes, blue-green pairs and Argo Rollouts.

mod blue_green_standby_undersized;
mod rollout_scale_down_delay;
mod rollout_service_missing;
mod rollouts;

use super::Rule;

pub static ALL: &[&dyn Rule] = &[
    &blue_green_standby_undersized::BlueGreenStandbyUndersized,
    &rollout_service_missing::RolloutServiceMissing,
    &rollout_scale_down_delay::RolloutScaleDownDelay,
];
