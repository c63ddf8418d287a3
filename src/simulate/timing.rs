//! What a pod costs in time and resources: how long a new pod takes to become available,
//! how long an old one takes to go, and what it requests.
//!
//! The time estimate is deliberately simple (DESIGN.md, "Probes" and "Termination"):
//! - a container is Ready after its startup probe's first success (initialDelaySeconds +
//!   periodSeconds) and then its readiness probe's successThreshold successes
//!   (initialDelaySeconds + periodSeconds × successThreshold); without probes, at once;
//! - the pod is Ready when its slowest running container is, and available minReadySeconds
//!   later;
//! - image pulls and process start are taken as instant (they are not in the manifest);
//! - an old pod is gone, in the worst case, after its whole terminationGracePeriodSeconds
//!   (the preStop sleep, then the drain), or 2 s after a preStop that outlasts the grace
//!   period. A Deployment does not wait for that (terminating pods no longer count), a
//!   StatefulSet (same pod name) and Recreate do.

use crate::k8s::view::Container;
use k8s_openapi::api::core::v1::Probe;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use crate::k8s::workload::{PodTemplate, running_containers};

/// Kubernetes' probe defaults.
const DEFAULT_PERIOD: i64 = 10;
const DEFAULT_SUCCESS: i64 = 1;
const DEFAULT_GRACE: i64 = 30;
/// The kubelet gives a container this long after SIGTERM when preStop used up the grace.
const MIN_AFTER_SIGTERM: i64 = 2;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PodTiming {
    /// The slowest container's startup probe part.
    pub startup: i64,
    /// The slowest container's readiness probe part.
    pub readiness: i64,
    pub min_ready: i64,
    /// The longest preStop sleep of the running containers.
    pub prestop_sleep: i64,
    pub grace: i64,
}

impl PodTiming {
    /// Seconds from creation until a new pod counts as available.
    pub fn ready_seconds(&self) -> i64 {
        self.startup + self.readiness + self.min_ready
    }

    /// Seconds from deletion until an old pod is gone, at worst.
    pub fn shutdown_seconds(&self) -> i64 {
        if self.prestop_sleep >= self.grace {
            self.grace + MIN_AFTER_SIGTERM
        } else {
            self.grace
        }
    }
}

fn probe_part(probe: Option<&Probe>, successes: impl Fn(&Probe) -> i64) -> i64 {
    probe.map_or(0, |p| {
        i64::from(p.initial_delay_seconds.unwrap_or(0))
            + i64::from(p.period_seconds.unwrap_or(DEFAULT_PERIOD as i32)) * successes(p)
    })
}

/// The seconds of a `sleep N` in an exec preStop hook (`["sleep", "10"]` or
/// `["sh", "-c", "sleep 10"]`), or of the native `sleep` action.
fn prestop_sleep(container: &Container) -> i64 {
    let Some(pre_stop) = container
        .lifecycle
        .as_ref()
        .and_then(|l| l.pre_stop.as_ref())
    else {
        return 0;
    };
    if let Some(sleep) = &pre_stop.sleep {
        return sleep.seconds;
    }
    let words: Vec<&str> = pre_stop
        .exec
        .as_ref()
        .and_then(|e| e.command.as_ref())
        .into_iter()
        .flatten()
        .flat_map(|part| part.split([' ', ';', '&']))
        .filter(|w| !w.is_empty())
        .collect();
    words
        .windows(2)
        .filter(|pair| pair[0] == "sleep" || pair[0].ends_with("/sleep"))
        .filter_map(|pair| pair[1].parse::<f64>().ok())
        .map(|seconds| seconds.ceil() as i64)
        .max()
        .unwrap_or(0)
}

pub fn pod_timing(pod: Option<&PodTemplate<'_>>, min_ready: i64) -> PodTiming {
    let mut timing = PodTiming {
        min_ready,
        grace: DEFAULT_GRACE,
        ..PodTiming::default()
    };
    let Some(pod) = pod else {
        return timing;
    };
    timing.grace = pod
        .spec
        .termination_grace_period_seconds
        .unwrap_or(DEFAULT_GRACE);
    let mut slowest = 0;
    for running in running_containers(pod) {
        let container = running.container;
        // A startup probe needs one success (its successThreshold must be 1).
        let startup = probe_part(container.startup_probe.as_deref(), |_| 1);
        let readiness = probe_part(container.readiness_probe.as_deref(), |p| {
            i64::from(p.success_threshold.unwrap_or(DEFAULT_SUCCESS as i32))
        });
        if startup + readiness > slowest {
            slowest = startup + readiness;
            timing.startup = startup;
            timing.readiness = readiness;
        }
        timing.prestop_sleep = timing.prestop_sleep.max(prestop_sleep(container));
    }
    timing
}

/// What one pod requests: the sum over its running containers (a container that sets only
/// limits gets requests equal to them, as the API server defaults it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Requests {
    pub cpu_millis: i64,
    pub memory_bytes: i64,
}

impl Requests {
    pub fn memory_mib(self) -> i64 {
        // Rounded up: a surge cost is a budget to plan for.
        (self.memory_bytes + (1 << 20) - 1) >> 20
    }

    pub fn times(self, pods: i64) -> Requests {
        Requests {
            cpu_millis: self.cpu_millis * pods,
            memory_bytes: self.memory_bytes * pods,
        }
    }
}

/// The value of a Kubernetes quantity (`250m`, `1.5`, `512Mi`, `2G`, `1e3`).
pub fn quantity_value(text: &str) -> Option<f64> {
    let text = text.trim();
    const SUFFIXES: &[(&str, f64)] = &[
        ("Ki", 1024.0),
        ("Mi", 1_048_576.0),
        ("Gi", 1_073_741_824.0),
        ("Ti", 1_099_511_627_776.0),
        ("Pi", 1_125_899_906_842_624.0),
        ("Ei", 1_152_921_504_606_846_976.0),
        ("n", 1e-9),
        ("u", 1e-6),
        ("m", 1e-3),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
        ("P", 1e15),
        ("E", 1e18),
    ];
    let (number, factor) = SUFFIXES
        .iter()
        .find_map(|(suffix, factor)| text.strip_suffix(suffix).map(|n| (n, *factor)))
        .unwrap_or((text, 1.0));
    // `f64::from_str` also takes `inf`, `NaN` and a lone exponent's forms: keep digits.
    if number.is_empty()
        || !number
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
    {
        return None;
    }
    number
        .parse::<f64>()
        .ok()
        .map(|n| n * factor)
        .filter(|v| v.is_finite() && *v >= 0.0)
}

/// The requests of one pod, and the quantities it could not read (`container/resource`).
pub fn pod_requests(pod: Option<&PodTemplate<'_>>) -> (Requests, Vec<String>) {
    let mut total = Requests::default();
    let mut unreadable = Vec::new();
    let Some(pod) = pod else {
        return (total, unreadable);
    };
    for running in running_containers(pod) {
        let resources = running.container.resources.as_ref();
        let requested = |resource: &str| -> Option<&Quantity> {
            resources
                .and_then(|r| r.requests.as_ref())
                .and_then(|r| r.get(resource))
                .or_else(|| {
                    resources
                        .and_then(|r| r.limits.as_ref())
                        .and_then(|l| l.get(resource))
                })
        };
        for (resource, scale) in [("cpu", 1000.0), ("memory", 1.0)] {
            let Some(quantity) = requested(resource) else {
                continue;
            };
            match quantity_value(&quantity.0) {
                Some(value) => {
                    let value = (value * scale).ceil() as i64;
                    if resource == "cpu" {
                        total.cpu_millis += value;
                    } else {
                        total.memory_bytes += value;
                    }
                }
                None => unreadable.push(format!(
                    "{}/{resource} `{}`",
                    running.container.name, quantity.0
                )),
            }
        }
    }
    (total, unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(quantity_value("250m"), Some(0.25));
        assert_eq!(quantity_value("2"), Some(2.0));
        assert_eq!(quantity_value("256Mi"), Some(268_435_456.0));
        assert_eq!(quantity_value("1e3"), Some(1000.0));
        assert_eq!(quantity_value("1.5G"), Some(1.5e9));
        for bad in ["", "Mi", "abc", "inf", "-1", "1 Gi"] {
            assert_eq!(quantity_value(bad), None, "{bad}");
        }
    }

    #[test]
    fn mebibytes_round_up() {
        let r = Requests {
            cpu_millis: 0,
            memory_bytes: (1 << 20) + 1,
        };
        assert_eq!(r.memory_mib(), 2);
    }

    #[test]
    fn shutdown_gets_two_seconds_after_a_long_prestop() {
        let timing = PodTiming {
            prestop_sleep: 40,
            grace: 30,
            ..PodTiming::default()
        };
        assert_eq!(timing.shutdown_seconds(), 32);
    }
}
