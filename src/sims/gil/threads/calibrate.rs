//! The real engine's conductor: collects what the workers log into a [`Recorder`], publishes
//! snapshots, and measures the speedup's reference, one thread of the same kind alone.
//!
//! Why the reference is measured this way (a 2-core machine shared with other busy
//! programs): a reference measured once before the run, or taken from another run, compares
//! work done under one background load with work done under another, and the ratio then
//! says more about the neighbours than about the GIL. So the reference is measured in short
//! windows spread through the run ([`CALIBRATION_WINDOW`] every [`CALIBRATION_PERIOD`]):
//! the workers park (releasing any GIL they hold), one reference thread runs the very same
//! batches on its own, uncontended GIL for the window, then the workers go on. Both sides
//! therefore sample the same background load over the same span of time, the reference is
//! never slowed by the demo's own threads, and the time spent in windows is left out of
//! the demo's measured time (the workers are parked in it). The reference runs a standard,
//! GIL build: in `free-threaded` mode the speedup includes that build's single-thread
//! overhead, as it would for a Python user switching builds. Rates are counted from the
//! first to the last completed unit in a window, so a window cut in the middle of an I/O
//! operation does not bias the rate.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use serde_json::Value;

use super::super::real_gil::{Taken, WaitObserver};
use super::super::timeline::{GilSnapshot, Recorder, metrics};
use super::super::{GilConfig, IO_CPU_BATCHES, Workload};
use super::{Ev, OUTER_CHECK_BATCHES, Shared, cell_ns, frame, run_batches};
use crate::sims::control::RunControl;

/// How long one reference window lasts (I/O references: at least three operations).
pub const CALIBRATION_WINDOW: Duration = Duration::from_millis(150);
/// The longest an I/O reference window may last (very long I/O operations).
pub const CALIBRATION_WINDOW_MAX: Duration = Duration::from_millis(1500);
/// How often a reference window comes round.
pub const CALIBRATION_PERIOD: Duration = Duration::from_secs(2);
/// How long the conductor waits for the workers to park before measuring anyway.
const PARK_TIMEOUT: Duration = Duration::from_millis(200);
/// The reference thread's id at its GIL (no worker has it).
const REFERENCE_ID: usize = usize::MAX - 1;

/// Work and demo time measured by the reference thread alone.
#[derive(Debug, Default, Clone, Copy)]
struct Reference {
    units: f64,
    ns: u64,
}

impl Reference {
    fn rate(&self) -> Option<f64> {
        (self.units > 0.0 && self.ns > 0).then(|| self.units / (self.ns as f64 / 1e9))
    }
}

struct ReferenceWait<'a>(&'a Shared);

impl WaitObserver for ReferenceWait<'_> {
    fn should_leave(&self) -> bool {
        self.0.control.is_stopping() || self.0.control.is_paused()
    }
    fn waiting(&self) {}
    fn drop_requested(&self) {}
}

/// The conductor's own state.
struct Conductor<'a> {
    shared: &'a Shared,
    latest: &'a ArcSwap<GilSnapshot>,
    config: GilConfig,
    version: u64,
    recorder: Recorder,
    reference: Reference,
    last_units: Vec<u64>,
    last_t: u64,
    calibrating: bool,
}

impl Conductor<'_> {
    /// Moves every worker's log and work into the recorder, up to now.
    fn collect(&mut self) {
        let shared = self.shared;
        let now = shared.clock.now();
        for (w, slot) in shared.workers.iter().enumerate() {
            let events = std::mem::take(&mut *slot.log.lock().unwrap_or_else(|p| p.into_inner()));
            for (t, ev) in events {
                match ev {
                    Ev::State(s) => self.recorder.set_state(w, t, s),
                    Ev::Switch => self.recorder.switch(),
                    Ev::DropRequest => self.recorder.drop_request(),
                    Ev::Release => self.recorder.release(),
                    Ev::SelfReacquire => self.recorder.self_reacquire(),
                    Ev::Latency(ns) => self.recorder.io_latency(ns),
                }
            }
            let units = slot.units.load(Ordering::Relaxed);
            let delta = units.saturating_sub(self.last_units[w]);
            self.last_units[w] = units;
            self.recorder.add_units(w, delta as f64);
            let core = slot.core.load(Ordering::Relaxed);
            self.recorder
                .set_core(w, (core != super::UNKNOWN_CORE).then_some(core));
        }
        self.recorder.add_measured(now.saturating_sub(self.last_t));
        self.last_t = now;
        self.recorder.advance_all(now);
    }

    fn snapshot(&self) -> GilSnapshot {
        let kind = self.config.speedup_kind();
        let speedup = self
            .reference
            .rate()
            .filter(|_| self.recorder.measured_ns() > 0)
            .map(|r| self.recorder.rate_of(kind) / r);
        let slow_motion = self.shared.slow_motion();
        self.recorder.snapshot(frame(
            &self.config,
            slow_motion,
            self.shared.clock.now(),
            speedup,
            self.shared.control.is_paused(),
            self.calibrating,
        ))
    }

    fn publish(&self) {
        self.latest.store(Arc::new(self.snapshot()));
    }

    /// Takes a new configuration: the old counters were measured under other rules.
    fn reconfigure(&mut self) {
        let version = self.shared.version.load(Ordering::SeqCst);
        if version == self.version {
            return;
        }
        self.collect();
        self.version = version;
        self.config = self.shared.config().clone();
        self.recorder.reset_counters();
        self.recorder.set_cell_ns(cell_ns(&self.config));
        for (w, workload) in self.config.workloads.iter().enumerate() {
            self.recorder.set_workload(w, *workload);
        }
        self.reference = Reference::default();
    }

    /// Parks the workers, measures one thread alone, lets them go on.
    fn calibrate(&mut self) {
        self.collect();
        let shared = self.shared;
        shared.gate.set_paused(true);
        shared.wake_all();
        self.calibrating = true;
        self.publish();
        let parked_by = Instant::now() + PARK_TIMEOUT;
        while Instant::now() < parked_by && !shared.control.is_stopping() {
            let quiet = shared
                .workers
                .iter()
                .all(|s| s.parked.load(Ordering::SeqCst) || s.in_io.load(Ordering::SeqCst));
            if quiet {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        if let Some((units, ns)) = run_reference(shared, &self.config) {
            self.reference.units += units;
            self.reference.ns += ns;
        }
        // The window is not demo time: skip its span and whatever trickled in as the
        // workers parked.
        self.last_t = shared.clock.now();
        for (w, slot) in shared.workers.iter().enumerate() {
            self.last_units[w] = slot.units.load(Ordering::Relaxed);
        }
        shared.gate.set_paused(false);
        self.calibrating = false;
    }
}

/// One thread of the speedup's kind alone on its own GIL for one window: (units completed
/// after the first, demo ns from the first completion to the last).
fn run_reference(shared: &Shared, config: &GilConfig) -> Option<(f64, u64)> {
    let gil = shared.reference_gil();
    let obs = ReferenceWait(shared);
    let kind = config.speedup_kind();
    let io_real = Duration::from_nanos(shared.io_real_ns.load(Ordering::Relaxed));
    let window = match kind {
        Workload::Cpu => CALIBRATION_WINDOW,
        Workload::Io => (io_real * 3).clamp(CALIBRATION_WINDOW, CALIBRATION_WINDOW_MAX),
    };
    let deadline = Instant::now() + window;
    let iterations = shared.batch_iterations;
    let mut first: Option<u64> = None;
    let mut last = 0;
    let mut units = 0.0;
    while Instant::now() < deadline && !obs.should_leave() {
        if gil.take(REFERENCE_ID, None, &obs) == Taken::Left {
            break;
        }
        let done = match kind {
            Workload::Cpu => run_batches(Some(gil), OUTER_CHECK_BATCHES, iterations).0,
            Workload::Io => {
                run_batches(Some(gil), IO_CPU_BATCHES, iterations);
                1
            }
        };
        gil.release(REFERENCE_ID, false, &obs);
        let t = shared.clock.now();
        if first.is_none() {
            first = Some(t);
        } else {
            units += done as f64;
            last = t;
        }
        if kind == Workload::Io && !shared.control.sleep(io_real) {
            break;
        }
    }
    let first = first?;
    (units > 0.0 && last > first).then(|| (units, last - first))
}

/// The conductor thread: runs until `conductor` stops (after the workers are joined),
/// then returns the final metrics.
pub(super) fn conduct(
    shared: &Shared,
    conductor: &RunControl,
    latest: &ArcSwap<GilSnapshot>,
) -> Value {
    let config = shared.config().clone();
    let now = shared.clock.now();
    let mut c = Conductor {
        shared,
        latest,
        recorder: Recorder::new(&config.workloads, cell_ns(&config), now),
        last_units: vec![0; config.threads()],
        version: shared.version.load(Ordering::SeqCst),
        config,
        reference: Reference::default(),
        last_t: now,
        calibrating: false,
    };
    let mut next_calibration = Instant::now();
    loop {
        let version = c.version;
        c.reconfigure();
        if c.version != version {
            next_calibration = Instant::now();
        }
        if Instant::now() >= next_calibration
            && !shared.control.is_paused()
            && !shared.control.is_stopping()
        {
            c.calibrate();
            next_calibration = Instant::now() + CALIBRATION_PERIOD;
        }
        c.collect();
        c.publish();
        if !conductor.sleep(super::FRAME_INTERVAL) {
            break;
        }
    }
    c.collect();
    let snap = c.snapshot();
    c.latest.store(Arc::new(snap.clone()));
    metrics(&snap, &c.recorder, c.reference.rate())
}
