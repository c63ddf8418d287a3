//! `backfill-in-transaction`: an UPDATE in the transaction that changed the same table's
//! schema holds that change's lock (ACCESS EXCLUSIVE for most ALTER TABLE forms) through the
//! whole UPDATE.

use squawk_syntax::ast;

use super::{Concern, Sink, SqlRule};
use crate::rules::{RuleMeta, rule_meta};
use crate::sql::analysis::StatementContext;
use crate::sql::syntax::{SyntaxKind, child};

pub struct BackfillInTransaction;

static META: RuleMeta = rule_meta!(
    "backfill-in-transaction",
    Error,
    "an UPDATE inside the transaction that changed the table's schema: the lock is held throughout"
);

impl SqlRule for BackfillInTransaction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn concern(&self) -> Concern {
        Concern::Duration
    }

    fn check(&self, cx: &StatementContext<'_>, sink: &mut Sink<'_>) {
        if !matches!(cx.statement.stmt, ast::Stmt::Update(_)) {
            return;
        }
        let Some(table) = child(cx.node(), SyntaxKind::RELATION_NAME)
            .and_then(|n| crate::sql::syntax::name_of(&n))
        else {
            return;
        };
        if cx.is_new_table(&table) {
            return;
        }
        let Some(held) = cx
            .held
            .iter()
            .filter(|h| h.relation.matches(&table) && h.mode.blocks_writes())
            .max_by_key(|h| h.mode)
        else {
            return;
        };
        let rows = if child(cx.node(), SyntaxKind::WHERE_CLAUSE).is_none() {
            "every row of"
        } else {
            "rows of"
        };
        sink.report(
            cx.statement.span,
            Some(&table),
            format!(
                "this UPDATE of {rows} `{table}` runs in the transaction whose schema change on \
                 line {} took {} on it: the lock is held until COMMIT, so {} on `{table}` \
                 waits until the UPDATE is done",
                cx.line_of(held.span.start),
                held.mode,
                held.mode.blocks()
            ),
            "commit the schema change first, then backfill in a migration of its own, in \
             batches by primary key (`UPDATE … WHERE id > $last AND id <= $last + 10000`), each \
             batch its own transaction, so no lock is held for long and the old version keeps \
             working",
        );
    }
}
