use serde_json::Value;

use super::rule_meta;
use crate::pointer::ValuePointer;
use crate::rules::{Context, Rule, RuleMeta, Sink};

pub struct RollbackHistoryDisabled;

static META: RuleMeta = rule_meta!(
    "rollback-history-disabled",
    Error,
    "`revisionHistoryLimit: 0` keeps no old revision, so `kubectl rollout undo` has nothing to restore"
);

impl Rule for RollbackHistoryDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            let workload = match object.kind.as_str() {
                "Deployment" | "StatefulSet" | "DaemonSet" => object.api_version == "apps/v1",
                "Rollout" => object.api_version.starts_with("argoproj.io/"),
                _ => false,
            };
            if !workload
                || object
                    .value
                    .at("/spec/revisionHistoryLimit")
                    .and_then(Value::as_i64)
                    != Some(0)
            {
                continue;
            }
            sink.report(
                object,
                "/spec/revisionHistoryLimit",
                format!(
                    "{} keeps 0 old revisions: a bad release cannot be rolled back with \
                     `kubectl rollout undo`; you must redeploy the old manifest under pressure",
                    object.display_name()
                ),
                "remove the field (the default keeps 10) or keep at least a few revisions, \
                 e.g. `revisionHistoryLimit: 5`",
            );
        }
    }
}
