//! The `gil` demo's parameters, declared once: each choice is an enum that gives its own
//! words, parsing and option list; [`PARAMS`] declares them for the panel and the CLI;
//! [`GilConfig`] is the typed configuration ([`EngineConfig`]: `from_params`, and `apply`
//! for a live change, whose effect [`GilConfig::change_of`] names). A word no enum knows
//! is an error, never a default. The `engine` choice is the kit's, shared with race and
//! deadlock.

use strum::{FromRepr, VariantNames};

use super::{BATCH_NS, MAX_THREADS};
use crate::sims::kit::choice::choice_enum;
use crate::sims::kit::config::{self, EngineConfig};
pub use crate::sims::kit::step_model::EngineKind;
use crate::sims::kit::step_model::engine_spec;
use crate::sims::kit::{Choice, choice_spec};
use crate::sims::{ParamError, ParamSpec, ParamValue};

choice_enum! {
    /// The workload of one thread.
    #[derive(Hash, FromRepr)]
    #[repr(u8)]
    pub enum Workload {
        /// Pure Python computation: runs bytecode batches for ever.
        Cpu,
        /// A server's loop: a little Python work, then a blocking I/O call of `io_ms`.
        Io,
    }
}

choice_enum! {
    /// Which interpreter the threads run in.
    #[derive(Hash, FromRepr)]
    #[repr(u8)]
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
}

impl Workload {
    /// The word used in parameters and JSON.
    pub fn name(self) -> &'static str {
        self.into()
    }
}

impl Mode {
    /// The word used in parameters and JSON.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// True where threads of one process share one GIL.
    pub fn shares_one_gil(self) -> bool {
        matches!(self, Mode::Gil | Mode::GilLegacy)
    }
}

/// The `mode` choices, in panel order.
pub const MODE_NAMES: &[&str] = Mode::VARIANTS;

/// The `gil` demo's parameters.
#[rustfmt::skip] // a table: one row per parameter
pub const PARAMS: &[ParamSpec] = &[
    ParamSpec::int("threads", 1, MAX_THREADS as i64, "2", "how many Python threads run"),
    ParamSpec::list("workload", Workload::VARIANTS, MAX_THREADS, "cpu", "cpu or io per thread (cpu,io: thread 1 computes, 2 does I/O; the last repeats)"),
    choice_spec::<Mode>("mode", "gil", "gil (3.2+), gil-legacy (Python 2), free-threaded (no GIL), processes"),
    ParamSpec::float("switch_interval_ms", 0.1, 100.0, "5", "sys.setswitchinterval: how long a waiter waits before asking for the GIL").used_when("mode", &["gil"]),
    ParamSpec::float("io_ms", 0.01, 1000.0, "10", "how long each blocking I/O operation of an io thread takes").used_when("workload", &["io"]),
    ParamSpec::float("ft_overhead_pct", 0.0, 100.0, "10", "free-threaded: how much slower one thread runs than on a GIL build").used_when("mode", &["free-threaded"]),
    ParamSpec::float("timescale", 1.0, 1000.0, "1", "slow motion: every duration is multiplied by this (1 = real time)"),
    engine_spec("threads: real threads on your cores; model: step-able simulation"),
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

/// What a live change asks of a running engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// `switch_interval_ms` changed.
    Interval,
    /// `io_ms` changed.
    IoLength,
    /// `ft_overhead_pct` changed.
    FtOverhead,
    /// `timescale` changed.
    Timescale,
    /// `mode` changed.
    Mode,
    /// `workload` changed.
    Workloads,
    /// Only a restart applies it (`threads`, `engine`).
    Restart,
}

/// `cpu,io` for 4 threads is `cpu,io,io,io`: a shorter list repeats its last item.
pub fn expand_workloads(list: &str, threads: usize) -> Result<Vec<Workload>, ParamError> {
    let items = list
        .split(',')
        .map(|w| Workload::parse_word("workload", w.trim()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(repeat_last(&items, threads))
}

/// `items` cut or stretched to `n`, the last item repeated.
fn repeat_last(items: &[Workload], n: usize) -> Vec<Workload> {
    let last = *items.last().unwrap_or(&Workload::Cpu);
    (0..n)
        .map(|i| items.get(i).copied().unwrap_or(last))
        .collect()
}

impl Default for GilConfig {
    /// The starting point `from_params` applies every declared value to.
    fn default() -> GilConfig {
        GilConfig {
            workloads: vec![Workload::Cpu],
            mode: Mode::Gil,
            switch_interval_ms: 5.0,
            io_ms: 10.0,
            ft_overhead_pct: 10.0,
            timescale: 1.0,
            engine: EngineKind::Threads,
        }
    }
}

impl EngineConfig for GilConfig {
    fn apply(&mut self, name: &str, value: &ParamValue) -> Result<(), ParamError> {
        match name {
            "threads" => {
                let n = config::count_in(name, value, 1, MAX_THREADS as i64)?;
                self.workloads = repeat_last(&self.workloads, n);
            }
            "workload" => self.workloads = expand_workloads(&value.to_string(), self.threads())?,
            "mode" => self.mode = value.choice(name)?,
            "switch_interval_ms" => self.switch_interval_ms = config::float(name, value)?,
            "io_ms" => self.io_ms = config::float(name, value)?,
            "ft_overhead_pct" => self.ft_overhead_pct = config::float(name, value)?,
            "timescale" => self.timescale = config::float(name, value)?.max(1.0),
            "engine" => self.engine = value.choice(name)?,
            _ => return Err(config::unknown("gil", name, PARAMS)),
        }
        Ok(())
    }
}

impl GilConfig {
    /// What a running engine must do once parameter `name` has a new value.
    pub fn change_of(name: &str) -> Change {
        match name {
            "switch_interval_ms" => Change::Interval,
            "io_ms" => Change::IoLength,
            "ft_overhead_pct" => Change::FtOverhead,
            "timescale" => Change::Timescale,
            "mode" => Change::Mode,
            "workload" => Change::Workloads,
            _ => Change::Restart,
        }
    }

    /// How many threads run.
    pub fn threads(&self) -> usize {
        self.workloads.len()
    }

    /// The switch interval in demo nanoseconds (at least one batch).
    pub fn interval_ns(&self) -> u64 {
        super::ms_to_ns(self.switch_interval_ms).max(BATCH_NS)
    }

    /// One I/O operation in demo nanoseconds.
    pub fn io_ns(&self) -> u64 {
        super::ms_to_ns(self.io_ms).max(1)
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
