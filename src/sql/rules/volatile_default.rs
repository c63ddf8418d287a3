//! `volatile-default`: ADD COLUMN whose value must be computed per row (a volatile DEFAULT,
//! a stored generated column, an identity or serial column) rewrites the table under ACCESS
//! EXCLUSIVE. A non-volatile default is metadata only since PostgreSQL 11.

use squawk_syntax::SyntaxKind;

use super::common::actions_of;
use super::{Concern, Sink, SqlRule};
use crate::rules::{RuleMeta, rule_meta};
use crate::severity::Severity;
use crate::sql::analysis::StatementContext;
use crate::sql::syntax::{self, SyntaxNode, child};

pub struct VolatileDefault;

static META: RuleMeta = rule_meta!(
    "volatile-default",
    Error,
    "ADD COLUMN with a volatile DEFAULT, a stored generated or an identity column: a table rewrite"
);

/// Built-in VOLATILE functions used as defaults (pg_proc.provolatile = 'v'; uuid-ossp and
/// pgcrypto declare theirs VOLATILE too).
const VOLATILE: &[&str] = &[
    "random",
    "gen_random_uuid",
    "gen_random_bytes",
    "clock_timestamp",
    "timeofday",
    "nextval",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "uuidv4",
    "uuidv7",
    "random_normal",
    "setseed",
];

/// Functions known not to be volatile (STABLE or IMMUTABLE), so a default calling them is
/// evaluated once and stored in the catalog.
const NOT_VOLATILE: &[&str] = &[
    "now",
    "transaction_timestamp",
    "statement_timestamp",
    "txid_current",
    "pg_current_xact_id",
    "current_setting",
    "lower",
    "upper",
    "coalesce",
    "nullif",
    "greatest",
    "least",
    "to_jsonb",
    "jsonb_build_object",
    "json_build_object",
    "jsonb_build_array",
    "array",
    "make_interval",
    "make_date",
    "to_timestamp",
    "date_trunc",
    "md5",
    "concat",
    "length",
    "abs",
    "round",
];

/// The called function's own name: `pg_catalog.random()` → `random`.
fn function_name(call: &SyntaxNode) -> Option<String> {
    let callee = call.children().find(|c| c.kind() != SyntaxKind::ARG_LIST)?;
    let text = syntax::compact_text(&callee);
    let last = text.rsplit('.').next()?.trim();
    (!last.is_empty()).then(|| syntax::ident_text(last))
}

impl SqlRule for VolatileDefault {
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
        let help = "add the column without the default (or with a constant one), set the \
                    default for new rows with `ALTER COLUMN … SET DEFAULT …` (no rewrite), and \
                    backfill existing rows in batches, each in its own transaction";
        for action in actions_of(cx, SyntaxKind::ADD_COLUMN) {
            let column = child(&action, SyntaxKind::COLUMN_NAME)
                .and_then(|n| syntax::single_name(&n))
                .unwrap_or_default();
            let span = syntax::span_of(&action);
            if let Some(generated) = child(&action, SyntaxKind::GENERATED_CONSTRAINT) {
                let text = syntax::compact_text(&generated).to_lowercase();
                let what = if text.contains("identity") {
                    "an identity column"
                } else {
                    "a stored generated column"
                };
                sink.report(
                    span,
                    Some(&table),
                    format!(
                        "`{column}` is added to `{table}` as {what}: PostgreSQL computes it for \
                         every existing row, rewriting the table under ACCESS EXCLUSIVE (no \
                         reads or writes until it is done)"
                    ),
                    "add a plain nullable column, fill it in batches, then attach the identity \
                     or expression in a later migration (for a generated column on PostgreSQL \
                     17+, `ALTER COLUMN … SET EXPRESSION` still rewrites: consider a trigger)",
                );
                continue;
            }
            if let Some(ty) = syntax::type_child(&action).map(|t| syntax::type_name(&t))
                && ty.base.starts_with("serial")
            {
                sink.report(
                    span,
                    Some(&table),
                    format!(
                        "`{column}` is added to `{table}` as {}: its DEFAULT is nextval(), \
                             which is volatile, so every existing row is rewritten under \
                             ACCESS EXCLUSIVE",
                        ty.written
                    ),
                    help,
                );
                continue;
            }
            let Some(default) = child(&action, SyntaxKind::DEFAULT_CONSTRAINT) else {
                continue;
            };
            let calls: Vec<String> = default
                .descendants()
                .filter(|n| n.kind() == SyntaxKind::CALL_EXPR)
                .filter_map(|c| function_name(&c))
                .collect();
            if let Some(volatile) = calls.iter().find(|c| VOLATILE.contains(&c.as_str())) {
                sink.report(
                    span,
                    Some(&table),
                    format!(
                        "the DEFAULT of `{column}` calls {volatile}(), which is volatile: \
                         PostgreSQL evaluates it for every existing row of `{table}`, \
                         rewriting the table under ACCESS EXCLUSIVE (no reads or writes until \
                         it is done)"
                    ),
                    help,
                );
            } else if let Some(unknown) = calls
                .iter()
                .find(|c| !NOT_VOLATILE.contains(&c.as_str()) && !VOLATILE.contains(&c.as_str()))
            {
                sink.report_with_severity(
                    Severity::Warning,
                    span,
                    Some(&table),
                    format!(
                        "the DEFAULT of `{column}` calls {unknown}(): if it is VOLATILE (the \
                         default for a function declared without STABLE or IMMUTABLE), adding \
                         the column rewrites `{table}` under ACCESS EXCLUSIVE"
                    ),
                    format!(
                        "check `SELECT provolatile FROM pg_proc WHERE proname = '{unknown}'` \
                         ('v' = volatile); if it is, {help}"
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualified_calls_are_named_by_their_function() {
        let (statements, _) = syntax::parse(
            "alter table t add column a uuid default public.gen_random_uuid(), \
             add column b timestamptz default pg_catalog.now(), add column c text default \"Next\"();",
        );
        let names: Vec<String> = statements[0]
            .node()
            .descendants()
            .filter(|n| n.kind() == SyntaxKind::CALL_EXPR)
            .filter_map(|c| function_name(&c))
            .collect();
        assert_eq!(names, ["gen_random_uuid", "now", "Next"]);
    }
}
