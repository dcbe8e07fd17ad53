//! One Python thread of the real engine: takes its GIL (the shared one, its own, or none
//! by mode), runs batches of real arithmetic and looks at the eval breaker between them,
//! releases around real blocking I/O, parks at the reference gate, and logs every change
//! of state with its demo time.

use std::cell::Cell;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::reference;
use super::shared::{Ev, Shared, note_placement, record, record_at, run_batches, workload_of};
use crate::sims::gil::real_gil::{Taken, WaitObserver};
use crate::sims::gil::timeline::ThreadState;
use crate::sims::gil::{IO_CPU_BATCHES, LEGACY_CHECK_INTERVAL_TICKS, Mode, Workload};

/// Batches a CPU thread runs between two looks at pause, stop, calibration and mode
/// (about a quarter of a millisecond).
pub const OUTER_CHECK_BATCHES: u64 = 256;

/// One worker's view of the shared state while it waits for a GIL.
pub(super) struct WorkerWait<'a> {
    pub(super) shared: &'a Shared,
    pub(super) w: usize,
    pub(super) epoch: u64,
    pub(super) state: &'a Cell<Option<ThreadState>>,
    /// When it last released a GIL it has not taken back yet. The next state it logs
    /// starts then: a thread preempted between releasing and logging must not look as if
    /// it still held the GIL while another thread holds it.
    pub(super) released_at: &'a Cell<Option<u64>>,
}

impl WorkerWait<'_> {
    /// Logs a change of state (only changes, so a running thread logs nothing).
    pub(super) fn set_state(&self, state: ThreadState) {
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
    pub(super) fn release(&self, g: usize, forced: bool) -> usize {
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
    pub(super) fn take(&self, g: usize, interval: Option<Duration>) -> Taken {
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

/// One Python thread.
pub(super) fn worker(shared: &Shared, w: usize) {
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
            reference::measure_if_asked(shared, w);
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
        note_placement(shared, w);
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
