//! `drop-table`: the running version still uses the table.

use squawk_syntax::ast;

use super::{Concern, Sink, SqlRule};
use crate::rules::{RuleMeta, rule_meta};
use crate::sql::analysis::StatementContext;
use crate::sql::syntax::{self, SyntaxKind, children};

pub struct DropTable;

static META: RuleMeta = rule_meta!(
    "drop-table",
    Error,
    "DROP TABLE: the version still running uses it, a rollback needs its data"
);

impl SqlRule for DropTable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn concern(&self) -> Concern {
        Concern::Compatibility
    }

    fn check(&self, cx: &StatementContext<'_>, sink: &mut Sink<'_>) {
        if !matches!(cx.statement.stmt, ast::Stmt::DropTable(_)) {
            return;
        }
        for reference in children(cx.node(), SyntaxKind::TABLE_NAME_REF) {
            let Some(table) = syntax::name_of(&reference) else {
                continue;
            };
            if cx.is_new_table(&table) {
                continue;
            }
            sink.report(
                syntax::span_of(&reference),
                Some(&table),
                format!(
                    "dropping table `{table}` breaks the version still running, which queries \
                     it until the last old pod is gone, and a rollback finds neither the table \
                     nor its data"
                ),
                "deploy code that no longer uses the table first, keep a backup (or rename it \
                 aside and drop it days later), and drop it in a migration marked \
                 `-- zerodown: phase=contract`",
            );
        }
    }
}
