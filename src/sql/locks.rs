//! The table locks each statement takes, as PostgreSQL documents them (the ALTER TABLE
//! reference page and "Explicit Locking"; DROP TRIGGER and the POLICY commands from the
//! server source, which the docs do not state).

use squawk_syntax::ast::{self, AstNode};

use super::syntax::{self, Name, Statement, SyntaxKind, SyntaxNode, child, children, has_token};
use crate::source::Span;

/// PostgreSQL's table-level lock modes, weakest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LockMode {
    AccessShare,
    RowShare,
    RowExclusive,
    ShareUpdateExclusive,
    Share,
    ShareRowExclusive,
    Exclusive,
    AccessExclusive,
}

impl LockMode {
    /// As the docs write it: `ACCESS EXCLUSIVE`.
    pub fn as_str(self) -> &'static str {
        match self {
            LockMode::AccessShare => "ACCESS SHARE",
            LockMode::RowShare => "ROW SHARE",
            LockMode::RowExclusive => "ROW EXCLUSIVE",
            LockMode::ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE",
            LockMode::Share => "SHARE",
            LockMode::ShareRowExclusive => "SHARE ROW EXCLUSIVE",
            LockMode::Exclusive => "EXCLUSIVE",
            LockMode::AccessExclusive => "ACCESS EXCLUSIVE",
        }
    }

    /// `pg_locks.mode` (`AccessExclusiveLock`) to a mode.
    pub fn from_pg_locks(mode: &str) -> Option<LockMode> {
        Some(match mode {
            "AccessShareLock" => LockMode::AccessShare,
            "RowShareLock" => LockMode::RowShare,
            "RowExclusiveLock" => LockMode::RowExclusive,
            "ShareUpdateExclusiveLock" => LockMode::ShareUpdateExclusive,
            "ShareLock" => LockMode::Share,
            "ShareRowExclusiveLock" => LockMode::ShareRowExclusive,
            "ExclusiveLock" => LockMode::Exclusive,
            "AccessExclusiveLock" => LockMode::AccessExclusive,
            _ => return None,
        })
    }

    /// SHARE and stronger block writes: the statement holding (or queueing for) it stops
    /// every INSERT, UPDATE and DELETE of the table. ACCESS EXCLUSIVE also stops SELECT.
    pub fn blocks_writes(self) -> bool {
        self >= LockMode::Share
    }

    /// What the mode stops, for messages.
    pub fn blocks(self) -> &'static str {
        match self {
            LockMode::AccessExclusive => "every read and write",
            LockMode::Exclusive | LockMode::ShareRowExclusive | LockMode::Share => {
                "every write (reads go on)"
            }
            _ => "schema changes only",
        }
    }
}

impl std::fmt::Display for LockMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A lock one statement takes on one relation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableLock {
    pub relation: Relation,
    pub mode: LockMode,
    /// The clause that needs it (the strongest subcommand of an ALTER TABLE).
    pub span: Span,
}

/// A relation a lock is taken on: a table known by name, or an index whose table the
/// statement does not name (DROP INDEX).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Relation {
    Table(Name),
    Index(Name),
}

/// The statements that cannot run inside a transaction block.
pub fn cannot_run_in_transaction(statement: &Statement) -> Option<&'static str> {
    let node = statement.node();
    let concurrently = has_token(node, SyntaxKind::CONCURRENTLY_KW);
    match &statement.stmt {
        ast::Stmt::CreateIndex(_) if concurrently => Some("CREATE INDEX CONCURRENTLY"),
        ast::Stmt::DropIndex(_) if concurrently => Some("DROP INDEX CONCURRENTLY"),
        ast::Stmt::Reindex(_)
            if node
                .descendants_with_tokens()
                .any(|e| e.kind() == SyntaxKind::CONCURRENTLY_KW) =>
        {
            Some("REINDEX CONCURRENTLY")
        }
        ast::Stmt::AlterTable(_)
            if node.descendants().any(|n| {
                n.kind() == SyntaxKind::DETACH_PARTITION
                    && has_token(&n, SyntaxKind::CONCURRENTLY_KW)
            }) =>
        {
            Some("DETACH PARTITION CONCURRENTLY")
        }
        ast::Stmt::Vacuum(_) => Some("VACUUM"),
        ast::Stmt::CreateDatabase(_) => Some("CREATE DATABASE"),
        ast::Stmt::DropDatabase(_) => Some("DROP DATABASE"),
        ast::Stmt::AlterSystem(_) => Some("ALTER SYSTEM"),
        _ => None,
    }
}

fn table_at(node: &SyntaxNode) -> Option<Name> {
    syntax::name_of(node)
}

fn lock(relation: Relation, mode: LockMode, node: &SyntaxNode) -> TableLock {
    TableLock {
        relation,
        mode,
        span: syntax::span_of(node),
    }
}

/// The mode one ALTER TABLE subcommand needs.
pub fn alter_action_mode(action: &SyntaxNode) -> LockMode {
    match action.kind() {
        SyntaxKind::ADD_CONSTRAINT
            if action
                .children()
                .any(|c| c.kind() == SyntaxKind::FOREIGN_KEY_CONSTRAINT) =>
        {
            LockMode::ShareRowExclusive
        }
        SyntaxKind::VALIDATE_CONSTRAINT
        | SyntaxKind::CLUSTER_ON
        | SyntaxKind::SET_WITHOUT_CLUSTER
        | SyntaxKind::ATTACH_PARTITION
        | SyntaxKind::SET_OPTIONS
        | SyntaxKind::RESET_OPTIONS => LockMode::ShareUpdateExclusive,
        SyntaxKind::DETACH_PARTITION if has_token(action, SyntaxKind::CONCURRENTLY_KW) => {
            LockMode::ShareUpdateExclusive
        }
        SyntaxKind::ALTER_COLUMN
            if action.children().any(|c| {
                matches!(
                    c.kind(),
                    SyntaxKind::SET_STATISTICS
                        | SyntaxKind::SET_OPTIONS
                        | SyntaxKind::RESET_OPTIONS
                )
            }) =>
        {
            LockMode::ShareUpdateExclusive
        }
        SyntaxKind::DISABLE_TRIGGER
        | SyntaxKind::ENABLE_TRIGGER
        | SyntaxKind::ENABLE_ALWAYS_TRIGGER
        | SyntaxKind::ENABLE_REPLICA_TRIGGER => LockMode::ShareRowExclusive,
        _ => LockMode::AccessExclusive,
    }
}

/// The subcommands of an ALTER TABLE.
pub fn alter_actions(node: &SyntaxNode) -> Vec<SyntaxNode> {
    node.children()
        .filter(|c| ast::AlterTableAction::can_cast(c.kind()))
        .collect()
}

/// Every lock a statement takes on a table or index, as documented.
pub fn statement_locks(statement: &Statement) -> Vec<TableLock> {
    let node = statement.node();
    let concurrently = has_token(node, SyntaxKind::CONCURRENTLY_KW);
    let mut locks = Vec::new();
    match &statement.stmt {
        ast::Stmt::AlterTable(_) => {
            let Some(table) = child(node, SyntaxKind::TABLE_RELATION_NAME)
                .or_else(|| child(node, SyntaxKind::RELATION_NAME))
                .and_then(|n| table_at(&n))
            else {
                return locks;
            };
            let actions = alter_actions(node);
            // Several subcommands take the strongest lock any of them needs.
            if let Some(strongest) = actions.iter().max_by_key(|a| alter_action_mode(a)) {
                locks.push(lock(
                    Relation::Table(table),
                    alter_action_mode(strongest),
                    strongest,
                ));
            }
            for action in &actions {
                if let Some(fk) = child(action, SyntaxKind::FOREIGN_KEY_CONSTRAINT)
                    && let Some(referenced) =
                        child(&fk, SyntaxKind::TABLE_NAME_REF).and_then(|n| table_at(&n))
                {
                    locks.push(lock(
                        Relation::Table(referenced),
                        LockMode::ShareRowExclusive,
                        &fk,
                    ));
                }
                if action.kind() == SyntaxKind::ADD_COLUMN
                    && let Some(references) =
                        syntax::descendant(action, SyntaxKind::REFERENCES_CONSTRAINT)
                    && let Some(referenced) =
                        child(&references, SyntaxKind::TABLE_NAME_REF).and_then(|n| table_at(&n))
                {
                    locks.push(lock(
                        Relation::Table(referenced),
                        LockMode::ShareRowExclusive,
                        &references,
                    ));
                }
            }
        }
        ast::Stmt::CreateIndex(_) => {
            if let Some(table) = child(node, SyntaxKind::TABLE_RELATION_NAME)
                .or_else(|| child(node, SyntaxKind::RELATION_NAME))
                .and_then(|n| table_at(&n))
            {
                let mode = if concurrently {
                    LockMode::ShareUpdateExclusive
                } else {
                    LockMode::Share
                };
                locks.push(lock(Relation::Table(table), mode, node));
            }
        }
        ast::Stmt::DropIndex(_) => {
            let mode = if concurrently {
                LockMode::ShareUpdateExclusive
            } else {
                LockMode::AccessExclusive
            };
            for index in children(node, SyntaxKind::INDEX_REF) {
                if let Some(name) = table_at(&index) {
                    locks.push(lock(Relation::Index(name), mode, &index));
                }
            }
        }
        ast::Stmt::Reindex(_) => {
            let concurrently = node
                .descendants_with_tokens()
                .any(|e| e.kind() == SyntaxKind::CONCURRENTLY_KW);
            let mode = if concurrently {
                LockMode::ShareUpdateExclusive
            } else {
                LockMode::Share
            };
            if let Some(target) = child(node, SyntaxKind::REINDEX_TARGET_TABLE) {
                if let Some(table) = table_at(&target) {
                    locks.push(lock(Relation::Table(table), mode, &target));
                }
            } else if let Some(target) = child(node, SyntaxKind::REINDEX_TARGET_INDEX)
                && let Some(index) = table_at(&target)
            {
                locks.push(lock(Relation::Index(index), mode, &target));
            }
        }
        ast::Stmt::DropTable(_) | ast::Stmt::Truncate(_) => {
            for table in node
                .descendants()
                .filter(|n| {
                    matches!(
                        n.kind(),
                        SyntaxKind::TABLE_NAME_REF | SyntaxKind::RELATION_NAME
                    )
                })
                .filter(|n| {
                    !n.ancestors().skip(1).any(|a| {
                        matches!(
                            a.kind(),
                            SyntaxKind::TABLE_NAME_REF | SyntaxKind::RELATION_NAME
                        )
                    })
                })
            {
                if let Some(name) = table_at(&table) {
                    locks.push(lock(
                        Relation::Table(name),
                        LockMode::AccessExclusive,
                        &table,
                    ));
                }
            }
        }
        ast::Stmt::Lock(_) => {
            let mode = child(node, SyntaxKind::LOCK_MODE_CLAUSE)
                .map(|clause| lock_clause_mode(&syntax::compact_text(&clause)))
                .unwrap_or(LockMode::AccessExclusive);
            if let Some(list) = child(node, SyntaxKind::RELATION_LIST) {
                for relation in list.children() {
                    if let Some(name) = table_at(&relation) {
                        locks.push(lock(Relation::Table(name), mode, &relation));
                    }
                }
            }
        }
        ast::Stmt::Vacuum(_) if vacuum_full(node) => {
            for table in node
                .descendants()
                .filter(|n| n.kind() == SyntaxKind::TABLE_AND_COLUMNS)
            {
                if let Some(name) = table_at(&table) {
                    locks.push(lock(
                        Relation::Table(name),
                        LockMode::AccessExclusive,
                        &table,
                    ));
                }
            }
        }
        ast::Stmt::Cluster(_) => {
            if let Some(name) = node
                .descendants()
                .find(|n| matches!(n.kind(), SyntaxKind::PATH_REF | SyntaxKind::PATH))
                .and_then(|n| table_at(&n))
            {
                locks.push(lock(Relation::Table(name), LockMode::AccessExclusive, node));
            }
        }
        ast::Stmt::Refresh(_) => {
            let mode = if concurrently {
                LockMode::Exclusive
            } else {
                LockMode::AccessExclusive
            };
            if let Some(name) = child(node, SyntaxKind::VIEW_REF).and_then(|n| table_at(&n)) {
                locks.push(lock(Relation::Table(name), mode, node));
            }
        }
        ast::Stmt::CreateTrigger(_) | ast::Stmt::DropTrigger(_) => {
            let mode = if matches!(statement.stmt, ast::Stmt::CreateTrigger(_)) {
                LockMode::ShareRowExclusive
            } else {
                LockMode::AccessExclusive
            };
            if let Some(name) = child(node, SyntaxKind::ON_RELATION).and_then(|n| table_at(&n)) {
                locks.push(lock(Relation::Table(name), mode, node));
            }
        }
        ast::Stmt::CreatePolicy(_) | ast::Stmt::AlterPolicy(_) | ast::Stmt::DropPolicy(_) => {
            if let Some(name) = child(node, SyntaxKind::ON_TABLE)
                .or_else(|| child(node, SyntaxKind::ON_RELATION))
                .and_then(|n| table_at(&n))
            {
                locks.push(lock(Relation::Table(name), LockMode::AccessExclusive, node));
            }
        }
        _ => {}
    }
    locks
}

/// `VACUUM FULL …` or `VACUUM (FULL [true|on|1], …)`; `(FULL false)` is a plain VACUUM.
fn vacuum_full(node: &SyntaxNode) -> bool {
    if has_token(node, SyntaxKind::FULL_KW) {
        return true;
    }
    node.descendants()
        .filter(|n| n.kind() == SyntaxKind::VACUUM_OPTION)
        .map(|n| syntax::compact_text(&n).to_lowercase())
        .any(|option| {
            let mut words = option.split_whitespace();
            words.next() == Some("full")
                && words
                    .next()
                    .is_none_or(|v| matches!(v, "true" | "on" | "yes" | "1"))
        })
}

fn lock_clause_mode(text: &str) -> LockMode {
    let text = text.to_uppercase();
    let text = text.trim_start_matches("IN ").trim_end_matches(" MODE");
    match text {
        "ACCESS SHARE" => LockMode::AccessShare,
        "ROW SHARE" => LockMode::RowShare,
        "ROW EXCLUSIVE" => LockMode::RowExclusive,
        "SHARE UPDATE EXCLUSIVE" => LockMode::ShareUpdateExclusive,
        "SHARE" => LockMode::Share,
        "SHARE ROW EXCLUSIVE" => LockMode::ShareRowExclusive,
        "EXCLUSIVE" => LockMode::Exclusive,
        _ => LockMode::AccessExclusive,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locks_of(sql: &str) -> Vec<(String, LockMode)> {
        let (statements, errors) = syntax::parse(sql);
        assert!(errors.is_empty(), "{errors:?}");
        statement_locks(&statements[0])
            .into_iter()
            .map(|l| {
                let name = match l.relation {
                    Relation::Table(n) | Relation::Index(n) => n.to_string(),
                };
                (name, l.mode)
            })
            .collect()
    }

    #[test]
    fn alter_table_takes_the_strongest_subcommand_lock() {
        assert_eq!(
            locks_of("alter table t validate constraint c;"),
            [("t".to_string(), LockMode::ShareUpdateExclusive)]
        );
        assert_eq!(
            locks_of("alter table t validate constraint c, add column x int;"),
            [("t".to_string(), LockMode::AccessExclusive)]
        );
        assert_eq!(
            locks_of("alter table t add constraint f foreign key (a) references u (id) not valid;"),
            [
                ("t".to_string(), LockMode::ShareRowExclusive),
                ("u".to_string(), LockMode::ShareRowExclusive)
            ]
        );
    }

    #[test]
    fn index_commands() {
        assert_eq!(
            locks_of("create index i on s.t (a);"),
            [("s.t".to_string(), LockMode::Share)]
        );
        assert_eq!(
            locks_of("create index concurrently i on t (a);"),
            [("t".to_string(), LockMode::ShareUpdateExclusive)]
        );
        assert_eq!(
            locks_of("drop index i;"),
            [("i".to_string(), LockMode::AccessExclusive)]
        );
        assert_eq!(
            locks_of("lock table t in share row exclusive mode;"),
            [("t".to_string(), LockMode::ShareRowExclusive)]
        );
        assert_eq!(
            locks_of("drop table a, b;"),
            [
                ("a".to_string(), LockMode::AccessExclusive),
                ("b".to_string(), LockMode::AccessExclusive)
            ]
        );
    }
}
