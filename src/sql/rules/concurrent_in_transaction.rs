//! `concurrent-in-transaction`: CONCURRENTLY (and the other statements PostgreSQL refuses in a
//! transaction block) inside one: the migration fails.

use super::common::outside_transaction;
use super::{Concern, Sink, SqlRule};
use crate::rules::{RuleMeta, rule_meta};
use crate::sql::analysis::StatementContext;
use crate::sql::layout::Layout;
use crate::sql::locks::cannot_run_in_transaction;

pub struct ConcurrentInTransaction;

static META: RuleMeta = rule_meta!(
    "concurrent-in-transaction",
    Error,
    "CREATE/DROP INDEX CONCURRENTLY (or VACUUM…) inside a transaction block: the migration fails"
);

impl SqlRule for ConcurrentInTransaction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn concern(&self) -> Concern {
        Concern::Other
    }

    fn check(&self, cx: &StatementContext<'_>, sink: &mut Sink<'_>) {
        let (Some(what), Some(why)) = (cannot_run_in_transaction(cx.statement), cx.transaction)
        else {
            return;
        };
        let flyway = if cx.layout == Layout::Flyway {
            " (Flyway runs a migration outside a transaction only when every statement in it \
             is one it knows cannot run in one; mixed with others it refuses the migration \
             unless `mixed=true`)"
        } else {
            ""
        };
        sink.report(
            cx.statement.span,
            None,
            format!(
                "{what} cannot run inside a transaction block, and this one runs in one \
                 ({why}): PostgreSQL rejects it and the migration fails{flyway}"
            ),
            outside_transaction(cx.layout).to_string(),
        );
    }
}
