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
//! `config` owns the parameters and the typed configuration; this module the constants
//! and the engine entry point;
//! [`timeline`] owns the snapshot types, per-thread state strips and final metrics.

mod config;
pub mod model;
mod real_gil;
pub mod threads;
pub mod timeline;

use std::time::Duration;

pub use config::{
    Change, EngineKind, GilConfig, MODE_NAMES, Mode, PARAMS, Workload, expand_workloads,
};

use super::kit::config::EngineConfig;
use super::{Demo, EngineInfo, Params, StartError, Starter};

pub use timeline::{GilCounts, GilSetup, GilSnapshot, LatencySummary, ThreadRow, ThreadState};

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

/// What the `gil` engine declares about itself.
pub static INFO: EngineInfo = EngineInfo {
    name: "gil",
    title: "The GIL, live",
    about: "threads contending for one GIL that follows CPython's protocol, on your real cores",
    params: PARAMS,
    start: Starter::Pausable(start),
};

/// Starts the engine `params` choose; the model can start paused at virtual time 0.
fn start(params: &Params, paused: bool) -> Result<Box<dyn Demo>, StartError> {
    let config = GilConfig::from_params(params).map_err(|e| StartError::Other(e.to_string()))?;
    let mut demo: Box<dyn Demo> = match config.engine {
        EngineKind::Threads => Box::new(threads::ThreadsDemo::start(&config, true)?),
        EngineKind::Model => Box::new(model::ModelDemo::start(
            &config,
            super::available_cores(),
            paused,
        )?),
    };
    if paused && config.engine == EngineKind::Threads {
        demo.set_paused(true);
    }
    Ok(demo)
}

/// The configuration `pairs` (name, value) resolve to, for tests.
#[cfg(test)]
pub(crate) fn test_config(pairs: &[(&str, &str)]) -> GilConfig {
    GilConfig::from_params(&super::test_support::params(&INFO, pairs)).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sims::ParamValue;

    fn params(pairs: &[(&str, &str)]) -> Params {
        crate::sims::test_support::params(&INFO, pairs)
    }

    #[test]
    fn shorter_workload_lists_repeat_their_last_item() {
        use Workload::*;
        assert_eq!(expand_workloads("cpu,io", 4), Ok(vec![Cpu, Io, Io, Io]));
        assert_eq!(expand_workloads("io", 2), Ok(vec![Io, Io]));
        assert_eq!(expand_workloads("io,cpu,io", 2), Ok(vec![Io, Cpu]));
    }

    /// A word no enum knows is an error naming the valid words, never a default.
    #[test]
    fn unknown_words_are_refused_not_replaced() {
        let err = expand_workloads("cpu,disk", 2).unwrap_err().to_string();
        assert!(
            err.contains("disk") && err.contains("cpu") && err.contains("io"),
            "{err}"
        );
        let mut c = GilConfig::from_params(&params(&[])).unwrap();
        let before = c.clone();
        let err = c
            .apply("mode", &ParamValue::Text("nogil".into()))
            .unwrap_err();
        for word in MODE_NAMES {
            assert!(err.to_string().contains(word), "{err}");
        }
        assert_eq!(c, before);
        assert_eq!(
            c.apply("mode", &ParamValue::Text("processes".into())),
            Ok(())
        );
        assert_eq!(c.mode, Mode::Processes);
        assert_eq!(GilConfig::change_of("mode"), Change::Mode);
        assert_eq!(c.apply("threads", &ParamValue::Int(3)), Ok(()));
        assert_eq!(c.workloads, vec![Workload::Cpu; 3]);
        assert_eq!(GilConfig::change_of("threads"), Change::Restart);
        assert!(c.apply("colour", &ParamValue::Int(3)).is_err());
        for (i, name) in MODE_NAMES.iter().enumerate() {
            let mode: Mode = name.parse().unwrap();
            assert_eq!((mode.name(), mode as usize), (*name, i));
        }
    }

    #[test]
    fn defaults_are_two_cpu_threads_under_the_gil() {
        let c = GilConfig::from_params(&params(&[])).unwrap();
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
        ]))
        .unwrap();
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
