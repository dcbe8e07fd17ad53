//! The `threadpool` demo: `ThreadPoolExecutor(max_workers)` running blocking I/O tasks of
//! random (seeded) length on real OS threads. Tasks are submitted in order; each worker
//! takes the next one from the executor's work queue and blocks in it (a real sleep, as
//! `time.sleep` or a socket read would). The view compares the submit order with the
//! `as_completed` order, shows every worker busy or idle over time, and the wall time
//! against the sequential time (the sum of the tasks): the speedup threads give I/O.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use serde_json::json;

use super::control::{PlaybackSpeed, RunControl};
use super::{Demo, Engine, EngineInfo, ParamKind, ParamSpec, Params, Snapshot, StartError};
use crate::theme::RunState;

/// How often worker states are sampled for the strips and the snapshot refreshed.
pub const SAMPLE_INTERVAL: Duration = Duration::from_millis(50);
/// Samples kept per worker (12 seconds).
pub const HISTORY_SAMPLES: usize = 240;
const MAX_WORKERS: i64 = 32;
const MAX_TASKS: i64 = 100;

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "max_workers",
        kind: ParamKind::Int {
            min: 1,
            max: MAX_WORKERS,
        },
        default: "4",
        help: "ThreadPoolExecutor(max_workers): threads that run the tasks",
    },
    ParamSpec {
        name: "tasks",
        kind: ParamKind::Int {
            min: 1,
            max: MAX_TASKS,
        },
        default: "12",
        help: "blocking I/O tasks submitted, in order",
    },
    ParamSpec {
        name: "min_ms",
        kind: ParamKind::Int { min: 1, max: 5000 },
        default: "200",
        help: "the shortest task, in milliseconds of blocking I/O",
    },
    ParamSpec {
        name: "max_ms",
        kind: ParamKind::Int { min: 1, max: 10000 },
        default: "1200",
        help: "the longest task, in milliseconds of blocking I/O",
    },
    ParamSpec {
        name: "seed",
        kind: ParamKind::Int {
            min: 0,
            max: 1_000_000,
        },
        default: "1",
        help: "seed of the random task lengths (same seed, same tasks)",
    },
];

/// The `threadpool` engine.
pub struct ThreadPoolEngine;

/// What the `threadpool` engine declares about itself.
pub static INFO: EngineInfo = EngineInfo {
    name: "threadpool",
    title: "ThreadPoolExecutor for blocking I/O",
    about: "a pool of threads running blocking tasks: as_completed order, busy workers, speedup",
    params: PARAMS,
};

impl Engine for ThreadPoolEngine {
    fn info(&self) -> &'static EngineInfo {
        &INFO
    }
    fn start(&self, params: &Params) -> Result<Box<dyn Demo>, StartError> {
        let (a, b) = (params.int("min_ms"), params.int("max_ms"));
        let durations = task_durations(
            params.int("tasks").clamp(1, MAX_TASKS) as usize,
            a.min(b).max(1) as u64,
            a.max(b).max(1) as u64,
            params.int("seed").max(0) as u64,
        );
        Ok(Box::new(PoolDemo::start(
            params.int("max_workers").clamp(1, MAX_WORKERS) as usize,
            durations,
        )?))
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
    control: RunControl,
    speed: PlaybackSpeed,
    finished: AtomicBool,
    started: Instant,
}

/// "No task": the sentinel value in `running`.
const NO_TASK: u64 = u64::MAX;

impl Executor {
    fn records(&self) -> MutexGuard<'_, Vec<TaskRecord>> {
        self.records.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The running `threadpool` demo.
pub struct PoolDemo {
    executor: Arc<Executor>,
    latest: Arc<ArcSwap<PoolSnapshot>>,
    workers: Vec<JoinHandle<()>>,
    sampler: Option<JoinHandle<()>>,
}

impl PoolDemo {
    fn start(max_workers: usize, durations: Vec<u64>) -> Result<PoolDemo, StartError> {
        let tasks = durations.len();
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
            control: RunControl::new(),
            speed: PlaybackSpeed::new(),
            finished: AtomicBool::new(false),
            started: Instant::now(),
        });
        let latest = Arc::new(ArcSwap::from_pointee(view(&executor, &[])));
        let mut demo = PoolDemo {
            executor: Arc::clone(&executor),
            latest: Arc::clone(&latest),
            workers: Vec::new(),
            sampler: None,
        };
        for w in 0..max_workers {
            let ex = Arc::clone(&executor);
            demo.workers.push(
                std::thread::Builder::new()
                    .name(format!("pool-worker-{}", w + 1))
                    .spawn(move || worker(&ex, w))?,
            );
        }
        demo.sampler = Some(
            std::thread::Builder::new()
                .name("pool-sampler".into())
                .spawn(move || sample(&executor, &latest))?,
        );
        Ok(demo)
    }

    fn shutdown(&mut self) {
        self.executor.control.stop();
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
        if let Some(s) = self.sampler.take() {
            let _ = s.join();
        }
        // The final state, with the strips drawn so far; then shutdown(cancel_futures=True):
        // what never ran, or was cut short, is cancelled.
        let strips: Vec<Vec<RunState>> = self
            .latest
            .load()
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
        self.latest.store(Arc::new(snap));
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
            records[task].started = Some(ex.started.elapsed());
        }
        ex.running[w].store(task as u64, Ordering::SeqCst);
        let blocked = ex.speed.scale_ms(ex.durations[task]);
        let completed = ex.control.sleep(blocked);
        ex.running[w].store(NO_TASK, Ordering::SeqCst);
        if !completed {
            break;
        }
        let mut completion = ex.completion.lock().unwrap_or_else(|p| p.into_inner());
        completion.push(task);
        let mut records = ex.records();
        records[task].state = RunState::Done;
        records[task].ended = Some(ex.started.elapsed());
        if completion.len() == ex.durations.len() {
            ex.finished.store(true, Ordering::SeqCst);
        }
    }
}

fn sample(ex: &Executor, latest: &ArcSwap<PoolSnapshot>) {
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
        latest.store(Arc::new(view(ex, &strips)));
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
        ex.started.elapsed()
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
        Snapshot::ThreadPool(self.latest.load_full())
    }

    fn set_paused(&mut self, paused: bool) -> bool {
        // Workers park before taking their next task; a task already blocking finishes.
        self.executor.control.set_paused(paused);
        true
    }

    fn set_speed(&mut self, speed: f64) -> bool {
        self.executor.speed.set(speed);
        true
    }

    fn is_finished(&self) -> bool {
        self.executor.finished.load(Ordering::SeqCst)
    }

    fn stop(mut self: Box<Self>) -> serde_json::Value {
        self.shutdown();
        let snap = self.latest.load_full();
        json!({
            "max_workers": snap.max_workers,
            "tasks": snap.tasks.len(),
            "completed": snap.completion_order.len(),
            "submit_order": (1..=snap.tasks.len()).collect::<Vec<_>>(),
            "completion_order": snap.completion_order,
            "total_ms": snap.elapsed_ms,
            "sequential_ms": snap.busy_ms,
            "speedup": super::headless::round3(snap.speedup()),
            "finished": snap.finished,
        })
    }
}

impl Drop for PoolDemo {
    fn drop(&mut self) {
        self.shutdown();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sims::test_support::wait_until_finished;

    #[test]
    fn durations_are_seeded_and_in_range() {
        let a = task_durations(20, 10, 30, 7);
        assert_eq!(a, task_durations(20, 10, 30, 7));
        assert_ne!(a, task_durations(20, 10, 30, 8));
        assert!(a.iter().all(|d| (10..=30).contains(d)));
    }

    #[test]
    fn every_task_completes_once_and_blocking_io_overlaps() {
        let durations = vec![60, 10, 40, 20, 30, 50, 10, 20];
        let demo: Box<dyn Demo> = Box::new(PoolDemo::start(4, durations).unwrap());
        assert!(wait_until_finished(demo.as_ref()));
        let m = demo.stop();
        let mut order: Vec<u64> = m["completion_order"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        order.sort_unstable();
        assert_eq!(order, (1..=8).collect::<Vec<_>>());
        // Measured blocked time: at least what was asked for, each sleep a little longer.
        assert!(m["sequential_ms"].as_u64().unwrap() >= 240, "{m}");
        // Four threads blocking at once: well over one task at a time, whatever the load.
        assert!(m["speedup"].as_f64().unwrap() > 1.0, "{m}");
    }

    #[test]
    fn stop_cancels_what_is_left_and_joins_promptly() {
        let mut demo: Box<dyn Demo> = Box::new(PoolDemo::start(2, vec![60_000; 6]).unwrap());
        assert!(demo.set_paused(true));
        let started = Instant::now();
        let m = demo.stop();
        assert!(started.elapsed() < Duration::from_secs(10));
        assert_eq!(m["completed"], 0);
        assert_eq!(m["finished"], false);
    }

    #[test]
    fn timing_constants_are_sane() {
        assert!(SAMPLE_INTERVAL <= Duration::from_millis(200));
        const { assert!(HISTORY_SAMPLES >= 60) };
    }
}
