//! The `processes` demo's final figures, as `--headless --json` prints them.

use serde::Serialize;

use crate::sims::kit::workload::RunFigures;

/// The `processes` demo's final figures.
#[derive(Debug, Serialize)]
pub struct ProcessesFigures {
    /// `finished`, `parallel_s`, `sequential_s`, `speedup`, `efficiency`.
    #[serde(flatten)]
    pub run: RunFigures,
    /// Tasks completed by the workers.
    pub tasks: usize,
    /// Chunks completed.
    pub chunks: usize,
    /// Mean worker start-up, in milliseconds.
    pub startup_ms: Option<f64>,
    /// Milliseconds spent serialising tasks and results.
    pub serialise_ms: f64,
    /// Milliseconds chunks spent in IPC rather than computing.
    pub ipc_ms: f64,
    /// Milliseconds the workers computed.
    pub compute_ms: f64,
    /// `ipc_ms / (ipc_ms + compute_ms)`.
    pub ipc_share: f64,
    /// Bytes written to the workers.
    pub bytes_sent: u64,
    /// Bytes read from the workers.
    pub bytes_received: u64,
    /// Workers that died mid-task.
    pub workers_crashed: usize,
    /// Pools started (1, plus one per recovery).
    pub pools_started: usize,
    /// The BrokenProcessPool report, if the pool broke.
    pub broken: Option<String>,
    /// Why the run failed, if it did.
    pub error: Option<String>,
    /// One entry per worker process.
    pub per_worker: Vec<WorkerFigures>,
    /// Mean load per core during the parallel part, in percent.
    pub per_core_load_parallel_pct: Vec<f64>,
    /// Worker processes still alive at the end (0: all reaped).
    pub children_left: usize,
}

/// One worker process's figures.
#[derive(Debug, Serialize)]
pub struct WorkerFigures {
    /// Its process id.
    pub pid: Option<u32>,
    /// Milliseconds from spawn to its first answer.
    pub startup_ms: Option<f64>,
    /// Tasks it ran.
    pub tasks: usize,
    /// Chunks it ran.
    pub chunks: usize,
    /// Bytes written to it.
    pub bytes_sent: u64,
    /// Bytes read from it.
    pub bytes_received: u64,
}
