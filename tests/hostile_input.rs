//! Inputs a repository can hold that used to hang or blow up: each runs here on a bounded
//! input, fast now, and would hang or run for seconds to minutes if the linear path
//! regressed (timings are measured in bench/, never asserted here).

mod common;

use std::fmt::Write as _;
use std::process::Command;

use common::run_in;

#[test]
fn a_fifo_in_a_folder_is_skipped_and_one_named_is_read_as_a_stream() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ok.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
    )
    .unwrap();
    let fifo = dir.path().join("x.yaml");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    // No writer: opening it would block forever. The walk skips it and says so.
    let run = run_in(dir.path(), &["lint", ".", "--no-config"], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("x.yaml: skipped: not a regular file"),
        "{}",
        run.stderr
    );
    // Named, it is read as a stream, like `<(helm template …)`.
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            std::fs::write(
                fifo,
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n",
            )
            .unwrap();
        })
    };
    let named = run_in(
        dir.path(),
        &["lint", "x.yaml", "--no-config", "-f", "json"],
        "",
    );
    writer.join().unwrap();
    assert_eq!(named.code, 0, "{}", named.stderr);
    assert_eq!(named.json()["summary"]["objects"], 1);
}

#[test]
fn a_huge_indent_over_many_continuation_lines_stays_linear() {
    // The re-indent retry for go-yaml-style quoted continuations used to pad every line to
    // the key's indent: 50,000 × 2,000 would be 100 MB here (10 GB in the case).
    let mut text = String::from("a:\n");
    let indent = " ".repeat(50_000);
    let _ = writeln!(text, "{indent}b: \"start");
    for _ in 0..2_000 {
        text.push_str("continued\n");
    }
    text.push_str("end\"\n");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("deep.yaml"), &text).unwrap();
    let run = run_in(dir.path(), &["lint", "deep.yaml", "--no-config"], "");
    assert!(matches!(run.code, 0 | 2), "{}", run.stderr);
}

#[test]
fn nested_anchors_are_charged_for_what_they_copy() {
    // `&a0 [&a1 [&a2 … [1, 1, …]]]`: each anchor copies its whole subtree.
    let mut text =
        String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  x: ");
    for level in 0..250 {
        let _ = write!(text, "&a{level} [");
    }
    text.push_str(&vec!["1"; 20_000].join(", "));
    text.push_str(&"]".repeat(250));
    text.push('\n');
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("anchors.yaml"), &text).unwrap();
    let run = run_in(dir.path(), &["lint", "anchors.yaml", "--no-config"], "");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("an alias bomb?"), "{}", run.stderr);
}

#[test]
fn a_mapping_with_many_keys_is_checked_for_duplicates_in_linear_time() {
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n");
    for i in 0..100_000 {
        let _ = writeln!(text, "  key{i}: v");
    }
    text.push_str("  key7: again\n");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("big.yaml"), &text).unwrap();
    let run = run_in(
        dir.path(),
        &["lint", "big.yaml", "--no-config", "-f", "json"],
        "",
    );
    let json = run.json();
    let duplicates: Vec<_> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "duplicate-key")
        .collect();
    assert_eq!(duplicates.len(), 1, "{}", run.stdout);
}

#[test]
fn the_human_output_of_a_big_stream_finds_lines_by_index() {
    // Thousands of findings in one file: each used to be located by scanning from byte 0.
    let mut text = String::new();
    for i in 0..3_000 {
        let _ = write!(
            text,
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web{i}}}\nspec:\n  selector: {{matchLabels: {{app: web{i}}}}}\n  template:\n    metadata: {{labels: {{app: web{i}}}}}\n    spec:\n      containers: [{{name: web, image: \"x:latest\"}}]\n"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("stream.yaml"), &text).unwrap();
    let run = run_in(dir.path(), &["lint", "stream.yaml", "--no-config"], "");
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("stream.yaml:29990:"),
        "the last one is located too"
    );
}

#[test]
fn many_near_identical_workloads_and_services_stay_near_linear() {
    // blue-green-standby-undersized compares candidate pairs; with every Service selecting
    // every workload it used to scan each Service list inside the pair loop (≈ N⁴).
    let mut text = String::new();
    for i in 0..300 {
        let _ = write!(
            text,
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web{i}}}\nspec:\n  replicas: 2\n  selector: {{matchLabels: {{app: web, slot: s{i}}}}}\n  template:\n    metadata: {{labels: {{app: web, slot: s{i}}}}}\n    spec:\n      containers: [{{name: web, image: \"x:1.0.0\", ports: [{{containerPort: 80}}]}}]\n---\napiVersion: v1\nkind: Service\nmetadata: {{name: web{i}}}\nspec:\n  selector: {{app: web}}\n  ports: [{{port: 80}}]\n"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("many.yaml"), &text).unwrap();
    let run = run_in(
        dir.path(),
        &["lint", "many.yaml", "--no-config", "-f", "json"],
        "",
    );
    assert_eq!(run.json()["summary"]["objects"], 600, "{}", run.stderr);
}

#[test]
fn folder_walks_honour_gitignore_unless_no_ignore() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".gitignore"), "generated/\n").unwrap();
    std::fs::create_dir(dir.path().join("generated")).unwrap();
    std::fs::write(
        dir.path().join("generated/out.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: \"x:latest\"}]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
    )
    .unwrap();
    let default = run_in(dir.path(), &["lint", ".", "--no-config", "-f", "json"], "");
    assert_eq!(default.code, 0, "{}", default.stdout);
    assert_eq!(default.json()["summary"]["files"], 1);
    let all = run_in(
        dir.path(),
        &["lint", ".", "--no-config", "--no-ignore", "-f", "json"],
        "",
    );
    assert_eq!(all.code, 1);
    assert_eq!(all.json()["summary"]["files"], 2);
    // A file named on the command line is read whatever .gitignore says.
    let named = run_in(
        dir.path(),
        &["lint", "generated/out.yaml", "--no-config"],
        "",
    );
    assert_eq!(named.code, 1);
}

#[test]
fn every_format_of_a_stream_with_many_findings_stays_linear() {
    // Human output scanned the whole file for carriage returns once per finding; JUnit
    // scanned every finding for every case (objects × rules × findings).
    let mut text = String::new();
    for i in 0..1_500 {
        let _ = write!(
            text,
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web{i}}}\nspec:\n  selector: {{matchLabels: {{app: web{i}}}}}\n  template:\n    metadata: {{labels: {{app: web{i}}}}}\n    spec:\n      containers: [{{name: web, image: \"x:latest\", ports: [{{containerPort: 80}}]}}]\n"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("stream.yaml"), &text).unwrap();
    for format in [
        "human", "junit", "sarif", "gitlab", "github", "markdown", "json",
    ] {
        let run = run_in(
            dir.path(),
            &["lint", "stream.yaml", "--no-config", "-f", format],
            "",
        );
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        assert!(
            run.stdout.contains("web1499"),
            "{format}: the last object is reported"
        );
    }
}

#[test]
fn copies_of_one_app_in_many_files_do_not_multiply_their_lookups() {
    // The same Deployment, HPA and PDB in 150 files of one folder (copied manifests, one
    // namespace): every PDB met every copy of the workload, and each copy every HPA.
    let dir = tempfile::tempdir().unwrap();
    let app = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: \"x:1.0.0\", ports: [{containerPort: 80}]}]\n---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 2\n  maxReplicas: 5\n---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\nspec:\n  minAvailable: 1\n  selector: {matchLabels: {app: web}}\n";
    for i in 0..150 {
        std::fs::write(dir.path().join(format!("app{i:03}.yaml")), app).unwrap();
    }
    let run = run_in(dir.path(), &["lint", ".", "--no-config", "-f", "json"], "");
    assert_eq!(run.json()["summary"]["objects"], 450, "{}", run.stderr);
}
