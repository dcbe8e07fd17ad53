//! The `pool` demo: a rayon thread pool of `workers` threads runs CPU-bound tasks, the
//! Rust analogue of `multiprocessing.Pool.map` (each worker really runs in parallel, as
//! each Python worker process has its own interpreter and GIL). Every task records which
//! worker ran it, when, and whether it reached that worker by work stealing. Then the same
//! tasks run one after another on one thread, in the same run, as the sequential baseline
//! the speedup is measured against. A run is finite: it ends, and the view keeps the
//! final picture. The pool is built per run and its threads are joined on stop.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use serde_json::json;

use super::control::RunControl;
use super::cores::CoreReading;
use super::cpu_load::{CPU_SAMPLE_INTERVAL, PhaseLoad};
use super::headless::round3;
use super::timeline::{Activity, Timeline};
use super::workload::{self, Workload};
use super::{Demo, Engine, EngineInfo, ParamKind, ParamSpec, Params, Snapshot, StartError};

/// The most pool threads a learner can ask for.
pub const MAX_WORKERS: i64 = 32;
/// The largest `min_len`.
pub const MAX_MIN_LEN: i64 = 10_000;
/// How often a new snapshot is published while the run goes on.
pub const PUBLISH_INTERVAL: Duration = Duration::from_millis(100);

/// The declared parameters (built once: `workers` defaults to this machine's cores).
fn param_specs() -> &'static [ParamSpec] {
    static SPECS: OnceLock<Vec<ParamSpec>> = OnceLock::new();
    SPECS.get_or_init(|| {
        vec![
            workload::workers_spec(MAX_WORKERS),
            workload::WORKLOAD_SPEC,
            workload::TASKS_SPEC,
            ParamSpec {
                name: "min_len",
                kind: ParamKind::Int {
                    min: 1,
                    max: MAX_MIN_LEN,
                },
                default: "1",
                help: "tasks per rayon job, never split further (rayon's with_min_len, \
                       Python's chunksize)",
            },
        ]
    })
}

/// The `pool` engine.
pub struct PoolEngine;

/// What the `pool` engine declares about itself (built on first use: the
/// `workers` default is this machine's core count).
pub static INFO: LazyLock<EngineInfo> = LazyLock::new(|| EngineInfo {
    name: "pool",
    title: "A pool of workers, one lane per core",
    about: "a rayon thread pool runs CPU-bound tasks in parallel, with work stealing, \
         against the same work done sequentially",
    params: param_specs(),
});

impl Engine for PoolEngine {
    fn info(&self) -> &'static EngineInfo {
        &INFO
    }
    fn start(&self, params: &Params) -> Result<Box<dyn Demo>, StartError> {
        let config = PoolConfig {
            workers: params.int("workers").clamp(1, MAX_WORKERS) as usize,
            workload: Workload::from_name(params.text("workload")),
            tasks: params.int("tasks").clamp(1, workload::MAX_TASKS) as usize,
            min_len: params.int("min_len").clamp(1, MAX_MIN_LEN) as usize,
        };
        Ok(Box::new(PoolDemo::start(config)?))
    }
}

/// What one run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PoolConfig {
    /// Pool threads.
    pub workers: usize,
    /// Which tasks.
    pub workload: Workload,
    /// How many tasks.
    pub tasks: usize,
    /// Tasks per job that is never split further.
    pub min_len: usize,
}

/// Where a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum PoolPhase {
    /// The pool runs the tasks.
    #[default]
    Parallel,
    /// The same tasks run one after another on one thread.
    Sequential,
    /// Both parts are done: the figures are final.
    Done,
    /// Stopped before the end.
    Stopped,
}

/// One pool worker's lane.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct WorkerLane {
    /// Tasks it ran.
    pub tasks: usize,
    /// Of those, how many reached it through a steal.
    pub stolen: usize,
    /// Seconds it spent running tasks.
    pub busy_s: f64,
    /// When its last task ended (seconds from the start of the parallel part).
    pub end_s: f64,
    /// Its activity over time.
    pub timeline: Timeline,
}

/// What the view draws.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PoolSnapshot {
    /// The run's settings.
    pub config: PoolConfig,
    /// Where the run is.
    pub phase: PoolPhase,
    /// One lane per pool worker.
    pub lanes: Vec<WorkerLane>,
    /// The sequential baseline's one lane.
    pub sequential: WorkerLane,
    /// Seconds the parallel part took (so far, while it runs).
    pub parallel_s: f64,
    /// Seconds the sequential part took (so far, while it runs).
    pub sequential_s: f64,
    /// Jobs taken from another worker's deque.
    pub steals: u64,
    /// Per-core load now, as the OS reports it.
    pub cores: Vec<CoreReading>,
    /// Mean load per core during the parallel part (empty until it is over and measured).
    pub parallel_load_pct: Vec<f64>,
    /// True while paused (the figures of a paused run include the pause).
    pub paused: bool,
}

impl PoolSnapshot {
    /// An empty picture for `config`, before anything ran.
    pub fn empty(config: PoolConfig) -> Self {
        PoolSnapshot {
            config,
            phase: PoolPhase::Parallel,
            lanes: vec![WorkerLane::default(); config.workers],
            sequential: WorkerLane::default(),
            parallel_s: 0.0,
            sequential_s: 0.0,
            steals: 0,
            cores: Vec::new(),
            parallel_load_pct: Vec::new(),
            paused: false,
        }
    }

    /// Tasks the pool has finished.
    pub fn tasks_done(&self) -> usize {
        self.lanes.iter().map(|l| l.tasks).sum()
    }

    /// Sequential time over parallel time, once both are measured.
    pub fn speedup(&self) -> Option<f64> {
        workload::speedup(
            self.phase == PoolPhase::Done,
            self.sequential_s,
            self.parallel_s,
        )
    }

    /// Speedup per worker (1.0 is perfect), once both parts are measured.
    pub fn efficiency(&self) -> Option<f64> {
        self.speedup().map(|s| s / self.config.workers as f64)
    }
}

/// One task as it ran.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaskRecord {
    /// Its position in the task list.
    pub index: usize,
    /// The pool thread that ran it (`rayon::current_thread_index`).
    pub worker: usize,
    /// Seconds from the start of the parallel part.
    pub start_s: f64,
    /// Seconds from the start of the parallel part.
    pub end_s: f64,
    /// True if it reached its worker through a steal (see [`run_range`]).
    pub stolen: bool,
}

#[derive(Debug, Default)]
struct LaneRecord {
    lane: WorkerLane,
    records: Vec<TaskRecord>,
}

/// State shared by the run thread, the pool threads and the monitor.
struct Shared {
    config: PoolConfig,
    units: Vec<u64>,
    control: Arc<RunControl>,
    lanes: Vec<Mutex<LaneRecord>>,
    sequential: Mutex<LaneRecord>,
    steals: AtomicU64,
    progress: Mutex<Progress>,
    cpu: Mutex<PhaseLoad>,
    latest: ArcSwap<PoolSnapshot>,
    finished: AtomicBool,
    /// Pool threads still alive (rayon's own threads, which we join ourselves).
    pool_threads: AtomicUsize,
}

#[derive(Debug, Clone, Copy)]
struct Progress {
    phase: PoolPhase,
    parallel_started: Instant,
    parallel_s: Option<f64>,
    sequential_started: Option<Instant>,
    sequential_s: Option<f64>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The running `pool` demo.
pub struct PoolDemo {
    shared: Arc<Shared>,
    runner: Option<JoinHandle<()>>,
    monitor: Option<JoinHandle<()>>,
}

impl PoolDemo {
    /// Builds the pool and starts the run.
    pub fn start(config: PoolConfig) -> Result<Self, StartError> {
        let control = Arc::new(RunControl::new());
        let shared = Arc::new(Shared {
            config,
            units: config.workload.task_units(config.tasks),
            control: Arc::clone(&control),
            lanes: (0..config.workers).map(|_| Mutex::default()).collect(),
            sequential: Mutex::default(),
            steals: AtomicU64::new(0),
            progress: Mutex::new(Progress {
                phase: PoolPhase::Parallel,
                parallel_started: Instant::now(),
                parallel_s: None,
                sequential_started: None,
                sequential_s: None,
            }),
            cpu: Mutex::new(PhaseLoad::new()),
            latest: ArcSwap::from_pointee(PoolSnapshot::empty(config)),
            finished: AtomicBool::new(false),
            pool_threads: AtomicUsize::new(0),
        });
        // rayon detaches its threads when a pool is dropped; we spawn them ourselves so
        // the run can join every one of them before it ends.
        let handles: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let pool = {
            let handles = Arc::clone(&handles);
            let alive = Arc::clone(&shared);
            rayon::ThreadPoolBuilder::new()
                .num_threads(config.workers)
                .spawn_handler(move |thread| {
                    let alive = Arc::clone(&alive);
                    let name = format!("pool-worker-{}", thread.index() + 1);
                    alive.pool_threads.fetch_add(1, Ordering::SeqCst);
                    let handle = std::thread::Builder::new().name(name).spawn(move || {
                        thread.run();
                        alive.pool_threads.fetch_sub(1, Ordering::SeqCst);
                    })?;
                    lock(&handles).push(handle);
                    Ok(())
                })
                .build()
                .map_err(|e| StartError::Other(format!("could not build the pool: {e}")))?
        };
        let monitor = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("pool-monitor".into())
                .spawn(move || monitor_loop(&shared))?
        };
        lock(&shared.progress).parallel_started = Instant::now();
        let runner = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("pool-run".into())
                .spawn(move || run(&shared, pool, &handles))
        };
        let runner = match runner {
            Ok(r) => r,
            Err(e) => {
                control.stop();
                let _ = monitor.join();
                return Err(e.into());
            }
        };
        Ok(PoolDemo {
            shared,
            runner: Some(runner),
            monitor: Some(monitor),
        })
    }

    fn shutdown(&mut self) {
        self.shared.control.stop();
        if let Some(runner) = self.runner.take() {
            let _ = runner.join();
        }
        if let Some(monitor) = self.monitor.take() {
            let _ = monitor.join();
        }
    }

    /// Every task record of the parallel part, in task order.
    pub fn records(&self) -> Vec<TaskRecord> {
        let mut all: Vec<TaskRecord> = self
            .shared
            .lanes
            .iter()
            .flat_map(|l| lock(l).records.clone())
            .collect();
        all.sort_by_key(|r| r.index);
        all
    }
}

/// The whole run: the parallel part in the pool, then the sequential baseline.
fn run(shared: &Arc<Shared>, pool: rayon::ThreadPool, handles: &Mutex<Vec<JoinHandle<()>>>) {
    let started = lock(&shared.progress).parallel_started;
    pool.install(|| run_range(shared, started, 0..shared.config.tasks, false));
    let parallel_s = started.elapsed().as_secs_f64();
    drop(pool);
    for handle in lock(handles).drain(..) {
        let _ = handle.join();
    }
    if shared.control.is_stopping() {
        lock(&shared.progress).phase = PoolPhase::Stopped;
        return;
    }
    let seq_started = Instant::now();
    {
        let mut p = lock(&shared.progress);
        p.parallel_s = Some(parallel_s);
        p.phase = PoolPhase::Sequential;
        p.sequential_started = Some(seq_started);
    }
    // The baseline: a plain loop on one thread, as `for x in items: f(x)` in Python.
    for (index, units) in shared.units.iter().enumerate() {
        let start_s = seq_started.elapsed().as_secs_f64();
        if workload::spin(*units, index as u64, || shared.control.checkpoint()).is_none() {
            lock(&shared.progress).phase = PoolPhase::Stopped;
            return;
        }
        let end_s = seq_started.elapsed().as_secs_f64();
        record(&shared.sequential, index, 0, start_s, end_s, false);
    }
    {
        let mut p = lock(&shared.progress);
        p.sequential_s = Some(seq_started.elapsed().as_secs_f64());
        p.phase = PoolPhase::Done;
    }
    publish(shared);
    shared.finished.store(true, Ordering::SeqCst);
}

/// Runs tasks `range` inside the pool the way a rayon parallel iterator does: split the
/// range in two with `join`, run the left half here and leave the right half on this
/// worker's deque, where an idle worker may steal it; below `min_len` a job is never
/// split (so this is `par_iter().with_min_len(m).with_max_len(m)`: every job ends up
/// holding `min_len` to `2 * min_len - 1` tasks).
///
/// How "stolen" is decided: rayon's own `FnContext::migrated()` tells the right half of a
/// `join` whether it runs on a different worker than the one that pushed it, which only
/// happens when another worker stole it. Each such job counts as one steal. A task counts
/// as stolen when any job on its way down from the root was migrated: it reached the
/// worker that ran it only through stealing.
fn run_range(shared: &Shared, started: Instant, range: Range<usize>, stolen: bool) {
    if shared.control.is_stopping() {
        return;
    }
    if range.len() >= 2 * shared.config.min_len {
        let mid = range.start + range.len() / 2;
        let (left, right) = (range.start..mid, mid..range.end);
        rayon::join_context(
            |_| run_range(shared, started, left, stolen),
            |ctx| {
                if ctx.migrated() {
                    shared.steals.fetch_add(1, Ordering::Relaxed);
                }
                run_range(shared, started, right, stolen || ctx.migrated());
            },
        );
        return;
    }
    for index in range {
        let worker = rayon::current_thread_index().unwrap_or(0);
        let start_s = started.elapsed().as_secs_f64();
        let units = shared.units[index];
        if workload::spin(units, index as u64, || shared.control.checkpoint()).is_none() {
            return;
        }
        let end_s = started.elapsed().as_secs_f64();
        if let Some(lane) = shared.lanes.get(worker) {
            record(lane, index, worker, start_s, end_s, stolen);
        }
    }
}

fn record(
    lane: &Mutex<LaneRecord>,
    index: usize,
    worker: usize,
    start_s: f64,
    end_s: f64,
    stolen: bool,
) {
    let mut l = lock(lane);
    l.lane.tasks += 1;
    l.lane.stolen += usize::from(stolen);
    l.lane.busy_s += end_s - start_s;
    l.lane.end_s = l.lane.end_s.max(end_s);
    let activity = if stolen {
        Activity::Stolen
    } else {
        Activity::Work
    };
    l.lane.timeline.add(start_s, end_s, activity);
    l.records.push(TaskRecord {
        index,
        worker,
        start_s,
        end_s,
        stolen,
    });
}

/// Samples the cores and publishes snapshots until the run ends or stops.
fn monitor_loop(shared: &Shared) {
    let mut last_sample = Instant::now();
    while shared.control.sleep(PUBLISH_INTERVAL) && !shared.finished.load(Ordering::SeqCst) {
        if last_sample.elapsed() >= CPU_SAMPLE_INTERVAL {
            last_sample = Instant::now();
            let parallel = lock(&shared.progress).phase == PoolPhase::Parallel;
            lock(&shared.cpu).sample(parallel);
        }
        publish(shared);
    }
}

/// Builds a snapshot from the shared state and makes it the latest.
fn publish(shared: &Shared) {
    let progress = *lock(&shared.progress);
    let (cores, parallel_load_pct) = {
        let cpu = lock(&shared.cpu);
        (cpu.readings.clone(), cpu.parallel_mean.clone())
    };
    let parallel_s = progress
        .parallel_s
        .unwrap_or_else(|| progress.parallel_started.elapsed().as_secs_f64());
    let sequential_s = progress.sequential_s.unwrap_or_else(|| {
        progress
            .sequential_started
            .map_or(0.0, |s| s.elapsed().as_secs_f64())
    });
    let snap = PoolSnapshot {
        config: shared.config,
        phase: progress.phase,
        lanes: shared.lanes.iter().map(|l| lock(l).lane.clone()).collect(),
        sequential: lock(&shared.sequential).lane.clone(),
        parallel_s,
        sequential_s,
        steals: shared.steals.load(Ordering::Relaxed),
        cores,
        parallel_load_pct,
        paused: shared.control.is_paused(),
    };
    shared.latest.store(Arc::new(snap));
}

impl Demo for PoolDemo {
    fn snapshot(&self) -> Snapshot {
        Snapshot::Pool(self.shared.latest.load_full())
    }

    fn set_paused(&mut self, paused: bool) -> bool {
        self.shared.control.set_paused(paused);
        publish(&self.shared);
        true
    }

    fn is_finished(&self) -> bool {
        self.shared.finished.load(Ordering::SeqCst)
    }

    fn stop(mut self: Box<Self>) -> serde_json::Value {
        self.shutdown();
        publish(&self.shared);
        let snap = self.shared.latest.load_full();
        let ends: Vec<f64> = snap.lanes.iter().map(|l| round3(l.end_s)).collect();
        let spread = ends.iter().copied().fold(f64::MIN, f64::max)
            - ends.iter().copied().fold(f64::MAX, f64::min);
        let longest = self
            .records()
            .iter()
            .map(|r| r.end_s - r.start_s)
            .fold(0.0, f64::max);
        let finished = snap.phase == PoolPhase::Done;
        json!({
            "finished": finished,
            "parallel_s": round3(snap.parallel_s),
            "sequential_s": finished.then(|| round3(snap.sequential_s)),
            "speedup": snap.speedup().map(round3),
            "efficiency": snap.efficiency().map(round3),
            "tasks": snap.tasks_done(),
            "steals": snap.steals,
            "tasks_stolen": snap.lanes.iter().map(|l| l.stolen).sum::<usize>(),
            "per_worker_tasks": snap.lanes.iter().map(|l| l.tasks).collect::<Vec<_>>(),
            "per_worker_end_s": ends,
            "lane_end_spread_s": round3(spread.max(0.0)),
            "longest_task_s": round3(longest),
            "per_core_load_parallel_pct":
                snap.parallel_load_pct.iter().copied().map(round3).collect::<Vec<_>>(),
            "pool_threads_left": self.shared.pool_threads.load(Ordering::SeqCst),
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
    use crate::sims::test_support::wait_up_to;

    fn wait_until_finished(demo: &dyn Demo) -> bool {
        // Generous bound (a debug build runs the spin loop slowly): this checks that the
        // run ends, not how fast.
        wait_up_to(Duration::from_secs(60), || demo.is_finished())
    }

    fn config(workload: Workload, tasks: usize, min_len: usize) -> PoolConfig {
        PoolConfig {
            workers: 2,
            workload,
            tasks,
            min_len,
        }
    }

    #[test]
    fn every_task_runs_once_on_a_pool_worker_and_the_run_ends() {
        let demo = PoolDemo::start(config(Workload::Tiny, 300, 4)).unwrap();
        assert!(wait_until_finished(&demo));
        let records = demo.records();
        assert_eq!(records.len(), 300);
        for (i, r) in records.iter().enumerate() {
            assert_eq!(r.index, i);
            assert!(r.worker < 2);
            assert!(r.end_s >= r.start_s);
        }
        let stolen = records.iter().filter(|r| r.stolen).count() as u64;
        let metrics = Box::new(demo).stop();
        assert_eq!(metrics["finished"], true);
        assert_eq!(metrics["tasks"], 300);
        assert_eq!(metrics["tasks_stolen"], stolen);
        assert_eq!(metrics["pool_threads_left"], 0);
        assert!(metrics["speedup"].as_f64().unwrap() > 0.0);
        assert!(metrics["sequential_s"].as_f64().unwrap() > 0.0);
        // Stolen tasks imply steals, and no steal means nothing was stolen.
        assert_eq!(stolen > 0, metrics["steals"].as_u64().unwrap() > 0);
    }

    #[test]
    fn stop_in_the_middle_joins_every_pool_thread() {
        let params = PoolEngine.resolve(&[]).unwrap();
        let demo = PoolEngine.start(&params).unwrap();
        std::thread::sleep(Duration::from_millis(20));
        let metrics = demo.stop();
        assert_eq!(metrics["pool_threads_left"], 0);
        assert_eq!(metrics["finished"], false);
        assert_eq!(metrics["speedup"], serde_json::Value::Null);
    }

    #[test]
    fn min_len_keeps_jobs_whole() {
        // With min_len equal to the task count there is one job: nothing to steal.
        let demo = PoolDemo::start(config(Workload::Tiny, 50, 50)).unwrap();
        assert!(wait_until_finished(&demo));
        let records = demo.records();
        assert!(records.iter().all(|r| r.worker == records[0].worker));
        let metrics = Box::new(demo).stop();
        assert_eq!(metrics["steals"], 0);
        assert_eq!(metrics["tasks_stolen"], 0);
    }

    #[test]
    fn speedup_only_once_both_parts_are_measured() {
        let mut snap = PoolSnapshot::empty(config(Workload::Uniform, 4, 1));
        snap.parallel_s = 1.0;
        snap.sequential_s = 1.9;
        assert_eq!(snap.speedup(), None);
        snap.phase = PoolPhase::Done;
        assert_eq!(snap.speedup(), Some(1.9));
        assert_eq!(snap.efficiency(), Some(0.95));
    }

    #[test]
    fn publish_interval_is_a_frame_rate_not_a_stall() {
        assert!(PUBLISH_INTERVAL >= Duration::from_millis(20));
        assert!(PUBLISH_INTERVAL <= Duration::from_millis(250));
    }
}
