//! `change-column-type`: a type change rewrites the table under ACCESS EXCLUSIVE and hands
//! the running version a type it does not expect, unless the cast is one PostgreSQL does in
//! place (binary coercible, or a widening it can prove).

use super::common::actions_of;
use super::{Concern, Sink, SqlRule};
use crate::rules::{RuleMeta, rule_meta};
use crate::severity::Severity;
use crate::sql::analysis::StatementContext;
use crate::sql::schema::action_column;
use crate::sql::syntax::{self, SyntaxKind, TypeName, child};

pub struct ChangeColumnType;

static META: RuleMeta = rule_meta!(
    "change-column-type",
    Error,
    "ALTER COLUMN … TYPE that rewrites the table or changes what the running version reads"
);

/// No rewrite, and readers of the old type read the new one unchanged (ALTER TABLE notes;
/// tablecmds.c `ATColumnChangeRequiresRewrite` and the types' length-coercion support
/// functions).
pub fn in_place(old: &TypeName, new: &TypeName) -> bool {
    if old.array != new.array {
        return false;
    }
    let widens = |old: &[i64], new: &[i64]| match (old.first(), new.first()) {
        (_, None) => true,
        (Some(o), Some(n)) => n >= o,
        (None, Some(_)) => false,
    };
    match (old.base.as_str(), new.base.as_str()) {
        (a, b) if a == b && old.modifiers == new.modifiers => true,
        ("varchar", "text") => true,
        ("text", "varchar") => new.modifiers.is_empty(),
        ("varchar", "varchar") | ("varbit", "varbit") => widens(&old.modifiers, &new.modifiers),
        ("numeric", "numeric") => match (old.modifiers.as_slice(), new.modifiers.as_slice()) {
            (_, []) => true,
            ([p, s], [p2, s2]) => p2 >= p && s2 == s,
            ([p], [p2]) => p2 >= p,
            ([p], [p2, 0]) => p2 >= p,
            _ => false,
        },
        ("timestamp", "timestamp")
        | ("timestamptz", "timestamptz")
        | ("time", "time")
        | ("timetz", "timetz")
        | ("interval", "interval") => widens(&old.modifiers, &new.modifiers),
        ("cidr", "inet") => true,
        _ => false,
    }
}

/// A new type that some old type reaches in place: the change is safe if the column was one
/// of those.
fn could_be_in_place(new: &TypeName) -> Option<&'static str> {
    match new.base.as_str() {
        "text" => Some("varchar"),
        "varchar" => Some("a shorter varchar, or text (unbounded varchar only)"),
        "numeric" => Some("a numeric of lower precision and the same scale"),
        "inet" => Some("cidr"),
        "varbit" => Some("a shorter varbit"),
        _ => None,
    }
}

impl SqlRule for ChangeColumnType {
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
        for action in actions_of(cx, SyntaxKind::ALTER_COLUMN) {
            let Some(set_type) = child(&action, SyntaxKind::SET_TYPE) else {
                continue;
            };
            let Some(column) = action_column(&action) else {
                continue;
            };
            if cx.is_new_column(&table, &column) {
                continue;
            }
            let Some(new) = syntax::type_child(&set_type).map(|t| syntax::type_name(&t)) else {
                continue;
            };
            let using = child(&set_type, SyntaxKind::USING_EXPR).is_some();
            let old = cx
                .schema
                .table(&table)
                .and_then(|t| t.column(&column))
                .and_then(|c| c.ty.clone());
            let span = syntax::span_of(&action);
            let help = format!(
                "expand and contract: add a new column of type {new}, keep it in sync with a \
                 trigger, backfill it in batches, move reads to it, then drop `{column}` in a \
                 contract-phase migration (safe in place: varchar(n)→text, varchar(n)→varchar(m≥n), \
                 numeric(p,s)→numeric(p'≥p,s), cidr→inet)",
                new = new.written
            );
            match old {
                Some(old) if !using && in_place(&old, &new) => {}
                Some(old) => sink.report(
                    span,
                    Some(&table),
                    format!(
                        "changing `{column}` of `{table}` from {} to {} rewrites the table and \
                         its indexes under ACCESS EXCLUSIVE (no reads or writes until it is \
                         done), and the version still running reads a type it was not built for",
                        old.written, new.written
                    ),
                    help,
                ),
                None if !using && could_be_in_place(&new).is_some() => sink.report_with_severity(
                    Severity::Warning,
                    span,
                    Some(&table),
                    format!(
                        "changing `{column}` of `{table}` to {} is done in place only if the \
                         column is {} now; from any other type it rewrites the table under \
                         ACCESS EXCLUSIVE (zerodown does not see the column's current type: \
                         keep its CREATE TABLE in the migrations folder, or pass --database)",
                        new.written,
                        could_be_in_place(&new).unwrap_or("")
                    ),
                    help,
                ),
                None => sink.report(
                    span,
                    Some(&table),
                    format!(
                        "changing `{column}` of `{table}` to {}{} rewrites the table and its \
                         indexes under ACCESS EXCLUSIVE (no reads or writes until it is done), \
                         and the version still running reads a type it was not built for",
                        new.written,
                        if using { " with USING" } else { "" }
                    ),
                    help,
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(base: &str, modifiers: &[i64]) -> TypeName {
        TypeName {
            base: base.to_string(),
            modifiers: modifiers.to_vec(),
            array: false,
            written: base.to_string(),
        }
    }

    #[test]
    fn the_allow_list() {
        assert!(in_place(&ty("varchar", &[20]), &ty("text", &[])));
        assert!(in_place(&ty("varchar", &[20]), &ty("varchar", &[40])));
        assert!(!in_place(&ty("varchar", &[40]), &ty("varchar", &[20])));
        assert!(in_place(&ty("numeric", &[10, 2]), &ty("numeric", &[12, 2])));
        assert!(!in_place(
            &ty("numeric", &[10, 2]),
            &ty("numeric", &[12, 3])
        ));
        assert!(!in_place(&ty("numeric", &[]), &ty("numeric", &[12, 2])));
        assert!(!in_place(&ty("int4", &[]), &ty("int8", &[])));
        assert!(!in_place(&ty("text", &[]), &ty("varchar", &[10])));
        assert!(in_place(&ty("cidr", &[]), &ty("inet", &[])));
    }
}
