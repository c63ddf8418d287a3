//! The `--live` moves through the real kubectl, against a small Kubernetes API on loopback
//! that this test serves: discovery, lists of fixture objects (the rendered manifests, with
//! a status), and PATCH applied as a JSON merge patch. Every request is recorded, and the
//! exact sequence of resource GETs and PATCHes (verb, path, content type, body) is asserted.
//! (No cluster runs on these machines; this is what was tried instead.)

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use common::{repo, run_in};

#[derive(Clone, Debug, PartialEq)]
struct Request {
    method: String,
    path: String,
    content_type: String,
    body: String,
}

type Store = Arc<Mutex<BTreeMap<String, Vec<Value>>>>;

/// Resource name → (group/version path prefix, kind).
const RESOURCES: &[(&str, &str, &str)] = &[
    ("services", "/api/v1", "Service"),
    ("deployments", "/apis/apps/v1", "Deployment"),
    ("statefulsets", "/apis/apps/v1", "StatefulSet"),
    ("ingresses", "/apis/networking.k8s.io/v1", "Ingress"),
    (
        "httproutes",
        "/apis/gateway.networking.k8s.io/v1",
        "HTTPRoute",
    ),
];

fn discovery(path: &str) -> Option<Value> {
    Some(match path {
        "/version" => json!({"major": "1", "minor": "32", "gitVersion": "v1.32.0"}),
        "/api" => {
            json!({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []})
        }
        "/apis" => {
            let groups: Vec<Value> = [
                "apps/v1",
                "networking.k8s.io/v1",
                "gateway.networking.k8s.io/v1",
            ]
            .iter()
            .map(|gv| {
                let (group, version) = gv.split_once('/').unwrap();
                json!({"name": group, "versions": [{"groupVersion": gv, "version": version}],
                           "preferredVersion": {"groupVersion": gv, "version": version}})
            })
            .collect();
            json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
        }
        _ => {
            let prefix = path
                .strip_prefix("/apis/")
                .map_or(path.strip_prefix("/api/"), Some)?;
            let group_version = prefix.to_string();
            let resources: Vec<Value> = RESOURCES
                .iter()
                .filter(|(_, p, _)| *p == path)
                .map(|(name, _, kind)| {
                    json!({"name": name, "singularName": kind.to_lowercase(), "namespaced": true, "kind": kind,
                           "verbs": ["get", "list", "patch"]})
                })
                .collect();
            if resources.is_empty() {
                return None;
            }
            json!({"kind": "APIResourceList", "groupVersion": group_version, "resources": resources})
        }
    })
}

fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

fn respond(store: &Store, request: &Request) -> (u16, Value) {
    if let Some(body) = discovery(&request.path) {
        return (200, body);
    }
    // /api/v1/namespaces/shop/services[/name]
    for (resource, prefix, kind) in RESOURCES {
        let Some(rest) = request
            .path
            .strip_prefix(&format!("{prefix}/namespaces/shop/{resource}"))
        else {
            continue;
        };
        let mut store = store.lock().unwrap();
        let objects = store.entry(resource.to_string()).or_default();
        if rest.is_empty() {
            return (
                200,
                json!({"apiVersion": "v1", "kind": format!("{kind}List"), "metadata": {}, "items": objects}),
            );
        }
        let name = rest.trim_start_matches('/');
        let Some(object) = objects.iter_mut().find(|o| o["metadata"]["name"] == name) else {
            return (
                404,
                json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404}),
            );
        };
        if request.method == "PATCH" {
            merge(object, &serde_json::from_str(&request.body).unwrap());
        }
        return (200, object.clone());
    }
    (
        404,
        json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404}),
    )
}

fn serve(stream: TcpStream, store: Store, log: Arc<Mutex<Vec<Request>>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, target) = (
            parts.next().unwrap_or("").to_string(),
            parts.next().unwrap_or("").to_string(),
        );
        let mut length = 0;
        let mut content_type = String::new();
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                match name.to_ascii_lowercase().as_str() {
                    "content-length" => length = value.trim().parse().unwrap_or(0),
                    "content-type" => content_type = value.trim().to_string(),
                    _ => {}
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let request = Request {
            method,
            path: target.split('?').next().unwrap_or("").to_string(),
            content_type,
            body: String::from_utf8_lossy(&body).into_owned(),
        };
        let (status, value) = respond(&store, &request);
        log.lock().unwrap().push(request);
        let data = value.to_string();
        let _ = write!(
            stream,
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{data}",
            data.len()
        );
    }
}

/// Starts the API; bounded: it serves until the test process ends (threads are detached).
fn start(objects: Vec<Value>) -> (String, Store, Arc<Mutex<Vec<Request>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let store: Store = Arc::new(Mutex::new(BTreeMap::new()));
    for object in objects {
        let kind = object["kind"].as_str().unwrap().to_string();
        // Kinds this API does not serve (PodDisruptionBudget…) are left out.
        if let Some((resource, ..)) = RESOURCES.iter().find(|(_, _, k)| *k == kind) {
            store
                .lock()
                .unwrap()
                .entry(resource.to_string())
                .or_default()
                .push(object);
        }
    }
    let log = Arc::new(Mutex::new(Vec::new()));
    let (s, l) = (Arc::clone(&store), Arc::clone(&log));
    std::thread::spawn(move || {
        for stream in listener.incoming().take(2_000) {
            let Ok(stream) = stream else { continue };
            let (s, l) = (Arc::clone(&s), Arc::clone(&l));
            std::thread::spawn(move || serve(stream, s, l));
        }
    });
    (address, store, log)
}

/// The rendered manifests as cluster objects: JSON, every workload Ready unless `unready`.
fn cluster_objects(strategy: &str, traffic: &str, unready: Option<&str>) -> Vec<Value> {
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
        .map(|mut v| {
            if v["kind"] == "Deployment" {
                let replicas = v["spec"]["replicas"].as_i64().unwrap_or(1);
                let ready = if Some(v["metadata"]["name"].as_str().unwrap()) == unready {
                    0
                } else {
                    replicas
                };
                v["status"] = json!({"replicas": replicas, "readyReplicas": ready});
            }
            v
        })
        .collect()
}

fn kubeconfig(dir: &Path, server: &str) -> std::path::PathBuf {
    let path = dir.join("kubeconfig");
    std::fs::write(
        &path,
        format!(
            "apiVersion: v1\nkind: Config\nclusters: [{{name: loop, cluster: {{server: \"{server}\"}}}}]\n\
             contexts: [{{name: loop, context: {{cluster: loop, user: u, namespace: shop}}}}]\nusers: [{{name: u, user: {{}}}}]\n\
             current-context: loop\n"
        ),
    )
    .unwrap();
    path
}

/// Runs `zerodown ARGS --live` with kubectl pointed at the loopback API.
fn live(dir: &Path, server: &str, args: &[&str]) -> common::Run {
    let config = kubeconfig(dir, server);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_zerodown"));
    child
        .args(args)
        .args(["--live", "--namespace", "shop"])
        .current_dir(dir)
        .env("KUBECONFIG", &config)
        .env("HOME", dir);
    let output = child.output().unwrap();
    common::Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The resource requests (discovery left out): `GET path` / `PATCH path type body`.
fn resource_requests(log: &Arc<Mutex<Vec<Request>>>) -> Vec<String> {
    log.lock()
        .unwrap()
        .iter()
        .filter(|r| r.path.contains("/namespaces/"))
        .map(|r| match r.method.as_str() {
            "PATCH" => format!("PATCH {} {} {}", r.path, r.content_type, r.body),
            m => format!("{m} {}", r.path),
        })
        .collect()
}

const LISTS: &[&str] = &[
    "GET /api/v1/namespaces/shop/services",
    "GET /apis/apps/v1/namespaces/shop/deployments",
    "GET /apis/apps/v1/namespaces/shop/statefulsets",
    "GET /apis/networking.k8s.io/v1/namespaces/shop/ingresses",
    "GET /apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes",
];

#[test]
fn switch_live_reads_checks_readiness_and_patches_both_services() {
    let dir = tempfile::tempdir().unwrap();
    let (server, store, log) = start(cluster_objects("blue-green", "gateway", None));
    let run = live(dir.path(), &server, &["switch"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut expected: Vec<String> = LISTS.iter().map(|s| s.to_string()).collect();
    // kubectl patch reads the object, then sends the merge patch.
    for (name, colour) in [("checkout", "green"), ("checkout-preview", "blue")] {
        expected.push(format!("GET /api/v1/namespaces/shop/services/{name}"));
        expected.push(format!(
            "PATCH /api/v1/namespaces/shop/services/{name} application/merge-patch+json {{\"spec\":{{\"selector\":{{\"zerodown.dev/color\":\"{colour}\"}}}}}}"
        ));
    }
    assert_eq!(resource_requests(&log), expected);
    let services = store.lock().unwrap()["services"].clone();
    let live_colour = services
        .iter()
        .find(|s| s["metadata"]["name"] == "checkout")
        .unwrap()["spec"]["selector"]["zerodown.dev/color"]
        .clone();
    assert_eq!(live_colour, "green");
}

#[test]
fn switch_live_refuses_a_colour_that_is_not_ready() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _, log) = start(cluster_objects(
        "blue-green",
        "gateway",
        Some("checkout-green"),
    ));
    let run = live(dir.path(), &server, &["switch"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("checkout-green: 0 of"),
        "{}",
        run.stderr
    );
    assert_eq!(resource_requests(&log), LISTS, "read, and nothing patched");
}

#[test]
fn set_weight_live_patches_the_route_weights() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _, log) = start(cluster_objects("canary", "gateway", None));
    let run = live(dir.path(), &server, &["set-weight", "50"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let requests = resource_requests(&log);
    assert_eq!(&requests[..LISTS.len()], LISTS);
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
