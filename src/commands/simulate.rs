//! `zerodown simulate`: manifests in, rollout timelines out. It reports, it does not judge:
//! exit 0 whatever the timeline shows, 2 when an input or a workload's spec cannot be read
//! or nothing in the input can be simulated.

use std::io::Write;

use serde_json::{Value, json};

use super::find_config;
use crate::cli::{HumanOrJson, SimulateArgs};
use crate::exit;
use crate::input::{self, InputError};
use crate::simulate::{self, Outcome, Pod, ReplicasSource, Simulation, Strategy};
use crate::workspace::{Keep, Workspace, parse_file};

/// Up to this many replicas the timeline shows one token per pod; beyond, counts.
const TOKENS_UP_TO: i64 = 20;

pub fn run(args: &SimulateArgs) -> u8 {
    let start = std::env::current_dir().ok();
    // The config gives the default namespace and the path excludes, as for `lint`.
    let config = match find_config(false, None, start.as_deref()) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("{error}");
            return exit::INPUT_ERROR;
        }
    };
    let paths = crate::input::or_current_folder(&args.paths);
    let (inputs, collect_errors) =
        input::collect(&paths, &input::is_yaml, &|path| config.is_excluded(path));
    let mut workspace = Workspace::default();
    for error in collect_errors {
        workspace.add_error(error);
    }
    for input in &inputs {
        match input::read(input).map(|source| parse_file(source, Keep::Everything)) {
            Ok(parsed) => workspace.add(parsed),
            Err(error) => workspace.add_error(error),
        }
    }
    let outcome = simulate::simulate(&workspace, &config, args.name.as_deref());
    let errors: Vec<&InputError> = workspace.errors.iter().chain(&outcome.errors).collect();
    for error in &errors {
        eprintln!("{error}");
    }
    for skipped in &outcome.skipped {
        eprintln!(
            "note: {}/{}/{}: not simulated: {}",
            skipped.kind, skipped.namespace, skipped.name, skipped.reason
        );
    }
    let nothing = outcome.simulations.is_empty() && outcome.errors.is_empty();
    if nothing {
        let what = "Deployment, StatefulSet or Argo Rollout";
        match &args.name {
            Some(name) => eprintln!("error: no {what} named `{name}` to simulate in the input"),
            None => eprintln!("error: no {what} to simulate in the input"),
        }
    }
    let text = match args.format {
        HumanOrJson::Human => human(&outcome),
        HumanOrJson::Json => {
            let mut text = serde_json::to_string_pretty(&to_json(&outcome, &errors))
                .expect("JSON values serialize");
            text.push('\n');
            text
        }
    };
    let mut stdout = std::io::stdout().lock();
    if let Err(error) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: writing the timeline: {error}");
        }
        return exit::INPUT_ERROR;
    }
    if errors.is_empty() && !nothing {
        exit::CLEAN
    } else {
        exit::INPUT_ERROR
    }
}

fn identity(s: &Simulation) -> String {
    format!("{}/{}/{}", s.kind, s.namespace, s.name)
}

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `3 (25%)` for a percentage, `1` for a count.
fn limit_text(limit: &simulate::Limit) -> String {
    let setting = limit.setting();
    if setting.ends_with('%') {
        format!("{} ({setting})", limit.pods)
    } else {
        limit.pods.to_string()
    }
}

fn token(pod: Pod) -> &'static str {
    match pod {
        Pod::Old => "[v1]",
        Pod::New => "[v2]",
        Pod::Missing => "[--]",
    }
}

fn tokens(step: &simulate::Step, replicas: i64) -> String {
    let parts: Vec<String> = if replicas <= TOKENS_UP_TO {
        step.pods
            .iter()
            .flat_map(|(pod, n)| std::iter::repeat_n(token(*pod), *n as usize))
            .map(str::to_string)
            .collect()
    } else {
        step.pods
            .iter()
            .map(|(pod, n)| format!("{}×{n}", token(*pod)))
            .collect()
    };
    if parts.is_empty() {
        "(no pods)".to_string()
    } else {
        parts.join(" ")
    }
}

fn header(s: &Simulation) -> String {
    let replicas = plural(s.replicas, "replica", "replicas");
    let bounds = |s: &Simulation| {
        format!(
            "at least {} available, at most {}",
            s.min_available(),
            plural(s.max_total(), "pod", "pods")
        )
    };
    match s.strategy {
        Strategy::RollingUpdate => format!(
            "{}: {replicas}, maxSurge {}, maxUnavailable {}: {}",
            identity(s),
            limit_text(&s.max_surge),
            limit_text(&s.max_unavailable),
            bounds(s)
        ),
        Strategy::Recreate => format!(
            "{}: {replicas}, strategy Recreate: every old pod stops before any new one starts",
            identity(s)
        ),
        Strategy::OrderedRollingUpdate => {
            let partition = s.partition.unwrap_or(0);
            let last = s.replicas - 1;
            let range = if partition == 0 {
                format!("ordinal {last} down to 0")
            } else {
                format!("ordinal {last} down to {partition} (partition {partition})")
            };
            let written = match s.max_unavailable.written {
                Some(_) => format!(" (maxUnavailable {})", limit_text(&s.max_unavailable)),
                None => String::new(),
            };
            format!(
                "{}: {replicas}, RollingUpdate from {range}, {} at a time, old pod \
                 first{written}: {}",
                identity(s),
                s.max_unavailable.pods,
                bounds(s)
            )
        }
    }
}

fn replicas_line(s: &Simulation) -> Option<String> {
    match &s.replicas_source {
        ReplicasSource::Declared => None,
        ReplicasSource::Autoscaler(names) => Some(format!(
            "replicas: spec.replicas is unset; simulated with {}, the minimum of {names}",
            s.replicas
        )),
        ReplicasSource::Default => Some(
            "replicas: spec.replicas is unset and no autoscaler targets it in the input: the \
             API default, 1"
                .to_string(),
        ),
    }
}

fn human_one(s: &Simulation, out: &mut String) {
    use std::fmt::Write as _;
    let _ = writeln!(out, "{}", header(s));
    if let Some(line) = replicas_line(s) {
        let _ = writeln!(out, "  {line}");
    }
    let seconds = s.step_seconds();
    let lines: Vec<String> = s.steps.iter().map(|st| tokens(st, s.replicas)).collect();
    let width = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let label_width = format!("Time {}:", s.steps.len().saturating_sub(1)).len();
    for ((step, line), at) in s.steps.iter().zip(&lines).zip(&seconds) {
        let label = format!("Time {}:", step.time);
        let pad = width - line.chars().count();
        let _ = writeln!(
            out,
            "  {label:<label_width$} {line}{:pad$}   old {} new {} newAvailable {} available {}   ~{at} s",
            "",
            step.old,
            step.new,
            step.new_available,
            step.available(),
        );
    }
    let minimum = s.lowest_available();
    let minimum_at = s
        .steps
        .iter()
        .find(|st| st.available() == minimum)
        .map_or(0, |st| st.time);
    let _ = writeln!(
        out,
        "  Minimum available: {minimum} of {} (first at Time {minimum_at}; the controller \
         allows down to {})",
        s.replicas,
        s.min_available()
    );
    let outage = s.outage_steps();
    if let (Some(first), Some(last)) = (outage.first(), outage.last()) {
        let span = if first == last {
            format!("at Time {first}")
        } else {
            format!("from Time {first} to Time {last}")
        };
        let _ = writeln!(
            out,
            "  Drops every request {span}: no pod is available (about {} s)",
            s.timing.shutdown_seconds() + s.timing.ready_seconds()
        );
    }
    let (peak, peak_at) = s.peak();
    let surge = s.surge_pods();
    if surge > 0 && s.requests == simulate::Requests::default() {
        let _ = writeln!(
            out,
            "  Peak: {} at Time {peak_at}, {surge} above the replica count: surge cost {}; \
             no container requests CPU or memory, so the cost in resources is unknown",
            plural(peak, "pod", "pods"),
            plural(surge, "pod", "pods"),
        );
    } else if surge > 0 {
        let cost = s.surge_requests();
        let _ = writeln!(
            out,
            "  Peak: {} at Time {peak_at}, {surge} above the replica count: surge cost {}, \
             {}m CPU and {} MiB memory requested ({}m and {} MiB per pod)",
            plural(peak, "pod", "pods"),
            plural(surge, "pod", "pods"),
            cost.cpu_millis,
            cost.memory_mib(),
            s.requests.cpu_millis,
            s.requests.memory_mib()
        );
    } else {
        let _ = writeln!(
            out,
            "  Peak: {} (never above the replica count): no surge cost",
            plural(peak, "pod", "pods")
        );
    }
    let t = &s.timing;
    let waits = s.steps.iter().filter(|st| st.became_available > 0).count();
    let mut duration = format!(
        "  Estimated duration: ~{} s ({} of {} s until new pods are available",
        s.estimated_seconds(),
        plural(waits as i64, "wait", "waits"),
        t.ready_seconds()
    );
    if s.strategy != Strategy::RollingUpdate {
        let terminations = s.steps.iter().filter(|st| st.created > 0).count();
        let _ = write!(
            duration,
            ", {} of {} s for old pods to be gone",
            plural(terminations as i64, "wait", "waits"),
            t.shutdown_seconds()
        );
    }
    let _ = writeln!(out, "{duration})");
    let _ = writeln!(
        out,
        "    new pod available after {} s: startup probe {} s (initialDelaySeconds + \
         periodSeconds, one success) + readiness probe {} s (initialDelaySeconds + \
         periodSeconds × successThreshold) + minReadySeconds {}",
        t.ready_seconds(),
        t.startup,
        t.readiness,
        t.min_ready
    );
    let blocking = if s.strategy == Strategy::RollingUpdate {
        "the rollout does not wait for it (terminating pods no longer count)"
    } else {
        "its replacement waits for it"
    };
    let _ = writeln!(
        out,
        "    old pod gone after at most {} s: preStop sleep {} s, then drain up to the {} s \
         grace period; {blocking}",
        t.shutdown_seconds(),
        t.prestop_sleep,
        t.grace
    );
    let _ = writeln!(
        out,
        "    assumed: images pulled and containers started at once, every probe passes the \
         first time, the controller reacts at once"
    );
    for note in &s.notes {
        let _ = writeln!(out, "  note: {note}");
    }
}

fn human(outcome: &Outcome) -> String {
    let mut out = String::new();
    for (i, simulation) in outcome.simulations.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        human_one(simulation, &mut out);
    }
    out
}

fn json_one(s: &Simulation) -> Value {
    let seconds = s.step_seconds();
    let steps: Vec<Value> = s
        .steps
        .iter()
        .zip(&seconds)
        .map(|(step, at)| {
            json!({
                "time": step.time,
                "old": step.old,
                "new": step.new,
                "newAvailable": step.new_available,
                "available": step.available(),
                "seconds": at,
            })
        })
        .collect();
    let (peak, _) = s.peak();
    let cost = s.surge_requests();
    let replicas_source = match &s.replicas_source {
        ReplicasSource::Declared => json!("spec.replicas"),
        ReplicasSource::Autoscaler(names) => json!(format!("autoscaler: {names}")),
        ReplicasSource::Default => json!("default"),
    };
    json!({
        "kind": s.kind,
        "name": s.name,
        "namespace": s.namespace,
        "strategy": s.strategy.name(),
        "replicas": s.replicas,
        "replicasSource": replicas_source,
        "maxSurge": s.max_surge.pods,
        "maxUnavailable": s.max_unavailable.pods,
        "maxSurgeSetting": s.max_surge.setting(),
        "maxUnavailableSetting": s.max_unavailable.setting(),
        "partition": s.partition,
        "minAvailable": s.min_available(),
        "lowestAvailable": s.lowest_available(),
        "peakPods": peak,
        "surge": {
            "pods": s.surge_pods(),
            "cpuMillicores": cost.cpu_millis,
            "memoryMiB": cost.memory_mib(),
        },
        "podReadySeconds": s.timing.ready_seconds(),
        "podShutdownSeconds": s.timing.shutdown_seconds(),
        "estimatedSeconds": s.estimated_seconds(),
        "notes": s.notes,
        "steps": steps,
    })
}

fn to_json(outcome: &Outcome, errors: &[&InputError]) -> Value {
    let skipped: Vec<Value> = outcome
        .skipped
        .iter()
        .map(|s| {
            json!({
                "kind": s.kind,
                "name": s.name,
                "namespace": s.namespace,
                "reason": s.reason,
            })
        })
        .collect();
    json!({
        "version": 1,
        "rollouts": outcome.simulations.iter().map(json_one).collect::<Vec<_>>(),
        "skipped": skipped,
        "errors": errors,
    })
}
