//! `zerodown switch`: blue-green traffic to the other colour, as an edit of the manifests or
//! (`--live`) a patch of the cluster.

use crate::cli::SwitchArgs;

pub fn run(args: &SwitchArgs) -> u8 {
    if args.live.live {
        let to = args.to.clone();
        let force = args.force;
        // An Argo blue-green Rollout awaiting promotion is switched by promoting it.
        return super::release_live(
            &args.live,
            force,
            None,
            Some("blueGreen"),
            &move |workspace, ns| crate::ops::traffic::switch(workspace, to.as_deref(), force, ns),
        );
    }
    let (workspace, config) = match super::read_for_edit(&args.edit) {
        Ok(read) => read,
        Err(code) => return code,
    };
    let planned = crate::ops::traffic::switch(
        &workspace,
        args.to.as_deref(),
        args.force,
        &config.namespace,
    );
    super::apply_move(&workspace, &config, planned, args.edit.dry_run)
}
