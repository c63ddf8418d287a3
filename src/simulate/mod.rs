//! `zerodown simulate`'s library half: which workloads roll out how, replayed step by step
//! with the controllers' arithmetic (DESIGN.md, "Rolling update"), with what a new pod
//! costs in time and requests.
//!
//! - Deployments: RollingUpdate through [`model::rolling_update`]; Recreate through
//!   [`model::recreate`].
//! - Argo Rollouts canaries without `steps`: the Rollout controller then behaves like a
//!   Deployment's rolling update with the canary's maxSurge/maxUnavailable (defaults 25%
//!   and 25%, as for a Deployment). Canaries with steps and blue-green are not simulated.
//! - StatefulSets: RollingUpdate through [`model::stateful_set`]; OnDelete is not a rollout.

pub mod model;
pub mod timing;

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::Value;

use crate::config::Config;
use crate::input::InputError;
use crate::k8s::workload::pod_template;
use crate::k8s::{Object, Typed};
use crate::pointer::ValuePointer;
use crate::rules::Context;
use crate::rules::replicas::declared_replicas;
use crate::workspace::Workspace;

use crate::rules::k8s::rollout_math::{
    DEFAULT_MAX_SURGE, DEFAULT_MAX_UNAVAILABLE, IntOrPercent, resolve,
};
pub use model::{Pod, Step};
pub use timing::{PodTiming, Requests};

/// How the workload replaces its pods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Deployment RollingUpdate, or an Argo Rollouts canary without steps.
    RollingUpdate,
    Recreate,
    /// StatefulSet RollingUpdate: ordinal by ordinal, old pod first.
    OrderedRollingUpdate,
}

impl Strategy {
    pub fn name(self) -> &'static str {
        match self {
            Strategy::RollingUpdate => "RollingUpdate",
            Strategy::Recreate => "Recreate",
            Strategy::OrderedRollingUpdate => "StatefulSetRollingUpdate",
        }
    }

    /// Whether a new pod must wait for an old one to be gone (same name, or Recreate).
    fn waits_for_termination(self) -> bool {
        !matches!(self, Strategy::RollingUpdate)
    }
}

/// Where the replica count came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplicasSource {
    Declared,
    /// `spec.replicas` unset; the largest minimum of the autoscalers (named) targeting it.
    Autoscaler(String),
    /// `spec.replicas` unset and no autoscaler in the input: the API default, 1.
    Default,
}

/// A maxSurge/maxUnavailable (or StatefulSet maxUnavailable): what it resolves to, and what
/// was written (`None`: the default applies).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub pods: i64,
    pub written: Option<IntOrPercent>,
    pub default: IntOrPercent,
}

impl Limit {
    /// `25%`, `1`: the value in effect, as the user would write it.
    pub fn setting(&self) -> String {
        self.written.unwrap_or(self.default).to_string()
    }
}

/// One workload's simulated rollout.
#[derive(Clone, Debug)]
pub struct Simulation {
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub strategy: Strategy,
    pub replicas: i64,
    pub replicas_source: ReplicasSource,
    pub max_surge: Limit,
    pub max_unavailable: Limit,
    /// StatefulSets: the first ordinal updated.
    pub partition: Option<i64>,
    pub steps: Vec<Step>,
    pub timing: PodTiming,
    /// One pod's requests.
    pub requests: Requests,
    /// Things the reader should know (assumptions specific to this workload).
    pub notes: Vec<String>,
}

impl Simulation {
    /// The fewest pods serving at any step of the timeline (at least `min_available`).
    pub fn lowest_available(&self) -> i64 {
        self.steps
            .iter()
            .map(Step::available)
            .min()
            .unwrap_or(self.replicas)
    }

    /// The floor the controller keeps to: `replicas − maxUnavailable`.
    pub fn min_available(&self) -> i64 {
        (self.replicas - self.max_unavailable.pods).max(0)
    }

    pub fn max_total(&self) -> i64 {
        self.replicas + self.max_surge.pods
    }

    /// The most pods at once, and the first step that has them.
    pub fn peak(&self) -> (i64, usize) {
        let peak = self.steps.iter().map(Step::total).max().unwrap_or(0);
        let time = self
            .steps
            .iter()
            .find(|s| s.total() == peak)
            .map_or(0, |s| s.time);
        (peak, time)
    }

    /// Pods above the replica count at the peak.
    pub fn surge_pods(&self) -> i64 {
        (self.peak().0 - self.replicas).max(0)
    }

    pub fn surge_requests(&self) -> Requests {
        self.requests.times(self.surge_pods())
    }

    /// The estimated seconds from the start to each step (see `timing`): a step in which new
    /// pods become available took one pod-ready time; a step that creates pods replacing
    /// deleted ones (StatefulSet, Recreate) first waited for the old ones to be gone.
    /// Scaling decisions themselves take no time.
    pub fn step_seconds(&self) -> Vec<i64> {
        let mut elapsed = 0;
        self.steps
            .iter()
            .map(|step| {
                if step.became_available > 0 {
                    elapsed += self.timing.ready_seconds();
                }
                if step.created > 0 && self.strategy.waits_for_termination() {
                    elapsed += self.timing.shutdown_seconds();
                }
                elapsed
            })
            .collect()
    }

    pub fn estimated_seconds(&self) -> i64 {
        self.step_seconds().last().copied().unwrap_or(0)
    }

    /// The steps in which nothing serves (Recreate, or maxUnavailable = replicas).
    pub fn outage_steps(&self) -> Vec<usize> {
        self.steps
            .iter()
            .filter(|s| s.available() == 0 && self.replicas > 0)
            .map(|s| s.time)
            .collect()
    }
}

/// A workload that is not simulated, and why (not an error: a strategy the model does not
/// cover).
#[derive(Clone, Debug)]
pub struct Skipped {
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub reason: String,
}

/// What the run found.
#[derive(Default)]
pub struct Outcome {
    pub simulations: Vec<Simulation>,
    pub skipped: Vec<Skipped>,
    /// Per-workload errors, located (`path:line:col: error: …`).
    pub errors: Vec<InputError>,
}

/// Simulates every Deployment, StatefulSet and Argo Rollout of the workspace (only those
/// named `name` when given), in input order.
pub fn simulate(workspace: &Workspace, config: &Config, name: Option<&str>) -> Outcome {
    let context = Context::new(&workspace.objects, &workspace.files, config);
    let mut outcome = Outcome::default();
    for object in &workspace.objects {
        if !is_simulated_kind(object) || name.is_some_and(|n| n != object.name) {
            continue;
        }
        match simulate_one(&context, object) {
            Ok(Ok(simulation)) => outcome.simulations.push(simulation),
            Ok(Err(reason)) => outcome.skipped.push(Skipped {
                kind: object.kind.clone(),
                name: object.name.clone(),
                namespace: context.namespace(object).to_string(),
                reason,
            }),
            Err(error) => outcome.errors.push(locate(workspace, object, error)),
        }
    }
    outcome
}

fn is_simulated_kind(object: &Object) -> bool {
    crate::rules::replicas::is_replicated_workload(object)
}

/// A problem with one workload's spec, at a pointer inside the object.
struct SpecError {
    pointer: String,
    message: String,
}

fn spec_error(pointer: impl Into<String>, message: impl Into<String>) -> SpecError {
    SpecError {
        pointer: pointer.into(),
        message: message.into(),
    }
}

fn locate(workspace: &Workspace, object: &Object, error: SpecError) -> InputError {
    let file = &workspace.files[object.file];
    let pointer = format!("{}{}", object.base, error.pointer);
    let span = file.documents[object.doc]
        .spans
        .locate(&file.source.text, &pointer, false)
        .span;
    InputError::at(
        &file.source,
        span.start as usize,
        &format!("{}: {}", object.display_name(), error.message),
    )
}

/// `Ok(Err(reason))`: a workload the model does not cover.
type Attempt = Result<Result<Simulation, String>, SpecError>;

/// The rolling-update parameters as read from the object, before resolution.
struct Settings {
    strategy: Strategy,
    /// The pointer of the object holding maxSurge/maxUnavailable (for errors).
    base: &'static str,
    max_surge: Option<IntOrString>,
    max_unavailable: Option<IntOrString>,
    partition: Option<i64>,
    min_ready: i64,
}

fn simulate_one<'a>(context: &Context<'a>, object: &'a Object) -> Attempt {
    if object.typed.is_none() && object.kind != "Rollout" {
        let first = object.invalid.first();
        return Err(spec_error(
            first.map_or("", |i| i.pointer.as_str()),
            format!(
                "not a valid {}, so its rollout cannot be simulated: {}",
                object.kind,
                first.map_or("it could not be read", |i| i.message.as_str())
            ),
        ));
    }
    let settings = match settings(object)? {
        Ok(settings) => settings,
        Err(reason) => return Ok(Err(reason)),
    };
    let (replicas, replicas_source) = replicas(context, object)?;
    let pod = pod_template(object);
    let timing = timing::pod_timing(pod.as_ref(), settings.min_ready);
    let (requests, unreadable) = timing::pod_requests(pod.as_ref());
    let mut notes = Vec::new();
    if !unreadable.is_empty() {
        notes.push(format!(
            "unreadable resource quantities left out of the surge cost: {}",
            unreadable.join(", ")
        ));
    }
    if pod.is_none() {
        notes.push(
            "no pod template in the input (workloadRef?): probes, requests and grace period \
             are the defaults"
                .to_string(),
        );
    }
    let parse = |value: &Option<IntOrString>, field: &str| -> Result<_, SpecError> {
        value
            .as_ref()
            .map(|v| parse_limit(v, &format!("{}/{field}", settings.base), field))
            .transpose()
    };
    let surge_written = parse(&settings.max_surge, "maxSurge")?;
    let unavailable_written = parse(&settings.max_unavailable, "maxUnavailable")?;
    let simulation = |steps, max_surge, max_unavailable, notes| Simulation {
        kind: object.kind.clone(),
        name: object.name.clone(),
        namespace: context.namespace(object).to_string(),
        strategy: settings.strategy,
        replicas,
        replicas_source: replicas_source.clone(),
        max_surge,
        max_unavailable,
        partition: settings.partition,
        steps,
        timing: timing.clone(),
        requests,
        notes,
    };
    let stuck = |stuck: model::Stuck| {
        spec_error(
            settings.base,
            format!(
                "the rollout does not converge within {} steps with these settings",
                stuck.steps
            ),
        )
    };
    match settings.strategy {
        Strategy::RollingUpdate => {
            if let (Some(surge), Some(unavailable)) = (surge_written, unavailable_written)
                && surge.raw() == 0
                && unavailable.raw() == 0
            {
                return Err(spec_error(
                    format!("{}/maxUnavailable", settings.base),
                    "maxSurge and maxUnavailable are both 0: the API server rejects it (a \
                     rollout could never replace a pod); set `maxSurge: 1`",
                ));
            }
            let surge = surge_written.unwrap_or(DEFAULT_MAX_SURGE);
            let unavailable = unavailable_written.unwrap_or(DEFAULT_MAX_UNAVAILABLE);
            let resolved = resolve(surge, unavailable, replicas);
            let steps = model::rolling_update(replicas, resolved.surge, resolved.unavailable)
                .map_err(stuck)?;
            Ok(Ok(simulation(
                steps,
                Limit {
                    pods: resolved.surge,
                    written: surge_written,
                    default: DEFAULT_MAX_SURGE,
                },
                Limit {
                    pods: resolved.unavailable,
                    written: unavailable_written,
                    default: DEFAULT_MAX_UNAVAILABLE,
                },
                notes,
            )))
        }
        Strategy::Recreate => Ok(Ok(simulation(
            model::recreate(replicas),
            Limit {
                pods: 0,
                written: None,
                default: IntOrPercent::Int(0),
            },
            Limit {
                pods: replicas,
                written: None,
                default: IntOrPercent::Percent(100),
            },
            notes,
        ))),
        Strategy::OrderedRollingUpdate => {
            const ONE: IntOrPercent = IntOrPercent::Int(1);
            let partition = settings.partition.unwrap_or(0);
            if partition < 0 {
                return Err(spec_error(
                    "/spec/updateStrategy/rollingUpdate/partition",
                    format!("partition {partition} is negative; the API server rejects it"),
                ));
            }
            // Rounded down and capped at the replica count like a Deployment's (a surge of 1
            // keeps `resolve` from applying its 0/0 rule); the StatefulSet controller then
            // raises 0 to 1.
            let written = unavailable_written;
            let max_unavailable = resolve(ONE, written.unwrap_or(ONE), replicas)
                .unavailable
                .max(1);
            if written.is_some() {
                notes.push(
                    "maxUnavailable is honoured only where the MaxUnavailableStatefulSet \
                     feature gate is on; elsewhere pods are replaced one at a time"
                        .to_string(),
                );
            }
            if partition >= replicas && replicas > 0 {
                notes.push(format!(
                    "partition {partition} ≥ {replicas} replicas: no pod is updated"
                ));
            }
            let steps = model::stateful_set(replicas, partition, max_unavailable).map_err(stuck)?;
            Ok(Ok(simulation(
                steps,
                Limit {
                    pods: 0,
                    written: None,
                    default: IntOrPercent::Int(0),
                },
                Limit {
                    pods: max_unavailable,
                    written,
                    default: ONE,
                },
                notes,
            )))
        }
    }
}

/// Reads a maxSurge/maxUnavailable, rejecting what the API server rejects.
fn parse_limit(value: &IntOrString, pointer: &str, field: &str) -> Result<IntOrPercent, SpecError> {
    match IntOrPercent::parse(value) {
        Err(text) => Err(spec_error(
            pointer,
            format!(
                "{field} `{text}` is neither an integer nor a percentage like `25%`; the API \
                 server rejects it (write `{field}: 1` or `{field}: \"25%\"`)"
            ),
        )),
        Ok(n) if n.raw() < 0 => Err(spec_error(
            pointer,
            format!("{field} {n} is negative; the API server rejects it"),
        )),
        Ok(IntOrPercent::Percent(p)) if p > 100 && field == "maxUnavailable" => Err(spec_error(
            pointer,
            format!("{field} {p}% is over 100%; the API server rejects it"),
        )),
        Ok(n) => Ok(n),
    }
}

/// An IntOrString from a CRD's JSON (an Argo Rollout is not typed).
fn json_int_or_string(value: &Value, pointer: &str, field: &str) -> Result<IntOrString, SpecError> {
    match value {
        Value::String(s) => Ok(IntOrString::String(s.clone())),
        Value::Number(n) => n
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .map(IntOrString::Int)
            .ok_or_else(|| spec_error(pointer, format!("{field} {n} is not a whole number"))),
        other => Err(spec_error(
            pointer,
            format!("{field} `{other}` is neither an integer nor a percentage like `25%`"),
        )),
    }
}

fn settings(object: &Object) -> Result<Result<Settings, String>, SpecError> {
    let min_ready = |value: Option<i32>| i64::from(value.unwrap_or(0));
    match &object.typed {
        Some(Typed::Deployment(deployment)) => {
            let spec = &deployment.spec;
            let strategy = spec.strategy.as_ref();
            let rolling = strategy.and_then(|s| s.rolling_update.as_ref());
            let recreate = strategy.and_then(|s| s.type_.as_deref()) == Some("Recreate");
            Ok(Ok(Settings {
                strategy: if recreate {
                    Strategy::Recreate
                } else {
                    Strategy::RollingUpdate
                },
                base: "/spec/strategy/rollingUpdate",
                max_surge: rolling.and_then(|r| r.max_surge.clone()),
                max_unavailable: rolling.and_then(|r| r.max_unavailable.clone()),
                partition: None,
                min_ready: min_ready(spec.min_ready_seconds),
            }))
        }
        Some(Typed::StatefulSet(stateful_set)) => {
            let spec = &stateful_set.spec;
            let strategy = spec.update_strategy.as_ref();
            if strategy.and_then(|s| s.type_.as_deref()) == Some("OnDelete") {
                return Ok(Err("updateStrategy OnDelete: pods are replaced only when \
                               something deletes them, so there is no rollout to replay"
                    .to_string()));
            }
            let rolling = strategy.and_then(|s| s.rolling_update.as_ref());
            Ok(Ok(Settings {
                strategy: Strategy::OrderedRollingUpdate,
                base: "/spec/updateStrategy/rollingUpdate",
                max_surge: None,
                max_unavailable: rolling.and_then(|r| r.max_unavailable.clone()),
                partition: rolling.and_then(|r| r.partition).map(i64::from),
                min_ready: min_ready(spec.min_ready_seconds),
            }))
        }
        _ => rollout_settings(object),
    }
}

/// An Argo Rollouts `Rollout`: canaries without steps roll like a Deployment.
fn rollout_settings(object: &Object) -> Result<Result<Settings, String>, SpecError> {
    let value = &object.value;
    if value.at("/spec/strategy/blueGreen").is_some() {
        return Ok(Err(
            "blue-green: the preview ReplicaSet is scaled up in full beside \
                       the active one, then traffic switches; not a rolling update"
                .to_string(),
        ));
    }
    let Some(canary) = value.at("/spec/strategy/canary") else {
        return Ok(Err(
            "no strategy.canary or strategy.blueGreen: nothing to replay".to_string(),
        ));
    };
    if canary
        .get("steps")
        .and_then(Value::as_array)
        .is_some_and(|steps| !steps.is_empty())
    {
        return Ok(Err(
            "canary with steps: traffic weights and pauses drive it, not \
                       maxSurge/maxUnavailable alone; not simulated"
                .to_string(),
        ));
    }
    let base = "/spec/strategy/canary";
    let field = |name: &str| -> Result<Option<IntOrString>, SpecError> {
        canary
            .get(name)
            .map(|v| json_int_or_string(v, &format!("{base}/{name}"), name))
            .transpose()
    };
    Ok(Ok(Settings {
        strategy: Strategy::RollingUpdate,
        base,
        max_surge: field("maxSurge")?,
        max_unavailable: field("maxUnavailable")?,
        partition: None,
        min_ready: value
            .at("/spec/minReadySeconds")
            .and_then(Value::as_i64)
            .unwrap_or(0),
    }))
}

fn replicas<'a>(
    context: &Context<'a>,
    object: &'a Object,
) -> Result<(i64, ReplicasSource), SpecError> {
    if let Some(declared) = declared_replicas(object) {
        if declared < 0 {
            return Err(spec_error(
                "/spec/replicas",
                format!("replicas {declared} is negative; the API server rejects it"),
            ));
        }
        return Ok((declared, ReplicasSource::Declared));
    }
    match context.autoscaled_min(object) {
        Some(min) => {
            let names: Vec<String> = context
                .autoscalers_targeting(object)
                .iter()
                .map(|a| a.display_name())
                .collect();
            // A scale-to-zero minimum (KEDA's default 0) still rolls out from at least one
            // pod whenever there is traffic to protect.
            Ok((min.max(1), ReplicasSource::Autoscaler(names.join(", "))))
        }
        None => Ok((1, ReplicasSource::Default)),
    }
}
