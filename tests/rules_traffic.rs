//! Edge cases of the traffic rules: ingress-nginx canaries, Istio routes and subsets,
//! Gateway API weights.

mod common;

use zerodown::severity::Severity;

/// `(line, message, severity)` of the findings of `rule` over the files.
fn findings_in(files: &[(&str, &str)], rule: &str) -> Vec<(usize, String, Severity)> {
    common::diagnostics_of(rule, files)
        .into_iter()
        .map(|d| (d.start.line, d.message, d.severity))
        .collect()
}

fn findings(text: &str, rule: &str) -> Vec<(usize, String, Severity)> {
    findings_in(&[("input.yaml", text)], rule)
}

fn messages(text: &str, rule: &str) -> Vec<String> {
    findings(text, rule).into_iter().map(|f| f.1).collect()
}

/// An Ingress with one rule and one path.
#[allow(clippy::too_many_arguments)]
fn ingress(
    name: &str,
    namespace: &str,
    annotations: &[(&str, &str)],
    class: Option<&str>,
    host: &str,
    path: &str,
    path_type: &str,
    service: &str,
) -> String {
    let mut out = format!(
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {name}\n  namespace: {namespace}\n"
    );
    if !annotations.is_empty() {
        out.push_str("  annotations:\n");
        for (k, v) in annotations {
            out.push_str(&format!("    {k}: \"{v}\"\n"));
        }
    }
    out.push_str("spec:\n");
    if let Some(class) = class {
        out.push_str(&format!("  ingressClassName: {class}\n"));
    }
    out.push_str("  rules:\n  - ");
    if !host.is_empty() {
        out.push_str(&format!("host: {host}\n    "));
    }
    out.push_str(&format!(
        "http:\n      paths:\n      - path: {path}\n        pathType: {path_type}\n        backend:\n          service: {{name: {service}, port: {{number: 80}}}}\n"
    ));
    out
}

const CANARY: (&str, &str) = ("nginx.ingress.kubernetes.io/canary", "true");

fn stable(namespace: &str, host: &str) -> String {
    ingress(
        "web",
        namespace,
        &[],
        Some("nginx"),
        host,
        "/",
        "Prefix",
        "web",
    )
}

fn canary(name: &str, namespace: &str, host: &str, path_type: &str, service: &str) -> String {
    ingress(
        name,
        namespace,
        &[CANARY, ("nginx.ingress.kubernetes.io/canary-weight", "10")],
        Some("nginx"),
        host,
        "/",
        path_type,
        service,
    )
}

fn stream(docs: &[String]) -> String {
    docs.join("---\n")
}

// ---------------------------------------------------------------- canary-ingress-orphan

#[test]
fn orphan_fires_on_a_path_type_mismatch_and_names_the_main_ingress() {
    let text = stream(&[
        stable("shop", "a.example.com"),
        canary("web-canary", "shop", "a.example.com", "Exact", "web-v2"),
    ]);
    let found = messages(&text, "canary-ingress-orphan");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("pathType Prefix"), "{}", found[0]);
    assert!(found[0].contains("Ingress/web"), "{}", found[0]);
}

#[test]
fn orphan_matches_a_main_ingress_in_another_namespace() {
    // ingress-nginx builds one server per host across namespaces.
    let text = stream(&[
        stable("shop", "a.example.com"),
        canary(
            "web-canary",
            "canaries",
            "a.example.com",
            "Prefix",
            "web-v2",
        ),
    ]);
    assert!(messages(&text, "canary-ingress-orphan").is_empty());
}

#[test]
fn orphan_is_silent_without_any_main_ingress_for_the_host_or_namespace() {
    let alone = canary("web-canary", "shop", "a.example.com", "Prefix", "web-v2");
    assert!(messages(&alone, "canary-ingress-orphan").is_empty());
    // A main Ingress for another host in another namespace says nothing about this one.
    let text = stream(&[
        stable("other", "b.example.com"),
        canary("web-canary", "shop", "a.example.com", "Prefix", "web-v2"),
    ]);
    assert!(messages(&text, "canary-ingress-orphan").is_empty());
}

#[test]
fn orphan_fires_for_a_host_typo_in_the_same_namespace_with_a_suggestion() {
    let text = stream(&[
        stable("shop", "shop.example.com"),
        canary("web-canary", "shop", "shop.exmaple.com", "Prefix", "web-v2"),
    ]);
    let found = messages(&text, "canary-ingress-orphan");
    assert_eq!(found.len(), 1);
    assert!(
        found[0].contains("did you mean `shop.example.com`"),
        "{}",
        found[0]
    );
}

#[test]
fn orphan_treats_the_empty_host_as_its_own_catch_all_server() {
    let text = stream(&[
        stable("shop", ""),
        canary("web-canary", "shop", "", "Prefix", "web-v2"),
    ]);
    assert!(messages(&text, "canary-ingress-orphan").is_empty());
    let text = stream(&[
        stable("shop", ""),
        canary("web-canary", "shop", "a.example.com", "Prefix", "web-v2"),
    ]);
    assert_eq!(messages(&text, "canary-ingress-orphan").len(), 1);
}

#[test]
fn canary_rules_ignore_ingresses_of_other_controllers() {
    let mut other = canary("web-canary", "shop", "a.example.com", "Exact", "web");
    other = other.replace("ingressClassName: nginx", "ingressClassName: traefik");
    let text = stream(&[stable("shop", "a.example.com"), other]);
    for rule in [
        "canary-ingress-orphan",
        "canary-same-backend",
        "ingress-nginx-retired",
    ] {
        let found = messages(&text, rule);
        assert!(
            found.iter().all(|m| !m.contains("web-canary")),
            "{rule}: {found:?}"
        );
    }
}

#[test]
fn an_ingress_class_object_decides_the_controller() {
    let class = "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: public\nspec:\n  controller: k8s.io/ingress-nginx\n".to_string();
    let main = ingress(
        "web",
        "shop",
        &[],
        Some("public"),
        "a.example.com",
        "/",
        "Prefix",
        "web",
    );
    let text = stream(&[class.clone(), main.clone()]);
    assert_eq!(messages(&text, "ingress-nginx-retired").len(), 1);
    // Without the IngressClass, "public" does not say nginx: silent.
    assert!(messages(&main, "ingress-nginx-retired").is_empty());
    let f5 = class.replace("k8s.io/ingress-nginx", "nginx.org/ingress-controller");
    assert!(messages(&stream(&[f5, main]), "ingress-nginx-retired").is_empty());
}

// ---------------------------------------------------------------- canary-same-backend

#[test]
fn same_backend_fires_in_the_same_namespace_only() {
    let text = stream(&[
        stable("shop", "a.example.com"),
        canary("web-canary", "shop", "a.example.com", "Prefix", "web"),
    ]);
    let found = findings(&text, "canary-same-backend");
    assert_eq!(found.len(), 1);
    assert!(found[0].1.contains("Service web"), "{}", found[0].1);
    // `web` in another namespace is another Service (ingress-nginx upstreams are
    // namespace-service-port).
    let text = stream(&[
        stable("shop", "a.example.com"),
        canary("web-canary", "beta", "a.example.com", "Prefix", "web"),
    ]);
    assert!(messages(&text, "canary-same-backend").is_empty());
}

#[test]
fn same_backend_reads_v1beta1_service_names() {
    let text = "apiVersion: extensions/v1beta1
kind: Ingress
metadata:
  name: web
  annotations: {kubernetes.io/ingress.class: nginx}
spec:
  rules:
  - host: a.example.com
    http:
      paths:
      - path: /
        backend: {serviceName: web, servicePort: 80}
---
apiVersion: extensions/v1beta1
kind: Ingress
metadata:
  name: web-canary
  annotations:
    kubernetes.io/ingress.class: nginx
    nginx.ingress.kubernetes.io/canary: \"true\"
spec:
  rules:
  - host: a.example.com
    http:
      paths:
      - path: /
        backend: {serviceName: web, servicePort: 80}
";
    let found = findings(text, "canary-same-backend");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, 27);
}

// ---------------------------------------------------------------- canary-duplicate

#[test]
fn duplicate_reports_the_later_canary_once() {
    let text = stream(&[
        stable("shop", "a.example.com"),
        canary("c1", "shop", "a.example.com", "Prefix", "web-v2"),
        canary("c2", "other", "a.example.com", "Prefix", "web-v3"),
        canary("c3", "shop", "a.example.com", "Exact", "web-v3"),
    ]);
    let found = messages(&text, "canary-duplicate");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("Ingress/c2 and Ingress/c1"),
        "{}",
        found[0]
    );
}

// ---------------------------------------------------------------- canary-weight-invalid

fn weighted(annotations: &[(&str, &str)]) -> String {
    let mut all = vec![CANARY];
    all.extend_from_slice(annotations);
    ingress(
        "web-canary",
        "shop",
        &all,
        Some("nginx"),
        "a.example.com",
        "/",
        "Prefix",
        "web-v2",
    )
}

#[test]
fn weights_must_be_integers_within_the_total() {
    let w = "nginx.ingress.kubernetes.io/canary-weight";
    let t = "nginx.ingress.kubernetes.io/canary-weight-total";
    for bad in ["10%", "7.5", "-1", "101", "ten"] {
        assert_eq!(
            messages(&weighted(&[(w, bad)]), "canary-weight-invalid").len(),
            1,
            "{bad}"
        );
    }
    for good in ["0", "10", "100"] {
        assert!(messages(&weighted(&[(w, good)]), "canary-weight-invalid").is_empty());
    }
    assert!(
        messages(
            &weighted(&[(w, "250"), (t, "1000")]),
            "canary-weight-invalid"
        )
        .is_empty()
    );
    let found = messages(
        &weighted(&[(w, "250"), (t, "200")]),
        "canary-weight-invalid",
    );
    assert!(found[0].contains("canary-weight-total (200)"), "{found:?}");
    let found = messages(&weighted(&[(w, "5"), (t, "0")]), "canary-weight-invalid");
    assert_eq!(found.len(), 1);
    assert!(found[0].contains("canary-weight-total"), "{found:?}");
}

#[test]
fn header_value_and_pattern_need_the_header() {
    let h = "nginx.ingress.kubernetes.io/canary-by-header";
    let v = "nginx.ingress.kubernetes.io/canary-by-header-value";
    let p = "nginx.ingress.kubernetes.io/canary-by-header-pattern";
    assert_eq!(
        messages(
            &weighted(&[(v, "beta"), (p, "^b.*")]),
            "canary-weight-invalid"
        )
        .len(),
        2
    );
    assert!(
        messages(
            &weighted(&[(h, "X-Beta"), (v, "beta")]),
            "canary-weight-invalid"
        )
        .is_empty()
    );
    let both = findings(
        &weighted(&[(h, "X-Beta"), (v, "beta"), (p, "^b.*")]),
        "canary-weight-invalid",
    );
    assert_eq!(both.len(), 1);
    assert_eq!(both[0].2, Severity::Warning);
    assert!(both[0].1.contains("ignored"), "{}", both[0].1);
}

#[test]
fn canary_annotations_without_canary_true_are_not_checked() {
    let text = ingress(
        "web",
        "shop",
        &[("nginx.ingress.kubernetes.io/canary-weight", "10%")],
        Some("nginx"),
        "a.example.com",
        "/",
        "Prefix",
        "web",
    );
    assert!(messages(&text, "canary-weight-invalid").is_empty());
}

// ---------------------------------------------------------------- ingress-nginx-retired

#[test]
fn retired_fires_once_per_nginx_ingress() {
    let by_class = stable("shop", "a.example.com");
    assert_eq!(messages(&by_class, "ingress-nginx-retired").len(), 1);
    let by_annotation = ingress(
        "web",
        "shop",
        &[("nginx.ingress.kubernetes.io/rewrite-target", "/")],
        None,
        "a.example.com",
        "/",
        "Prefix",
        "web",
    );
    let found = messages(&by_annotation, "ingress-nginx-retired");
    assert_eq!(found.len(), 1);
    assert!(found[0].contains("no class"), "{}", found[0]);
    let plain = ingress(
        "web",
        "shop",
        &[],
        None,
        "a.example.com",
        "/",
        "Prefix",
        "web",
    );
    assert!(messages(&plain, "ingress-nginx-retired").is_empty());
    let f5 = ingress(
        "web",
        "shop",
        &[("nginx.org/rewrites", "serviceName=web rewrite=/")],
        Some("nginx"),
        "a.example.com",
        "/",
        "Prefix",
        "web",
    );
    assert!(messages(&f5, "ingress-nginx-retired").is_empty());
}

// ---------------------------------------------------------------- istio-weights-not-100

fn virtual_service(api_version: &str, http: &str) -> String {
    format!(
        "apiVersion: networking.istio.io/{api_version}\nkind: VirtualService\nmetadata:\n  name: reviews\nspec:\n  hosts: [reviews]\n{http}"
    )
}

#[test]
fn weights_count_missing_as_zero_when_there_are_several() {
    for version in ["v1", "v1beta1", "v1alpha3"] {
        let text = virtual_service(
            version,
            "  http:\n  - route:\n    - destination: {host: reviews, subset: v1}\n      weight: 90\n    - destination: {host: reviews, subset: v2}\n",
        );
        let found = messages(&text, "istio-weights-not-100");
        assert_eq!(found.len(), 1, "{version}");
        assert!(found[0].contains("add up to 90"), "{}", found[0]);
        assert!(found[0].contains("no weight, counts as 0"), "{}", found[0]);
    }
}

#[test]
fn weights_single_destinations_and_tcp_routes() {
    let single = virtual_service(
        "v1",
        "  http:\n  - route:\n    - destination: {host: reviews}\n",
    );
    assert!(messages(&single, "istio-weights-not-100").is_empty());
    let single_100 = virtual_service(
        "v1",
        "  http:\n  - route:\n    - destination: {host: reviews}\n      weight: 100\n",
    );
    assert!(messages(&single_100, "istio-weights-not-100").is_empty());
    let single_50 = virtual_service(
        "v1",
        "  http:\n  - route:\n    - destination: {host: reviews}\n      weight: 50\n",
    );
    assert_eq!(messages(&single_50, "istio-weights-not-100").len(), 1);
    let tcp = virtual_service(
        "v1",
        "  tcp:\n  - route:\n    - destination: {host: db, subset: a}\n      weight: 30\n    - destination: {host: db, subset: b}\n      weight: 30\n",
    );
    let found = messages(&tcp, "istio-weights-not-100");
    assert_eq!(found.len(), 1);
    assert!(found[0].contains("tcp[0]"), "{}", found[0]);
    let fine = virtual_service(
        "v1",
        "  http:\n  - route:\n    - destination: {host: reviews, subset: v1}\n      weight: 100\n    - destination: {host: reviews, subset: v2}\n      weight: 0\n",
    );
    assert!(messages(&fine, "istio-weights-not-100").is_empty());
}

// ---------------------------------------------------------------- istio-subset-undefined

const DR_REVIEWS: &str = "apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata:
  name: reviews
  namespace: prod
spec:
  host: reviews.prod.svc.cluster.local
  subsets:
  - name: v1
    labels: {version: v1}
  - name: v2
    labels: {version: v2}
";

fn vs_in(namespace: &str, host: &str, subset: &str) -> String {
    format!(
        "apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: reviews
  namespace: {namespace}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {{host: {host}, subset: {subset}}}
"
    )
}

#[test]
fn subset_undefined_resolves_short_names_in_the_virtual_services_namespace() {
    let text = stream(&[DR_REVIEWS.to_string(), vs_in("prod", "reviews", "v3")]);
    let found = messages(&text, "istio-subset-undefined");
    assert_eq!(found.len(), 1);
    assert!(found[0].contains("subsets: v1, v2"), "{}", found[0]);
    let text = stream(&[DR_REVIEWS.to_string(), vs_in("prod", "reviews", "v2")]);
    assert!(messages(&text, "istio-subset-undefined").is_empty());
    // An FQDN from another namespace reaches the same DestinationRule.
    let text = stream(&[
        DR_REVIEWS.to_string(),
        vs_in("web", "reviews.prod.svc.cluster.local", "v2"),
    ]);
    assert!(messages(&text, "istio-subset-undefined").is_empty());
    let text = stream(&[
        DR_REVIEWS.to_string(),
        vs_in("web", "reviews.prod.svc.cluster.local", "V2"),
    ]);
    let found = messages(&text, "istio-subset-undefined");
    assert!(found[0].contains("did you mean `v2`"), "{found:?}");
}

#[test]
fn subset_undefined_is_silent_without_destination_rules_for_the_namespace() {
    // `reviews` in namespace `web` is another Service; no DestinationRule in `web`.
    let text = stream(&[DR_REVIEWS.to_string(), vs_in("web", "reviews", "v3")]);
    assert!(messages(&text, "istio-subset-undefined").is_empty());
    assert!(messages(&vs_in("prod", "reviews", "v3"), "istio-subset-undefined").is_empty());
    // A DestinationRule of the namespace exists, but none for this host: 503.
    let text = stream(&[DR_REVIEWS.to_string(), vs_in("prod", "ratings", "v1")]);
    let found = messages(&text, "istio-subset-undefined");
    assert_eq!(found.len(), 1);
    assert!(found[0].contains("no DestinationRule"), "{}", found[0]);
    // External hosts: only a DestinationRule for that host decides.
    let text = stream(&[
        DR_REVIEWS.to_string(),
        vs_in("prod", "api.example.com", "v1"),
    ]);
    assert!(messages(&text, "istio-subset-undefined").is_empty());
}

#[test]
fn subsets_of_every_matching_destination_rule_count() {
    let wildcard = "apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: all
  namespace: prod
spec:
  host: \"*.prod.svc.cluster.local\"
  subsets:
  - name: v3
    labels: {version: v3}
";
    let text = stream(&[
        DR_REVIEWS.to_string(),
        wildcard.to_string(),
        vs_in("prod", "reviews", "v3"),
    ]);
    assert!(messages(&text, "istio-subset-undefined").is_empty());
}

// ---------------------------------------------------------------- istio-subset-selects-nothing

fn deployment(name: &str, namespace: &str, labels: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {namespace}
spec:
  replicas: 2
  selector:
    matchLabels: {labels}
  template:
    metadata:
      labels: {labels}
    spec:
      containers:
      - name: app
        image: example/app:1.0.0
        ports:
        - containerPort: 9080
"
    )
}

fn service(name: &str, namespace: &str, selector: &str) -> String {
    format!(
        "apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {namespace}
spec:
  selector: {selector}
  ports:
  - port: 80
"
    )
}

#[test]
fn subset_selects_nothing_lists_what_the_pods_carry() {
    let routed = "apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: prod
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 90
    - destination: {host: reviews, subset: v2}
      weight: 10
";
    let text = stream(&[
        service("reviews", "prod", "{app: reviews}"),
        deployment("reviews-v1", "prod", "{app: reviews, version: v1}"),
        DR_REVIEWS.to_string(),
        routed.to_string(),
    ]);
    let found = messages(&text, "istio-subset-selects-nothing");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("subset \"v2\""), "{}", found[0]);
    assert!(found[0].contains("version=v1"), "{}", found[0]);
    assert!(
        found[0].contains("VirtualService/reviews routes"),
        "{}",
        found[0]
    );
    // Weight 0: the subset waits for its version; silent.
    let text = text
        .replace("weight: 90", "weight: 100")
        .replace("weight: 10", "weight: 0");
    assert!(messages(&text, "istio-subset-selects-nothing").is_empty());
}

#[test]
fn subset_selects_nothing_predeclared_versions_and_label_typos() {
    // v2 declared before its Deployment, no route to it: silent.
    let text = stream(&[
        service("reviews", "prod", "{app: reviews}"),
        deployment("reviews-v1", "prod", "{app: reviews, version: v1}"),
        DR_REVIEWS.to_string(),
    ]);
    assert!(messages(&text, "istio-subset-selects-nothing").is_empty());
    // A label key no pod carries: a typo even without a route.
    let typo = DR_REVIEWS.replace("labels: {version: v2}", "labels: {verison: v2}");
    let text = stream(&[
        service("reviews", "prod", "{app: reviews}"),
        deployment("reviews-v1", "prod", "{app: reviews, version: v1}"),
        typo,
    ]);
    let found = messages(&text, "istio-subset-selects-nothing");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("label `verison`"), "{}", found[0]);
}

#[test]
fn subset_selects_nothing_needs_the_service_and_its_pods() {
    // No Service: silent.
    let text = stream(&[
        deployment("reviews-v1", "prod", "{app: reviews, version: v1}"),
        DR_REVIEWS.to_string(),
    ]);
    assert!(messages(&text, "istio-subset-selects-nothing").is_empty());
    // The Service, but none of its pods (only another app's): silent.
    let text = stream(&[
        service("reviews", "prod", "{app: reviews}"),
        deployment("ratings", "prod", "{app: ratings, version: v1}"),
        DR_REVIEWS.to_string(),
    ]);
    assert!(messages(&text, "istio-subset-selects-nothing").is_empty());
    // The pods in another namespace do not count.
    let text = stream(&[
        service("reviews", "prod", "{app: reviews}"),
        deployment("reviews-v1", "staging", "{app: reviews, version: v1}"),
        DR_REVIEWS.to_string(),
    ]);
    assert!(messages(&text, "istio-subset-selects-nothing").is_empty());
}

#[test]
fn subset_selects_nothing_ignores_the_rollouts_hash_label() {
    let rollout = "apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: reviews
  namespace: prod
spec:
  replicas: 2
  selector:
    matchLabels: {app: reviews}
  template:
    metadata:
      labels: {app: reviews}
    spec:
      containers:
      - name: app
        image: example/app:1.0.0
";
    let dr = "apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  namespace: prod
spec:
  host: reviews
  subsets:
  - name: stable
    labels: {app: reviews, rollouts-pod-template-hash: 6d4c9b}
  - name: canary
    labels: {app: reviews}
";
    let text = stream(&[
        service("reviews", "prod", "{app: reviews}"),
        rollout.to_string(),
        dr.to_string(),
    ]);
    assert!(messages(&text, "istio-subset-selects-nothing").is_empty());
}

// ---------------------------------------------------------------- istio-route-shadowed

#[test]
fn route_shadowed_after_each_kind_of_catch_all() {
    let later = "  - match:\n    - headers:\n        end-user: {exact: jason}\n    route:\n    - destination: {host: reviews, subset: v2}\n";
    for first in [
        "  - route:\n    - destination: {host: reviews, subset: v1}\n",
        "  - match: [{}]\n    route:\n    - destination: {host: reviews, subset: v1}\n",
        "  - match:\n    - uri: {prefix: /}\n    route:\n    - destination: {host: reviews, subset: v1}\n",
        "  - match:\n    - uri: {prefix: /api}\n    - {}\n    route:\n    - destination: {host: reviews, subset: v1}\n",
    ] {
        let text = virtual_service("v1", &format!("  http:\n{first}{later}"));
        let found = findings(&text, "istio-route-shadowed");
        assert_eq!(found.len(), 1, "{first}");
        assert!(found[0].1.contains("http[1]"), "{}", found[0].1);
    }
    for first in [
        "  - match:\n    - uri: {prefix: /api}\n    route:\n    - destination: {host: reviews, subset: v1}\n",
        "  - match:\n    - uri: {prefix: /}\n      headers:\n        x: {exact: \"1\"}\n    route:\n    - destination: {host: reviews, subset: v1}\n",
        "  - match:\n    - gateways: [mesh]\n    route:\n    - destination: {host: reviews, subset: v1}\n",
    ] {
        let text = virtual_service("v1", &format!("  http:\n{first}{later}"));
        assert!(
            messages(&text, "istio-route-shadowed").is_empty(),
            "{first}"
        );
    }
}

#[test]
fn route_shadowed_reports_every_later_rule() {
    let text = virtual_service(
        "v1",
        "  http:\n  - name: default\n    route:\n    - destination: {host: reviews}\n  - name: a\n    match: [{uri: {prefix: /a}}]\n    route:\n    - destination: {host: reviews}\n  - name: b\n    route:\n    - destination: {host: reviews}\n",
    );
    let found = messages(&text, "istio-route-shadowed");
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].contains("http[1] (a)") && found[0].contains("http[0] (default)"));
}

// ---------------------------------------------------------------- httproute-weights-zero

fn http_route(api_version: &str, rules: &str) -> String {
    format!(
        "apiVersion: gateway.networking.k8s.io/{api_version}\nkind: HTTPRoute\nmetadata:\n  name: web\nspec:\n  parentRefs: [{{name: public}}]\n  rules:\n{rules}"
    )
}

#[test]
fn httproute_weights_zero_cases() {
    for version in ["v1", "v1beta1"] {
        let zero = http_route(
            version,
            "  - backendRefs:\n    - {name: web, port: 80, weight: 0}\n    - {name: web-canary, port: 80, weight: 0}\n",
        );
        let found = messages(&zero, "httproute-weights-zero");
        assert_eq!(found.len(), 1, "{version}");
        assert!(found[0].contains("web, web-canary"), "{}", found[0]);
    }
    // A missing weight is 1.
    let default = http_route(
        "v1",
        "  - backendRefs:\n    - {name: web, port: 80}\n    - {name: web-canary, port: 80, weight: 0}\n",
    );
    assert!(messages(&default, "httproute-weights-zero").is_empty());
    // No backendRefs (a redirect): another matter.
    let redirect = http_route(
        "v1",
        "  - filters:\n    - type: RequestRedirect\n      requestRedirect: {scheme: https}\n",
    );
    assert!(messages(&redirect, "httproute-weights-zero").is_empty());
    let empty = http_route("v1", "  - backendRefs: []\n");
    assert!(messages(&empty, "httproute-weights-zero").is_empty());
}

#[test]
fn odd_shapes_do_not_panic() {
    let text = "apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: odd}
spec:
  http: {route: 1}
  tcp:
  - route: {destination: x}
  tls:
  - route:
    - destination: 3
      weight: [1]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: odd}
spec:
  host: [x]
  subsets: {a: 1}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: odd}
spec:
  rules:
  - backendRefs: {weight: 0}
  - backendRefs: [{weight: zero}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: odd
  annotations: {nginx.ingress.kubernetes.io/canary: \"true\"}
spec:
  rules:
  - http: {paths: {a: 1}}
  - host: 3
";
    let _ = findings(text, "istio-weights-not-100");
}
