//! `migrate trace`: runs migrations on a scratch database and records, per statement, the
//! locks it took (from `pg_locks` of its own backend), the tables it rewrote (their
//! `relfilenode` changed) and how long it ran.
//!
//! The scratch database is created on the server the URL names and dropped afterwards, also
//! when tracing fails. Nothing runs in the database the URL names: the admin session there
//! only creates and drops the scratch database.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use postgres::Client;
use squawk_syntax::ast;

use super::database::{self, USER_RELATIONS, connect, describe};
use super::locks::{LockMode, Relation, cannot_run_in_transaction, statement_locks};
use super::{History, MigrationSet};
use crate::lint::Diagnostic;
use crate::rules::{RuleMeta, rule_meta};
use crate::severity::Severity;
use crate::source::Span;

pub static TRACED_REWRITE: RuleMeta = rule_meta!(
    "traced-rewrite",
    Warning,
    "migrate trace saw the statement rewrite an existing table (its relfilenode changed)"
);
pub static TRACED_BLOCKING_LOCK: RuleMeta = rule_meta!(
    "traced-blocking-lock",
    Info,
    "migrate trace saw the statement take a lock that blocks writes on an existing table"
);
pub static TRACED_STATEMENT_FAILED: RuleMeta = rule_meta!(
    "traced-statement-failed",
    Error,
    "migrate trace ran the statement on PostgreSQL and it failed"
);

/// The rules whose findings come from a trace.
pub static TRACE_RULES: &[&RuleMeta] = &[
    &TRACED_REWRITE,
    &TRACED_BLOCKING_LOCK,
    &TRACED_STATEMENT_FAILED,
];

/// A lock seen held by the statement's backend.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct ObservedLock {
    pub relation: String,
    #[serde(serialize_with = "mode_name")]
    pub mode: LockMode,
    /// The relation did not exist before the statement (it created it).
    pub created: bool,
}

fn mode_name<S: serde::Serializer>(mode: &LockMode, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(mode.as_str())
}

/// How the locks were seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Observed {
    /// Read from `pg_locks` inside the statement's transaction, after it ran: exact.
    InTransaction,
    /// The statement cannot run in a transaction (CONCURRENTLY): `pg_locks` was polled from a
    /// second session while it ran; a lock held for less than the polling interval is missed.
    Sampled,
}

#[derive(Clone, Debug)]
pub struct TracedStatement {
    pub migration: usize,
    pub file: usize,
    pub span: Span,
    pub locks: Vec<ObservedLock>,
    /// Locks the statement needs (as documented) that its transaction already held from an
    /// earlier statement: it did not wait for them, but holds them through its own run.
    pub already_held: Vec<ObservedLock>,
    /// Existing tables (or materialized views) whose storage was rewritten.
    pub rewritten: Vec<String>,
    /// Existing indexes that were rebuilt.
    pub indexes_rebuilt: Vec<String>,
    pub duration: Duration,
    pub observed: Observed,
    pub error: Option<String>,
}

/// What a trace found, and what it ran on.
pub struct Trace {
    pub statements: Vec<TracedStatement>,
    pub server_version: String,
}

/// One relation's storage, to tell a rewrite from an in-place change.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Storage {
    name: String,
    relfilenode: i64,
    kind: String,
}

fn storage(client: &mut Client) -> Result<HashMap<i64, Storage>, String> {
    let rows = client
        .query(
            &format!(
                "SELECT c.oid::bigint, c.oid::regclass::text, c.relfilenode::bigint, c.relkind::text \
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.relkind IN ('r', 'm', 'i', 'p', 'S') AND {USER_RELATIONS}"
            ),
            &[],
        )
        .map_err(|e| describe(&e))?;
    Ok(rows
        .iter()
        .map(|row| {
            (
                row.get(0),
                Storage {
                    name: row.get(1),
                    relfilenode: row.get(2),
                    kind: row.get(3),
                },
            )
        })
        .collect())
}

fn locks_query() -> String {
    format!(
        "SELECT c.oid::bigint, c.oid::regclass::text, l.mode FROM pg_locks l \
         JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE l.pid = $1 AND l.locktype = 'relation' AND l.granted AND {USER_RELATIONS}"
    )
}

fn held_locks(client: &mut Client, pid: i32) -> Result<BTreeSet<(i64, String, String)>, String> {
    let rows = client
        .query(&locks_query(), &[&pid])
        .map_err(|e| describe(&e))?;
    Ok(rows
        .iter()
        .map(|row| (row.get(0), row.get(1), row.get(2)))
        .collect())
}

/// The scratch database; dropped when this goes out of scope, whatever happened.
struct Scratch {
    admin: Client,
    name: String,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // WITH (FORCE) (PostgreSQL 13+) ends sessions a failed trace left open; older servers
        // get the plain form.
        let force = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let plain = format!("DROP DATABASE IF EXISTS {}", self.name);
        if let Err(error) = self
            .admin
            .batch_execute(&force)
            .or_else(|_| self.admin.batch_execute(&plain))
        {
            eprintln!(
                "warning: could not drop the scratch database {}: {}",
                self.name,
                describe(&error)
            );
        }
    }
}

/// How a statement is run: what the runner would do with it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Traced, and reported.
    Trace,
    /// Applied to reach the state before the traced migrations, not reported.
    Apply,
}

/// Traces the migrations `targets` says to (indexed like `set.migrations`), applying the
/// other up migrations of each history before them; or, with `schema_sql`, starting from it.
pub fn trace(
    set: &MigrationSet,
    targets: &[bool],
    url: &str,
    schema_sql: Option<&str>,
) -> Result<Trace, String> {
    let config = database::parse_url(url)?;
    let mut statements = Vec::new();
    let mut server_version = String::new();
    for history in &set.histories {
        if !history.migrations.iter().any(|&m| targets[m]) {
            continue;
        }
        let mut admin = connect(&config)?;
        server_version = admin
            .query_one("SHOW server_version", &[])
            .map(|row| row.get::<_, String>(0))
            .map_err(|e| describe(&e))?;
        let name = format!(
            "zerodown_trace_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() % 1_000_000_000)
        );
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .map_err(|e| format!("creating the scratch database: {}", describe(&e)))?;
        let scratch = Scratch { admin, name };
        let mut scratch_config = config.clone();
        scratch_config.dbname(&scratch.name);
        if let Some(sql) = schema_sql {
            let mut session = connect(&scratch_config)?;
            session
                .batch_execute(sql)
                .map_err(|e| format!("--schema: {}", describe(&e)))?;
        }
        trace_history(
            set,
            history,
            targets,
            &scratch_config,
            schema_sql.is_some(),
            &mut statements,
        )?;
        drop(scratch);
    }
    Ok(Trace {
        statements,
        server_version,
    })
}

fn trace_history(
    set: &MigrationSet,
    history: &History,
    targets: &[bool],
    config: &postgres::Config,
    from_schema: bool,
    out: &mut Vec<TracedStatement>,
) -> Result<(), String> {
    let last_target = history
        .migrations
        .iter()
        .rposition(|&m| targets[m])
        .unwrap_or(0);
    for &id in &history.migrations[..=last_target] {
        let migration = &set.migrations[id];
        let mode = if targets[id] {
            Mode::Trace
        } else {
            Mode::Apply
        };
        // Down migrations are traced only when asked for; earlier ones are never applied
        // (the history's state is what its ups built). With --schema, only targets run.
        if mode == Mode::Apply && (migration.is_down() || from_schema) {
            continue;
        }
        let failed = run_migration(set, id, config, mode, out)?;
        if failed {
            break;
        }
    }
    Ok(())
}

/// Runs one migration statement by statement, as its runner would; returns true when a
/// statement failed (the history's state is then unknown, and tracing it stops).
fn run_migration(
    set: &MigrationSet,
    id: usize,
    config: &postgres::Config,
    mode: Mode,
    out: &mut Vec<TracedStatement>,
) -> Result<bool, String> {
    let migration = &set.migrations[id];
    let file = &set.files[migration.file];
    let mut session = connect(config)?;
    session
        .batch_execute("SET client_min_messages = warning")
        .map_err(|e| describe(&e))?;
    let pid: i32 = session
        .query_one("SELECT pg_backend_pid()", &[])
        .map_err(|e| describe(&e))?
        .get(0);
    let wrapped = migration.unit.wrapping.in_transaction;
    let mut in_transaction = false;
    if wrapped {
        session.batch_execute("BEGIN").map_err(|e| describe(&e))?;
        in_transaction = true;
    }
    for statement in set.statements(migration) {
        let text = &file.source.text[statement.span.range()];
        let is_begin = matches!(statement.stmt, ast::Stmt::Begin(_));
        let is_end = matches!(
            statement.stmt,
            ast::Stmt::Commit(_) | ast::Stmt::Rollback(_)
        );
        if is_begin && in_transaction {
            continue;
        }
        if is_begin || is_end {
            let result = session.batch_execute(text);
            in_transaction = is_begin;
            if let Err(error) = result {
                record_failure(out, id, migration.file, statement.span, &describe(&error));
                return Ok(true);
            }
            continue;
        }
        let needs: Vec<String> = statement_locks(statement)
            .into_iter()
            .map(|l| match l.relation {
                Relation::Table(name) | Relation::Index(name) => name.name,
            })
            .collect();
        let outcome = if in_transaction {
            observe_in_transaction(&mut session, pid, text, &needs)
        } else if cannot_run_in_transaction(statement).is_some() {
            observe_sampled(&mut session, config, pid, text)
        } else {
            session.batch_execute("BEGIN").map_err(|e| describe(&e))?;
            let outcome = observe_in_transaction(&mut session, pid, text, &needs);
            let end = if outcome.is_ok() {
                "COMMIT"
            } else {
                "ROLLBACK"
            };
            session.batch_execute(end).map_err(|e| describe(&e))?;
            outcome
        };
        match outcome {
            Ok(mut traced) => {
                traced.migration = id;
                traced.file = migration.file;
                traced.span = statement.span;
                if mode == Mode::Trace {
                    out.push(traced);
                }
            }
            Err(message) => {
                if in_transaction {
                    let _ = session.batch_execute("ROLLBACK");
                }
                record_failure(out, id, migration.file, statement.span, &message);
                return Ok(true);
            }
        }
    }
    if in_transaction && let Err(error) = session.batch_execute("COMMIT") {
        let end = set
            .statements(migration)
            .last()
            .map_or(migration.unit.range, |s| s.span);
        record_failure(out, id, migration.file, end, &describe(&error));
        return Ok(true);
    }
    Ok(false)
}

fn record_failure(
    out: &mut Vec<TracedStatement>,
    migration: usize,
    file: usize,
    span: Span,
    message: &str,
) {
    // A failure is reported even in a migration applied only to reach the traced state:
    // it explains why nothing after it was traced.
    out.push(TracedStatement {
        migration,
        file,
        span,
        locks: Vec::new(),
        already_held: Vec::new(),
        rewritten: Vec::new(),
        indexes_rebuilt: Vec::new(),
        duration: Duration::ZERO,
        observed: Observed::InTransaction,
        error: Some(message.to_string()),
    });
}

fn changes(
    before: &HashMap<i64, Storage>,
    after: &HashMap<i64, Storage>,
) -> (Vec<String>, Vec<String>) {
    let mut rewritten = Vec::new();
    let mut rebuilt = Vec::new();
    for (oid, old) in before {
        let Some(new) = after.get(oid) else { continue };
        if new.relfilenode == old.relfilenode || old.relfilenode == 0 {
            continue;
        }
        match old.kind.as_str() {
            "r" | "m" => rewritten.push(new.name.clone()),
            "i" => rebuilt.push(new.name.clone()),
            _ => {}
        }
    }
    rewritten.sort();
    rebuilt.sort();
    (rewritten, rebuilt)
}

fn lock_list(
    seen: impl IntoIterator<Item = (i64, String, String)>,
    before: &HashMap<i64, Storage>,
) -> Vec<ObservedLock> {
    let mut locks: Vec<ObservedLock> = seen
        .into_iter()
        .filter_map(|(oid, relation, mode)| {
            Some(ObservedLock {
                relation,
                mode: LockMode::from_pg_locks(&mode)?,
                created: !before.contains_key(&oid),
            })
        })
        .collect();
    locks.sort();
    locks.dedup();
    locks
}

/// Runs `text` inside the session's open transaction and reads what it took.
fn observe_in_transaction(
    session: &mut Client,
    pid: i32,
    text: &str,
    needs: &[String],
) -> Result<TracedStatement, String> {
    let before = storage(session)?;
    let locks_before = held_locks(session, pid)?;
    let started = Instant::now();
    session.batch_execute(text).map_err(|e| describe(&e))?;
    let duration = started.elapsed();
    let locks_after = held_locks(session, pid)?;
    let after = storage(session)?;
    let (rewritten, indexes_rebuilt) = changes(&before, &after);
    let new_locks = locks_after.difference(&locks_before).cloned();
    let already_held = locks_before
        .iter()
        .filter(|(_, relation, _)| needs.iter().any(|n| *n == relation_name(relation)))
        .cloned();
    Ok(TracedStatement {
        migration: 0,
        file: 0,
        span: Span::default(),
        locks: lock_list(new_locks, &before),
        already_held: lock_list(already_held, &before),
        rewritten,
        indexes_rebuilt,
        duration,
        observed: Observed::InTransaction,
        error: None,
    })
}

/// Runs `text` outside a transaction while a second session polls `pg_locks` for the first
/// one's backend.
fn observe_sampled(
    session: &mut Client,
    config: &postgres::Config,
    pid: i32,
    text: &str,
) -> Result<TracedStatement, String> {
    let before = storage(session)?;
    let mut monitor = connect(config)?;
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            let mut seen = BTreeSet::new();
            let query = locks_query();
            // Bounded: the statement's own duration, polled every millisecond.
            while !done.load(Ordering::Relaxed) {
                if let Ok(rows) = monitor.query(&query, &[&pid]) {
                    for row in rows {
                        seen.insert((
                            row.get::<_, i64>(0),
                            row.get::<_, String>(1),
                            row.get::<_, String>(2),
                        ));
                    }
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            seen
        })
    };
    let started = Instant::now();
    let result = session.batch_execute(text);
    let duration = started.elapsed();
    done.store(true, Ordering::Relaxed);
    let seen = sampler.join().unwrap_or_default();
    result.map_err(|e| describe(&e))?;
    let after = storage(session)?;
    let (rewritten, indexes_rebuilt) = changes(&before, &after);
    Ok(TracedStatement {
        migration: 0,
        file: 0,
        span: Span::default(),
        locks: lock_list(seen, &before),
        already_held: Vec::new(),
        rewritten,
        indexes_rebuilt,
        duration,
        observed: Observed::Sampled,
        error: None,
    })
}

/// The relation's own name from `regclass` text (`s."Orders"` → `Orders`).
fn relation_name(regclass: &str) -> String {
    let last = regclass.rsplit_once('.').map_or(regclass, |(_, name)| name);
    super::syntax::ident_text(last)
}

/// The strongest mode per relation, in a stable order.
fn strongest_per_relation(locks: &[ObservedLock]) -> Vec<ObservedLock> {
    let mut strongest: Vec<ObservedLock> = Vec::new();
    for lock in locks {
        match strongest.iter_mut().find(|l| l.relation == lock.relation) {
            Some(existing) if existing.mode < lock.mode => *existing = lock.clone(),
            Some(_) => {}
            None => strongest.push(lock.clone()),
        }
    }
    strongest
}

pub fn format_duration(duration: Duration) -> String {
    let ms = duration.as_secs_f64() * 1000.0;
    if ms >= 1000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        format!("{ms:.1} ms")
    }
}

/// One line per lock: `ACCESS EXCLUSIVE on orders, SHARE on items`.
pub fn describe_locks(locks: &[ObservedLock]) -> String {
    strongest_per_relation(locks)
        .iter()
        .map(|l| {
            format!(
                "{} on {}{}",
                l.mode,
                l.relation,
                if l.created { " (created here)" } else { "" }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The findings a trace adds to the lint findings.
pub fn diagnostics(set: &MigrationSet, trace: &Trace) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for traced in &trace.statements {
        let source = &set.files[traced.file].source;
        let mut push =
            |meta: &'static RuleMeta, severity: Severity, message: String, help: &str| {
                diagnostics.push(Diagnostic {
                    rule: meta.id,
                    severity,
                    message,
                    help: help.to_string().into(),
                    file: traced.file,
                    span: traced.span,
                    start: source.position(traced.span.start as usize),
                    end: source.position(traced.span.end as usize),
                    object: None,
                    pointer: None,
                    source: None,
                });
            };
        if let Some(error) = &traced.error {
            push(
                &TRACED_STATEMENT_FAILED,
                TRACED_STATEMENT_FAILED.severity,
                format!("failed on PostgreSQL {}: {error}", trace.server_version),
                "fix the statement (or the migration's transaction setting); nothing after it in \
                 this folder was traced",
            );
            continue;
        }
        let existing: Vec<&ObservedLock> = traced
            .locks
            .iter()
            .chain(&traced.already_held)
            .filter(|l| !l.created)
            .collect();
        let strongest = existing.iter().map(|l| l.mode).max();
        let locks = describe_locks(&existing.iter().map(|l| (*l).clone()).collect::<Vec<_>>());
        let time = format_duration(traced.duration);
        if !traced.rewritten.is_empty() {
            let indexes = if traced.indexes_rebuilt.is_empty() {
                String::new()
            } else {
                format!(" and {} index(es)", traced.indexes_rebuilt.len())
            };
            push(
                &TRACED_REWRITE,
                TRACED_REWRITE.severity,
                format!(
                    "{locks}, table rewritten ({}{indexes}), {time} on the scratch database: \
                     on a full table the rewrite, and the lock, last as long as copying every row",
                    traced.rewritten.join(", ")
                ),
                "see the lint finding on this statement for the safe sequence",
            );
        } else if strongest.is_some_and(LockMode::blocks_writes) {
            push(
                &TRACED_BLOCKING_LOCK,
                TRACED_BLOCKING_LOCK.severity,
                format!("{locks}, {time} on the scratch database"),
                "blocks writes for as long as it runs (and ACCESS EXCLUSIVE blocks reads too); \
                 set lock_timeout so a blocked statement fails fast",
            );
        }
    }
    diagnostics
}

impl TracedStatement {
    /// The statement's text on one line (runs of white space folded), for reports.
    pub fn text(&self, set: &MigrationSet) -> String {
        set.files[self.file].source.text[self.span.range()]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The trace as the JSON `trace` member.
pub fn to_json(set: &MigrationSet, trace: &Trace) -> serde_json::Value {
    let statements: Vec<serde_json::Value> = trace
        .statements
        .iter()
        .map(|t| {
            let source = &set.files[t.file].source;
            let position = source.position(t.span.start as usize);
            let text = t.text(set);
            serde_json::json!({
                "file": source.name,
                "line": position.line,
                "column": position.column,
                "statement": text,
                "locks": t.locks,
                "already_held": t.already_held,
                "rewritten": t.rewritten,
                "indexes_rebuilt": t.indexes_rebuilt,
                "duration_ms": (t.duration.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0,
                "observed": t.observed,
                "error": t.error,
            })
        })
        .collect();
    serde_json::json!({
        "server_version": trace.server_version,
        "statements": statements,
    })
}
