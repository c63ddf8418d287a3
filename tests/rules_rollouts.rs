//! Blue-green pairs and Argo Rollouts: `blue-green-standby-undersized`,
//! `rollout-service-missing`, `rollout-scale-down-delay`.

mod common;

/// (message, pointer) of each finding of `rule`.
fn findings(rule: &str, text: &str) -> Vec<(String, String)> {
    common::diagnostics_of(rule, &[("input.yaml", text)])
        .into_iter()
        .map(|d| (d.message, d.pointer.unwrap_or_default()))
        .collect()
}

fn deployment(name: &str, labels: &str, image: &str, replicas: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  {replicas}
  selector:
    matchLabels: {labels}
  template:
    metadata:
      labels: {labels}
    spec:
      containers:
      - name: web
        image: {image}
        ports:
        - containerPort: 8080
---
"
    )
}

fn service(name: &str, selector: &str) -> String {
    format!(
        "apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector: {selector}
  ports:
  - port: 80
---
"
    )
}

fn blue_green(blue_replicas: &str, green_replicas: &str) -> String {
    deployment(
        "web-blue",
        "{app: web, color: blue}",
        "ghcr.io/acme/web:1.0",
        blue_replicas,
    ) + &deployment(
        "web-green",
        "{app: web, color: green}",
        "ghcr.io/acme/web:1.1",
        green_replicas,
    )
}

const BG: &str = "blue-green-standby-undersized";

#[test]
fn undersized_standby_fires_at_its_replicas() {
    let text =
        service("web", "{app: web, color: blue}") + &blue_green("replicas: 4", "replicas: 2");
    let found = findings(BG, &text);
    assert_eq!(found.len(), 1, "{found:?}");
    let (message, pointer) = &found[0];
    assert!(message.contains("Deployment/web-green"), "{message}");
    assert!(message.contains("Deployment/web-blue"), "{message}");
    assert!(message.contains("Service/web"), "{message}");
    assert!(
        message.contains("runs 2 (replicas: 2) against 4"),
        "{message}"
    );
    assert!(pointer.ends_with("/spec/replicas"), "{pointer}");
}

#[test]
fn live_is_whichever_colour_the_service_selects() {
    let text =
        service("web", "{app: web, color: green}") + &blue_green("replicas: 4", "replicas: 2");
    assert!(
        findings(BG, &text).is_empty(),
        "the idle colour is the larger one"
    );
    let text = service("web", "{app: web, color: green}") + &blue_green("", "replicas: 3");
    let found = findings(BG, &text);
    assert_eq!(found.len(), 1);
    assert!(
        found[0].0.contains("runs 1 (no replicas, which means 1)"),
        "{}",
        found[0].0
    );
}

#[test]
fn a_standby_at_zero_fires_and_says_so() {
    let text =
        service("web", "{app: web, color: blue}") + &blue_green("replicas: 3", "replicas: 0");
    let found = findings(BG, &text);
    assert_eq!(found.len(), 1);
    assert!(found[0].0.contains("scaled to 0"), "{}", found[0].0);
}

#[test]
fn equal_counts_are_silent() {
    let text =
        service("web", "{app: web, color: blue}") + &blue_green("replicas: 3", "replicas: 3");
    assert!(findings(BG, &text).is_empty());
}

#[test]
fn hpa_min_replicas_count() {
    let hpa = |target: &str, min: u32| {
        format!(
            "apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {target}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {target}}}
  minReplicas: {min}
  maxReplicas: 20
---
"
        )
    };
    let base = service("web", "{app: web, color: blue}") + &blue_green("", "replicas: 3");
    let found = findings(BG, &(base.clone() + &hpa("web-blue", 6)));
    assert_eq!(found.len(), 1);
    assert!(
        found[0]
            .0
            .contains("HorizontalPodAutoscaler/web-blue minReplicas 6")
    );
    let text = base + &hpa("web-blue", 6) + &hpa("web-green", 6);
    assert!(findings(BG, &text).is_empty());
}

#[test]
fn no_service_or_a_service_selecting_both_is_silent() {
    assert!(findings(BG, &blue_green("replicas: 4", "replicas: 1")).is_empty());
    let text = service("web", "{app: web}") + &blue_green("replicas: 4", "replicas: 1");
    assert!(findings(BG, &text).is_empty());
}

#[test]
fn unrelated_apps_are_not_a_pair() {
    let text = service("frontend", "{app: frontend}")
        + &deployment(
            "frontend",
            "{app: frontend}",
            "ghcr.io/acme/frontend:1",
            "replicas: 3",
        )
        + &deployment(
            "backend",
            "{app: backend}",
            "ghcr.io/acme/backend:1",
            "replicas: 1",
        );
    assert!(findings(BG, &text).is_empty());
}

#[test]
fn canary_tracks_are_silent() {
    let text = service("web", "{app: web, track: stable}")
        + &deployment(
            "web",
            "{app: web, track: stable}",
            "ghcr.io/acme/web:1",
            "replicas: 4",
        )
        + &deployment(
            "web-next",
            "{app: web, track: next}",
            "ghcr.io/acme/web:2",
            "replicas: 1",
        );
    assert!(findings(BG, &text).is_empty());
    let text = service("web", "{app: web, version: v1}")
        + &deployment(
            "web",
            "{app: web, version: v1}",
            "ghcr.io/acme/web:1",
            "replicas: 4",
        )
        + &deployment(
            "web-c",
            "{app: web, version: canary}",
            "ghcr.io/acme/web:2",
            "replicas: 1",
        );
    assert!(findings(BG, &text).is_empty());
}

/// A pair that fires on its own: `web` selects blue (live), `web-preview` green.
fn split_pair() -> String {
    service("web", "{app: web, color: blue}")
        + &service("web-preview", "{app: web, color: green}")
        + &blue_green("replicas: 4", "replicas: 1")
}

#[test]
fn the_split_pair_fires_without_a_traffic_split() {
    assert_eq!(findings(BG, &split_pair()).len(), 1);
}

#[test]
fn an_httproute_splitting_both_is_a_canary() {
    let route = "apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: web
spec:
  rules:
  - backendRefs:
    - name: web
      port: 80
      weight: 90
    - name: web-preview
      port: 80
      weight: 10
";
    assert!(findings(BG, &(split_pair() + route)).is_empty());
}

#[test]
fn a_virtual_service_or_subsets_splitting_both_is_a_canary() {
    let vs = "apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: web
spec:
  hosts: [web]
  http:
  - route:
    - destination: {host: web.default.svc.cluster.local}
      weight: 90
    - destination: {host: web-preview}
      weight: 10
";
    assert!(findings(BG, &(split_pair() + vs)).is_empty());
    let dr = "apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: web
spec:
  host: web
  subsets:
  - name: blue
    labels: {color: blue}
  - name: green
    labels: {color: green}
";
    assert!(findings(BG, &(split_pair() + dr)).is_empty());
}

#[test]
fn an_nginx_canary_ingress_pair_is_a_canary() {
    let ingress = |name: &str, backend: &str, canary: bool| {
        let annotations = if canary {
            "\n  annotations:\n    nginx.ingress.kubernetes.io/canary: \"true\"\n    nginx.ingress.kubernetes.io/canary-weight: \"10\""
        } else {
            ""
        };
        format!(
            "apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {name}{annotations}
spec:
  ingressClassName: nginx
  rules:
  - host: web.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {{name: {backend}, port: {{number: 80}}}}
---
"
        )
    };
    let text =
        split_pair() + &ingress("web", "web", false) + &ingress("web-canary", "web-preview", true);
    assert!(findings(BG, &text).is_empty());
}

#[test]
fn each_colour_with_its_own_service_needs_a_preview_name() {
    // Two live-looking Services: which one is live is unknown.
    let text = service("web-blue", "{app: web, color: blue}")
        + &service("web-green", "{app: web, color: green}")
        + &blue_green("replicas: 4", "replicas: 1");
    assert!(findings(BG, &text).is_empty());
    let text = service("web", "{app: web, color: blue}")
        + &service("web-preview", "{app: web, color: green}")
        + &blue_green("replicas: 4", "replicas: 1");
    let found = findings(BG, &text);
    assert_eq!(found.len(), 1);
    assert!(found[0].0.contains("Deployment/web-green"));
}

#[test]
fn namespaces_and_kinds_separate_pairs() {
    let text = service("web", "{app: web, color: blue}")
        + &deployment(
            "web-blue",
            "{app: web, color: blue}",
            "ghcr.io/acme/web:1",
            "replicas: 4",
        )
        + &deployment(
            "web-green",
            "{app: web, color: green}",
            "ghcr.io/acme/web:1",
            "replicas: 1",
        )
        .replace("  name: web-green", "  name: web-green\n  namespace: other");
    assert!(findings(BG, &text).is_empty());
    let statefulset = deployment(
        "web-green",
        "{app: web, color: green}",
        "ghcr.io/acme/web:1",
        "replicas: 1",
    )
    .replace("kind: Deployment", "kind: StatefulSet")
    .replace("spec:\n  replicas", "spec:\n  serviceName: web\n  replicas");
    let text = service("web", "{app: web, color: blue}")
        + &deployment(
            "web-blue",
            "{app: web, color: blue}",
            "ghcr.io/acme/web:1",
            "replicas: 4",
        )
        + &statefulset;
    assert!(
        findings(BG, &text).is_empty(),
        "a Deployment and a StatefulSet are not a pair"
    );
}

#[test]
fn statefulset_pairs_count() {
    let text = (service("db", "{app: web, color: blue}")
        + &blue_green("replicas: 4", "replicas: 1"))
        .replace("kind: Deployment", "kind: StatefulSet")
        .replace("spec:\n  replicas", "spec:\n  serviceName: db\n  replicas");
    assert_eq!(findings(BG, &text).len(), 1);
}

fn rollout(namespace: &str, strategy: &str) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
  namespace: {namespace}
spec:
  replicas: 3
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
      - name: web
        image: ghcr.io/acme/web:1.0
  strategy:
{strategy}
---
"
    )
}

fn namespaced_service(name: &str, namespace: &str) -> String {
    service(name, "{app: web}").replace(
        &format!("  name: {name}\n"),
        &format!("  name: {name}\n  namespace: {namespace}\n"),
    )
}

const MISSING: &str = "rollout-service-missing";

#[test]
fn missing_blue_green_services_fire_with_a_suggestion() {
    let strategy =
        "    blueGreen:\n      activeService: web-active\n      previewService: web-previw\n";
    let text = namespaced_service("web-active", "shop")
        + &namespaced_service("web-preview", "shop")
        + &rollout("shop", strategy);
    let found = findings(MISSING, &text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].0.contains("`web-previw`"));
    assert!(found[0].0.contains("namespace `shop`"));
    assert!(
        found[0].0.contains("did you mean `web-preview`"),
        "{}",
        found[0].0
    );
    assert!(
        found[0]
            .1
            .ends_with("/spec/strategy/blueGreen/previewService")
    );
}

#[test]
fn missing_canary_and_ping_pong_services_fire() {
    let strategy = "    canary:\n      stableService: web-stable\n      canaryService: web-canary\n      pingPong:\n        pingService: web-ping\n        pongService: web-pong\n";
    let text = namespaced_service("web-stable", "shop") + &rollout("shop", strategy);
    let pointers: Vec<String> = findings(MISSING, &text).into_iter().map(|f| f.1).collect();
    assert_eq!(pointers.len(), 3, "{pointers:?}");
    assert!(
        pointers
            .iter()
            .any(|p| p.ends_with("/canary/canaryService"))
    );
    assert!(
        pointers
            .iter()
            .any(|p| p.ends_with("/pingPong/pingService"))
    );
    assert!(
        pointers
            .iter()
            .any(|p| p.ends_with("/pingPong/pongService"))
    );
}

#[test]
fn partial_input_and_other_namespaces_are_silent() {
    let strategy = "    blueGreen:\n      activeService: web-active\n";
    assert!(findings(MISSING, &rollout("shop", strategy)).is_empty());
    // The only Service is in another namespace: nothing is known about `shop`.
    let text = namespaced_service("web-active", "other") + &rollout("shop", strategy);
    assert!(findings(MISSING, &text).is_empty());
    // A Knative Service is not a core Service.
    let knative = "apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: web-active
  namespace: shop
spec: {}
---
";
    assert!(findings(MISSING, &(knative.to_string() + &rollout("shop", strategy))).is_empty());
}

#[test]
fn odd_shapes_do_not_panic() {
    for strategy in [
        "    blueGreen: []\n",
        "    blueGreen:\n      activeService: 3\n",
        "    blueGreen:\n      activeService: \"\"\n",
        "    canary: null\n",
        "    blueGreen:\n      scaleDownDelaySeconds: [1]\n",
    ] {
        let text = namespaced_service("other", "shop") + &rollout("shop", strategy);
        assert!(findings(MISSING, &text).is_empty(), "{strategy}");
        assert!(findings(DELAY, &text).is_empty(), "{strategy}");
    }
}

const DELAY: &str = "rollout-scale-down-delay";

#[test]
fn scale_down_delay_below_30_fires() {
    let with = |delay: &str| {
        rollout(
            "shop",
            &format!("    blueGreen:\n      activeService: web\n{delay}"),
        )
    };
    let found = findings(DELAY, &with("      scaleDownDelaySeconds: 10\n"));
    assert_eq!(found.len(), 1);
    assert!(found[0].0.contains("scaleDownDelaySeconds: 10"));
    assert!(
        found[0]
            .1
            .ends_with("/spec/strategy/blueGreen/scaleDownDelaySeconds")
    );
    assert_eq!(
        findings(DELAY, &with("      scaleDownDelaySeconds: 0\n")).len(),
        1
    );
    assert_eq!(
        findings(DELAY, &with("      scaleDownDelaySeconds: \"5\"\n")).len(),
        1
    );
    assert!(findings(DELAY, &with("")).is_empty(), "unset means 30");
    assert!(findings(DELAY, &with("      scaleDownDelaySeconds: 30\n")).is_empty());
    assert!(findings(DELAY, &with("      scaleDownDelaySeconds: 120\n")).is_empty());
    let canary = rollout("shop", "    canary:\n      scaleDownDelaySeconds: 5\n");
    assert!(
        findings(DELAY, &canary).is_empty(),
        "only blue-green is checked"
    );
}

#[test]
fn a_worker_from_the_same_image_is_not_a_colour() {
    let worker = deployment(
        "web-worker",
        "{app: web, kind: worker}",
        "ghcr.io/acme/web:1.0",
        "replicas: 1",
    )
    .replace(
        "        ports:\n        - containerPort: 8080\n",
        "        args: [worker]\n",
    );
    let text = service("web", "{app: web, kind: server}")
        + &deployment(
            "web",
            "{app: web, kind: server}",
            "ghcr.io/acme/web:1.0",
            "replicas: 4",
        )
        + &worker;
    assert!(findings(BG, &text).is_empty());
    let text = service("web", "{app: web, component: server}")
        + &deployment(
            "web",
            "{app: web, component: server}",
            "ghcr.io/acme/web:1.0",
            "replicas: 4",
        )
        + &deployment(
            "web-admin",
            "{app: web, component: admin}",
            "ghcr.io/acme/web:1.0",
            "replicas: 1",
        );
    assert!(findings(BG, &text).is_empty());
}
