//! `index-not-concurrent`: CREATE INDEX without CONCURRENTLY blocks writes for the whole build.

use squawk_syntax::ast;

use super::common::outside_transaction;
use super::{Concern, Sink, SqlRule};
use crate::rules::{RuleMeta, rule_meta};
use crate::sql::analysis::StatementContext;
use crate::sql::syntax::{SyntaxKind, has_token};

pub struct IndexNotConcurrent;

static META: RuleMeta = rule_meta!(
    "index-not-concurrent",
    Error,
    "CREATE INDEX without CONCURRENTLY: a SHARE lock blocks every write for the whole build"
);

impl SqlRule for IndexNotConcurrent {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn concern(&self) -> Concern {
        Concern::Duration
    }

    fn check(&self, cx: &StatementContext<'_>, sink: &mut Sink<'_>) {
        if !matches!(cx.statement.stmt, ast::Stmt::CreateIndex(_))
            || has_token(cx.node(), SyntaxKind::CONCURRENTLY_KW)
        {
            return;
        }
        let Some(table) = cx.existing_target_table() else {
            return;
        };
        let unique = if has_token(cx.node(), SyntaxKind::UNIQUE_KW) {
            "UNIQUE "
        } else {
            ""
        };
        sink.report(
            cx.statement.span,
            Some(&table),
            format!(
                "CREATE {unique}INDEX on `{table}` without CONCURRENTLY holds a SHARE lock for \
                 the whole build: every INSERT, UPDATE and DELETE on `{table}` waits until it is \
                 done"
            ),
            format!(
                "use `CREATE {unique}INDEX CONCURRENTLY`: reads and writes go on. It cannot run \
                 in a transaction block: {}. A failed build leaves an INVALID index behind, so \
                 write `IF NOT EXISTS` and drop an invalid one before retrying",
                outside_transaction(cx.layout)
            ),
        );
    }
}
