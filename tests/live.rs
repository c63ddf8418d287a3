//! The `--live` moves through the real kubectl, against a small Kubernetes API on loopback
//! (`common::fake_api`) that serves the rendered manifests as cluster objects, with their
//! pods, ReplicaSets, EndpointSlices and status. Every request is recorded, and the exact
//! sequence of resource GETs and PATCHes (verb, path, selectors, content type, body) is
//! asserted. No cluster runs on these machines; this is what was tried instead.

mod common;

use std::path::Path;

use serde_json::{Value, json};

use common::fake_api::{OLD_ARGO, kubeconfig, resource_requests, start};
use common::{repo, run_in};

/// How the fixture cluster is off: a workload whose status says 0 Ready, or whose pods
/// are not Ready while its status says they are (what only the EndpointSlices show).
#[derive(Clone, Copy, PartialEq)]
enum Unready<'a> {
    None,
    Status(&'a str),
    Pods(&'a str),
}

fn rendered(strategy: &str, traffic: &str) -> Vec<Value> {
    let spec = repo().join("examples/app/zerodown.yaml");
    let render = run_in(
        &repo(),
        &[
            "render",
            spec.to_str().unwrap(),
            "--no-config",
            "--strategy",
            strategy,
            "--traffic",
            traffic,
        ],
        "",
    );
    assert_eq!(render.code, 0, "{}", render.stderr);
    let (documents, errors) = zerodown::yaml::load(&render.stdout);
    assert!(errors.is_empty());
    documents
        .into_iter()
        .map(|d| d.value)
        .filter(|v| v.is_object())
        .collect()
}

/// The rendered manifests as a running cluster: workloads with a status and Ready pods;
/// each Deployment with two ReplicaSets (revision 1 ran `:1.4.1`, revision 2 is the
/// template); each Rollout paused mid-update.
fn cluster_objects(strategy: &str, traffic: &str, unready: Unready<'_>) -> Vec<Value> {
    let mut objects = Vec::new();
    for (w, mut v) in rendered(strategy, traffic).into_iter().enumerate() {
        let kind = v["kind"].as_str().unwrap().to_string();
        if !matches!(kind.as_str(), "Deployment" | "Rollout") {
            objects.push(v);
            continue;
        }
        let name = v["metadata"]["name"].as_str().unwrap().to_string();
        let replicas = v["spec"]["replicas"].as_i64().unwrap_or(1);
        let ready = if unready == Unready::Status(&name) {
            0
        } else {
            replicas
        };
        v["metadata"]["uid"] = json!(format!("uid-{name}"));
        v["metadata"]["generation"] = json!(2);
        v["status"] = json!({"observedGeneration": 2, "replicas": replicas,
            "updatedReplicas": replicas, "readyReplicas": ready, "availableReplicas": ready});
        if kind == "Rollout" {
            let pause = if v["spec"]["strategy"]["blueGreen"].is_object() {
                "BlueGreenPause"
            } else {
                "CanaryPauseStep"
            };
            v["status"] = json!({"phase": "Paused", "message": pause, "replicas": replicas,
                "readyReplicas": ready, "availableReplicas": ready, "currentStepIndex": 0,
                "currentPodHash": "new5d8f", "stableRS": "old7c9b",
                "pauseConditions": [{"reason": pause, "startTime": "2026-12-01T10:00:00Z"}]});
        }
        let labels = v["spec"]["template"]["metadata"]["labels"].clone();
        for i in 0..replicas {
            objects.push(json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": format!("{name}-5d8f7c-{i}"), "namespace": "shop", "labels": labels},
                "status": {"podIP": format!("10.1.{w}.{i}"), "ready": unready != Unready::Pods(&name)}}));
        }
        if kind == "Deployment" {
            v["metadata"]["annotations"] = json!({"deployment.kubernetes.io/revision": "2"});
            for (revision, hash) in [(1, "old7c9b"), (2, "new5d8f")] {
                let mut template = v["spec"]["template"].clone();
                template["metadata"]["labels"]["pod-template-hash"] = json!(hash);
                if revision == 1 {
                    template["spec"]["containers"][0]["image"] =
                        json!("ghcr.io/acme/checkout:1.4.1");
                }
                objects.push(json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
                    "metadata": {"name": format!("{name}-{hash}"), "namespace": "shop", "uid": format!("uid-{hash}"),
                        "labels": template["metadata"]["labels"],
                        "annotations": {"deployment.kubernetes.io/revision": revision.to_string()},
                        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment",
                            "name": name, "uid": format!("uid-{name}"), "controller": true}]},
                    "spec": {"replicas": if revision == 2 { replicas } else { 0 },
                        "selector": v["spec"]["selector"], "template": template}}));
            }
        }
        objects.push(v);
    }
    objects
}

/// Runs `zerodown ARGS --live` with kubectl pointed at the loopback API.
fn live(dir: &Path, server: &str, args: &[&str]) -> common::Run {
    let config = kubeconfig(dir, server);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_zerodown"))
        .args(args)
        .args(["--live", "--namespace", "shop"])
        .current_dir(dir)
        .env("KUBECONFIG", &config)
        .env("HOME", dir)
        .output()
        .unwrap();
    common::Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The reads every live move starts with (Istio is not served by this API, so kubectl
/// sends no request for it).
const LISTS: &[&str] = &[
    "GET /api/v1/namespaces/shop/services",
    "GET /apis/apps/v1/namespaces/shop/deployments",
    "GET /apis/apps/v1/namespaces/shop/statefulsets",
    "GET /apis/apps/v1/namespaces/shop/daemonsets",
    "GET /apis/networking.k8s.io/v1/namespaces/shop/ingresses",
    "GET /apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes",
    "GET /apis/argoproj.io/v1alpha1/namespaces/shop/rollouts",
];

fn with_lists(rest: &[String]) -> Vec<String> {
    LISTS
        .iter()
        .map(|s| s.to_string())
        .chain(rest.iter().cloned())
        .collect()
}

fn slices_of(service: &str) -> String {
    format!(
        "GET /apis/discovery.k8s.io/v1/namespaces/shop/endpointslices?labelSelector=kubernetes.io/service-name={service}"
    )
}

fn service_patches() -> Vec<String> {
    let mut expected = Vec::new();
    // kubectl patch reads the object, then sends the merge patch.
    for (name, colour) in [("checkout", "green"), ("checkout-preview", "blue")] {
        expected.push(format!("GET /api/v1/namespaces/shop/services/{name}"));
        expected.push(format!(
            "PATCH /api/v1/namespaces/shop/services/{name} application/merge-patch+json {{\"spec\":{{\"selector\":{{\"zerodown.dev/color\":\"{colour}\"}}}}}}"
        ));
    }
    expected
}

#[test]
fn switch_live_checks_the_preview_endpoints_and_patches_both_services() {
    let dir = tempfile::tempdir().unwrap();
    let (server, store, log) = start(cluster_objects("blue-green", "gateway", Unready::None));
    let run = live(dir.path(), &server, &["switch"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut expected = vec![slices_of("checkout-preview")];
    expected.extend(service_patches());
    assert_eq!(resource_requests(&log), with_lists(&expected));
    let services = store.lock().unwrap()["services"].clone();
    let live_colour = services
        .iter()
        .find(|s| s["metadata"]["name"] == "checkout")
        .unwrap()["spec"]["selector"]["zerodown.dev/color"]
        .clone();
    assert_eq!(live_colour, "green");
}

#[test]
fn switch_live_wait_watches_the_live_service_until_only_the_target_serves_it() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _, log) = start(cluster_objects("blue-green", "gateway", Unready::None));
    let run = live(
        dir.path(),
        &server,
        &["switch", "--wait", "--timeout", "10s"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("Service shop/checkout: served by the target only"),
        "{}",
        run.stderr
    );
    let mut expected = vec![slices_of("checkout-preview")];
    expected.extend(service_patches());
    expected.push(slices_of("checkout"));
    expected.push("GET /api/v1/namespaces/shop/pods?labelSelector=app.kubernetes.io/name=checkout,zerodown.dev/color=green".to_string());
    assert_eq!(resource_requests(&log), with_lists(&expected));
}

#[test]
fn switch_live_refuses_a_colour_that_is_not_ready() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _, log) = start(cluster_objects(
        "blue-green",
        "gateway",
        Unready::Status("checkout-green"),
    ));
    let run = live(dir.path(), &server, &["switch"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("checkout-green: 0 of"),
        "{}",
        run.stderr
    );
    assert_eq!(
        resource_requests(&log),
        with_lists(&[slices_of("checkout-preview")]),
        "read, and nothing patched"
    );
}

#[test]
fn switch_live_refuses_when_only_the_endpoints_show_the_pods_unready() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _, log) = start(cluster_objects(
        "blue-green",
        "gateway",
        Unready::Pods("checkout-green"),
    ));
    let run = live(dir.path(), &server, &["switch"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("Service shop/checkout-preview: 0 of 3 endpoints Ready"),
        "{}",
        run.stderr
    );
    assert!(
        !resource_requests(&log)
            .iter()
            .any(|r| r.starts_with("PATCH"))
    );
    // --force moves anyway, and says what it overrode.
    let forced = live(dir.path(), &server, &["switch", "--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(forced.stderr.contains("warning: not Ready (--force)"));
}

#[test]
fn set_weight_live_checks_the_canary_service_and_patches_the_route_weights() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _, log) = start(cluster_objects("canary", "gateway", Unready::None));
    let run = live(dir.path(), &server, &["set-weight", "50"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let requests = resource_requests(&log);
    assert_eq!(
        &requests[..LISTS.len() + 1],
        with_lists(&[slices_of("checkout-canary")])
    );
    let patch = requests.last().unwrap();
    assert!(patch.starts_with("PATCH /apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes/checkout application/merge-patch+json "), "{patch}");
    let body: Value = serde_json::from_str(patch.splitn(4, ' ').nth(3).unwrap()).unwrap();
    let weights: Vec<i64> = body["spec"]["rules"][0]["backendRefs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["weight"].as_i64().unwrap())
        .collect();
    assert_eq!(weights, [50, 50]);
}

#[test]
fn set_weight_live_refuses_a_canary_without_ready_endpoints() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _, log) = start(cluster_objects(
        "canary",
        "gateway",
        Unready::Pods("checkout-canary"),
    ));
    let run = live(dir.path(), &server, &["set-weight", "10"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("Service shop/checkout-canary: 0 of 1 endpoints Ready"),
        "{}",
        run.stderr
    );
    assert!(
        !resource_requests(&log)
            .iter()
            .any(|r| r.starts_with("PATCH"))
    );
    // Taking the canary out of traffic needs no ready canary.
    let back = live(dir.path(), &server, &["set-weight", "0"]);
    assert_eq!(back.code, 0, "{}", back.stderr);
}

/// The requests of a `kubectl rollout status` (its watch is left out: kubectl may or may
/// not open it before it sees the listed Deployment complete).
fn without_watches(requests: Vec<String>) -> Vec<String> {
    requests
        .into_iter()
        .filter(|r| !r.contains("watch=true"))
        .collect()
}

#[test]
fn rollback_live_undoes_a_plain_deployment_and_waits_for_its_rollout() {
    let dir = tempfile::tempdir().unwrap();
    let (server, store, log) = start(cluster_objects("rolling", "gateway", Unready::None));
    let run = live(dir.path(), &server, &["rollback"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("rolled back"), "{}", run.stderr);
    assert!(
        run.stderr.contains("successfully rolled out"),
        "{}",
        run.stderr
    );
    let requests = without_watches(resource_requests(&log));
    let deployment = "/apis/apps/v1/namespaces/shop/deployments";
    let patch = requests
        .iter()
        .find(|r| r.starts_with("PATCH"))
        .expect("a patch")
        .clone();
    assert_eq!(
        requests,
        with_lists(&[
            // rollout undo: the object, again through the typed client, its ReplicaSets,
            // then the template of the previous revision as a JSON patch.
            format!("GET {deployment}/checkout"),
            format!("GET {deployment}/checkout"),
            "GET /apis/apps/v1/namespaces/shop/replicasets?labelSelector=app.kubernetes.io/name=checkout".to_string(),
            patch.clone(),
            // rollout status: the object, a list of just it (then a watch, left out).
            format!("GET {deployment}/checkout"),
            format!("GET {deployment}?fieldSelector=metadata.name=checkout"),
        ])
    );
    assert!(
        patch.starts_with(&format!(
            "PATCH {deployment}/checkout application/json-patch+json [{{\"op\":\"replace\",\"path\":\"/spec/template\""
        )),
        "{patch}"
    );
    let deployment = store.lock().unwrap()["deployments"][0].clone();
    assert_eq!(
        deployment["spec"]["template"]["spec"]["containers"][0]["image"],
        "ghcr.io/acme/checkout:1.4.1"
    );
}

#[test]
fn rollback_live_to_the_current_revision_is_skipped_by_kubectl() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _, log) = start(cluster_objects("rolling", "gateway", Unready::None));
    let run = live(dir.path(), &server, &["rollback", "--to-revision", "2"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("skipped rollback"), "{}", run.stderr);
    assert!(
        !resource_requests(&log)
            .iter()
            .any(|r| r.starts_with("PATCH"))
    );
    let missing = live(dir.path(), &server, &["rollback", "--to-revision", "9"]);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(
        missing
            .stderr
            .contains("unable to find specified revision 9"),
        "{}",
        missing.stderr
    );
}

#[test]
fn rollback_live_fails_when_the_rollout_does_not_complete_in_time() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _, _) = start(cluster_objects(
        "rolling",
        "gateway",
        Unready::Status("checkout"),
    ));
    let run = live(dir.path(), &server, &["rollback", "--timeout", "1s"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("the move was made but did not finish"),
        "{}",
        run.stderr
    );
}

#[test]
fn rollback_live_refuses_to_guess_between_workloads() {
    let dir = tempfile::tempdir().unwrap();
    let mut objects = cluster_objects("rolling", "gateway", Unready::None);
    let mut other = objects
        .iter()
        .find(|o| o["kind"] == "Deployment")
        .unwrap()
        .clone();
    other["metadata"]["name"] = json!("payments");
    objects.push(other);
    let (server, _, log) = start(objects);
    let run = live(dir.path(), &server, &["rollback"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("Deployment/checkout, Deployment/payments; name one with --name"),
        "{}",
        run.stderr
    );
    assert_eq!(resource_requests(&log), with_lists(&[]));
    let named = live(dir.path(), &server, &["rollback", "--name", "checkout"]);
    assert_eq!(named.code, 0, "{}", named.stderr);
}

#[test]
fn promote_live_of_an_argo_blue_green_clears_its_pause_through_the_status_subresource() {
    let dir = tempfile::tempdir().unwrap();
    let (server, store, log) = start(cluster_objects(
        "blue-green",
        "argo-rollouts",
        Unready::None,
    ));
    let run = live(
        dir.path(),
        &server,
        &["promote", "--wait", "--timeout", "10s"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rollout = "/apis/argoproj.io/v1alpha1/namespaces/shop/rollouts/checkout";
    assert_eq!(
        resource_requests(&log),
        with_lists(&[
            slices_of("checkout-preview"),
            format!("GET {rollout}/status"),
            format!(
                "PATCH {rollout}/status application/merge-patch+json {{\"status\":{{\"pauseConditions\":null}}}}"
            ),
            format!("GET {rollout}"),
        ])
    );
    assert!(run.stderr.contains("Rollout is Healthy"), "{}", run.stderr);
    assert_eq!(
        store.lock().unwrap()["rollouts"][0]["status"]["phase"],
        "Healthy"
    );
}

#[test]
fn switch_live_of_an_argo_blue_green_is_its_promote() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _, log) = start(cluster_objects(
        "blue-green",
        "argo-rollouts",
        Unready::None,
    ));
    let run = live(dir.path(), &server, &["switch"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(resource_requests(&log).iter().any(|r| {
        r.starts_with("PATCH /apis/argoproj.io/v1alpha1/namespaces/shop/rollouts/checkout/status")
    }));
}

#[test]
fn promote_live_refuses_an_argo_preview_without_ready_pods() {
    let dir = tempfile::tempdir().unwrap();
    let mut objects = cluster_objects("blue-green", "argo-rollouts", Unready::Pods("checkout"));
    objects
        .retain(|o| o["kind"] != "Pod" || !o["metadata"]["name"].as_str().unwrap().ends_with("-0"));
    let (server, _, log) = start(objects);
    let run = live(dir.path(), &server, &["promote"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("Service shop/checkout-preview: 0 of 3 endpoints Ready"),
        "{}",
        run.stderr
    );
    assert!(
        !resource_requests(&log)
            .iter()
            .any(|r| r.starts_with("PATCH"))
    );
}

#[test]
fn abort_live_of_an_argo_canary_and_the_v0_9_fallback() {
    let dir = tempfile::tempdir().unwrap();
    let (server, store, log) = start(cluster_objects("canary", "argo-rollouts", Unready::None));
    let run = live(
        dir.path(),
        &server,
        &["abort", "--wait", "--timeout", "10s"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rollout = "/apis/argoproj.io/v1alpha1/namespaces/shop/rollouts/checkout";
    assert_eq!(
        resource_requests(&log),
        with_lists(&[
            format!("GET {rollout}/status"),
            format!(
                "PATCH {rollout}/status application/merge-patch+json {{\"status\":{{\"abort\":true}}}}"
            ),
            format!("GET {rollout}"),
        ])
    );
    assert!(run.stderr.contains("Rollout aborted"), "{}", run.stderr);

    assert_eq!(
        store.lock().unwrap()["rollouts"][0]["status"]["abort"],
        true
    );

    // Argo Rollouts v0.9 has no status subresource: after its NotFound, the plugin's
    // fallback patches the object itself.
    let (server, store, log) = start(cluster_objects("canary", "argo-rollouts", Unready::None));
    store
        .lock()
        .unwrap()
        .insert(OLD_ARGO.to_string(), Vec::new());
    let run = live(dir.path(), &server, &["rollback"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        resource_requests(&log),
        with_lists(&[
            format!("GET {rollout}/status"),
            // kubectl checks the namespace exists when a GET answers NotFound.
            "GET /api/v1/namespaces/shop".to_string(),
            format!("GET {rollout}"),
            format!(
                "PATCH {rollout} application/merge-patch+json {{\"status\":{{\"abort\":true}}}}"
            ),
        ])
    );
}

#[test]
fn promote_live_of_an_argo_canary_paused_at_a_step() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _, log) = start(cluster_objects("canary", "argo-rollouts", Unready::None));
    let run = live(dir.path(), &server, &["promote"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(resource_requests(&log).contains(&
        "PATCH /apis/argoproj.io/v1alpha1/namespaces/shop/rollouts/checkout/status application/merge-patch+json {\"status\":{\"pauseConditions\":null}}".to_string()
    ));
}
