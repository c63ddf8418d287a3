//! Every built-in kind that k8s-openapi types, looked up by `apiVersion` and `kind`.
//! Generated from the `impl Resource` list of k8s-openapi's newest module (see
//! `k8s-openapi` features in Cargo.toml): a kind added there is one line here.

use k8s_openapi::Resource;
use serde_json::Value;

use super::Typed;
use super::de::{DeError, UnknownField, from_value};

/// What validating one object against its schema found.
pub struct Validation {
    pub typed: Option<Typed>,
    pub errors: Vec<DeError>,
    pub unknown: Vec<UnknownField>,
}

type Validator = fn(&Value, &str) -> Validation;

/// How many type errors one object may report before validation gives up on it.
const MAX_TYPE_ERRORS: usize = 16;

/// Deserializes `T`; after a type error the offending value is removed from a copy and the
/// object read again, so one bad value neither hides the other errors nor the typed view
/// that the rules need.
fn validate<T>(value: &Value, base: &str, keep: fn(T) -> Option<Typed>) -> Validation
where
    T: serde::de::DeserializeOwned,
{
    let mut errors = Vec::new();
    let mut patched: Option<Value> = None;
    loop {
        let (result, unknown) = from_value::<T>(patched.as_ref().unwrap_or(value), base);
        let error = match result {
            Ok(typed) => {
                return Validation {
                    typed: keep(typed),
                    errors,
                    unknown,
                };
            }
            Err(error) => error,
        };
        let pointer = error.pointer.clone().unwrap_or_default();
        errors.push(error);
        let copy = patched.get_or_insert_with(|| value.clone());
        let relative = pointer.strip_prefix(base).unwrap_or(&pointer);
        if errors.len() >= MAX_TYPE_ERRORS || !remove_at(copy, relative) {
            return Validation {
                typed: None,
                errors,
                unknown,
            };
        }
    }
}

/// Removes the value at `pointer` (a key from its mapping, or nulls a list item); false when
/// there is nothing left to remove.
fn remove_at(value: &mut Value, pointer: &str) -> bool {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return false;
    };
    let last = last.replace("~1", "/").replace("~0", "~");
    match value.pointer_mut(parent) {
        Some(Value::Object(map)) => map.remove(&last).is_some(),
        Some(Value::Array(items)) => {
            match last.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                Some(item) if !item.is_null() => {
                    *item = Value::Null;
                    true
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// `path => Variant` keeps the typed value for the rules; a bare path only validates.
macro_rules! kinds {
    ($($path:path $(=> $variant:ident)?),* $(,)?) => {
        static KINDS: &[(&str, &str, Validator)] = &[
            $((
                <$path as Resource>::API_VERSION,
                <$path as Resource>::KIND,
                |value, base| validate::<$path>(value, base, kinds!(@keep $($variant)?)),
            ),)*
        ];
    };
    (@keep $variant:ident) => { |typed| Some(Typed::$variant(Box::new(typed.into()))) };
    (@keep) => { |_| None };
}

/// Validates a built-in kind; `None` for a kind k8s-openapi does not know (a CRD's).
pub fn validate_known(
    api_version: &str,
    kind: &str,
    value: &Value,
    base: &str,
) -> Option<Validation> {
    validator(api_version, kind).map(|validate| validate(value, base))
}

/// The validator of a kind k8s-openapi types under `api_version`.
fn validator(api_version: &str, kind: &str) -> Option<Validator> {
    KINDS
        .iter()
        .find(|(v, k, _)| *v == api_version && *k == kind)
        .map(|&(_, _, validate)| validate)
}

use k8s_openapi::*;

kinds! {
    api::admissionregistration::v1::MutatingAdmissionPolicy,
    api::admissionregistration::v1::MutatingAdmissionPolicyBinding,
    api::admissionregistration::v1::MutatingWebhookConfiguration,
    api::admissionregistration::v1::ValidatingAdmissionPolicy,
    api::admissionregistration::v1::ValidatingAdmissionPolicyBinding,
    api::admissionregistration::v1::ValidatingWebhookConfiguration,
    api::admissionregistration::v1alpha1::MutatingAdmissionPolicy,
    api::admissionregistration::v1alpha1::MutatingAdmissionPolicyBinding,
    api::admissionregistration::v1beta1::MutatingAdmissionPolicy,
    api::admissionregistration::v1beta1::MutatingAdmissionPolicyBinding,
    api::apiserverinternal::v1alpha1::StorageVersion,
    api::apps::v1::ControllerRevision,
    api::apps::v1::DaemonSet => DaemonSet,
    api::apps::v1::Deployment => Deployment,
    api::apps::v1::ReplicaSet => ReplicaSet,
    api::apps::v1::StatefulSet => StatefulSet,
    api::authentication::v1::SelfSubjectReview,
    api::authentication::v1::TokenRequest,
    api::authentication::v1::TokenReview,
    api::authorization::v1::LocalSubjectAccessReview,
    api::authorization::v1::SelfSubjectAccessReview,
    api::authorization::v1::SelfSubjectRulesReview,
    api::authorization::v1::SubjectAccessReview,
    api::autoscaling::v1::HorizontalPodAutoscaler,
    api::autoscaling::v1::Scale,
    api::autoscaling::v2::HorizontalPodAutoscaler,
    api::batch::v1::CronJob => CronJob,
    api::batch::v1::Job => Job,
    api::certificates::v1::CertificateSigningRequest,
    api::certificates::v1::ClusterTrustBundle,
    api::certificates::v1::PodCertificateRequest,
    api::certificates::v1beta1::ClusterTrustBundle,
    api::certificates::v1beta1::PodCertificateRequest,
    api::coordination::v1::Lease,
    api::coordination::v1alpha2::LeaseCandidate,
    api::coordination::v1beta1::LeaseCandidate,
    api::core::v1::Binding,
    api::core::v1::ComponentStatus,
    api::core::v1::ConfigMap,
    api::core::v1::Endpoints,
    api::core::v1::Event,
    api::core::v1::LimitRange,
    api::core::v1::Namespace,
    api::core::v1::Node,
    api::core::v1::PersistentVolume,
    api::core::v1::PersistentVolumeClaim,
    api::core::v1::Pod => Pod,
    api::core::v1::PodTemplate,
    api::core::v1::ReplicationController,
    api::core::v1::ResourceQuota,
    api::core::v1::Secret,
    api::core::v1::Service => Service,
    api::core::v1::ServiceAccount,
    api::discovery::v1::EndpointSlice,
    api::events::v1::Event,
    api::flowcontrol::v1::FlowSchema,
    api::flowcontrol::v1::PriorityLevelConfiguration,
    api::lifecycle::v1alpha1::Eviction,
    api::lifecycle::v1alpha1::EvictionRequest,
    api::networking::v1::Ingress,
    api::networking::v1::IngressClass,
    api::networking::v1::IPAddress,
    api::networking::v1::NetworkPolicy,
    api::networking::v1::ServiceCIDR,
    api::node::v1::RuntimeClass,
    api::policy::v1::Eviction,
    api::policy::v1::PodDisruptionBudget,
    api::rbac::v1::ClusterRole,
    api::rbac::v1::ClusterRoleBinding,
    api::rbac::v1::Role,
    api::rbac::v1::RoleBinding,
    api::resource::v1::DeviceClass,
    api::resource::v1::DeviceTaintRule,
    api::resource::v1::ResourceClaim,
    api::resource::v1::ResourceClaimTemplate,
    api::resource::v1::ResourceSlice,
    api::resource::v1alpha3::DeviceTaintRule,
    api::resource::v1alpha3::ResourcePoolStatusRequest,
    api::resource::v1beta1::DeviceClass,
    api::resource::v1beta1::ResourceClaim,
    api::resource::v1beta1::ResourceClaimTemplate,
    api::resource::v1beta1::ResourceSlice,
    api::resource::v1beta2::DeviceClass,
    api::resource::v1beta2::DeviceTaintRule,
    api::resource::v1beta2::ResourceClaim,
    api::resource::v1beta2::ResourceClaimTemplate,
    api::resource::v1beta2::ResourceSlice,
    api::scheduling::v1::PriorityClass,
    api::scheduling::v1alpha3::CompositePodGroup,
    api::scheduling::v1alpha3::PodGroup,
    api::scheduling::v1alpha3::Workload,
    api::scheduling::v1beta1::PodGroup,
    api::scheduling::v1beta1::Workload,
    api::storage::v1::CSIDriver,
    api::storage::v1::CSINode,
    api::storage::v1::CSIStorageCapacity,
    api::storage::v1::StorageClass,
    api::storage::v1::VolumeAttachment,
    api::storage::v1::VolumeAttributesClass,
    api::storagemigration::v1::StorageVersionMigration,
    api::storagemigration::v1beta1::StorageVersionMigration,
    apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition,
    apimachinery::pkg::apis::meta::v1::APIGroup,
    apimachinery::pkg::apis::meta::v1::APIGroupList,
    apimachinery::pkg::apis::meta::v1::APIResourceList,
    apimachinery::pkg::apis::meta::v1::APIVersions,
    kube_aggregator::pkg::apis::apiregistration::v1::APIService,
}

/// Whether k8s-openapi types `kind` under `api_version`: such an object is validated
/// against the kind's full schema at load time.
pub fn has_schema(api_version: &str, kind: &str) -> bool {
    validator(api_version, kind).is_some()
}

/// The API versions that serve `kind` among the built-in kinds (`["apps/v1"]` for a
/// Deployment); empty for a kind that is not built in.
pub fn served_versions(kind: &str) -> Vec<&'static str> {
    KINDS
        .iter()
        .filter(|(_, k, _)| *k == kind)
        .map(|(v, _, _)| *v)
        .collect()
}

/// Whether `group` is one of Kubernetes' own API groups (`""` is core): a CRD's kind in
/// another group (a Knative `Service`) is not judged against the built-in kinds.
pub fn is_builtin_group(group: &str) -> bool {
    use super::api_group;
    group.is_empty()
        || KINDS.iter().any(|(v, _, _)| api_group(v) == group)
        || super::api_versions::REMOVED
            .iter()
            .any(|r| api_group(r.api_version) == group)
}
