use std::collections::{BTreeSet, HashMap};

use super::migration::{
    ARGO_HOOK, HELM_HOOK, annotation_list, job, job_containers, migration_reason, sync_wave,
};
use crate::k8s::image::repository;
use crate::k8s::{Object, Typed, annotation_pointer};
use crate::rules::context::PodOwner;
use crate::rules::{Context, Rule, RuleMeta, Sink, rule_meta};

pub struct MigrationJobUnordered;

static META: RuleMeta = rule_meta!(
    "migration-job-unordered",
    Warning,
    "a migration Job ships beside a workload of the same image with nothing ordering it first"
);

/// How the Job is ordered before `workload`, if it is.
fn ordered_before(job: &Object, workload: &Object) -> bool {
    let helm = annotation_list(job, HELM_HOOK);
    if helm.iter().any(|h| h.eq_ignore_ascii_case("pre-upgrade")) {
        return true;
    }
    let argo = annotation_list(job, ARGO_HOOK);
    if argo.iter().any(|h| h.eq_ignore_ascii_case("PreSync")) {
        return true;
    }
    match (sync_wave(job), sync_wave(workload)) {
        (Some(job_wave), Some(workload_wave)) => job_wave < workload_wave,
        // A wave that is not an integer: Argo CD rejects it; not this rule's to judge.
        _ => true,
    }
}

/// Whether the workload itself waits for the Job: an init container whose command or args
/// name it (`k8s-wait-for job <name>`, `kubectl wait job/<name>`).
fn waits_for(owner: &PodOwner<'_>, job_name: &str) -> bool {
    owner.pod.spec.init_containers.iter().flatten().any(|c| {
        c.command
            .iter()
            .flatten()
            .chain(c.args.iter().flatten())
            .any(|word| {
                word.split(|c: char| c.is_whitespace() || matches!(c, '/' | '=' | '"' | '\''))
                    .any(|token| token == job_name)
            })
    })
}

fn is_long_running_workload(object: &Object) -> bool {
    matches!(
        object.typed,
        Some(Typed::Deployment(_) | Typed::StatefulSet(_) | Typed::DaemonSet(_))
    ) || (object.kind == "Rollout" && object.api_version.starts_with("argoproj.io/"))
}

/// The image repositories of a pod template's containers.
fn repositories_of<'a>(owner: &'a PodOwner<'_>) -> impl Iterator<Item = String> + 'a {
    owner
        .pod
        .spec
        .containers
        .iter()
        .filter_map(|c| c.image.as_deref().and_then(repository))
}

/// The long-running workloads' pod templates (positions in `templates`) by the image
/// repositories of their containers.
fn long_running_by_repository(templates: &[PodOwner<'_>]) -> HashMap<String, Vec<usize>> {
    let mut index: HashMap<String, Vec<usize>> = HashMap::new();
    for (position, owner) in templates.iter().enumerate() {
        if owner.pod.runs_to_completion || !is_long_running_workload(owner.object) {
            continue;
        }
        let repositories: BTreeSet<String> = repositories_of(owner).collect();
        for repository in repositories {
            index.entry(repository).or_default().push(position);
        }
    }
    index
}

impl Rule for MigrationJobUnordered {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        let mut by_namespace: HashMap<&str, HashMap<String, Vec<usize>>> = HashMap::new();
        for object in context.objects {
            let (Some(typed), Some(reason)) = (job(object), migration_reason(object)) else {
                continue;
            };
            let repositories: BTreeSet<String> = job_containers(typed)
                .filter_map(|c| c.image.as_deref().and_then(repository))
                .collect();
            // A Job with only a generateName cannot be applied (`kubectl apply` needs a
            // name): a pipeline step creates it, and orders it there.
            if repositories.is_empty() || typed.metadata.name.is_none() {
                continue;
            }
            let namespace = context.namespace(object);
            let templates = context.pod_templates(namespace);
            let by_repository = by_namespace
                .entry(namespace)
                .or_insert_with(|| long_running_by_repository(templates));
            // The workloads running one of the Job's repositories, in input order.
            let mut candidates: Vec<usize> = repositories
                .iter()
                .filter_map(|r| by_repository.get(r))
                .flatten()
                .copied()
                .collect();
            candidates.sort_unstable();
            candidates.dedup();
            let mut workloads = Vec::new();
            let mut shared = BTreeSet::new();
            for owner in candidates.into_iter().map(|i| &templates[i]) {
                let same: Vec<String> = repositories_of(owner)
                    .filter(|r| repositories.contains(r))
                    .collect();
                if same.is_empty()
                    || ordered_before(object, owner.object)
                    || waits_for(owner, &object.name)
                {
                    continue;
                }
                workloads.push(owner.object.display_name());
                shared.extend(same);
            }
            if workloads.is_empty() {
                continue;
            }
            let helm = annotation_list(object, HELM_HOOK);
            let (pointer, how) = if helm.is_empty() {
                (
                    "/metadata/name".to_string(),
                    "nothing orders it first (no Helm pre-upgrade hook, no Argo CD PreSync \
                     hook, no lower sync wave)"
                        .to_string(),
                )
            } else if helm.iter().any(|h| h.eq_ignore_ascii_case("pre-install")) {
                (
                    annotation_pointer(HELM_HOOK),
                    "it is a Helm pre-install hook but not pre-upgrade, so on `helm upgrade` it \
                     does not run at all"
                        .to_string(),
                )
            } else {
                (
                    annotation_pointer(HELM_HOOK),
                    format!(
                        "its Helm hook `{}` does not run it before an upgrade's workloads",
                        helm.join(",")
                    ),
                )
            };
            let shared: Vec<String> = shared.into_iter().collect();
            sink.report(
                object,
                pointer,
                format!(
                    "{} is a migration Job ({reason}) of image {}, which {} also run{}, and \
                     {how}: the new pods start (and old pods keep serving) while the schema \
                     changes under them, or before it changed at all",
                    object.display_name(),
                    shared.join(", "),
                    workloads.join(", "),
                    if workloads.len() == 1 { "s" } else { "" },
                ),
                "order the migration first: `helm.sh/hook: pre-install,pre-upgrade` for Helm, \
                 `argocd.argoproj.io/hook: PreSync` (or a lower `argocd.argoproj.io/sync-wave`) \
                 for Argo CD, or a pipeline step that waits for the Job to complete before \
                 applying the workloads; keep the schema change backward compatible either way",
            );
        }
    }
}
