//! A plan's steps as the files of a layout: names, phases, transaction opt-outs.

use std::path::PathBuf;

use super::{Plan, Step};
use crate::sql::layout::Layout;

/// One file to write, relative to the output folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedFile {
    pub path: PathBuf,
    pub contents: String,
}

/// The version the first step gets; the next steps count up from it.
#[derive(Clone, Copy, Debug)]
pub struct FirstVersion {
    pub number: u64,
    /// Digits to pad to (`0004`), 0 for none.
    pub width: usize,
}

/// Diesel's folder names are timestamps (`2026-12-01-093000`): a 14-digit version
/// (`20261201093000`) is written that way; any other number as it is.
fn diesel_version(number: u64) -> String {
    let digits = number.to_string();
    if digits.len() == 14 {
        format!(
            "{}-{}-{}-{}",
            &digits[..4],
            &digits[4..6],
            &digits[6..8],
            &digits[8..]
        )
    } else {
        digits
    }
}

/// Each step's files, in step order.
pub fn files(plan: &Plan, layout: Layout, first: FirstVersion) -> Vec<Vec<PlannedFile>> {
    plan.steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let number = first.number + i as u64;
            let version = format!("{number:0width$}", width = first.width);
            step_files(step, layout, &version, number)
        })
        .collect()
}

fn file(path: String, contents: String) -> PlannedFile {
    PlannedFile {
        path: PathBuf::from(path),
        contents,
    }
}

fn step_files(step: &Step, layout: Layout, version: &str, number: u64) -> Vec<PlannedFile> {
    let slug = &step.slug;
    let (up, down) = (step.up.as_str(), step.down.as_str());
    match layout {
        Layout::GolangMigrate => vec![
            // golang-migrate has no transaction of its own: a one-statement file (the
            // backfill's DO block) runs outside one, a longer file in one implicit block.
            file(format!("{version}_{slug}.up.sql"), up.to_string()),
            file(format!("{version}_{slug}.down.sql"), down.to_string()),
        ],
        Layout::Sqlx => {
            let opt_out = if step.transactional {
                ""
            } else {
                "-- no-transaction\n"
            };
            vec![
                file(format!("{version}_{slug}.up.sql"), format!("{opt_out}{up}")),
                file(
                    format!("{version}_{slug}.down.sql"),
                    format!("{opt_out}{down}"),
                ),
            ]
        }
        Layout::Dbmate => {
            let option = if step.transactional {
                ""
            } else {
                " transaction:false"
            };
            vec![file(
                format!("{version}_{slug}.sql"),
                format!("-- migrate:up{option}\n{up}\n-- migrate:down{option}\n{down}"),
            )]
        }
        Layout::Flyway => {
            let mut files = vec![
                file(format!("V{version}__{slug}.sql"), up.to_string()),
                file(format!("U{version}__{slug}.sql"), down.to_string()),
            ];
            if !step.transactional {
                for name in [
                    format!("V{version}__{slug}.sql.conf"),
                    format!("U{version}__{slug}.sql.conf"),
                ] {
                    files.push(file(name, "executeInTransaction=false\n".to_string()));
                }
            }
            files
        }
        Layout::Diesel => {
            let folder = format!("{}_{slug}", diesel_version(number));
            let mut files = vec![
                file(format!("{folder}/up.sql"), up.to_string()),
                file(format!("{folder}/down.sql"), down.to_string()),
            ];
            if !step.transactional {
                files.push(file(
                    format!("{folder}/metadata.toml"),
                    "run_in_transaction = false\n".to_string(),
                ));
            }
            files
        }
        Layout::Plain => {
            // psql runs a plain file statement by statement: a transactional step says so.
            let wrap = |sql: &str| {
                if step.transactional && !sql.trim_start().starts_with("-- Nothing to undo") {
                    format!("BEGIN;\n{sql}COMMIT;\n")
                } else {
                    sql.to_string()
                }
            };
            vec![
                file(format!("{version}_{slug}.sql"), wrap(up)),
                file(format!("{version}_{slug}.down.sql"), wrap(down)),
            ]
        }
    }
}
