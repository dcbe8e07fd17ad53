//! What the view draws, and the observer that builds it from the tracker, the lag log and
//! the scenario's figures. The observer runs on its own thread, so the picture keeps moving
//! (and shows the freeze) while a task blocks the loop thread.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::time::Instant;

use super::context::Ctx;
use super::figures::GroupCounts;
use super::gate::Gate;
use super::lag::{LagLog, LastBeat};
use super::settings::{Flavor, Scenario, SortBy};
use super::tracker::{StateCounts, TaskFacts, TaskState};

/// Up to this many tasks the snapshot lists every task; above, only aggregates.
pub const TABLE_LIMIT: usize = 200;
/// How many names of the ready queue the snapshot carries.
pub const READY_QUEUE_SHOWN: usize = 16;
/// How many points of queue-depth history are kept (one per snapshot).
pub const DEPTH_HISTORY_POINTS: usize = 300;

/// Figures of the running scenario.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct ScenarioFigures {
    /// Cleanups run by cancelled tasks.
    pub cleanups_run: u64,
    /// semaphore: tasks inside now.
    pub inside: u64,
    /// The most tasks inside the semaphore at once.
    pub peak_inside: u64,
    /// The semaphore's limit.
    pub limit: u32,
    /// queue: items in the queue now.
    pub queue_depth: u64,
    /// The most items the queue held.
    pub max_depth: u64,
    /// The queue's size.
    pub maxsize: u32,
    /// Queue depth per snapshot, oldest first.
    pub depth_history: Vec<f64>,
    /// Time producers waited in `put`, ms.
    pub producer_blocked_ms: f64,
    /// Items put.
    pub items_produced: u64,
    /// Items processed.
    pub items_consumed: u64,
    /// io: server connections open now.
    pub connections_open: u64,
    /// The most connections open at once.
    pub peak_connections: u64,
    /// Round trips completed.
    pub requests: u64,
    /// Clients that failed.
    pub client_errors: u64,
    /// gather: results collected.
    pub results_collected: u64,
    /// blocking/offload: the blocking call's length, ms.
    pub block_ms: u64,
    /// timeout: the deadline, ms.
    pub timeout_ms: u64,
    /// taskgroup: how the TaskGroup's children ended.
    pub taskgroup: GroupCounts,
    /// How gather's children ended.
    pub gather: GroupCounts,
}

/// The `asyncio` demo's drawable state.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AsyncioSnapshot {
    /// Which scenario runs.
    pub scenario: Scenario,
    /// Which runtime plays the loop.
    pub flavor: Flavor,
    /// How `tasks` is sorted.
    pub sort: SortBy,
    /// Seconds since start.
    pub elapsed_s: f64,
    /// What the scenario would take with zero overhead, s.
    pub ideal_s: f64,
    /// What it took, once it ended, s.
    pub scenario_s: Option<f64>,
    /// How much of that the demo was paused, s (the loop's clock runs on while paused).
    #[serde(default)]
    pub scenario_paused_s: Option<f64>,
    /// Playback speed (1.0 real time).
    pub speed: f64,
    /// The loop is parked at the pause gate.
    pub paused: bool,
    /// The scenario has ended; this is its final state.
    pub finished: bool,
    /// Tasks per state.
    pub counts: StateCounts,
    /// Tasks spawned so far (main included: see [`AsyncioSnapshot::scenario_tasks`]).
    pub spawned: u64,
    /// Polls of tracked tasks so far.
    pub polls: u64,
    /// The tasks being polled now, and for how long the (first) poll has run, ms.
    pub polling_now: Vec<String>,
    /// How long the first running task's current poll has lasted, ms.
    pub polling_for_ms: f64,
    /// While paused: the task parked at the gate, polled on the next step.
    pub next_at_gate: Option<String>,
    /// The task polled last.
    pub last_polled: Option<String>,
    /// The head of the ready queue, in wake-up order (only while the table is listed).
    pub ready_queue: Vec<String>,
    /// Every task, sorted by `sort`; `None` above [`TABLE_LIMIT`] tasks.
    pub tasks: Option<Vec<TaskFacts>>,
    /// Totals over all tasks, s.
    pub busy_s: f64,
    /// Total time tasks were ready but not polled, s.
    pub ready_s: f64,
    /// Total time tasks waited, s.
    pub wait_s: f64,
    /// Polls per scheduling-delay bucket (`tracker::DELAY_BUCKET_BOUNDS_US`).
    pub delay_histogram: Vec<u64>,
    /// Loop lag per snapshot, oldest first, ms; the newest; the worst so far.
    pub lag_history_ms: Vec<f64>,
    /// The newest lag point, ms.
    pub lag_now_ms: f64,
    /// The worst lag so far, ms.
    pub lag_max_ms: f64,
    /// The scenario's own figures.
    pub figures: ScenarioFigures,
}

impl AsyncioSnapshot {
    /// The scenario's own tasks spawned so far: `spawned` without `main` (the first task
    /// the loop spawns), which is not one of the learner's tasks.
    pub fn scenario_tasks(&self) -> u64 {
        self.spawned.saturating_sub(1)
    }
}

/// Where the loop thread is in its life.
#[derive(Debug, Default)]
pub struct LoopStatus {
    /// The runtime has been dropped: every task is gone.
    pub loop_done: AtomicBool,
    /// `main` returned (the scenario ran to its end).
    pub completed: AtomicBool,
    /// How long `main` ran, ns.
    pub scenario_ns: AtomicU64,
    /// How much of that the demo was paused, ns.
    pub scenario_paused_ns: AtomicU64,
    /// Tasks still alive when `main` returned.
    pub leaked: AtomicU64,
    /// The longest the observer took to build one snapshot, ns.
    pub max_snapshot_ns: AtomicU64,
}

/// The handles the demo, the loop's thread and the observer share.
#[derive(Clone)]
pub struct LoopHandles {
    /// What the scenario's tasks share.
    pub ctx: Arc<Ctx>,
    /// The pause and step gate.
    pub gate: Arc<Gate>,
    /// The heartbeat's lag samples.
    pub lag: Arc<LagLog>,
    /// When the heartbeat last ran.
    pub last_beat: Arc<LastBeat>,
    /// Whether the scenario and the loop have finished.
    pub status: Arc<LoopStatus>,
    /// How the task table is sorted (a `SortBy as u8`).
    pub sort: Arc<AtomicU8>,
    /// Tells the loop to end.
    pub stop: Arc<tokio::sync::Notify>,
}

/// Builds snapshots; owns the bounded histories.
pub struct Observer {
    shared: LoopHandles,
    started: Instant,
    ideal_s: f64,
    depth_history: VecDeque<f64>,
}

impl Observer {
    /// An observer with empty histories.
    pub fn new(shared: LoopHandles, ideal_s: f64) -> Self {
        Observer {
            shared,
            started: Instant::now(),
            ideal_s,
            depth_history: VecDeque::new(),
        }
    }

    /// The state now.
    pub fn build(&mut self) -> AsyncioSnapshot {
        let ctx = &self.shared.ctx;
        let tracker = &ctx.tracker;
        let c = tracker.counters();
        let s = &ctx.settings;
        let f = &ctx.figures;
        let paused = self.shared.gate.is_paused();
        let loop_done = self.shared.status.loop_done.load(Ordering::Acquire);
        let completed = self.shared.status.completed.load(Ordering::Acquire);

        let running = c.running();
        let polling_now: Vec<String> = running
            .iter()
            .filter_map(|id| tracker.name_of(*id))
            .collect();
        let polling_for_ms = running
            .first()
            .and_then(|id| tracker.facts_of(*id))
            .filter(|facts| facts.state == TaskState::Running)
            .map_or(0.0, |facts| {
                c.now_ns().saturating_sub(facts.since_ns) as f64 / 1e6
            });

        let sort = sort_from_u8(self.shared.sort.load(Ordering::Relaxed));
        let mut tasks = tracker.facts_if_at_most(TABLE_LIMIT);
        let mut ready_queue = Vec::new();
        if let Some(tasks) = tasks.as_mut() {
            let mut ready: Vec<&TaskFacts> = tasks
                .iter()
                .filter(|t| t.state == TaskState::Ready)
                .collect();
            ready.sort_by_key(|t| (t.since_ns, t.id));
            ready_queue = ready
                .iter()
                .take(READY_QUEUE_SHOWN)
                .map(|t| t.name.clone())
                .collect();
            sort_tasks(tasks, sort);
        }

        let silent = (!paused && !loop_done).then(|| self.shared.last_beat.silent_for());
        let lag_history_ms = self.shared.lag.take_history_point(silent);
        let summary = self.shared.lag.summary();

        let depth = f.queue_depth.now();
        if s.scenario == Scenario::Queue && !loop_done {
            if self.depth_history.len() == DEPTH_HISTORY_POINTS {
                self.depth_history.pop_front();
            }
            self.depth_history.push_back(depth as f64);
        }

        let status = &self.shared.status;
        let seconds = |ns: &AtomicU64| ns.load(Ordering::Relaxed) as f64 / 1e9;
        AsyncioSnapshot {
            scenario: s.scenario,
            flavor: s.flavor,
            sort,
            elapsed_s: self.started.elapsed().as_secs_f64(),
            ideal_s: self.ideal_s,
            scenario_s: completed.then(|| seconds(&status.scenario_ns)),
            scenario_paused_s: completed.then(|| seconds(&status.scenario_paused_ns)),
            speed: ctx.speed.get(),
            paused,
            finished: completed && loop_done,
            counts: c.counts(),
            spawned: c.spawned(),
            polls: c.polls(),
            polling_now,
            polling_for_ms,
            next_at_gate: if paused {
                c.at_gate().and_then(|id| tracker.name_of(id))
            } else {
                None
            },
            last_polled: c.last_polled().and_then(|id| tracker.name_of(id)),
            ready_queue,
            tasks,
            busy_s: c.busy_s(),
            ready_s: c.ready_s(),
            wait_s: c.wait_s(),
            delay_histogram: c.delay_histogram(),
            lag_now_ms: lag_history_ms.last().copied().unwrap_or(0.0),
            lag_max_ms: summary
                .max_ms
                .max(lag_history_ms.iter().copied().fold(0.0, f64::max)),
            lag_history_ms,
            figures: ScenarioFigures {
                cleanups_run: f.cleanups_run.load(Ordering::Relaxed),
                inside: f.inside.now(),
                peak_inside: f.inside.peak(),
                limit: s.limit,
                queue_depth: depth,
                max_depth: f.queue_depth.peak(),
                maxsize: s.maxsize,
                depth_history: self.depth_history.iter().copied().collect(),
                producer_blocked_ms: f.producer_blocked_ns.load(Ordering::Relaxed) as f64 / 1e6,
                items_produced: f.items_produced.load(Ordering::Relaxed),
                items_consumed: f.items_consumed.load(Ordering::Relaxed),
                connections_open: f.connections.now(),
                peak_connections: f.connections.peak(),
                requests: f.requests.load(Ordering::Relaxed),
                client_errors: f.client_errors.load(Ordering::Relaxed),
                results_collected: f.results_collected.load(Ordering::Relaxed),
                block_ms: s.block_ms,
                timeout_ms: s.timeout_ms,
                taskgroup: f.taskgroup.read(),
                gather: f.gather.read(),
            },
        }
    }
}

/// The sort a stored code stands for (only `SortBy as u8` codes are stored).
fn sort_from_u8(v: u8) -> SortBy {
    SortBy::from_repr(v).unwrap_or(SortBy::State)
}

/// Sorts the table: by state (the ready queue in wake-up order), by polls or by busy time.
pub fn sort_tasks(tasks: &mut [TaskFacts], sort: SortBy) {
    match sort {
        SortBy::State => tasks.sort_by(|a, b| {
            let key = |t: &TaskFacts| {
                let order = if t.state == TaskState::Ready {
                    t.since_ns
                } else {
                    0
                };
                (t.state.rank(), order, t.id)
            };
            key(a).cmp(&key(b))
        }),
        SortBy::Polls => tasks.sort_by(|a, b| b.polls.cmp(&a.polls).then(a.id.cmp(&b.id))),
        SortBy::Busy => tasks.sort_by(|a, b| b.busy_ms.total_cmp(&a.busy_ms).then(a.id.cmp(&b.id))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sims::asyncio::tracker::WaitKind;

    fn facts(id: u32, state: TaskState, polls: u32, busy_ms: f64, since_ns: u64) -> TaskFacts {
        TaskFacts {
            id,
            name: format!("t-{id}"),
            state,
            polls,
            busy_ms,
            ready_ms: 0.0,
            wait_ms: 0.0,
            since_ns,
        }
    }

    #[test]
    fn the_table_sorts_by_state_then_wakeup_or_by_numbers() {
        let mut tasks = vec![
            facts(0, TaskState::Done, 3, 1.0, 0),
            facts(1, TaskState::Ready, 1, 0.5, 90),
            facts(2, TaskState::Waiting(WaitKind::Timer), 2, 2.0, 0),
            facts(3, TaskState::Ready, 5, 0.1, 10),
            facts(4, TaskState::Running, 1, 0.0, 0),
        ];
        sort_tasks(&mut tasks, SortBy::State);
        let ids: Vec<u32> = tasks.iter().map(|t| t.id).collect();
        assert_eq!(ids, vec![4, 3, 1, 2, 0]);
        sort_tasks(&mut tasks, SortBy::Polls);
        assert_eq!(tasks[0].id, 3);
        sort_tasks(&mut tasks, SortBy::Busy);
        assert_eq!(tasks[0].id, 2);
        for sort in [SortBy::State, SortBy::Polls, SortBy::Busy] {
            assert_eq!(sort_from_u8(sort as u8), sort);
        }
    }
}
