//! `migrate plan`: a breaking change turned into the expand/contract sequence as plain SQL
//! migrations for the runner a team has, with the deploys they interleave with.
//!
//! Every plan keeps old and new shapes in sync with a trigger while both versions run,
//! backfills in keyset batches (each batch its own transaction, resumable), and contracts
//! through `CHECK … NOT VALID` → `VALIDATE` → `SET NOT NULL` where the column was NOT NULL.
//! Each step has a down migration; running them in reverse restores the schema and the data.

pub mod files;
mod kinds;
mod sync;

use super::Phase;
use super::layout::Layout;
use super::syntax::{Name, quote_ident};

pub use kinds::build;

/// What a column is, as far as the plan needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnFacts {
    /// SQL type as written (`varchar(20)`, `numeric(10,2)`).
    pub ty: String,
    pub not_null: bool,
}

/// The change asked for.
#[derive(Clone, Debug)]
pub enum Change {
    RenameColumn {
        column: String,
        new: String,
    },
    ChangeType {
        column: String,
        new_type: String,
        new_name: String,
        using: Option<String>,
        back: Option<String>,
    },
    SplitColumn {
        column: String,
        into: Vec<NewColumn>,
        merge: String,
    },
    AddNotNull {
        column: String,
        default: String,
    },
    DropColumn {
        column: String,
        /// What rows inserted after the column stopped being written get (a NOT NULL column
        /// without a default needs one).
        default: Option<String>,
    },
}

/// One column a split produces: its name, type, and the expression that computes it from the
/// old column.
#[derive(Clone, Debug)]
pub struct NewColumn {
    pub name: String,
    pub ty: String,
    pub expr: String,
}

/// Everything a plan is built from.
#[derive(Clone, Debug)]
pub struct Request {
    pub table: Name,
    pub change: Change,
    /// The primary key column the backfill walks.
    pub key: String,
    /// The column the change starts from (type, nullability).
    pub column: ColumnFacts,
    pub batch_size: u64,
    pub pause_ms: u64,
    pub lock_timeout: String,
    pub layout: Layout,
}

/// One migration of a plan, with its down migration.
#[derive(Clone, Debug)]
pub struct Step {
    pub phase: Phase,
    /// The file-name part: `expand_rename_orders_total`.
    pub slug: String,
    /// One line for the printed plan.
    pub summary: String,
    pub up: String,
    pub down: String,
    /// False: must run outside a transaction (a backfill commits every batch).
    pub transactional: bool,
}

/// A deploy of the application between two steps.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Deploy {
    pub number: u8,
    /// It happens before the step with this index (0-based) is applied, once the earlier
    /// steps are; `steps.len()` means after all of them.
    pub before_step: usize,
    /// On the way back, it is undone (the previous version deployed again) right after the
    /// down migration of the step with this index has run: usually the mirror of
    /// `before_step`, earlier when the previous version needs what a later down restores.
    pub undo_after_down: usize,
    pub what: String,
}

#[derive(Clone, Debug)]
pub struct Plan {
    pub kind: &'static str,
    pub table: Name,
    pub steps: Vec<Step>,
    pub deploys: Vec<Deploy>,
    /// What the user should know (names the plan leaves behind, rollback caveats).
    pub notes: Vec<String>,
}

/// A name for an object the plan creates, within PostgreSQL's 63 bytes.
pub fn helper_name(table: &Name, purpose: &str) -> String {
    let raw = format!("zerodown_{}_{purpose}", table.name);
    let clean: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if clean.len() <= 63 {
        return clean;
    }
    // Keep it unique when cut: a short hash of the whole name at the end.
    let hash = clean.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    format!("{}_{:08x}", &clean[..54], hash as u32)
}

/// `SET LOCAL lock_timeout = '2s';`: every transactional step runs in a transaction (the
/// runner's, or BEGIN … COMMIT for plain files), so the setting ends with it.
pub fn set_lock_timeout(request: &Request) -> String {
    format!(
        "SET LOCAL lock_timeout = '{}';",
        request.lock_timeout.replace('\'', "''")
    )
}

pub fn q(name: &str) -> String {
    quote_ident(name)
}

impl Plan {
    /// The plan as `migrate plan --format json` prints it (files are added by the caller).
    pub fn to_json(&self, files: &[Vec<String>]) -> serde_json::Value {
        let steps: Vec<serde_json::Value> = self
            .steps
            .iter()
            .enumerate()
            .map(|(i, step)| {
                serde_json::json!({
                    "phase": step.phase.as_str(),
                    "name": step.slug,
                    "summary": step.summary,
                    "transactional": step.transactional,
                    "files": files.get(i).cloned().unwrap_or_default(),
                })
            })
            .collect();
        serde_json::json!({
            "version": 1,
            "kind": self.kind,
            "table": self.table.to_string(),
            "steps": steps,
            "deploys": self.deploys,
            "order": self.order(),
            "rollback": self.rollback(),
            "notes": self.notes,
        })
    }

    /// The way back: every down in reverse, each deploy undone where it is safe.
    pub fn rollback(&self) -> Vec<String> {
        let mut order = Vec::new();
        for deploy in self
            .deploys
            .iter()
            .rev()
            .filter(|d| d.undo_after_down >= self.steps.len())
        {
            order.push(format!(
                "undo deploy {}: deploy version {} again",
                deploy.number,
                deploy.number - 1
            ));
        }
        for i in (0..self.steps.len()).rev() {
            order.push(format!("migrate down {}: {}", i + 1, self.steps[i].summary));
            for deploy in self.deploys.iter().rev().filter(|d| d.undo_after_down == i) {
                order.push(format!(
                    "undo deploy {}: deploy version {} again",
                    deploy.number,
                    deploy.number - 1
                ));
            }
        }
        order
    }

    /// Migrations and deploys in the order they happen: `migrate 1`, `deploy 1`, ….
    pub fn order(&self) -> Vec<String> {
        let mut order = Vec::new();
        for i in 0..=self.steps.len() {
            for deploy in self.deploys.iter().filter(|d| d.before_step == i) {
                order.push(format!("deploy {}: {}", deploy.number, deploy.what));
            }
            if let Some(step) = self.steps.get(i) {
                order.push(format!(
                    "migrate {}: {} ({})",
                    i + 1,
                    step.summary,
                    step.phase.as_str()
                ));
            }
        }
        order
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helper_names_fit_postgresql() {
        let short = helper_name(&Name::new(None, "Orders"), "sync");
        assert_eq!(short, "zerodown_orders_sync");
        let long = helper_name(&Name::new(None, &"t".repeat(80)), "sync");
        assert_eq!(long.len(), 63);
        assert_ne!(long, helper_name(&Name::new(None, &"t".repeat(81)), "sync"));
    }
}
