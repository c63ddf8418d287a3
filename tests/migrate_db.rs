//! `migrate trace` and `migrate lint --database` against the real PostgreSQL on
//! 127.0.0.1:5432 (trust auth, user postgres, database test). Each test works in a schema of
//! its own and drops it afterwards; `.ci/run` fails loudly when the server is not up.

mod common;

use std::path::Path;
use std::sync::Mutex;

use common::pg::{SERVER, TestSchema, client};
use common::run_in;

/// The trace tests count databases on the server: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn databases() -> Vec<String> {
    let mut names: Vec<String> = client()
        .query("SELECT datname FROM pg_database ORDER BY 1", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    names.sort();
    names
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// The traced statement of `file` whose text starts with `prefix`.
fn traced<'a>(json: &'a serde_json::Value, file: &str, prefix: &str) -> &'a serde_json::Value {
    json["trace"]["statements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["file"].as_str().unwrap().ends_with(file)
                && s["statement"].as_str().unwrap().starts_with(prefix)
        })
        .unwrap_or_else(|| panic!("no traced `{prefix}` in {file}: {json:#}"))
}

fn modes_on<'a>(statement: &'a serde_json::Value, relation: &str) -> Vec<&'a str> {
    ["locks", "already_held"]
        .iter()
        .flat_map(|key| statement[key].as_array().unwrap())
        .filter(|l| l["relation"] == relation)
        .map(|l| l["mode"].as_str().unwrap())
        .collect()
}

#[test]
fn trace_reports_locks_and_rewrites_and_leaves_no_database_behind() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // A sentinel in the database the URL names: trace must not touch it.
    let sentinel = TestSchema::new(
        "sentinel",
        "CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO orders VALUES (1), (2);",
    );
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "0001_create_orders.up.sql",
        "CREATE TABLE orders (id int PRIMARY KEY, total numeric(10,2));\n\
         INSERT INTO orders SELECT g, g FROM generate_series(1, 500) g;\n",
    );
    write(
        dir.path(),
        "0002_widen_id.up.sql",
        "ALTER TABLE orders ALTER COLUMN id TYPE bigint;\n",
    );
    write(
        dir.path(),
        "0003_add_status.up.sql",
        "ALTER TABLE orders ADD COLUMN status int DEFAULT 0;\n",
    );
    write(
        dir.path(),
        "0004_index_total.up.sql",
        "CREATE INDEX orders_total ON orders (total);\n",
    );
    let before = databases();

    let run = run_in(
        dir.path(),
        &[
            "migrate",
            "trace",
            ".",
            "--database",
            SERVER,
            "--format",
            "json",
        ],
        "",
    );
    assert_eq!(
        run.code, 1,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    let json = run.json();

    let widen = traced(
        &json,
        "0002_widen_id.up.sql",
        "ALTER TABLE orders ALTER COLUMN id",
    );
    assert!(
        modes_on(widen, "orders").contains(&"ACCESS EXCLUSIVE"),
        "{widen:#}"
    );
    assert_eq!(
        widen["rewritten"],
        serde_json::json!(["orders"]),
        "{widen:#}"
    );

    let status = traced(
        &json,
        "0003_add_status.up.sql",
        "ALTER TABLE orders ADD COLUMN",
    );
    assert!(
        modes_on(status, "orders").contains(&"ACCESS EXCLUSIVE"),
        "{status:#}"
    );
    assert_eq!(
        status["rewritten"],
        serde_json::json!([]),
        "a constant default is metadata only"
    );

    let index = traced(
        &json,
        "0004_index_total.up.sql",
        "CREATE INDEX orders_total",
    );
    assert!(modes_on(index, "orders").contains(&"SHARE"), "{index:#}");
    assert_eq!(index["rewritten"], serde_json::json!([]));

    let rules: Vec<(&str, u64)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["line"].as_u64().unwrap()))
        .collect();
    assert!(rules.contains(&("traced-rewrite", 1)), "{rules:?}");
    assert!(rules.contains(&("traced-blocking-lock", 1)), "{rules:?}");
    assert!(
        rules.contains(&("change-column-type", 1)),
        "lint findings join the trace: {rules:?}"
    );

    assert_eq!(
        databases(),
        before,
        "the scratch database is dropped, no other appears"
    );
    let rows: i64 = client()
        .query_one(
            &format!("SELECT count(*) FROM {}.orders", sentinel.name),
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(rows, 2, "the database the URL names is untouched");
    let columns: i64 = client()
        .query_one(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = $1",
            &[&sentinel.name],
        )
        .unwrap()
        .get(0);
    assert_eq!(columns, 1);
}

#[test]
fn trace_of_one_file_applies_the_earlier_ones_first_and_reports_failures() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "0001_create.up.sql",
        "CREATE TABLE items (id bigint PRIMARY KEY, sku text);\n",
    );
    // golang-migrate sends the file as one query: CONCURRENTLY fails in its implicit block.
    write(
        dir.path(),
        "0002_index.up.sql",
        "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY items_sku ON items (sku);\n",
    );
    let before = databases();
    let run = run_in(
        dir.path(),
        &[
            "migrate",
            "trace",
            "0002_index.up.sql",
            "--database",
            SERVER,
            "--format",
            "json",
        ],
        "",
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let json = run.json();
    let failed: Vec<&serde_json::Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "traced-statement-failed")
        .collect();
    assert_eq!(failed.len(), 1, "{json:#}");
    assert!(
        failed[0]["message"]
            .as_str()
            .unwrap()
            .contains("cannot run inside a transaction block"),
        "{failed:?}"
    );
    assert_eq!(failed[0]["line"], 2);
    // Only the file asked for is reported; 0001 was applied to reach its state.
    assert!(
        json["trace"]["statements"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["file"].as_str().unwrap().ends_with("0002_index.up.sql"))
    );
    assert_eq!(databases(), before);
}

#[test]
fn trace_from_a_schema_dump_and_a_concurrent_index_outside_a_transaction() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    // What pg_dump --schema-only writes starts with settings and psql meta-commands.
    write(
        dir.path(),
        "schema.sql",
        "\\restrict abc\nSET statement_timeout = 0;\nSELECT pg_catalog.set_config('search_path', '', false);\n\
         CREATE TABLE public.items (id bigint NOT NULL, sku text);\n\\unrestrict abc\n",
    );
    std::fs::create_dir(dir.path().join("m")).unwrap();
    write(
        &dir.path().join("m"),
        "0005_index.up.sql",
        "CREATE INDEX CONCURRENTLY items_sku ON items (sku);\n",
    );
    let run = run_in(
        dir.path(),
        &[
            "migrate",
            "trace",
            "m",
            "--schema",
            "schema.sql",
            "--database",
            SERVER,
            "--format",
            "json",
        ],
        "",
    );
    assert_eq!(
        run.code, 0,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    let json = run.json();
    let index = traced(&json, "0005_index.up.sql", "CREATE INDEX CONCURRENTLY");
    assert_eq!(index["observed"], "sampled");
    assert_eq!(index["error"], serde_json::Value::Null);
}

#[test]
fn trace_refuses_a_server_it_cannot_reach() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "0001.up.sql", "SELECT 1;\n");
    let run = run_in(
        dir.path(),
        &[
            "migrate",
            "trace",
            ".",
            "--database",
            "postgres://postgres@127.0.0.1:1/test",
        ],
        "",
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("migrate trace"), "{}", run.stderr);
}

#[test]
fn database_sizes_turn_lock_findings_into_info_or_error() {
    let schema = TestSchema::new(
        "sizes",
        "CREATE TABLE small (id int PRIMARY KEY, note text);
         INSERT INTO small SELECT g, 'x' FROM generate_series(1, 10) g;
         CREATE TABLE large (id int PRIMARY KEY, note text);
         INSERT INTO large SELECT g, 'x' FROM generate_series(1, 5000) g;
         ANALYZE large;",
    );
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "0007_indexes.sql",
        "SET lock_timeout = '2s';\nCREATE INDEX small_note ON small (note);\nCREATE INDEX large_note ON large (note);\n",
    );
    let url = schema.url();
    let run = run_in(
        dir.path(),
        &[
            "migrate",
            "lint",
            ".",
            "--database",
            &url,
            "--large-table-rows",
            "1000",
            "--small-table-rows",
            "100",
            "--format",
            "json",
        ],
        "",
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let findings: Vec<(u64, String, String)> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "index-not-concurrent")
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["severity"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(findings.len(), 2, "{findings:?}");
    assert_eq!(
        (findings[0].0, findings[0].1.as_str()),
        (2, "info"),
        "{findings:?}"
    );
    assert!(findings[0].2.contains("10 rows"));
    assert_eq!(
        (findings[1].0, findings[1].1.as_str()),
        (3, "error"),
        "{findings:?}"
    );
    assert!(findings[1].2.contains("5000 rows"));

    // Without --database the same file keeps the rule's own severity.
    let run = run_in(
        dir.path(),
        &["migrate", "lint", ".", "--format", "json"],
        "",
    );
    let severities: Vec<String> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "index-not-concurrent")
        .map(|f| f["severity"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(severities, ["error", "error"]);
}

#[test]
fn a_validated_check_in_the_database_proves_not_null() {
    let schema = TestSchema::new(
        "checks",
        "CREATE TABLE accounts (id int PRIMARY KEY, email text, name text,
           CONSTRAINT email_nn CHECK (email IS NOT NULL));
         ALTER TABLE accounts ADD CONSTRAINT name_nn CHECK (name IS NOT NULL) NOT VALID;",
    );
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "0009_not_null.sql",
        "SET lock_timeout = '2s';\nALTER TABLE accounts ALTER COLUMN email SET NOT NULL;\nALTER TABLE accounts ALTER COLUMN name SET NOT NULL;\n",
    );
    let run = run_in(
        dir.path(),
        &[
            "migrate",
            "lint",
            ".",
            "--database",
            &schema.url(),
            "--format",
            "json",
        ],
        "",
    );
    let lines: Vec<u64> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "set-not-null")
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert_eq!(
        lines,
        [3],
        "email is proven by a validated CHECK, name's is NOT VALID"
    );
}

#[test]
fn a_database_it_cannot_reach_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "0001.sql", "SELECT 1;\n");
    let run = run_in(
        dir.path(),
        &[
            "migrate",
            "lint",
            ".",
            "--database",
            "postgres://postgres@127.0.0.1:1/test",
        ],
        "",
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--database"), "{}", run.stderr);
}

/// The first ```sql block after `## heading`.
fn example<'a>(doc: &'a str, heading: &str) -> &'a str {
    let after = doc.split_once(&format!("## {heading}")).unwrap().1;
    let block = after.split_once("```sql\n").unwrap().1;
    block.split_once("```").unwrap().0
}

/// Writes an example as migrations: a `-- next migration` line starts the next file.
fn write_example(dir: &Path, sql: &str) {
    let mut index = 1;
    let mut current = String::new();
    for line in sql.lines() {
        if line.starts_with("-- next migration") {
            write(dir, &format!("{index:04}_step.up.sql"), &current);
            index += 1;
            current.clear();
        }
        current.push_str(line);
        current.push('\n');
    }
    write(dir, &format!("{index:04}_step.up.sql"), &current);
}

#[test]
fn every_trace_rule_doc_example_behaves_on_the_real_server() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    for meta in zerodown::sql::trace::TRACE_RULES {
        for (heading, fires) in [("Failing example", true), ("Passing example", false)] {
            let dir = tempfile::tempdir().unwrap();
            write_example(dir.path(), example(meta.doc, heading));
            let run = run_in(
                dir.path(),
                &[
                    "migrate",
                    "trace",
                    ".",
                    "--database",
                    SERVER,
                    "--format",
                    "json",
                ],
                "",
            );
            let json = run.json();
            let fired = json["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["rule"] == meta.id);
            assert_eq!(fired, fires, "{}: {heading}: {json:#}", meta.id);
        }
    }
}
