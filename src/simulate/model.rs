//! The rollout models: pure functions from replica counts and limits to a timeline.
//!
//! Time is discrete. A step is one reaction of the controller, and new pods become available
//! one step after they were created (so "a step" is, in seconds, either nothing or one wait
//! for readiness; `super::timing` turns steps into seconds). Old pods are gone at once when
//! scaled down: a terminating pod no longer counts as available nor towards maxSurge, as in
//! the Deployment controller.
//!
//! The sync rule of a Deployment step (DESIGN.md, "Rolling update"), and why it has this
//! shape:
//!
//! 1. The controller syncs on what it last saw: the pods created in the previous step are
//!    not Ready yet. It scales the new ReplicaSet up to `min(R, new + maxTotal − total)` when
//!    that is more than `new`; only when it cannot, it scales the old one down by up to
//!    `total − minAvailable − (new − newAvailable)` (never below 0).
//! 2. Time passes: the pods created in the previous step become available.
//! 3. If step 1 did nothing and some pods just became available, their readiness triggers
//!    another sync (same rule) within the same step: the controller does not sit idle for a
//!    whole step while it could act.
//!
//! Step 1 counting the just-started pods as unavailable is what makes R=10, 25%/25% go
//! 10/3/0 → 8/3/3 (scale down 13 − 8 − 3 = 2, not 13 − 8 − 0 = 5); step 3 is what makes
//! R=4, maxSurge 1, maxUnavailable 0 go 4/1/0 → 3/1/1 instead of idling at 4/1/1 (the first
//! sync may scale down 5 − 4 − 1 = 0, the second 5 − 4 − 0 = 1). See the tests below.

/// One point of the timeline: the state after the step's syncs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub time: usize,
    /// Pods of the old version (all available: the rollout starts from a healthy state).
    pub old: i64,
    /// Pods of the new version, available or not.
    pub new: i64,
    pub new_available: i64,
    /// New pods created in this step.
    pub created: i64,
    /// Old pods removed in this step.
    pub deleted: i64,
    /// New pods that became available in this step.
    pub became_available: i64,
    /// The pods, in display order, run-length encoded (a StatefulSet shows its ordinals).
    pub pods: Vec<(Pod, i64)>,
}

impl Step {
    /// Pods serving: every old pod and the available new ones.
    pub fn available(&self) -> i64 {
        self.old + self.new_available
    }

    pub fn total(&self) -> i64 {
        self.old + self.new
    }
}

/// What one position of the timeline shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pod {
    Old,
    New,
    /// A StatefulSet ordinal whose old pod is gone and whose new one is not created yet.
    Missing,
}

/// The model did not converge within its bound: a spec the API would reject, or a bug.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stuck {
    pub steps: usize,
}

/// Enough for any valid spec: a rolling update makes progress every step or two, at worst
/// one pod at a time (two or three steps per pod); anything longer is a loop.
fn bound(replicas: i64) -> usize {
    usize::try_from(replicas.max(0))
        .unwrap_or(usize::MAX / 20)
        .saturating_mul(10)
        .saturating_add(10)
}

fn run_length(pods: impl IntoIterator<Item = Pod>) -> Vec<(Pod, i64)> {
    let mut runs: Vec<(Pod, i64)> = Vec::new();
    for pod in pods {
        match runs.last_mut() {
            Some((last, count)) if *last == pod => *count += 1,
            _ => runs.push((pod, 1)),
        }
    }
    runs
}

fn counted_pods(old: i64, new: i64) -> Vec<(Pod, i64)> {
    [(Pod::Old, old), (Pod::New, new)]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect()
}

#[derive(Clone, Copy, Default)]
struct Action {
    created: i64,
    deleted: i64,
}

impl Action {
    fn idle(self) -> bool {
        self.created == 0 && self.deleted == 0
    }
}

struct Deployment {
    replicas: i64,
    min_available: i64,
    max_total: i64,
    old: i64,
    new: i64,
    ready: i64,
}

impl Deployment {
    /// One controller sync: scale up first; scale down only when it cannot scale up.
    fn sync(&mut self) -> Action {
        let total = self.old + self.new;
        let target = self.replicas.min(self.new + self.max_total - total);
        if target > self.new {
            let created = target - self.new;
            self.new = target;
            return Action {
                created,
                deleted: 0,
            };
        }
        let unavailable_new = self.new - self.ready;
        let down = (total - self.min_available - unavailable_new)
            .min(self.old)
            .max(0);
        self.old -= down;
        Action {
            created: 0,
            deleted: down,
        }
    }

    fn done(&self) -> bool {
        self.old == 0 && self.new == self.replicas && self.ready == self.replicas
    }
}

/// A Deployment's RollingUpdate (and an Argo Rollouts canary without steps) with the
/// resolved limits: `surge` pods above `replicas` at most, `unavailable` below at most.
pub fn rolling_update(replicas: i64, surge: i64, unavailable: i64) -> Result<Vec<Step>, Stuck> {
    let mut d = Deployment {
        replicas,
        min_available: replicas - unavailable,
        max_total: replicas + surge,
        old: replicas,
        new: 0,
        ready: 0,
    };
    let mut steps = vec![Step {
        time: 0,
        old: replicas,
        new: 0,
        new_available: 0,
        created: 0,
        deleted: 0,
        became_available: 0,
        pods: counted_pods(replicas, 0),
    }];
    // Created in the previous step: available at the end of this one.
    let mut starting = 0;
    for time in 1..=bound(replicas) {
        if d.done() {
            return Ok(steps);
        }
        let first = d.sync();
        let became_available = starting;
        d.ready += became_available;
        let second = if first.idle() && became_available > 0 {
            d.sync()
        } else {
            Action::default()
        };
        if first.idle() && second.idle() && became_available == 0 {
            return Err(Stuck { steps: time });
        }
        starting = first.created + second.created;
        steps.push(Step {
            time,
            old: d.old,
            new: d.new,
            new_available: d.ready,
            created: first.created + second.created,
            deleted: first.deleted + second.deleted,
            became_available,
            pods: counted_pods(d.old, d.new),
        });
    }
    if d.done() {
        Ok(steps)
    } else {
        Err(Stuck { steps: steps.len() })
    }
}

/// `strategy: Recreate`: every old pod is stopped, and the new ones are created only once
/// the old ones are gone. Nothing serves from the first step to the last.
pub fn recreate(replicas: i64) -> Vec<Step> {
    let step = |time, old, new, new_available, created, deleted, became_available| Step {
        time,
        old,
        new,
        new_available,
        created,
        deleted,
        became_available,
        pods: counted_pods(old, new),
    };
    if replicas == 0 {
        return vec![step(0, 0, 0, 0, 0, 0, 0)];
    }
    vec![
        step(0, replicas, 0, 0, 0, 0, 0),
        step(1, 0, 0, 0, 0, replicas, 0),
        step(2, 0, replicas, 0, replicas, 0, 0),
        step(3, 0, replicas, replicas, 0, 0, replicas),
    ]
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    Old,
    Missing,
    /// A new pod; `since` is the step that created it.
    New {
        ready: bool,
        since: usize,
    },
}

/// A StatefulSet's RollingUpdate: from the highest ordinal down to `partition`, at most
/// `max_unavailable` pods at a time, each old pod deleted first and its replacement (same
/// name, so it must wait for the old pod to be gone) created in the next step. Ordinals
/// below `partition` keep the old version.
pub fn stateful_set(
    replicas: i64,
    partition: i64,
    max_unavailable: i64,
) -> Result<Vec<Step>, Stuck> {
    let count = usize::try_from(replicas.max(0)).unwrap_or(0);
    let first_updated = usize::try_from(partition.clamp(0, replicas.max(0))).unwrap_or(0);
    let mut slots = vec![Slot::Old; count];
    let snapshot = |slots: &[Slot], time, created, deleted, became_available| {
        let old = slots.iter().filter(|s| **s == Slot::Old).count() as i64;
        let new = slots
            .iter()
            .filter(|s| matches!(s, Slot::New { .. }))
            .count() as i64;
        let new_available = slots
            .iter()
            .filter(|s| matches!(s, Slot::New { ready: true, .. }))
            .count() as i64;
        Step {
            time,
            old,
            new,
            new_available,
            created,
            deleted,
            became_available,
            pods: run_length(slots.iter().map(|s| match s {
                Slot::Old => Pod::Old,
                Slot::Missing => Pod::Missing,
                Slot::New { .. } => Pod::New,
            })),
        }
    };
    // One sync: recreate missing ordinals first; otherwise delete the highest old ordinals
    // at or above the partition while fewer than maxUnavailable pods are unavailable.
    let sync = |slots: &mut [Slot], time: usize| -> Action {
        let mut action = Action::default();
        for slot in slots.iter_mut() {
            if *slot == Slot::Missing {
                *slot = Slot::New {
                    ready: false,
                    since: time,
                };
                action.created += 1;
            }
        }
        if action.created > 0 {
            return action;
        }
        let unavailable = slots
            .iter()
            .filter(|s| matches!(s, Slot::New { ready: false, .. }))
            .count() as i64;
        let mut budget = max_unavailable - unavailable;
        for slot in slots[first_updated..].iter_mut().rev() {
            if budget <= 0 {
                break;
            }
            if *slot == Slot::Old {
                *slot = Slot::Missing;
                action.deleted += 1;
                budget -= 1;
            }
        }
        action
    };
    let done = |slots: &[Slot]| {
        slots[first_updated..]
            .iter()
            .all(|s| matches!(s, Slot::New { ready: true, .. }))
    };
    let mut steps = vec![snapshot(&slots, 0, 0, 0, 0)];
    for time in 1..=bound(replicas) {
        if done(&slots) {
            return Ok(steps);
        }
        let first = sync(&mut slots, time);
        // Pods created before this step become available now (as for a Deployment).
        let mut became_available = 0;
        for slot in slots.iter_mut() {
            if let Slot::New {
                ready: ready @ false,
                since,
            } = slot
                && *since < time
            {
                *ready = true;
                became_available += 1;
            }
        }
        let second = if first.idle() && became_available > 0 {
            sync(&mut slots, time)
        } else {
            Action::default()
        };
        if first.idle() && second.idle() && became_available == 0 {
            return Err(Stuck { steps: time });
        }
        steps.push(snapshot(
            &slots,
            time,
            first.created + second.created,
            first.deleted + second.deleted,
            became_available,
        ));
    }
    if done(&slots) {
        Ok(steps)
    } else {
        Err(Stuck { steps: steps.len() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::k8s::rollout_math::{IntOrPercent, resolve};
    use proptest::prelude::*;

    /// old/new/newAvailable/available per step.
    fn vector(steps: &[Step]) -> Vec<[i64; 4]> {
        steps
            .iter()
            .map(|s| [s.old, s.new, s.new_available, s.available()])
            .collect()
    }

    fn simulate(replicas: i64, surge: IntOrPercent, unavailable: IntOrPercent) -> Vec<Step> {
        let limits = resolve(surge, unavailable, replicas);
        rolling_update(replicas, limits.surge, limits.unavailable).expect("converges")
    }

    #[test]
    fn ten_replicas_with_the_defaults() {
        let steps = simulate(10, IntOrPercent::Percent(25), IntOrPercent::Percent(25));
        assert_eq!(
            vector(&steps),
            [
                [10, 0, 0, 10],
                [10, 3, 0, 10],
                [8, 3, 3, 11],
                [8, 5, 3, 11],
                [5, 5, 5, 10],
                [5, 8, 5, 10],
                [3, 8, 8, 11],
                [3, 10, 8, 11],
                [0, 10, 10, 10],
            ]
        );
        let times: Vec<usize> = steps.iter().map(|s| s.time).collect();
        assert_eq!(times, (0..9).collect::<Vec<_>>());
    }

    #[test]
    fn four_replicas_surge_one_unavailable_zero() {
        let steps = simulate(4, IntOrPercent::Int(1), IntOrPercent::Int(0));
        assert_eq!(
            vector(&steps),
            [
                [4, 0, 0, 4],
                [4, 1, 0, 4],
                [3, 1, 1, 4],
                [3, 2, 1, 4],
                [2, 2, 2, 4],
                [2, 3, 2, 4],
                [1, 3, 3, 4],
                [1, 4, 3, 4],
                [0, 4, 4, 4],
            ]
        );
    }

    #[test]
    fn five_replicas_surge_zero_unavailable_one() {
        let steps = simulate(5, IntOrPercent::Int(0), IntOrPercent::Int(1));
        assert_eq!(
            vector(&steps),
            [
                [5, 0, 0, 5],
                [4, 0, 0, 4],
                [4, 1, 0, 4],
                [3, 1, 1, 4],
                [3, 2, 1, 4],
                [2, 2, 2, 4],
                [2, 3, 2, 4],
                [1, 3, 3, 4],
                [1, 4, 3, 4],
                [0, 4, 4, 4],
                [0, 5, 4, 4],
                [0, 5, 5, 5],
            ]
        );
    }

    #[test]
    fn recreate_has_nothing_available_in_between() {
        assert_eq!(
            vector(&recreate(3)),
            [[3, 0, 0, 3], [0, 0, 0, 0], [0, 3, 0, 0], [0, 3, 3, 3]]
        );
    }

    #[test]
    fn stateful_set_goes_from_the_highest_ordinal_down() {
        let steps = stateful_set(3, 0, 1).expect("converges");
        assert_eq!(
            vector(&steps),
            [
                [3, 0, 0, 3],
                [2, 0, 0, 2],
                [2, 1, 0, 2],
                [1, 1, 1, 2],
                [1, 2, 1, 2],
                [0, 2, 2, 2],
                [0, 3, 2, 2],
                [0, 3, 3, 3],
            ]
        );
        assert_eq!(steps[1].pods, [(Pod::Old, 2), (Pod::Missing, 1)]);
        assert_eq!(
            steps[3].pods,
            [(Pod::Old, 1), (Pod::Missing, 1), (Pod::New, 1)]
        );
    }

    #[test]
    fn stateful_set_partition_keeps_the_low_ordinals() {
        let steps = stateful_set(4, 2, 2).expect("converges");
        let last = steps.last().expect("a step");
        assert_eq!([last.old, last.new, last.new_available], [2, 2, 2]);
        assert_eq!(steps[1].pods, [(Pod::Old, 2), (Pod::Missing, 2)]);
        assert_eq!(steps.len(), 4);
        // A partition at or above the replica count updates nothing.
        assert_eq!(stateful_set(3, 3, 1).expect("converges").len(), 1);
    }

    #[test]
    fn zero_replicas_is_already_done() {
        assert_eq!(rolling_update(0, 0, 0).expect("converges").len(), 1);
    }

    fn limit(replicas: i64) -> impl Strategy<Value = IntOrPercent> {
        prop_oneof![
            (0..=replicas + 3).prop_map(IntOrPercent::Int),
            (0i64..=100).prop_map(IntOrPercent::Percent),
        ]
    }

    fn spec() -> impl Strategy<Value = (i64, IntOrPercent, IntOrPercent)> {
        (1i64..=50)
            .prop_flat_map(|r| (Just(r), limit(r), limit(r)))
            // Literal 0 and 0 is rejected by the API; 0% with 0 too (validation reads 0%
            // as 0). Values that only resolve to 0/0 stay: the controller makes them 0/1.
            .prop_filter("0/0 is rejected by the API", |(_, s, u)| {
                s.raw() != 0 || u.raw() != 0
            })
    }

    proptest! {
        #[test]
        fn rolling_updates_respect_their_limits((replicas, surge, unavailable) in spec()) {
            let limits = resolve(surge, unavailable, replicas);
            let steps = rolling_update(replicas, limits.surge, limits.unavailable)
                .map_err(|stuck| TestCaseError::fail(format!("stuck after {}", stuck.steps)))?;
            for step in &steps {
                prop_assert!(step.available() >= replicas - limits.unavailable, "{step:?}");
                prop_assert!(step.total() <= replicas + limits.surge, "{step:?}");
                prop_assert!(step.old >= 0 && step.new_available <= step.new);
            }
            let last = steps.last().expect("a step");
            prop_assert_eq!([last.old, last.new, last.new_available], [0, replicas, replicas]);
            prop_assert!(steps.len() <= 10 * replicas as usize + 11);
        }

        #[test]
        fn stateful_sets_finish(replicas in 1i64..=50, partition in 0i64..=55, m in 1i64..=10) {
            let steps = stateful_set(replicas, partition, m)
                .map_err(|stuck| TestCaseError::fail(format!("stuck after {}", stuck.steps)))?;
            let updated = (replicas - partition).max(0);
            for step in &steps {
                prop_assert!(step.available() >= replicas - m, "{step:?}");
                prop_assert!(step.total() <= replicas);
            }
            let last = steps.last().expect("a step");
            prop_assert_eq!([last.new, last.new_available], [updated, updated]);
        }
    }
}
