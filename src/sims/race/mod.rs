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

use std::sync::Arc;

use serde_json::json;

use super::step_model::StepModelDemo;
use super::{Demo, Engine, EngineInfo, ParamKind, ParamSpec, Params, Snapshot, StartError};
use crate::theme::RunState;

/// The most threads a learner can start (the number keys reach 1 to 9).
pub const MAX_THREADS: i64 = 8;
/// The most increments per thread (a round of 8 x 1,000,000 still takes well under a second).
pub const MAX_INCREMENTS: i64 = 1_000_000;
/// The most rounds the live engine repeats the experiment.
pub const MAX_ROUNDS: i64 = 50;

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "engine",
        kind: ParamKind::Choice(&["threads", "model"]),
        default: "threads",
        help: "threads: real OS threads; model: you are the scheduler (number keys pick a thread)",
    },
    ParamSpec {
        name: "mode",
        kind: ParamKind::Choice(&["unsafe", "lock", "local"]),
        default: "unsafe",
        help: "unsafe: bare counter += 1; lock: inside `with lock:`; local: count alone, sum at the end",
    },
    ParamSpec {
        name: "threads",
        kind: ParamKind::Int {
            min: 1,
            max: MAX_THREADS,
        },
        default: "4",
        help: "how many threads run the loop",
    },
    ParamSpec {
        name: "increments",
        kind: ParamKind::Int {
            min: 1,
            max: MAX_INCREMENTS,
        },
        default: "100000",
        help: "how many times each thread runs counter += 1",
    },
    ParamSpec {
        name: "rounds",
        kind: ParamKind::Int {
            min: 1,
            max: MAX_ROUNDS,
        },
        default: "1",
        help: "threads engine: how many times to run the whole experiment (the losses differ)",
    },
    ParamSpec {
        name: "seed",
        kind: ParamKind::Int {
            min: 0,
            max: 1_000_000,
        },
        default: "1",
        help: "model engine: seed of the random pick made by the step key",
    },
];

/// How `counter += 1` is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RaceMode {
    /// A bare `counter += 1` on a global: load, add and store can be split by a switch.
    Unsafe,
    /// `with lock: counter += 1`: the three steps run as one.
    Lock,
    /// Each thread counts in its own local; the main thread sums the results at the end.
    Local,
}

impl RaceMode {
    fn parse(text: &str) -> RaceMode {
        match text {
            "lock" => RaceMode::Lock,
            "local" => RaceMode::Local,
            _ => RaceMode::Unsafe,
        }
    }

    /// The parameter word.
    pub fn name(self) -> &'static str {
        match self {
            RaceMode::Unsafe => "unsafe",
            RaceMode::Lock => "lock",
            RaceMode::Local => "local",
        }
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

/// Which engine drives the demo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RaceEngineKind {
    /// Real OS threads.
    Threads,
    /// The step model: no threads, the learner schedules.
    Model,
}

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

/// The `race` engine.
pub struct RaceEngine;

/// What the `race` engine declares about itself.
pub static INFO: EngineInfo = EngineInfo {
    name: "race",
    title: "counter += 1 is not atomic",
    about: "threads increment a shared counter: lost updates, a lock, or local counts",
    params: PARAMS,
};

impl Engine for RaceEngine {
    fn info(&self) -> &'static EngineInfo {
        &INFO
    }
    fn start(&self, params: &Params) -> Result<Box<dyn Demo>, StartError> {
        let setup = RaceSetup::from_params(params);
        match params.text("engine") {
            "model" => Ok(Box::new(StepModelDemo::new(model::RaceModel::new(
                setup,
                params.int("seed") as u64,
            )))),
            _ => Ok(Box::new(live::LiveDemo::start(
                setup,
                params.int("rounds") as usize,
            )?)),
        }
    }
}

/// The parameters both engines need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RaceSetup {
    /// How the counter is protected.
    pub mode: RaceMode,
    /// How many threads.
    pub threads: usize,
    /// Increments per thread.
    pub increments: u64,
}

impl RaceSetup {
    fn from_params(params: &Params) -> RaceSetup {
        RaceSetup {
            mode: RaceMode::parse(params.text("mode")),
            threads: params.int("threads").clamp(1, MAX_THREADS) as usize,
            increments: params.int("increments").clamp(1, MAX_INCREMENTS) as u64,
        }
    }

    /// threads x increments.
    pub fn expected(&self) -> i64 {
        self.threads as i64 * self.increments as i64
    }
}

/// The final metrics both engines report.
fn metrics(snap: &RaceSnapshot, engine: &str) -> serde_json::Value {
    let last = snap.results.last().copied();
    let (expected, actual) = match last {
        Some(r) => (r.expected, r.actual),
        None => (
            snap.threads.iter().map(|t| t.done as i64).sum(),
            snap.counter,
        ),
    };
    let mut out = json!({
        "engine": engine,
        "mode": snap.mode.name(),
        "expected": expected,
        "actual": actual,
        "lost_updates": expected - actual,
        "finished": snap.finished,
    });
    if snap.engine == RaceEngineKind::Threads {
        out["rounds"] = json!(snap.results.len());
        out["lost_per_round"] = json!(snap.results.iter().map(|r| r.lost).collect::<Vec<_>>());
    }
    if let Some(c) = &snap.challenge {
        out["challenge_won"] = json!(c.won);
    }
    out
}

fn snapshot_of(snap: Arc<RaceSnapshot>) -> Snapshot {
    Snapshot::Race(snap)
}
