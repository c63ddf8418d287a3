//! The five plan kinds, each as its sequence of steps and deploys.

use super::sync::{BACKFILL_SETTING, Sync, batched};
use super::{Change, Deploy, NewColumn, Plan, Request, Step, helper_name, q, set_lock_timeout};
use crate::sql::Phase;

const NOTHING_TO_UNDO: &str = "-- Nothing to undo: this step changes no schema.\n";

fn marker(phase: Phase) -> String {
    format!("-- {}{}\n", crate::sql::PHASE_MARKER, phase.as_str())
}

fn step(phase: Phase, slug: String, summary: String, up: String, down: String) -> Step {
    Step {
        phase,
        slug,
        summary,
        up: format!("{}{up}", marker(phase)),
        down,
        transactional: true,
    }
}

/// Builds the plan for `request`, or says why it cannot.
pub fn build(request: &Request) -> Result<Plan, String> {
    match &request.change {
        Change::RenameColumn { column, new } => {
            check_distinct(column, std::slice::from_ref(new))?;
            let sync = Sync {
                request,
                old: column.clone(),
                old_type: request.column.ty.clone(),
                news: vec![NewColumn {
                    name: new.clone(),
                    ty: request.column.ty.clone(),
                    expr: q(column),
                }],
                merge: q(new),
            };
            Ok(sync_plan(
                request,
                "rename-column",
                &sync,
                &format!("rename {column} to {new}"),
                true,
            ))
        }
        Change::ChangeType {
            column,
            new_type,
            new_name,
            using,
            back,
        } => {
            check_distinct(column, std::slice::from_ref(new_name))?;
            let sync = Sync {
                request,
                old: column.clone(),
                old_type: request.column.ty.clone(),
                news: vec![NewColumn {
                    name: new_name.clone(),
                    ty: new_type.clone(),
                    expr: using.clone().unwrap_or_else(|| q(column)),
                }],
                merge: back.clone().unwrap_or_else(|| q(new_name)),
            };
            let mut plan = sync_plan(
                request,
                "change-type",
                &sync,
                &format!("{column} as {new_type}"),
                true,
            );
            plan.notes.push(format!(
                "the column ends up named `{new_name}`; to give it the old name back, plan a \
                 rename-column ({new_name} → {column}) once nothing uses `{column}`"
            ));
            Ok(plan)
        }
        Change::SplitColumn {
            column,
            into,
            merge,
        } => {
            if into.len() < 2 {
                return Err("split-column needs at least two --into columns".to_string());
            }
            let names: Vec<String> = into.iter().map(|c| c.name.clone()).collect();
            check_distinct(column, &names)?;
            let sync = Sync {
                request,
                old: column.clone(),
                old_type: request.column.ty.clone(),
                news: into.clone(),
                merge: merge.clone(),
            };
            Ok(sync_plan(
                request,
                "split-column",
                &sync,
                &format!("split {column} into {}", names.join(", ")),
                false,
            ))
        }
        Change::AddNotNull { column, default } => Ok(add_not_null(request, column, default)),
        Change::DropColumn { column, default } => drop_column(request, column, default.as_deref()),
    }
}

/// The first two contract steps of making `column` NOT NULL without a scan under ACCESS
/// EXCLUSIVE: `CHECK (column IS NOT NULL) NOT VALID`, then `VALIDATE` in a migration of its
/// own (its scan then takes only SHARE UPDATE EXCLUSIVE).
fn not_null_check_steps(request: &Request, name: &str, column: &str, check: &str) -> [Step; 2] {
    let table = request.table.to_string();
    let lock = set_lock_timeout(request);
    let col = q(column);
    [
        step(
            Phase::Contract,
            format!("contract_{name}_check"),
            format!("CHECK ({column} IS NOT NULL) NOT VALID"),
            format!(
                "{lock}\nALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({col} IS NOT NULL) NOT VALID;\n"
            ),
            format!("{lock}\nALTER TABLE {table} DROP CONSTRAINT IF EXISTS {check};\n"),
        ),
        step(
            Phase::Contract,
            format!("contract_{name}_validate"),
            "VALIDATE the CHECK (reads and writes go on)".to_string(),
            format!("ALTER TABLE {table} VALIDATE CONSTRAINT {check};\n"),
            NOTHING_TO_UNDO.to_string(),
        ),
    ]
}

fn check_distinct(old: &str, news: &[String]) -> Result<(), String> {
    for (i, new) in news.iter().enumerate() {
        if new == old || news[..i].contains(new) {
            return Err(format!(
                "`{new}` is named twice: every new column needs a name of its own"
            ));
        }
    }
    Ok(())
}

fn slug(words: &str) -> String {
    words
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect::<String>()
        .split('_')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// rename-column, change-type and split-column: new column(s) synced by a trigger, a
/// backfill, deploys, and a contract that drops the old column (making a single new column
/// NOT NULL first where the old one was).
fn sync_plan(
    request: &Request,
    kind: &'static str,
    sync: &Sync<'_>,
    what: &str,
    single: bool,
) -> Plan {
    let table = request.table.to_string();
    let old = q(&sync.old);
    let lock = set_lock_timeout(request);
    let name = slug(&format!("{} {}", request.table.name, what));
    let new_names: Vec<String> = sync.news.iter().map(|c| format!("`{}`", c.name)).collect();
    let new_list = new_names.join(", ");
    let not_null = single && request.column.not_null;
    let new = q(&sync.news[0].name);
    let check = helper_name(&request.table, &format!("{}_not_null", sync.news[0].name));

    let mut steps = vec![step(
        Phase::Expand,
        format!("expand_{name}"),
        format!(
            "add {new_list}, kept in sync with `{}` by a trigger",
            sync.old
        ),
        format!(
            "{lock}\n{}\n{}{}",
            sync.add_new_columns(),
            sync.create_functions(),
            sync.create_trigger()
        ),
        format!(
            "{lock}\n{}{}{}\n",
            sync.drop_sync(),
            if request.column.not_null {
                format!("ALTER TABLE {table} ALTER COLUMN {old} SET NOT NULL;\n")
            } else {
                String::new()
            },
            sync.drop_new_columns()
        ),
    )];
    let mut backfill = step(
        Phase::Backfill,
        format!("backfill_{name}"),
        format!(
            "fill {new_list} from `{}` in batches of {}",
            sync.old, request.batch_size
        ),
        sync.backfill_forward(),
        sync.backfill_backward(),
    );
    backfill.transactional = false;
    steps.push(backfill);
    if not_null {
        steps.extend(not_null_check_steps(
            request,
            &name,
            &sync.news[0].name,
            &check,
        ));
    }
    let (set_not_null, drop_not_null) = if not_null {
        (
            format!(
                "ALTER TABLE {table} ALTER COLUMN {new} SET NOT NULL;\nALTER TABLE {table} DROP CONSTRAINT {check};\n"
            ),
            format!("ALTER TABLE {table} ALTER COLUMN {new} DROP NOT NULL;\n"),
        )
    } else {
        (String::new(), String::new())
    };
    steps.push(step(
        Phase::Contract,
        format!("contract_{name}"),
        format!(
            "{}drop the trigger and `{}`",
            if not_null { "SET NOT NULL, " } else { "" },
            sync.old
        ),
        format!(
            "{lock}\n{set_not_null}{}ALTER TABLE {table} DROP COLUMN {old};\n",
            sync.drop_sync()
        ),
        format!(
            "{lock}\nALTER TABLE {table} ADD COLUMN {old} {};\n{drop_not_null}{}{}",
            sync.old_type,
            sync.create_functions(),
            sync.create_trigger()
        ),
    ));
    let contract = 2;
    Plan {
        kind,
        table: request.table.clone(),
        deploys: vec![
            Deploy {
                number: 1,
                before_step: 1,
                undo_after_down: 1,
                what: format!(
                    "writes both `{}` and {new_list}, reads `{}`",
                    sync.old, sync.old
                ),
            },
            // Back to reading the old column only once the backfill's down has refilled it
            // (the contract's down re-adds it empty).
            Deploy {
                number: 2,
                before_step: contract,
                undo_after_down: 1,
                what: format!("reads {new_list} (still writes both)"),
            },
            Deploy {
                number: 3,
                before_step: contract,
                undo_after_down: contract,
                what: format!("stops writing `{}`", sync.old),
            },
        ],
        steps,
        notes: vec![
            format!(
                "indexes, constraints and defaults of `{}` are not copied to {new_list}: create \
                 what you need (indexes CONCURRENTLY) before deploy 2",
                sync.old
            ),
            format!(
                "rolling back past the contract re-adds `{}` nullable and refills it from {new_list} \
                 (the backfill's down); the expand's down restores its NOT NULL with a scan",
                sync.old
            ),
        ],
    }
}

/// add-not-null: a default and a trigger keep NULL out, the backfill fills the old NULLs
/// (remembering which, for the down), then CHECK NOT VALID → VALIDATE → SET NOT NULL.
fn add_not_null(request: &Request, column: &str, default: &str) -> Plan {
    let table = request.table.to_string();
    let col = q(column);
    let key = q(&request.key);
    let lock = set_lock_timeout(request);
    let name = slug(&format!("{} {column} not null", request.table.name));
    let function = helper_name(&request.table, &format!("fill_{column}"));
    let filled = helper_name(&request.table, &format!("{column}_filled"));
    let check = helper_name(&request.table, &format!("{column}_not_null"));
    let create_fill = format!(
        "CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $zd$
BEGIN
  IF NEW.{col} IS NULL AND current_setting('{BACKFILL_SETTING}', true) IS DISTINCT FROM 'on' THEN
    NEW.{col} := {default};
  END IF;
  RETURN NEW;
END
$zd$;
CREATE TRIGGER {function} BEFORE INSERT OR UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION {function}();\n"
    );
    let drop_fill = format!(
        "DROP TRIGGER IF EXISTS {function} ON {table};\nDROP FUNCTION IF EXISTS {function}();\n"
    );
    let mut steps = vec![
        step(
            Phase::Expand,
            format!("expand_{name}"),
            format!("DEFAULT {default} and a trigger that keeps NULL out of `{column}`"),
            format!(
                "{lock}\nALTER TABLE {table} ALTER COLUMN {col} SET DEFAULT {default};\n\
                 -- The keys the backfill fills, so its down can put their NULLs back.\n\
                 CREATE TABLE {filled} AS SELECT {key} FROM {table} WITH NO DATA;\n{create_fill}"
            ),
            format!(
                "{lock}\n{drop_fill}ALTER TABLE {table} ALTER COLUMN {col} DROP DEFAULT;\nDROP TABLE IF EXISTS {filled};\n"
            ),
        ),
        Step {
            transactional: false,
            ..step(
                Phase::Backfill,
                format!("backfill_{name}"),
                format!(
                    "fill NULL `{column}` with {default} in batches of {}",
                    request.batch_size
                ),
                batched(
                    request,
                    &table,
                    &format!(
                        ", filled AS (\n      UPDATE {table} AS t SET {col} = {default} FROM batch \
                         WHERE t.{key} = batch.{key} AND t.{col} IS NULL RETURNING t.{key}\n    ), \
                         saved AS (\n      INSERT INTO {filled} SELECT {key} FROM filled\n    )"
                    ),
                ),
                // Only rows that still hold the filled value go back to NULL: a value the
                // application wrote since is kept.
                batched(
                    request,
                    &filled,
                    &format!(
                        ", restored AS (\n      UPDATE {table} AS t SET {col} = NULL FROM batch \
                         WHERE t.{key} = batch.{key} AND t.{col} IS NOT DISTINCT FROM {default}\n    ), \
                         forgotten AS (\n      DELETE FROM {filled} AS f USING batch WHERE f.{key} = batch.{key}\n    )"
                    ),
                ),
            )
        },
        step(
            Phase::Contract,
            format!("contract_{name}"),
            format!(
                "SET NOT NULL on `{column}` (no scan: the CHECK proves it), drop the CHECK and the trigger"
            ),
            format!(
                "{lock}\nALTER TABLE {table} ALTER COLUMN {col} SET NOT NULL;\nALTER TABLE {table} DROP CONSTRAINT {check};\n{drop_fill}"
            ),
            format!("{lock}\nALTER TABLE {table} ALTER COLUMN {col} DROP NOT NULL;\n{create_fill}"),
        ),
    ];
    let checks = not_null_check_steps(request, &name, column, &check);
    steps.splice(2..2, checks);
    Plan {
        kind: "add-not-null",
        table: request.table.clone(),
        deploys: vec![
            Deploy {
                number: 1,
                before_step: 1,
                undo_after_down: 1,
                what: format!("writes `{column}` on every INSERT and UPDATE, never NULL"),
            },
            // Undone before the backfill's down puts NULLs back.
            Deploy {
                number: 2,
                before_step: 2,
                undo_after_down: 2,
                what: format!("reads `{column}` as NOT NULL"),
            },
        ],
        steps,
        notes: vec![format!(
            "`{filled}` keeps the keys the backfill filled, so the backfill's down can restore \
             their NULLs; drop it once you will not roll back past this plan"
        )],
    }
}

/// drop-column: a default (for a NOT NULL column) lets new code leave it out, the deploys
/// stop reading and writing it, and the contract keeps a copy before dropping it, so its down
/// can put the values back.
fn drop_column(request: &Request, column: &str, default: Option<&str>) -> Result<Plan, String> {
    let table = request.table.to_string();
    let col = q(column);
    let key = q(&request.key);
    let lock = set_lock_timeout(request);
    let name = slug(&format!("{} drop {column}", request.table.name));
    let backup = helper_name(&request.table, &format!("{column}_dropped"));
    let mut steps = Vec::new();
    if request.column.not_null {
        let Some(default) = default else {
            return Err(format!(
                "`{column}` is NOT NULL: give --default EXPR, the value rows get once the new \
                 version stops writing it (and that a rollback's old version will read)"
            ));
        };
        steps.push(step(
            Phase::Expand,
            format!("expand_{name}"),
            format!("DEFAULT {default}, so the new version can leave `{column}` out"),
            format!("{lock}\nALTER TABLE {table} ALTER COLUMN {col} SET DEFAULT {default};\n"),
            format!("{lock}\nALTER TABLE {table} ALTER COLUMN {col} DROP DEFAULT;\n"),
        ));
    }
    let first_contract = steps.len();
    let restore = batched(
        request,
        &backup,
        &format!(
            ", restored AS (\n      UPDATE {table} AS t SET {col} = b.{col} FROM {backup} AS b, batch \
             WHERE b.{key} = batch.{key} AND t.{key} = b.{key}\n    )"
        ),
    );
    steps.push(Step {
        transactional: false,
        ..step(
            Phase::Contract,
            format!("contract_{name}_backup"),
            format!("copy `{column}` aside (`{backup}`) for a rollback"),
            format!("CREATE TABLE {backup} AS SELECT {key}, {col} FROM {table};\n"),
            // The restore, then the copy goes (in the last batch's transaction).
            restore.replace(
                "  PERFORM set_config('zerodown.backfill', 'off', false);\nEND",
                &format!("  PERFORM set_config('zerodown.backfill', 'off', false);\n  DROP TABLE {backup};\nEND"),
            ),
        )
    });
    let re_add = match default {
        Some(default) => format!(
            "ALTER TABLE {table} ADD COLUMN {col} {} DEFAULT {default};\n",
            request.column.ty
        ),
        None => format!(
            "ALTER TABLE {table} ADD COLUMN {col} {};\n",
            request.column.ty
        ),
    };
    steps.push(step(
        Phase::Contract,
        format!("contract_{name}"),
        format!("drop `{column}`"),
        format!("{lock}\nALTER TABLE {table} DROP COLUMN {col};\n"),
        format!(
            "{lock}\n{re_add}{}",
            if request.column.not_null {
                format!("ALTER TABLE {table} ALTER COLUMN {col} SET NOT NULL;\n")
            } else {
                String::new()
            }
        ),
    ));
    Ok(Plan {
        kind: "drop-column",
        table: request.table.clone(),
        deploys: vec![
            // Undone once the backup's down has put the values back.
            Deploy {
                number: 1,
                before_step: first_contract,
                undo_after_down: first_contract,
                what: format!("stops reading `{column}` (still writes it)"),
            },
            Deploy {
                number: 2,
                before_step: first_contract,
                undo_after_down: first_contract,
                what: format!("stops writing `{column}`"),
            },
        ],
        steps,
        notes: vec![format!(
            "`{backup}` holds `{column}` from the moment of the contract until you drop it (the \
             down of that step restores from it and drops it)"
        )],
    })
}
