//! API versions Kubernetes removed, from the deprecated API migration guide
//! (kubernetes.io/docs/reference/using-api/deprecation-guide/): once the cluster runs the
//! release that removed one, `kubectl apply` of an object in it fails.

/// One removed API version of one kind.
pub struct Removed {
    pub api_version: &'static str,
    pub kind: &'static str,
    /// The release that stopped serving it (minor of 1.x).
    pub removed_in: u32,
    /// The version to use instead.
    pub replacement: &'static str,
}

macro_rules! removed {
    ($($version:literal $kind:literal $minor:literal $replacement:literal;)*) => {
        pub const REMOVED: &[Removed] = &[$(Removed {
            api_version: $version,
            kind: $kind,
            removed_in: $minor,
            replacement: $replacement,
        },)*];
    };
}

removed! {
    "extensions/v1beta1" "Deployment" 16 "apps/v1";
    "extensions/v1beta1" "DaemonSet" 16 "apps/v1";
    "extensions/v1beta1" "ReplicaSet" 16 "apps/v1";
    "extensions/v1beta1" "NetworkPolicy" 16 "networking.k8s.io/v1";
    "extensions/v1beta1" "PodSecurityPolicy" 16 "policy/v1beta1 (itself removed in 1.25: use Pod Security Admission)";
    "extensions/v1beta1" "Ingress" 22 "networking.k8s.io/v1";
    "apps/v1beta1" "Deployment" 16 "apps/v1";
    "apps/v1beta1" "StatefulSet" 16 "apps/v1";
    "apps/v1beta1" "ControllerRevision" 16 "apps/v1";
    "apps/v1beta2" "Deployment" 16 "apps/v1";
    "apps/v1beta2" "StatefulSet" 16 "apps/v1";
    "apps/v1beta2" "DaemonSet" 16 "apps/v1";
    "apps/v1beta2" "ReplicaSet" 16 "apps/v1";
    "apps/v1beta2" "ControllerRevision" 16 "apps/v1";
    "networking.k8s.io/v1beta1" "Ingress" 22 "networking.k8s.io/v1";
    "networking.k8s.io/v1beta1" "IngressClass" 22 "networking.k8s.io/v1";
    "rbac.authorization.k8s.io/v1beta1" "ClusterRole" 22 "rbac.authorization.k8s.io/v1";
    "rbac.authorization.k8s.io/v1beta1" "ClusterRoleBinding" 22 "rbac.authorization.k8s.io/v1";
    "rbac.authorization.k8s.io/v1beta1" "Role" 22 "rbac.authorization.k8s.io/v1";
    "rbac.authorization.k8s.io/v1beta1" "RoleBinding" 22 "rbac.authorization.k8s.io/v1";
    "admissionregistration.k8s.io/v1beta1" "MutatingWebhookConfiguration" 22 "admissionregistration.k8s.io/v1";
    "admissionregistration.k8s.io/v1beta1" "ValidatingWebhookConfiguration" 22 "admissionregistration.k8s.io/v1";
    "apiextensions.k8s.io/v1beta1" "CustomResourceDefinition" 22 "apiextensions.k8s.io/v1";
    "apiregistration.k8s.io/v1beta1" "APIService" 22 "apiregistration.k8s.io/v1";
    "authentication.k8s.io/v1beta1" "TokenReview" 22 "authentication.k8s.io/v1";
    "authorization.k8s.io/v1beta1" "SubjectAccessReview" 22 "authorization.k8s.io/v1";
    "authorization.k8s.io/v1beta1" "LocalSubjectAccessReview" 22 "authorization.k8s.io/v1";
    "authorization.k8s.io/v1beta1" "SelfSubjectAccessReview" 22 "authorization.k8s.io/v1";
    "certificates.k8s.io/v1beta1" "CertificateSigningRequest" 22 "certificates.k8s.io/v1";
    "coordination.k8s.io/v1beta1" "Lease" 22 "coordination.k8s.io/v1";
    "scheduling.k8s.io/v1beta1" "PriorityClass" 22 "scheduling.k8s.io/v1";
    "storage.k8s.io/v1beta1" "CSIDriver" 22 "storage.k8s.io/v1";
    "storage.k8s.io/v1beta1" "CSINode" 22 "storage.k8s.io/v1";
    "storage.k8s.io/v1beta1" "StorageClass" 22 "storage.k8s.io/v1";
    "storage.k8s.io/v1beta1" "VolumeAttachment" 22 "storage.k8s.io/v1";
    "batch/v1beta1" "CronJob" 25 "batch/v1";
    "discovery.k8s.io/v1beta1" "EndpointSlice" 25 "discovery.k8s.io/v1";
    "events.k8s.io/v1beta1" "Event" 25 "events.k8s.io/v1";
    "autoscaling/v2beta1" "HorizontalPodAutoscaler" 25 "autoscaling/v2";
    "policy/v1beta1" "PodDisruptionBudget" 25 "policy/v1";
    "policy/v1beta1" "PodSecurityPolicy" 25 "Pod Security Admission (no replacement kind)";
    "node.k8s.io/v1beta1" "RuntimeClass" 25 "node.k8s.io/v1";
    "autoscaling/v2beta2" "HorizontalPodAutoscaler" 26 "autoscaling/v2";
    "flowcontrol.apiserver.k8s.io/v1beta1" "FlowSchema" 26 "flowcontrol.apiserver.k8s.io/v1";
    "flowcontrol.apiserver.k8s.io/v1beta1" "PriorityLevelConfiguration" 26 "flowcontrol.apiserver.k8s.io/v1";
    "storage.k8s.io/v1beta1" "CSIStorageCapacity" 27 "storage.k8s.io/v1";
    "flowcontrol.apiserver.k8s.io/v1beta2" "FlowSchema" 29 "flowcontrol.apiserver.k8s.io/v1";
    "flowcontrol.apiserver.k8s.io/v1beta2" "PriorityLevelConfiguration" 29 "flowcontrol.apiserver.k8s.io/v1";
    "flowcontrol.apiserver.k8s.io/v1beta3" "FlowSchema" 32 "flowcontrol.apiserver.k8s.io/v1";
    "flowcontrol.apiserver.k8s.io/v1beta3" "PriorityLevelConfiguration" 32 "flowcontrol.apiserver.k8s.io/v1";
}

/// The removal record of `kind` in `api_version`, if Kubernetes removed it.
pub fn removed(api_version: &str, kind: &str) -> Option<&'static Removed> {
    REMOVED
        .iter()
        .find(|r| r.api_version == api_version && r.kind == kind)
}
