//! `unique-constraint-locks`: ADD UNIQUE / PRIMARY KEY / EXCLUDE builds its index under
//! ACCESS EXCLUSIVE; building the index CONCURRENTLY first and attaching it `USING INDEX` is
//! brief.

use super::common::actions_of;
use super::{Concern, Sink, SqlRule};
use crate::rules::{RuleMeta, rule_meta};
use crate::sql::analysis::StatementContext;
use crate::sql::syntax::{self, SyntaxKind, child};

pub struct UniqueConstraintLocks;

static META: RuleMeta = rule_meta!(
    "unique-constraint-locks",
    Error,
    "ADD UNIQUE/PRIMARY KEY without USING INDEX: the index is built under ACCESS EXCLUSIVE"
);

impl SqlRule for UniqueConstraintLocks {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn concern(&self) -> Concern {
        Concern::Duration
    }

    fn check(&self, cx: &StatementContext<'_>, sink: &mut Sink<'_>) {
        let Some(table) = cx.existing_target_table() else {
            return;
        };
        let help = format!(
            "build the index first with `CREATE UNIQUE INDEX CONCURRENTLY name ON {table} (…)`, \
             then attach it: `ALTER TABLE {table} ADD CONSTRAINT name UNIQUE USING INDEX name` \
             (or `PRIMARY KEY USING INDEX`), which only takes a brief lock"
        );
        for action in actions_of(cx, SyntaxKind::ADD_CONSTRAINT) {
            let Some(constraint) = action.children().find(|c| {
                matches!(
                    c.kind(),
                    SyntaxKind::UNIQUE_CONSTRAINT
                        | SyntaxKind::PRIMARY_KEY_CONSTRAINT
                        | SyntaxKind::EXCLUDE_CONSTRAINT
                )
            }) else {
                continue;
            };
            if child(&constraint, SyntaxKind::USING_INDEX_NAME).is_some() {
                continue;
            }
            let what = match constraint.kind() {
                SyntaxKind::UNIQUE_CONSTRAINT => "UNIQUE",
                SyntaxKind::PRIMARY_KEY_CONSTRAINT => "PRIMARY KEY",
                _ => "EXCLUDE",
            };
            sink.report(
                syntax::span_of(&action),
                Some(&table),
                format!(
                    "adding a {what} constraint to `{table}` builds its index while holding \
                     ACCESS EXCLUSIVE: no reads or writes until the build is done"
                ),
                help.clone(),
            );
        }
        for action in actions_of(cx, SyntaxKind::ADD_COLUMN) {
            let Some(constraint) = action.children().find(|c| {
                matches!(
                    c.kind(),
                    SyntaxKind::UNIQUE_CONSTRAINT | SyntaxKind::PRIMARY_KEY_CONSTRAINT
                )
            }) else {
                continue;
            };
            sink.report(
                syntax::span_of(&constraint),
                Some(&table),
                format!(
                    "a column added to `{table}` as {} builds its index in the same statement, \
                     under ACCESS EXCLUSIVE",
                    syntax::compact_text(&constraint).to_uppercase()
                ),
                format!("add the column without it, then: {help}"),
            );
        }
    }
}
