//! `drop-column`: the running version still reads or writes the column.

use super::common::actions_of;
use super::{Concern, Sink, SqlRule};
use crate::rules::{RuleMeta, rule_meta};
use crate::sql::analysis::StatementContext;
use crate::sql::schema::action_column;
use crate::sql::syntax::{self, SyntaxKind};

pub struct DropColumn;

static META: RuleMeta = rule_meta!(
    "drop-column",
    Error,
    "ALTER TABLE … DROP COLUMN: the version still running reads or writes it, a rollback needs it"
);

impl SqlRule for DropColumn {
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
        for action in actions_of(cx, SyntaxKind::DROP_COLUMN) {
            let Some(column) = action_column(&action) else {
                continue;
            };
            if cx.is_new_column(&table, &column) {
                continue;
            }
            sink.report(
                syntax::span_of(&action),
                Some(&table),
                format!(
                    "dropping column `{column}` of `{table}` breaks the version still running \
                     (its SELECTs and INSERTs that name `{column}` fail) and leaves a rollback \
                     nothing to read: the data is gone"
                ),
                format!(
                    "first deploy code that no longer reads or writes `{column}` (ORMs: mark \
                     it ignored, since `SELECT *` mappings break too), then drop it in a later \
                     migration marked `-- zerodown: phase=contract`"
                ),
            );
        }
    }
}
