//! The `pool` demo's final figures, as `--headless --json` prints them.

use serde::Serialize;

use crate::sims::kit::workload::RunFigures;

/// The `pool` demo's final figures (`--headless --json`).
#[derive(Debug, Serialize)]
pub struct PoolFigures {
    /// `finished`, `parallel_s`, `sequential_s`, `speedup`, `efficiency`.
    #[serde(flatten)]
    pub run: RunFigures,
    /// Tasks done in the parallel part.
    pub tasks: usize,
    /// Jobs taken from another worker's deque.
    pub steals: u64,
    /// Tasks that ran on a worker other than the one they were split to.
    pub tasks_stolen: usize,
    /// Tasks each worker ran.
    pub per_worker_tasks: Vec<usize>,
    /// When each worker's lane ended, in seconds.
    pub per_worker_end_s: Vec<f64>,
    /// The latest lane end minus the earliest.
    pub lane_end_spread_s: f64,
    /// The longest single task, in seconds.
    pub longest_task_s: f64,
    /// Mean load per core during the parallel part, in percent.
    pub per_core_load_parallel_pct: Vec<f64>,
    /// Pool threads still alive at the end (0: all joined).
    pub pool_threads_left: usize,
}
