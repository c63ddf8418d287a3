//! Rules over Kubernetes objects.

mod duplicate_key;
mod ignore_unknown_rule;
mod invalid_manifest;
mod mutable_image_tag;
mod readiness_probe_missing;
pub mod serving;
mod unknown_field;

use super::Rule;

/// Declares a rule's `RuleMeta`, with its doc embedded from `rules/<id>.md`.
macro_rules! rule_meta {
    ($id:literal, $severity:ident, $summary:literal) => {
        crate::rules::RuleMeta {
            id: $id,
            severity: crate::severity::Severity::$severity,
            summary: $summary,
            doc: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", $id, ".md")),
        }
    };
}
pub(crate) use rule_meta;

pub static ALL: &[&dyn Rule] = &[
    &invalid_manifest::InvalidManifest,
    &unknown_field::UnknownField,
    &duplicate_key::DuplicateKey,
    &readiness_probe_missing::ReadinessProbeMissing,
    &mutable_image_tag::MutableImageTag,
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
