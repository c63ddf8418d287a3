//! `drop-index-not-concurrent`: DROP INDEX takes ACCESS EXCLUSIVE on the table; brief, but it
//! queues behind any running query and everything queues behind it.

use squawk_syntax::ast;

use super::common::outside_transaction;
use super::{Concern, Sink, SqlRule};
use crate::rules::{RuleMeta, rule_meta};
use crate::sql::analysis::StatementContext;
use crate::sql::syntax::{self, SyntaxKind, children, has_token};

pub struct DropIndexNotConcurrent;

static META: RuleMeta = rule_meta!(
    "drop-index-not-concurrent",
    Warning,
    "DROP INDEX without CONCURRENTLY: ACCESS EXCLUSIVE on the table, queued behind every query"
);

impl SqlRule for DropIndexNotConcurrent {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn concern(&self) -> Concern {
        Concern::Other
    }

    fn check(&self, cx: &StatementContext<'_>, sink: &mut Sink<'_>) {
        if !matches!(cx.statement.stmt, ast::Stmt::DropIndex(_))
            || has_token(cx.node(), SyntaxKind::CONCURRENTLY_KW)
        {
            return;
        }
        for reference in children(cx.node(), SyntaxKind::INDEX_REF) {
            let Some(index) = syntax::name_of(&reference) else {
                continue;
            };
            let table = cx.schema.index(&index).map(|i| i.table.clone());
            if cx.is_new_index(&index) || table.as_ref().is_some_and(|t| cx.is_new_table(t)) {
                continue;
            }
            let on = table.map_or_else(|| "its table".to_string(), |t| format!("`{t}`"));
            sink.report(
                syntax::span_of(&reference),
                None,
                format!(
                    "DROP INDEX `{index}` without CONCURRENTLY takes ACCESS EXCLUSIVE on {on}: \
                     it waits for every running query on the table, and every query after it \
                     waits for it"
                ),
                format!(
                    "use `DROP INDEX CONCURRENTLY IF EXISTS`, one index per statement. It cannot \
                     run in a transaction block: {}",
                    outside_transaction(cx.layout)
                ),
            );
        }
    }
}
