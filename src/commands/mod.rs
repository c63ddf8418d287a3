//! The subcommands, one file each: a command reads its arguments, calls the library, prints,
//! and returns an exit code. Helpers two commands need live in the library, not here.

mod lint;
mod migrate;
mod plan;
mod promote;
mod render;
mod rollback;
mod rules;
mod set_weight;
mod simulate;
mod switch;

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
        Command::Switch(args) => switch::run(&args),
        Command::SetWeight(args) => set_weight::run(&args),
        Command::Promote(args) => promote::run(&args),
        Command::Rollback(args) => rollback::run(&args),
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

/// Reads the manifests an edit command works on, refusing stdin and input errors (an edit
/// must not be based on a half-read folder).
pub fn read_for_edit(
    args: &crate::cli::EditArgs,
) -> Result<(crate::workspace::Workspace, Config), u8> {
    if args.paths.iter().any(|p| p == "-") {
        eprintln!("error: `-`: stdin cannot be edited in place; name the files");
        return Err(exit::INPUT_ERROR);
    }
    let start = std::env::current_dir().ok();
    let config =
        find_config(args.no_config, args.config.as_ref(), start.as_deref()).map_err(|e| {
            eprintln!("{e}");
            exit::INPUT_ERROR
        })?;
    let paths = if args.paths.is_empty() {
        vec![".".to_string()]
    } else {
        args.paths.clone()
    };
    let workspace = crate::workspace::read(&paths, &config);
    if !workspace.errors.is_empty() {
        for error in &workspace.errors {
            eprintln!("{error}");
        }
        eprintln!("error: fix the input errors first; nothing was changed");
        return Err(exit::INPUT_ERROR);
    }
    Ok((workspace, config))
}

/// Applies a traffic move: edits, re-lint (refused if it adds an error), diff, atomic write.
pub fn apply_move(
    workspace: &crate::workspace::Workspace,
    config: &Config,
    result: Result<crate::ops::traffic::Move, String>,
    dry_run: bool,
) -> u8 {
    let planned = match result {
        Ok(planned) => planned,
        Err(error) => {
            eprintln!("error: {error}");
            return exit::INPUT_ERROR;
        }
    };
    let edited = match crate::ops::edit(workspace, &planned.changes) {
        Ok(edited) => edited,
        Err(error) => {
            eprintln!("error: {error}");
            return exit::INPUT_ERROR;
        }
    };
    for line in &planned.summary {
        eprintln!("{line}");
    }
    let added = crate::ops::new_errors(workspace, &edited, config);
    if !added.is_empty() {
        for error in &added {
            eprintln!("error: the edit would add: {error}");
        }
        eprintln!("error: refused; nothing was written");
        return exit::FINDINGS;
    }
    if edited.files.is_empty() {
        eprintln!("nothing to change");
        return exit::CLEAN;
    }
    let mut out = std::io::stdout().lock();
    for (index, old, new) in &edited.files {
        let _ = write!(
            out,
            "{}",
            crate::ops::diff(&workspace.files[*index].source.name, old, new)
        );
    }
    if dry_run {
        eprintln!("dry run: nothing was written");
        return exit::CLEAN;
    }
    let mut staged = crate::atomic::Staged::default();
    for (index, _, new) in &edited.files {
        let path = std::path::Path::new(&workspace.files[*index].source.name);
        if let Err(error) = staged.add(path, new.as_bytes()) {
            eprintln!("error: {}: {error}; nothing was written", path.display());
            return exit::INPUT_ERROR;
        }
    }
    match staged.commit() {
        Ok(written) => {
            eprintln!("wrote {} file(s)", written.len());
            exit::CLEAN
        }
        Err(error) => {
            eprintln!("error: writing: {error}");
            exit::INPUT_ERROR
        }
    }
}

/// A traffic move against the cluster: read it with kubectl, compute the move as for files,
/// check that what takes the traffic is Ready, patch.
pub fn apply_live(
    live: &crate::cli::LiveArgs,
    force: bool,
    compute: &dyn Fn(
        &crate::workspace::Workspace,
        &str,
    ) -> Result<crate::ops::traffic::Move, String>,
) -> u8 {
    let kubectl = live.kubectl();
    let namespace = live
        .namespace
        .clone()
        .unwrap_or_else(|| "default".to_string());
    let workspace = match kubectl.read() {
        Ok(workspace) => workspace,
        Err(error) => {
            eprintln!("error: {error}");
            return exit::INPUT_ERROR;
        }
    };
    let planned = match compute(&workspace, &namespace) {
        Ok(planned) => planned,
        Err(error) => {
            eprintln!("error: {error}");
            return exit::INPUT_ERROR;
        }
    };
    for line in &planned.summary {
        eprintln!("{line}");
    }
    let unready = crate::ops::live::unready_targets(&workspace, &planned);
    if !unready.is_empty() && !force {
        for line in &unready {
            eprintln!("error: not Ready: {line}");
        }
        eprintln!(
            "error: refused: the traffic would go to pods that are not Ready (--force to move anyway); nothing was patched"
        );
        return exit::FINDINGS;
    }
    if planned.changes.is_empty() {
        eprintln!("nothing to change");
        return exit::CLEAN;
    }
    match crate::ops::live::apply(&kubectl, &workspace, &planned, &namespace) {
        Ok(done) => {
            for line in done {
                eprintln!("{line}");
            }
            exit::CLEAN
        }
        Err(error) => {
            eprintln!("error: {error}");
            exit::INPUT_ERROR
        }
    }
}
