//! The schema a migration history builds, replayed statement by statement (and seeded from
//! a real database with `--database`): which tables and columns exist, their types, which
//! CHECK constraints are validated, and what the current migration itself created. Rules ask
//! it what was true just before the statement they check.

use squawk_syntax::ast;

use super::locks::alter_actions;
use super::syntax::{
    self, Name, Statement, SyntaxKind, SyntaxNode, TypeName, child, children, has_token,
};

/// Where a table, column or index came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Created by the migration with this index in its history.
    Migration(usize),
    /// Read from the database given with `--database`.
    Database,
    /// Existed before the migrations read (an ALTER names it, nothing created it).
    Earlier,
}

#[derive(Clone, Debug)]
pub struct Column {
    pub name: String,
    pub ty: Option<TypeName>,
    pub not_null: bool,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct Check {
    pub name: Option<String>,
    /// `CHECK (col IS NOT NULL)`: the column it proves not null.
    pub proves_not_null: Option<String>,
    pub validated: bool,
}

/// Size facts from `pg_class` (only with `--database`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableSize {
    pub rows: u64,
    /// `rows` is a lower bound: counting stopped there (the table was never analysed).
    pub at_least: bool,
    pub bytes: u64,
}

#[derive(Clone, Debug)]
pub struct Table {
    pub name: Name,
    pub columns: Vec<Column>,
    pub checks: Vec<Check>,
    pub origin: Origin,
    pub size: Option<TableSize>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }

    /// A validated `CHECK (col IS NOT NULL)` exists, so `SET NOT NULL` skips its scan
    /// (PostgreSQL 12 and later).
    pub fn not_null_proven(&self, column: &str) -> bool {
        self.checks
            .iter()
            .any(|c| c.validated && c.proves_not_null.as_deref() == Some(column))
            || self.column(column).is_some_and(|c| c.not_null)
    }
}

#[derive(Clone, Debug)]
pub struct Index {
    pub name: Name,
    pub table: Name,
    pub origin: Origin,
}

#[derive(Clone, Debug, Default)]
pub struct Schema {
    pub tables: Vec<Table>,
    pub indexes: Vec<Index>,
}

impl Schema {
    pub fn table(&self, name: &Name) -> Option<&Table> {
        self.tables.iter().find(|t| t.name.matches(name))
    }

    fn table_mut(&mut self, name: &Name) -> Option<&mut Table> {
        self.tables.iter_mut().find(|t| t.name.matches(name))
    }

    pub fn index(&self, name: &Name) -> Option<&Index> {
        self.indexes.iter().find(|i| i.name.matches(name))
    }

    /// True when migration `migration` created the table (then nothing else uses it yet).
    pub fn created_by(&self, name: &Name, migration: usize) -> bool {
        self.table(name)
            .is_some_and(|t| t.origin == Origin::Migration(migration))
    }

    pub fn column_created_by(&self, table: &Name, column: &str, migration: usize) -> bool {
        self.table(table)
            .and_then(|t| t.column(column))
            .is_some_and(|c| c.origin == Origin::Migration(migration))
    }

    pub fn index_created_by(&self, name: &Name, migration: usize) -> bool {
        self.index(name)
            .is_some_and(|i| i.origin == Origin::Migration(migration))
    }

    pub fn add_table(&mut self, table: Table) {
        self.tables.retain(|t| !t.name.matches(&table.name));
        self.tables.push(table);
    }

    /// Replays one statement of migration `migration`.
    pub fn apply(&mut self, statement: &Statement, migration: usize) {
        self.apply_as(statement, Origin::Migration(migration));
    }

    /// Replays a statement that describes what already exists (`Origin::Database`).
    pub fn apply_as(&mut self, statement: &Statement, origin: Origin) {
        let node = statement.node();
        match &statement.stmt {
            ast::Stmt::CreateTable(_) => {
                let Some(name) =
                    child(node, SyntaxKind::TABLE_NAME).and_then(|n| syntax::name_of(&n))
                else {
                    return;
                };
                if has_token(node, SyntaxKind::TEMP_KW) || has_token(node, SyntaxKind::TEMPORARY_KW)
                {
                    return;
                }
                if self.table(&name).is_some() && child(node, SyntaxKind::IF_NOT_EXISTS).is_some() {
                    return;
                }
                let mut table = Table {
                    name,
                    columns: Vec::new(),
                    checks: Vec::new(),
                    origin,
                    size: None,
                };
                if let Some(list) = child(node, SyntaxKind::TABLE_ARG_LIST) {
                    for element in list.children() {
                        match element.kind() {
                            SyntaxKind::COLUMN => {
                                if let Some(column) = column_definition(&element, origin) {
                                    table.columns.push(column);
                                }
                            }
                            SyntaxKind::CHECK_CONSTRAINT => table.checks.push(check(&element)),
                            _ => {}
                        }
                    }
                }
                self.add_table(table);
            }
            // A materialized view is a relation with storage: indexes and REFRESH lock it. A new
            // one is as unused as a new table.
            ast::Stmt::CreateMaterializedView(_) => {
                let Some(name) = child(node, SyntaxKind::VIEW).and_then(|n| syntax::name_of(&n))
                else {
                    return;
                };
                if self.table(&name).is_some() && child(node, SyntaxKind::IF_NOT_EXISTS).is_some() {
                    return;
                }
                self.add_table(Table {
                    name,
                    columns: Vec::new(),
                    checks: Vec::new(),
                    origin,
                    size: None,
                });
            }
            ast::Stmt::CreateTableAs(_) | ast::Stmt::SelectInto(_) => {
                if let Some(name) = child(node, SyntaxKind::TABLE_NAME)
                    .or_else(|| syntax::descendant(node, SyntaxKind::TABLE_NAME))
                    .and_then(|n| syntax::name_of(&n))
                {
                    self.add_table(Table {
                        name,
                        columns: Vec::new(),
                        checks: Vec::new(),
                        origin,
                        size: None,
                    });
                }
            }
            ast::Stmt::DropTable(_) => {
                for reference in children(node, SyntaxKind::TABLE_NAME_REF) {
                    if let Some(name) = syntax::name_of(&reference) {
                        self.tables.retain(|t| !t.name.matches(&name));
                        self.indexes.retain(|i| !i.table.matches(&name));
                    }
                }
            }
            ast::Stmt::CreateIndex(_) => {
                let table = child(node, SyntaxKind::TABLE_RELATION_NAME)
                    .or_else(|| child(node, SyntaxKind::RELATION_NAME))
                    .and_then(|n| syntax::name_of(&n));
                let name = child(node, SyntaxKind::INDEX).and_then(|n| syntax::name_of(&n));
                if let (Some(table), Some(mut name)) = (table, name) {
                    if name.schema.is_none() {
                        name.schema.clone_from(&table.schema);
                    }
                    self.indexes.retain(|i| !i.name.matches(&name));
                    self.indexes.push(Index {
                        name,
                        table,
                        origin,
                    });
                }
            }
            ast::Stmt::DropIndex(_) => {
                for reference in children(node, SyntaxKind::INDEX_REF) {
                    if let Some(name) = syntax::name_of(&reference) {
                        self.indexes.retain(|i| !i.name.matches(&name));
                    }
                }
            }
            ast::Stmt::AlterTable(_) => self.apply_alter_table(node, origin),
            _ => {}
        }
    }

    fn apply_alter_table(&mut self, node: &SyntaxNode, origin: Origin) {
        let Some(name) = child(node, SyntaxKind::TABLE_RELATION_NAME)
            .or_else(|| child(node, SyntaxKind::RELATION_NAME))
            .and_then(|n| syntax::name_of(&n))
        else {
            return;
        };
        for action in alter_actions(node) {
            match action.kind() {
                SyntaxKind::TABLE_RENAME_TO => {
                    let new =
                        child(&action, SyntaxKind::TABLE_NAME).and_then(|n| syntax::name_of(&n));
                    if let (Some(table), Some(new)) = (self.table_mut(&name), new) {
                        table.name.name = new.name;
                    }
                    return;
                }
                SyntaxKind::SET_SCHEMA => {
                    let schema = action
                        .children()
                        .last()
                        .and_then(|n| syntax::single_name(&n));
                    if let Some(table) = self.table_mut(&name) {
                        table.name.schema = schema;
                    }
                    return;
                }
                _ => {}
            }
            if self.table(&name).is_none() {
                // Created before the migrations read: what the ALTERs say about it still
                // counts (a CHECK validated two statements before SET NOT NULL).
                self.tables.push(Table {
                    name: name.clone(),
                    columns: Vec::new(),
                    checks: Vec::new(),
                    origin: Origin::Earlier,
                    size: None,
                });
            }
            let Some(table) = self.table_mut(&name) else {
                continue;
            };
            match action.kind() {
                SyntaxKind::ADD_COLUMN => {
                    if let Some(column) = column_definition(&action, origin)
                        && table.column(&column.name).is_none()
                    {
                        table.columns.push(column);
                    }
                }
                SyntaxKind::DROP_COLUMN => {
                    if let Some(column) = action_column(&action) {
                        table.columns.retain(|c| c.name != column);
                        table
                            .checks
                            .retain(|c| c.proves_not_null.as_deref() != Some(column.as_str()));
                    }
                }
                SyntaxKind::RENAME_COLUMN => {
                    let old = child(&action, SyntaxKind::COLUMN_NAME_REF)
                        .and_then(|n| syntax::single_name(&n));
                    let new = child(&action, SyntaxKind::COLUMN_NAME)
                        .and_then(|n| syntax::single_name(&n));
                    if let (Some(old), Some(new)) = (old, new) {
                        if let Some(column) = table.column_mut(&old) {
                            column.name.clone_from(&new);
                        }
                        for check in &mut table.checks {
                            if check.proves_not_null.as_deref() == Some(old.as_str()) {
                                check.proves_not_null = Some(new.clone());
                            }
                        }
                    }
                }
                SyntaxKind::ALTER_COLUMN => {
                    let Some(column_name) = action_column(&action) else {
                        continue;
                    };
                    let Some(column) = table.column_mut(&column_name) else {
                        continue;
                    };
                    for option in action.children() {
                        match option.kind() {
                            SyntaxKind::SET_TYPE => {
                                column.ty =
                                    syntax::type_child(&option).map(|t| syntax::type_name(&t));
                            }
                            SyntaxKind::SET_NOT_NULL => column.not_null = true,
                            SyntaxKind::DROP_NOT_NULL => column.not_null = false,
                            _ => {}
                        }
                    }
                }
                SyntaxKind::ADD_CONSTRAINT => {
                    if let Some(constraint) = child(&action, SyntaxKind::CHECK_CONSTRAINT) {
                        table.checks.push(check(&constraint));
                    }
                }
                SyntaxKind::VALIDATE_CONSTRAINT => {
                    let constraint = action.children().find_map(|n| syntax::single_name(&n));
                    for check in &mut table.checks {
                        if check.name.is_some() && check.name == constraint {
                            check.validated = true;
                        }
                    }
                }
                SyntaxKind::DROP_CONSTRAINT => {
                    let constraint = action.children().find_map(|n| syntax::single_name(&n));
                    table
                        .checks
                        .retain(|c| c.name.is_none() || c.name != constraint);
                }
                _ => {}
            }
        }
    }
}

/// The column an `ALTER COLUMN` or `DROP COLUMN` names.
pub fn action_column(action: &SyntaxNode) -> Option<String> {
    child(action, SyntaxKind::COLUMN_NAME_REF)
        .or_else(|| child(action, SyntaxKind::NAME_REF))
        .and_then(|n| syntax::single_name(&n))
}

/// A column definition (`COLUMN` in CREATE TABLE, `ADD_COLUMN` in ALTER TABLE).
fn column_definition(node: &SyntaxNode, origin: Origin) -> Option<Column> {
    let name = child(node, SyntaxKind::COLUMN_NAME).and_then(|n| syntax::single_name(&n))?;
    let ty = syntax::type_child(node).map(|t| syntax::type_name(&t));
    let not_null = node.children().any(|c| {
        matches!(
            c.kind(),
            SyntaxKind::NOT_NULL_CONSTRAINT | SyntaxKind::PRIMARY_KEY_CONSTRAINT
        )
    });
    Some(Column {
        name,
        ty,
        not_null,
        origin,
    })
}

fn check(constraint: &SyntaxNode) -> Check {
    let name = child(constraint, SyntaxKind::CONSTRAINT_NAME_CLAUSE)
        .and_then(|c| child(&c, SyntaxKind::CONSTRAINT_NAME))
        .and_then(|n| syntax::single_name(&n));
    let validated = child(constraint, SyntaxKind::NOT_VALID).is_none();
    let proves_not_null = constraint
        .children()
        .find(|c| {
            !matches!(
                c.kind(),
                SyntaxKind::CONSTRAINT_NAME_CLAUSE | SyntaxKind::NOT_VALID
            )
        })
        .and_then(|expr| is_not_null_test(&expr));
    Check {
        name,
        proves_not_null,
        validated,
    }
}

/// `col IS NOT NULL` (or `col NOTNULL`): the column.
pub fn is_not_null_test(expr: &SyntaxNode) -> Option<String> {
    let mut text = syntax::compact_text(expr);
    // pg_get_constraintdef writes `CHECK ((a IS NOT NULL))`.
    while text.starts_with('(') && text.ends_with(')') {
        text = text[1..text.len() - 1].trim().to_string();
    }
    let lower = text.to_lowercase();
    let column = lower
        .strip_suffix(" is not null")
        .or_else(|| lower.strip_suffix(" notnull"))?;
    let original = &text[..column.len()];
    let plain = original
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '"');
    plain.then(|| syntax::ident_text(original))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replay(sql: &str) -> Schema {
        let mut schema = Schema::default();
        let (statements, errors) = syntax::parse(sql);
        assert!(errors.is_empty(), "{errors:?}");
        for statement in &statements {
            schema.apply(statement, 0);
        }
        schema
    }

    #[test]
    fn tables_columns_and_checks_follow_the_statements() {
        let schema = replay(
            "create table orders (id bigint primary key, note varchar(20), total numeric(10,2));
             alter table orders add column paid_at timestamptz, rename column note to memo;
             alter table orders add constraint memo_nn check (memo is not null) not valid;",
        );
        let orders = schema.table(&Name::new(None, "orders")).unwrap();
        assert_eq!(
            orders
                .column("memo")
                .unwrap()
                .ty
                .as_ref()
                .unwrap()
                .modifiers,
            [20]
        );
        assert!(orders.column("paid_at").is_some());
        assert!(!orders.not_null_proven("memo"));
        let schema = replay(
            "create table orders (memo text);
             alter table orders add constraint memo_nn check (memo is not null) not valid;
             alter table orders validate constraint memo_nn;",
        );
        assert!(
            schema
                .table(&Name::new(None, "orders"))
                .unwrap()
                .not_null_proven("memo")
        );
    }

    #[test]
    fn renames_and_drops() {
        let schema = replay(
            "create table a (x int); create index a_x on a (x); alter table a rename to b; drop index a_x;",
        );
        assert!(schema.table(&Name::new(None, "b")).is_some());
        assert!(schema.table(&Name::new(None, "a")).is_none());
        assert!(schema.indexes.is_empty());
    }
}
