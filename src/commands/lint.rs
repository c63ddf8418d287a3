//! `zerodown lint`: manifests in, findings out.

use super::find_config;
use crate::cli::LintArgs;
use crate::config::Config;
use crate::exit;
use crate::input::InputError;
use crate::lint::{Summary, lint};
use crate::output::Report;
use crate::workspace::Keep;

fn load_config(args: &LintArgs) -> Result<Config, InputError> {
    let start = std::env::current_dir().ok();
    find_config(
        args.report.no_config,
        args.report.config.as_ref(),
        start.as_deref(),
    )
}

pub fn run(args: &LintArgs) -> u8 {
    let config = match load_config(args) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("{error}");
            return exit::INPUT_ERROR;
        }
    };
    for warning in &config.warnings {
        eprintln!("{warning}");
    }
    let paths = crate::input::or_current_folder(&args.paths);
    let workspace = crate::workspace::read(&paths, &config, Keep::ForRules);
    let diagnostics = lint(&workspace, &config);
    let report = Report::new(
        &workspace,
        &diagnostics,
        Summary::new(&workspace, &diagnostics),
    )
    .with_rules(crate::rules::enabled(
        crate::rules::RULES.iter().map(|r| r.meta()),
        &config,
    ));
    let code = super::finish(
        report,
        args.report.format,
        args.report.color,
        args.report.fail_on,
    );
    // The process exits next and the system takes the memory back at once: freeing every
    // node of a large run one by one cost a twentieth of its time.
    std::mem::forget(diagnostics);
    std::mem::forget(workspace);
    code
}
