//! The `deadlock` step model: no real threads. Each virtual thread repeats "take my first
//! lock, take my second lock, work and release both"; the learner (number keys) or a seeded
//! random pick (step key) chooses which thread makes its next move. A move on a lock that
//! another thread holds makes the thread wait; with a timeout, its next move gives up,
//! releases what it holds and starts again. Challenge: reach the deadlock.

use super::{DeadlockSetup, DeadlockSnapshot, DeadlockThread, LockCounts, LockOrder, find_cycle};
use crate::sims::kit::RunState;
use crate::sims::step_model::StepModel;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Next move takes `plan[0]`.
    WantFirst,
    /// Holds `plan[0]`; next move takes `plan[1]`.
    WantSecond,
    /// Holds both; next move finishes the work and releases them.
    Working,
}

#[derive(Debug, Clone)]
struct VThread {
    plan: [usize; 2],
    stage: Stage,
    waiting: Option<usize>,
    counts: LockCounts,
    backed_off: bool,
}

/// The deterministic deadlock model.
#[derive(Debug, Clone)]
pub struct DeadlockModel {
    setup: DeadlockSetup,
    threads: Vec<VThread>,
    owners: Vec<Option<usize>>,
    deadlock: Option<Vec<usize>>,
    cycles_broken: u64,
    last_event: Option<String>,
    rng: fastrand::Rng,
}

impl DeadlockModel {
    /// A fresh model: every lock free, every thread about to take its first lock.
    pub fn new(setup: DeadlockSetup) -> DeadlockModel {
        DeadlockModel {
            setup,
            threads: (0..setup.threads)
                .map(|i| VThread {
                    plan: setup.plan(i),
                    stage: Stage::WantFirst,
                    waiting: None,
                    counts: LockCounts::default(),
                    backed_off: false,
                })
                .collect(),
            owners: vec![None; setup.threads],
            deadlock: None,
            cycles_broken: 0,
            last_event: None,
            rng: fastrand::Rng::with_seed(setup.seed),
        }
    }

    /// True once the threads are deadlocked: nothing can ever move again.
    pub fn is_deadlocked(&self) -> bool {
        self.deadlock.is_some()
    }

    /// The current cycle in the wait-for graph (0-based threads).
    pub fn cycle(&self) -> Option<Vec<usize>> {
        let waiting: Vec<Option<usize>> = self.threads.iter().map(|t| t.waiting).collect();
        find_cycle(&waiting, &self.owners)
    }

    fn name(&self, l: usize) -> String {
        super::lock_name(self.setup.threads, l)
    }

    /// The challenge in words, and whether it is won.
    pub fn challenge(&self) -> (&'static str, bool) {
        match (self.setup.order, self.setup.timeout_ms) {
            (LockOrder::Opposite, 0) => (
                "reach the deadlock (every thread stuck waiting)",
                self.is_deadlocked(),
            ),
            _ => ("try to reach a deadlock", false),
        }
    }
}

/// "threads 1 and 2" / "threads 1, 2 and 3" for 0-based indices.
pub(crate) fn names(cycle: &[usize]) -> String {
    let ids: Vec<String> = cycle.iter().map(|t| (t + 1).to_string()).collect();
    match ids.split_last() {
        Some((last, rest)) if !rest.is_empty() => {
            format!("threads {} and {last}", rest.join(", "))
        }
        Some((last, _)) => format!("thread {last}"),
        None => String::new(),
    }
}

/// The learner picks which thread takes its next lock; the demo ends at the deadlock.
impl StepModel for DeadlockModel {
    type View = DeadlockSnapshot;

    const CHOICE_HINT: &'static str = "move thread N: take its next lock";

    fn thread_count(&self) -> usize {
        self.threads.len()
    }

    /// True if thread `i` (0-based) has a move: anything but waiting forever on a held lock.
    fn can_run(&self, i: usize) -> bool {
        let Some(t) = self.threads.get(i) else {
            return false;
        };
        match t.waiting {
            Some(l) => self.owners[l].is_none() || self.setup.timeout_ms > 0,
            None => true,
        }
    }

    /// Makes thread `i`'s (0-based) next move. Returns false, with a note, if it has none.
    fn run(&mut self, i: usize) -> bool {
        if i >= self.threads.len() {
            return false;
        }
        let id = i + 1;
        let t = self.threads[i].clone();
        let lock = match t.stage {
            Stage::Working => {
                let [a, b] = t.plan;
                self.owners[a] = None;
                self.owners[b] = None;
                let t = &mut self.threads[i];
                t.stage = Stage::WantFirst;
                t.counts.meals += 1;
                t.backed_off = false;
                self.last_event = Some(format!(
                    "thread {id} finishes its work and releases {} and {}",
                    self.name(a),
                    self.name(b)
                ));
                return true;
            }
            Stage::WantFirst => t.plan[0],
            Stage::WantSecond => t.plan[1],
        };
        match self.owners[lock] {
            None => {
                self.owners[lock] = Some(i);
                let t = &mut self.threads[i];
                t.waiting = None;
                t.counts.acquisitions += 1;
                t.backed_off = false;
                t.stage = if t.stage == Stage::WantFirst {
                    Stage::WantSecond
                } else {
                    Stage::Working
                };
                self.last_event = Some(format!("thread {id} takes {}", self.name(lock)));
                true
            }
            Some(holder) if t.waiting != Some(lock) => {
                self.threads[i].waiting = Some(lock);
                let mut event = format!(
                    "thread {id} wants {}: thread {} holds it, so thread {id} waits",
                    self.name(lock),
                    holder + 1
                );
                if let Some(cycle) = self.cycle() {
                    if self.setup.timeout_ms == 0 {
                        event = format!(
                            "{event}. Deadlock: {} wait on each other in a cycle, forever",
                            names(&cycle)
                        );
                        self.deadlock = Some(cycle);
                    } else {
                        event =
                            format!("{event}. A cycle: it breaks when a waiting thread times out");
                    }
                }
                self.last_event = Some(event);
                true
            }
            Some(holder) if self.setup.timeout_ms > 0 => {
                if self.cycle().is_some_and(|c| c.contains(&i)) {
                    self.cycles_broken += 1;
                }
                let released: Vec<String> = self
                    .owners
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| **o == Some(i))
                    .map(|(l, _)| self.name(l))
                    .collect();
                for o in self.owners.iter_mut().filter(|o| **o == Some(i)) {
                    *o = None;
                }
                let t = &mut self.threads[i];
                t.waiting = None;
                t.counts.timeouts += 1;
                t.stage = Stage::WantFirst;
                t.backed_off = true;
                let released = if released.is_empty() {
                    "holds nothing".to_string()
                } else {
                    format!("releases {}", released.join(" and "))
                };
                self.last_event = Some(format!(
                    "thread {id} gives up on {} (held by thread {}) after {} ms, {released} \
                     and backs off",
                    self.name(lock),
                    holder + 1,
                    self.setup.timeout_ms
                ));
                true
            }
            Some(holder) => {
                self.last_event = Some(format!(
                    "thread {id} still waits for {}: thread {} holds it",
                    self.name(lock),
                    holder + 1
                ));
                false
            }
        }
    }

    fn rng(&mut self) -> &mut fastrand::Rng {
        &mut self.rng
    }

    fn is_finished(&self) -> bool {
        self.is_deadlocked()
    }

    fn failed_end(&self) -> Option<&'static str> {
        self.is_deadlocked().then_some("deadlocked")
    }

    /// The drawable state.
    fn snapshot(&self) -> DeadlockSnapshot {
        let threads = self
            .threads
            .iter()
            .enumerate()
            .map(|(i, t)| DeadlockThread {
                id: i + 1,
                plan: t.plan,
                holding: (0..self.owners.len())
                    .filter(|l| self.owners[*l] == Some(i))
                    .collect(),
                waiting_for: t.waiting,
                state: if t.waiting.is_some() {
                    RunState::Waiting
                } else if t.stage == Stage::Working {
                    RunState::Running
                } else if t.backed_off {
                    RunState::Idle
                } else {
                    RunState::Ready
                },
                counts: t.counts,
            })
            .collect();
        let ids = |c: Vec<usize>| c.into_iter().map(|t| t + 1).collect::<Vec<_>>();
        let (goal, won) = self.challenge();
        DeadlockSnapshot {
            model: true,
            order: self.setup.order,
            timeout_ms: self.setup.timeout_ms,
            threads,
            owners: self.owners.clone(),
            cycle: self.cycle().map(ids),
            deadlocked: self.deadlock.is_some(),
            deadlock_cycle: self.deadlock.clone().map(ids),
            detected_after_ms: None,
            cycles_broken: self.cycles_broken,
            last_event: self.last_event.clone(),
            challenge: Some(goal.to_string()),
            challenge_won: won,
            elapsed_s: 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sims::Demo;
    use crate::sims::step_model::StepModelDemo;

    fn setup(order: LockOrder, threads: usize, timeout_ms: u64, seed: u64) -> DeadlockSetup {
        DeadlockSetup {
            order,
            threads,
            timeout_ms,
            hold_ms: 0,
            seed,
        }
    }

    #[test]
    fn two_threads_deadlock_when_each_takes_its_first_lock() {
        let mut m = DeadlockModel::new(setup(LockOrder::Opposite, 2, 0, 1));
        for n in [1, 2, 1, 2] {
            assert!(m.run(n - 1), "thread {n}");
        }
        assert!(m.is_deadlocked());
        assert!(m.challenge().1);
        let snap = m.snapshot();
        assert_eq!(snap.deadlock_cycle, Some(vec![1, 2]));
        assert_eq!(snap.totals().acquisitions, 2);
        assert_eq!(
            snap.last_event.as_deref(),
            Some(
                "thread 2 wants A: thread 1 holds it, so thread 2 waits. \
                 Deadlock: threads 1 and 2 wait on each other in a cycle, forever"
            )
        );
        assert!(!m.run(0) && !m.run(1) && !m.step_random());
    }

    #[test]
    fn five_philosophers_deadlock_around_the_ring() {
        let mut m = DeadlockModel::new(setup(LockOrder::Opposite, 5, 0, 1));
        for n in 1..=5 {
            assert!(m.run(n - 1));
        }
        for n in 1..=5 {
            assert!(m.run(n - 1));
        }
        assert_eq!(m.snapshot().deadlock_cycle, Some(vec![1, 2, 3, 4, 5]));
    }

    #[test]
    fn consistent_order_never_deadlocks_over_many_seeded_rounds() {
        for threads in 2..=5 {
            for seed in 0..100 {
                let mut m = DeadlockModel::new(setup(LockOrder::Consistent, threads, 0, seed));
                for _ in 0..300 {
                    assert!(m.step_random(), "stuck: {threads} threads, seed {seed}");
                    assert!(m.cycle().is_none());
                }
                assert!(m.snapshot().totals().acquisitions > 0);
            }
        }
    }

    #[test]
    fn opposite_order_deadlocks_under_random_scheduling() {
        let deadlocked = (0..100)
            .filter(|seed| {
                let mut m = DeadlockModel::new(setup(LockOrder::Opposite, 2, 0, *seed));
                for _ in 0..300 {
                    if !m.step_random() {
                        break;
                    }
                }
                m.is_deadlocked()
            })
            .count();
        assert!(deadlocked > 50, "{deadlocked} of 100");
    }

    #[test]
    fn a_timeout_breaks_the_cycle_by_backing_off() {
        let mut m = DeadlockModel::new(setup(LockOrder::Opposite, 2, 100, 1));
        for n in [1, 2, 1, 2] {
            assert!(m.run(n - 1));
        }
        assert!(m.cycle().is_some());
        assert!(!m.is_deadlocked());
        // Thread 1 times out, releases A and backs off; thread 2 then gets A.
        assert!(m.run(0));
        let snap = m.snapshot();
        assert_eq!(snap.totals().timeouts, 1);
        assert_eq!(snap.cycles_broken, 1);
        assert!(snap.cycle.is_none());
        assert_eq!(snap.threads[0].state, RunState::Idle);
        assert!(m.run(1));
        assert_eq!(m.snapshot().threads[1].holding, vec![0, 1]);
        for _ in 0..500 {
            assert!(m.step_random());
        }
        assert!(!m.is_deadlocked());
    }

    #[test]
    fn the_demo_maps_number_keys_to_threads() {
        let mut demo: Box<dyn Demo> = Box::new(StepModelDemo::new(DeadlockModel::new(setup(
            LockOrder::Opposite,
            2,
            0,
            1,
        ))));
        assert!(demo.choice_hint().is_some());
        for n in [2, 1, 2, 1] {
            assert!(demo.choose(n));
        }
        assert!(demo.is_finished());
        let m = demo.stop();
        assert_eq!(m["deadlocked"], true);
        assert_eq!(m["cycle"], serde_json::json!([1, 2]));
        assert_eq!(m["acquisitions"], 2);
        assert_eq!(m["timeouts"], 0);
        assert_eq!(m["challenge_won"], true);
    }
}
