//! `zerodown migrate lint` end to end through the real binary: layouts and their
//! transactions, phases, ignores, config, formats, exit codes and bad input.

mod common;

use std::path::Path;

use common::{repo, rules_of, run, run_in};

fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(repo().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// `migrate lint ARGS --format json` in `dir`, without any user config.
fn lint_json(dir: &Path, args: &[&str]) -> common::Run {
    let mut all = vec!["migrate", "lint", "--no-config", "--format", "json"];
    all.extend_from_slice(args);
    run_in(dir, &all, "")
}

/// (file name, line, rule) of every finding.
fn findings(run: &common::Run) -> Vec<(String, u64, String)> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                Path::new(f["file"].as_str().unwrap())
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                f["line"].as_u64().unwrap(),
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has(run: &common::Run, rule: &str) -> bool {
    rules_of(run).iter().any(|r| r == rule)
}

#[test]
fn the_broken_migrations_fail_with_located_findings() {
    let run = run(&[
        "migrate",
        "lint",
        "examples/migrations/broken",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    snapshot_settings().bind(|| insta::assert_json_snapshot!("migrate_broken_json", run.json()));
    let human = common::run(&[
        "migrate",
        "lint",
        "examples/migrations/broken",
        "--color",
        "never",
    ]);
    assert_eq!(human.code, 1);
    snapshot_settings().bind(|| insta::assert_snapshot!("migrate_broken_human", human.stdout));
}

#[test]
fn the_fixed_migrations_are_clean() {
    let run = run(&["migrate", "lint", "examples/migrations/fixed"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("0 errors, 0 warnings, 0 infos in 8 files (8 migrations, 12 statements)"),
        "{}",
        run.stdout
    );
}

#[test]
fn stdin_is_read_as_one_plain_migration() {
    let run = run_in(
        &repo(),
        &["migrate", "lint", "-", "--format", "json"],
        "ALTER TABLE orders DROP COLUMN note;\n",
    );
    assert_eq!(run.code, 1);
    let json = run.json();
    assert_eq!(json["findings"][0]["file"], "<stdin>");
    assert_eq!(json["summary"]["migrations"], 1);
    assert_eq!(json["summary"]["statements"], 1);
    assert!(has(&run, "drop-column"));
}

#[test]
fn a_statement_that_does_not_parse_is_located_and_the_rest_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "0001_x.sql",
        "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN;\nALTER TABLE orders DROP COLUMN note;\n",
    );
    let run = lint_json(dir.path(), &["."]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("0001_x.sql:2:"), "{}", run.stderr);
    assert!(run.stderr.contains("SQL syntax"), "{}", run.stderr);
    assert_eq!(
        findings(&run),
        [("0001_x.sql".into(), 3, "drop-column".into())]
    );
    assert_eq!(run.json()["summary"]["input_errors"], 1);
}

#[test]
fn golang_migrate_files_run_as_one_implicit_transaction() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "0001_one.up.sql",
        "CREATE INDEX CONCURRENTLY a ON orders (a);\n",
    );
    write(
        dir.path(),
        "0002_two.up.sql",
        "SET lock_timeout = '1s';\nCREATE INDEX CONCURRENTLY b ON orders (b);\n",
    );
    let run = lint_json(dir.path(), &["."]);
    let found = findings(&run);
    assert!(!found.iter().any(|f| f.0 == "0001_one.up.sql"), "{found:?}");
    assert!(found.contains(&(
        "0002_two.up.sql".into(),
        2,
        "concurrent-in-transaction".into()
    )));
}

#[test]
fn sqlx_is_told_apart_from_golang_migrate_and_honours_no_transaction() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Cargo.toml", "[dependencies]\nsqlx = \"0.8\"\n");
    write(
        dir.path(),
        "migrations/0001_index.up.sql",
        "CREATE INDEX CONCURRENTLY a ON orders (a);\n",
    );
    write(
        dir.path(),
        "migrations/0002_index.up.sql",
        "-- no-transaction\nCREATE INDEX CONCURRENTLY b ON orders (b);\n",
    );
    let run = lint_json(dir.path(), &["migrations"]);
    let found = findings(&run);
    assert!(
        found.contains(&(
            "0001_index.up.sql".into(),
            1,
            "concurrent-in-transaction".into()
        )),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|f| f.0 == "0002_index.up.sql"),
        "{found:?}"
    );
    // --layout overrides what was detected.
    let run = lint_json(dir.path(), &["migrations", "--layout", "golang-migrate"]);
    assert!(
        !has(&run, "concurrent-in-transaction"),
        "{:?}",
        findings(&run)
    );
}

#[test]
fn dbmate_sections_flyway_conf_and_diesel_metadata() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "db/20260101_a.sql",
        "-- migrate:up\nCREATE INDEX CONCURRENTLY a ON orders (a);\n-- migrate:down\nDROP INDEX CONCURRENTLY a;\n",
    );
    write(
        dir.path(),
        "db/20260102_b.sql",
        "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY b ON orders (b);\n-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY b;\n",
    );
    write(
        dir.path(),
        "fly/V1__a.sql",
        "SELECT 1;\nCREATE INDEX CONCURRENTLY a ON orders (a);\n",
    );
    write(
        dir.path(),
        "fly/V2__b.sql",
        "SELECT 1;\nCREATE INDEX CONCURRENTLY b ON orders (b);\n",
    );
    write(
        dir.path(),
        "fly/V2__b.sql.conf",
        "executeInTransaction=false\n",
    );
    write(
        dir.path(),
        "fly/V3__c.sql",
        "CREATE INDEX CONCURRENTLY c ON orders (c);\n",
    );
    write(
        dir.path(),
        "diesel/2026-01-01-000000_a/up.sql",
        "CREATE INDEX CONCURRENTLY a ON orders (a);\n",
    );
    write(
        dir.path(),
        "diesel/2026-01-01-000000_a/down.sql",
        "DROP INDEX CONCURRENTLY a;\n",
    );
    write(
        dir.path(),
        "diesel/2026-01-02-000000_b/up.sql",
        "CREATE INDEX CONCURRENTLY b ON orders (b);\n",
    );
    write(
        dir.path(),
        "diesel/2026-01-02-000000_b/down.sql",
        "DROP INDEX CONCURRENTLY b;\n",
    );
    write(
        dir.path(),
        "diesel/2026-01-02-000000_b/metadata.toml",
        "run_in_transaction = false\n",
    );
    let run = lint_json(dir.path(), &["."]);
    let mut in_transaction: Vec<(String, u64)> = findings(&run)
        .into_iter()
        .filter(|f| f.2 == "concurrent-in-transaction")
        .map(|f| (f.0, f.1))
        .collect();
    in_transaction.sort();
    assert_eq!(
        in_transaction,
        [
            ("20260101_a.sql".to_string(), 2),
            ("20260101_a.sql".to_string(), 4),
            ("V1__a.sql".to_string(), 2),
            ("down.sql".to_string(), 1),
            ("up.sql".to_string(), 1),
        ],
        "dbmate default, Flyway mixing statements, Diesel default; not the opted-out ones nor \
         Flyway's all-concurrent V3"
    );
}

#[test]
fn the_transaction_can_be_assumed_either_way() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "001_index.sql",
        "CREATE INDEX CONCURRENTLY a ON orders (a);\n",
    );
    assert!(!has(
        &lint_json(dir.path(), &["."]),
        "concurrent-in-transaction"
    ));
    assert!(has(
        &lint_json(dir.path(), &[".", "--assume-in-transaction"]),
        "concurrent-in-transaction"
    ));
    write(
        dir.path(),
        "001_index.sql",
        "-- migrate:up\nCREATE INDEX CONCURRENTLY a ON orders (a);\n-- migrate:down\nSELECT 1;\n",
    );
    assert!(!has(
        &lint_json(dir.path(), &[".", "--no-assume-in-transaction"]),
        "concurrent-in-transaction"
    ));
}

#[test]
fn a_contract_phase_turns_breaking_changes_into_info() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "0005_contract.sql",
        "-- zerodown: phase=contract\nSET lock_timeout = '2s';\nALTER TABLE orders DROP COLUMN total;\n",
    );
    let run = lint_json(dir.path(), &["."]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let finding = &run.json()["findings"][0];
    assert_eq!(finding["rule"], "drop-column");
    assert_eq!(finding["severity"], "info");

    write(
        dir.path(),
        "0005_contract.sql",
        "-- zerodown: phase=contracts\nSELECT 1;\n",
    );
    let run = lint_json(dir.path(), &["."]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("0005_contract.sql:1:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("did you mean") || run.stderr.contains("allowed: expand"),
        "{}",
        run.stderr
    );
}

#[test]
fn ignore_comments_ours_and_squawks() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "0001_x.sql",
        "SET lock_timeout = '2s';\n\
         -- zerodown-ignore: drop-column -- reviewed: no reader left\n\
         ALTER TABLE a DROP COLUMN x;\n\
         -- squawk-ignore ban-drop-column\n\
         ALTER TABLE b DROP COLUMN x;\n\
         ALTER TABLE c\n  DROP COLUMN x; -- zerodown-ignore: drop-column\n\
         SELECT 2;\n\
         ALTER TABLE d DROP COLUMN x;\n\
         -- zerodown-ignore: drop-colum\n\
         SELECT 1;\n",
    );
    let run = lint_json(dir.path(), &["."]);
    let found: Vec<(u64, String)> = findings(&run).into_iter().map(|f| (f.1, f.2)).collect();
    assert_eq!(
        found,
        [
            (9, "drop-column".to_string()),
            (10, "ignore-unknown-rule".to_string())
        ],
        "{}",
        run.stdout
    );
    write(
        dir.path(),
        "0001_x.sql",
        "-- squawk-ignore-file\nALTER TABLE a DROP COLUMN x;\nALTER TABLE a RENAME COLUMN y TO z;\n",
    );
    assert!(findings(&lint_json(dir.path(), &["."])).is_empty());
}

#[test]
fn config_levels_and_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "m/0001_x.sql", "ALTER TABLE a DROP COLUMN x;\n");
    write(
        dir.path(),
        ".zerodown.yaml",
        "rules:\n  drop-column: warning\n  lock-timeout-missing: off\n",
    );
    let run = run_in(
        dir.path(),
        &["migrate", "lint", "m", "--format", "json"],
        "",
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(
        findings(&run),
        [("0001_x.sql".into(), 1, "drop-column".into())]
    );
    assert_eq!(run.json()["findings"][0]["severity"], "warning");
    let run = run_in(
        dir.path(),
        &["migrate", "lint", "m", "--fail-on", "warning"],
        "",
    );
    assert_eq!(run.code, 1);
}

#[test]
fn down_migrations_are_expected_once_a_folder_has_them() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "0001_a.up.sql", "CREATE TABLE a (id int);\n");
    write(dir.path(), "0001_a.down.sql", "DROP TABLE a;\n");
    write(dir.path(), "0002_b.up.sql", "CREATE TABLE b (id int);\n");
    let run = lint_json(dir.path(), &["."]);
    assert_eq!(
        findings(&run),
        [("0002_b.up.sql".into(), 1, "down-migration-missing".into())]
    );
    std::fs::remove_file(dir.path().join("0001_a.down.sql")).unwrap();
    assert!(findings(&lint_json(dir.path(), &["."])).is_empty());
}

#[test]
fn a_backfill_in_the_schema_changing_transaction() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "20260101_status.sql",
        "-- migrate:up\nSET LOCAL lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN status text;\n\
         UPDATE orders SET status = 'new';\n-- migrate:down\nALTER TABLE orders DROP COLUMN status;\n",
    );
    let run = lint_json(dir.path(), &["."]);
    assert!(
        findings(&run).contains(&(
            "20260101_status.sql".into(),
            4,
            "backfill-in-transaction".into()
        )),
        "{:?}",
        findings(&run)
    );
}

#[test]
fn github_annotations_for_migrations() {
    let run = run(&[
        "migrate",
        "lint",
        "examples/migrations/broken/20261116100000_orders_public_id.up.sql",
        "--format",
        "github",
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.lines().any(|l| l.starts_with(
            "::error file=examples/migrations/broken/20261116100000_orders_public_id.up.sql,line=1,col=20,"
        ) && l.contains("title=volatile-default")),
        "{}",
        run.stdout
    );
}

#[test]
fn rules_and_explain_know_the_migration_rules() {
    let list = run(&["rules"]);
    for id in ["rename-column", "lock-timeout-missing", "traced-rewrite"] {
        assert!(list.stdout.lines().any(|l| l.starts_with(id)), "{id}");
    }
    let explain = run(&["explain", "set-not-null"]);
    assert_eq!(explain.code, 0);
    assert!(explain.stdout.starts_with("# set-not-null\n"));
}

#[test]
fn empty_binary_and_missing_inputs() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "empty.sql", "");
    write(
        dir.path(),
        "comments.sql",
        "-- nothing here\n/* still nothing */\n",
    );
    let run = lint_json(dir.path(), &["."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["summary"]["statements"], 0);
    std::fs::write(dir.path().join("binary.sql"), b"\x00\x01\x02").unwrap();
    let run = lint_json(dir.path(), &[".", "missing.sql"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("binary.sql:1:1: error: binary file"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("missing.sql: error: no such file")
            || run.stderr.contains("missing.sql:1:1: error: no such file"),
        "{}",
        run.stderr
    );
}
