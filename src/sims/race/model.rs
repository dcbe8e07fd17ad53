//! The `race` step model: no real threads. Each virtual thread has a program counter into
//! the bytecode of one increment and a value stack; the learner (number keys) or a seeded
//! random pick (step key) chooses which thread runs its next instruction. That is exactly the
//! freedom CPython's scheduler has: a switch may come between any two bytecodes.

use std::collections::VecDeque;

use super::{Challenge, Op, RaceEngineKind, RaceMode, RaceSetup, RaceSnapshot, RaceThread};
use crate::sims::kit::RunState;
use crate::sims::step_model::StepModel;

/// How many lost-update explanations the snapshot keeps (newest last).
const MAX_LOST_REASONS: usize = 4;

#[derive(Debug, Clone)]
struct VThread {
    pc: usize,
    stack: Option<i64>,
    loaded: Option<i64>,
    local_count: i64,
    done: u64,
    waiting: bool,
}

/// The deterministic race model.
#[derive(Debug, Clone)]
pub struct RaceModel {
    setup: RaceSetup,
    threads: Vec<VThread>,
    counter: i64,
    last_writer: Option<usize>,
    lock_holder: Option<usize>,
    lost_reasons: VecDeque<String>,
    last_event: Option<String>,
    summed: bool,
    last_ran: Option<usize>,
    rng: fastrand::Rng,
}

impl RaceModel {
    /// A fresh model: every thread at its first instruction, the counter at 0.
    pub fn new(setup: RaceSetup, seed: u64) -> RaceModel {
        RaceModel {
            setup,
            threads: vec![
                VThread {
                    pc: 0,
                    stack: None,
                    loaded: None,
                    local_count: 0,
                    done: 0,
                    waiting: false,
                };
                setup.threads
            ],
            counter: 0,
            last_writer: None,
            lock_holder: None,
            lost_reasons: VecDeque::new(),
            last_event: None,
            summed: false,
            last_ran: None,
            rng: fastrand::Rng::with_seed(seed),
        }
    }

    /// The shared counter now.
    pub fn counter(&self) -> i64 {
        self.counter
    }

    fn store(&mut self, i: usize) -> String {
        let id = i + 1;
        let v = self.threads[i].stack.take().unwrap_or(0);
        let loaded = self.threads[i].loaded.take().unwrap_or(0);
        if self.setup.mode == RaceMode::Local {
            self.threads[i].local_count = v;
            return format!("thread {id} stores its own count: {v}");
        }
        let before = self.counter;
        if before != loaded {
            let overwritten = before - loaded;
            let reason = match self.last_writer {
                Some(w) if w != i && overwritten == 1 => format!(
                    "thread {id} loaded {loaded}, then thread {} stored {before}; \
                     thread {id} now stores {v} over it, so thread {}'s update is lost",
                    w + 1,
                    w + 1
                ),
                _ => format!(
                    "thread {id} loaded {loaded}, but the counter became {before} before its \
                     store; it writes {v}, wiping out {overwritten} update(s) made in between"
                ),
            };
            if self.lost_reasons.len() == MAX_LOST_REASONS {
                self.lost_reasons.pop_front();
            }
            self.lost_reasons.push_back(reason);
        }
        self.counter = v;
        self.last_writer = Some(i);
        format!("thread {id} stores {v} into counter")
    }

    fn challenge(&self) -> Option<Challenge> {
        if self.setup.mode != RaceMode::Unsafe || self.setup.threads < 2 {
            return None;
        }
        // With one increment per thread the lowest end is 1; with more it is 2 (a thread
        // can wipe out everything but cannot undo its own last store and another's).
        let target = if self.setup.increments == 1 { 1 } else { 2 };
        let expected = self.setup.expected();
        let goal = if self.setup.threads == 2 && self.setup.increments == 1 {
            "two threads, one increment each: make the counter end at 1".to_string()
        } else {
            format!("make the counter end at {target} instead of {expected}")
        };
        Some(Challenge {
            goal,
            target,
            won: self.is_finished() && self.counter == target,
        })
    }
}

/// The learner picks which thread runs its next bytecode; the demo ends when every
/// thread has done its increments.
impl StepModel for RaceModel {
    type View = RaceSnapshot;

    const CHOICE_HINT: &'static str = "run thread N's next instruction";

    fn thread_count(&self) -> usize {
        self.threads.len()
    }

    /// True if thread `i` (0-based) can run its next instruction now.
    fn can_run(&self, i: usize) -> bool {
        let Some(t) = self.threads.get(i) else {
            return false;
        };
        if t.done >= self.setup.increments {
            return false;
        }
        let op = self.setup.mode.program()[t.pc];
        !(op == Op::Acquire && self.lock_holder.is_some_and(|h| h != i))
    }

    /// Runs thread `i`'s (0-based) next instruction. Returns false, with a note saying why,
    /// if it cannot run (finished, or waiting for the lock another thread holds).
    fn run(&mut self, i: usize) -> bool {
        let Some(t) = self.threads.get(i) else {
            return false;
        };
        let id = i + 1;
        if t.done >= self.setup.increments {
            self.last_event = Some(format!("thread {id} has finished its loop"));
            return false;
        }
        let mode = self.setup.mode;
        let op = mode.program()[t.pc];
        if op == Op::Acquire
            && let Some(holder) = self.lock_holder.filter(|h| *h != i)
        {
            self.threads[i].waiting = true;
            self.last_event = Some(format!(
                "thread {id} waits: thread {} holds the lock",
                holder + 1
            ));
            return false;
        }
        let event = match op {
            Op::Acquire => {
                self.lock_holder = Some(i);
                self.threads[i].waiting = false;
                format!("thread {id} takes the lock")
            }
            Op::Load => {
                let v = if mode == RaceMode::Local {
                    self.threads[i].local_count
                } else {
                    self.counter
                };
                self.threads[i].stack = Some(v);
                self.threads[i].loaded = Some(v);
                let what = if mode == RaceMode::Local {
                    "its own count"
                } else {
                    "counter"
                };
                format!("thread {id} loads {what}: {v}")
            }
            Op::Add => {
                let v = self.threads[i].stack.unwrap_or(0) + 1;
                self.threads[i].stack = Some(v);
                format!("thread {id} adds 1 on its own stack: {v}")
            }
            Op::Store => self.store(i),
            Op::Release => {
                self.lock_holder = None;
                format!("thread {id} releases the lock")
            }
        };
        self.last_ran = Some(i);
        let t = &mut self.threads[i];
        t.pc += 1;
        if t.pc == mode.program().len() {
            t.pc = 0;
            t.done += 1;
        }
        self.last_event = Some(event);
        if self.is_finished() && mode == RaceMode::Local && !self.summed {
            // `counter = sum(results)` in the main thread after every join().
            self.counter = self.threads.iter().map(|t| t.local_count).sum();
            self.summed = true;
            self.last_event = Some(format!(
                "every thread is done: the main thread sums the counts: {}",
                self.counter
            ));
        }
        true
    }

    fn rng(&mut self) -> &mut fastrand::Rng {
        &mut self.rng
    }

    /// True once every thread has done all its increments (and, local mode, the sum is in).
    fn is_finished(&self) -> bool {
        self.threads.iter().all(|t| t.done >= self.setup.increments)
    }

    /// The drawable state.
    fn snapshot(&self) -> RaceSnapshot {
        let program = self.setup.mode.program();
        let threads = self
            .threads
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let finished = t.done >= self.setup.increments;
                let state = if finished {
                    RunState::Done
                } else if t.waiting && !self.can_run(i) {
                    RunState::Waiting
                } else if self.last_ran == Some(i) {
                    RunState::Running
                } else {
                    RunState::Ready
                };
                RaceThread {
                    id: i + 1,
                    pc: (!finished).then_some(t.pc.min(program.len() - 1)),
                    stack: t.stack,
                    local_count: t.local_count,
                    done: t.done,
                    target: self.setup.increments,
                    state,
                }
            })
            .collect();
        RaceSnapshot {
            engine: RaceEngineKind::Model,
            mode: self.setup.mode,
            threads,
            counter: self.counter,
            expected: self.setup.expected(),
            lock_holder: self.lock_holder.map(|h| h + 1),
            round: 1,
            rounds: 1,
            results: Vec::new(),
            challenge: self.challenge(),
            lost_reasons: self.lost_reasons.iter().cloned().collect(),
            last_event: self.last_event.clone(),
            finished: self.is_finished(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sims::Demo;
    use crate::sims::step_model::StepModelDemo;

    fn setup(mode: RaceMode, threads: usize, increments: u64) -> RaceSetup {
        RaceSetup {
            mode,
            threads,
            increments,
        }
    }

    /// Runs a schedule of 1-based thread numbers; every pick must be runnable.
    fn play(model: &mut RaceModel, schedule: &[usize]) {
        for &n in schedule {
            assert!(model.run(n - 1), "thread {n} could not run");
        }
    }

    #[test]
    fn the_challenge_is_won_by_switching_between_load_and_store() {
        let mut m = RaceModel::new(setup(RaceMode::Unsafe, 2, 1), 1);
        // Both threads load 0 before either stores.
        play(&mut m, &[1, 2, 1, 1, 2, 2]);
        assert!(m.is_finished());
        assert_eq!(m.counter(), 1);
        let snap = m.snapshot();
        let c = snap
            .challenge
            .clone()
            .expect("unsafe with 2 threads has a challenge");
        assert!(c.won);
        assert_eq!(c.target, 1);
        assert_eq!(snap.lost(), 1);
        assert_eq!(
            snap.lost_reasons,
            vec![
                "thread 2 loaded 0, then thread 1 stored 1; thread 2 now stores 1 over it, \
                 so thread 1's update is lost"
                    .to_string()
            ]
        );
    }

    #[test]
    fn running_threads_one_after_the_other_loses_nothing() {
        let mut m = RaceModel::new(setup(RaceMode::Unsafe, 2, 1), 1);
        play(&mut m, &[1, 1, 1, 2, 2, 2]);
        let snap = m.snapshot();
        assert_eq!(snap.counter, 2);
        assert!(!snap.challenge.unwrap().won);
        assert!(snap.lost_reasons.is_empty());
    }

    #[test]
    fn many_increments_can_end_at_two() {
        // The classic schedule: thread 1 loads 0 and waits; thread 2 runs all but its last
        // increment; thread 1 stores 1; thread 2 loads 1; thread 1 finishes; thread 2 stores 2.
        let mut m = RaceModel::new(setup(RaceMode::Unsafe, 2, 3), 1);
        play(&mut m, &[1]);
        play(&mut m, &[2; 6]);
        play(&mut m, &[1, 1]);
        play(&mut m, &[2]);
        play(&mut m, &[1; 6]);
        play(&mut m, &[2, 2]);
        assert!(m.is_finished());
        assert_eq!(m.counter(), 2);
        assert!(m.snapshot().challenge.unwrap().won);
    }

    #[test]
    fn the_lock_makes_every_schedule_exact() {
        for seed in 0..200 {
            let mut m = RaceModel::new(setup(RaceMode::Lock, 3, 4), seed);
            while m.step_random() {}
            assert!(m.is_finished());
            assert_eq!(m.counter(), 12, "seed {seed}");
            assert!(m.snapshot().lost_reasons.is_empty());
        }
    }

    #[test]
    fn a_thread_waits_while_another_holds_the_lock() {
        let mut m = RaceModel::new(setup(RaceMode::Lock, 2, 1), 1);
        play(&mut m, &[1]);
        assert_eq!(m.snapshot().lock_holder, Some(1));
        assert!(!m.run(1));
        let snap = m.snapshot();
        assert_eq!(snap.threads[1].state, RunState::Waiting);
        assert_eq!(
            snap.last_event.as_deref(),
            Some("thread 2 waits: thread 1 holds the lock")
        );
        play(&mut m, &[1, 1, 1, 1, 2, 2, 2, 2, 2]);
        assert_eq!(m.counter(), 2);
    }

    #[test]
    fn local_counts_are_summed_at_the_end() {
        for seed in 0..50 {
            let mut m = RaceModel::new(setup(RaceMode::Local, 3, 5), seed);
            while m.step_random() {
                if !m.is_finished() {
                    assert_eq!(m.counter(), 0);
                }
            }
            assert_eq!(m.counter(), 15);
        }
    }

    #[test]
    fn unsafe_random_schedules_never_exceed_expected() {
        let mut lost_somewhere = false;
        for seed in 0..100 {
            let mut m = RaceModel::new(setup(RaceMode::Unsafe, 3, 3), seed);
            while m.step_random() {}
            assert!(m.counter() <= 9 && m.counter() >= 2);
            lost_somewhere |= m.counter() < 9;
        }
        assert!(lost_somewhere);
    }

    #[test]
    fn an_unstarted_model_still_knows_what_the_counter_should_reach() {
        // Issue 11: `engine=model` headless reported `expected: 0`.
        let demo: Box<dyn Demo> = Box::new(StepModelDemo::new(RaceModel::new(
            setup(RaceMode::Unsafe, 3, 2),
            7,
        )));
        let metrics = demo.stop();
        assert_eq!(metrics["expected"], 6, "{metrics}");
        assert_eq!(metrics["performed"], 0, "{metrics}");
        assert_eq!(metrics["lost_updates"], 0, "{metrics}");
    }

    #[test]
    fn the_demo_maps_number_keys_to_threads() {
        let mut demo: Box<dyn Demo> = Box::new(StepModelDemo::new(RaceModel::new(
            setup(RaceMode::Unsafe, 2, 1),
            7,
        )));
        assert!(demo.choice_hint().is_some());
        assert!(!demo.choose(0));
        assert!(!demo.choose(3));
        for n in [2, 1, 2, 1, 2, 1] {
            assert!(demo.choose(n));
        }
        assert!(demo.is_finished());
        assert!(demo.choice_hint().is_none());
        let metrics = demo.stop();
        assert_eq!(metrics["expected"], 2);
        assert_eq!(metrics["performed"], 2);
        assert_eq!(metrics["actual"], 1);
        assert_eq!(metrics["lost_updates"], 1);
        assert_eq!(metrics["challenge_won"], true);
    }
}
