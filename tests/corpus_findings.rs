//! The findings on the shared corpus of real manifests, pinned: performance work (parallel
//! parsing, indexes, streaming output) must not change a single finding, message, position
//! or input error. `tests/data/corpus_findings.jsonl` holds the expected JSON output, one
//! line for the summary, then one per input error, then one per finding, in output order.
//! A deliberate change of findings rewrites it with `ZERODOWN_UPDATE_CORPUS=1`; review the
//! diff before committing it.

mod common;

use std::path::Path;

const CORPUS: &str = "../shared/corpus/k8s";
const EXPECTED: &str = "tests/data/corpus_findings.jsonl";

fn lines_of(report: &serde_json::Value) -> Vec<String> {
    let mut lines = vec![report["summary"].to_string()];
    for key in ["errors", "findings"] {
        for item in report[key].as_array().expect("a list") {
            lines.push(item.to_string());
        }
    }
    lines
}

#[test]
fn corpus_findings_are_unchanged() {
    let repo = common::repo();
    assert!(
        repo.join(CORPUS).is_dir(),
        "{CORPUS} is missing: the shared corpus lies beside the repository on every developer \
         machine and in CI"
    );
    let run = common::run(&["lint", CORPUS, "--format", "json", "--no-config"]);
    assert!(
        run.code == 1 || run.code == 2,
        "exit {}: {}",
        run.code,
        run.stderr
    );
    let actual = lines_of(&run.json());
    let expected_path = repo.join(EXPECTED);
    if std::env::var_os("ZERODOWN_UPDATE_CORPUS").is_some() {
        std::fs::write(&expected_path, actual.join("\n") + "\n").expect("writable");
        return;
    }
    let expected_text = std::fs::read_to_string(&expected_path).expect("the pinned findings");
    let expected: Vec<&str> = expected_text.lines().collect();
    let missing: Vec<&&str> = expected
        .iter()
        .filter(|line| !actual.iter().any(|a| a == **line))
        .take(5)
        .collect();
    let extra: Vec<&String> = actual
        .iter()
        .filter(|line| !expected.contains(&line.as_str()))
        .take(5)
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "findings on {CORPUS} changed (first 5 each):\nmissing: {missing:#?}\nnew: {extra:#?}"
    );
    assert_eq!(
        actual,
        expected,
        "same findings, different order or count in {}",
        Path::new(EXPECTED).display()
    );
}
