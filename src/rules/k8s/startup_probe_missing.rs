use super::liveness_readiness_identical::{Timing, probed_containers};
use super::rule_meta;
use crate::rules::{Context, Rule, RuleMeta, Sink};

pub struct StartupProbeMissing;

static META: RuleMeta = rule_meta!(
    "startup-probe-missing",
    Info,
    "a slow starter is handled with a long livenessProbe initialDelaySeconds instead of a startupProbe"
);

/// From this initialDelaySeconds on, the delay is there to cover a slow start.
const SLOW_START_SECONDS: i32 = 30;

/// The failureThreshold of a startupProbe with `periodSeconds: 10` that allows at least twice
/// `delay` and no less than the `budget` the liveness probe allows today: the probe ends as
/// soon as the app is up, so a generous budget costs nothing.
pub(super) fn startup_failure_threshold(delay: i32, budget: i32) -> i32 {
    (delay.saturating_mul(2).max(budget).saturating_add(9)) / 10
}

impl Rule for StartupProbeMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            for probed in probed_containers(object) {
                let container = probed.container;
                let Some(liveness) = container.liveness_probe.as_ref() else {
                    continue;
                };
                if container.startup_probe.is_some() {
                    continue;
                }
                let timing = Timing::of(liveness);
                let delay = timing.initial_delay;
                if delay < SLOW_START_SECONDS {
                    continue;
                }
                let budget = delay.saturating_add(timing.period.saturating_mul(timing.failure));
                let threshold = startup_failure_threshold(delay, budget);
                sink.report(
                    object,
                    format!("{}/livenessProbe/initialDelaySeconds", probed.pointer),
                    format!(
                        "container `{}` of {} waits a fixed {delay} s (livenessProbe \
                         initialDelaySeconds) for a slow start and has no startupProbe: a \
                         start slower than about {budget} s (a cold node, CPU throttling \
                         during a rollout) is killed and restarted in a loop, and every \
                         restart goes {delay} s without a liveness check",
                        probed.label,
                        object.display_name(),
                    ),
                    format!(
                        "add a startupProbe on the liveness endpoint whose failureThreshold × \
                         periodSeconds covers the slowest start (e.g. `periodSeconds: 10`, \
                         `failureThreshold: {threshold}` allows {} s), and remove \
                         initialDelaySeconds from the livenessProbe: the startupProbe holds \
                         liveness and readiness back until it first succeeds",
                        threshold * 10
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::startup_failure_threshold;

    #[test]
    fn budget_is_twice_the_delay_and_never_less_than_today() {
        assert_eq!(startup_failure_threshold(30, 60), 6);
        assert_eq!(startup_failure_threshold(45, 75), 9);
        assert_eq!(startup_failure_threshold(31, 61), 7);
        // initialDelaySeconds 60, periodSeconds 10, failureThreshold 10: 160 s today.
        assert_eq!(startup_failure_threshold(60, 160), 16);
    }
}
