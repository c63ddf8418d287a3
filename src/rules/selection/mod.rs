//! Rules that follow selectors and references between objects: Services, PodDisruptionBudgets,
//! HorizontalPodAutoscalers and the Services that Ingresses and HTTPRoutes send traffic to.

pub(crate) mod common;
mod hpa_min_replicas;
mod hpa_replicas_conflict;
mod hpa_target_missing;
mod ingress_backend_missing;
mod pdb_blocks_eviction;
mod pdb_missing;
mod pdb_selects_nothing;
mod pdb_unhealthy_eviction;
mod service_selects_nothing;

use super::Rule;

pub static ALL: &[&dyn Rule] = &[
    &service_selects_nothing::ServiceSelectsNothing,
    &pdb_missing::PdbMissing,
    &pdb_blocks_eviction::PdbBlocksEviction,
    &pdb_selects_nothing::PdbSelectsNothing,
    &pdb_unhealthy_eviction::PdbUnhealthyEviction,
    &hpa_replicas_conflict::HpaReplicasConflict,
    &hpa_min_replicas::HpaMinReplicas,
    &hpa_target_missing::HpaTargetMissing,
    &ingress_backend_missing::IngressBackendMissing,
];
