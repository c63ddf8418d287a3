//! The app spec (`zerodown.yaml`): what a team writes, read with the same YAML stack and
//! path-tracking deserializer as manifests, so every error points at its key.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::input::InputError;
use crate::k8s::de::from_value;
use crate::k8s::image::image_tag;
use crate::source::SourceFile;

pub const STRATEGIES: &[&str] = &["rolling", "blue-green", "canary", "ab"];
pub const TRAFFIC: &[&str] = &["gateway", "istio", "nginx", "argo-rollouts"];
pub const COLORS: &[&str] = &["blue", "green"];

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppSpec {
    pub name: String,
    #[serde(default = "defaults::namespace")]
    pub namespace: String,
    pub image: String,
    #[serde(default = "defaults::port")]
    pub port: i64,
    #[serde(default = "defaults::replicas")]
    pub replicas: i64,
    #[serde(default = "defaults::strategy")]
    pub strategy: String,
    #[serde(default = "defaults::traffic")]
    pub traffic: String,
    #[serde(default)]
    pub host: Option<String>,
    /// The Gateway (`namespace/name` or `name`) an HTTPRoute attaches to, or the Istio
    /// Gateway a VirtualService binds.
    #[serde(default)]
    pub gateway: Option<String>,
    #[serde(default)]
    pub rolling: Rolling,
    #[serde(default)]
    pub blue_green: BlueGreen,
    #[serde(default)]
    pub canary: Option<Canary>,
    #[serde(default)]
    pub ab: Option<Ab>,
    #[serde(default)]
    pub probes: Probes,
    #[serde(default)]
    pub shutdown: Shutdown,
    #[serde(default)]
    pub migration: Option<Migration>,
    #[serde(default)]
    pub autoscaling: Option<Autoscaling>,
    #[serde(default)]
    pub resources: Resources,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rolling {
    #[serde(default = "defaults::max_surge")]
    pub max_surge: Scalar,
    #[serde(default = "defaults::max_unavailable")]
    pub max_unavailable: Scalar,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlueGreen {
    #[serde(default = "defaults::active")]
    pub active: String,
    /// The standby colour's image; the live image when unset.
    #[serde(default)]
    pub standby_image: Option<String>,
    #[serde(default = "defaults::scale_down_delay")]
    pub scale_down_delay_seconds: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Canary {
    pub image: String,
    #[serde(default = "defaults::canary_weight")]
    pub weight: i64,
    #[serde(default = "defaults::second_track_replicas")]
    pub replicas: i64,
    /// Argo Rollouts setWeight steps; `[weight, 50]` when unset.
    #[serde(default)]
    pub steps: Option<Vec<i64>>,
    /// How long Argo Rollouts pauses at each step (`5m`); unset waits for a promote.
    #[serde(default)]
    pub pause: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ab {
    pub image: String,
    pub header: String,
    pub value: String,
    #[serde(default = "defaults::second_track_replicas")]
    pub replicas: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Probes {
    #[serde(default = "defaults::startup")]
    pub startup: Probe,
    #[serde(default = "defaults::readiness")]
    pub readiness: Probe,
    #[serde(default = "defaults::liveness")]
    pub liveness: Probe,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Probe {
    pub path: String,
    #[serde(default = "defaults::period")]
    pub period_seconds: i64,
    #[serde(default = "defaults::failure_threshold")]
    pub failure_threshold: i64,
    #[serde(default = "defaults::one")]
    pub success_threshold: i64,
    #[serde(default = "defaults::one")]
    pub timeout_seconds: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shutdown {
    /// How long the preStop hook sleeps so endpoints, kube-proxy and load balancers forget
    /// the pod before it stops accepting connections.
    #[serde(default = "defaults::pre_stop_sleep")]
    pub pre_stop_sleep_seconds: i64,
    /// How long the app gets after SIGTERM to finish in-flight requests.
    #[serde(default = "defaults::drain")]
    pub drain_seconds: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Migration {
    pub command: Vec<String>,
    pub database: DatabaseSecret,
    /// `host:port` the Job waits for before it migrates.
    pub wait_for: String,
    /// The image that migrates; the app's image when unset.
    #[serde(default)]
    pub image: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseSecret {
    pub secret: String,
    #[serde(default = "defaults::secret_key")]
    pub key: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Autoscaling {
    pub min_replicas: i64,
    pub max_replicas: i64,
    #[serde(default = "defaults::cpu_utilization")]
    pub target_cpu_utilization: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Resources {
    #[serde(default)]
    pub requests: BTreeMap<String, Scalar>,
    #[serde(default)]
    pub limits: BTreeMap<String, Scalar>,
}

/// A scalar that may be written as a number or a string (`1`, `25%`, `500m`).
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(untagged)]
pub enum Scalar {
    Int(i64),
    Text(String),
}

impl std::fmt::Display for Scalar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scalar::Int(n) => write!(f, "{n}"),
            Scalar::Text(text) => f.write_str(text),
        }
    }
}

mod defaults {
    use super::*;

    pub fn namespace() -> String {
        "default".into()
    }
    pub fn port() -> i64 {
        8080
    }
    pub fn replicas() -> i64 {
        3
    }
    pub fn strategy() -> String {
        "rolling".into()
    }
    pub fn traffic() -> String {
        "gateway".into()
    }
    pub fn max_surge() -> Scalar {
        Scalar::Text("25%".into())
    }
    pub fn max_unavailable() -> Scalar {
        Scalar::Int(0)
    }
    pub fn active() -> String {
        "blue".into()
    }
    pub fn scale_down_delay() -> i64 {
        30
    }
    pub fn canary_weight() -> i64 {
        10
    }
    pub fn second_track_replicas() -> i64 {
        2
    }
    pub fn period() -> i64 {
        5
    }
    pub fn failure_threshold() -> i64 {
        3
    }
    pub fn one() -> i64 {
        1
    }
    pub fn probe(path: &str, period_seconds: i64, failure_threshold: i64) -> Probe {
        Probe {
            path: path.into(),
            period_seconds,
            failure_threshold,
            success_threshold: 1,
            timeout_seconds: 1,
        }
    }
    pub fn startup() -> Probe {
        probe("/healthz", 5, 30)
    }
    pub fn readiness() -> Probe {
        probe("/ready", 5, 3)
    }
    pub fn liveness() -> Probe {
        probe("/healthz", 10, 3)
    }
    pub fn pre_stop_sleep() -> i64 {
        10
    }
    pub fn drain() -> i64 {
        20
    }
    pub fn secret_key() -> String {
        "url".into()
    }
    pub fn cpu_utilization() -> i64 {
        70
    }
}

impl Default for Rolling {
    fn default() -> Self {
        Rolling {
            max_surge: defaults::max_surge(),
            max_unavailable: defaults::max_unavailable(),
        }
    }
}

impl Default for BlueGreen {
    fn default() -> Self {
        BlueGreen {
            active: defaults::active(),
            standby_image: None,
            scale_down_delay_seconds: defaults::scale_down_delay(),
        }
    }
}

impl Default for Probes {
    fn default() -> Self {
        Probes {
            startup: defaults::startup(),
            readiness: defaults::readiness(),
            liveness: defaults::liveness(),
        }
    }
}

impl Default for Shutdown {
    fn default() -> Self {
        Shutdown {
            pre_stop_sleep_seconds: defaults::pre_stop_sleep(),
            drain_seconds: defaults::drain(),
        }
    }
}

/// Which override, if any, set the value at `pointer` (or one of its ancestors).
fn is_set_by_flag(pointer: &str, overrides: &[Override]) -> Option<usize> {
    overrides.iter().position(|o| {
        pointer == o.pointer
            || pointer
                .strip_prefix(o.pointer.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

/// One `--set key.path=value` (or a `--strategy`/`--traffic` flag).
#[derive(Debug, Clone)]
pub struct Override {
    /// What the user typed, for messages: `--set canary.weight=30`.
    pub flag: String,
    pub pointer: String,
    pub value: Value,
}

impl Override {
    /// Parses `key.path=value`; the value is read as a YAML scalar (`30` is a number,
    /// `"30"` a string, `true` a boolean).
    pub fn parse_set(text: &str) -> Result<Override, String> {
        let (path, raw) = text
            .split_once('=')
            .ok_or_else(|| format!("--set {text}: expected key=value, e.g. canary.weight=25"))?;
        if path.is_empty() || path.split('.').any(str::is_empty) {
            return Err(format!(
                "--set {text}: `{path}` is not a key path like canary.weight"
            ));
        }
        let pointer: String = path
            .split('.')
            .map(|segment| format!("/{}", crate::yaml::escape(segment)))
            .collect();
        // Read as YAML, as if written in the spec: `30` is a number, `"30"` a string,
        // `[a, b]` a list; text YAML cannot read stays text.
        let value = match crate::yaml::load(raw) {
            (documents, errors) if errors.is_empty() && documents.len() == 1 => documents
                .into_iter()
                .next()
                .map_or(Value::Null, |d| d.value),
            _ => Value::String(raw.to_string()),
        };
        Ok(Override {
            flag: format!("--set {text}"),
            pointer,
            value,
        })
    }

    pub fn flag(name: &str, key: &str, value: &str) -> Override {
        Override {
            flag: format!("--{name} {value}"),
            pointer: format!("/{key}"),
            value: Value::String(value.to_string()),
        }
    }

    /// Writes the value into `root`, creating maps on the way; an existing non-map in the
    /// way is an error.
    fn apply(&self, root: &mut Value) -> Result<(), String> {
        if root.is_null() {
            *root = Value::Object(Default::default());
        }
        let segments: Vec<String> = self
            .pointer
            .split('/')
            .skip(1)
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        let mut node = root;
        for (i, segment) in segments.iter().enumerate() {
            let Value::Object(map) = node else {
                let parent = if i == 0 {
                    "the spec".to_string()
                } else {
                    format!("`{}`", segments[..i].join("."))
                };
                return Err(format!(
                    "{parent} is not a map, so it has no key `{segment}`"
                ));
            };
            if i + 1 == segments.len() {
                map.insert(segment.clone(), self.value.clone());
                return Ok(());
            }
            node = map
                .entry(segment.clone())
                .or_insert_with(|| Value::Object(Default::default()));
            if node.is_null() {
                *node = Value::Object(Default::default());
            }
        }
        Ok(())
    }
}

/// Reads, overrides and checks a spec. Every problem is reported, each at its place: the
/// key in the file, or the flag that set the value.
pub fn parse(source: &SourceFile, overrides: &[Override]) -> Result<AppSpec, Vec<InputError>> {
    let (mut documents, errors) = crate::yaml::load(&source.text);
    if let Some(error) = errors.first() {
        return Err(vec![InputError::at(source, error.offset, &error.message)]);
    }
    if documents.len() > 1 {
        let second = documents[1].chunk.start as usize;
        return Err(vec![InputError::at(
            source,
            second,
            "an app spec is one YAML document; this is a second one",
        )]);
    }
    let document = documents.pop();
    let mut value = document.as_ref().map_or(Value::Null, |d| d.value.clone());
    let error_at = |pointer: &str, at_key: bool, message: String| -> InputError {
        if let Some(i) = is_set_by_flag(pointer, overrides) {
            return InputError {
                file: overrides[i].flag.clone(),
                line: 0,
                column: 0,
                message,
            };
        }
        let offset = document.as_ref().map_or(0, |d| {
            d.spans.locate(&source.text, pointer, at_key).span.start as usize
        });
        InputError::at(source, offset, &message)
    };
    let mut problems = Vec::new();
    for o in overrides {
        if let Err(message) = o.apply(&mut value) {
            // Line 0: the error is about the flag, which has no place in the file.
            problems.push(InputError {
                file: o.flag.clone(),
                line: 0,
                column: 0,
                message,
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if !value.is_object() {
        return Err(vec![error_at(
            "",
            false,
            "an app spec is a map with at least `name` and `image` (run `zerodown init` for a \
             commented one)"
                .into(),
        )]);
    }

    let (result, unknown) = from_value::<AppSpec>(&value, "");
    for field in &unknown {
        problems.push(error_at(
            &field.pointer,
            true,
            format!(
                "unknown key `{}`{}; allowed here: {}",
                field.key,
                crate::suggest::did_you_mean(&field.key, field.expected.iter().copied()),
                field.expected.join(", ")
            ),
        ));
    }
    let spec = match result {
        Ok(spec) => spec,
        Err(error) => {
            let pointer = error.pointer.clone().unwrap_or_default();
            problems.push(error_at(&pointer, false, error.message));
            return Err(problems);
        }
    };
    for (pointer, message) in check(&spec) {
        problems.push(error_at(&pointer, false, message));
    }
    if problems.is_empty() {
        Ok(spec)
    } else {
        problems.sort_by_key(|p| (p.line, p.column));
        Err(problems)
    }
}

/// A DNS-1123 label: what Kubernetes accepts as a Service or Deployment name.
fn is_dns_label(text: &str, max: usize) -> bool {
    !text.is_empty()
        && text.len() <= max
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !text.starts_with('-')
        && !text.ends_with('-')
}

fn one_of(what: &str, value: &str, allowed: &[&str]) -> Option<String> {
    (!allowed.contains(&value)).then(|| {
        format!(
            "`{value}` is not a {what}{}; allowed: {}",
            crate::suggest::did_you_mean(value, allowed.iter().copied()),
            allowed.join(", ")
        )
    })
}

fn check_image(pointer: &str, image: &str, problems: &mut Vec<(String, String)>) {
    let problem = match image_tag(image) {
        _ if image.trim().is_empty() || image.contains(char::is_whitespace) => {
            Some(format!("`{image}` is not an image reference"))
        }
        None => Some(format!(
            "`{image}` has no tag: pin a version (`{image}:1.4.2`) or a digest, so every pod \
             and every rollback runs the same code"
        )),
        Some("latest") => Some(format!(
            "`{image}` uses `latest`, which moves: pin a version or a digest"
        )),
        Some(_) => None,
    };
    if let Some(message) = problem {
        problems.push((pointer.to_string(), message));
    }
}

fn check_percent_or_int(pointer: &str, value: &Scalar, problems: &mut Vec<(String, String)>) {
    let ok = match value {
        Scalar::Int(n) => *n >= 0,
        Scalar::Text(text) => text
            .strip_suffix('%')
            .and_then(|n| n.parse::<i64>().ok())
            .is_some_and(|n| (0..=100).contains(&n)),
    };
    if !ok {
        problems.push((
            pointer.to_string(),
            format!("`{value}` is not a count (0, 1, …) or a percentage (0% to 100%)"),
        ));
    }
}

/// The rules a spec must follow beyond its types, as (pointer, message).
fn check(spec: &AppSpec) -> Vec<(String, String)> {
    let mut problems: Vec<(String, String)> = Vec::new();
    // Suffixes such as `-canary` and `-preview` are appended to the name: leave room.
    if !is_dns_label(&spec.name, 45) {
        push(
            &mut problems,
            "/name",
            format!(
                "`{}` is not a valid name: lowercase letters, digits and `-`, starting and \
                 ending with a letter or digit, at most 45 characters (suffixes such as \
                 `-canary` are added)",
                spec.name
            ),
        );
    }
    if !is_dns_label(&spec.namespace, 63) {
        push(
            &mut problems,
            "/namespace",
            format!("`{}` is not a valid namespace name", spec.namespace),
        );
    }
    if !(1..=65535).contains(&spec.port) {
        push(
            &mut problems,
            "/port",
            format!("port {} is outside 1..65535", spec.port),
        );
    }
    if spec.replicas < 2 {
        push(
            &mut problems,
            "/replicas",
            format!(
                "{} replica(s) cannot stay up through a drain or a crash; zero downtime needs \
                 at least 2",
                spec.replicas
            ),
        );
    }
    if let Some(message) = one_of("strategy", &spec.strategy, STRATEGIES) {
        push(&mut problems, "/strategy", message);
    }
    if let Some(message) = one_of("traffic layer", &spec.traffic, TRAFFIC) {
        push(&mut problems, "/traffic", message);
    }
    check_image("/image", &spec.image, &mut problems);
    check_percent_or_int("/rolling/maxSurge", &spec.rolling.max_surge, &mut problems);
    check_percent_or_int(
        "/rolling/maxUnavailable",
        &spec.rolling.max_unavailable,
        &mut problems,
    );
    // Read as the API and the Deployment controller read them (`00%` is 0%), with the
    // linter's own arithmetic, so what render accepts its lint accepts too.
    use crate::rules::k8s::rollout_math::{IntOrPercent, resolve};
    let parsed = |value: &Scalar| {
        let value = match value {
            Scalar::Int(n) => k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(
                i32::try_from(*n).unwrap_or(i32::MAX),
            ),
            Scalar::Text(t) => {
                k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(t.clone())
            }
        };
        IntOrPercent::parse(&value).ok()
    };
    if let (Some(surge), Some(unavailable)) = (
        parsed(&spec.rolling.max_surge),
        parsed(&spec.rolling.max_unavailable),
    ) {
        if surge.raw() == 0 && unavailable.raw() == 0 {
            push(
                &mut problems,
                "/rolling",
                "maxSurge and maxUnavailable are both 0: the rollout could never make progress \
                 (the API rejects it)"
                    .into(),
            );
        } else if let Some((track, replicas)) = rolled_tracks(spec)
            .into_iter()
            .find(|&(_, r)| r >= 1 && resolve(surge, unavailable, r).unavailable >= r)
        {
            push(
                &mut problems,
                "/rolling/maxUnavailable",
                format!(
                    "maxUnavailable {} resolves to every one of the {replicas} replicas of \
                     {track}: a rollout may stop them all before a new pod is Ready",
                    spec.rolling.max_unavailable
                ),
            );
        }
    }
    if let Some(host) = &spec.host
        && !is_hostname(host)
    {
        push(
            &mut problems,
            "/host",
            format!("`{host}` is not a DNS host name"),
        );
    }
    let needs_gateway = matches!(spec.traffic.as_str(), "gateway" | "argo-rollouts");
    match &spec.gateway {
        Some(gateway) if gateway_ref(gateway).is_none() => push(
            &mut problems,
            "/gateway",
            format!("`{gateway}` is not a Gateway reference: `name` or `namespace/name`"),
        ),
        None if needs_gateway => push(
            &mut problems,
            "/gateway",
            format!(
                "traffic `{}` routes through a Gateway API HTTPRoute, which needs the Gateway \
                 it attaches to: set `gateway: namespace/name`",
                spec.traffic
            ),
        ),
        _ => {}
    }
    if spec.traffic == "istio" && spec.gateway.is_some() && spec.host.is_none() {
        push(
            &mut problems,
            "/gateway",
            "an Istio Gateway routes by host name: set `host` too, or drop `gateway` to \
             route inside the mesh only"
                .into(),
        );
    }
    if let Some(message) = one_of("colour", &spec.blue_green.active, COLORS) {
        push(&mut problems, "/blueGreen/active", message);
    }
    if spec.blue_green.scale_down_delay_seconds < 30 {
        push(
            &mut problems,
            "/blueGreen/scaleDownDelaySeconds",
            format!(
                "{} s is too short: clients, kube-proxy and load balancers may still send to \
                 the old colour; use 30 or more",
                spec.blue_green.scale_down_delay_seconds
            ),
        );
    }
    if let Some(image) = &spec.blue_green.standby_image {
        check_image("/blueGreen/standbyImage", image, &mut problems);
    }
    match (&spec.strategy[..], &spec.canary, &spec.ab) {
        ("canary", None, _) => problems.push((
            "/canary".into(),
            "strategy `canary` needs `canary: {image: …, weight: …}`: the version to send a \
             share of traffic to"
                .into(),
        )),
        ("ab", _, None) => problems.push((
            "/ab".into(),
            "strategy `ab` needs `ab: {image: …, header: …, value: …}`: the version requests \
             with that header reach"
                .into(),
        )),
        _ => {}
    }
    if let Some(canary) = &spec.canary {
        check_image("/canary/image", &canary.image, &mut problems);
        if !(0..=100).contains(&canary.weight) {
            problems.push((
                "/canary/weight".into(),
                format!("weight {} is outside 0..100 (a percentage)", canary.weight),
            ));
        }
        check_track_replicas("/canary/replicas", canary.replicas, &mut problems);
        if let Some(steps) = &canary.steps {
            if steps.is_empty() {
                problems.push((
                    "/canary/steps".into(),
                    "no steps: list the weights to go through, e.g. [10, 50]".into(),
                ));
            }
            let mut previous = 0;
            for (i, &step) in steps.iter().enumerate() {
                if !(1..=100).contains(&step) || step <= previous {
                    problems.push((
                        format!("/canary/steps/{i}"),
                        format!("step {step}: steps are weights from 1 to 100 that only go up"),
                    ));
                }
                previous = step;
            }
        }
        if let Some(pause) = &canary.pause
            && !is_duration(pause)
        {
            problems.push((
                "/canary/pause".into(),
                format!("`{pause}` is not a duration like 30s, 5m or 1h"),
            ));
        }
    }
    if let Some(ab) = &spec.ab {
        check_image("/ab/image", &ab.image, &mut problems);
        check_track_replicas("/ab/replicas", ab.replicas, &mut problems);
        if !is_header_name(&ab.header) {
            problems.push((
                "/ab/header".into(),
                format!("`{}` is not an HTTP header name", ab.header),
            ));
        }
        if ab.value.is_empty() || ab.value.chars().any(char::is_control) {
            problems.push((
                "/ab/value".into(),
                "the header value must be non-empty text without control characters".into(),
            ));
        }
    }
    for (key, probe) in [
        ("startup", &spec.probes.startup),
        ("readiness", &spec.probes.readiness),
        ("liveness", &spec.probes.liveness),
    ] {
        if !probe.path.starts_with('/') {
            problems.push((
                format!("/probes/{key}/path"),
                format!("`{}` is not an HTTP path (it starts with `/`)", probe.path),
            ));
        }
        for (field, value) in [
            ("periodSeconds", probe.period_seconds),
            ("failureThreshold", probe.failure_threshold),
            ("successThreshold", probe.success_threshold),
            ("timeoutSeconds", probe.timeout_seconds),
        ] {
            if value < 1 {
                problems.push((
                    format!("/probes/{key}/{field}"),
                    format!("{field} {value} must be 1 or more"),
                ));
            }
        }
        if key != "readiness" && probe.success_threshold != 1 {
            problems.push((
                format!("/probes/{key}/successThreshold"),
                "Kubernetes requires successThreshold 1 for startup and liveness probes".into(),
            ));
        }
    }
    let readiness = &spec.probes.readiness;
    let liveness = &spec.probes.liveness;
    if readiness.path == liveness.path
        && readiness.period_seconds == liveness.period_seconds
        && readiness.failure_threshold == liveness.failure_threshold
        && readiness.timeout_seconds == liveness.timeout_seconds
        && readiness.success_threshold == liveness.success_threshold
    {
        problems.push((
            "/probes/liveness".into(),
            "liveness is identical to readiness: a slow dependency would restart every pod at \
             once instead of taking them out of rotation; use another path or looser \
             thresholds"
                .into(),
        ));
    }
    let shutdown = &spec.shutdown;
    if shutdown.pre_stop_sleep_seconds < 1 {
        problems.push((
            "/shutdown/preStopSleepSeconds".into(),
            "the preStop sleep must be at least 1 s (5–15 s is typical): it is the time \
             endpoints and load balancers need to stop sending to a terminating pod"
                .into(),
        ));
    }
    if shutdown.drain_seconds < 5 {
        problems.push((
            "/shutdown/drainSeconds".into(),
            format!(
                "{} s leaves in-flight requests no time after the sleep; use 5 or more",
                shutdown.drain_seconds
            ),
        ));
    }
    if let Some(migration) = &spec.migration {
        if migration.command.is_empty() {
            problems.push((
                "/migration/command".into(),
                "the migration command is empty".into(),
            ));
        }
        if let Some(image) = &migration.image {
            check_image("/migration/image", image, &mut problems);
        }
        if !is_dns_subdomain(&migration.database.secret) {
            problems.push((
                "/migration/database/secret".into(),
                format!("`{}` is not a Secret name", migration.database.secret),
            ));
        }
        if host_port(&migration.wait_for).is_none() {
            problems.push((
                "/migration/waitFor".into(),
                format!(
                    "`{}` is not host:port (e.g. postgres.db.svc:5432)",
                    migration.wait_for
                ),
            ));
        }
    }
    for (section, values) in [
        ("requests", &spec.resources.requests),
        ("limits", &spec.resources.limits),
    ] {
        for (name, quantity) in values {
            let pointer = format!("/resources/{section}/{}", crate::yaml::escape(name));
            if !is_resource_name(name) {
                push(
                    &mut problems,
                    &pointer,
                    format!(
                        "`{name}` is not a resource the API accepts{}; use cpu, memory, \
                         ephemeral-storage, hugepages-<size> or a domain-qualified name \
                         (example.com/gpu)",
                        crate::suggest::did_you_mean(name, STANDARD_RESOURCES.iter().copied())
                    ),
                );
            }
            if !is_quantity(&quantity.to_string()) {
                push(
                    &mut problems,
                    &pointer,
                    format!("`{quantity}` is not a quantity like 250m, 1, 512Mi or 2Gi"),
                );
            }
        }
    }
    if let Some(autoscaling) = &spec.autoscaling {
        if autoscaling.min_replicas < 2 {
            problems.push((
                "/autoscaling/minReplicas".into(),
                format!(
                    "minReplicas {} lets the autoscaler go down to a single pod; use 2 or more",
                    autoscaling.min_replicas
                ),
            ));
        }
        if autoscaling.max_replicas < autoscaling.min_replicas {
            problems.push((
                "/autoscaling/maxReplicas".into(),
                format!(
                    "maxReplicas {} is below minReplicas {}",
                    autoscaling.max_replicas, autoscaling.min_replicas
                ),
            ));
        }
        if !(1..=1000).contains(&autoscaling.target_cpu_utilization) {
            problems.push((
                "/autoscaling/targetCpuUtilization".into(),
                format!(
                    "{} is not a CPU utilisation percentage",
                    autoscaling.target_cpu_utilization
                ),
            ));
        }
        if !spec.resources.requests.contains_key("cpu") {
            problems.push((
                "/autoscaling".into(),
                "CPU autoscaling needs `resources.requests.cpu`: utilisation is measured \
                 against the request"
                    .into(),
            ));
        }
    }
    problems
}

fn push(problems: &mut Vec<(String, String)>, pointer: &str, message: String) {
    problems.push((pointer.to_string(), message));
}

/// Every Deployment the rolling settings apply to, with the replica count a rollout starts
/// from: the app (the HPA's minimum when autoscaling owns the count), and the canary or B
/// track when there is one.
fn rolled_tracks(spec: &AppSpec) -> Vec<(String, i64)> {
    let main = spec
        .autoscaling
        .as_ref()
        .map_or(spec.replicas, |a| a.min_replicas);
    let mut tracks = vec![(format!("`{}`", spec.name), main)];
    if let Some(canary) = &spec.canary {
        tracks.push(("the canary track".to_string(), canary.replicas));
    }
    if let Some(ab) = &spec.ab {
        tracks.push(("the B track".to_string(), ab.replicas));
    }
    tracks
}

fn check_track_replicas(pointer: &str, replicas: i64, problems: &mut Vec<(String, String)>) {
    if replicas < 2 {
        problems.push((
            pointer.into(),
            format!("{replicas} replica(s) cannot stay up through a drain; use at least 2"),
        ));
    }
}

const STANDARD_RESOURCES: &[&str] = &["cpu", "memory", "ephemeral-storage"];

/// A resource name the API accepts in requests and limits.
fn is_resource_name(name: &str) -> bool {
    STANDARD_RESOURCES.contains(&name) || name.starts_with("hugepages-") || name.contains('/')
}

/// A Kubernetes quantity: a decimal number with an optional binary (Ki…Ei), decimal
/// (n, u, m, k, M…E) or exponent suffix.
fn is_quantity(text: &str) -> bool {
    let text = text.strip_prefix(['+', '-']).unwrap_or(text);
    let digits_end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(digits_end);
    let number_ok = !number.is_empty() && number != "." && number.matches('.').count() <= 1;
    let suffix_ok = matches!(
        suffix,
        "" | "Ki"
            | "Mi"
            | "Gi"
            | "Ti"
            | "Pi"
            | "Ei"
            | "n"
            | "u"
            | "m"
            | "k"
            | "M"
            | "G"
            | "T"
            | "P"
            | "E"
    ) || suffix
        .strip_prefix(['e', 'E'])
        .map(|exp| exp.strip_prefix(['+', '-']).unwrap_or(exp))
        .is_some_and(|exp| !exp.is_empty() && exp.bytes().all(|b| b.is_ascii_digit()));
    number_ok && suffix_ok
}

fn is_hostname(host: &str) -> bool {
    let host = host.strip_prefix("*.").unwrap_or(host);
    host.len() <= 253 && host.split('.').all(|label| is_dns_label(label, 63))
}

fn is_dns_subdomain(name: &str) -> bool {
    name.len() <= 253 && name.split('.').all(|label| is_dns_label(label, 63))
}

fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn is_duration(text: &str) -> bool {
    let digits = text.trim_end_matches(['s', 'm', 'h']);
    digits.len() + 1 == text.len()
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `namespace/name` or `name` → (namespace, name).
pub fn gateway_ref(text: &str) -> Option<(Option<&str>, &str)> {
    match text.split_once('/') {
        Some((namespace, name)) if is_dns_label(namespace, 63) && is_dns_subdomain(name) => {
            Some((Some(namespace), name))
        }
        None if is_dns_subdomain(text) => Some((None, text)),
        _ => None,
    }
}

/// `host:port` → (host, port).
pub fn host_port(text: &str) -> Option<(&str, u16)> {
    let (host, port) = text.rsplit_once(':')?;
    let port: u16 = port.parse().ok().filter(|&p| p > 0)?;
    is_dns_subdomain(host).then_some((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str, sets: &[&str]) -> Result<AppSpec, Vec<String>> {
        let overrides: Vec<Override> = sets
            .iter()
            .map(|s| Override::parse_set(s).unwrap())
            .collect();
        parse(
            &SourceFile::new("zerodown.yaml", text.to_string()),
            &overrides,
        )
        .map_err(|errors| errors.iter().map(ToString::to_string).collect())
    }

    const MINIMAL: &str = "name: web\nimage: ghcr.io/acme/web:1.0.0\ngateway: infra/public\n";

    #[test]
    fn minimal_spec_gets_defaults() {
        let spec = parse_text(MINIMAL, &[]).unwrap();
        assert_eq!(spec.replicas, 3);
        assert_eq!(spec.strategy, "rolling");
        assert_eq!(spec.traffic, "gateway");
        assert_eq!(spec.probes.readiness.path, "/ready");
    }

    #[test]
    fn unknown_keys_are_located_with_a_suggestion() {
        let errors = parse_text(&format!("{MINIMAL}replics: 3\n"), &[]).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].starts_with(
                "zerodown.yaml:4:1: error: unknown key `replics` (did you mean `replicas`?)"
            ),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn values_are_checked_where_they_are() {
        let errors = parse_text(
            "name: web\nimage: ghcr.io/acme/web\nstrategy: canery\ngateway: public\n",
            &[],
        )
        .unwrap_err();
        assert!(
            errors[0].starts_with("zerodown.yaml:2:8: error: `ghcr.io/acme/web` has no tag"),
            "{errors:?}"
        );
        assert!(
            errors[1].contains(
                "zerodown.yaml:3:11: error: `canery` is not a strategy (did you mean `canary`?)"
            ),
            "{errors:?}"
        );
        assert_eq!(errors.len(), 2, "{errors:?}");
    }

    #[test]
    fn set_overrides_and_names_the_flag_in_errors() {
        let spec = parse_text(
            MINIMAL,
            &["replicas=5", "canary.image=web:2.0.0", "canary.weight=30"],
        )
        .unwrap();
        assert_eq!(spec.replicas, 5);
        assert_eq!(spec.canary.unwrap().weight, 30);
        let errors = parse_text(MINIMAL, &["replicas=lots"]).unwrap_err();
        assert!(
            errors[0].starts_with("--set replicas=lots: error:"),
            "{errors:?}"
        );
        let errors = parse_text(MINIMAL, &["image.tag=2"]).unwrap_err();
        assert!(errors[0].contains("`image` is not a map"), "{errors:?}");
    }

    #[test]
    fn gateway_and_host_port_references() {
        assert_eq!(gateway_ref("infra/public"), Some((Some("infra"), "public")));
        assert_eq!(gateway_ref("public"), Some((None, "public")));
        assert_eq!(gateway_ref("a/b/c"), None);
        assert_eq!(
            host_port("postgres.db.svc:5432"),
            Some(("postgres.db.svc", 5432))
        );
        assert_eq!(host_port("postgres"), None);
        assert!(is_duration("5m") && !is_duration("5") && !is_duration("m"));
        for good in ["100m", "1", "0.5", "512Mi", "2Gi", "1e3", "1.5G"] {
            assert!(is_quantity(good), "{good}");
        }
        for bad in ["100mm", "", "Mi", "1.2.3", "1 Gi", "abc"] {
            assert!(!is_quantity(bad), "{bad}");
        }
        assert!(is_resource_name("nvidia.com/gpu") && !is_resource_name("cpus"));
    }
}
