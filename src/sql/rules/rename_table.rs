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
        let Some(table) = cx.existing_target_table() else {
            return;
        };
        for action in actions(cx) {
            let what = match action.kind() {
                SyntaxKind::TABLE_RENAME_TO => "renaming",
                SyntaxKind::SET_SCHEMA => "moving it to another schema",
                _ => continue,
            };
            if what == "renaming" && view_keeps_old_name(cx, &table) {
                continue;
            }
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

/// A `CREATE VIEW old_name` later in the same migration keeps the old name working (simple
/// views are updatable): the running version goes on reading and writing through it.
fn view_keeps_old_name(cx: &StatementContext<'_>, table: &crate::sql::syntax::Name) -> bool {
    cx.set
        .statements(cx.migration)
        .iter()
        .filter(|s| s.span.start > cx.statement.span.start)
        .filter(|s| matches!(s.stmt, squawk_syntax::ast::Stmt::CreateView(_)))
        .filter_map(|s| {
            crate::sql::syntax::child(s.node(), SyntaxKind::VIEW)
                .or_else(|| {
                    s.node()
                        .children()
                        .find(|c| matches!(c.kind(), SyntaxKind::PATH | SyntaxKind::TABLE_NAME))
                })
                .and_then(|n| syntax::name_of(&n))
        })
        .any(|view| view.matches(table))
}
