//! `rename-table`: the running version still names the old table.

use super::common::actions;
use super::{Concern, Sink, SqlRule};
use crate::rules::{RuleMeta, rule_meta};
use crate::sql::analysis::StatementContext;
use crate::sql::syntax::{self, SyntaxKind};

pub struct RenameTable;

static META: RuleMeta = rule_meta!(
    "rename-table",
    Error,
    "ALTER TABLE … RENAME TO / SET SCHEMA: the version still running names the old table"
);

impl SqlRule for RenameTable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn concern(&self) -> Concern {
        Concern::Compatibility
    }

    fn check(&self, cx: &StatementContext<'_>, sink: &mut Sink<'_>) {
        let Some(table) = cx.target_table() else {
            return;
        };
        if cx.is_new_table(&table) {
            return;
        }
        for action in actions(cx) {
            let what = match action.kind() {
                SyntaxKind::TABLE_RENAME_TO => "renaming",
                SyntaxKind::SET_SCHEMA => "moving it to another schema",
                _ => continue,
            };
            let target = syntax::compact_text(&action);
            sink.report(
                syntax::span_of(&action),
                Some(&table),
                format!(
                    "`{target}` on `{table}`: {what} breaks the version still running, whose \
                     queries name `{table}` until the last old pod is gone"
                ),
                format!(
                    "keep the old name working while both versions run: rename, then create a \
                     view named `{table}` over the new table in the same transaction (simple \
                     views are updatable), deploy code that uses the new name, and drop the \
                     view in a migration marked `-- zerodown: phase=contract`"
                ),
            );
        }
    }
}
