//! `rename-column`: the running version still names the old column.

use super::common::actions_of;
use super::{Concern, Sink, SqlRule};
use crate::rules::{RuleMeta, rule_meta};
use crate::sql::analysis::StatementContext;
use crate::sql::syntax::{self, SyntaxKind, child};

pub struct RenameColumn;

static META: RuleMeta = rule_meta!(
    "rename-column",
    Error,
    "ALTER TABLE … RENAME COLUMN: the version still running names the old column"
);

impl SqlRule for RenameColumn {
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
        for action in actions_of(cx, SyntaxKind::RENAME_COLUMN) {
            let old =
                child(&action, SyntaxKind::COLUMN_NAME_REF).and_then(|n| syntax::single_name(&n));
            let new = child(&action, SyntaxKind::COLUMN_NAME).and_then(|n| syntax::single_name(&n));
            let (Some(old), Some(new)) = (old, new) else {
                continue;
            };
            if cx.is_new_column(&table, &old) {
                continue;
            }
            sink.report(
                syntax::span_of(&action),
                Some(&table),
                format!(
                    "renaming column `{old}` of `{table}` to `{new}` breaks the version still \
                     running: its queries name `{old}` until the last old pod is gone, and a \
                     rollback's code never learns `{new}`"
                ),
                format!(
                    "expand and contract: add `{new}`, keep it in sync with `{old}` (a trigger, \
                     or writes to both), backfill, move reads to `{new}` in one deploy and stop \
                     writing `{old}` in the next, then drop `{old}` in a migration marked \
                     `-- zerodown: phase=contract`"
                ),
            );
        }
    }
}
