//! The `gil` demo: Python threads contending for one Global Interpreter Lock that follows
//! CPython's own protocol (Python/ceval_gil.c, 3.2 and later), in two engines that share
//! one set of states and counters:
//!
//! - [`threads`]: real OS threads on this machine's cores take a real mutex-and-condvar GIL,
//!   run "bytecode" in about-a-microsecond batches of real arithmetic and block in real
//!   sleeps for I/O (the default, `engine=threads`);
//! - [`model`]: the same protocol as a deterministic discrete-event model on virtual time,
//!   which a teacher can step one event at a time and tests assert exactly (`engine=model`).
//!
//! This module owns the parameters, the parsed configuration and the engine entry point;
//! [`timeline`] owns the snapshot types, per-thread state strips and final metrics.

pub mod model;
mod real_gil;
pub mod threads;
pub mod timeline;

use std::time::Duration;

use super::{Demo, Engine, EngineInfo, ParamKind, ParamSpec, Params, StartError};

pub use timeline::{GilSnapshot, LatencySummary, ThreadRow, ThreadState};

/// The most threads a learner can start: enough to show a crowd, bounded for the host.
pub const MAX_THREADS: usize = 16;
/// Virtual length of one batch of "bytecode" (one work unit of a CPU thread); the real
/// engine calibrates its arithmetic batches to about this long.
pub const BATCH_NS: u64 = 1_000;
/// Batches of Python work an I/O thread does per operation while holding the GIL
/// (parsing a request, building a reply) before it blocks again.
pub const IO_CPU_BATCHES: u64 = 10;
/// Python 2 released and re-requested its GIL every 100 "ticks" (`sys.setcheckinterval`);
/// here one tick is one batch.
pub const LEGACY_CHECK_INTERVAL_TICKS: u64 = 100;
/// Strip cells per switch interval: a hand-off every interval shows as blocks two cells wide.
pub const CELLS_PER_INTERVAL: u64 = 2;
/// How many strip cells of history each thread keeps (the view shows the newest that fit).
pub const HISTORY_CELLS: usize = 256;
/// How many recent I/O latency samples are kept for the percentiles.
pub const LATENCY_SAMPLES: usize = 65_536;

/// The workload of one thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Workload {
    /// Pure Python computation: runs bytecode batches for ever.
    Cpu,
    /// A server's loop: a little Python work, then a blocking I/O call of `io_ms`.
    Io,
}

impl Workload {
    /// The word used in parameters and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Cpu => "cpu",
            Workload::Io => "io",
        }
    }

    fn parse(word: &str) -> Workload {
        if word.trim().eq_ignore_ascii_case("io") {
            Workload::Io
        } else {
            Workload::Cpu
        }
    }
}

/// Which interpreter the threads run in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Mode {
    /// CPython 3.2+: switch interval, drop request, forced switching.
    Gil,
    /// CPython 2: release and immediately re-request every 100 ticks, no forced switching.
    GilLegacy,
    /// No GIL (3.13t/3.14t): threads run in parallel, each a little slower.
    FreeThreaded,
    /// One process per worker: each has its own interpreter and its own GIL.
    Processes,
}

/// The `mode` choices, in panel order.
pub const MODE_NAMES: &[&str] = &["gil", "gil-legacy", "free-threaded", "processes"];

impl Mode {
    /// The word used in parameters and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Gil => "gil",
            Mode::GilLegacy => "gil-legacy",
            Mode::FreeThreaded => "free-threaded",
            Mode::Processes => "processes",
        }
    }

    fn parse(word: &str) -> Mode {
        match word {
            "gil-legacy" => Mode::GilLegacy,
            "free-threaded" => Mode::FreeThreaded,
            "processes" => Mode::Processes,
            _ => Mode::Gil,
        }
    }

    /// True where threads of one process share one GIL.
    pub fn shares_one_gil(self) -> bool {
        matches!(self, Mode::Gil | Mode::GilLegacy)
    }
}

/// Which engine runs the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum EngineKind {
    /// Real OS threads and a real lock.
    Threads,
    /// The deterministic model on virtual time.
    Model,
}

impl EngineKind {
    /// The word used in parameters and JSON.
    pub fn name(self) -> &'static str {
        match self {
            EngineKind::Threads => "threads",
            EngineKind::Model => "model",
        }
    }
}

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "threads",
        kind: ParamKind::Int {
            min: 1,
            max: MAX_THREADS as i64,
        },
        default: "2",
        help: "how many Python threads run",
    },
    ParamSpec {
        name: "workload",
        kind: ParamKind::List {
            options: &["cpu", "io"],
            max_items: MAX_THREADS,
        },
        default: "cpu",
        help: "cpu or io per thread (cpu,io: thread 1 computes, 2 does I/O; the last repeats)",
    },
    ParamSpec {
        name: "mode",
        kind: ParamKind::Choice(MODE_NAMES),
        default: "gil",
        help: "gil (3.2+), gil-legacy (Python 2), free-threaded (no GIL), processes",
    },
    ParamSpec {
        name: "switch_interval_ms",
        kind: ParamKind::Float {
            min: 0.1,
            max: 100.0,
        },
        default: "5",
        help: "sys.setswitchinterval: how long a waiter waits before asking for the GIL",
    },
    ParamSpec {
        name: "io_ms",
        kind: ParamKind::Float {
            min: 0.01,
            max: 1000.0,
        },
        default: "10",
        help: "how long each blocking I/O operation of an io thread takes",
    },
    ParamSpec {
        name: "ft_overhead_pct",
        kind: ParamKind::Float {
            min: 0.0,
            max: 100.0,
        },
        default: "10",
        help: "free-threaded: how much slower one thread runs than on a GIL build",
    },
    ParamSpec {
        name: "timescale",
        kind: ParamKind::Float {
            min: 1.0,
            max: 1000.0,
        },
        default: "1",
        help: "slow motion: every duration is multiplied by this (1 = real time)",
    },
    ParamSpec {
        name: "engine",
        kind: ParamKind::Choice(&["threads", "model"]),
        default: "threads",
        help: "threads: real threads on your cores; model: step-able simulation",
    },
];

/// The parsed parameters of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct GilConfig {
    /// One workload per thread (the list expanded to `threads` items).
    pub workloads: Vec<Workload>,
    /// The interpreter mode.
    pub mode: Mode,
    /// `sys.setswitchinterval`, in ms of demo time.
    pub switch_interval_ms: f64,
    /// Length of each blocking I/O operation, in ms of demo time.
    pub io_ms: f64,
    /// Free-threaded single-thread overhead, percent.
    pub ft_overhead_pct: f64,
    /// Slow motion factor (1 = real time).
    pub timescale: f64,
    /// Which engine runs it.
    pub engine: EngineKind,
}

impl GilConfig {
    /// The configuration from validated parameters.
    pub fn from_params(params: &Params) -> GilConfig {
        let threads = (params.int("threads").max(1) as usize).min(MAX_THREADS);
        GilConfig {
            workloads: expand_workloads(params.text("workload"), threads),
            mode: Mode::parse(params.text("mode")),
            switch_interval_ms: params.float("switch_interval_ms"),
            io_ms: params.float("io_ms"),
            ft_overhead_pct: params.float("ft_overhead_pct"),
            timescale: params.float("timescale"),
            engine: if params.text("engine") == "model" {
                EngineKind::Model
            } else {
                EngineKind::Threads
            },
        }
    }

    /// How many threads run.
    pub fn threads(&self) -> usize {
        self.workloads.len()
    }

    /// The switch interval in demo nanoseconds (at least one batch).
    pub fn interval_ns(&self) -> u64 {
        ms_to_ns(self.switch_interval_ms).max(BATCH_NS)
    }

    /// One I/O operation in demo nanoseconds.
    pub fn io_ns(&self) -> u64 {
        ms_to_ns(self.io_ms).max(1)
    }

    /// The workload the speedup is measured over: CPU threads when any compute.
    pub fn speedup_kind(&self) -> Workload {
        if self.workloads.contains(&Workload::Cpu) {
            Workload::Cpu
        } else {
            Workload::Io
        }
    }
}

/// `cpu,io` for 4 threads is `cpu,io,io,io`: a shorter list repeats its last item.
pub fn expand_workloads(list: &str, threads: usize) -> Vec<Workload> {
    let items: Vec<Workload> = list.split(',').map(Workload::parse).collect();
    (0..threads)
        .map(|i| {
            items
                .get(i)
                .or(items.last())
                .copied()
                .unwrap_or(Workload::Cpu)
        })
        .collect()
}

/// Milliseconds to whole nanoseconds.
pub fn ms_to_ns(ms: f64) -> u64 {
    if ms.is_finite() && ms > 0.0 {
        (ms * 1e6).round() as u64
    } else {
        0
    }
}

/// A demo-time length in nanoseconds as a real `Duration` at slow-motion factor `scale`.
pub fn scaled(demo_ns: u64, scale: f64) -> Duration {
    Duration::from_secs_f64(demo_ns as f64 * scale.max(1e-6) / 1e9)
}

/// The `gil` engine.
pub struct GilEngine;

/// What the `gil` engine declares about itself.
pub static INFO: EngineInfo = EngineInfo {
    name: "gil",
    title: "The GIL, live",
    about: "threads contending for one GIL that follows CPython's protocol, on your real cores",
    params: PARAMS,
};

impl Engine for GilEngine {
    fn info(&self) -> &'static EngineInfo {
        &INFO
    }
    fn start(&self, params: &Params) -> Result<Box<dyn Demo>, StartError> {
        let config = GilConfig::from_params(params);
        match config.engine {
            EngineKind::Threads => Ok(Box::new(threads::ThreadsDemo::start(&config, true)?)),
            EngineKind::Model => Ok(Box::new(model::ModelDemo::start(
                &config,
                super::available_cores(),
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        let owned: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        GilEngine.resolve(&owned).unwrap()
    }

    #[test]
    fn shorter_workload_lists_repeat_their_last_item() {
        use Workload::*;
        assert_eq!(expand_workloads("cpu,io", 4), vec![Cpu, Io, Io, Io]);
        assert_eq!(expand_workloads("io", 2), vec![Io, Io]);
        assert_eq!(expand_workloads("io,cpu,io", 2), vec![Io, Cpu]);
    }

    #[test]
    fn defaults_are_two_cpu_threads_under_the_gil() {
        let c = GilConfig::from_params(&params(&[]));
        assert_eq!(c.workloads, vec![Workload::Cpu, Workload::Cpu]);
        assert_eq!(c.mode, Mode::Gil);
        assert_eq!(c.engine, EngineKind::Threads);
        // CPython's default switch interval is 5 ms.
        assert_eq!(c.interval_ns(), 5_000_000);
        assert_eq!(c.timescale, 1.0);
    }

    #[test]
    fn parameters_are_named_as_the_issue_names_them() {
        let names: Vec<&str> = PARAMS.iter().map(|p| p.name).collect();
        for name in [
            "threads",
            "workload",
            "mode",
            "switch_interval_ms",
            "io_ms",
            "timescale",
            "engine",
        ] {
            assert!(names.contains(&name), "{name} missing");
        }
        let c = GilConfig::from_params(&params(&[
            ("mode", "gil-legacy"),
            ("engine", "model"),
            ("workload", "cpu,io"),
            ("threads", "3"),
        ]));
        assert_eq!(c.mode, Mode::GilLegacy);
        assert_eq!(c.engine, EngineKind::Model);
        assert_eq!(c.speedup_kind(), Workload::Cpu);
        assert_eq!(c.threads(), 3);
    }

    #[test]
    fn timing_constants_are_what_their_names_say() {
        // About a microsecond of bytecode per batch; Python 2's check interval was 100.
        assert_eq!(BATCH_NS, 1_000);
        assert_eq!(LEGACY_CHECK_INTERVAL_TICKS, 100);
        assert_eq!(ms_to_ns(5.0), 5_000_000);
        assert_eq!(scaled(1_000_000, 10.0), Duration::from_millis(10));
        assert!(
            IO_CPU_BATCHES * BATCH_NS < ms_to_ns(0.1),
            "I/O work << interval"
        );
    }
}
