//! Rules over traffic splitting: ingress-nginx canaries, Istio routes, Gateway API
//! HTTPRoutes, blue-green pairs and Argo Rollouts.

use super::Rule;

pub static ALL: &[&dyn Rule] = &[];
