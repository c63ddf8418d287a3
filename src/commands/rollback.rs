//! `zerodown rollback` (alias `abort`): traffic back to what was safe, or images back to the
//! last release; live, an Argo Rollout is aborted and a plain workload gets `kubectl rollout
//! undo`.

use crate::cli::RollbackArgs;

pub fn run(args: &RollbackArgs) -> u8 {
    if args.live.live {
        return super::release_live(
            &args.live,
            false,
            Some(args.to_revision),
            None,
            &crate::ops::release::rollback_traffic,
        );
    }
    let (workspace, config) = match super::read_for_edit(&args.edit) {
        Ok(read) => read,
        Err(code) => return code,
    };
    let planned = crate::ops::release::rollback(&workspace, &config.namespace);
    super::apply_move(&workspace, &config, planned, args.edit.dry_run)
}
