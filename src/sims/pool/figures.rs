//! The `pool` demo's final figures, as `--headless --json` prints them.

use serde::Serialize;

/// The `pool` demo's final figures (`--headless --json`).
#[derive(Debug, Serialize)]
pub struct PoolFigures {
    /// True once the parallel and the sequential part both ran.
    pub finished: bool,
    /// Seconds the parallel part took.
    pub parallel_s: f64,
    /// Seconds the sequential baseline took (null unless finished).
    pub sequential_s: Option<f64>,
    /// `sequential_s / parallel_s` (null unless finished).
    pub speedup: Option<f64>,
    /// Speedup per worker (null unless finished).
    pub efficiency: Option<f64>,
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
