//! Migration Jobs and Jobs that block the next apply: `migration-job-retries`,
//! `migration-job-unordered`, `job-template-immutable`.

mod common;

/// (message, pointer) of each finding of `rule`.
fn findings(rule: &str, text: &str) -> Vec<(String, String)> {
    common::diagnostics_of(rule, &[("input.yaml", text)])
        .into_iter()
        .map(|d| (d.message, d.pointer.unwrap_or_default()))
        .collect()
}

/// A Job; `metadata` and `spec` are extra lines (indented 2) under each.
fn job(name: &str, metadata: &str, spec: &str, container: &str, image: &str) -> String {
    format!(
        "apiVersion: batch/v1
kind: Job
metadata:
  name: {name}
{metadata}spec:
{spec}  template:
    spec:
      restartPolicy: Never
      containers:
      - name: {container}
        image: {image}
        command: [\"./run.sh\"]
---
"
    )
}

fn workload(kind: &str, name: &str, metadata: &str, image: &str) -> String {
    let api = if kind == "Rollout" {
        "argoproj.io/v1alpha1"
    } else {
        "apps/v1"
    };
    format!(
        "apiVersion: {api}
kind: {kind}
metadata:
  name: {name}
{metadata}spec:
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
      - name: app
        image: {image}
---
"
    )
}

const RETRIES: &str = "migration-job-retries";
const UNORDERED: &str = "migration-job-unordered";
const IMMUTABLE: &str = "job-template-immutable";
const IMAGE: &str = "ghcr.io/acme/web:1.5.0";

#[test]
fn retries_unset_means_six() {
    let found = findings(RETRIES, &job("db-migrate", "", "", "main", IMAGE));
    assert_eq!(found.len(), 1);
    assert!(
        found[0].0.contains("no backoffLimit, which means 6"),
        "{}",
        found[0].0
    );
    assert!(found[0].1.ends_with("/spec/backoffLimit"), "{}", found[0].1);
    let found = findings(
        RETRIES,
        &job("db-migrate", "", "  backoffLimit: 3\n", "main", IMAGE),
    );
    assert!(found[0].0.contains("backoffLimit: 3"));
    assert!(found[0].1.ends_with("/spec/backoffLimit"));
    assert!(
        findings(
            RETRIES,
            &job("db-migrate", "", "  backoffLimit: 0\n", "main", IMAGE)
        )
        .is_empty()
    );
}

#[test]
fn what_makes_a_migration() {
    let cases = [
        job("db-Migration", "", "", "main", IMAGE),
        job("setup", "", "", "migrate", IMAGE),
        job(
            "setup",
            "  annotations: {zerodown.dev/role: migration}\n",
            "",
            "main",
            IMAGE,
        ),
        job("setup", "", "", "main", IMAGE)
            .replace("[\"./run.sh\"]", "[\"sh\", \"-c\", \"rails db:migrate\"]"),
        job("x", "", "", "main", IMAGE).replace("  name: x\n", "  generateName: migrate-\n"),
    ];
    for text in &cases {
        assert_eq!(findings(RETRIES, text).len(), 1, "{text}");
    }
    assert!(findings(RETRIES, &job("backup", "", "", "main", IMAGE)).is_empty());
    let cron = "apiVersion: batch/v1
kind: CronJob
metadata:
  name: db-migrate
spec:
  schedule: '0 * * * *'
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: migrate
            image: ghcr.io/acme/web:1
";
    assert!(
        findings(RETRIES, cron).is_empty(),
        "CronJobs are not checked"
    );
}

#[test]
fn zero_retries_with_on_failure_restarts_in_place() {
    let text = job("db-migrate", "", "  backoffLimit: 0\n", "main", IMAGE)
        .replace("restartPolicy: Never", "restartPolicy: OnFailure");
    let found = findings(RETRIES, &text);
    assert_eq!(found.len(), 1);
    assert!(found[0].1.ends_with("/spec/template/spec/restartPolicy"));
}

#[test]
fn a_fail_job_policy_or_per_index_limit_is_a_decision() {
    let policy = "  podFailurePolicy:\n    rules:\n    - action: FailJob\n      onExitCodes: {operator: NotIn, values: [0]}\n";
    assert!(findings(RETRIES, &job("db-migrate", "", policy, "main", IMAGE)).is_empty());
    let indexed = "  completionMode: Indexed\n  completions: 2\n  backoffLimitPerIndex: 1\n";
    assert!(findings(RETRIES, &job("db-migrate", "", indexed, "main", IMAGE)).is_empty());
}

#[test]
fn unordered_beside_a_workload_of_the_same_image() {
    let text = job("db-migrate", "", "  backoffLimit: 0\n", "main", IMAGE)
        + &workload("Deployment", "web", "", "ghcr.io/acme/web:1.4.0");
    let found = findings(UNORDERED, &text);
    assert_eq!(found.len(), 1);
    assert!(found[0].0.contains("Deployment/web"), "{}", found[0].0);
    assert!(found[0].0.contains("ghcr.io/acme/web"));
    assert!(found[0].1.ends_with("/metadata/name"));
    let other = job("db-migrate", "", "", "main", IMAGE)
        + &workload("Deployment", "api", "", "ghcr.io/acme/api:1.5.0");
    assert!(findings(UNORDERED, &other).is_empty());
    assert!(findings(UNORDERED, &job("db-migrate", "", "", "main", IMAGE)).is_empty());
}

#[test]
fn image_repositories_ignore_tags_digests_and_keep_ports() {
    let pairs = [
        ("registry:5000/web:2", "registry:5000/web:1", true),
        ("registry:5000/web:2", "registry:5001/web:2", false),
        ("ghcr.io/acme/web@sha256:0123", "ghcr.io/acme/web:1.0", true),
        ("nginx:1.27", "docker.io/library/nginx:1.26", true),
        ("ghcr.io/acme/web", "ghcr.io/acme/web-worker", false),
    ];
    for (job_image, workload_image, fires) in pairs {
        let text = job("db-migrate", "", "", "main", job_image)
            + &workload("Deployment", "web", "", workload_image);
        assert_eq!(
            findings(UNORDERED, &text).len(),
            usize::from(fires),
            "{job_image} vs {workload_image}"
        );
    }
}

#[test]
fn hooks_and_waves_order_the_job() {
    let deployment = workload("Deployment", "web", "", IMAGE);
    let with = |metadata: &str| job("db-migrate", metadata, "", "main", IMAGE) + &deployment;
    for ordered in [
        "  annotations: {helm.sh/hook: \"pre-install,pre-upgrade\"}\n",
        "  annotations: {helm.sh/hook: pre-upgrade}\n",
        "  annotations: {argocd.argoproj.io/hook: PreSync}\n",
        "  annotations: {argocd.argoproj.io/sync-wave: \"-1\"}\n",
    ] {
        assert!(findings(UNORDERED, &with(ordered)).is_empty(), "{ordered}");
    }
    let found = findings(
        UNORDERED,
        &with("  annotations: {helm.sh/hook: pre-install}\n"),
    );
    assert_eq!(found.len(), 1);
    assert!(
        found[0].0.contains("pre-install hook but not pre-upgrade"),
        "{}",
        found[0].0
    );
    assert!(
        found[0].1.ends_with("/metadata/annotations/helm.sh~1hook"),
        "{}",
        found[0].1
    );
    let found = findings(
        UNORDERED,
        &with("  annotations: {helm.sh/hook: \"post-install,post-upgrade\"}\n"),
    );
    assert!(found[0].0.contains("post-install,post-upgrade"));
    assert_eq!(
        findings(
            UNORDERED,
            &with("  annotations: {argocd.argoproj.io/hook: Sync}\n")
        )
        .len(),
        1
    );
    assert_eq!(
        findings(
            UNORDERED,
            &with("  annotations: {argocd.argoproj.io/sync-wave: \"0\"}\n")
        )
        .len(),
        1
    );

    // Waves compare with the workload's: 5 before 10, 5 after an unset (0) wave.
    let late = workload(
        "Deployment",
        "web",
        "  annotations: {argocd.argoproj.io/sync-wave: \"10\"}\n",
        IMAGE,
    );
    let early_job = job(
        "db-migrate",
        "  annotations: {argocd.argoproj.io/sync-wave: \"5\"}\n",
        "",
        "main",
        IMAGE,
    );
    assert!(findings(UNORDERED, &(early_job.clone() + &late)).is_empty());
    assert_eq!(findings(UNORDERED, &(early_job + &deployment)).len(), 1);
}

#[test]
fn a_workload_waiting_for_the_job_is_ordered() {
    let waiting = workload("Deployment", "web", "", IMAGE).replace(
        "      containers:\n",
        "      initContainers:\n      - name: wait\n        image: groundnuty/k8s-wait-for:v2.0\n        args: [job, db-migrate]\n      containers:\n",
    );
    let text = job("db-migrate", "", "", "main", IMAGE) + &waiting;
    assert!(findings(UNORDERED, &text).is_empty());
}

#[test]
fn workload_kinds_and_namespaces() {
    let found = findings(
        UNORDERED,
        &(job("db-migrate", "", "", "main", IMAGE)
            + &workload("Rollout", "web", "", IMAGE)
            + &workload("StatefulSet", "web-ss", "", IMAGE)
                .replace("spec:\n  selector", "spec:\n  serviceName: web\n  selector")),
    );
    assert_eq!(found.len(), 1, "one finding per Job");
    assert!(
        found[0].0.contains("Rollout/web, StatefulSet/web-ss"),
        "{}",
        found[0].0
    );
    let elsewhere = job("db-migrate", "", "", "main", IMAGE)
        + &workload("Deployment", "web", "  namespace: other\n", IMAGE);
    assert!(findings(UNORDERED, &elsewhere).is_empty());
    let two_jobs = job("db-migrate", "", "", "main", IMAGE) + &job("report", "", "", "main", IMAGE);
    assert!(
        findings(UNORDERED, &two_jobs).is_empty(),
        "a Job is not a workload"
    );
}

#[test]
fn immutable_job_fires_at_its_name() {
    let found = findings(IMMUTABLE, &job("seed", "", "", "main", IMAGE));
    assert_eq!(found.len(), 1);
    assert!(found[0].0.contains("Job `seed`"));
    assert!(found[0].1.ends_with("/metadata/name"));
}

#[test]
fn immutable_job_exemptions() {
    let silent = [
        job(
            "seed",
            "",
            "  ttlSecondsAfterFinished: 300\n",
            "main",
            IMAGE,
        ),
        job("x", "", "", "main", IMAGE).replace("  name: x\n", "  generateName: seed-\n"),
        job(
            "seed",
            "  annotations: {helm.sh/hook: post-install}\n",
            "",
            "main",
            IMAGE,
        ),
        job(
            "seed",
            "  annotations: {helm.sh/hook: pre-upgrade, helm.sh/hook-delete-policy: \"hook-failed,before-hook-creation\"}\n",
            "",
            "main",
            IMAGE,
        ),
        job(
            "seed",
            "  annotations: {helm.sh/hook: pre-upgrade, helm.sh/hook-delete-policy: hook-succeeded}\n",
            "",
            "main",
            IMAGE,
        ),
        job(
            "seed",
            "  annotations: {argocd.argoproj.io/hook: PreSync}\n",
            "",
            "main",
            IMAGE,
        ),
        job(
            "seed",
            "  annotations: {argocd.argoproj.io/sync-options: \"Force=true,Replace=true\"}\n",
            "",
            "main",
            IMAGE,
        ),
        job(
            "seed",
            "  annotations: {kustomize.toolkit.fluxcd.io/force: enabled}\n",
            "",
            "main",
            IMAGE,
        ),
    ];
    for text in &silent {
        assert!(findings(IMMUTABLE, text).is_empty(), "{text}");
    }
    let kept = [
        job(
            "seed",
            "  annotations: {helm.sh/hook: pre-upgrade, helm.sh/hook-delete-policy: hook-failed}\n",
            "",
            "main",
            IMAGE,
        ),
        job(
            "seed",
            "  annotations: {argocd.argoproj.io/hook: Sync, argocd.argoproj.io/hook-delete-policy: HookFailed}\n",
            "",
            "main",
            IMAGE,
        ),
        job(
            "seed",
            "  annotations: {argocd.argoproj.io/sync-wave: \"-1\"}\n",
            "",
            "main",
            IMAGE,
        ),
    ];
    for text in &kept {
        assert_eq!(findings(IMMUTABLE, text).len(), 1, "{text}");
    }
}

#[test]
fn waiting_means_naming_the_job_exactly() {
    let waiting = |args: &str| {
        workload("Deployment", "web", "", IMAGE).replace(
            "      containers:\n",
            &format!("      initContainers:\n      - name: wait\n        image: bitnami/kubectl:1.31\n        command: {args}\n      containers:\n"),
        )
    };
    let job = job("migrate", "", "", "main", IMAGE);
    let ordered = waiting("[sh, -c, \"kubectl wait --for=condition=complete job/migrate\"]");
    assert!(findings(UNORDERED, &(job.clone() + &ordered)).is_empty());
    let unrelated =
        waiting("[sh, -c, \"until nc -z db 5432; do sleep 1; done; ./premigrate-check\"]");
    assert_eq!(findings(UNORDERED, &(job + &unrelated)).len(), 1);
}

#[test]
fn a_generated_job_is_ordered_by_the_pipeline_that_creates_it() {
    let text = job("x", "", "", "main", IMAGE)
        .replace("  name: x\n", "  generateName: db-migrate-\n")
        + &workload("Deployment", "web", "", IMAGE);
    assert!(findings(UNORDERED, &text).is_empty());
}

#[test]
fn a_name_carrying_the_image_tag_is_a_new_job_each_release() {
    assert!(findings(IMMUTABLE, &job("seed-1-5-0", "", "", "main", IMAGE)).is_empty());
    let upper = job("seed-v2-3", "", "", "main", "registry:5000/web:V2.3");
    assert!(findings(IMMUTABLE, &upper).is_empty());
    let latest = job("seed-latest", "", "", "main", "ghcr.io/acme/web:latest");
    assert_eq!(findings(IMMUTABLE, &latest).len(), 1);
    let untagged = job("seed-5000", "", "", "main", "registry:5000/web");
    assert_eq!(
        findings(IMMUTABLE, &untagged).len(),
        1,
        "a port is not a tag"
    );
}
