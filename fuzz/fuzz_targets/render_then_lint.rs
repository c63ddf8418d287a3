//! Bytes as an app spec (`zerodown.yaml`): parse and check it, render it with the embedded
//! templates and the default config, and lint the rendered stream, as `zerodown render`
//! does. Refusals of the spec (spec errors, render errors) are fine; panics are not, and
//! neither is a spec render accepts whose output then has a finding of its own lint
//! (`zerodown render` would exit 1 on a spec it called valid).
#![no_main]

use libfuzzer_sys::fuzz_target;
use zerodown::config::Config;
use zerodown::output::{self, Format, Report};
use zerodown::render::{self, Options, spec};
use zerodown::source::SourceFile;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let source = SourceFile::new("zerodown.yaml", text);
    let Ok(app) = spec::parse(&source, &[]) else {
        return;
    };
    let options = Options {
        templates: None,
        config: Config::default(),
    };
    let Ok(rendered) = render::render(&app, &options) else {
        return;
    };
    let (workspace, diagnostics) = render::lint(&rendered, &options.config);
    // `zerodown render` prints findings in the human format to stderr.
    if !diagnostics.is_empty() || !workspace.errors.is_empty() {
        let report = Report::new(
            &workspace,
            &diagnostics,
            zerodown::lint::Summary::new(&workspace, &diagnostics),
        );
        let mut out = Vec::new();
        output::write(Format::Human, &report, &mut out, false)
            .expect("writing to a Vec cannot fail");
    }
    // `zerodown render` refuses its output on any finding, info included.
    assert!(
        diagnostics.is_empty() && workspace.errors.is_empty(),
        "the spec was accepted but its rendered output does not lint clean: {:?}",
        diagnostics
            .iter()
            .map(|d| (d.rule, d.message.as_str()))
            .collect::<Vec<_>>()
    );
    std::hint::black_box(rendered.stream());
});
