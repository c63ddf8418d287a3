use crate::k8s::view::Job;

use super::migration::{
    ARGO_DELETE_POLICY, ARGO_HOOK, HELM_DELETE_POLICY, HELM_HOOK, annotation_list, job,
    job_containers,
};
use crate::k8s::Object;
use crate::k8s::image::tag_before_digest;
use crate::rules::{Context, Rule, RuleMeta, Sink, rule_meta};

pub struct JobTemplateImmutable;

static META: RuleMeta = rule_meta!(
    "job-template-immutable",
    Warning,
    "a Job with a fixed name and no ttlSecondsAfterFinished: the next apply with a new image is rejected"
);

/// Whether a deploy tool deletes the Job before creating it again. Helm and Argo CD hooks
/// default to deleting the previous hook before creating it (`before-hook-creation`,
/// `BeforeHookCreation`); a policy that deletes it after it succeeded also clears the way.
/// Argo CD's `Replace=true` sync option and Flux's `kustomize.toolkit.fluxcd.io/force`
/// recreate objects whose fields are immutable.
fn recreated_by_tooling(object: &Object) -> bool {
    let hook_recreated = |hook: &str, policy: &str, deleting: [&str; 2]| {
        object.annotation(hook).is_some() && {
            let policies = annotation_list(object, policy);
            policies.is_empty()
                || policies
                    .iter()
                    .any(|p| deleting.iter().any(|d| p.eq_ignore_ascii_case(d)))
        }
    };
    let replaced = object
        .annotation("argocd.argoproj.io/sync-options")
        .is_some_and(|o| o.split(',').any(|o| o.trim() == "Replace=true"));
    let forced = object
        .annotation("kustomize.toolkit.fluxcd.io/force")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("enabled"));
    hook_recreated(
        HELM_HOOK,
        HELM_DELETE_POLICY,
        ["before-hook-creation", "hook-succeeded"],
    ) || hook_recreated(
        ARGO_HOOK,
        ARGO_DELETE_POLICY,
        ["BeforeHookCreation", "HookSucceeded"],
    ) || replaced
        || forced
}

/// Whether the Job's name carries the release: it contains an image tag of its own
/// containers (`db-migrate-1-5-0` for `web:1.5.0`), so each release creates a new Job.
fn named_per_release(name: &str, job: &Job) -> bool {
    let name = name.to_ascii_lowercase();
    job_containers(job)
        .filter_map(|c| c.image.as_deref().and_then(tag_before_digest))
        .map(|t| t.to_ascii_lowercase().replace(['.', '_'], "-"))
        .any(|t| t.len() >= 3 && t != "latest" && name.contains(&t))
}

impl Rule for JobTemplateImmutable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            let Some(job) = job(object) else { continue };
            let Some(name) = job.metadata.name.as_deref().filter(|n| !n.is_empty()) else {
                // generateName only: every apply creates a new Job.
                continue;
            };
            if job
                .spec
                .as_ref()
                .is_some_and(|s| s.ttl_seconds_after_finished.is_some())
                || recreated_by_tooling(object)
                || named_per_release(name, job)
            {
                continue;
            }
            sink.report(
                object,
                "/metadata/name",
                format!(
                    "Job `{name}` has a fixed name and no ttlSecondsAfterFinished, so the \
                     finished Job stays in the cluster; the next apply that changes its pod \
                     template (a new image tag) is rejected because a Job's spec.template is \
                     immutable, and the deploy fails or stops halfway"
                ),
                "set `spec.ttlSecondsAfterFinished` (e.g. 300) so the finished Job is deleted, \
                 make it a Helm or Argo CD hook (deleted before it is created again), or create \
                 it with `generateName` from a pipeline step",
            );
        }
    }
}
