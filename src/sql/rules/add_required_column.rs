//! `add-required-column`: NOT NULL without a default fails the old version's INSERTs (and the
//! statement itself on a table with rows).

use super::common::actions_of;
use super::{Concern, Sink, SqlRule};
use crate::rules::{RuleMeta, rule_meta};
use crate::sql::analysis::StatementContext;
use crate::sql::syntax::{self, SyntaxKind, child};

pub struct AddRequiredColumn;

static META: RuleMeta = rule_meta!(
    "add-required-column",
    Error,
    "ADD COLUMN … NOT NULL without a DEFAULT: the running version's INSERTs fail"
);

impl SqlRule for AddRequiredColumn {
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
        for action in actions_of(cx, SyntaxKind::ADD_COLUMN) {
            let has = |kind| action.children().any(|c| c.kind() == kind);
            let required =
                has(SyntaxKind::NOT_NULL_CONSTRAINT) || has(SyntaxKind::PRIMARY_KEY_CONSTRAINT);
            // A default, an identity or a generated column fills the value for every row and
            // every INSERT that leaves it out; so do the serial types.
            // `DEFAULT NULL` fills nothing.
            let default_fills = child(&action, SyntaxKind::DEFAULT_CONSTRAINT)
                .is_some_and(|d| !syntax::compact_text(&d).eq_ignore_ascii_case("default null"));
            let filled = default_fills
                || has(SyntaxKind::GENERATED_CONSTRAINT)
                || syntax::type_child(&action)
                    .map(|t| syntax::type_name(&t))
                    .is_some_and(|t| t.base.starts_with("serial"));
            if !required || filled {
                continue;
            }
            let column = child(&action, SyntaxKind::COLUMN_NAME)
                .and_then(|n| syntax::single_name(&n))
                .unwrap_or_default();
            sink.report(
                syntax::span_of(&action),
                Some(&table),
                format!(
                    "column `{column}` is added to `{table}` as NOT NULL without a DEFAULT: \
                     every INSERT of the version still running leaves it out and fails, and on \
                     a table that has rows the statement itself fails"
                ),
                format!(
                    "add it with a DEFAULT (`… NOT NULL DEFAULT <value>` is metadata only on \
                     PostgreSQL 11+, as long as the default is not volatile), or add it \
                     nullable, backfill, and make it NOT NULL in a contract-phase migration \
                     through a validated `CHECK ({column} IS NOT NULL)`"
                ),
            );
        }
    }
}
