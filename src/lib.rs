//! zerodown: zero-downtime deploy checks for Kubernetes manifests.

pub mod source;
pub mod yaml;
