//! `zerodown set-weight`: the canary's traffic share, as an edit of the manifests.

use crate::cli::SetWeightArgs;
use crate::ops::traffic::{current_weight, next_step, set_weight};

pub fn run(args: &SetWeightArgs) -> u8 {
    let (workspace, config) = match super::read_for_edit(&args.edit) {
        Ok(read) => read,
        Err(code) => return code,
    };
    let weight = match args.weight {
        Some(weight) => Ok(weight),
        None => current_weight(&workspace, &config.namespace).and_then(|now| {
            let mut plan = args.plan.clone();
            plan.sort_unstable();
            next_step(&plan, now)
        }),
    };
    let planned = weight.and_then(|w| set_weight(&workspace, w, &config.namespace));
    super::apply_move(&workspace, &config, planned, args.edit.dry_run)
}
