use super::migration::{job, migration_reason};
use crate::rules::{Context, Rule, RuleMeta, Sink, rule_meta};

pub struct MigrationJobRetries;

static META: RuleMeta = rule_meta!(
    "migration-job-retries",
    Warning,
    "a migration Job retries on failure (backoffLimit > 0, or unset, which means 6)"
);

impl Rule for MigrationJobRetries {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            let (Some(job), Some(reason)) = (job(object), migration_reason(object)) else {
                continue;
            };
            let Some(spec) = &job.spec else { continue };
            // Indexed Jobs with a per-index limit, and Jobs whose pod failure policy fails
            // the Job on chosen exits, have decided what retries: not second-guessed.
            let fails_job = spec
                .pod_failure_policy
                .as_ref()
                .is_some_and(|p| p.rules.iter().any(|r| r.action == "FailJob"));
            if spec.backoff_limit_per_index.is_some() || fails_job {
                continue;
            }
            let name = object.display_name();
            match spec.backoff_limit {
                Some(0) => {
                    let restart = spec
                        .template
                        .spec
                        .as_ref()
                        .and_then(|p| p.restart_policy.as_deref());
                    if restart == Some("OnFailure") {
                        sink.report(
                            object,
                            "/spec/template/spec/restartPolicy",
                            format!(
                                "{name} is a migration Job ({reason}) with backoffLimit: 0 but \
                                 restartPolicy: OnFailure: the kubelet restarts a failed \
                                 container in place, in the same pod, before the Job controller \
                                 counts the failure, so a half-applied migration can run again"
                            ),
                            "set `restartPolicy: Never` so a failed migration stops with its pod \
                             kept for inspection",
                        );
                    }
                }
                limit => {
                    let how = match limit {
                        Some(n) => format!("backoffLimit: {n}"),
                        None => "no backoffLimit, which means 6".to_string(),
                    };
                    sink.report(
                        object,
                        "/spec/backoffLimit",
                        format!(
                            "{name} is a migration Job ({reason}) with {how}: when the migration \
                             fails halfway (a timeout, a lock, an evicted pod) the Job runs it \
                             again on a partly migrated schema; a migration that is not \
                             idempotent then fails differently or corrupts data, and the new \
                             version rolls out against a schema in an unknown state"
                        ),
                        "set `backoffLimit: 0` and `restartPolicy: Never`, and make a failed \
                         migration stop the deploy for a human (or make every step idempotent \
                         and transactional first)",
                    );
                }
            }
        }
    }
}
