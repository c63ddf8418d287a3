//! A real PostgreSQL database, read for `migrate lint --database`: its tables, columns and
//! types, CHECK constraints (validated or not), indexes, and table sizes. Read only: the
//! session is set read-only before the first catalog query.

use std::str::FromStr;

use postgres::{Client, NoTls};

use super::analysis::SizeLimits;
use super::schema::{Origin, Schema, TableSize};
use super::syntax::{self, Name, quote_ident};

/// Connects with a bounded connect timeout, so a wrong host fails fast instead of hanging.
pub fn connect(config: &postgres::Config) -> Result<Client, String> {
    let mut config = config.clone();
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(std::time::Duration::from_secs(10));
    }
    config.connect(NoTls).map_err(|e| describe(&e))
}

/// `postgres://…` or `host=… dbname=…` into a connection config.
pub fn parse_url(url: &str) -> Result<postgres::Config, String> {
    postgres::Config::from_str(url).map_err(|e| format!("not a PostgreSQL URL: {e}"))
}

/// A database error with the server's own message when there is one.
pub fn describe(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => {
            let mut text = format!("{}: {}", db.severity(), db.message());
            if let Some(detail) = db.detail() {
                text.push_str(&format!(" ({detail})"));
            }
            text
        }
        None => error.to_string(),
    }
}

/// The namespaces of user relations (not the catalog, TOAST or temporary ones).
pub(super) const USER_RELATIONS: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') \
                              AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'";

/// Reads the schema of every user table of the database at `url`, and the sizes of those
/// the migrations name (`referenced`).
pub fn read_schema(url: &str, limits: SizeLimits, referenced: &[Name]) -> Result<Schema, String> {
    let config = parse_url(url)?;
    let mut client = connect(&config)?;
    client
        .batch_execute(
            "SET default_transaction_read_only = on; SET statement_timeout = '60s'; \
             SET lock_timeout = '1s';",
        )
        .map_err(|e| describe(&e))?;
    // Catalog functions (pg_get_constraintdef, format_type) read the live catalog, not the
    // query's snapshot: a table dropped by someone else mid-read fails the query. Read again.
    let mut attempt = 0;
    loop {
        match read_catalog(&mut client, limits, referenced) {
            Ok(schema) => return Ok(schema),
            Err(_) if attempt < 2 => attempt += 1,
            Err(error) => return Err(error),
        }
    }
}

fn read_catalog(
    client: &mut Client,
    limits: SizeLimits,
    referenced: &[Name],
) -> Result<Schema, String> {
    let query = |client: &mut Client, sql: &str| client.query(sql, &[]).map_err(|e| describe(&e));
    // Tables on the search path first: an unqualified name in a migration means those.
    let tables = query(
        client,
        &format!(
            "SELECT n.nspname, c.relname, c.oid::bigint, c.reltuples::float8, \
                    coalesce(pg_total_relation_size(c.oid), 0)::bigint, pg_table_is_visible(c.oid) \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p') AND {USER_RELATIONS} \
             ORDER BY pg_table_is_visible(c.oid) DESC, n.nspname, c.relname"
        ),
    )?;
    let columns = query(
        client,
        &format!(
            "SELECT a.attrelid::bigint, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull \
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND {USER_RELATIONS} \
             ORDER BY a.attrelid, a.attnum"
        ),
    )?;
    let checks = query(
        client,
        &format!(
            "SELECT k.conrelid::bigint, k.conname, pg_get_constraintdef(k.oid) \
             FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE k.contype = 'c' AND {USER_RELATIONS}"
        ),
    )?;
    let indexes = query(
        client,
        &format!(
            "SELECT n.nspname, i.relname, t.oid::bigint FROM pg_index x \
             JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid \
             JOIN pg_namespace n ON n.oid = i.relnamespace WHERE {USER_RELATIONS}"
        ),
    )?;

    // The catalog is turned into DDL and replayed: one parser, one schema model.
    let mut ddl = String::new();
    let mut names: Vec<(i64, Name, f64, i64)> = Vec::new();
    for row in &tables {
        let name = Name::new(Some(row.get::<_, &str>(0)), row.get::<_, &str>(1));
        names.push((row.get(2), name, row.get(3), row.get(4)));
    }
    for (oid, name, _, _) in &names {
        // format_type and pg_get_constraintdef read the catalog afresh: for an object
        // dropped since the query's snapshot (another session's DROP) they return NULL.
        // Such rows are skipped, not a crash.
        let definitions: Vec<String> = columns
            .iter()
            .filter(|c| c.get::<_, i64>(0) == *oid)
            .filter_map(|c| {
                Some(format!(
                    "{} {}{}",
                    quote_ident(c.get::<_, &str>(1)),
                    c.get::<_, Option<&str>>(2)?,
                    if c.get::<_, bool>(3) { " NOT NULL" } else { "" }
                ))
            })
            .collect();
        ddl.push_str(&format!(
            "CREATE TABLE {name} ({});\n",
            definitions.join(", ")
        ));
        for check in checks.iter().filter(|c| c.get::<_, i64>(0) == *oid) {
            let Some(definition) = check.get::<_, Option<&str>>(2) else {
                continue;
            };
            ddl.push_str(&format!(
                "ALTER TABLE {name} ADD CONSTRAINT {} {definition};\n",
                quote_ident(check.get::<_, &str>(1)),
            ));
        }
    }
    for index in &indexes {
        let table_oid: i64 = index.get(2);
        if let Some((_, table, _, _)) = names.iter().find(|(oid, ..)| *oid == table_oid) {
            let index_name = Name::new(Some(index.get::<_, &str>(0)), index.get::<_, &str>(1));
            ddl.push_str(&format!(
                "CREATE INDEX {} ON {table} (x);\n",
                quote_ident(&index_name.name)
            ));
        }
    }
    let mut schema = Schema::default();
    let (statements, _) = syntax::parse(&ddl);
    for statement in &statements {
        schema.apply_as(statement, Origin::Database);
    }
    // Index names come back without their schema from `CREATE INDEX name ON s.t`: they take
    // the table's, as PostgreSQL puts them.
    for (_, name, reltuples, bytes) in &names {
        if !referenced.iter().any(|r| r.matches(name)) {
            continue;
        }
        let cap = limits.large_rows.saturating_add(1);
        let rows = if *reltuples >= 0.0 {
            *reltuples as u64
        } else {
            // Never analysed: count, but never past the point where the answer is "large".
            let sql = format!("SELECT count(*) FROM (SELECT 1 FROM {name} LIMIT {cap}) AS sample");
            // A table dropped since the catalog was read simply has no size.
            match query(client, &sql) {
                Ok(rows) => rows.first().map_or(0, |row| row.get::<_, i64>(0) as u64),
                Err(_) => continue,
            }
        };
        if let Some(table) = schema.tables.iter_mut().find(|t| t.name == *name) {
            table.size = Some(TableSize {
                rows,
                at_least: *reltuples < 0.0 && rows >= cap,
                bytes: (*bytes).max(0) as u64,
            });
        }
    }
    Ok(schema)
}
