//! The `race` demo: `threads` threads each run `counter += 1` `increments` times, the way
//! CPython executes it: `LOAD_GLOBAL counter`, `BINARY_OP +=`, `STORE_GLOBAL counter`, with a
//! thread switch possible between any two. Mode `unsafe` loses updates, `lock` (`with lock:`)
//! never does, `local` counts per thread and sums at the end.
//!
//! Two engines share this declaration and snapshot: `threads` ([`live`]) runs real OS threads
//! on a shared cell loaded and stored in separate steps, so the lost updates are real;
//! `model` ([`model`]) runs no thread at all: the learner is the scheduler and picks which
//! thread runs its next instruction (challenge: make two increments end at 1).

pub mod live;
pub mod model;

use super::kit::choice::choice_enum;
use std::sync::Arc;

use serde::Serialize;

use super::kit::config::{self, EngineConfig};
use super::kit::figures::to_json;
use super::kit::step_model::{EngineSnapshot, engine_spec};
use super::kit::{Choice, choice_spec};
use super::params::{self, seed_spec};
use super::step_model::StepModelDemo;
use super::{
    Demo, EngineInfo, ParamError, ParamSpec, ParamValue, Params, Snapshot, StartError, Starter,
};
use crate::sims::kit::RunState;

/// The most threads a learner can start (the number keys reach 1 to 9).
pub const MAX_THREADS: i64 = 8;
/// The most increments per thread (a round of 8 x 1,000,000 still takes well under a second).
pub const MAX_INCREMENTS: i64 = 1_000_000;
/// The most rounds the live engine repeats the experiment.
pub const MAX_ROUNDS: i64 = 50;

#[rustfmt::skip] // a table: one row per parameter
const PARAMS: &[ParamSpec] = &[
    engine_spec("threads: real OS threads; model: you are the scheduler (number keys pick a thread)"),
    choice_spec::<RaceMode>("mode", "unsafe", "unsafe: bare counter += 1; lock: inside `with lock:`; local: count alone, sum at the end"),
    ParamSpec::int("threads", 1, MAX_THREADS, "4", "how many threads run the loop"),
    ParamSpec::int("increments", 1, MAX_INCREMENTS, "100000", "how many times each thread runs counter += 1"),
    ParamSpec::int("rounds", 1, MAX_ROUNDS, "1", "threads engine: how many times to run the whole experiment (the losses differ)").used_when("engine", &["threads"]),
    seed_spec("model engine: seed of the random pick made by the step key").used_when("engine", &["model"]),
];

/// Everything the `race` engine is started with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RaceConfig {
    /// Real threads or the step model.
    pub engine: RaceEngineKind,
    /// What both engines run.
    pub setup: RaceSetup,
    /// Threads engine: how many rounds.
    pub rounds: usize,
    /// Model engine: seed of the step key's random pick.
    pub seed: u64,
}

impl EngineConfig for RaceConfig {
    fn apply(&mut self, name: &str, value: &ParamValue) -> Result<(), ParamError> {
        match name {
            "engine" => self.engine = value.choice(name)?,
            "mode" => self.setup.mode = value.choice(name)?,
            "threads" => self.setup.threads = config::count_in(name, value, 1, MAX_THREADS)?,
            "increments" => {
                self.setup.increments = config::int_in(name, value, 1, MAX_INCREMENTS)? as u64
            }
            "rounds" => self.rounds = config::count_in(name, value, 1, MAX_ROUNDS)?,
            "seed" => self.seed = config::int_in(name, value, 0, params::MAX_SEED)? as u64,
            _ => return Err(config::unknown(INFO.name, name, PARAMS)),
        }
        Ok(())
    }
}

choice_enum! {
    /// How `counter += 1` is protected.
    #[derive(Default)]
    pub enum RaceMode {
        /// A bare `counter += 1` on a global: load, add and store can be split by a switch.
        #[default]
        Unsafe,
        /// `with lock: counter += 1`: the three steps run as one.
        Lock,
        /// Each thread counts in its own local; the main thread sums the results at the end.
        Local,
    }
}

impl RaceMode {
    /// The parameter word.
    pub fn name(self) -> &'static str {
        self.word()
    }

    /// The instructions one increment runs, in order.
    pub fn program(self) -> &'static [Op] {
        match self {
            RaceMode::Unsafe | RaceMode::Local => &[Op::Load, Op::Add, Op::Store],
            RaceMode::Lock => &[Op::Acquire, Op::Load, Op::Add, Op::Store, Op::Release],
        }
    }

    /// The Python source of the loop body.
    pub fn source(self) -> &'static str {
        match self {
            RaceMode::Unsafe => "counter += 1",
            RaceMode::Lock => "with lock: counter += 1",
            RaceMode::Local => "count += 1",
        }
    }
}

/// One step of `counter += 1` as CPython 3.11+ runs it. `LOAD_CONST 1` is folded into
/// [`Op::Add`]: it touches nothing shared, so a switch before it changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `BEFORE_WITH` on the lock: `lock.acquire()`, which waits while another thread holds it.
    Acquire,
    /// Push the counter's value onto this thread's stack.
    Load,
    /// Add one to the value on the stack (only this thread sees it).
    Add,
    /// Write the value on the stack back to the counter.
    Store,
    /// Leaving the `with` block: `lock.release()`.
    Release,
}

impl Op {
    /// The bytecode as `dis` prints it (3.11+), for `mode`.
    pub fn bytecode(self, mode: RaceMode) -> &'static str {
        match (self, mode) {
            (Op::Acquire, _) => "BEFORE_WITH  lock",
            (Op::Load, RaceMode::Local) => "LOAD_FAST    count",
            (Op::Load, _) => "LOAD_GLOBAL  counter",
            (Op::Add, _) => "BINARY_OP    += 1",
            (Op::Store, RaceMode::Local) => "STORE_FAST   count",
            (Op::Store, _) => "STORE_GLOBAL counter",
            (Op::Release, _) => "CALL __exit__ (release)",
        }
    }
}

/// Which engine drives the demo (shared with `deadlock`).
pub use super::kit::step_model::EngineKind as RaceEngineKind;

/// One thread as last seen.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RaceThread {
    /// 1-based thread number (the number key that runs it in the model).
    pub id: usize,
    /// Model only: index into [`RaceMode::program`] of the next instruction; `None` when done
    /// or on real threads.
    pub pc: Option<usize>,
    /// Model only: the value on this thread's stack (loaded, maybe already incremented).
    pub stack: Option<i64>,
    /// Local mode: this thread's own `count`.
    pub local_count: i64,
    /// Increments finished.
    pub done: u64,
    /// Increments it has to do.
    pub target: u64,
    /// Running, ready, waiting (for the lock) or done.
    pub state: RunState,
}

/// One finished run of the whole experiment (threads engine).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RoundResult {
    /// Increments the threads performed.
    pub expected: i64,
    /// What the counter holds at the end.
    pub actual: i64,
    /// `expected - actual`.
    pub lost: i64,
}

/// The be-the-scheduler challenge (model engine, unsafe mode, two or more threads).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Challenge {
    /// What to do, in words.
    pub goal: String,
    /// The counter value that wins.
    pub target: i64,
    /// True once the run ended at `target`.
    pub won: bool,
}

/// What the view draws.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RaceSnapshot {
    /// Which engine runs.
    pub engine: RaceEngineKind,
    /// How the counter is protected.
    pub mode: RaceMode,
    /// The threads.
    pub threads: Vec<RaceThread>,
    /// The shared counter's value now.
    pub counter: i64,
    /// What the counter should end at (threads x increments).
    pub expected: i64,
    /// Model, lock mode: the thread holding the lock.
    pub lock_holder: Option<usize>,
    /// Threads engine: the round running now (1-based) and how many there are.
    pub round: usize,
    /// Threads engine: how many rounds were asked for.
    pub rounds: usize,
    /// Threads engine: every finished round, oldest first (at most `rounds`).
    pub results: Vec<RoundResult>,
    /// Model: the challenge, where there is one.
    pub challenge: Option<Challenge>,
    /// Model: why updates were lost, one sentence per lost update (newest last, bounded).
    pub lost_reasons: Vec<String>,
    /// Model: what the last step did.
    pub last_event: Option<String>,
    /// True once every thread is done (and, threads engine, every round ran).
    pub finished: bool,
}

impl RaceSnapshot {
    /// Updates lost so far: what should be there minus what is there, once finished.
    pub fn lost(&self) -> i64 {
        let performed: i64 = self.threads.iter().map(|t| t.done as i64).sum();
        if self.mode == RaceMode::Local && !self.finished {
            return 0;
        }
        performed - self.counter
    }
}

/// What the `race` engine declares about itself.
pub static INFO: EngineInfo = EngineInfo {
    name: "race",
    title: "counter += 1 is not atomic",
    about: "threads increment a shared counter: lost updates, a lock, or local counts",
    params: PARAMS,
    start: Starter::Running(start),
};

/// Starts the `race` demo.
fn start(params: &Params) -> Result<Box<dyn Demo>, StartError> {
    let config = RaceConfig::from_params(params)?;
    match config.engine {
        RaceEngineKind::Model => Ok(Box::new(StepModelDemo::new(model::RaceModel::new(
            config.setup,
            config.seed,
        )))),
        RaceEngineKind::Threads => Ok(Box::new(live::LiveDemo::start(
            config.setup,
            config.rounds,
        )?)),
    }
}

/// The parameters both engines need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RaceSetup {
    /// How the counter is protected.
    pub mode: RaceMode,
    /// How many threads.
    pub threads: usize,
    /// Increments per thread.
    pub increments: u64,
}

impl RaceSetup {
    /// threads x increments.
    pub fn expected(&self) -> i64 {
        self.threads as i64 * self.increments as i64
    }
}

/// The `race` demo's final figures (`--headless --json`), both engines.
#[derive(Debug, Serialize)]
pub struct RaceFigures {
    /// `threads` or `model`.
    pub engine: &'static str,
    /// How the counter was protected.
    pub mode: &'static str,
    /// What the counter should end at: threads x increments (the last round's, threads
    /// engine). Known from the start, whatever has run yet.
    pub expected: i64,
    /// Increments the threads have performed so far (equals `expected` once finished).
    pub performed: i64,
    /// What the counter ended at.
    pub actual: i64,
    /// `performed - actual`: updates lost so far.
    pub lost_updates: i64,
    /// True once every thread (and round) finished.
    pub finished: bool,
    /// Threads engine: rounds run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounds: Option<usize>,
    /// Threads engine: updates lost in each round.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lost_per_round: Option<Vec<i64>>,
    /// Model, unsafe mode: whether the challenge was won.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub challenge_won: Option<bool>,
}

/// Both engines publish this state and report the same figures from it.
impl EngineSnapshot for RaceSnapshot {
    fn published(self: Arc<Self>) -> Snapshot {
        Snapshot::Race(self)
    }

    fn figures(&self, engine: &'static str) -> serde_json::Value {
        let last = self.results.last().copied();
        let (expected, performed, actual) = match last {
            Some(r) => (r.expected, r.expected, r.actual),
            None => (
                self.expected,
                self.threads.iter().map(|t| t.done as i64).sum(),
                self.counter,
            ),
        };
        let threads = self.engine == RaceEngineKind::Threads;
        to_json(&RaceFigures {
            engine,
            mode: self.mode.name(),
            expected,
            performed,
            actual,
            lost_updates: performed - actual,
            finished: self.finished,
            rounds: threads.then_some(self.results.len()),
            lost_per_round: threads.then(|| self.results.iter().map(|r| r.lost).collect()),
            challenge_won: self.challenge.as_ref().map(|c| c.won),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sims::ParamKind;

    #[test]
    fn config_takes_every_declared_value_and_refuses_unknown_words() {
        let params = crate::sims::test_support::params(
            &INFO,
            &[("engine", "model"), ("mode", "local"), ("threads", "3")],
        );
        let config = RaceConfig::from_params(&params).unwrap();
        assert_eq!(config.engine, RaceEngineKind::Model);
        assert_eq!(config.setup.mode, RaceMode::Local);
        assert_eq!(config.setup.threads, 3);
        let mut config = config;
        assert!(
            config
                .apply("mode", &ParamValue::Text("lokc".into()))
                .is_err()
        );
        assert!(config.apply("no_such", &ParamValue::Int(1)).is_err());
        assert_eq!(config.setup.mode, RaceMode::Local);
        assert_eq!(
            PARAMS[1].kind,
            ParamKind::Choice(&["unsafe", "lock", "local"])
        );
    }
}
