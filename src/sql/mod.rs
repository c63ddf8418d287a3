//! PostgreSQL migrations: layouts, parsing, the schema they build, and the rules that check
//! each statement against a rolling deploy (old and new code running against one schema).

pub mod analysis;
pub mod database;
pub mod ignore;
pub mod layout;
pub mod locks;
pub mod plan;
pub mod rules;
pub mod schema;
pub mod syntax;
pub mod trace;

use std::path::{Path, PathBuf};

use crate::input::InputError;
use crate::source::{SourceFile, Span};
use layout::{Direction, Layout, Unit};
use syntax::Statement;

/// How the user asked migrations to be read.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--layout`: every file is read as this layout instead of detecting it.
    pub layout: Option<Layout>,
    /// `--assume-in-transaction` (true) / `--no-assume-in-transaction` (false).
    pub assume_in_transaction: Option<bool>,
}

/// The phase a migration declares with `-- zerodown: phase=…`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Expand,
    Backfill,
    Contract,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Expand => "expand",
            Phase::Backfill => "backfill",
            Phase::Contract => "contract",
        }
    }
}

pub const PHASE_MARKER: &str = "zerodown: phase=";

/// One file read for `migrate`.
pub struct MigrationFile {
    pub source: SourceFile,
    pub path: Option<PathBuf>,
    pub layout: Layout,
    pub statements: Vec<Statement>,
    /// Asked for on the command line (false: read only as context, by `migrate trace`).
    pub target: bool,
}

/// One migration: a file, or one section of a dbmate file.
pub struct Migration {
    pub file: usize,
    pub unit: Unit,
    /// Indices into its file's statements.
    pub statements: std::ops::Range<usize>,
    pub phase: Option<Phase>,
}

impl Migration {
    pub fn is_down(&self) -> bool {
        self.unit.direction == Direction::Down
    }
}

/// The migrations of one folder, in the order the runner applies them.
pub struct History {
    pub folder: PathBuf,
    pub layout: Layout,
    pub migrations: Vec<usize>,
}

#[derive(Default)]
pub struct MigrationSet {
    pub files: Vec<MigrationFile>,
    pub migrations: Vec<Migration>,
    pub histories: Vec<History>,
    pub errors: Vec<InputError>,
}

impl MigrationSet {
    pub fn statement_count(&self) -> usize {
        self.migrations.iter().map(|m| m.statements.len()).sum()
    }

    /// Every table the statements name (as lock targets), for reading sizes.
    pub fn referenced_tables(&self) -> Vec<syntax::Name> {
        let mut names: Vec<syntax::Name> = Vec::new();
        for file in &self.files {
            for statement in &file.statements {
                for lock in locks::statement_locks(statement) {
                    let locks::Relation::Table(name) = lock.relation else {
                        continue;
                    };
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
            }
        }
        names
    }

    /// The up of a down migration, or the down of an up: the migration of the same history
    /// with the same version and the other direction.
    pub fn counterpart(&self, history: &History, id: usize) -> Option<usize> {
        let migration = &self.migrations[id];
        history.migrations.iter().copied().find(|&other| {
            let other_migration = &self.migrations[other];
            other_migration.is_down() != migration.is_down()
                && other_migration.unit.version == migration.unit.version
        })
    }

    pub fn statements<'a>(&'a self, migration: &'a Migration) -> &'a [Statement] {
        &self.files[migration.file].statements[migration.statements.clone()]
    }

    /// Reads one file (already decoded) into the set: detects its layout, parses it, splits
    /// it into migrations. `path` is `None` for stdin.
    pub fn add(&mut self, source: SourceFile, path: Option<&Path>, options: &Options) {
        let parsed = parse_source(&source);
        self.add_parsed(source, parsed, path, options);
    }

    /// `add`, for a file already parsed by `parse_source` (on another thread).
    pub fn add_parsed(
        &mut self,
        source: SourceFile,
        parsed: syntax::Parsed,
        path: Option<&Path>,
        options: &Options,
    ) {
        let layout = options.layout.unwrap_or_else(|| {
            path.map_or_else(
                || layout::detect(Path::new(&source.name), &source.text),
                |p| layout::detect(p, &source.text),
            )
        });
        let (statements, errors) = parsed.statements();
        // One error per statement: the first says where it went wrong, the rest are echoes.
        let mut reported: Vec<Span> = Vec::new();
        for error in &errors {
            let within = statements.iter().map(|s| s.span).find(|span| {
                (span.start as usize..span.end.max(span.start + 1) as usize).contains(&error.offset)
            });
            if let Some(span) = within {
                if reported.contains(&span) {
                    continue;
                }
                reported.push(span);
            }
            self.errors.push(InputError::at(
                &source,
                error.offset,
                &format!("SQL syntax: {}", error.message),
            ));
        }
        let file_index = self.files.len();
        let statements_in = |span: Span| {
            statements
                .iter()
                .filter(|s| s.span.start >= span.start && s.span.start < span.end.max(1))
                .count()
        };
        let mut units = layout::units(layout, path, &source, statements_in);
        if let Some(assume) = options.assume_in_transaction {
            for unit in &mut units {
                unit.wrapping = layout::Wrapping {
                    in_transaction: assume,
                    reason: if assume {
                        "--assume-in-transaction".to_string()
                    } else {
                        "--no-assume-in-transaction".to_string()
                    },
                };
            }
        }
        if layout == Layout::Flyway && options.assume_in_transaction.is_none() {
            for unit in &mut units {
                let texts: Vec<&str> = statements
                    .iter()
                    .filter(|s| s.span.start >= unit.range.start && s.span.start < unit.range.end)
                    .map(|s| &source.text[s.span.range()])
                    .collect();
                if unit.wrapping.in_transaction
                    && !texts.is_empty()
                    && texts.iter().all(|t| layout::flyway_non_transactional(t))
                {
                    unit.wrapping = layout::Wrapping {
                        in_transaction: false,
                        reason: "Flyway runs a migration made only of statements that cannot run \
                                 in a transaction outside one"
                            .to_string(),
                    };
                }
            }
        }
        if layout == Layout::Dbmate && units.is_empty() {
            self.errors.push(InputError::whole_file(
                &source.name,
                "no `-- migrate:up` section",
            ));
        }
        let folder = path.map_or_else(PathBuf::new, |p| layout::history_folder(p, layout));
        for unit in units {
            let first = statements
                .iter()
                .position(|s| s.span.start >= unit.range.start)
                .unwrap_or(statements.len());
            let last = statements
                .iter()
                .rposition(|s| s.span.start < unit.range.end)
                .map_or(first, |i| (i + 1).max(first));
            let phase = match read_phase(&source, unit.range) {
                Ok(phase) => phase,
                Err(error) => {
                    self.errors.push(error);
                    None
                }
            };
            let index = self.migrations.len();
            self.migrations.push(Migration {
                file: file_index,
                unit,
                statements: first..last,
                phase,
            });
            match self
                .histories
                .iter_mut()
                .find(|h| h.folder == folder && h.layout == layout)
            {
                Some(history) => history.migrations.push(index),
                None => self.histories.push(History {
                    folder: folder.clone(),
                    layout,
                    migrations: vec![index],
                }),
            }
        }
        self.files.push(MigrationFile {
            source,
            path: path.map(Path::to_path_buf),
            layout,
            statements,
            target: true,
        });
    }

    /// Orders every history as its runner would apply it: by version, up before down.
    pub fn sort(&mut self) {
        let migrations = &self.migrations;
        for history in &mut self.histories {
            history.migrations.sort_by(|&a, &b| {
                let (a, b) = (&migrations[a], &migrations[b]);
                (&a.unit.version, a.is_down(), a.file).cmp(&(&b.unit.version, b.is_down(), b.file))
            });
        }
    }
}

/// psql meta-commands (`\set`, `\connect`, pg_dump's `\restrict`) are not SQL: blanked out
/// (same length, so every offset stays right) before parsing.
pub fn without_psql_commands(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.lines().any(|l| l.starts_with('\\')) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if line.starts_with('\\') {
            let body = line.trim_end_matches(['\n', '\r']);
            out.extend(std::iter::repeat_n(' ', body.len()));
            out.push_str(&line[body.len()..]);
        } else {
            out.push_str(line);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `-- zerodown: phase=contract` inside a migration's range.
fn read_phase(source: &SourceFile, range: Span) -> Result<Option<Phase>, InputError> {
    let text = &source.text[range.range()];
    let mut offset = range.start as usize;
    for line in text.split_inclusive('\n') {
        if let Some(comment) = line.trim_start().strip_prefix("--")
            && let Some(value) = comment.trim_start().strip_prefix(PHASE_MARKER)
        {
            let value = value.split_whitespace().next().unwrap_or("");
            let at = offset + line.find(PHASE_MARKER).unwrap_or(0) + PHASE_MARKER.len();
            return match value {
                "expand" => Ok(Some(Phase::Expand)),
                "backfill" => Ok(Some(Phase::Backfill)),
                "contract" => Ok(Some(Phase::Contract)),
                other => Err(InputError::at(
                    source,
                    at,
                    &format!("`{other}` is not a phase; allowed: expand, backfill, contract"),
                )),
            };
        }
        offset += line.len();
    }
    Ok(None)
}

impl crate::output::Inputs for MigrationSet {
    fn file(&self, index: usize) -> &SourceFile {
        &self.files[index].source
    }

    fn errors(&self) -> &[InputError] {
        &self.errors
    }

    fn subjects(&self) -> Vec<crate::output::Subject> {
        self.files
            .iter()
            .enumerate()
            .map(|(file, f)| crate::output::Subject {
                name: f.source.name.clone(),
                file,
                object: None,
            })
            .collect()
    }
}

/// Reads every migration under `paths` (files, folders, `-`) into a set; read and parse
/// errors are kept in it.
pub fn read(
    paths: &[std::path::PathBuf],
    options: &Options,
    config: &crate::config::Config,
) -> MigrationSet {
    use crate::input::{self, Input};
    let (inputs, collect_errors) =
        input::collect(paths, &input::is_sql, &|path| config.is_excluded(path));
    let mut set = MigrationSet::default();
    set.errors.extend(collect_errors);
    // Reading and parsing are per file, so they run side by side; the set is assembled in
    // input order on this thread (the checks replay each history in order).
    let read = crate::parallel::map_ref(&inputs, true, |item| {
        input::read(item).map(|source| {
            let parsed = parse_source(&source);
            (source, parsed)
        })
    });
    for (item, read) in inputs.iter().zip(read) {
        match read {
            Ok((source, parsed)) => {
                let path = match item {
                    Input::File(path) => Some(path.as_path()),
                    Input::Stdin => None,
                };
                set.add_parsed(source, parsed, path, options);
            }
            Err(error) => set.errors.push(error),
        }
    }
    set.sort();
    set
}

/// Parses a migration file as PostgreSQL would run it (psql's backslash commands blanked).
fn parse_source(source: &SourceFile) -> syntax::Parsed {
    syntax::parse_green(&without_psql_commands(&source.text))
}

/// Reads `sources` (each with its path, `None` for stdin) and checks them: the library entry
/// point for tests and embedders.
pub fn lint_sources(
    sources: Vec<(SourceFile, Option<PathBuf>)>,
    options: &Options,
    environment: &analysis::Environment,
    config: &crate::config::Config,
) -> (MigrationSet, Vec<crate::lint::Diagnostic>) {
    let mut set = MigrationSet::default();
    for (source, path) in sources {
        set.add(source, path.as_deref(), options);
    }
    set.sort();
    let diagnostics = analysis::check(&set, environment, config);
    (set, diagnostics)
}
