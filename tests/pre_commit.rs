//! The pre-commit hooks for real: the real `pre-commit` (from PyPI; `.ci/run` installs it)
//! uses this repository as a hook repo at its HEAD commit, builds zerodown with `cargo
//! install` as it does for any `language: rust` hook, and refuses a commit of a broken
//! manifest or migration; the fixed files commit.
//!
//! The build goes to `target/pre-commit-hook` with a fast release profile (no LTO, opt-level
//! 0) so a second run is incremental; what is tested is the hook wiring, not the optimiser.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::repo;

fn git(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .env("PRE_COMMIT_HOME", dir.join("../pre-commit-home"))
        .env("CARGO_TARGET_DIR", repo().join("target/pre-commit-hook"))
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "64")
        .env("CARGO_PROFILE_RELEASE_INCREMENTAL", "true")
        .output()
        .expect("git runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn commit(dir: &Path, files: &[(&str, &str)]) -> Output {
    for (name, source) in files {
        let target = dir.join(name);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(repo().join(source), target).unwrap();
    }
    assert!(git(dir, &["add", "-A"]).status.success());
    git(dir, &["commit", "-m", "change"])
}

#[test]
fn the_hooks_refuse_a_broken_commit_and_pass_the_fixed_one() {
    let pre_commit = Command::new("pre-commit").arg("--version").output();
    assert!(
        pre_commit.is_ok_and(|o| o.status.success()),
        "pre-commit is not installed: `pip install pre-commit` (.ci/run does)"
    );
    let head = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(repo())
        .output()
        .unwrap();
    let head = String::from_utf8_lossy(&head.stdout).trim().to_string();
    let base = tempfile::tempdir().unwrap();
    let dir = base.path().join("app");
    std::fs::create_dir(&dir).unwrap();
    assert!(git(&dir, &["init", "-q"]).status.success());
    std::fs::write(
        dir.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n- repo: {}\n  rev: {head}\n  hooks:\n  - id: zerodown\n  - id: zerodown-all\n  - id: zerodown-migrations\n",
            repo().display()
        ),
    )
    .unwrap();
    let installed = Command::new("pre-commit")
        .args(["install"])
        .current_dir(&dir)
        .env("PRE_COMMIT_HOME", base.path().join("pre-commit-home"))
        .output()
        .unwrap();
    assert!(installed.status.success(), "{}", text(&installed));

    let broken = commit(
        &dir,
        &[("k8s/checkout.yaml", "examples/broken/checkout.yaml")],
    );
    let output = text(&broken);
    assert!(
        !broken.status.success(),
        "a broken manifest commits: {output}"
    );
    assert!(output.contains("readiness-probe-missing"), "{output}");
    assert!(output.contains("k8s/checkout.yaml:20:9"), "{output}");

    let fixed = commit(
        &dir,
        &[("k8s/checkout.yaml", "examples/fixed/checkout.yaml")],
    );
    assert!(
        fixed.status.success(),
        "the fixed manifest is refused: {}",
        text(&fixed)
    );

    let migration = commit(
        &dir,
        &[(
            "db/migrations/20261115090000_orders_status.up.sql",
            "examples/migrations/broken/20261115090000_orders_status.up.sql",
        )],
    );
    let output = text(&migration);
    assert!(
        !migration.status.success(),
        "a broken migration commits: {output}"
    );
    assert!(output.contains("add-required-column"), "{output}");
}
