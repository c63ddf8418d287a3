//! `down-migration-missing`: in a layout that has down migrations, an up without one cannot
//! be rolled back with the runner.

use super::{Concern, Sink, SqlRule};
use crate::rules::{RuleMeta, rule_meta};
use crate::source::Span;
use crate::sql::layout::{Direction, Layout, Version};
use crate::sql::{History, MigrationSet};

pub struct DownMigrationMissing;

static META: RuleMeta = rule_meta!(
    "down-migration-missing",
    Warning,
    "an up migration without a down migration where the layout has them: no rollback"
);

impl SqlRule for DownMigrationMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn concern(&self) -> Concern {
        Concern::Other
    }

    fn check_history(&self, set: &MigrationSet, history: &History, sink: &mut Sink<'_>) {
        let migrations: Vec<usize> = history.migrations.clone();
        let downs: Vec<(&Version, &str)> = migrations
            .iter()
            .map(|&m| &set.migrations[m])
            .filter(|m| m.is_down())
            .map(|m| (&m.unit.version, down_key(history.layout, &m.unit.name)))
            .collect();
        // golang-migrate, sqlx and Flyway have down (undo) files only by choice: speak only
        // when the folder uses them at all. dbmate and Diesel always have a down part.
        let always = matches!(history.layout, Layout::Dbmate | Layout::Diesel);
        if history.layout == Layout::Plain || (!always && downs.is_empty()) {
            return;
        }
        for &id in &migrations {
            let migration = &set.migrations[id];
            if migration.unit.direction != Direction::Up {
                continue;
            }
            let key = down_key(history.layout, &migration.unit.name);
            let down = migrations.iter().map(|&m| &set.migrations[m]).find(|m| {
                m.is_down()
                    && m.file_key(set, history.layout) == migration.file_key(set, history.layout)
                    && down_key(history.layout, &m.unit.name) == key
            });
            let file = &set.files[migration.file];
            let first_line = Span::new(
                migration.unit.range.start as usize,
                migration.unit.range.start as usize
                    + file.source.text[migration.unit.range.range()]
                        .lines()
                        .next()
                        .map_or(0, str::len),
            );
            let message = match down {
                None => format!(
                    "`{}` has no down migration: rolling back past it with the runner is \
                     impossible, and a bad deploy can only roll forward",
                    migration.unit.name
                ),
                Some(down) if set.statements(down).is_empty() && !says_why(set, down) => format!(
                    "the down migration of `{}` is empty: rolling back runs nothing, and the \
                     schema stays as the up left it",
                    migration.unit.name
                ),
                Some(_) => continue,
            };
            sink.report_in_file(
                id,
                migration.file,
                first_line,
                message,
                "write the down migration that undoes it (drop what it added, restore what it \
                 changed), and run up, down, up in CI; if it truly cannot be undone, say so in \
                 an ignore comment: `-- zerodown-ignore: down-migration-missing -- reason`",
            );
        }
    }
}

/// An empty down migration with a comment of its own (`-- nothing to undo: …`) is a
/// decision, not an omission. The markers and templates runners write do not count.
fn says_why(set: &MigrationSet, down: &crate::sql::Migration) -> bool {
    let text = &set.files[down.file].source.text[down.unit.range.range()];
    text.lines().any(|line| {
        let Some(comment) = line.trim_start().strip_prefix("--") else {
            return false;
        };
        let comment = comment.trim();
        !comment.is_empty()
            && !comment.starts_with("migrate:")
            && !comment.starts_with("This file should undo anything in")
    })
}

/// What pairs an up with its down: the file name without `.up`/`.down` and Flyway's prefix.
fn down_key(layout: Layout, name: &str) -> &str {
    match layout {
        Layout::GolangMigrate | Layout::Sqlx => name
            .strip_suffix(".up.sql")
            .or_else(|| name.strip_suffix(".down.sql"))
            .or_else(|| name.strip_suffix(".sql"))
            .unwrap_or(name),
        Layout::Flyway => name.get(1..).unwrap_or(name),
        Layout::Diesel => name.rsplit_once('/').map_or(name, |(folder, _)| folder),
        Layout::Dbmate => name.rsplit_once(" (").map_or(name, |(file, _)| file),
        Layout::Plain => name,
    }
}

impl crate::sql::Migration {
    /// The folder a migration's file is in (Diesel's ups and downs share the migration's
    /// folder; everyone else's share the history folder).
    fn file_key(&self, set: &MigrationSet, _layout: Layout) -> Option<std::path::PathBuf> {
        set.files[self.file]
            .path
            .as_ref()
            .and_then(|p| p.parent())
            .map(|p| p.to_path_buf())
    }
}
