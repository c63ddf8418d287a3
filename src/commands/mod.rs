//! The subcommands, one file each: a command reads its arguments, calls the library, prints,
//! and returns an exit code. Helpers two commands need live in the library, not here.

mod checklist;
mod completions;
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
use crate::workspace::Keep;

pub fn run(cli: Cli) -> u8 {
    crate::input::honour_ignore_files(!cli.no_ignore);
    match cli.command {
        Command::Lint(args) => lint::run(&args),
        Command::Rules => rules::list_rules(),
        Command::Explain { rule } => rules::explain(&rule),
        Command::Checklist(args) => checklist::run(&args),
        Command::Completions { shell } => completions::completions(shell),
        Command::Man => completions::man(),
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
pub fn finish(mut report: Report<'_>, format: Format, color: ColorChoice, fail_on: FailOn) -> u8 {
    report.threshold = fail_on.threshold();
    let report = &report;
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
    // Buffered: the standard output is line-buffered, which costs a system call per line
    // of a large report.
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
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
    let paths = crate::input::or_current_folder(&args.paths);
    let workspace = crate::workspace::read(&paths, &config, Keep::Everything);
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

/// The cluster's current objects, read for a live move.
fn read_live(live: &crate::cli::LiveArgs) -> Result<crate::workspace::Workspace, u8> {
    live.kubectl().read().map_err(|error| {
        eprintln!("error: {error}");
        exit::INPUT_ERROR
    })
}

/// Runs a live move and turns its outcome into an exit code: 0 done, 1 refused or not
/// finished (a wait failed or timed out), 2 the cluster could not be read or patched.
fn run_live(
    live: &crate::cli::LiveArgs,
    force: bool,
    run: &crate::ops::live::moves::LiveMove<'_>,
) -> u8 {
    use crate::ops::live::moves::{Failure, Options};
    let kubectl = live.kubectl();
    let namespace = live.default_namespace();
    let options = Options {
        kubectl: &kubectl,
        namespace,
        force,
        wait: live.wait,
        timeout: live.timeout,
    };
    match run(&options, &mut |line| eprintln!("{line}")) {
        Ok(()) => exit::CLEAN,
        Err(Failure::Input(error)) => {
            eprintln!("error: {error}");
            exit::INPUT_ERROR
        }
        Err(Failure::Refused(problems)) => {
            for problem in &problems {
                eprintln!("error: not Ready: {problem}");
            }
            eprintln!(
                "error: refused: the traffic would go to pods that are not Ready (--force to move anyway); nothing was patched"
            );
            exit::FINDINGS
        }
        Err(Failure::Failed(error)) => {
            eprintln!("error: the move was made but did not finish: {error}");
            exit::FINDINGS
        }
    }
}

/// A traffic move against the cluster: read it with kubectl, compute the move as for files,
/// check that what takes the traffic is Ready, patch, and with `--wait` watch it settle.
pub fn apply_live(
    live: &crate::cli::LiveArgs,
    force: bool,
    compute: &dyn Fn(
        &crate::workspace::Workspace,
        &str,
    ) -> Result<crate::ops::traffic::Move, String>,
) -> u8 {
    let workspace = match read_live(live) {
        Ok(workspace) => workspace,
        Err(code) => return code,
    };
    let namespace = live.default_namespace();
    let planned = match compute(&workspace, namespace) {
        Ok(planned) => planned,
        Err(error) => {
            eprintln!("error: {error}");
            return exit::INPUT_ERROR;
        }
    };
    run_live(live, force, &|options, log| {
        crate::ops::live::moves::traffic(options, &workspace, &planned, log)
    })
}

/// Which live move a promote or rollback makes: an Argo Rollout mid-update (the one named)
/// is promoted or aborted; otherwise the traffic move, or for a rollback without one, a
/// `kubectl rollout undo`.
pub fn release_live(
    live: &crate::cli::LiveArgs,
    force: bool,
    rollback: Option<Option<u64>>,
    strategy: Option<&str>,
    compute: &dyn Fn(
        &crate::workspace::Workspace,
        &str,
    ) -> Result<crate::ops::traffic::Move, String>,
) -> u8 {
    use crate::ops::live::{argo, moves};
    let workspace = match read_live(live) {
        Ok(workspace) => workspace,
        Err(code) => return code,
    };
    let rollout = match argo::pick(&workspace, live.name.as_deref(), strategy) {
        Ok(rollout) => rollout,
        Err(error) => {
            eprintln!("error: {error}");
            return exit::INPUT_ERROR;
        }
    };
    if let Some(rollout) = rollout {
        let namespace = live.default_namespace();
        let (patches, serving, done): (_, _, fn(&serde_json::Value) -> _) = if rollback.is_some() {
            (argo::abort_patches(), Vec::new(), argo::aborted)
        } else {
            (
                argo::promote_patches(&rollout.value),
                argo::preview_serving(rollout, namespace),
                argo::promoted,
            )
        };
        return run_live(live, force, &|options, log| {
            moves::argo(options, rollout, &patches, &serving, done, log)
        });
    }
    let undo = |to_revision| {
        run_live(live, force, &|options, log| {
            moves::undo(options, &workspace, live.name.as_deref(), to_revision, log)
        })
    };
    // A named plain workload is rolled back itself, whatever traffic split is around it.
    if let (Some(to_revision), Some(_)) = (rollback, &live.name) {
        return undo(to_revision);
    }
    let namespace = live.default_namespace();
    match (compute(&workspace, namespace), rollback) {
        (Ok(planned), _) => run_live(live, force, &|options, log| {
            moves::traffic(options, &workspace, &planned, log)
        }),
        (Err(_), Some(to_revision)) => undo(to_revision),
        (Err(error), None) => {
            eprintln!("error: {error}");
            exit::INPUT_ERROR
        }
    }
}
