//! The `gil` demo on real threads (`engine=threads`): one OS thread per Python thread, all
//! contending for a [`RealGil`]. A holder runs real arithmetic in batches of about a
//! microsecond and looks at the eval breaker between batches; an I/O thread releases the
//! GIL around a real blocking wait. A conductor thread collects what the workers log,
//! publishes snapshots and measures the speedup's reference (see [`calibrate`]).

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use serde_json::Value;

use super::real_gil::{RealGil, Taken, WaitObserver};
use super::timeline::{Frame, GilSnapshot, Recorder, ThreadState};
use super::{
    BATCH_NS, CELLS_PER_INTERVAL, EngineKind, GilConfig, IO_CPU_BATCHES,
    LEGACY_CHECK_INTERVAL_TICKS, Mode, Workload, expand_workloads, ms_to_ns,
};
use crate::sims::control::RunControl;
use crate::sims::{Applied, Demo, ParamValue, Snapshot, StartError};

/// How often the conductor collects the workers' logs and publishes a snapshot.
pub const FRAME_INTERVAL: Duration = Duration::from_millis(25);
/// Batches a CPU thread runs between two looks at pause, stop, calibration and mode
/// (about a quarter of a millisecond).
pub const OUTER_CHECK_BATCHES: u64 = 256;
/// Most log entries a worker keeps between two collections (the conductor collects every
/// frame, so this is only reached if it stalls).
const MAX_PENDING_EVENTS: usize = 100_000;
const UNKNOWN_CORE: usize = usize::MAX;

/// What a worker logs for the conductor, with its demo time.
#[derive(Debug, Clone, Copy)]
enum Ev {
    State(ThreadState),
    Switch,
    DropRequest,
    Release { contended: bool },
    SelfReacquire,
    Latency(u64),
}

/// Demo time: real time since start divided by the slow-motion factor, frozen while the
/// learner pauses and while the speedup's reference is measured (so the strips show no gap
/// for it and its time is not the demo's).
#[derive(Debug)]
struct Clock {
    inner: Mutex<ClockInner>,
}

#[derive(Debug)]
struct ClockInner {
    base_real: Instant,
    base_demo_ns: u64,
    slow_motion: f64,
    paused: bool,
    frozen: bool,
}

impl Clock {
    fn new(slow_motion: f64) -> Clock {
        Clock {
            inner: Mutex::new(ClockInner {
                base_real: Instant::now(),
                base_demo_ns: 0,
                slow_motion,
                paused: false,
                frozen: false,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, ClockInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn now_of(c: &ClockInner) -> u64 {
        if c.paused || c.frozen {
            c.base_demo_ns
        } else {
            c.base_demo_ns + (c.base_real.elapsed().as_nanos() as f64 / c.slow_motion) as u64
        }
    }

    fn now(&self) -> u64 {
        Clock::now_of(&self.lock())
    }

    fn rebase(c: &mut ClockInner) {
        c.base_demo_ns = Clock::now_of(c);
        c.base_real = Instant::now();
    }

    fn set_slow_motion(&self, slow_motion: f64) {
        let mut c = self.lock();
        Clock::rebase(&mut c);
        c.slow_motion = slow_motion.max(1e-3);
    }

    fn set_paused(&self, paused: bool) {
        let mut c = self.lock();
        Clock::rebase(&mut c);
        c.paused = paused;
    }

    fn set_frozen(&self, frozen: bool) {
        let mut c = self.lock();
        Clock::rebase(&mut c);
        c.frozen = frozen;
    }

    /// Lets a frozen clock run on from where it stood (a no-op when it runs).
    fn thaw(&self) {
        if self.lock().frozen {
            self.set_frozen(false);
        }
    }
}

/// One worker's counters and log, on its own cache lines.
#[derive(Debug)]
#[repr(align(128))]
struct WorkerSlot {
    workload: AtomicU8,
    units: AtomicU64,
    core: AtomicUsize,
    parked: AtomicBool,
    in_io: AtomicBool,
    log: Mutex<Vec<(u64, Ev)>>,
}

/// Everything the workers, the conductor and the handle share.
struct Shared {
    control: RunControl,
    /// Closed (paused) while the conductor measures one thread alone.
    gate: RunControl,
    clock: Clock,
    /// `[0]` the process's GIL; `[1 + i]` thread i's own (processes); the last one the
    /// reference thread's.
    gils: Vec<RealGil>,
    workers: Vec<WorkerSlot>,
    mode: AtomicU8,
    /// Bumped on a change of mode or workload: waiters leave and re-decide.
    epoch: AtomicU64,
    interval_real_ns: AtomicU64,
    io_real_ns: AtomicU64,
    ft_overhead_permille: AtomicU64,
    /// Real seconds per demo second (timescale / playback speed), as f64 bits.
    slow_motion_bits: AtomicU64,
    /// The worker asked to measure the next CPU reference window, and what it measured.
    reference_runner: AtomicUsize,
    reference_result: Mutex<Option<calibrate::Window>>,
    /// Signalled when the reference runner has stored its window.
    reference_done: Condvar,
    /// What the I/O reference thread measured.
    io_reference: Mutex<calibrate::IoReference>,
    /// The current configuration and its version, for the conductor.
    config: Mutex<GilConfig>,
    version: AtomicU64,
    instrumented: bool,
    batch_iterations: u64,
}

fn mode_code(mode: Mode) -> u8 {
    match mode {
        Mode::Gil => 0,
        Mode::GilLegacy => 1,
        Mode::FreeThreaded => 2,
        Mode::Processes => 3,
    }
}

fn mode_of(code: u8) -> Mode {
    match code {
        1 => Mode::GilLegacy,
        2 => Mode::FreeThreaded,
        3 => Mode::Processes,
        _ => Mode::Gil,
    }
}

fn workload_of(code: u8) -> Workload {
    if code == 1 {
        Workload::Io
    } else {
        Workload::Cpu
    }
}

fn workload_code(w: Workload) -> u8 {
    match w {
        Workload::Cpu => 0,
        Workload::Io => 1,
    }
}

impl Shared {
    /// The shared state of a run of `config` (no threads started yet).
    fn new(config: &GilConfig, instrumented: bool) -> Shared {
        let n = config.threads();
        Shared {
            control: RunControl::new(),
            gate: RunControl::new(),
            clock: Clock::new(config.timescale),
            gils: (0..n + 2).map(|_| RealGil::default()).collect(),
            workers: config
                .workloads
                .iter()
                .map(|w| WorkerSlot {
                    workload: AtomicU8::new(workload_code(*w)),
                    units: AtomicU64::new(0),
                    core: AtomicUsize::new(UNKNOWN_CORE),
                    parked: AtomicBool::new(false),
                    in_io: AtomicBool::new(false),
                    log: Mutex::new(Vec::new()),
                })
                .collect(),
            mode: AtomicU8::new(mode_code(config.mode)),
            epoch: AtomicU64::new(0),
            interval_real_ns: AtomicU64::new(0),
            io_real_ns: AtomicU64::new(0),
            ft_overhead_permille: AtomicU64::new(0),
            slow_motion_bits: AtomicU64::new(1f64.to_bits()),
            io_reference: Mutex::new(calibrate::IoReference::default()),
            reference_runner: AtomicUsize::new(calibrate::NO_RUNNER),
            reference_result: Mutex::new(None),
            reference_done: Condvar::new(),
            config: Mutex::new(config.clone()),
            version: AtomicU64::new(0),
            instrumented,
            batch_iterations: batch_iterations(),
        }
    }

    fn mode(&self) -> Mode {
        mode_of(self.mode.load(Ordering::Relaxed))
    }

    fn config(&self) -> MutexGuard<'_, GilConfig> {
        self.config.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn reference_result(&self) -> MutexGuard<'_, Option<calibrate::Window>> {
        self.reference_result
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    fn io_reference(&self) -> MutexGuard<'_, calibrate::IoReference> {
        self.io_reference.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn interval(&self) -> Duration {
        Duration::from_nanos(self.interval_real_ns.load(Ordering::Relaxed).max(1_000))
    }

    fn slow_motion(&self) -> f64 {
        f64::from_bits(self.slow_motion_bits.load(Ordering::Relaxed))
    }

    fn reference_gil(&self) -> &RealGil {
        &self.gils[self.gils.len() - 1]
    }

    /// The GIL thread `w` needs in `mode`: the shared one, its own, or none.
    fn gil_index(&self, w: usize, mode: Mode) -> Option<usize> {
        match mode {
            Mode::Gil | Mode::GilLegacy => Some(0),
            Mode::Processes => Some(1 + w),
            Mode::FreeThreaded => None,
        }
    }

    fn wake_all(&self) {
        for gil in &self.gils {
            gil.wake_all();
        }
    }

    /// Applies the real-time lengths for a configuration at `slow_motion`.
    fn set_lengths(&self, config: &GilConfig, slow_motion: f64) {
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
fn spin(iterations: u64, seed: u64) -> u64 {
    let mut x = seed;
    for i in 0..iterations {
        x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(i));
    }
    x
}

/// One worker's view of the shared state while it waits for a GIL.
struct WorkerWait<'a> {
    shared: &'a Shared,
    w: usize,
    epoch: u64,
    state: &'a Cell<Option<ThreadState>>,
    /// When it last released a GIL it has not taken back yet. The next state it logs
    /// starts then: a thread preempted between releasing and logging must not look as if
    /// it still held the GIL while another thread holds it.
    released_at: &'a Cell<Option<u64>>,
}

impl WorkerWait<'_> {
    /// Logs a change of state (only changes, so a running thread logs nothing).
    fn set_state(&self, state: ThreadState) {
        if self.state.get() != Some(state) {
            self.state.set(Some(state));
            if self.shared.instrumented {
                let t = self
                    .released_at
                    .take()
                    .unwrap_or_else(|| self.shared.clock.now());
                record_at(self.shared, self.w, t, Ev::State(state));
            }
        }
    }

    /// Releases GIL `g` (see [`RealGil::release`]), noting when.
    fn release(&self, g: usize, forced: bool) -> usize {
        if self.shared.instrumented {
            self.released_at.set(Some(self.shared.clock.now()));
        }
        self.shared.gils[g].release(self.w, forced, self)
    }

    /// Takes GIL `g` (see [`RealGil::take`]). A thread that released the GIL and takes it
    /// back without waiting, although another thread held it in between (Python 2's
    /// release and re-request, a thread preempted after its release), did not hold it
    /// meanwhile: it logs a wait from its release on, so two threads never both seem to
    /// hold the one GIL (before, each of two legacy threads showed 63% held).
    fn take(&self, g: usize, interval: Option<Duration>) -> Taken {
        let taken = self.shared.gils[g].take(self.w, interval, self);
        if let Taken::Yes { switched, .. } = taken {
            if switched && self.released_at.get().is_some() {
                self.set_state(ThreadState::Waiting);
            }
            self.released_at.set(None);
        }
        taken
    }
}

impl WaitObserver for WorkerWait<'_> {
    fn should_leave(&self) -> bool {
        let s = self.shared;
        s.control.is_stopping()
            || s.control.is_paused()
            || s.gate.is_paused()
            || s.epoch.load(Ordering::SeqCst) != self.epoch
    }
    fn waiting(&self) {
        self.set_state(ThreadState::Waiting);
    }
    fn drop_requested(&self) {
        // While paused the clock stands still; a timed-out wait then asks for nothing.
        if !self.shared.control.is_paused() {
            record(self.shared, self.w, Ev::DropRequest);
        }
    }
}

fn record(shared: &Shared, w: usize, ev: Ev) {
    if shared.instrumented {
        record_at(shared, w, shared.clock.now(), ev);
    }
}

fn record_at(shared: &Shared, w: usize, t: u64, ev: Ev) {
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
fn run_batches(gil: Option<&RealGil>, budget: u64, iterations: u64) -> (u64, bool) {
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

fn note_core(shared: &Shared, w: usize) {
    if shared.instrumented {
        shared.workers[w].core.store(
            crate::sims::current_core().unwrap_or(UNKNOWN_CORE),
            Ordering::Relaxed,
        );
    }
}

/// One Python thread.
fn worker(shared: &Shared, w: usize) {
    let slot = &shared.workers[w];
    let mut held: Option<usize> = None;
    let mut io_done_at: Option<u64> = None;
    let mut legacy_ticks_left = LEGACY_CHECK_INTERVAL_TICKS;
    let mut io_batches_left = IO_CPU_BATCHES;
    let mut released_to_waiters = false;
    let state = Cell::new(None);
    let released_at = Cell::new(None);
    let outside = |epoch| WorkerWait {
        shared,
        w,
        epoch,
        state: &state,
        released_at: &released_at,
    };
    loop {
        if !shared.control.checkpoint() {
            break;
        }
        if shared.gate.is_paused() {
            let wait = outside(0);
            if let Some(g) = held.take() {
                wait.release(g, false);
            }
            io_done_at = None;
            wait.set_state(ThreadState::Parked);
            calibrate::measure_if_asked(shared, w);
            slot.parked.store(true, Ordering::SeqCst);
            let go_on = shared.gate.checkpoint();
            slot.parked.store(false, Ordering::SeqCst);
            if !go_on {
                break;
            }
            // Demo time runs again once a worker runs again, not when the gate opens: the
            // wake-up after a window is no more the demo's time than the window itself.
            shared.clock.thaw();
            continue;
        }
        let epoch = shared.epoch.load(Ordering::SeqCst);
        let mode = shared.mode();
        let workload = workload_of(slot.workload.load(Ordering::Relaxed));
        let want = shared.gil_index(w, mode);
        let wait = outside(epoch);
        if held != want
            && let Some(g) = held.take()
        {
            wait.release(g, false);
        }
        if let (Some(g), None) = (want, held) {
            let interval = (mode == Mode::Gil).then(|| shared.interval());
            match wait.take(g, interval) {
                Taken::Left => continue,
                Taken::Yes { switched, .. } => {
                    held = Some(g);
                    if switched && mode.shares_one_gil() {
                        record(shared, w, Ev::Switch);
                    } else if released_to_waiters {
                        record(shared, w, Ev::SelfReacquire);
                    }
                    if let Some(done) = io_done_at.take() {
                        let now = shared.clock.now();
                        record(shared, w, Ev::Latency(now.saturating_sub(done)));
                    }
                }
            }
        } else if let Some(done) = io_done_at.take() {
            // No GIL to wait for: the thread goes on at once.
            let now = shared.clock.now();
            record(shared, w, Ev::Latency(now.saturating_sub(done)));
        }
        released_to_waiters = false;
        wait.set_state(ThreadState::Running);
        note_core(shared, w);
        let gil = held.map(|g| &shared.gils[g]);
        let mut iterations = shared.batch_iterations;
        if mode == Mode::FreeThreaded {
            let permille = shared.ft_overhead_permille.load(Ordering::Relaxed);
            iterations = iterations * (1000 + permille) / 1000;
        }
        let forced = mode == Mode::Gil;
        match workload {
            Workload::Cpu => {
                let budget = if mode == Mode::GilLegacy {
                    legacy_ticks_left.min(OUTER_CHECK_BATCHES)
                } else {
                    OUTER_CHECK_BATCHES
                };
                let (done, breaker) = run_batches(gil, budget, iterations);
                slot.units.fetch_add(done, Ordering::Relaxed);
                if breaker {
                    if let Some(g) = held.take() {
                        wait.release(g, forced);
                    }
                } else if mode == Mode::GilLegacy {
                    legacy_ticks_left -= done.min(legacy_ticks_left);
                    if legacy_ticks_left == 0 {
                        legacy_ticks_left = LEGACY_CHECK_INTERVAL_TICKS;
                        // Python 2: release and at once ask again (top of the loop).
                        if let Some(g) = held.take() {
                            released_to_waiters = wait.release(g, false) > 0;
                            let contended = released_to_waiters;
                            record(shared, w, Ev::Release { contended });
                        }
                    }
                }
            }
            Workload::Io => {
                let (done, breaker) = run_batches(gil, io_batches_left, iterations);
                io_batches_left -= done.min(io_batches_left);
                if breaker && io_batches_left > 0 {
                    if let Some(g) = held.take() {
                        wait.release(g, forced);
                    }
                    continue;
                }
                io_batches_left = IO_CPU_BATCHES;
                slot.units.fetch_add(1, Ordering::Relaxed);
                // Py_BEGIN_ALLOW_THREADS: release (waiting for the switch if a drop was
                // requested), then block for the I/O's length.
                if let Some(g) = held.take() {
                    wait.release(g, forced);
                }
                wait.set_state(ThreadState::Io);
                slot.in_io.store(true, Ordering::SeqCst);
                let io = Duration::from_nanos(shared.io_real_ns.load(Ordering::Relaxed));
                let finished = shared.control.sleep(io);
                slot.in_io.store(false, Ordering::SeqCst);
                if !finished {
                    break;
                }
                io_done_at = Some(shared.clock.now());
            }
        }
    }
    let wait = outside(0);
    if let Some(g) = held.take() {
        wait.release(g, false);
    }
    wait.set_state(ThreadState::Done);
}

pub mod calibrate;

/// The running real-thread demo.
pub struct ThreadsDemo {
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
    io_reference: Option<JoinHandle<()>>,
    conductor: Option<JoinHandle<Value>>,
    conductor_control: Arc<RunControl>,
    latest: Arc<ArcSwap<GilSnapshot>>,
    speed: f64,
    timescale: f64,
}

impl ThreadsDemo {
    /// Starts the workers and the conductor. `instrumented: false` logs no states or events and reads no cores, to
    /// measure what instrumentation costs.
    pub fn start(config: &GilConfig, instrumented: bool) -> Result<ThreadsDemo, StartError> {
        let n = config.threads();
        let slow_motion = config.timescale;
        let shared = Arc::new(Shared::new(config, instrumented));
        shared.set_lengths(config, slow_motion);
        let latest = Arc::new(ArcSwap::from_pointee(empty_snapshot(config)));
        let conductor_control = Arc::new(RunControl::new());
        let mut demo = ThreadsDemo {
            shared: Arc::clone(&shared),
            workers: Vec::with_capacity(n),
            io_reference: None,
            conductor: None,
            conductor_control: Arc::clone(&conductor_control),
            latest: Arc::clone(&latest),
            speed: 1.0,
            timescale: config.timescale,
        };
        for w in 0..n {
            let shared = Arc::clone(&shared);
            let handle = std::thread::Builder::new()
                .name(format!("gil-thread-{}", w + 1))
                .spawn(move || worker(&shared, w));
            match handle {
                Ok(h) => demo.workers.push(h),
                Err(e) => {
                    demo.shutdown();
                    return Err(e.into());
                }
            }
        }
        let reference = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("gil-io-reference".into())
                .spawn(move || calibrate::io_reference_loop(&shared))
        };
        match reference {
            Ok(h) => demo.io_reference = Some(h),
            Err(e) => {
                demo.shutdown();
                return Err(e.into());
            }
        }
        let conductor = std::thread::Builder::new()
            .name("gil-conductor".into())
            .spawn(move || calibrate::conduct(&shared, &conductor_control, &latest));
        match conductor {
            Ok(h) => demo.conductor = Some(h),
            Err(e) => {
                demo.shutdown();
                return Err(e.into());
            }
        }
        Ok(demo)
    }

    fn slow_motion(&self) -> f64 {
        self.timescale / self.speed
    }

    /// Stops and joins everything; the conductor's final metrics, if it ran.
    fn shutdown(&mut self) -> Option<Value> {
        self.shared.control.stop();
        self.shared.gate.stop();
        self.shared.wake_all();
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
        if let Some(r) = self.io_reference.take() {
            let _ = r.join();
        }
        self.conductor_control.stop();
        self.conductor.take().and_then(|c| c.join().ok())
    }

    fn changed(&self, config: &GilConfig) {
        self.shared.set_lengths(config, self.slow_motion());
        self.shared.version.fetch_add(1, Ordering::SeqCst);
    }
}

fn empty_snapshot(config: &GilConfig) -> GilSnapshot {
    let recorder = Recorder::new(&config.workloads, 1, 0);
    let mut snap = recorder.snapshot(frame(config, 1.0, 0, None, false, false));
    snap.threads.iter_mut().for_each(|t| t.strip.clear());
    snap
}

/// The engine-side part of a snapshot.
fn frame(
    config: &GilConfig,
    slow_motion: f64,
    elapsed_ns: u64,
    speedup: Option<f64>,
    paused: bool,
    calibrating: bool,
) -> Frame {
    Frame {
        engine: EngineKind::Threads,
        mode: config.mode,
        cores: crate::sims::available_cores(),
        switch_interval_ms: config.switch_interval_ms,
        io_ms: config.io_ms,
        slow_motion,
        elapsed_ns,
        speedup,
        speedup_kind: config.speedup_kind(),
        paused,
        calibrating,
        last_event: String::new(),
    }
}

impl Demo for ThreadsDemo {
    fn snapshot(&self) -> Snapshot {
        Snapshot::Gil(self.latest.load_full())
    }

    fn set(&mut self, name: &str, value: &ParamValue) -> Applied {
        let number = match value {
            ParamValue::Float(v) => Some(*v),
            ParamValue::Int(v) => Some(*v as f64),
            _ => None,
        };
        let text = match value {
            ParamValue::Text(t) => Some(t.clone()),
            _ => None,
        };
        let mut config = self.shared.config().clone();
        match (name, number, text) {
            ("switch_interval_ms", Some(v), _) => config.switch_interval_ms = v,
            ("io_ms", Some(v), _) => config.io_ms = v,
            ("ft_overhead_pct", Some(v), _) => config.ft_overhead_pct = v,
            ("timescale", Some(v), _) => {
                config.timescale = v.max(1.0);
                self.timescale = config.timescale;
                self.shared.clock.set_slow_motion(self.slow_motion());
            }
            ("mode", _, Some(t)) => {
                config.mode = super::Mode::parse(&t);
                self.shared
                    .mode
                    .store(mode_code(config.mode), Ordering::SeqCst);
            }
            ("workload", _, Some(t)) => {
                config.workloads = expand_workloads(&t, config.threads());
                for (slot, w) in self.shared.workers.iter().zip(&config.workloads) {
                    slot.workload.store(workload_code(*w), Ordering::SeqCst);
                }
            }
            _ => return Applied::Restart,
        }
        *self.shared.config() = config.clone();
        self.shared.epoch.fetch_add(1, Ordering::SeqCst);
        self.shared.wake_all();
        self.changed(&config);
        Applied::Live
    }

    fn set_paused(&mut self, paused: bool) -> bool {
        self.shared.clock.set_paused(paused);
        self.shared.control.set_paused(paused);
        self.shared.wake_all();
        true
    }

    fn set_speed(&mut self, speed: f64) -> bool {
        self.speed = if speed.is_finite() && speed > 0.0 {
            speed
        } else {
            1.0
        };
        self.shared.clock.set_slow_motion(self.slow_motion());
        let config = self.shared.config().clone();
        self.changed(&config);
        true
    }

    fn stop(mut self: Box<Self>) -> Value {
        self.shutdown().unwrap_or(Value::Null)
    }
}

impl Drop for ThreadsDemo {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}

/// Demo ns of `ms`, for the conductor's cell width.
fn cell_ns(config: &GilConfig) -> u64 {
    (ms_to_ns(config.switch_interval_ms).max(BATCH_NS) / CELLS_PER_INTERVAL).max(1)
}

#[cfg(test)]
mod tests;
