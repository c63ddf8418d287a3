//! `zerodown migrate lint` and `zerodown migrate trace`: SQL migrations in, findings out.

use super::find_config;
use crate::cli::{MigrateCommand, MigrateLintArgs, MigrateTraceArgs, MigrationArgs, ReportArgs};
use crate::config::Config;
use crate::exit;
use crate::input::{self, Input};
use crate::lint::{Summary, Units};
use crate::output::Report;
use crate::sql::analysis::{self, Environment, SizeLimits};
use crate::sql::{MigrationSet, Options};

pub fn run(command: &MigrateCommand) -> u8 {
    match command {
        MigrateCommand::Lint(args) => lint(args),
        MigrateCommand::Trace(args) => trace(args),
    }
}

fn load_config(report: &ReportArgs) -> Result<Config, u8> {
    let start = std::env::current_dir().ok();
    let config = find_config(report.no_config, report.config.as_ref(), start.as_deref()).map_err(
        |error| {
            eprintln!("{error}");
            exit::INPUT_ERROR
        },
    )?;
    for warning in &config.warnings {
        eprintln!("{warning}");
    }
    Ok(config)
}

/// Reads every input into a set of migrations (read and parse errors are kept in it).
fn read_migrations(args: &MigrationArgs, options: &Options, config: &Config) -> MigrationSet {
    let paths = if args.paths.is_empty() {
        vec![".".to_string()]
    } else {
        args.paths.clone()
    };
    let (inputs, collect_errors) =
        input::collect(&paths, &input::is_sql, &|path| config.is_excluded(path));
    let mut set = MigrationSet::default();
    set.errors.extend(collect_errors);
    for item in &inputs {
        match input::read(item) {
            Ok(source) => {
                let path = match item {
                    Input::File(path) => Some(path.as_path()),
                    Input::Stdin => None,
                };
                set.add(source, path, options);
            }
            Err(error) => set.errors.push(error),
        }
    }
    set.sort();
    set
}

fn summary(set: &MigrationSet, diagnostics: &[crate::lint::Diagnostic]) -> Summary {
    Summary::counting(
        set.files.len(),
        Units::Migrations {
            migrations: set.migrations.len(),
            statements: set.statement_count(),
        },
        diagnostics,
    )
}

fn lint(args: &MigrateLintArgs) -> u8 {
    let config = match load_config(&args.report) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let options = args.migrations.options();
    let mut environment = Environment {
        database: None,
        limits: SizeLimits {
            small_rows: args.small_table_rows,
            large_rows: args.large_table_rows,
            ..SizeLimits::default()
        },
    };
    let set = read_migrations(&args.migrations, &options, &config);
    if let Some(url) = &args.database {
        match crate::sql::database::read_schema(url, environment.limits) {
            Ok(schema) => environment.database = Some(schema),
            Err(error) => {
                eprintln!("error: --database: {error}");
                return exit::INPUT_ERROR;
            }
        }
    }
    let diagnostics = analysis::check(&set, &environment, &config);
    let report = Report::new(&set, &diagnostics, summary(&set, &diagnostics));
    super::finish(
        &report,
        args.report.format,
        args.report.color,
        args.report.fail_on,
    )
}

fn trace(args: &MigrateTraceArgs) -> u8 {
    let config = match load_config(&args.report) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let options = args.migrations.options();
    let set = read_migrations(&args.migrations, &options, &config);
    let _ = set;
    eprintln!("error: migrate trace is not built yet");
    exit::INPUT_ERROR
}
