//! `--format junit`: JUnit XML as GitLab, Jenkins and most CI test views read it. One test
//! suite per input file; in it one test case per subject (object, or migration file) and
//! rule that ran. A finding at or above the failing severity is a `<failure>` carrying its
//! location; one below it passes with the finding in `<system-out>`; an input error is an
//! `<error>` case of its own.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Write};

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::{Report, Subject};
use crate::lint::Diagnostic;

/// One test case: its name, its rule (the class), and the findings it holds.
struct Case<'a> {
    name: &'a str,
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

/// One file's test suite: a case per subject and rule that ran, then the cases no subject
/// holds, then input errors. The subject cases (subjects × rules, most of them empty) are
/// made one at a time while counting and writing, never all held: a run of 20,000 objects
/// has about a million of them.
#[derive(Default)]
struct Suite<'a> {
    subjects: Vec<&'a Subject>,
    others: Vec<Case<'a>>,
}

/// Findings grouped once by rule and object (or file), so a case costs a look-up, not a
/// pass over every finding.
struct Grouped<'a> {
    by_object: HashMap<(&'a str, usize), Vec<&'a Diagnostic>>,
    by_subject_file: HashMap<(&'a str, usize), Vec<&'a Diagnostic>>,
}

impl<'a> Grouped<'a> {
    fn new(diagnostics: &'a [Diagnostic]) -> Self {
        let mut by_object: HashMap<(&str, usize), Vec<&Diagnostic>> = HashMap::new();
        let mut by_subject_file: HashMap<(&str, usize), Vec<&Diagnostic>> = HashMap::new();
        for d in diagnostics {
            if let Some(object) = d.object {
                by_object.entry((d.rule, object)).or_default().push(d);
            }
            by_subject_file.entry((d.rule, d.file)).or_default().push(d);
        }
        Grouped {
            by_object,
            by_subject_file,
        }
    }

    fn findings(&self, subject: &Subject, rule: &'a str) -> &[&'a Diagnostic] {
        match subject.object {
            Some(object) => self.by_object.get(&(rule, object)),
            None => self.by_subject_file.get(&(rule, subject.file)),
        }
        .map_or(&[], Vec::as_slice)
    }
}

/// The suites of every file, in file-name order.
fn suites<'a>(report: &'a Report<'a>, subjects: &'a [Subject]) -> BTreeMap<&'a str, Suite<'a>> {
    let mut by_file: BTreeMap<&'a str, Suite<'a>> = BTreeMap::new();
    for subject in subjects {
        let file = report.inputs.file(subject.file).name.as_str();
        by_file.entry(file).or_default().subjects.push(subject);
    }
    let held_objects: HashSet<usize> = subjects.iter().filter_map(|s| s.object).collect();
    let held_files: HashSet<usize> = subjects
        .iter()
        .filter(|s| s.object.is_none())
        .map(|s| s.file)
        .collect();
    // Findings no subject holds (about a whole file, or by a rule outside the list).
    let ran: HashSet<&str> = report.rules.iter().map(|m| m.id).collect();
    let mut file_cases: HashMap<(&str, &str), usize> = HashMap::new();
    for d in report.diagnostics {
        let held = match d.object {
            Some(object) => held_objects.contains(&object) || held_files.contains(&d.file),
            None => held_files.contains(&d.file),
        } && ran.contains(d.rule);
        if held {
            continue;
        }
        let file = report.file_name(d);
        let others = &mut by_file.entry(file).or_default().others;
        match file_cases.get(&(file, d.rule)) {
            Some(&at) => others[at].findings.push(d),
            None => {
                file_cases.insert((file, d.rule), others.len());
                others.push(Case {
                    name: file,
                    rule: d.rule,
                    findings: vec![d],
                    error: None,
                });
            }
        }
    }
    for error in report.inputs.errors() {
        by_file.entry(&error.file).or_default().others.push(Case {
            name: &error.file,
            rule: "input-error",
            findings: Vec::new(),
            error: Some(error.to_string()),
        });
    }
    by_file
}

impl<'a> Suite<'a> {
    /// Every case of the suite, in order, each made when it is reached.
    fn cases<'s>(
        &'s self,
        report: &'s Report<'a>,
        grouped: &'s Grouped<'a>,
    ) -> impl Iterator<Item = Case<'a>> + 's {
        let per_subject = self.subjects.iter().flat_map(move |subject| {
            report.rules.iter().map(move |meta| Case {
                name: &subject.name,
                rule: meta.id,
                findings: grouped.findings(subject, meta.id).to_vec(),
                error: None,
            })
        });
        let others = self.others.iter().map(|case| Case {
            name: case.name,
            rule: case.rule,
            findings: case.findings.clone(),
            error: case.error.clone(),
        });
        per_subject.chain(others)
    }

    /// (tests, failures, errors).
    fn counts(&self, report: &Report<'a>, grouped: &Grouped<'a>) -> (usize, usize, usize) {
        let failing =
            |findings: &[&Diagnostic]| findings.iter().any(|d| d.severity >= report.threshold);
        let subject_failures = self
            .subjects
            .iter()
            .flat_map(|subject| {
                report
                    .rules
                    .iter()
                    .map(|meta| grouped.findings(subject, meta.id))
            })
            .filter(|findings| failing(findings))
            .count();
        (
            self.subjects.len() * report.rules.len() + self.others.len(),
            subject_failures + self.others.iter().filter(|c| failing(&c.findings)).count(),
            self.others.iter().filter(|c| c.error.is_some()).count(),
        )
    }
}

fn element<'b>(name: &'b str, attributes: &[(&str, &str)]) -> BytesStart<'b> {
    let mut start = BytesStart::new(name);
    for (key, value) in attributes {
        start.push_attribute((*key, *value));
    }
    start
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let subjects = report.inputs.subjects();
    let grouped = Grouped::new(report.diagnostics);
    let by_file = suites(report, &subjects);
    let counts: Vec<(usize, usize, usize)> = by_file
        .values()
        .map(|suite| suite.counts(report, &grouped))
        .collect();
    let totals = counts
        .iter()
        .fold((0, 0, 0), |(t, f, e), (tests, failures, errors)| {
            (t + tests, f + failures, e + errors)
        });
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
    for ((file, suite), (tests, failures, errors)) in by_file.iter().zip(counts) {
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
        for case in suite.cases(report, &grouped) {
            let start = element(
                "testcase",
                &[
                    ("name", case.name),
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
