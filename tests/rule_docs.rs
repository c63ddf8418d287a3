//! Every rule's doc in `rules/<id>.md` is part of the contract: its failing example must make
//! the rule fire and its passing example must keep it silent.

use zerodown::config::Config;
use zerodown::rules::RULES;
use zerodown::source::SourceFile;

/// A passing example must also be a valid manifest.
const SCHEMA_RULES: &[&str] = &["invalid-manifest", "unknown-field", "duplicate-key"];

/// The first ```yaml block after the `## <heading>` line.
fn example<'a>(doc: &'a str, heading: &str) -> &'a str {
    let marker = format!("## {heading}");
    let after = doc
        .split_once(&marker)
        .unwrap_or_else(|| panic!("no `{marker}` section"))
        .1;
    let block = after
        .split_once("```yaml\n")
        .unwrap_or_else(|| panic!("no yaml block under `{marker}`"))
        .1;
    block.split_once("```").expect("unclosed block").0
}

#[test]
fn every_rule_doc_has_the_required_sections() {
    for rule in RULES.iter() {
        let meta = rule.meta();
        let doc = meta.doc;
        assert!(
            doc.starts_with(&format!("# {}\n", meta.id)),
            "{}: title",
            meta.id
        );
        assert!(
            doc.contains(&format!("**Severity:** {}", meta.severity)),
            "{}: severity line must match the rule",
            meta.id
        );
        for section in [
            "What it finds",
            "Why it drops requests",
            "Failing example",
            "Passing example",
            "How to fix",
        ] {
            assert!(
                doc.contains(&format!("## {section}")),
                "{}: missing {section}",
                meta.id
            );
        }
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("rules")
            .join(format!("{}.md", meta.id));
        assert!(file.is_file(), "{} has no rules/{}.md", meta.id, meta.id);
    }
}

#[test]
fn failing_examples_fire_and_passing_examples_are_silent() {
    let config = Config::default();
    for rule in RULES.iter() {
        let id = rule.meta().id;
        let failing = example(rule.meta().doc, "Failing example");
        let (_, diagnostics) = zerodown::lint_sources(
            vec![SourceFile::new("failing.yaml", failing.to_string())],
            &config,
        );
        assert!(
            diagnostics.iter().any(|d| d.rule == id),
            "{id}: the failing example does not fire the rule; got {:?}",
            diagnostics.iter().map(|d| d.rule).collect::<Vec<_>>()
        );

        let passing = example(rule.meta().doc, "Passing example");
        let (workspace, diagnostics) = zerodown::lint_sources(
            vec![SourceFile::new("passing.yaml", passing.to_string())],
            &config,
        );
        assert!(
            workspace.errors.is_empty(),
            "{id}: passing example does not parse"
        );
        let fired: Vec<_> = diagnostics
            .iter()
            .filter(|d| d.rule == id || SCHEMA_RULES.contains(&d.rule))
            .map(|d| format!("{}: {}", d.rule, d.message))
            .collect();
        assert!(
            fired.is_empty(),
            "{id}: the passing example fires {fired:?}"
        );
    }
}
