//! What both `gil` engines record and publish: each thread's state over demo time, cut
//! into strip cells; time spent holding, waiting for and without the GIL; work done; GIL
//! switches, drop requests, releases; I/O latencies. Turns that into the drawable
//! [`GilSnapshot`] and the final metrics JSON. All times are demo nanoseconds (real time
//! divided by the slow-motion factor; the model's virtual time). `strips` puts every
//! thread on one time axis; `recorder` keeps the counts; `figures` is the final JSON.

mod figures;
mod order;
mod recorder;
mod strips;

pub use figures::{GilFigures, LatencyFigures, ThreadFigures};
pub use recorder::Recorder;

use super::{EngineKind, GilConfig, Mode, Workload};

/// What one Python thread is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ThreadState {
    /// Holds its GIL (or needs none) and runs bytecode.
    Running,
    /// Wants the GIL and waits for it (including a forced switch's wait).
    Waiting,
    /// In a blocking I/O call, GIL released.
    Io,
    /// Finished.
    Done,
    /// Parked: paused for the speedup reference, or not started yet.
    Parked,
}

/// I/O response latency (I/O done -> GIL back) percentiles, in demo ms.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LatencySummary {
    /// Median.
    pub p50_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Largest seen since the counters were reset.
    pub max_ms: f64,
    /// How many samples.
    pub samples: usize,
}

/// One thread's row in the view.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ThreadRow {
    /// 1-based thread number.
    pub id: usize,
    /// Its workload.
    pub workload: Workload,
    /// What it is doing now.
    pub state: ThreadState,
    /// The core it is on, where the OS says (`None` in the model or elsewhere).
    pub core: Option<usize>,
    /// Its recent states, one per cell, oldest first; the last cell is still filling.
    pub strip: Vec<ThreadState>,
    /// Share of its time holding the GIL and running (0..=1).
    pub held_share: f64,
    /// Share of its time waiting for the GIL.
    pub waiting_share: f64,
    /// Share of its time in I/O.
    pub io_share: f64,
    /// Share of its time it actually ran on a core, where known (the rest of
    /// `held_share` it was runnable but waited for a core: more threads than cores).
    pub on_core_share: Option<f64>,
    /// Work done: batches for a CPU thread, operations for an I/O thread.
    pub work_units: f64,
}

/// What a run is set up as: the engine, the interpreter and the lengths it runs with.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GilSetup {
    /// Which engine runs.
    pub engine: EngineKind,
    /// The interpreter mode.
    pub mode: Mode,
    /// Cores the OS gives this process (the model's configured cores).
    pub cores: usize,
    /// The switch interval, demo ms.
    pub switch_interval_ms: f64,
    /// One I/O operation, demo ms.
    pub io_ms: f64,
    /// Real seconds per demo second (timescale divided by playback speed).
    pub slow_motion: f64,
}

impl GilSetup {
    /// `engine` running `config` on `cores` cores at `slow_motion` real seconds per demo
    /// second.
    pub fn new(engine: EngineKind, config: &GilConfig, cores: usize, slow_motion: f64) -> Self {
        GilSetup {
            engine,
            mode: config.mode,
            cores,
            switch_interval_ms: config.switch_interval_ms,
            io_ms: config.io_ms,
            slow_motion,
        }
    }
}

/// How the GIL changed hands and how much I/O got done, since the counters were reset.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GilCounts {
    /// GIL hand-offs to another thread.
    pub gil_switches: u64,
    /// Hand-offs per demo second.
    pub switches_per_s: f64,
    /// Times a waiter asked the holder to drop the GIL.
    pub drop_requests: u64,
    /// Times a holder released the GIL on its own schedule (legacy ticks).
    pub releases: u64,
    /// Releases made while another thread was waiting for the GIL.
    pub contended_releases: u64,
    /// Contended releases after which the same thread took the GIL straight back.
    pub self_reacquires: u64,
    /// I/O operations completed.
    pub io_ops: u64,
    /// Operations per demo second.
    pub io_ops_per_s: f64,
}

/// Everything the `gil` view draws.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GilSnapshot {
    /// The engine, the interpreter mode, cores and lengths.
    #[serde(flatten)]
    pub setup: GilSetup,
    /// Demo ms per strip cell.
    pub cell_ms: f64,
    /// Demo seconds since start.
    pub elapsed_s: f64,
    /// One row per thread.
    pub threads: Vec<ThreadRow>,
    /// Work rate of all threads of `speedup_kind` over one such thread alone; `None` until
    /// the reference is measured.
    pub speedup: Option<f64>,
    /// CPU when any thread computes, else I/O.
    pub speedup_kind: Workload,
    /// Hand-offs, drop requests, releases and I/O done.
    #[serde(flatten)]
    pub counts: GilCounts,
    /// I/O response latency, when there were any.
    pub io_latency: Option<LatencySummary>,
    /// True while paused.
    pub paused: bool,
    /// True while the real engine measures one thread alone (workers parked).
    pub calibrating: bool,
    /// How much of a core one thread alone got in the reference windows (real engine;
    /// well under 1 means other programs keep this machine busy).
    pub reference_core_share: Option<f64>,
    /// The model's last step, in words (empty for real threads).
    pub last_event: String,
}

/// What the engine adds to the recorder's figures to make a snapshot.
#[derive(Debug, Clone)]
pub struct Frame {
    /// The engine, mode, cores and lengths.
    pub setup: GilSetup,
    /// Demo ns since start.
    pub elapsed_ns: u64,
    /// The measured speedup, if any.
    pub speedup: Option<f64>,
    /// Which threads it is over.
    pub speedup_kind: Workload,
    /// Paused.
    pub paused: bool,
    /// Measuring the reference.
    pub calibrating: bool,
    /// The model's last step in words.
    pub last_event: String,
}

#[cfg(test)]
mod tests;
