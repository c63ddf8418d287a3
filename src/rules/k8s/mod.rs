//! Rules over Kubernetes objects.

mod api_removed;
mod duplicate_key;
mod duplicate_object;
mod grace_period_too_short;
mod ignore_unknown_rule;
mod invalid_manifest;
mod liveness_probe_missing;
mod liveness_readiness_identical;
mod mutable_image_tag;
mod prestop_hook_missing;
mod prestop_sleep_unsupported;
mod probe_port_unknown;
mod readiness_probe_missing;
mod recreate_strategy;
mod replicas_not_spread;
mod rollback_history_disabled;
mod rolling_update_invalid;
mod rolling_update_unavailable;
pub(crate) mod rollout_math;
mod selector_template_mismatch;
pub mod serving;
mod single_replica;
mod startup_probe_missing;
mod unknown_field;

use super::Rule;

pub(crate) use super::rule_meta;

pub static ALL: &[&dyn Rule] = &[
    &invalid_manifest::InvalidManifest,
    &api_removed::ApiRemoved,
    &unknown_field::UnknownField,
    &duplicate_key::DuplicateKey,
    &duplicate_object::DuplicateObject,
    &readiness_probe_missing::ReadinessProbeMissing,
    &mutable_image_tag::MutableImageTag,
    &prestop_hook_missing::PreStopHookMissing,
    &grace_period_too_short::GracePeriodTooShort,
    &prestop_sleep_unsupported::PreStopSleepUnsupported,
    &liveness_probe_missing::LivenessProbeMissing,
    &liveness_readiness_identical::LivenessReadinessIdentical,
    &startup_probe_missing::StartupProbeMissing,
    &probe_port_unknown::ProbePortUnknown,
    &recreate_strategy::RecreateStrategy,
    &rolling_update_unavailable::RollingUpdateUnavailable,
    &rolling_update_invalid::RollingUpdateInvalid,
    &single_replica::SingleReplica,
    &replicas_not_spread::ReplicasNotSpread,
    &rollback_history_disabled::RollbackHistoryDisabled,
    &selector_template_mismatch::SelectorTemplateMismatch,
    &ignore_unknown_rule::IgnoreUnknownRule,
];

/// How a message names a container: its name, or its position when it has none.
pub fn container_label(name: &str, index: usize) -> String {
    if name.is_empty() {
        format!("#{index}")
    } else {
        name.to_string()
    }
}
