//! What every rule sees: all objects of all inputs, the files, the config, and an index
//! built once per run so rules that compare objects look their peers up instead of scanning
//! every object for every object.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use crate::config::Config;
use crate::k8s::labels::map_selector_matches;
use crate::k8s::workload::{PodTemplate, pod_template};
use crate::k8s::{Object, Typed};
use crate::workspace::LoadedFile;

pub use crate::k8s::api_group;

/// Whether `service` is a core Service whose selector selects pods labelled `labels` (a
/// Service without a selector selects nothing: its endpoints are managed by hand).
pub fn service_selects(service: &Object, labels: &BTreeMap<String, String>) -> bool {
    let Some(Typed::Service(service)) = &service.typed else {
        return false;
    };
    service
        .spec
        .as_ref()
        .and_then(|s| s.selector.as_ref())
        .is_some_and(|selector| map_selector_matches(selector, labels))
}

/// A workload's pod template, with the object that owns it.
pub struct PodOwner<'a> {
    pub object: &'a Object,
    pub pod: PodTemplate<'a>,
}

/// Objects grouped by namespace, then by (API group, kind), in input order.
#[derive(Default)]
struct Index<'a> {
    /// namespace → API group → kind → objects (nested so lookups borrow plain `&str`s).
    by_kind: HashMap<&'a str, HashMap<&'a str, HashMap<&'a str, Vec<&'a Object>>>>,
    pods: HashMap<&'a str, Vec<PodOwner<'a>>>,
    /// namespace → label key → value → indices into `pods[namespace]`.
    pods_by_label: HashMap<&'a str, HashMap<&'a str, HashMap<&'a str, Vec<usize>>>>,
}

pub struct Context<'a> {
    pub objects: &'a [Object],
    pub files: &'a [LoadedFile],
    pub config: &'a Config,
    index: Index<'a>,
    /// Object index → the later object that replaces it (same group, kind, namespace and
    /// name, in the same file or stream): `kubectl apply` keeps the last.
    replaced: HashMap<usize, usize>,
}

/// Objects defined again later in the same file (or stream), with what replaces them.
/// Objects of different files are not compared: a folder often holds alternatives applied
/// one at a time (`web-staging.yaml`, `web-prod.yaml`), and kustomize bases and overlays
/// define the same object on purpose.
fn replacements(objects: &[Object], config: &Config) -> HashMap<usize, usize> {
    let mut last: HashMap<(&str, &str, &str, &str, usize), usize> = HashMap::new();
    let mut replaced = HashMap::new();
    for object in objects {
        if object.name.is_empty() || object.name.contains("{{") || object.kind.is_empty() {
            continue;
        }
        let key = (
            api_group(&object.api_version),
            object.kind.as_str(),
            object.namespace_or(&config.namespace),
            object.name.as_str(),
            object.file,
        );
        if let Some(earlier) = last.insert(key, object.index) {
            replaced.insert(earlier, object.index);
        }
    }
    replaced
}

impl<'a> Context<'a> {
    pub fn new(objects: &'a [Object], files: &'a [LoadedFile], config: &'a Config) -> Self {
        let mut index = Index::default();
        let replaced = replacements(objects, config);
        // The index holds what `kubectl apply` leaves: the last of each duplicate.
        for object in objects.iter().filter(|o| !replaced.contains_key(&o.index)) {
            let namespace = object.namespace_or(&config.namespace);
            index
                .by_kind
                .entry(namespace)
                .or_default()
                .entry(api_group(&object.api_version))
                .or_default()
                .entry(&object.kind)
                .or_default()
                .push(object);
            if let Some(pod) = pod_template(object) {
                let pods = index.pods.entry(namespace).or_default();
                let by_label = index.pods_by_label.entry(namespace).or_default();
                for (key, value) in pod.labels {
                    by_label
                        .entry(key.as_str())
                        .or_default()
                        .entry(value.as_str())
                        .or_default()
                        .push(pods.len());
                }
                pods.push(PodOwner { object, pod });
            }
        }
        Context {
            objects,
            files,
            config,
            index,
            replaced,
        }
    }

    /// The later object that replaces this one, when the input defines it twice.
    pub fn replaced_by(&self, object: &Object) -> Option<&'a Object> {
        self.replaced.get(&object.index).map(|&i| &self.objects[i])
    }

    pub fn namespace(&self, object: &'a Object) -> &'a str {
        object.namespace_or(&self.config.namespace)
    }

    /// The objects of one kind in one namespace; `group` is the API group (`""` for core,
    /// `apps`, `networking.istio.io`…), so a Knative `Service` is not a core Service.
    pub fn of_kind(&self, namespace: &str, group: &str, kind: &str) -> &[&'a Object] {
        self.index
            .by_kind
            .get(namespace)
            .and_then(|groups| groups.get(group))
            .and_then(|kinds| kinds.get(kind))
            .map_or(&[], Vec::as_slice)
    }

    /// Every object of one namespace, grouped by API group and kind.
    pub fn objects_in(&self, namespace: &str) -> impl Iterator<Item = &'a Object> + '_ {
        self.index
            .by_kind
            .get(namespace)
            .into_iter()
            .flat_map(|groups| groups.values())
            .flat_map(|kinds| kinds.values())
            .flatten()
            .copied()
    }

    /// Whether the input holds any object of that kind in that namespace: rules that say
    /// "X refers to nothing" speak only then, because partial input is normal.
    pub fn has_kind(&self, namespace: &str, group: &str, kind: &str) -> bool {
        !self.of_kind(namespace, group, kind).is_empty()
    }

    /// The object of that kind and name in that namespace, if the input holds it.
    pub fn find(&self, namespace: &str, group: &str, kind: &str, name: &str) -> Option<&'a Object> {
        self.of_kind(namespace, group, kind)
            .iter()
            .copied()
            .find(|o| o.name == name)
    }

    /// Every pod template in the namespace: Deployments, StatefulSets, DaemonSets,
    /// ReplicaSets, Jobs, CronJobs, bare Pods and Argo Rollouts.
    pub fn pod_templates(&self, namespace: &str) -> &[PodOwner<'a>] {
        self.index.pods.get(namespace).map_or(&[], Vec::as_slice)
    }

    /// The pod templates of the namespace labelled `key: value`: the first cut for matching
    /// a selector, so a selector is checked against the templates that can match it.
    pub fn pod_templates_labelled(
        &self,
        namespace: &str,
        key: &str,
        value: &str,
    ) -> impl Iterator<Item = &PodOwner<'a>> + '_ {
        let pods = self.pod_templates(namespace);
        self.index
            .pods_by_label
            .get(namespace)
            .and_then(|by_key| by_key.get(key))
            .and_then(|by_value| by_value.get(value))
            .into_iter()
            .flatten()
            .map(move |&i| &pods[i])
    }

    /// Whether any pod template of the namespace carries every `key: value` of `labels`
    /// (a Service-style selector; an empty one matches nothing).
    pub fn any_pod_template_with(
        &self,
        namespace: &str,
        labels: &BTreeMap<String, String>,
    ) -> bool {
        let Some((key, value)) = labels.iter().next() else {
            return false;
        };
        self.pod_templates_labelled(namespace, key, value)
            .any(|owner| map_selector_matches(labels, owner.pod.labels))
    }

    /// Services in `object`'s namespace whose selector selects pods labelled `labels`.
    pub fn services_selecting(
        &self,
        object: &'a Object,
        labels: &'a BTreeMap<String, String>,
    ) -> impl Iterator<Item = &'a Object> + '_ {
        self.of_kind(self.namespace(object), "", "Service")
            .iter()
            .copied()
            .filter(move |candidate| service_selects(candidate, labels))
    }

    /// HorizontalPodAutoscalers (autoscaling/v1 or v2) in `object`'s namespace whose
    /// `scaleTargetRef` names its kind, name and, when the reference gives one, API group.
    pub fn hpas_targeting(&self, object: &'a Object) -> impl Iterator<Item = &'a Object> + '_ {
        let group = api_group(&object.api_version);
        self.of_kind(
            self.namespace(object),
            "autoscaling",
            "HorizontalPodAutoscaler",
        )
        .iter()
        .copied()
        .filter(move |hpa| {
            let target = |key: &str| {
                hpa.value
                    .pointer(&format!("/spec/scaleTargetRef/{key}"))
                    .and_then(Value::as_str)
            };
            target("kind") == Some(object.kind.as_str())
                && target("name") == Some(object.name.as_str())
                && target("apiVersion").is_none_or(|v| api_group(v) == group)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_groups() {
        assert_eq!(api_group("v1"), "");
        assert_eq!(api_group("apps/v1"), "apps");
        assert_eq!(
            api_group("networking.istio.io/v1beta1"),
            "networking.istio.io"
        );
    }
}
