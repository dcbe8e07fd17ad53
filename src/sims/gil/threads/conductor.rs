//! The real engine's conductor thread: every frame collects what the workers logged into
//! a [`Recorder`] and publishes a snapshot; takes live configuration changes; every
//! [`CALIBRATION_PERIOD`] parks the workers for a reference window (see [`super::reference`]);
//! at the end returns the final figures.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::reference::{
    CALIBRATION_PERIOD, CALIBRATION_WINDOW, FIRST_CALIBRATION_DELAY, NO_RUNNER, PARK_TIMEOUT,
    Reference, quiet,
};
use super::shared::{Ev, Shared, UNKNOWN};
use super::{FRAME_INTERVAL, cell_ns, frame};
use crate::sims::gil::GilConfig;
use crate::sims::gil::Workload;
use crate::sims::gil::timeline::{GilFigures, GilSnapshot, Recorder};
use crate::sims::headless::round3;
use crate::sims::kit::{RunControl, SnapshotCell};

/// How far behind the newest log entries the states are accounted (a few frames).
const ACCOUNTING_LAG: Duration = Duration::from_millis(100);
/// Longest the conductor sleeps at a time while a window runs (so a stop is seen soon).
const CONDUCTOR_NAP: Duration = Duration::from_millis(10);
/// The conductor's own state.
struct Conductor<'a> {
    shared: &'a Shared,
    latest: &'a SnapshotCell<GilSnapshot>,
    config: GilConfig,
    version: u64,
    recorder: Recorder,
    reference: Reference,
    last_units: Vec<u64>,
    /// Each worker's CPU time at the last collection, real ns (`u64::MAX`: not yet read).
    last_cpu: Vec<u64>,
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
                    Ev::Release { contended } => self.recorder.release(contended),
                    Ev::SelfReacquire => self.recorder.self_reacquire(),
                    Ev::Latency(ns) => self.recorder.io_latency(ns),
                }
            }
            let units = slot.units.load(Ordering::Relaxed);
            let delta = units.saturating_sub(self.last_units[w]);
            self.last_units[w] = units;
            let cpu = slot.cpu_ns.load(Ordering::Relaxed);
            let last = std::mem::replace(&mut self.last_cpu[w], cpu);
            if cpu != u64::MAX && last != u64::MAX {
                let demo_ns = cpu.saturating_sub(last) as f64 / shared.slow_motion();
                self.recorder.add_on_core(w, demo_ns as u64);
            }
            self.recorder.add_units(w, delta as f64);
            let core = slot.core.load(Ordering::Relaxed);
            self.recorder.set_core(w, (core != UNKNOWN).then_some(core));
        }
        self.recorder.add_measured(now.saturating_sub(self.last_t));
        self.last_t = now;
        // A worker preempted just after releasing the GIL logs its next state late, dated
        // back to the release; states are only accounted up to a little while ago so that
        // such an entry still lands in order and two threads never both seem to hold it.
        let lag = ACCOUNTING_LAG.as_nanos() as f64 / shared.slow_motion();
        self.recorder.advance_all(now.saturating_sub(lag as u64));
    }

    /// One thread alone's units per demo second, for the speedup.
    fn reference_rate(&self) -> Option<f64> {
        match self.config.speedup_kind() {
            Workload::Cpu => self.reference.rate(),
            Workload::Io => self.shared.io_reference().rate(self.version),
        }
    }

    fn snapshot(&self) -> GilSnapshot {
        let kind = self.config.speedup_kind();
        let speedup = self
            .reference_rate()
            .filter(|_| self.recorder.measured_ns() > 0)
            .map(|r| self.recorder.rate_of(kind) / r);
        let slow_motion = self.shared.slow_motion();
        let mut snap = self.recorder.snapshot(frame(
            &self.config,
            slow_motion,
            self.shared.clock.now(),
            speedup,
            self.shared.control.is_paused(),
            self.calibrating,
        ));
        snap.reference_core_share = self.reference.core_share();
        snap
    }

    fn publish(&self) {
        self.latest.publish(self.snapshot());
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
        let Some(runner) = self
            .config
            .workloads
            .iter()
            .position(|w| *w == Workload::Cpu)
        else {
            return;
        };
        self.collect();
        let shared = self.shared;
        *shared.reference_result() = None;
        shared.reference_runner.store(runner, Ordering::SeqCst);
        // Freeze first: a conductor preempted between the two would otherwise leave the
        // workers parked on a running clock, and the strips blank.
        shared.clock.set_frozen(true);
        shared.gate.set_paused(true);
        shared.wake_all();
        self.calibrating = true;
        self.publish();
        // The runner measures once the others are parked, then parks too. The conductor
        // sleeps through the window: polling it every 200 us took a share of the lone
        // thread's core that the demo's threads never pay (one thread alone then read
        // 1.1 to 1.4 times faster than "alone").
        let done_by = Instant::now() + 2 * PARK_TIMEOUT + CALIBRATION_WINDOW;
        {
            let mut result = shared.reference_result();
            loop {
                let now = Instant::now();
                if shared.reference_runner.load(Ordering::SeqCst) == NO_RUNNER
                    || now >= done_by
                    || shared.control.is_stopping()
                {
                    break;
                }
                let nap = (done_by - now).min(CONDUCTOR_NAP);
                result = shared
                    .reference_done
                    .wait_timeout(result, nap)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
        }
        while Instant::now() < done_by && !shared.control.is_stopping() && !quiet(shared, None) {
            std::thread::sleep(Duration::from_micros(200));
        }
        shared.reference_runner.store(NO_RUNNER, Ordering::SeqCst);
        if let Some(window) = shared.reference_result().take() {
            self.reference.add(window);
        }
        // The window is not demo time: skip its span and whatever trickled in as the
        // workers parked. The clock stays frozen until a worker runs again (it thaws it),
        // so the wake-up is not demo time either; the conductor thaws it next frame if
        // no worker does.
        self.last_t = shared.clock.now();
        for (w, slot) in shared.workers.iter().enumerate() {
            self.last_units[w] = slot.units.load(Ordering::Relaxed);
            self.last_cpu[w] = slot.cpu_ns.load(Ordering::Relaxed);
        }
        shared.gate.set_paused(false);
        self.calibrating = false;
    }
}

/// The conductor thread: runs until `conductor` stops (after the workers are joined),
/// then returns the final metrics.
pub(super) fn conduct(
    shared: &Shared,
    conductor: &RunControl,
    latest: &SnapshotCell<GilSnapshot>,
) -> Value {
    let config = shared.config().clone();
    let now = shared.clock.now();
    let mut c = Conductor {
        shared,
        latest,
        recorder: Recorder::new(&config.workloads, cell_ns(&config), now),
        last_units: vec![0; config.threads()],
        last_cpu: vec![u64::MAX; config.threads()],
        version: shared.version.load(Ordering::SeqCst),
        config,
        reference: Reference::default(),
        last_t: now,
        calibrating: false,
    };
    let mut next_calibration = Instant::now() + FIRST_CALIBRATION_DELAY;
    let mut thaw_due = false;
    loop {
        // A frame after a window, the clock runs again even if no worker thawed it.
        if std::mem::take(&mut thaw_due) {
            shared.clock.thaw();
        }
        let version = c.version;
        c.reconfigure();
        if c.version != version {
            next_calibration = Instant::now() + FIRST_CALIBRATION_DELAY;
        }
        if Instant::now() >= next_calibration
            && c.config.speedup_kind() == Workload::Cpu
            && !shared.control.is_paused()
            && !shared.control.is_stopping()
        {
            c.calibrate();
            thaw_due = true;
            next_calibration = Instant::now() + CALIBRATION_PERIOD;
        }
        c.collect();
        c.publish();
        if !conductor.sleep(FRAME_INTERVAL) {
            break;
        }
    }
    c.collect();
    c.recorder.advance_all(shared.clock.now());
    let snap = c.snapshot();
    c.latest.publish(snap.clone());
    let mut figures = GilFigures::new(&snap, &c.recorder, c.reference_rate());
    figures.reference_core_share = Some(c.reference.core_share().map(round3));
    figures.to_value()
}
