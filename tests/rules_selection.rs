//! Edge cases of the selection rules: Services, PodDisruptionBudgets, HPAs and route
//! backends, through the library entry point.

mod common;

/// `(pointer, message, help)` of every finding of `rule` over the given files.
fn run(rule: &str, files: &[&str]) -> Vec<(String, String, String)> {
    let names: Vec<String> = (0..files.len()).map(|i| format!("f{i}.yaml")).collect();
    let named: Vec<(&str, &str)> = names
        .iter()
        .map(String::as_str)
        .zip(files.iter().copied())
        .collect();
    common::diagnostics_of(rule, &named)
        .into_iter()
        .map(|d| {
            (
                d.pointer.unwrap_or_default(),
                d.message,
                d.help.into_owned(),
            )
        })
        .collect()
}

fn deployment(name: &str, namespace: &str, labels: &str, replicas: Option<u32>) -> String {
    let replicas = replicas.map_or(String::new(), |r| format!("  replicas: {r}\n"));
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {namespace}
spec:
{replicas}  selector:
    matchLabels: {labels}
  template:
    metadata:
      labels: {labels}
    spec:
      containers:
      - name: app
        image: example/app:1.0.0
        ports:
        - containerPort: 8080
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
  - {{name: http, port: 80, targetPort: 8080}}
"
    )
}

fn pdb(api_version: &str, name: &str, namespace: &str, body: &str) -> String {
    format!(
        "apiVersion: {api_version}
kind: PodDisruptionBudget
metadata:
  name: {name}
  namespace: {namespace}
spec:
{body}"
    )
}

fn hpa(namespace: &str, target_kind: &str, target: &str, min: u32) -> String {
    format!(
        "apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: hpa-{target}
  namespace: {namespace}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: {target_kind}
    name: {target}
  minReplicas: {min}
  maxReplicas: 10
"
    )
}

// --- service-selects-nothing -------------------------------------------------------------

#[test]
fn service_selector_with_a_typo_is_an_error_with_the_differing_key() {
    let found = run(
        "service-selects-nothing",
        &[
            &deployment("web", "shop", "{app: web, tier: front}", Some(2)),
            &service("web", "shop", "{app: web, tier: frontend}"),
        ],
    );
    assert_eq!(found.len(), 1, "{found:?}");
    let (pointer, message, help) = &found[0];
    assert_eq!(pointer, "/spec/selector");
    assert!(message.contains("app=web, tier=frontend"), "{message}");
    assert!(message.contains("`shop`"), "{message}");
    assert!(help.contains("Deployment/web"), "{help}");
    assert!(help.contains("`tier` is `front`, not `frontend`"), "{help}");
}

#[test]
fn service_is_silent_when_matching_or_without_pods_or_selector() {
    let matching = run(
        "service-selects-nothing",
        &[
            &deployment("web", "shop", "{app: web, tier: front}", Some(2)),
            &service("web", "shop", "{app: web}"),
        ],
    );
    assert!(matching.is_empty(), "{matching:?}");
    // Partial input: no pod template in the namespace.
    let alone = run(
        "service-selects-nothing",
        &[&service("web", "shop", "{app: x}")],
    );
    assert!(alone.is_empty(), "{alone:?}");
    // The only pod template is in another namespace.
    let other_namespace = run(
        "service-selects-nothing",
        &[
            &deployment("web", "other", "{app: web}", Some(2)),
            &service("web", "shop", "{app: web}"),
        ],
    );
    assert!(other_namespace.is_empty(), "{other_namespace:?}");
    let external = "apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  type: ExternalName
  externalName: db.example.com
  selector: {app: db}
";
    let no_selector = "apiVersion: v1
kind: Service
metadata: {name: manual}
spec:
  ports: [{port: 80}]
";
    let quiet = run(
        "service-selects-nothing",
        &[
            &deployment("web", "default", "{app: web}", Some(2)),
            external,
            no_selector,
        ],
    );
    assert!(quiet.is_empty(), "{quiet:?}");
}

#[test]
fn service_matches_argo_experiment_and_canary_metadata_pods() {
    let rollout = "apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: example/web:1.0.0, ports: [{containerPort: 8080}]}]
  strategy:
    canary:
      canaryMetadata: {labels: {role: canary}}
      steps:
      - experiment:
          templates:
          - name: preview
            specRef: canary
            metadata: {labels: {app: web-preview}}
";
    let found = run(
        "service-selects-nothing",
        &[
            rollout,
            &service("preview", "default", "{app: web-preview}"),
            &service("canary", "default", "{app: web, role: canary}"),
            &service("typo", "default", "{app: wbe}"),
        ],
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.contains("app=wbe"));
}

#[test]
fn service_matches_a_rollout_with_a_workload_ref_through_its_deployment() {
    let rollout = "apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web}
spec:
  replicas: 3
  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: web}
";
    let found = run(
        "service-selects-nothing",
        &[
            rollout,
            &deployment("web", "default", "{app: web}", Some(0)),
            &service("web", "default", "{app: web}"),
        ],
    );
    assert!(found.is_empty(), "{found:?}");
}

// --- pdb-missing -------------------------------------------------------------------------

#[test]
fn replicated_serving_workload_without_a_pdb() {
    let found = run(
        "pdb-missing",
        &[&deployment("web", "shop", "{app: web}", Some(3))],
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.contains("runs 3 replicas"), "{}", found[0].1);
    assert_eq!(found[0].0, "/spec/replicas");
}

#[test]
fn pdb_missing_counts_hpa_min_replicas_and_skips_single_replicas() {
    // No replicas (1) but an HPA with minReplicas 3.
    let found = run(
        "pdb-missing",
        &[
            &deployment("web", "shop", "{app: web}", None),
            &hpa("shop", "Deployment", "web", 3),
        ],
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.contains("runs 3 replicas"));
    let single = run(
        "pdb-missing",
        &[&deployment("web", "shop", "{app: web}", Some(1))],
    );
    assert!(single.is_empty(), "{single:?}");
}

#[test]
fn pdb_missing_accepts_v1_v1beta1_and_empty_v1_selectors() {
    let workload = deployment("web", "shop", "{app: web}", Some(3));
    let v1 = pdb(
        "policy/v1",
        "web",
        "shop",
        "  maxUnavailable: 1\n  selector: {matchLabels: {app: web}}\n",
    );
    let v1beta1 = pdb(
        "policy/v1beta1",
        "web",
        "shop",
        "  maxUnavailable: 1\n  selector: {matchLabels: {app: web}}\n",
    );
    let everything = pdb(
        "policy/v1",
        "all",
        "shop",
        "  maxUnavailable: 1\n  selector: {}\n",
    );
    for budget in [&v1, &v1beta1, &everything] {
        let found = run("pdb-missing", &[&workload, budget]);
        assert!(found.is_empty(), "{budget}: {found:?}");
    }
    // Empty selector in v1beta1 selects nothing; a PDB in another namespace does not count.
    let beta_empty = pdb(
        "policy/v1beta1",
        "all",
        "shop",
        "  maxUnavailable: 1\n  selector: {}\n",
    );
    let elsewhere = pdb(
        "policy/v1",
        "web",
        "other",
        "  maxUnavailable: 1\n  selector: {matchLabels: {app: web}}\n",
    );
    for budget in [&beta_empty, &elsewhere] {
        let found = run("pdb-missing", &[&workload, budget]);
        assert_eq!(found.len(), 1, "{budget}: {found:?}");
    }
}

#[test]
fn pdb_missing_ignores_workers() {
    let worker = "apiVersion: apps/v1
kind: Deployment
metadata: {name: worker}
spec:
  replicas: 3
  selector: {matchLabels: {app: worker}}
  template:
    metadata: {labels: {app: worker}}
    spec:
      containers: [{name: worker, image: example/worker:1.0.0}]
";
    assert!(run("pdb-missing", &[worker]).is_empty());
}

// --- pdb-blocks-eviction -----------------------------------------------------------------

#[test]
fn max_unavailable_zero_blocks_regardless_of_workloads() {
    for value in ["0", "\"0%\""] {
        let budget = pdb(
            "policy/v1",
            "web",
            "default",
            &format!("  maxUnavailable: {value}\n  selector: {{matchLabels: {{app: web}}}}\n"),
        );
        let found = run("pdb-blocks-eviction", &[&budget]);
        assert_eq!(found.len(), 1, "{value}: {found:?}");
        assert_eq!(found[0].0, "/spec/maxUnavailable");
    }
    // Without a selector it selects nothing, so it blocks nothing.
    let no_selector = pdb("policy/v1", "web", "default", "  maxUnavailable: 0\n");
    assert!(run("pdb-blocks-eviction", &[&no_selector]).is_empty());
    // A percentage above 0 rounds up to at least 1.
    let ten = pdb(
        "policy/v1",
        "web",
        "default",
        "  maxUnavailable: \"10%\"\n  selector: {matchLabels: {app: web}}\n",
    );
    let found = run(
        "pdb-blocks-eviction",
        &[&ten, &deployment("web", "default", "{app: web}", Some(3))],
    );
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn min_available_compared_with_replicas_and_percentages_round_up() {
    let budget = |min: &str| {
        pdb(
            "policy/v1",
            "web",
            "default",
            &format!("  minAvailable: {min}\n  selector: {{matchLabels: {{app: web}}}}\n"),
        )
    };
    let workload = deployment("web", "default", "{app: web}", Some(5));
    let fires = |min: &str| !run("pdb-blocks-eviction", &[&budget(min), &workload]).is_empty();
    assert!(fires("5"));
    assert!(fires("6"));
    assert!(!fires("4"));
    assert!(fires("\"90%\""), "90% of 5 = 4.5, rounded up to 5");
    assert!(!fires("\"80%\""));
    assert!(fires("\"100%\""));
    let message = &run("pdb-blocks-eviction", &[&budget("\"90%\""), &workload])[0].1;
    assert!(message.contains("rounded up: 5"), "{message}");
    assert!(message.contains("Deployment/web (5)"), "{message}");
}

#[test]
fn min_available_sums_selected_workloads_and_uses_the_hpa_floor() {
    let budget = pdb(
        "policy/v1",
        "web",
        "default",
        "  minAvailable: 3\n  selector: {matchLabels: {tier: front}}\n",
    );
    let a = deployment("a", "default", "{app: a, tier: front}", Some(2));
    let b = deployment("b", "default", "{app: b, tier: front}", Some(2));
    assert!(run("pdb-blocks-eviction", &[&budget, &a, &b]).is_empty());
    assert_eq!(run("pdb-blocks-eviction", &[&budget, &a]).len(), 1);
    // An HPA floor of 4 lifts the count above minAvailable.
    let scaled = run(
        "pdb-blocks-eviction",
        &[&budget, &a, &hpa("default", "Deployment", "a", 4)],
    );
    assert!(scaled.is_empty(), "{scaled:?}");
}

#[test]
fn min_available_silent_when_the_pod_count_is_unknown() {
    let budget = pdb(
        "policy/v1",
        "web",
        "default",
        "  minAvailable: 3\n  selector: {matchLabels: {app: web}}\n",
    );
    // No selected workload in the input.
    assert!(run("pdb-blocks-eviction", &[&budget]).is_empty());
    // A DaemonSet's pod count is the node count.
    let daemonset = "apiVersion: apps/v1
kind: DaemonSet
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: example/web:1.0.0}]
";
    assert!(run("pdb-blocks-eviction", &[&budget, daemonset]).is_empty());
}

// --- pdb-selects-nothing -----------------------------------------------------------------

#[test]
fn pdb_selecting_workload_metadata_labels_instead_of_pod_labels() {
    let budget = pdb(
        "policy/v1",
        "web",
        "default",
        "  maxUnavailable: 1\n  selector: {matchLabels: {app: web-server}}\n",
    );
    let found = run(
        "pdb-selects-nothing",
        &[
            &budget,
            &deployment("web", "default", "{app: web}", Some(2)),
        ],
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "/spec/selector");
    // Partial input: no pod template in the namespace.
    assert!(run("pdb-selects-nothing", &[&budget]).is_empty());
}

#[test]
fn pdb_without_selector_or_with_empty_v1beta1_selector_selects_nothing() {
    let none = pdb("policy/v1", "a", "default", "  maxUnavailable: 1\n");
    let beta = pdb(
        "policy/v1beta1",
        "b",
        "default",
        "  maxUnavailable: 1\n  selector: {}\n",
    );
    let all = pdb(
        "policy/v1",
        "c",
        "default",
        "  maxUnavailable: 1\n  selector: {}\n",
    );
    let found = run("pdb-selects-nothing", &[&none, &beta, &all]);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().any(|f| f.1.contains("no selector")));
    assert!(found.iter().any(|f| f.1.contains("v1beta1")));
}

#[test]
fn pdb_with_match_expressions() {
    let budget = pdb(
        "policy/v1",
        "web",
        "default",
        "  maxUnavailable: 1\n  selector:\n    matchExpressions:\n    - {key: app, operator: In, values: [web, api]}\n",
    );
    let found = run(
        "pdb-selects-nothing",
        &[
            &budget,
            &deployment("web", "default", "{app: web}", Some(2)),
        ],
    );
    assert!(found.is_empty(), "{found:?}");
}

// --- hpa-replicas-conflict ---------------------------------------------------------------

#[test]
fn hpa_target_that_sets_replicas() {
    let found = run(
        "hpa-replicas-conflict",
        &[
            &deployment("web", "shop", "{app: web}", Some(3)),
            &hpa("shop", "Deployment", "web", 2),
        ],
    );
    assert_eq!(found.len(), 1, "{found:?}");
    let (pointer, message, help) = &found[0];
    assert_eq!(pointer, "/spec/replicas");
    assert!(
        message.contains("HorizontalPodAutoscaler/hpa-web"),
        "{message}"
    );
    assert!(help.contains("edit-last-applied"), "{help}");
    assert!(help.contains("defaults"), "{help}");
}

#[test]
fn hpa_replicas_conflict_silent_cases() {
    let hpa_web = hpa("shop", "Deployment", "web", 2);
    // No replicas, replicas 0, an HPA in another namespace, an HPA for another kind.
    for (workload, autoscaler) in [
        (
            deployment("web", "shop", "{app: web}", None),
            hpa_web.clone(),
        ),
        (
            deployment("web", "shop", "{app: web}", Some(0)),
            hpa_web.clone(),
        ),
        (
            deployment("web", "shop", "{app: web}", Some(3)),
            hpa("other", "Deployment", "web", 2),
        ),
        (
            deployment("web", "shop", "{app: web}", Some(3)),
            hpa("shop", "StatefulSet", "web", 2),
        ),
    ] {
        let found = run("hpa-replicas-conflict", &[&workload, &autoscaler]);
        assert!(found.is_empty(), "{workload}{autoscaler}: {found:?}");
    }
}

#[test]
fn hpa_on_an_argo_rollout() {
    let rollout = "apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: example/web:1.0.0}]
";
    let autoscaler = "apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: argoproj.io/v1alpha1, kind: Rollout, name: web}
  minReplicas: 2
  maxReplicas: 8
";
    assert_eq!(
        run("hpa-replicas-conflict", &[rollout, autoscaler]).len(),
        1
    );
    assert!(run("hpa-target-missing", &[rollout, autoscaler]).is_empty());
}

// --- hpa-target-missing ------------------------------------------------------------------

#[test]
fn hpa_target_typo_suggests_the_name() {
    let found = run(
        "hpa-target-missing",
        &[
            &deployment("checkout", "shop", "{app: checkout}", None),
            &hpa("shop", "Deployment", "chekout", 2),
        ],
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "/spec/scaleTargetRef/name");
    assert!(found[0].2.contains("`checkout`"), "{}", found[0].2);
}

#[test]
fn hpa_target_missing_silent_on_partial_input() {
    // No Deployment at all in the namespace, or only in another one.
    assert!(
        run(
            "hpa-target-missing",
            &[&hpa("shop", "Deployment", "web", 2)]
        )
        .is_empty()
    );
    let found = run(
        "hpa-target-missing",
        &[
            &deployment("api", "other", "{app: api}", None),
            &hpa("shop", "Deployment", "web", 2),
        ],
    );
    assert!(found.is_empty(), "{found:?}");
}

// --- ingress-backend-missing -------------------------------------------------------------

fn ingress(namespace: &str, backend: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: {namespace}
spec:
  rules:
  - http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {backend}
"
    )
}

#[test]
fn ingress_backend_service_and_port_checks() {
    let svc = service("web", "shop", "{app: web}");
    let check = |backend: &str| {
        run(
            "ingress-backend-missing",
            &[&svc, &ingress("shop", backend)],
        )
    };
    assert!(check("{name: web, port: {number: 80}}").is_empty());
    assert!(check("{name: web, port: {name: http}}").is_empty());
    let wrong_number = check("{name: web, port: {number: 8080}}");
    assert_eq!(wrong_number.len(), 1);
    assert!(wrong_number[0].0.ends_with("/backend/service/port/number"));
    assert!(
        wrong_number[0].1.contains("80 `http`"),
        "{}",
        wrong_number[0].1
    );
    let wrong_name = check("{name: web, port: {name: https}}");
    assert_eq!(wrong_name.len(), 1);
    assert!(wrong_name[0].0.ends_with("/port/name"));
    let missing = check("{name: wbe, port: {number: 80}}");
    assert_eq!(missing.len(), 1);
    assert!(missing[0].0.ends_with("/backend/service/name"));
    assert!(
        missing[0].2.contains("did you mean `web`"),
        "{}",
        missing[0].2
    );
    // No Service at all in the namespace: partial input.
    assert!(
        run(
            "ingress-backend-missing",
            &[&ingress("shop", "{name: wbe, port: {number: 80}}")]
        )
        .is_empty()
    );
}

#[test]
fn ingress_default_backend_and_alb_actions() {
    let svc = service("web", "default", "{app: web}");
    let ingress = "apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations:
    alb.ingress.kubernetes.io/actions.redirect: '{\"type\": \"redirect\"}'
spec:
  defaultBackend:
    service: {name: gone, port: {number: 80}}
  rules:
  - http:
      paths:
      - path: /old
        pathType: Prefix
        backend:
          service: {name: redirect, port: {name: use-annotation}}
      - path: /res
        pathType: Prefix
        backend:
          resource: {apiGroup: k8s.example.com, kind: Bucket, name: static}
";
    let found = run("ingress-backend-missing", &[&svc, ingress]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "/spec/defaultBackend/service/name");
}

#[test]
fn httproute_backend_refs() {
    let route = "apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: public}]
  rules:
  - backendRefs:
    - {name: web, port: 80, weight: 90}
    - {name: web-canary, port: 80, weight: 10}
    - {name: web, port: 8080}
    - {name: api, namespace: backend, port: 80}
    - {group: example.com, kind: Bucket, name: static}
";
    let found = run(
        "ingress-backend-missing",
        &[
            &service("web", "shop", "{app: web}"),
            &service("api", "backend", "{app: api}"),
            route,
        ],
    );
    let pointers: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(
        pointers,
        [
            "/spec/rules/0/backendRefs/1/name",
            "/spec/rules/0/backendRefs/2/port"
        ],
        "{found:?}"
    );
    // The cross-namespace backend's namespace has no Service in the input: silent.
    let partial = run(
        "ingress-backend-missing",
        &[
            &service("web", "shop", "{app: web}"),
            &route.replace(
                "{name: api, namespace: backend, port: 80}",
                "{name: gone, namespace: backend, port: 80}",
            ),
        ],
    );
    assert_eq!(partial.len(), 2, "{partial:?}");
}

#[test]
fn selectors_of_operator_managed_pods_are_not_reported() {
    let kafka = "apiVersion: kafka.strimzi.io/v1beta2
kind: Kafka
metadata: {name: events, namespace: data}
spec: {}
";
    let found = run(
        "service-selects-nothing",
        &[
            kafka,
            &deployment("web", "data", "{app: web}", Some(2)),
            &service("kafka", "data", "{strimzi.io/cluster: events}"),
        ],
    );
    assert!(found.is_empty(), "{found:?}");
    let budget = pdb(
        "policy/v1",
        "kafka",
        "data",
        "  maxUnavailable: 1\n  selector: {matchLabels: {strimzi.io/cluster: events}}\n",
    );
    let found = run(
        "pdb-selects-nothing",
        &[
            kafka,
            &deployment("web", "data", "{app: web}", Some(2)),
            &budget,
        ],
    );
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn backends_an_operator_creates_are_not_reported() {
    let kafka = "apiVersion: kafka.strimzi.io/v1beta2
kind: Kafka
metadata: {name: events, namespace: shop}
spec: {}
";
    let found = run(
        "ingress-backend-missing",
        &[
            kafka,
            &service("web", "shop", "{app: web}"),
            &ingress(
                "shop",
                "{name: events-kafka-bootstrap, port: {number: 9092}}",
            ),
        ],
    );
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn keda_scaled_objects_count_as_autoscalers() {
    let scaled = "apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {name: web}
  minReplicaCount: 2
  maxReplicaCount: 10
  triggers:
  - type: cpu
    metricType: Utilization
    metadata: {value: \"50\"}
";
    let found = run(
        "hpa-replicas-conflict",
        &[&deployment("web", "shop", "{app: web}", Some(3)), scaled],
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.contains("ScaledObject/web"), "{}", found[0].1);
    // Its minReplicaCount is the floor pdb-missing counts.
    let found = run(
        "pdb-missing",
        &[&deployment("web", "shop", "{app: web}", None), scaled],
    );
    assert_eq!(found.len(), 1, "{found:?}");
    // A ScaledObject for another kind does not count.
    let job = scaled.replace("{name: web}", "{kind: StatefulSet, name: web}");
    assert!(
        run(
            "hpa-replicas-conflict",
            &[&deployment("web", "shop", "{app: web}", Some(3)), &job],
        )
        .is_empty()
    );
}

#[test]
fn configuration_custom_resources_named_like_the_app_do_not_silence() {
    let virtual_service = "apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: shop}
spec:
  hosts: [web]
  http:
  - route:
    - destination: {host: web}
";
    let found = run(
        "service-selects-nothing",
        &[
            virtual_service,
            &deployment("api", "shop", "{app: api}", Some(2)),
            &service("web", "shop", "{app: web}"),
        ],
    );
    assert_eq!(found.len(), 1, "{found:?}");
}
