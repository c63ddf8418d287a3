//! `switch` and `set-weight` as edits of manifests in git: on the rendered output of every
//! strategy and traffic layer, the result lints clean, only the changed scalars' bytes
//! differ, and the real kubectl's `patch --local` with the same merge patch gives the same
//! object.

mod common;

use std::path::Path;
use std::process::Command;

use common::{repo, run_in};

fn render(dir: &Path, strategy: &str, traffic: &str) {
    let spec = repo().join("examples/app/zerodown.yaml");
    let mut args = vec![
        "render",
        spec.to_str().unwrap(),
        "--no-config",
        "--strategy",
        strategy,
        "--traffic",
        traffic,
        "--out",
        ".",
    ];
    if strategy == "ab" {
        args.extend([
            "--set",
            "ab={image: ghcr.io/acme/checkout:1.5.0, header: x-variant, value: b}",
        ]);
    }
    let run = run_in(dir, &args, "");
    assert_eq!(run.code, 0, "{}", run.stderr);
}

fn texts(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// The YAML object of a one-object file, as JSON.
fn object(text: &str) -> serde_json::Value {
    let (mut documents, errors) = zerodown::yaml::load(text);
    assert!(errors.is_empty());
    documents.remove(0).value
}

/// What changed between two texts, line by line (the files keep their line count).
fn changed_lines(old: &str, new: &str) -> Vec<(String, String)> {
    assert_eq!(
        old.lines().count(),
        new.lines().count(),
        "an edit of existing scalars adds no line"
    );
    old.lines()
        .zip(new.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// The merge patch between two objects (what `--live` would send), checked with kubectl.
fn kubectl_agrees(dir: &Path, name: &str, before: &str, after: &str) {
    let (old, new) = (object(before), object(after));
    let patch = zerodown::ops::edit::merge_patch_between(&old, &new);
    let file = dir.join(format!("before-{name}"));
    std::fs::write(&file, before).unwrap();
    let output = Command::new("kubectl")
        .args([
            "patch",
            "--local",
            "-f",
            file.to_str().unwrap(),
            "--type",
            "merge",
            "-p",
            &patch.to_string(),
            "-o",
            "json",
        ])
        .output()
        .expect("kubectl is installed on these machines (client only)");
    assert!(
        output.status.success(),
        "kubectl: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let patched: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        patched, new,
        "{name}: kubectl patch --local with {patch} differs from the edit"
    );
    std::fs::remove_file(file).unwrap();
}

/// Runs an edit command in `dir` and checks: exit 0, the rendered output still lints clean,
/// only scalar values changed, and kubectl agrees on every changed object.
fn edit_and_check(dir: &Path, args: &[&str], expected_changes: usize) {
    let before = texts(dir);
    let run = run_in(dir, args, "");
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    let after = texts(dir);
    let lint = run_in(dir, &["lint", ".", "--no-config"], "");
    assert_eq!(lint.code, 0, "{args:?} leaves findings: {}", lint.stdout);
    let mut changes = 0;
    for ((name, old), (_, new)) in before.iter().zip(&after) {
        if old == new {
            continue;
        }
        let lines = changed_lines(old, new);
        for (a, b) in &lines {
            // Same key, same indentation: only the value's bytes differ.
            let key = |l: &str| l.split_once(':').map(|(k, _)| k.to_string());
            assert_eq!(key(a), key(b), "{name}: `{a}` became `{b}`");
        }
        changes += lines.len();
        kubectl_agrees(dir, name, old, new);
    }
    assert_eq!(changes, expected_changes, "{args:?}: {}", run.stdout);
}

#[test]
fn set_weight_on_every_canary_layer() {
    for (traffic, changes) in [("gateway", 2), ("istio", 2), ("nginx", 1)] {
        let dir = tempfile::tempdir().unwrap();
        render(dir.path(), "canary", traffic);
        edit_and_check(dir.path(), &["set-weight", "50", "--no-config"], changes);
        // --next follows the seed's phases: 50 → 100.
        edit_and_check(
            dir.path(),
            &["set-weight", "--next", "--no-config"],
            changes,
        );
        let at_end = run_in(dir.path(), &["set-weight", "--next", "--no-config"], "");
        assert_eq!(at_end.code, 2, "{traffic}");
        assert!(at_end.stderr.contains("promote"), "{}", at_end.stderr);
    }
}

#[test]
fn switch_on_every_blue_green_layer() {
    for traffic in ["gateway", "istio", "nginx"] {
        let dir = tempfile::tempdir().unwrap();
        render(dir.path(), "blue-green", traffic);
        edit_and_check(dir.path(), &["switch", "--no-config"], 2);
        edit_and_check(dir.path(), &["switch", "--to", "blue", "--no-config"], 2);
    }
}

#[test]
fn moves_that_do_not_apply_are_refused_with_the_reason() {
    // Argo Rollouts sets the weights of its own route.
    let dir = tempfile::tempdir().unwrap();
    render(dir.path(), "canary", "argo-rollouts");
    let before = texts(dir.path());
    let run = run_in(dir.path(), &["set-weight", "30", "--no-config"], "");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("set by the Argo Rollout"),
        "{}",
        run.stderr
    );
    assert_eq!(texts(dir.path()), before);
    // An Argo blue-green Rollout is switched by its controller at promotion: nothing in
    // the files to flip, and the user is sent to the live promote.
    let dir = tempfile::tempdir().unwrap();
    render(dir.path(), "blue-green", "argo-rollouts");
    let run = run_in(dir.path(), &["switch", "--no-config"], "");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("Rollout checkout: the Argo Rollouts controller moves its activeService"),
        "{}",
        run.stderr
    );
    // A header-routed A/B split has no weight; a rolling app has no colours.
    for (strategy, command) in [("ab", "set-weight"), ("rolling", "switch")] {
        let dir = tempfile::tempdir().unwrap();
        render(dir.path(), strategy, "nginx");
        let mut args = vec![command, "--no-config"];
        if command == "set-weight" {
            args.insert(1, "20");
        }
        let run = run_in(dir.path(), &args, "");
        assert_eq!(run.code, 2, "{strategy}: {}", run.stderr);
    }
    // The target colour is not in the input.
    let dir = tempfile::tempdir().unwrap();
    render(dir.path(), "blue-green", "gateway");
    let green = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("deployment-checkout-green"))
        .unwrap();
    std::fs::remove_file(green).unwrap();
    let before = texts(dir.path());
    let run = run_in(dir.path(), &["switch", "--no-config"], "");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("would send traffic to nothing"),
        "{}",
        run.stderr
    );
    assert_eq!(texts(dir.path()), before, "nothing written");
    // --force passes the colour check, not the re-lint: a Service selecting nothing is new.
    let forced = run_in(dir.path(), &["switch", "--force", "--no-config"], "");
    assert_eq!(forced.code, 1, "{}", forced.stderr);
    assert!(
        forced.stderr.contains("service-selects-nothing"),
        "{}",
        forced.stderr
    );
    assert_eq!(texts(dir.path()), before, "nothing written");
}

#[test]
fn dry_run_prints_the_diff_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    render(dir.path(), "canary", "gateway");
    let before = texts(dir.path());
    let run = run_in(
        dir.path(),
        &["set-weight", "25", "--dry-run", "--no-config"],
        "",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("-      weight: 10\n+      weight: 25\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("+++ b/"), "a unified diff");
    assert_eq!(texts(dir.path()), before);
    let stdin = run_in(dir.path(), &["switch", "-"], "");
    assert_eq!(stdin.code, 2);
}

#[test]
fn an_edit_that_adds_an_error_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("canary.yaml"),
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: main\n  namespace: shop\nspec:\n  ingressClassName: nginx\n  rules:\n  - host: shop.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n          service: {name: web, port: {number: 80}}\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: canary\n  namespace: shop\n  annotations:\n    nginx.ingress.kubernetes.io/canary: \"true\"\n    nginx.ingress.kubernetes.io/canary-weight: \"10\"\n    nginx.ingress.kubernetes.io/canary-weight-total: \"50\"\nspec:\n  ingressClassName: nginx\n  rules:\n  - host: shop.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n          service: {name: web-canary, port: {number: 80}}\n",
    )
    .unwrap();
    let before = texts(dir.path());
    // 80 is above this canary's weight total of 50: canary-weight-invalid would be new.
    let run = run_in(dir.path(), &["set-weight", "80", "--no-config"], "");
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("canary-weight-invalid"),
        "{}",
        run.stderr
    );
    assert_eq!(texts(dir.path()), before);
}

#[test]
fn promote_gives_the_stable_the_canary_image_and_the_weight_back_to_zero() {
    for (traffic, changes) in [("gateway", 3), ("istio", 3), ("nginx", 2)] {
        let dir = tempfile::tempdir().unwrap();
        render(dir.path(), "canary", traffic);
        edit_and_check(dir.path(), &["promote", "--no-config"], changes);
        let all: String = texts(dir.path()).into_iter().map(|(_, t)| t).collect();
        assert_eq!(
            all.matches("ghcr.io/acme/checkout:1.5.0").count(),
            2,
            "{traffic}: stable and canary run 1.5.0"
        );
        let again = run_in(dir.path(), &["promote", "--no-config"], "");
        assert_eq!(again.code, 2, "nothing left to promote");
    }
    // Blue-green: the standby becomes live.
    let dir = tempfile::tempdir().unwrap();
    render(dir.path(), "blue-green", "gateway");
    edit_and_check(dir.path(), &["promote", "--no-config"], 2);
}

#[test]
fn rollback_of_a_canary_and_of_blue_green() {
    let dir = tempfile::tempdir().unwrap();
    render(dir.path(), "canary", "istio");
    edit_and_check(dir.path(), &["rollback", "--no-config"], 2);
    let vs = texts(dir.path())
        .into_iter()
        .find(|(n, _)| n.contains("virtualservice"))
        .unwrap()
        .1;
    assert!(vs.contains("subset: canary\n      weight: 0"), "{vs}");
    let dir = tempfile::tempdir().unwrap();
    render(dir.path(), "blue-green", "nginx");
    edit_and_check(dir.path(), &["switch", "--no-config"], 2);
    edit_and_check(dir.path(), &["rollback", "--no-config"], 2);
    let live = texts(dir.path())
        .into_iter()
        .find(|(n, _)| n.ends_with("service-checkout.yaml"))
        .unwrap()
        .1;
    assert!(
        live.contains("zerodown.dev/color: blue"),
        "back to the previous colour: {live}"
    );
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.email=ci@example.com", "-c", "user.name=ci"])
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

#[test]
fn rollback_of_a_plain_deployment_restores_the_images_before_the_last_image_commit() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    render(dir.path(), "rolling", "gateway");
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "release 1.4.2"]);
    let deployment = texts(dir.path())
        .into_iter()
        .find(|(n, _)| n.contains("deployment-checkout"))
        .unwrap()
        .0;
    let path = dir.path().join(&deployment);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("checkout:1.4.2", "checkout:1.4.3")).unwrap();
    git(dir.path(), &["commit", "-qam", "release 1.4.3"]);
    // A later commit that touches the file but not the image does not count.
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen(
            "app.kubernetes.io/name: checkout",
            "app.kubernetes.io/name: checkout\n    team: payments",
            1,
        ),
    )
    .unwrap();
    git(dir.path(), &["commit", "-qam", "label"]);
    edit_and_check(dir.path(), &["rollback", "--no-config"], 1);
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("checkout:1.4.2")
    );
    // An uncommitted image change is refused: the rollback would be based on a guess.
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("checkout:1.4.2", "checkout:9.9.9")).unwrap();
    let run = run_in(dir.path(), &["rollback", "--no-config"], "");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("commit or discard"), "{}", run.stderr);
}

/// Every move on the rendered output of every strategy × traffic layer: it either applies
/// (exit 0, lint stays clean, only scalars change, kubectl agrees) or is refused with exit 2
/// and writes nothing. Which one is the contract, spelled out here.
#[test]
fn every_move_on_every_strategy_and_traffic_layer() {
    // (strategy, traffic, command) → applies? Everything not listed is refused.
    let applies = |strategy: &str, traffic: &str, command: &str| match (strategy, command) {
        ("canary", "set-weight" | "promote" | "rollback") => traffic != "argo-rollouts",
        ("blue-green", "switch" | "promote" | "rollback") => traffic != "argo-rollouts",
        // A/B: the header-routed variant (`NAME-b`) has no weight and is an experiment,
        // not a canary: which side wins is not for a tool to guess.
        _ => false,
    };
    for strategy in ["rolling", "blue-green", "canary", "ab"] {
        for traffic in ["gateway", "istio", "nginx", "argo-rollouts"] {
            if strategy == "ab" && traffic == "argo-rollouts" {
                continue; // render refuses this combination itself
            }
            for command in ["switch", "set-weight", "promote", "rollback"] {
                let dir = tempfile::tempdir().unwrap();
                render(dir.path(), strategy, traffic);
                let mut args = vec![command, "--no-config"];
                if command == "set-weight" {
                    args.insert(1, "30");
                }
                if applies(strategy, traffic, command) {
                    let before = texts(dir.path());
                    edit_and_check_any(dir.path(), &args);
                    assert_ne!(texts(dir.path()), before, "{strategy}/{traffic} {command}");
                } else {
                    let before = texts(dir.path());
                    let run = run_in(dir.path(), &args, "");
                    assert_eq!(
                        run.code, 2,
                        "{strategy}/{traffic} {command}: {}{}",
                        run.stdout, run.stderr
                    );
                    assert!(run.stderr.starts_with("error: ") || run.stderr.contains("\nerror: "));
                    assert_eq!(texts(dir.path()), before, "{strategy}/{traffic} {command}");
                }
            }
        }
    }
}

/// `edit_and_check` without a fixed count of changed lines.
fn edit_and_check_any(dir: &Path, args: &[&str]) {
    let before = texts(dir);
    let run = run_in(dir, args, "");
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    let lint = run_in(dir, &["lint", ".", "--no-config"], "");
    assert_eq!(lint.code, 0, "{args:?} leaves findings: {}", lint.stdout);
    for ((name, old), (_, new)) in before.iter().zip(&texts(dir)) {
        if old != new {
            changed_lines(old, new);
            kubectl_agrees(dir, name, old, new);
        }
    }
}
