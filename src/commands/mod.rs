//! The subcommands, one file each: a command reads its arguments, calls the library, prints,
//! and returns an exit code. Helpers two commands need live in the library, not here.

mod lint;
mod migrate;
mod plan;
mod render;
mod rules;
mod simulate;

use std::io::{IsTerminal, Write};

use crate::cli::{Cli, ColorChoice, Command, FailOn};
use crate::config::{self, Config};
use crate::exit;
use crate::input::InputError;
use crate::output::{self, Format, Report};

pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Lint(args) => lint::run(&args),
        Command::Rules => rules::list_rules(),
        Command::Explain { rule } => rules::explain(&rule),
        Command::Init(args) => render::init(&args),
        Command::Render(args) => render::render(&args),
        Command::Migrate(command) => migrate::run(&command),
        Command::Simulate(args) => simulate::run(&args),
    }
}

/// The config to use: none with `--no-config`, the `--config` file, or `.zerodown.yaml`
/// found upward from `start`.
pub fn find_config(
    no_config: bool,
    explicit: Option<&std::path::PathBuf>,
    start: Option<&std::path::Path>,
) -> Result<Config, InputError> {
    let ids = crate::rules::all_ids();
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

/// Prints a report's input errors to stderr and the report itself to stdout in `format`, and
/// returns the exit code: 2 for input errors, 1 for findings at or above `fail_on`, else 0.
pub fn finish(report: &Report<'_>, format: Format, color: ColorChoice, fail_on: FailOn) -> u8 {
    let color = match color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let errors = report.inputs.errors();
    for error in errors {
        eprintln!("{error}");
    }
    let mut stdout = std::io::stdout().lock();
    if let Err(error) =
        output::write(format, report, &mut stdout, color).and_then(|()| stdout.flush())
    {
        // A closed pipe (`zerodown lint | head`) is not worth a second error message.
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: writing the report: {error}");
        }
        return exit::INPUT_ERROR;
    }
    if !errors.is_empty() {
        exit::INPUT_ERROR
    } else if report
        .diagnostics
        .iter()
        .any(|d| d.severity >= fail_on.threshold())
    {
        exit::FINDINGS
    } else {
        exit::CLEAN
    }
}
