//! The proof behind `zerodown render`: every strategy over every traffic layer, with and
//! without a migration and autoscaling, renders objects that read back into their types
//! without unknown fields and lint clean with every rule; the output is snapshotted.

mod common;

use common::repo;
use zerodown::config::{Config, KubeVersion};
use zerodown::render::spec::{self, Override, STRATEGIES, TRAFFIC};
use zerodown::render::{self, Options, Rendered};
use zerodown::source::SourceFile;

const SPEC: &str = "\
name: checkout
namespace: shop
image: ghcr.io/acme/checkout:1.4.2
port: 8080
replicas: 3
host: checkout.example.com
gateway: gateway-system/public
canary:
  image: ghcr.io/acme/checkout:1.5.0
  weight: 20
ab:
  image: ghcr.io/acme/checkout:1.5.0-b
  header: x-variant
  value: b
blueGreen:
  active: green
  standbyImage: ghcr.io/acme/checkout:1.5.0
resources:
  requests: {cpu: 100m, memory: 128Mi}
  limits: {memory: 256Mi}
";

const MIGRATION_AND_AUTOSCALING: &[&str] = &[
    "migration.command=[./checkout, migrate, up]",
    "migration.database.secret=checkout-db",
    "migration.waitFor=postgres.db.svc:5432",
    "autoscaling.minReplicas=3",
    "autoscaling.maxReplicas=12",
];

/// The kinds render may produce that k8s-openapi does not type (custom resources).
const CUSTOM_KINDS: &[(&str, &str)] = &[
    ("gateway.networking.k8s.io/v1", "HTTPRoute"),
    ("networking.istio.io/v1", "VirtualService"),
    ("networking.istio.io/v1", "DestinationRule"),
    ("argoproj.io/v1alpha1", "Rollout"),
];

fn render_with(strategy: &str, traffic: &str, sets: &[&str], config: &Config) -> Rendered {
    let mut overrides = vec![
        Override::flag("strategy", "strategy", strategy),
        Override::flag("traffic", "traffic", traffic),
    ];
    overrides.extend(sets.iter().map(|s| Override::parse_set(s).unwrap()));
    let source = SourceFile::new("zerodown.yaml", SPEC.to_string());
    let spec = spec::parse(&source, &overrides)
        .unwrap_or_else(|e| panic!("{strategy}/{traffic}: spec refused: {e:?}"));
    let options = Options {
        templates: None,
        config: config.clone(),
    };
    render::render(&spec, &options).unwrap_or_else(|e| panic!("{strategy}/{traffic}: {e}"))
}

/// Every object is typed without unknown fields or invalid values, and no rule fires.
fn assert_clean(label: &str, rendered: &Rendered, config: &Config) {
    let (workspace, diagnostics) = render::lint(rendered, config);
    assert!(
        workspace.errors.is_empty(),
        "{label}: {:?}",
        workspace.errors
    );
    let findings: Vec<String> = diagnostics
        .iter()
        .map(|d| {
            format!(
                "{}:{}: {}: {}",
                d.start.line, d.start.column, d.rule, d.message
            )
        })
        .collect();
    assert!(
        findings.is_empty(),
        "{label}: findings:\n{}\n\n{}",
        findings.join("\n"),
        rendered.stream()
    );
    assert_eq!(workspace.objects.len(), rendered.objects.len(), "{label}");
    for object in &workspace.objects {
        let custom = CUSTOM_KINDS.contains(&(object.api_version.as_str(), object.kind.as_str()));
        let built_in = zerodown::k8s::has_schema(&object.api_version, &object.kind);
        assert!(
            built_in || custom,
            "{label}: {} is neither a built-in kind with a schema nor a known custom kind",
            object.display_name()
        );
        assert!(
            object.unknown_fields.is_empty(),
            "{label}: {:?}",
            object.unknown_fields
        );
        assert!(object.invalid.is_empty(), "{label}: {:?}", object.invalid);
        assert_eq!(object.namespace.as_deref(), Some("shop"), "{label}");
    }
}

#[test]
fn every_strategy_over_every_traffic_layer_lints_clean() {
    let config = Config::default();
    for strategy in STRATEGIES {
        for traffic in TRAFFIC {
            for (variant, sets) in [
                ("plain", &[][..]),
                ("migration", &MIGRATION_AND_AUTOSCALING[..3]),
                ("autoscaling", &MIGRATION_AND_AUTOSCALING[3..]),
                ("both", MIGRATION_AND_AUTOSCALING),
            ] {
                let label = format!("{strategy}/{traffic}/{variant}");
                let rendered = render_with(strategy, traffic, sets, &config);
                assert_clean(&label, &rendered, &config);
            }
        }
    }
}

#[test]
fn older_clusters_get_an_exec_sleep_and_still_lint_clean() {
    let config = Config {
        kubernetes_version: KubeVersion::parse("1.29").unwrap(),
        ..Config::default()
    };
    let rendered = render_with("rolling", "gateway", &[], &config);
    assert_clean("rolling/gateway/1.29", &rendered, &config);
    let stream = rendered.stream();
    assert!(stream.contains("command: [\"sleep\", \"10\"]"), "{stream}");
    assert!(!stream.contains("sleep:\n"), "{stream}");
}

#[test]
fn snapshots_of_every_combination() {
    let config = Config::default();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(repo().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for strategy in STRATEGIES {
            for traffic in TRAFFIC {
                let rendered = render_with(strategy, traffic, &[], &config);
                insta::assert_snapshot!(format!("render_{strategy}_{traffic}"), rendered.stream());
            }
        }
        let rendered = render_with("canary", "gateway", MIGRATION_AND_AUTOSCALING, &config);
        insta::assert_snapshot!(
            "render_canary_gateway_migration_autoscaling",
            rendered.stream()
        );
    });
}

#[test]
fn objects_carry_the_strategy_semantics() {
    let config = Config::default();
    let stream = render_with("canary", "gateway", &[], &config).stream();
    assert!(
        stream.contains("weight: 80") && stream.contains("weight: 20"),
        "{stream}"
    );
    let stream = render_with("blue-green", "gateway", &[], &config).stream();
    // The live Service selects the active colour; both colours run at full size.
    assert!(
        stream.contains("zerodown.dev/color: green\n  ports"),
        "{stream}"
    );
    assert_eq!(stream.matches("replicas: 3").count(), 2, "{stream}");
    let stream = render_with("ab", "istio", &[], &config).stream();
    let header = stream.find("x-variant").expect("a header route");
    let default = stream.find("name: default").expect("a default route");
    assert!(header < default, "the header route comes first:\n{stream}");
    // Argo's Gateway API plugin needs both Services in the route it reweights.
    let stream = render_with("canary", "argo-rollouts", &[], &config).stream();
    let route = &stream[stream.find("kind: HTTPRoute").expect("a route")..];
    assert!(
        route.contains("name: checkout-canary") && route.contains("weight: 0"),
        "{route}"
    );
    let stream = render_with("blue-green", "argo-rollouts", &[], &config).stream();
    assert!(stream.contains("scaleDownDelaySeconds: 30"), "{stream}");
    let stream = render_with("rolling", "gateway", MIGRATION_AND_AUTOSCALING, &config).stream();
    assert!(stream.contains("name: checkout-migrate-1-4-2"), "{stream}");
    assert!(
        stream.starts_with("---\napiVersion: batch/v1\nkind: Job"),
        "{stream}"
    );
    assert!(
        !stream.contains("  replicas:"),
        "an HPA owns the count:\n{stream}"
    );
}
