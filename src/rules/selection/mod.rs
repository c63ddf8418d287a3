//! Rules that follow selectors and references between objects: Services, PodDisruptionBudgets,
//! HorizontalPodAutoscalers and the Services that Ingresses and HTTPRoutes send traffic to.

use super::Rule;

pub static ALL: &[&dyn Rule] = &[];
