//! What several migration rules need: the subcommands of the statement, and how to take a
//! statement out of a transaction with the runner in use.

use super::super::analysis::StatementContext;
use super::super::layout::Layout;
use super::super::locks::alter_actions;
use super::super::syntax::{SyntaxKind, SyntaxNode};
use squawk_syntax::ast;

/// The subcommands of an ALTER TABLE (empty for any other statement).
pub fn actions(cx: &StatementContext<'_>) -> Vec<SyntaxNode> {
    match cx.statement.stmt {
        ast::Stmt::AlterTable(_) => alter_actions(cx.node()),
        _ => Vec::new(),
    }
}

/// Subcommands of one kind.
pub fn actions_of(cx: &StatementContext<'_>, kind: SyntaxKind) -> Vec<SyntaxNode> {
    actions(cx)
        .into_iter()
        .filter(|a| a.kind() == kind)
        .collect()
}

/// How to run a statement outside a transaction with this runner.
pub fn outside_transaction(layout: Layout) -> &'static str {
    match layout {
        Layout::GolangMigrate => {
            "put it in a migration file of its own, since golang-migrate sends a file as one \
             query, which PostgreSQL runs as one transaction"
        }
        Layout::Sqlx => "put it in a migration of its own whose first line is `-- no-transaction`",
        Layout::Dbmate => {
            "put it in a migration of its own whose marker is `-- migrate:up transaction:false`"
        }
        Layout::Flyway => {
            "put it in a migration of its own (Flyway runs a migration made only of statements \
             that cannot run in a transaction outside one), or set `executeInTransaction=false` \
             in the script's `.sql.conf`"
        }
        Layout::Diesel => {
            "put it in a migration of its own with `run_in_transaction = false` in its \
             metadata.toml"
        }
        Layout::Plain => "run it outside BEGIN … COMMIT, as a statement of its own",
    }
}
