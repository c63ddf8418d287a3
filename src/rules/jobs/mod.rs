//! Rules over the Jobs that run schema migrations beside a rollout.

use super::Rule;

pub static ALL: &[&dyn Rule] = &[];
