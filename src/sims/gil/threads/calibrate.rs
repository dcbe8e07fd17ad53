//! The real engine's conductor: collects what the workers log into a [`Recorder`], publishes
//! snapshots, and measures the speedup's reference, one thread of the same kind alone.
//!
//! How the reference is measured, so that it does not lie on a 2-core machine shared with
//! other busy programs (each finding below was measured on such a machine):
//! - Same run, same conditions, spread out: a reference measured once before the run (or
//!   in another run) compares work done under one background load with work done under
//!   another. So it is measured in short windows spread through the run
//!   ([`CALIBRATION_WINDOW`] every [`CALIBRATION_PERIOD`]): the workers park, releasing any
//!   GIL they hold, and one of them runs the very same batches alone on its own,
//!   uncontended GIL. Demo and reference alternate, so both sample the same background
//!   load; window time is left out of the demo's measured time.
//! - Not cold: the first window waits [`FIRST_CALIBRATION_DELAY`]. Measured at start-up,
//!   the reference made two CPU threads under the GIL look 1.2 to 1.4 times faster.
//! - Measured by a warm demo worker, not by the conductor: the conductor sleeps between
//!   frames and, on a busy machine, got up to 45% less CPU in its windows than a worker
//!   that had been running, so one thread alone "sped up" 1.8 times against it.
//! - Nothing else of the demo's runs in a window: the conductor sleeps until the runner
//!   signals it is done. (It used to poll every 200 us; on a machine with one busy
//!   neighbour the lone thread then got 86-95% of a core against the demo's ~100%, and
//!   one thread "sped up" 1.03-1.16 times against itself.) The clock freezes before the
//!   gate closes and runs again when a worker does, so neither parking nor waking up
//!   is demo time.
//! - Wall clock on both sides: the lone thread and the demo's threads compete with the same
//!   neighbours, so their wall-clock rates compare like with like. (Dividing by the lone
//!   thread's rate per second of CPU instead charged the neighbours' load to the demo only:
//!   free-threaded came out slower than the GIL.) How much of a core the lone thread got is
//!   reported beside the speedup (`reference_core_share`), so a busy machine is visible.
//!   On Linux with autogroup the whole process gets one fair share of a busy machine, so
//!   parallel modes can only show a speedup as large as the cores that share buys.
//! - I/O references run beside the demo instead, all the time ([`io_reference_loop`]): a
//!   thread that sleeps through its I/O takes almost no CPU from the demo, and a few short
//!   windows held too few operations (one late wake-up moved the result by 10%). Rates are
//!   counted from one completed operation to the next, so no partial operation counts.
//! - The reference runs a standard, GIL build: in `free-threaded` mode the speedup includes
//!   that build's single-thread overhead, as it would for a Python user switching builds.

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
use crate::sims::headless::round3;

/// How long one reference window lasts.
pub const CALIBRATION_WINDOW: Duration = Duration::from_millis(60);
/// How often a reference window comes round: many short windows average the machine's
/// background load better than a few long ones. Windows take a tenth of the time.
pub const CALIBRATION_PERIOD: Duration = Duration::from_millis(600);
/// The first window waits this long, so it does not measure a cold start (threads
/// spawning, caches and clock frequency still ramping up) against a warm run.
pub const FIRST_CALIBRATION_DELAY: Duration = Duration::from_millis(200);
/// How far behind the newest log entries the states are accounted (a few frames).
const ACCOUNTING_LAG: Duration = Duration::from_millis(100);
/// How long the conductor waits for the workers to park before measuring anyway.
const PARK_TIMEOUT: Duration = Duration::from_millis(200);
/// Longest the conductor sleeps at a time while a window runs (so a stop is seen soon).
const CONDUCTOR_NAP: Duration = Duration::from_millis(10);
/// The reference thread's id at its GIL (no worker has it).
const REFERENCE_ID: usize = usize::MAX - 1;

/// What one reference window measured: units completed after the first, and the demo
/// ns they took in wall time and in the thread's CPU time (I/O: wall time).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Window {
    units: f64,
    cpu_ns: u64,
    wall_ns: u64,
}

/// Work and time measured by the reference thread alone, summed over the windows.
#[derive(Debug, Default, Clone, Copy)]
struct Reference {
    units: f64,
    cpu_ns: u64,
    wall_ns: u64,
}

impl Reference {
    fn add(&mut self, w: Window) {
        self.units += w.units;
        self.cpu_ns += w.cpu_ns;
        self.wall_ns += w.wall_ns;
    }

    /// Units per demo second of wall time, as the lone thread got them.
    fn rate(&self) -> Option<f64> {
        (self.units > 0.0 && self.wall_ns > 0).then(|| self.units / (self.wall_ns as f64 / 1e9))
    }

    /// How much of a core the lone thread got (about 1 on an idle machine).
    fn core_share(&self) -> Option<f64> {
        (self.cpu_ns > 0 && self.wall_ns > 0).then(|| self.cpu_ns as f64 / self.wall_ns as f64)
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
                    Ev::Release { contended } => self.recorder.release(contended),
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
        }
        shared.gate.set_paused(false);
        self.calibrating = false;
    }
}

/// No worker is asked to measure the reference.
pub(super) const NO_RUNNER: usize = usize::MAX;

/// True when every worker (but `except`) is parked or asleep in I/O.
fn quiet(shared: &Shared, except: Option<usize>) -> bool {
    shared.workers.iter().enumerate().all(|(w, s)| {
        Some(w) == except || s.parked.load(Ordering::SeqCst) || s.in_io.load(Ordering::SeqCst)
    })
}

/// Called by worker `w` at the closed gate: if it is the one asked, waits until the others
/// are parked and measures the reference window. The reference is run by a demo worker
/// itself, a thread as warm and as placed by the scheduler as the ones it is compared with
/// (run by the conductor, which sleeps between frames, it came out up to 45% slower on
/// this busy machine, and one thread "sped up" 1.8 times against it).
pub(super) fn measure_if_asked(shared: &Shared, w: usize) {
    if shared.reference_runner.load(Ordering::SeqCst) != w {
        return;
    }
    let by = Instant::now() + PARK_TIMEOUT;
    while !quiet(shared, Some(w)) && Instant::now() < by && !shared.control.is_stopping() {
        std::thread::sleep(Duration::from_micros(200));
    }
    let window = run_reference(shared);
    let mut result = shared.reference_result();
    *result = window;
    shared.reference_runner.store(NO_RUNNER, Ordering::SeqCst);
    shared.reference_done.notify_all();
}

/// One CPU thread alone on its own GIL for one window: units completed after the first
/// chunk, and the wall and CPU time from the first chunk's end to the last's.
fn run_reference(shared: &Shared) -> Option<Window> {
    let gil = shared.reference_gil();
    let obs = ReferenceWait(shared);
    let started = Instant::now();
    let deadline = started + CALIBRATION_WINDOW;
    let iterations = shared.batch_iterations;
    let mut first: Option<(u64, u64)> = None;
    let mut last = (0, 0);
    let mut units = 0.0;
    while Instant::now() < deadline && !obs.should_leave() {
        if gil.take(REFERENCE_ID, None, &obs) == Taken::Left {
            break;
        }
        let done = run_batches(Some(gil), OUTER_CHECK_BATCHES, iterations).0;
        gil.release(REFERENCE_ID, false, &obs);
        // The demo clock stands still in the window: time it on the real clock. The CPU
        // clock is read only at both ends: the demo's threads do not pay for it.
        let real = started.elapsed().as_nanos() as u64;
        let wall = (real as f64 / shared.slow_motion()) as u64;
        let cpu = || thread_cpu_ns().map_or(wall, |ns| (ns as f64 / shared.slow_motion()) as u64);
        if first.is_none() {
            first = Some((cpu(), wall));
        } else {
            units += done as f64;
            last = (0, wall);
            if Instant::now() >= deadline || obs.should_leave() {
                last.0 = cpu();
                break;
            }
        }
    }
    let first = first?;
    (units > 0.0 && last.0 > first.0 && last.1 > first.1).then(|| Window {
        units,
        cpu_ns: last.0 - first.0,
        wall_ns: last.1 - first.1,
    })
}

/// I/O operations one I/O thread alone completed, and the demo time they took, for the
/// configuration `version`.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct IoReference {
    version: u64,
    units: f64,
    wall_ns: u64,
}

impl IoReference {
    fn rate(&self, version: u64) -> Option<f64> {
        (self.version == version && self.units > 0.0 && self.wall_ns > 0)
            .then(|| self.units / (self.wall_ns as f64 / 1e9))
    }
}

/// The I/O reference thread: while the speedup is over I/O threads, serves requests alone
/// on its own GIL, exactly as an I/O worker does, and counts them.
pub(super) fn io_reference_loop(shared: &Shared) {
    let gil = shared.reference_gil();
    let obs = ReferenceWait(shared);
    let iterations = shared.batch_iterations;
    let mut version = u64::MAX;
    let mut previous: Option<u64> = None;
    while shared.control.checkpoint() {
        let current = shared.version.load(Ordering::SeqCst);
        if current != version {
            version = current;
            previous = None;
            *shared.io_reference() = IoReference {
                version,
                ..IoReference::default()
            };
        }
        if shared.config().speedup_kind() != Workload::Io {
            previous = None;
            shared.control.sleep(super::FRAME_INTERVAL);
            continue;
        }
        if gil.take(REFERENCE_ID, None, &obs) == Taken::Left {
            continue;
        }
        run_batches(Some(gil), IO_CPU_BATCHES, iterations);
        gil.release(REFERENCE_ID, false, &obs);
        let now = shared.clock.now();
        if let Some(before) = previous {
            let mut r = shared.io_reference();
            if r.version == version {
                r.units += 1.0;
                r.wall_ns += now.saturating_sub(before);
            }
        }
        previous = Some(now);
        let io = Duration::from_nanos(shared.io_real_ns.load(Ordering::Relaxed));
        if !shared.control.sleep(io) {
            break;
        }
    }
}

/// CPU time the calling thread has used, ns (`None` where the OS does not say).
fn thread_cpu_ns() -> Option<u64> {
    #[cfg(unix)]
    {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes one timespec we own; CLOCK_THREAD_CPUTIME_ID only
        // reads the calling thread's accounting.
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        if rc == 0 {
            return Some(ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64);
        }
    }
    None
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
        if !conductor.sleep(super::FRAME_INTERVAL) {
            break;
        }
    }
    c.collect();
    c.recorder.advance_all(shared.clock.now());
    let snap = c.snapshot();
    c.latest.store(Arc::new(snap.clone()));
    let mut out = metrics(&snap, &c.recorder, c.reference_rate());
    if let Value::Object(map) = &mut out {
        map.insert(
            "reference_core_share".into(),
            c.reference.core_share().map(round3).into(),
        );
    }
    out
}
