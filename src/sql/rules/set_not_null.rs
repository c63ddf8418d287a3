//! `set-not-null`: the running version may still write NULL, and without a validated CHECK the
//! statement scans the whole table under ACCESS EXCLUSIVE.

use super::common::actions_of;
use super::{Concern, Sink, SqlRule};
use crate::rules::{RuleMeta, rule_meta};
use crate::severity::Severity;
use crate::sql::Phase;
use crate::sql::analysis::StatementContext;
use crate::sql::schema::action_column;
use crate::sql::syntax::{self, SyntaxKind, child};

pub struct SetNotNull;

static META: RuleMeta = rule_meta!(
    "set-not-null",
    Error,
    "ALTER COLUMN … SET NOT NULL: old code may still write NULL; a full scan unless a CHECK proves it"
);

impl SqlRule for SetNotNull {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn concern(&self) -> Concern {
        Concern::Compatibility
    }

    fn check(&self, cx: &StatementContext<'_>, sink: &mut Sink<'_>) {
        let Some(table) = cx.existing_target_table() else {
            return;
        };
        for action in actions_of(cx, SyntaxKind::ALTER_COLUMN) {
            if child(&action, SyntaxKind::SET_NOT_NULL).is_none() {
                continue;
            }
            let Some(column) = action_column(&action) else {
                continue;
            };
            // A validated CHECK (col IS NOT NULL) makes PostgreSQL 12+ skip the scan, and
            // since it is enforced already, the old version cannot be writing NULL.
            if cx
                .schema
                .table(&table)
                .is_some_and(|t| t.not_null_proven(&column))
            {
                continue;
            }
            let span = syntax::span_of(&action);
            let help = format!(
                "three steps: `ALTER TABLE {table} ADD CONSTRAINT {column}_not_null CHECK \
                 ({column} IS NOT NULL) NOT VALID;` (brief), then `ALTER TABLE {table} VALIDATE \
                 CONSTRAINT {column}_not_null;` (scans, but takes only SHARE UPDATE EXCLUSIVE: \
                 reads and writes go on), then SET NOT NULL (no scan) and drop the CHECK"
            );
            let scan = format!(
                "SET NOT NULL on `{table}`.`{column}` scans every row under ACCESS EXCLUSIVE \
                 (no reads or writes until it is done): no validated CHECK ({column} IS NOT \
                 NULL) proves it first"
            );
            if cx.phase() == Some(Phase::Contract) || cx.is_new_column(&table, &column) {
                sink.report_full(
                    Severity::Warning,
                    Concern::Duration,
                    span,
                    Some(&table),
                    scan,
                    help,
                );
            } else {
                sink.report(
                    span,
                    Some(&table),
                    format!(
                        "{scan}; and the version still running may write NULL into \
                         `{column}`, whose INSERTs and UPDATEs then fail"
                    ),
                    help,
                );
            }
        }
    }
}
