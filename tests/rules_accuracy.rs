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
        assert_eq!(findings(rule, &portless_pod(extra, "")), Vec::<String>::new(), "{rule}");
        // None of them has it: both are reported, as before.
        assert_eq!(findings(rule, &portless_pod("", "")).len(), 2, "{rule}");
    }
    // A declared port still decides: the serving container needs its own probe, whatever
    // the sidecar has.
    let declared = portless_pod("        ports: [{containerPort: 8080}]\n", READINESS);
    assert_eq!(findings("readiness-probe-missing", &declared).len(), 1);
}
