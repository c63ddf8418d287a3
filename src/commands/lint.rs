//! `zerodown lint`: manifests in, findings out.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::find_config;
use crate::cli::LintArgs;
use crate::config::Config;
use crate::exit;
use crate::input::{self, Input, InputError};
use crate::lint::{Summary, lint};
use crate::output::Report;
use crate::workspace::{ParsedFile, Workspace, parse_file};

fn load_config(args: &LintArgs) -> Result<Config, InputError> {
    let start = std::env::current_dir().ok();
    find_config(
        args.report.no_config,
        args.report.config.as_ref(),
        start.as_deref(),
    )
}

/// Reads and parses every input, on as many threads as there are cores, keeping input order.
fn parse_inputs(inputs: &[Input]) -> Vec<Result<ParsedFile, InputError>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(inputs.len().max(1));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<ParsedFile, InputError>>>> =
        Mutex::new((0..inputs.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(input) = inputs.get(i) else { break };
                    let parsed = input::read(input).map(parse_file);
                    results
                        .lock()
                        .expect("no worker panics while holding the lock")[i] = Some(parsed);
                }
            });
        }
    });
    results
        .into_inner()
        .expect("workers are done")
        .into_iter()
        .flatten()
        .collect()
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
    let paths = if args.paths.is_empty() {
        vec![".".to_string()]
    } else {
        args.paths.clone()
    };
    let (inputs, collect_errors) =
        input::collect(&paths, &input::is_yaml, &|path| config.is_excluded(path));
    let mut workspace = Workspace::default();
    for error in collect_errors {
        workspace.add_error(error);
    }
    for parsed in parse_inputs(&inputs) {
        match parsed {
            Ok(parsed) => workspace.add(parsed),
            Err(error) => workspace.add_error(error),
        }
    }
    let diagnostics = lint(&workspace, &config);
    let report = Report::new(
        &workspace,
        &diagnostics,
        Summary::new(&workspace, &diagnostics),
    );
    super::finish(
        &report,
        args.report.format,
        args.report.color,
        args.report.fail_on,
    )
}
