//! The CI formats from the CLI, for `lint` and `migrate lint`: SARIF valid against the
//! official 2.1.0 schema (tests/data, from oasis-tcs/sarif-spec) with fingerprints that do
//! not move with unrelated lines; GitLab code quality; JUnit parsed back; GitHub escaping;
//! markdown.

mod common;

use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::Event;
use serde_json::Value;
use zerodown::pointer::ValuePointer;

use common::{repo, run_in};

fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo().join("tests/data/sarif-schema-2.1.0.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

fn assert_valid_sarif(output: &str) -> Value {
    let value: Value = serde_json::from_str(output).expect("SARIF is JSON");
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF: {errors:#?}");
    value
}

#[test]
fn sarif_of_lint_and_migrate_lint_is_valid_and_complete() {
    for args in [
        vec!["lint", "examples/broken", "--no-config", "-f", "sarif"],
        vec![
            "migrate",
            "lint",
            "examples/migrations/broken",
            "--no-config",
            "-f",
            "sarif",
        ],
    ] {
        let run = run_in(&repo(), &args, "");
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        let sarif = assert_valid_sarif(&run.stdout);
        let run0 = &sarif["runs"][0];
        let driver = &run0["tool"]["driver"];
        assert_eq!(driver["name"], "zerodown");
        assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
        assert!(
            driver["informationUri"]
                .as_str()
                .unwrap()
                .starts_with("https://")
        );
        let rules = driver["rules"].as_array().unwrap();
        assert!(rules.len() > 10, "{args:?}: the rules that ran");
        for rule in rules {
            for key in ["shortDescription", "fullDescription"] {
                assert!(!rule[key]["text"].as_str().unwrap().is_empty());
            }
            assert!(
                rule["help"]["markdown"]
                    .as_str()
                    .unwrap()
                    .contains("## Failing example")
            );
            assert!(rule["defaultConfiguration"]["level"].is_string());
        }
        let results = run0["results"].as_array().unwrap();
        assert!(!results.is_empty());
        for result in results {
            let id = result["ruleId"].as_str().unwrap();
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], id);
            let location = &result["locations"][0]["physicalLocation"];
            let uri = location["artifactLocation"]["uri"].as_str().unwrap();
            assert!(
                uri.starts_with("examples/"),
                "relative to the repository root: {uri}"
            );
            for key in ["startLine", "startColumn", "endLine", "endColumn"] {
                assert!(location["region"][key].as_u64().unwrap() >= 1);
            }
            assert_eq!(
                result["partialFingerprints"]["zerodown/v1"]
                    .as_str()
                    .unwrap()
                    .len(),
                32
            );
        }
    }
}

#[test]
fn sarif_paths_are_relative_to_the_repository_root_from_a_subfolder() {
    let run = run_in(
        &repo().join("examples"),
        &["lint", "broken", "--no-config", "-f", "sarif"],
        "",
    );
    let sarif = assert_valid_sarif(&run.stdout);
    let uri = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    assert!(
        uri.as_str().unwrap().starts_with("examples/broken/"),
        "{uri}"
    );
}

fn fingerprints(dir: &Path) -> Vec<(String, String)> {
    let run = run_in(dir, &["lint", "app.yaml", "--no-config", "-f", "sarif"], "");
    let sarif = assert_valid_sarif(&run.stdout);
    let mut prints: Vec<(String, String)> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["partialFingerprints"]["zerodown/v1"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    prints.sort();
    prints
}

#[test]
fn sarif_fingerprints_do_not_move_with_unrelated_lines() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(repo().join("examples/broken/checkout.yaml")).unwrap();
    std::fs::write(dir.path().join("app.yaml"), &original).unwrap();
    let before = fingerprints(dir.path());
    assert!(before.len() >= 5, "{before:?}");
    // Comments and a whole unrelated object above: every line of the findings moves.
    let moved = format!(
        "# a comment\n# another\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: unrelated\n  namespace: shop\ndata:\n  k: v\n---\n{original}"
    );
    std::fs::write(dir.path().join("app.yaml"), moved).unwrap();
    assert_eq!(fingerprints(dir.path()), before);
}

#[test]
fn sarif_reports_input_errors_as_tool_execution_notifications() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.yaml"), "a: [1, 2\n").unwrap();
    let run = run_in(dir.path(), &["lint", ".", "--no-config", "-f", "sarif"], "");
    assert_eq!(run.code, 2, "{}", run.stderr);
    let sarif = assert_valid_sarif(&run.stdout);
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notification = &invocation["toolExecutionNotifications"][0];
    assert_eq!(notification["level"], "error");
    assert_eq!(
        notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "bad.yaml"
    );
}

#[test]
fn gitlab_code_quality_report() {
    let run = run_in(
        &repo(),
        &["lint", "examples/broken", "--no-config", "-f", "gitlab"],
        "",
    );
    assert_eq!(run.code, 1);
    let issues = run.json();
    let issues = issues.as_array().unwrap();
    assert!(!issues.is_empty());
    let mut seen = std::collections::BTreeSet::new();
    for issue in issues {
        assert!(!issue["description"].as_str().unwrap().is_empty());
        assert!(issue["check_name"].is_string());
        assert!(
            ["info", "minor", "major", "critical", "blocker"]
                .contains(&issue["severity"].as_str().unwrap())
        );
        assert!(
            issue["location"]["path"]
                .as_str()
                .unwrap()
                .starts_with("examples/broken/")
        );
        assert!(issue["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
        assert!(
            seen.insert(issue["fingerprint"].as_str().unwrap().to_string()),
            "unique"
        );
    }
    let migrations = run_in(
        &repo(),
        &[
            "migrate",
            "lint",
            "examples/migrations/broken",
            "--no-config",
            "-f",
            "gitlab",
        ],
        "",
    );
    assert!(!migrations.json().as_array().unwrap().is_empty());
}

/// Test cases of a JUnit report, read back: (suite, case, class, failure text if any).
fn junit_cases(xml: &str) -> Vec<(String, String, String, Option<String>)> {
    let mut reader = Reader::from_str(xml);
    let mut cases = Vec::new();
    let mut suite = String::new();
    let mut in_failure = false;
    let attr = |e: &quick_xml::events::BytesStart<'_>, key: &str| {
        e.attributes()
            .map(|a| a.unwrap())
            .find(|a| a.key.as_ref() == key)
            .map(|a| {
                a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                    .unwrap()
                    .into_owned()
            })
            .unwrap_or_default()
    };
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "testsuite" => suite = attr(&e, "name"),
                "testcase" => {
                    cases.push((suite.clone(), attr(&e, "name"), attr(&e, "classname"), None))
                }
                "failure" => in_failure = true,
                _ => {}
            },
            Event::Text(t) if in_failure => {
                let text: &str = t.as_ref();
                let last = cases.last_mut().unwrap();
                last.3 = Some(last.3.take().unwrap_or_default() + text);
            }
            Event::GeneralRef(r) if in_failure => {
                let last = cases.last_mut().unwrap();
                let name = r.as_ref().to_string();
                let ch = match name.as_str() {
                    "apos" => "'",
                    "quot" => "\"",
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    _ => "?",
                };
                last.3 = Some(last.3.take().unwrap_or_default() + ch);
            }
            Event::End(e) if e.name().as_ref() == "failure" => in_failure = false,
            _ => {}
        }
    }
    cases
}

#[test]
fn junit_has_a_case_per_object_and_rule_with_failures_located() {
    let run = run_in(
        &repo(),
        &["lint", "examples/broken", "--no-config", "-f", "junit"],
        "",
    );
    assert_eq!(run.code, 1);
    let cases = junit_cases(&run.stdout);
    let rules = run_in(&repo(), &["rules"], "").stdout;
    let manifest_rules = zerodown::rules::ids().len();
    assert!(rules.lines().count() > manifest_rules);
    // 3 objects × every manifest rule.
    assert_eq!(cases.len(), 3 * manifest_rules, "{}", run.stdout);
    let failures: Vec<_> = cases.iter().filter(|c| c.3.is_some()).collect();
    // The default --fail-on error: the 5 errors fail, the 3 warnings pass.
    assert_eq!(failures.len(), 5, "{failures:#?}");
    let readiness = failures
        .iter()
        .find(|c| c.2 == "readiness-probe-missing")
        .unwrap();
    assert_eq!(readiness.0, "examples/broken/checkout.yaml");
    assert_eq!(readiness.1, "Deployment/shop/checkout");
    assert!(
        readiness
            .3
            .as_ref()
            .unwrap()
            .starts_with("examples/broken/checkout.yaml:20:9: error:"),
        "{readiness:?}"
    );
    // With --fail-on warning, warnings fail too.
    let strict = run_in(
        &repo(),
        &[
            "lint",
            "examples/broken",
            "--no-config",
            "-f",
            "junit",
            "--fail-on",
            "warning",
        ],
        "",
    );
    assert_eq!(
        junit_cases(&strict.stdout)
            .iter()
            .filter(|c| c.3.is_some())
            .count(),
        8
    );
    // Migrations: one case per migration file and rule.
    let migrations = run_in(
        &repo(),
        &[
            "migrate",
            "lint",
            "examples/migrations/broken",
            "--no-config",
            "-f",
            "junit",
        ],
        "",
    );
    let cases = junit_cases(&migrations.stdout);
    assert!(cases.iter().any(|c| c.3.is_some()));
    assert!(cases.iter().all(|c| c.1.ends_with(".sql")), "{cases:#?}");
}

#[test]
fn github_annotations_escape_data_and_properties() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(repo().join("examples/broken/worker.yaml")).unwrap();
    // `:` and `,` in a property (the file name) must not end it.
    std::fs::write(dir.path().join("a,b:c.yaml"), &original).unwrap();
    let run = run_in(
        dir.path(),
        &["lint", ".", "--no-config", "-f", "github"],
        "",
    );
    let line = run.stdout.lines().next().unwrap();
    assert!(
        line.starts_with("::error file=a%2Cb%3Ac.yaml,line="),
        "{line}"
    );
    assert!(line.contains(",title=mutable-image-tag::"), "{line}");
    // The message and its fix are one annotation: the newline between them is escaped.
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(line.contains("%0A"), "{line}");
}

#[test]
fn markdown_summary() {
    let run = run_in(
        &repo(),
        &["lint", "examples/broken", "--no-config", "-f", "markdown"],
        "",
    );
    assert_eq!(run.code, 1);
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("formats_markdown_broken", run.stdout);
    });
    let clean = run_in(
        &repo(),
        &["lint", "examples/fixed", "--no-config", "-f", "markdown"],
        "",
    );
    assert_eq!(clean.code, 0);
    assert!(
        clean.stdout.starts_with("## zerodown: ✅ clean"),
        "{}",
        clean.stdout
    );
}

/// The zerodown commands of a CI example's shell lines, split at `>`, `>>`, `||`, `&&`.
fn zerodown_commands(script: &str) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    for part in script.split("&&").flat_map(|p| p.split("||")) {
        let words: Vec<&str> = part.split('>').next().unwrap().split_whitespace().collect();
        if words.first() == Some(&"zerodown") {
            commands.push(words[1..].iter().map(|w| w.to_string()).collect());
        }
    }
    commands
}

#[test]
fn the_documented_ci_examples_parse_and_their_commands_run() {
    let mut ran = 0;
    for (file, steps_pointer) in [
        ("docs/ci/github-actions.yml", "/jobs/zerodown/steps"),
        ("docs/ci/gitlab-ci.yml", "/zerodown/script"),
    ] {
        let text = std::fs::read_to_string(repo().join(file)).unwrap();
        let (documents, errors) = zerodown::yaml::load(&text);
        assert!(errors.is_empty(), "{file}: {errors:?}");
        let value = &documents[0].value;
        let steps = value
            .at(steps_pointer)
            .and_then(Value::as_array)
            .unwrap_or_else(|| panic!("{file}: no {steps_pointer}"));
        let scripts: Vec<&str> = steps
            .iter()
            .filter_map(|s| s.get("run").and_then(Value::as_str).or(s.as_str()))
            .collect();
        if file.contains("github") {
            assert!(steps.iter().any(|s| {
                s["uses"]
                    .as_str()
                    .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif"))
            }));
        } else {
            assert_eq!(
                value.at("/zerodown/artifacts/reports/codequality"),
                Some(&Value::from("gl-code-quality-report.json"))
            );
        }
        for script in scripts {
            for mut args in zerodown_commands(script) {
                // The examples lint `k8s/` and `db/migrations/`; here, the broken examples.
                for arg in &mut args {
                    *arg = arg
                        .replace("k8s/", "examples/broken/")
                        .replace("db/migrations/", "examples/migrations/broken/");
                }
                args.push("--no-config".to_string());
                let argv: Vec<&str> = args.iter().map(String::as_str).collect();
                let run = run_in(&repo(), &argv, "");
                assert_eq!(run.code, 1, "{file}: zerodown {args:?}: {}", run.stderr);
                if args.contains(&"sarif".to_string()) {
                    assert_valid_sarif(&run.stdout);
                }
                if args.contains(&"junit".to_string()) {
                    assert!(!junit_cases(&run.stdout).is_empty());
                }
                ran += 1;
            }
        }
    }
    assert!(ran >= 8, "{ran}");
}

/// `--format json` is written member by member and its findings serialised in pieces on the
/// cores; the bytes must be exactly what serde_json's pretty printer makes of the same
/// document. Enough findings for several batches of pieces, and an input error.
#[test]
fn json_report_is_serde_json_pretty_byte_for_byte() {
    let mut stream = String::new();
    for i in 0..1200 {
        stream.push_str(&format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app{i}, \
             annotations: {{note: \"tab\\there, quote \\\" and é\"}}}}\nspec:\n  replicas: 3\n  \
             selector: {{matchLabels: {{app: app{i}}}}}\n  template:\n    metadata: {{labels: \
             {{app: app{i}}}}}\n    spec:\n      containers: [{{name: web, image: nginx}}]\n\
             ---\napiVersion: v1\nkind: Service\nmetadata: {{name: app{i}}}\nspec: \
             {{selector: {{app: app{i}}}, ports: [{{port: 80}}]}}\n"
        ));
    }
    stream.push_str("---\nkind: [unclosed\n");
    let run = run_in(
        &repo(),
        &["lint", "-", "--no-config", "-f", "json"],
        &stream,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    let value = run.json();
    let findings = value["findings"].as_array().unwrap().len();
    assert!(
        findings > 4096,
        "only {findings} findings: too few for several batches"
    );
    assert_eq!(value["errors"].as_array().unwrap().len(), 1);
    let pretty = serde_json::to_string_pretty(&value).unwrap() + "\n";
    assert!(
        run.stdout == pretty,
        "the report differs from serde_json's pretty printing"
    );
}
