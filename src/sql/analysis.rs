//! The walk over each migration history: statement by statement, in the runner's order, with
//! the schema built so far, the transaction the statement runs in, the locks that
//! transaction already holds and whether a `lock_timeout` is in force. Every rule sees each
//! statement with that state; then findings become located, filtered, sorted diagnostics.

use squawk_syntax::ast;

use super::ignore;
use super::layout::Layout;
use super::locks::{self, LockMode, Relation, TableLock};
use super::rules::{Concern, Finding, SQL_RULES, Sink};
use super::schema::{Schema, TableSize};
use super::syntax::{self, Name, Statement, SyntaxKind, child};
use super::{Migration, MigrationSet, Phase};
use crate::config::Config;
use crate::lint::Diagnostic;
use crate::severity::{Level, Severity};
use crate::source::{SourceFile, Span};

/// Table-size thresholds for `--database` (see `Concern::Duration`).
#[derive(Clone, Copy, Debug)]
pub struct SizeLimits {
    /// At or below: a lock or rewrite is over before anyone notices; info.
    pub small_rows: u64,
    /// Above (or above `large_bytes`): an error.
    pub large_rows: u64,
    pub large_bytes: u64,
}

impl Default for SizeLimits {
    fn default() -> Self {
        SizeLimits {
            small_rows: 10_000,
            large_rows: 1_000_000,
            large_bytes: 1 << 30,
        }
    }
}

/// What is known beyond the files: a real database's schema and table sizes.
#[derive(Clone, Debug, Default)]
pub struct Environment {
    pub database: Option<Schema>,
    pub limits: SizeLimits,
}

/// A lock the current transaction already holds (taken by an earlier statement).
#[derive(Clone, Debug)]
pub struct HeldLock {
    pub relation: Name,
    pub mode: LockMode,
    pub span: Span,
}

/// What a rule sees of one statement.
pub struct StatementContext<'a> {
    pub set: &'a MigrationSet,
    pub migration: &'a Migration,
    /// Its index in `set.migrations`; `Origin::Migration` of what it created.
    pub migration_id: usize,
    /// For a down migration: the up migration it undoes.
    pub paired_up: Option<usize>,
    pub layout: Layout,
    pub statement: &'a Statement,
    pub source: &'a SourceFile,
    /// The schema just before this statement.
    pub schema: &'a Schema,
    /// The statement runs inside a transaction block, and why.
    pub transaction: Option<&'a str>,
    /// Locks taken by earlier statements of the same transaction (held until it ends).
    pub held: &'a [HeldLock],
    /// A `SET lock_timeout` earlier in the migration is in force.
    pub lock_timeout: bool,
    /// The locks this statement takes, as documented.
    pub locks: &'a [TableLock],
    /// `--database` was given: the schema holds the real tables.
    pub has_database: bool,
}

impl StatementContext<'_> {
    pub fn node(&self) -> &syntax::SyntaxNode {
        self.statement.node()
    }

    /// Created by this same migration: nobody else uses it yet.
    /// Created by this same migration (or, in a down migration, by the up it undoes):
    /// the version that runs without this migration does not use it.
    pub fn is_new_table(&self, table: &Name) -> bool {
        self.own_migrations()
            .any(|m| self.schema.created_by(table, m))
    }

    pub fn is_new_column(&self, table: &Name, column: &str) -> bool {
        self.own_migrations()
            .any(|m| self.schema.column_created_by(table, column, m))
    }

    pub fn is_new_index(&self, index: &Name) -> bool {
        self.own_migrations()
            .any(|m| self.schema.index_created_by(index, m))
    }

    fn own_migrations(&self) -> impl Iterator<Item = usize> {
        std::iter::once(self.migration_id).chain(self.paired_up)
    }

    pub fn phase(&self) -> Option<Phase> {
        self.migration.phase
    }

    pub fn line_of(&self, offset: u32) -> usize {
        self.source.position(offset as usize).line
    }

    /// The table a lock is on (DROP INDEX names only the index: its table, if known).
    pub fn lock_table(&self, lock: &TableLock) -> Option<Name> {
        match &lock.relation {
            Relation::Table(name) => Some(name.clone()),
            Relation::Index(index) => self.schema.index(index).map(|i| i.table.clone()),
        }
    }

    /// The table the statement works on, when it existed before this migration (a table the
    /// migration creates is not in use yet: most rules leave it alone).
    pub fn existing_target_table(&self) -> Option<Name> {
        self.target_table().filter(|t| !self.is_new_table(t))
    }

    /// The name of the table an ALTER TABLE / CREATE INDEX / UPDATE works on.
    pub fn target_table(&self) -> Option<Name> {
        let node = self.node();
        [
            SyntaxKind::TABLE_RELATION_NAME,
            SyntaxKind::RELATION_NAME,
            SyntaxKind::TABLE_NAME,
        ]
        .into_iter()
        .find_map(|kind| child(node, kind))
        .and_then(|n| syntax::name_of(&n))
    }
}

/// The schema a history's up migrations build on top of `start`.
pub fn replay(set: &MigrationSet, history: &super::History, start: Schema) -> Schema {
    let mut schema = start;
    for &id in &history.migrations {
        let migration = &set.migrations[id];
        if migration.is_down() {
            continue;
        }
        for statement in set.statements(migration) {
            schema.apply(statement, id);
        }
    }
    schema
}

/// Runs every rule over every history and returns the diagnostics, ready for output.
pub fn check(set: &MigrationSet, environment: &Environment, config: &Config) -> Vec<Diagnostic> {
    let mut findings = Vec::new();
    for history in &set.histories {
        let mut schema = environment.database.clone().unwrap_or_default();
        for &migration_id in &history.migrations {
            let migration = &set.migrations[migration_id];
            let mut walk = Walk {
                set,
                migration_id,
                paired_up: None,
                layout: history.layout,
                environment,
                config,
            };
            if migration.is_down() {
                // A down migration runs against the schema its up built; it changes nothing
                // the later ups see.
                walk.paired_up = set.counterpart(history, migration_id);
                walk.run(&mut schema.clone(), &mut findings);
            } else {
                walk.run(&mut schema, &mut findings);
            }
        }
        for rule in SQL_RULES {
            let meta = rule.meta();
            if config.level(meta.id, meta.severity) == Level::Off {
                continue;
            }
            let mut sink = Sink {
                meta,
                concern: rule.concern(),
                migration: usize::MAX,
                file: 0,
                statement: Span::default(),
                findings: &mut findings,
            };
            rule.check_history(set, history, &mut sink);
        }
    }
    finish(set, environment, config, findings)
}

/// One migration to walk through, and what it is checked with.
struct Walk<'a> {
    set: &'a MigrationSet,
    migration_id: usize,
    paired_up: Option<usize>,
    layout: Layout,
    environment: &'a Environment,
    config: &'a Config,
}

impl Walk<'_> {
    fn run(&self, schema: &mut Schema, findings: &mut Vec<Finding>) {
        let Walk {
            set,
            migration_id,
            paired_up,
            layout,
            environment,
            config,
        } = *self;
        let migration = &set.migrations[migration_id];
        let file = &set.files[migration.file];
        let wrapped = migration.unit.wrapping.in_transaction;
        // golang-migrate's implicit block covers the whole query, COMMITs or not.
        let implicit_block = wrapped && layout == Layout::GolangMigrate;
        let mut transaction: Option<String> =
            wrapped.then(|| migration.unit.wrapping.reason.clone());
        let mut held: Vec<HeldLock> = Vec::new();
        let mut lock_timeout = false;
        let mut local_lock_timeout = false;
        for statement in set.statements(migration) {
            match &statement.stmt {
                ast::Stmt::Begin(_) => {
                    if transaction.is_none() {
                        let line = file.source.position(statement.span.start as usize).line;
                        transaction = Some(format!("the BEGIN on line {line}"));
                    }
                    continue;
                }
                ast::Stmt::Commit(_) | ast::Stmt::Rollback(_) => {
                    held.clear();
                    local_lock_timeout = false;
                    transaction = implicit_block.then(|| migration.unit.wrapping.reason.clone());
                    continue;
                }
                _ => {}
            }
            if let Some(setting) = lock_timeout_setting(statement) {
                match setting {
                    Setting::Session(on) => lock_timeout = on,
                    Setting::Local(on) if transaction.is_some() => local_lock_timeout = on,
                    Setting::Local(_) => {}
                }
            }
            let statement_locks = locks::statement_locks(statement);
            if !statement.broken {
                let cx = StatementContext {
                    set,
                    migration,
                    migration_id,
                    paired_up,
                    layout,
                    statement,
                    source: &file.source,
                    schema,
                    transaction: transaction.as_deref(),
                    held: &held,
                    lock_timeout: lock_timeout || local_lock_timeout,
                    locks: &statement_locks,
                    has_database: environment.database.is_some(),
                };
                for rule in SQL_RULES {
                    let meta = rule.meta();
                    if config.level(meta.id, meta.severity) == Level::Off {
                        continue;
                    }
                    if migration.is_down() && rule.concern() == Concern::Compatibility {
                        continue;
                    }
                    let mut sink = Sink {
                        meta,
                        concern: rule.concern(),
                        migration: migration_id,
                        file: migration.file,
                        statement: statement.span,
                        findings,
                    };
                    rule.check(&cx, &mut sink);
                }
            }
            if transaction.is_some() {
                for lock in &statement_locks {
                    let relation = match &lock.relation {
                        Relation::Table(name) => Some(name.clone()),
                        Relation::Index(index) => schema.index(index).map(|i| i.table.clone()),
                    };
                    if let Some(relation) = relation {
                        held.push(HeldLock {
                            relation,
                            mode: lock.mode,
                            span: statement.span,
                        });
                    }
                }
            }
            schema.apply(statement, migration_id);
        }
    }
}

enum Setting {
    Session(bool),
    Local(bool),
}

/// `SET [LOCAL] lock_timeout = …`, `RESET lock_timeout`, `SELECT set_config('lock_timeout', …)`:
/// whether it turns a timeout on (a non-zero value) or off.
fn lock_timeout_setting(statement: &Statement) -> Option<Setting> {
    // Only these kinds can set it: spare every other statement (and every query that does
    // not call set_config) the copy of its text.
    let node = statement.node();
    let candidate = match statement.stmt {
        ast::Stmt::Set(_) | ast::Stmt::Reset(_) => true,
        ast::Stmt::Select(_) => syntax::mentions(node, "set_config"),
        _ => false,
    };
    if !candidate {
        return None;
    }
    let text = syntax::compact_text(node).to_lowercase();
    if !text.contains("lock_timeout") {
        return None;
    }
    // `0`, `0ms`, `DEFAULT` and an empty value turn the timeout off.
    let is_zero = |value: &str| {
        let value = value.trim().trim_matches(['\'', '"', ';', ')', ' ']);
        value.is_empty()
            || value == "default"
            || (value.starts_with('0')
                && value
                    .trim_start_matches('0')
                    .trim()
                    .chars()
                    .all(|c| c.is_ascii_alphabetic()))
    };
    match &statement.stmt {
        ast::Stmt::Set(_) => {
            let local = syntax::child(node, SyntaxKind::LOCAL_SCOPE).is_some();
            let value = text
                .split_once("lock_timeout")
                .map(|(_, v)| {
                    v.trim_start()
                        .trim_start_matches(['=', ' '])
                        .trim_start_matches("to ")
                })
                .unwrap_or("");
            let on = !is_zero(value);
            Some(if local {
                Setting::Local(on)
            } else {
                Setting::Session(on)
            })
        }
        ast::Stmt::Reset(_) => Some(Setting::Session(false)),
        ast::Stmt::Select(_) if text.contains("set_config") => {
            // set_config('lock_timeout', '2s', false): the third argument says local.
            let arguments = text.split_once("set_config")?.1;
            let parts: Vec<&str> = arguments.trim_start_matches('(').split(',').collect();
            let value = parts.get(1).copied().unwrap_or("");
            let local = parts.get(2).is_some_and(|p| p.contains("true"));
            let on = !is_zero(value);
            Some(if local {
                Setting::Local(on)
            } else {
                Setting::Session(on)
            })
        }
        _ => None,
    }
}

/// Phase and size adjustments, config levels, inline ignores, positions, order.
fn finish(
    set: &MigrationSet,
    environment: &Environment,
    config: &Config,
    findings: Vec<Finding>,
) -> Vec<Diagnostic> {
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for mut finding in findings {
        let migration = set.migrations.get(finding.migration);
        if finding.concern == Concern::Compatibility
            && migration.is_some_and(|m| m.phase == Some(Phase::Contract))
        {
            finding.severity = Severity::Info;
            finding.message.push_str(
                " (a contract-phase migration: expected once no running version uses it)",
            );
        }
        if finding.concern == Concern::Duration
            && let Some(size) = finding
                .table
                .as_ref()
                .and_then(|t| environment.database.as_ref()?.table(t)?.size)
        {
            adjust_for_size(&mut finding, size, environment.limits);
        }
        let meta = super::rules::find(finding.rule).map(|r| r.meta());
        if let Some(meta) = meta
            && let Some(Level::On(severity)) = config.levels.get(meta.id).copied()
        {
            finding.severity = severity;
        }
        let source = &set.files[finding.file].source;
        if ignore::is_ignored(source, finding.rule, finding.span, finding.statement) {
            continue;
        }
        diagnostics.push(Diagnostic {
            rule: finding.rule,
            severity: finding.severity,
            message: finding.message,
            help: finding.help.into(),
            file: finding.file,
            span: finding.span,
            start: source.position(finding.span.start as usize),
            end: source.position(finding.span.end as usize),
            object: None,
            pointer: None,
            source: None,
        });
    }
    for (file_index, file) in set.files.iter().enumerate() {
        diagnostics.extend(ignore::unknown_ids(&file.source, file_index, config));
    }
    crate::lint::order(&mut diagnostics, &|file| {
        set.files[file].source.name.as_str()
    });
    diagnostics
}

fn adjust_for_size(finding: &mut Finding, size: TableSize, limits: SizeLimits) {
    let mib = size.bytes as f64 / (1024.0 * 1024.0);
    let rows = if size.at_least {
        format!("more than {} rows", size.rows.saturating_sub(1))
    } else {
        format!("{} rows", size.rows)
    };
    if size.rows <= limits.small_rows && size.bytes < limits.large_bytes {
        finding.severity = Severity::Info;
        finding.message.push_str(&format!(
            " (the table has {rows}, {mib:.1} MiB: over in moments)"
        ));
    } else {
        if size.rows > limits.large_rows || size.bytes > limits.large_bytes {
            finding.severity = Severity::Error;
        }
        finding
            .message
            .push_str(&format!(" (the table has {rows}, {mib:.1} MiB)"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setting(sql: &str) -> Option<(bool, bool)> {
        let (statements, _) = syntax::parse(sql);
        lock_timeout_setting(&statements[0]).map(|s| match s {
            Setting::Session(on) => (false, on),
            Setting::Local(on) => (true, on),
        })
    }

    #[test]
    fn lock_timeout_settings() {
        assert_eq!(setting("set lock_timeout = '2s';"), Some((false, true)));
        assert_eq!(
            setting("SET LOCAL lock_timeout TO '5000';"),
            Some((true, true))
        );
        assert_eq!(setting("set lock_timeout = 0;"), Some((false, false)));
        assert_eq!(
            setting("set lock_timeout to default;"),
            Some((false, false))
        );
        assert_eq!(setting("reset lock_timeout;"), Some((false, false)));
        assert_eq!(
            setting("select set_config('lock_timeout', '1s', true);"),
            Some((true, true))
        );
        assert_eq!(setting("set statement_timeout = '1s';"), None);
    }
}
