//! Keeping an old column and its replacement(s) in sync while both versions run: conversion
//! functions, the trigger, and the keyset-batched backfills in both directions. Shared by
//! rename-column, change-type and split-column.

use super::{NewColumn, Request, helper_name, q};

/// One old column and the new columns that replace it.
pub struct Sync<'a> {
    pub request: &'a Request,
    pub old: String,
    pub old_type: String,
    pub news: Vec<NewColumn>,
    /// The old column computed from the new ones (their names are in scope).
    pub merge: String,
}

/// Set by the backfills for their own session: the trigger then leaves their writes alone
/// (a backfill writes one side from the other; syncing it back could change the source).
pub const BACKFILL_SETTING: &str = "zerodown.backfill";

impl Sync<'_> {
    fn table(&self) -> String {
        self.request.table.to_string()
    }

    fn forward(&self, column: &NewColumn) -> String {
        helper_name(
            &self.request.table,
            &format!("{}_{}", self.old, column.name),
        )
    }

    fn backward(&self) -> String {
        helper_name(&self.request.table, &format!("to_{}", self.old))
    }

    fn trigger_function(&self) -> String {
        helper_name(&self.request.table, &format!("sync_{}", self.old))
    }

    pub fn trigger(&self) -> String {
        self.trigger_function()
    }

    /// `ADD COLUMN a t, ADD COLUMN b u`.
    pub fn add_new_columns(&self) -> String {
        let adds: Vec<String> = self
            .news
            .iter()
            .map(|c| format!("ADD COLUMN {} {}", q(&c.name), c.ty))
            .collect();
        format!("ALTER TABLE {} {};", self.table(), adds.join(", "))
    }

    pub fn drop_new_columns(&self) -> String {
        let drops: Vec<String> = self
            .news
            .iter()
            .map(|c| format!("DROP COLUMN IF EXISTS {}", q(&c.name)))
            .collect();
        format!("ALTER TABLE {} {};", self.table(), drops.join(", "))
    }

    /// The conversion functions (each takes the other side's columns, by their names, so the
    /// user's expressions read naturally) and the trigger function.
    pub fn create_functions(&self) -> String {
        let mut sql = String::new();
        for column in &self.news {
            sql.push_str(&format!(
                "CREATE OR REPLACE FUNCTION {}({} {}) RETURNS {} LANGUAGE sql AS $zd$ SELECT ({})::{} $zd$;\n",
                self.forward(column),
                q(&self.old),
                self.old_type,
                column.ty,
                column.expr,
                column.ty
            ));
        }
        let parameters: Vec<String> = self
            .news
            .iter()
            .map(|c| format!("{} {}", q(&c.name), c.ty))
            .collect();
        sql.push_str(&format!(
            "CREATE OR REPLACE FUNCTION {}({}) RETURNS {} LANGUAGE sql AS $zd$ SELECT ({})::{} $zd$;\n",
            self.backward(),
            parameters.join(", "),
            self.old_type,
            self.merge,
            self.old_type
        ));
        let old = q(&self.old);
        let new_all_null: Vec<String> = self
            .news
            .iter()
            .map(|c| format!("NEW.{} IS NULL", q(&c.name)))
            .collect();
        let fill_new: String = self
            .news
            .iter()
            .map(|c| {
                format!(
                    "      NEW.{} := {}(NEW.{old});\n",
                    q(&c.name),
                    self.forward(c)
                )
            })
            .collect();
        let new_unchanged: Vec<String> = self
            .news
            .iter()
            .map(|c| format!("NEW.{0} IS NOT DISTINCT FROM OLD.{0}", q(&c.name)))
            .collect();
        let new_changed: Vec<String> = self
            .news
            .iter()
            .map(|c| format!("NEW.{0} IS DISTINCT FROM OLD.{0}", q(&c.name)))
            .collect();
        let new_args: Vec<String> = self
            .news
            .iter()
            .map(|c| format!("NEW.{}", q(&c.name)))
            .collect();
        sql.push_str(&format!(
            "CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $zd$
BEGIN
  IF current_setting('{BACKFILL_SETTING}', true) = 'on' THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'INSERT' THEN
    IF {all_null} THEN
{fill_new}    ELSE
      NEW.{old} := {backward}({new_args});
    END IF;
  ELSIF NEW.{old} IS DISTINCT FROM OLD.{old} AND {unchanged} THEN
{fill_new}  ELSIF NEW.{old} IS NOT DISTINCT FROM OLD.{old} AND ({changed}) THEN
    NEW.{old} := {backward}({new_args});
  END IF;
  RETURN NEW;
END
$zd$;\n",
            function = self.trigger_function(),
            all_null = new_all_null.join(" AND "),
            unchanged = new_unchanged.join(" AND "),
            changed = new_changed.join(" OR "),
            backward = self.backward(),
            new_args = new_args.join(", "),
        ));
        sql
    }

    pub fn create_trigger(&self) -> String {
        format!(
            "CREATE TRIGGER {} BEFORE INSERT OR UPDATE ON {} FOR EACH ROW EXECUTE FUNCTION {}();\n",
            self.trigger(),
            self.table(),
            self.trigger_function()
        )
    }

    /// Drops the trigger and every function, in dependency order.
    pub fn drop_sync(&self) -> String {
        let mut sql = format!(
            "DROP TRIGGER IF EXISTS {} ON {};\nDROP FUNCTION IF EXISTS {}();\n",
            self.trigger(),
            self.table(),
            self.trigger_function()
        );
        let types: Vec<&str> = self.news.iter().map(|c| c.ty.as_str()).collect();
        sql.push_str(&format!(
            "DROP FUNCTION IF EXISTS {}({});\n",
            self.backward(),
            types.join(", ")
        ));
        for column in &self.news {
            sql.push_str(&format!(
                "DROP FUNCTION IF EXISTS {}({});\n",
                self.forward(column),
                self.old_type
            ));
        }
        sql
    }

    /// Fills the new columns from the old one, in keyset batches.
    pub fn backfill_forward(&self) -> String {
        let sets: Vec<String> = self
            .news
            .iter()
            .map(|c| format!("{} = {}(t.{})", q(&c.name), self.forward(c), q(&self.old)))
            .collect();
        let differs: Vec<String> = self
            .news
            .iter()
            .map(|c| {
                format!(
                    "t.{} IS DISTINCT FROM {}(t.{})",
                    q(&c.name),
                    self.forward(c),
                    q(&self.old)
                )
            })
            .collect();
        batched_update(
            self.request,
            &format!("{} AS t SET {}", self.table(), sets.join(", ")),
            &format!("({})", differs.join(" OR ")),
        )
    }

    /// Fills the old column from the new ones (the down of the backfill: after a contract
    /// was rolled back, the re-added old column is empty).
    pub fn backfill_backward(&self) -> String {
        let args: Vec<String> = self
            .news
            .iter()
            .map(|c| format!("t.{}", q(&c.name)))
            .collect();
        let value = format!("{}({})", self.backward(), args.join(", "));
        batched_update(
            self.request,
            &format!("{} AS t SET {} = {value}", self.table(), q(&self.old)),
            &format!("t.{} IS DISTINCT FROM {value}", q(&self.old)),
        )
    }
}

/// A DO block that runs `UPDATE {target} FROM batch WHERE t.key = batch.key AND {condition}`
/// over the table in primary-key order (see `batched`).
pub fn batched_update(request: &Request, target: &str, condition: &str) -> String {
    let key = q(&request.key);
    batched(
        request,
        &request.table.to_string(),
        &format!(
            ", changed AS (\n      UPDATE {target} FROM batch WHERE t.{key} = batch.{key} AND {condition} RETURNING 1\n    )"
        ),
    )
}

/// A DO block that walks the keys of `keys_from` in order, `batch_size` at a time: each batch
/// is the CTE `batch` (one column, the key) followed by `ctes` (which do the work), and
/// commits (so no lock is held for long), pausing `pause_ms` between batches. Each batch
/// starts from an index lookup of the next key, so a batch costs the same at the end of the
/// table as at its start; run again, it only changes what is not done yet. Must run outside
/// a transaction block (it commits).
pub fn batched(request: &Request, keys_from: &str, ctes: &str) -> String {
    let key = q(&request.key);
    format!(
        "DO $zd$
DECLARE
  zd_from {keys_from}.{key}%TYPE;
  zd_batch_last {keys_from}.{key}%TYPE;
BEGIN
  PERFORM set_config('lock_timeout', '{timeout}', false);
  PERFORM set_config('{BACKFILL_SETTING}', 'on', false);
  SELECT min({key}) INTO zd_from FROM {keys_from};
  WHILE zd_from IS NOT NULL LOOP
    WITH batch AS (
      SELECT {key} FROM {keys_from} WHERE {key} >= zd_from ORDER BY {key} LIMIT {size}
    ){ctes}
    SELECT max({key}) INTO zd_batch_last FROM batch;
    COMMIT;{pause}
    SELECT min({key}) INTO zd_from FROM {keys_from} WHERE {key} > zd_batch_last;
  END LOOP;
  PERFORM set_config('{BACKFILL_SETTING}', 'off', false);
END
$zd$;\n",
        timeout = request.lock_timeout.replace('\'', "''"),
        size = request.batch_size,
        pause = if request.pause_ms > 0 {
            format!(
                "\n    PERFORM pg_sleep({});",
                request.pause_ms as f64 / 1000.0
            )
        } else {
            String::new()
        },
    )
}
