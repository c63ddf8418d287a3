//! The migration rules: the `SqlRule` trait, their one registry, and the sink they report to.
//! A rule looks at one statement at a time, with the schema as it was just before it
//! (`StatementContext`), or at a whole history (`check_history`).

mod add_required_column;
mod backfill_in_transaction;
mod change_column_type;
mod common;
mod concurrent_in_transaction;
mod constraint_not_valid_missing;
mod down_migration_missing;
mod drop_column;
mod drop_index_not_concurrent;
mod drop_table;
mod index_not_concurrent;
mod lock_timeout_missing;
mod rename_column;
mod rename_table;
mod set_not_null;
mod unique_constraint_locks;
mod volatile_default;

use super::analysis::StatementContext;
use super::syntax::Name;
use super::{History, MigrationSet};
use crate::rules::RuleMeta;
use crate::severity::Severity;
use crate::source::Span;

/// What kind of harm a finding is about; it decides how phases and table sizes change its
/// severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Concern {
    /// Breaks the other running version or a rollback: info in a contract-phase migration
    /// (the expand phases made the old shape obsolete), not checked in down migrations.
    Compatibility,
    /// Holds a lock for as long as the table is big (scan, rewrite, index build): info on a
    /// small table and an error on a large one when `--database` tells the size.
    Duration,
    /// Everything else (transaction and lock-queue hazards, layout problems).
    Other,
}

pub trait SqlRule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn concern(&self) -> Concern;
    fn check(&self, _cx: &StatementContext<'_>, _sink: &mut Sink<'_>) {}
    fn check_history(&self, _set: &MigrationSet, _history: &History, _sink: &mut Sink<'_>) {}
}

/// Every migration rule, in the order `zerodown rules` lists them: what breaks the other
/// version first, then what locks.
pub static SQL_RULES: &[&dyn SqlRule] = &[
    &rename_column::RenameColumn,
    &rename_table::RenameTable,
    &drop_column::DropColumn,
    &drop_table::DropTable,
    &change_column_type::ChangeColumnType,
    &add_required_column::AddRequiredColumn,
    &set_not_null::SetNotNull,
    &index_not_concurrent::IndexNotConcurrent,
    &drop_index_not_concurrent::DropIndexNotConcurrent,
    &concurrent_in_transaction::ConcurrentInTransaction,
    &constraint_not_valid_missing::ConstraintNotValidMissing,
    &unique_constraint_locks::UniqueConstraintLocks,
    &volatile_default::VolatileDefault,
    &lock_timeout_missing::LockTimeoutMissing,
    &backfill_in_transaction::BackfillInTransaction,
    &down_migration_missing::DownMigrationMissing,
];

pub fn find(id: &str) -> Option<&'static dyn SqlRule> {
    SQL_RULES.iter().copied().find(|r| r.meta().id == id)
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub concern: Concern,
    pub migration: usize,
    pub file: usize,
    pub span: Span,
    /// The span of the whole statement, where inline ignores are looked for.
    pub statement: Span,
    pub message: String,
    pub help: String,
    /// The table whose size decides a `Duration` finding's severity.
    pub table: Option<Name>,
}

/// Collects one rule's findings about one migration.
pub struct Sink<'a> {
    pub(crate) meta: &'static RuleMeta,
    pub(crate) concern: Concern,
    pub(crate) migration: usize,
    pub(crate) file: usize,
    pub(crate) statement: Span,
    pub(crate) findings: &'a mut Vec<Finding>,
}

impl Sink<'_> {
    /// A finding at `span` (a clause of the statement, or the statement).
    pub fn report(
        &mut self,
        span: Span,
        table: Option<&Name>,
        message: String,
        help: impl Into<String>,
    ) {
        self.report_with_severity(self.meta.severity, span, table, message, help);
    }

    pub fn report_with_severity(
        &mut self,
        severity: Severity,
        span: Span,
        table: Option<&Name>,
        message: String,
        help: impl Into<String>,
    ) {
        self.report_full(severity, self.concern, span, table, message, help);
    }

    /// A finding outside the statement walk (a history-level rule), at `span` of `file`.
    pub fn report_in_file(
        &mut self,
        migration: usize,
        file: usize,
        span: Span,
        message: String,
        help: impl Into<String>,
    ) {
        self.migration = migration;
        self.file = file;
        self.statement = span;
        self.report(span, None, message, help);
    }

    /// For a rule whose findings differ in concern (set-not-null: compatibility, or only
    /// the scan in a contract phase).
    pub fn report_full(
        &mut self,
        severity: Severity,
        concern: Concern,
        span: Span,
        table: Option<&Name>,
        message: String,
        help: impl Into<String>,
    ) {
        self.findings.push(Finding {
            rule: self.meta.id,
            severity,
            concern,
            migration: self.migration,
            file: self.file,
            span,
            statement: self.statement,
            message,
            help: help.into(),
            table: table.cloned(),
        });
    }
}
