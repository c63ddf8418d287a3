//! The subcommands: each reads its arguments, does its job, prints, and returns an exit code.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::cli::{Cli, ColorChoice, Command, LintArgs};
use crate::config::{self, Config};
use crate::exit;
use crate::input::{self, Input, InputError};
use crate::lint::{Summary, lint};
use crate::output::{self, Report};
use crate::rules::{self, RULES};
use crate::workspace::{ParsedFile, Workspace, parse_file};

pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Lint(args) => run_lint(&args),
        Command::Rules => list_rules(),
        Command::Explain { rule } => explain(&rule),
        Command::Init(args) => crate::render_command::init(&args),
        Command::Render(args) => crate::render_command::render(&args),
    }
}

fn list_rules() -> u8 {
    let mut out = std::io::stdout().lock();
    let width = RULES.iter().map(|r| r.meta().id.len()).max().unwrap_or(0);
    for rule in RULES.iter() {
        let meta = rule.meta();
        let _ = writeln!(
            out,
            "{:width$}  {:7}  {}",
            meta.id,
            meta.severity.as_str(),
            meta.summary
        );
    }
    exit::CLEAN
}

fn explain(id: &str) -> u8 {
    match rules::find(id) {
        Some(rule) => {
            print!("{}", rule.meta().doc);
            exit::CLEAN
        }
        None => {
            eprintln!(
                "error: no rule `{id}`{}; `zerodown rules` lists them",
                crate::suggest::did_you_mean(id, rules::ids())
            );
            exit::INPUT_ERROR
        }
    }
}

fn load_config(args: &LintArgs) -> Result<Config, InputError> {
    let start = std::env::current_dir().ok();
    find_config(args.no_config, args.config.as_ref(), start.as_deref())
}

/// The config to use: none with `--no-config`, the `--config` file, or `.zerodown.yaml`
/// found upward from `start`.
pub fn find_config(
    no_config: bool,
    explicit: Option<&std::path::PathBuf>,
    start: Option<&std::path::Path>,
) -> Result<Config, InputError> {
    let ids = rules::ids();
    if no_config {
        return Ok(Config::default());
    }
    let path = match explicit {
        Some(path) => Some(path.clone()),
        None => start.and_then(config::discover),
    };
    match path {
        Some(path) => Config::load(&path, &ids),
        None => Ok(Config::default()),
    }
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

fn run_lint(args: &LintArgs) -> u8 {
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
    let (inputs, collect_errors) = input::collect(&paths, &|path| config.is_excluded(path));
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
    let report = Report {
        workspace: &workspace,
        diagnostics: &diagnostics,
        summary: Summary::new(&workspace, &diagnostics),
    };
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    for error in &workspace.errors {
        eprintln!("{error}");
    }
    let mut stdout = std::io::stdout().lock();
    if let Err(error) =
        output::write(args.format, &report, &mut stdout, color).and_then(|()| stdout.flush())
    {
        // A closed pipe (`zerodown lint | head`) is not worth a second error message.
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: writing the report: {error}");
        }
        return exit::INPUT_ERROR;
    }
    if !workspace.errors.is_empty() {
        exit::INPUT_ERROR
    } else if diagnostics
        .iter()
        .any(|d| d.severity >= args.fail_on.threshold())
    {
        exit::FINDINGS
    } else {
        exit::CLEAN
    }
}
