//! Rules over the Jobs that run schema migrations beside a rollout, and over Jobs that
//! block the next apply.

mod job_template_immutable;
mod migration;
mod migration_job_retries;
mod migration_job_unordered;

use super::Rule;

pub static ALL: &[&dyn Rule] = &[
    &migration_job_retries::MigrationJobRetries,
    &migration_job_unordered::MigrationJobUnordered,
    &job_template_immutable::JobTemplateImmutable,
];
