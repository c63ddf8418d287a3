//! Lint accuracy against what the peers' suites and odd but legal input showed: each case
//! once where zerodown must speak and once where it must stay quiet.

mod common;

use common::diagnostics_of;

fn findings(rule: &str, text: &str) -> Vec<String> {
    diagnostics_of(rule, &[("app.yaml", text)])
        .into_iter()
        .map(|d| format!("{}: {}", d.pointer.unwrap_or_default(), d.message))
        .collect()
}

/// A pod of two portless containers that a Service selects; `app` has `probe` (YAML
/// lines, already indented for the container).
fn portless_pod(app_extra: &str, sidecar_extra: &str) -> String {
    format!(
        "apiVersion: v1
kind: Service
metadata: {{name: web}}
spec:
  selector: {{app: web}}
  ports: [{{port: 80}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers:
      - name: app
        image: example/web:1.0.0
{app_extra}      - name: log-shipper
        image: example/shipper:2.0.0
{sidecar_extra}"
    )
}

const READINESS: &str = "        readinessProbe: {httpGet: {path: /ready, port: 8080}}\n";
const LIVENESS: &str = "        livenessProbe: {httpGet: {path: /live, port: 8080}}\n";
const PRESTOP: &str = "        lifecycle: {preStop: {sleep: {seconds: 5}}}\n";

#[test]
fn a_portless_sidecar_beside_a_probed_container_is_not_reported() {
    // No container declares a port: which one serves is unknown, and one readiness probe
    // gates the pod's endpoints (a pod is Ready only when every container is).
    for (rule, extra) in [
        ("readiness-probe-missing", READINESS),
        ("liveness-probe-missing", LIVENESS),
        ("prestop-hook-missing", PRESTOP),
    ] {
        assert_eq!(
            findings(rule, &portless_pod(extra, "")),
            Vec::<String>::new(),
            "{rule}"
        );
        // None of them has it: both are reported, as before.
        assert_eq!(findings(rule, &portless_pod("", "")).len(), 2, "{rule}");
    }
    // A declared port still decides: the serving container needs its own probe, whatever
    // the sidecar has.
    let declared = portless_pod("        ports: [{containerPort: 8080}]\n", READINESS);
    assert_eq!(findings("readiness-probe-missing", &declared).len(), 1);
}

fn deployment_with(spec_extra: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata: {{name: web}}
spec:
  replicas: 3
  selector: {{matchLabels: {{app: web}}}}
{spec_extra}  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers:
      - name: web
        image: example/web:1.0.0
        ports: [{{containerPort: 8080}}]
"
    )
}

#[test]
fn enum_values_the_api_rejects_are_invalid() {
    for strategy in [
        "  strategy: {type: Other}\n",
        "  strategy: {type: recreate}\n",
        "  strategy: {type: Recreate, rollingUpdate: {maxSurge: 1}}\n",
    ] {
        let found = findings("invalid-manifest", &deployment_with(strategy));
        assert_eq!(found.len(), 1, "{strategy}: {found:?}");
        assert!(found[0].starts_with("/spec/strategy/"), "{found:?}");
    }
    assert!(
        findings(
            "invalid-manifest",
            &deployment_with("  strategy: {type: RollingUpdate}\n")
        )
        .is_empty()
    );
    let service = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: Loadbalancer\n  selector: {app: web}\n  ports: [{port: 80}]\n";
    let found = findings("invalid-manifest", service);
    assert!(
        found[0].contains("unsupported value \"Loadbalancer\" for `type`"),
        "{found:?}"
    );
    let ingress = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec:\n  rules:\n  - http:\n      paths:\n      - {path: /, pathType: prefix, backend: {service: {name: s, port: {number: 80}}}}\n      - {path: /b, backend: {service: {name: s, port: {number: 80}}}}\n";
    let found = findings("invalid-manifest", ingress);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found
            .iter()
            .any(|f| f.contains("missing required field `pathType`"))
    );
}

fn pdb(spec: &str) -> String {
    format!(
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: web}}\nspec:\n  selector: {{matchLabels: {{app: web}}}}\n{spec}"
    )
}

#[test]
fn budgets_the_api_rejects_are_invalid_and_an_empty_budget_is_no_coverage() {
    for spec in [
        "  minAvailable: \"150%\"\n",
        "  maxUnavailable: -1\n",
        "  minAvailable: \"100 %\"\n",
        "  minAvailable: 1\n  maxUnavailable: 1\n",
    ] {
        assert_eq!(findings("invalid-manifest", &pdb(spec)).len(), 1, "{spec}");
    }
    let app = deployment_with("");
    // A budget with neither field limits nothing: the workload is still unprotected.
    let empty = format!("{app}---\n{}", pdb(""));
    assert_eq!(findings("pdb-missing", &empty).len(), 1);
    let real = format!("{app}---\n{}", pdb("  maxUnavailable: 1\n"));
    assert!(findings("pdb-missing", &real).is_empty());
}

#[test]
fn a_template_without_a_spec_is_invalid_and_still_selected_by_label() {
    let no_spec = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
";
    let found = findings("invalid-manifest", no_spec);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("containers"), "{found:?}");
    // A Service with a typo against it, and a PDB that blocks its drains, are judged.
    let typo = format!(
        "{no_spec}---\napiVersion: v1\nkind: Service\nmetadata: {{name: web}}\nspec:\n  selector: {{app: wbe}}\n  ports: [{{port: 80}}]\n"
    );
    assert_eq!(findings("service-selects-nothing", &typo).len(), 1);
    let blocking = format!("{no_spec}---\n{}", pdb("  minAvailable: 2\n"));
    assert_eq!(findings("pdb-blocks-eviction", &blocking).len(), 1);
}

#[test]
fn a_probe_on_a_port_declared_only_as_udp_is_reported() {
    let pod = |protocol: &str| {
        format!(
            "apiVersion: apps/v1
kind: Deployment
metadata: {{name: dns}}
spec:
  selector: {{matchLabels: {{app: dns}}}}
  template:
    metadata: {{labels: {{app: dns}}}}
    spec:
      containers:
      - name: dns
        image: example/dns:1.0.0
        ports: [{{name: dns, containerPort: 53, protocol: {protocol}}}]
        readinessProbe: {{tcpSocket: {{port: dns}}}}
"
        )
    };
    let diagnostics = common::diagnostics_of("probe-port-unknown", &[("a.yaml", &pod("UDP"))]);
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(
        diagnostics[0].severity,
        zerodown::severity::Severity::Warning
    );
    assert!(
        diagnostics[0].message.contains("declares as UDP"),
        "{}",
        diagnostics[0].message
    );
    assert!(findings("probe-port-unknown", &pod("TCP")).is_empty());
}

#[test]
fn a_zero_grace_period_gives_any_prestop_hook_no_time() {
    let pod = |grace: &str, hook: &str| {
        format!(
            "apiVersion: apps/v1
kind: Deployment
metadata: {{name: ingress}}
spec:
  selector: {{matchLabels: {{app: i}}}}
  template:
    metadata: {{labels: {{app: i}}}}
    spec:
{grace}      containers:
      - name: controller
        image: example/controller:1.0.0
        lifecycle: {{preStop: {hook}}}
"
        )
    };
    let zero = "      terminationGracePeriodSeconds: 0\n";
    // ingress-nginx's kind manifest: an exec hook of unknown duration.
    for hook in [
        "{exec: {command: [/wait-shutdown]}}",
        "{httpGet: {path: /drain, port: 8080}}",
        "{sleep: {seconds: 1}}",
    ] {
        let found = findings("grace-period-too-short", &pod(zero, hook));
        assert_eq!(found.len(), 1, "{hook}");
        assert!(found[0].contains("gets no time at all"), "{found:?}");
        assert!(
            findings("grace-period-too-short", &pod("", hook)).is_empty(),
            "{hook}"
        );
    }
}

#[test]
fn an_object_defined_twice_in_one_file_is_reported_and_the_last_one_counts() {
    let web = |labels: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n  selector: {{matchLabels: {labels}}}\n  template:\n    metadata: {{labels: {labels}}}\n    spec:\n      containers: [{{name: web, image: example/web:1.0.0}}]\n"
        )
    };
    let service = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n";
    let stream = format!("{}---\n{}", web("{app: web}"), web("{app: other}"));
    let both = diagnostics_of("duplicate-object", &[("rendered.yaml", &stream)]);
    assert_eq!(both.len(), 1);
    assert!(
        both[0]
            .message
            .contains("is defined again at rendered.yaml:13:18:"),
        "{}",
        both[0].message
    );
    // kubectl keeps the last: the Service selecting app=web now selects nothing.
    let selected = diagnostics_of(
        "service-selects-nothing",
        &[("rendered.yaml", &format!("{stream}---\n{service}"))],
    );
    assert_eq!(selected.len(), 1);
    // Two files (alternatives in one folder, a base and an overlay) are not compared.
    let apart = diagnostics_of(
        "duplicate-object",
        &[
            ("k8s/staging.yaml", &web("{app: web}")),
            ("k8s/prod.yaml", &web("{app: web}")),
        ],
    );
    assert!(apart.is_empty());
    // Another namespace or kind is another object.
    let other_ns = web("{app: web}").replace("{name: web}", "{name: web, namespace: prod}");
    let two_namespaces = format!("{}---\n{other_ns}", web("{app: web}"));
    assert!(diagnostics_of("duplicate-object", &[("a.yaml", &two_namespaces)]).is_empty());
}

#[test]
fn colours_in_images_of_their_own_pair_up_when_each_has_a_service() {
    let colour = |version: &str, replicas: u32| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web-{version}}}\nspec:\n  replicas: {replicas}\n  selector: {{matchLabels: {{app: web, version: {version}}}}}\n  template:\n    metadata: {{labels: {{app: web, version: {version}}}}}\n    spec:\n      containers:\n      - name: web\n        image: registry.example.com/web-{version}:2.0.0\n        ports: [{{containerPort: 8080}}]\n---\n"
        )
    };
    let service = |name: &str, version: &str| {
        format!(
            "apiVersion: v1\nkind: Service\nmetadata: {{name: {name}}}\nspec:\n  selector: {{app: web, version: {version}}}\n  ports: [{{port: 80, targetPort: 8080}}]\n---\n"
        )
    };
    let pair = format!(
        "{}{}{}{}",
        colour("blue", 4),
        colour("green", 1),
        service("web", "blue"),
        service("web-preview", "green")
    );
    let found = findings("blue-green-standby-undersized", &pair);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("Deployment/web-green"), "{found:?}");
    // Without a Service per colour, two images are two apps.
    let one_service = format!(
        "{}{}{}",
        colour("blue", 4),
        colour("green", 1),
        service("web", "blue")
    );
    assert!(findings("blue-green-standby-undersized", &one_service).is_empty());
}

#[test]
fn removed_and_unserved_api_versions_are_reported() {
    let pdb_beta = "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: web}\nspec:\n  maxUnavailable: 1\n  selector: {matchLabels: {app: web}}\n";
    let found = diagnostics_of("api-removed", &[("a.yaml", pdb_beta)]);
    assert_eq!(found.len(), 1);
    assert!(
        found[0].message.contains("Kubernetes 1.25 removed it"),
        "{}",
        found[0].message
    );
    assert!(found[0].help.contains("policy/v1"));
    let ext = "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: [{name: web, image: example/web:1.0.0}]\n";
    assert_eq!(diagnostics_of("api-removed", &[("a.yaml", ext)]).len(), 1);
    // A kind the group never served is invalid, not skipped.
    for kind in ["Deployment", "PodDisruptionBudget"] {
        let wrong = format!("apiVersion: v1\nkind: {kind}\nmetadata: {{name: web}}\nspec: {{}}\n");
        let found = findings("invalid-manifest", &wrong);
        assert_eq!(found.len(), 1, "{kind}: {found:?}");
        assert!(found[0].contains("does not serve kind"), "{found:?}");
    }
    // A CRD's kind in its own group is not judged against the built-in kinds.
    let knative =
        "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: web}\nspec: {}\n";
    assert!(findings("invalid-manifest", knative).is_empty());
    // Before the release that removes it, a deprecated version is a warning.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hpa.yaml"), "apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 2\n  maxReplicas: 4\n").unwrap();
    std::fs::write(
        dir.path().join(".zerodown.yaml"),
        "kubernetesVersion: \"1.25\"\n",
    )
    .unwrap();
    let run = common::run_in(dir.path(), &["lint", "hpa.yaml", "-f", "json"], "");
    let json = run.json();
    let removed: Vec<&serde_json::Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "api-removed")
        .collect();
    assert_eq!(removed[0]["severity"], "warning", "{removed:?}");
}

fn serving_deployment(replicas: u32, pod_spec_extra: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: shop}}\nspec:\n  replicas: {replicas}\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n{pod_spec_extra}      containers:\n      - name: web\n        image: example/web:1.0.0\n        ports: [{{containerPort: 8080}}]\n"
    )
}

#[test]
fn the_peers_zero_downtime_checks_that_were_missing() {
    // hpa-min-replicas: judged by the HPA alone; a workload in the input must serve.
    let hpa = |min: &str| {
        format!(
            "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {{name: web, namespace: shop}}\nspec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: web}}\n{min}  maxReplicas: 5\n"
        )
    };
    assert_eq!(findings("hpa-min-replicas", &hpa("")).len(), 1);
    assert_eq!(
        findings("hpa-min-replicas", &hpa("  minReplicas: 1\n")).len(),
        1
    );
    assert!(findings("hpa-min-replicas", &hpa("  minReplicas: 2\n")).is_empty());
    let worker = serving_deployment(1, "").replace("        ports: [{containerPort: 8080}]\n", "");
    assert!(findings("hpa-min-replicas", &format!("{worker}---\n{}", hpa(""))).is_empty());
    // The HPA owns the count: single-replica leaves the workload to hpa-min-replicas.
    let scaled = format!(
        "{}---\n{}",
        serving_deployment(1, ""),
        hpa("  minReplicas: 1\n")
    );
    assert!(findings("single-replica", &scaled).is_empty());
    assert_eq!(findings("hpa-min-replicas", &scaled).len(), 1);

    // replicas-not-spread: 2+ serving replicas with nothing over nodes or zones.
    assert_eq!(
        findings("replicas-not-spread", &serving_deployment(3, "")).len(),
        1
    );
    assert!(findings("replicas-not-spread", &serving_deployment(1, "")).is_empty());
    let spread = "      topologySpreadConstraints:\n      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}\n";
    assert!(findings("replicas-not-spread", &serving_deployment(3, spread)).is_empty());
    let anti = |namespaces: &str| {
        format!(
            "      affinity:\n        podAntiAffinity:\n          preferredDuringSchedulingIgnoredDuringExecution:\n          - weight: 100\n            podAffinityTerm:\n              topologyKey: kubernetes.io/hostname\n              labelSelector: {{matchLabels: {{app: web}}}}\n{namespaces}"
        )
    };
    assert!(findings("replicas-not-spread", &serving_deployment(3, &anti(""))).is_empty());
    let elsewhere = anti("              namespaces: [other]\n");
    assert_eq!(
        findings("replicas-not-spread", &serving_deployment(3, &elsewhere)).len(),
        1
    );
    let other_pods = spread.replace("{app: web}", "{app: db}");
    assert_eq!(
        findings("replicas-not-spread", &serving_deployment(3, &other_pods)).len(),
        1
    );

    // pdb-unhealthy-eviction: only the unset default.
    let budget = |policy: &str| {
        format!(
            "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: web}}\nspec:\n  maxUnavailable: 1\n{policy}  selector: {{matchLabels: {{app: web}}}}\n"
        )
    };
    assert_eq!(findings("pdb-unhealthy-eviction", &budget("")).len(), 1);
    assert!(
        findings(
            "pdb-unhealthy-eviction",
            &budget("  unhealthyPodEvictionPolicy: AlwaysAllow\n")
        )
        .is_empty()
    );
    assert!(
        findings(
            "pdb-unhealthy-eviction",
            &budget("  unhealthyPodEvictionPolicy: IfHealthyBudget\n")
        )
        .is_empty()
    );
}
