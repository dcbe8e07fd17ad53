//! The `pool` demo: a rayon thread pool of `workers` threads runs CPU-bound tasks, the
//! Rust analogue of `multiprocessing.Pool.map` (each worker really runs in parallel, as
//! each Python worker process has its own interpreter and GIL). Every task is timed on the
//! worker that ran it and counted as its own work or work it stole (`recorder` keeps that
//! cheap on microsecond tasks). Then the same tasks run one after another on one thread,
//! in the same run, as the sequential baseline the speedup is measured against. A run is
//! finite: it ends, and the view keeps the final picture. The pool is built per run and
//! its threads are joined on stop.
//!
//! The engine and its configuration share one state struct that every part reads; the lane
//! recorder, which runs on the pool's threads, is `recorder.rs`.

pub mod figures;
mod recorder;

pub use figures::PoolFigures;
use recorder::LaneRecord;

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::thread::JoinHandle;

use super::kit::config::{self, EngineConfig};
use super::kit::cpu_load::PhaseLoad;
use super::kit::figures::{round3, to_json};
use super::kit::lane_sums::LaneSums;
use super::kit::monotonic::Monotonic;
pub use super::kit::timeline::WorkerLane;
use super::kit::two_parts::{self, LoadReadings, PartsClock, RunParts};
use super::kit::workload::{self, WorkConfig};
use super::kit::{Crew, RunControl, SnapshotCell};
use super::{
    Demo, EngineInfo, ParamError, ParamSpec, ParamValue, Params, Snapshot, StartError, Starter,
};

/// The most pool threads a learner can ask for.
pub const MAX_WORKERS: i64 = 32;
/// The largest `min_len`.
pub const MAX_MIN_LEN: i64 = 10_000;

/// The parameters only `pool` declares (after the shared `workers`, `workload`, `tasks`).
#[rustfmt::skip] // a table: one row per parameter
const OWN_PARAMS: &[ParamSpec] = &[
    ParamSpec::int("min_len", 1, MAX_MIN_LEN, "1", "tasks per rayon job, never split further (rayon's with_min_len, Python's chunksize)"),
];

/// What the `pool` engine declares about itself (built on first use: the
/// `workers` default is this machine's core count).
pub static INFO: LazyLock<EngineInfo> = LazyLock::new(|| EngineInfo {
    name: "pool",
    title: "A pool of workers, one lane per core",
    about: "a rayon thread pool runs CPU-bound tasks in parallel, with work stealing, \
         against the same work done sequentially",
    params: workload::work_specs(MAX_WORKERS, OWN_PARAMS),
    start: Starter::Running(start),
});

/// Starts the `pool` demo.
fn start(params: &Params) -> Result<Box<dyn Demo>, StartError> {
    Ok(Box::new(PoolDemo::start(PoolConfig::from_params(params)?)?))
}

/// What one run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct PoolConfig {
    /// Pool threads (`workers`), the workload and how many tasks.
    #[serde(flatten)]
    pub work: WorkConfig,
    /// Tasks per job that is never split further.
    pub min_len: usize,
}

impl EngineConfig for PoolConfig {
    fn apply(&mut self, name: &str, value: &ParamValue) -> Result<(), ParamError> {
        match name {
            "min_len" => self.min_len = config::count_in(name, value, 1, MAX_MIN_LEN)?,
            _ => self.work.apply(name, value, MAX_WORKERS, &INFO)?,
        }
        Ok(())
    }
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

/// What the view draws.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PoolSnapshot {
    /// The run's settings.
    pub config: PoolConfig,
    /// Where the run is.
    pub phase: PoolPhase,
    /// One lane per pool worker.
    pub lanes: Vec<WorkerLane>,
    /// Both parts' seconds and the sequential baseline's lane.
    #[serde(flatten)]
    pub parts: RunParts,
    /// Jobs taken from another worker's deque.
    pub steals: u64,
    /// Per-core load.
    #[serde(flatten)]
    pub load: LoadReadings,
    /// True while paused (the part times leave pauses out; the lanes are in wall time).
    pub paused: bool,
}

impl PoolSnapshot {
    /// An empty picture for `config`, before anything ran.
    pub fn empty(config: PoolConfig) -> Self {
        PoolSnapshot {
            config,
            phase: PoolPhase::Parallel,
            lanes: vec![WorkerLane::default(); config.work.workers],
            parts: RunParts::default(),
            steals: 0,
            load: LoadReadings::default(),
            paused: false,
        }
    }

    /// Tasks the pool has finished.
    pub fn tasks_done(&self) -> usize {
        self.lanes.iter().map(|l| l.tasks).sum()
    }

    /// Sequential time over parallel time, once both are measured.
    pub fn speedup(&self) -> Option<f64> {
        self.parts.speedup(self.phase == PoolPhase::Done)
    }

    /// Speedup per worker (1.0 is perfect), once both parts are measured.
    pub fn efficiency(&self) -> Option<f64> {
        self.parts
            .efficiency(self.phase == PoolPhase::Done, self.config.work.workers)
    }
}

/// State shared by the run thread, the pool threads and the monitor.
struct Shared {
    config: PoolConfig,
    units: Vec<u64>,
    control: Arc<RunControl>,
    lanes: Vec<Mutex<LaneRecord>>,
    sequential: Mutex<WorkerLane>,
    steals: AtomicU64,
    progress: Mutex<Progress>,
    cpu: Mutex<PhaseLoad>,
    latest: SnapshotCell<PoolSnapshot>,
    finished: AtomicBool,
    /// Pool threads still alive (rayon's own threads, which we join ourselves).
    pool_threads: AtomicUsize,
    /// False only in the overhead bench's bare runs: the same work, no lane recording.
    recording: bool,
}

#[derive(Debug, Clone, Copy)]
struct Progress {
    phase: PoolPhase,
    clock: PartsClock,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The running `pool` demo.
pub struct PoolDemo {
    shared: Arc<Shared>,
    /// The run thread and the monitor.
    crew: Crew,
}

impl PoolDemo {
    /// Builds the pool and starts the run.
    pub fn start(config: PoolConfig) -> Result<Self, StartError> {
        Self::start_with(config, true)
    }

    /// The same run without lane recording (no per-task clock reads, locks or records):
    /// the overhead bench's bare baseline. Its lanes stay empty.
    pub fn start_unrecorded(config: PoolConfig) -> Result<Self, StartError> {
        Self::start_with(config, false)
    }

    fn start_with(config: PoolConfig, recording: bool) -> Result<Self, StartError> {
        let control = Arc::new(RunControl::new());
        let shared = Arc::new(Shared {
            config,
            units: config.work.task_units(),
            control: Arc::clone(&control),
            lanes: (0..config.work.workers).map(|_| Mutex::default()).collect(),
            sequential: Mutex::default(),
            steals: AtomicU64::new(0),
            progress: Mutex::new(Progress {
                phase: PoolPhase::Parallel,
                clock: PartsClock::start(&control),
            }),
            cpu: Mutex::new(PhaseLoad::new()),
            latest: SnapshotCell::new(PoolSnapshot::empty(config)),
            finished: AtomicBool::new(false),
            pool_threads: AtomicUsize::new(0),
            recording,
        });
        // rayon detaches its threads when a pool is dropped; we spawn them ourselves so
        // the run can join every one of them before it ends.
        let handles: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let pool = {
            let handles = Arc::clone(&handles);
            let alive = Arc::clone(&shared);
            rayon::ThreadPoolBuilder::new()
                .num_threads(config.work.workers)
                .spawn_handler(move |thread| {
                    let alive = Arc::clone(&alive);
                    let index = thread.index();
                    let name = format!("pool-worker-{}", index + 1);
                    alive.pool_threads.fetch_add(1, Ordering::SeqCst);
                    let handle = std::thread::Builder::new().name(name).spawn(move || {
                        thread.run();
                        if let Some(lane) = alive.lanes.get(index) {
                            recorder::hand_over(lane);
                        }
                        alive.pool_threads.fetch_sub(1, Ordering::SeqCst);
                    })?;
                    lock(&handles).push(handle);
                    Ok(())
                })
                .build()
                .map_err(|e| StartError::Other(format!("could not build the pool: {e}")))?
        };
        // If the run thread cannot start, dropping the crew stops and joins the monitor.
        let mut crew = Crew::new(control);
        {
            let shared = Arc::clone(&shared);
            crew.spawn("pool-monitor", move |_| monitor_loop(&shared))?;
        }
        lock(&shared.progress).clock = PartsClock::start(&shared.control);
        {
            let shared = Arc::clone(&shared);
            crew.spawn("pool-run", move |_| run(&shared, pool, &handles))?;
        }
        Ok(PoolDemo { shared, crew })
    }
}

/// The whole run: the parallel part in the pool, then the sequential baseline.
fn run(shared: &Arc<Shared>, pool: rayon::ThreadPool, handles: &Mutex<Vec<JoinHandle<()>>>) {
    let started = lock(&shared.progress).clock.parallel_started();
    let clock = Monotonic::since(started);
    pool.install(|| run_range(shared, &clock, 0..shared.config.work.tasks, false));
    let parallel_s = lock(&shared.progress)
        .clock
        .parallel_so_far(&shared.control);
    drop(pool);
    for handle in lock(handles).drain(..) {
        let _ = handle.join();
    }
    if shared.control.is_stopping() {
        lock(&shared.progress).phase = PoolPhase::Stopped;
        return;
    }
    let seq_started = {
        let mut p = lock(&shared.progress);
        p.phase = PoolPhase::Sequential;
        p.clock.end_parallel(parallel_s, &shared.control)
    };
    let hand_over = |sums: &mut LaneSums| {
        sums.hand_over(&mut lock(&shared.sequential));
    };
    let control = &shared.control;
    if !two_parts::run_baseline(
        &shared.units,
        control,
        seq_started,
        shared.recording,
        hand_over,
    ) {
        lock(&shared.progress).phase = PoolPhase::Stopped;
        return;
    }
    {
        let mut p = lock(&shared.progress);
        p.clock.end_sequential(&shared.control);
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
/// happens when another worker stole it. Each such job counts as one steal (`steals`).
/// But rayon spreads even a uniform run by stealing: an idle worker's first take is how it
/// gets its share at all. So the tasks of a migrated job count as stolen work only when the
/// thief had already run tasks of its own: load balancing, a worker that finished helping
/// one that had more. The flag is passed down to the tasks of that job.
fn run_range(shared: &Shared, clock: &Monotonic, range: Range<usize>, stolen: bool) {
    if shared.control.is_stopping() {
        return;
    }
    if range.len() >= 2 * shared.config.min_len {
        let mid = range.start + range.len() / 2;
        let (left, right) = (range.start..mid, mid..range.end);
        rayon::join_context(
            |_| run_range(shared, clock, left, stolen),
            |ctx| {
                let stolen = if ctx.migrated() {
                    shared.steals.fetch_add(1, Ordering::Relaxed);
                    recorder::has_run_tasks()
                } else {
                    stolen
                };
                run_range(shared, clock, right, stolen);
            },
        );
        return;
    }
    for index in range {
        if !shared.recording {
            let units = shared.units[index];
            if workload::spin(units, index as u64, || shared.control.checkpoint()).is_none() {
                return;
            }
            continue;
        }
        let worker = rayon::current_thread_index().unwrap_or(0);
        let start_ns = clock.now_ns();
        let units = shared.units[index];
        if workload::spin(units, index as u64, || shared.control.checkpoint()).is_none() {
            return;
        }
        let end_ns = clock.now_ns();
        if let Some(lane) = shared.lanes.get(worker) {
            recorder::record(lane, start_ns, end_ns, stolen);
        }
    }
}

/// Samples the cores and publishes snapshots until the run ends or stops.
fn monitor_loop(shared: &Shared) {
    let parallel_running = || lock(&shared.progress).phase == PoolPhase::Parallel;
    let (control, finished) = (&shared.control, &shared.finished);
    two_parts::monitor(control, finished, &shared.cpu, parallel_running, || {
        publish(shared)
    });
}

/// Builds a snapshot from the shared state and makes it the latest.
fn publish(shared: &Shared) {
    let progress = *lock(&shared.progress);
    let mut parts = RunParts {
        sequential: lock(&shared.sequential).clone(),
        ..RunParts::default()
    };
    progress.clock.write_times(&mut parts, &shared.control);
    let snap = PoolSnapshot {
        config: shared.config,
        phase: progress.phase,
        lanes: shared.lanes.iter().map(|l| lock(l).lane.clone()).collect(),
        parts,
        steals: shared.steals.load(Ordering::Relaxed),
        load: LoadReadings::of(&lock(&shared.cpu)),
        paused: shared.control.is_paused(),
    };
    shared.latest.publish(snap);
}

impl Demo for PoolDemo {
    fn snapshot(&self) -> Snapshot {
        Snapshot::Pool(self.shared.latest.latest())
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
        self.crew.stop();
        publish(&self.shared);
        let snap = self.shared.latest.latest();
        let ends: Vec<f64> = snap.lanes.iter().map(|l| round3(l.end_s)).collect();
        let spread = ends.iter().copied().fold(f64::MIN, f64::max)
            - ends.iter().copied().fold(f64::MAX, f64::min);
        let longest = (self.shared.lanes.iter())
            .map(|l| lock(l).longest_s)
            .fold(0.0, f64::max);
        let finished = snap.phase == PoolPhase::Done;
        to_json(&PoolFigures {
            run: snap.parts.figures(finished, snap.config.work.workers),
            tasks: snap.tasks_done(),
            steals: snap.steals,
            tasks_stolen: snap.lanes.iter().map(|l| l.stolen).sum(),
            per_worker_tasks: snap.lanes.iter().map(|l| l.tasks).collect(),
            per_worker_end_s: ends,
            lane_end_spread_s: round3(spread.max(0.0)),
            longest_task_s: round3(longest),
            per_core_load_parallel_pct: snap.load.parallel_pct_figures(),
            pool_threads_left: self.shared.pool_threads.load(Ordering::SeqCst),
        })
    }
}

#[cfg(test)]
mod tests;
