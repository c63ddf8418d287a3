//! `zerodown promote`: the canary (or the blue-green standby) becomes the release, as an edit
//! of the manifests or (`--live`) a patch of the cluster.

use crate::cli::PromoteArgs;

pub fn run(args: &PromoteArgs) -> u8 {
    if args.live.live {
        return super::release_live(&args.live, false, None, None, &crate::ops::release::promote);
    }
    let (workspace, config) = match super::read_for_edit(&args.edit) {
        Ok(read) => read,
        Err(code) => return code,
    };
    let planned = crate::ops::release::promote(&workspace, &config.namespace);
    super::apply_move(&workspace, &config, planned, args.edit.dry_run)
}
