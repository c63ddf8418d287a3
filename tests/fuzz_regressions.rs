//! Every input the fuzzers (fuzz/, scripts/fuzz-smoke.sh) kept, replayed through the CLI on
//! each test run: the lint targets' inputs must end in a verdict (exit 0, 1 or 2), never a
//! panic; a render spec is either refused as a spec error (exit 2) or renders manifests
//! that lint clean (exit 0) — render never accepts a spec and then rejects its own output.

mod common;

use std::path::PathBuf;

fn kept(target: &str) -> Vec<PathBuf> {
    let dir = common::repo().join("fuzz/regressions").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

fn path(file: &std::path::Path) -> &str {
    file.to_str().expect("regression file names are UTF-8")
}

#[test]
fn lint_inputs_end_in_a_verdict() {
    for target in ["yaml_load", "lint_all_formats"] {
        for file in kept(target) {
            for format in ["human", "json", "sarif", "junit"] {
                let run = common::run(&["lint", path(&file), "--no-config", "-f", format]);
                assert!(
                    matches!(run.code, 0..=2) && !run.stderr.contains("panicked"),
                    "{}: exit {}: {}",
                    file.display(),
                    run.code,
                    run.stderr
                );
            }
        }
    }
}

#[test]
fn render_specs_are_refused_or_render_clean() {
    let specs = kept("render_then_lint");
    assert!(
        !specs.is_empty(),
        "the kept render specs are in the repository"
    );
    for file in specs {
        let run = common::run(&["render", path(&file), "--no-config"]);
        assert!(
            run.code == 0 || run.code == 2,
            "{}: exit {} (render accepted the spec, then refused its output?): {}{}",
            file.display(),
            run.code,
            run.stdout,
            run.stderr
        );
    }
}
