//! `constraint-not-valid-missing`: a CHECK or FOREIGN KEY added without NOT VALID checks every
//! row while holding a lock that blocks writes (ACCESS EXCLUSIVE for CHECK, SHARE ROW
//! EXCLUSIVE on both tables for a foreign key); and a VALIDATE in the same transaction as
//! the ADD keeps that lock through the scan.

use super::common::actions_of;
use super::{Concern, Sink, SqlRule};
use crate::rules::{RuleMeta, rule_meta};
use crate::sql::analysis::StatementContext;
use crate::sql::locks::LockMode;
use crate::sql::syntax::{self, SyntaxKind, child};

pub struct ConstraintNotValidMissing;

static META: RuleMeta = rule_meta!(
    "constraint-not-valid-missing",
    Error,
    "ADD CONSTRAINT CHECK/FOREIGN KEY without NOT VALID: every row checked under a write-blocking lock"
);

impl SqlRule for ConstraintNotValidMissing {
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
        for action in actions_of(cx, SyntaxKind::ADD_CONSTRAINT) {
            let Some(constraint) = action.children().find(|c| {
                matches!(
                    c.kind(),
                    SyntaxKind::CHECK_CONSTRAINT | SyntaxKind::FOREIGN_KEY_CONSTRAINT
                )
            }) else {
                continue;
            };
            if child(&constraint, SyntaxKind::NOT_VALID).is_some() {
                continue;
            }
            let (what, lock) = if constraint.kind() == SyntaxKind::FOREIGN_KEY_CONSTRAINT {
                let referenced = child(&constraint, SyntaxKind::TABLE_NAME_REF)
                    .and_then(|n| syntax::name_of(&n))
                    .map_or_else(String::new, |r| format!(" and `{r}`"));
                (
                    "FOREIGN KEY",
                    format!("SHARE ROW EXCLUSIVE on `{table}`{referenced}: writes to both wait"),
                )
            } else {
                (
                    "CHECK",
                    format!("ACCESS EXCLUSIVE on `{table}`: reads and writes wait"),
                )
            };
            sink.report(
                syntax::span_of(&action),
                Some(&table),
                format!(
                    "adding a {what} constraint to `{table}` without NOT VALID checks every \
                     existing row while holding {lock}"
                ),
                "add it `NOT VALID` (new and updated rows are checked at once; the statement \
                 is brief), then `VALIDATE CONSTRAINT` in a later migration or transaction: it \
                 scans under SHARE UPDATE EXCLUSIVE, which lets reads and writes go on",
            );
        }
        for action in actions_of(cx, SyntaxKind::ADD_COLUMN) {
            let Some(constraint) = action.children().find(|c| {
                matches!(
                    c.kind(),
                    SyntaxKind::CHECK_CONSTRAINT | SyntaxKind::REFERENCES_CONSTRAINT
                )
            }) else {
                continue;
            };
            let what = if constraint.kind() == SyntaxKind::CHECK_CONSTRAINT {
                "CHECK"
            } else {
                "REFERENCES"
            };
            sink.report(
                syntax::span_of(&constraint),
                Some(&table),
                format!(
                    "a column added to `{table}` with an inline {what} constraint is checked \
                     against every existing row in the same statement, under its lock"
                ),
                "add the column without the constraint, then `ADD CONSTRAINT … NOT VALID` and \
                 `VALIDATE CONSTRAINT` in a later transaction",
            );
        }
        for action in actions_of(cx, SyntaxKind::VALIDATE_CONSTRAINT) {
            let Some(held) = cx
                .held
                .iter()
                .filter(|h| h.relation.matches(&table) && h.mode >= LockMode::ShareRowExclusive)
                .max_by_key(|h| h.mode)
            else {
                continue;
            };
            sink.report(
                syntax::span_of(&action),
                Some(&table),
                format!(
                    "VALIDATE CONSTRAINT runs in the same transaction that took {} on `{table}` \
                     (line {}): that lock is held through the whole validation scan, so NOT \
                     VALID bought nothing",
                    held.mode,
                    cx.line_of(held.span.start)
                ),
                "validate in a later migration (or after a COMMIT), so the scan holds only \
                 SHARE UPDATE EXCLUSIVE",
            );
        }
    }
}
