//! The proof of `migrate plan`: on the real PostgreSQL, for every plan kind, a table of
//! 100,000 rows is taken through every step while two bounded worker loops run the queries
//! of the application versions the plan's deploy order says are live (the old and the new
//! one during each deploy), then rolled back through every down migration in reverse, with
//! each deploy undone where the plan's rollback order says. Asserted: no query failed, no row was lost, no
//! value read back differs from what was written, and after the rollback the schema and the
//! data are the original ones.
//!
//! Migrations are applied as golang-migrate applies them: each file sent as one query (so a
//! multi-statement file is one implicit transaction, and the backfill's one DO statement runs
//! outside any). Each test has a schema of its own.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::pg::{TestSchema, client_in};
use common::run_in;
use postgres::Client;

const ROWS: i64 = 100_000;

/// A row's value as the application sees it, whatever columns hold it.
type Value = Option<String>;

/// One plan kind: its table, its application versions (0 = before the plan), and the plan.
trait Model: Send + Sync {
    fn setup(&self) -> String;
    fn initial(&self, id: i64) -> Value;
    fn plan(&self) -> Vec<&'static str>;
    /// A fresh value a version writes (`seed` differs per write).
    fn fresh(&self, version: usize, seed: u64) -> Value;
    fn insert(
        &self,
        version: usize,
        client: &mut Client,
        value: &Value,
    ) -> Result<i64, postgres::Error>;
    fn update(
        &self,
        version: usize,
        client: &mut Client,
        id: i64,
        value: &Value,
    ) -> Result<(), postgres::Error>;
    /// The table, and the expression through which `version` reads a row's value.
    fn table(&self) -> &'static str;
    fn value(&self, version: usize) -> &'static str;
    /// What `version` reads back for a row (`None`: no such row).
    fn read(
        &self,
        version: usize,
        client: &mut Client,
        id: i64,
    ) -> Result<Option<Value>, postgres::Error> {
        let sql = format!(
            "SELECT ({})::text FROM {} WHERE id = $1",
            self.value(version),
            self.table()
        );
        Ok(client.query_opt(&sql, &[&id])?.map(|r| text(&r)))
    }
    /// Whether a read matches what was written (add-not-null: a NULL may come back filled).
    fn matches(&self, written: &Value, read: &Value) -> bool {
        written == read
    }
}

fn text(row: &postgres::Row) -> Value {
    row.get::<_, Option<String>>(0)
}

// --- rename-column: accounts.email → email_address -------------------------------------

struct Rename;

impl Model for Rename {
    fn setup(&self) -> String {
        format!(
            "CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL);
             INSERT INTO accounts (email) SELECT 'user' || g || '@example.com' FROM generate_series(1, {ROWS}) g;"
        )
    }
    fn initial(&self, id: i64) -> Value {
        Some(format!("user{id}@example.com"))
    }
    fn plan(&self) -> Vec<&'static str> {
        vec!["rename-column", "accounts", "email", "email_address"]
    }
    fn fresh(&self, version: usize, seed: u64) -> Value {
        Some(format!("v{version}-{seed}@example.com"))
    }
    fn insert(&self, v: usize, c: &mut Client, value: &Value) -> Result<i64, postgres::Error> {
        let sql = match v {
            0 => "INSERT INTO accounts (email) VALUES ($1) RETURNING id",
            1 | 2 => "INSERT INTO accounts (email, email_address) VALUES ($1, $1) RETURNING id",
            _ => "INSERT INTO accounts (email_address) VALUES ($1) RETURNING id",
        };
        Ok(c.query_one(sql, &[value])?.get(0))
    }
    fn update(
        &self,
        v: usize,
        c: &mut Client,
        id: i64,
        value: &Value,
    ) -> Result<(), postgres::Error> {
        let sql = match v {
            0 => "UPDATE accounts SET email = $2 WHERE id = $1",
            1 | 2 => "UPDATE accounts SET email = $2, email_address = $2 WHERE id = $1",
            _ => "UPDATE accounts SET email_address = $2 WHERE id = $1",
        };
        c.execute(sql, &[&id, value]).map(|_| ())
    }
    fn table(&self) -> &'static str {
        "accounts"
    }
    fn value(&self, v: usize) -> &'static str {
        if v <= 1 { "email" } else { "email_address" }
    }
}

// --- change-type: orders.total numeric(10,2) → total_cents bigint ----------------------

struct ChangeType;

impl Model for ChangeType {
    fn setup(&self) -> String {
        format!(
            "CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, total numeric(10,2) NOT NULL);
             INSERT INTO orders (total) SELECT g / 100.0 FROM generate_series(1, {ROWS}) g;"
        )
    }
    fn initial(&self, id: i64) -> Value {
        Some(id.to_string())
    }
    fn plan(&self) -> Vec<&'static str> {
        vec![
            "change-type",
            "orders",
            "total",
            "bigint",
            "--new-name",
            "total_cents",
            "--using",
            "(total * 100)::bigint",
            "--back",
            "total_cents / 100.0",
        ]
    }
    fn fresh(&self, _version: usize, seed: u64) -> Value {
        Some((seed % 50_000_000).to_string())
    }
    fn insert(&self, v: usize, c: &mut Client, value: &Value) -> Result<i64, postgres::Error> {
        let sql = match v {
            0 => "INSERT INTO orders (total) VALUES ($1::text::bigint / 100.0) RETURNING id",
            1 | 2 => {
                "INSERT INTO orders (total, total_cents) VALUES ($1::text::bigint / 100.0, $1::text::bigint) RETURNING id"
            }
            _ => "INSERT INTO orders (total_cents) VALUES ($1::text::bigint) RETURNING id",
        };
        Ok(c.query_one(sql, &[value])?.get(0))
    }
    fn update(
        &self,
        v: usize,
        c: &mut Client,
        id: i64,
        value: &Value,
    ) -> Result<(), postgres::Error> {
        let sql = match v {
            0 => "UPDATE orders SET total = $2::text::bigint / 100.0 WHERE id = $1",
            1 | 2 => {
                "UPDATE orders SET total = $2::text::bigint / 100.0, total_cents = $2::text::bigint WHERE id = $1"
            }
            _ => "UPDATE orders SET total_cents = $2::text::bigint WHERE id = $1",
        };
        c.execute(sql, &[&id, value]).map(|_| ())
    }
    fn table(&self) -> &'static str {
        "orders"
    }
    fn value(&self, v: usize) -> &'static str {
        if v <= 1 {
            "(total * 100)::bigint"
        } else {
            "total_cents"
        }
    }
}

// --- split-column: people.name → first_name, last_name ----------------------------------

struct Split;

impl Model for Split {
    fn setup(&self) -> String {
        format!(
            "CREATE TABLE people (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);
             INSERT INTO people (name) SELECT 'First' || g || ' Last' || g FROM generate_series(1, {ROWS}) g;"
        )
    }
    fn initial(&self, id: i64) -> Value {
        Some(format!("First{id} Last{id}"))
    }
    fn plan(&self) -> Vec<&'static str> {
        vec![
            "split-column",
            "people",
            "name",
            "--into",
            "first_name text = split_part(name, ' ', 1)",
            "--into",
            "last_name text = split_part(name, ' ', 2)",
            "--merge",
            "first_name || ' ' || last_name",
        ]
    }
    fn fresh(&self, version: usize, seed: u64) -> Value {
        Some(format!("Ann{version}x{seed} Lee{seed}"))
    }
    fn insert(&self, v: usize, c: &mut Client, value: &Value) -> Result<i64, postgres::Error> {
        let sql = match v {
            0 => "INSERT INTO people (name) VALUES ($1) RETURNING id",
            1 | 2 => {
                "INSERT INTO people (name, first_name, last_name) \
                      VALUES ($1, split_part($1, ' ', 1), split_part($1, ' ', 2)) RETURNING id"
            }
            _ => {
                "INSERT INTO people (first_name, last_name) VALUES (split_part($1, ' ', 1), split_part($1, ' ', 2)) RETURNING id"
            }
        };
        Ok(c.query_one(sql, &[value])?.get(0))
    }
    fn update(
        &self,
        v: usize,
        c: &mut Client,
        id: i64,
        value: &Value,
    ) -> Result<(), postgres::Error> {
        let sql = match v {
            0 => "UPDATE people SET name = $2 WHERE id = $1",
            1 | 2 => {
                "UPDATE people SET name = $2, first_name = split_part($2, ' ', 1), \
                      last_name = split_part($2, ' ', 2) WHERE id = $1"
            }
            _ => {
                "UPDATE people SET first_name = split_part($2, ' ', 1), last_name = split_part($2, ' ', 2) WHERE id = $1"
            }
        };
        c.execute(sql, &[&id, value]).map(|_| ())
    }
    fn table(&self) -> &'static str {
        "people"
    }
    fn value(&self, v: usize) -> &'static str {
        if v <= 1 {
            "name"
        } else {
            "first_name || ' ' || last_name"
        }
    }
}

// --- add-not-null: events.source, NULL in every third row, filled with 'unknown' --------

struct AddNotNull;

impl Model for AddNotNull {
    fn setup(&self) -> String {
        format!(
            "CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, source text);
             INSERT INTO events (source) SELECT CASE WHEN g % 3 = 0 THEN NULL ELSE 'src' || g END
             FROM generate_series(1, {ROWS}) g;"
        )
    }
    fn initial(&self, id: i64) -> Value {
        (id % 3 != 0).then(|| format!("src{id}"))
    }
    fn plan(&self) -> Vec<&'static str> {
        vec!["add-not-null", "events", "source", "--default", "'unknown'"]
    }
    fn fresh(&self, version: usize, seed: u64) -> Value {
        // The old version still writes NULL now and then.
        (version > 0 || !seed.is_multiple_of(4)).then(|| format!("v{version}-{seed}"))
    }
    fn insert(&self, _v: usize, c: &mut Client, value: &Value) -> Result<i64, postgres::Error> {
        Ok(c.query_one(
            "INSERT INTO events (source) VALUES ($1) RETURNING id",
            &[value],
        )?
        .get(0))
    }
    fn update(
        &self,
        _v: usize,
        c: &mut Client,
        id: i64,
        value: &Value,
    ) -> Result<(), postgres::Error> {
        c.execute("UPDATE events SET source = $2 WHERE id = $1", &[&id, value])
            .map(|_| ())
    }
    fn table(&self) -> &'static str {
        "events"
    }
    fn value(&self, v: usize) -> &'static str {
        let _ = v;
        "source"
    }
    fn matches(&self, written: &Value, read: &Value) -> bool {
        written == read || (written.is_none() && read.as_deref() == Some("unknown"))
    }
}

// --- drop-column: users.legacy_code (NOT NULL), the value read is the name ---------------

struct DropColumn;

impl Model for DropColumn {
    fn setup(&self) -> String {
        format!(
            "CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, legacy_code text NOT NULL);
             INSERT INTO users (name, legacy_code) SELECT 'name' || g, 'L' || g FROM generate_series(1, {ROWS}) g;"
        )
    }
    fn initial(&self, id: i64) -> Value {
        Some(format!("name{id}|L{id}"))
    }
    fn plan(&self) -> Vec<&'static str> {
        vec!["drop-column", "users", "legacy_code", "--default", "''"]
    }
    fn fresh(&self, version: usize, seed: u64) -> Value {
        Some(format!("v{version}-{seed}"))
    }
    fn insert(&self, v: usize, c: &mut Client, value: &Value) -> Result<i64, postgres::Error> {
        let sql = if v <= 1 {
            "INSERT INTO users (name, legacy_code) VALUES ($1, 'L-' || $1) RETURNING id"
        } else {
            "INSERT INTO users (name) VALUES ($1) RETURNING id"
        };
        Ok(c.query_one(sql, &[value])?.get(0))
    }
    fn update(
        &self,
        v: usize,
        c: &mut Client,
        id: i64,
        value: &Value,
    ) -> Result<(), postgres::Error> {
        let sql = if v <= 1 {
            "UPDATE users SET name = $2, legacy_code = 'L-' || $2 WHERE id = $1"
        } else {
            "UPDATE users SET name = $2 WHERE id = $1"
        };
        c.execute(sql, &[&id, value]).map(|_| ())
    }
    fn table(&self) -> &'static str {
        "users"
    }
    fn value(&self, v: usize) -> &'static str {
        if v == 0 {
            "name || '|' || legacy_code"
        } else {
            "name"
        }
    }
    fn matches(&self, written: &Value, read: &Value) -> bool {
        // Version 0 reads name|legacy_code; later ones only the name.
        let name = |v: &Value| {
            v.as_deref()
                .map(|s| s.split('|').next().unwrap_or("").to_string())
        };
        match (written, read) {
            (Some(w), Some(r)) if r.contains('|') && w.contains('|') => w == r,
            (Some(w), Some(r)) if r.contains('|') => r.split('|').next() == Some(w.as_str()),
            _ => name(written) == name(read),
        }
    }
}

/// What the written value of a row looks like to `matches` (drop-column writes `name`, and
/// version 0 and 1 write `L-name` beside it).
fn written_form(model: &dyn Model, version: usize, value: &Value) -> Value {
    if model.plan()[0] == "drop-column" && version <= 1 {
        value.as_ref().map(|v| format!("{v}|L-{v}"))
    } else {
        value.clone()
    }
}

#[derive(Default)]
struct Counters {
    queries: AtomicU64,
    failed: AtomicU64,
    mismatched: AtomicU64,
    iterations: AtomicU64,
    /// The first few failures and mismatches, for the assertion message.
    problems: Mutex<Vec<String>>,
}

impl Counters {
    fn problem(&self, text: String) {
        let mut problems = self.problems.lock().unwrap();
        if problems.len() < 20 {
            problems.push(text);
        }
    }
}

/// One application instance: a connection and the version whose queries it runs.
struct Worker {
    version: Arc<AtomicUsize>,
    handle: std::thread::JoinHandle<HashMap<i64, Value>>,
}

/// Runs `model`'s queries of the version in `version` until `stop`: insert a row, update a
/// row it owns, read one back and compare. Owns the original rows of its `parity` and the
/// rows it inserted, so the expected value of every row it touches is known.
fn spawn_worker(
    model: Arc<dyn Model>,
    schema: String,
    parity: i64,
    version: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    counters: Arc<Counters>,
) -> std::thread::JoinHandle<HashMap<i64, Value>> {
    std::thread::spawn(move || {
        let mut client = client_in(&schema);
        let mut written: HashMap<i64, Value> = HashMap::new();
        let mut owned: Vec<i64> = Vec::new();
        let mut seed = parity as u64 * 1_000_003 + 17;
        let started = Instant::now();
        // Bounded in count and time, whatever happens.
        for _ in 0..2_000_000u64 {
            if stop.load(Ordering::Relaxed) || started.elapsed() > Duration::from_secs(300) {
                break;
            }
            let v = version.load(Ordering::Relaxed);
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let value = model.fresh(v, seed >> 20);
            counters.queries.fetch_add(1, Ordering::Relaxed);
            match model.insert(v, &mut client, &value) {
                Ok(id) => {
                    written.insert(id, written_form(&*model, v, &value));
                    owned.push(id);
                }
                Err(e) => {
                    counters.failed.fetch_add(1, Ordering::Relaxed);
                    counters.problem(format!("v{v} insert: {e}"));
                }
            }
            // An original row of this worker's parity, or one it inserted.
            let pick = (seed >> 33) as i64;
            let id = if pick % 2 == 0 || owned.is_empty() {
                (pick / 2 % (ROWS / 2)) * 2 + parity + 1
            } else {
                owned[(pick as usize / 2) % owned.len()]
            };
            let value = model.fresh(v, seed >> 7);
            counters.queries.fetch_add(1, Ordering::Relaxed);
            match model.update(v, &mut client, id, &value) {
                Ok(()) => {
                    written.insert(id, written_form(&*model, v, &value));
                }
                Err(e) => {
                    counters.failed.fetch_add(1, Ordering::Relaxed);
                    counters.problem(format!("v{v} update {id}: {e}"));
                }
            }
            let id = if pick % 3 == 0 || owned.is_empty() {
                ((pick / 3) % (ROWS / 2)) * 2 + parity + 1
            } else {
                owned[(pick as usize / 3) % owned.len()]
            };
            counters.queries.fetch_add(1, Ordering::Relaxed);
            match model.read(v, &mut client, id) {
                Ok(Some(read)) => {
                    let expected = written
                        .get(&id)
                        .cloned()
                        .unwrap_or_else(|| model.initial(id));
                    if !model.matches(&expected, &read) {
                        counters.mismatched.fetch_add(1, Ordering::Relaxed);
                        counters.problem(format!(
                            "v{v} read {id}: expected {expected:?}, got {read:?}"
                        ));
                    }
                }
                Ok(None) => {
                    counters.mismatched.fetch_add(1, Ordering::Relaxed);
                    counters.problem(format!("v{v} read {id}: the row is gone"));
                }
                Err(e) => {
                    counters.failed.fetch_add(1, Ordering::Relaxed);
                    counters.problem(format!("v{v} read {id}: {e}"));
                }
            }
            counters.iterations.fetch_add(1, Ordering::Relaxed);
        }
        written
    })
}

/// Lets the workers run `iterations` more loops each (both together).
fn let_run(counters: &Counters, iterations: u64) {
    let target = counters.iterations.load(Ordering::Relaxed) + iterations * 2;
    let started = Instant::now();
    while counters.iterations.load(Ordering::Relaxed) < target
        && started.elapsed() < Duration::from_secs(120)
    {
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Columns (name, type, nullable, default), constraints, triggers, functions and tables of
/// the schema: what "the original schema is back" compares.
fn shape(client: &mut Client, schema: &str) -> Vec<String> {
    let mut shape = Vec::new();
    for (label, sql) in [
        (
            "column",
            "SELECT table_name::text || '.' || column_name::text || ' ' || data_type::text || ' ' || is_nullable::text || ' ' || coalesce(column_default::text, '') FROM information_schema.columns WHERE table_schema = $1",
        ),
        (
            "constraint",
            "SELECT conrelid::regclass::text || ' ' || conname::text || ' ' || contype::text FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = $1",
        ),
        (
            "trigger",
            "SELECT tgrelid::regclass::text || ' ' || tgname::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND NOT tgisinternal",
        ),
        (
            "function",
            "SELECT proname::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1",
        ),
        (
            "relation",
            "SELECT relname::text || ' ' || relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1",
        ),
    ] {
        for row in client.query(sql, &[&schema]).unwrap() {
            shape.push(format!("{label} {}", row.get::<_, String>(0)));
        }
    }
    shape.sort();
    shape
}

/// One migration as its runner applies it.
#[derive(Clone, Debug)]
struct Migration {
    name: String,
    sql: String,
    /// The runner wraps it in BEGIN … COMMIT.
    wrapped: bool,
}

/// The golang-migrate files in `dir`, in version order: (up, down) per step.
fn golang_steps(dir: &Path) -> Vec<(Migration, Migration)> {
    let mut ups: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".up.sql"))
        .collect();
    let number = |p: &PathBuf| -> u64 {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        name.split('_').next().unwrap().parse().unwrap()
    };
    ups.sort_by_key(number);
    ups.into_iter()
        .map(|up| {
            let down = PathBuf::from(up.to_string_lossy().replace(".up.sql", ".down.sql"));
            (read_migration(&up, false), read_migration(&down, false))
        })
        .collect()
}

fn read_migration(path: &Path, wrapped: bool) -> Migration {
    Migration {
        name: path.file_name().unwrap().to_string_lossy().into_owned(),
        sql: std::fs::read_to_string(path).unwrap(),
        wrapped,
    }
}

/// Each step's up and down as `layout`'s runner applies them, from the files the plan's
/// JSON lists per step:
/// - golang-migrate: the file as one query (one implicit transaction if several statements);
/// - sqlx: in a transaction unless the first line is `-- no-transaction`;
/// - dbmate: each section in a transaction unless its marker says `transaction:false`;
/// - Flyway: in a transaction unless a `.sql.conf` says `executeInTransaction=false`;
/// - Diesel: in a transaction unless `metadata.toml` says `run_in_transaction = false`;
/// - plain: as psql runs the file (its own BEGIN … COMMIT).
fn layout_steps(plan: &serde_json::Value, layout: &str) -> Vec<(Migration, Migration)> {
    plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| {
            let files: Vec<PathBuf> = step["files"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| PathBuf::from(f.as_str().unwrap()))
                .collect();
            let named = |test: &dyn Fn(&str) -> bool| -> PathBuf {
                files
                    .iter()
                    .find(|f| test(&f.to_string_lossy()))
                    .unwrap_or_else(|| panic!("{files:?}"))
                    .clone()
            };
            let exists =
                |test: &dyn Fn(&str) -> bool| files.iter().any(|f| test(&f.to_string_lossy()));
            match layout {
                "golang-migrate" => (
                    read_migration(&named(&|f| f.ends_with(".up.sql")), false),
                    read_migration(&named(&|f| f.ends_with(".down.sql")), false),
                ),
                "sqlx" => {
                    let up = named(&|f| f.ends_with(".up.sql"));
                    let down = named(&|f| f.ends_with(".down.sql"));
                    let wrapped = |p: &Path| {
                        !std::fs::read_to_string(p)
                            .unwrap()
                            .starts_with("-- no-transaction")
                    };
                    (
                        read_migration(&up, wrapped(&up)),
                        read_migration(&down, wrapped(&down)),
                    )
                }
                "dbmate" => {
                    let path = named(&|f| f.ends_with(".sql"));
                    let text = std::fs::read_to_string(&path).unwrap();
                    let (up, down) = text.split_once("-- migrate:down").unwrap();
                    let name = path.file_name().unwrap().to_string_lossy().into_owned();
                    let section = |text: &str, which: &str| Migration {
                        name: format!("{name} ({which})"),
                        wrapped: !text
                            .lines()
                            .next()
                            .unwrap_or("")
                            .contains("transaction:false"),
                        sql: text.to_string(),
                    };
                    (
                        section(up, "up"),
                        section(&format!("-- migrate:down{down}"), "down"),
                    )
                }
                "flyway" => {
                    let wrapped = !exists(&|f| f.ends_with(".sql.conf"));
                    (
                        read_migration(
                            &named(&|f| f.contains("/V") && f.ends_with(".sql")),
                            wrapped,
                        ),
                        read_migration(
                            &named(&|f| f.contains("/U") && f.ends_with(".sql")),
                            wrapped,
                        ),
                    )
                }
                "diesel" => {
                    let wrapped = !exists(&|f| f.ends_with("metadata.toml"));
                    (
                        read_migration(&named(&|f| f.ends_with("/up.sql")), wrapped),
                        read_migration(&named(&|f| f.ends_with("/down.sql")), wrapped),
                    )
                }
                _ => (
                    read_migration(&named(&|f| !f.ends_with(".down.sql")), false),
                    read_migration(&named(&|f| f.ends_with(".down.sql")), false),
                ),
            }
        })
        .collect()
}

/// Applies one migration as its runner does, timing it.
fn apply(runner: &mut Client, migration: &Migration) -> Duration {
    let started = Instant::now();
    let result = if migration.wrapped {
        runner
            .batch_execute("BEGIN")
            .and_then(|()| runner.batch_execute(&migration.sql))
            .and_then(|()| runner.batch_execute("COMMIT"))
    } else {
        runner.batch_execute(&migration.sql)
    };
    result.unwrap_or_else(|e| panic!("{}: {e:?}", migration.name));
    started.elapsed()
}

/// Sets the versions the two workers run.
fn deploy(workers: &[Worker], old: usize, new: usize) {
    workers[0].version.store(old, Ordering::Relaxed);
    workers[1].version.store(new, Ordering::Relaxed);
}

const PER_PHASE: u64 = 100;

/// What a run under traffic counted, what each migration took, and every row's last value.
type Exercised = (Arc<Counters>, Vec<String>, HashMap<i64, Value>);

/// Takes the schema through `files` (up, down) with two workers on `model`'s versions,
/// deploying before each step and undoing after each down as `deploys` (before_step,
/// number, undo_after_down) say; up to the last step, then every down in reverse.
fn exercise(
    model: &Arc<dyn Model>,
    schema: &str,
    files: &[(Migration, Migration)],
    deploys: &[(usize, usize, usize)],
) -> Exercised {
    let stop = Arc::new(AtomicBool::new(false));
    let counters = Arc::new(Counters::default());
    let workers: Vec<Worker> = (0..2)
        .map(|parity| {
            let version = Arc::new(AtomicUsize::new(0));
            let handle = spawn_worker(
                Arc::clone(model),
                schema.to_string(),
                parity,
                Arc::clone(&version),
                Arc::clone(&stop),
                Arc::clone(&counters),
            );
            Worker { version, handle }
        })
        .collect();
    let mut runner = client_in(schema);
    let mut report = Vec::new();
    let mut live = 0;
    let_run(&counters, PER_PHASE);
    // Forward: before each step, the deploys the plan puts there (rolled out: old and new
    // version side by side, then only the new one).
    for (i, (up, _)) in files.iter().enumerate() {
        for &(_, number, _) in deploys.iter().filter(|(before, ..)| *before == i) {
            deploy(&workers, live, number);
            let_run(&counters, PER_PHASE);
            live = number;
            deploy(&workers, live, live);
            let_run(&counters, PER_PHASE);
        }
        let queries = counters.queries.load(Ordering::Relaxed);
        let took = apply(&mut runner, up);
        let_run(&counters, PER_PHASE);
        report.push(format!(
            "{}: {:.0} ms, {} queries",
            up.name,
            took.as_secs_f64() * 1000.0,
            counters.queries.load(Ordering::Relaxed) - queries
        ));
    }
    for &(_, number, _) in deploys.iter().filter(|(before, ..)| *before == files.len()) {
        deploy(&workers, live, number);
        let_run(&counters, PER_PHASE);
        live = number;
        deploy(&workers, live, live);
        let_run(&counters, PER_PHASE);
    }
    // Back: every down in reverse, each deploy undone where the plan's rollback order says.
    let undo = |workers: &[Worker], live: &mut usize, number: usize| {
        deploy(workers, *live, number - 1);
        let_run(&counters, PER_PHASE);
        *live = number - 1;
        deploy(workers, *live, *live);
        let_run(&counters, PER_PHASE);
    };
    for &(_, number, _) in deploys
        .iter()
        .rev()
        .filter(|(.., after)| *after >= files.len())
    {
        undo(&workers, &mut live, number);
    }
    for (i, (_, down)) in files.iter().enumerate().rev() {
        let queries = counters.queries.load(Ordering::Relaxed);
        let took = apply(&mut runner, down);
        let_run(&counters, PER_PHASE);
        report.push(format!(
            "{}: {:.0} ms, {} queries",
            down.name,
            took.as_secs_f64() * 1000.0,
            counters.queries.load(Ordering::Relaxed) - queries
        ));
        for &(_, number, _) in deploys.iter().rev().filter(|(.., after)| *after == i) {
            undo(&workers, &mut live, number);
        }
    }
    assert_eq!(live, 0, "the rollback ends on the original version");
    stop.store(true, Ordering::Relaxed);
    let mut written: HashMap<i64, Value> = HashMap::new();
    for worker in workers {
        written.extend(worker.handle.join().expect("a worker panicked"));
    }

    (counters, report, written)
}

/// Proves `model`'s plan in every layout, each run on a fresh table.
fn prove_in_every_layout(name: &str, model: Arc<dyn Model>) {
    for layout in [
        "golang-migrate",
        "sqlx",
        "dbmate",
        "flyway",
        "diesel",
        "plain",
    ] {
        prove(name, Arc::clone(&model), layout);
    }
}

fn prove(name: &str, model: Arc<dyn Model>, layout: &str) {
    let schema = TestSchema::new(&format!("proof_{name}"), &model.setup());
    let mut setup = client_in(&schema.name);
    setup.batch_execute("ANALYZE").unwrap();
    let original_shape = shape(&mut setup, &schema.name);

    // The plan, in golang-migrate's layout, with the deploy order as JSON.
    let dir = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = vec!["migrate".into(), "plan".into()];
    args.extend(model.plan().iter().map(|s| s.to_string()));
    args.extend(
        [
            "--database",
            &schema.url(),
            "--out",
            &dir.path().to_string_lossy(),
            "--version",
            "1",
            "--pause-ms",
            "0",
            "--format",
            "json",
            "--layout",
            layout,
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let planned = run_in(dir.path(), &argv, "");
    assert_eq!(planned.code, 0, "{}\n{}", planned.stdout, planned.stderr);
    let plan = planned.json();
    // (before_step, number, undo_after_down) of each deploy.
    let deploys: Vec<(usize, usize, usize)> = plan["deploys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let field = |name: &str| d[name].as_u64().unwrap() as usize;
            (
                field("before_step"),
                field("number"),
                field("undo_after_down"),
            )
        })
        .collect();
    let files = layout_steps(&plan, layout);

    let (counters, report, written) = exercise(&model, &schema.name, &files, &deploys);
    let problems = counters.problems.lock().unwrap().clone();
    let summary = format!(
        "{name} ({layout}): {} queries, {} failed, {} mismatched\n{}\n{}",
        counters.queries.load(Ordering::Relaxed),
        counters.failed.load(Ordering::Relaxed),
        counters.mismatched.load(Ordering::Relaxed),
        report.join("\n"),
        problems.join("\n")
    );
    eprintln!("{summary}");
    assert_eq!(counters.failed.load(Ordering::Relaxed), 0, "{summary}");
    assert_eq!(counters.mismatched.load(Ordering::Relaxed), 0, "{summary}");

    // The original schema, and every row: the originals as they were (or as the workers
    // last wrote them), the workers' rows all there.
    assert_eq!(shape(&mut setup, &schema.name), original_shape, "{summary}");
    let rows: HashMap<i64, Value> = setup
        .query(
            &format!(
                "SELECT id, ({})::text FROM {}",
                model.value(0),
                model.table()
            ),
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let inserted = written.keys().filter(|&&id| id > ROWS).count();
    assert_eq!(
        rows.len(),
        ROWS as usize + inserted,
        "no row lost or added: {summary}"
    );
    let mut lost = Vec::new();
    for id in (1..=ROWS).chain(written.keys().copied().filter(|&id| id > ROWS)) {
        let read = rows.get(&id);
        let expected = written
            .get(&id)
            .cloned()
            .unwrap_or_else(|| model.initial(id));
        // Rows no worker touched are compared exactly (add-not-null: their NULLs are back).
        let ok = match read {
            Some(read) if !written.contains_key(&id) => *read == expected,
            Some(read) => model.matches(&expected, read),
            None => false,
        };
        if !ok {
            lost.push(format!("{id}: expected {expected:?}, got {read:?}"));
        }
    }
    assert!(
        lost.is_empty(),
        "{} rows differ after the rollback, e.g. {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
}

#[test]
fn rename_column_under_traffic_and_back() {
    prove_in_every_layout("rename", Arc::new(Rename));
}

#[test]
fn change_type_under_traffic_and_back() {
    prove_in_every_layout("change_type", Arc::new(ChangeType));
}

#[test]
fn split_column_under_traffic_and_back() {
    prove_in_every_layout("split", Arc::new(Split));
}

#[test]
fn add_not_null_under_traffic_and_back() {
    prove_in_every_layout("add_not_null", Arc::new(AddNotNull));
}

#[test]
fn drop_column_under_traffic_and_back() {
    prove_in_every_layout("drop_column", Arc::new(DropColumn));
}

/// The proof can fail: a plain `RENAME COLUMN`, deployed with the new version right after it,
/// breaks the old version's queries, and the harness sees it.
#[test]
fn the_proof_catches_a_rename_without_expand_and_contract() {
    let model: Arc<dyn Model> = Arc::new(Rename);
    let schema = TestSchema::new("proof_naive", &model.setup());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("1_rename.up.sql"),
        "ALTER TABLE accounts RENAME COLUMN email TO email_address;\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("1_rename.down.sql"),
        "ALTER TABLE accounts RENAME COLUMN email_address TO email;\n",
    )
    .unwrap();
    let files = golang_steps(dir.path());
    // The rename runs while the old version is live (as a migration before a deploy does),
    // and version 1 follows it.
    let (counters, _, _) = exercise(&model, &schema.name, &files, &[(1, 1, 0)]);
    assert!(
        counters.failed.load(Ordering::Relaxed) > 0,
        "the old version's queries must fail against the renamed column"
    );
}
