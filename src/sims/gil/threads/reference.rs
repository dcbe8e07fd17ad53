//! The real engine's speedup reference: one thread of the same kind alone, measured in
//! short windows spread through the run (CPU) or beside the run (I/O). The conductor opens
//! the windows ([`super::conductor`]); a parked worker runs them.
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

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::shared::{Shared, note_cpu, run_batches, thread_cpu_ns};
use super::worker::OUTER_CHECK_BATCHES;
use crate::sims::gil::real_gil::{Taken, WaitObserver};
use crate::sims::gil::{IO_CPU_BATCHES, Workload};

/// How long one reference window lasts.
pub const CALIBRATION_WINDOW: Duration = Duration::from_millis(60);
/// How often a reference window comes round: many short windows average the machine's
/// background load better than a few long ones. Windows take a tenth of the time.
pub const CALIBRATION_PERIOD: Duration = Duration::from_millis(600);
/// The first window waits this long, so it does not measure a cold start (threads
/// spawning, caches and clock frequency still ramping up) against a warm run.
pub const FIRST_CALIBRATION_DELAY: Duration = Duration::from_millis(200);
/// How long the conductor waits for the workers to park before measuring anyway.
pub(super) const PARK_TIMEOUT: Duration = Duration::from_millis(200);
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
pub(super) struct Reference {
    units: f64,
    cpu_ns: u64,
    wall_ns: u64,
}

impl Reference {
    /// Adds one window.
    pub(super) fn add(&mut self, w: Window) {
        self.units += w.units;
        self.cpu_ns += w.cpu_ns;
        self.wall_ns += w.wall_ns;
    }

    /// Units per demo second of wall time, as the lone thread got them.
    pub(super) fn rate(&self) -> Option<f64> {
        (self.units > 0.0 && self.wall_ns > 0).then(|| self.units / (self.wall_ns as f64 / 1e9))
    }

    /// How much of a core the lone thread got (about 1 on an idle machine).
    pub(super) fn core_share(&self) -> Option<f64> {
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

/// No worker is asked to measure the reference.
pub(super) const NO_RUNNER: usize = usize::MAX;

/// True when every worker (but `except`) is parked or asleep in I/O.
pub(super) fn quiet(shared: &Shared, except: Option<usize>) -> bool {
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
    note_cpu(shared, w); // the window's CPU time is not the demo's
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
    /// Operations per demo second, if measured for configuration `version`.
    pub(super) fn rate(&self, version: u64) -> Option<f64> {
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
