//! The `processes` demo's final figures, as `--headless --json` prints them.

use serde::Serialize;

use super::tallies::{Breakage, Costs, WorkerCounts};
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
    /// `startup_ms`, `serialise_ms`, `ipc_ms`, `compute_ms`.
    #[serde(flatten)]
    pub costs: Costs,
    /// `ipc_ms / (ipc_ms + compute_ms)`.
    pub ipc_share: f64,
    /// Bytes written to the workers.
    pub bytes_sent: u64,
    /// Bytes read from the workers.
    pub bytes_received: u64,
    /// `workers_crashed`, `pools_started`, `broken`, `error`.
    #[serde(flatten)]
    pub breakage: Breakage,
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
    /// `tasks`, `chunks`, `bytes_sent`, `bytes_received`.
    #[serde(flatten)]
    pub counts: WorkerCounts,
}
