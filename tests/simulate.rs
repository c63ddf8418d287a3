//! `zerodown simulate` through the real binary.

mod common;

use common::{repo, run, run_in};

fn deployment(name: &str, replicas: i64, rolling: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: shop
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: {name}}}
  strategy:
{rolling}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
      - name: app
        image: example/app:1.0.0
        readinessProbe:
          httpGet: {{path: /ready, port: 8080}}
          periodSeconds: 5
        resources:
          requests: {{cpu: 250m, memory: 256Mi}}
"
    )
}

fn rolling(surge: &str, unavailable: &str) -> String {
    format!(
        "    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: {surge}\n      \
         maxUnavailable: {unavailable}"
    )
}

/// Writes `files` into a temp dir and runs `simulate ARGS` there.
fn simulate_files(files: &[(&str, &str)], args: &[&str]) -> common::Run {
    let dir = tempfile::tempdir().expect("a temp dir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("written");
    }
    let mut all = vec!["simulate"];
    all.extend_from_slice(args);
    run_in(dir.path(), &all, "")
}

/// old/new/newAvailable/available of each step of the first rollout.
fn vector(json: &serde_json::Value) -> Vec<[i64; 4]> {
    json["rollouts"][0]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| {
            ["old", "new", "newAvailable", "available"].map(|k| s[k].as_i64().expect("a count"))
        })
        .collect()
}

fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(repo().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings
}

#[test]
fn ten_replicas_with_quarter_limits() {
    let text = deployment("checkout", 10, &rolling("25%", "25%"));
    let out = simulate_files(&[("d.yaml", &text)], &["--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = out.json();
    assert_eq!(
        vector(&json),
        [
            [10, 0, 0, 10],
            [10, 3, 0, 10],
            [8, 3, 3, 11],
            [8, 5, 3, 11],
            [5, 5, 5, 10],
            [5, 8, 5, 10],
            [3, 8, 8, 11],
            [3, 10, 8, 11],
            [0, 10, 10, 10],
        ]
    );
    let rollout = &json["rollouts"][0];
    assert_eq!(rollout["maxSurge"], 3);
    assert_eq!(rollout["maxUnavailable"], 2);
    assert_eq!(rollout["minAvailable"], 8);
    assert_eq!(rollout["peakPods"], 13);
    // Four waits for readiness of 5 s each (periodSeconds 5 × successThreshold 1).
    assert_eq!(rollout["estimatedSeconds"], 20);
    assert_eq!(rollout["surge"]["cpuMillicores"], 750);
    assert_eq!(rollout["surge"]["memoryMiB"], 768);
}

#[test]
fn four_replicas_one_at_a_time() {
    let text = deployment("api", 4, &rolling("1", "0"));
    let out = simulate_files(&[("d.yaml", &text)], &["-f", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        vector(&out.json()),
        [
            [4, 0, 0, 4],
            [4, 1, 0, 4],
            [3, 1, 1, 4],
            [3, 2, 1, 4],
            [2, 2, 2, 4],
            [2, 3, 2, 4],
            [1, 3, 3, 4],
            [1, 4, 3, 4],
            [0, 4, 4, 4],
        ]
    );
}

#[test]
fn five_replicas_without_surge_stop_one_first() {
    let text = deployment("api", 5, &rolling("0", "1"));
    let out = simulate_files(&[("d.yaml", &text)], &["-f", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let steps = vector(&out.json());
    assert_eq!(
        &steps[..4],
        [[5, 0, 0, 5], [4, 0, 0, 4], [4, 1, 0, 4], [3, 1, 1, 4]]
    );
    assert_eq!(steps.last(), Some(&[0, 5, 5, 5]));
    assert!(steps.iter().all(|s| s[0] + s[1] <= 5 && s[3] >= 4));
}

#[test]
fn json_has_the_documented_shape() {
    let text = deployment("checkout", 3, "    type: RollingUpdate");
    let out = simulate_files(&[("d.yaml", &text)], &["--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = out.json();
    assert_eq!(json["version"], 1);
    let rollout = &json["rollouts"][0];
    for key in [
        "kind",
        "name",
        "namespace",
        "replicas",
        "maxSurge",
        "maxUnavailable",
        "minAvailable",
        "peakPods",
        "estimatedSeconds",
        "steps",
    ] {
        assert!(rollout.get(key).is_some(), "{key} missing: {rollout}");
    }
    assert_eq!(rollout["kind"], "Deployment");
    assert_eq!(rollout["name"], "checkout");
    assert_eq!(rollout["namespace"], "shop");
    let first = &rollout["steps"][0];
    for key in ["time", "old", "new", "newAvailable", "available"] {
        assert!(first.get(key).is_some(), "{key} missing: {first}");
    }
    // The steps start with the state before the rollout.
    assert_eq!(first["time"], 0);
    assert_eq!(first["old"], 3);
    assert_eq!(first["new"], 0);
}

#[test]
fn examples_fixed_are_simulated() {
    let out = run(&["simulate", "examples/fixed", "-f", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = out.json();
    let names: Vec<&str> = json["rollouts"]
        .as_array()
        .expect("rollouts")
        .iter()
        .map(|r| r["name"].as_str().expect("a name"))
        .collect();
    assert_eq!(names, ["checkout", "email-worker"]);
    let checkout = &json["rollouts"][0];
    // 3 replicas at the 25%/25% defaults: surge ceil(0.75) = 1, unavailable floor(0.75) = 0.
    assert_eq!(checkout["maxSurge"], 1);
    assert_eq!(checkout["maxUnavailable"], 0);
    assert_eq!(checkout["peakPods"], 4);
    assert_eq!(checkout["surge"]["cpuMillicores"], 250);
}

#[test]
fn rendered_output_from_stdin() {
    let rendered = run(&["render", "examples/app/zerodown.yaml"]);
    assert_eq!(rendered.code, 0, "{}", rendered.stderr);
    let out = run_in(&repo(), &["simulate", "-", "-f", "json"], &rendered.stdout);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = out.json();
    let rollouts = json["rollouts"].as_array().expect("rollouts");
    assert!(!rollouts.is_empty());
    let checkout = &rollouts[0];
    assert_eq!(checkout["name"], "checkout");
    assert_eq!(checkout["replicas"], 3);
    assert_eq!(checkout["minAvailable"], 3);
    // startup 5 s (one period) + readiness 5 s (one period × successThreshold 1).
    assert_eq!(checkout["podReadySeconds"], 10);
}

#[test]
fn name_filters_and_a_missing_name_is_an_error() {
    let a = deployment("a", 2, "    type: RollingUpdate");
    let b = deployment("b", 3, "    type: RollingUpdate");
    let out = simulate_files(
        &[("a.yaml", &a), ("b.yaml", &b)],
        &["--name", "b", "-f", "json"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = out.json();
    assert_eq!(json["rollouts"].as_array().expect("rollouts").len(), 1);
    assert_eq!(json["rollouts"][0]["name"], "b");

    let out = simulate_files(&[("a.yaml", &a)], &["--name", "nope"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("named `nope`"), "{}", out.stderr);
}

#[test]
fn no_workload_is_an_error() {
    let service =
        "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n";
    let out = simulate_files(&[("s.yaml", service)], &[]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no Deployment"), "{}", out.stderr);
}

#[test]
fn recreate_drops_everything_in_between() {
    let text = deployment("batch", 3, "    type: Recreate");
    let out = simulate_files(&[("d.yaml", &text)], &["-f", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = out.json();
    assert_eq!(
        vector(&json),
        [[3, 0, 0, 3], [0, 0, 0, 0], [0, 3, 0, 0], [0, 3, 3, 3]]
    );
    assert_eq!(json["rollouts"][0]["strategy"], "Recreate");
    assert_eq!(json["rollouts"][0]["minAvailable"], 0);
    let human = simulate_files(&[("d.yaml", &text)], &[]);
    assert!(
        human
            .stdout
            .contains("Drops every request from Time 1 to Time 2"),
        "{}",
        human.stdout
    );
}

#[test]
fn invalid_max_surge_is_a_located_error_and_others_still_run() {
    let bad = deployment("bad", 3, &rolling("\"25\"", "0"));
    let good = deployment("good", 2, "    type: RollingUpdate");
    let out = simulate_files(&[("bad.yaml", &bad), ("good.yaml", &good)], &["-f", "json"]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    // strategy at line 10, rollingUpdate 12, maxSurge at 13, value at column 17.
    assert!(
        out.stderr.contains(
            "bad.yaml:13:17: error: Deployment/bad: maxSurge `25` is neither an integer nor a \
             percentage"
        ),
        "{}",
        out.stderr
    );
    let json = out.json();
    assert_eq!(json["rollouts"][0]["name"], "good");
    assert_eq!(json["errors"][0]["line"], 13);
}

#[test]
fn zero_and_zero_is_rejected() {
    let text = deployment("stuck", 3, &rolling("0", "0"));
    let out = simulate_files(&[("d.yaml", &text)], &[]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("both 0"), "{}", out.stderr);
}

const STATEFUL_SET: &str = "apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec:
  replicas: 3
  serviceName: db
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      terminationGracePeriodSeconds: 20
      containers:
      - name: db
        image: example/db:16.2
        readinessProbe:
          exec: {command: [pg_isready]}
          initialDelaySeconds: 5
          periodSeconds: 10
";

#[test]
fn stateful_set_one_ordinal_at_a_time() {
    let out = simulate_files(&[("s.yaml", STATEFUL_SET)], &["-f", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = out.json();
    assert_eq!(
        vector(&json),
        [
            [3, 0, 0, 3],
            [2, 0, 0, 2],
            [2, 1, 0, 2],
            [1, 1, 1, 2],
            [1, 2, 1, 2],
            [0, 2, 2, 2],
            [0, 3, 2, 2],
            [0, 3, 3, 3],
        ]
    );
    let rollout = &json["rollouts"][0];
    assert_eq!(rollout["peakPods"], 3);
    assert_eq!(rollout["minAvailable"], 2);
    // Three replacements, each waiting for the old pod (grace 20 s) and for readiness
    // (5 + 10 s).
    assert_eq!(rollout["estimatedSeconds"], 3 * 20 + 3 * 15);
}

#[test]
fn stateful_set_partition() {
    let text = STATEFUL_SET.replace(
        "  serviceName: db\n",
        "  serviceName: db\n  updateStrategy:\n    type: RollingUpdate\n    rollingUpdate: \
         {partition: 2}\n",
    );
    let out = simulate_files(&[("s.yaml", &text)], &["-f", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let steps = vector(&out.json());
    assert_eq!(steps.last(), Some(&[2, 1, 1, 3]));
}

#[test]
fn argo_canary_without_steps_rolls_like_a_deployment() {
    let rollout = "apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web, namespace: shop}
spec:
  replicas: 4
  selector:
    matchLabels: {app: web}
  strategy:
    canary:
      maxSurge: 1
      maxUnavailable: 0
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: example/web:1.0.0
";
    let out = simulate_files(&[("r.yaml", rollout)], &["-f", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = out.json();
    assert_eq!(json["rollouts"][0]["kind"], "Rollout");
    assert_eq!(vector(&json).len(), 9);
}

#[test]
fn unset_replicas_take_the_hpa_minimum() {
    let text = deployment("api", 1, "    type: RollingUpdate").replace("  replicas: 1\n", "");
    let hpa = "apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: api, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  minReplicas: 4
  maxReplicas: 10
";
    let out = simulate_files(&[("d.yaml", &text), ("hpa.yaml", hpa)], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("api: 4 replicas"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("the minimum of HorizontalPodAutoscaler/api"),
        "{}",
        out.stdout
    );
    let alone = simulate_files(&[("d.yaml", &text)], &[]);
    assert!(
        alone.stdout.contains("the API default, 1"),
        "{}",
        alone.stdout
    );
}

#[test]
fn human_output_ten_replicas() {
    let text = deployment("checkout", 10, &rolling("25%", "25%"));
    let out = simulate_files(&[("d.yaml", &text)], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    snapshot_settings().bind(|| insta::assert_snapshot!("simulate_ten_replicas_human", out.stdout));
}

#[test]
fn human_output_stateful_set() {
    let out = simulate_files(&[("s.yaml", STATEFUL_SET)], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    snapshot_settings().bind(|| insta::assert_snapshot!("simulate_stateful_set_human", out.stdout));
}
