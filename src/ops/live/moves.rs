//! The live moves end to end: check, patch (or `rollout undo`), and with `--wait` watch
//! until the move is done. Each step is logged as it happens; nothing is patched when a
//! check refuses.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::readiness::{self, Poll};
use super::{Kubectl, argo};
use crate::k8s::Object;
use crate::ops::traffic::{Move, Serving};
use crate::workspace::Workspace;

/// Why a live move stopped.
#[derive(Debug)]
pub enum Failure {
    /// The cluster could not be read or patched, or the request makes no sense here.
    Input(String),
    /// A check refused the move; nothing was changed.
    Refused(Vec<String>),
    /// The move was made but did not finish (a wait failed or timed out).
    Failed(String),
}

/// A live move, ready to run with its options and a log for its progress lines.
pub type LiveMove<'a> = dyn Fn(&Options<'_>, &mut dyn FnMut(&str)) -> Result<(), Failure> + 'a;

/// How a live move runs.
pub struct Options<'a> {
    pub kubectl: &'a Kubectl,
    /// The namespace for objects that name none (what kubectl's context would use).
    pub namespace: &'a str,
    pub force: bool,
    pub wait: bool,
    pub timeout: Duration,
}

/// Readiness problems refuse the move, unless `--force` (then they are warnings).
fn refuse_unless_forced(
    options: &Options<'_>,
    problems: Vec<String>,
    log: &mut dyn FnMut(&str),
) -> Result<(), Failure> {
    if problems.is_empty() {
        return Ok(());
    }
    if !options.force {
        return Err(Failure::Refused(problems));
    }
    for problem in &problems {
        log(&format!("warning: not Ready (--force): {problem}"));
    }
    Ok(())
}

/// A traffic move (switch, set-weight, a canary promote or rollback): the targets must be
/// Ready and the Services that take traffic must have Ready endpoints, then each changed
/// object is patched; `--wait` watches the live Service and the started rollouts.
pub fn traffic(
    options: &Options<'_>,
    workspace: &Workspace,
    planned: &Move,
    log: &mut dyn FnMut(&str),
) -> Result<(), Failure> {
    for line in &planned.summary {
        log(line);
    }
    if planned.changes.is_empty() {
        log("nothing to change");
        return Ok(());
    }
    let mut problems = readiness::unready_targets(workspace, planned);
    problems
        .extend(readiness::unserved(options.kubectl, &planned.serving).map_err(Failure::Input)?);
    refuse_unless_forced(options, problems, log)?;
    let done = super::apply(options.kubectl, workspace, planned, options.namespace)
        .map_err(Failure::Input)?;
    for line in &done {
        log(line);
    }
    if !options.wait {
        return Ok(());
    }
    let deadline = Instant::now() + options.timeout;
    for settled in &planned.settled {
        let message = readiness::wait_until(deadline, || {
            Ok(match readiness::unsettled(options.kubectl, settled)? {
                None => Poll::Done(format!(
                    "Service {}/{}: served by the target only",
                    settled.namespace, settled.service
                )),
                Some(reason) => Poll::Pending(reason),
            })
        })
        .map_err(Failure::Failed)?;
        log(&message);
    }
    for &index in &planned.rollouts {
        let object = &workspace.objects[index];
        let left = deadline.saturating_duration_since(Instant::now());
        let status = options
            .kubectl
            .rollout_status(object, object.namespace_or(options.namespace), left)
            .map_err(Failure::Failed)?;
        log(&status);
    }
    Ok(())
}

/// Promotes or aborts an Argo Rollout once the Services in `serving` have Ready endpoints;
/// `--wait` polls it until `done` says so.
pub fn argo(
    options: &Options<'_>,
    rollout: &Object,
    patches: &argo::Patches,
    serving: &[Serving],
    done: fn(&Value) -> Poll,
    log: &mut dyn FnMut(&str),
) -> Result<(), Failure> {
    let namespace = rollout.namespace_or(options.namespace);
    let problems = readiness::unserved(options.kubectl, serving).map_err(Failure::Input)?;
    refuse_unless_forced(options, problems, log)?;
    for line in argo::send(options.kubectl, rollout, namespace, patches).map_err(Failure::Input)? {
        log(&line);
    }
    if !options.wait {
        return Ok(());
    }
    let resource = super::resource_of(rollout);
    let deadline = Instant::now() + options.timeout;
    let message = readiness::wait_until(deadline, || {
        let now =
            options
                .kubectl
                .get_json(&[&resource, &rollout.name, "--namespace", namespace])?;
        Ok(done(&now))
    })
    .map_err(Failure::Failed)?;
    log(&format!("Rollout/{}: {message}", rollout.name));
    Ok(())
}

const UNDO_KINDS: &[&str] = &["Deployment", "StatefulSet", "DaemonSet"];

/// `kubectl rollout undo` of one plain workload (the one named, or the only one in the
/// namespace), then `kubectl rollout status` until it is back or the timeout passes.
pub fn undo(
    options: &Options<'_>,
    workspace: &Workspace,
    name: Option<&str>,
    to_revision: Option<u64>,
    log: &mut dyn FnMut(&str),
) -> Result<(), Failure> {
    let workloads: Vec<&Object> = workspace
        .objects
        .iter()
        .filter(|o| UNDO_KINDS.contains(&o.kind.as_str()))
        .filter(|o| name.is_none_or(|n| o.name == n))
        .collect();
    let object = match workloads.as_slice() {
        [one] => *one,
        [] => {
            return Err(Failure::Input(match name {
                Some(name) => format!("no Deployment, StatefulSet or DaemonSet named {name}"),
                None => "no canary, no blue-green pair, no Argo Rollout mid-update and no \
                         workload: nothing to roll back"
                    .to_string(),
            }));
        }
        many => {
            return Err(Failure::Input(format!(
                "several workloads could be rolled back: {}; name one with --name",
                many.iter()
                    .map(|o| format!("{}/{}", o.kind, o.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    };
    let namespace = object.namespace_or(options.namespace);
    let undone = options
        .kubectl
        .rollout_undo(object, namespace, to_revision)
        .map_err(Failure::Input)?;
    log(&undone);
    let status = options
        .kubectl
        .rollout_status(object, namespace, options.timeout)
        .map_err(Failure::Failed)?;
    log(&status);
    Ok(())
}
