//! The typed view the rules read: the fields of the built-in kinds that some rule, the
//! simulator or an operation looks at, and nothing else.
//!
//! Every object is validated against its full k8s-openapi type at load time (unknown
//! fields, type errors); the full value is then moved into this view and dropped. The full
//! types hold every optional field inline: a `Volume` is 3,280 bytes and an `EnvVar` 360
//! whether written or not, so a Deployment with five volumes and twenty env vars weighed
//! ~28 KB typed. Kept for the whole run, the full types were a third of a large lint's
//! memory. Names and field types match k8s-openapi's, so code reads the same either way;
//! a field a new rule needs is one line here.

use std::collections::BTreeMap;

use k8s_openapi::api::{apps, batch, core};
use k8s_openapi::apimachinery::pkg::apis::meta::v1 as meta;

/// A struct holding some of a k8s-openapi type's fields, and the move from the full type.
/// A field's conversion: none (same type), `view` (a view type), `option` (an optional
/// view), `boxed` (an optional field kept on the heap: most containers set few of their
/// probes, and an absent one then costs a pointer, not its 328 bytes), `list` (a list of
/// views), `option_list` (an optional list of views).
macro_rules! view {
    ($(#[$doc:meta])* $name:ident from $source:path {
        $($field:ident: $ty:ty $(=> $how:ident)?),* $(,)?
    }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct $name {
            $(pub $field: $ty,)*
        }

        impl From<$source> for $name {
            fn from(source: $source) -> Self {
                $name {
                    $($field: view!(@convert source.$field $(, $how)?),)*
                }
            }
        }
    };
    (@convert $value:expr) => { $value };
    (@convert $value:expr, view) => { $value.into() };
    (@convert $value:expr, option) => { $value.map(Into::into) };
    (@convert $value:expr, boxed) => { $value.map(Box::new) };
    (@convert $value:expr, list) => { views($value) };
    (@convert $value:expr, option_list) => { $value.map(views) };
}

/// The views of a list, in a list of exactly their size. `collect` would reuse the full
/// list's buffer in place: a 184-byte view of a container would keep the 2,336 bytes of
/// the container it came from, and the list would be most of the view's memory.
fn views<S, T: From<S>>(items: Vec<S>) -> Vec<T> {
    let mut views = Vec::with_capacity(items.len());
    views.extend(items.into_iter().map(T::from));
    views
}

view! {
    /// `name`, `generateName` and `labels`; the rest of `metadata` is read from the raw value.
    ObjectMeta from meta::ObjectMeta {
        name: Option<String>,
        generate_name: Option<String>,
        labels: Option<BTreeMap<String, String>>,
    }
}

view! {
    Container from core::v1::Container {
        name: String,
        image: Option<String>,
        command: Option<Vec<String>>,
        args: Option<Vec<String>>,
        ports: Option<Vec<core::v1::ContainerPort>>,
        readiness_probe: Option<Box<core::v1::Probe>> => boxed,
        liveness_probe: Option<Box<core::v1::Probe>> => boxed,
        startup_probe: Option<Box<core::v1::Probe>> => boxed,
        lifecycle: Option<Box<core::v1::Lifecycle>> => boxed,
        resources: Option<Box<core::v1::ResourceRequirements>> => boxed,
        restart_policy: Option<String>,
    }
}

view! {
    PodSpec from core::v1::PodSpec {
        containers: Vec<Container> => list,
        init_containers: Option<Vec<Container>> => option_list,
        restart_policy: Option<String>,
        termination_grace_period_seconds: Option<i64>,
        affinity: Option<core::v1::Affinity>,
        topology_spread_constraints: Option<Vec<core::v1::TopologySpreadConstraint>>,
    }
}

view! {
    PodTemplateSpec from core::v1::PodTemplateSpec {
        metadata: Option<ObjectMeta> => option,
        spec: Option<PodSpec> => option,
    }
}

view! {
    Pod from core::v1::Pod {
        metadata: ObjectMeta => view,
        spec: Option<PodSpec> => option,
    }
}

view! {
    DeploymentSpec from apps::v1::DeploymentSpec {
        min_ready_seconds: Option<i32>,
        progress_deadline_seconds: Option<i32>,
        replicas: Option<i32>,
        selector: meta::LabelSelector,
        strategy: Option<apps::v1::DeploymentStrategy>,
        template: PodTemplateSpec => view,
    }
}

view! {
    Deployment from apps::v1::Deployment {
        metadata: ObjectMeta => view,
        spec: DeploymentSpec => view,
    }
}

view! {
    StatefulSetSpec from apps::v1::StatefulSetSpec {
        min_ready_seconds: Option<i32>,
        replicas: Option<i32>,
        selector: meta::LabelSelector,
        template: PodTemplateSpec => view,
        update_strategy: Option<apps::v1::StatefulSetUpdateStrategy>,
    }
}

view! {
    StatefulSet from apps::v1::StatefulSet {
        metadata: ObjectMeta => view,
        spec: StatefulSetSpec => view,
    }
}

view! {
    DaemonSetSpec from apps::v1::DaemonSetSpec {
        min_ready_seconds: Option<i32>,
        selector: meta::LabelSelector,
        template: PodTemplateSpec => view,
        update_strategy: Option<apps::v1::DaemonSetUpdateStrategy>,
    }
}

view! {
    DaemonSet from apps::v1::DaemonSet {
        metadata: ObjectMeta => view,
        spec: DaemonSetSpec => view,
    }
}

view! {
    ReplicaSetSpec from apps::v1::ReplicaSetSpec {
        min_ready_seconds: Option<i32>,
        replicas: Option<i32>,
        selector: meta::LabelSelector,
        template: Option<PodTemplateSpec> => option,
    }
}

view! {
    ReplicaSet from apps::v1::ReplicaSet {
        metadata: ObjectMeta => view,
        spec: ReplicaSetSpec => view,
    }
}

view! {
    JobSpec from batch::v1::JobSpec {
        backoff_limit: Option<i32>,
        backoff_limit_per_index: Option<i32>,
        pod_failure_policy: Option<batch::v1::PodFailurePolicy>,
        template: PodTemplateSpec => view,
        ttl_seconds_after_finished: Option<i32>,
    }
}

view! {
    Job from batch::v1::Job {
        metadata: ObjectMeta => view,
        spec: Option<JobSpec> => option,
    }
}

view! {
    JobTemplateSpec from batch::v1::JobTemplateSpec {
        metadata: Option<ObjectMeta> => option,
        spec: Option<JobSpec> => option,
    }
}

view! {
    CronJobSpec from batch::v1::CronJobSpec {
        job_template: JobTemplateSpec => view,
    }
}

view! {
    CronJob from batch::v1::CronJob {
        metadata: ObjectMeta => view,
        spec: CronJobSpec => view,
    }
}

view! {
    ServiceSpec from core::v1::ServiceSpec {
        selector: Option<BTreeMap<String, String>>,
    }
}

view! {
    /// A Service is read typed for its selector only (whole, 5,000 Services held 7 MB).
    Service from core::v1::Service {
        spec: Option<ServiceSpec> => option,
    }
}

/// A container read from JSON as a load would: the full type, then its view (for tests
/// of the rules that judge one container).
#[cfg(test)]
pub fn container_from_json(value: serde_json::Value) -> Container {
    serde_json::from_value::<core::v1::Container>(value)
        .unwrap()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_keeps_what_it_names_and_is_smaller_than_the_full_type() {
        let full: apps::v1::Deployment = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {
                "replicas": 3,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {
                        "containers": [{
                            "name": "web", "image": "nginx:1.27",
                            "readinessProbe": {"httpGet": {"path": "/", "port": 80}},
                            "env": [{"name": "A", "value": "1"}]
                        }],
                        "volumes": [{"name": "data", "emptyDir": {}}]
                    }
                }
            }
        }))
        .unwrap();
        let view = Deployment::from(full.clone());
        assert_eq!(view.metadata.name.as_deref(), Some("web"));
        assert_eq!(view.spec.replicas, Some(3));
        assert_eq!(view.spec.selector, full.spec.selector);
        let pod = view.spec.template.spec.as_ref().unwrap();
        assert_eq!(pod.containers[0].image.as_deref(), Some("nginx:1.27"));
        assert_eq!(
            pod.containers[0].readiness_probe.as_deref(),
            full.spec.template.spec.as_ref().unwrap().containers[0]
                .readiness_probe
                .as_ref()
        );
        assert_eq!(
            pod.containers.capacity(),
            1,
            "a list of views is sized exactly"
        );
        assert!(size_of::<Deployment>() < size_of::<apps::v1::Deployment>());
        assert!(size_of::<Container>() < size_of::<core::v1::Container>());

        let full: core::v1::Service = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web"},
            "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}
        }))
        .unwrap();
        let view = Service::from(full.clone());
        assert_eq!(
            view.spec.as_ref().and_then(|s| s.selector.as_ref()),
            full.spec.as_ref().and_then(|s| s.selector.as_ref())
        );
        assert!(size_of::<Service>() < size_of::<core::v1::Service>() / 10);
    }
}
