//! `--format junit`: JUnit XML as GitLab, Jenkins and most CI test views read it. One test
//! suite per input file; in it one test case per subject (object, or migration file) and
//! rule that ran. A finding at or above the failing severity is a `<failure>` carrying its
//! location; one below it passes with the finding in `<system-out>`; an input error is an
//! `<error>` case of its own.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Write};

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::Report;
use crate::lint::Diagnostic;

/// One test case: its name, its rule (the class), and the findings it holds.
struct Case<'a> {
    name: String,
    rule: &'a str,
    findings: Vec<&'a Diagnostic>,
    error: Option<String>,
}

fn location(report: &Report<'_>, d: &Diagnostic) -> String {
    format!(
        "{}:{}:{}: {}: {}\n{}",
        report.file_name(d),
        d.start.line,
        d.start.column,
        d.severity,
        d.message,
        d.help
    )
}

/// The cases of every file, in file order. Findings are grouped once by rule and object
/// (or file), so building every case costs a look-up, not a pass over every finding.
fn cases<'a>(report: &'a Report<'a>) -> BTreeMap<String, Vec<Case<'a>>> {
    let mut by_file: BTreeMap<String, Vec<Case<'a>>> = BTreeMap::new();
    let subjects = report.inputs.subjects();
    let mut by_object: HashMap<(&str, usize), Vec<&'a Diagnostic>> = HashMap::new();
    let mut by_subject_file: HashMap<(&str, usize), Vec<&'a Diagnostic>> = HashMap::new();
    for d in report.diagnostics {
        if let Some(object) = d.object {
            by_object.entry((d.rule, object)).or_default().push(d);
        }
        by_subject_file.entry((d.rule, d.file)).or_default().push(d);
    }
    let held_objects: HashSet<usize> = subjects.iter().filter_map(|s| s.object).collect();
    let held_files: HashSet<usize> = subjects
        .iter()
        .filter(|s| s.object.is_none())
        .map(|s| s.file)
        .collect();
    for subject in &subjects {
        let file = report.inputs.file(subject.file).name.clone();
        for meta in &report.rules {
            let findings = match subject.object {
                Some(object) => by_object.get(&(meta.id, object)),
                None => by_subject_file.get(&(meta.id, subject.file)),
            }
            .cloned()
            .unwrap_or_default();
            by_file.entry(file.clone()).or_default().push(Case {
                name: subject.name.clone(),
                rule: meta.id,
                findings,
                error: None,
            });
        }
    }
    // Findings no subject holds (about a whole file, or by a rule outside the list).
    let ran: HashSet<&str> = report.rules.iter().map(|m| m.id).collect();
    let mut file_cases: HashMap<(String, &str), usize> = HashMap::new();
    for d in report.diagnostics {
        let held = match d.object {
            Some(object) => held_objects.contains(&object) || held_files.contains(&d.file),
            None => held_files.contains(&d.file),
        } && ran.contains(d.rule);
        if held {
            continue;
        }
        let file = report.file_name(d).to_string();
        let cases = by_file.entry(file.clone()).or_default();
        match file_cases.get(&(file.clone(), d.rule)) {
            Some(&at) => cases[at].findings.push(d),
            None => {
                file_cases.insert((file.clone(), d.rule), cases.len());
                cases.push(Case {
                    name: file,
                    rule: d.rule,
                    findings: vec![d],
                    error: None,
                });
            }
        }
    }
    for error in report.inputs.errors() {
        by_file.entry(error.file.clone()).or_default().push(Case {
            name: error.file.clone(),
            rule: "input-error",
            findings: Vec::new(),
            error: Some(error.to_string()),
        });
    }
    by_file
}

fn element<'b>(name: &'b str, attributes: &[(&str, &str)]) -> BytesStart<'b> {
    let mut start = BytesStart::new(name);
    for (key, value) in attributes {
        start.push_attribute((*key, *value));
    }
    start
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let by_file = cases(report);
    let failing = |case: &Case<'_>| case.findings.iter().any(|d| d.severity >= report.threshold);
    let count = |cases: &[Case<'_>]| {
        (
            cases.len(),
            cases.iter().filter(|c| failing(c)).count(),
            cases.iter().filter(|c| c.error.is_some()).count(),
        )
    };
    let all: Vec<&Case<'_>> = by_file.values().flatten().collect();
    let totals = (
        all.len(),
        all.iter().filter(|c| failing(c)).count(),
        all.iter().filter(|c| c.error.is_some()).count(),
    );
    let mut writer = Writer::new_with_indent(out, b' ', 2);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let (tests, failures, errors) = (
        totals.0.to_string(),
        totals.1.to_string(),
        totals.2.to_string(),
    );
    writer.write_event(Event::Start(element(
        "testsuites",
        &[
            ("name", "zerodown"),
            ("tests", &tests),
            ("failures", &failures),
            ("errors", &errors),
            ("time", "0"),
        ],
    )))?;
    for (file, cases) in &by_file {
        let (tests, failures, errors) = count(cases);
        let (tests, failures, errors) =
            (tests.to_string(), failures.to_string(), errors.to_string());
        writer.write_event(Event::Start(element(
            "testsuite",
            &[
                ("name", file),
                ("tests", &tests),
                ("failures", &failures),
                ("errors", &errors),
                ("skipped", "0"),
                ("time", "0"),
            ],
        )))?;
        for case in cases {
            let start = element(
                "testcase",
                &[
                    ("name", &case.name),
                    ("classname", case.rule),
                    ("file", file),
                    ("time", "0"),
                ],
            );
            if case.findings.is_empty() && case.error.is_none() {
                writer.write_event(Event::Empty(start))?;
                continue;
            }
            writer.write_event(Event::Start(start))?;
            if let Some(error) = &case.error {
                writer
                    .create_element("error")
                    .with_attributes([("message", error.as_str()), ("type", "input-error")])
                    .write_text_content(BytesText::new(error))?;
            }
            let (failed, passed): (Vec<&Diagnostic>, Vec<&Diagnostic>) = case
                .findings
                .iter()
                .partition(|d| d.severity >= report.threshold);
            if let Some(first) = failed.first() {
                let text: Vec<String> = failed.iter().map(|d| location(report, d)).collect();
                writer
                    .create_element("failure")
                    .with_attributes([("message", first.message.as_str()), ("type", case.rule)])
                    .write_text_content(BytesText::new(&text.join("\n\n")))?;
            }
            if !passed.is_empty() {
                let text: Vec<String> = passed.iter().map(|d| location(report, d)).collect();
                writer
                    .create_element("system-out")
                    .write_text_content(BytesText::new(&text.join("\n\n")))?;
            }
            writer.write_event(Event::End(BytesEnd::new("testcase")))?;
        }
        writer.write_event(Event::End(BytesEnd::new("testsuite")))?;
    }
    writer.write_event(Event::End(BytesEnd::new("testsuites")))?;
    writeln!(writer.get_mut())
}
