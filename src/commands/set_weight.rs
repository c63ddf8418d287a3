//! `zerodown set-weight`: the canary's traffic share, as an edit of the manifests or
//! (`--live`) a patch of the cluster.

use crate::cli::SetWeightArgs;
use crate::ops::traffic::{Move, current_weight, next_step, set_weight};
use crate::workspace::Workspace;

fn planned(args: &SetWeightArgs, workspace: &Workspace, namespace: &str) -> Result<Move, String> {
    let weight = match args.weight {
        Some(weight) => weight,
        None => {
            let mut plan = args.plan.clone();
            plan.sort_unstable();
            next_step(&plan, current_weight(workspace, namespace)?)?
        }
    };
    set_weight(workspace, weight, namespace)
}

pub fn run(args: &SetWeightArgs) -> u8 {
    if args.live.live {
        return super::apply_live(&args.live, false, &|workspace, ns| {
            planned(args, workspace, ns)
        });
    }
    let (workspace, config) = match super::read_for_edit(&args.edit) {
        Ok(read) => read,
        Err(code) => return code,
    };
    let result = planned(args, &workspace, &config.namespace);
    super::apply_move(&workspace, &config, result, args.edit.dry_run)
}
