//! `lock-timeout-missing`: a statement that needs a write-blocking lock, with no
//! `lock_timeout`: while it waits behind one long query, every later query on the table waits
//! behind it (PostgreSQL's lock queue), and the app stalls.

use super::{Concern, Sink, SqlRule};
use crate::rules::{RuleMeta, rule_meta};
use crate::sql::analysis::StatementContext;
use crate::sql::locks::{LockMode, Relation};

pub struct LockTimeoutMissing;

static META: RuleMeta = rule_meta!(
    "lock-timeout-missing",
    Warning,
    "a statement taking ACCESS EXCLUSIVE or SHARE on a table with no lock_timeout set before it"
);

impl SqlRule for LockTimeoutMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn concern(&self) -> Concern {
        Concern::Other
    }

    fn check(&self, cx: &StatementContext<'_>, sink: &mut Sink<'_>) {
        if cx.lock_timeout {
            return;
        }
        let strongest = cx
            .locks
            .iter()
            .filter(|l| l.mode.blocks_writes())
            .filter(|l| match &l.relation {
                Relation::Table(t) => !cx.is_new_table(t),
                Relation::Index(i) => !cx.is_new_index(i),
            })
            .filter(|l| cx.lock_table(l).is_none_or(|t| !cx.is_new_table(&t)))
            // The strongest; of equals, the first (the statement's own table).
            .rev()
            .max_by_key(|l| l.mode);
        let Some(lock) = strongest else {
            return;
        };
        let relation = match &lock.relation {
            Relation::Table(t) => format!("`{t}`"),
            Relation::Index(i) => cx
                .lock_table(lock)
                .map_or_else(|| format!("the table of index `{i}`"), |t| format!("`{t}`")),
        };
        let stops = if lock.mode == LockMode::AccessExclusive {
            "reads and writes"
        } else {
            "writes"
        };
        let local = if cx.transaction.is_some() {
            "`SET LOCAL lock_timeout = '2s';`"
        } else {
            "`SET lock_timeout = '2s';`"
        };
        sink.report(
            cx.statement.span,
            None,
            format!(
                "needs {} on {relation} with no lock_timeout set before it: while it waits for \
                 a running query to finish, every later query on the table queues behind it \
                 ({stops} stall for as long as that query runs)",
                lock.mode
            ),
            format!(
                "start the migration with {local} (a few seconds at most), so a blocked \
                 statement fails fast instead of stalling the app, and retry the migration"
            ),
        );
    }
}
