//! `migrate plan` without a database: every kind in every layout lints clean, the files say
//! their phase, nothing is overwritten without --force, and bad requests are refused with
//! the reason. (The proof under traffic is in migrate_plan_proof.rs.)

mod common;

use std::path::Path;

use common::run_in;

const LAYOUTS: &[&str] = &[
    "golang-migrate",
    "sqlx",
    "dbmate",
    "flyway",
    "diesel",
    "plain",
];

fn kinds() -> Vec<Vec<&'static str>> {
    vec![
        vec![
            "rename-column",
            "orders",
            "total",
            "amount",
            "--type",
            "numeric(10,2)",
            "--not-null",
        ],
        vec![
            "change-type",
            "orders",
            "total",
            "bigint",
            "--using",
            "(total * 100)::bigint",
            "--back",
            "total_new / 100.0",
            "--type",
            "numeric(10,2)",
            "--not-null",
        ],
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
            "--type",
            "text",
            "--not-null",
        ],
        vec![
            "add-not-null",
            "events",
            "source",
            "--default",
            "'unknown'",
            "--type",
            "text",
            "--nullable",
        ],
        vec![
            "drop-column",
            "users",
            "legacy",
            "--default",
            "''",
            "--type",
            "text",
            "--not-null",
        ],
    ]
}

fn plan(dir: &Path, args: &[&str]) -> common::Run {
    let mut all = vec!["migrate", "plan"];
    all.extend_from_slice(args);
    run_in(dir, &all, "")
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = walk(dir)
        .into_iter()
        .map(|p| p.strip_prefix(dir).unwrap().to_string_lossy().into_owned())
        .collect();
    files.sort();
    files
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn every_kind_in_every_layout_lints_clean_as_detected() {
    for layout in LAYOUTS {
        for kind in kinds() {
            let dir = tempfile::tempdir().unwrap();
            let mut args = kind.clone();
            args.extend(["--layout", layout, "--out", "m", "--version", "1"]);
            let run = plan(dir.path(), &args);
            assert_eq!(run.code, 0, "{layout} {kind:?}: {}", run.stderr);
            // Linted as a user would: the folder, its layout detected, not forced.
            let lint = run_in(
                dir.path(),
                &["migrate", "lint", "m", "--no-config", "--format", "json"],
                "",
            );
            let json = lint.json();
            let summary = &json["summary"];
            assert_eq!(
                (
                    summary["errors"].as_u64(),
                    summary["warnings"].as_u64(),
                    summary["input_errors"].as_u64()
                ),
                (Some(0), Some(0), Some(0)),
                "{layout} {kind:?}: {json:#}"
            );
            // Contract-phase compatibility findings are the only ones, as info.
            for finding in json["findings"].as_array().unwrap() {
                assert_eq!(finding["severity"], "info", "{layout} {kind:?}: {finding}");
            }
            let files = files_in(&dir.path().join("m"));
            for phase in ["expand", "contract"] {
                if kind[0] != "drop-column" || phase == "contract" {
                    assert!(
                        files.iter().any(|f| f.contains(phase)),
                        "{layout}: {files:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn file_names_and_transaction_opt_outs_per_layout() {
    let expected: &[(&str, &[&str])] = &[
        (
            "golang-migrate",
            &[
                "2_backfill_orders_rename_total_to_amount.up.sql",
                "2_backfill_orders_rename_total_to_amount.down.sql",
            ],
        ),
        ("sqlx", &["2_backfill_orders_rename_total_to_amount.up.sql"]),
        ("dbmate", &["2_backfill_orders_rename_total_to_amount.sql"]),
        (
            "flyway",
            &[
                "V2__backfill_orders_rename_total_to_amount.sql",
                "U2__backfill_orders_rename_total_to_amount.sql",
                "V2__backfill_orders_rename_total_to_amount.sql.conf",
            ],
        ),
        (
            "diesel",
            &[
                "2_backfill_orders_rename_total_to_amount/up.sql",
                "2_backfill_orders_rename_total_to_amount/metadata.toml",
            ],
        ),
        (
            "plain",
            &[
                "2_backfill_orders_rename_total_to_amount.sql",
                "2_backfill_orders_rename_total_to_amount.down.sql",
            ],
        ),
    ];
    for (layout, names) in expected {
        let dir = tempfile::tempdir().unwrap();
        let mut args = kinds()[0].clone();
        args.extend(["--layout", layout, "--out", ".", "--version", "1"]);
        let run = plan(dir.path(), &args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let files = files_in(dir.path());
        for name in *names {
            assert!(
                files.iter().any(|f| f == name),
                "{layout}: {name} not in {files:?}"
            );
        }
        let backfill = std::fs::read_to_string(dir.path().join(names[0])).unwrap();
        match *layout {
            "sqlx" => assert!(backfill.starts_with("-- no-transaction\n")),
            "dbmate" => assert!(backfill.starts_with("-- migrate:up transaction:false\n")),
            _ => assert!(
                !backfill.contains("BEGIN;"),
                "{layout}: the backfill commits itself"
            ),
        }
        assert!(
            backfill.contains("-- zerodown: phase=backfill"),
            "{backfill}"
        );
        assert!(backfill.contains("COMMIT;"), "batches commit");
    }
}

#[test]
fn the_deploy_order_is_printed_and_in_the_json() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = kinds()[0].clone();
    args.extend(["--out", ".", "--version", "1", "--format", "json"]);
    let run = plan(dir.path(), &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = run.json();
    let order: Vec<&str> = json["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_str().unwrap())
        .collect();
    let position = |prefix: &str| order.iter().position(|o| o.starts_with(prefix)).unwrap();
    assert!(position("migrate 1") < position("deploy 1"));
    assert!(
        position("deploy 1") < position("migrate 2"),
        "deploy 1 before the backfill"
    );
    assert!(position("migrate 2") < position("deploy 2"));
    assert!(position("deploy 2") < position("deploy 3"));
    assert!(
        position("deploy 3") < position("migrate 3"),
        "the contract after deploy 3"
    );
    assert!(
        json["order"][1]
            .as_str()
            .unwrap()
            .contains("writes both `total` and `amount`, reads `total`")
    );
    let rollback: Vec<&str> = json["rollback"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_str().unwrap())
        .collect();
    let back = |prefix: &str| rollback.iter().position(|o| o.starts_with(prefix)).unwrap();
    assert!(
        back("migrate down 2") < back("undo deploy 2"),
        "the old column is refilled before it is read again"
    );
    assert_eq!(json["steps"].as_array().unwrap().len(), 5);
    let human = plan(tempfile::tempdir().unwrap().path(), &kinds()[0]);
    assert!(
        human.stderr.contains("deploy 3: stops writing `total`"),
        "{}",
        human.stderr
    );
    assert!(
        human.stdout.contains("-- ==> "),
        "without --out the files are printed"
    );
}

#[test]
fn existing_files_are_never_replaced_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = kinds()[0].clone();
    args.extend(["--out", ".", "--version", "1"]);
    assert_eq!(plan(dir.path(), &args).code, 0);
    let before: Vec<(String, String)> = files_in(dir.path())
        .into_iter()
        .map(|f| {
            (
                f.clone(),
                std::fs::read_to_string(dir.path().join(&f)).unwrap(),
            )
        })
        .collect();
    std::fs::write(
        dir.path()
            .join("1_expand_orders_rename_total_to_amount.up.sql"),
        "-- mine\n",
    )
    .unwrap();
    let again = plan(dir.path(), &args);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("pass --force"), "{}", again.stderr);
    assert!(again.stderr.contains("nothing was written"));
    assert_eq!(files_in(dir.path()).len(), before.len(), "no file added");
    assert_eq!(
        std::fs::read_to_string(
            dir.path()
                .join("1_expand_orders_rename_total_to_amount.up.sql")
        )
        .unwrap(),
        "-- mine\n"
    );
    args.push("--force");
    assert_eq!(plan(dir.path(), &args).code, 0);
    for (name, text) in before {
        assert_eq!(
            std::fs::read_to_string(dir.path().join(&name)).unwrap(),
            text,
            "{name}"
        );
    }
}

#[test]
fn the_next_version_follows_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("0007_create_orders.up.sql"),
        "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(10,2) NOT NULL);\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("0007_create_orders.down.sql"),
        "DROP TABLE orders;\n",
    )
    .unwrap();
    // Type and nullability come from the folder's own migrations.
    let run = plan(
        dir.path(),
        &["rename-column", "orders", "total", "amount", "--out", "."],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files = files_in(dir.path());
    assert!(
        files.contains(&"0008_expand_orders_rename_total_to_amount.up.sql".to_string()),
        "{files:?}"
    );
    let expand = std::fs::read_to_string(
        dir.path()
            .join("0008_expand_orders_rename_total_to_amount.up.sql"),
    )
    .unwrap();
    assert!(
        expand.contains("ADD COLUMN amount numeric(10,2)"),
        "{expand}"
    );
    assert!(
        files.iter().any(|f| f.starts_with("0010_contract")),
        "NOT NULL gets its CHECK steps: {files:?}"
    );
}

#[test]
fn requests_it_cannot_plan_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let run = plan(
        dir.path(),
        &["rename-column", "orders", "total", "amount", "--out", "."],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("pass --type TYPE and --not-null or --nullable"),
        "{}",
        run.stderr
    );
    let run = plan(
        dir.path(),
        &[
            "drop-column",
            "users",
            "legacy",
            "--type",
            "text",
            "--not-null",
            "--out",
            ".",
        ],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("give --default"), "{}", run.stderr);
    let run = plan(
        dir.path(),
        &[
            "rename-column",
            "orders",
            "total",
            "total",
            "--type",
            "int",
            "--nullable",
        ],
    );
    assert_eq!(run.code, 2);
    let run = plan(
        dir.path(),
        &[
            "split-column",
            "people",
            "name",
            "--into",
            "first_name = x",
            "--merge",
            "x",
            "--type",
            "text",
            "--nullable",
        ],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("needs a type"), "{}", run.stderr);
    assert!(
        files_in(dir.path()).is_empty(),
        "nothing written by a refused plan"
    );
}
