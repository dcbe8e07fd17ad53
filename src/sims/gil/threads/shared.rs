//! What the real engine's workers, conductor and handle share: the run controls, the
//! clock, the GILs, one slot per worker (counters and log), the live configuration, and
//! the batch of real arithmetic that stands for one bytecode batch.

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use super::clock::Clock;
use super::reference;
use crate::sims::control::RunControl;
use crate::sims::gil::real_gil::RealGil;
use crate::sims::gil::timeline::ThreadState;
use crate::sims::gil::{BATCH_NS, GilConfig, Mode, Workload};

/// Most log entries a worker keeps between two collections (the conductor collects every
/// frame, so this is only reached if it stalls).
const MAX_PENDING_EVENTS: usize = 100_000;
/// A slot's core or CPU time when the OS does not say.
pub(super) const UNKNOWN: usize = usize::MAX;

/// What a worker logs for the conductor, with its demo time.
#[derive(Debug, Clone, Copy)]
pub(super) enum Ev {
    State(ThreadState),
    Switch,
    DropRequest,
    Release { contended: bool },
    SelfReacquire,
    Latency(u64),
}

/// One worker's counters and log, on its own cache lines.
#[derive(Debug)]
#[repr(align(128))]
pub(super) struct WorkerSlot {
    pub(super) workload: AtomicU8,
    pub(super) units: AtomicU64,
    pub(super) core: AtomicUsize,
    pub(super) parked: AtomicBool,
    pub(super) in_io: AtomicBool,
    pub(super) log: Mutex<Vec<(u64, Ev)>>,
    /// CPU time the worker has used, real ns (`u64::MAX` until known).
    pub(super) cpu_ns: AtomicU64,
}

/// Everything the workers, the conductor and the handle share.
pub(super) struct Shared {
    pub(super) control: Arc<RunControl>,
    /// Closed (paused) while the conductor measures one thread alone.
    pub(super) gate: RunControl,
    pub(super) clock: Clock,
    /// `[0]` the process's GIL; `[1 + i]` thread i's own (processes); the last one the
    /// reference thread's.
    pub(super) gils: Vec<RealGil>,
    pub(super) workers: Vec<WorkerSlot>,
    pub(super) mode: AtomicU8,
    /// Bumped on a change of mode or workload: waiters leave and re-decide.
    pub(super) epoch: AtomicU64,
    pub(super) interval_real_ns: AtomicU64,
    pub(super) io_real_ns: AtomicU64,
    pub(super) ft_overhead_permille: AtomicU64,
    /// Real seconds per demo second (timescale / playback speed), as f64 bits.
    pub(super) slow_motion_bits: AtomicU64,
    /// The worker asked to measure the next CPU reference window, and what it measured.
    pub(super) reference_runner: AtomicUsize,
    pub(super) reference_result: Mutex<Option<reference::Window>>,
    /// Signalled when the reference runner has stored its window.
    pub(super) reference_done: Condvar,
    /// What the I/O reference thread measured.
    pub(super) io_reference: Mutex<reference::IoReference>,
    /// The current configuration and its version, for the conductor.
    pub(super) config: Mutex<GilConfig>,
    pub(super) version: AtomicU64,
    pub(super) instrumented: bool,
    pub(super) batch_iterations: u64,
}

/// The workload a slot's code stands for (only `Workload as u8` codes are stored).
pub(super) fn workload_of(code: u8) -> Workload {
    Workload::from_repr(code).unwrap_or(Workload::Cpu)
}

impl Shared {
    /// The shared state of a run of `config` (no threads started yet).
    pub(super) fn new(config: &GilConfig, instrumented: bool) -> Shared {
        let n = config.threads();
        Shared {
            control: Arc::new(RunControl::new()),
            gate: RunControl::new(),
            clock: Clock::new(config.timescale),
            gils: (0..n + 2).map(|_| RealGil::default()).collect(),
            workers: config
                .workloads
                .iter()
                .map(|w| WorkerSlot {
                    workload: AtomicU8::new(*w as u8),
                    units: AtomicU64::new(0),
                    core: AtomicUsize::new(UNKNOWN),
                    parked: AtomicBool::new(false),
                    in_io: AtomicBool::new(false),
                    log: Mutex::new(Vec::new()),
                    cpu_ns: AtomicU64::new(u64::MAX),
                })
                .collect(),
            mode: AtomicU8::new(config.mode as u8),
            epoch: AtomicU64::new(0),
            interval_real_ns: AtomicU64::new(0),
            io_real_ns: AtomicU64::new(0),
            ft_overhead_permille: AtomicU64::new(0),
            slow_motion_bits: AtomicU64::new(1f64.to_bits()),
            io_reference: Mutex::new(reference::IoReference::default()),
            reference_runner: AtomicUsize::new(reference::NO_RUNNER),
            reference_result: Mutex::new(None),
            reference_done: Condvar::new(),
            config: Mutex::new(config.clone()),
            version: AtomicU64::new(0),
            instrumented,
            batch_iterations: batch_iterations(),
        }
    }

    pub(super) fn mode(&self) -> Mode {
        // Only `Mode as u8` codes are stored.
        Mode::from_repr(self.mode.load(Ordering::Relaxed)).unwrap_or(Mode::Gil)
    }

    pub(super) fn config(&self) -> MutexGuard<'_, GilConfig> {
        self.config.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn reference_result(&self) -> MutexGuard<'_, Option<reference::Window>> {
        self.reference_result
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn io_reference(&self) -> MutexGuard<'_, reference::IoReference> {
        self.io_reference.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn interval(&self) -> Duration {
        Duration::from_nanos(self.interval_real_ns.load(Ordering::Relaxed).max(1_000))
    }

    pub(super) fn slow_motion(&self) -> f64 {
        f64::from_bits(self.slow_motion_bits.load(Ordering::Relaxed))
    }

    pub(super) fn reference_gil(&self) -> &RealGil {
        &self.gils[self.gils.len() - 1]
    }

    /// The GIL thread `w` needs in `mode`: the shared one, its own, or none.
    pub(super) fn gil_index(&self, w: usize, mode: Mode) -> Option<usize> {
        match mode {
            Mode::Gil | Mode::GilLegacy => Some(0),
            Mode::Processes => Some(1 + w),
            Mode::FreeThreaded => None,
        }
    }

    pub(super) fn wake_all(&self) {
        for gil in &self.gils {
            gil.wake_all();
        }
    }

    /// Applies the real-time lengths for a configuration at `slow_motion`.
    pub(super) fn set_lengths(&self, config: &GilConfig, slow_motion: f64) {
        let real = |demo_ns: u64| (demo_ns as f64 * slow_motion) as u64;
        self.interval_real_ns
            .store(real(config.interval_ns()), Ordering::Relaxed);
        self.io_real_ns
            .store(real(config.io_ns()), Ordering::Relaxed);
        self.slow_motion_bits
            .store(slow_motion.to_bits(), Ordering::Relaxed);
        self.ft_overhead_permille.store(
            (config.ft_overhead_pct * 10.0).round() as u64,
            Ordering::Relaxed,
        );
    }
}

/// Iterations of the batch arithmetic that take about [`BATCH_NS`] on this machine,
/// measured once per process (the fastest of a few tries, so a busy moment does not make
/// batches too short).
pub fn batch_iterations() -> u64 {
    static ITERATIONS: OnceLock<u64> = OnceLock::new();
    *ITERATIONS.get_or_init(|| {
        const TRIAL_ITERATIONS: u64 = 20_000;
        let mut best = Duration::MAX;
        for _ in 0..5 {
            let started = Instant::now();
            spin(TRIAL_ITERATIONS, 7);
            best = best.min(started.elapsed());
        }
        let per_iteration_ns = best.as_nanos().max(1) as f64 / TRIAL_ITERATIONS as f64;
        ((BATCH_NS as f64 / per_iteration_ns).round() as u64).max(1)
    })
}

/// Real CPU work: a chain of dependent multiply-adds the compiler cannot skip.
#[inline]
pub(super) fn spin(iterations: u64, seed: u64) -> u64 {
    let mut x = seed;
    for i in 0..iterations {
        x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(i));
    }
    x
}

pub(super) fn record(shared: &Shared, w: usize, ev: Ev) {
    if shared.instrumented {
        record_at(shared, w, shared.clock.now(), ev);
    }
}

pub(super) fn record_at(shared: &Shared, w: usize, t: u64, ev: Ev) {
    if !shared.instrumented {
        return;
    }
    let mut log = shared.workers[w]
        .log
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if log.len() < MAX_PENDING_EVENTS {
        log.push((t, ev));
    }
}

/// Runs up to `budget` batches, stopping early when `gil`'s eval breaker trips. Returns
/// the batches run and whether the breaker tripped.
pub(super) fn run_batches(gil: Option<&RealGil>, budget: u64, iterations: u64) -> (u64, bool) {
    let mut done = 0;
    while done < budget {
        spin(iterations, done);
        done += 1;
        if gil.is_some_and(|g| g.drop_requested()) {
            return (done, true);
        }
    }
    (done, false)
}

/// CPU time the calling thread has used, ns (`None` where the OS does not say).
pub(super) fn thread_cpu_ns() -> Option<u64> {
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

/// Notes the core worker `w` is on and the CPU time it has used.
pub(super) fn note_placement(shared: &Shared, w: usize) {
    if shared.instrumented {
        shared.workers[w].core.store(
            crate::sims::current_core().unwrap_or(UNKNOWN),
            Ordering::Relaxed,
        );
        note_cpu(shared, w);
    }
}

/// Notes the CPU time worker `w` (the calling thread) has used.
pub(super) fn note_cpu(shared: &Shared, w: usize) {
    if let Some(ns) = thread_cpu_ns() {
        shared.workers[w].cpu_ns.store(ns, Ordering::Relaxed);
    }
}
