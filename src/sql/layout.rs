//! Migration layouts: how a runner names its files, orders them, splits up from down, and
//! whether it wraps a migration in a transaction (several rules depend on that).
//!
//! What each runner does (checked against its docs; see `rules/concurrent-in-transaction.md`):
//! - golang-migrate: `{version}_{title}.up.sql` / `.down.sql`; no transaction of its own, but
//!   the PostgreSQL driver sends a file as one multi-statement query, which the server runs as
//!   one implicit transaction block.
//! - sqlx: the same names (or `{version}_{desc}.sql`, irreversible); each migration in a
//!   transaction unless its first line is `-- no-transaction`.
//! - dbmate: one file, `-- migrate:up` and `-- migrate:down` sections; each section in a
//!   transaction unless its marker says `transaction:false`.
//! - Flyway: `V{version}__{desc}.sql`, undo `U{version}__{desc}.sql`, repeatable `R__{desc}.sql`;
//!   each migration in a transaction unless `executeInTransaction=false` is set in the
//!   script's `.sql.conf` file.
//! - Diesel: a folder per migration with `up.sql` and `down.sql`; in a transaction unless its
//!   `metadata.toml` says `run_in_transaction = false`.
//! - plain: numbered or named `.sql` files run as psql runs them: each statement on its own.

use std::path::{Path, PathBuf};

use crate::source::{SourceFile, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Layout {
    GolangMigrate,
    Sqlx,
    Dbmate,
    Flyway,
    Diesel,
    Plain,
}

impl Layout {
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::GolangMigrate => "golang-migrate",
            Layout::Sqlx => "sqlx",
            Layout::Dbmate => "dbmate",
            Layout::Flyway => "flyway",
            Layout::Diesel => "diesel",
            Layout::Plain => "plain",
        }
    }
}

impl std::fmt::Display for Layout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

/// Whether the runner wraps the migration in a transaction, and what said so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wrapping {
    pub in_transaction: bool,
    pub reason: String,
}

/// One migration: a file, or a dbmate section of one.
#[derive(Debug, Clone)]
pub struct Unit {
    pub direction: Direction,
    /// The bytes of the file it covers.
    pub range: Span,
    /// Sort key within its folder and a display name.
    pub version: Version,
    pub name: String,
    pub wrapping: Wrapping,
}

/// Versions compare as numbers where they are numbers (`2` before `10`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub Vec<VersionPart>);

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum VersionPart {
    Number(u128),
    Text(String),
}

impl Version {
    /// `20240101_add.up.sql` → [20240101, "_add.up.sql"]; `V1_2__x` → [1, 2, ...].
    pub fn parse(text: &str) -> Version {
        let mut parts = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            if digits > 0 {
                let (number, tail) = rest.split_at(digits);
                parts.push(VersionPart::Number(number.parse().unwrap_or(u128::MAX)));
                rest = tail;
            } else {
                let text_len = rest
                    .find(|c: char| c.is_ascii_digit())
                    .unwrap_or(rest.len());
                let (word, tail) = rest.split_at(text_len);
                parts.push(VersionPart::Text(word.to_string()));
                rest = tail;
            }
        }
        Version(parts)
    }
}

/// What a file name and its first lines say about the layout.
pub fn detect(path: &Path, text: &str) -> Layout {
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if has_dbmate_marker(text) {
        return Layout::Dbmate;
    }
    if (file_name == "up.sql" || file_name == "down.sql") && path.parent().is_some() {
        return Layout::Diesel;
    }
    if is_flyway_name(file_name) {
        return Layout::Flyway;
    }
    // `N_x.down.sql` beside `N_x.sql` is a plain file's down (what `migrate plan --layout
    // plain` writes), not golang-migrate's.
    if let Some(stem) = file_name.strip_suffix(".down.sql")
        && let Some(folder) = path.parent()
        && !folder.join(format!("{stem}.up.sql")).exists()
        && folder.join(format!("{stem}.sql")).exists()
    {
        return Layout::Plain;
    }
    if is_up_down_name(file_name) || first_line_is_no_transaction(text) {
        if first_line_is_no_transaction(text) || uses_sqlx(path) {
            return Layout::Sqlx;
        }
        return Layout::GolangMigrate;
    }
    Layout::Plain
}

fn has_dbmate_marker(text: &str) -> bool {
    text.lines().any(|line| dbmate_marker(line).is_some())
}

/// `-- migrate:up` / `-- migrate:down`, with their options (`transaction:false`).
fn dbmate_marker(line: &str) -> Option<(Direction, &str)> {
    let rest = line.trim_start().strip_prefix("--")?.trim_start();
    let rest = rest.strip_prefix("migrate:")?;
    if let Some(options) = rest.strip_prefix("up") {
        (options.is_empty() || options.starts_with(char::is_whitespace))
            .then_some((Direction::Up, options))
    } else if let Some(options) = rest.strip_prefix("down") {
        (options.is_empty() || options.starts_with(char::is_whitespace))
            .then_some((Direction::Down, options))
    } else {
        None
    }
}

fn is_flyway_name(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".sql") else {
        return false;
    };
    let Some((prefix, description)) = stem.split_once("__") else {
        return false;
    };
    let _ = description;
    match prefix.chars().next() {
        Some('V' | 'U') => {
            let version = &prefix[1..];
            !version.is_empty()
                && version
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c == '_')
                && version.starts_with(|c: char| c.is_ascii_digit())
        }
        Some('R') => prefix.len() == 1,
        _ => false,
    }
}

fn is_up_down_name(name: &str) -> bool {
    (name.ends_with(".up.sql") || name.ends_with(".down.sql"))
        && name.starts_with(|c: char| c.is_ascii_digit())
}

fn first_line_is_no_transaction(text: &str) -> bool {
    text.lines()
        .next()
        .is_some_and(|line| line.trim() == "-- no-transaction")
}

/// A Rust project that depends on sqlx, in one of the folders above the migrations: the
/// `N_name.up.sql` files are then sqlx's (which wraps them in a transaction), not
/// golang-migrate's (which does not).
fn uses_sqlx(path: &Path) -> bool {
    let Ok(absolute) = std::fs::canonicalize(path) else {
        return false;
    };
    absolute.ancestors().skip(1).take(4).any(|dir| {
        std::fs::read_to_string(dir.join("Cargo.toml"))
            .is_ok_and(|manifest| manifest.lines().any(|l| l.trim_start().starts_with("sqlx")))
    })
}

/// The folder whose files form one migration history (for Diesel, the folder above the
/// migration's own).
pub fn history_folder(path: &Path, layout: Layout) -> PathBuf {
    let parent = path.parent().unwrap_or(Path::new(""));
    match layout {
        Layout::Diesel => parent.parent().unwrap_or(Path::new("")).to_path_buf(),
        _ => parent.to_path_buf(),
    }
}

/// Splits one file into its migrations (one, or dbmate's two sections).
pub fn units(
    layout: Layout,
    path: Option<&Path>,
    source: &SourceFile,
    statement_count: impl Fn(Span) -> usize,
) -> Vec<Unit> {
    let text = &source.text;
    let file_name = path
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .unwrap_or(&source.name)
        .to_string();
    let whole = Span::new(0, text.len());
    match layout {
        Layout::Dbmate => dbmate_units(source, &file_name),
        Layout::GolangMigrate => {
            let count = statement_count(whole);
            vec![Unit {
                direction: up_down_direction(&file_name),
                range: whole,
                version: Version::parse(without_direction(&file_name)),
                name: file_name,
                wrapping: Wrapping {
                    in_transaction: count > 1,
                    reason: if count > 1 {
                        "golang-migrate sends the file as one query, which PostgreSQL runs as one \
                         implicit transaction"
                            .to_string()
                    } else {
                        "golang-migrate runs a one-statement file outside a transaction".to_string()
                    },
                },
            }]
        }
        Layout::Sqlx => {
            let opted_out = first_line_is_no_transaction(text);
            vec![Unit {
                direction: up_down_direction(&file_name),
                range: whole,
                version: Version::parse(without_direction(&file_name)),
                name: file_name,
                wrapping: Wrapping {
                    in_transaction: !opted_out,
                    reason: if opted_out {
                        "`-- no-transaction` on its first line".to_string()
                    } else {
                        "sqlx runs each migration in a transaction".to_string()
                    },
                },
            }]
        }
        Layout::Flyway => {
            let opted_out = path.is_some_and(flyway_opted_out);
            let direction = if file_name.starts_with('U') {
                Direction::Down
            } else {
                Direction::Up
            };
            // Repeatable migrations run after every versioned one.
            let version = if file_name.starts_with('R') {
                Version(vec![
                    VersionPart::Number(u128::MAX),
                    VersionPart::Text(file_name.clone()),
                ])
            } else {
                Version::parse(&file_name[1..])
            };
            vec![Unit {
                direction,
                range: whole,
                version,
                name: file_name,
                wrapping: Wrapping {
                    in_transaction: !opted_out,
                    reason: if opted_out {
                        "`executeInTransaction=false` in its .conf file".to_string()
                    } else {
                        "Flyway runs each migration in a transaction".to_string()
                    },
                },
            }]
        }
        Layout::Diesel => {
            let folder = path.and_then(Path::parent);
            let opted_out = folder.is_some_and(diesel_opted_out);
            let migration = folder
                .and_then(|f| f.file_name())
                .and_then(|n| n.to_str())
                .unwrap_or("migration")
                .to_string();
            vec![Unit {
                direction: if file_name == "down.sql" {
                    Direction::Down
                } else {
                    Direction::Up
                },
                range: whole,
                version: Version::parse(&migration),
                name: format!("{migration}/{file_name}"),
                wrapping: Wrapping {
                    in_transaction: !opted_out,
                    reason: if opted_out {
                        "`run_in_transaction = false` in its metadata.toml".to_string()
                    } else {
                        "Diesel runs each migration in a transaction".to_string()
                    },
                },
            }]
        }
        Layout::Plain => vec![Unit {
            direction: if file_name.ends_with(".down.sql") {
                Direction::Down
            } else {
                Direction::Up
            },
            range: whole,
            version: Version::parse(
                file_name
                    .strip_suffix(".down.sql")
                    .or_else(|| file_name.strip_suffix(".sql"))
                    .unwrap_or(&file_name),
            ),
            name: file_name,
            wrapping: Wrapping {
                in_transaction: false,
                reason: "a plain file runs statement by statement, as psql runs it".to_string(),
            },
        }],
    }
}

/// The name without `.up.sql` / `.down.sql`: what an up and its down share, and sort by.
fn without_direction(file_name: &str) -> &str {
    file_name
        .strip_suffix(".up.sql")
        .or_else(|| file_name.strip_suffix(".down.sql"))
        .unwrap_or(file_name)
}

fn up_down_direction(file_name: &str) -> Direction {
    if file_name.ends_with(".down.sql") {
        Direction::Down
    } else {
        Direction::Up
    }
}

fn dbmate_units(source: &SourceFile, file_name: &str) -> Vec<Unit> {
    let text = &source.text;
    let mut markers: Vec<(usize, Direction, bool)> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some((direction, options)) = dbmate_marker(line) {
            let no_transaction = options.split_whitespace().any(|o| o == "transaction:false");
            markers.push((offset, direction, no_transaction));
        }
        offset += line.len();
    }
    let mut units = Vec::new();
    for (i, &(start, direction, no_transaction)) in markers.iter().enumerate() {
        let end = markers.get(i + 1).map_or(text.len(), |m| m.0);
        units.push(Unit {
            direction,
            range: Span::new(start, end),
            version: Version::parse(file_name),
            name: format!(
                "{file_name} ({})",
                if direction == Direction::Up {
                    "up"
                } else {
                    "down"
                }
            ),
            wrapping: Wrapping {
                in_transaction: !no_transaction,
                reason: if no_transaction {
                    "`transaction:false` on its `-- migrate:` line".to_string()
                } else {
                    "dbmate runs each section in a transaction".to_string()
                },
            },
        });
    }
    units
}

/// What Flyway's PostgreSQL parser runs outside a transaction (its
/// `detectCanExecuteInTransaction`): a migration made only of these is not wrapped; mixed with
/// others Flyway refuses it unless `mixed=true`, and then wraps the rest. REINDEX … CONCURRENTLY
/// of an index or table and DETACH PARTITION … CONCURRENTLY are not on its list.
pub fn flyway_non_transactional(statement: &str) -> bool {
    let words: Vec<String> = statement
        .split_whitespace()
        .take(4)
        .map(|w| w.trim_end_matches(';').to_uppercase())
        .collect();
    let w = |i: usize| words.get(i).map_or("", String::as_str);
    let index_concurrently = (w(0) == "CREATE" || w(0) == "DROP")
        && ((w(1) == "INDEX" && w(2) == "CONCURRENTLY")
            || (w(1) == "UNIQUE" && w(2) == "INDEX" && w(3) == "CONCURRENTLY"));
    let reindex_all = w(0) == "REINDEX"
        && (matches!(w(1), "SCHEMA" | "DATABASE" | "SYSTEM")
            || (w(1) == "VERBOSE" && matches!(w(2), "SCHEMA" | "DATABASE" | "SYSTEM")));
    index_concurrently
        || reindex_all
        || ((w(0) == "CREATE" || w(0) == "DROP")
            && matches!(w(1), "DATABASE" | "TABLESPACE" | "SUBSCRIPTION"))
        || (w(0) == "ALTER" && w(1) == "SYSTEM")
        || w(0) == "VACUUM"
        || (w(0) == "DISCARD" && w(1) == "ALL")
}

/// Flyway's per-script config: `V1__x.sql.conf` with `executeInTransaction=false`.
fn flyway_opted_out(path: &Path) -> bool {
    let mut conf = path.as_os_str().to_owned();
    conf.push(".conf");
    std::fs::read_to_string(PathBuf::from(conf)).is_ok_and(|text| {
        text.lines().any(|line| {
            let line = line.replace(' ', "");
            line.eq_ignore_ascii_case("executeInTransaction=false")
        })
    })
}

/// Diesel's `metadata.toml` beside `up.sql`: `run_in_transaction = false`.
fn diesel_opted_out(folder: &Path) -> bool {
    std::fs::read_to_string(folder.join("metadata.toml")).is_ok_and(|text| {
        text.lines()
            .any(|line| line.replace(' ', "") == "run_in_transaction=false")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_are_told_apart_by_name_and_markers() {
        let p = Path::new;
        assert_eq!(
            detect(p("m/0001_init.up.sql"), "create table t();"),
            Layout::GolangMigrate
        );
        assert_eq!(
            detect(p("m/0001_init.up.sql"), "-- no-transaction\nselect 1;"),
            Layout::Sqlx
        );
        assert_eq!(
            detect(p("m/20240101_x.sql"), "-- migrate:up\nselect 1;"),
            Layout::Dbmate
        );
        assert_eq!(detect(p("db/V1_2__add.sql"), ""), Layout::Flyway);
        assert_eq!(detect(p("db/R__views.sql"), ""), Layout::Flyway);
        assert_eq!(detect(p("db/Vx__add.sql"), ""), Layout::Plain);
        assert_eq!(
            detect(p("migrations/2024-01-01-000000_users/up.sql"), ""),
            Layout::Diesel
        );
        assert_eq!(detect(p("001_users.sql"), ""), Layout::Plain);
    }

    #[test]
    fn an_up_and_its_down_share_a_version() {
        let up = SourceFile::new("1_a.up.sql", String::new());
        let down = SourceFile::new("1_a.down.sql", String::new());
        let up = units(
            Layout::GolangMigrate,
            Some(Path::new("1_a.up.sql")),
            &up,
            |_| 0,
        );
        let down = units(
            Layout::GolangMigrate,
            Some(Path::new("1_a.down.sql")),
            &down,
            |_| 0,
        );
        assert_eq!(up[0].version, down[0].version);
    }

    #[test]
    fn versions_sort_as_numbers() {
        assert!(Version::parse("2_b.up.sql") < Version::parse("10_a.up.sql"));
        assert!(Version::parse("1_2") < Version::parse("1_10"));
    }

    #[test]
    fn dbmate_sections_and_their_transaction_options() {
        let source = SourceFile::new(
            "1_x.sql",
            "-- migrate:up transaction:false\ncreate index concurrently i on t(a);\n\n-- migrate:down\ndrop index i;\n"
                .to_string(),
        );
        let units = units(Layout::Dbmate, None, &source, |_| 1);
        assert_eq!(units.len(), 2);
        assert_eq!(units[0].direction, Direction::Up);
        assert!(!units[0].wrapping.in_transaction);
        assert!(units[1].wrapping.in_transaction);
        assert_eq!(
            &source.text[units[1].range.range()],
            "-- migrate:down\ndrop index i;\n"
        );
    }
}
