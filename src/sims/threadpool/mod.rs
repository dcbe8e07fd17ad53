//! The `threadpool` demo: `ThreadPoolExecutor(max_workers)` running blocking I/O tasks of
//! random (seeded) length on real OS threads. Tasks are submitted in order; each worker
//! takes the next one from the executor's work queue and blocks in it (a real sleep, as
//! `time.sleep` or a socket read would). The view compares the submit order with the
//! `as_completed` order, shows every worker busy or idle over time, and the wall time
//! against the sequential time (the sum of the tasks): the speedup threads give I/O.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::Serialize;

use super::kit::RunState;
use super::kit::config::{self, EngineConfig};
use super::kit::figures::{round3, to_json};
use super::kit::{Crew, Pacing, PlaybackSpeed, RunControl, RunMark, SnapshotCell};
use super::params::seed_spec;
use super::{
    Demo, EngineInfo, ParamError, ParamSpec, ParamValue, Params, Snapshot, StartError, Starter,
};

/// How often worker states are sampled for the strips and the snapshot refreshed.
pub const SAMPLE_INTERVAL: Duration = Duration::from_millis(50);
/// Samples kept per worker (12 seconds).
pub const HISTORY_SAMPLES: usize = 240;
const MAX_WORKERS: i64 = 32;
const MAX_TASKS: i64 = 100;

#[rustfmt::skip] // a table: one row per parameter
const PARAMS: &[ParamSpec] = &[
    ParamSpec::int("max_workers", 1, MAX_WORKERS, "4", "ThreadPoolExecutor(max_workers): threads that run the tasks"),
    ParamSpec::int("tasks", 1, MAX_TASKS, "12", "blocking I/O tasks submitted, in order"),
    ParamSpec::int("min_ms", 1, 5000, "200", "the shortest task, in milliseconds of blocking I/O"),
    ParamSpec::int("max_ms", 1, 10000, "1200", "the longest task, in milliseconds of blocking I/O"),
    seed_spec("seed of the random task lengths (same seed, same tasks)"),
];

/// What the `threadpool` engine declares about itself.
pub static INFO: EngineInfo = EngineInfo {
    name: "threadpool",
    title: "ThreadPoolExecutor for blocking I/O",
    about: "a pool of threads running blocking tasks: as_completed order, busy workers, speedup",
    params: PARAMS,
    start: Starter::Running(start),
};

/// Starts the `threadpool` demo.
fn start(params: &Params) -> Result<Box<dyn Demo>, StartError> {
    let config = ThreadPoolConfig::from_params(params)?;
    let (a, b) = (config.min_ms, config.max_ms);
    let durations = task_durations(config.tasks, a.min(b), a.max(b), config.seed);
    Ok(Box::new(PoolDemo::start(config.max_workers, durations)?))
}

/// Everything the `threadpool` engine is started with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ThreadPoolConfig {
    /// `ThreadPoolExecutor(max_workers)`.
    pub max_workers: usize,
    /// Tasks submitted.
    pub tasks: usize,
    /// The shortest and longest task, in milliseconds (either may be the larger).
    pub min_ms: u64,
    /// See `min_ms`.
    pub max_ms: u64,
    /// Seed of the task lengths.
    pub seed: u64,
}

impl EngineConfig for ThreadPoolConfig {
    fn apply(&mut self, name: &str, value: &ParamValue) -> Result<(), ParamError> {
        let n = config::whole(name, value)?;
        match name {
            "max_workers" => self.max_workers = n as usize,
            "tasks" => self.tasks = n as usize,
            "min_ms" => self.min_ms = n as u64,
            "max_ms" => self.max_ms = n as u64,
            "seed" => self.seed = n as u64,
            _ => return Err(config::unknown(INFO.name, name, PARAMS)),
        }
        Ok(())
    }
}

/// The length of each task in milliseconds, drawn from `min_ms..=max_ms` with `seed`.
pub fn task_durations(tasks: usize, min_ms: u64, max_ms: u64, seed: u64) -> Vec<u64> {
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..tasks).map(|_| rng.u64(min_ms..=max_ms)).collect()
}

/// One task (a future) as last seen.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PoolTask {
    /// 1-based submit number.
    pub id: usize,
    /// How long it blocks, in milliseconds.
    pub duration_ms: u64,
    /// Ready (pending in the work queue), I/O (running), done or cancelled.
    pub state: RunState,
    /// The worker running or that ran it (1-based).
    pub worker: Option<usize>,
}

/// One worker thread as last seen.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PoolWorker {
    /// 1-based worker number.
    pub id: usize,
    /// The task it is blocked in now (1-based).
    pub task: Option<usize>,
    /// Busy (I/O) or idle over time, oldest first.
    pub history: Vec<RunState>,
    /// Tasks it finished.
    pub finished: u64,
}

/// What the view draws.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct PoolSnapshot {
    /// `max_workers`.
    pub max_workers: usize,
    /// Every task in submit order.
    pub tasks: Vec<PoolTask>,
    /// The workers.
    pub workers: Vec<PoolWorker>,
    /// Task ids in the order they completed (what `as_completed` yields).
    pub completion_order: Vec<usize>,
    /// Milliseconds since the tasks were submitted (frozen at the last completion).
    pub elapsed_ms: u64,
    /// The sum of every task's length: the time one thread would take.
    pub sequential_ms: u64,
    /// Measured: the time the finished tasks spent blocked, added up.
    pub busy_ms: u64,
    /// True once every task is done.
    pub finished: bool,
}

impl PoolSnapshot {
    /// Measured: the finished tasks' blocked time added up (what one thread would take)
    /// over the wall time they took together.
    pub fn speedup(&self) -> f64 {
        if self.elapsed_ms == 0 {
            return 0.0;
        }
        self.busy_ms as f64 / self.elapsed_ms as f64
    }
}

#[derive(Debug, Clone, Copy)]
struct TaskRecord {
    state: RunState,
    worker: Option<usize>,
    started: Option<Duration>,
    ended: Option<Duration>,
}

struct Executor {
    durations: Vec<u64>,
    queue: Mutex<VecDeque<usize>>,
    records: Mutex<Vec<TaskRecord>>,
    completion: Mutex<Vec<usize>>,
    running: Vec<AtomicU64>,
    control: Arc<RunControl>,
    speed: PlaybackSpeed,
    finished: AtomicBool,
    /// The start, on the demo's own clock (which a pause stops).
    started: RunMark,
}

/// "No task": the sentinel value in `running`.
const NO_TASK: u64 = u64::MAX;

impl Executor {
    fn records(&self) -> MutexGuard<'_, Vec<TaskRecord>> {
        self.records.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Time since the start, pauses left out: a pause freezes the tasks' I/O too
    /// ([`RunControl::sleep_unpaused`]), so the wall time and the speedup are the run's own.
    fn run_time(&self) -> Duration {
        self.control.unpaused_since(self.started)
    }
}

/// The running `threadpool` demo.
pub struct PoolDemo {
    executor: Arc<Executor>,
    latest: SnapshotCell<PoolSnapshot>,
    /// The workers and the sampler.
    crew: Crew,
}

impl PoolDemo {
    fn start(max_workers: usize, durations: Vec<u64>) -> Result<PoolDemo, StartError> {
        let tasks = durations.len();
        let control = Arc::new(RunControl::new());
        let executor = Arc::new(Executor {
            // executor.submit(task, i) for every i, in order.
            queue: Mutex::new((0..tasks).collect()),
            records: Mutex::new(vec![
                TaskRecord {
                    state: RunState::Ready,
                    worker: None,
                    started: None,
                    ended: None,
                };
                tasks
            ]),
            durations,
            completion: Mutex::new(Vec::with_capacity(tasks)),
            running: (0..max_workers).map(|_| AtomicU64::new(NO_TASK)).collect(),
            started: control.mark(),
            control,
            speed: PlaybackSpeed::new(),
            finished: AtomicBool::new(false),
        });
        let latest = SnapshotCell::new(view(&executor, &[]));
        let mut crew = Crew::new(Arc::clone(&executor.control));
        for w in 0..max_workers {
            let ex = Arc::clone(&executor);
            crew.spawn(format!("pool-worker-{}", w + 1), move |_| worker(&ex, w))?;
        }
        {
            let (ex, latest) = (Arc::clone(&executor), latest.clone());
            crew.spawn("pool-sampler", move |_| sample(&ex, &latest))?;
        }
        Ok(PoolDemo {
            executor,
            latest,
            crew,
        })
    }

    /// Joins every thread, then publishes the final state.
    fn shutdown(&mut self) {
        self.crew.stop();
        // The final state, with the strips drawn so far; then shutdown(cancel_futures=True):
        // what never ran, or was cut short, is cancelled.
        let strips: Vec<Vec<RunState>> = self
            .latest
            .latest()
            .workers
            .iter()
            .map(|w| w.history.clone())
            .collect();
        let mut snap = view(&self.executor, &strips);
        for t in snap.tasks.iter_mut().filter(|t| t.state != RunState::Done) {
            t.state = RunState::Cancelled;
        }
        for w in &mut snap.workers {
            w.task = None;
        }
        self.latest.publish(snap);
    }
}

/// A worker: take the next submitted task, block in it, record its completion.
fn worker(ex: &Executor, w: usize) {
    while ex.control.checkpoint() {
        let next = ex
            .queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop_front();
        let Some(task) = next else {
            break;
        };
        {
            let mut records = ex.records();
            records[task].state = RunState::Io;
            records[task].worker = Some(w);
            records[task].started = Some(ex.run_time());
        }
        ex.running[w].store(task as u64, Ordering::SeqCst);
        let blocked = ex.speed.scale_ms(ex.durations[task]);
        let completed = ex.control.sleep_unpaused(blocked);
        ex.running[w].store(NO_TASK, Ordering::SeqCst);
        if !completed {
            break;
        }
        let mut completion = ex.completion.lock().unwrap_or_else(|p| p.into_inner());
        completion.push(task);
        let mut records = ex.records();
        records[task].state = RunState::Done;
        records[task].ended = Some(ex.run_time());
        if completion.len() == ex.durations.len() {
            ex.finished.store(true, Ordering::SeqCst);
        }
    }
}

fn sample(ex: &Executor, latest: &SnapshotCell<PoolSnapshot>) {
    let mut history: Vec<VecDeque<RunState>> =
        vec![VecDeque::with_capacity(HISTORY_SAMPLES); ex.running.len()];
    while ex.control.sleep(SAMPLE_INTERVAL) {
        let finished = ex.finished.load(Ordering::SeqCst);
        if !ex.control.is_paused() {
            for (h, r) in history.iter_mut().zip(&ex.running) {
                if h.len() == HISTORY_SAMPLES {
                    h.pop_front();
                }
                let busy = r.load(Ordering::SeqCst) != NO_TASK;
                h.push_back(if busy { RunState::Io } else { RunState::Idle });
            }
        }
        let strips: Vec<Vec<RunState>> = history
            .iter()
            .map(|h| h.iter().copied().collect())
            .collect();
        latest.publish(view(ex, &strips));
        if finished {
            break;
        }
    }
}

fn view(ex: &Executor, strips: &[Vec<RunState>]) -> PoolSnapshot {
    let records = ex.records().clone();
    let completion: Vec<usize> = ex
        .completion
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .map(|t| t + 1)
        .collect();
    let finished = ex.finished.load(Ordering::SeqCst);
    let elapsed = if finished {
        records
            .iter()
            .filter_map(|r| r.ended)
            .max()
            .unwrap_or_default()
    } else {
        ex.run_time()
    };
    let workers = (0..ex.running.len())
        .map(|w| {
            let t = ex.running[w].load(Ordering::SeqCst);
            PoolWorker {
                id: w + 1,
                task: (t != NO_TASK).then(|| t as usize + 1),
                history: strips.get(w).cloned().unwrap_or_default(),
                finished: records
                    .iter()
                    .filter(|r| r.worker == Some(w) && r.state == RunState::Done)
                    .count() as u64,
            }
        })
        .collect();
    PoolSnapshot {
        max_workers: ex.running.len(),
        tasks: records
            .iter()
            .enumerate()
            .map(|(i, r)| PoolTask {
                id: i + 1,
                duration_ms: ex.durations[i],
                state: r.state,
                worker: r.worker.map(|w| w + 1),
            })
            .collect(),
        workers,
        completion_order: completion,
        elapsed_ms: elapsed.as_millis() as u64,
        sequential_ms: ex.durations.iter().sum(),
        busy_ms: records
            .iter()
            .filter_map(|r| Some(r.ended?.saturating_sub(r.started?)))
            .sum::<Duration>()
            .as_millis() as u64,
        finished,
    }
}

impl Demo for PoolDemo {
    fn snapshot(&self) -> Snapshot {
        Snapshot::ThreadPool(self.latest.latest())
    }

    fn pacing(&self) -> Option<Pacing<'_>> {
        // Pausing: workers park before taking their next task; a task already blocking finishes.
        let s = &self.executor;
        Some(Pacing::new(&s.control, &s.speed, &s.finished))
    }

    fn stop(mut self: Box<Self>) -> serde_json::Value {
        self.shutdown();
        let snap = self.latest.latest();
        to_json(&ThreadPoolFigures {
            max_workers: snap.max_workers,
            tasks: snap.tasks.len(),
            completed: snap.completion_order.len(),
            submit_order: (1..=snap.tasks.len()).collect(),
            completion_order: snap.completion_order.clone(),
            total_ms: snap.elapsed_ms,
            sequential_ms: snap.busy_ms,
            speedup: snap.finished.then(|| round3(snap.speedup())),
            finished: snap.finished,
        })
    }
}

/// The `threadpool` demo's final figures (`--headless --json`).
#[derive(Debug, Serialize)]
pub struct ThreadPoolFigures {
    /// `ThreadPoolExecutor(max_workers)`.
    pub max_workers: usize,
    /// Tasks submitted.
    pub tasks: usize,
    /// Tasks completed.
    pub completed: usize,
    /// Task ids in submit order.
    pub submit_order: Vec<usize>,
    /// Task ids in the order they completed.
    pub completion_order: Vec<usize>,
    /// Milliseconds from submit to the last completion.
    pub total_ms: u64,
    /// The finished tasks' blocked time added up: what one thread would take.
    pub sequential_ms: u64,
    /// `sequential_ms / total_ms`; null until every task is done (as `pool` and
    /// `processes` report it).
    pub speedup: Option<f64>,
    /// True once every task is done.
    pub finished: bool,
}

#[cfg(test)]
mod tests;
