//! Bytes as one manifest file through the whole `zerodown lint` pipeline (parse, workspace,
//! every rule with the default config) and the report written in every output format, as
//! `commands::lint::run` + `commands::finish` do it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zerodown::config::Config;
use zerodown::lint::{Summary, lint};
use zerodown::output::{self, Format, Report};
use zerodown::source::SourceFile;
use zerodown::workspace::{Keep, Workspace, parse_file};

const FORMATS: &[Format] = &[
    Format::Human,
    Format::Json,
    Format::Sarif,
    Format::Github,
    Format::Gitlab,
    Format::Junit,
    Format::Markdown,
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let config = Config::default();
    let mut workspace = Workspace::default();
    workspace.add(parse_file(
        SourceFile::new("fuzz/input.yaml", text),
        Keep::ForRules,
    ));
    let diagnostics = lint(&workspace, &config);
    let report = Report::new(
        &workspace,
        &diagnostics,
        Summary::new(&workspace, &diagnostics),
    )
    .with_rules(zerodown::rules::enabled(
        zerodown::rules::RULES.iter().map(|r| r.meta()),
        &config,
    ));
    // `finish` prints input errors with Display; do the same into a buffer.
    let mut out = Vec::new();
    for error in &workspace.errors {
        use std::io::Write;
        let _ = writeln!(out, "{error}");
    }
    for &format in FORMATS {
        out.clear();
        output::write(format, &report, &mut out, false).expect("writing to a Vec cannot fail");
    }
    // The human format with colour too (`--color always`).
    out.clear();
    output::write(Format::Human, &report, &mut out, true).expect("writing to a Vec cannot fail");
});
