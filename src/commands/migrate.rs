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
        MigrateCommand::Plan(command) => super::plan::run(command),
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

/// Reads the migrations the arguments name (default: the current folder).
fn read_migrations(args: &MigrationArgs, options: &Options, config: &Config) -> MigrationSet {
    let paths = crate::input::or_current_folder(&args.paths);
    crate::sql::read(&paths, options, config)
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
        match crate::sql::database::read_schema(url, environment.limits, &set.referenced_tables()) {
            Ok(schema) => environment.database = Some(schema),
            Err(error) => {
                eprintln!("error: --database: {error}");
                return exit::INPUT_ERROR;
            }
        }
    }
    let diagnostics = analysis::check(&set, &environment, &config);
    let report = Report::new(&set, &diagnostics, summary(&set, &diagnostics)).with_rules(
        crate::rules::enabled(
            crate::sql::rules::SQL_RULES.iter().map(|r| r.meta()),
            &config,
        ),
    );
    let code = super::finish(
        report,
        args.report.format,
        args.report.color,
        args.report.fail_on,
    );
    // As lint does: the process exits next, and dropping every syntax tree node by node
    // cost a twentieth of a large run.
    std::mem::forget(diagnostics);
    std::mem::forget(set);
    code
}

fn trace(args: &MigrateTraceArgs) -> u8 {
    let config = match load_config(&args.report) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let options = args.migrations.options();
    let schema_sql = match &args.schema {
        Some(path) => match input::read_file(path) {
            Ok(source) => Some(source.text),
            Err(error) => {
                eprintln!("{error}");
                return exit::INPUT_ERROR;
            }
        },
        None => None,
    };
    let targets = read_migrations(&args.migrations, &options, &config);
    // The state before the first traced migration: the folder's earlier migrations (unless
    // --schema gives it).
    let set = if schema_sql.is_some() {
        targets
    } else {
        with_folder_context(targets, &options, &config)
    };
    let target_files: Vec<bool> = set.files.iter().map(|f| f.target).collect();
    let is_target: Vec<bool> = set
        .migrations
        .iter()
        .map(|m| target_files[m.file])
        .collect();
    let schema_sql = schema_sql.map(|sql| crate::sql::without_psql_commands(&sql).into_owned());
    let traced =
        match crate::sql::trace::trace(&set, &is_target, &args.database, schema_sql.as_deref()) {
            Ok(traced) => traced,
            Err(error) => {
                eprintln!("error: migrate trace: {error}");
                return exit::INPUT_ERROR;
            }
        };
    let environment = Environment::default();
    let mut diagnostics: Vec<_> = analysis::check(&set, &environment, &config)
        .into_iter()
        .filter(|d| target_files[d.file])
        .collect();
    // Trace findings follow the same config levels and inline ignores as lint's.
    for mut traced_finding in crate::sql::trace::diagnostics(&set, &traced) {
        match config.levels.get(traced_finding.rule) {
            Some(crate::severity::Level::Off) => continue,
            Some(crate::severity::Level::On(severity)) => traced_finding.severity = *severity,
            None => {}
        }
        let source = &set.files[traced_finding.file].source;
        if crate::sql::ignore::is_ignored(
            source,
            traced_finding.rule,
            traced_finding.span,
            traced_finding.span,
        ) {
            continue;
        }
        diagnostics.push(traced_finding);
    }
    crate::lint::order(&mut diagnostics, &|file| {
        set.files[file].source.name.as_str()
    });
    let migrations = is_target.iter().filter(|&&t| t).count();
    let statements: usize = set
        .migrations
        .iter()
        .filter(|m| target_files[m.file])
        .map(|m| m.statements.len())
        .sum();
    let summary = Summary::counting(
        target_files.iter().filter(|&&t| t).count(),
        Units::Migrations {
            migrations,
            statements,
        },
        &diagnostics,
    );
    if args.report.format == crate::output::Format::Human {
        print_trace(&set, &traced);
    }
    let mut report = Report::new(&set, &diagnostics, summary);
    report
        .extra
        .push(("trace", crate::sql::trace::to_json(&set, &traced)));
    report.rules = crate::rules::enabled(
        crate::sql::rules::SQL_RULES
            .iter()
            .map(|r| r.meta())
            .chain(crate::sql::trace::TRACE_RULES.iter().copied()),
        &config,
    );
    super::finish(
        report,
        args.report.format,
        args.report.color,
        args.report.fail_on,
    )
}

/// Adds the other migrations of each target's folder (read, not traced), so the trace can
/// reach the state before the first target.
fn with_folder_context(targets: MigrationSet, options: &Options, config: &Config) -> MigrationSet {
    let target_paths: Vec<std::path::PathBuf> = targets
        .files
        .iter()
        .filter_map(|f| f.path.as_ref().and_then(|p| std::fs::canonicalize(p).ok()))
        .collect();
    let folders: Vec<std::path::PathBuf> = targets
        .histories
        .iter()
        .filter(|h| !h.folder.as_os_str().is_empty())
        .map(|h| h.folder.clone())
        .collect();
    if folders.is_empty() {
        return targets;
    }
    let (inputs, _) = input::collect(&folders, &input::is_sql, &|path| config.is_excluded(path));
    let mut set = MigrationSet {
        errors: targets.errors.clone(),
        ..MigrationSet::default()
    };
    let mut seen: Vec<std::path::PathBuf> = Vec::new();
    let add = |set: &mut MigrationSet, source, path: Option<&std::path::Path>, target: bool| {
        set.add(source, path, options);
        if let Some(file) = set.files.last_mut() {
            file.target = target;
        }
    };
    for file in targets.files {
        if let Some(path) = file
            .path
            .as_ref()
            .and_then(|p| std::fs::canonicalize(p).ok())
        {
            seen.push(path);
        }
        let path = file.path.clone();
        add(&mut set, file.source, path.as_deref(), true);
    }
    for item in &inputs {
        let Input::File(path) = item else { continue };
        let Ok(real) = std::fs::canonicalize(path) else {
            continue;
        };
        if seen.contains(&real) || target_paths.contains(&real) {
            continue;
        }
        seen.push(real);
        if let Ok(source) = input::read(item) {
            // Parse errors of files only read for context are not the user's question.
            let errors = set.errors.len();
            add(&mut set, source, Some(path), false);
            set.errors.truncate(errors);
        }
    }
    set.sort();
    set
}

fn print_trace(set: &MigrationSet, traced: &crate::sql::trace::Trace) {
    use crate::sql::trace::{describe_locks, format_duration};
    println!(
        "trace on PostgreSQL {} ({} statements, scratch database dropped):",
        traced.server_version,
        traced.statements.len()
    );
    for t in &traced.statements {
        let source = &set.files[t.file].source;
        let position = source.position(t.span.start as usize);
        let text = t.text(set);
        let text = if text.chars().count() > 90 {
            format!("{}…", text.chars().take(89).collect::<String>())
        } else {
            text
        };
        println!(
            "  {}:{}:{}  {text}",
            source.name, position.line, position.column
        );
        let mut facts = Vec::new();
        if let Some(error) = &t.error {
            facts.push(format!("FAILED: {error}"));
        } else {
            let locks = describe_locks(&t.locks);
            facts.push(if locks.is_empty() {
                "no new table locks".to_string()
            } else {
                locks
            });
            if !t.already_held.is_empty() {
                facts.push(format!(
                    "already held by its transaction: {}",
                    describe_locks(&t.already_held)
                ));
            }
            if !t.rewritten.is_empty() {
                facts.push(format!("rewrote {}", t.rewritten.join(", ")));
            }
            if !t.indexes_rebuilt.is_empty() {
                facts.push(format!("rebuilt {}", t.indexes_rebuilt.join(", ")));
            }
            facts.push(format_duration(t.duration));
            if t.observed == crate::sql::trace::Observed::Sampled {
                facts.push("locks sampled while it ran".to_string());
            }
        }
        println!("      {}", facts.join("; "));
    }
    println!();
}
