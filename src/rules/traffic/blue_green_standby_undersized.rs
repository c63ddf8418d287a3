//! Two copies of one workload that differ in one label value (the colour), with a Service
//! selecting one of them: the idle colour must be able to take the whole load at the switch.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::rollouts::min_replicas;
use crate::k8s::image::repository;
use crate::k8s::labels::map_selector_matches;
use crate::k8s::{Object, Typed};
use crate::pointer::ValuePointer;
use crate::rules::context::{PodOwner, service_selector, service_selects};
use crate::rules::{Context, Rule, RuleMeta, Sink, rule_meta};

pub struct BlueGreenStandbyUndersized;

static META: RuleMeta = rule_meta!(
    "blue-green-standby-undersized",
    Warning,
    "the idle colour of a blue-green pair runs fewer replicas than the live one"
);

type Labels = BTreeMap<String, String>;

/// What two colours share: kind, containers, the one label key whose value differs, and
/// every other label.
type PairKey<'a> = (&'a str, &'a [String], &'a str, Vec<(&'a str, &'a str)>);

/// A Deployment or StatefulSet that may be one colour of a pair.
struct Candidate<'a> {
    object: &'a Object,
    labels: &'a Labels,
    /// Each container's name, image repository, command, args and ports, sorted: the two
    /// colours run the same app the same way (a worker beside its web server, from one
    /// image with another command, is not a colour).
    containers: Vec<String>,
    /// The same without the image repositories: colours that build each version into an
    /// image of its own (`web-blue`, `web-green`) differ only there.
    shape: Vec<String>,
}

fn candidate<'a>(owner: &PodOwner<'a>) -> Option<Candidate<'a>> {
    let object = owner.object;
    if !matches!(
        object.typed,
        Some(Typed::Deployment(_) | Typed::StatefulSet(_))
    ) || owner.pod.labels.is_empty()
    {
        return None;
    }
    let describe = |with_image: bool| {
        let mut described: Vec<String> = owner
            .pod
            .spec
            .containers
            .iter()
            .map(|c| {
                let image = if with_image {
                    c.image.as_deref().and_then(repository).unwrap_or_default()
                } else {
                    Default::default()
                };
                let ports: Vec<i32> = c.ports.iter().flatten().map(|p| p.container_port).collect();
                format!("{} {image} {:?} {:?} {ports:?}", c.name, c.command, c.args)
            })
            .collect();
        described.sort();
        described
    };
    Some(Candidate {
        object,
        labels: owner.pod.labels,
        containers: describe(true),
        shape: describe(false),
    })
}

/// The one label whose value differs, when both label sets have the same keys.
fn one_difference<'a>(a: &'a Labels, b: &'a Labels) -> Option<(&'a str, &'a str, &'a str)> {
    if a.len() != b.len() || !a.keys().eq(b.keys()) {
        return None;
    }
    let mut differing = a
        .iter()
        .filter(|&(key, value)| b.get(key) != Some(value))
        .map(|(key, value)| (key.as_str(), value.as_str(), b[key].as_str()));
    let first = differing.next()?;
    differing.next().is_none().then_some(first)
}

/// Label keys that name a part of an app (web and worker), never a colour.
const ROLE_KEYS: &[&str] = &["component", "app.kubernetes.io/component", "tier", "role"];

/// Label keys that name a version or a colour.
fn version_like(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["version", "color", "colour", "slot"]
        .iter()
        .any(|word| key.contains(word))
}

/// Labels that name a canary track rather than a colour.
fn canary_labels(key: &str, a: &str, b: &str) -> bool {
    let canaryish = |v: &str| {
        let v = v.to_ascii_lowercase();
        ["canary", "stable", "baseline"]
            .iter()
            .any(|word| v.contains(word))
    };
    key.eq_ignore_ascii_case("track") || canaryish(a) || canaryish(b)
}

fn strings<'v>(value: &'v Value, pointer: &str) -> impl Iterator<Item = &'v Value> {
    value
        .at(pointer)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// Groups of Service names a traffic layer splits requests between: one HTTPRoute or
/// GRPCRoute rule, one VirtualService route, one SMI TrafficSplit, the Services behind an
/// ingress-nginx canary Ingress together with those of the Ingresses sharing its host.
fn split_groups<'a>(context: &Context<'a>, namespace: &str) -> Vec<Vec<&'a str>> {
    let mut groups = Vec::new();
    for kind in ["HTTPRoute", "GRPCRoute"] {
        for route in context.of_kind(namespace, "gateway.networking.k8s.io", kind) {
            for rule in strings(&route.value, "/spec/rules") {
                let group: Vec<&str> = strings(rule, "/backendRefs")
                    .filter(|b| {
                        b.get("kind")
                            .and_then(Value::as_str)
                            .is_none_or(|k| k == "Service")
                    })
                    .filter_map(|b| b.get("name").and_then(Value::as_str))
                    .collect();
                groups.push(group);
            }
        }
    }
    for service in context.of_kind(namespace, "networking.istio.io", "VirtualService") {
        for protocol in ["http", "tcp", "tls"] {
            for route in strings(&service.value, &format!("/spec/{protocol}")) {
                let group: Vec<&str> = strings(route, "/route")
                    .filter_map(|d| d.at("/destination/host").and_then(Value::as_str))
                    .map(|host| host.split('.').next().unwrap_or(host))
                    .collect();
                groups.push(group);
            }
        }
    }
    for split in context.of_kind(namespace, "split.smi-spec.io", "TrafficSplit") {
        groups.push(
            strings(&split.value, "/spec/backends")
                .filter_map(|b| b.get("service").and_then(Value::as_str))
                .collect(),
        );
    }
    let ingresses = context.of_kind(namespace, "networking.k8s.io", "Ingress");
    let hosts = |ingress: &'a Object| -> Vec<&'a str> {
        strings(&ingress.value, "/spec/rules")
            .map(|r| r.get("host").and_then(Value::as_str).unwrap_or(""))
            .collect()
    };
    let backends = |ingress: &'a Object| -> Vec<&'a str> {
        let mut names: Vec<&str> = strings(&ingress.value, "/spec/rules")
            .flat_map(|r| strings(r, "/http/paths"))
            .filter_map(|p| p.at("/backend/service/name").and_then(Value::as_str))
            .collect();
        names.extend(
            ingress
                .value
                .at("/spec/defaultBackend/service/name")
                .and_then(Value::as_str),
        );
        names
    };
    for canary in ingresses.iter().copied().filter(|i| {
        i.annotation("nginx.ingress.kubernetes.io/canary")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    }) {
        let canary_hosts = hosts(canary);
        let mut group = backends(canary);
        for other in ingresses.iter().copied() {
            if hosts(other).iter().any(|h| canary_hosts.contains(h)) {
                group.extend(backends(other));
            }
        }
        groups.push(group);
    }
    groups
}

/// The workloads of one namespace and what selects and routes to them, computed once so
/// each pair is checked in constant time.
struct Namespace<'a> {
    candidates: Vec<Candidate<'a>>,
    services: Vec<&'a Object>,
    /// For each candidate, the indices (into `services`) of the Services selecting it.
    selected_by: Vec<Vec<usize>>,
    /// A hash of each `selected_by` list, so equal lists are told apart in constant time.
    selection_hash: Vec<u64>,
    /// For each Service, whether it is named like a preview (not live) endpoint.
    preview: Vec<bool>,
    /// For each candidate, the traffic splits (route rules, TrafficSplits, canary Ingress
    /// groups, DestinationRules with subsets) that send it requests.
    splits_of: Vec<Vec<usize>>,
}

impl<'a> Namespace<'a> {
    fn new(context: &Context<'a>, namespace: &str, candidates: Vec<Candidate<'a>>) -> Self {
        let services = context.of_kind(namespace, "", "Service").to_vec();
        // Candidates by label pair, so a Service is matched against the workloads carrying
        // its least common selector pair instead of against every workload.
        let mut by_label: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
        for (i, candidate) in candidates.iter().enumerate() {
            for (key, value) in candidate.labels {
                by_label.entry((key, value)).or_default().push(i);
            }
        }
        let mut selected_by = vec![Vec::new(); candidates.len()];
        let mut selects: Vec<Vec<usize>> = Vec::with_capacity(services.len());
        for (s, service) in services.iter().enumerate() {
            let smallest = service_selector(service).and_then(|selector| {
                selector
                    .iter()
                    .map(|(k, v)| {
                        by_label
                            .get(&(k.as_str(), v.as_str()))
                            .map_or(&[][..], Vec::as_slice)
                    })
                    .min_by_key(|bucket| bucket.len())
            });
            let chosen: Vec<usize> = smallest
                .into_iter()
                .flatten()
                .copied()
                .filter(|&c| service_selects(service, candidates[c].labels))
                .collect();
            for &c in &chosen {
                selected_by[c].push(s);
            }
            selects.push(chosen);
        }
        let mut position_of: HashMap<&str, usize> = HashMap::new();
        for (s, service) in services.iter().enumerate() {
            position_of.entry(service.name.as_str()).or_insert(s);
        }
        let mut splits_of = vec![Vec::new(); candidates.len()];
        let mut split = 0;
        for group in split_groups(context, namespace) {
            for name in group {
                if let Some(&s) = position_of.get(name) {
                    for &c in &selects[s] {
                        splits_of[c].push(split);
                    }
                }
            }
            split += 1;
        }
        for rule in context.of_kind(namespace, "networking.istio.io", "DestinationRule") {
            let subset_labels: Vec<Labels> = strings(&rule.value, "/spec/subsets")
                .filter_map(|s| s.get("labels").and_then(Value::as_object))
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                        .collect()
                })
                .collect();
            for (c, candidate) in candidates.iter().enumerate() {
                if subset_labels
                    .iter()
                    .any(|s| map_selector_matches(s, candidate.labels))
                {
                    splits_of[c].push(split);
                }
            }
            split += 1;
        }
        let preview = services.iter().map(|s| preview_name(&s.name)).collect();
        let selection_hash = selected_by
            .iter()
            .map(|list| {
                use std::hash::{Hash, Hasher};
                let mut hasher = std::collections::hash_map::DefaultHasher::new();
                list.hash(&mut hasher);
                hasher.finish()
            })
            .collect();
        Namespace {
            selection_hash,
            candidates,
            services,
            preview,
            selected_by,
            splits_of,
        }
    }

    /// Whether a traffic layer routes to both workloads: then they are a canary pair (or a
    /// weighted blue-green whose switch is a weight, not a selector), not this rule's case.
    fn split_between(&self, a: usize, b: usize) -> bool {
        self.splits_of[a]
            .iter()
            .any(|s| self.splits_of[b].contains(s))
    }

    /// The Services that select `this` but not `other` (`selected_by` lists are ascending:
    /// Services are visited in order).
    fn only(&self, this: usize, other: usize) -> impl Iterator<Item = usize> + '_ {
        self.selected_by[this]
            .iter()
            .copied()
            .filter(move |s| self.selected_by[other].binary_search(s).is_err())
    }

    /// Which of the two is live, and the Service that makes it so: a Service selects one
    /// and not the other. When each has a Service of its own, the live one is the one not
    /// named like a preview; when that does not decide, neither is.
    fn live_side(&self, a: usize, b: usize) -> Option<(bool, &'a Object)> {
        // The same Services select both (many near-identical workloads behind one
        // selector): neither is live alone. Checked first, so such a namespace costs a
        // comparison per pair, not a scan of every Service.
        if self.selection_hash[a] == self.selection_hash[b]
            && self.selected_by[a] == self.selected_by[b]
        {
            return None;
        }
        let first = |this, other, live_only: bool| {
            self.only(this, other)
                .find(|&s| !live_only || !self.preview[s])
                .map(|s| self.services[s])
        };
        let (only_a, only_b) = (first(a, b, false), first(b, a, false));
        let (only_a, only_b) = if only_a.is_some() && only_b.is_some() {
            (first(a, b, true), first(b, a, true))
        } else {
            (only_a, only_b)
        };
        match (only_a, only_b) {
            (Some(service), None) => Some((true, service)),
            (None, Some(service)) => Some((false, service)),
            _ => None,
        }
    }
}

/// A Service named like a preview or test endpoint does not carry live traffic.
fn preview_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["preview", "test", "staging", "standby", "idle", "next"]
        .iter()
        .any(|word| name.contains(word))
}

impl Rule for BlueGreenStandbyUndersized {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for namespace in context.namespaces() {
            let candidates: Vec<Candidate> = context
                .pod_templates(namespace)
                .iter()
                .filter_map(candidate)
                .collect();
            if candidates.len() < 2 {
                continue;
            }
            // Two colours have the same kind, containers (images aside) and label keys, and
            // all label values but one equal: group by (kind, container shape, the key left
            // out, the other labels), so only workloads that can form a pair are compared.
            let mut groups: HashMap<PairKey, Vec<usize>> = HashMap::new();
            for (i, c) in candidates.iter().enumerate() {
                for left_out in c.labels.keys() {
                    let rest: Vec<(&str, &str)> = c
                        .labels
                        .iter()
                        .filter(|(k, _)| *k != left_out)
                        .map(|(k, v)| (k.as_str(), v.as_str()))
                        .collect();
                    groups
                        .entry((&c.object.kind, &c.shape, left_out, rest))
                        .or_default()
                        .push(i);
                }
            }
            let mut groups: Vec<Vec<usize>> = groups
                .into_values()
                .filter(|members| members.len() > 1)
                .collect();
            if groups.is_empty() {
                continue;
            }
            groups.sort_unstable();
            let namespace = Namespace::new(context, namespace, candidates);
            for members in &groups {
                for (n, &a) in members.iter().enumerate() {
                    for &b in &members[n + 1..] {
                        check_pair(context, sink, &namespace, a, b);
                    }
                }
            }
        }
    }
}

fn check_pair<'a>(
    context: &Context<'a>,
    sink: &mut Sink<'_>,
    namespace: &Namespace<'a>,
    a_index: usize,
    b_index: usize,
) {
    let (a, b) = (
        &namespace.candidates[a_index],
        &namespace.candidates[b_index],
    );
    // Which side a Service selects alone is checked first: it is the cheapest test and
    // rejects almost every pair of unrelated apps (each has its own live Service).
    let Some((live_is_a, service)) = namespace.live_side(a_index, b_index) else {
        return;
    };
    let Some((key, value_a, value_b)) = one_difference(a.labels, b.labels) else {
        return;
    };
    if ROLE_KEYS.contains(&key)
        || canary_labels(key, value_a, value_b)
        || namespace.split_between(a_index, b_index)
    {
        return;
    }
    // Different image repositories are two apps, unless the evidence of blue-green is
    // strong: a version-like label tells them apart and each has a Service of its own.
    if a.containers != b.containers
        && !(version_like(key)
            && namespace.only(a_index, b_index).next().is_some()
            && namespace.only(b_index, a_index).next().is_some())
    {
        return;
    }
    let (live, standby, live_value, standby_value) = if live_is_a {
        (a, b, value_a, value_b)
    } else {
        (b, a, value_b, value_a)
    };
    let live_replicas = min_replicas(context, live.object);
    let standby_replicas = min_replicas(context, standby.object);
    if standby_replicas.count >= live_replicas.count {
        return;
    }
    let zero = if standby_replicas.count == 0 {
        " A colour scaled to 0 while idle has no pod at all to take the traffic."
    } else {
        ""
    };
    sink.report(
        standby.object,
        "/spec/replicas",
        format!(
            "{} ({key}: {standby_value}) is the idle colour of a blue-green pair with {} \
             ({key}: {live_value}), which {} selects; the idle colour runs {} ({}) against \
             {} ({}) live, so switching the Service's selector to `{key}: {standby_value}` \
             sends the whole load to fewer pods, which overload or fail readiness and drop \
             requests.{zero}",
            standby.object.display_name(),
            live.object.display_name(),
            service.display_name(),
            standby_replicas.count,
            standby_replicas.source,
            live_replicas.count,
            live_replicas.source,
        ),
        format!(
            "scale {} to at least {} replicas (and wait until they are Ready) before switching \
             the selector, or keep both colours at the same count",
            standby.object.display_name(),
            live_replicas.count
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn exactly_one_value_differs() {
        let blue = labels(&[("app", "web"), ("color", "blue")]);
        let green = labels(&[("app", "web"), ("color", "green")]);
        assert_eq!(
            one_difference(&blue, &green),
            Some(("color", "blue", "green"))
        );
        assert_eq!(one_difference(&blue, &blue), None);
        let other = labels(&[("app", "api"), ("color", "green")]);
        assert_eq!(one_difference(&blue, &other), None);
        let more = labels(&[("app", "web"), ("color", "green"), ("x", "y")]);
        assert_eq!(one_difference(&blue, &more), None);
        let renamed = labels(&[("app", "web"), ("colour", "green")]);
        assert_eq!(one_difference(&blue, &renamed), None);
    }

    #[test]
    fn canary_tracks_are_not_colours() {
        assert!(canary_labels("track", "a", "b"));
        assert!(canary_labels("version", "stable", "v2"));
        assert!(canary_labels("role", "web-canary", "web"));
        assert!(!canary_labels("color", "blue", "green"));
        assert!(!canary_labels("version", "v1", "v2"));
    }
}
