//! The `deadlock` demo: threads that each need two locks, the two-lock case or, with
//! `philosophers=N`, N threads around a ring of N locks (the dining philosophers). With
//! `order=opposite` each thread takes its own left lock first, so every thread can end up
//! holding one lock and waiting for the next: a cycle, a deadlock. With `order=consistent`
//! every thread takes the lower-numbered lock first, and no cycle can form. `timeout_ms`
//! makes the second acquire give up (`lock.acquire(timeout=...)`), release and back off.
//!
//! A detector ([`find_cycle`]) builds the wait-for graph (thread -> the thread holding the
//! lock it waits for) and names the cycle. Engines: `threads` ([`live`], real OS threads) and
//! `model` ([`model`], no threads: the learner schedules each acquisition).

pub mod live;
pub mod model;

use super::kit::choice::choice_enum;
use std::sync::Arc;

use serde::Serialize;

use super::kit::config::{self, EngineConfig};
use super::kit::figures::to_json;
use super::kit::step_model::{EngineKind, EngineSnapshot, engine_spec};
use super::kit::{Choice, choice_spec};
use super::params::{self, seed_spec};
use super::step_model::StepModelDemo;
use super::{
    Demo, EngineInfo, ParamError, ParamSpec, ParamValue, Params, Snapshot, StartError, Starter,
};
use crate::sims::kit::RunState;

/// The most threads (and locks) around the ring; the number keys reach 1 to 9.
pub const MAX_PHILOSOPHERS: i64 = 8;
/// The longest `acquire(timeout=...)`, in milliseconds.
pub const MAX_TIMEOUT_MS: i64 = 5000;
/// The longest time a thread holds a lock while working, in milliseconds.
pub const MAX_HOLD_MS: i64 = 1000;

#[rustfmt::skip] // a table: one row per parameter
const PARAMS: &[ParamSpec] = &[
    engine_spec("threads: real OS threads; model: you schedule each acquisition (number keys)"),
    choice_spec::<LockOrder>("order", "opposite", "opposite: each thread takes its own first lock first; consistent: lowest lock first"),
    ParamSpec::int("philosophers", 2, MAX_PHILOSOPHERS, "2", "threads around a ring of as many locks (2: two threads, locks A and B)"),
    ParamSpec::int("timeout_ms", 0, MAX_TIMEOUT_MS, "0", "acquire(timeout=...): give up, release what is held, back off (0: wait forever)"),
    ParamSpec::int("hold_ms", 0, MAX_HOLD_MS, "40", "threads engine: work done while holding a lock (longer: a deadlock comes sooner)").used_when("engine", &["threads"]),
    seed_spec("seed of the random choices (back-off times; the model's step key)"),
];

choice_enum! {
    /// The order in which a thread takes its two locks.
    #[derive(Default)]
    pub enum LockOrder {
        /// Its own left lock, then its right one: around a ring, opposite to its neighbour.
        #[default]
        Opposite,
        /// The lower-numbered lock first: one global order, so no cycle can form.
        Consistent,
    }
}

impl LockOrder {
    /// The parameter word.
    pub fn name(self) -> &'static str {
        self.word()
    }
}

/// Everything the `deadlock` engine is started with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeadlockConfig {
    /// Real threads or the step model.
    pub engine: EngineKind,
    /// What both engines run.
    pub setup: DeadlockSetup,
}

impl EngineConfig for DeadlockConfig {
    fn apply(&mut self, name: &str, value: &ParamValue) -> Result<(), ParamError> {
        let setup = &mut self.setup;
        match name {
            "engine" => self.engine = value.choice(name)?,
            "order" => setup.order = value.choice(name)?,
            "philosophers" => setup.threads = config::count_in(name, value, 2, MAX_PHILOSOPHERS)?,
            "timeout_ms" => {
                setup.timeout_ms = config::int_in(name, value, 0, MAX_TIMEOUT_MS)? as u64
            }
            "hold_ms" => setup.hold_ms = config::int_in(name, value, 0, MAX_HOLD_MS)? as u64,
            "seed" => setup.seed = config::int_in(name, value, 0, params::MAX_SEED)? as u64,
            _ => return Err(config::unknown(INFO.name, name, PARAMS)),
        }
        Ok(())
    }
}

/// The parameters both engines need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeadlockSetup {
    /// Lock order.
    pub order: LockOrder,
    /// Threads, and locks.
    pub threads: usize,
    /// 0: wait forever for the second lock; else give up after this long.
    pub timeout_ms: u64,
    /// Threads engine: time spent holding the first lock, and both, in milliseconds.
    pub hold_ms: u64,
    /// Seed for random choices.
    pub seed: u64,
}

impl DeadlockSetup {
    /// The two locks thread `i` (0-based) needs, in the order it takes them. Thread `i` needs
    /// locks `i` and `i + 1` around the ring (for two threads: A, B and B, A).
    pub fn plan(&self, i: usize) -> [usize; 2] {
        let (left, right) = (i, (i + 1) % self.threads);
        match self.order {
            LockOrder::Opposite => [left, right],
            LockOrder::Consistent => [left.min(right), left.max(right)],
        }
    }
}

/// A lock's name: `A`, `B` (two locks), else the forks around the ring `F1`, `F2`, ...
pub fn lock_name(threads: usize, lock: usize) -> String {
    if threads == 2 {
        ["A", "B"][lock.min(1)].to_string()
    } else {
        format!("F{}", lock + 1)
    }
}

/// The cycle in the wait-for graph, if there is one, as 0-based thread indices starting at
/// the lowest. `waiting[t]` is the lock thread `t` waits for; `owners[l]` the thread holding
/// lock `l`. Each thread waits for at most one lock and each lock has at most one owner, so
/// every thread has at most one edge out: following edges from each thread finds any cycle.
pub fn find_cycle(waiting: &[Option<usize>], owners: &[Option<usize>]) -> Option<Vec<usize>> {
    let next = |t: usize| -> Option<usize> {
        waiting
            .get(t)
            .copied()
            .flatten()
            .and_then(|l| owners.get(l).copied().flatten())
    };
    for start in 0..waiting.len() {
        let mut path = vec![start];
        let mut at = start;
        while let Some(n) = next(at) {
            if let Some(pos) = path.iter().position(|p| *p == n) {
                let mut cycle = path[pos..].to_vec();
                let lowest = cycle
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, t)| **t)
                    .map_or(0, |(i, _)| i);
                cycle.rotate_left(lowest);
                return Some(cycle);
            }
            if path.len() > waiting.len() {
                break;
            }
            path.push(n);
            at = n;
        }
    }
    None
}

/// One thread as last seen.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DeadlockThread {
    /// 1-based thread number.
    pub id: usize,
    /// The two locks it takes, in its order.
    pub plan: [usize; 2],
    /// Locks it holds now.
    pub holding: Vec<usize>,
    /// The lock it is waiting for.
    pub waiting_for: Option<usize>,
    /// Running (working with its locks), waiting, ready (thinking) or idle (backing off).
    pub state: RunState,
    /// What it has done so far.
    #[serde(flatten)]
    pub counts: LockCounts,
}

/// What threads did with their locks: one thread's counts, or every thread's summed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
pub struct LockCounts {
    /// Locks acquired.
    pub acquisitions: u64,
    /// Times a thread gave up waiting (timeout) and backed off.
    pub timeouts: u64,
    /// Times a thread held both locks and finished its work.
    pub meals: u64,
}

impl std::iter::Sum for LockCounts {
    fn sum<I: Iterator<Item = LockCounts>>(counts: I) -> LockCounts {
        counts.fold(LockCounts::default(), |a, b| LockCounts {
            acquisitions: a.acquisitions + b.acquisitions,
            timeouts: a.timeouts + b.timeouts,
            meals: a.meals + b.meals,
        })
    }
}

/// What the view draws.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DeadlockSnapshot {
    /// True for the step model.
    pub model: bool,
    /// The lock order.
    pub order: LockOrder,
    /// 0: waits forever.
    pub timeout_ms: u64,
    /// The threads.
    pub threads: Vec<DeadlockThread>,
    /// The owner (0-based thread) of each lock.
    pub owners: Vec<Option<usize>>,
    /// The cycle in the wait-for graph now, as 1-based thread ids.
    pub cycle: Option<Vec<usize>>,
    /// True once a cycle of threads that wait forever was seen: a deadlock.
    pub deadlocked: bool,
    /// The cycle that deadlocked (1-based thread ids), kept after it is found.
    pub deadlock_cycle: Option<Vec<usize>>,
    /// Threads engine: milliseconds from start to the detection.
    pub detected_after_ms: Option<u64>,
    /// Cycles seen that timeouts broke (threads engine: detector samples; model: events).
    pub cycles_broken: u64,
    /// Model: what the last step did.
    pub last_event: Option<String>,
    /// Model: the challenge in words.
    pub challenge: Option<String>,
    /// Model: true once the challenge is won.
    pub challenge_won: bool,
    /// Seconds since start (threads engine).
    pub elapsed_s: f64,
}

impl DeadlockSnapshot {
    /// Every thread's counts, summed.
    pub fn totals(&self) -> LockCounts {
        self.threads.iter().map(|t| t.counts).sum()
    }

    /// The name of lock `l`.
    pub fn lock_name(&self, l: usize) -> String {
        lock_name(self.threads.len(), l)
    }
}

/// The `deadlock` demo's final figures (`--headless --json`), both engines.
#[derive(Debug, Serialize)]
pub struct DeadlockFigures {
    /// `threads` or `model`.
    pub engine: &'static str,
    /// The lock order.
    pub order: &'static str,
    /// Threads around the ring.
    pub philosophers: usize,
    /// True once every thread waited on the next (a deadlock).
    pub deadlocked: bool,
    /// The deadlocked threads, 1-based (empty without a deadlock).
    pub cycle: Vec<usize>,
    /// Threads engine: milliseconds from start to the detection.
    pub detected_after_ms: Option<u64>,
    /// Every thread's counts, summed.
    #[serde(flatten)]
    pub totals: LockCounts,
    /// Cycles that timeouts broke.
    pub cycles_broken_by_timeout: u64,
    /// Model only: whether the challenge was won.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub challenge_won: Option<bool>,
}

/// Both engines publish this state and report the same figures from it.
impl EngineSnapshot for DeadlockSnapshot {
    fn published(self: Arc<Self>) -> Snapshot {
        Snapshot::Deadlock(self)
    }

    fn figures(&self, engine: &'static str) -> serde_json::Value {
        to_json(&DeadlockFigures {
            engine,
            order: self.order.name(),
            philosophers: self.threads.len(),
            deadlocked: self.deadlocked,
            cycle: self.deadlock_cycle.clone().unwrap_or_default(),
            detected_after_ms: self.detected_after_ms,
            totals: self.totals(),
            cycles_broken_by_timeout: self.cycles_broken,
            challenge_won: self.model.then_some(self.challenge_won),
        })
    }
}

/// What the `deadlock` engine declares about itself.
pub static INFO: EngineInfo = EngineInfo {
    name: "deadlock",
    title: "Deadlock and lock ordering",
    about: "threads taking two locks: opposite orders deadlock, one consistent order never does",
    params: PARAMS,
    start: Starter::Running(start),
};

/// Starts the `deadlock` demo.
fn start(params: &Params) -> Result<Box<dyn Demo>, StartError> {
    let DeadlockConfig { engine, setup } = DeadlockConfig::from_params(params)?;
    match engine {
        EngineKind::Model => Ok(Box::new(StepModelDemo::new(model::DeadlockModel::new(
            setup,
        )))),
        EngineKind::Threads => Ok(Box::new(live::LiveDemo::start(setup)?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sims::ParamKind;
    use crate::sims::kit::test_support::assert_json_keys;

    #[test]
    fn config_reads_choices_as_enums_and_refuses_unknown_words() {
        let params = crate::sims::test_support::params(&INFO, &[("order", "consistent")]);
        let mut config = DeadlockConfig::from_params(&params).unwrap();
        assert_eq!(config.setup.order, LockOrder::Consistent);
        assert_eq!(config.engine, EngineKind::Threads);
        assert!(
            config
                .apply("order", &ParamValue::Text("random".into()))
                .is_err()
        );
        assert_eq!(
            PARAMS[1].kind,
            ParamKind::Choice(&["opposite", "consistent"])
        );
    }

    #[test]
    fn the_detector_names_the_cycle_from_its_lowest_thread() {
        // Thread 0 holds A and waits for B; thread 1 holds B and waits for A.
        assert_eq!(
            find_cycle(&[Some(1), Some(0)], &[Some(0), Some(1)]),
            Some(vec![0, 1])
        );
        // A ring of three, entered from a thread outside it.
        let waiting = [Some(1), Some(2), Some(0), Some(1)];
        let owners = [Some(0), Some(1), Some(2)];
        assert_eq!(find_cycle(&waiting, &owners), Some(vec![0, 1, 2]));
        // A chain that ends at a thread that is not waiting is no cycle.
        assert_eq!(find_cycle(&[Some(1), None], &[Some(0), Some(1)]), None);
        assert_eq!(find_cycle(&[None, None], &[None, None]), None);
    }

    #[test]
    fn a_threads_counts_are_its_own_keys_and_sum_to_the_totals() {
        let thread = |id, acquisitions, meals| DeadlockThread {
            id,
            plan: [0, 1],
            holding: vec![],
            waiting_for: None,
            state: RunState::Ready,
            counts: LockCounts {
                acquisitions,
                timeouts: 1,
                meals,
            },
        };
        assert_json_keys(
            &thread(1, 4, 2),
            "id plan holding waiting_for state acquisitions timeouts meals",
            &[],
        );
        let totals: LockCounts = [thread(1, 4, 2), thread(2, 3, 0)]
            .iter()
            .map(|t| t.counts)
            .sum();
        assert_eq!(
            totals,
            LockCounts {
                acquisitions: 7,
                timeouts: 2,
                meals: 2
            }
        );
    }

    #[test]
    fn plans_follow_the_order() {
        let mut s = DeadlockSetup {
            order: LockOrder::Opposite,
            threads: 2,
            timeout_ms: 0,
            hold_ms: 0,
            seed: 1,
        };
        assert_eq!((s.plan(0), s.plan(1)), ([0, 1], [1, 0]));
        s.order = LockOrder::Consistent;
        assert_eq!((s.plan(0), s.plan(1)), ([0, 1], [0, 1]));
        s.threads = 3;
        assert_eq!(s.plan(2), [0, 2]);
        assert_eq!(lock_name(2, 1), "B");
        assert_eq!(lock_name(3, 2), "F3");
    }
}
