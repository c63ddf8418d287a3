//! `zerodown checklist`: the zero-downtime checklist for the given manifests and
//! migrations. Exit 1 when an item failed, 2 on input errors; unknown and not-checkable
//! items do not fail the run (they are said, never counted as passed).

use std::io::Write;

use serde_json::json;

use crate::checklist::{self, Checked, Sources, Verdict};
use crate::cli::{ChecklistArgs, ChecklistFormat};
use crate::exit;
use crate::workspace::Keep;

pub fn run(args: &ChecklistArgs) -> u8 {
    let start = std::env::current_dir().ok();
    let config = match super::find_config(args.no_config, args.config.as_ref(), start.as_deref()) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("{error}");
            return exit::INPUT_ERROR;
        }
    };
    let paths = crate::input::or_current_folder(&args.paths);
    let workspace = crate::workspace::read(&paths, &config, Keep::Everything);
    let manifest_findings = crate::lint::lint(&workspace, &config);
    let migrations = (!args.migrations.is_empty()).then(|| {
        let set = crate::sql::read(&args.migrations, &crate::sql::Options::default(), &config);
        let findings = crate::sql::analysis::check(
            &set,
            &crate::sql::analysis::Environment::default(),
            &config,
        );
        (set, findings)
    });
    let mut errors: Vec<String> = workspace.errors.iter().map(ToString::to_string).collect();
    if let Some((set, _)) = &migrations {
        errors.extend(set.errors.iter().map(ToString::to_string));
    }
    let items = checklist::check(&Sources {
        workspace: &workspace,
        manifest_findings: &manifest_findings,
        migrations: migrations.as_ref().map(|(s, f)| (s, f.as_slice())),
        config: &config,
    });
    for error in &errors {
        eprintln!("{error}");
    }
    let text = match args.format {
        ChecklistFormat::Human => human(&items),
        ChecklistFormat::Json => json(&items, &errors),
        ChecklistFormat::Markdown => markdown(&items),
    };
    let mut out = std::io::stdout().lock();
    if let Err(error) = out.write_all(text.as_bytes()).and_then(|()| out.flush())
        && error.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("error: writing the checklist: {error}");
        return exit::INPUT_ERROR;
    }
    if !errors.is_empty() {
        exit::INPUT_ERROR
    } else if items.iter().any(|i| i.verdict == Verdict::Failed) {
        exit::FINDINGS
    } else {
        exit::CLEAN
    }
}

/// `Kind/name: ` before a finding's message, unless the message names its object already.
fn object_prefix(finding: &checklist::Evidence) -> String {
    finding
        .object
        .as_deref()
        .filter(|o| !finding.message.contains(o))
        .map(|o| format!("{o}: "))
        .unwrap_or_default()
}

fn tally(items: &[Checked]) -> String {
    let n = |v: Verdict| items.iter().filter(|i| i.verdict == v).count();
    format!(
        "{} passed, {} failed, {} unknown, {} not checkable from files",
        n(Verdict::Passed),
        n(Verdict::Failed),
        n(Verdict::Unknown),
        n(Verdict::NotCheckable)
    )
}

fn mark(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Passed => "✓",
        Verdict::Failed => "✗",
        Verdict::Unknown => "?",
        Verdict::NotCheckable => "–",
    }
}

fn human(items: &[Checked]) -> String {
    let mut out = String::new();
    for item in items {
        out.push_str(&format!(
            "{} {:<24} {}\n    {}\n",
            mark(item.verdict),
            item.verdict.as_str(),
            item.title,
            item.reason
        ));
        for f in &item.findings {
            out.push_str(&format!(
                "    {}:{}:{}: {}[{}] {}{}\n",
                f.file,
                f.line,
                f.column,
                f.severity,
                f.rule,
                object_prefix(f),
                f.message
            ));
        }
    }
    out.push_str(&format!("\n{}\n", tally(items)));
    out
}

fn json(items: &[Checked], errors: &[String]) -> String {
    let n = |v: Verdict| items.iter().filter(|i| i.verdict == v).count();
    let value = json!({
        "version": 1,
        "items": items,
        "errors": errors,
        "summary": {
            "passed": n(Verdict::Passed),
            "failed": n(Verdict::Failed),
            "unknown": n(Verdict::Unknown),
            "not_checkable": n(Verdict::NotCheckable),
        },
    });
    format!(
        "{}\n",
        serde_json::to_string_pretty(&value).unwrap_or_default()
    )
}

fn markdown(items: &[Checked]) -> String {
    let cell = crate::output::markdown_cell;
    let mut out = format!(
        "## Zero-downtime checklist\n\n{}\n\n| | item | verdict | why |\n|---|---|---|---|\n",
        tally(items)
    );
    for item in items {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            mark(item.verdict),
            cell(item.title),
            item.verdict.as_str(),
            cell(&item.reason)
        ));
    }
    for item in items.iter().filter(|i| !i.findings.is_empty()) {
        out.push_str(&format!("\n### {}\n\n", cell(item.title)));
        for f in &item.findings {
            out.push_str(&format!(
                "- `{}:{}:{}` {} `{}`: {}{}\n",
                f.file,
                f.line,
                f.column,
                f.severity,
                f.rule,
                object_prefix(f),
                cell(&f.message)
            ));
        }
    }
    out
}
