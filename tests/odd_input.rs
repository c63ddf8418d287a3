//! Odd but legal input, from the CLI: YAML directives, old-Mac line breaks, non-ASCII text
//! before a finding, objects whose name or kind is not a string, non-UTF-8 paths.

mod common;

use common::run_in;

fn lint(dir: &std::path::Path, file: &str, text: &str, format: &str) -> common::Run {
    std::fs::write(dir.join(file), text).unwrap();
    run_in(dir, &["lint", file, "--no-config", "-f", format], "")
}

const LATEST: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: \"x:latest\"}]\n";

#[test]
fn yaml_directives_stay_with_their_document() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "%YAML 1.1\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: a}}\n---\n%YAML 1.2\n%TAG ! tag:example.com,2000:\n---\n{LATEST}"
    );
    let run = lint(dir.path(), "a.yaml", &text, "json");
    let json = run.json();
    assert_eq!(json["errors"], serde_json::json!([]), "{}", run.stdout);
    assert_eq!(json["summary"]["objects"], 2);
    let finding = &json["findings"][0];
    assert_eq!(finding["rule"], "mutable-image-tag");
    assert_eq!(finding["line"], 18);
}

#[test]
fn lone_carriage_returns_are_line_breaks() {
    let dir = tempfile::tempdir().unwrap();
    let run = lint(dir.path(), "mac.yaml", &LATEST.replace('\n', "\r"), "json");
    let json = run.json();
    assert_eq!(json["findings"][0]["line"], 9, "{}", run.stdout);
    assert_eq!(json["findings"][0]["column"], 39);
    let human = run_in(dir.path(), &["lint", "mac.yaml", "--no-config"], "");
    assert!(human.stdout.contains("[mac.yaml:9:39]"), "{}", human.stdout);
    assert!(
        !human.stdout.contains('\r'),
        "no raw carriage return reaches the terminal"
    );
}

#[test]
fn columns_count_characters_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    // `wébéçàü` (7 characters, 12 bytes) for `web` before the image on its line.
    let text = LATEST.replace("name: web, image", "name: wébéçàü, image");
    let json = lint(dir.path(), "u.yaml", &text, "json").json();
    let column = json["findings"][0]["column"].as_u64().unwrap();
    assert_eq!(column, 43, "39 + 4 more characters, not bytes");
    let human = run_in(dir.path(), &["lint", "u.yaml", "--no-config"], "");
    assert!(
        human.stdout.contains("u.yaml:9:43: error"),
        "{}",
        human.stdout
    );
    assert!(
        human.stdout.contains("[u.yaml:9:43]"),
        "the frame says the same: {}",
        human.stdout
    );
    let github = run_in(
        dir.path(),
        &["lint", "u.yaml", "--no-config", "-f", "github"],
        "",
    );
    assert!(
        github.stdout.contains("line=9,col=43,"),
        "{}",
        github.stdout
    );
}

#[test]
fn objects_whose_identity_is_not_a_string_are_invalid_and_named_as_written() {
    let dir = tempfile::tempdir().unwrap();
    for (text, expected) in [
        (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: 5\nspec: {}\n",
            "Deployment/5: invalid type: integer `5`, expected a string",
        ),
        (
            "apiVersion: v1\nkind: List\nitems: 5\n",
            "`items` of a List must be a list of objects",
        ),
        (
            "apiVersion: v1\nkind: 5\nmetadata: {name: x}\n",
            "`kind` must be a string",
        ),
    ] {
        let run = lint(dir.path(), "x.yaml", text, "json");
        assert_eq!(run.code, 1, "{text}: {}", run.stdout);
        let json = run.json();
        let messages: Vec<&str> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "invalid-manifest")
            .map(|f| f["message"].as_str().unwrap())
            .collect();
        assert!(
            messages.iter().any(|m| m.contains(expected)),
            "{messages:?}"
        );
    }
    // YAML that is not a Kubernetes object (a values file) is still skipped, not judged.
    let values = lint(
        dir.path(),
        "values.yaml",
        "replicaCount: 2\nimage: {tag: 5}\n",
        "json",
    );
    assert_eq!(values.code, 0);
}

#[test]
fn a_path_that_is_not_utf8_is_accepted_on_the_command_line() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.yaml");
    std::fs::write(dir.path().join(name), LATEST).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_zerodown"))
        .arg("lint")
        .arg(name)
        .args(["--no-config", "-f", "json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["findings"][0]["rule"], "mutable-image-tag");
    // Inside a folder it was linted already; both ways agree.
    let folder = run_in(dir.path(), &["lint", ".", "--no-config", "-f", "json"], "");
    assert_eq!(folder.json()["findings"][0]["rule"], "mutable-image-tag");
}

#[test]
fn render_refuses_rolling_values_its_lint_would_reject_at_the_spec_key() {
    let dir = tempfile::tempdir().unwrap();
    let spec = std::fs::read_to_string(common::repo().join("examples/app/zerodown.yaml")).unwrap();
    let original = "  maxSurge: 25%           # new pods started above the desired count\n  maxUnavailable: 0       # pods that may be down during a rollout: keep 0\n";
    assert!(spec.contains(original));
    for (rolling, expected, key) in [
        (
            "  maxSurge: \"00%\"\n  maxUnavailable: 0\n",
            "both 0",
            "  maxSurge:",
        ),
        (
            "  maxSurge: 1\n  maxUnavailable: 5\n",
            "resolves to every one of the 3 replicas",
            "  maxUnavailable: 5",
        ),
    ] {
        let text = spec.replace(original, rolling);
        std::fs::write(dir.path().join("zerodown.yaml"), &text).unwrap();
        let run = run_in(dir.path(), &["render", "zerodown.yaml", "--no-config"], "");
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains(expected), "{}", run.stderr);
        // At the key in the spec, not at a line of the rendered output.
        let line = text.lines().position(|l| l.starts_with(key)).unwrap() + 1;
        assert!(
            run.stderr.contains(&format!("zerodown.yaml:{line}:")),
            "line {line}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("<rendered>"), "{}", run.stderr);
    }
}
