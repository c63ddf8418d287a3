//! A small Kubernetes API on loopback for the real kubectl to talk to: discovery, lists
//! (label and field selectors), GET, PATCH (merge, strategic merge as merge, JSON patch),
//! the `status` subresource, and watches that stay open with no events (kubectl's `rollout
//! status` lists first and is done when the listed object is). EndpointSlices and Endpoints
//! are derived on every read from the Services and Pods in the store, as the endpoint
//! controllers would: a Service patched to another selector is served by other pods at
//! once. Every request is recorded. Threads are detached; the API serves until the test
//! process ends.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// The selectors and `watch` of the query, decoded: `labelSelector=a=b`.
    pub query: Vec<String>,
    pub content_type: String,
    pub body: String,
}

pub type Store = Arc<Mutex<BTreeMap<String, Vec<Value>>>>;
pub type Log = Arc<Mutex<Vec<Request>>>;

/// Resource name → (group/version path, kind, has a status subresource).
const RESOURCES: &[(&str, &str, &str)] = &[
    ("services", "/api/v1", "Service"),
    ("pods", "/api/v1", "Pod"),
    ("endpoints", "/api/v1", "Endpoints"),
    ("deployments", "/apis/apps/v1", "Deployment"),
    ("statefulsets", "/apis/apps/v1", "StatefulSet"),
    ("daemonsets", "/apis/apps/v1", "DaemonSet"),
    ("replicasets", "/apis/apps/v1", "ReplicaSet"),
    ("ingresses", "/apis/networking.k8s.io/v1", "Ingress"),
    (
        "httproutes",
        "/apis/gateway.networking.k8s.io/v1",
        "HTTPRoute",
    ),
    (
        "endpointslices",
        "/apis/discovery.k8s.io/v1",
        "EndpointSlice",
    ),
    ("rollouts", "/apis/argoproj.io/v1alpha1", "Rollout"),
];

const GROUPS: &[&str] = &[
    "apps/v1",
    "networking.k8s.io/v1",
    "gateway.networking.k8s.io/v1",
    "discovery.k8s.io/v1",
    "argoproj.io/v1alpha1",
];

fn not_found() -> (u16, Value) {
    (
        404,
        json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound",
               "message": "the server could not find the requested resource", "code": 404}),
    )
}

fn discovery(path: &str) -> Option<Value> {
    Some(match path {
        "/version" => json!({"major": "1", "minor": "32", "gitVersion": "v1.32.0"}),
        "/api" => {
            json!({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []})
        }
        "/apis" => {
            let groups: Vec<Value> = GROUPS
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
            let group_version = path
                .strip_prefix("/apis/")
                .map_or(path.strip_prefix("/api/"), Some)?
                .to_string();
            let mut resources: Vec<Value> = Vec::new();
            for (name, _, kind) in RESOURCES.iter().filter(|(_, p, _)| *p == path) {
                resources.push(json!({"name": name, "singularName": kind.to_lowercase(),
                    "namespaced": true, "kind": kind, "verbs": ["get", "list", "patch", "watch"]}));
                resources.push(json!({"name": format!("{name}/status"), "singularName": "",
                    "namespaced": true, "kind": kind, "verbs": ["get", "patch"]}));
            }
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

/// RFC 6902, the ops kubectl sends (`replace`, `add`, `remove`) on object members.
fn json_patch(target: &mut Value, ops: &Value) {
    for op in ops.as_array().unwrap() {
        let path = op["path"].as_str().unwrap();
        let (parent, key) = path.rsplit_once('/').unwrap();
        let key = key.replace("~1", "/").replace("~0", "~");
        let parent = target.pointer_mut(parent).unwrap();
        match op["op"].as_str().unwrap() {
            "remove" => {
                parent.as_object_mut().unwrap().remove(&key);
            }
            _ => {
                parent
                    .as_object_mut()
                    .unwrap()
                    .insert(key, op["value"].clone());
            }
        }
    }
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

fn selected(labels: &Value, selector: &str) -> bool {
    selector
        .split(',')
        .filter(|s| !s.is_empty())
        .all(|term| match term.split_once('=') {
            Some((k, v)) => labels.get(k).and_then(Value::as_str) == Some(v),
            None => labels.get(term).is_some(),
        })
}

fn selects(selector: &Value, labels: &Value) -> bool {
    selector
        .as_object()
        .is_some_and(|s| !s.is_empty() && s.iter().all(|(k, v)| labels.get(k) == Some(v)))
}

/// The endpoint controllers: one EndpointSlice and one Endpoints per Service, from the pods
/// its selector matches now.
fn derived(store: &BTreeMap<String, Vec<Value>>, resource: &str) -> Vec<Value> {
    let pods = store.get("pods").cloned().unwrap_or_default();
    let services = store.get("services").cloned().unwrap_or_default();
    services
        .iter()
        .map(|service| {
            let name = service["metadata"]["name"].as_str().unwrap();
            let namespace = service["metadata"]["namespace"].as_str().unwrap_or("shop");
            let members: Vec<&Value> = pods
                .iter()
                .filter(|p| selects(&service["spec"]["selector"], &p["metadata"]["labels"]))
                .collect();
            let ready = |p: &Value| p["status"]["ready"] != false;
            if resource == "endpointslices" {
                let endpoints: Vec<Value> = members
                    .iter()
                    .map(|p| json!({"addresses": [p["status"]["podIP"]],
                        "conditions": {"ready": ready(p)},
                        "targetRef": {"kind": "Pod", "name": p["metadata"]["name"], "namespace": namespace}}))
                    .collect();
                json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                    "metadata": {"name": format!("{name}-x1"), "namespace": namespace,
                                 "labels": {"kubernetes.io/service-name": name}},
                    "addressType": "IPv4", "endpoints": endpoints})
            } else {
                let (up, down): (Vec<&Value>, Vec<&Value>) =
                    members.iter().partition(|p| ready(p));
                let address = |p: &&Value| json!({"ip": p["status"]["podIP"],
                    "targetRef": {"kind": "Pod", "name": p["metadata"]["name"]}});
                json!({"apiVersion": "v1", "kind": "Endpoints",
                    "metadata": {"name": name, "namespace": namespace},
                    "subsets": [{"addresses": up.iter().map(address).collect::<Vec<_>>(),
                                 "notReadyAddresses": down.iter().map(address).collect::<Vec<_>>()}]})
            }
        })
        .collect()
}

/// A store key that makes Rollouts answer as Argo Rollouts v0.9 (no status subresource).
pub const OLD_ARGO: &str = "argo-v0.9";

/// The Argo Rollouts controller, reduced to what a promote or abort makes it do at once:
/// an unpaused Rollout becomes Healthy on the new version; an aborted one Degraded, back on
/// the stable pods.
fn argo_controller(rollout: &mut Value) {
    let status = &mut rollout["status"];
    if status["abort"] == true {
        status["phase"] = json!("Degraded");
        status["message"] = json!("RolloutAborted: Rollout aborted update to revision 2");
    } else if status.get("pauseConditions").is_none() && rollout["spec"]["paused"] != true {
        rollout["status"]["phase"] = json!("Healthy");
        rollout["status"]["stableRS"] = rollout["status"]["currentPodHash"].clone();
    }
}

/// How the API answers: `None` when a watch is to be held open.
fn respond(store: &Store, request: &Request) -> Option<(u16, Value)> {
    if let Some(body) = discovery(&request.path) {
        return Some((200, body));
    }
    if request.query.iter().any(|q| q == "watch=true") {
        return None;
    }
    if request.path == "/api/v1/namespaces/shop" {
        return Some((
            200,
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}),
        ));
    }
    for (resource, prefix, kind) in RESOURCES {
        let Some(rest) = request
            .path
            .strip_prefix(&format!("{prefix}/namespaces/shop/{resource}"))
        else {
            continue;
        };
        if !rest.is_empty() && !rest.starts_with('/') {
            continue;
        }
        let mut store = store.lock().unwrap();
        let old_argo = store.contains_key(OLD_ARGO);
        let mut objects = if matches!(*resource, "endpointslices" | "endpoints") {
            derived(&store, resource)
        } else {
            store.entry(resource.to_string()).or_default().clone()
        };
        if rest.is_empty() {
            for query in &request.query {
                if let Some(selector) = query.strip_prefix("labelSelector=") {
                    objects.retain(|o| selected(&o["metadata"]["labels"], selector));
                }
                if let Some(name) = query.strip_prefix("fieldSelector=metadata.name=") {
                    objects.retain(|o| o["metadata"]["name"] == name);
                }
            }
            return Some((
                200,
                json!({"apiVersion": prefix.trim_start_matches("/apis/").trim_start_matches("/api/"),
                       "kind": format!("{kind}List"),
                       "metadata": {"resourceVersion": "7"}, "items": objects}),
            ));
        }
        let rest = rest.trim_start_matches('/');
        let (name, subresource) = rest.split_once('/').unwrap_or((rest, ""));
        let Some(object) = store
            .get_mut(*resource)
            .and_then(|list| list.iter_mut().find(|o| o["metadata"]["name"] == name))
        else {
            return Some(
                objects
                    .into_iter()
                    .find(|o| o["metadata"]["name"] == name)
                    .map_or_else(not_found, |o| (200, o)),
            );
        };
        // Only Rollouts have a status subresource here, and not when the test plays Argo
        // Rollouts v0.9: others answer NotFound to it, as a CRD without it does.
        if !subresource.is_empty()
            && (subresource != "status" || *resource != "rollouts" || old_argo)
        {
            return Some(not_found());
        }
        if request.method == "PATCH" {
            let patch: Value = serde_json::from_str(&request.body).unwrap();
            if request.content_type.starts_with("application/json-patch") {
                json_patch(object, &patch);
            } else {
                merge(object, &patch);
            }
            if *resource == "rollouts" {
                argo_controller(object);
            }
        }
        return Some((200, object.clone()));
    }
    Some(not_found())
}

fn serve(stream: TcpStream, store: Store, log: Log) {
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
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let query: Vec<String> = query
            .split('&')
            .map(decode)
            .filter(|q| {
                q.starts_with("labelSelector=")
                    || q.starts_with("fieldSelector=")
                    || q == "watch=true"
            })
            .collect();
        let request = Request {
            method,
            path: path.to_string(),
            query,
            content_type,
            body: String::from_utf8_lossy(&body).into_owned(),
        };
        let answer = respond(&store, &request);
        log.lock().unwrap().push(request);
        let Some((status, value)) = answer else {
            // A watch: headers, then nothing until the client goes away.
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            );
            let _ = stream.flush();
            let mut sink = [0u8; 64];
            while matches!(reader.read(&mut sink), Ok(n) if n > 0) {}
            return;
        };
        let data = value.to_string();
        let _ = write!(
            stream,
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{data}",
            data.len()
        );
    }
}

/// Starts the API with `objects` (kinds it does not serve are left out).
pub fn start(objects: Vec<Value>) -> (String, Store, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let store: Store = Arc::new(Mutex::new(BTreeMap::new()));
    for object in objects {
        let kind = object["kind"].as_str().unwrap().to_string();
        if let Some((resource, ..)) = RESOURCES.iter().find(|(_, _, k)| *k == kind) {
            store
                .lock()
                .unwrap()
                .entry(resource.to_string())
                .or_default()
                .push(object);
        }
    }
    let log: Log = Arc::new(Mutex::new(Vec::new()));
    let (s, l) = (Arc::clone(&store), Arc::clone(&log));
    std::thread::spawn(move || {
        for stream in listener.incoming().take(5_000) {
            let Ok(stream) = stream else { continue };
            let (s, l) = (Arc::clone(&s), Arc::clone(&l));
            std::thread::spawn(move || serve(stream, s, l));
        }
    });
    (address, store, log)
}

/// A kubeconfig in `dir` whose current context talks to `server`, namespace `shop`.
pub fn kubeconfig(dir: &Path, server: &str) -> PathBuf {
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

/// The resource requests (discovery left out): `GET path [query]` / `PATCH path type body`.
pub fn resource_requests(log: &Log) -> Vec<String> {
    log.lock()
        .unwrap()
        .iter()
        .filter(|r| r.path.contains("/namespaces/"))
        .map(|r| match r.method.as_str() {
            "PATCH" => format!("PATCH {} {} {}", r.path, r.content_type, r.body),
            m if r.query.is_empty() => format!("{m} {}", r.path),
            m => format!("{m} {}?{}", r.path, r.query.join("&")),
        })
        .collect()
}
