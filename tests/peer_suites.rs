//! zerodown against its peers' own test fixtures: Polaris (FairwindsOps/polaris @ c0e23a2,
//! `test/checks/<checkId>/{success,failure}*.yaml`) and kube-linter (stackrox/kube-linter @
//! 35de568, `tests/checks/<check>.yml`), copied byte for byte into `tests/data/peers`
//! (Apache-2.0; see `tests/data/peers/NOTICE.md`).
//!
//! For each compared pair (a peer check and the zerodown rule for the same zero-downtime
//! concept) and each fixture unit, the peer's expected verdict must equal zerodown's, except
//! for the units listed in [`DELIBERATE`] with their reason. An entry there that agrees again,
//! or whose verdicts changed, fails the test as well, so the list stays true.
//!
//! Units and peer verdicts:
//! - Polaris: one verdict per file. `success*` means the check passes, `failure*` that it
//!   fails; Polaris's `mutated*` files (its auto-fix output) are not copied. Every file holds
//!   exactly one object of the kind Polaris judges (asserted), so a per-file verdict is the
//!   per-object one; zerodown "fires" when the mapped rule reports an object of the kinds
//!   the pair names (for `pdbMinAvailableGreaterThanHPAMinReplicas` Polaris judges the
//!   Deployment and zerodown reports the PodDisruptionBudget, which one file verdict
//!   bridges).
//! - kube-linter: one verdict per object of the kinds the check judges, keyed
//!   `Kind/name#N` with N the document's index in the file (several objects share a name
//!   such as `dont-fire`). By kube-linter's convention, checked against its e2e test
//!   (`e2etests/bats-tests.sh`) for every file used here, objects named `dont-fire*` must not
//!   trigger the check and all others must. The probe-port fixtures (`readiness-port`,
//!   `liveness-port`, `startup-port`) hold unnamed objects mixing both kinds of container,
//!   with the convention on the container names: one verdict per container there
//!   (`Kind/name#N containers[i]=name`), counting only findings on that container's probe.
//!   OpenShift `DeploymentConfig` objects are not compared: zerodown does not lint that kind.
//!
//! zerodown's verdict: `fires` when a finding of the mapped rule (any severity) is on the
//! unit, `silent` when none is, `input-error` when the file has input errors (exit 2).
//!
//! `cargo test --test peer_suites -- --nocapture` prints the agreement per pair.
//! `ZERODOWN_BIN=/path/to/zerodown` runs another build of zerodown (an older one, to compare).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// `(pair, file, object, peer verdict, zerodown verdict, reason)` for every unit where
/// zerodown and the peer disagree. `file` is relative to `tests/data/peers`, `object` is ""
/// for Polaris (one verdict per file). Reasons starting with "BUG:" are zerodown misses or
/// false positives to fix (listed so the test passes meanwhile); "PENDING:" ones wait for a
/// rule that is not built yet. Delete an entry when it starts to agree: the test says so.
#[rustfmt::skip]
const DELIBERATE: &[(&str, &str, &str, &str, &str, &str)] = &[
    // ---------------------------------------------------------------- Polaris
    ("polaris:readinessProbeMissing", "polaris/readinessProbeMissing/failure.yaml", "", "fires", "silent",
     "only serving containers need a readiness probe: this Pod's only container declares no port and no Service selects it, so it never receives traffic to protect"),
    ("polaris:livenessProbeMissing", "polaris/livenessProbeMissing/failure.yaml", "", "fires", "silent",
     "liveness-probe-missing judges serving containers only: this Pod's container declares no port and no Service selects it (Polaris wants a livenessProbe on every container)"),
    ("polaris:deploymentMissingReplicas", "polaris/deploymentMissingReplicas/failure.yaml", "", "fires", "silent",
     "nothing serves: the pod template has no containers (`containers: []`) and `apiVersion: v1` has no Deployment kind, so there are no requests one replica could drop; single-replica fires only for serving workloads"),
    ("polaris:missingPodDisruptionBudget", "polaris/missingPodDisruptionBudget/failure.yaml", "", "fires", "silent",
     "pdb-missing needs 2 or more serving replicas: this Deployment runs 1 (replicas unset) and its container declares no port; with one pod a PDB can only block drains or allow the outage anyway"),
    ("polaris:missingPodDisruptionBudget", "polaris/missingPodDisruptionBudget/failure-bad-ns.yaml", "", "fires", "silent",
     "pdb-missing needs 2 or more serving replicas: 1 replica (unset), no port, no Service; the PDB sits in another namespace, which zerodown would not count as coverage either"),
    ("polaris:missingPodDisruptionBudget", "polaris/missingPodDisruptionBudget/failure.bad-name.yaml", "", "fires", "silent",
     "pdb-missing needs 2 or more serving replicas: 1 replica (unset), no port, no Service; the PDB that selects nothing is reported by pdb-selects-nothing instead"),
    ("polaris:missingPodDisruptionBudget", "polaris/missingPodDisruptionBudget/failure.empty-labels.yaml", "", "fires", "silent",
     "pdb-missing needs 2 or more serving replicas: 1 replica (unset), no port, no Service; the PDB matches no template label and pdb-selects-nothing reports it"),
    ("polaris:missingPodDisruptionBudget", "polaris/missingPodDisruptionBudget/failure.no-labels.yaml", "", "fires", "silent",
     "pdb-missing needs 2 or more serving replicas: 1 replica (unset), no port, no Service; the PDB matches no template label and pdb-selects-nothing reports it"),
    ("polaris:missingPodDisruptionBudget", "polaris/missingPodDisruptionBudget/failure.no-metadata.yaml", "", "fires", "silent",
     "pdb-missing needs 2 or more serving replicas: 1 replica (unset), no port, no Service; the PDB matches no template label and pdb-selects-nothing reports it"),
    ("polaris:missingPodDisruptionBudget", "polaris/missingPodDisruptionBudget/failure.wrong-place.yaml", "", "fires", "silent",
     "pdb-missing needs 2 or more serving replicas: 1 replica (unset), no port, no Service; the labels sit on the Deployment, not its pods, and pdb-selects-nothing reports the PDB"),
    ("polaris:pdbDisruptionsIsZero", "polaris/pdbDisruptionsIsZero/failure.max.yaml", "", "fires", "silent",
     "this PDB blocks nothing: it has no selector, and a policy/v1 PDB without one selects no pod (`apiVersion: v1` has no PodDisruptionBudget kind at all); zerodown fires on maxUnavailable: 0 once the PDB selects pods"),
    ("polaris:pdbDisruptionsIsZero", "polaris/pdbDisruptionsIsZero/failure.min.yaml", "", "fires", "silent",
     "this PDB blocks nothing: it has no selector, and a policy/v1 PDB without one selects no pod (`apiVersion: v1` has no PodDisruptionBudget kind at all); zerodown fires on minAvailable: 100% once the PDB selects pods"),
    ("polaris:pdbDisruptionsIsZero", "polaris/pdbDisruptionsIsZero/failure.either.yaml", "", "fires", "silent",
     "this PDB blocks nothing: no selector (selects no pod), `apiVersion: v1` has no PodDisruptionBudget kind, and minAvailable with maxUnavailable together is rejected by the API server"),
    ("polaris:hpaMinAvailability", "polaris/hpaMinAvailability/success.minReplicaAbsent.yaml", "", "silent", "fires",
     "an HPA without minReplicas keeps 1 pod (the API default): at low traffic one pod serves everything; Polaris skips an unset minReplicas"),
    ("polaris:topologySpreadConstraint", "polaris/topologySpreadConstraint/failure.empty.yaml", "", "fires", "silent",
     "one replica (replicas unset) has nothing to spread: replicas-not-spread needs 2 or more, and single-replica already reports this Deployment; Polaris asks every pod spec for a constraint"),
    ("polaris:topologySpreadConstraint", "polaris/topologySpreadConstraint/failure.nospreadconstraint.yaml", "", "fires", "silent",
     "one replica (replicas unset) has nothing to spread: replicas-not-spread needs 2 or more, and single-replica already reports this Deployment; Polaris asks every pod spec for a constraint"),
    ("polaris:pdbMinAvailableGreaterThanHPAMinReplicas", "polaris/pdbMinAvailableGreaterThanHPAMinReplicas/success.equals.yaml", "", "silent", "fires",
     "minAvailable 5 of the HPA's 5 minimum pods leaves disruptionsAllowed at 0 at that size: every drain hangs. Polaris fails only minAvailable > minReplicas"),
    ("polaris:pdbMinAvailableGreaterThanHPAMinReplicas", "polaris/pdbMinAvailableGreaterThanHPAMinReplicas/success.hpa-no-match.yaml", "", "silent", "fires",
     "the HPA scales another Deployment, so this one runs 1 pod (replicas unset) and minAvailable 5 blocks its eviction; Polaris compares only with a matching HPA"),
    ("polaris:pdbMinAvailableGreaterThanHPAMinReplicas", "polaris/pdbMinAvailableGreaterThanHPAMinReplicas/success.no-hpa.yaml", "", "silent", "fires",
     "no HPA: the Deployment runs 1 pod (replicas unset) and minAvailable 5 blocks its eviction; Polaris compares only with an HPA"),
    ("polaris:pdbMinAvailableGreaterThanHPAMinReplicas", "polaris/pdbMinAvailableGreaterThanHPAMinReplicas/success.no-min-replicas.yaml", "", "silent", "fires",
     "an HPA without minReplicas keeps 1 pod (the API default), so minAvailable 2 blocks every eviction; Polaris skips an HPA without minReplicas"),
    ("polaris:pdbMinAvailableGreaterThanHPAMinReplicas", "polaris/pdbMinAvailableGreaterThanHPAMinReplicas/failure-gt-percent.yaml", "", "fires", "silent",
     "the API server rejects minAvailable \"150%\" (over 100%) and invalid-manifest reports it there, so this budget never exists to block a drain; pdb-blocks-eviction judges only budgets the API accepts"),
    // ------------------------------------------------------------ kube-linter
    ("kube-linter:no-readiness-probe", "kube-linter/no-readiness-probe.yml", "Deployment/app1#2", "fires", "silent",
     "only serving containers need a readiness probe: this container declares no port and no Service selects the pods"),
    ("kube-linter:no-liveness-probe", "kube-linter/no-liveness-probe.yml", "Deployment/app1#2", "fires", "silent",
     "liveness-probe-missing judges serving containers only: this container declares no port and no Service selects the pods"),
    ("kube-linter:minimum-three-replicas", "kube-linter/minimum-three-replicas.yml", "Deployment/app#2", "fires", "silent",
     "kube-linter requires 3 replicas; 2 replicas already survive one disruption, zerodown's single-replica fires only at 1 (and this Deployment has no pod template, so nothing serves)"),
    ("kube-linter:readiness-port", "kube-linter/readiness-port.yml", "Deployment/#0 containers[3]=fire-deployment-int", "fires", "silent",
     "a numeric probe port is never reported: containerPort is informational and the container may listen on 8080 without declaring it; only a port name can fail to resolve"),
    ("kube-linter:readiness-port", "kube-linter/readiness-port.yml", "Deployment/#0 containers[5]=fire-deployment-grpc", "fires", "silent",
     "a grpc probe takes only a number, and a numeric port is never reported: the container may listen on 8080 without declaring it"),
    ("kube-linter:liveness-port", "kube-linter/liveness-port.yml", "Deployment/#0 containers[3]=fire-deployment-int", "fires", "silent",
     "a numeric probe port is never reported: containerPort is informational and the container may listen on 8080 without declaring it; only a port name can fail to resolve"),
    ("kube-linter:startup-port", "kube-linter/startup-port.yml", "Deployment/#0 containers[3]=fire-deployment-int", "fires", "silent",
     "a numeric probe port is never reported: containerPort is informational and the container may listen on 8080 without declaring it; only a port name can fail to resolve"),
    ("kube-linter:startup-port", "kube-linter/startup-port.yml", "Deployment/#0 containers[5]=fire-deployment-grpc", "fires", "silent",
     "a grpc probe takes only a number, and a numeric port is never reported: the container may listen on 8080 without declaring it"),
    ("kube-linter:pdb-min-available", "kube-linter/pdb-min-available.yaml", "PodDisruptionBudget/baz#0", "fires", "silent",
     "Deployment/foo has no pod template (invalid-manifest reports it), so no pod carries the labels the PDB selects and there is nothing to count; kube-linter matches the PDB against the Deployment's selector instead"),
    ("kube-linter:hpa-minimum-three-replicas", "kube-linter/hpa-minimum-three-replicas.yml", "HorizontalPodAutoscaler/app#1", "fires", "silent",
     "kube-linter requires minReplicas 3; 2 pods already survive one disruption, so hpa-min-replicas fires only below 2"),
    ("kube-linter:no-anti-affinity", "kube-linter/no-anti-affinity.yml", "Deployment/app1#2", "fires", "silent",
     "replicas-not-spread judges serving workloads: no container declares a port, no Service selects the pods (and the template has no labels to spread by)"),
    ("kube-linter:no-anti-affinity", "kube-linter/no-anti-affinity.yml", "Deployment/fire-namespaced-with-namespaces-selector-not-matching#6", "fires", "silent",
     "replicas-not-spread judges serving workloads: no container declares a port and no Service selects the pods (its anti-affinity, over namespace bar only, would not count: tested in rules_accuracy)"),
];

/// OpenShift kinds in kube-linter's fixtures that zerodown does not lint: not compared.
const NOT_LINTED_KINDS: &[&str] = &["DeploymentConfig"];

const WORKLOADS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "DeploymentConfig",
];

#[derive(Clone, Copy)]
enum Unit {
    /// Polaris: the file, which holds exactly one object of `peer_kinds`.
    File,
    /// kube-linter: every object of `peer_kinds`, one verdict each.
    Object,
    /// kube-linter: every container of the objects of `peer_kinds`, counting only findings
    /// whose pointer holds `probe`.
    Container { probe: &'static str },
}

struct Pair {
    peer: &'static str,
    check: &'static str,
    /// The zerodown rule(s) for the peer's check.
    rules: &'static [&'static str],
    /// The kinds the peer's check judges.
    peer_kinds: &'static [&'static str],
    /// Polaris: the kinds whose zerodown findings count for the file.
    zd_kinds: &'static [&'static str],
    unit: Unit,
    /// kube-linter: the fixture file in `tests/data/peers/kube-linter`; Polaris: every file of
    /// `tests/data/peers/polaris/<check>`.
    file: &'static str,
}

const fn polaris(
    check: &'static str,
    rules: &'static [&'static str],
    peer_kinds: &'static [&'static str],
    zd_kinds: &'static [&'static str],
) -> Pair {
    Pair {
        peer: "polaris",
        check,
        rules,
        peer_kinds,
        zd_kinds,
        unit: Unit::File,
        file: "",
    }
}

const fn kube_linter(
    check: &'static str,
    file: &'static str,
    rules: &'static [&'static str],
    peer_kinds: &'static [&'static str],
    unit: Unit,
) -> Pair {
    Pair {
        peer: "kube-linter",
        check,
        rules,
        peer_kinds,
        zd_kinds: &[],
        unit,
        file,
    }
}

const PDB: &[&str] = &["PodDisruptionBudget"];
const HPA: &[&str] = &["HorizontalPodAutoscaler"];
const DEPLOYMENT: &[&str] = &["Deployment"];
const POD: &[&str] = &["Pod"];

const PAIRS: &[Pair] = &[
    polaris(
        "readinessProbeMissing",
        &["readiness-probe-missing"],
        POD,
        POD,
    ),
    polaris(
        "livenessProbeMissing",
        &["liveness-probe-missing"],
        POD,
        POD,
    ),
    polaris("tagNotSpecified", &["mutable-image-tag"], POD, POD),
    polaris(
        "deploymentMissingReplicas",
        &["single-replica"],
        DEPLOYMENT,
        DEPLOYMENT,
    ),
    polaris(
        "missingPodDisruptionBudget",
        &["pdb-missing"],
        DEPLOYMENT,
        DEPLOYMENT,
    ),
    polaris("pdbDisruptionsIsZero", &["pdb-blocks-eviction"], PDB, PDB),
    polaris("hpaMinAvailability", &["hpa-min-replicas"], HPA, HPA),
    polaris(
        "topologySpreadConstraint",
        &["replicas-not-spread"],
        DEPLOYMENT,
        DEPLOYMENT,
    ),
    // Polaris judges the Deployment, zerodown reports the PodDisruptionBudget.
    polaris(
        "pdbMinAvailableGreaterThanHPAMinReplicas",
        &["pdb-blocks-eviction"],
        DEPLOYMENT,
        PDB,
    ),
    kube_linter(
        "no-readiness-probe",
        "no-readiness-probe.yml",
        &["readiness-probe-missing"],
        WORKLOADS,
        Unit::Object,
    ),
    kube_linter(
        "no-liveness-probe",
        "no-liveness-probe.yml",
        &["liveness-probe-missing"],
        WORKLOADS,
        Unit::Object,
    ),
    kube_linter(
        "latest-tag",
        "latest-tag.yml",
        &["mutable-image-tag"],
        WORKLOADS,
        Unit::Object,
    ),
    kube_linter(
        "minimum-three-replicas",
        "minimum-three-replicas.yml",
        &["single-replica"],
        WORKLOADS,
        Unit::Object,
    ),
    kube_linter(
        "mismatching-selector",
        "mismatching-selector.yml",
        &["selector-template-mismatch"],
        WORKLOADS,
        Unit::Object,
    ),
    kube_linter(
        "dangling-ingress",
        "dangling-ingress.yml",
        &["ingress-backend-missing"],
        &["Ingress"],
        Unit::Object,
    ),
    kube_linter(
        "readiness-port",
        "readiness-port.yml",
        &["probe-port-unknown"],
        WORKLOADS,
        Unit::Container {
            probe: "/readinessProbe/",
        },
    ),
    kube_linter(
        "liveness-port",
        "liveness-port.yml",
        &["probe-port-unknown"],
        WORKLOADS,
        Unit::Container {
            probe: "/livenessProbe/",
        },
    ),
    kube_linter(
        "startup-port",
        "startup-port.yml",
        &["probe-port-unknown"],
        WORKLOADS,
        Unit::Container {
            probe: "/startupProbe/",
        },
    ),
    kube_linter(
        "pdb-min-available",
        "pdb-min-available.yaml",
        &["pdb-blocks-eviction"],
        PDB,
        Unit::Object,
    ),
    kube_linter(
        "pdb-unhealthy-pod-eviction-policy",
        "pdb-unhealthy-pod-eviction-policy.yaml",
        &["pdb-unhealthy-eviction"],
        PDB,
        Unit::Object,
    ),
    kube_linter(
        "hpa-minimum-three-replicas",
        "hpa-minimum-three-replicas.yml",
        &["hpa-min-replicas"],
        HPA,
        Unit::Object,
    ),
    kube_linter(
        "no-anti-affinity",
        "no-anti-affinity.yml",
        &["replicas-not-spread"],
        WORKLOADS,
        Unit::Object,
    ),
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Verdict {
    Fires,
    Silent,
    InputError,
}

impl Verdict {
    fn as_str(self) -> &'static str {
        match self {
            Verdict::Fires => "fires",
            Verdict::Silent => "silent",
            Verdict::InputError => "input-error",
        }
    }
}

/// One YAML document of a fixture, read line by line (enough for these fixed files).
#[derive(Debug)]
struct Doc {
    /// The index among the file's non-empty documents.
    index: usize,
    /// 1-based, inclusive: the lines of the document, its `---` included.
    first_line: usize,
    last_line: usize,
    kind: String,
    name: String,
    /// The names of `containers` (not `initContainers`), in order.
    containers: Vec<String>,
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn scalar(text: &str) -> String {
    let text = text.split(" #").next().unwrap_or("").trim();
    text.trim_matches(|c| c == '"' || c == '\'').to_string()
}

fn docs(text: &str) -> Vec<Doc> {
    let lines: Vec<&str> = text.lines().collect();
    let mut ranges = Vec::new();
    let mut start = 1;
    for (i, line) in lines.iter().enumerate() {
        let n = i + 1;
        if (*line == "---" || line.starts_with("--- ")) && n > start {
            ranges.push((start, n - 1));
            start = n;
        }
    }
    ranges.push((start, lines.len()));
    let mut out = Vec::new();
    for (first, last) in ranges {
        let body = &lines[first - 1..last];
        let mut kind = String::new();
        let mut name = String::new();
        let mut in_metadata = false;
        let mut metadata_indent = None;
        for line in body {
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            if indent(line) == 0 {
                in_metadata = line.trim_end() == "metadata:";
                if let Some(value) = line.strip_prefix("kind:") {
                    kind = scalar(value);
                }
                continue;
            }
            if in_metadata {
                let child = *metadata_indent.get_or_insert(indent(line));
                if indent(line) == child
                    && let Some(value) = line.trim_start().strip_prefix("name:")
                {
                    name = scalar(value);
                }
            }
        }
        if kind.is_empty() {
            continue;
        }
        out.push(Doc {
            index: out.len(),
            first_line: first,
            last_line: last,
            kind,
            name,
            containers: containers(body),
        });
    }
    out
}

/// The names of the items of the first block `containers:` list.
fn containers(body: &[&str]) -> Vec<String> {
    let Some(at) = body
        .iter()
        .position(|l| l.trim_end().trim_start() == "containers:")
    else {
        return Vec::new();
    };
    let key = indent(body[at]);
    // The column of the items' dashes, and of the current item's keys.
    let mut dash_at = None;
    let mut keys_at = 0;
    let mut names: Vec<String> = Vec::new();
    for line in &body[at + 1..] {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let at = indent(line);
        let dash = trimmed == "-" || trimmed.starts_with("- ");
        if at < key || (at == key && !dash) {
            break;
        }
        if dash && *dash_at.get_or_insert(at) == at {
            let rest = trimmed[1..].trim_start();
            keys_at = line.len() - rest.len();
            names.push(rest.strip_prefix("name:").map(scalar).unwrap_or_default());
        } else if at == keys_at
            && let Some(value) = trimmed.strip_prefix("name:")
            && let Some(last) = names.last_mut()
            && last.is_empty()
        {
            *last = scalar(value);
        }
    }
    names
}

struct Finding {
    rule: String,
    kind: String,
    name: String,
    line: usize,
    pointer: String,
}

struct Lint {
    input_error: bool,
    findings: Vec<Finding>,
}

fn zerodown() -> String {
    std::env::var("ZERODOWN_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_zerodown").to_string())
}

fn lint(path: &Path) -> Lint {
    let output = Command::new(zerodown())
        .arg("lint")
        .arg(path)
        .args(["--no-config", "-f", "json"])
        .current_dir(path.parent().unwrap())
        .output()
        .expect("zerodown runs");
    let code = output.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        matches!(code, 0..=2),
        "zerodown lint {} exited {code}: {}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON for {} ({e}): {stdout}", path.display()));
    let errors = json["errors"].as_array().is_some_and(|e| !e.is_empty());
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    let findings = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| Finding {
            rule: text(&f["rule"]),
            kind: text(&f["object"]["kind"]),
            name: text(&f["object"]["name"]),
            line: f["line"].as_u64().expect("line") as usize,
            pointer: text(&f["pointer"]),
        })
        .collect();
    Lint {
        input_error: code == 2 || errors,
        findings,
    }
}

/// The rule ids the binary knows (`zerodown rules`), to show which mapped rules are missing.
fn known_rules() -> BTreeSet<String> {
    let output = Command::new(zerodown())
        .arg("rules")
        .output()
        .expect("zerodown runs");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// One compared unit: `(pair, file, object)` with both verdicts.
struct Compared {
    pair: String,
    file: String,
    object: String,
    peer: Verdict,
    zerodown: Verdict,
}

fn peers_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/peers")
}

fn name_verdict(name: &str) -> Verdict {
    if name.starts_with("dont-fire") {
        Verdict::Silent
    } else {
        Verdict::Fires
    }
}

/// Compares one pair; returns the units and how many objects were not compared.
fn compare(pair: &Pair) -> (Vec<Compared>, usize) {
    let root = peers_dir();
    let pair_id = format!("{}:{}", pair.peer, pair.check);
    let files: Vec<String> = match pair.unit {
        Unit::File => {
            let dir = root.join(pair.peer).join(pair.check);
            let mut names: Vec<String> = std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
                .into_iter()
                .map(|n| format!("{}/{}/{n}", pair.peer, pair.check))
                .collect()
        }
        _ => vec![format!("{}/{}", pair.peer, pair.file)],
    };
    let mut out = Vec::new();
    let mut skipped = 0;
    for file in files {
        let path = root.join(&file);
        let text = std::fs::read_to_string(&path).unwrap();
        let docs = docs(&text);
        let lint = lint(&path);
        let verdict = |hit: bool| match (lint.input_error, hit) {
            (true, _) => Verdict::InputError,
            (false, true) => Verdict::Fires,
            (false, false) => Verdict::Silent,
        };
        let of_rule = |f: &&Finding| pair.rules.contains(&f.rule.as_str());
        let in_doc = |f: &Finding, d: &Doc| {
            let inside = (d.first_line..=d.last_line).contains(&f.line);
            if inside {
                assert!(
                    f.kind == d.kind && f.name == d.name,
                    "{file}:{}: finding on {}/{} placed in document #{} ({}/{})",
                    f.line,
                    f.kind,
                    f.name,
                    d.index,
                    d.kind,
                    d.name
                );
            }
            inside
        };
        match pair.unit {
            Unit::File => {
                let base = file.rsplit('/').next().unwrap();
                let peer = if base.starts_with("success") {
                    Verdict::Silent
                } else if base.starts_with("failure") {
                    Verdict::Fires
                } else {
                    panic!("{file}: neither success* nor failure*");
                };
                let targets = docs
                    .iter()
                    .filter(|d| pair.peer_kinds.contains(&d.kind.as_str()))
                    .count();
                assert_eq!(
                    targets, 1,
                    "{file}: a Polaris fixture must hold one object of {:?}",
                    pair.peer_kinds
                );
                let hit = lint
                    .findings
                    .iter()
                    .filter(of_rule)
                    .any(|f| pair.zd_kinds.contains(&f.kind.as_str()));
                out.push(Compared {
                    pair: pair_id.clone(),
                    file,
                    object: String::new(),
                    peer,
                    zerodown: verdict(hit),
                });
            }
            Unit::Object | Unit::Container { .. } => {
                for doc in docs
                    .iter()
                    .filter(|d| pair.peer_kinds.contains(&d.kind.as_str()))
                {
                    let object = format!("{}/{}#{}", doc.kind, doc.name, doc.index);
                    if NOT_LINTED_KINDS.contains(&doc.kind.as_str()) {
                        skipped += 1;
                        continue;
                    }
                    let on_doc: Vec<&Finding> = lint
                        .findings
                        .iter()
                        .filter(of_rule)
                        .filter(|f| in_doc(f, doc))
                        .collect();
                    match pair.unit {
                        Unit::Container { probe } => {
                            assert!(
                                !doc.containers.is_empty(),
                                "{file}: {object} has no containers"
                            );
                            for (i, name) in doc.containers.iter().enumerate() {
                                assert!(
                                    !name.is_empty(),
                                    "{file}: {object} container {i} has no name"
                                );
                                let at = format!("/containers/{i}/");
                                let hit = on_doc
                                    .iter()
                                    .any(|f| f.pointer.contains(&at) && f.pointer.contains(probe));
                                out.push(Compared {
                                    pair: pair_id.clone(),
                                    file: file.clone(),
                                    object: format!("{object} containers[{i}]={name}"),
                                    peer: name_verdict(name),
                                    zerodown: verdict(hit),
                                });
                            }
                        }
                        _ => out.push(Compared {
                            pair: pair_id.clone(),
                            file: file.clone(),
                            object,
                            peer: name_verdict(&doc.name),
                            zerodown: verdict(!on_doc.is_empty()),
                        }),
                    }
                }
            }
        }
    }
    (out, skipped)
}

fn class(reason: &str) -> &'static str {
    if reason.starts_with("BUG:") {
        "bug"
    } else if reason.starts_with("PENDING:") {
        "pending"
    } else {
        "deliberate"
    }
}

#[test]
fn zerodown_agrees_with_the_peers_fixtures_except_the_listed_disagreements() {
    let known = known_rules();
    let mut deliberate: BTreeMap<(&str, &str, &str), (&str, &str, &str)> = BTreeMap::new();
    let mut problems = Vec::new();
    for &(pair, file, object, peer, zd, reason) in DELIBERATE {
        if deliberate
            .insert((pair, file, object), (peer, zd, reason))
            .is_some()
        {
            problems.push(format!("DELIBERATE lists {pair} {file} {object} twice"));
        }
        if reason.trim().len() < 30 {
            problems.push(format!(
                "DELIBERATE {pair} {file} {object}: give a concrete reason"
            ));
        }
    }
    let mut seen = BTreeSet::new();
    let mut rows = Vec::new();
    let mut disagreements = Vec::new();
    for pair in PAIRS {
        let (units, skipped) = compare(pair);
        assert!(
            !units.is_empty(),
            "{}:{} compared nothing",
            pair.peer,
            pair.check
        );
        let mut counts = BTreeMap::new();
        let agreed = units.iter().filter(|u| u.peer == u.zerodown).count();
        for u in &units {
            let key = (u.pair.as_str(), u.file.as_str(), u.object.as_str());
            let listed = deliberate.get(&key).copied();
            if listed.is_some() {
                seen.insert((u.pair.clone(), u.file.clone(), u.object.clone()));
            }
            let (peer, zd) = (u.peer.as_str(), u.zerodown.as_str());
            match (u.peer == u.zerodown, listed) {
                (true, None) => {}
                (true, Some(_)) => problems.push(format!(
                    "stale DELIBERATE entry: {} {} {:?} now agrees ({peer}): remove it",
                    u.pair, u.file, u.object
                )),
                (false, None) => problems.push(format!(
                    "new disagreement, fix zerodown or list it in DELIBERATE with a reason:\n    (\"{}\", \"{}\", \"{}\", \"{peer}\", \"{zd}\",\n     \"…\"),",
                    u.pair, u.file, u.object
                )),
                (false, Some((lp, lz, reason))) => {
                    if (lp, lz) != (peer, zd) {
                        problems.push(format!(
                            "DELIBERATE {} {} {:?} says peer {lp} / zerodown {lz}, now peer {peer} / zerodown {zd}",
                            u.pair, u.file, u.object
                        ));
                    }
                    *counts.entry(class(reason)).or_insert(0) += 1;
                    disagreements.push(format!(
                        "  [{}] {} {}{}: peer {peer}, zerodown {zd}",
                        class(reason),
                        u.pair,
                        u.file,
                        if u.object.is_empty() {
                            String::new()
                        } else {
                            format!(" {}", u.object)
                        },
                    ));
                }
            }
        }
        let missing: Vec<&str> = pair
            .rules
            .iter()
            .copied()
            .filter(|r| !known.contains(*r))
            .collect();
        rows.push((
            format!("{}:{}", pair.peer, pair.check),
            pair.rules.join(", "),
            agreed,
            units.len(),
            counts,
            skipped,
            missing,
        ));
    }
    for &(pair, file, object, ..) in DELIBERATE {
        if !seen.contains(&(pair.to_string(), file.to_string(), object.to_string())) {
            problems.push(format!(
                "DELIBERATE names a unit that is not compared: {pair} {file} {object:?}"
            ));
        }
    }

    eprintln!("\nzerodown ({}) against its peers' fixtures:", zerodown());
    eprintln!(
        "{:<52} {:<26} {:>8}  {:>10} {:>3} {:>7}",
        "pair", "zerodown rule", "agreed", "deliberate", "bug", "pending"
    );
    let (mut total_agreed, mut total) = (0, 0);
    for (pair, rules, agreed, compared, counts, skipped, missing) in &rows {
        total_agreed += agreed;
        total += compared;
        let mut notes = Vec::new();
        if *skipped > 0 {
            notes.push(format!("{skipped} DeploymentConfig not compared"));
        }
        if !missing.is_empty() {
            notes.push(format!("{} not in this binary", missing.join(", ")));
        }
        eprintln!(
            "{pair:<52} {rules:<26} {:>8}  {:>10} {:>3} {:>7}  {}",
            format!("{agreed}/{compared}"),
            counts.get("deliberate").unwrap_or(&0),
            counts.get("bug").unwrap_or(&0),
            counts.get("pending").unwrap_or(&0),
            notes.join("; ")
        );
    }
    eprintln!(
        "{:<52} {:<26} {:>8}",
        "total",
        "",
        format!("{total_agreed}/{total}")
    );
    eprintln!("listed disagreements:");
    for line in &disagreements {
        eprintln!("{line}");
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn the_document_reader_finds_objects_and_containers() {
    let text = "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  labels:\n    name: label\n  name: web # the name\nspec:\n  template:\n    spec:\n      initContainers:\n      - name: init\n      containers:\n      - name: a\n        ports:\n        - name: http\n          containerPort: 80\n      -   image: x\n          name: b\n---\n---\nkind: Service\nmetadata:\n  name: \"svc\"\n";
    let docs = docs(text);
    assert_eq!(docs.len(), 2);
    assert_eq!(
        (docs[0].kind.as_str(), docs[0].name.as_str()),
        ("Deployment", "web")
    );
    assert_eq!((docs[0].first_line, docs[0].last_line), (1, 19));
    assert_eq!(docs[0].containers, ["a", "b"]);
    assert_eq!(
        (docs[1].index, docs[1].kind.as_str(), docs[1].name.as_str()),
        (1, "Service", "svc")
    );
}
