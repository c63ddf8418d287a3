//! The `lint`, `rules` and `explain` commands end to end, through the real binary.

mod common;

use common::{repo, rules_of, run, run_in};

fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(repo().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings
}

#[test]
fn the_broken_example_fails_with_exactly_located_findings() {
    let run = run(&["lint", "examples/broken", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    snapshot_settings().bind(|| insta::assert_json_snapshot!("lint_broken_json", run.json()));
}

#[test]
fn the_human_output_shows_location_snippet_and_help() {
    let run = run(&["lint", "examples/broken", "--color", "never"]);
    assert_eq!(run.code, 1);
    snapshot_settings().bind(|| insta::assert_snapshot!("lint_broken_human", run.stdout));
}

#[test]
fn the_fixed_example_is_clean() {
    let run = run(&["lint", "examples/fixed"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("0 errors, 0 warnings, 0 infos in 2 files (4 objects")
    );
}

#[test]
fn github_annotations_carry_file_line_and_rule() {
    let run = run(&["lint", "examples/broken/worker.yaml", "--format", "github"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout
            .lines()
            .next()
            .unwrap()
            .split("::")
            .nth(1)
            .unwrap(),
        "error file=examples/broken/worker.yaml,line=20,col=16,endLine=20,endColumn=49,title=mutable-image-tag"
    );
}

#[test]
fn stdin_is_linted_and_helm_sources_are_reported() {
    let stream = "---\n# Source: shop/templates/worker.yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: w\nspec:\n  containers:\n  - name: w\n    image: busybox\n---\n# Source: shop/values.yaml\nreplicaCount: 3\n";
    let run = run_in(&repo(), &["lint", "-", "--format", "json"], stream);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let json = run.json();
    let finding = &json["findings"][0];
    assert_eq!(finding["file"], "<stdin>");
    assert_eq!(finding["source"], "shop/templates/worker.yaml");
    assert_eq!(finding["line"], 10);
    assert_eq!(json["summary"]["skipped_documents"], 1);
}

#[test]
fn list_items_are_linted_and_located_inside_the_list() {
    let list = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n  spec:\n    containers:\n    - name: a\n      image: nginx:latest\n";
    let run = run_in(&repo(), &["lint", "-", "--format", "json"], list);
    let finding = &run.json()["findings"][0];
    assert_eq!(finding["pointer"], "/items/0/spec/containers/0/image");
    assert_eq!(
        (finding["line"].as_u64(), finding["column"].as_u64()),
        (Some(10), Some(14))
    );
    assert_eq!(finding["object"]["kind"], "Pod");
}

#[test]
fn fail_on_sets_the_exit_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  annotations:\n    zerodown.dev/ignore: no-such-rule\nspec:\n  ports: [{port: 80}]\n";
    std::fs::write(dir.path().join("s.yaml"), manifest).unwrap();
    let warning_only = run_in(dir.path(), &["lint", "--format", "json"], "");
    assert_eq!(rules_of(&warning_only), ["ignore-unknown-rule"]);
    assert_eq!(warning_only.code, 0);
    let strict = run_in(dir.path(), &["lint", "--fail-on", "warning"], "");
    assert_eq!(strict.code, 1);
}

#[test]
fn ignores_by_annotation_and_by_comment() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  annotations:\n    zerodown.dev/ignore: \"readiness-probe-missing,liveness-probe-missing,prestop-hook-missing\"\nspec:\n  containers:\n  - name: a\n    # zerodown-ignore: mutable-image-tag -- pinned by the admission controller\n    image: nginx\n    ports: [{containerPort: 80}]\n";
    std::fs::write(dir.path().join("a.yaml"), manifest).unwrap();
    let run = run_in(dir.path(), &["lint", "--format", "json"], "");
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(rules_of(&run).is_empty());
}

#[test]
fn config_sets_levels_and_excludes_and_warns_on_unknown_ids() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".zerodown.yaml"),
        "rules:\n  mutable-image-tag: warning\n  readiness-probe-mising: off\nexclude: [\"generated/**\"]\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("generated")).unwrap();
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers: [{name: a, image: nginx}]\n";
    std::fs::write(dir.path().join("pod.yaml"), pod).unwrap();
    std::fs::write(dir.path().join("generated/pod.yaml"), pod).unwrap();
    let nested = dir.path().join("sub");
    std::fs::create_dir(&nested).unwrap();
    // Found upward from the working folder.
    let run = run_in(&nested, &["lint", "..", "--format", "json"], "");
    let json = run.json();
    assert_eq!(json["summary"]["files"], 1, "{json}");
    assert_eq!(json["findings"][0]["severity"], "warning");
    assert_eq!(run.code, 0);
    assert!(
        run.stderr
            .contains("warning: unknown rule id `readiness-probe-mising`")
            && run
                .stderr
                .contains("did you mean `readiness-probe-missing`"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_bad_config_is_a_located_input_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".zerodown.yaml"),
        "rules:\n  mutable-image-tag: loud\n",
    )
    .unwrap();
    let run = run_in(dir.path(), &["lint"], "");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains(".zerodown.yaml:2:22: error: `loud` is not a level"),
        "{}",
        run.stderr
    );
}

#[test]
fn rules_and_explain() {
    let list = run(&["rules"]);
    assert_eq!(list.code, 0);
    assert!(
        list.stdout
            .lines()
            .any(|l| l.starts_with("readiness-probe-missing") && l.contains("error"))
    );
    let doc = run(&["explain", "mutable-image-tag"]);
    assert_eq!(doc.code, 0);
    let on_disk = std::fs::read_to_string(repo().join("rules/mutable-image-tag.md")).unwrap();
    assert_eq!(doc.stdout, on_disk);
    let unknown = run(&["explain", "mutable-image"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("did you mean `mutable-image-tag`"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["lint", "--format", "xml"]).code, 2);
    assert_eq!(run(&["frobnicate"]).code, 2);
}
