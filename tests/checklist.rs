//! `zerodown checklist` from the CLI: each item's verdict on the broken and fixed examples
//! (manifests and migrations), manual items never passed, exit codes, JSON and markdown.

mod common;

use std::collections::BTreeMap;

use common::{repo, run_in};

fn checklist(args: &[&str]) -> (i32, BTreeMap<String, String>, serde_json::Value) {
    let mut all = vec!["checklist", "--no-config", "-f", "json"];
    all.extend_from_slice(args);
    let run = run_in(&repo(), &all, "");
    let json = run.json();
    let verdicts = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_string(),
                i["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (run.code, verdicts, json)
}

const MANUAL: &[&str] = &[
    "sigterm-handled",
    "readiness-dependencies",
    "rollback-runbook",
    "load-tested",
];

#[test]
fn the_broken_examples_fail_the_items_their_findings_belong_to() {
    let (code, verdicts, json) = checklist(&[
        "examples/broken",
        "--migrations",
        "examples/migrations/broken",
    ]);
    assert_eq!(code, 1);
    let expected = [
        ("manifests-valid", "failed"),
        ("graceful-shutdown", "failed"),
        ("readiness-gating", "failed"),
        ("rolling-update", "passed"),
        ("disruption-budgets", "failed"),
        ("traffic-routing", "passed"),
        ("rollback-history", "passed"),
        ("immutable-tags", "failed"),
        ("migration-ordering", "unknown"),
        ("expand-contract", "failed"),
        ("migration-locks", "failed"),
    ];
    for (id, verdict) in expected {
        assert_eq!(verdicts[id], verdict, "{id}");
    }
    for id in MANUAL {
        assert_eq!(verdicts[*id], "not-checkable", "{id}");
    }
    // The evidence names the rule, the place and the object.
    let tags = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "immutable-tags")
        .unwrap();
    let finding = &tags["findings"][0];
    assert_eq!(finding["rule"], "mutable-image-tag");
    assert_eq!(finding["file"], "examples/broken/checkout.yaml");
    assert_eq!(finding["line"], 21);
    assert_eq!(finding["object"], "Deployment/checkout");
    assert_eq!(json["summary"]["failed"], 7);
}

#[test]
fn the_fixed_examples_pass_and_say_what_they_could_not_see() {
    let (code, verdicts, json) = checklist(&["examples/fixed"]);
    assert_eq!(code, 0);
    assert_eq!(verdicts["readiness-gating"], "passed");
    assert_eq!(
        verdicts["expand-contract"], "unknown",
        "no migrations given"
    );
    let reason = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "expand-contract")
        .unwrap()["reason"]
        .clone();
    assert!(
        reason.as_str().unwrap().contains("--migrations"),
        "{reason}"
    );
    let (code, verdicts, _) = checklist(&[
        "examples/fixed",
        "--migrations",
        "examples/migrations/fixed",
    ]);
    assert_eq!(code, 0);
    assert_eq!(verdicts["expand-contract"], "passed");
    assert_eq!(verdicts["migration-locks"], "passed");
    for id in MANUAL {
        assert_eq!(verdicts[*id], "not-checkable", "{id}");
    }
}

#[test]
fn an_item_with_nothing_to_look_at_is_unknown_and_rules_turned_off_are_said() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n",
    )
    .unwrap();
    let run = run_in(
        dir.path(),
        &["checklist", ".", "--no-config", "-f", "json"],
        "",
    );
    assert_eq!(run.code, 0);
    let json = run.json();
    let graceful = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "graceful-shutdown")
        .unwrap();
    assert_eq!(graceful["verdict"], "unknown");
    assert_eq!(graceful["reason"], "no workloads in the input");
    // A config that turns every rule of an item off leaves it unknown, not passed.
    std::fs::copy(
        repo().join("examples/fixed/checkout.yaml"),
        dir.path().join("app.yaml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join(".zerodown.yaml"),
        "rules:\n  mutable-image-tag: off\n",
    )
    .unwrap();
    let run = run_in(dir.path(), &["checklist", ".", "-f", "json"], "");
    let json = run.json();
    let tags = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "immutable-tags")
        .unwrap();
    assert_eq!(tags["verdict"], "unknown", "{tags}");
}

#[test]
fn human_and_markdown() {
    let human = run_in(
        &repo(),
        &["checklist", "examples/broken", "--no-config"],
        "",
    );
    assert_eq!(human.code, 1);
    assert!(human.stdout.contains("✗ failed"), "{}", human.stdout);
    assert!(human.stdout.contains("– not checkable from files"));
    assert!(
        human
            .stdout
            .contains("examples/broken/checkout.yaml:21:16: error[mutable-image-tag]")
    );
    assert!(
        human
            .stdout
            .trim_end()
            .ends_with("not checkable from files")
    );
    let markdown = run_in(
        &repo(),
        &[
            "checklist",
            "examples/broken",
            "--no-config",
            "-f",
            "markdown",
        ],
        "",
    );
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("checklist_markdown_broken", markdown.stdout);
    });
    assert_eq!(
        run_in(&repo(), &["checklist", "missing-folder", "--no-config"], "").code,
        2
    );
}
