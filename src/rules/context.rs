//! What every rule sees: all objects of all inputs, the files, the config, and an index
//! built once per run so rules that compare objects look their peers up instead of scanning
//! every object for every object.

use std::collections::{BTreeMap, HashMap};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::selection::common::may_be_operated;
use super::selector_index::{SelectorIndex, owned_pairs};
use crate::config::Config;
use crate::k8s::labels::map_selector_matches;
use crate::k8s::workload::{PodTemplate, pod_template};
use crate::k8s::{Object, Typed};
use crate::workspace::LoadedFile;

pub use crate::k8s::api_group;

/// The selector of a core Service, when it has one.
pub fn service_selector(service: &Object) -> Option<&BTreeMap<String, String>> {
    let Some(Typed::Service(service)) = &service.typed else {
        return None;
    };
    service.spec.as_ref().and_then(|s| s.selector.as_ref())
}

/// Whether `service` is a core Service whose selector selects pods labelled `labels` (a
/// Service without a selector selects nothing: its endpoints are managed by hand).
pub fn service_selects(service: &Object, labels: &BTreeMap<String, String>) -> bool {
    service_selector(service).is_some_and(|selector| map_selector_matches(selector, labels))
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
    /// (namespace, API group, kind, name) → the first such object in input order.
    by_name: HashMap<(&'a str, &'a str, &'a str, &'a str), &'a Object>,
    pods: HashMap<&'a str, Vec<PodOwner<'a>>>,
    /// namespace → label key → value → indices into `pods[namespace]`.
    pods_by_label: HashMap<&'a str, HashMap<&'a str, HashMap<&'a str, Vec<usize>>>>,
    /// (namespace, target kind, target name) → the HPAs (autoscaling group), then the KEDA
    /// ScaledObjects, whose `scaleTargetRef` names it; the group is checked on lookup.
    autoscalers: HashMap<(&'a str, &'a str, &'a str), Vec<Autoscaler<'a>>>,
    /// namespace → its core Services with a selector, in input order, indexed so a
    /// workload's labels find the Services that can select it.
    services: HashMap<&'a str, SelectorIndex<&'a Object>>,
    /// namespace → its custom resources that an operator may create pods or Services for
    /// (`selection::common::may_be_operated`), in input order.
    custom_resources: HashMap<&'a str, Vec<&'a Object>>,
    /// Object index → the largest minimum of the autoscalers targeting it, for the objects
    /// some autoscaler targets (read by every rule that counts replicas, once per run).
    autoscaled_min: HashMap<usize, i64>,
}

/// An HPA or KEDA ScaledObject and the API group its `scaleTargetRef` names, if it names one.
struct Autoscaler<'a> {
    object: &'a Object,
    target_group: Option<&'a str>,
    is_hpa: bool,
}

/// `spec.scaleTargetRef.KEY` of an autoscaler, when it is a string.
fn scale_target<'a>(autoscaler: &'a Object, key: &str) -> Option<&'a str> {
    autoscaler
        .value
        .get("spec")?
        .get("scaleTargetRef")?
        .get(key)?
        .as_str()
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

/// The HPAs (autoscaling group) of every namespace, then its KEDA ScaledObjects (whose
/// target kind defaults to Deployment), keyed by what they target.
fn autoscaler_index<'a>(
    by_kind: &HashMap<&'a str, HashMap<&'a str, HashMap<&'a str, Vec<&'a Object>>>>,
) -> HashMap<(&'a str, &'a str, &'a str), Vec<Autoscaler<'a>>> {
    let mut index: HashMap<_, Vec<Autoscaler<'a>>> = HashMap::new();
    for (&namespace, groups) in by_kind {
        let of = |group: &str, kind: &str| {
            groups
                .get(group)
                .and_then(|kinds| kinds.get(kind))
                .map_or(&[][..], Vec::as_slice)
        };
        let hpas = of("autoscaling", "HorizontalPodAutoscaler").iter();
        let keda = of("keda.sh", "ScaledObject").iter();
        for (&object, is_hpa) in hpas.map(|o| (o, true)).chain(keda.map(|o| (o, false))) {
            let kind = match scale_target(object, "kind") {
                Some(kind) => kind,
                None if is_hpa => continue,
                None => "Deployment",
            };
            let Some(name) = scale_target(object, "name") else {
                continue;
            };
            index
                .entry((namespace, kind, name))
                .or_default()
                .push(Autoscaler {
                    object,
                    target_group: scale_target(object, "apiVersion").map(api_group),
                    is_hpa,
                });
        }
    }
    index
}

impl<'a> Context<'a> {
    pub fn new(objects: &'a [Object], files: &'a [LoadedFile], config: &'a Config) -> Self {
        let mut index = Index::default();
        let replaced = replacements(objects, config);
        let mut services: HashMap<&str, Vec<&Object>> = HashMap::new();
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
            index
                .by_name
                .entry((
                    namespace,
                    api_group(&object.api_version),
                    &object.kind,
                    &object.name,
                ))
                .or_insert(object);
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
            if service_selector(object).is_some_and(|s| !s.is_empty()) {
                services.entry(namespace).or_default().push(object);
            }
            if may_be_operated(object) {
                index
                    .custom_resources
                    .entry(namespace)
                    .or_default()
                    .push(object);
            }
        }
        index.autoscalers = autoscaler_index(&index.by_kind);
        index.services = services
            .into_iter()
            .map(|(namespace, services)| {
                let pairs = |service: &&'a Object| {
                    owned_pairs(service_selector(service).into_iter().flatten())
                };
                (namespace, SelectorIndex::new(services, pairs))
            })
            .collect();
        let mut context = Context {
            objects,
            files,
            config,
            index,
            replaced,
        };
        context.index.autoscaled_min = objects
            .iter()
            .filter_map(|object| {
                let min = context
                    .autoscalers_of(object)
                    .map(|a| crate::rules::replicas::autoscaler_min(a.object))
                    .max()?;
                Some((object.index, min))
            })
            .collect();
        context
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

    /// Every namespace of the input, sorted (objects without one are in the default).
    pub fn namespaces(&self) -> Vec<&'a str> {
        let mut namespaces: Vec<&'a str> = self.index.by_kind.keys().copied().collect();
        namespaces.sort_unstable();
        namespaces
    }

    /// Whether the input holds any object of that kind in that namespace: rules that say
    /// "X refers to nothing" speak only then, because partial input is normal.
    pub fn has_kind(&self, namespace: &str, group: &str, kind: &str) -> bool {
        !self.of_kind(namespace, group, kind).is_empty()
    }

    /// The object of that kind and name in that namespace, if the input holds it (the
    /// first in input order when several files define it).
    pub fn find(&self, namespace: &str, group: &str, kind: &str, name: &str) -> Option<&'a Object> {
        self.index
            .by_name
            .get(&(namespace, group, kind, name))
            .copied()
    }

    /// The custom resources of the namespace that an operator may create pods or Services
    /// for, in input order.
    pub fn custom_resources(&self, namespace: &str) -> &[&'a Object] {
        self.index
            .custom_resources
            .get(namespace)
            .map_or(&[], Vec::as_slice)
    }

    /// Every pod template in the namespace: Deployments, StatefulSets, DaemonSets,
    /// ReplicaSets, Jobs, CronJobs, bare Pods and Argo Rollouts.
    pub fn pod_templates(&self, namespace: &str) -> &[PodOwner<'a>] {
        self.index.pods.get(namespace).map_or(&[], Vec::as_slice)
    }

    /// The pod templates of the namespace that carry every one of `pairs`, or a superset
    /// of them: those filed under the least common pair (a pod missing any pair cannot
    /// carry them all). With no pair, every template. Input order either way.
    fn pod_templates_carrying<'l>(
        &self,
        namespace: &str,
        pairs: impl Iterator<Item = (&'l str, &'l str)>,
    ) -> Box<dyn Iterator<Item = &PodOwner<'a>> + '_> {
        let pods = self.pod_templates(namespace);
        let by_key = self.index.pods_by_label.get(namespace);
        let mut smallest: Option<&[usize]> = None;
        for (key, value) in pairs {
            let bucket = by_key
                .and_then(|by_key| by_key.get(key))
                .and_then(|by_value| by_value.get(value))
                .map_or(&[][..], Vec::as_slice);
            if smallest.is_none_or(|s| bucket.len() < s.len()) {
                smallest = Some(bucket);
            }
        }
        match smallest {
            Some(bucket) => Box::new(bucket.iter().map(move |&i| &pods[i])),
            None => Box::new(pods.iter()),
        }
    }

    /// The pod templates of the namespace that `selector` may select: a superset of those
    /// carrying all its `matchLabels` (every pod template when it has none). Input order;
    /// the caller still matches the whole selector.
    pub fn pod_templates_selectable(
        &self,
        namespace: &str,
        selector: Option<&LabelSelector>,
    ) -> Box<dyn Iterator<Item = &PodOwner<'a>> + '_> {
        let pairs = selector
            .and_then(|s| s.match_labels.as_ref())
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.as_str(), v.as_str()));
        self.pod_templates_carrying(namespace, pairs)
    }

    /// Whether any pod template of the namespace carries every `key: value` of `labels`
    /// (a Service-style selector; an empty one matches nothing).
    pub fn any_pod_template_with(
        &self,
        namespace: &str,
        labels: &BTreeMap<String, String>,
    ) -> bool {
        !labels.is_empty()
            && self
                .pod_templates_carrying(
                    namespace,
                    labels.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                )
                .any(|owner| map_selector_matches(labels, owner.pod.labels))
    }

    /// Services in `object`'s namespace whose selector selects pods labelled `labels`, in
    /// input order.
    pub fn services_selecting(
        &self,
        object: &'a Object,
        labels: &'a BTreeMap<String, String>,
    ) -> impl Iterator<Item = &'a Object> + '_ {
        let candidates: Vec<&'a Object> = self
            .index
            .services
            .get(self.namespace(object))
            .map(|index| {
                index
                    .candidates(labels.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                    .copied()
                    .collect()
            })
            .unwrap_or_default();
        candidates
            .into_iter()
            .filter(move |candidate| service_selects(candidate, labels))
    }

    /// The autoscalers whose `scaleTargetRef` names `object`'s kind and name, in its
    /// namespace, and its API group when the reference gives one: HPAs first (autoscaling
    /// group), then KEDA ScaledObjects, each in input order.
    fn autoscalers_of(&self, object: &'a Object) -> impl Iterator<Item = &Autoscaler<'a>> + '_ {
        let group = api_group(&object.api_version);
        self.index
            .autoscalers
            .get(&(
                self.namespace(object),
                object.kind.as_str(),
                object.name.as_str(),
            ))
            .into_iter()
            .flatten()
            .filter(move |a| a.target_group.is_none_or(|g| g == group))
    }

    /// HorizontalPodAutoscalers (autoscaling/v1 or v2) in `object`'s namespace whose
    /// `scaleTargetRef` names its kind, name and, when the reference gives one, API group.
    pub fn hpas_targeting(&self, object: &'a Object) -> impl Iterator<Item = &'a Object> + '_ {
        self.autoscalers_of(object)
            .filter(|a| a.is_hpa)
            .map(|a| a.object)
    }

    /// The largest minimum replica count of the autoscalers targeting `object`.
    pub fn autoscaled_min(&self, object: &Object) -> Option<i64> {
        self.index.autoscaled_min.get(&object.index).copied()
    }

    /// Every autoscaler targeting `object`: its HPAs, then KEDA ScaledObjects (which create
    /// such an HPA; their target kind defaults to Deployment).
    pub fn autoscalers_targeting(&self, object: &'a Object) -> Vec<&'a Object> {
        self.autoscalers_of(object).map(|a| a.object).collect()
    }
}

/// The distinct names of the objects of one kind in one namespace, sorted, made once per
/// (namespace, API group, kind) for a rule's run: what a "not in the input" finding compares
/// a missing name with and lists. A namespace of a monorepo render holds thousands of
/// objects of a kind, many of them the same name in several files.
#[derive(Default)]
pub struct PeerNames<'a> {
    names: HashMap<(&'a str, &'a str, &'a str), Vec<&'a str>>,
}

impl<'a> PeerNames<'a> {
    pub fn of(
        &mut self,
        context: &Context<'a>,
        namespace: &'a str,
        group: &'a str,
        kind: &'a str,
    ) -> &[&'a str] {
        self.names
            .entry((namespace, group, kind))
            .or_insert_with(|| {
                let mut names: Vec<&'a str> = context
                    .of_kind(namespace, group, kind)
                    .iter()
                    .map(|o| o.name.as_str())
                    .collect();
                names.sort_unstable();
                names.dedup();
                names
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
