//! Every migration rule's doc in `rules/<id>.md` is part of the contract: its failing example
//! must make the rule fire, and its passing example must parse and keep the rule silent.

use zerodown::config::Config;
use zerodown::source::SourceFile;
use zerodown::sql::analysis::Environment;
use zerodown::sql::rules::SQL_RULES;
use zerodown::sql::{MigrationSet, Options};

const SECTIONS: &[&str] = &[
    "What it finds",
    "Why it breaks a deploy",
    "Failing example",
    "Passing example",
    "How to fix",
];

/// The first ```sql block after the `## <heading>` line.
fn example<'a>(id: &str, doc: &'a str, heading: &str) -> Result<&'a str, String> {
    let marker = format!("\n## {heading}\n");
    let after = doc
        .split_once(&marker)
        .ok_or_else(|| format!("{id}: no `## {heading}` section"))?
        .1;
    let block = after
        .split_once("```sql\n")
        .ok_or_else(|| format!("{id}: no ```sql block under `## {heading}`"))?
        .1;
    Ok(block
        .split_once("```")
        .ok_or_else(|| format!("{id}: unclosed ```sql block under `## {heading}`"))?
        .0)
}

fn lint(name: &str, text: &str) -> (MigrationSet, Vec<zerodown::lint::Diagnostic>) {
    zerodown::sql::lint_sources(
        vec![(SourceFile::new(name, text.to_string()), None)],
        &Options::default(),
        &Environment::default(),
        &Config::default(),
    )
}

/// Checks one rule's doc; `Err` says what is wrong with it.
fn check_structure(id: &str, severity: &str, doc: &str) -> Result<(), String> {
    let mut problems = Vec::new();
    if !doc.starts_with(&format!("# {id}\n")) {
        problems.push(format!("does not start with `# {id}`"));
    }
    if !doc.contains(&format!("**Severity:** {severity}")) {
        problems.push(format!("no `**Severity:** {severity}` line"));
    }
    let headings: Vec<&str> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .map(str::trim)
        .collect();
    let required: Vec<&str> = headings
        .iter()
        .copied()
        .filter(|h| SECTIONS.contains(h))
        .collect();
    if required != SECTIONS {
        problems.push(format!(
            "sections must be {SECTIONS:?} in that order; found {headings:?}"
        ));
    }
    if let Some(extra) = headings
        .iter()
        .find(|h| !SECTIONS.contains(h) && **h != "Notes")
    {
        problems.push(format!("unexpected section `## {extra}`"));
    }
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("rules")
        .join(format!("{id}.md"));
    if !file.is_file() {
        problems.push(format!("rules/{id}.md does not exist"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{id}: {}", problems.join("; ")))
    }
}

fn check_examples(id: &str, doc: &str) -> Result<(), String> {
    let failing = example(id, doc, "Failing example")?;
    let (_, diagnostics) = lint("failing.sql", failing);
    if !diagnostics.iter().any(|d| d.rule == id) {
        return Err(format!(
            "{id}: the failing example does not fire the rule; fired: {:?}",
            diagnostics.iter().map(|d| d.rule).collect::<Vec<_>>()
        ));
    }

    let passing = example(id, doc, "Passing example")?;
    let (set, diagnostics) = lint("passing.sql", passing);
    let mut problems = Vec::new();
    if !set.errors.is_empty() {
        problems.push(format!(
            "the passing example does not parse: {:?}",
            set.errors.iter().map(|e| e.to_string()).collect::<Vec<_>>()
        ));
    }
    let fired: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.rule == id)
        .map(|d| format!("line {}: {}", d.start.line, d.message))
        .collect();
    if !fired.is_empty() {
        problems.push(format!("the passing example fires the rule: {fired:?}"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{id}: {}", problems.join("; ")))
    }
}

/// Runs `check` for every migration rule and fails with one line per rule, so a broken doc
/// shows next to the ones that pass.
fn for_every_rule(what: &str, check: impl Fn(&str, &str, &str) -> Result<(), String>) {
    let mut report = Vec::new();
    let mut failed = 0;
    for rule in SQL_RULES.iter() {
        let meta = rule.meta();
        match check(meta.id, &meta.severity.to_string(), meta.doc) {
            Ok(()) => report.push(format!("ok    {}", meta.id)),
            Err(problem) => {
                failed += 1;
                report.push(format!("FAIL  {problem}"));
            }
        }
    }
    assert!(
        failed == 0,
        "{failed} of {} migration rule docs fail ({what}):\n{}",
        SQL_RULES.len(),
        report.join("\n")
    );
}

#[test]
fn every_sql_rule_doc_has_the_required_sections() {
    for_every_rule("structure", check_structure);
}

#[test]
fn sql_failing_examples_fire_and_passing_examples_are_silent() {
    for_every_rule("examples", |id, _, doc| check_examples(id, doc));
}
