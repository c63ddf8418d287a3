//! `lock-timeout-missing`: a statement that needs a write-blocking lock, with no
//! `lock_timeout`: while it waits behind one long query, every later query on the table waits
//! behind it (PostgreSQL's lock queue), and the app stalls.

use super::{Concern, Sink, SqlRule};
use crate::rules::{RuleMeta, rule_meta};
use crate::sql::analysis::StatementContext;
use crate::sql::locks::{LockMode, Relation, TableLock, statement_locks};

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
        let Some(lock) = blocking_lock(cx, cx.locks) else {
            return;
        };
        // One finding per migration, at its first such statement: one SET at the top fixes
        // them all.
        let statements = cx.set.statements(cx.migration);
        let needs_it = |s: &&crate::sql::syntax::Statement| {
            !s.broken && blocking_lock(cx, &statement_locks(s)).is_some()
        };
        if statements
            .iter()
            .filter(|s| s.span.start < cx.statement.span.start)
            .any(|s| needs_it(&s))
        {
            return;
        }
        let later = statements
            .iter()
            .filter(|s| s.span.start > cx.statement.span.start)
            .filter(needs_it)
            .count();
        let more = match later {
            0 => String::new(),
            1 => " (and so does 1 later statement of this migration)".to_string(),
            n => format!(" (and so do {n} later statements of this migration)"),
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
                "needs {} on {relation} with no lock_timeout set before it{more}: while it \
                 waits for a running query to finish, every later query on the table queues \
                 behind it ({stops} stall for as long as that query runs)",
                lock.mode
            ),
            format!(
                "start the migration with {local} (a few seconds at most), so a blocked \
                 statement fails fast instead of stalling the app, and retry the migration"
            ),
        );
    }
}

/// The strongest write-blocking lock on a table that existed before this migration; of
/// equals, the first (the statement's own table).
fn blocking_lock<'a>(cx: &StatementContext<'_>, locks: &'a [TableLock]) -> Option<&'a TableLock> {
    locks
        .iter()
        .filter(|l| l.mode.blocks_writes())
        .filter(|l| match &l.relation {
            Relation::Table(t) => !cx.is_new_table(t),
            Relation::Index(i) => !cx.is_new_index(i),
        })
        .filter(|l| cx.lock_table(l).is_none_or(|t| !cx.is_new_table(&t)))
        .rev()
        .max_by_key(|l| l.mode)
}
