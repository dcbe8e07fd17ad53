//! What a scenario's tasks share ([`Ctx`]), the run's seeded random durations ([`Plan`]),
//! and the two task helpers every scenario and the echo server use: `await task` and
//! spawning many tracked tasks without freezing the loop.

use std::future::Future;
use std::sync::Arc;

use tokio::task::JoinHandle;

use super::figures::{Figures, Knobs};
use super::gate::Speed;
use super::settings::{Scenario, Settings};
use super::tracker::{TaskEnd, Tracker, WaitKind, waiting_on};
use crate::sims::kit::RunControl;

/// Seed of the random durations, so every run of a scenario tells the same story.
pub const PLAN_SEED: u64 = 0x5EED_A51C;
/// gather/taskgroup/timeout: the shortest and longest sleep a worker draws.
pub const WORK_MIN_MS: u64 = 100;
/// See [`WORK_MIN_MS`].
pub const WORK_MAX_MS: u64 = 1_500;
/// After this many spawns the spawning task yields, so a 100,000-task spawn does not freeze
/// the loop in one long poll (asyncio's `create_task` in a loop would).
pub const SPAWN_BATCH: u32 = 1_000;

/// What a scenario's tasks share.
pub struct Ctx {
    /// Every tracked task.
    pub tracker: Arc<Tracker>,
    /// The speed dial every duration goes through.
    pub speed: Arc<Speed>,
    /// The stop flag; blocking calls sleep on it so stop wakes them.
    pub control: Arc<RunControl>,
    /// What the scenario counts.
    pub figures: Arc<Figures>,
    /// Knobs changed live.
    pub knobs: Arc<Knobs>,
    /// The run's parameters.
    pub settings: Settings,
    /// The run's random durations.
    pub plan: Plan,
}

impl Ctx {
    /// `await asyncio.sleep(ms / 1000)`, stretched by the speed dial.
    pub fn sleep(&self, ms: u64) -> impl Future<Output = ()> + Send + 'static {
        waiting_on(WaitKind::Timer, tokio::time::sleep(self.speed.ms(ms)))
    }
}

/// The random parts of a run, drawn once from [`PLAN_SEED`].
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Each worker's sleep (gather, taskgroup, timeout), ms.
    pub durations_ms: Vec<u64>,
}

impl Plan {
    /// Draws the durations a scenario needs.
    pub fn new(settings: &Settings) -> Plan {
        let n = match settings.scenario {
            Scenario::Gather | Scenario::TaskGroup | Scenario::Timeout => settings.tasks,
            _ => 0,
        };
        let mut rng = fastrand::Rng::with_seed(PLAN_SEED);
        Plan {
            durations_ms: (0..n).map(|_| rng.u64(WORK_MIN_MS..=WORK_MAX_MS)).collect(),
        }
    }

    /// The longest worker sleep, ms.
    pub fn longest_ms(&self) -> u64 {
        self.durations_ms.iter().copied().max().unwrap_or(0)
    }
}

/// `await task`: how it ended, or `None` if it was cancelled.
pub async fn join(handle: JoinHandle<TaskEnd>) -> Option<TaskEnd> {
    waiting_on(WaitKind::Task, handle).await.ok()
}

/// `for task in tasks: await task`, in order, whatever each ended with.
pub async fn join_all(handles: Vec<JoinHandle<TaskEnd>>) {
    for handle in handles {
        join(handle).await;
    }
}

/// Spawns `n` tracked tasks `label-1..=n`, yielding every [`SPAWN_BATCH`].
pub async fn spawn_many<F, Fut>(
    ctx: &Arc<Ctx>,
    label: &'static str,
    n: u32,
    make: F,
) -> Vec<JoinHandle<TaskEnd>>
where
    F: Fn(u32, Arc<Ctx>) -> Fut + Send,
    Fut: Future<Output = TaskEnd> + Send + 'static,
{
    let mut handles = Vec::with_capacity(n as usize);
    for i in 0..n {
        handles.push(ctx.tracker.spawn(label, i + 1, make(i, Arc::clone(ctx))));
        if (i + 1) % SPAWN_BATCH == 0 {
            tokio::task::yield_now().await;
        }
    }
    handles
}
