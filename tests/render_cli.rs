//! `zerodown init` and `zerodown render` from the command line: exit codes, located spec
//! errors, atomic `--out`, template overrides.

mod common;

use std::fs;

use common::{repo, run_in};

fn zerodown_in(dir: &std::path::Path, args: &[&str]) -> common::Run {
    let mut all = args.to_vec();
    if matches!(args.first(), Some(&"render")) {
        all.push("--no-config");
    }
    run_in(dir, &all, "")
}

#[test]
fn init_then_render_gives_a_clean_stream() {
    let dir = tempfile::tempdir().unwrap();
    let run = zerodown_in(
        dir.path(),
        &[
            "init",
            "--name",
            "shop",
            "--image",
            "ghcr.io/acme/shop:2.0.1",
            "--strategy",
            "blue-green",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let again = zerodown_in(dir.path(), &["init", "--name", "shop"]);
    assert_eq!(again.code, 2, "init never overwrites without --force");
    assert!(
        again.stderr.contains("exists; pass --force"),
        "{}",
        again.stderr
    );

    let run = zerodown_in(dir.path(), &["render"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("name: shop-blue") && run.stdout.contains("name: shop-green"));
    // What render prints, lint accepts without a finding.
    let lint = run_in(
        dir.path(),
        &["lint", "-", "--no-config", "--fail-on", "info"],
        &run.stdout,
    );
    assert_eq!(lint.code, 0, "{}", lint.stdout);
}

#[test]
fn the_shipped_example_renders_clean() {
    let run = run_in(
        &repo(),
        &["render", "examples/app/zerodown.yaml", "--no-config"],
        "",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("kind: HTTPRoute"));
    assert!(run.stdout.contains("weight: 90") && run.stdout.contains("weight: 10"));
}

#[test]
fn spec_errors_are_located_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("zerodown.yaml"),
        "name: shop\nimage: ghcr.io/acme/shop:2.0.1\ngateway: public\nreplicas: 1\nstrategy: canery\nprobes:\n  readyness: {path: /ready}\n",
    )
    .unwrap();
    let run = zerodown_in(dir.path(), &["render"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(repo().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!("render_spec_errors", run.stderr));

    let run = zerodown_in(dir.path(), &["render", "missing.yaml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("missing.yaml"), "{}", run.stderr);

    let run = zerodown_in(dir.path(), &["render", "--set", "replicas"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("expected key=value"), "{}", run.stderr);
}

#[test]
fn out_writes_ordered_files_and_replaces_only_its_own() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(
        repo().join("examples/app/zerodown.yaml"),
        dir.path().join("zerodown.yaml"),
    )
    .unwrap();
    let out = dir.path().join("deploy");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("secret.yaml"), "kind: Secret\n").unwrap();

    let run = zerodown_in(dir.path(), &["render", "--out", "deploy"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut names: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names.first().map(String::as_str),
        Some("01-service-checkout.yaml"),
        "{names:?}"
    );
    assert!(names.contains(&"secret.yaml".to_string()));
    assert!(
        names
            .iter()
            .any(|n| n.ends_with("-httproute-checkout.yaml")),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|n| n.starts_with('.')),
        "no temporary file is left: {names:?}"
    );

    // A failing render writes nothing: the folder stays as the last good render left it.
    let before: Vec<_> = names
        .iter()
        .map(|n| fs::read(out.join(n)).unwrap())
        .collect();
    let run = zerodown_in(
        dir.path(),
        &["render", "--out", "deploy", "--set", "replicas=1"],
    );
    assert_eq!(run.code, 2);
    let after: Vec<_> = names
        .iter()
        .map(|n| fs::read(out.join(n)).unwrap())
        .collect();
    assert_eq!(before, after);

    // Another strategy: the canary files of the last render go, the user's file stays.
    let run = zerodown_in(
        dir.path(),
        &["render", "--out", "deploy", "--strategy", "rolling"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("removed"), "{}", run.stderr);
    assert!(out.join("secret.yaml").exists());
    assert!(
        !fs::read_dir(&out).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains("canary"))
    );
}

#[test]
fn a_template_override_that_breaks_a_rule_stops_the_output() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(
        repo().join("examples/app/zerodown.yaml"),
        dir.path().join("zerodown.yaml"),
    )
    .unwrap();
    let templates = dir.path().join("templates");
    fs::create_dir_all(templates.join("_partials")).unwrap();
    // A team's pod template that forgot the readiness probe.
    let pod = fs::read_to_string(repo().join("templates/_partials/pod-template.yaml.j2")).unwrap();
    let without_probes = pod.replace(
        "{% for kind in [\"startup\", \"readiness\", \"liveness\"] %}",
        "{% for kind in [\"startup\", \"liveness\"] %}",
    );
    assert_ne!(pod, without_probes);
    fs::write(
        templates.join("_partials/pod-template.yaml.j2"),
        without_probes,
    )
    .unwrap();
    let out = dir.path().join("deploy");
    let run = zerodown_in(
        dir.path(),
        &["render", "--templates", "templates", "--out", "deploy"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("readiness-probe-missing"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert!(!out.exists());

    let run = zerodown_in(dir.path(), &["render", "--templates", "no-such-folder"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("not a folder of templates"),
        "{}",
        run.stderr
    );

    // A template that does not render is an input error with its place.
    fs::write(
        templates.join("service.yaml.j2"),
        "kind: Service\n{{ oops(\n",
    )
    .unwrap();
    let run = zerodown_in(dir.path(), &["render", "--templates", "templates"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("service.yaml.j2"), "{}", run.stderr);
}

#[test]
fn kubectl_plugin_renders_too() {
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_kubectl-zerodown"))
        .args([
            "render",
            "examples/app/zerodown.yaml",
            "--no-config",
            "--traffic",
            "istio",
        ])
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(String::from_utf8_lossy(&run.stdout).contains("kind: VirtualService"));
}
