//! What makes a Job a migration Job, and what orders it before the workloads it migrates
//! for (Helm hooks, Argo CD hooks and sync waves).

use crate::k8s::view::Container;
use crate::k8s::view::Job;
use serde_json::Value;

use crate::k8s::{Object, Typed};
use crate::pointer::ValuePointer;

/// Marks a Job as a migration whatever it is called.
pub const ROLE_ANNOTATION: &str = "zerodown.dev/role";

/// The typed Job, for `batch/v1` Jobs.
pub fn job(object: &Object) -> Option<&Job> {
    match &object.typed {
        Some(Typed::Job(job)) => Some(job.as_ref()),
        _ => None,
    }
}

fn says_migrate(text: &str) -> bool {
    text.to_ascii_lowercase().contains("migrat")
}

/// Every container of the Job's pod: init containers first, then the main ones.
pub fn job_containers(job: &Job) -> impl Iterator<Item = &Container> {
    job.spec
        .iter()
        .filter_map(|s| s.template.spec.as_ref())
        .flat_map(|pod| pod.init_containers.iter().flatten().chain(&pod.containers))
}

/// Why the Job counts as a migration ("its name", "container `migrate`", …), or `None`.
/// A Job is a migration when annotated `zerodown.dev/role: migration`, or when its name
/// or generateName, a container's name, or a container's command or args say "migrat".
pub fn migration_reason(object: &Object) -> Option<String> {
    let job = job(object)?;
    if object
        .annotation(ROLE_ANNOTATION)
        .is_some_and(|r| r.trim().eq_ignore_ascii_case("migration"))
    {
        return Some(format!("annotated `{ROLE_ANNOTATION}: migration`"));
    }
    let metadata = &job.metadata;
    if metadata.name.as_deref().is_some_and(says_migrate)
        || metadata.generate_name.as_deref().is_some_and(says_migrate)
    {
        return Some("its name says so".to_string());
    }
    for container in job_containers(job) {
        if says_migrate(&container.name) {
            return Some(format!("its container `{}` says so", container.name));
        }
        let words = container
            .command
            .iter()
            .flatten()
            .chain(container.args.iter().flatten());
        if words.into_iter().any(|w| says_migrate(w)) {
            return Some(format!(
                "the command of container `{}` says so",
                container.name
            ));
        }
    }
    None
}

/// The comma-separated values of an annotation, trimmed.
pub fn annotation_list<'a>(object: &'a Object, key: &str) -> Vec<&'a str> {
    object
        .annotation(key)
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

pub const HELM_HOOK: &str = "helm.sh/hook";
pub const HELM_DELETE_POLICY: &str = "helm.sh/hook-delete-policy";
pub const ARGO_HOOK: &str = "argocd.argoproj.io/hook";
pub const ARGO_DELETE_POLICY: &str = "argocd.argoproj.io/hook-delete-policy";
pub const ARGO_WAVE: &str = "argocd.argoproj.io/sync-wave";

/// An object's Argo CD sync wave: 0 when unset, `None` when it is not an integer.
pub fn sync_wave(object: &Object) -> Option<i64> {
    match object
        .value
        .at("/metadata/annotations")
        .and_then(|a| a.get(ARGO_WAVE))
    {
        None => Some(0),
        Some(Value::String(s)) => s.trim().parse().ok(),
        Some(Value::Number(n)) => n.as_i64(),
        Some(_) => None,
    }
}
