//! `zerodown rollback`: traffic back to what was safe, or images back to the last release.

use crate::cli::EditArgs;

pub fn run(args: &EditArgs) -> u8 {
    let (workspace, config) = match super::read_for_edit(args) {
        Ok(read) => read,
        Err(code) => return code,
    };
    let planned = crate::ops::release::rollback(&workspace, &config.namespace);
    super::apply_move(&workspace, &config, planned, args.dry_run)
}
