//! The `processes` demo: pyconc starts `workers` copies of itself as worker processes (the
//! hidden `__worker` subcommand) and feeds them tasks over pipes, serialised, in chunks of
//! `chunksize`, as `ProcessPoolExecutor.map` does. It measures what that costs: process
//! start-up, serialising and IPC against computing, bytes each way. With `crash` one
//! worker dies mid-task: the pool breaks as Python's `BrokenProcessPool` does, and the
//! demo recovers with a fresh pool. Stop kills and reaps every child; a worker also exits
//! by itself when its stdin closes, so a killed pyconc leaves no orphans.

pub mod figures;
pub mod tallies;

pub use figures::{ProcessesFigures, WorkerFigures};
pub use tallies::{Breakage, Costs, WorkerCounts};
mod protocol;
mod run;
mod worker;

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, LazyLock};

use super::kit::Crew;
use super::kit::config::{self, EngineConfig};
use super::kit::figures::{round3, to_json};
use super::kit::two_parts::{LoadReadings, RunParts};
use super::kit::workload::{self, WorkConfig};
use super::{
    Demo, EngineInfo, ParamError, ParamSpec, ParamValue, Params, Snapshot, StartError, Starter,
};

pub use protocol::{MAX_FRAME_BYTES, TaskSpec};
pub use worker::{CRASH_EXIT_CODE, worker_main};

/// The hidden first argument that makes pyconc run as a worker process.
pub const WORKER_ARG: &str = "__worker";
/// The environment variable naming the program to start as a worker (default: this
/// executable). Integration tests point it at the pyconc binary.
pub const WORKER_EXE_ENV: &str = "PYCONC_WORKER_EXE";
/// Set in every worker's environment. A process that has it refuses to start workers of
/// its own, so a worker program that does not know `__worker` (and so runs as a whole
/// pyconc, or as a test harness) can never multiply.
pub const INSIDE_WORKER_ENV: &str = "PYCONC_INSIDE_WORKER";
/// The most worker processes a learner can start.
pub const MAX_WORKERS: i64 = 16;
/// The largest `chunksize`.
pub const MAX_CHUNKSIZE: i64 = 1000;
/// The largest `payload_kb`.
pub const MAX_PAYLOAD_KB: i64 = 1024;
/// The most bytes one chunk may carry (`chunksize` x `payload_kb`), well under
/// [`MAX_FRAME_BYTES`].
pub const MAX_CHUNK_BYTES: usize = 64 << 20;

/// The parameters only `processes` declares (after the shared `workers`, `workload`,
/// `tasks`).
#[rustfmt::skip] // a table: one row per parameter
const OWN_PARAMS: &[ParamSpec] = &[
    ParamSpec::int("chunksize", 1, MAX_CHUNKSIZE, "1", "tasks sent to a worker in one message (ProcessPoolExecutor.map's chunksize)"),
    ParamSpec::int("payload_kb", 0, MAX_PAYLOAD_KB, "1", "KB of data serialised and sent with each task (what pickling copies)"),
    ParamSpec::flag("crash", "false", "one worker dies mid-task: the pool breaks (BrokenProcessPool) and restarts"),
];

/// What the `processes` engine declares about itself (built on first use: the
/// `workers` default is this machine's core count).
pub static INFO: LazyLock<EngineInfo> = LazyLock::new(|| EngineInfo {
    name: "processes",
    title: "Worker processes, and what IPC costs",
    about: "real child processes fed tasks over pipes: start-up, serialising and chunk size",
    params: workload::work_specs(MAX_WORKERS, OWN_PARAMS),
    start: Starter::Running(start),
});

/// Starts the `processes` demo.
fn start(params: &Params) -> Result<Box<dyn Demo>, StartError> {
    if std::env::var_os(INSIDE_WORKER_ENV).is_some() {
        return Err(StartError::Other(
            "this process is itself a pyconc worker; it starts no workers of its own".to_string(),
        ));
    }
    let config = ProcConfig::from_params(params)?;
    Ok(Box::new(ProcessesDemo::start(config, worker_exe()?)?))
}

/// The program started as a worker: `$PYCONC_WORKER_EXE`, else this executable.
pub fn worker_exe() -> Result<PathBuf, StartError> {
    match std::env::var_os(WORKER_EXE_ENV) {
        Some(path) if !path.is_empty() => Ok(PathBuf::from(path)),
        _ => std::env::current_exe().map_err(|e| {
            StartError::Other(format!("cannot find pyconc's own program to start: {e}"))
        }),
    }
}

/// What one run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ProcConfig {
    /// Worker processes (`workers`), the workload and how many tasks.
    #[serde(flatten)]
    pub work: WorkConfig,
    /// Tasks per message.
    pub chunksize: usize,
    /// KB of data per task.
    pub payload_kb: usize,
    /// One worker dies mid-task in the first pool.
    pub crash: bool,
}

impl EngineConfig for ProcConfig {
    fn apply(&mut self, name: &str, value: &ParamValue) -> Result<(), ParamError> {
        match name {
            "chunksize" => self.chunksize = config::count_in(name, value, 1, MAX_CHUNKSIZE)?,
            "payload_kb" => self.payload_kb = config::count_in(name, value, 0, MAX_PAYLOAD_KB)?,
            "crash" => self.crash = config::flag(name, value)?,
            _ => self.work.apply(name, value, MAX_WORKERS, &INFO)?,
        }
        Ok(())
    }
}

impl ProcConfig {
    /// Bytes of data each task carries.
    pub fn payload_bytes(&self) -> usize {
        self.payload_kb * 1024
    }
}

/// Where a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum ProcPhase {
    /// The worker processes run the tasks (a fresh pool after a crash included).
    #[default]
    Parallel,
    /// The same tasks run one after another in pyconc itself.
    Sequential,
    /// Both parts are done: the figures are final.
    Done,
    /// Stopped before the end.
    Stopped,
    /// The workers could not be started or kept breaking.
    Failed,
}

/// What one worker slot is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum WorkerState {
    /// Its process is starting.
    #[default]
    Starting,
    /// Waiting for its next chunk, or computing one.
    Running,
    /// Done: its stdin was closed and it exited.
    Exited,
    /// It died mid-task.
    Crashed,
    /// Terminated because another worker broke the pool.
    Terminated,
}

/// One worker slot (a fresh pool reuses the slots with new processes).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct WorkerView {
    /// The current process's pid, once started.
    pub pid: Option<u32>,
    /// Milliseconds from spawning it to its "ready" message.
    pub startup_ms: Option<f64>,
    /// Its state.
    pub state: WorkerState,
    /// Tasks, chunks and bytes done in this slot.
    #[serde(flatten)]
    pub counts: WorkerCounts,
    /// Its lane: start-up, IPC, computing, crash.
    pub timeline: super::timeline::Timeline,
}

/// What the view draws.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ProcessesSnapshot {
    /// The run's settings.
    pub config: ProcConfig,
    /// Where the run is.
    pub phase: ProcPhase,
    /// One entry per worker slot.
    pub workers: Vec<WorkerView>,
    /// Both parts' seconds (the parallel part's with start-up) and the sequential
    /// baseline's lane.
    #[serde(flatten)]
    pub parts: RunParts,
    /// Start-up, serialising, IPC and computing time.
    #[serde(flatten)]
    pub costs: Costs,
    /// Bytes written to the workers.
    pub bytes_sent: u64,
    /// Bytes read from the workers.
    pub bytes_received: u64,
    /// Chunks completed.
    pub chunks: usize,
    /// Tasks completed by worker processes.
    pub tasks_done: usize,
    /// Crashed workers, pools started, the BrokenProcessPool report, a failure.
    #[serde(flatten)]
    pub breakage: Breakage,
    /// Per-core load.
    #[serde(flatten)]
    pub load: LoadReadings,
    /// True while paused (no new chunks are handed out).
    pub paused: bool,
}

impl ProcessesSnapshot {
    /// An empty picture for `config`.
    pub fn empty(config: ProcConfig) -> Self {
        ProcessesSnapshot {
            config,
            phase: ProcPhase::Parallel,
            workers: vec![WorkerView::default(); config.work.workers],
            parts: RunParts::default(),
            costs: Costs::default(),
            bytes_sent: 0,
            bytes_received: 0,
            chunks: 0,
            tasks_done: 0,
            breakage: Breakage::default(),
            load: LoadReadings::default(),
            paused: false,
        }
    }

    /// Sequential time over parallel time (start-up included), once both are measured.
    pub fn speedup(&self) -> Option<f64> {
        self.parts.speedup(self.phase == ProcPhase::Done)
    }

    /// Speedup per worker, once measured.
    pub fn efficiency(&self) -> Option<f64> {
        self.parts
            .efficiency(self.phase == ProcPhase::Done, self.config.work.workers)
    }
}

/// The running `processes` demo.
pub struct ProcessesDemo {
    shared: Arc<run::Shared>,
    /// The run thread and the monitor.
    crew: Crew,
}

impl ProcessesDemo {
    /// Starts the run with `exe` as the worker program.
    pub fn start(config: ProcConfig, exe: PathBuf) -> Result<Self, StartError> {
        Self::start_with(config, exe, true)
    }

    /// The same run without lane accounting (no timelines, start-up times, IPC, compute
    /// or byte sums; tasks and chunks are still counted): the overhead bench's bare
    /// baseline.
    pub fn start_unaccounted(config: ProcConfig, exe: PathBuf) -> Result<Self, StartError> {
        Self::start_with(config, exe, false)
    }

    fn start_with(config: ProcConfig, exe: PathBuf, accounting: bool) -> Result<Self, StartError> {
        let chunk_bytes = config.chunksize.saturating_mul(config.payload_bytes());
        if chunk_bytes > MAX_CHUNK_BYTES {
            return Err(StartError::Other(format!(
                "a chunk would carry {} MB (chunksize {} x payload_kb {}); keep it under {} MB",
                chunk_bytes >> 20,
                config.chunksize,
                config.payload_kb,
                MAX_CHUNK_BYTES >> 20
            )));
        }
        let shared = Arc::new(run::Shared::new(config, exe, accounting));
        // If the run thread cannot start, dropping the crew stops and joins the monitor.
        let mut crew = Crew::new(Arc::clone(&shared.control));
        {
            let shared = Arc::clone(&shared);
            crew.spawn("processes-monitor", move |_| run::monitor_loop(&shared))?;
        }
        {
            let shared = Arc::clone(&shared);
            crew.spawn("processes-run", move |_| run::run(&shared))?;
        }
        Ok(ProcessesDemo { shared, crew })
    }

    /// The pids of the worker processes alive right now (for tests and checks).
    pub fn live_pids(&self) -> Vec<u32> {
        self.shared.live_pids()
    }

    fn shutdown(&mut self) {
        self.shared.control.stop();
        // Killing the children wakes the threads blocked reading their pipes.
        self.shared.kill_children();
        self.crew.stop();
        // The runner reaps its children; this is the safety net if it could not.
        self.shared.reap_children();
    }
}

impl Demo for ProcessesDemo {
    fn snapshot(&self) -> Snapshot {
        Snapshot::Processes(self.shared.latest.latest())
    }

    fn set_paused(&mut self, paused: bool) -> bool {
        self.shared.control.set_paused(paused);
        run::publish(&self.shared);
        true
    }

    fn is_finished(&self) -> bool {
        self.shared.finished.load(Ordering::SeqCst)
    }

    fn stop(mut self: Box<Self>) -> serde_json::Value {
        self.shutdown();
        run::publish(&self.shared);
        let snap = self.shared.latest.latest();
        let finished = snap.phase == ProcPhase::Done;
        let per_worker = snap
            .workers
            .iter()
            .map(|w| WorkerFigures {
                pid: w.pid,
                startup_ms: w.startup_ms.map(round3),
                counts: w.counts,
            })
            .collect();
        to_json(&ProcessesFigures {
            run: snap.parts.figures(finished, snap.config.work.workers),
            tasks: snap.tasks_done,
            chunks: snap.chunks,
            costs: snap.costs.rounded(),
            ipc_share: round3(snap.costs.ipc_share()),
            bytes_sent: snap.bytes_sent,
            bytes_received: snap.bytes_received,
            breakage: snap.breakage.clone(),
            per_worker,
            per_core_load_parallel_pct: snap.load.parallel_pct_figures(),
            children_left: self.shared.live_pids().len(),
        })
    }
}

impl Drop for ProcessesDemo {
    fn drop(&mut self) {
        self.shutdown();
    }
}

#[cfg(test)]
mod tests;
