//! Playback control of the event loop: the pause/step gate every tracked poll passes
//! through, and the speed dial that stretches the scenario's durations (slow motion).
//!
//! How a tokio loop is paused honestly: every task the scenario spawns is wrapped (see
//! `tracker::Tracked`), and the wrapper calls [`Gate::pass`] before it polls the task. While
//! paused, that call parks the loop's OS thread on a condition variable, so the loop stops
//! exactly *between two polls*, the only place asyncio's loop can stop too (a coroutine runs
//! until its next `await`). `step()` hands out one permit: one poll runs, and the loop parks
//! again at the next poll it tries. The clock keeps running while paused (timers expire and
//! their tasks become ready), as it would in Python if you stopped the loop in a debugger.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use crate::sims::kit::PlaybackSpeed;
use crate::sims::kit::control::PausedTime;

/// The most step permits that can queue up when `step` is pressed faster than the loop
/// takes them.
pub const MAX_QUEUED_STEPS: u64 = 1_000;
/// The slowest playback speed: ten times slower than real time.
pub const MIN_SPEED: f64 = 0.1;
/// The fastest playback speed: real time (the loop never runs faster than the machine).
pub const MAX_SPEED: f64 = 1.0;

#[derive(Debug, Default)]
struct GateState {
    paused: PausedTime,
    permits: u64,
}

/// The pause/step gate in front of every tracked poll.
#[derive(Debug, Default)]
pub struct Gate {
    state: Mutex<GateState>,
    changed: Condvar,
    /// Mirror of `state.paused` read on the fast path without the lock.
    paused: AtomicBool,
    stopping: AtomicBool,
    /// Bumped on every pause and resume, so the heartbeat can drop samples that a pause
    /// (not the loop) made late.
    epoch: AtomicU64,
}

impl Gate {
    /// A gate that is open (not paused).
    pub fn new(paused: bool) -> Self {
        let gate = Gate::default();
        if paused {
            gate.set_paused(true);
        }
        gate
    }

    /// Blocks the calling (loop) thread while paused and no step permit is left.
    /// `on_park` runs once if it has to wait (the tracker notes who waits at the gate).
    /// Returns false when the demo is stopping: the caller must not poll.
    pub fn pass(&self, on_park: impl FnOnce()) -> bool {
        if !self.paused.load(Ordering::Acquire) {
            return !self.is_stopping();
        }
        let mut state = self.lock();
        let mut on_park = Some(on_park);
        loop {
            if self.is_stopping() {
                return false;
            }
            if !state.paused.is_on() {
                return true;
            }
            if state.permits > 0 {
                state.permits -= 1;
                return true;
            }
            if let Some(f) = on_park.take() {
                f();
            }
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(|poison| poison.into_inner());
        }
    }

    /// Pauses or resumes. Resuming drops any step permits not yet used.
    pub fn set_paused(&self, paused: bool) {
        let mut state = self.lock();
        state.paused.set(paused);
        state.permits = 0;
        self.paused.store(paused, Ordering::Release);
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.changed.notify_all();
    }

    /// All the time spent paused so far (stepping included). The loop's clock runs on
    /// while paused, so a scenario's length includes this; the caption says how much.
    pub fn paused_total(&self) -> Duration {
        self.lock().paused.total()
    }

    /// True while paused.
    pub fn is_paused(&self) -> bool {
        self.paused.load(Ordering::Acquire)
    }

    /// Lets exactly one more poll through while paused. Returns false when not paused.
    pub fn step(&self) -> bool {
        let mut state = self.lock();
        if !state.paused.is_on() {
            return false;
        }
        state.permits = (state.permits + 1).min(MAX_QUEUED_STEPS);
        self.changed.notify_all();
        true
    }

    /// Opens the gate for good and makes every later [`Gate::pass`] return false.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::Release);
        let _state = self.lock();
        self.changed.notify_all();
    }

    /// True once [`Gate::stop`] was called.
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }

    /// Changes on every pause and resume.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    fn lock(&self) -> MutexGuard<'_, GateState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The playback speed, read each time a scenario computes a duration: at 0.25 every sleep,
/// blocking call, server delay and deadline of the scenario takes four times longer, so the
/// whole story plays in slow motion while the loop itself runs at full speed. The shared
/// [`PlaybackSpeed`], held within this demo's own range.
#[derive(Debug, Default)]
pub struct Speed(PlaybackSpeed);

impl Speed {
    /// Sets the speed, clamped to [`MIN_SPEED`]..=[`MAX_SPEED`].
    pub fn set(&self, speed: f64) {
        let speed = if speed.is_finite() {
            speed.clamp(MIN_SPEED, MAX_SPEED)
        } else {
            MAX_SPEED
        };
        self.0.set(speed);
    }

    /// The current speed.
    pub fn get(&self) -> f64 {
        self.0.get()
    }

    /// `ms` of scenario time as real time at the current speed.
    pub fn ms(&self, ms: u64) -> Duration {
        self.0.scale_ms(ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn an_open_gate_passes_and_a_stopped_one_refuses() {
        let gate = Gate::new(false);
        assert!(gate.pass(|| panic!("must not park")));
        gate.stop();
        assert!(!gate.pass(|| ()));
    }

    #[test]
    fn each_step_lets_exactly_one_pass_through() {
        let gate = Arc::new(Gate::new(true));
        assert!(gate.step());
        assert!(gate.step());
        assert!(gate.pass(|| panic!("a permit was queued")));
        assert!(gate.pass(|| panic!("a permit was queued")));
        let parked = Arc::new(AtomicUsize::new(0));
        let waiter = {
            let (gate, parked) = (Arc::clone(&gate), Arc::clone(&parked));
            std::thread::spawn(move || {
                gate.pass(|| {
                    parked.fetch_add(1, Ordering::SeqCst);
                })
            })
        };
        // Stop releases the parked thread, which must report that it may not poll.
        while parked.load(Ordering::SeqCst) == 0 {
            std::thread::yield_now();
        }
        gate.stop();
        assert!(!waiter.join().unwrap());
    }

    #[test]
    fn resuming_drops_unused_steps_and_step_needs_a_pause() {
        let gate = Gate::new(true);
        let before = gate.epoch();
        gate.step();
        gate.set_paused(false);
        assert!(!gate.step());
        assert_ne!(gate.epoch(), before);
        gate.set_paused(true);
        let parked = AtomicBool::new(false);
        gate.stop();
        assert!(!gate.pass(|| parked.store(true, Ordering::SeqCst)));
    }

    #[test]
    fn speed_stretches_durations_within_its_range() {
        let speed = Speed::default();
        assert_eq!(speed.ms(200), Duration::from_millis(200));
        speed.set(0.25);
        assert_eq!(speed.ms(200), Duration::from_millis(800));
        speed.set(0.0);
        assert_eq!(speed.get(), MIN_SPEED);
        speed.set(f64::NAN);
        assert_eq!(speed.get(), MAX_SPEED);
    }
}
