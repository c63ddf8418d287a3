//! `down-migration-missing`: in a layout that has down migrations, an up without one cannot
//! be rolled back with the runner.

use super::{Concern, Sink, SqlRule};
use crate::rules::{RuleMeta, rule_meta};
use crate::source::Span;
use crate::sql::layout::{Direction, Layout};
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
        let has_downs = history
            .migrations
            .iter()
            .any(|&m| set.migrations[m].is_down());
        // golang-migrate, sqlx and Flyway have down (undo) files only by choice: speak only
        // when the folder uses them at all. dbmate and Diesel always have a down part.
        let always = matches!(history.layout, Layout::Dbmate | Layout::Diesel);
        if history.layout == Layout::Plain || (!always && !has_downs) {
            return;
        }
        for &id in &history.migrations {
            let migration = &set.migrations[id];
            if migration.unit.direction != Direction::Up {
                continue;
            }
            let down = set
                .counterpart(history, id)
                .map(|down| &set.migrations[down]);
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
