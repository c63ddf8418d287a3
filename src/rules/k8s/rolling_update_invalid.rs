use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::rollout_math::IntOrPercent;
use super::rule_meta;
use crate::k8s::{Object, Typed};
use crate::rules::{Context, Rule, RuleMeta, Sink};

pub struct RollingUpdateInvalid;

static META: RuleMeta = rule_meta!(
    "rolling-update-invalid",
    Error,
    "rolling-update settings the API server rejects or misreads (0/0, `25`, over 100%, deadlines)"
);

/// The Deployment controller's default when progressDeadlineSeconds is unset.
const DEFAULT_PROGRESS_DEADLINE: i32 = 600;

fn check_pair(
    object: &Object,
    base: &str,
    max_surge: Option<&IntOrString>,
    max_unavailable: Option<&IntOrString>,
    sink: &mut Sink<'_>,
) {
    let mut parsed = Vec::new();
    for (field, value) in [("maxSurge", max_surge), ("maxUnavailable", max_unavailable)] {
        let Some(value) = value else { continue };
        let pointer = format!("{base}/{field}");
        match IntOrPercent::parse(value) {
            Err(text) => sink.report(
                object,
                pointer,
                format!(
                    "{}: {field} `{text}` is neither an integer nor a percentage like `25%`; the \
                     API server rejects it",
                    object.display_name()
                ),
                format!("write `{field}: 1` (a pod count) or `{field}: \"25%\"` (a share)"),
            ),
            Ok(n) if n.raw() < 0 => sink.report(
                object,
                pointer,
                format!("{}: {field} {n} is negative", object.display_name()),
                format!("{field} must be 0 or more"),
            ),
            Ok(IntOrPercent::Percent(p)) if field == "maxUnavailable" && p > 100 => sink.report(
                object,
                pointer,
                format!(
                    "{}: maxUnavailable {p}% is over 100%",
                    object.display_name()
                ),
                "maxUnavailable is a share of the replicas; use at most 100% (and far less to \
                 keep serving: 0 with a maxSurge of 1 or 25%)",
            ),
            Ok(n) => parsed.push((field, n)),
        }
    }
    if let [("maxSurge", surge), ("maxUnavailable", unavailable)] = parsed[..]
        && surge.raw() == 0
        && unavailable.raw() == 0
    {
        sink.report(
            object,
            format!("{base}/maxUnavailable"),
            format!(
                "{}: maxSurge {surge} and maxUnavailable {unavailable} are both 0: the rollout \
                 could never replace a pod, and the API server rejects it",
                object.display_name()
            ),
            "set `maxSurge: 1` (start a new pod before stopping an old one) and keep \
             `maxUnavailable: 0`",
        );
    }
}

impl Rule for RollingUpdateInvalid {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            match &object.typed {
                Some(Typed::Deployment(deployment)) => {
                    let spec = &deployment.spec;
                    if let Some(rolling) = spec
                        .strategy
                        .as_ref()
                        .and_then(|s| s.rolling_update.as_ref())
                    {
                        check_pair(
                            object,
                            "/spec/strategy/rollingUpdate",
                            rolling.max_surge.as_ref(),
                            rolling.max_unavailable.as_ref(),
                            sink,
                        );
                    }
                    let min_ready = spec.min_ready_seconds.unwrap_or(0);
                    let deadline = spec
                        .progress_deadline_seconds
                        .unwrap_or(DEFAULT_PROGRESS_DEADLINE);
                    if deadline <= min_ready {
                        let pointer = if spec.progress_deadline_seconds.is_some() {
                            "/spec/progressDeadlineSeconds"
                        } else {
                            "/spec/minReadySeconds"
                        };
                        sink.report(
                            object,
                            pointer,
                            format!(
                                "{}: progressDeadlineSeconds {deadline} is not greater than \
                                 minReadySeconds {min_ready}; the API server rejects it, and \
                                 no rollout could ever count as progressing",
                                object.display_name()
                            ),
                            "make progressDeadlineSeconds comfortably larger than \
                             minReadySeconds plus the pods' start time (the default is 600)",
                        );
                    }
                }
                Some(Typed::DaemonSet(daemon_set)) => {
                    if let Some(rolling) = daemon_set
                        .spec
                        .update_strategy
                        .as_ref()
                        .and_then(|s| s.rolling_update.as_ref())
                    {
                        check_pair(
                            object,
                            "/spec/updateStrategy/rollingUpdate",
                            rolling.max_surge.as_ref(),
                            rolling.max_unavailable.as_ref(),
                            sink,
                        );
                    }
                }
                _ => {}
            }
        }
    }
}
