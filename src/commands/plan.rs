//! `zerodown migrate plan KIND …`: a breaking change in, expand/contract migrations out
//! (checked by `migrate lint` before a byte is written), with the deploy order.

use std::path::{Path, PathBuf};

use crate::atomic::Staged;
use crate::cli::{HumanOrJson, PlanCommand, PlanOptions};
use crate::config::Config;
use crate::exit;
use crate::input::{self, Input};
use crate::severity::Severity;
use crate::source::SourceFile;
use crate::sql::analysis::{self, Environment};
use crate::sql::layout::Layout;
use crate::sql::plan::files::{FirstVersion, PlannedFile, files};
use crate::sql::plan::{Change, ColumnFacts, NewColumn, Plan, Request, build};
use crate::sql::schema::Schema;
use crate::sql::syntax::{self, Name};
use crate::sql::{MigrationSet, Options};

pub fn run(command: &PlanCommand) -> u8 {
    match plan(command) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            exit::INPUT_ERROR
        }
    }
}

/// `s.orders` or `orders` as PostgreSQL would read it.
fn parse_table(text: &str) -> Result<Name, String> {
    let (statements, errors) = syntax::parse(&format!("ALTER TABLE {text} ADD COLUMN x int;"));
    let name = statements
        .first()
        .and_then(|s| syntax::child(s.node(), syntax::SyntaxKind::TABLE_RELATION_NAME))
        .and_then(|n| syntax::name_of(&n));
    match name {
        Some(name) if errors.is_empty() => Ok(name),
        _ => Err(format!("`{text}` is not a table name")),
    }
}

/// A column name as PostgreSQL folds it.
fn column_name(text: &str) -> String {
    syntax::ident_text(text.trim())
}

/// `first_name text = split_part(name, ' ', 1)`.
fn parse_into(text: &str) -> Result<NewColumn, String> {
    let (left, expr) = text
        .split_once('=')
        .ok_or_else(|| format!("--into `{text}`: write `NAME TYPE = EXPR`"))?;
    let left = left.trim();
    let (name, ty) = left.split_once(char::is_whitespace).ok_or_else(|| {
        format!("--into `{text}`: the new column needs a type (`NAME TYPE = EXPR`)")
    })?;
    Ok(NewColumn {
        name: column_name(name),
        ty: ty.trim().to_string(),
        expr: expr.trim().to_string(),
    })
}

fn parts(command: &PlanCommand) -> Result<(&str, String, Change, &PlanOptions), String> {
    Ok(match command {
        PlanCommand::RenameColumn {
            table,
            column,
            new_name,
            options,
        } => (
            table,
            column_name(column),
            Change::RenameColumn {
                column: column_name(column),
                new: column_name(new_name),
            },
            options,
        ),
        PlanCommand::ChangeType {
            table,
            column,
            new_type,
            using,
            back,
            new_name,
            options,
        } => {
            let column = column_name(column);
            (
                table,
                column.clone(),
                Change::ChangeType {
                    new_name: new_name
                        .as_deref()
                        .map_or_else(|| format!("{column}_new"), column_name),
                    column,
                    new_type: new_type.clone(),
                    using: using.clone(),
                    back: back.clone(),
                },
                options,
            )
        }
        PlanCommand::SplitColumn {
            table,
            column,
            into,
            merge,
            options,
        } => (
            table,
            column_name(column),
            Change::SplitColumn {
                column: column_name(column),
                into: into
                    .iter()
                    .map(|i| parse_into(i))
                    .collect::<Result<_, _>>()?,
                merge: merge.clone(),
            },
            options,
        ),
        PlanCommand::AddNotNull {
            table,
            column,
            default,
            options,
        } => (
            table,
            column_name(column),
            Change::AddNotNull {
                column: column_name(column),
                default: default.clone(),
            },
            options,
        ),
        PlanCommand::DropColumn {
            table,
            column,
            default,
            options,
        } => (
            table,
            column_name(column),
            Change::DropColumn {
                column: column_name(column),
                default: default.clone(),
            },
            options,
        ),
    })
}

/// The migrations already in the output folder (context for the schema, the next version,
/// and the lint of the plan; read as the plan's layout by the caller).
fn existing(out: Option<&Path>) -> Result<Vec<(SourceFile, PathBuf)>, String> {
    let Some(out) = out.filter(|o| o.exists()) else {
        return Ok(Vec::new());
    };
    if !out.is_dir() {
        return Err(format!("--out {}: not a folder", out.display()));
    }
    let (inputs, errors) = input::collect(&[out.to_path_buf()], &input::is_sql, &|_| false);
    if let Some(error) = errors.first() {
        return Err(error.to_string());
    }
    let mut sources = Vec::new();
    for item in inputs {
        let Input::File(path) = &item else { continue };
        let source = input::read(&item).map_err(|e| e.to_string())?;
        sources.push((source, path.clone()));
    }
    Ok(sources)
}

/// What the command line, the database or the existing migrations say about the column.
fn column_facts(
    table: &Name,
    column: &str,
    options: &PlanOptions,
    schema: &Schema,
) -> Result<ColumnFacts, String> {
    let known = schema.table(table).and_then(|t| t.column(column));
    let ty = options
        .column_type
        .clone()
        .or_else(|| known.and_then(|c| c.ty.as_ref()).map(|t| t.written.clone()));
    let not_null = if options.not_null {
        Some(true)
    } else if options.nullable {
        Some(false)
    } else {
        known.map(|c| c.not_null)
    };
    match (ty, not_null) {
        (Some(ty), Some(not_null)) => Ok(ColumnFacts { ty, not_null }),
        (ty, not_null) => Err(format!(
            "cannot tell {} of `{table}`.`{column}`: pass {}, or --database URL, or keep the \
             table's migrations in --out",
            match (&ty, &not_null) {
                (None, None) => "the type and nullability",
                (None, _) => "the type",
                _ => "the nullability",
            },
            match (&ty, &not_null) {
                (None, None) => "--type TYPE and --not-null or --nullable",
                (None, _) => "--type TYPE",
                _ => "--not-null or --nullable",
            }
        )),
    }
}

/// One past the highest version in the folder (same width), else the UTC time now.
fn first_version(set: &MigrationSet, options: &PlanOptions) -> FirstVersion {
    if let Some(number) = options.version {
        return FirstVersion { number, width: 0 };
    }
    let leading = |file: &crate::sql::MigrationFile| -> Option<(u64, usize)> {
        let path = file.path.as_ref()?;
        let name = match options.layout {
            Layout::Diesel => path.parent()?.file_name()?.to_str()?.replace('-', ""),
            _ => path
                .file_name()?
                .to_str()?
                .trim_start_matches(['V', 'U'])
                .to_string(),
        };
        let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
        Some((digits.parse().ok()?, digits.len()))
    };
    match set.files.iter().filter_map(leading).max() {
        Some((number, width)) => FirstVersion {
            number: number + 1,
            width: if digits_have_padding(width, number) {
                width
            } else {
                0
            },
        },
        None => FirstVersion {
            number: utc_timestamp(),
            width: 0,
        },
    }
}

fn digits_have_padding(width: usize, number: u64) -> bool {
    width > number.to_string().len()
}

/// `YYYYMMDDHHMMSS` of now, in UTC.
fn utc_timestamp() -> u64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let rest = secs % 86_400;
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, s) = (rest / 3600, rest / 60 % 60, rest % 60);
    format!("{year:04}{month:02}{day:02}{h:02}{m:02}{s:02}")
        .parse()
        .unwrap_or(0)
}

fn plan(command: &PlanCommand) -> Result<u8, String> {
    let (table_text, column, change, options) = parts(command)?;
    let table = parse_table(table_text)?;
    let config = Config::default();
    let migration_options = Options {
        layout: Some(options.layout),
        assume_in_transaction: None,
    };
    let out = options.out.as_deref();
    let existing = existing(out)?;
    let mut context = MigrationSet::default();
    for (source, path) in &existing {
        context.add(
            SourceFile::new(source.name.clone(), source.text.clone()),
            Some(path),
            &migration_options,
        );
    }
    context.sort();
    let start = match &options.database {
        Some(url) => {
            crate::sql::database::read_schema(url, Default::default(), std::slice::from_ref(&table))
                .map_err(|e| format!("--database: {e}"))?
        }
        None => Schema::default(),
    };
    let schema = context
        .histories
        .iter()
        .fold(start.clone(), |schema, history| {
            analysis::replay(&context, history, schema)
        });
    let request = Request {
        column: column_facts(&table, &column, options, &schema)?,
        table,
        change,
        key: column_name(&options.key),
        batch_size: options.batch_size.max(1),
        pause_ms: options.pause_ms,
        lock_timeout: options.lock_timeout.clone(),
        layout: options.layout,
    };
    let plan = build(&request)?;
    let planned = files(&plan, options.layout, first_version(&context, options));
    let base = out.map_or_else(PathBuf::new, Path::to_path_buf);

    // What is written must lint clean, read as its runner reads it after the folder's
    // existing migrations.
    let mut sources: Vec<(SourceFile, Option<PathBuf>)> = existing
        .into_iter()
        .map(|(source, path)| (source, Some(path)))
        .collect();
    let first_planned = sources.len();
    for file in planned
        .iter()
        .flatten()
        .filter(|f| f.path.extension().is_some_and(|e| e == "sql"))
    {
        let path = base.join(&file.path);
        sources.push((
            SourceFile::new(path.to_string_lossy().into_owned(), file.contents.clone()),
            Some(path),
        ));
    }
    let environment = Environment {
        database: options.database.as_ref().map(|_| start),
        ..Environment::default()
    };
    let (set, diagnostics) =
        crate::sql::lint_sources(sources, &migration_options, &environment, &config);
    let blocking: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.file >= first_planned && d.severity >= Severity::Warning)
        .collect();
    let planned_errors: Vec<_> = set
        .errors
        .iter()
        .filter(|e| {
            set.files[first_planned..]
                .iter()
                .any(|f| f.source.name == e.file)
        })
        .collect();
    if !blocking.is_empty() || !planned_errors.is_empty() {
        for d in &blocking {
            let file = &set.files[d.file].source.name;
            eprintln!(
                "{file}:{}:{}: {}[{}] {}",
                d.start.line, d.start.column, d.severity, d.rule, d.message
            );
        }
        for error in &planned_errors {
            eprintln!("{error}");
        }
        eprintln!("error: the planned migrations do not lint clean; nothing was written");
        return Ok(exit::FINDINGS);
    }

    let names: Vec<Vec<String>> = planned
        .iter()
        .map(|step| {
            step.iter()
                .map(|f| base.join(&f.path).to_string_lossy().into_owned())
                .collect()
        })
        .collect();
    match out {
        Some(out) => write(out, &planned, options.force)?,
        None => print_files(&planned),
    }
    match options.format {
        HumanOrJson::Json => {
            let mut json = plan.to_json(&names);
            json["layout"] = serde_json::Value::String(options.layout.as_str().to_string());
            json["written"] = serde_json::Value::Bool(out.is_some());
            println!(
                "{}",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            );
        }
        HumanOrJson::Human => print_plan(&plan, &names, options, out),
    }
    Ok(exit::CLEAN)
}

/// Stages every file, refusing to replace one that exists (unless `force`), then renames
/// them into place: all or nothing.
fn write(out: &Path, planned: &[Vec<PlannedFile>], force: bool) -> Result<(), String> {
    let paths: Vec<(PathBuf, &PlannedFile)> = planned
        .iter()
        .flatten()
        .map(|f| (out.join(&f.path), f))
        .collect();
    if !force {
        let existing: Vec<String> = paths
            .iter()
            .filter(|(p, _)| p.exists())
            .map(|(p, _)| p.display().to_string())
            .collect();
        if !existing.is_empty() {
            return Err(format!(
                "{} exist(s); pass --force to replace: {}; nothing was written",
                existing.len(),
                existing.join(", ")
            ));
        }
    }
    let mut staged = Staged::default();
    for (path, file) in &paths {
        staged
            .add(path, file.contents.as_bytes())
            .map_err(|e| format!("{}: cannot write: {e}; nothing was written", path.display()))?;
    }
    staged
        .commit()
        .map_err(|e| format!("{}: cannot write: {e}", out.display()))?;
    Ok(())
}

fn print_files(planned: &[Vec<PlannedFile>]) {
    for file in planned.iter().flatten() {
        println!("-- ==> {} <==", file.path.display());
        print!("{}", file.contents);
        println!();
    }
}

/// The plan in the order things happen, on stderr (stdout may carry the files).
fn print_plan(plan: &Plan, names: &[Vec<String>], options: &PlanOptions, out: Option<&Path>) {
    eprintln!(
        "{} on {}: {} migrations for {}, in this order:",
        plan.kind,
        plan.table,
        plan.steps.len(),
        options.layout
    );
    let deploys_before = |i: usize| {
        for deploy in plan.deploys.iter().filter(|d| d.before_step == i) {
            eprintln!("  deploy {}: {}", deploy.number, deploy.what);
        }
    };
    for (i, (step, files)) in plan.steps.iter().zip(names).enumerate() {
        deploys_before(i);
        eprintln!(
            "  migrate {} ({}): {}\n      {}",
            i + 1,
            step.phase.as_str(),
            step.summary,
            files.join("\n      ")
        );
    }
    deploys_before(plan.steps.len());
    for note in &plan.notes {
        eprintln!("note: {note}");
    }
    if let Some(out) = out {
        let count: usize = names.iter().map(Vec::len).sum();
        eprintln!("wrote {count} files to {}", out.display());
    }
}
