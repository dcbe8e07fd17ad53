//! The `asyncio` demo's final figures (`pyconc demo asyncio --json`), as typed structs
//! whose fields are the JSON keys in the order they are printed: the loop's figures every
//! scenario has, then the scenario's own.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

use super::AsyncioDemo;
use super::figures::GroupCounts;
use super::settings::Scenario;
use super::tracker::TaskState;
use crate::sims::kit::headless::round3;

/// Event-loop lag percentiles, ms.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LagFigures {
    /// Median.
    pub p50: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Worst.
    pub max: f64,
}

/// One group of the `taskgroup` scenario.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GroupFigures {
    /// Children started.
    pub children: u32,
    /// How they ended.
    #[serde(flatten)]
    pub counts: GroupCounts,
}

/// What only one scenario reports.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(untagged)]
pub enum ScenarioFigures {
    /// `gather`.
    Gather {
        /// Results main collected.
        results_collected: u64,
    },
    /// `taskgroup`.
    TaskGroup {
        /// Under a TaskGroup.
        taskgroup: GroupFigures,
        /// Under gather.
        gather: GroupFigures,
    },
    /// `blocking` and `offload`.
    Blocking {
        /// How long the blocking call takes.
        block_ms: u64,
        /// Calls made on the loop's thread.
        blocking_calls_on_loop: u64,
        /// Calls offloaded to a thread.
        offloaded_calls: u64,
    },
    /// `semaphore`.
    Semaphore {
        /// The semaphore's limit.
        limit: u32,
        /// Each task's work.
        work_ms: u64,
    },
    /// `timeout`.
    Timeout {
        /// The deadline.
        timeout_ms: u64,
    },
    /// `queue`.
    Queue {
        /// The queue's bound.
        maxsize: u32,
        /// Deepest it got.
        max_depth: u64,
        /// Producers' time blocked on a full queue.
        producer_blocked_ms: f64,
        /// Items put.
        items_produced: u64,
        /// Items got.
        items_consumed: u64,
        /// End-of-work sentinels.
        sentinels_sent: u64,
    },
    /// `io`.
    Io {
        /// Clients.
        clients: u32,
        /// Requests echoed.
        requests: u64,
        /// Requests per second from the first to the last.
        requests_per_s: f64,
        /// Most connections open at once.
        peak_connections: u64,
        /// Connections the server accepted.
        connections_accepted: u64,
        /// ...and closed.
        connections_closed: u64,
        /// Still open at the end.
        connections_open_at_end: u64,
        /// Client-side errors.
        client_errors: u64,
    },
    /// `scale`.
    Scale {
        /// Each task's sleep.
        work_ms: u64,
        /// The scenario's length over ideal per task spawned, µs (null if unfinished).
        per_task_us: Option<f64>,
        /// The whole process's peak resident memory, MB (null where unknown).
        peak_rss_mb: Option<f64>,
    },
}

/// The whole run's figures.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AsyncioFigures {
    /// The scenario's name.
    pub scenario: &'static str,
    /// The runtime flavor.
    pub flavor: &'static str,
    /// True if the scenario ran to its end.
    pub completed: bool,
    /// Its length with zero overhead, s.
    pub ideal_s: f64,
    /// Its length, s (null if unfinished).
    pub scenario_s: Option<f64>,
    /// Length over ideal, s.
    pub overhead_s: Option<f64>,
    /// What became of the scenario's tasks.
    #[serde(flatten)]
    pub tasks: TaskFigures,
    /// How the loop itself fared.
    #[serde(flatten)]
    pub event_loop: LoopFigures,
    /// The scenario's own figures.
    #[serde(flatten)]
    pub scenario_figures: ScenarioFigures,
}

/// What became of the scenario's tasks.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TaskFigures {
    /// The scenario's own tasks spawned (`asyncio.run(main())`'s `main` not counted: it is
    /// in `main_task`).
    pub tasks_spawned: u64,
    /// Of those, tasks that finished.
    pub tasks_completed: u64,
    /// Of those, tasks that raised.
    pub tasks_failed: u64,
    /// Of those, tasks cancelled.
    pub tasks_cancelled: u64,
    /// The state `main` ended in ("done", "failed", "cancelled", or still "running"...).
    pub main_task: &'static str,
    /// Tasks still alive when the scenario ended.
    pub tasks_leaked: u64,
    /// Cleanups run by cancelled tasks.
    pub cleanups_run: u64,
    /// Most tasks (or semaphore holders, connections) at once.
    pub peak_concurrency: u64,
}

/// How the event loop itself fared, whatever the scenario.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LoopFigures {
    /// Loop lag.
    pub lag_ms: LagFigures,
    /// Heartbeats measured.
    pub heartbeats: usize,
    /// Polls of all tasks.
    pub polls: u64,
    /// Time spent polling, s.
    pub busy_s: f64,
    /// Mean wait from ready to polled, ms.
    pub mean_ready_ms: f64,
    /// Longest such wait, ms.
    pub max_ready_ms: f64,
    /// The longest the observer took to build one snapshot, ms.
    pub max_snapshot_ms: f64,
}

impl AsyncioDemo {
    /// The final figures (after the threads are joined).
    pub(super) fn figures(&self) -> AsyncioFigures {
        let s = &self.shared.ctx.settings;
        let completed = self.shared.status.completed.load(Ordering::Acquire);
        let scenario_s =
            completed.then(|| self.shared.status.scenario_ns.load(Ordering::Relaxed) as f64 / 1e9);
        AsyncioFigures {
            scenario: s.scenario.name(),
            flavor: s.flavor.name(),
            completed,
            ideal_s: round3(self.ideal_s),
            scenario_s: scenario_s.map(round3),
            overhead_s: scenario_s.map(|t| round3(t - self.ideal_s)),
            tasks: self.task_figures(completed),
            event_loop: self.loop_figures(),
            scenario_figures: self.scenario_figures(scenario_s),
        }
    }

    /// What became of the scenario's tasks; leaks are counted only once it `completed`.
    fn task_figures(&self, completed: bool) -> TaskFigures {
        let c = self.shared.ctx.tracker.counters();
        let counts = c.counts();
        let f = &self.shared.ctx.figures;
        // `main` is the first task the loop spawns (id 0): counted apart from the learner's.
        let main_state = self.shared.ctx.tracker.facts_of(0).map(|f| f.state);
        let main_is = |state: TaskState| u64::from(main_state == Some(state));
        TaskFigures {
            tasks_spawned: c.spawned().saturating_sub(u64::from(main_state.is_some())),
            tasks_completed: counts.done.saturating_sub(main_is(TaskState::Done)),
            tasks_failed: counts.failed.saturating_sub(main_is(TaskState::Failed)),
            tasks_cancelled: counts
                .cancelled
                .saturating_sub(main_is(TaskState::Cancelled)),
            main_task: main_state.map_or("never started", TaskState::label),
            tasks_leaked: if completed {
                self.shared.status.leaked.load(Ordering::Relaxed)
            } else {
                0
            },
            cleanups_run: f.cleanups_run.load(Ordering::Relaxed),
            peak_concurrency: match self.shared.ctx.settings.scenario {
                Scenario::Semaphore => f.inside.peak(),
                Scenario::Io => f.connections.peak(),
                _ => c.peak_live(),
            },
        }
    }

    /// The loop's lag, polls and scheduling delay, and the observer's own cost.
    fn loop_figures(&self) -> LoopFigures {
        let c = self.shared.ctx.tracker.counters();
        let lag = self.shared.lag.summary();
        let polls = c.polls();
        LoopFigures {
            lag_ms: LagFigures {
                p50: round3(lag.p50_ms),
                p99: round3(lag.p99_ms),
                max: round3(lag.max_ms),
            },
            heartbeats: lag.samples,
            polls,
            busy_s: round3(c.busy_s()),
            mean_ready_ms: round3(c.ready_s() * 1000.0 / polls.max(1) as f64),
            max_ready_ms: round3(c.max_delay_ms()),
            max_snapshot_ms: round3(
                self.shared.status.max_snapshot_ns.load(Ordering::Relaxed) as f64 / 1e6,
            ),
        }
    }

    /// What only this scenario reports; `scenario_s` is its length once it ended.
    fn scenario_figures(&self, scenario_s: Option<f64>) -> ScenarioFigures {
        let c = self.shared.ctx.tracker.counters();
        let s = &self.shared.ctx.settings;
        let f = &self.shared.ctx.figures;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let group = |counts: GroupCounts| GroupFigures {
            children: s.tasks,
            counts,
        };
        match s.scenario {
            Scenario::Gather => ScenarioFigures::Gather {
                results_collected: get(&f.results_collected),
            },
            Scenario::TaskGroup => ScenarioFigures::TaskGroup {
                taskgroup: group(f.taskgroup.read()),
                gather: group(f.gather.read()),
            },
            Scenario::Blocking | Scenario::Offload => ScenarioFigures::Blocking {
                block_ms: s.block_ms,
                blocking_calls_on_loop: get(&f.blocking_calls),
                offloaded_calls: get(&f.offloaded_calls),
            },
            Scenario::Semaphore => ScenarioFigures::Semaphore {
                limit: s.limit,
                work_ms: s.work_ms,
            },
            Scenario::Timeout => ScenarioFigures::Timeout {
                timeout_ms: s.timeout_ms,
            },
            Scenario::Queue => ScenarioFigures::Queue {
                maxsize: s.maxsize,
                max_depth: f.queue_depth.peak(),
                producer_blocked_ms: round3(get(&f.producer_blocked_ns) as f64 / 1e6),
                items_produced: get(&f.items_produced),
                items_consumed: get(&f.items_consumed),
                sentinels_sent: get(&f.sentinels_sent),
            },
            Scenario::Io => {
                let requests = get(&f.requests);
                let span_s = get(&f.io_last_ns).saturating_sub(get(&f.io_first_ns)) as f64 / 1e9;
                let per_s = if span_s > 0.0 {
                    requests as f64 / span_s
                } else {
                    0.0
                };
                ScenarioFigures::Io {
                    clients: s.clients,
                    requests,
                    requests_per_s: round3(per_s),
                    peak_connections: f.connections.peak(),
                    connections_accepted: get(&f.connections_accepted),
                    connections_closed: get(&f.connections_closed),
                    connections_open_at_end: f.connections.now(),
                    client_errors: get(&f.client_errors),
                }
            }
            Scenario::Scale => ScenarioFigures::Scale {
                work_ms: s.work_ms,
                per_task_us: scenario_s
                    .map(|t| round3((t - self.ideal_s) * 1e6 / c.spawned().max(1) as f64)),
                peak_rss_mb: peak_rss_mb().map(round3),
            },
        }
    }
}

/// This process's peak resident memory in MB (`getrusage`; Linux reports KiB).
#[cfg(target_os = "linux")]
fn peak_rss_mb() -> Option<f64> {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } == 0;
    ok.then(|| usage.ru_maxrss as f64 / 1024.0)
}

/// Unknown off Linux (`ru_maxrss` has other units elsewhere).
#[cfg(not(target_os = "linux"))]
fn peak_rss_mb() -> Option<f64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys `--json` prints, in order: the loop's, then the scenario's own.
    #[test]
    fn keys_come_in_the_documented_order() {
        let figures = AsyncioFigures {
            scenario: "timeout",
            flavor: "current_thread",
            completed: true,
            ideal_s: 0.3,
            scenario_s: Some(0.301),
            overhead_s: Some(0.001),
            tasks: TaskFigures {
                tasks_spawned: 3,
                tasks_completed: 1,
                tasks_failed: 0,
                tasks_cancelled: 2,
                main_task: "done",
                tasks_leaked: 0,
                cleanups_run: 2,
                peak_concurrency: 3,
            },
            event_loop: LoopFigures {
                lag_ms: LagFigures {
                    p50: 1.0,
                    p99: 2.0,
                    max: 3.0,
                },
                heartbeats: 30,
                polls: 9,
                busy_s: 0.0,
                mean_ready_ms: 0.02,
                max_ready_ms: 0.05,
                max_snapshot_ms: 0.01,
            },
            scenario_figures: ScenarioFigures::Timeout { timeout_ms: 300 },
        };
        let value = serde_json::to_value(&figures).unwrap();
        let keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "scenario",
                "flavor",
                "completed",
                "ideal_s",
                "scenario_s",
                "overhead_s",
                "tasks_spawned",
                "tasks_completed",
                "tasks_failed",
                "tasks_cancelled",
                "main_task",
                "tasks_leaked",
                "cleanups_run",
                "peak_concurrency",
                "lag_ms",
                "heartbeats",
                "polls",
                "busy_s",
                "mean_ready_ms",
                "max_ready_ms",
                "max_snapshot_ms",
                "timeout_ms"
            ]
        );
        assert_eq!(value["lag_ms"]["p99"], 2.0);
    }
}
